//! `weft memo list` (the journal and every memo: of codes, documents, cases and codings) and
//! `weft coder list`.
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this module's job

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Subcommand};
use serde::Serialize;

use super::open_read_only;
use crate::model::{CodingFilter, MemoTarget};

/// `weft memo ...`: add a journal note, or list memos.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct MemoArgs {
    /// `list`: list every memo instead.
    #[command(subcommand)]
    pub list: Option<MemoCommand>,
    /// The project.
    #[arg(required = true)]
    pub project: Option<PathBuf>,
    /// Title.
    #[arg(required = true)]
    pub title: Option<String>,
    /// Text.
    #[arg(required = true)]
    pub body: Option<String>,
}

/// `weft memo list`
#[derive(Debug, Subcommand)]
pub enum MemoCommand {
    /// List the journal and the memos of codes, documents, cases and codings.
    List {
        /// The project.
        project: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `weft coder ...`
#[derive(Debug, Subcommand)]
pub enum CoderCommand {
    /// List the coders (the default one marked).
    List {
        /// The project.
        project: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct MemoRow {
    /// journal, code, document, case or coding.
    kind: &'static str,
    /// What it is about: a code path, document or case name, a coding id; empty for the
    /// journal.
    about: String,
    title: String,
    body: String,
    coder: String,
    updated: String,
}

/// Lists every memo: journal entries and memos in the memo table first (newest first), then
/// the memos stored on documents, cases and codings.
pub fn memos(project: &Path, json: bool) -> Result<()> {
    let session = open_read_only(project)?;
    let db = session.read();
    let tree = db.code_tree()?;
    let documents = db.documents()?;
    let cases = db.cases()?;
    let doc_names: HashMap<_, _> = documents.iter().map(|d| (d.id, d.name.clone())).collect();
    let case_names: HashMap<_, _> = cases.iter().map(|c| (c.id, c.name.clone())).collect();
    let coders: HashMap<_, _> = db.coders()?.into_iter().map(|c| (c.id, c.name)).collect();
    let mut rows = Vec::new();
    for m in db.memos()? {
        let (kind, about) = match m.target {
            MemoTarget::Project => ("journal", String::new()),
            MemoTarget::Code(c) => ("code", tree.path(c)),
            MemoTarget::Document(d) => ("document", doc_names.get(&d).cloned().unwrap_or_default()),
            MemoTarget::Case(c) => ("case", case_names.get(&c).cloned().unwrap_or_default()),
        };
        rows.push(MemoRow {
            kind,
            about,
            title: m.title,
            body: m.body,
            coder: m
                .coder
                .and_then(|c| coders.get(&c).cloned())
                .unwrap_or_default(),
            updated: m.updated_at,
        });
    }
    for d in documents.into_iter().filter(|d| !d.memo.is_empty()) {
        rows.push(MemoRow {
            kind: "document",
            about: d.name,
            title: String::new(),
            body: d.memo,
            coder: String::new(),
            updated: String::new(),
        });
    }
    for c in cases.into_iter().filter(|c| !c.memo.is_empty()) {
        rows.push(MemoRow {
            kind: "case",
            about: c.name,
            title: String::new(),
            body: c.memo,
            coder: String::new(),
            updated: String::new(),
        });
    }
    for c in db.codings(&CodingFilter::default())? {
        if c.memo.is_empty() {
            continue;
        }
        rows.push(MemoRow {
            kind: "coding",
            about: format!(
                "coding {}: {} {}..{} {}",
                c.id,
                doc_names.get(&c.doc).cloned().unwrap_or_default(),
                c.start,
                c.end,
                tree.path(c.code)
            ),
            title: String::new(),
            body: c.memo,
            coder: coders.get(&c.coder).cloned().unwrap_or_default(),
            updated: c.created_at,
        });
    }
    if json {
        out!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        for r in rows {
            let head = [r.kind, r.about.as_str(), r.title.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
            out!("{head}\n    {}", r.body.replace('\n', "\n    "));
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct CoderRow {
    name: String,
    default: bool,
    codings: usize,
}

/// Runs `weft coder list`.
pub fn coders(c: CoderCommand) -> Result<()> {
    let CoderCommand::List { project, json } = c;
    let session = open_read_only(&project)?;
    let db = session.read();
    let default = db.default_coder()?;
    let mut counts: HashMap<_, usize> = HashMap::new();
    for s in db.coding_spans()? {
        *counts.entry(s.coder).or_default() += 1;
    }
    let rows: Vec<CoderRow> = db
        .coders()?
        .into_iter()
        .map(|c| CoderRow {
            default: Some(c.id) == default,
            codings: counts.get(&c.id).copied().unwrap_or(0),
            name: c.name,
        })
        .collect();
    if json {
        out!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        for r in rows {
            out!(
                "{}{}  ({} coding{})",
                r.name,
                if r.default { " (default)" } else { "" },
                r.codings,
                if r.codings == 1 { "" } else { "s" }
            );
        }
    }
    Ok(())
}
