//! After an import: the offer to make cases from the transcripts' speaker labels. One row per
//! participant label (the interviewer left out): a new case, a link to an existing case
//! (chosen at once, with a warning, when a case of that name exists), or nothing. Applying
//! is one [`Action::LinkSpeakers`], one undo step.

use egui::{Color32, RichText};

use super::WeftApp;
use crate::actions::{Action, CaseChoice, SpeakerProposal, propose_speaker_links};
use crate::model::{Case, CaseId, DocId};

/// What one row will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    New,
    Existing(CaseId),
    Ignore,
}

/// The open offer.
pub(super) struct SpeakerCases {
    rows: Vec<(SpeakerProposal, Choice)>,
    /// The cases that existed when the offer was made, to link to.
    cases: Vec<Case>,
}

impl SpeakerCases {
    /// The offer for the documents just imported, or `None` when none has a participant label.
    pub(super) fn offer(
        docs: &[(DocId, String, Vec<crate::model::Turn>)],
        cases: &[Case],
    ) -> Option<Self> {
        let rows: Vec<_> = propose_speaker_links(docs, cases)
            .into_iter()
            .map(|p| {
                let choice = p
                    .existing
                    .as_ref()
                    .map_or(Choice::New, |(id, _)| Choice::Existing(*id));
                (p, choice)
            })
            .collect();
        (!rows.is_empty()).then(|| Self {
            rows,
            cases: cases.to_vec(),
        })
    }

    /// The one action the rows make, or `None` when every row is ignored.
    fn to_edit(&self) -> Option<Action> {
        let links: Vec<_> = self
            .rows
            .iter()
            .filter_map(|(p, choice)| match choice {
                Choice::New => Some(p.link(CaseChoice::New(p.speaker.clone()))),
                Choice::Existing(c) => Some(p.link(CaseChoice::Existing(*c))),
                Choice::Ignore => None,
            })
            .collect();
        (!links.is_empty()).then_some(Action::LinkSpeakers(links))
    }

    fn case_name(&self, id: CaseId) -> &str {
        self.cases
            .iter()
            .find(|c| c.id == id)
            .map_or("?", |c| c.name.as_str())
    }

    fn choice_text(&self, p: &SpeakerProposal, c: Choice) -> String {
        match c {
            Choice::New => format!("New case “{}”", p.speaker),
            Choice::Existing(id) => format!("Link to case “{}”", self.case_name(id)),
            Choice::Ignore => "Ignore".to_owned(),
        }
    }

    /// Draws the rows; returns whether the user applied (`Some(true)`) or dismissed
    /// (`Some(false)`) the offer.
    fn ui(&mut self, ui: &mut egui::Ui) -> Option<bool> {
        ui.label(
            "The imported transcripts name these participants. Make a case for each, or link \
             it to a case you have; the interviewer is left out.",
        );
        ui.add_space(6.0);
        let warn = if ui.visuals().dark_mode {
            Color32::from_rgb(240, 190, 90)
        } else {
            Color32::from_rgb(150, 85, 0)
        };
        let mut done = None;
        egui::ScrollArea::vertical()
            .max_height(ui.ctx().content_rect().height() * 0.6)
            .show(ui, |ui| {
                egui::Grid::new("speaker-cases-offer")
                    .num_columns(2)
                    .min_col_width(180.0)
                    .spacing([12.0, 8.0])
                    .striped(true)
                    .show(ui, |ui| {
                        for i in 0..self.rows.len() {
                            let (p, choice) = self.rows[i].clone();
                            ui.vertical(|ui| {
                                ui.set_width(180.0);
                                ui.strong(p.speaker.as_str());
                                ui.weak(if p.whole_document {
                                    format!("the participant of “{}”", p.doc_name)
                                } else {
                                    format!("a speaker in “{}”", p.doc_name)
                                });
                            });
                            ui.vertical(|ui| {
                                let mut chosen = choice;
                                // Ignore near the top: the list of cases can be long.
                                let mut options = vec![Choice::New, Choice::Ignore];
                                options.extend(self.cases.iter().map(|c| Choice::Existing(c.id)));
                                egui::ComboBox::from_id_salt(("speaker-case-offer", i))
                                    .selected_text(self.choice_text(&p, choice))
                                    .width(220.0)
                                    .show_ui(ui, |ui| {
                                        for o in options {
                                            let text = self.choice_text(&p, o);
                                            ui.selectable_value(&mut chosen, o, text);
                                        }
                                    })
                                    .response
                                    .accessible_name(format!(
                                        "Case for {} in {}",
                                        p.speaker, p.doc_name
                                    ));
                                if let Some((id, name)) = &p.existing
                                    && chosen == Choice::Existing(*id)
                                {
                                    ui.label(
                                        RichText::new(format!(
                                            "⚠ {} matches the existing case {name}; linking",
                                            p.speaker
                                        ))
                                        .color(warn),
                                    );
                                }
                                self.rows[i].1 = chosen;
                            });
                            ui.end_row();
                        }
                    });
            });
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let n = self
                .rows
                .iter()
                .filter(|(_, c)| *c != Choice::Ignore)
                .count();
            if ui
                .add_enabled(n > 0, egui::Button::new("Create and link cases"))
                .on_hover_text("One step: Edit ▸ Undo takes it all back")
                .clicked()
            {
                done = Some(true);
            }
            if ui.button("Not now").clicked() {
                done = Some(false);
            }
        });
        done
    }
}

