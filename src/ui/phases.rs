//! The six phases of thematic analysis, each with what it asks and its progress, computed
//! from the project's state.

use egui::Ui;

use super::view::{Command, ProjectView};
use crate::store::Db;

/// The phases tab.
#[derive(Default)]
pub struct PhasesView {}

impl PhasesView {
    /// Draws the phases.
    pub fn ui(&mut self, ui: &mut Ui, _db: Db<'_>, _view: &ProjectView, _out: &mut Vec<Command>) {
        ui.weak("The phases panel is being built.");
    }
}
