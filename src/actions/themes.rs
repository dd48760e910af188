//! Edits of the thematic analysis: themes, their links to codes, level-1 review marks, the
//! thematic map, journal entries tied to a phase. Each is one [`ThemeAction`], run inside an
//! [`super::Action`] (one transaction, one undo step), and each change a reviewer would ask
//! about goes into the analytic audit trail in the same transaction.

use crate::model::{
    CodeId, CoderId, CodingId, Color, EventKind, MemoTarget, Subject, ThemeId, ThemeStatus, Verdict,
};
use crate::store::{Db, Result, StoreError, Tx};

use super::Outcome;

/// One edit of the thematic analysis.
#[derive(Debug, Clone, PartialEq)]
pub enum ThemeAction {
    /// Add a theme (a candidate), optionally as a sub-theme, with its concept and definition.
    Add {
        name: String,
        parent: Option<ThemeId>,
        concept: String,
        definition: String,
        color: Option<Color>,
    },
    /// Rename a theme.
    Rename { theme: ThemeId, name: String },
    /// Set a theme's concept, definition and boundaries (`None` leaves one as it is).
    Define {
        theme: ThemeId,
        concept: Option<String>,
        definition: Option<String>,
        boundaries: Option<String>,
    },
    /// Set a theme's status.
    Status { theme: ThemeId, status: ThemeStatus },
    /// Make a theme a sub-theme of another, or a top-level theme.
    Nest {
        theme: ThemeId,
        parent: Option<ThemeId>,
    },
    /// Recolour a theme.
    Recolor { theme: ThemeId, color: Color },
    /// Delete a theme (its sub-themes move up; codes and codings stay).
    Delete(ThemeId),
    /// Link codes to a theme (codes already linked are left as they are).
    Link { theme: ThemeId, codes: Vec<CodeId> },
    /// Unlink codes from a theme.
    Unlink { theme: ThemeId, codes: Vec<CodeId> },
    /// Mark an extract in the level-1 review of a theme (`None` clears the mark).
    Mark {
        theme: ThemeId,
        coding: CodingId,
        verdict: Option<Verdict>,
    },
    /// The extract belongs elsewhere: recode it to `code` and mark it so, in one step.
    MoveExtract {
        theme: ThemeId,
        coding: CodingId,
        code: CodeId,
    },
    /// Place nodes (theme or code GUIDs) on the thematic map.
    Place(Vec<(String, f32, f32)>),
    /// Write a journal entry reflecting on a phase (1-6) of the analysis.
    PhaseNote {
        phase: u8,
        title: String,
        body: String,
        coder: Option<CoderId>,
    },
}

/// A code's `Parent/Child` path, walking its parents.
pub(super) fn code_path(db: &Db<'_>, code: CodeId) -> Result<String> {
    let mut parts = Vec::new();
    let mut cur = Some(code);
    while let Some(c) = cur {
        let row = db.code(c)?;
        parts.push(row.name);
        cur = row.parent;
        if parts.len() > 64 {
            break;
        }
    }
    parts.reverse();
    Ok(parts.join("/"))
}

/// Records an audit-trail entry about a code.
pub(super) fn code_event(db: &Tx<'_>, kind: EventKind, code: CodeId, detail: &str) -> Result<()> {
    let guid = db.code(code)?.guid;
    let path = code_path(db, code)?;
    db.record_event(kind, Subject::Code, &guid, &path, detail, None)
}

fn theme_event(db: &Tx<'_>, kind: EventKind, theme: ThemeId, detail: &str) -> Result<()> {
    let t = db.theme(theme)?;
    db.record_event(kind, Subject::Theme, &t.guid, &t.name, detail, None)
}

