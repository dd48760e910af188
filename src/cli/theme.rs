//! `weft theme ...`: themes as objects. Add, link codes, set status, define, nest, review
//! extracts, list with counts. Every edit is one undo step; `--note` writes a journal entry
//! that the audit trail ties to the change.
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this module's job

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use clap::Subcommand;

use super::{open_for_edit, open_read_only};
use crate::actions::{Action, Outcome, ThemeAction};
use crate::analysis::ScopeFilter;
use crate::analysis::themes::theme_counts;
use crate::model::{CodeId, Color, ThemeId, ThemeStatus, Verdict};
use crate::session::Session;

/// `weft theme ...`
#[derive(Debug, Subcommand)]
pub enum ThemeCommand {
    /// Add a theme; a new theme is a candidate.
    Add {
        /// The project.
        project: PathBuf,
        /// The theme's name (unique in the project).
        name: String,
        /// Its central organising concept, in one sentence.
        #[arg(long)]
        concept: Option<String>,
        /// Its definition, a paragraph.
        #[arg(long)]
        definition: Option<String>,
        /// Make it a sub-theme of this theme.
        #[arg(long)]
        parent: Option<String>,
        /// Colour `#RRGGBB`.
        #[arg(long)]
        color: Option<String>,
        /// A journal entry saying why (tied to the audit trail).
        #[arg(long)]
        note: Option<String>,
    },
    /// Link codes to a theme (the code alone; --with-subcodes links its whole subtree).
    Link {
        /// The project.
        project: PathBuf,
        /// The theme.
        theme: String,
        /// Codes (`Parent/Child`).
        #[arg(required = true)]
        codes: Vec<String>,
        /// Link each code's sub-codes too.
        #[arg(long)]
        with_subcodes: bool,
        /// A journal entry saying why.
        #[arg(long)]
        note: Option<String>,
    },
    /// Unlink codes from a theme.
    Unlink {
        /// The project.
        project: PathBuf,
        /// The theme.
        theme: String,
        /// Codes (`Parent/Child`).
        #[arg(required = true)]
        codes: Vec<String>,
        /// Unlink each code's sub-codes too.
        #[arg(long)]
        with_subcodes: bool,
        /// A journal entry saying why.
        #[arg(long)]
        note: Option<String>,
    },
    /// Set a theme's status: candidate, reviewed, final or discarded.
    Status {
        /// The project.
        project: PathBuf,
        /// The theme.
        theme: String,
        /// The new status.
        #[arg(value_parser = ["candidate", "reviewed", "final", "discarded"])]
        status: String,
        /// A journal entry saying why.
        #[arg(long)]
        note: Option<String>,
    },
    /// Set a theme's concept, definition or boundaries.
    Define {
        /// The project.
        project: PathBuf,
        /// The theme.
        theme: String,
        /// The central organising concept, in one sentence.
        #[arg(long)]
        concept: Option<String>,
        /// The definition, a paragraph.
        #[arg(long)]
        definition: Option<String>,
        /// What the theme is not.
        #[arg(long)]
        boundaries: Option<String>,
        /// A journal entry saying why.
        #[arg(long)]
        note: Option<String>,
    },
    /// Rename a theme.
    Rename {
        /// The project.
        project: PathBuf,
        /// The theme.
        theme: String,
        /// Its new name.
        name: String,
        /// A journal entry saying why.
        #[arg(long)]
        note: Option<String>,
    },
    /// Make a theme a sub-theme of another (or, with --top, a top-level theme).
    Nest {
        /// The project.
        project: PathBuf,
        /// The theme.
        theme: String,
        /// The theme it becomes a sub-theme of.
        #[arg(required_unless_present = "top", conflicts_with = "top")]
        parent: Option<String>,
        /// Make it a top-level theme.
        #[arg(long)]
        top: bool,
    },
    /// Delete a theme (sub-themes move up; codes and codings stay).
    Delete {
        /// The project.
        project: PathBuf,
        /// The theme.
        theme: String,
    },
    /// Mark an extract in the level-1 review of a theme: fits, misfit, or clear.
    Review {
        /// The project.
        project: PathBuf,
        /// The theme.
        theme: String,
        /// The coding's id or GUID.
        coding: String,
        /// The mark.
        #[arg(value_parser = ["fits", "misfit", "clear"])]
        verdict: String,
    },
    /// List themes with their codes and counts (segments, documents, cases of the union of
    /// the linked codes' codings).
    List {
        /// The project.
        project: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

fn theme_id(session: &Session, name: &str) -> Result<ThemeId> {
    Ok(session.read().require_theme(name)?)
}

/// The codes named, and with `subtree` their sub-codes, each once, in order.
fn code_ids(session: &Session, paths: &[String], subtree: bool) -> Result<Vec<CodeId>> {
    let tree = session.read().code_tree()?;
    let mut out = Vec::new();
    for p in paths {
        let id = session.read().require_code(p)?;
        let ids = if subtree { tree.subtree(id) } else { vec![id] };
        for c in ids {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    Ok(out)
}

fn apply(session: &mut Session, action: ThemeAction, note: Option<String>) -> Result<Outcome> {
    Ok(session
        .apply(&Action::Theme(action).with_note(note))?
        .outcome)
}

/// Runs a `weft theme` command.
pub fn run(c: ThemeCommand) -> Result<()> {
    match c {
        ThemeCommand::Add {
            project,
            name,
            concept,
            definition,
            parent,
            color,
            note,
        } => {
            let mut session = open_for_edit(&project)?;
            let parent = parent.map(|p| theme_id(&session, &p)).transpose()?;
            let color = color
                .map(|s| {
                    Color::parse(&s).ok_or_else(|| anyhow!("“{s}” is not a colour like #4e79a7"))
                })
                .transpose()?;
            apply(
                &mut session,
                ThemeAction::Add {
                    name: name.clone(),
                    parent,
                    concept: concept.unwrap_or_default(),
                    definition: definition.unwrap_or_default(),
                    color,
                },
                note,
            )?;
            out!("added theme {} (candidate)", name.trim());
        }
        ThemeCommand::Link {
            project,
            theme,
            codes,
            with_subcodes,
            note,
        } => {
            let mut session = open_for_edit(&project)?;
            let id = theme_id(&session, &theme)?;
            let codes = code_ids(&session, &codes, with_subcodes)?;
            let before = session.read().theme(id)?.codes.len();
            let n = codes.len();
            apply(&mut session, ThemeAction::Link { theme: id, codes }, note)?;
            let added = session.read().theme(id)?.codes.len() - before;
            out!(
                "linked {added} code(s) to {}{}",
                session.read().theme(id)?.name,
                if added < n {
                    format!(" ({} were linked already)", n - added)
                } else {
                    String::new()
                }
            );
        }
        ThemeCommand::Unlink {
            project,
            theme,
            codes,
            with_subcodes,
            note,
        } => {
            let mut session = open_for_edit(&project)?;
            let id = theme_id(&session, &theme)?;
            let codes = code_ids(&session, &codes, with_subcodes)?;
            let before = session.read().theme(id)?.codes.len();
            apply(&mut session, ThemeAction::Unlink { theme: id, codes }, note)?;
            let removed = before - session.read().theme(id)?.codes.len();
            out!(
                "unlinked {removed} code(s) from {}",
                session.read().theme(id)?.name
            );
        }
        ThemeCommand::Status {
            project,
            theme,
            status,
            note,
        } => {
            let mut session = open_for_edit(&project)?;
            let id = theme_id(&session, &theme)?;
            let status =
                ThemeStatus::parse(&status).ok_or_else(|| anyhow!("unknown status “{status}”"))?;
            let old = session.read().theme(id)?.status;
            if old == status && note.is_none() {
                out!("{} is {status} already; nothing changed", theme.trim());
                return Ok(());
            }
            apply(
                &mut session,
                ThemeAction::Status { theme: id, status },
                note,
            )?;
            out!("{}: {old} → {status}", session.read().theme(id)?.name);
        }
        ThemeCommand::Define {
            project,
            theme,
            concept,
            definition,
            boundaries,
            note,
        } => {
            if concept.is_none() && definition.is_none() && boundaries.is_none() {
                bail!("say what to set: --concept, --definition or --boundaries");
            }
            let mut session = open_for_edit(&project)?;
            let id = theme_id(&session, &theme)?;
            apply(
                &mut session,
                ThemeAction::Define {
                    theme: id,
                    concept,
                    definition,
                    boundaries,
                },
                note,
            )?;
            out!("defined {}", session.read().theme(id)?.name);
        }
        ThemeCommand::Rename {
            project,
            theme,
            name,
            note,
        } => {
            let mut session = open_for_edit(&project)?;
            let id = theme_id(&session, &theme)?;
            apply(
                &mut session,
                ThemeAction::Rename {
                    theme: id,
                    name: name.clone(),
                },
                note,
            )?;
            out!("renamed {} to {}", theme.trim(), name.trim());
        }
        ThemeCommand::Nest {
            project,
            theme,
            parent,
            top,
        } => {
            let mut session = open_for_edit(&project)?;
            let id = theme_id(&session, &theme)?;
            let parent = if top {
                None
            } else {
                parent.map(|p| theme_id(&session, &p)).transpose()?
            };
            apply(&mut session, ThemeAction::Nest { theme: id, parent }, None)?;
            match parent {
                Some(p) => out!(
                    "{} is now a sub-theme of {}",
                    session.read().theme(id)?.name,
                    session.read().theme(p)?.name
                ),
                None => out!(
                    "{} is now a top-level theme",
                    session.read().theme(id)?.name
                ),
            }
        }
        ThemeCommand::Delete { project, theme } => {
            let mut session = open_for_edit(&project)?;
            let id = theme_id(&session, &theme)?;
            let name = session.read().theme(id)?.name;
            apply(&mut session, ThemeAction::Delete(id), None)?;
            out!("deleted theme {name} (its codes and codings stay; `weft undo` brings it back)");
        }
        ThemeCommand::Review {
            project,
            theme,
            coding,
            verdict,
        } => {
            let mut session = open_for_edit(&project)?;
            let id = theme_id(&session, &theme)?;
            let coding = super::coding::require(&session, &coding)?;
            let verdict = match verdict.as_str() {
                "clear" => None,
                v => Some(Verdict::parse(v).ok_or_else(|| anyhow!("unknown mark “{v}”"))?),
            };
            apply(
                &mut session,
                ThemeAction::Mark {
                    theme: id,
                    coding,
                    verdict,
                },
                None,
            )?;
            match verdict {
                Some(v) => out!("coding {coding}: {}", v.label().to_lowercase()),
                None => out!("coding {coding}: mark cleared"),
            }
        }
        ThemeCommand::List { project, json } => list(&project, json)?,
    }
    Ok(())
}

fn list(project: &std::path::Path, json: bool) -> Result<()> {
    let session = open_read_only(project)?;
    let report = theme_counts(session.read(), &ScopeFilter::default(), false)?;
    if json {
        out!("{}", serde_json::to_string_pretty(&report.themes)?);
        return Ok(());
    }
    if report.themes.is_empty() {
        out!(
            "no themes yet; add one with `weft theme add {} NAME`",
            project.display()
        );
        return Ok(());
    }
    for t in &report.themes {
        let indent = "  ".repeat(t.depth);
        out!(
            "{indent}{} [{}]: {} segments, {} documents, {} cases",
            t.name,
            t.status,
            t.own.segments,
            t.own.documents,
            t.own.cases
        );
        if !t.concept.is_empty() {
            out!("{indent}  concept: {}", t.concept);
        }
        if t.codes.is_empty() {
            out!("{indent}  codes: none linked yet");
        } else {
            out!("{indent}  codes: {}", t.codes.join(", "));
        }
    }
    Ok(())
}
