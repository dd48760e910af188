//! stub
use super::view::{Command, ProjectView};
use crate::store::Db;
#[derive(Default)]
pub struct FrequenciesView;
impl FrequenciesView {
    pub fn ui(&mut self, _ui: &mut egui::Ui, _db: Db<'_>, _v: &ProjectView, _o: &mut Vec<Command>) {
    }
}
