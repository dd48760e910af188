//! The thematic map: themes and codes as nodes, links as edges, on a canvas that can be
//! panned, zoomed and exported. Dragging a node moves it (a theme takes its codes and
//! sub-themes along) and saves the positions as one step; dropping a code on a theme links it,
//! dropping a theme on another makes it a sub-theme. Codes no theme links yet wait in a tray
//! beside the canvas, from which they can be dragged onto a theme. The selected theme is
//! edited in a side panel.
//!
//! The layout comes from [`crate::analysis::map_layout`], the same the SVG export draws; it is
//! recomputed only when the project view changes, and the counts behind node sizes only when
//! themes, links or codings do, so a frame costs a walk over the nodes and edges.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use egui::accesskit;
use egui::{
    Align2, Color32, ComboBox, CornerRadius, FontId, Key, LayerId, Modal, Order, Pos2, Rect, Role,
    Sense, Stroke, TextEdit, Ui, Vec2, WidgetInfo, pos2, vec2,
};

use super::jobs::ExchangeExport;
use super::scope_bar::color32;
use super::view::{Command, ProjectView, Tab};
use crate::actions::{Action, ThemeAction};
use crate::analysis::ScopeFilter;
use crate::analysis::map_layout::{
    EdgeKind, MapInput, MapLayout, NodeCounts, NodeKind, label_lines, map_layout,
};
use crate::export::map_svg::status_style;
use crate::model::{CodeId, Color, Theme, ThemeId, ThemeStatus, theme_subtree};
use crate::store::Db;

/// The thematic map tab.
#[derive(Default)]
pub struct MapView {
    counts: Option<Counted>,
    cache: Option<Cache>,
    camera: Camera,
    /// The user panned, zoomed or moved a node: stop fitting the map to the canvas.
    user_moved: bool,
    selected: Option<ThemeId>,
    drag: Option<NodeDrag>,
    tray_drag: Option<CodeId>,
    dialog: Option<Dialog>,
    editor: Option<Editor>,
    export: Option<ExchangeExport>,
    /// A theme just asked for by name, selected once it exists.
    select_new: Option<String>,
    /// The canvas of the last frame (for drops from the tray, drawn before it).
    canvas: Option<Rect>,
}

/// Counts behind node sizes and tooltips, and what they were computed from.
struct Counted {
    signature: u64,
    themes: HashMap<ThemeId, NodeCounts>,
    codes: HashMap<CodeId, NodeCounts>,
}

/// The layout of one version of the project view.
struct Cache {
    version: u64,
    layout: MapLayout,
    /// Labels as drawn (wrapped).
    labels: Vec<Vec<String>>,
    /// Which nodes are themes holding sub-themes (drawn faint, as a container).
    containers: Vec<bool>,
    bounds: Rect,
}

#[derive(Clone, Copy)]
struct Camera {
    /// The map point at the canvas centre.
    center: Pos2,
    zoom: f32,
}

impl Default for Camera {
    fn default() -> Self {
        Self {
            center: Pos2::ZERO,
            zoom: 1.0,
        }
    }
}

impl Camera {
    fn to_screen(self, rect: Rect, p: (f32, f32)) -> Pos2 {
        rect.center() + (vec2(p.0, p.1) - self.center.to_vec2()) * self.zoom
    }

    fn to_map(self, rect: Rect, p: Pos2) -> (f32, f32) {
        let v = (p - rect.center()) / self.zoom + self.center.to_vec2();
        (v.x, v.y)
    }
}

/// A node being dragged, with the nodes that move along and where they started.
struct NodeDrag {
    node: usize,
    moved: Vec<usize>,
    origin: Vec<(f32, f32)>,
    press: (f32, f32),
}

enum Dialog {
    NewTheme {
        name: String,
        parent: Option<ThemeId>,
        focus: bool,
    },
    Delete(ThemeId),
}

/// The selected theme's texts being edited, committed when a field loses focus.
struct Editor {
    theme: ThemeId,
    name: String,
    concept: String,
    definition: String,
    boundaries: String,
}

impl Editor {
    fn of(t: &Theme) -> Self {
        Self {
            theme: t.id,
            name: t.name.clone(),
            concept: t.concept.clone(),
            definition: t.definition.clone(),
            boundaries: t.boundaries.clone(),
        }
    }

