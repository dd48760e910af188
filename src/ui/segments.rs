//! The coded segments view: every passage coded with the selected code (and, optionally, its
//! sub-codes), filtered by case, attribute value and coder, each shown as a card with its
//! surrounding context so a researcher can read it in place. Clicking a card opens the
//! transcript at that passage.
//!
//! The passages come from [`export::coded_segments`], so what is shown is exactly what
//! "Export CSV…" writes. They are read once per `(view.version, code, filter)` and cached; the
//! list draws only the cards in view, so thousands of passages scroll smoothly.

use std::collections::{HashMap, HashSet};

use egui::text::LayoutJob;
use egui::{Color32, FontId, Rect, TextFormat, Ui, UiBuilder};

use crate::actions::Action;
use crate::analysis::{Scope, ScopeFilter};
use crate::export::{self, Format, SegmentRow};
use crate::model::{CodeId, DocId};
use crate::store::Db;
use crate::text::CharIndex;
use crate::ui::scope_bar::{ScopeBar, color_chip, color32, plural};
use crate::ui::view::{Command, ProjectView, Tab};

/// Characters of context shown before and after a passage.
const CONTEXT_CHARS: usize = 150;
/// Vertical gap between cards.
const GAP: f32 = 6.0;

/// One passage with its context.
struct Card {
    row: SegmentRow,
    color: Color32,
    /// Context before the passage (with a leading `…` when cut).
    before: String,
    /// Context after the passage (with a trailing `…` when cut).
    after: String,
}

/// What the cache was computed for.
#[derive(Clone, PartialEq)]
struct Key {
    version: u64,
    codes: Vec<CodeId>,
    filter: ScopeFilter,
}

struct Loaded {
    key: Key,
    cards: Vec<Card>,
    documents: usize,
    cases: usize,
    error: Option<String>,
}

/// The coded segments tab.
#[derive(Default)]
pub struct SegmentsView {
    /// The format of the last "Export …" button pressed (the app reads it with
    /// [`Command::ExportSegments`] to suggest a file extension).
    pub export_format: Option<Format>,
    scope: ScopeBar,
    include_sub: bool,
    /// The code `include_sub` was last defaulted for.
    last_code: Option<CodeId>,
    loaded: Option<Loaded>,
    /// Measured card heights (estimates until drawn) and the width they hold for.
    heights: Vec<f32>,
    heights_width: f32,
}

/// Context of `[start, end)`: up to [`CONTEXT_CHARS`] before and after, cut at a word gap.
fn context(text: &str, index: &CharIndex, start: usize, end: usize) -> (String, String) {
    let len = index.char_len();
    let from = start.saturating_sub(CONTEXT_CHARS);
    let to = end.saturating_add(CONTEXT_CHARS).min(len);
    let mut before = index
        .slice(text, from, start.min(len))
        .unwrap_or_default()
        .to_owned();
    let mut after = index
        .slice(text, end.min(len), to)
        .unwrap_or_default()
        .to_owned();
    if from > 0 {
        // Drop the partial first word, if a gap comes soon enough.
        if let Some(i) = before.find(char::is_whitespace).filter(|&i| i < 40) {
            before = before[i..].trim_start().to_owned();
        }
        before.insert(0, '…');
    }
    if to < len {
        if let Some(i) = after
            .rfind(char::is_whitespace)
            .filter(|&i| after.len() - i < 40)
        {
            after.truncate(i);
        }
        after.push('…');
    }
    (before, after)
}

