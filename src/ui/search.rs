//! Project-wide search (Ctrl+Shift+F): keyword-in-context hits across every document; a
//! click opens the transcript at the hit; "Code all hits…" codes them (or their sentences,
//! paragraphs or turns) as one undoable action after showing how many passages it will code.

use egui::text::LayoutJob;
use egui::{FontId, RichText, ScrollArea, TextEdit, TextFormat, Ui};

use super::view::{Command, ProjectView, Tab};
use crate::actions::Action;
use crate::analysis::search::{
    CodeUnit, SearchFilter, SearchMode, SearchResult, code_ranges, count_passages, search,
};
use crate::model::{CaseId, CharRange, DocId};
use crate::store::Db;

/// Hits listed at most (the total still counts all).
const LISTED: usize = 500;

/// Passages to code, each in its document.
type Ranges = Vec<(DocId, CharRange)>;

/// What a result was computed for: query, regex, document, case, speaker, project version.
type SearchKey = (String, bool, Option<DocId>, Option<CaseId>, String, u64);

/// The auto-code form under the results.
#[derive(Debug, Default)]
struct AutoCode {
    /// The code path typed.
    path: String,
    unit: CodeUnit,
    /// `(unit, project version)` the preview was computed for, with the ranges.
    preview: Option<(CodeUnit, u64, Result<Ranges, String>)>,
}

/// The Search tab.
#[derive(Default)]
pub struct SearchView {
    query: String,
    regex: bool,
    /// Only this document.
    doc: Option<DocId>,
    /// Only what belongs to this case.
    case: Option<CaseId>,
    /// Only this speaker (empty: everyone).
    speaker: String,
    /// `(query, regex, doc, speaker, project version)` of the result shown, and the result.
    result: Option<(SearchKey, Result<SearchResult, String>)>,
    autocode: Option<AutoCode>,
    /// Focus the query box on the next frame (Ctrl+Shift+F).
    focus: bool,
}

impl SearchView {
    /// Puts the keyboard focus in the query box (Ctrl+Shift+F).
    pub fn focus_query(&mut self) {
        self.focus = true;
    }

    fn filter(&self) -> SearchFilter {
        SearchFilter {
            docs: self.doc.map(|d| vec![d]),
            cases: self.case.map(|c| vec![c]),
            speakers: if self.speaker.trim().is_empty() {
                Vec::new()
            } else {
                vec![self.speaker.trim().to_owned()]
            },
            ..Default::default()
        }
    }

    fn run(&mut self, db: Db<'_>, version: u64) {
        let mode = if self.regex {
            SearchMode::Regex
        } else {
            SearchMode::Words
        };
        let key = (
            self.query.clone(),
            self.regex,
            self.doc,
            self.case,
            self.speaker.clone(),
            version,
        );
        let r =
            search(db, &self.query, mode, &self.filter(), Some(LISTED)).map_err(|e| e.to_string());
        self.result = Some((key, r));
        if let Some(a) = &mut self.autocode {
            a.preview = None;
        }
    }

