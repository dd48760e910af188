//! The thematic map as SVG (for the report, the portfolio and File ▸ Export) and as PNG, drawn
//! from the same layout the app shows ([`crate::analysis::map_layout`]): themes and codes as
//! circles sized by their cases, links and sub-themes as lines, a legend of the statuses and the
//! codes no theme links yet listed apart.

use std::fmt::Write as _;

use super::ExportError;
use super::qdpx::{escape_attr, escape_text};
use crate::analysis::map_layout::{
    EdgeKind, MapLayout, MapNode, NodeKind, label_lines, project_map, short_label,
};
use crate::model::{Color, ProjectRead, ThemeStatus};

/// Room around the map, in SVG units.
const MARGIN: f32 = 30.0;
/// Width of the column holding the legend and the tray.
const SIDE: f32 = 270.0;
/// Height of the title line.
const HEAD: f32 = 46.0;
/// The fonts the SVG asks for: the one bundled for the PNG first, then common ones.
const FONTS: &str = "Ubuntu, 'Noto Sans', 'DejaVu Sans', Arial, sans-serif";

/// How a status is drawn: outline width, dash pattern, fill opacity. The app uses the same.
pub fn status_style(status: ThemeStatus) -> (f32, Option<&'static str>, f32) {
    match status {
        ThemeStatus::Candidate => (2.0, Some("6 4"), 0.80),
        ThemeStatus::Reviewed => (2.0, None, 0.85),
        ThemeStatus::Final => (4.0, None, 0.95),
        ThemeStatus::Discarded => (1.5, Some("2 3"), 0.25),
    }
}

/// The thematic map of the project as a standalone SVG document.
pub fn map_svg(read: impl ProjectRead) -> Result<String, ExportError> {
    let layout = project_map(&read).map_err(ExportError::Analysis)?;
    let title = read.title()?;
    Ok(layout_svg(&layout, &title))
}

/// `layout` as a standalone SVG document, titled after the project.
pub fn layout_svg(layout: &MapLayout, title: &str) -> String {
    let ((x0, y0), (x1, y1)) = layout.bounds();
    let (map_w, map_h) = (x1 - x0 + 2.0 * MARGIN, y1 - y0 + 2.0 * MARGIN);
    // Map units to SVG units: the map's top left at (MARGIN, HEAD + MARGIN).
    let (dx, dy) = (MARGIN - x0, HEAD + MARGIN - y0);
    let tray_h = 130.0 + 20.0 * layout.tray.len() as f32;
    let width = (map_w + SIDE).max(520.0);
    let height = (HEAD + map_h).max(HEAD + tray_h + 160.0);
    let mut s = String::with_capacity(512 + 400 * layout.nodes.len());
    let _ = write!(
        s,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="{FONTS}">
<title>{t}</title>
<rect x="0" y="0" width="{w:.0}" height="{h:.0}" fill="#ffffff"/>
<text x="{MARGIN}" y="30" font-size="20" font-weight="bold" fill="#222222">{t}</text>
"##,
        w = width,
        h = height,
        t = escape_text(&format!("Thematic map · {title}")),
    );
    if layout.nodes.is_empty() {
        let _ = writeln!(
            s,
            r##"<text x="{MARGIN}" y="{y}" font-size="14" fill="#555555">No themes yet.</text>"##,
            y = HEAD + MARGIN + 20.0
        );
    }
    // Edges under nodes: sub-themes thick in the parent's colour, links thin.
    s.push_str("<g id=\"edges\" fill=\"none\">\n");
    for e in &layout.edges {
        let (a, b) = (&layout.nodes[e.from], &layout.nodes[e.to]);
        // A discarded theme's links recede: it is history, not the map.
        let discarded = matches!(
            a.kind,
            NodeKind::Theme {
                status: ThemeStatus::Discarded,
                ..
            }
        );
        let (stroke, w) = match e.kind {
            EdgeKind::SubTheme => (a.color.to_hex(), 4.0),
            EdgeKind::Link if discarded => ("#c8cbd0".to_owned(), 1.0),
            EdgeKind::Link => ("#8a8f98".to_owned(), 1.3),
        };
        // From rim to rim; a sub-theme inside its parent is joined by no line.
        let (vx, vy) = (b.pos.0 - a.pos.0, b.pos.1 - a.pos.1);
        let len = (vx * vx + vy * vy).sqrt();
        if len <= a.radius + b.radius {
            continue;
        }
        let (ux, uy) = (vx / len, vy / len);
        let _ = writeln!(
            s,
            r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{stroke}" stroke-width="{w}" stroke-opacity="0.8"/>"#,
            a.pos.0 + dx + ux * a.radius,
            a.pos.1 + dy + uy * a.radius,
            b.pos.0 + dx - ux * b.radius,
            b.pos.1 + dy - uy * b.radius,
        );
    }
    s.push_str("</g>\n<g id=\"nodes\">\n");
    let mut container = vec![false; layout.nodes.len()];
    for e in &layout.edges {
        if e.kind == EdgeKind::SubTheme {
            container[e.from] = true;
        }
    }
    for (n, &holds) in layout.nodes.iter().zip(&container) {
        node_svg(&mut s, n, holds, dx, dy);
    }
    s.push_str("</g>\n");
    side_svg(&mut s, layout, map_w.max(width - SIDE), HEAD + MARGIN);
    s.push_str("</svg>\n");
    s
}

