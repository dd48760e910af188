//! `weft import-project X.qdpx P.weft`: a new project made from another tool's whole project.
//! The kind is told by the content, not the name: a zip is a REFI-QDA project (QDPX), an
//! SQLite database a Taguette project.
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this module's job

use std::io::Read;
use std::path::Path;

use anyhow::{Result, bail};
use serde::Serialize;

use crate::import::qdpx::{self, QdpxReport};
use crate::session::Session;

/// What a file to import is, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProjectKind {
    /// A zip archive: a REFI-QDA project.
    Qdpx,
    /// An SQLite database: a Taguette project.
    Sqlite,
    /// Anything else.
    Unknown,
}

/// Tells the kind of `source` by its first bytes.
pub(crate) fn kind_of(source: &Path) -> Result<ProjectKind> {
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(source).map_err(|e| {
        anyhow::anyhow!(
            "cannot import: cannot read the file ({e}): {}",
            source.display()
        )
    })?;
    let n = f.read(&mut head).unwrap_or(0);
    Ok(
        if n >= 4 && (head[..4] == *b"PK\x03\x04" || head[..4] == *b"PK\x05\x06") {
            ProjectKind::Qdpx
        } else if n == 16 && head == *b"SQLite format 3\0" {
            ProjectKind::Sqlite
        } else {
            ProjectKind::Unknown
        },
    )
}

#[derive(Serialize)]
struct JsonReport<'a> {
    project: String,
    report: &'a QdpxReport,
}

/// `import-project` of a Taguette database.
fn taguette(source: &Path, project: &Path, json: bool) -> Result<()> {
    let imported = Session::read_taguette(source)?;
    let name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let label = format!("Import Taguette project “{name}”");
    Session::create_from_bundle(project, &label, imported.bundle, &|| false)?;
    let report = imported.report;
    if json {
        #[derive(Serialize)]
        struct Json<'a> {
            project: String,
            report: &'a crate::import::taguette::TaguetteReport,
        }
        out!(
            "{}",
            serde_json::to_string_pretty(&Json {
                project: project.display().to_string(),
                report: &report,
            })?
        );
    } else {
        out!("{}", report.to_text().trim_end());
        out!("created {}", project.display());
    }
    Ok(())
}

/// Runs `weft import-project`.
pub fn run(source: &Path, project: &Path, json: bool) -> Result<()> {
    if project.exists() {
        bail!(
            "a file already exists there, choose another name: {}",
            project.display()
        );
    }
    match kind_of(source)? {
        ProjectKind::Qdpx => {}
        ProjectKind::Sqlite => return taguette(source, project, json),
        ProjectKind::Unknown => bail!(
            "cannot import: not a QDPX project (a zip archive) nor a Taguette database: {}",
            source.display()
        ),
    }
    let imported = qdpx::read(source, &mut |_, _| true)?;
    let label = format!("Import project “{}”", imported.report.file);
    let (_session, _added) =
        Session::create_from_bundle(project, &label, imported.bundle, &|| false)?;
    let report = imported.report;
    if json {
        out!(
            "{}",
            serde_json::to_string_pretty(&JsonReport {
                project: project.display().to_string(),
                report: &report,
            })?
        );
    } else {
        out!("{}", report.to_text().trim_end());
        out!("created {}", project.display());
    }
    Ok(())
}