impl WeftApp {
    /// Offers cases for the participants of the documents just imported.
    pub(super) fn offer_speaker_cases(&mut self, docs: &[(DocId, String)]) {
        let Some(session) = &self.session else { return };
        let db = session.read();
        let mut with_turns = Vec::with_capacity(docs.len());
        for (id, name) in docs {
            match db.turns(*id) {
                Ok(t) => with_turns.push((*id, name.clone(), t)),
                Err(e) => return self.error(format!("could not read the speakers: {e}")),
            }
        }
        match db.cases() {
            Ok(cases) => self.speaker_cases = SpeakerCases::offer(&with_turns, &cases),
            Err(e) => self.error(format!("could not read the cases: {e}")),
        }
    }

    /// Draws the offer, if open, and applies it as one action.
    pub(super) fn speaker_cases_ui(&mut self, ctx: &egui::Context) {
        let Some(offer) = &mut self.speaker_cases else {
            return;
        };
        // A window, not a modal: a combo box's list inside a modal lies under its backdrop,
        // so a choice there would dismiss the offer.
        let mut open = true;
        let done = egui::Window::new("Cases from speaker labels")
            .id(egui::Id::unique("speaker-cases-offer"))
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .min_width(440.0_f32.min(ctx.content_rect().width() - 40.0))
            .max_width(560.0_f32.min(ctx.content_rect().width() - 40.0))
            .show(ctx, |ui| offer.ui(ui))
            .and_then(|r| r.inner)
            .flatten();
        let done = if open { done } else { Some(false) };
        match done {
            Some(true) => {
                let action = offer.to_edit();
                self.speaker_cases = None;
                if let Some(a) = action {
                    self.edit(a);
                }
            }
            Some(false) => self.speaker_cases = None,
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_rows_are_left_out_of_the_one_action() {
        let turns = crate::import::detect_turns("MODERATOR: Hi\nZOE: Hey\nP01: Yo\nZOE: Ok\n");
        let cases = vec![Case {
            id: CaseId(4),
            guid: String::new(),
            name: "p01".into(),
            memo: String::new(),
        }];
        let mut offer = SpeakerCases::offer(&[(DocId(1), "fg".into(), turns)], &cases).unwrap();
        assert_eq!(offer.rows.len(), 2);
        assert_eq!(offer.rows[1].1, Choice::Existing(CaseId(4)));
        offer.rows[0].1 = Choice::Ignore;
        let Some(Action::LinkSpeakers(links)) = offer.to_edit() else {
            panic!("one action")
        };
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].speaker.as_deref(), Some("P01"));
        offer.rows[1].1 = Choice::Ignore;
        assert!(offer.to_edit().is_none());
        assert!(SpeakerCases::offer(&[(DocId(1), "x".into(), vec![])], &cases).is_none());
    }
}
