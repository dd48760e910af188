//! Exports: the coded segments table ("quote table") and the frequency report, each encoded
//! once here as CSV, JSON or Markdown, so the command line and the GUI write the same bytes
//! for the same report. Data comes through the read interface
//! ([`ProjectRead`](crate::model::ProjectRead)): no SQL, no writes.

pub mod report;
pub mod segments;

pub use segments::{SegmentRow, coded_segments};

use crate::analysis::AnalysisError;
use crate::model::ReadError;

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The project could not be read.
    #[error("could not read the project to export it: {0}")]
    Read(ReadError),
    /// The report behind the export could not be computed.
    #[error("{0}")]
    Analysis(AnalysisError),
    /// Writing the CSV failed.
    #[error("could not write the CSV: {0}")]
    Csv(String),
    /// Writing the JSON failed.
    #[error("could not write the JSON: {0}")]
    Json(String),
}

impl From<ReadError> for ExportError {
    fn from(e: ReadError) -> Self {
        Self::Read(e)
    }
}

impl From<AnalysisError> for ExportError {
    fn from(e: AnalysisError) -> Self {
        Self::Analysis(e)
    }
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        Self::Csv(e.to_string())
    }
}

impl From<serde_json::Error> for ExportError {
    fn from(e: serde_json::Error) -> Self {
        Self::Json(e.to_string())
    }
}

/// Result of an export.
pub type Result<T, E = ExportError> = std::result::Result<T, E>;

/// Pretty JSON of `value` ending in exactly one newline, as every JSON export is.
pub(crate) fn json_bytes(value: &impl serde::Serialize) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Output formats the CLI and GUI offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// Pretty-printed JSON.
    Json,
    /// A Markdown table.
    Markdown,
}

impl Format {
    /// Parses `csv`, `json`, `md`/`markdown`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            "md" | "markdown" => Some(Self::Markdown),
            _ => None,
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Markdown => "md",
        }
    }
}

/// Writes `contents` to `path` atomically: a temporary file beside it, then a rename, so a
/// failed or interrupted export never leaves half a file.
pub fn write_atomic(path: &std::path::Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
