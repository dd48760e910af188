//! Coding queries.

use egui::Ui;

use crate::store::Db;
use crate::ui::view::{Command, ProjectView};

/// Coding queries.
#[derive(Default)]
pub struct QueryView {}

impl QueryView {
    /// Draws the view.
    pub fn ui(&mut self, ui: &mut Ui, _db: Db<'_>, _view: &ProjectView, _out: &mut Vec<Command>) {
        ui.weak("Not built yet.");
    }
}
