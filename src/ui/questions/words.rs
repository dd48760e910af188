//! Word frequencies.

use egui::Ui;

use crate::store::Db;
use crate::ui::view::{Command, ProjectView};

/// Word frequencies.
#[derive(Default)]
pub struct WordsView {}

impl WordsView {
    /// Draws the view.
    pub fn ui(&mut self, ui: &mut Ui, _db: Db<'_>, _view: &ProjectView, _out: &mut Vec<Command>) {
        ui.weak("Not built yet.");
    }
}
