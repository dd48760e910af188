//! Where everything sits on the thematic map: themes and the codes linked to them as nodes
//! (sized by the number of cases), links and sub-themes as edges, and the codes no theme links
//! yet set apart in a tray. Saved positions win; every other node gets a deterministic place
//! near the theme it belongs to. The app's canvas and the SVG export both draw this layout, so
//! they look the same.

use std::collections::{HashMap, HashSet};

use crate::model::{
    CodeId, CodeTree, Color, ProjectRead, Theme, ThemeId, ThemeStatus, theme_order,
};

use super::Result;
use super::scope::ScopeFilter;

/// The numbers a node shows: in its size (cases) and its tooltip.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NodeCounts {
    /// Codings (for a theme: the union of its codes' codings).
    pub segments: usize,
    /// Documents with at least one.
    pub documents: usize,
    /// Cases (participants) they belong to.
    pub cases: usize,
}

impl From<super::Counts> for NodeCounts {
    fn from(c: super::Counts) -> Self {
        Self {
            segments: c.segments,
            documents: c.documents,
            cases: c.cases,
        }
    }
}

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A theme.
    Theme {
        /// The theme.
        id: ThemeId,
        /// Where it stands.
        status: ThemeStatus,
        /// Its parent theme's node, when it is a sub-theme.
        parent: Option<usize>,
    },
    /// A code linked to at least one theme.
    Code {
        /// The code.
        id: CodeId,
    },
}

/// One node of the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapNode {
    /// Theme or code.
    pub kind: NodeKind,
    /// GUID: the key of its saved position.
    pub guid: String,
    /// What it is called on the map (a code's own name, a theme's name).
    pub label: String,
    /// A code's `Parent/Child` path, a theme's name: for tooltips.
    pub full_name: String,
    /// Centre, in map units (pixels at zoom 1).
    pub pos: (f32, f32),
    /// Radius, in map units: grows with the number of cases.
    pub radius: f32,
    /// Fill colour.
    pub color: Color,
    /// Its numbers.
    pub counts: NodeCounts,
    /// Whether its position was saved (else it is a default place).
    pub placed: bool,
}

impl MapNode {
    /// Whether it is a theme.
    pub fn is_theme(&self) -> bool {
        matches!(self.kind, NodeKind::Theme { .. })
    }
}

/// What an edge joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// A theme (`from`) and a code linked to it (`to`).
    Link,
    /// A parent theme (`from`) and its sub-theme (`to`).
    SubTheme,
}

/// One edge, between two nodes by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapEdge {
    /// The theme end.
    pub from: usize,
    /// The code or sub-theme end.
    pub to: usize,
    /// Link or sub-theme.
    pub kind: EdgeKind,
}

/// A code no theme links yet, listed in the tray.
#[derive(Debug, Clone, PartialEq)]
pub struct TrayItem {
    /// The code.
    pub code: CodeId,
    /// Its `Parent/Child` path.
    pub path: String,
    /// Its colour.
    pub color: Color,
    /// Its numbers.
    pub counts: NodeCounts,
}

/// The whole map: nodes (themes first, in display order, then codes), edges and the tray.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapLayout {
    /// Themes, then the codes linked to them.
    pub nodes: Vec<MapNode>,
    /// Links and sub-theme edges.
    pub edges: Vec<MapEdge>,
    /// Codes linked to no theme, in codebook order.
    pub tray: Vec<TrayItem>,
}

/// What the layout is computed from.
pub struct MapInput<'a> {
    /// Every theme.
    pub themes: &'a [Theme],
    /// The codebook.
    pub tree: &'a CodeTree,
    /// Saved positions, by node GUID.
    pub positions: &'a HashMap<String, (f32, f32)>,
    /// Each theme's numbers (with its sub-themes).
    pub theme_counts: &'a HashMap<ThemeId, NodeCounts>,
    /// Each code's own numbers.
    pub code_counts: &'a HashMap<CodeId, NodeCounts>,
}

