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
pub mod dialogs;
pub mod documents;
pub mod frequencies;
pub mod inline_rename;
pub mod jobs;
pub mod memos;
pub mod phases;
pub mod questions;
pub mod review;
pub mod scope_bar;
pub mod search;
pub mod segments;
pub mod settings;
pub mod thematic_map;
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
    let probe = std::env::var_os("WEFT_STARTUP_PROBE").is_some();
    eframe::run_native(
        "Weft",
        options,
        Box::new(move |cc| {
            let app = WeftApp::new(cc, project);
            Ok(if probe {
                Box::new(StartupProbe { app, frames: 0 }) as Box<dyn eframe::App>
            } else {
                Box::new(app)
            })
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window could not be opened: {e}"))
}

/// With `WEFT_STARTUP_PROBE` set, the app prints the wall-clock time (Unix milliseconds) at
/// which its first frame had been presented, then closes: `examples/bench_startup.sh` measures
/// the real binary from start to first frame with it.
struct StartupProbe {
    app: WeftApp,
    frames: u32,
}

impl eframe::App for StartupProbe {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.frames += 1;
        match self.frames {
            1 => ui.ctx().request_repaint(),
            2 => {
                let ms = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis());
                #[allow(clippy::print_stderr)] // the probe's one line of output
                {
                    eprintln!("weft-first-frame-ms {ms}");
                }
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            }
            _ => {}
        }
        self.app.ui(ui, frame);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.app.save(storage);
    }

    fn on_exit(&mut self, gl: Option<&eframe::glow::Context>) {
        self.app.on_exit(gl);
    }
}
