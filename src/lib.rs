//! Weft: qualitative coding of interview transcripts.
//!
//! Layers, each using only those below it:
//! - [`ui`]: the egui desktop app (the only module that names egui);
//! - [`session`]: the one door for edits (GUI and CLI alike): applies [`actions`], undo, redo,
//!   and says what changed;
//! - [`actions`]: user edits as values, each one transaction and one undo step;
//! - [`store`]: the `.weft` project file (SQLite), migrations and the read/write API;
//! - [`model`]: plain data types.
//!
//! Beside them, [`import`], [`export`] and [`analysis`] use the model and its read interface
//! ([`model::ProjectRead`], implemented by the store) — no SQL, no writes —
//! and [`text`] owns every conversion between text position units.

pub mod actions;
pub mod analysis;
pub mod cli;
pub mod demo;
pub mod export;
pub mod import;
pub mod model;
pub mod session;
pub mod store;
pub mod text;
pub mod ui;
