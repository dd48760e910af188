//! `weft themes-table` and `weft portfolio`: the write-up of a thematic analysis, the table
//! papers print and the page a lecturer grades.
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this module's job

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use super::{emit, open_read_only};
use crate::export::{self, themes_table::TableFormat};

/// `weft themes-table`.
#[derive(Debug, Args)]
pub struct ThemesTableArgs {
    /// The project.
    pub project: PathBuf,
    /// Output format.
    #[arg(long, default_value = "md", value_parser = ["md", "markdown", "csv", "xlsx", "html", "json"])]
    pub format: String,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Leave out the provenance (project, date, Weft version) that otherwise starts the file.
    #[arg(long)]
    pub no_meta: bool,
}

/// `weft portfolio`.
#[derive(Debug, Args)]
pub struct PortfolioArgs {
    /// The project.
    pub project: PathBuf,
    /// The HTML file to write.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
}

/// Runs `weft themes-table`.
pub fn themes_table(a: &ThemesTableArgs) -> Result<()> {
    let format = TableFormat::parse(&a.format).unwrap_or(TableFormat::Markdown);
    if format == TableFormat::Xlsx && a.output.is_none() {
        bail!("an .xlsx workbook needs a file to go to: add -o FILE.xlsx");
    }
    let session = open_read_only(&a.project)?;
    let meta = (!a.no_meta).then_some(a.project.as_path());
    let bytes = export::themes_table::themes_table_file(session.read(), format, meta)?;
    emit(a.output.as_deref(), &bytes, &a.project)?;
    if let Some(o) = &a.output {
        out!("wrote {}", o.display());
    }
    Ok(())
}

/// Runs `weft portfolio`.
pub fn portfolio(a: &PortfolioArgs) -> Result<()> {
    let session = open_read_only(&a.project)?;
    let html = export::portfolio::portfolio(session.read(), &a.project)?;
    export::write_export(&a.output, html.as_bytes(), Some(&a.project))?;
    out!("wrote {}", a.output.display());
    Ok(())
}