    /// The edits of fields that differ from `t`, as actions.
    fn changes(&self, t: &Theme, themes: &[Theme], out: &mut Vec<Command>) {
        let name = self.name.trim();
        if name != t.name {
            if name.is_empty() {
                out.push(Command::Error("A theme needs a name.".into()));
            } else if themes.iter().any(|o| o.id != t.id && o.name == name) {
                out.push(Command::Error(format!(
                    "Another theme is already named “{name}”; choose another name."
                )));
            } else {
                out.push(Command::Edit(Action::Theme(ThemeAction::Rename {
                    theme: t.id,
                    name: name.to_owned(),
                })));
            }
        }
        let changed = |a: &str, b: &str| (a.trim() != b.trim()).then(|| a.trim().to_owned());
        let concept = changed(&self.concept, &t.concept);
        let definition = changed(&self.definition, &t.definition);
        let boundaries = changed(&self.boundaries, &t.boundaries);
        if concept.is_some() || definition.is_some() || boundaries.is_some() {
            out.push(Command::Edit(Action::Theme(ThemeAction::Define {
                theme: t.id,
                concept,
                definition,
                boundaries,
            })));
        }
    }
}

/// What the counts depend on: the themes' links and nesting, and the codes' numbers.
fn signature(view: &ProjectView) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for t in &view.themes {
        (t.id, t.parent, &t.codes).hash(&mut h);
    }
    view.report.is_some().hash(&mut h);
    for c in view.report.iter().flat_map(|r| &r.codes) {
        (c.code, c.own.segments, c.own.documents, c.own.cases).hash(&mut h);
    }
    view.doc_codings.values().sum::<usize>().hash(&mut h);
    h.finish()
}

const TRAY_ROW: f32 = 22.0;

impl MapView {
    /// The export the toolbar asked for, once.
    pub fn take_export(&mut self) -> Option<ExchangeExport> {
        self.export.take()
    }

    /// Brings the layout (and, when they may have changed, the counts) up to `view`.
    fn refresh(&mut self, db: Db<'_>, view: &ProjectView, out: &mut Vec<Command>) {
        // A drag in progress keeps the layout it started on (its nodes are indexes into it);
        // the new one comes when it ends.
        if self
            .cache
            .as_ref()
            .is_some_and(|c| c.version == view.version || self.drag.is_some())
        {
            return;
        }
        let signature = signature(view);
        if self
            .counts
            .as_ref()
            .is_none_or(|c| c.signature != signature)
        {
            let themes =
                match crate::analysis::themes::theme_counts(db, &ScopeFilter::default(), false) {
                    Ok(r) => r
                        .themes
                        .iter()
                        .map(|t| (t.id, t.aggregate.into()))
                        .collect(),
                    Err(e) => {
                        out.push(Command::Error(format!("Could not count the themes: {e}")));
                        HashMap::new()
                    }
                };
            let codes = view
                .report
                .iter()
                .flat_map(|r| &r.codes)
                .map(|c| (c.code, c.own.into()))
                .collect();
            self.counts = Some(Counted {
                signature,
                themes,
                codes,
            });
        }
        let empty = Counted {
            signature,
            themes: HashMap::new(),
            codes: HashMap::new(),
        };
        let counts = self.counts.as_ref().unwrap_or(&empty);
        let layout = map_layout(&MapInput {
            themes: &view.themes,
            tree: &view.tree,
            positions: &view.map_positions,
            theme_counts: &counts.themes,
            code_counts: &counts.codes,
        });
        let labels = layout.nodes.iter().map(|n| label_lines(&n.label)).collect();
        let ((x0, y0), (x1, y1)) = layout.bounds();
        let containers = containers(&layout);
        self.cache = Some(Cache {
            version: view.version,
            layout,
            labels,
            containers,
            bounds: Rect::from_min_max(pos2(x0, y0), pos2(x1, y1)),
        });
        self.drag = None;
        if let Some(name) = &self.select_new
            && let Some(t) = view.themes.iter().find(|t| &t.name == name)
        {
            self.selected = Some(t.id);
            self.select_new = None;
        }
        if self
            .selected
            .is_some_and(|s| !view.themes.iter().any(|t| t.id == s))
        {
            self.selected = None;
        }
    }