impl ThemeAction {
    /// Does the edit inside the caller's transaction.
    pub fn run(&self, db: &Tx<'_>) -> Result<Outcome> {
        Ok(match self {
            Self::Add {
                name,
                parent,
                concept,
                definition,
                color,
            } => {
                let id = db.add_theme(name, *parent, *color, None)?;
                if !concept.trim().is_empty() || !definition.trim().is_empty() {
                    db.set_theme_text(id, Some(concept), Some(definition), None)?;
                }
                let detail = match parent {
                    Some(p) => format!("as a sub-theme of “{}”", db.theme(*p)?.name),
                    None => String::new(),
                };
                theme_event(db, EventKind::Created, id, &detail)?;
                Outcome::Theme(id)
            }
            Self::Rename { theme, name } => {
                let old = db.theme(*theme)?.name;
                db.rename_theme(*theme, name)?;
                if old != db.theme(*theme)?.name {
                    theme_event(db, EventKind::Renamed, *theme, &format!("was “{old}”"))?;
                }
                Outcome::Theme(*theme)
            }
            Self::Define {
                theme,
                concept,
                definition,
                boundaries,
            } => {
                let before = db.theme(*theme)?;
                db.set_theme_text(
                    *theme,
                    concept.as_deref(),
                    definition.as_deref(),
                    boundaries.as_deref(),
                )?;
                let after = db.theme(*theme)?;
                let mut what = Vec::new();
                if before.concept != after.concept {
                    what.push("concept");
                }
                if before.definition != after.definition {
                    what.push("definition");
                }
                if before.boundaries != after.boundaries {
                    what.push("boundaries");
                }
                if !what.is_empty() {
                    theme_event(db, EventKind::Defined, *theme, &what.join(", "))?;
                }
                Outcome::Theme(*theme)
            }
            Self::Status { theme, status } => {
                let old = db.theme(*theme)?.status;
                if old != *status {
                    db.set_theme_status(*theme, *status)?;
                    theme_event(db, EventKind::Status, *theme, &format!("{old} → {status}"))?;
                }
                Outcome::Theme(*theme)
            }
            Self::Nest { theme, parent } => {
                if db.theme(*theme)?.parent != *parent {
                    db.set_theme_parent(*theme, *parent)?;
                    let detail = match parent {
                        Some(p) => format!("now a sub-theme of “{}”", db.theme(*p)?.name),
                        None => "now a top-level theme".to_owned(),
                    };
                    theme_event(db, EventKind::Moved, *theme, &detail)?;
                }
                Outcome::Theme(*theme)
            }
            Self::Recolor { theme, color } => {
                db.set_theme_color(*theme, *color)?;
                Outcome::Theme(*theme)
            }
            Self::Delete(theme) => {
                theme_event(db, EventKind::Deleted, *theme, "")?;
                db.delete_theme(*theme)?;
                Outcome::Done
            }
            Self::Link { theme, codes } => {
                for &c in codes {
                    if db.link_code(*theme, c)? {
                        theme_event(db, EventKind::Linked, *theme, &code_path(db, c)?)?;
                    }
                }
                Outcome::Theme(*theme)
            }
            Self::Unlink { theme, codes } => {
                for &c in codes {
                    if db.unlink_code(*theme, c)? {
                        theme_event(db, EventKind::Unlinked, *theme, &code_path(db, c)?)?;
                    }
                }
                Outcome::Theme(*theme)
            }
            Self::Mark {
                theme,
                coding,
                verdict,
            } => {
                db.set_review(*theme, *coding, *verdict)?;
                Outcome::Coding(*coding)
            }
            Self::MoveExtract {
                theme,
                coding,
                code,
            } => {
                let from = db.coding(*coding)?.code;
                if from == *code {
                    return Err(StoreError::Invalid(
                        "the extract is already coded with that code".into(),
                    ));
                }
                db.set_review(*theme, *coding, Some(Verdict::Elsewhere))?;
                db.set_coding_code(*coding, *code)?;
                Outcome::Coding(*coding)
            }
            Self::Place(nodes) => {
                for (node, x, y) in nodes {
                    db.set_map_position(node, *x, *y)?;
                }
                Outcome::Done
            }
            Self::PhaseNote {
                phase,
                title,
                body,
                coder,
            } => {
                let memo = db.add_memo(MemoTarget::Project, title, body, *coder)?;
                db.set_memo_phase(memo, Some(*phase))?;
                Outcome::Memo(memo)
            }
        })
    }

    /// What the Edit menu calls this edit.
    pub fn label(&self, db: Db<'_>) -> String {
        let theme = |id: &ThemeId| {
            db.theme(*id)
                .map(|t| format!("“{}”", t.name))
                .unwrap_or_else(|_| "theme".into())
        };
        match self {
            Self::Add { name, .. } => format!("Add theme “{name}”"),
            Self::Rename { theme: t, name } => format!("Rename theme {} to “{name}”", theme(t)),
            Self::Define { theme: t, .. } => format!("Define theme {}", theme(t)),
            Self::Status { theme: t, status } => {
                format!("Mark theme {} {}", theme(t), status.as_str())
            }
            Self::Nest {
                theme: t,
                parent: Some(p),
            } => format!("Make {} a sub-theme of {}", theme(t), theme(p)),
            Self::Nest {
                theme: t,
                parent: None,
            } => format!("Make {} a top-level theme", theme(t)),
            Self::Recolor { theme: t, .. } => format!("Recolour theme {}", theme(t)),
            Self::Delete(t) => format!("Delete theme {}", theme(t)),
            Self::Link { theme: t, codes } => match codes.as_slice() {
                [one] => format!(
                    "Link “{}” to theme {}",
                    code_path(&db, *one).unwrap_or_default(),
                    theme(t)
                ),
                _ => format!("Link {} codes to theme {}", codes.len(), theme(t)),
            },
            Self::Unlink { theme: t, codes } => match codes.as_slice() {
                [one] => format!(
                    "Unlink “{}” from theme {}",
                    code_path(&db, *one).unwrap_or_default(),
                    theme(t)
                ),
                _ => format!("Unlink {} codes from theme {}", codes.len(), theme(t)),
            },
            Self::Mark {
                verdict: Some(v), ..
            } => format!("Review extract: {}", v.label().to_lowercase()),
            Self::Mark { verdict: None, .. } => "Clear review mark".into(),
            Self::MoveExtract { code, .. } => format!(
                "Move extract to “{}”",
                code_path(&db, *code).unwrap_or_default()
            ),
            Self::Place(nodes) => match nodes.len() {
                1 => "Move a node on the thematic map".into(),
                _ => "Arrange the thematic map".into(),
            },
            Self::PhaseNote { phase, .. } => format!("Write a journal entry for phase {phase}"),
        }
    }
}
