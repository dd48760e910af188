//! Co-occurrence of codes: a heat map of code × code (codings of the row's code that
//! co-occur with the column's, or documents where they do), by overlap, speaker turn or
//! distance. Clicking a cell lists the passages behind it; each opens the transcript. The
//! counting is `analysis::cooccur`'s, computed when asked and kept until the project changes.

use egui::{Align2, Color32, FontId, RichText, Sense, Stroke, StrokeKind, Ui, vec2};

use super::query::passage_cards_ui;
use crate::analysis::cooccur::{self, Cooccurrence, Inputs, Mode, Options};
use crate::analysis::query::{self, Passage, ShownPassage};
use crate::model::CodingId;
use crate::store::Db;
use crate::ui::view::{Command, ProjectView};

/// The mode as the selector shows it (the distance is kept apart so it survives switching).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Choice {
    #[default]
    Overlap,
    Turn,
    Distance,
}

/// The matrix computed for one project version and options, with what it was computed from
/// (to list a cell's passages without reading the project again).
struct Computed {
    version: u64,
    options: Options,
    inputs: Inputs,
    matrix: Cooccurrence,
}

/// The passages behind the selected cell.
struct Cell {
    row: usize,
    col: usize,
    passages: Vec<ShownPassage>,
    codings: Vec<CodingId>,
    error: Option<String>,
}

/// Co-occurrence of codes.
pub struct CooccurView {
    choice: Choice,
    /// The largest gap in distance mode, in characters.
    distance: usize,
    aggregate: bool,
    /// Show the documents matrix instead of the segments one.
    documents: bool,
    computed: Option<Computed>,
    error: Option<String>,
    cell: Option<Cell>,
}

impl Default for CooccurView {
    fn default() -> Self {
        Self {
            choice: Choice::Overlap,
            distance: 100,
            aggregate: false,
            documents: false,
            computed: None,
            error: None,
            cell: None,
        }
    }
}

impl CooccurView {
    fn options(&self) -> Options {
        Options {
            mode: match self.choice {
                Choice::Overlap => Mode::Overlap,
                Choice::Turn => Mode::Turn,
                Choice::Distance => Mode::Distance(self.distance),
            },
            aggregate: self.aggregate,
        }
    }

    /// Draws the view.
    pub fn ui(&mut self, ui: &mut Ui, db: Db<'_>, view: &ProjectView, out: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Co-occur when they");
            ui.selectable_value(&mut self.choice, Choice::Overlap, "Overlap")
                .on_hover_text("Two codings share at least one character");
            ui.selectable_value(&mut self.choice, Choice::Turn, "Same turn")
                .on_hover_text(
                    "Two codings touch the same speaker turn (in a document without turns, \
                     the same paragraph: a line of text)",
                );
            ui.selectable_value(&mut self.choice, Choice::Distance, "Within")
                .on_hover_text("The gap between two codings is at most this many characters");
            if self.choice == Choice::Distance {
                ui.add(
                    egui::DragValue::new(&mut self.distance)
                        .range(0..=1_000_000)
                        .speed(5.0)
                        .suffix(" chars"),
                );
            }
            ui.separator();
            ui.checkbox(&mut self.aggregate, "With sub-codes")
                .on_hover_text("Each code counts with its sub-codes' codings");
            ui.separator();
            ui.selectable_value(&mut self.documents, false, "Segments")
                .on_hover_text("Cells count codings of the row's code");
            ui.selectable_value(&mut self.documents, true, "Documents")
                .on_hover_text("Cells count documents");
        });
        let options = self.options();
        if self
            .computed
            .as_ref()
            .is_none_or(|c| c.version != view.version || c.options != options)
        {
            self.compute(db, view, options);
        }
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
        let Some(computed) = &self.computed else {
            return;
        };
        if ui
            .small_button("Export…")
            .on_hover_text("Both matrices (segments, then documents) as CSV, each after a line saying what a cell means")
            .clicked()
        {
            match computed.matrix.to_csv() {
                Ok(bytes) => out.push(Command::SaveFile {
                    name: "co-occurrence.csv".into(),
                    bytes,
                }),
                Err(e) => out.push(Command::Error(format!("Could not export the matrix: {e}"))),
            }
        }
        let m = &computed.matrix;
        if m.codes.is_empty() {
            ui.weak(
                "The codebook is empty: add codes and code passages to see which occur together.",
            );
            return;
        }
        ui.label(
            RichText::new(if self.documents {
                m.documents_meaning()
            } else {
                m.segments_meaning()
            })
            .small()
            .weak(),
        );
        let picked = {
            let cells = if self.documents {
                &m.documents
            } else {
                &m.segments
            };
            let height = if self.cell.is_some() {
                (ui.available_height() * 0.55).max(160.0)
            } else {
                ui.available_height()
            };
            egui::ScrollArea::both()
                .id_salt("cooccur_matrix")
                .max_height(height)
                .auto_shrink([false, true])
                .show(ui, |ui| {
                    heat_map_ui(
                        ui,
                        view,
                        m,
                        cells,
                        self.cell.as_ref().map(|c| (c.row, c.col)),
                    )
                })
                .inner
        };
        if let Some((row, col)) = picked {
            self.select(db, row, col);
        }
        self.cell_ui(ui, out);
    }

    fn compute(&mut self, db: Db<'_>, view: &ProjectView, options: Options) {
        self.cell = None;
        match Inputs::load(db, options.mode) {
            Ok(inputs) => {
                let matrix =
                    cooccur::compute(&inputs.tree, &inputs.spans, &inputs.regions, options);
                self.error = None;
                self.computed = Some(Computed {
                    version: view.version,
                    options,
                    inputs,
                    matrix,
                });
            }
            Err(e) => {
                self.computed = None;
                self.error = Some(format!("Could not count co-occurrences: {e}"));
            }
        }
    }

    fn select(&mut self, db: Db<'_>, row: usize, col: usize) {
        let Some(c) = &self.computed else {
            return;
        };
        let (Some(&a), Some(&b)) = (c.matrix.codes.get(row), c.matrix.codes.get(col)) else {
            return;
        };
        let spans = cooccur::pair_codings(
            &c.inputs.tree,
            &c.inputs.spans,
            &c.inputs.regions,
            c.options,
            a,
            b,
        );
        let passages: Vec<Passage> = spans
            .iter()
            .map(|s| Passage {
                doc: s.doc,
                start: s.start,
                end: s.end,
            })
            .collect();
        let codings = spans.iter().map(|s| s.id).collect();
        self.cell = Some(match query::show(db, &passages) {
            Ok(passages) => Cell {
                row,
                col,
                passages,
                codings,
                error: None,
            },
            Err(e) => Cell {
                row,
                col,
                passages: Vec::new(),
                codings: Vec::new(),
                error: Some(format!("Could not read the passages: {e}")),
            },
        });
    }

    fn cell_ui(&mut self, ui: &mut Ui, out: &mut Vec<Command>) {
        let (Some(cell), Some(c)) = (&self.cell, &self.computed) else {
            return;
        };
        let m = &c.matrix;
        let (Some(a), Some(b)) = (m.paths.get(cell.row), m.paths.get(cell.col)) else {
            return;
        };
        ui.separator();
        let mut close = false;
        ui.horizontal(|ui| {
            let n = cell.passages.len();
            let what = if cell.row == cell.col {
                format!("{n} coding{} of {a}", if n == 1 { "" } else { "s" })
            } else {
                format!(
                    "{n} coding{} of {a} that co-occur with {b}",
                    if n == 1 { "" } else { "s" }
                )
            };
            ui.strong(what);
            if ui.small_button("Close").clicked() {
                close = true;
            }
        });
        if let Some(e) = &cell.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        passage_cards_ui(ui, "cooccur_cards", &cell.passages, &cell.codings, out);
        if close {
            self.cell = None;
        }
    }
}

