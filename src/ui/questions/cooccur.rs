//! Co-occurrence of codes.

use egui::Ui;

use crate::store::Db;
use crate::ui::view::{Command, ProjectView};

/// Co-occurrence of codes.
#[derive(Default)]
pub struct CooccurView {}

impl CooccurView {
    /// Draws the view.
    pub fn ui(&mut self, ui: &mut Ui, _db: Db<'_>, _view: &ProjectView, _out: &mut Vec<Command>) {
        ui.weak("Not built yet.");
    }
}
