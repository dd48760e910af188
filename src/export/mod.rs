//! Exports: the coded segments table ("quote table") and the frequency report, each encoded
//! once here as CSV, JSON or Markdown, so the command line and the GUI write the same bytes
//! for the same report; the whole project as REFI-QDA (`qdpx`) and the codebook as REFI-QDA
//! (`qdc`), CSV or Markdown (`codebook`). Data comes through the read interface
//! ([`ProjectRead`](crate::model::ProjectRead)): no SQL, no writes.

pub mod audit;
pub mod codebook;
pub mod html_report;
pub mod map_svg;
pub mod portfolio;
pub mod provenance;
pub mod qdpx;
pub mod questions;
pub mod report;
pub mod search;
pub mod segments;
pub mod themes_table;
pub mod xlsx;

pub use provenance::Provenance;
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
    /// The user cancelled the export.
    #[error("export cancelled; nothing was written")]
    Cancelled,
    /// Writing the XML or the zip of a REFI-QDA export failed.
    #[error("could not write the REFI-QDA file: {0}")]
    Exchange(String),
    /// An image could not be drawn.
    #[error("{0}")]
    Render(String),
    /// The output path is refused: it would overwrite the project, another database or
    /// something that is not a plain file.
    #[error("cannot write the export there: {reason}; nothing was written: {}", path.display())]
    Refused {
        /// The output path.
        path: std::path::PathBuf,
        /// Why.
        reason: String,
    },
    /// The file could not be written.
    #[error("could not write the export ({reason}): {}", path.display())]
    Write {
        /// The output path.
        path: std::path::PathBuf,
        /// What the system said.
        reason: String,
    },
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
    /// An Excel workbook (`.xlsx`): the table, then a `meta` sheet.
    Xlsx,
}

impl Format {
    /// Parses `csv`, `json`, `md`/`markdown`, `xlsx`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            "md" | "markdown" => Some(Self::Markdown),
            "xlsx" => Some(Self::Xlsx),
            _ => None,
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Markdown => "md",
            Self::Xlsx => "xlsx",
        }
    }
}

/// Text as one cell of a Markdown table: pipes escaped, line breaks made spaces.
pub fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Writes an export to `path` atomically, never over the project: refuses a path that is the
/// project file `project` (however it is spelled, or through a link) or its `-wal`/`-shm`, an
/// existing SQLite database (another project), and anything that is not a plain file (a folder,
/// a device such as `/dev/null`). A symbolic link is written through, to the file it points to.
/// The new file gets the usual permissions (0666 less the umask).
pub fn write_export(
    path: &std::path::Path,
    contents: &[u8],
    project: Option<&std::path::Path>,
) -> Result<(), ExportError> {
    write_export_with(path, project, |file| {
        use std::io::Write;
        file.write_all(contents).map_err(|e| ExportError::Write {
            path: path.to_owned(),
            reason: e.to_string(),
        })
    })
}

/// As [`write_export`], for an export written piece by piece: `fill` writes into a temporary
/// file beside the target (it may seek, as a zip writer does), which then replaces the target
/// atomically. When `fill` fails, nothing is left behind and its error is returned.
pub fn write_export_with<T>(
    path: &std::path::Path,
    project: Option<&std::path::Path>,
    fill: impl FnOnce(&mut std::fs::File) -> Result<T, ExportError>,
) -> Result<T, ExportError> {
    let refuse = |reason: &str| ExportError::Refused {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    // Write through a link: the file it names is what gets replaced.
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path)
            .map_err(|_| refuse("it is a link to a file that does not exist"))?,
        _ => path.to_owned(),
    };
    if let Ok(meta) = std::fs::metadata(&target)
        && !meta.is_file()
    {
        return Err(refuse("it is not a plain file (a folder or a device)"));
    }
    if let Some(project) = project {
        let out = resolved(&target);
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut side = project.as_os_str().to_owned();
            side.push(suffix);
            if out.is_some() && out == resolved(std::path::Path::new(&side)) {
                return Err(refuse(
                    "it is the project file itself, which the export would destroy",
                ));
            }
        }
    }
    if is_sqlite(&target) {
        return Err(refuse(
            "a database (perhaps another Weft project) is there; choose another name",
        ));
    }
    let write_err = |e: std::io::Error| ExportError::Write {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let mut tmp = temp_beside(&target).map_err(write_err)?;
    let value = fill(tmp.as_file_mut())?;
    tmp.as_file().sync_all().map_err(write_err)?;
    tmp.persist(&target).map_err(|e| write_err(e.error))?;
    Ok(value)
}

/// `path` with its folder resolved (links, `.`/`..`), whether or not the file exists yet.
fn resolved(path: &std::path::Path) -> Option<std::path::PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Some(p);
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    Some(std::fs::canonicalize(dir).ok()?.join(path.file_name()?))
}

fn is_sqlite(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == b"SQLite format 3\0")
}

/// Writes `contents` to `path` atomically: a temporary file beside it, then a rename, so a
/// failed or interrupted export never leaves half a file.
pub fn write_atomic(path: &std::path::Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut tmp = temp_beside(path)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A temporary file in the folder of `path`, to be renamed over it; it gets the permissions a
/// plain `File::create` would (0666, less the umask).
fn temp_beside(path: &std::path::Path) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}
