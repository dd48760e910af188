//! File ▸ Import survey…: a small window that previews a survey table's columns (name and
//! first answers) and lets the researcher tick the open-text answers and pick the respondent
//! ID; importing is one action and one undo step ([`crate::import::survey`]).

use std::path::PathBuf;

use super::WeftApp;
use crate::import::survey::{SurveyOptions, Table, guess_columns, read_survey, read_table};

/// The open survey window.
pub(super) struct SurveyDialog {
    path: PathBuf,
    table: Table,
    sheet: Option<String>,
    answers: Vec<bool>,
    id: Option<usize>,
}

impl SurveyDialog {
    fn new(path: PathBuf, table: Table, sheet: Option<String>) -> Self {
        let (id, texts) = guess_columns(&table);
        let answers = (0..table.headers.len())
            .map(|c| texts.contains(&c))
            .collect();
        Self {
            path,
            table,
            sheet,
            answers,
            id,
        }
    }

    fn options(&self) -> SurveyOptions {
        SurveyOptions {
            text_columns: self
                .table
                .headers
                .iter()
                .zip(&self.answers)
                .filter(|(_, on)| **on)
                .map(|(h, _)| h.clone())
                .collect(),
            id_column: self.id.and_then(|i| self.table.headers.get(i).cloned()),
            sheet: self.sheet.clone(),
        }
    }

    /// Draws the preview; `Some(true)` to import, `Some(false)` to close, or a sheet to show.
    fn ui(&mut self, ui: &mut egui::Ui) -> (Option<bool>, Option<String>) {
        let mut switch = None;
        ui.label(format!(
            "{} respondents, {} columns. Tick the open-text answers; each respondent becomes a \
             document and a case, and the other columns become the case's attributes.",
            self.table.rows.len(),
            self.table.headers.len()
        ));
        if self.table.sheets.len() > 1 {
            let current = self
                .sheet
                .clone()
                .or_else(|| self.table.sheets.first().cloned())
                .unwrap_or_default();
            egui::ComboBox::from_label("Sheet")
                .selected_text(current.as_str())
                .show_ui(ui, |ui| {
                    for s in &self.table.sheets {
                        if ui.selectable_label(*s == current, s.as_str()).clicked() && *s != current
                        {
                            switch = Some(s.clone());
                        }
                    }
                });
        }
        ui.add_space(4.0);
        egui::ScrollArea::vertical()
            .max_height(ui.ctx().content_rect().height() * 0.55)
            .show(ui, |ui| {
                egui::Grid::new("survey-columns")
                    .num_columns(4)
                    .striped(true)
                    .spacing([12.0, 6.0])
                    .show(ui, |ui| {
                        ui.strong("Column");
                        ui.strong("First answers");
                        ui.strong("Answer");
                        ui.strong("ID");
                        ui.end_row();
                        for c in 0..self.table.headers.len() {
                            ui.label(self.table.headers[c].as_str());
                            let sample: Vec<String> = self
                                .table
                                .rows
                                .iter()
                                .filter_map(|r| r.get(c))
                                .filter(|v| !v.trim().is_empty())
                                .take(3)
                                .map(|v| crate::text::ellipsize(v.trim(), 40).replace('\n', " "))
                                .collect();
                            ui.add(
                                egui::Label::new(egui::RichText::new(sample.join(" · ")).weak())
                                    .truncate(),
                            );
                            let name = &self.table.headers[c];
                            ui.checkbox(&mut self.answers[c], "")
                                .on_hover_text("An open-text answer: it becomes text to code")
                                .accessible_name(format!("Answer column {name}"));
                            if ui
                                .radio(self.id == Some(c), "")
                                .on_hover_text("The respondent's ID: it names the case")
                                .accessible_name(format!("ID column {name}"))
                                .clicked()
                            {
                                self.id = if self.id == Some(c) { None } else { Some(c) };
                                if self.id == Some(c) {
                                    self.answers[c] = false;
                                }
                            }
                            ui.end_row();
                        }
                    });
            });
        ui.add_space(6.0);
        let chosen = self.answers.iter().filter(|a| **a).count();
        let mut done = None;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    chosen > 0,
                    egui::Button::new(format!("Import {} respondents", self.table.rows.len())),
                )
                .on_disabled_hover_text("Tick at least one open-text answer column")
                .clicked()
            {
                done = Some(true);
            }
            if ui.button("Cancel").clicked() {
                done = Some(false);
            }
        });
        (done, switch)
    }
}

impl WeftApp {
    /// Opens the survey window for the table at `path`, or says why it cannot be read.
    pub(super) fn open_survey(&mut self, path: PathBuf, sheet: Option<String>) {
        match read_table(&path, sheet.as_deref()) {
            Ok(table) => self.survey = Some(SurveyDialog::new(path, table, sheet)),
            Err(e) => self.error(e.to_string()),
        }
    }

    /// Draws the survey window, if open, and imports as one action.
    pub(super) fn survey_ui(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.survey else {
            return;
        };
        let mut open = true;
        let (done, switch) = egui::Window::new("Import survey")
            .id(egui::Id::unique("survey-import"))
            .open(&mut open)
            .collapsible(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .min_width(460.0_f32.min(ctx.content_rect().width() - 40.0))
            .max_width(720.0_f32.min(ctx.content_rect().width() - 40.0))
            .show(ctx, |ui| dialog.ui(ui))
            .and_then(|r| r.inner)
            .unwrap_or((None, None));
        if let Some(sheet) = switch {
            let path = dialog.path.clone();
            return self.open_survey(path, Some(sheet));
        }
        match (open, done) {
            (_, Some(true)) => {
                let (path, opts) = (dialog.path.clone(), dialog.options());
                self.survey = None;
                match read_survey(&path, &opts) {
                    Ok(mut survey) => {
                        let n = survey.respondents;
                        self.edit(survey.take_action(&path));
                        self.notice(format!("Imported {n} respondents as documents and cases"));
                    }
                    Err(e) => self.error(e.to_string()),
                }
            }
            (false, _) | (_, Some(false)) => self.survey = None,
            _ => {}
        }
    }
}