/// Radius of a theme with `cases` cases.
pub fn theme_radius(cases: usize) -> f32 {
    (16.0 + 7.0 * (cases as f32).sqrt()).min(52.0)
}

/// Radius of a code with `cases` cases.
pub fn code_radius(cases: usize) -> f32 {
    (5.0 + 3.0 * (cases as f32).sqrt()).min(22.0)
}

/// Gap between two codes on a ring, in map units: room for a label.
const CODE_SPACING: f32 = 120.0;
/// The same when codes alternate between two radii (more than six round a theme): neighbours
/// on the same radius are two steps apart.
const CODE_SPACING_ALTERNATE: f32 = 72.0;
/// Gap around a cluster.
const CLUSTER_MARGIN: f32 = 90.0;
/// Where the ring round a theme starts (radians, clockwise from the right, y down): past the
/// sector below the theme that its label takes.
const SWEEP_START: f32 = std::f32::consts::FRAC_PI_2 + 1.0;
/// How much of the ring codes and sub-themes use.
const SWEEP: f32 = std::f32::consts::TAU - 2.0;
/// The smallest ring of codes round a theme.
const RING_MIN: f32 = 80.0;

/// The map of `input`.
pub fn map_layout(input: &MapInput<'_>) -> MapLayout {
    let MapInput {
        themes,
        tree,
        positions,
        theme_counts,
        code_counts,
    } = *input;
    let order = theme_order(themes);
    let mut nodes: Vec<MapNode> = Vec::with_capacity(themes.len() + tree.codes.len());
    let mut theme_node: HashMap<ThemeId, usize> = HashMap::with_capacity(themes.len());
    for (_, t) in &order {
        theme_node.insert(t.id, nodes.len());
        let counts = theme_counts.get(&t.id).copied().unwrap_or_default();
        nodes.push(MapNode {
            kind: NodeKind::Theme {
                id: t.id,
                status: t.status,
                parent: None,
            },
            guid: t.guid.clone(),
            label: t.name.clone(),
            full_name: t.name.clone(),
            pos: (0.0, 0.0),
            radius: theme_radius(counts.cases),
            color: t.color,
            counts,
            placed: false,
        });
    }
    for (_, t) in &order {
        if let (Some(p), Some(&i)) = (t.parent, theme_node.get(&t.id))
            && let NodeKind::Theme { parent, .. } = &mut nodes[i].kind
        {
            *parent = theme_node.get(&p).copied();
        }
    }
    // Codes: each placed with the first theme (in display order) that links it.
    let mut code_node: HashMap<CodeId, usize> = HashMap::new();
    let mut owned: Vec<Vec<usize>> = vec![Vec::new(); order.len()];
    let mut edges = Vec::new();
    for (ti, (_, t)) in order.iter().enumerate() {
        let mut seen = HashSet::new();
        for &c in &t.codes {
            let Some(code) = tree.get(c) else { continue };
            if !seen.insert(c) {
                continue;
            }
            let ci = *code_node.entry(c).or_insert_with(|| {
                let counts = code_counts.get(&c).copied().unwrap_or_default();
                nodes.push(MapNode {
                    kind: NodeKind::Code { id: c },
                    guid: code.guid.clone(),
                    label: code.name.clone(),
                    full_name: tree.path(c),
                    pos: (0.0, 0.0),
                    radius: code_radius(counts.cases),
                    color: code.color,
                    counts,
                    placed: false,
                });
                owned[ti].push(nodes.len() - 1);
                nodes.len() - 1
            });
            edges.push(MapEdge {
                from: ti,
                to: ci,
                kind: EdgeKind::Link,
            });
        }
    }
    // Sub-theme edges, and the sub-themes of each theme in display order.
    let mut subs: Vec<Vec<usize>> = vec![Vec::new(); order.len()];
    for (ti, n) in nodes.iter().enumerate().take(order.len()) {
        if let NodeKind::Theme {
            parent: Some(p), ..
        } = n.kind
        {
            edges.push(MapEdge {
                from: p,
                to: ti,
                kind: EdgeKind::SubTheme,
            });
            subs[p].push(ti);
        }
    }
    // A theme with sub-themes holds them inside its circle, on an inner ring: its radius grows
    // to fit them (sub-themes come after their parent, so walk backwards).
    let mut inner = vec![0.0f32; order.len()];
    for ti in (0..order.len()).rev() {
        let m = subs[ti].len();
        if m == 0 {
            continue;
        }
        let rs = subs[ti]
            .iter()
            .map(|&s| nodes[s].radius)
            .fold(0.0f32, f32::max);
        inner[ti] = if m == 1 {
            0.0
        } else {
            (rs + 34.0) / (std::f32::consts::PI / m as f32).sin()
        };
        nodes[ti].radius = nodes[ti].radius.max(inner[ti] + rs + 50.0);
    }
    // Each code goes round the top-level theme above the theme it is placed with.
    let top_of = |mut ti: usize| {
        for _ in 0..order.len() {
            match nodes[ti].kind {
                NodeKind::Theme {
                    parent: Some(p), ..
                } => ti = p,
                _ => break,
            }
        }
        ti
    };
    let mut ringed: Vec<Vec<usize>> = vec![Vec::new(); order.len()];
    for (ti, codes) in owned.iter().enumerate() {
        ringed[top_of(ti)].extend_from_slice(codes);
    }
    let tops: Vec<usize> = (0..order.len())
        .filter(|&ti| matches!(nodes[ti].kind, NodeKind::Theme { parent: None, .. }))
        .collect();
    let ring: Vec<f32> = (0..order.len())
        .map(|ti| {
            let n = ringed[ti].len();
            let spacing = if n > 6 {
                CODE_SPACING_ALTERNATE
            } else {
                CODE_SPACING
            };
            (n as f32 * spacing / SWEEP)
                .max(RING_MIN)
                .max(nodes[ti].radius + 62.0)
        })
        .collect();
    let reach = |ti: usize| ring[ti] + if ringed[ti].len() > 6 { 34.0 } else { 0.0 } + 45.0;
    // Top-level themes on a grid, row by row, a little taller than wide (as the app's canvas
    // is); each column as wide and each row as tall as its largest cluster.
    let cols = (tops.len() as f32).sqrt().round().max(1.0) as usize;
    let rows = tops.len().div_ceil(cols);
    let mut col_w = vec![0.0f32; cols];
    let mut row_h = vec![0.0f32; rows];
    for (k, &ti) in tops.iter().enumerate() {
        let size = 2.0 * reach(ti) + CLUSTER_MARGIN;
        col_w[k % cols] = col_w[k % cols].max(size);
        row_h[k / cols] = row_h[k / cols].max(size);
    }
    let offset = |sizes: &[f32], i: usize| sizes[..i].iter().sum::<f32>() + sizes[i] / 2.0;
    for (k, &ti) in tops.iter().enumerate() {
        let default = (offset(&col_w, k % cols), offset(&row_h, k / cols));
        place(&mut nodes, ti, default, positions);
    }
    // Then, parents first: sub-themes inside their parent, codes round the top-level theme,
    // leaving the sector straight below free for its label.
    for ti in 0..order.len() {
        let centre = nodes[ti].pos;
        let m = subs[ti].len();
        for (k, &si) in subs[ti].iter().enumerate() {
            let default = if m == 1 {
                (centre.0, centre.1 - 18.0)
            } else {
                let a = std::f32::consts::TAU * k as f32 / m as f32 - std::f32::consts::FRAC_PI_2;
                (
                    centre.0 + inner[ti] * a.cos(),
                    centre.1 - 18.0 + inner[ti] * a.sin(),
                )
            };
            place(&mut nodes, si, default, positions);
        }
        let n = ringed[ti].len();
        for (k, &ci) in ringed[ti].iter().enumerate() {
            let a = SWEEP_START + SWEEP * (k as f32 + 0.5) / n as f32;
            // Alternate two radii, so neighbouring labels do not run into each other.
            let d = if n > 6 && k % 2 == 1 {
                ring[ti] + 34.0
            } else {
                ring[ti]
            };
            let default = (centre.0 + d * a.cos(), centre.1 + d * a.sin());
            place(&mut nodes, ci, default, positions);
        }
    }
    let tray = tree
        .codes
        .iter()
        .filter(|c| !code_node.contains_key(&c.id))
        .map(|c| TrayItem {
            code: c.id,
            path: tree.path(c.id),
            color: c.color,
            counts: code_counts.get(&c.id).copied().unwrap_or_default(),
        })
        .collect();
    MapLayout { nodes, edges, tray }
}

