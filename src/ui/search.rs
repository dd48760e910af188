//! Project-wide search (Ctrl+Shift+F): keyword-in-context hits, a click jumps to one, and
//! "Code all hits…" codes them as one undoable action.

use egui::Ui;

use super::view::{Command, ProjectView};
use crate::store::Db;

/// The Search tab.
#[derive(Default)]
pub struct SearchView {}

impl SearchView {
    /// Draws the view.
    pub fn ui(&mut self, ui: &mut Ui, _db: Db<'_>, _view: &ProjectView, _out: &mut Vec<Command>) {
        ui.weak("Not built yet.");
    }
}
