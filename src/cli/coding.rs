//! `weft coding ...`: one coding by its id (as `code apply` prints it and `coding list` lists
//! it): remove it, change its code, write its memo.
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this module's job

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use clap::Subcommand;
use serde::Serialize;

use super::{open_for_edit, open_read_only};
use crate::actions::Action;
use crate::model::{CodingFilter, CodingId};
use crate::session::Session;

/// `weft coding ...`
#[derive(Debug, Subcommand)]
pub enum CodingCommand {
    /// List codings with their ids (optionally of one document or code).
    List {
        /// The project.
        project: PathBuf,
        /// Only this document.
        #[arg(long)]
        doc: Option<String>,
        /// Only this code (`Parent/Child`).
        #[arg(long)]
        code: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a coding (undoable).
    Remove {
        /// The project.
        project: PathBuf,
        /// The coding's id (as `code apply` prints it) or GUID (the `id` column of `segments`).
        id: String,
    },
    /// Give a coding another code.
    Recode {
        /// The project.
        project: PathBuf,
        /// The coding's id (as `code apply` prints it) or GUID (the `id` column of `segments`).
        id: String,
        /// The new code (`Parent/Child`); it must exist.
        code: String,
    },
    /// Set a coding's memo (an empty memo clears it).
    Memo {
        /// The project.
        project: PathBuf,
        /// The coding's id (as `code apply` prints it) or GUID (the `id` column of `segments`).
        id: String,
        /// The memo.
        memo: String,
    },
}

#[derive(Serialize)]
struct Row {
    id: i64,
    document: String,
    code: String,
    start: usize,
    end: usize,
    coder: String,
    memo: String,
}

/// The coding named by `id`, a number or a GUID (any letter case, braces or not), naming it
/// in the error when there is none.
pub(super) fn require(session: &Session, id: &str) -> Result<CodingId> {
    let missing = || anyhow!("there is no coding {id} (`weft coding list` lists them)");
    let db = session.read();
    if let Ok(n) = id.trim().parse::<i64>() {
        let id = CodingId(n);
        db.coding(id).map_err(|_| missing())?;
        return Ok(id);
    }
    let guid = id
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_lowercase();
    db.codings(&CodingFilter::default())?
        .into_iter()
        .find(|c| c.guid.to_lowercase() == guid)
        .map(|c| c.id)
        .ok_or_else(missing)
}

/// Runs a `weft coding` command.
pub fn run(c: CodingCommand) -> Result<()> {
    match c {
        CodingCommand::List {
            project,
            doc,
            code,
            json,
        } => {
            let session = open_read_only(&project)?;
            let db = session.read();
            let filter = CodingFilter {
                doc: doc.map(|d| db.require_document(&d)).transpose()?,
                codes: code
                    .map(|c| db.require_code(&c).map(|c| vec![c]))
                    .transpose()?,
                coder: None,
            };
            let tree = db.code_tree()?;
            let docs: std::collections::HashMap<_, _> = db
                .documents()?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect();
            let coders: std::collections::HashMap<_, _> =
                db.coders()?.into_iter().map(|c| (c.id, c.name)).collect();
            let rows: Vec<Row> = db
                .codings(&filter)?
                .into_iter()
                .map(|c| Row {
                    id: c.id.0,
                    document: docs.get(&c.doc).cloned().unwrap_or_default(),
                    code: tree.path(c.code),
                    start: c.start,
                    end: c.end,
                    coder: coders.get(&c.coder).cloned().unwrap_or_default(),
                    memo: c.memo,
                })
                .collect();
            if json {
                out!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in rows {
                    out!(
                        "{:>6}  {}  {}..{}  {}  ({})",
                        r.id,
                        r.document,
                        r.start,
                        r.end,
                        r.code,
                        r.coder
                    );
                }
            }
        }
        CodingCommand::Remove { project, id } => {
            let mut session = open_for_edit(&project)?;
            let id = require(&session, &id)?;
            session.apply(&Action::RemoveCoding(id))?;
            out!("removed coding {id}");
        }
        CodingCommand::Recode { project, id, code } => {
            let mut session = open_for_edit(&project)?;
            let coding = require(&session, &id)?;
            let code_id = session.read().require_code(&code)?;
            session.apply(&Action::RecodeCoding {
                coding,
                code: code_id,
            })?;
            out!("coding {coding} is now coded {code}");
        }
        CodingCommand::Memo { project, id, memo } => {
            let mut session = open_for_edit(&project)?;
            let coding = require(&session, &id)?;
            session.apply(&Action::SetCodingMemo { coding, memo })?;
            out!("memo of coding {coding} set");
        }
    }
    Ok(())
}