/// Puts node `i` at its saved position, or else at `default`.
fn place(
    nodes: &mut [MapNode],
    i: usize,
    default: (f32, f32),
    positions: &HashMap<String, (f32, f32)>,
) {
    let n = &mut nodes[i];
    match positions.get(&n.guid) {
        Some(&(x, y)) if x.is_finite() && y.is_finite() => {
            n.pos = (x, y);
            n.placed = true;
        }
        _ => n.pos = default,
    }
}

impl MapLayout {
    /// The smallest box holding every node with its label: `(min, max)` corners.
    pub fn bounds(&self) -> ((f32, f32), (f32, f32)) {
        if self.nodes.is_empty() {
            return ((0.0, 0.0), (400.0, 300.0));
        }
        let mut lo = (f32::INFINITY, f32::INFINITY);
        let mut hi = (f32::NEG_INFINITY, f32::NEG_INFINITY);
        for n in &self.nodes {
            // Labels sit under the node and may be wider than it.
            let half = n.radius.max(label_half_width(&n.label, n.is_theme()));
            lo.0 = lo.0.min(n.pos.0 - half);
            lo.1 = lo.1.min(n.pos.1 - n.radius);
            hi.0 = hi.0.max(n.pos.0 + half);
            hi.1 =
                hi.1.max(n.pos.1 + n.radius + 6.0 + 17.0 * label_lines(&n.label).len() as f32);
        }
        (lo, hi)
    }

