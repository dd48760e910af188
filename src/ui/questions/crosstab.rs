//! Crosstabs of codes by attribute.

use egui::Ui;

use crate::store::Db;
use crate::ui::view::{Command, ProjectView};

/// Crosstabs of codes by attribute.
#[derive(Default)]
pub struct CrosstabView {}

impl CrosstabView {
    /// Draws the view.
    pub fn ui(&mut self, ui: &mut Ui, _db: Db<'_>, _view: &ProjectView, _out: &mut Vec<Command>) {
        ui.weak("Not built yet.");
    }
}