    /// Draws the view.
    pub fn ui(&mut self, ui: &mut Ui, db: Db<'_>, view: &ProjectView, out: &mut Vec<Command>) {
        let mut go = false;
        ui.horizontal(|ui| {
            let edit = ui.add(
                TextEdit::singleline(&mut self.query)
                    .id_salt("search-query")
                    .hint_text("Search all documents: trust, \"giving back\", recover*, trust AND power")
                    .desired_width((ui.available_width() - 190.0).max(160.0)),
            )
            .accessible_name("Search all documents");
            if self.focus {
                edit.request_focus();
                self.focus = false;
            }
            if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                go = true;
            }
            ui.checkbox(&mut self.regex, "Regex")
                .on_hover_text("Read the search as a regular expression over the text ((?i) ignores case).");
            if ui.button("Search").clicked() {
                go = true;
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.label("In");
            let name = self
                .doc
                .and_then(|d| view.document(d))
                .map_or("all documents".to_owned(), |d| d.name.clone());
            egui::ComboBox::from_id_salt("search-doc")
                .selected_text(name)
                .width(180.0)
                .show_ui(ui, |ui| {
                    if ui.selectable_label(self.doc.is_none(), "all documents").clicked() {
                        self.doc = None;
                        go = true;
                    }
                    for d in &view.documents {
                        if ui.selectable_label(self.doc == Some(d.id), &d.name).clicked() {
                            self.doc = Some(d.id);
                            go = true;
                        }
                    }
                });
            ui.label("of");
            let case_name = self
                .case
                .and_then(|c| view.cases.iter().find(|x| x.id == c))
                .map_or("any case".to_owned(), |c| c.name.clone());
            egui::ComboBox::from_id_salt("search-case")
                .selected_text(case_name)
                .width(110.0)
                .show_ui(ui, |ui| {
                    if ui.selectable_label(self.case.is_none(), "any case").clicked() {
                        self.case = None;
                        go = true;
                    }
                    for c in &view.cases {
                        if ui.selectable_label(self.case == Some(c.id), &c.name).clicked() {
                            self.case = Some(c.id);
                            go = true;
                        }
                    }
                });
            ui.label("said by");
            let sp = ui
                .add(
                    TextEdit::singleline(&mut self.speaker)
                        .hint_text("anyone")
                        .desired_width(110.0),
                )
                .accessible_name("Only this speaker");
            if sp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                go = true;
            }
            ui.weak("Words match whole words, ignoring case and accents; AND, OR, NOT and NEAR combine within a speaker turn.");
        });
        let stale = self
            .result
            .as_ref()
            .is_some_and(|(k, _)| k.5 != view.version && k.0 == self.query);
        if (go || stale) && !self.query.trim().is_empty() {
            self.run(db, view.version);
        }
        ui.separator();
        // The result is taken out for the frame (and put back below) rather than cloned: it
        // holds hundreds of hits and the view draws every frame.
        let Some((key, result)) = self.result.take() else {
            ui.weak("Type a word or a phrase and press Enter. A click on a hit opens the transcript there.");
            return;
        };
        let result = match result {
            Ok(r) => r,
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, &e);
                self.result = Some((key, Err(e)));
                return;
            }
        };
        ui.horizontal_wrapped(|ui| {
            let listed = if result.hits.len() < result.total {
                format!(" (the first {} listed)", result.hits.len())
            } else {
                String::new()
            };
            ui.label(
                RichText::new(format!(
                    "{} hit{} in {} document{}{listed}",
                    result.total,
                    if result.total == 1 { "" } else { "s" },
                    result.documents,
                    if result.documents == 1 { "" } else { "s" },
                ))
                .strong(),
            );
            if result.total > 0 && self.autocode.is_none() && ui.button("Code all hits…").clicked()
            {
                self.autocode = Some(AutoCode::default());
            }
            if result.total > 0
                && ui
                    .button("Export hits…")
                    .on_hover_text("Every hit, in context, as a CSV table (document, position, speaker, case, before, hit, after)")
                    .clicked()
            {
                // Every hit, not only those listed.
                match search(db, &result.query, result.mode, &self.filter(), None)
                    .map_err(|e| e.to_string())
                    .and_then(|all| crate::export::search::csv(&all).map_err(|e| e.to_string()))
                {
                    Ok(bytes) => out.push(Command::SaveFile {
                        name: "search-hits.csv".into(),
                        bytes,
                    }),
                    Err(e) => out.push(Command::Error(format!("Could not export the hits: {e}"))),
                }
            }
        });
        if self.autocode.is_some() {
            self.autocode_ui(ui, db, view, &result, out);
        }
        ui.add_space(4.0);
        let row_h = ui.text_style_height(&egui::TextStyle::Body) * 2.0 + 10.0;
        ScrollArea::vertical()
            .id_salt("search-hits")
            .auto_shrink([false, false])
            .show_rows(ui, row_h, result.hits.len(), |ui, rows| {
                for i in rows {
                    let h = &result.hits[i];
                    hit_row(ui, h, out);
                }
            });
        self.result = Some((key, Ok(result)));
    }

    fn autocode_ui(
        &mut self,
        ui: &mut Ui,
        db: Db<'_>,
        view: &ProjectView,
        result: &SearchResult,
        out: &mut Vec<Command>,
    ) {
        let filter = self.filter();
        let Some(a) = &mut self.autocode else {
            return;
        };
        let mut close = false;
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label("Code as");
                ui.add(
                    TextEdit::singleline(&mut a.path)
                        .hint_text("Code, or Parent/Child (made if new)")
                        .desired_width(220.0),
                )
                .accessible_name("Code to apply to the hits");
                egui::ComboBox::from_id_salt("autocode-pick")
                    .selected_text("pick…")
                    .width(70.0)
                    .show_ui(ui, |ui| {
                        for c in &view.tree.codes {
                            let path = view.tree.path(c.id);
                            if ui.selectable_label(a.path == path, &path).clicked() {
                                a.path = path;
                            }
                        }
                    });
                ui.label("each");
                egui::ComboBox::from_id_salt("autocode-unit")
                    .selected_text(unit_label(a.unit))
                    .show_ui(ui, |ui| {
                        for u in [
                            CodeUnit::Match,
                            CodeUnit::Sentence,
                            CodeUnit::Paragraph,
                            CodeUnit::Turn,
                        ] {
                            ui.selectable_value(&mut a.unit, u, unit_label(u));
                        }
                    });
            });
            let fresh = a
                .preview
                .as_ref()
                .is_some_and(|(u, v, _)| *u == a.unit && *v == view.version);
            if !fresh {
                // Every hit, not only those listed.
                let all = search(
                    db,
                    &result.query,
                    result.mode,
                    &filter,
                    None,
                )
                .and_then(|r| code_ranges(db, &r, a.unit))
                .map_err(|e| e.to_string());
                a.preview = Some((a.unit, view.version, all));
            }
            ui.horizontal_wrapped(|ui| {
                match a.preview.as_ref().map(|p| &p.2) {
                    Some(Ok(ranges)) => {
                        let (passages, docs) = count_passages(ranges);
                        ui.label(format!(
                            "Will code {passages} passage{} in {docs} document{}; passages already coded so are left alone. One Undo takes it back.",
                            if passages == 1 { "" } else { "s" },
                            if docs == 1 { "" } else { "s" },
                        ));
                        let ok = !a.path.trim().is_empty() && passages > 0;
                        if ui
                            .add_enabled(ok, egui::Button::new(format!("Code {passages} passages")))
                            .clicked()
                        {
                            if let Some(coder) = view.coder {
                                out.push(Command::Edit(Action::CodeRanges {
                                    path: a.path.trim().to_owned(),
                                    coder,
                                    ranges: ranges.clone(),
                                    label: format!(
                                        "Auto-code “{}” as “{}”",
                                        result.query,
                                        a.path.trim()
                                    ),
                                }));
                                close = true;
                            } else {
                                out.push(Command::Error(
                                    "Choose who is coding first (the coder menu), then code the hits.".into(),
                                ));
                            }
                        }
                    }
                    Some(Err(e)) => {
                        ui.colored_label(ui.visuals().error_fg_color, e);
                    }
                    None => {}
                }
                if ui.button("Cancel").clicked() {
                    close = true;
                }
            });
        });
        if close {
            self.autocode = None;
        }
    }
}