impl SegmentsView {
    /// Draws the view for `code` (none selected: a hint). Reads the project through `db` only
    /// when the snapshot version, the code or the filters changed.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        db: Db<'_>,
        view: &ProjectView,
        code: Option<CodeId>,
        out: &mut Vec<Command>,
    ) {
        let Some(code) = code.filter(|c| view.tree.get(*c).is_some()) else {
            ui.add_space(12.0);
            ui.weak("Select a code in the codebook to see its passages.");
            return;
        };
        let has_children = !view.tree.children(Some(code)).is_empty();
        if self.last_code != Some(code) {
            self.last_code = Some(code);
            self.include_sub = has_children;
        }

        let chip = view
            .tree
            .get(code)
            .map_or(Color32::GRAY, |c| color32(c.color));
        ui.horizontal(|ui| {
            color_chip(ui, chip);
            ui.heading(view.tree.path(code));
        });
        ui.horizontal_wrapped(|ui| {
            ui.add_enabled(
                has_children,
                egui::Checkbox::new(&mut self.include_sub, "Include sub-codes"),
            )
            .on_hover_text("Also list passages coded with any code below this one.");
        });
        self.scope.ui(ui, view, "segments");

        let codes = if self.include_sub {
            view.tree.subtree(code)
        } else {
            vec![code]
        };
        let key = Key {
            version: view.version,
            codes,
            filter: self.scope.filter(),
        };
        if self.loaded.as_ref().is_none_or(|l| l.key != key) {
            self.loaded = Some(Self::load(db, view, key, out));
            self.heights.clear();
        }
        let Some(loaded) = self.loaded.as_ref() else {
            return;
        };

        ui.horizontal_wrapped(|ui| {
            let docs = plural(loaded.documents, "document", "documents");
            let cases = plural(loaded.cases, "case", "cases");
            ui.label(format!(
                "{} in {docs} from {cases}",
                plural(loaded.cards.len(), "passage", "passages")
            ));
            ui.separator();
            for (label, format) in [
                ("Export CSV…", Format::Csv),
                ("Export JSON…", Format::Json),
                ("Excel…", Format::Xlsx),
            ] {
                if ui
                    .button(label)
                    .on_hover_text("Export these passages (all columns, exact text) to a file.")
                    .clicked()
                {
                    self.export_format = Some(format);
                    out.push(Command::ExportSegments(
                        Some(loaded.key.codes.clone()),
                        loaded.key.filter.clone(),
                    ));
                }
            }
        });
        if let Some(e) = &loaded.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        ui.separator();
        if loaded.cards.is_empty() {
            ui.weak(if loaded.key.filter.is_empty() {
                "No passages are coded with this code yet."
            } else {
                "No passages match these filters."
            });
            return;
        }
        self.cards_ui(ui, out);
    }

    fn load(db: Db<'_>, view: &ProjectView, key: Key, out: &mut Vec<Command>) -> Loaded {
        let mut loaded = Loaded {
            key,
            cards: Vec::new(),
            documents: 0,
            cases: 0,
            error: None,
        };
        let rows =
            match export::coded_segments(db, Some(loaded.key.codes.clone()), &loaded.key.filter) {
                Ok(rows) => rows,
                Err(e) => {
                    let msg = format!("Could not read the coded passages: {e}");
                    out.push(Command::Error(msg.clone()));
                    loaded.error = Some(msg);
                    return loaded;
                }
            };
        // Cases are counted by id (names may contain the export's "; " separator).
        let mut cases = HashSet::new();
        match Scope::load(db, &loaded.key.filter) {
            Ok(scope) => {
                for r in &rows {
                    let all = scope.coding_cases(r.doc_id, r.start, r.end);
                    cases.extend(scope.counted_cases(r.doc_id, &all));
                }
            }
            Err(e) => loaded.error = Some(format!("Could not count cases: {e}")),
        }
        loaded.cases = cases.len();
        let mut texts: HashMap<DocId, Option<(String, CharIndex)>> = HashMap::new();
        let colors: HashMap<String, Color32> = view
            .tree
            .codes
            .iter()
            .map(|c| (view.tree.path(c.id), color32(c.color)))
            .collect();
        for row in rows {
            let doc_text = texts.entry(row.doc_id).or_insert_with(|| {
                db.document_text(row.doc_id).ok().map(|t| {
                    let i = CharIndex::new(&t);
                    (t, i)
                })
            });
            let (before, after) = doc_text
                .as_ref()
                .map(|(t, i)| context(t, i, row.start, row.end))
                .unwrap_or_default();
            let color = colors.get(&row.code).copied().unwrap_or(Color32::GRAY);
            loaded.cards.push(Card {
                row,
                color,
                before,
                after,
            });
        }
        loaded.documents = texts.len();
        loaded
    }

    /// The list of cards; only those in view are laid out.
    fn cards_ui(&mut self, ui: &mut Ui, out: &mut Vec<Command>) {
        let Some(loaded) = self.loaded.as_ref() else {
            return;
        };
        let n = loaded.cards.len();
        egui::ScrollArea::vertical()
            .id_salt("segments_cards")
            .auto_shrink(false)
            .show_viewport(ui, |ui, viewport| {
                let width = ui.available_width();
                if self.heights.len() != n || (width - self.heights_width).abs() > 0.5 {
                    let body = ui.text_style_height(&egui::TextStyle::Body);
                    let chars_per_line = (width / (body * 0.5)).max(20.0);
                    self.heights = loaded
                        .cards
                        .iter()
                        .map(|c| {
                            let chars = c.before.len() + c.row.text.len() + c.after.len();
                            let lines = (chars as f32 / chars_per_line).ceil() + 2.0;
                            lines * body + 24.0
                        })
                        .collect();
                    self.heights_width = width;
                }
                let total: f32 = self.heights.iter().map(|h| h + GAP).sum();
                ui.set_height(total);
                let top = ui.max_rect().top();
                let left = ui.max_rect().left();
                let mut y = 0.0;
                let mut changed = false;
                for i in 0..n {
                    let h = self.heights[i];
                    if y + h >= viewport.min.y && y <= viewport.max.y {
                        let rect =
                            Rect::from_min_size(egui::pos2(left, top + y), egui::vec2(width, h));
                        let card = &loaded.cards[i];
                        let drawn = card_ui(ui, rect, i, n, card, out);
                        if (drawn - h).abs() > 0.5 {
                            self.heights[i] = drawn;
                            changed = true;
                        }
                    }
                    y += h + GAP;
                    if y > viewport.max.y + 1.0 && !changed {
                        break;
                    }
                }
                if changed {
                    ui.ctx().request_repaint();
                }
            });
    }
}