    /// The topmost node whose circle holds `p` (codes are drawn over themes), skipping the
    /// nodes in `skip`.
    pub fn node_at(&self, p: (f32, f32), skip: &[usize]) -> Option<usize> {
        let hit = |i: &usize| {
            let n = &self.nodes[*i];
            let (dx, dy) = (n.pos.0 - p.0, n.pos.1 - p.1);
            dx * dx + dy * dy <= (n.radius + 3.0) * (n.radius + 3.0) && !skip.contains(i)
        };
        (0..self.nodes.len()).rev().find(hit)
    }

    /// The node of a theme.
    pub fn theme_node(&self, theme: ThemeId) -> Option<usize> {
        self.nodes
            .iter()
            .position(|n| matches!(n.kind, NodeKind::Theme { id, .. } if id == theme))
    }

    /// The node of a code.
    pub fn code_node(&self, code: CodeId) -> Option<usize> {
        self.nodes
            .iter()
            .position(|n| matches!(n.kind, NodeKind::Code { id } if id == code))
    }

    /// The nodes that move with `i` when it is dragged: itself and, for a theme, the codes
    /// placed with it and its sub-themes with theirs. Each at most once.
    pub fn cluster(&self, i: usize) -> Vec<usize> {
        let mut out = vec![i];
        if !self.nodes[i].is_theme() {
            return out;
        }
        // A code moves with the first theme that links it (the one it sits by).
        let mut owner = vec![usize::MAX; self.nodes.len()];
        for e in &self.edges {
            if owner[e.to] == usize::MAX {
                owner[e.to] = e.from;
            }
        }
        let mut k = 0;
        while k < out.len() {
            let cur = out[k];
            for e in &self.edges {
                if e.from == cur
                    && (e.kind == EdgeKind::SubTheme || owner[e.to] == cur)
                    && !out.contains(&e.to)
                {
                    out.push(e.to);
                }
            }
            k += 1;
        }
        out
    }
}

