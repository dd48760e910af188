//! Exports: the coded segments table ("quote table") and, beside it, the frequency report's
//! formats (see `analysis::frequencies`). Only the model and the store's read API are used.

pub mod segments;

pub use segments::{SegmentRow, coded_segments};

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
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
