//! Braun and Clarke's six phases, read from the project's own state: for each phase, what it
//! asks of the researcher and how far the data says the analysis has come. Nothing here is
//! ticked by hand; every number is computed from documents, codes, themes, review marks,
//! reading progress and the journal.

use std::collections::HashSet;

use serde::Serialize;

use super::Result;
use super::themes::progress_of;
use crate::model::{
    DocId, GRID_SEEN_SETTING, MemoTarget, PHASES, ProjectRead, REPORT_EXPORTED_SETTING, ThemeStatus,
};

/// One measured step of a phase: `done` of `of` (`of` is 1 for a yes/no step).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measure {
    /// What is measured ("documents read to the end").
    pub label: String,
    /// How many are done (at most `of`).
    pub done: usize,
    /// Out of how many.
    pub of: usize,
    /// The line shown beside its bar: "7 of 8 documents read to the end".
    pub text: String,
}

impl Measure {
    /// `done` of `of` things: "7 of 8 documents read to the end".
    fn count(label: &str, done: usize, of: usize) -> Self {
        Self {
            label: label.to_owned(),
            done: done.min(of),
            of,
            text: format!("{} of {of} {label}", done.min(of)),
        }
    }

    /// A step done once or not yet: "report exported: not yet".
    fn yes_no(label: &str, done: bool) -> Self {
        Self {
            label: label.to_owned(),
            done: usize::from(done),
            of: 1,
            text: format!("{label}: {}", if done { "yes" } else { "not yet" }),
        }
    }

    /// A count with a modest target (`of`), shown as the count itself: "3 themes constructed".
    fn at_least(label: &str, plural: &str, n: usize, of: usize, hint: &str) -> Self {
        let word = if n == 1 { label } else { plural };
        Self {
            label: plural.to_owned(),
            done: n.min(of),
            of,
            text: if n >= of {
                format!("{n} {word}")
            } else {
                format!("{n} {word} ({hint})")
            },
        }
    }

    /// Share done, 0 to 1 (0 when there is nothing to do yet).
    pub fn fraction(&self) -> f64 {
        if self.of == 0 {
            0.0
        } else {
            self.done as f64 / self.of as f64
        }
    }
}

/// A journal entry tied to a phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseNote {
    /// The memo's GUID.
    pub guid: String,
    /// Its title.
    pub title: String,
    /// When it was written.
    pub created_at: String,
}

/// One phase: what it asks, and where the project stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    /// 1 to 6.
    pub number: u8,
    /// Its name.
    pub name: &'static str,
    /// What it asks of the researcher, in a few plain sentences.
    pub asks: &'static str,
    /// Advice shown beside the progress, never blocking (empty when none applies).
    pub advice: Vec<String>,
    /// The measured steps.
    pub measures: Vec<Measure>,
    /// Journal entries written for this phase.
    pub notes: Vec<PhaseNote>,
}

impl Phase {
    /// Overall progress, 0 to 1: the mean of the measures' shares.
    pub fn progress(&self) -> f64 {
        if self.measures.is_empty() {
            return 0.0;
        }
        self.measures.iter().map(Measure::fraction).sum::<f64>() / self.measures.len() as f64
    }
}

/// What each phase asks, in our own words.
pub const ASKS: [&str; 6] = [
    "Read every transcript through, more than once if you can, before you code. Note first \
     impressions, surprises and your own reactions in a memo on each document: they are data \
     about your reading.",
    "Work through the data systematically and code anything that may matter to your question. \
     Give each code a short definition so that you, and others, can apply it the same way.",
    "Look across your codes for broader patterns of shared meaning. Gather codes into candidate \
     themes; a code may support more than one. Candidate themes are provisional.",
    "Check each theme against its coded extracts (do they cohere?), then against the whole \
     data set (does it hold across participants?). Keep, split, merge or discard themes.",
    "Say what is unique and specific about each theme: its central organising concept, a \
     definition, and what it is not. Give it a name that tells the reader what it is about.",
    "Tell the story of your analysis with vivid, compelling extracts chosen for each theme, \
     and relate it back to your research question and the literature.",
];

const TOPIC_ADVICE: &str = "Braun and Clarke warn against “topic summary” themes: a one-word \
     name (“Trust”) often names a topic, not a pattern of shared meaning. Consider a name that \
     says something about it (“Trust has to be earned twice”).";

