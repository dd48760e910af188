//! `weft history`: the undo history as an audit trail, and how much of it to keep; with
//! `--analytic`, the audit trail of the analysis (how codes and themes changed).
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this module's job

use std::path::Path;

use anyhow::{Result, bail};

use super::{emit, open, open_for_edit, open_read_only};

/// Runs `weft history`.
pub fn run(
    project: &Path,
    json: bool,
    keep: Option<usize>,
    always: bool,
    keep_all: bool,
) -> Result<()> {
    if always && keep.is_none() {
        bail!("--always needs --keep N (how many steps to keep after every edit)");
    }
    if keep_all {
        let mut session = open(project)?;
        session.set_history_keep(None)?;
        out!("the history now keeps every step");
        return Ok(());
    }
    if let Some(n) = keep {
        let mut session = open_for_edit(project)?;
        let dropped = session.trim_history(n)?;
        out!(
            "kept the newest {n} step{}; dropped {dropped}",
            if n == 1 { "" } else { "s" }
        );
        if always {
            session.set_history_keep(Some(n))?;
            out!("from now on the history is trimmed to {n} steps after every edit");
        }
        return Ok(());
    }
    let session = open_read_only(project)?;
    let steps = session.history()?;
    if json {
        out!("{}", serde_json::to_string_pretty(&steps)?);
        return Ok(());
    }
    if steps.is_empty() {
        out!("the history is empty");
        return Ok(());
    }
    out!("{:<21} {:<8} {:<16} action", "time (UTC)", "state", "coder");
    for s in &steps {
        out!(
            "{:<21} {:<8} {:<16} {}",
            s.created_at,
            if s.undone { "undone" } else { "done" },
            s.coder,
            s.label
        );
    }
    if let Some(n) = session.history_keep()? {
        out!("(trimmed to the newest {n} steps after every edit)");
    }
    Ok(())
}

/// Runs `weft history --analytic`: the audit trail as Markdown or JSON.
pub fn analytic(project: &Path, format: Option<&str>, output: Option<&Path>) -> Result<()> {
    let session = open_read_only(project)?;
    let trail = crate::export::audit::audit_trail(session.read(), project)?;
    let bytes = match format {
        Some("json") => crate::export::json_bytes(&trail)?,
        _ => trail.to_markdown(true).into_bytes(),
    };
    emit(output, &bytes, project)?;
    if let Some(o) = output {
        out!("wrote {}", o.display());
    }
    Ok(())
}