/// One node; `holds` when it is a theme holding sub-themes (drawn faint, as a container).
fn node_svg(s: &mut String, n: &MapNode, holds: bool, dx: f32, dy: f32) {
    let (x, y) = (n.pos.0 + dx, n.pos.1 + dy);
    let tip = escape_text(&format!(
        "{}: {} segments, {} documents, {} cases",
        n.full_name, n.counts.segments, n.counts.documents, n.counts.cases
    ));
    // One line per tspan, centred under the circle.
    let step = if n.is_theme() { 17.0 } else { 14.5 };
    let mut label = String::new();
    for (k, line) in label_lines(&n.label).iter().enumerate() {
        let dy = if k == 0 { 0.0 } else { step };
        let _ = write!(
            label,
            r#"<tspan x="{x:.1}" dy="{dy}">{}</tspan>"#,
            escape_text(line)
        );
    }
    let fill = n.color.to_hex();
    match n.kind {
        NodeKind::Theme { status, .. } => {
            let (w, dash, opacity) = status_style(status);
            let opacity = if holds { opacity * 0.3 } else { opacity };
            let dash = dash
                .map(|d| format!(" stroke-dasharray=\"{d}\""))
                .unwrap_or_default();
            let _ = write!(
                s,
                r##"<g class="theme"><title>{tip}</title><circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{fill}" fill-opacity="{opacity}" stroke="{stroke}" stroke-width="{w}"{dash}/>"##,
                r = n.radius,
                stroke = darker(n.color).to_hex(),
            );
            let _ = writeln!(
                s,
                r##"<text x="{x:.1}" y="{ty:.1}" text-anchor="middle" font-size="14" font-weight="bold" fill="#1a1a1a" stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke">{label}</text></g>"##,
                ty = y + n.radius + 17.0,
            );
        }
        NodeKind::Code { .. } => {
            let _ = write!(
                s,
                r##"<g class="code"><title>{tip}</title><circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{fill}" stroke="#ffffff" stroke-width="1.5"/>"##,
                r = n.radius,
            );
            let _ = writeln!(
                s,
                r##"<text x="{x:.1}" y="{ty:.1}" text-anchor="middle" font-size="12" fill="#333333" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">{label}</text></g>"##,
                ty = y + n.radius + 14.0,
            );
        }
    }
}

/// The legend (statuses, sizes) and the tray, in a column at `x`.
fn side_svg(s: &mut String, layout: &MapLayout, x: f32, top: f32) {
    let x = x + 10.0;
    let _ = writeln!(
        s,
        r##"<g id="legend"><text x="{x}" y="{top}" font-size="14" font-weight="bold" fill="#222222">Status</text>"##
    );
    let mut y = top + 24.0;
    for status in ThemeStatus::ALL {
        let (w, dash, opacity) = status_style(status);
        let dash = dash
            .map(|d| format!(" stroke-dasharray=\"{d}\""))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            r##"<circle cx="{cx}" cy="{y}" r="9" fill="#9aa6b2" fill-opacity="{opacity}" stroke="#4a5560" stroke-width="{w}"{dash}/><text x="{tx}" y="{ty}" font-size="13" fill="#333333">{label}</text>"##,
            cx = x + 10.0,
            tx = x + 28.0,
            ty = y + 4.5,
            label = status.label(),
        );
        y += 26.0;
    }
    let _ = writeln!(
        s,
        r##"<text x="{x}" y="{y}" font-size="12" fill="#555555">Circle size: number of cases.</text>"##,
        y = y + 2.0
    );
    let _ = writeln!(
        s,
        r##"<text x="{x}" y="{y}" font-size="12" fill="#555555">A theme inside another: a sub-theme.</text></g>"##,
        y = y + 20.0
    );
    y += 56.0;
    let _ = writeln!(
        s,
        r##"<g id="tray"><text x="{x}" y="{y}" font-size="14" font-weight="bold" fill="#222222">Not yet in a theme ({n})</text>"##,
        n = layout.tray.len()
    );
    y += 22.0;
    if layout.tray.is_empty() {
        let _ = writeln!(
            s,
            r##"<text x="{x}" y="{y}" font-size="12" fill="#555555">Every code is in a theme.</text>"##
        );
    }
    for item in &layout.tray {
        let tip = format!(
            "{}: {} segments, {} documents, {} cases",
            item.path, item.counts.segments, item.counts.documents, item.counts.cases
        );
        let _ = writeln!(
            s,
            r##"<g><title>{tip}</title><circle cx="{cx}" cy="{cy}" r="5" fill="{fill}"/><text x="{tx}" y="{y}" font-size="12" fill="#333333">{label}</text></g>"##,
            tip = escape_text(&tip),
            cx = x + 6.0,
            cy = y - 4.0,
            tx = x + 18.0,
            fill = escape_attr(&item.color.to_hex()),
            label = escape_text(&short_label(&item.path, 38)),
        );
        y += 20.0;
    }
    s.push_str("</g>\n");
}

