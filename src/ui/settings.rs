//! What the app remembers between runs (besides window size and panel layout, which eframe
//! and egui keep): the last project, recent projects, theme, zoom and the open tab.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::view::Tab;

/// Storage key in eframe's persistence.
pub const KEY: &str = "weft-settings";

/// Remembered preferences.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The project open when the app last closed.
    pub last_project: Option<PathBuf>,
    /// Recently opened projects, newest first.
    pub recent: Vec<PathBuf>,
    /// Dark theme (light when false).
    pub dark: bool,
    /// Zoom factor.
    pub zoom: f32,
    /// The central tab.
    pub tab: Tab,
    /// Show the coding stripes margin.
    pub stripes: bool,
    /// Start frequency and segment exports with their provenance (project, date, version,
    /// filters, scope).
    pub export_provenance: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            last_project: None,
            recent: Vec::new(),
            dark: false,
            zoom: 1.0,
            tab: Tab::Transcript,
            stripes: true,
            export_provenance: true,
        }
    }
}

impl Settings {
    /// Records that `path` was opened.
    pub fn opened(&mut self, path: &Path) {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_owned());
        self.recent.retain(|p| *p != path);
        self.recent.insert(0, path.clone());
        self.recent.truncate(10);
        self.last_project = Some(path);
    }
}

/// Where the demo project lives on first run: the user's data directory.
pub fn demo_path() -> PathBuf {
    directories::ProjectDirs::from("org", "Weft", "Weft")
        .map(|d| d.data_dir().to_owned())
        .unwrap_or_else(|| std::env::temp_dir().join("weft"))
        .join("Weft demo.weft")
}
