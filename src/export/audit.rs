//! The audit trail of the analysis (`weft history P --analytic`): how the codebook and the
//! themes changed (created, renamed, merged, split, linked, status changed, ...), each entry
//! with its time, coder and the journal note written with it, and the journal entries written
//! on their own, all in time order. Built from the analytic events Weft records in the same
//! transaction as each edit, so an undone edit is not listed. As Markdown it is an appendix for
//! a methods section; as JSON it is for scripts; as HTML it is a section of the portfolio.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::Result;
use super::html_report::esc;
use crate::analysis::ScopeFilter;
use crate::model::{AnalyticEvent, EventKind, MemoTarget, PHASES, ProjectRead, Subject};

/// A journal entry (a memo on the project).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalNote {
    /// Its GUID.
    pub guid: String,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// Who wrote it (empty when unknown).
    pub coder: String,
    /// When it was written (RFC 3339).
    pub at: String,
    /// The phase of thematic analysis it reflects on (1-6), if tagged.
    pub phase: Option<u8>,
}

impl JournalNote {
    /// "Phase 3, Constructing themes", or `None` when untagged.
    pub fn phase_label(&self) -> Option<String> {
        let p = self.phase?;
        let name = PHASES.get(usize::from(p).checked_sub(1)?)?;
        Some(format!("Phase {p}, {name}"))
    }
}

/// One entry of the timeline: an edit to the codebook or the themes, or a journal entry
/// written on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum TrailEntry {
    /// An edit.
    Event {
        /// When (RFC 3339, UTC).
        at: String,
        /// Who.
        coder: String,
        /// What happened.
        kind: EventKind,
        /// To a code or a theme.
        subject: Subject,
        /// Its name at the time.
        name: String,
        /// What changed, as recorded.
        detail: String,
        /// The whole entry in words.
        summary: String,
        /// The journal note written with it.
        note: Option<JournalNote>,
    },
    /// A journal entry tied to no edit.
    Journal(JournalNote),
}

impl TrailEntry {
    /// When.
    pub fn at(&self) -> &str {
        match self {
            Self::Event { at, .. } => at,
            Self::Journal(n) => &n.at,
        }
    }
}

/// The whole timeline, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditTrail {
    /// The project's title.
    pub title: String,
    /// The project file's name.
    pub project: String,
    /// When this was exported.
    pub exported: String,
    /// The Weft version that made it.
    pub weft_version: String,
    /// The entries, oldest first.
    pub entries: Vec<TrailEntry>,
}

/// An analytic event in words: "Code “Trust” renamed to “Earned trust” (was “Trust”)".
pub fn describe(e: &AnalyticEvent) -> String {
    let what = match e.subject {
        Subject::Code => "Code",
        Subject::Theme => "Theme",
    };
    let name = &e.name;
    let detail = e.detail.trim();
    let paren = |s: String| {
        if detail.is_empty() {
            s
        } else {
            format!("{s} ({detail})")
        }
    };
    match e.kind {
        EventKind::Created => paren(format!("{what} “{name}” created")),
        EventKind::Renamed => paren(format!("{what} renamed to “{name}”")),
        EventKind::Merged => format!("{what} “{name}” merged {detail}").trim().to_owned(),
        EventKind::Split => format!("{what} “{name}” split: {detail}"),
        EventKind::Linked => format!("Code “{detail}” linked to theme “{name}”"),
        EventKind::Unlinked => format!("Code “{detail}” unlinked from theme “{name}”"),
        EventKind::Status => format!("{what} “{name}” status changed: {detail}"),
        EventKind::Defined => paren(format!("{what} “{name}” redefined")),
        EventKind::Moved => paren(format!("{what} “{name}” moved")),
        EventKind::Deleted => paren(format!("{what} “{name}” deleted")),
        EventKind::Imported => paren(format!("{what} “{name}” imported")),
    }
}

/// The audit trail of the project file `project`.
pub fn audit_trail(read: impl ProjectRead, project: &Path) -> Result<AuditTrail> {
    let meta = super::Provenance::describe(
        &read,
        project,
        super::provenance::ReportKind::Frequencies,
        &ScopeFilter::default(),
        None,
        super::provenance::Extent::default(),
    )?;
    let coders: HashMap<_, _> = read.coders()?.into_iter().map(|c| (c.id, c.name)).collect();
    let mut journal: HashMap<String, JournalNote> = read
        .memos()?
        .into_iter()
        .filter(|m| matches!(m.target, MemoTarget::Project))
        .map(|m| {
            (
                m.guid.clone(),
                JournalNote {
                    guid: m.guid,
                    title: m.title,
                    body: m.body,
                    coder: m
                        .coder
                        .and_then(|c| coders.get(&c).cloned())
                        .unwrap_or_default(),
                    at: m.created_at,
                    phase: m.phase,
                },
            )
        })
        .collect();
    let events = read.analytic_events()?;
    let mut entries: Vec<TrailEntry> = Vec::with_capacity(events.len() + journal.len());
    let mut tied = std::collections::HashSet::new();
    for e in &events {
        let note = e.note.as_ref().and_then(|g| journal.get(g)).cloned();
        if let Some(n) = &note {
            tied.insert(n.guid.clone());
        }
        entries.push(TrailEntry::Event {
            at: e.at.clone(),
            coder: e.coder.clone(),
            kind: e.kind,
            subject: e.subject,
            name: e.name.clone(),
            detail: e.detail.clone(),
            summary: describe(e),
            note,
        });
    }
    journal.retain(|g, _| !tied.contains(g));
    let mut rest: Vec<JournalNote> = journal.into_values().collect();
    rest.sort_by(|a, b| (&a.at, &a.guid).cmp(&(&b.at, &b.guid)));
    entries.extend(rest.into_iter().map(TrailEntry::Journal));
    // Stable: events keep their recorded order among equal times.
    entries.sort_by(|a, b| a.at().cmp(b.at()));
    let title = read.title().unwrap_or_default();
    Ok(AuditTrail {
        title: if title.trim().is_empty() {
            meta.project.clone()
        } else {
            title
        },
        project: meta.project,
        exported: meta.exported,
        weft_version: meta.weft_version,
        entries,
    })
}

