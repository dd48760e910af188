//! stub
use super::view::{Command, ProjectView};
use crate::model::CodeId;
#[derive(Default)]
pub struct CodebookPanel {
    _stub: (),
}
impl CodebookPanel {
    pub fn ui(
        &mut self,
        _ui: &mut egui::Ui,
        _v: &ProjectView,
        _s: Option<CodeId>,
        _h: bool,
        _o: &mut Vec<Command>,
    ) {
    }
}
