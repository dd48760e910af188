//! `weft delete`: delete a document or case, undoably or (with `--permanently`) for good.
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this module's job

use std::path::Path;

use anyhow::{Result, bail};

use super::open_for_edit;
use crate::actions::Action;
use crate::session::Purge;

/// Runs `weft delete`.
pub fn run(
    project: &Path,
    doc: Option<&str>,
    case: Option<&str>,
    permanently: bool,
    including_backups: bool,
) -> Result<()> {
    let mut session = open_for_edit(project)?;
    let what = match (doc, case) {
        (Some(d), None) => Purge::Document(session.read().require_document(d)?),
        (None, Some(c)) => Purge::Case(session.read().require_case(c)?),
        _ => bail!("say what to delete: --doc NAME or --case NAME"),
    };
    if !permanently {
        let (action, name) = match what {
            Purge::Document(d) => (Action::DeleteDocument(d), doc.unwrap_or_default()),
            Purge::Case(c) => (Action::DeleteCase(c), case.unwrap_or_default()),
        };
        session.apply(&action)?;
        println!("deleted {name}; `weft undo` brings it back");
        return Ok(());
    }
    let report = session.delete_permanently(what, including_backups)?;
    println!("Deleted permanently. This cannot be undone.");
    for d in &report.documents {
        println!("  document: {d}");
    }
    for c in &report.cases {
        println!("  case: {c}");
    }
    println!("  codings: {}", report.codings);
    for d in &report.documents_kept {
        println!(
            "  kept, as it belongs to other cases too (unlinked from this case; its text is unchanged): {d}"
        );
    }
    println!(
        "  undo steps dropped: {} (every step up to the newest holding this data, and all redo steps)",
        report.steps_dropped
    );
    for s in &report.snapshots_cleaned {
        println!("  removed from the snapshot: {}", s.display());
    }
    if !report.snapshots_holding.is_empty() {
        println!(
            "These snapshots, made before, still hold it (run again with --including-backups to remove it from them too):"
        );
        for s in &report.snapshots_holding {
            println!("  {}", s.display());
        }
    }
    for (s, reason) in &report.snapshots_unreadable {
        eprintln!(
            "warning: a snapshot could not be checked or cleaned and may still hold it ({reason}): {}",
            s.display()
        );
    }
    Ok(())
}
