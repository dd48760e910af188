//! stub
use super::view::{Command, ProjectView};
use crate::model::DocId;
#[derive(Default)]
pub struct DocumentsPanel {
    _stub: (),
}
impl DocumentsPanel {
    pub fn ui(
        &mut self,
        _ui: &mut egui::Ui,
        _v: &ProjectView,
        _s: Option<DocId>,
        _o: &mut Vec<Command>,
    ) {
    }
}
