//! `weft delete`: delete a document or case, undoably or (with `--permanently`) for good.
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this module's job

use std::path::Path;

use anyhow::{Result, bail};

use super::open_for_edit;
use crate::actions::Action;
use crate::session::Purge;
use crate::store::purge::{Redacted, WITHDRAWN};

/// Runs `weft delete`.
pub fn run(
    project: &Path,
    doc: Option<&str>,
    case: Option<&str>,
    permanently: bool,
    including_backups: bool,
) -> Result<()> {
    let mut session = open_for_edit(project)?;
    // `--doc interview_001.txt` means the document `interview_001`.
    let resolved = doc.and_then(|d| super::names::document_name(&session, d).ok());
    let doc = resolved.as_deref().or(doc);
    // Already gone from the project (deleted permanently before): clean the backups only.
    if permanently && including_backups {
        let missing = match (doc, case) {
            (Some(d), None) => session
                .read()
                .document_by_name(d)?
                .is_none()
                .then_some((true, d)),
            (None, Some(c)) => session
                .read()
                .case_by_name(c)?
                .is_none()
                .then_some((false, c)),
            _ => None,
        };
        if let Some((is_doc, name)) = missing {
            let report = session.clean_backups_of(is_doc, name)?;
            if report.snapshots_cleaned.is_empty() && report.snapshots_unreadable.is_empty() {
                bail!(
                    "there is no {} “{name}”, in the project or its snapshots",
                    if is_doc { "document" } else { "case" }
                );
            }
            out!(
                "“{name}” was no longer in the project; removed it from the snapshots that held it."
            );
            print_snapshots(&report)?;
            return Ok(());
        }
    }
    let what = match (doc, case) {
        (Some(d), None) => Purge::Document(
            session
                .read()
                .require_document(&super::names::document_name(&session, d)?)?,
        ),
        (None, Some(c)) => Purge::Case(session.read().require_case(c)?),
        _ => bail!("say what to delete: --doc NAME or --case NAME"),
    };
    if !permanently {
        let (action, name) = match what {
            Purge::Document(d) => (Action::DeleteDocument(d), doc.unwrap_or_default()),
            Purge::Case(c) => (Action::DeleteCase(c), case.unwrap_or_default()),
        };
        session.apply(&action)?;
        out!("deleted {name}; `weft undo` brings it back");
        return Ok(());
    }
    let report = session.delete_permanently(what, including_backups)?;
    out!("Deleted permanently. This cannot be undone.");
    for d in &report.documents {
        out!("  document: {d}");
    }
    for c in &report.cases {
        out!("  case: {c}");
    }
    out!("  codings: {}", report.codings);
    for d in &report.documents_kept {
        out!("  kept, as it belongs to other cases too (unlinked from this case): {d}");
    }
    for r in &report.redacted {
        out!("  {}", redaction_sentence(r));
    }
    out!(
        "  undo steps dropped: {} (every step up to the newest holding this data, and all redo steps)",
        report.steps_dropped
    );
    print_snapshots(&report)?;
    Ok(())
}

/// What happened in the snapshots: cleaned, still holding, unreadable.
fn print_snapshots(report: &crate::session::PurgeReport) -> Result<()> {
    for s in &report.snapshots_cleaned {
        out!("  removed from the snapshot: {}", s.display());
    }
    if !report.snapshots_holding.is_empty() {
        out!(
            "These snapshots, made before, still hold it (run the same command again with \
             --including-backups to remove it from them too):"
        );
        for s in &report.snapshots_holding {
            out!("  {}", s.display());
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

/// "Their 4 turns in “Focus group 1” were replaced by [withdrawn]; 3 codings inside them were
/// removed, 1 was shortened".
fn redaction_sentence(r: &Redacted) -> String {
    let (turns, were) = if r.turns == 1 {
        ("turn".to_owned(), "was")
    } else {
        (format!("{} turns", r.turns), "were")
    };
    let mut out = format!(
        "Their {turns} in “{}” {were} replaced by {WITHDRAWN}",
        r.document
    );
    let codings = |n: usize| {
        if n == 1 {
            ("1 coding".to_owned(), "was")
        } else {
            (format!("{n} codings"), "were")
        }
    };
    match (r.codings_removed, r.codings_shortened) {
        (0, 0) => {}
        (0, s) => {
            let (n, v) = codings(s);
            out.push_str(&format!("; {n} overlapping them {v} shortened"));
        }
        (rm, 0) => {
            let (n, v) = codings(rm);
            out.push_str(&format!("; {n} inside them {v} removed"));
        }
        (rm, s) => {
            let (n, v) = codings(rm);
            let v2 = if s == 1 { "was" } else { "were" };
            out.push_str(&format!(
                "; {n} inside them {v} removed, {s} {v2} shortened"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_reads_plainly() {
        let r = |turns, codings_removed, codings_shortened| Redacted {
            document: "Focus group 1".into(),
            turns,
            codings_removed,
            codings_shortened,
        };
        assert_eq!(
            redaction_sentence(&r(4, 3, 1)),
            "Their 4 turns in “Focus group 1” were replaced by [withdrawn]; 3 codings inside \
             them were removed, 1 was shortened"
        );
        assert_eq!(
            redaction_sentence(&r(1, 0, 0)),
            "Their turn in “Focus group 1” was replaced by [withdrawn]"
        );
        assert_eq!(
            redaction_sentence(&r(2, 1, 0)),
            "Their 2 turns in “Focus group 1” were replaced by [withdrawn]; 1 coding inside \
             them was removed"
        );
        assert_eq!(
            redaction_sentence(&r(2, 0, 2)),
            "Their 2 turns in “Focus group 1” were replaced by [withdrawn]; 2 codings \
             overlapping them were shortened"
        );
    }
}
