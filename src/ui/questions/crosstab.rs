//! Crosstabs of codes by attribute: pick an attribute and a measure; the table has one row per
//! code and one column per value of the attribute (and "no value"), each cell a bar as long as
//! its share of the largest cell, with its number. Clicking a cell lists that code's passages
//! under that value below the table; clicking a passage opens it in the transcript. The scope
//! bar (coder, case, document, attribute value) narrows which codings count, as in
//! Frequencies.
//!
//! The numbers are [`crate::analysis::crosstab`]'s, the same as the Frequencies tab shows with
//! that attribute value (and the same scope) as its filter. They are computed when asked for
//! and kept until the project or the scope changes.

use egui::{Color32, Sense, Ui, UiBuilder, vec2};

use crate::analysis::ScopeFilter;
use crate::analysis::crosstab::{Crosstab, Measure, Percent, cell_codings, crosstab};
use crate::model::{CodeId, CodingId, DocId};
use crate::store::Db;
use crate::text::{CharIndex, ellipsize};
use crate::ui::scope_bar::{ScopeBar, fmt_count, fmt_percent, plural};
use crate::ui::view::{Command, ProjectView, Tab};

/// Width of a cell in the table.
const CELL_WIDTH: f32 = 100.0;
/// Room kept for a cell's number, left of its bar.
const NUMBER_WIDTH: f32 = 42.0;
/// Characters of a passage shown on its card.
const PASSAGE_CHARS: usize = 400;

/// A passage of the selected cell.
struct Passage {
    doc: DocId,
    doc_name: String,
    coding: CodingId,
    start: usize,
    end: usize,
    text: String,
}

/// The selected cell and its passages.
struct Selected {
    version: u64,
    attribute: String,
    col: usize,
    code: CodeId,
    passages: Result<Vec<Passage>, String>,
}

/// Crosstabs of codes by attribute.
#[derive(Default)]
pub struct CrosstabView {
    attribute: Option<String>,
    measure: Measure,
    percent: Option<Percent>,
    /// Which codings count (coder, case, document, attribute value), as in Frequencies.
    scope: ScopeBar,
    cache: Option<(u64, String, ScopeFilter, Result<Crosstab, String>)>,
    selected: Option<Selected>,
}

impl CrosstabView {
    /// Draws the view.
    pub fn ui(&mut self, ui: &mut Ui, db: Db<'_>, view: &ProjectView, out: &mut Vec<Command>) {
        let mut names: Vec<String> = view.attributes.iter().map(|a| a.name.clone()).collect();
        names.sort_by_key(|n| n.to_lowercase());
        names.dedup();
        if names.is_empty() {
            ui.label(
                "Crosstabs count codes by the values of an attribute (role, site, age group…). \
                 This project has no attributes yet: give cases or documents attributes in the \
                 Cases panel, or import them with a survey table.",
            );
            return;
        }
        ui.horizontal_wrapped(|ui| {
            ui.label("Attribute:");
            for n in &names {
                if ui
                    .selectable_label(self.attribute.as_deref() == Some(n.as_str()), n)
                    .clicked()
                {
                    self.attribute = Some(n.clone());
                    self.selected = None;
                }
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.label("Count:");
            for m in Measure::ALL {
                let label = match m {
                    Measure::Segments => "Segments",
                    Measure::Cases => "Cases",
                    Measure::Coverage => "Coverage",
                };
                if ui.selectable_label(self.measure == m, label).clicked() {
                    self.measure = m;
                }
            }
            ui.separator();
            ui.label("Show:");
            for (p, label) in [
                (None, "Numbers"),
                (Some(Percent::Row), "% of row"),
                (Some(Percent::Col), "% of column"),
            ] {
                if ui.selectable_label(self.percent == p, label).clicked() {
                    self.percent = p;
                }
            }
        });
        if self.scope.ui(ui, view, "crosstab") {
            self.selected = None;
        }
        let Some(attribute) = self.attribute.clone() else {
            ui.weak("Pick an attribute: its values become the columns.");
            return;
        };
        let filter = self.scope.filter();
        let stale = self
            .cache
            .as_ref()
            .is_none_or(|(v, a, f, _)| *v != view.version || *a != attribute || *f != filter);
        if stale {
            let result = crosstab(db, &attribute, &filter).map_err(|e| e.to_string());
            self.cache = Some((view.version, attribute.clone(), filter.clone(), result));
        }
        let Some((_, _, _, result)) = &self.cache else {
            return;
        };
        let table = match result {
            Ok(t) => t.clone(),
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                return;
            }
        };
        ui.add(
            egui::Label::new(
                egui::RichText::new(explanation(&table, self.measure, self.percent)).weak(),
            )
            .wrap(),
        );
        if ui
            .small_button("Export…")
            .on_hover_text("The table as CSV, as shown (this measure, numbers or percentages)")
            .clicked()
        {
            match crate::export::questions::crosstab_csv(&table, self.measure, self.percent) {
                Ok(bytes) => out.push(Command::SaveFile {
                    name: format!("crosstab-{}.csv", table.attribute),
                    bytes,
                }),
                Err(e) => out.push(Command::Error(format!("Could not export the table: {e}"))),
            }
        }
        ui.add_space(4.0);
        let clicked = self.table_ui(ui, &table, view);
        if let Some((col, code)) = clicked {
            self.selected = Some(Selected {
                version: view.version,
                attribute: attribute.clone(),
                col,
                code,
                passages: load_passages(db, view, &table, col, code, &filter),
            });
        }
        if let Some(sel) = &self.selected
            && (sel.version != view.version || sel.attribute != attribute)
        {
            self.selected = None;
        }
        if let Some(sel) = &self.selected {
            ui.separator();
            passages_ui(ui, &table, sel, view, out);
        }
    }

