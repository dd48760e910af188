//! Weft: qualitative coding of interview transcripts.
//!
//! Layers, each using only those below it:
//! - [`ui`]: the egui desktop app (the only module that names egui);
//! - [`actions`]: user edits as values, applied in one transaction each, with undo/redo;
//! - [`store`]: the `.weft` project file (SQLite), migrations and the read/write API;
//! - [`model`]: plain data types.
//!
//! Beside them, [`import`], [`export`] and [`analysis`] use the model and the store's read API,
//! and [`text`] owns every conversion between text position units.

pub mod model;
pub mod store;
pub mod text;
pub mod actions;
pub mod analysis;
pub mod export;
pub mod ui;