/// `(date, time)` of an RFC 3339 time, in UTC; the raw text when it does not parse.
pub fn date_time(at: &str) -> (String, String) {
    match chrono::DateTime::parse_from_rfc3339(at.trim()) {
        Ok(t) => {
            let t = t.with_timezone(&chrono::Utc);
            (
                t.format("%Y-%m-%d").to_string(),
                t.format("%H:%M:%S").to_string(),
            )
        }
        Err(_) => (String::new(), at.to_owned()),
    }
}

/// Escapes Markdown's active characters so names print as written.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `text` as a Markdown block quote indented under a list item.
fn md_quote(out: &mut String, text: &str) {
    for line in text.trim().lines() {
        if line.trim().is_empty() {
            out.push_str("  >\n");
        } else {
            let _ = writeln!(out, "  > {}", md(line));
        }
    }
}

impl AuditTrail {
    /// Markdown: a methods appendix, grouped by date, one entry a line ("time — coder — what
    /// happened"), each journal note quoted below its entry.
    pub fn to_markdown(&self, meta: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# Audit trail of the analysis — {}\n", md(&self.title));
        if meta {
            let _ = writeln!(
                out,
                "- **Project:** {}\n- **Exported:** {}\n- **Weft:** {}\n",
                md(&self.project),
                md(&self.exported),
                md(&self.weft_version)
            );
        }
        out.push_str(
            "How the codebook and the themes changed, as Weft recorded each edit (edits that \
             were undone are not listed), with the journal notes written along the way. Times \
             are in UTC.\n\n",
        );
        if self.entries.is_empty() {
            out.push_str("_Nothing recorded yet._\n");
            return out;
        }
        let mut day = None;
        for e in &self.entries {
            let (date, time) = date_time(e.at());
            if day.as_deref() != Some(date.as_str()) {
                let _ = writeln!(
                    out,
                    "{}## {}\n",
                    if day.is_some() { "\n" } else { "" },
                    if date.is_empty() { "Undated" } else { &date }
                );
                day = Some(date);
            }
            match e {
                TrailEntry::Event {
                    coder,
                    summary,
                    note,
                    ..
                } => {
                    let _ = writeln!(
                        out,
                        "- **{time}** — {} — {}",
                        if coder.is_empty() {
                            "unknown coder".to_owned()
                        } else {
                            md(coder)
                        },
                        md(summary)
                    );
                    if let Some(n) = note {
                        md_quote(&mut out, &n.body);
                    }
                }
                TrailEntry::Journal(n) => {
                    let phase = n
                        .phase_label()
                        .map(|p| format!(" ({p})"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "- **{time}** — {} — Journal: “{}”{phase}",
                        if n.coder.is_empty() {
                            "unknown coder".to_owned()
                        } else {
                            md(&n.coder)
                        },
                        md(n.title.trim())
                    );
                    md_quote(&mut out, &n.body);
                }
            }
        }
        out
    }

    /// The trail as an HTML fragment (a list per date), for the portfolio. Journal notes tied
    /// to an edit are quoted; a journal entry written on its own is quoted only with
    /// `full_journal` (the portfolio prints the journal in a section of its own).
    pub fn to_html(&self, full_journal: bool) -> String {
        let mut h = String::new();
        if self.entries.is_empty() {
            h.push_str("<p class=\"none\">Nothing recorded yet: creating, renaming, merging and splitting codes, and building themes, is recorded here.</p>\n");
            return h;
        }
        let mut day: Option<String> = None;
        for e in &self.entries {
            let (date, time) = date_time(e.at());
            if day.as_deref() != Some(date.as_str()) {
                if day.is_some() {
                    h.push_str("</ol>\n");
                }
                let _ = writeln!(
                    h,
                    "<h4>{}</h4>\n<ol class=\"trail\">",
                    esc(if date.is_empty() { "Undated" } else { &date })
                );
                day = Some(date);
            }
            let (coder, what, kind, body) = match e {
                TrailEntry::Event {
                    coder,
                    summary,
                    note,
                    kind,
                    ..
                } => (
                    coder.as_str(),
                    esc(summary),
                    kind.as_str(),
                    note.as_ref().map(|n| n.body.as_str()),
                ),
                TrailEntry::Journal(n) => (
                    n.coder.as_str(),
                    format!(
                        "Journal: “{}”{}",
                        esc(n.title.trim()),
                        n.phase_label()
                            .map(|p| format!(" <span class=\"phase\">{}</span>", esc(&p)))
                            .unwrap_or_default()
                    ),
                    "journal",
                    full_journal.then_some(n.body.as_str()),
                ),
            };
            let _ = write!(
                h,
                "<li class=\"k-{kind}\"><span class=\"when\">{}</span> <span class=\"who\">{}</span> {what}",
                esc(&time),
                esc(if coder.is_empty() {
                    "unknown coder"
                } else {
                    coder
                }),
            );
            if let Some(b) = body.filter(|b| !b.trim().is_empty()) {
                let _ = write!(h, "<blockquote>{}</blockquote>", esc(b.trim()));
            }
            h.push_str("</li>\n");
        }
        h.push_str("</ol>\n");
        h
    }
}
