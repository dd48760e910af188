//! The six phases of thematic analysis, each with what it asks and its progress, computed
//! from the project's state: nothing here is ticked by hand. Each phase lists the journal
//! entries written for it and offers to write one.

use egui::{Color32, RichText, ScrollArea, Stroke, Ui};

use super::view::{Command, ProjectView};
use crate::actions::{Action, ThemeAction};
use crate::analysis::phases::{Phase, current_phase, phases};
use crate::store::Db;

/// A journal entry being written for a phase.
#[derive(Debug, Default)]
struct Draft {
    phase: u8,
    title: String,
    body: String,
}

/// The phases tab.
#[derive(Default)]
pub struct PhasesView {
    /// `(version, phases)`.
    cache: Option<(u64, Result<Vec<Phase>, String>)>,
    draft: Option<Draft>,
    /// The egui pass the tab was last drawn in (a gap means a new visit: reading progress
    /// and milestones are recorded outside the edits, so a visit reads again).
    last_pass: u64,
}

impl PhasesView {
    /// Draws the phases.
    pub fn ui(&mut self, ui: &mut Ui, db: Db<'_>, view: &ProjectView, out: &mut Vec<Command>) {
        let pass = ui.ctx().cumulative_pass_nr();
        let new_visit = pass > self.last_pass + 1;
        self.last_pass = pass;
        let fresh = matches!(&self.cache, Some((v, _)) if *v == view.version);
        if !fresh || new_visit {
            self.cache = Some((view.version, phases(db).map_err(|e| e.to_string())));
        }
        let Some((_, got)) = &self.cache else { return };
        let list = match got {
            Ok(p) => p.clone(),
            Err(e) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Could not read the project's progress: {e}"),
                );
                return;
            }
        };
        let current = current_phase(&list);
        ScrollArea::vertical()
            .id_salt("phases")
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.set_max_width(ui.available_width().min(860.0));
                ui.add_space(6.0);
                let name = list
                    .iter()
                    .find(|p| p.number == current)
                    .map_or("", |p| p.name);
                ui.label(
                    RichText::new(format!("You are in phase {current} of 6: {name}"))
                        .heading()
                        .strong(),
                );
                ui.label(
                    "Braun and Clarke's six phases of reflexive thematic analysis. They are not \
                     a ladder: you will move back and forth between them. The progress below is \
                     read from your project, never ticked by hand; it shows what is done, not \
                     whether the analysis is good.",
                );
                ui.add_space(8.0);
                for p in &list {
                    self.card(ui, p, p.number == current, view, out);
                    ui.add_space(8.0);
                }
            });
    }

    fn card(
        &mut self,
        ui: &mut Ui,
        p: &Phase,
        current: bool,
        view: &ProjectView,
        out: &mut Vec<Command>,
    ) {
        let accent = ui.visuals().selection.stroke.color;
        let stroke = if current {
            Stroke::new(2.0, accent)
        } else {
            ui.visuals().widgets.noninteractive.bg_stroke
        };
        egui::Frame::group(ui.style())
            .stroke(stroke)
            .inner_margin(12.0)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.push_id(("phase", p.number), |ui| {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(
                            RichText::new(format!("{}  {}", p.number, p.name))
                                .size(18.0)
                                .strong(),
                        );
                        if current {
                            ui.label(RichText::new("you are here").color(accent));
                        } else if p.progress() >= 1.0 {
                            ui.weak("done, as far as the data shows");
                        }
                    });
                    ui.add_space(2.0);
                    ui.label(p.asks);
                    ui.add_space(6.0);
                    for m in &p.measures {
                        progress_line(ui, m.fraction() as f32, &m.text);
                    }
                    for a in &p.advice {
                        ui.add_space(6.0);
                        egui::Frame::new()
                            .fill(ui.visuals().faint_bg_color)
                            .stroke(Stroke::new(1.0, ui.visuals().warn_fg_color))
                            .inner_margin(8.0)
                            .corner_radius(4.0)
                            .show(ui, |ui| {
                                ui.set_width(ui.available_width());
                                ui.label(RichText::new("Advice").strong());
                                ui.label(a);
                            });
                    }
                    ui.add_space(6.0);
                    if !p.notes.is_empty() {
                        ui.label(RichText::new("Journal").strong());
                        for n in &p.notes {
                            ui.horizontal_wrapped(|ui| {
                                let title = if n.title.trim().is_empty() {
                                    "(untitled)"
                                } else {
                                    n.title.as_str()
                                };
                                let memo = view.memos.iter().find(|m| m.guid == n.guid);
                                if let Some(m) = memo {
                                    if ui.link(title).on_hover_text("Open in Memos").clicked() {
                                        out.push(Command::OpenMemo(m.id));
                                    }
                                } else {
                                    ui.label(title);
                                }
                                ui.weak(n.created_at.get(..10).unwrap_or(&n.created_at));
                            });
                        }
                    }
                    self.editor(ui, p, view, out);
                });
            });
    }

    fn editor(&mut self, ui: &mut Ui, p: &Phase, view: &ProjectView, out: &mut Vec<Command>) {
        let open = self.draft.as_ref().is_some_and(|d| d.phase == p.number);
        if !open {
            if ui
                .button("Write a journal entry for this phase…")
                .on_hover_text("Reflect on what you did and noticed in this phase")
                .clicked()
            {
                self.draft = Some(Draft {
                    phase: p.number,
                    title: format!("Phase {}: {}", p.number, p.name),
                    body: String::new(),
                });
            }
            return;
        }
        let Some(d) = &mut self.draft else { return };
        ui.add_space(4.0);
        ui.label(RichText::new("New journal entry").strong());
        ui.add(
            egui::TextEdit::singleline(&mut d.title)
                .hint_text("Title")
                .desired_width(f32::INFINITY),
        );
        ui.add(
            egui::TextEdit::multiline(&mut d.body)
                .hint_text("What did you do, notice, decide? How might your own position shape it?")
                .desired_rows(5)
                .desired_width(f32::INFINITY),
        );
        let mut close = false;
        ui.horizontal(|ui| {
            let ready = !d.title.trim().is_empty() || !d.body.trim().is_empty();
            if ui
                .add_enabled(ready, egui::Button::new("Save entry"))
                .clicked()
            {
                out.push(Command::Edit(Action::Theme(ThemeAction::PhaseNote {
                    phase: p.number,
                    title: d.title.trim().to_owned(),
                    body: d.body.clone(),
                    coder: view.coder,
                })));
                close = true;
            }
            if ui.button("Cancel").clicked() {
                close = true;
            }
        });
        if close {
            self.draft = None;
        }
    }
}

/// A slim bar with its words beside it (text on a filled bar is hard to read).
pub(crate) fn progress_line(ui: &mut Ui, fraction: f32, text: &str) {
    ui.horizontal(|ui| {
        let mut bar = egui::ProgressBar::new(fraction)
            .desired_width(140.0)
            .desired_height(10.0);
        if fraction >= 1.0 {
            bar = bar.fill(Color32::from_rgb(60, 140, 80));
        }
        ui.add(bar);
        ui.label(text);
    });
}