/// The six phases as the project shows them.
pub fn phases(read: impl ProjectRead) -> Result<Vec<Phase>> {
    let docs = read.documents()?;
    let tree = read.code_tree()?;
    let themes = read.themes()?;
    let memos = read.memos()?;
    let spans = read.coding_spans()?;
    let readings = read.readings()?;
    let exemplars = read.exemplars()?;

    let doc_guids: HashSet<&str> = docs.iter().map(|d| d.guid.as_str()).collect();
    let read_through = readings
        .iter()
        .filter(|r| r.finished_at.is_some() && doc_guids.contains(r.doc_guid.as_str()))
        .count();
    let mut with_notes: HashSet<DocId> = docs
        .iter()
        .filter(|d| !d.memo.trim().is_empty())
        .map(|d| d.id)
        .collect();
    for m in &memos {
        if let MemoTarget::Document(d) = m.target
            && !m.body.trim().is_empty()
        {
            with_notes.insert(d);
        }
    }
    let coded_docs: HashSet<DocId> = spans.iter().map(|s| s.doc).collect();
    let defined_codes = tree
        .codes
        .iter()
        .filter(|c| !c.description.trim().is_empty())
        .count();

    let live: Vec<_> = themes
        .iter()
        .filter(|t| t.status != ThemeStatus::Discarded)
        .collect();
    let linked: HashSet<_> = live.iter().flat_map(|t| t.codes.iter().copied()).collect();
    let linked_codes = tree.codes.iter().filter(|c| linked.contains(&c.id)).count();
    let progress = progress_of(&themes, &spans, &read.review_marks()?);
    let reviewed = live
        .iter()
        .filter(|t| {
            progress
                .get(&t.id)
                .is_some_and(|(done, total)| *total > 0 && done == total)
        })
        .count();
    let grid_seen = read.setting(GRID_SEEN_SETTING)?.is_some();
    let defined_themes = live
        .iter()
        .filter(|t| !t.concept.trim().is_empty() && !t.definition.trim().is_empty())
        .count();
    let named = live.iter().filter(|t| !t.name_is_single_word()).count();
    let exemplar_codes: HashSet<_> = spans
        .iter()
        .filter(|s| exemplars.contains(&s.id))
        .map(|s| s.code)
        .collect();
    let with_exemplars = live
        .iter()
        .filter(|t| t.codes.iter().any(|c| exemplar_codes.contains(c)))
        .count();
    let report_exported = read.setting(REPORT_EXPORTED_SETTING)?.is_some();

    let nd = docs.len();
    let nc = tree.codes.len();
    let nt = live.len();
    let measures: [Vec<Measure>; 6] = [
        vec![
            Measure::count("documents read to the end", read_through, nd),
            Measure::count("documents with familiarisation notes", with_notes.len(), nd),
        ],
        vec![
            Measure::count("documents with codings", coded_docs.len(), nd),
            Measure::count("codes with a definition", defined_codes, nc),
        ],
        vec![
            // Two to eight themes is what most analyses end with; fewer is not yet a map.
            Measure::at_least(
                "theme constructed",
                "themes constructed",
                nt,
                2,
                "two or more make a map",
            ),
            Measure::count("codes linked to a theme", linked_codes, nc),
        ],
        vec![
            Measure::count("themes reviewed against their extracts", reviewed, nt),
            Measure::yes_no("theme × case grid looked at", grid_seen),
        ],
        vec![
            Measure::count("themes with a concept and a definition", defined_themes, nt),
            Measure::count("theme names that say more than one word", named, nt),
        ],
        vec![
            Measure::count("themes with chosen exemplar extracts", with_exemplars, nt),
            Measure::yes_no("report exported", report_exported),
        ],
    ];
    let mut out = Vec::with_capacity(6);
    for (i, measures) in measures.into_iter().enumerate() {
        let number = u8::try_from(i + 1).unwrap_or(6);
        let mut notes: Vec<PhaseNote> = memos
            .iter()
            .filter(|m| m.target == MemoTarget::Project && m.phase == Some(number))
            .map(|m| PhaseNote {
                guid: m.guid.clone(),
                title: m.title.clone(),
                created_at: m.created_at.clone(),
            })
            .collect();
        notes.sort_by(|a, b| a.created_at.cmp(&b.created_at));
        let mut advice = Vec::new();
        if number == 5 && named < nt {
            let one_word: Vec<String> = live
                .iter()
                .filter(|t| t.name_is_single_word())
                .map(|t| format!("“{}”", t.name))
                .collect();
            advice.push(format!(
                "{TOPIC_ADVICE} One-word names now: {}.",
                one_word.join(", ")
            ));
        }
        out.push(Phase {
            number,
            name: PHASES[i],
            asks: ASKS[i],
            advice,
            measures,
            notes,
        });
    }
    Ok(out)
}

/// How far a phase must be for the panel to call it essentially done and point to the next.
pub const ESSENTIALLY_DONE: f64 = 0.8;

/// The phase the project is in: the first one not essentially done (its progress under
/// [`ESSENTIALLY_DONE`]), or the last when all are. Braun and Clarke's phases are recursive,
/// not a ladder; this only says where the data suggests work is still to do.
pub fn current_phase(phases: &[Phase]) -> u8 {
    phases
        .iter()
        .find(|p| p.progress() < ESSENTIALLY_DONE)
        .or(phases.last())
        .map_or(1, |p| p.number)
}