/// Roughly half the width of a label's widest line, in map units (about 7 units a char for a
/// code's 12-point label, 8 for a theme's bold 14-point one).
pub fn label_half_width(label: &str, theme: bool) -> f32 {
    let chars = label_lines(label)
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0) as f32;
    chars * if theme { 4.0 } else { 3.4 }
}

/// `label`, shortened to `max` chars with an ellipsis.
pub fn short_label(label: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if label.chars().count() <= max {
        label.into()
    } else {
        let s: String = label.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", s.trim_end()).into()
    }
}

/// Chars per line of a label on the map.
pub const LABEL_CHARS: usize = 20;
/// Lines of a label at most.
pub const LABEL_LINES: usize = 3;

/// `label` wrapped at spaces into lines of about [`LABEL_CHARS`] chars, at most
/// [`LABEL_LINES`] of them, the last shortened with an ellipsis when the rest does not fit.
pub fn label_lines(label: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in label.split_whitespace() {
        let fits = cur.chars().count() + 1 + word.chars().count() <= LABEL_CHARS;
        if !cur.is_empty() && !fits {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > LABEL_LINES {
        let rest = lines.split_off(LABEL_LINES - 1).join(" ");
        lines.push(rest);
    }
    for l in &mut lines {
        if l.chars().count() > LABEL_CHARS + 4 {
            let s: String = l.chars().take(LABEL_CHARS + 3).collect();
            *l = format!("{}…", s.trim_end());
        }
    }
    lines
}

/// The counts the map shows, read from the project: each theme with its sub-themes, each code
/// on its own (unfiltered, as the codebook counts).
pub fn map_counts(
    read: impl ProjectRead,
) -> Result<(HashMap<ThemeId, NodeCounts>, HashMap<CodeId, NodeCounts>)> {
    let themes = super::themes::theme_counts(&read, &ScopeFilter::default(), false)?;
    let codes = super::frequencies_with(&read, &ScopeFilter::default(), false)?;
    Ok((
        themes
            .themes
            .iter()
            .map(|t| (t.id, t.aggregate.into()))
            .collect(),
        codes.codes.iter().map(|c| (c.code, c.own.into())).collect(),
    ))
}

/// The map of a project as it is saved: themes, codebook, positions and counts read through
/// `read`.
pub fn project_map(read: impl ProjectRead) -> Result<MapLayout> {
    let (theme_counts, code_counts) = map_counts(&read)?;
    let themes = read.themes()?;
    let tree = read.code_tree()?;
    let positions = read.map_positions()?;
    Ok(map_layout(&MapInput {
        themes: &themes,
        tree: &tree,
        positions: &positions,
        theme_counts: &theme_counts,
        code_counts: &code_counts,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Code;

    fn code(id: i64, parent: Option<i64>, name: &str) -> Code {
        Code {
            id: CodeId(id),
            guid: format!("c{id}"),
            parent: parent.map(CodeId),
            name: name.into(),
            color: Color::palette(id as usize),
            description: String::new(),
            sort_order: id,
        }
    }

    fn theme(id: i64, parent: Option<i64>, name: &str, codes: &[i64]) -> Theme {
        Theme {
            id: ThemeId(id),
            guid: format!("t{id}"),
            parent: parent.map(ThemeId),
            name: name.into(),
            concept: String::new(),
            definition: String::new(),
            boundaries: String::new(),
            status: ThemeStatus::Candidate,
            color: Color::palette(id as usize),
            sort_order: 0,
            created_at: String::new(),
            codes: codes.iter().map(|&c| CodeId(c)).collect(),
        }
    }

    fn layout(themes: &[Theme], tree: &CodeTree, pos: &HashMap<String, (f32, f32)>) -> MapLayout {
        let mut cc = HashMap::new();
        cc.insert(
            CodeId(1),
            NodeCounts {
                segments: 9,
                documents: 3,
                cases: 4,
            },
        );
        map_layout(&MapInput {
            themes,
            tree,
            positions: pos,
            theme_counts: &HashMap::new(),
            code_counts: &cc,
        })
    }

    fn sample() -> (Vec<Theme>, CodeTree) {
        let tree = CodeTree::new(vec![
            code(1, None, "Trust"),
            code(2, Some(1), "Earned"),
            code(3, None, "Money"),
            code(4, None, "Alone"),
        ]);
        let themes = vec![
            theme(1, None, "Trust is earned", &[1, 2]),
            theme(2, Some(1), "Twice", &[2]),
            theme(3, None, "Cost", &[3, 3]),
        ];
        (themes, tree)
    }

    #[test]
    fn nodes_edges_and_tray() {
        let (themes, tree) = sample();
        let m = layout(&themes, &tree, &HashMap::new());
        let labels: Vec<&str> = m.nodes.iter().map(|n| n.label.as_str()).collect();
        // Themes in display order (parents before sub-themes), then codes once each.
        assert_eq!(
            labels,
            vec![
                "Cost",
                "Trust is earned",
                "Twice",
                "Money",
                "Trust",
                "Earned"
            ]
        );
        let links = m.edges.iter().filter(|e| e.kind == EdgeKind::Link).count();
        assert_eq!(
            links, 4,
            "Cost–Money, Trust is earned–Trust/Earned, Twice–Earned"
        );
        assert!(m.edges.contains(&MapEdge {
            from: 1,
            to: 2,
            kind: EdgeKind::SubTheme
        }));
        assert_eq!(m.tray.len(), 1);
        assert_eq!(m.tray[0].path, "Alone");
        assert_eq!(
            m.nodes[2].kind,
            NodeKind::Theme {
                id: ThemeId(2),
                status: ThemeStatus::Candidate,
                parent: Some(1)
            }
        );
        // Size follows cases.
        assert!(m.nodes[4].radius > m.nodes[3].radius);
        assert_eq!(m.nodes[4].full_name, "Trust");
        assert_eq!(m.nodes[5].full_name, "Trust/Earned");
    }

    #[test]
    fn default_layout_is_deterministic_and_apart() {
        let (themes, tree) = sample();
        let a = layout(&themes, &tree, &HashMap::new());
        let b = layout(&themes, &tree, &HashMap::new());
        assert_eq!(a, b);
        let dist = |x: &MapNode, y: &MapNode| {
            ((x.pos.0 - y.pos.0).powi(2) + (x.pos.1 - y.pos.1).powi(2)).sqrt()
        };
        for (i, x) in a.nodes.iter().enumerate() {
            for (j, y) in a.nodes.iter().enumerate().skip(i + 1) {
                if (i, j) == (1, 2) {
                    // The sub-theme is drawn inside its parent.
                    assert!(dist(x, y) + y.radius < x.radius);
                    continue;
                }
                assert!(
                    dist(x, y) > x.radius + y.radius,
                    "{} overlaps {}",
                    x.label,
                    y.label
                );
            }
        }
        // A code sits near the theme it is placed with.
        let d = |i: usize, j: usize| {
            ((a.nodes[i].pos.0 - a.nodes[j].pos.0).powi(2)
                + (a.nodes[i].pos.1 - a.nodes[j].pos.1).powi(2))
            .sqrt()
        };
        assert!(d(0, 3) < d(1, 3));
    }

    #[test]
    fn saved_positions_win_and_codes_follow_their_theme() {
        let (themes, tree) = sample();
        let before = layout(&themes, &tree, &HashMap::new());
        let mut pos = HashMap::new();
        pos.insert("t3".to_owned(), (1000.0, 2000.0));
        pos.insert("c1".to_owned(), (-5.0, 7.0));
        let m = layout(&themes, &tree, &pos);
        assert_eq!(m.nodes[0].pos, (1000.0, 2000.0));
        assert!(m.nodes[0].placed);
        assert_eq!(m.nodes[4].pos, (-5.0, 7.0));
        // Money (unsaved) moved with its theme.
        let shift = (
            m.nodes[3].pos.0 - before.nodes[3].pos.0,
            m.nodes[3].pos.1 - before.nodes[3].pos.1,
        );
        let theme_shift = (
            m.nodes[0].pos.0 - before.nodes[0].pos.0,
            m.nodes[0].pos.1 - before.nodes[0].pos.1,
        );
        assert!((shift.0 - theme_shift.0).abs() < 0.01 && (shift.1 - theme_shift.1).abs() < 0.01);
    }

    #[test]
    fn hit_test_cluster_and_bounds() {
        let (themes, tree) = sample();
        let m = layout(&themes, &tree, &HashMap::new());
        let p = m.nodes[3].pos;
        assert_eq!(m.node_at(p, &[]), Some(3));
        assert_eq!(m.node_at(p, &[3]), None);
        assert_eq!(m.node_at((-1e6, -1e6), &[]), None);
        let mut c = m.cluster(1);
        c.sort_unstable();
        assert_eq!(c, vec![1, 2, 4, 5], "the theme, its sub-theme and codes");
        assert_eq!(m.cluster(4), vec![4]);
        let (lo, hi) = m.bounds();
        assert!(m.nodes.iter().all(|n| n.pos.0 >= lo.0 && n.pos.1 <= hi.1));
        assert_eq!(m.theme_node(ThemeId(2)), Some(2));
        assert_eq!(m.code_node(CodeId(3)), Some(3));
        assert_eq!(m.code_node(CodeId(4)), None);
    }

    #[test]
    fn many_themes_make_a_grid_without_overlap_of_clusters() {
        let codes: Vec<Code> = (1..=30)
            .map(|i| code(i, None, &format!("Code {i}")))
            .collect();
        let tree = CodeTree::new(codes);
        let themes: Vec<Theme> = (1..=6)
            .map(|t| {
                let cs: Vec<i64> = (1..=30).filter(|c| (c - 1) / 5 + 1 == t).collect();
                theme(t, None, &format!("Theme number {t}"), &cs)
            })
            .collect();
        let m = layout(&themes, &tree, &HashMap::new());
        assert_eq!(m.nodes.len(), 36);
        assert!(m.tray.is_empty());
        for (i, x) in m.nodes.iter().enumerate() {
            for y in &m.nodes[i + 1..] {
                let d = ((x.pos.0 - y.pos.0).powi(2) + (x.pos.1 - y.pos.1).powi(2)).sqrt();
                assert!(d > 40.0, "{} too close to {}", x.label, y.label);
            }
        }
    }

    #[test]
    fn labels_are_wrapped_and_shortened() {
        assert_eq!(label_lines("Short"), vec!["Short"]);
        assert_eq!(
            label_lines("Trust has to be earned twice"),
            vec!["Trust has to be", "earned twice"]
        );
        let many = label_lines(
            "one two three four five six seven eight nine ten eleven twelve thirteen fourteen",
        );
        assert_eq!(many.len(), LABEL_LINES);
        assert!(many[2].ends_with('…'));
        let long = label_lines(&"a".repeat(50));
        assert_eq!(long.len(), 1);
        assert!(long[0].ends_with('…'));
        assert!(label_lines("").is_empty());
        assert_eq!(short_label("Short", 10), "Short");
        assert_eq!(short_label(&"a".repeat(50), 10).chars().count(), 10);
    }
}
