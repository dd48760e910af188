//! Themes as Braun and Clarke mean them: patterns of shared meaning built from codes, with a
//! central organising concept, a definition and boundaries, developed from candidate to final.
//! A theme is not a code: it links many codes, and one code can support several themes.
//! Also here: what the analysis workflow records about itself (review marks, map positions,
//! reading progress, the analytic audit trail).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{CodeId, CodingId, Color};

id_type!(
    /// Row id of a theme.
    ThemeId
);

/// Where a theme stands in its development.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeStatus {
    /// Proposed from codes, not yet checked against the data (every new theme).
    Candidate,
    /// Checked against its extracts and the whole data set.
    Reviewed,
    /// Defined, named and kept for the write-up.
    Final,
    /// Set aside; kept so that the audit trail can show it.
    Discarded,
}

impl ThemeStatus {
    /// Every status, in the order a theme goes through them.
    pub const ALL: [Self; 4] = [
        Self::Candidate,
        Self::Reviewed,
        Self::Final,
        Self::Discarded,
    ];

    /// The word stored and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Candidate => "candidate",
            Self::Reviewed => "reviewed",
            Self::Final => "final",
            Self::Discarded => "discarded",
        }
    }

    /// Parses [`Self::as_str`], ignoring case.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The word shown to people ("Candidate").
    pub fn label(self) -> &'static str {
        match self {
            Self::Candidate => "Candidate",
            Self::Reviewed => "Reviewed",
            Self::Final => "Final",
            Self::Discarded => "Discarded",
        }
    }
}

impl std::fmt::Display for ThemeStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A theme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theme {
    /// Row id.
    pub id: ThemeId,
    /// Stable identity across exports (a REFI-QDA set).
    pub guid: String,
    /// The theme this one is a sub-theme of.
    pub parent: Option<ThemeId>,
    /// Name, unique in the project.
    pub name: String,
    /// The central organising concept, in one sentence.
    pub concept: String,
    /// The definition: what the theme is about, a paragraph.
    pub definition: String,
    /// Its boundaries: what it is not.
    pub boundaries: String,
    /// Where it stands.
    pub status: ThemeStatus,
    /// Colour on the map.
    pub color: Color,
    /// Position among its siblings.
    pub sort_order: i64,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// The codes linked to it, in the order they were linked.
    pub codes: Vec<CodeId>,
}

impl Theme {
    /// Whether the name is a single word, which Braun and Clarke warn is often a topic
    /// summary ("Trust") rather than a theme ("Trust has to be earned twice").
    pub fn name_is_single_word(&self) -> bool {
        crate::text::WordIndex::new(&self.name).len() <= 1
    }
}

/// The themes in display order: parents before their sub-themes, siblings by position.
pub fn theme_order(themes: &[Theme]) -> Vec<(usize, &Theme)> {
    fn walk<'a>(
        themes: &'a [Theme],
        parent: Option<ThemeId>,
        depth: usize,
        seen: &mut std::collections::HashSet<ThemeId>,
        out: &mut Vec<(usize, &'a Theme)>,
    ) {
        let mut kids: Vec<&Theme> = themes.iter().filter(|t| t.parent == parent).collect();
        kids.sort_by(|a, b| (a.sort_order, &a.name).cmp(&(b.sort_order, &b.name)));
        for t in kids {
            if seen.insert(t.id) {
                out.push((depth, t));
                walk(themes, Some(t.id), depth + 1, seen, out);
            }
        }
    }
    let mut out = Vec::with_capacity(themes.len());
    let mut seen = std::collections::HashSet::new();
    walk(themes, None, 0, &mut seen, &mut out);
    // A theme whose parent is missing (never in a consistent file) still shows, at the top.
    for t in themes {
        if seen.insert(t.id) {
            out.push((0, t));
        }
    }
    out
}

/// A theme and all its sub-themes, at any depth (the theme first).
pub fn theme_subtree(themes: &[Theme], root: ThemeId) -> Vec<ThemeId> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let cur = out[i];
        for t in themes {
            if t.parent == Some(cur) && !out.contains(&t.id) {
                out.push(t.id);
            }
        }
        i += 1;
    }
    out
}

/// A researcher's judgement of one extract during level-1 review of a theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The extract fits the theme.
    Fits,
    /// The extract does not fit the theme.
    Misfit,
    /// The extract belongs elsewhere (it was moved to another code).
    Elsewhere,
}

impl Verdict {
    /// Every verdict.
    pub const ALL: [Self; 3] = [Self::Fits, Self::Misfit, Self::Elsewhere];

    /// The word stored and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fits => "fits",
            Self::Misfit => "misfit",
            Self::Elsewhere => "elsewhere",
        }
    }

    /// Parses [`Self::as_str`] (and "doesn't fit"), ignoring case.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_lowercase();
        match s.as_str() {
            "doesn't fit" | "does not fit" | "doesnt-fit" => Some(Self::Misfit),
            _ => Self::ALL.into_iter().find(|v| v.as_str() == s),
        }
    }

    /// What the review view calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Fits => "Fits",
            Self::Misfit => "Doesn't fit",
            Self::Elsewhere => "Belongs elsewhere",
        }
    }
}

