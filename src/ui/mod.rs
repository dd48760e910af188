//! The desktop app (egui/eframe). The only module that names egui.

pub mod codebook;
pub mod documents;
pub mod view;