    /// The table; returns the cell clicked, as (column, code).
    fn table_ui(
        &self,
        ui: &mut Ui,
        table: &Crosstab,
        view: &ProjectView,
    ) -> Option<(usize, CodeId)> {
        let nums = table.table(self.measure, self.percent);
        let max = nums
            .iter()
            .flatten()
            .fold(0.0f64, |m, v| if v.is_finite() { m.max(*v) } else { m });
        let mut clicked = None;
        let share = if self.selected.is_some() { 0.55 } else { 1.0 };
        let height = (ui.available_height() * share).max(160.0);
        egui::ScrollArea::both()
            .id_salt("crosstab_table")
            .max_height(height)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                egui::Grid::new("crosstab_grid")
                    .striped(true)
                    .spacing(vec2(6.0, 3.0))
                    .show(ui, |ui| {
                        ui.strong("Code");
                        for col in 0..table.values.len() {
                            let h = table.heading(col);
                            ui.vertical(|ui| {
                                ui.set_width(CELL_WIDTH);
                                ui.add(egui::Label::new(egui::RichText::new(&h).strong()).wrap());
                            });
                        }
                        ui.end_row();
                        for (row, cells) in table.rows.iter().zip(&nums) {
                            let name = view
                                .tree
                                .get(row.code)
                                .map_or(row.path.as_str(), |c| c.name.as_str());
                            ui.horizontal(|ui| {
                                ui.add_space(row.depth as f32 * 12.0);
                                ui.label(name).on_hover_text(&row.path);
                            });
                            for (col, v) in cells.iter().enumerate() {
                                let selected = self
                                    .selected
                                    .as_ref()
                                    .is_some_and(|s| s.col == col && s.code == row.code);
                                let text = cell_text(*v, self.measure, self.percent);
                                let label =
                                    format!("{} × {}: {text}", row.path, table.heading(col));
                                if cell_ui(ui, *v, max, &text, &label, selected).clicked() {
                                    clicked = Some((col, row.code));
                                }
                            }
                            ui.end_row();
                        }
                    });
            });
        clicked
    }
}

/// One cell: its number, and a bar as long as the value's share of `max`.
fn cell_ui(
    ui: &mut Ui,
    v: f64,
    max: f64,
    text: &str,
    label: &str,
    selected: bool,
) -> egui::Response {
    let (rect, resp) = ui.allocate_exact_size(vec2(CELL_WIDTH, 18.0), Sense::click());
    let visuals = ui.visuals();
    let painter = ui.painter();
    if selected {
        painter.rect_filled(rect, 2.0, visuals.selection.bg_fill.gamma_multiply(0.5));
    } else if resp.hovered() {
        painter.rect_filled(rect, 2.0, visuals.faint_bg_color);
    }
    let share = if max > 0.0 {
        (v / max).clamp(0.0, 1.0)
    } else {
        0.0
    };
    if share > 0.0 {
        // The number first, then the bar, so each bar sits beside its own number.
        let room = (rect.width() - NUMBER_WIDTH - 8.0).max(10.0);
        let bar = egui::Rect::from_min_size(
            rect.min + vec2(NUMBER_WIDTH + 4.0, 3.0),
            vec2(room * share as f32, rect.height() - 6.0),
        );
        painter.rect_filled(bar, 2.0, bar_color(visuals));
    }
    let color = if v > 0.0 {
        visuals.strong_text_color()
    } else {
        visuals.weak_text_color()
    };
    painter.text(
        rect.left_center() + vec2(NUMBER_WIDTH, 0.0),
        egui::Align2::RIGHT_CENTER,
        text,
        egui::TextStyle::Body.resolve(ui.style()),
        color,
    );
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Button, true, label));
    resp.on_hover_text("Show these passages below")
}

fn bar_color(visuals: &egui::Visuals) -> Color32 {
    visuals.selection.bg_fill.gamma_multiply(0.45)
}

