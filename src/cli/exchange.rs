//! `weft export`: the whole project as a REFI-QDA project (`.qdpx`), or its codebook as a
//! REFI-QDA codebook (`.qdc`), CSV or Markdown. Written through the same refusals as every
//! export (never over the project or another database, atomically).
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this module's job

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::open_read_only;
use crate::export::qdpx::{Offsets, QdpxOptions};
use crate::export::{self, codebook};

/// `weft export P.weft --format qdpx|qdc|codebook-csv|codebook-md|map-svg|map-png -o OUT`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The project.
    pub project: PathBuf,
    /// What to write: the whole project (qdpx), the codebook (qdc, codebook-csv, codebook-md)
    /// or the case attribute table, one row per case (cases-csv, cases-xlsx), or the thematic
    /// map (map-svg, map-png).
    #[arg(long, value_parser = ["qdpx", "qdc", "codebook-csv", "codebook-md", "cases-csv", "cases-xlsx", "map-svg", "map-png"])]
    pub format: String,
    /// The file to write.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// With qdpx: the unit of selection positions; utf16 is what NVivo reads.
    #[arg(long, default_value = "codepoints", value_parser = ["codepoints", "utf16"])]
    pub offsets: String,
}

/// Runs `weft export`.
pub fn export(args: &ExportArgs) -> Result<()> {
    let session = open_read_only(&args.project)?;
    let db = session.read();
    let out = &args.output;
    let project = Some(args.project.as_path());
    match args.format.as_str() {
        "qdpx" => {
            let options = QdpxOptions {
                offsets: Offsets::parse(&args.offsets).unwrap_or_default(),
            };
            let summary = export::write_export_with(out, project, |file| {
                export::qdpx::write_qdpx(&db, file, &options, &mut |_, _| true)
            })?;
            out!(
                "wrote {}: {} documents, {} codes, {} codings, {} cases, {} notes, {} coders, {} themes{}",
                out.display(),
                summary.sources,
                summary.codes,
                summary.codings,
                summary.cases,
                summary.notes,
                summary.users,
                summary.sets,
                if summary.skipped_codings > 0 {
                    format!(
                        "; {} codings outside their document's text were left out",
                        summary.skipped_codings
                    )
                } else {
                    String::new()
                }
            );
        }
        "qdc" => {
            let n = export::write_export_with(out, project, |file| {
                codebook::write_qdc(&db, std::io::BufWriter::new(file))
            })?;
            out!("wrote {}: {n} codes", out.display());
        }
        "cases-csv" => {
            let table = crate::analysis::matrix::case_table(db)?;
            export::write_export(out, &table.to_csv()?, project)?;
        }
        "cases-xlsx" => {
            let table = crate::analysis::matrix::case_table(db)?;
            let meta = export::Provenance::describe_scope(
                db,
                &args.project,
                export::provenance::ReportKind::Cases,
                &crate::analysis::ScopeFilter::default(),
                None,
            )?;
            export::write_export(
                out,
                &export::xlsx::classification(&table, Some(&meta))?,
                project,
            )?;
        }
        "map-svg" => {
            export::write_export(out, export::map_svg::map_svg(db)?.as_bytes(), project)?;
        }
        "map-png" => {
            export::write_export(out, &export::map_svg::map_png(db)?, project)?;
        }
        "codebook-csv" => {
            export::write_export(out, &codebook::codebook_csv(&db)?, project)?;
        }
        _ => {
            export::write_export(out, &codebook::codebook_markdown(&db)?, project)?;
        }
    }
    Ok(())
}
