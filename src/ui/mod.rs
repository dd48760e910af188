//! The desktop app (egui/eframe): the only module that names egui.
//!
//! [`app::WeftApp`] owns the project's [`crate::session::Session`] (the one door for edits) and
//! the panels; each panel lives in its own file and talks
//! to the app through [`view::ProjectView`] (what to draw) and [`view::Command`] (what the
//! user asked for).

pub mod app;
pub mod attributes;
pub mod cases;
pub mod codebook;
pub mod documents;
pub mod frequencies;
pub mod inline_rename;
pub mod jobs;
pub mod memos;
pub mod scope_bar;
pub mod segments;
pub mod settings;
pub mod transcript;
pub mod view;

pub use app::WeftApp;

/// Runs the desktop app on `project` (or the last project, or the demo).
pub fn run(project: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Weft")
            .with_app_id("weft")
            .with_inner_size([1400.0, 900.0])
            .with_min_inner_size([800.0, 500.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "Weft",
        options,
        Box::new(move |cc| Ok(Box::new(WeftApp::new(cc, project)))),
    )
    .map_err(|e| anyhow::anyhow!("the window could not be opened: {e}"))
}