/// Draws the heat map; returns the cell clicked as (row, column).
fn heat_map_ui(
    ui: &mut Ui,
    view: &ProjectView,
    m: &Cooccurrence,
    cells: &[Vec<usize>],
    selected: Option<(usize, usize)>,
) -> Option<(usize, usize)> {
    let small = FontId::proportional(12.5);
    let font = FontId::proportional(13.5);
    let text_color = ui.visuals().text_color();
    let weak = ui.visuals().weak_text_color();
    let cell = 40.0_f32;
    let row_h = 26.0_f32;
    let names: Vec<(String, usize)> = m
        .codes
        .iter()
        .map(|id| {
            (
                view.tree
                    .get(*id)
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
                view.tree.depth(*id),
            )
        })
        .collect();
    let name_w = ui
        .fonts_mut(|f| {
            names
                .iter()
                .map(|(n, d)| {
                    f.layout_no_wrap(n.clone(), font.clone(), text_color)
                        .size()
                        .x
                        + *d as f32 * 12.0
                })
                .fold(100.0_f32, f32::max)
        })
        .min(260.0)
        + 12.0;
    let header_h = ui
        .fonts_mut(|f| {
            names
                .iter()
                .map(|(n, _)| {
                    f.layout_no_wrap(n.clone(), small.clone(), text_color)
                        .size()
                        .x
                })
                .fold(30.0_f32, f32::max)
        })
        .min(170.0)
        + 10.0;
    let n = m.codes.len();
    let size = vec2(
        name_w + n as f32 * cell + 8.0,
        header_h + n as f32 * row_h + 8.0,
    );
    let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(rect);
    let origin = rect.min;
    let max = cells
        .iter()
        .enumerate()
        .flat_map(|(r, row)| {
            row.iter()
                .enumerate()
                .filter(move |(c, _)| *c != r)
                .map(|(_, v)| *v)
        })
        .max()
        .unwrap_or(0)
        .max(1);
    let base = if ui.visuals().dark_mode {
        Color32::from_rgb(90, 150, 230)
    } else {
        Color32::from_rgb(40, 100, 200)
    };
    // The code names stay in view while the matrix scrolls under them: the column names
    // along the top of the visible part, the row names along its left.
    let clip = ui.clip_rect();
    let left = origin.x.max(clip.left());
    let top = origin.y.max(clip.top());
    let bg = ui.visuals().panel_fill;
    let mut picked = None;
    for r in 0..n {
        let y = origin.y + header_h + r as f32 * row_h;
        for c in 0..n {
            let v = cells
                .get(r)
                .and_then(|row| row.get(c))
                .copied()
                .unwrap_or(0);
            let x = origin.x + name_w + c as f32 * cell;
            let cr = egui::Rect::from_min_size(
                egui::pos2(x + 1.0, y + 1.0),
                vec2(cell - 2.0, row_h - 2.0),
            );
            if !clip.intersects(cr) {
                continue;
            }
            let diagonal = r == c;
            if diagonal {
                painter.rect_filled(cr, 3.0, weak.gamma_multiply(0.18));
                painter.text(
                    cr.center(),
                    Align2::CENTER_CENTER,
                    v.to_string(),
                    small.clone(),
                    weak,
                );
            } else if v > 0 {
                let share = (v as f32 / max as f32).sqrt();
                let alpha = (40.0 + 200.0 * share) as u8;
                painter.rect_filled(cr, 3.0, base.gamma_multiply_u8(alpha));
                let strong = share > 0.55 || selected == Some((r, c));
                painter.text(
                    cr.center(),
                    Align2::CENTER_CENTER,
                    v.to_string(),
                    small.clone(),
                    if strong { Color32::WHITE } else { text_color },
                );
            } else {
                painter.rect_stroke(
                    cr,
                    3.0,
                    Stroke::new(1.0, weak.gamma_multiply(0.3)),
                    StrokeKind::Inside,
                );
            }
            if selected == Some((r, c)) {
                painter.rect_stroke(
                    cr,
                    3.0,
                    Stroke::new(2.0, ui.visuals().selection.stroke.color),
                    StrokeKind::Outside,
                );
            }
            // A cell under the names is hidden: it cannot be clicked there.
            if cr.left() < left + name_w - 2.0 || cr.top() < top + header_h - 2.0 {
                continue;
            }
            let resp = ui.interact(
                cr,
                ui.scope_id().with(("cooccur_cell", r, c)),
                Sense::click(),
            );
            let a = m.paths.get(r).map_or("", String::as_str);
            let b = m.paths.get(c).map_or("", String::as_str);
            let label = format!("{a} × {b}: {v}");
            resp.widget_info(|| {
                egui::WidgetInfo::labeled(egui::accesskit::Role::Button, true, &label)
            });
            let resp = resp.on_hover_text(if diagonal {
                format!("{a}: {v}\nClick to list its codings")
            } else {
                format!(
                    "{a} with {b}: {v}\nClick to list the codings of {a} that co-occur with {b}"
                )
            });
            if resp.clicked() {
                picked = Some((r, c));
            }
        }
    }
    // Column names.
    painter.rect_filled(
        egui::Rect::from_min_max(
            egui::pos2(clip.left(), top),
            egui::pos2(clip.right(), top + header_h),
        ),
        0.0,
        bg,
    );
    let heads = painter.with_clip_rect(egui::Rect::from_min_max(
        egui::pos2(left + name_w, top),
        egui::pos2(clip.right(), top + header_h),
    ));
    for (c, (name, _)) in names.iter().enumerate() {
        let x = origin.x + name_w + c as f32 * cell + cell / 2.0;
        if x < clip.left() - cell || x > clip.right() + cell {
            continue;
        }
        let galley = ui.fonts_mut(|f| {
            let mut job =
                egui::text::LayoutJob::simple_singleline(name.clone(), small.clone(), text_color);
            job.wrap = egui::text::TextWrapping::truncate_at_width(header_h - 10.0);
            f.layout_job(job)
        });
        let x = x - galley.size().y / 2.0;
        let y = top + header_h - 4.0;
        heads.add(
            egui::epaint::TextShape::new(egui::pos2(x, y), galley, text_color)
                .with_angle(-std::f32::consts::FRAC_PI_2),
        );
    }
    // Row names.
    painter.rect_filled(
        egui::Rect::from_min_max(
            egui::pos2(left, clip.top()),
            egui::pos2(left + name_w, clip.bottom()),
        ),
        0.0,
        bg,
    );
    let rows = painter.with_clip_rect(egui::Rect::from_min_max(
        egui::pos2(left, top + header_h),
        egui::pos2(left + name_w, clip.bottom()),
    ));
    for (r, (name, depth)) in names.iter().enumerate() {
        let y = origin.y + header_h + r as f32 * row_h;
        if y + row_h < clip.top() || y > clip.bottom() {
            continue;
        }
        let indent = *depth as f32 * 12.0;
        let galley = ui.fonts_mut(|f| {
            let mut job =
                egui::text::LayoutJob::simple_singleline(name.clone(), font.clone(), text_color);
            job.wrap = egui::text::TextWrapping::truncate_at_width(name_w - 12.0 - indent);
            f.layout_job(job)
        });
        rows.galley(
            egui::pos2(left + indent, y + (row_h - galley.size().y) / 2.0),
            galley,
            text_color,
        );
    }
    picked
}