/// The label of the button (and context-menu item) that marks or unmarks a passage.
fn exemplar_toggle_label(exemplar: bool) -> &'static str {
    if exemplar {
        "Unmark exemplar"
    } else {
        "Mark as exemplar"
    }
}

/// The edit that flips a passage's exemplar mark (one undo step, through the app).
fn exemplar_toggle(row: &SegmentRow) -> Command {
    Command::Edit(Action::MarkExemplar {
        coding: row.coding_id,
        exemplar: !row.exemplar,
    })
}

/// Draws one card in `rect` (its height is a guess); returns the height it really took.
fn card_ui(
    ui: &mut Ui,
    rect: Rect,
    i: usize,
    n: usize,
    card: &Card,
    out: &mut Vec<Command>,
) -> f32 {
    let row = &card.row;
    let visuals = ui.visuals().clone();
    let label = format!(
        "Passage {} of {}: {} at {}–{}",
        i + 1,
        n,
        row.document,
        row.start,
        row.end
    );
    let resp = ui
        .scope_builder(
            UiBuilder::new()
                .id_salt(("segment_card", row.coding_id))
                .max_rect(rect)
                .sense(egui::Sense::click())
                .accessibility_label(label.clone()),
            |ui| {
                let hovered = ui.response().hovered();
                egui::Frame::group(ui.style())
                    .fill(if hovered {
                        visuals.faint_bg_color
                    } else {
                        visuals.extreme_bg_color
                    })
                    .show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        ui.horizontal_wrapped(|ui| {
                            color_chip(ui, card.color);
                            ui.add(
                                egui::Label::new(egui::RichText::new(&row.code).strong())
                                    .selectable(false),
                            );
                            let mut parts = vec![row.document.as_str()];
                            if !row.speaker.is_empty() {
                                parts.push(&row.speaker);
                            }
                            if !row.case.is_empty() {
                                parts.push(&row.case);
                            }
                            parts.push(&row.coder);
                            ui.add(
                                egui::Label::new(egui::RichText::new(parts.join(" · ")).weak())
                                    .selectable(false),
                            );
                            if row.exemplar {
                                ui.add(
                                    egui::Label::new(
                                        egui::RichText::new("★ Exemplar")
                                            .color(visuals.warn_fg_color),
                                    )
                                    .selectable(false),
                                )
                                .on_hover_text(
                                    "Marked as an exemplar: the report quotes it first.",
                                );
                            }
                            if ui
                                .small_button(exemplar_toggle_label(row.exemplar))
                                .on_hover_text(
                                    "An exemplar is a passage that stands for its code; the \
                                     report quotes marked passages first.",
                                )
                                .clicked()
                            {
                                out.push(exemplar_toggle(row));
                            }
                        });
                        let font: FontId = egui::TextStyle::Body.resolve(ui.style());
                        let mut job = LayoutJob::default();
                        let weak = TextFormat::simple(font.clone(), visuals.weak_text_color());
                        let strong = TextFormat {
                            background: card.color.gamma_multiply(0.25),
                            ..TextFormat::simple(font, visuals.strong_text_color())
                        };
                        job.append(&card.before, 0.0, weak.clone());
                        job.append(&row.text, 0.0, strong);
                        job.append(&card.after, 0.0, weak);
                        job.wrap.max_width = ui.available_width();
                        ui.add(egui::Label::new(job).selectable(false));
                        if !row.memo.trim().is_empty() {
                            ui.add(
                                egui::Label::new(
                                    egui::RichText::new(format!("Memo: {}", row.memo)).italics(),
                                )
                                .selectable(false),
                            );
                        }
                    });
            },
        )
        .response;
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Button, true, &label));
    resp.context_menu(|ui| {
        if ui.button(exemplar_toggle_label(row.exemplar)).clicked() {
            out.push(exemplar_toggle(row));
            ui.close();
        }
    });
    if resp.clicked() {
        out.push(Command::JumpTo {
            doc: row.doc_id,
            coding: Some(row.coding_id),
            start: row.start,
            end: row.end,
        });
        out.push(Command::ShowTab(Tab::Transcript));
    }
    resp.on_hover_text("Open in the transcript").rect.height()
}
