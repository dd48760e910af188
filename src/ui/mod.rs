//! The desktop app (egui/eframe). The only module that names egui.

pub mod frequencies;
pub mod memos;
pub mod scope_bar;
pub mod segments;
pub mod view;
