//! The egui desktop GUI. This is the only module that names egui: everything below it (model,
//! store, text) stays GUI-free.

pub mod transcript;