/// A level-1 review mark: how one extract (coding) was judged for one theme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewMark {
    /// The theme under review.
    pub theme: ThemeId,
    /// The extract.
    pub coding: CodingId,
    /// The judgement.
    pub verdict: Verdict,
    /// When it was made (RFC 3339).
    pub at: String,
}

/// How far a document has been read in the app (familiarisation). Kept per document by its
/// GUID; not an edit, so not in the undo history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reading {
    /// The document's GUID.
    pub doc_guid: String,
    /// First opened (RFC 3339).
    pub opened_at: String,
    /// The furthest char shown on screen.
    pub furthest: usize,
    /// When its end was first shown (RFC 3339); `None` while not read to the end.
    pub finished_at: Option<String>,
}

/// What kind of thing an audit-trail entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Subject {
    /// A code of the codebook.
    Code,
    /// A theme.
    Theme,
}

impl Subject {
    /// The word stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Theme => "theme",
        }
    }

    /// Parses [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "code" => Some(Self::Code),
            "theme" => Some(Self::Theme),
            _ => None,
        }
    }
}

/// What happened to a code or theme, for the audit trail of the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// Created.
    Created,
    /// Renamed (detail: the old name).
    Renamed,
    /// Merged into another (detail: the target's name).
    Merged,
    /// Split: some of its codings moved to a new code (detail: the new code's name).
    Split,
    /// A code linked to a theme (detail: the code's path).
    Linked,
    /// A code unlinked from a theme (detail: the code's path).
    Unlinked,
    /// Status changed (detail: `old → new`).
    Status,
    /// Definition, concept or boundaries changed (detail: which).
    Defined,
    /// Moved in the hierarchy (detail: the new parent, or "top level").
    Moved,
    /// Deleted.
    Deleted,
    /// Came in with an import (detail: where from).
    Imported,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [Self; 11] = [
        Self::Created,
        Self::Renamed,
        Self::Merged,
        Self::Split,
        Self::Linked,
        Self::Unlinked,
        Self::Status,
        Self::Defined,
        Self::Moved,
        Self::Deleted,
        Self::Imported,
    ];

    /// The word stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Renamed => "renamed",
            Self::Merged => "merged",
            Self::Split => "split",
            Self::Linked => "linked",
            Self::Unlinked => "unlinked",
            Self::Status => "status",
            Self::Defined => "defined",
            Self::Moved => "moved",
            Self::Deleted => "deleted",
            Self::Imported => "imported",
        }
    }

    /// Parses [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One entry of the analytic audit trail: how the codebook and the themes changed. Written in
/// the same transaction as the edit, so undoing the edit takes the entry away; trimming the
/// undo history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticEvent {
    /// Row id (grows with time).
    pub id: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who (the coder's name, empty when unknown).
    pub coder: String,
    /// What happened.
    pub kind: EventKind,
    /// To a code or a theme.
    pub subject: Subject,
    /// The code's or theme's GUID.
    pub guid: String,
    /// Its name at the time (a code's path).
    pub name: String,
    /// What changed, in words (the old name, the other code, `candidate → reviewed`).
    pub detail: String,
    /// The journal entry written with it, by GUID.
    pub note: Option<String>,
}

/// The project setting holding when the level-2 review grid was last looked at (RFC 3339).
pub const GRID_SEEN_SETTING: &str = "review_grid_seen_at";

/// The project setting holding when the report was last exported (RFC 3339).
pub const REPORT_EXPORTED_SETTING: &str = "report_exported_at";

/// The six phases of reflexive thematic analysis (Braun and Clarke).
pub const PHASES: [&str; 6] = [
    "Familiarisation",
    "Generating codes",
    "Constructing themes",
    "Reviewing themes",
    "Defining and naming themes",
    "Writing up",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(id: i64, parent: Option<i64>, name: &str) -> Theme {
        Theme {
            id: ThemeId(id),
            guid: format!("g{id}"),
            parent: parent.map(ThemeId),
            name: name.into(),
            concept: String::new(),
            definition: String::new(),
            boundaries: String::new(),
            status: ThemeStatus::Candidate,
            color: Color::palette(0),
            sort_order: 0,
            created_at: String::new(),
            codes: Vec::new(),
        }
    }

    #[test]
    fn order_puts_sub_themes_under_parents() {
        let ts = vec![
            theme(1, None, "B"),
            theme(2, Some(1), "B1"),
            theme(3, None, "A"),
        ];
        let order: Vec<(usize, &str)> = theme_order(&ts)
            .into_iter()
            .map(|(d, t)| (d, t.name.as_str()))
            .collect();
        assert_eq!(order, vec![(0, "A"), (0, "B"), (1, "B1")]);
        assert_eq!(theme_subtree(&ts, ThemeId(1)), vec![ThemeId(1), ThemeId(2)]);
    }

    #[test]
    fn statuses_and_verdicts_parse() {
        for s in ThemeStatus::ALL {
            assert_eq!(ThemeStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ThemeStatus::parse("Reviewed"), Some(ThemeStatus::Reviewed));
        assert_eq!(ThemeStatus::parse("done"), None);
        assert_eq!(Verdict::parse("doesn't fit"), Some(Verdict::Misfit));
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn single_word_names() {
        assert!(theme(1, None, "Trust").name_is_single_word());
        assert!(!theme(1, None, "Trust has to be earned").name_is_single_word());
    }
}