fn cell_text(v: f64, measure: Measure, percent: Option<Percent>) -> String {
    match (percent, measure) {
        (Some(_), _) => format!("{v:.1}%"),
        (None, Measure::Coverage) => fmt_percent(v),
        (None, _) => fmt_count(v as usize),
    }
}

/// What the cells are, in a sentence.
fn explanation(t: &Crosstab, measure: Measure, percent: Option<Percent>) -> String {
    let what = match measure {
        Measure::Segments => "Each cell counts the code's codings",
        Measure::Cases => "Each cell counts the cases (participants) whose passages have the code",
        Measure::Coverage => "Each cell is the code's coded text as a share of all the text",
    };
    let of = match percent {
        None => String::new(),
        Some(Percent::Row) => " Percentages are of each row's total.".into(),
        Some(Percent::Col) => " Percentages are of each column's total.".into(),
    };
    format!(
        "{what} where {} has that value (its document's or one of its cases'), as the \
         Frequencies tab counts with that value as filter. A passage of a document shared by \
         cases with different values counts under each. “(no value)”: passages whose \
         document and cases have none.{of} Click a cell to read its passages.",
        t.attribute
    )
}

fn load_passages(
    db: Db<'_>,
    view: &ProjectView,
    table: &Crosstab,
    col: usize,
    code: CodeId,
    filter: &ScopeFilter,
) -> Result<Vec<Passage>, String> {
    let value = table.values.get(col).cloned().flatten();
    let spans = cell_codings(db, &table.attribute, value.as_deref(), code, filter)
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut current: Option<(DocId, String, CharIndex)> = None;
    for s in spans {
        if current.as_ref().is_none_or(|(d, _, _)| *d != s.doc) {
            let text = db.document_text(s.doc).map_err(|e| e.to_string())?;
            let index = CharIndex::new(&text);
            current = Some((s.doc, text, index));
        }
        let Some((_, text, index)) = &current else {
            continue;
        };
        let passage = index.slice(text, s.start, s.end).unwrap_or_default();
        out.push(Passage {
            doc: s.doc,
            doc_name: view
                .document(s.doc)
                .map_or_else(String::new, |d| d.name.clone()),
            coding: s.id,
            start: s.start,
            end: s.end,
            text: ellipsize(passage.trim(), PASSAGE_CHARS),
        });
    }
    Ok(out)
}

fn passages_ui(
    ui: &mut Ui,
    table: &Crosstab,
    sel: &Selected,
    view: &ProjectView,
    out: &mut Vec<Command>,
) {
    let path = table
        .rows
        .iter()
        .find(|r| r.code == sel.code)
        .map_or("", |r| r.path.as_str());
    let value = match table.values.get(sel.col) {
        Some(Some(v)) => format!("{} = {v}", table.attribute),
        _ => format!("no value for {}", table.attribute),
    };
    let passages = match &sel.passages {
        Ok(p) => p,
        Err(e) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
    };
    ui.strong(format!(
        "{path}, {value}: {}",
        plural(passages.len(), "passage", "passages")
    ));
    let color = view
        .tree
        .get(sel.code)
        .map_or(Color32::GRAY, |c| crate::ui::scope_bar::color32(c.color));
    egui::ScrollArea::vertical()
        .id_salt("crosstab_passages")
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for (i, p) in passages.iter().enumerate() {
                let label = format!(
                    "Passage {} of {}: {} at {}–{}",
                    i + 1,
                    passages.len(),
                    p.doc_name,
                    p.start,
                    p.end
                );
                let resp = ui
                    .scope_builder(
                        UiBuilder::new()
                            .id_salt(("crosstab_passage", p.coding))
                            .sense(Sense::click()),
                        |ui| {
                            let hovered = ui.response().hovered();
                            let visuals = ui.visuals().clone();
                            egui::Frame::group(ui.style())
                                .fill(if hovered {
                                    visuals.faint_bg_color
                                } else {
                                    visuals.extreme_bg_color
                                })
                                .show(ui, |ui| {
                                    ui.set_width(ui.available_width());
                                    ui.horizontal(|ui| {
                                        crate::ui::scope_bar::color_chip(ui, color);
                                        ui.add(
                                            egui::Label::new(
                                                egui::RichText::new(&p.doc_name).strong(),
                                            )
                                            .selectable(false),
                                        );
                                    });
                                    ui.add(egui::Label::new(&p.text).selectable(false).wrap());
                                });
                        },
                    )
                    .response;
                resp.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::accesskit::Role::Button, true, &label)
                });
                if resp.on_hover_text("Open in the transcript").clicked() {
                    out.push(Command::JumpTo {
                        doc: p.doc,
                        coding: Some(p.coding),
                        start: p.start,
                        end: p.end,
                    });
                    out.push(Command::ShowTab(Tab::Transcript));
                }
                ui.add_space(4.0);
            }
        });
}