    /// Draws the map.
    pub fn ui(&mut self, ui: &mut Ui, db: Db<'_>, view: &ProjectView, out: &mut Vec<Command>) {
        self.refresh(db, view, out);
        egui::Panel::top("map-toolbar").show(ui, |ui| self.toolbar_ui(ui, view));
        egui::Panel::left("map-tray")
            .resizable(true)
            .default_size(190.0)
            .min_size(120.0)
            .show(ui, |ui| self.tray_ui(ui, view, out));
        if let Some(theme) = self
            .selected
            .and_then(|s| view.themes.iter().find(|t| t.id == s))
        {
            egui::Panel::right("map-inspector")
                .resizable(true)
                .default_size(290.0)
                .min_size(220.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("map-inspector-scroll")
                        .show(ui, |ui| self.inspector_ui(ui, theme, view, out));
                });
        } else if let Some(ed) = self.editor.take()
            && let Some(t) = view.themes.iter().find(|t| t.id == ed.theme)
        {
            // Deselected while a field was being edited: keep what was typed.
            ed.changes(t, &view.themes, out);
        }
        self.canvas_ui(ui, view, out);
        self.dialog_ui(ui, view, out);
    }

    fn toolbar_ui(&mut self, ui: &mut Ui, view: &ProjectView) {
        ui.horizontal_wrapped(|ui| {
            if ui
                .button("New theme…")
                .on_hover_text("Add a candidate theme to the map")
                .clicked()
            {
                self.dialog = Some(Dialog::NewTheme {
                    name: String::new(),
                    parent: None,
                    focus: true,
                });
            }
            if ui
                .button("Fit")
                .on_hover_text("Show the whole map")
                .clicked()
            {
                self.user_moved = false;
            }
            ui.separator();
            let saved = view.path.is_some();
            let why = "Save the project to a file first";
            for (label, kind) in [
                ("Export SVG…", ExchangeExport::MapSvg),
                ("Export PNG…", ExchangeExport::MapPng),
            ] {
                let b = ui.add_enabled(saved, egui::Button::new(label));
                if b.on_disabled_hover_text(why).clicked() {
                    self.export = Some(kind);
                }
            }
            ui.separator();
            ui.weak("Drop a code on a theme to link it, a theme on a theme to nest it.");
        });
    }

    fn tray_ui(&mut self, ui: &mut Ui, view: &ProjectView, out: &mut Vec<Command>) {
        let Some(cache) = &self.cache else { return };
        let tray = &cache.layout.tray;
        ui.strong(format!("Not yet in a theme ({})", tray.len()));
        if tray.is_empty() {
            ui.weak(if view.tree.codes.is_empty() {
                "No codes yet."
            } else {
                "Every code is in a theme."
            });
            return;
        }
        ui.weak("Drag onto a theme to link.");
        ui.add_space(2.0);
        let mut started = None;
        let mut dropped = None;
        egui::ScrollArea::vertical()
            .id_salt("map-tray-scroll")
            .auto_shrink([false, false])
            .show_rows(ui, TRAY_ROW, tray.len(), |ui, range| {
                for item in &tray[range] {
                    let (rect, resp) = ui.allocate_exact_size(
                        vec2(ui.available_width(), TRAY_ROW),
                        Sense::click_and_drag(),
                    );
                    let label = item.path.as_str();
                    resp.widget_info(|| WidgetInfo::labeled(Role::Button, true, label));
                    if resp.hovered() || self.tray_drag == Some(item.code) {
                        ui.painter().rect_filled(
                            rect,
                            CornerRadius::same(3),
                            ui.visuals().widgets.hovered.weak_bg_fill,
                        );
                    }
                    let dot = pos2(rect.min.x + 8.0, rect.center().y);
                    ui.painter().circle_filled(dot, 5.0, color32(item.color));
                    ui.painter().with_clip_rect(rect).text(
                        pos2(rect.min.x + 18.0, rect.center().y),
                        Align2::LEFT_CENTER,
                        label,
                        FontId::proportional(13.0),
                        ui.visuals().text_color(),
                    );
                    if resp.drag_started() {
                        started = Some(item.code);
                    }
                    if resp.drag_stopped() {
                        dropped = Some((item.code, resp.interact_pointer_pos()));
                    }
                    if resp.double_clicked() {
                        out.push(Command::SelectCode(Some(item.code)));
                    }
                    resp.on_hover_text(format!(
                        "{}\n{} segments · {} documents · {} cases\nDrag onto a theme to link it.",
                        item.path, item.counts.segments, item.counts.documents, item.counts.cases
                    ));
                }
            });
        if started.is_some() {
            self.tray_drag = started;
        }
        if let Some((code, at)) = dropped {
            self.tray_drag = None;
            let at = at.or_else(|| ui.input(|i| i.pointer.latest_pos()));
            if let Some(canvas) = self.canvas
                && let Some(at) = at.filter(|p| canvas.contains(*p))
                && let Some(cache) = &self.cache
                && let Some(t) = cache.layout.node_at(self.camera.to_map(canvas, at), &[])
                && let NodeKind::Theme { id, .. } = cache.layout.nodes[t].kind
            {
                out.push(Command::Edit(Action::Theme(ThemeAction::Link {
                    theme: id,
                    codes: vec![code],
                })));
            }
        }
    }

    fn canvas_ui(&mut self, ui: &mut Ui, view: &ProjectView, out: &mut Vec<Command>) {
        let rect = ui.available_rect_before_wrap();
        self.canvas = Some(rect);
        let resp = ui.allocate_rect(rect, Sense::click_and_drag());
        let canvas_id = resp.id;
        let Some(cache) = &mut self.cache else { return };
        let visuals = ui.visuals().clone();
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, CornerRadius::ZERO, visuals.extreme_bg_color);
        if !self.user_moved && self.drag.is_none() {
            let b = cache.bounds;
            // Room at the bottom for the legend line.
            let zoom = ((rect.width() - 30.0) / b.width().max(1.0))
                .min((rect.height() - 60.0) / b.height().max(1.0))
                .clamp(0.15, 1.4);
            self.camera = Camera {
                center: b.center() + vec2(0.0, 12.0 / zoom),
                zoom,
            };
        }
        // Zoom about the pointer.
        if let Some(p) = resp.hover_pos() {
            let (scroll, pinch) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
            let factor = (scroll * 0.0015).exp() * pinch;
            if (factor - 1.0).abs() > 1e-4 {
                let before = self.camera.to_map(rect, p);
                self.camera.zoom = (self.camera.zoom * factor).clamp(0.1, 4.0);
                let after = self.camera.to_map(rect, p);
                self.camera.center += vec2(before.0 - after.0, before.1 - after.1);
                self.user_moved = true;
            }
        }
        let cam = self.camera;
        let pointer = ui.input(|i| i.pointer.interact_pos());
        let layout = &mut cache.layout;
        // Dragging: a node (with what moves along) or the whole map.
        if resp.drag_started() {
            let press = ui
                .input(|i| i.pointer.press_origin())
                .or(pointer)
                .map(|p| cam.to_map(rect, p));
            if let Some(press) = press
                && let Some(i) = layout.node_at(press, &[])
            {
                let moved = layout.cluster(i);
                let origin = moved.iter().map(|&m| layout.nodes[m].pos).collect();
                self.drag = Some(NodeDrag {
                    node: i,
                    moved,
                    origin,
                    press,
                });
            }
        }
        if resp.dragged() {
            match (&self.drag, pointer) {
                (Some(d), Some(p)) => {
                    let now = cam.to_map(rect, p);
                    let (dx, dy) = (now.0 - d.press.0, now.1 - d.press.1);
                    for (&m, &(x, y)) in d.moved.iter().zip(&d.origin) {
                        layout.nodes[m].pos = (x + dx, y + dy);
                    }
                }
                (Some(_), None) => {}
                (None, _) => {
                    let d = resp.drag_delta() / cam.zoom;
                    self.camera.center -= d;
                    self.user_moved = true;
                }
            }
        }
        let hover_map = pointer
            .filter(|p| rect.contains(*p))
            .map(|p| cam.to_map(rect, p));
        let skip: &[usize] = self.drag.as_ref().map_or(&[], |d| d.moved.as_slice());
        let under = hover_map.and_then(|p| layout.node_at(p, skip));
        // What a drop here would do: link a code, nest a theme.
        let dragged_code = match &self.drag {
            Some(d) => match layout.nodes[d.node].kind {
                NodeKind::Code { id } => Some(id),
                NodeKind::Theme { .. } => None,
            },
            None => self.tray_drag,
        };
        let target = under.filter(|&t| {
            layout.nodes[t].is_theme() && (dragged_code.is_some() || self.drag.is_some())
        });
        if resp.drag_stopped()
            && let Some(d) = self.drag.take()
        {
            let node = &layout.nodes[d.node];
            let moved_far = pointer.is_some_and(|p| {
                let now = cam.to_map(rect, p);
                ((now.0 - d.press.0).powi(2) + (now.1 - d.press.1).powi(2)).sqrt() * cam.zoom > 3.0
            });
            let restore = |layout: &mut MapLayout| {
                for (&m, &o) in d.moved.iter().zip(&d.origin) {
                    layout.nodes[m].pos = o;
                }
            };
            match (node.kind, target.map(|t| layout.nodes[t].kind)) {
                (NodeKind::Code { id: code }, Some(NodeKind::Theme { id: theme, .. })) => {
                    restore(layout);
                    let linked = view
                        .themes
                        .iter()
                        .any(|t| t.id == theme && t.codes.contains(&code));
                    if linked {
                        out.push(Command::Notice(
                            "That code is already in this theme.".into(),
                        ));
                    } else {
                        out.push(Command::Edit(Action::Theme(ThemeAction::Link {
                            theme,
                            codes: vec![code],
                        })));
                    }
                }
                (NodeKind::Theme { id: theme, .. }, Some(NodeKind::Theme { id: parent, .. })) => {
                    restore(layout);
                    let current = view
                        .themes
                        .iter()
                        .find(|t| t.id == theme)
                        .and_then(|t| t.parent);
                    if theme_subtree(&view.themes, theme).contains(&parent) {
                        out.push(Command::Error(
                            "A theme cannot become a sub-theme of its own sub-theme.".into(),
                        ));
                    } else if current != Some(parent) {
                        out.push(Command::Edit(Action::Theme(ThemeAction::Nest {
                            theme,
                            parent: Some(parent),
                        })));
                    }
                }
                _ if moved_far => {
                    self.user_moved = true;
                    let places = d
                        .moved
                        .iter()
                        .map(|&m| {
                            let n = &layout.nodes[m];
                            (n.guid.clone(), n.pos.0.round(), n.pos.1.round())
                        })
                        .collect();
                    out.push(Command::Edit(Action::Theme(ThemeAction::Place(places))));
                }
                _ => restore(layout),
            }
        }
        if resp.clicked() {
            match under.map(|i| layout.nodes[i].kind) {
                Some(NodeKind::Theme { id, .. }) => self.selected = Some(id),
                Some(NodeKind::Code { id }) => out.push(Command::SelectCode(Some(id))),
                None => self.selected = None,
            }
        }
        if resp.double_clicked()
            && let Some(NodeKind::Code { id }) = under.map(|i| layout.nodes[i].kind)
        {
            out.push(Command::SelectCode(Some(id)));
            out.push(Command::ShowTab(Tab::Segments));
        }

        // Edges, then nodes, then labels (so labels are never hidden under a circle).
        let clip = rect.expand(40.0);
        let link_stroke = Stroke::new(1.3, visuals.weak_text_color());
        for e in &layout.edges {
            let (a, b) = (&layout.nodes[e.from], &layout.nodes[e.to]);
            let (pa, pb) = (cam.to_screen(rect, a.pos), cam.to_screen(rect, b.pos));
            if !clip.intersects(Rect::from_two_pos(pa, pb)) {
                continue;
            }
            // From rim to rim; a sub-theme inside its parent is joined by no line.
            let along = (pb - pa).normalized();
            let (pa, pb) = (
                pa + along * a.radius * cam.zoom,
                pb - along * b.radius * cam.zoom,
            );
            if (pb - pa).dot(along) <= 0.0 {
                continue;
            }
            // A discarded theme's links stay visible but recede: it is history, not the map.
            let discarded = matches!(
                a.kind,
                NodeKind::Theme {
                    status: ThemeStatus::Discarded,
                    ..
                }
            );
            let stroke = match e.kind {
                EdgeKind::Link if discarded => {
                    Stroke::new(1.0, visuals.weak_text_color().gamma_multiply(0.3))
                }
                EdgeKind::Link => link_stroke,
                EdgeKind::SubTheme => Stroke::new(
                    (4.0 * cam.zoom).clamp(1.5, 6.0),
                    color32(a.color).gamma_multiply(0.7),
                ),
            };
            painter.line_segment([pa, pb], stroke);
        }
        let selected_node = self.selected.and_then(|s| {
            layout
                .nodes
                .iter()
                .position(|n| matches!(n.kind, NodeKind::Theme { id, .. } if id == s))
        });
        let bg = visuals.extreme_bg_color;
        for (i, n) in layout.nodes.iter().enumerate() {
            let c = cam.to_screen(rect, n.pos);
            let r = n.radius * cam.zoom;
            if !rect.expand(r + 40.0).contains(c) {
                continue;
            }
            let fill = color32(n.color);
            match n.kind {
                NodeKind::Theme { status, .. } => {
                    let (w, dash, opacity) = status_style(status);
                    let outline = Stroke::new(
                        (w * cam.zoom.sqrt()).max(1.0),
                        darker(fill, visuals.dark_mode),
                    );
                    let opacity = if cache.containers[i] {
                        opacity * 0.3
                    } else {
                        opacity
                    };
                    painter.circle_filled(c, r, fill.gamma_multiply(opacity));
                    if dash.is_some() {
                        // Dashes as short arcs (a chord each): no path to build.
                        let (on, off) = if status == ThemeStatus::Discarded {
                            (2.0, 3.0)
                        } else {
                            (6.0, 4.0)
                        };
                        let steps = ((std::f32::consts::TAU * r) / (on + off)).clamp(8.0, 90.0);
                        let per = std::f32::consts::TAU / steps.floor();
                        let along = per * on / (on + off);
                        let mut a = 0.0f32;
                        while a < std::f32::consts::TAU - 1e-3 {
                            let p = c + vec2(a.cos(), a.sin()) * r;
                            let q = c + vec2((a + along).cos(), (a + along).sin()) * r;
                            painter.line_segment([p, q], outline);
                            a += per;
                        }
                    } else {
                        painter.circle_stroke(c, r, outline);
                    }
                }
                NodeKind::Code { .. } => {
                    painter.circle(c, r.max(2.5), fill, Stroke::new(1.5, bg));
                }
            }
            if Some(i) == selected_node {
                painter.circle_stroke(c, r + 4.0, Stroke::new(2.5, visuals.selection.stroke.color));
            } else if Some(i) == under && self.drag.is_none() && self.tray_drag.is_none() {
                painter.circle_stroke(c, r + 3.0, Stroke::new(1.5, visuals.strong_text_color()));
            }
            if Some(i) == target {
                painter.circle_stroke(c, r + 6.0, Stroke::new(3.0, visuals.selection.stroke.color));
            }
            // For screen readers (and tests): each node as a button, named by what it is.
            let bounds = Rect::from_center_size(c, Vec2::splat(2.0 * r.max(4.0)));
            ui.ctx()
                .accesskit_node_builder(canvas_id.with(("node", i)), |b| {
                    b.set_role(accesskit::Role::Button);
                    b.set_label(if n.is_theme() {
                        format!("Theme “{}”", n.full_name)
                    } else {
                        format!("Code “{}”", n.full_name)
                    });
                    b.set_bounds(accesskit::Rect {
                        x0: bounds.min.x.into(),
                        y0: bounds.min.y.into(),
                        x1: bounds.max.x.into(),
                        y1: bounds.max.y.into(),
                    });
                });
        }
        // Labels: skipped when zoomed too far out to read them.
        let theme_size = 14.0 * cam.zoom.clamp(0.85, 1.3);
        let code_size = 12.5 * cam.zoom.clamp(0.8, 1.3);
        let label_bg = bg.gamma_multiply(0.85);
        for (i, n) in layout.nodes.iter().enumerate() {
            if cam.zoom < 0.25 && !n.is_theme() {
                continue;
            }
            let c = cam.to_screen(rect, n.pos);
            if !rect.expand(n.radius * cam.zoom + 120.0).contains(c) {
                continue;
            }
            let (font, color) = if n.is_theme() {
                (
                    FontId::proportional(theme_size),
                    visuals.strong_text_color(),
                )
            } else {
                (FontId::proportional(code_size), visuals.text_color())
            };
            let mut y = c.y + n.radius * cam.zoom + 3.0;
            for line in &cache.labels[i] {
                let galley = painter.layout_no_wrap(line.clone(), font.clone(), color);
                let top = pos2(c.x - galley.size().x / 2.0, y);
                let r = Rect::from_min_size(top, galley.size()).expand2(vec2(3.0, 0.0));
                painter.rect_filled(r, CornerRadius::same(3), label_bg);
                y += galley.size().y;
                painter.galley(top, galley, color);
            }
        }
        if layout.nodes.is_empty() {
            painter.text(
                rect.center(),
                Align2::CENTER_CENTER,
                "No themes yet. Create one with “New theme…”, then drag codes onto it from the tray.",
                FontId::proportional(15.0),
                visuals.weak_text_color(),
            );
        }
        painter.text(
            rect.left_bottom() + vec2(8.0, -6.0),
            Align2::LEFT_BOTTOM,
            "Dashed: candidate · solid: reviewed · thick: final · faded: discarded · size: cases · \
             scroll to zoom, drag the background to pan",
            FontId::proportional(12.0),
            visuals.weak_text_color(),
        );
        // The tooltip of the node under the pointer.
        if self.drag.is_none()
            && self.tray_drag.is_none()
            && let Some(i) = under
        {
            let n = &layout.nodes[i];
            let kind = if n.is_theme() {
                "Theme (with its sub-themes)"
            } else {
                "Code"
            };
            let (name, counts) = (n.full_name.clone(), n.counts);
            resp.on_hover_ui_at_pointer(|ui| {
                ui.strong(name);
                ui.weak(kind);
                ui.label(format!(
                    "{} segments · {} documents · {} cases",
                    counts.segments, counts.documents, counts.cases
                ));
            });
        }
        // A code dragged from the tray follows the pointer.
        let drag_layer = LayerId::new(Order::Tooltip, canvas_id.with("tray-drag"));
        if let (Some(code), Some(p)) = (self.tray_drag, ui.input(|i| i.pointer.latest_pos())) {
            if !ui.input(|i| i.pointer.any_down()) {
                self.tray_drag = None;
            } else if let Some(c) = view.tree.get(code) {
                let layer = ui.ctx().layer_painter(drag_layer);
                layer.circle_filled(p, 7.0, color32(c.color));
                layer.text(
                    p + vec2(12.0, 0.0),
                    Align2::LEFT_CENTER,
                    &c.name,
                    FontId::proportional(13.0),
                    visuals.strong_text_color(),
                );
            }
        }
    }

    fn inspector_ui(&mut self, ui: &mut Ui, t: &Theme, view: &ProjectView, out: &mut Vec<Command>) {
        if self.editor.as_ref().is_none_or(|e| e.theme != t.id) {
            if let Some(old) = self.editor.take()
                && let Some(o) = view.themes.iter().find(|x| x.id == old.theme)
            {
                old.changes(o, &view.themes, out);
            }
            self.editor = Some(Editor::of(t));
        }
        let Some(ed) = self.editor.as_mut() else {
            return;
        };
        ui.heading("Theme");
        ui.add_space(4.0);
        // Each field commits on Enter or when it loses focus; while not being edited it shows
        // what the project holds (after an undo, say).
        let mut commit = false;
        let mut field = |ui: &mut Ui, label: &str, text: &mut String, stored: &str, multi: bool| {
            ui.label(label);
            let edit = if multi {
                TextEdit::multiline(text).desired_rows(3)
            } else {
                TextEdit::singleline(text)
            };
            let r = ui.add(edit.desired_width(f32::INFINITY));
            if r.lost_focus() {
                commit = true;
            } else if !r.has_focus() && text != stored {
                *text = stored.to_owned();
            }
            ui.add_space(4.0);
        };
        field(ui, "Name", &mut ed.name, &t.name, false);
        if t.name_is_single_word() {
            ui.weak("A one-word name is often a topic, not a theme: say what it claims.");
        }
        field(
            ui,
            "Central organising concept",
            &mut ed.concept,
            &t.concept,
            false,
        );
        field(ui, "Definition", &mut ed.definition, &t.definition, true);
        field(
            ui,
            "Boundaries (what it is not)",
            &mut ed.boundaries,
            &t.boundaries,
            true,
        );
        if commit {
            ed.changes(t, &view.themes, out);
        }
        ui.horizontal(|ui| {
            ui.label("Status");
            let mut status = t.status;
            ComboBox::from_id_salt("map-theme-status")
                .selected_text(status.label())
                .show_ui(ui, |ui| {
                    for s in ThemeStatus::ALL {
                        ui.selectable_value(&mut status, s, s.label());
                    }
                });
            if status != t.status {
                out.push(Command::Edit(Action::Theme(ThemeAction::Status {
                    theme: t.id,
                    status,
                })));
            }
        });
        ui.add_space(4.0);
        ui.label("Colour");
        ui.horizontal_wrapped(|ui| {
            for k in 0..12 {
                let c = Color::palette(k);
                let (r, resp) = ui.allocate_exact_size(vec2(20.0, 20.0), Sense::click());
                let hex = c.to_hex();
                resp.widget_info(|| WidgetInfo::labeled(Role::Button, true, &hex));
                ui.painter()
                    .rect_filled(r, CornerRadius::same(4), color32(c));
                if c == t.color {
                    ui.painter().rect_stroke(
                        r,
                        CornerRadius::same(4),
                        Stroke::new(2.0, ui.visuals().strong_text_color()),
                        egui::StrokeKind::Outside,
                    );
                }
                if resp.on_hover_text(hex.as_str()).clicked() && c != t.color {
                    out.push(Command::Edit(Action::Theme(ThemeAction::Recolor {
                        theme: t.id,
                        color: c,
                    })));
                }
            }
        });
        ui.add_space(6.0);
        if let Some(n) = self
            .cache
            .as_ref()
            .and_then(|c| c.layout.theme_node(t.id).map(|i| c.layout.nodes[i].counts))
        {
            ui.weak(format!(
                "{} segments · {} documents · {} cases (with sub-themes)",
                n.segments, n.documents, n.cases
            ));
        }
        ui.separator();
        if let Some(p) = t
            .parent
            .and_then(|p| view.themes.iter().find(|x| x.id == p))
        {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("Sub-theme of “{}”", p.name));
                if ui.small_button("Make top-level").clicked() {
                    out.push(Command::Edit(Action::Theme(ThemeAction::Nest {
                        theme: t.id,
                        parent: None,
                    })));
                }
            });
        }
        ui.strong(format!("Codes ({})", t.codes.len()));
        if t.codes.is_empty() {
            ui.weak("Drag codes onto the theme to link them.");
        }
        for &c in &t.codes {
            let Some(code) = view.tree.get(c) else {
                continue;
            };
            ui.horizontal(|ui| {
                let (r, _) = ui.allocate_exact_size(vec2(10.0, 10.0), Sense::hover());
                ui.painter()
                    .circle_filled(r.center(), 5.0, color32(code.color));
                if ui
                    .link(view.tree.path(c))
                    .on_hover_text("Select it in the codebook")
                    .clicked()
                {
                    out.push(Command::SelectCode(Some(c)));
                }
                if ui
                    .small_button("Unlink")
                    .on_hover_text("Take the code out of this theme (its codings stay)")
                    .clicked()
                {
                    out.push(Command::Edit(Action::Theme(ThemeAction::Unlink {
                        theme: t.id,
                        codes: vec![c],
                    })));
                }
            });
        }
        ui.add_space(4.0);
        let subs: Vec<&Theme> = view
            .themes
            .iter()
            .filter(|s| s.parent == Some(t.id))
            .collect();
        ui.strong(format!("Sub-themes ({})", subs.len()));
        for s in subs {
            if ui.link(&s.name).clicked() {
                self.selected = Some(s.id);
            }
        }
        if ui.button("New sub-theme…").clicked() {
            self.dialog = Some(Dialog::NewTheme {
                name: String::new(),
                parent: Some(t.id),
                focus: true,
            });
        }
        ui.separator();
        if ui.button("Delete theme…").clicked() {
            self.dialog = Some(Dialog::Delete(t.id));
        }
    }

    fn dialog_ui(&mut self, ui: &mut Ui, view: &ProjectView, out: &mut Vec<Command>) {
        let Some(dialog) = self.dialog.as_mut() else {
            return;
        };
        let mut close = false;
        let modal = Modal::new(ui.scope_id().with("map-dialog")).show(ui.ctx(), |ui| {
            ui.set_max_width(420.0);
            match dialog {
                Dialog::NewTheme {
                    name,
                    parent,
                    focus,
                } => {
                    let parent_name = parent
                        .and_then(|p| view.themes.iter().find(|t| t.id == p))
                        .map(|t| t.name.as_str());
                    ui.heading(match parent_name {
                        Some(p) => format!("New sub-theme of “{p}”"),
                        None => "New theme".to_owned(),
                    });
                    ui.weak(
                        "Name it by what it claims (“Trust has to be earned twice”), not by topic.",
                    );
                    let r = ui.add(
                        TextEdit::singleline(name)
                            .hint_text("Theme name")
                            .desired_width(f32::INFINITY),
                    );
                    let r = r.accessible_name("Theme name");
                    if *focus {
                        r.request_focus();
                        *focus = false;
                    }
                    let enter = r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                    ui.horizontal(|ui| {
                        let add = ui.button("Add theme").clicked() || enter;
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                        if add {
                            let n = name.trim();
                            if n.is_empty() {
                                out.push(Command::Error("A theme needs a name.".into()));
                            } else if view.themes.iter().any(|t| t.name == n) {
                                out.push(Command::Error(format!(
                                    "A theme is already named “{n}”; choose another name."
                                )));
                            } else {
                                out.push(Command::Edit(Action::Theme(ThemeAction::Add {
                                    name: n.to_owned(),
                                    parent: *parent,
                                    concept: String::new(),
                                    definition: String::new(),
                                    color: None,
                                })));
                                self.select_new = Some(n.to_owned());
                                close = true;
                            }
                        }
                    });
                }
                Dialog::Delete(theme) => {
                    let Some(t) = view.themes.iter().find(|t| t.id == *theme) else {
                        close = true;
                        return;
                    };
                    ui.heading(format!("Delete “{}”?", t.name));
                    ui.label(
                        "Its codes and their codings stay; its sub-themes move up a level. \
                         Undo brings it back.",
                    );
                    ui.horizontal(|ui| {
                        if ui.button("Delete theme").clicked() {
                            out.push(Command::Edit(Action::Theme(ThemeAction::Delete(t.id))));
                            close = true;
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                }
            }
        });
        if close || modal.should_close() {
            self.dialog = None;
        }
    }
}

/// For each node, whether it is a theme holding sub-themes.
fn containers(layout: &MapLayout) -> Vec<bool> {
    let mut out = vec![false; layout.nodes.len()];
    for e in &layout.edges {
        if e.kind == EdgeKind::SubTheme {
            out[e.from] = true;
        }
    }
    out
}

/// An outline colour for a fill: darker in light mode, lighter in dark mode.
fn darker(c: Color32, dark_mode: bool) -> Color32 {
    let f = |v: u8| {
        if dark_mode {
            v.saturating_add(((255 - u16::from(v)) / 2) as u8)
        } else {
            (f32::from(v) * 0.6) as u8
        }
    };
    Color32::from_rgb(f(c.r()), f(c.g()), f(c.b()))
}
