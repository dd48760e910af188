//! "Find passages like these": for the code chosen here (the codebook's selection at first),
//! passages not yet coded with it, ranked by BM25 over its extracts' word stems, each with its
//! score and the words that matched. A click opens the passage; "Code" (or Enter on the
//! highlighted row, moved with the arrow keys) codes it, one undo step each.

use egui::{Key, RichText, ScrollArea, Ui};

use crate::actions::Action;
use crate::analysis::similar::{SimilarResult, SimilarUnit, similar};
use crate::model::{CharRange, CodeId};
use crate::store::Db;
use crate::ui::view::{Command, ProjectView, Tab};

/// Passages listed.
const LIMIT: usize = 50;

/// What a result was computed for: code, unit, project version.
type CacheKey = (CodeId, SimilarUnit, u64);

/// "Find passages like these".
#[derive(Default)]
pub struct SimilarView {
    code: Option<CodeId>,
    unit: SimilarUnit,
    /// `(code, unit, version)` of the result shown.
    cache: Option<(CacheKey, Result<SimilarResult, String>)>,
    /// The highlighted row (arrow keys; Enter codes it).
    cursor: usize,
}

impl SimilarView {
    /// Draws the view.
    pub fn ui(&mut self, ui: &mut Ui, db: Db<'_>, view: &ProjectView, out: &mut Vec<Command>) {
        if self.code.is_none_or(|c| view.tree.get(c).is_none()) {
            self.code = view.tree.codes.first().map(|c| c.id);
        }
        ui.horizontal_wrapped(|ui| {
            ui.label("Passages like the coded extracts of");
            let name = self.code.map_or(String::new(), |c| view.tree.path(c));
            egui::ComboBox::from_id_salt("similar-code")
                .selected_text(name)
                .width(220.0)
                .show_ui(ui, |ui| {
                    for c in &view.tree.codes {
                        let n = view
                            .report
                            .as_ref()
                            .and_then(|r| r.codes.iter().find(|s| s.code == c.id))
                            .map(|s| s.own.segments)
                            .unwrap_or(0);
                        let label = format!("{} ({n})", view.tree.path(c.id));
                        if ui
                            .selectable_label(self.code == Some(c.id), label)
                            .clicked()
                        {
                            self.code = Some(c.id);
                            self.cursor = 0;
                        }
                    }
                });
            ui.label("as");
            ui.selectable_value(&mut self.unit, SimilarUnit::Sentence, "sentences");
            ui.selectable_value(&mut self.unit, SimilarUnit::Turn, "speaker turns");
        });
        let Some(code) = self.code else {
            ui.weak("The codebook is empty: add a code and code a few passages first.");
            return;
        };
        let key = (code, self.unit, view.version);
        if self.cache.as_ref().is_none_or(|(k, _)| *k != key) {
            let r = similar(db, code, self.unit, LIMIT, "en").map_err(|e| e.to_string());
            self.cache = Some((key, r));
        }
        let Some((_, result)) = &self.cache else {
            return;
        };
        let r = match result {
            Ok(r) => r,
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                return;
            }
        };
        ui.label(
            RichText::new(format!(
                "From {} coded extract{}. Its terms: {}",
                r.extracts,
                if r.extracts == 1 { "" } else { "s" },
                r.terms
                    .iter()
                    .map(|t| t.words.join("/"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .small(),
        )
        .on_hover_text(&r.method);
        if r.passages.is_empty() {
            ui.weak("No passage outside the code shares its words.");
            return;
        }
        if ui
            .small_button("Export…")
            .on_hover_text("The passages with their scores and matched words, as CSV")
            .clicked()
        {
            match crate::export::questions::similar_csv(r) {
                Ok(bytes) => out.push(Command::SaveFile {
                    name: "passages-like-these.csv".into(),
                    bytes,
                }),
                Err(e) => out.push(Command::Error(format!(
                    "Could not export the passages: {e}"
                ))),
            }
        }
        ui.weak(
            "↑ ↓ move, Enter codes the highlighted passage; a click opens it in the transcript.",
        );
        self.cursor = self.cursor.min(r.passages.len() - 1);
        let typing = ui.ctx().text_edit_focused();
        if !typing {
            if ui.input(|i| i.key_pressed(Key::ArrowDown)) {
                self.cursor = (self.cursor + 1).min(r.passages.len() - 1);
            }
            if ui.input(|i| i.key_pressed(Key::ArrowUp)) {
                self.cursor = self.cursor.saturating_sub(1);
            }
        }
        let enter = !typing && ui.input(|i| i.key_pressed(Key::Enter));
        let coder = view.coder;
        let code_it =
            |doc, start, end, out: &mut Vec<Command>| match (coder, CharRange::new(start, end)) {
                (Some(coder), Some(range)) => out.push(Command::Edit(Action::ApplyCode {
                    doc,
                    code,
                    coder,
                    range,
                })),
                _ => out.push(Command::Error(
                    "Choose who is coding first (the coder menu).".into(),
                )),
            };
        if enter && let Some(p) = r.passages.get(self.cursor) {
            code_it(p.doc, p.start, p.end, out);
        }
        ui.separator();
        ScrollArea::vertical()
            .id_salt("similar-list")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for (i, p) in r.passages.iter().enumerate() {
                    let selected = i == self.cursor;
                    let frame = egui::Frame::group(ui.style()).fill(if selected {
                        ui.visuals().selection.bg_fill.gamma_multiply(0.25)
                    } else {
                        ui.visuals().panel_fill
                    });
                    frame.show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        ui.horizontal_wrapped(|ui| {
                            ui.label(RichText::new(format!("{:.2}", p.score)).strong())
                                .on_hover_text("BM25 score: higher shares more of the code's distinctive words");
                            let mut meta = p.document.clone();
                            if let Some(s) = &p.speaker {
                                meta.push_str(" · ");
                                meta.push_str(s);
                            }
                            ui.weak(meta);
                            let words = p
                                .matched
                                .iter()
                                .map(|m| {
                                    if m.count > 1 {
                                        format!("{} ×{}", m.word, m.count)
                                    } else {
                                        m.word.clone()
                                    }
                                })
                                .collect::<Vec<_>>()
                                .join(", ");
                            ui.label(RichText::new(format!("matched: {words}")).small());
                            if ui
                                .small_button("Code")
                                .on_hover_text(format!("Code it as {}", r.code))
                                .clicked()
                            {
                                code_it(p.doc, p.start, p.end, out);
                            }
                        });
                        let resp = ui.add(
                            egui::Label::new(&p.text)
                                .selectable(false)
                                .sense(egui::Sense::click()),
                        );
                        if resp.clicked() {
                            self.cursor = i;
                            out.push(Command::JumpTo {
                                doc: p.doc,
                                coding: None,
                                start: p.start,
                                end: p.end,
                            });
                            out.push(Command::ShowTab(Tab::Transcript));
                        }
                        resp.on_hover_text("Open in the transcript");
                    });
                }
            });
    }
}