fn unit_label(u: CodeUnit) -> &'static str {
    match u {
        CodeUnit::Match => "hit (the words found)",
        CodeUnit::Sentence => "sentence",
        CodeUnit::Paragraph => "paragraph",
        CodeUnit::Turn => "speaker turn",
    }
}

fn hit_row(ui: &mut Ui, h: &crate::analysis::search::SearchHit, out: &mut Vec<Command>) {
    let visuals = ui.visuals().clone();
    let mut meta = h.document.clone();
    if let Some(s) = &h.speaker {
        meta.push_str(" · ");
        meta.push_str(s);
    }
    if let Some(c) = &h.case {
        meta.push_str(" · case ");
        meta.push_str(c);
    }
    meta.push_str(&format!(" · {}–{}", h.start, h.end));
    let label = format!("{} {} {}", h.before, h.text, h.after);
    let resp = ui
        .scope_builder(egui::UiBuilder::new().sense(egui::Sense::click()), |ui| {
            ui.set_width(ui.available_width());
            ui.add(egui::Label::new(RichText::new(&meta).weak().small()).selectable(false));
            let font: FontId = egui::TextStyle::Body.resolve(ui.style());
            let mut job = LayoutJob::default();
            let weak = TextFormat::simple(font.clone(), visuals.text_color());
            let strong = TextFormat {
                background: visuals.selection.bg_fill.gamma_multiply(0.6),
                ..TextFormat::simple(font, visuals.strong_text_color())
            };
            job.append(&h.before, 0.0, weak.clone());
            job.append(&h.text, 0.0, strong);
            job.append(&h.after, 0.0, weak);
            job.wrap.max_width = ui.available_width();
            job.wrap.max_rows = 1;
            ui.add(egui::Label::new(job).selectable(false).truncate());
        })
        .response;
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Button, true, &label));
    if resp.hovered() {
        ui.painter().rect_filled(
            resp.rect,
            2.0,
            visuals.widgets.hovered.weak_bg_fill.gamma_multiply(0.3),
        );
    }
    if resp.clicked() {
        out.push(Command::JumpTo {
            doc: h.doc,
            coding: None,
            start: h.start,
            end: h.end,
        });
        out.push(Command::ShowTab(Tab::Transcript));
    }
    resp.on_hover_text("Open in the transcript");
    ui.add_space(2.0);
}
