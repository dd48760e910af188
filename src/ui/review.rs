//! Reviewing themes, in Braun and Clarke's two levels: level 1, every extract of one theme's
//! codes, each marked as fitting or not; level 2, theme × case and theme × document grids.

use egui::Ui;

use super::view::{Command, ProjectView};
use crate::store::Db;

/// The review tab.
#[derive(Default)]
pub struct ReviewView {}

impl ReviewView {
    /// Draws the review.
    pub fn ui(&mut self, ui: &mut Ui, _db: Db<'_>, _view: &ProjectView, _out: &mut Vec<Command>) {
        ui.weak("Reviewing themes is being built.");
    }
}
