//! `weft import-project X.qdpx P.weft`: a new project made from another tool's whole project.
//! The kind is told by the content, not the name: a zip is a REFI-QDA project (QDPX), an
//! SQLite database a Taguette project ([`Session::import_project`]).
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this module's job

use std::path::Path;

use anyhow::{Result, anyhow};
use serde::Serialize;

use crate::session::{ProjectImport, Session};

#[derive(Serialize)]
struct JsonReport<'a> {
    project: String,
    report: &'a ProjectImport,
}

/// Runs `weft import-project`.
pub fn run(source: &Path, project: &Path, json: bool) -> Result<()> {
    let (_session, report) = Session::import_project(source, project, &mut |_, _| true, &|| false)
        .map_err(|e| anyhow!(e))?;
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
