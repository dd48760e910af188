//! The codebook panel: the tree of codes (themes and sub-codes) with colour chips, counts and
//! quick keys, a filter, inline rename, drag and drop to reorder, re-parent or merge, and the
//! dialogs behind the context menu (colour, description, merge, delete).
//!
//! A click on a code only selects it (to read its description or its segments): coding needs
//! an explicit gesture, the row's "Apply" button shown while text is selected (or keys 1-9 and
//! the quick box). Every edit leaves as one [`Command::Edit`]; a drag or a colour change is
//! one action, not one per frame.

use std::collections::{HashMap, HashSet};

use egui::{
    Color32, CornerRadius, CursorIcon, FontId, Key, LayerId, Modal, Modifiers, Order, Rect, Role,
    Sense, Stroke, TextEdit, TextStyle, Ui, WidgetInfo, pos2, text::LayoutJob, vec2,
};

use crate::actions::{Action, ThemeAction};
use crate::model::{CodeId, Color};
use crate::ui::inline_rename::{InlineRename, RenameOutcome};
use crate::ui::scope_bar::{color32, fmt_count as thousands, plural};
use crate::ui::view::{Command, ProjectView, Tab};

/// What a new description starts from, so every code is described the same way.
pub const DESCRIPTION_TEMPLATE: &str = "Definition:\nWhen to use:\nWhen not to use:";

/// The name "+ Code" and "Add sub-code" give a new code (made unique among its siblings).
pub const NEW_CODE_NAME: &str = "New code";

/// The codebook side panel. Holds only GUI state; the codebook itself comes from the
/// [`ProjectView`] on every frame.
#[derive(Default)]
pub struct CodebookPanel {
    filter: String,
    collapsed: HashSet<CodeId>,
    collapse_gen: u64,
    cache: Option<RowCache>,
    rename: Option<Rename>,
    pending_rename: Option<PendingRename>,
    dialog: Option<Dialog>,
}

/// One visible row, derived from the view (cached).
struct Row {
    id: CodeId,
    depth: usize,
    has_children: bool,
    expanded: bool,
    name: String,
    counts: String,
    tooltip: String,
    quick: Option<usize>,
    /// Whether the user pinned the code to its key (drawn stronger).
    pinned: bool,
    color: Color32,
}

struct RowCache {
    version: u64,
    filter: String,
    collapse_gen: u64,
    rows: Vec<Row>,
}

struct Rename {
    code: CodeId,
    edit: InlineRename,
}

/// A code the panel asked for; once it shows up in the view, its rename starts.
struct PendingRename {
    parent: Option<CodeId>,
    name: String,
    asked_at: u64,
}

enum Dialog {
    Colour {
        code: CodeId,
        name: String,
        original: Color32,
        color: Color32,
    },
    Describe {
        code: CodeId,
        name: String,
        original: String,
        text: String,
    },
    Merge {
        source: CodeId,
        target: Option<CodeId>,
        search: String,
    },
    Delete {
        code: CodeId,
        name: String,
        subcodes: usize,
        codings: usize,
    },
}

/// Where a dragged code would land relative to the row under the pointer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum DropZone {
    Before,
    Into,
    After,
}

/// `base`, or `base 2`, `base 3`, ... whichever no sibling under `parent` has.
fn unique_child_name(view: &ProjectView, parent: Option<CodeId>, base: &str) -> String {
    let taken: HashSet<&str> = view
        .tree
        .children(parent)
        .iter()
        .filter_map(|id| view.tree.get(*id).map(|c| c.name.as_str()))
        .collect();
    if !taken.contains(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base} {n}"))
        .find(|name| !taken.contains(name.as_str()))
        .unwrap_or_else(|| base.to_owned())
}

