//! The thematic map: themes and codes as nodes, links as edges, on a canvas that can be
//! dragged, zoomed and exported.

use egui::Ui;

use super::view::{Command, ProjectView};
use crate::store::Db;

/// The thematic map tab.
#[derive(Default)]
pub struct MapView {}

impl MapView {
    /// Draws the map.
    pub fn ui(&mut self, ui: &mut Ui, _db: Db<'_>, _view: &ProjectView, _out: &mut Vec<Command>) {
        ui.weak("The thematic map is being built.");
    }
}
