//! stub
use super::view::{Command, ProjectView};
#[derive(Default)]
pub struct MemosView;
impl MemosView {
    pub fn ui(&mut self, _ui: &mut egui::Ui, _v: &ProjectView, _o: &mut Vec<Command>) {}
}