/// `c` darkened, for outlines.
fn darker(c: Color) -> Color {
    Color(c.0.map(|v| (f32::from(v) * 0.6) as u8))
}

/// The thematic map of the project as a PNG image (twice the SVG's size, for sharp text).
pub fn map_png(read: impl ProjectRead) -> Result<Vec<u8>, ExportError> {
    svg_to_png(&map_svg(read)?, 2.0)
}

/// Renders an SVG document to PNG at `scale`, with the system's fonts and egui's bundled one
/// (so text shows on a machine without fonts).
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>, ExportError> {
    use resvg::{tiny_skia, usvg};
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        ExportError::Render(format!("could not draw the map as PNG ({what}: {e})"))
    };
    let mut options = usvg::Options::default();
    {
        let db = options.fontdb_mut();
        db.load_system_fonts();
        db.load_font_data(epaint_default_fonts::UBUNTU_LIGHT.to_vec());
        db.set_sans_serif_family("Ubuntu");
    }
    options.font_family = "Ubuntu".into();
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| fail("the SVG", &e))?;
    let size = tree.size().to_int_size().scale_by(scale).ok_or_else(|| {
        ExportError::Render("could not draw the map as PNG (it is too large)".into())
    })?;
    // A map too large for memory is refused rather than attempted.
    if u64::from(size.width()) * u64::from(size.height()) > 200_000_000 {
        return Err(ExportError::Render(
            "could not draw the map as PNG: it would be over 200 megapixels".into(),
        ));
    }
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| {
        ExportError::Render("could not draw the map as PNG (no memory for the image)".into())
    })?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| fail("encoding", &e))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::analysis::map_layout::{MapInput, map_layout};
    use crate::model::{Code, CodeId, CodeTree, Theme, ThemeId};
    use std::collections::HashMap;

    #[test]
    fn text_is_escaped_and_the_tray_listed() {
        let tree = CodeTree::new(vec![
            Code {
                id: CodeId(1),
                guid: "c1".into(),
                parent: None,
                name: "<Fish & chips>".into(),
                color: Color::palette(0),
                description: String::new(),
                sort_order: 0,
            },
            Code {
                id: CodeId(2),
                guid: "c2".into(),
                parent: None,
                name: "Loose \"end\"".into(),
                color: Color::palette(1),
                description: String::new(),
                sort_order: 1,
            },
        ]);
        let themes = vec![Theme {
            id: ThemeId(1),
            guid: "t1".into(),
            parent: None,
            name: "Us & them".into(),
            concept: String::new(),
            definition: String::new(),
            boundaries: String::new(),
            status: ThemeStatus::Final,
            color: Color::palette(2),
            sort_order: 0,
            created_at: String::new(),
            codes: vec![CodeId(1)],
        }];
        let layout = map_layout(&MapInput {
            themes: &themes,
            tree: &tree,
            positions: &HashMap::new(),
            theme_counts: &HashMap::new(),
            code_counts: &HashMap::new(),
        });
        let svg = layout_svg(&layout, "A <b> project");
        assert!(svg.contains("Us &amp; them"));
        assert!(svg.contains("&lt;Fish &amp; chips&gt;"));
        assert!(svg.contains("Not yet in a theme (1)"));
        assert!(svg.contains("Loose \"end\""));
        assert!(!svg.contains("<b>"));
    }
}
