//! The Questions tab: asking questions of the data and of the coding. Each question has its
//! own view in its own file (coding queries, co-occurrence, crosstabs, word frequencies,
//! "find passages like these"); this file only switches between them.

use egui::Ui;

use super::view::{Command, ProjectView};
use crate::store::Db;

pub mod cooccur;
pub mod crosstab;
pub mod query;
pub mod similar;
pub mod words;

/// Which question the tab shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Question {
    /// Passages that satisfy a Boolean combination of codes.
    #[default]
    Query,
    /// Which codes occur together.
    Cooccur,
    /// Codes by the values of an attribute.
    Crosstab,
    /// Word frequencies.
    Words,
    /// Passages like a code's coded extracts.
    Similar,
}

impl Question {
    /// Every question, in display order.
    pub const ALL: [Question; 5] = [
        Question::Query,
        Question::Cooccur,
        Question::Crosstab,
        Question::Words,
        Question::Similar,
    ];

    /// The question's title.
    pub fn title(self) -> &'static str {
        match self {
            Question::Query => "Coding query",
            Question::Cooccur => "Co-occurrence",
            Question::Crosstab => "Crosstab",
            Question::Words => "Word frequencies",
            Question::Similar => "Like these",
        }
    }
}

/// The Questions tab.
#[derive(Default)]
pub struct QuestionsView {
    /// The question shown.
    pub question: Question,
    /// Coding queries.
    pub query: query::QueryView,
    /// Co-occurrence.
    pub cooccur: cooccur::CooccurView,
    /// Crosstabs.
    pub crosstab: crosstab::CrosstabView,
    /// Word frequencies.
    pub words: words::WordsView,
    /// "Find passages like these".
    pub similar: similar::SimilarView,
}

impl QuestionsView {
    /// Draws the question chooser and the chosen question.
    pub fn ui(&mut self, ui: &mut Ui, db: Db<'_>, view: &ProjectView, out: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            for q in Question::ALL {
                if ui.selectable_label(self.question == q, q.title()).clicked() {
                    self.question = q;
                }
            }
        });
        ui.separator();
        match self.question {
            Question::Query => self.query.ui(ui, db, view, out),
            Question::Cooccur => self.cooccur.ui(ui, db, view, out),
            Question::Crosstab => self.crosstab.ui(ui, db, view, out),
            Question::Words => self.words.ui(ui, db, view, out),
            Question::Similar => self.similar.ui(ui, db, view, out),
        }
    }
}
