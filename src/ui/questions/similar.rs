//! Find passages like these.

use egui::Ui;

use crate::store::Db;
use crate::ui::view::{Command, ProjectView};

/// Find passages like these.
#[derive(Default)]
pub struct SimilarView {}

impl SimilarView {
    /// Draws the view.
    pub fn ui(&mut self, ui: &mut Ui, _db: Db<'_>, _view: &ProjectView, _out: &mut Vec<Command>) {
        ui.weak("Not built yet.");
    }
}
