//! `weft backup` and `weft restore`: snapshots of a project, and putting one back.
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this module's job

use std::path::Path;

use anyhow::{Result, bail};

use super::{open, open_read_only};
use crate::store::backup;

/// Runs `weft backup`.
pub fn run(project: &Path, list: bool, dir: Option<&Path>, always: bool) -> Result<()> {
    if always && dir.is_none() {
        bail!("--always needs --dir DIR (the folder to keep snapshots in)");
    }
    let mut session = if list && !always {
        open_read_only(project)?
    } else {
        open(project)?
    };
    if always {
        session.set_backups_dir(dir)?;
    }
    if list {
        let Some(folder) = session.backups_dir() else {
            bail!("this project has no backups folder");
        };
        let snaps = session.snapshots();
        if snaps.is_empty() {
            out!("no snapshots yet in {}", folder.display());
        }
        for s in snaps {
            out!(
                "{:<19} {:<9} {:>10}  {}",
                s.created,
                if s.automatic { "daily" } else { "manual" },
                s.bytes,
                s.path.display()
            );
        }
        return Ok(());
    }
    let snap = match dir {
        Some(d) if !always => backup::snapshot_now(project, d)?,
        _ => session.snapshot_now()?,
    };
    if always {
        out!(
            "snapshots of this project now go to {}",
            session
                .backups_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_default()
        );
    }
    out!("{}", snap.path.display());
    Ok(())
}

/// Runs `weft restore`.
pub fn restore(project: &Path, snapshot: &Path) -> Result<()> {
    let kept = backup::restore(project, snapshot)?;
    out!("restored {} from {}", project.display(), snapshot.display());
    match kept {
        Some(k) => out!("the previous file was kept at {}", k.display()),
        None => out!("there was no previous file to keep"),
    }
    Ok(())
}