fn build_rows(view: &ProjectView, filter: &str, collapsed: &HashSet<CodeId>) -> Vec<Row> {
    let stats: HashMap<CodeId, (usize, usize, usize, usize)> = view
        .report
        .as_ref()
        .map(|r| {
            r.codes
                .iter()
                .map(|c| {
                    (
                        c.code,
                        (
                            c.own.segments,
                            c.own.cases,
                            c.aggregate.segments,
                            c.aggregate.cases,
                        ),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let quick: HashMap<CodeId, usize> = view
        .quick_codes()
        .into_iter()
        .enumerate()
        .filter_map(|(i, id)| Some((id?, i + 1)))
        .collect();
    let needle = filter.trim().to_lowercase();
    // With a filter: the matching codes and their ancestors (for context), all expanded.
    let shown: Option<HashSet<CodeId>> = (!needle.is_empty()).then(|| {
        let mut set = HashSet::new();
        for c in &view.tree.codes {
            if c.name.to_lowercase().contains(&needle) {
                let mut cur = Some(c.id);
                let mut steps = 0;
                while let Some(id) = cur {
                    if !set.insert(id) || steps > view.tree.codes.len() {
                        break;
                    }
                    steps += 1;
                    cur = view.tree.get(id).and_then(|c| c.parent);
                }
            }
        }
        set
    });

    let mut rows = Vec::new();
    let mut stack: Vec<(CodeId, usize)> = view
        .tree
        .children(None)
        .iter()
        .rev()
        .map(|id| (*id, 0))
        .collect();
    while let Some((id, depth)) = stack.pop() {
        if rows.len() > view.tree.codes.len() {
            break; // a malformed tree never loops the panel
        }
        let Some(code) = view.tree.get(id) else {
            continue;
        };
        if shown.as_ref().is_some_and(|s| !s.contains(&id)) {
            continue;
        }
        let kids = view.tree.children(Some(id));
        let has_children = !kids.is_empty();
        let expanded = has_children && (shown.is_some() || !collapsed.contains(&id));
        let (own, own_cases, agg, agg_cases) = stats.get(&id).copied().unwrap_or_default();
        let (counts, tooltip) = if has_children {
            (
                format!(
                    "{} / {} · {}",
                    thousands(own),
                    thousands(agg),
                    plural(agg_cases, "case", "cases")
                ),
                format!(
                    "{} in {} itself; {} in {} with its sub-codes",
                    plural(own, "coding", "codings"),
                    plural(own_cases, "case", "cases"),
                    plural(agg, "coding", "codings"),
                    plural(agg_cases, "case", "cases"),
                ),
            )
        } else {
            (
                format!(
                    "{} · {}",
                    thousands(own),
                    plural(own_cases, "case", "cases")
                ),
                format!(
                    "{} in {}",
                    plural(own, "coding", "codings"),
                    plural(own_cases, "case", "cases")
                ),
            )
        };
        let quick = quick.get(&id).copied();
        let tooltip = match quick {
            Some(k) if view.pinned_key(id).is_some() => format!(
                "{}\n{tooltip}\nKey {k} applies it (pinned)",
                view.tree.path(id)
            ),
            Some(k) => format!("{}\n{tooltip}\nKey {k} applies it", view.tree.path(id)),
            None => format!("{}\n{tooltip}", view.tree.path(id)),
        };
        rows.push(Row {
            id,
            depth,
            has_children,
            expanded,
            name: code.name.clone(),
            counts,
            tooltip,
            quick,
            pinned: view.pinned_key(id).is_some(),
            color: color32(code.color),
        });
        if expanded {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    rows
}

impl CodebookPanel {
    /// The edit that would save a description still open in its editor (the app applies it
    /// when the window closes, so typed text is not lost).
    pub fn unsaved(&self) -> Option<Action> {
        match &self.dialog {
            Some(Dialog::Describe {
                code,
                original,
                text,
                ..
            }) if text != original => Some(Action::DescribeCode {
                code: *code,
                description: text.clone(),
            }),
            _ => None,
        }
    }
}

impl CodebookPanel {
    /// Draws the panel. `selected` is the app's selected code; `has_text_selection` says
    /// whether rows offer an "Apply" button for the selected text. Requests go to `out`.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        view: &ProjectView,
        selected: Option<CodeId>,
        has_text_selection: bool,
        out: &mut Vec<Command>,
    ) {
        self.resolve_pending_rename(view);
        // A code that disappeared (undo, merge) cannot stay in a rename or a dialog.
        if self
            .rename
            .as_ref()
            .is_some_and(|r| view.tree.get(r.code).is_none())
        {
            self.rename = None;
        }

        self.toolbar_ui(ui, view, has_text_selection, out);

        if self.rename.is_none()
            && self.dialog.is_none()
            && let Some(code) = selected.and_then(|id| view.tree.get(id))
            && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::F2))
        {
            self.start_rename(code.id, &code.name);
        }

        let description_height = if selected.is_some() { 130.0 } else { 0.0 };
        let tree_height = (ui.available_height() - description_height).max(80.0);
        egui::ScrollArea::vertical()
            .id_salt("codebook-tree")
            .auto_shrink([false, true])
            .max_height(tree_height)
            .show(ui, |ui| {
                self.tree_ui(ui, view, selected, has_text_selection, out)
            });

        if let Some(code) = selected.and_then(|id| view.tree.get(id)) {
            ui.separator();
            ui.horizontal(|ui| {
                ui.strong(code.name.as_str());
                if ui.button("Edit description…").clicked() {
                    self.open_describe(view, code.id);
                }
            });
            egui::ScrollArea::vertical()
                .id_salt("codebook-description")
                .auto_shrink([false, true])
                .max_height(90.0)
                .show(ui, |ui| {
                    if code.description.trim().is_empty() {
                        ui.weak("No description yet.");
                    } else {
                        ui.add(egui::Label::new(code.description.as_str()).wrap());
                    }
                });
        }

        self.dialog_ui(ui, view, out);
    }

    fn toolbar_ui(
        &mut self,
        ui: &mut Ui,
        view: &ProjectView,
        has_text_selection: bool,
        out: &mut Vec<Command>,
    ) {
        ui.horizontal(|ui| {
            if ui
                .button("+ Code")
                .on_hover_text("Add a code at the top of the codebook")
                .clicked()
            {
                self.add_code(view, None, out);
            }
            if has_text_selection {
                ui.weak("“Apply” codes the selection");
            }
        });
        ui.horizontal(|ui| {
            ui.add(
                TextEdit::singleline(&mut self.filter)
                    .hint_text("Filter codes")
                    .desired_width(ui.available_width() - 30.0),
            )
            .accessible_name("Filter codes");
            if !self.filter.is_empty()
                && ui
                    .small_button("×")
                    .on_hover_text("Clear the filter")
                    .accessible_name("Clear the filter")
                    .clicked()
            {
                self.filter.clear();
            }
        });
        ui.add_space(2.0);
    }

    fn add_code(&mut self, view: &ProjectView, parent: Option<CodeId>, out: &mut Vec<Command>) {
        let name = unique_child_name(view, parent, NEW_CODE_NAME);
        out.push(Command::Edit(Action::AddCode {
            parent,
            name: name.clone(),
            color: None,
        }));
        if let Some(p) = parent
            && self.collapsed.remove(&p)
        {
            self.collapse_gen += 1;
        }
        self.pending_rename = Some(PendingRename {
            parent,
            name,
            asked_at: view.version,
        });
    }

    fn resolve_pending_rename(&mut self, view: &ProjectView) {
        let Some(p) = &self.pending_rename else {
            return;
        };
        if p.asked_at == view.version {
            return; // the app has not applied it yet
        }
        let found = view
            .tree
            .children(p.parent)
            .iter()
            .copied()
            .find(|id| view.tree.get(*id).is_some_and(|c| c.name == p.name));
        let name = p.name.clone();
        self.pending_rename = None;
        if let Some(id) = found {
            self.filter.clear();
            self.start_rename(id, &name);
        }
    }

    fn start_rename(&mut self, code: CodeId, name: &str) {
        self.dialog = None;
        self.rename = Some(Rename {
            code,
            edit: InlineRename::new(name),
        });
    }

    fn rows<'a>(&'a mut self, view: &ProjectView) -> &'a [Row] {
        let stale = self.cache.as_ref().is_none_or(|c| {
            c.version != view.version
                || c.filter != self.filter
                || c.collapse_gen != self.collapse_gen
        });
        if stale {
            self.cache = Some(RowCache {
                version: view.version,
                filter: self.filter.clone(),
                collapse_gen: self.collapse_gen,
                rows: build_rows(view, &self.filter, &self.collapsed),
            });
        }
        self.cache.as_ref().map_or(&[], |c| c.rows.as_slice())
    }

    fn tree_ui(
        &mut self,
        ui: &mut Ui,
        view: &ProjectView,
        selected: Option<CodeId>,
        has_text_selection: bool,
        out: &mut Vec<Command>,
    ) {
        // Take the rows out so the row drawing can change the rest of `self`.
        self.rows(view);
        let Some(cache) = self.cache.take() else {
            return;
        };
        if cache.rows.is_empty() {
            if view.tree.codes.is_empty() {
                ui.weak("No codes yet. Add one with “+ Code”.");
            } else {
                ui.weak("No code matches the filter.");
            }
        }
        let mut toggled = None;
        for row in &cache.rows {
            if let Some(t) = self.row_ui(ui, view, row, selected, has_text_selection, out) {
                toggled = Some(t);
            }
        }
        // Dropping below the last row moves the code to the end of the top level.
        let rest = ui.available_size_before_wrap();
        let (_, rect) = ui.allocate_space(vec2(rest.x, rest.y.max(24.0)));
        let rest_resp = ui.interact(rect, ui.scope_id().with("codebook-below"), Sense::hover());
        if rest_resp.dnd_hover_payload::<CodeId>().is_some() {
            let y = rect.top() + 1.0;
            ui.painter().hline(
                rect.x_range(),
                y,
                Stroke::new(2.0, ui.visuals().selection.stroke.color),
            );
        }
        if let Some(src) = rest_resp.dnd_release_payload::<CodeId>() {
            let index = view
                .tree
                .children(None)
                .iter()
                .filter(|c| **c != *src)
                .count();
            push_move(view, *src, None, index, out);
        }
        self.cache = Some(cache);
        if let Some(id) = toggled {
            if !self.collapsed.remove(&id) {
                self.collapsed.insert(id);
            }
            self.collapse_gen += 1;
        }
    }

    /// Draws one row; returns the code whose expander was clicked.
    fn row_ui(
        &mut self,
        ui: &mut Ui,
        view: &ProjectView,
        row: &Row,
        selected: Option<CodeId>,
        has_text_selection: bool,
        out: &mut Vec<Command>,
    ) -> Option<CodeId> {
        let row_h = ui.spacing().interact_size.y + 4.0;
        let (_, rect) = ui.allocate_space(vec2(ui.available_width(), row_h));
        let id = ui.scope_id().with(("code-row", row.id.0));
        let resp = ui.interact(rect, id, Sense::click_and_drag());
        let is_selected = selected == Some(row.id);
        let renaming = self.rename.as_ref().is_some_and(|r| r.code == row.id);
        resp.widget_info(|| WidgetInfo::selected(Role::TreeItem, true, is_selected, &row.name));
        // Screen readers (and tests) get the counts the row paints.
        ui.ctx().accesskit_node_builder(id, |node| {
            node.set_description(row.counts.clone());
        });
        resp.dnd_set_drag_payload(row.id);

        let visuals = ui.visuals().clone();
        let painter = ui.painter_at(rect);
        if is_selected {
            painter.rect_filled(rect, CornerRadius::same(3), visuals.selection.bg_fill);
        } else if resp.hovered() && !ui.ctx().is_being_dragged(id) {
            painter.rect_filled(
                rect,
                CornerRadius::same(3),
                visuals.widgets.hovered.weak_bg_fill,
            );
        }
        let text_color = if is_selected {
            visuals.selection.stroke.color
        } else {
            visuals.text_color()
        };
        let weak = if is_selected {
            text_color
        } else {
            visuals.weak_text_color()
        };

        let indent = 14.0 * row.depth as f32;
        let mut x = rect.left() + 2.0 + indent;
        let mid = rect.center().y;
        let mut toggled = None;
        let toggle_rect = Rect::from_center_size(pos2(x + 7.0, mid), vec2(14.0, row_h));
        if row.has_children {
            let t = ui.interact(toggle_rect, id.with("toggle"), Sense::click());
            let label = if row.expanded {
                format!("Collapse “{}”", row.name)
            } else {
                format!("Expand “{}”", row.name)
            };
            t.widget_info(|| WidgetInfo::labeled(Role::Button, true, &label));
            // Painted, not a glyph: not every font has the arrow characters.
            let c = toggle_rect.center();
            let points = if row.expanded {
                vec![
                    c + vec2(-4.0, -2.5),
                    c + vec2(4.0, -2.5),
                    c + vec2(0.0, 3.5),
                ]
            } else {
                vec![
                    c + vec2(-2.5, -4.0),
                    c + vec2(3.5, 0.0),
                    c + vec2(-2.5, 4.0),
                ]
            };
            painter.add(egui::Shape::convex_polygon(
                points,
                if t.hovered() { text_color } else { weak },
                Stroke::NONE,
            ));
            if t.clicked() {
                toggled = Some(row.id);
            }
        }
        x += 16.0;
        let chip = Rect::from_center_size(pos2(x + 6.0, mid), vec2(12.0, 12.0));
        painter.rect_filled(chip, CornerRadius::same(3), row.color);
        painter.rect_stroke(
            chip,
            CornerRadius::same(3),
            Stroke::new(1.0, visuals.widgets.noninteractive.bg_stroke.color),
            egui::StrokeKind::Inside,
        );
        x += 18.0;

        // Right side: the Apply button (with a text selection), quick key, then counts.
        let small = TextStyle::Small.resolve(ui.style());
        let mut right = rect.right() - 4.0;
        if has_text_selection && !renaming {
            let g = painter.layout_no_wrap("Apply".to_owned(), small.clone(), text_color);
            let apply_rect = Rect::from_min_size(
                pos2(right - g.size().x - 10.0, mid - 9.0),
                vec2(g.size().x + 10.0, 18.0),
            );
            let a = ui.interact(apply_rect, id.with("apply"), Sense::click());
            let label = format!("Apply “{}”", row.name);
            a.widget_info(|| WidgetInfo::labeled(Role::Button, true, &label));
            let w = if a.hovered() {
                &visuals.widgets.hovered
            } else {
                &visuals.widgets.inactive
            };
            painter.rect(
                apply_rect,
                CornerRadius::same(3),
                w.weak_bg_fill,
                w.bg_stroke,
                egui::StrokeKind::Inside,
            );
            painter.galley(apply_rect.center() - g.size() / 2.0, g, text_color);
            if a.on_hover_text("Code the selected text with this code")
                .clicked()
            {
                out.push(Command::ApplyToSelection(row.id));
                out.push(Command::SelectCode(Some(row.id)));
            }
            right = apply_rect.left() - 6.0;
        }
        if let Some(k) = row.quick {
            let weak = if row.pinned { text_color } else { weak };
            let g = painter.layout_no_wrap(k.to_string(), small.clone(), weak);
            let key_rect = Rect::from_min_size(
                pos2(right - g.size().x - 6.0, mid - 8.0),
                vec2(g.size().x + 6.0, 16.0),
            );
            painter.rect_stroke(
                key_rect,
                CornerRadius::same(3),
                Stroke::new(1.0, weak),
                egui::StrokeKind::Inside,
            );
            painter.galley(key_rect.center() - g.size() / 2.0, g, weak);
            right = key_rect.left() - 6.0;
        }
        let counts = painter.layout_no_wrap(row.counts.clone(), small, weak);
        let counts_w = counts.size().x;
        // Hide the counts before the name gets unreadably short.
        if right - counts_w - x > 60.0 {
            painter.galley(
                pos2(right - counts_w, mid - counts.size().y / 2.0),
                counts,
                weak,
            );
            right -= counts_w + 8.0;
        }

        let name_rect = Rect::from_min_max(
            pos2(x, rect.top() + 1.0),
            pos2(right.max(x + 40.0), rect.bottom() - 1.0),
        );
        if renaming {
            self.rename_ui(ui, view, name_rect, row, out);
        } else {
            let font = TextStyle::Body.resolve(ui.style());
            let mut job = LayoutJob::single_section(
                row.name.clone(),
                egui::TextFormat::simple(font, text_color),
            );
            job.wrap.max_width = (right - x).max(10.0);
            job.wrap.max_rows = 1;
            job.wrap.break_anywhere = true;
            let g = painter.layout_job(job);
            painter.galley(pos2(x, mid - g.size().y / 2.0), g, text_color);
        }

        // Drag and drop.
        if ui.ctx().is_being_dragged(id) {
            let shift = ui.input(|i| i.modifiers.shift);
            if let Some(p) = ui.ctx().pointer_interact_pos() {
                let layer = LayerId::new(Order::Tooltip, id.with("drag"));
                let text = if shift {
                    format!("Merge “{}” into…", row.name)
                } else {
                    format!("Move “{}”", row.name)
                };
                let lp = ui.ctx().layer_painter(layer);
                let g = lp.layout_no_wrap(text, FontId::proportional(13.0), visuals.text_color());
                let r = Rect::from_min_size(p + vec2(12.0, 4.0), g.size() + vec2(8.0, 4.0));
                lp.rect_filled(r, CornerRadius::same(3), visuals.extreme_bg_color);
                lp.rect_stroke(
                    r,
                    CornerRadius::same(3),
                    visuals.window_stroke,
                    egui::StrokeKind::Inside,
                );
                lp.galley(r.min + vec2(4.0, 2.0), g, visuals.text_color());
            }
            ui.ctx().set_cursor_icon(CursorIcon::Grabbing);
        }
        if let Some(src) = resp.dnd_hover_payload::<CodeId>() {
            let src = *src;
            if src != row.id
                && let Some(p) = ui.ctx().pointer_interact_pos()
            {
                let zone = drop_zone(rect, p.y);
                let shift = ui.input(|i| i.modifiers.shift);
                let ok = if shift {
                    !view.tree.is_within(row.id, src)
                } else {
                    drop_target(view, src, row.id, zone).is_some()
                };
                let color = if ok {
                    visuals.selection.stroke.color
                } else {
                    visuals.error_fg_color
                };
                let stroke = Stroke::new(2.0, color);
                match (shift, zone) {
                    (true, _) | (false, DropZone::Into) => {
                        ui.painter().rect_stroke(
                            rect,
                            CornerRadius::same(3),
                            stroke,
                            egui::StrokeKind::Inside,
                        );
                    }
                    (false, DropZone::Before) => {
                        ui.painter()
                            .hline((x - 18.0)..=rect.right(), rect.top(), stroke);
                    }
                    (false, DropZone::After) => {
                        ui.painter()
                            .hline((x - 18.0)..=rect.right(), rect.bottom(), stroke);
                    }
                }
            }
        }
        if let Some(src) = resp.dnd_release_payload::<CodeId>() {
            let src = *src;
            let shift = ui.input(|i| i.modifiers.shift);
            if src != row.id {
                if shift {
                    if !view.tree.is_within(row.id, src) {
                        self.dialog = Some(Dialog::Merge {
                            source: src,
                            target: Some(row.id),
                            search: String::new(),
                        });
                    }
                } else if let Some(p) = ui.ctx().pointer_interact_pos()
                    && let Some((parent, index)) =
                        drop_target(view, src, row.id, drop_zone(rect, p.y))
                {
                    push_move(view, src, parent, index, out);
                    if let Some(parent) = parent
                        && self.collapsed.remove(&parent)
                    {
                        self.collapse_gen += 1;
                    }
                }
            }
        }

        if !renaming {
            if resp.double_clicked() {
                self.start_rename(row.id, &row.name);
            } else if resp.clicked() {
                // Reading a code never codes: applying takes the Apply button or a key.
                out.push(Command::SelectCode(Some(row.id)));
            }
        }
        let resp = resp.on_hover_text_at_pointer(row.tooltip.as_str());
        resp.context_menu(|ui| self.context_menu_ui(ui, view, row, out));
        toggled
    }

    fn rename_ui(
        &mut self,
        ui: &mut Ui,
        view: &ProjectView,
        rect: Rect,
        row: &Row,
        out: &mut Vec<Command>,
    ) {
        let Some(r) = self.rename.as_mut() else {
            return;
        };
        let name = match r.edit.ui(ui, rect, ("code-rename", row.id.0), &row.name) {
            RenameOutcome::Editing => return,
            RenameOutcome::Cancelled => {
                self.rename = None;
                return;
            }
            RenameOutcome::Commit(name) => name,
        };
        if name.contains('/') {
            out.push(Command::Error(
                "A code name cannot contain “/”: it separates a code from its sub-codes.".into(),
            ));
            r.edit.refocus();
            return;
        }
        let sibling_has_it = view
            .tree
            .get(row.id)
            .map(|c| c.parent)
            .is_some_and(|parent| {
                view.tree
                    .children(parent)
                    .iter()
                    .any(|s| *s != row.id && view.tree.get(*s).is_some_and(|c| c.name == name))
            });
        if sibling_has_it {
            out.push(Command::Error(format!(
                "A sibling code is already named “{name}”; choose another name or merge them."
            )));
            r.edit.refocus();
            return;
        }
        if !name.is_empty() && name != row.name {
            out.push(Command::Edit(Action::RenameCode { code: row.id, name }));
        }
        self.rename = None;
    }

    fn context_menu_ui(
        &mut self,
        ui: &mut Ui,
        view: &ProjectView,
        row: &Row,
        out: &mut Vec<Command>,
    ) {
        if ui.button("Rename").clicked() {
            self.start_rename(row.id, &row.name);
            ui.close();
        }
        if ui.button("Add sub-code").clicked() {
            self.add_code(view, Some(row.id), out);
            ui.close();
        }
        if ui.button("Colour…").clicked() {
            self.dialog = Some(Dialog::Colour {
                code: row.id,
                name: row.name.clone(),
                original: row.color,
                color: row.color,
            });
            ui.close();
        }
        if ui.button("Edit description…").clicked() {
            self.open_describe(view, row.id);
            ui.close();
        }
        let pinned = view.pinned_key(row.id);
        ui.menu_button("Pin to key", |ui| {
            for k in 1..=9u8 {
                let holder = view.quick_code(usize::from(k)).filter(|c| *c != row.id);
                let text = match holder.filter(|_| view.key_pins.contains_key(&k)) {
                    Some(c) => format!("{k}  (now “{}”)", view.tree.path(c)),
                    None => k.to_string(),
                };
                if ui.radio(pinned == Some(k), text).clicked() {
                    out.push(Command::Edit(Action::PinKey {
                        code: row.id,
                        key: Some(k),
                    }));
                    ui.close();
                }
            }
            ui.separator();
            if ui
                .add_enabled(pinned.is_some(), egui::Button::new("Unpin"))
                .on_hover_text("The key goes back to the oldest codes without a pin")
                .clicked()
            {
                out.push(Command::Edit(Action::PinKey {
                    code: row.id,
                    key: None,
                }));
                ui.close();
            }
        });
        ui.menu_button("Themes", |ui| {
            if view.themes.is_empty() {
                ui.weak("No themes yet: add one on the Thematic map tab.");
                if ui.button("Open the thematic map").clicked() {
                    out.push(Command::ShowTab(Tab::Map));
                    ui.close();
                }
                return;
            }
            ui.weak("The themes this code supports (a code may support several):");
            for (depth, theme) in crate::model::theme_order(&view.themes) {
                let mut linked = theme.codes.contains(&row.id);
                let label = format!("{}{}", "    ".repeat(depth), theme.name);
                if ui.checkbox(&mut linked, label).changed() {
                    let codes = vec![row.id];
                    let action = if linked {
                        ThemeAction::Link {
                            theme: theme.id,
                            codes,
                        }
                    } else {
                        ThemeAction::Unlink {
                            theme: theme.id,
                            codes,
                        }
                    };
                    out.push(Command::Edit(Action::Theme(action)));
                }
            }
        });
        ui.separator();
        if ui.button("Show coded segments").clicked() {
            out.push(Command::SelectCode(Some(row.id)));
            out.push(Command::ShowTab(Tab::Segments));
            ui.close();
        }
        if ui
            .button("Write a memo…")
            .on_hover_text("An analytic memo on this code, kept in the Memos tab")
            .clicked()
        {
            out.push(Command::Edit(Action::AddMemo {
                target: crate::model::MemoTarget::Code(row.id),
                title: format!("Memo on “{}”", view.tree.path(row.id)),
                body: String::new(),
                coder: view.coder,
            }));
            out.push(Command::ShowTab(Tab::Memos));
            ui.close();
        }
        ui.separator();
        if ui.button("Merge into…").clicked() {
            self.dialog = Some(Dialog::Merge {
                source: row.id,
                target: None,
                search: String::new(),
            });
            ui.close();
        }
        if ui.button("Delete…").clicked() {
            let (_, (codings, _)) = view.code_counts(row.id);
            let subcodes = view.tree.subtree(row.id).len().saturating_sub(1);
            self.dialog = Some(Dialog::Delete {
                code: row.id,
                name: row.name.clone(),
                subcodes,
                codings,
            });
            ui.close();
        }
    }

    fn open_describe(&mut self, view: &ProjectView, code: CodeId) {
        if let Some(c) = view.tree.get(code) {
            let text = if c.description.trim().is_empty() {
                DESCRIPTION_TEMPLATE.to_owned()
            } else {
                c.description.clone()
            };
            self.dialog = Some(Dialog::Describe {
                code,
                name: c.name.clone(),
                original: text.clone(),
                text,
            });
        }
    }

    fn dialog_ui(&mut self, ui: &mut Ui, view: &ProjectView, out: &mut Vec<Command>) {
        let Some(dialog) = self.dialog.as_mut() else {
            return;
        };
        let code_gone = match dialog {
            Dialog::Colour { code, .. }
            | Dialog::Describe { code, .. }
            | Dialog::Delete { code, .. }
            | Dialog::Merge { source: code, .. } => view.tree.get(*code).is_none(),
        };
        if code_gone {
            self.dialog = None;
            return;
        }
        let mut close = false;
        let modal = Modal::new(ui.scope_id().with("codebook-dialog")).show(ui.ctx(), |ui| {
            ui.set_max_width(460.0);
            match dialog {
                Dialog::Colour {
                    code,
                    name,
                    original,
                    color,
                } => {
                    ui.heading(format!("Colour of “{name}”"));
                    ui.horizontal_wrapped(|ui| {
                        for n in 0..12 {
                            let c = color32(Color::palette(n));
                            let (r, resp) = ui.allocate_exact_size(vec2(22.0, 22.0), Sense::click());
                            let hex = Color::palette(n).to_hex();
                            resp.widget_info(|| WidgetInfo::labeled(Role::Button, true, &hex));
                            ui.painter().rect_filled(r, CornerRadius::same(4), c);
                            if *color == c {
                                ui.painter().rect_stroke(
                                    r,
                                    CornerRadius::same(4),
                                    Stroke::new(2.0, ui.visuals().strong_text_color()),
                                    egui::StrokeKind::Outside,
                                );
                            }
                            if resp.on_hover_text(hex.as_str()).clicked() {
                                *color = c;
                            }
                        }
                    });
                    ui.add_space(4.0);
                    egui::color_picker::color_picker_color32(
                        ui,
                        color,
                        egui::color_picker::Alpha::Opaque,
                    );
                    ui.add_space(4.0);
                    ui.horizontal(|ui| {
                        if ui.button("Apply").clicked() {
                            if *color != *original {
                                out.push(Command::Edit(Action::RecolorCode {
                                    code: *code,
                                    color: Color([color.r(), color.g(), color.b()]),
                                }));
                            }
                            close = true;
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                    false
                }
                Dialog::Describe {
                    code,
                    name,
                    original,
                    text,
                } => {
                    ui.heading(format!("Description of “{name}”"));
                    ui.add(
                        TextEdit::multiline(text)
                            .desired_rows(10)
                            .desired_width(440.0),
                    )
                    .accessible_name("Description");
                    ui.horizontal(|ui| {
                        if ui.button("Save").clicked() {
                            let unchanged_template = text.trim() == DESCRIPTION_TEMPLATE.trim()
                                && view.tree.get(*code).is_some_and(|c| c.description.trim().is_empty());
                            if *text != *original && !unchanged_template {
                                out.push(Command::Edit(Action::DescribeCode {
                                    code: *code,
                                    description: text.clone(),
                                }));
                            }
                            close = true;
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                    // Typed text is never thrown away by a stray click or Escape.
                    *text != *original
                }
                Dialog::Merge {
                    source,
                    target,
                    search,
                } => {
                    let src_name = view.tree.get(*source).map(|c| c.name.clone()).unwrap_or_default();
                    match *target {
                        None => {
                            ui.heading(format!("Merge “{src_name}” into…"));
                            ui.add(TextEdit::singleline(search).hint_text("Filter codes"))
                                .accessible_name("Filter merge targets");
                            let needle = search.trim().to_lowercase();
                            egui::ScrollArea::vertical().max_height(260.0).show(ui, |ui| {
                                for c in &view.tree.codes {
                                    if view.tree.is_within(c.id, *source) {
                                        continue;
                                    }
                                    let path = view.tree.path(c.id);
                                    if !needle.is_empty() && !path.to_lowercase().contains(&needle) {
                                        continue;
                                    }
                                    if ui.selectable_label(false, path).clicked() {
                                        *target = Some(c.id);
                                    }
                                }
                            });
                            if ui.button("Cancel").clicked() {
                                close = true;
                            }
                        }
                        Some(t) => {
                            let tgt_name = view.tree.get(t).map(|c| c.name.clone()).unwrap_or_default();
                            let ((own, _), _) = view.code_counts(*source);
                            ui.heading("Merge codes");
                            ui.label(format!(
                                "Merge “{src_name}” ({}) into “{tgt_name}”? Identical passages are collapsed.",
                                plural(own, "coding", "codings")
                            ));
                            let subs = view.tree.children(Some(*source)).len();
                            if subs > 0 {
                                ui.label(format!(
                                    "Its {} move under “{tgt_name}”.",
                                    plural(subs, "sub-code", "sub-codes")
                                ));
                            }
                            ui.weak("You can undo this.");
                            ui.horizontal(|ui| {
                                if ui.button("Merge").clicked() {
                                    out.push(Command::Edit(Action::MergeCodes {
                                        source: *source,
                                        target: t,
                                    }));
                                    close = true;
                                }
                                if ui.button("Cancel").clicked() {
                                    close = true;
                                }
                            });
                        }
                    }
                    false
                }
                Dialog::Delete {
                    code,
                    name,
                    subcodes,
                    codings,
                } => {
                    ui.heading("Delete code");
                    // The view may have changed since the dialog opened (undo, a new coding).
                    *subcodes = view.tree.subtree(*code).len().saturating_sub(1);
                    *codings = view.code_counts(*code).1.0;
                    let what = if *subcodes > 0 {
                        format!(
                            "Delete “{name}” and its {}?",
                            plural(*subcodes, "sub-code", "sub-codes")
                        )
                    } else {
                        format!("Delete “{name}”?")
                    };
                    let consequence = match *codings {
                        0 => "No codings are affected.".to_owned(),
                        1 => "1 coding will be removed.".to_owned(),
                        n => format!("{} codings will be removed.", thousands(n)),
                    };
                    ui.label(format!("{what} {consequence}"));
                    ui.weak("You can undo this.");
                    ui.horizontal(|ui| {
                        if ui.button("Delete").clicked() {
                            out.push(Command::Edit(Action::DeleteCode(*code)));
                            close = true;
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                    false
                }
            }
        });
        let keep_open = modal.inner;
        if close || (modal.should_close() && !keep_open) {
            self.dialog = None;
        }
    }
}

fn drop_zone(rect: Rect, y: f32) -> DropZone {
    let h = rect.height();
    if y < rect.top() + h * 0.25 {
        DropZone::Before
    } else if y > rect.bottom() - h * 0.25 {
        DropZone::After
    } else {
        DropZone::Into
    }
}

/// The parent and index among the new siblings (without `src`) that dropping `src` on `target`
/// in `zone` means, or `None` when that move is impossible (into its own subtree).
fn drop_target(
    view: &ProjectView,
    src: CodeId,
    target: CodeId,
    zone: DropZone,
) -> Option<(Option<CodeId>, usize)> {
    if src == target {
        return None;
    }
    let (parent, index) = match zone {
        DropZone::Into => {
            let n = view
                .tree
                .children(Some(target))
                .iter()
                .filter(|c| **c != src)
                .count();
            (Some(target), n)
        }
        DropZone::Before | DropZone::After => {
            let parent = view.tree.get(target)?.parent;
            let at = view
                .tree
                .children(parent)
                .iter()
                .filter(|c| **c != src)
                .position(|c| *c == target)?;
            (parent, if zone == DropZone::After { at + 1 } else { at })
        }
    };
    if parent.is_some_and(|p| view.tree.is_within(p, src)) {
        return None;
    }
    Some((parent, index))
}

/// Pushes one move, unless it would leave the code where it is.
fn push_move(
    view: &ProjectView,
    code: CodeId,
    parent: Option<CodeId>,
    index: usize,
    out: &mut Vec<Command>,
) {
    let Some(c) = view.tree.get(code) else {
        return;
    };
    let current = view.tree.children(c.parent).iter().position(|s| *s == code);
    if c.parent == parent && current == Some(index) {
        return;
    }
    out.push(Command::Edit(Action::MoveCode {
        code,
        parent,
        index: Some(index),
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::Vec2;

    #[test]
    fn drop_zones_split_the_row() {
        let r = Rect::from_min_size(pos2(0.0, 0.0), Vec2::new(100.0, 20.0));
        assert_eq!(drop_zone(r, 1.0), DropZone::Before);
        assert_eq!(drop_zone(r, 10.0), DropZone::Into);
        assert_eq!(drop_zone(r, 19.0), DropZone::After);
    }
}
