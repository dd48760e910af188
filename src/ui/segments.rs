//! stub
use super::view::{Command, ProjectView};
use crate::model::CodeId;
use crate::store::Db;
#[derive(Default)]
pub struct SegmentsView;
impl SegmentsView {
    pub fn ui(
        &mut self,
        _ui: &mut egui::Ui,
        _db: Db<'_>,
        _v: &ProjectView,
        _s: Option<CodeId>,
        _o: &mut Vec<Command>,
    ) {
    }
}
