//! The built-in demo project: seven interviews and a focus group about peer support in
//! mental-health services, with cases, attributes, a codebook around *role*, *relationship*,
//! *mutuality* and *reciprocity*, example codings and a reflexive journal. Everything is
//! compiled into the binary from `assets/demo/`, so `weft demo P.weft` works anywhere.
//!
//! Codings in `project.json` name their passage by its exact text (a quote), not by offsets,
//! so the transcripts can be edited without silently shifting codings: a quote that is not
//! found fails loudly (and the test below keeps it that way).
//!
//! On top of the coded data the demo carries a finished thematic analysis
//! (`assets/demo/analysis.json`): familiarisation notes and reading progress, a codebook
//! change, candidate themes gathered, split, renamed, reviewed, defined and made final, one
//! discarded candidate, a sub-theme, exemplar extracts and a journal entry for each phase.
//! It is built by running the same actions a student would, in the order and on the dates of
//! the story, so the audit trail shows how the analysis developed over the weeks.

use serde::Deserialize;
use std::collections::BTreeMap;

use crate::actions::{Action, ThemeAction};
use crate::model::{
    AttrScope, AttrType, Bundle, BundleAttribute, BundleCase, BundleCode, BundleCoder,
    BundleCoding, BundleDocument, BundleMemo, BundleTarget, CharRange, CodeId, CodingFilter,
    CodingId, Color, EventKind, MemoTarget, NewDocument, Origin, Subject, ThemeStatus, Verdict,
};
use crate::store::{Result, Store, StoreError, Tx};

/// The demo's files: name and contents.
pub const FILES: &[(&str, &str)] = &[
    (
        "p01-peer-worker-community.txt",
        include_str!("../assets/demo/p01-peer-worker-community.txt"),
    ),
    (
        "p02-peer-worker-inpatient.txt",
        include_str!("../assets/demo/p02-peer-worker-inpatient.txt"),
    ),
    (
        "p03-peer-worker-crisis-house.txt",
        include_str!("../assets/demo/p03-peer-worker-crisis-house.txt"),
    ),
    (
        "p04-peer-worker-drop-in.txt",
        include_str!("../assets/demo/p04-peer-worker-drop-in.txt"),
    ),
    (
        "p05-service-user-community.txt",
        include_str!("../assets/demo/p05-service-user-community.txt"),
    ),
    (
        "p06-service-user-inpatient.txt",
        include_str!("../assets/demo/p06-service-user-inpatient.txt"),
    ),
    (
        "p07-service-user-drop-in.txt",
        include_str!("../assets/demo/p07-service-user-drop-in.txt"),
    ),
    (
        "fg1-focus-group.txt",
        include_str!("../assets/demo/fg1-focus-group.txt"),
    ),
];

/// The demo's description of cases, codes and codings.
pub const PROJECT_JSON: &str = include_str!("../assets/demo/project.json");

/// The demo's thematic analysis, as the dated steps that built it.
pub const ANALYSIS_JSON: &str = include_str!("../assets/demo/analysis.json");

#[derive(Deserialize)]
struct DemoAttr {
    name: String,
    scope: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct DemoCase {
    name: String,
    #[serde(default)]
    memo: String,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct DemoDoc {
    file: String,
    name: String,
    #[serde(default)]
    cases: Vec<String>,
    #[serde(default)]
    memo: String,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct DemoSpeaker {
    document: String,
    speaker: String,
    case: String,
}

#[derive(Deserialize)]
struct DemoCode {
    path: String,
    color: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
struct DemoCoding {
    document: String,
    code: String,
    quote: String,
    #[serde(default)]
    occurrence: Option<usize>,
    coder: String,
    #[serde(default)]
    memo: String,
}

#[derive(Deserialize)]
struct DemoMemo {
    title: String,
    body: String,
}

#[derive(Deserialize)]
struct DemoProject {
    title: String,
    coders: Vec<String>,
    default_coder: String,
    attributes: Vec<DemoAttr>,
    cases: Vec<DemoCase>,
    documents: Vec<DemoDoc>,
    #[serde(default)]
    speakers: Vec<DemoSpeaker>,
    codes: Vec<DemoCode>,
    codings: Vec<DemoCoding>,
    #[serde(default)]
    memos: Vec<DemoMemo>,
}

fn invalid(msg: String) -> StoreError {
    StoreError::Invalid(format!("demo project: {msg}"))
}

/// Char offsets of the `occurrence`-th (1-based) exact occurrence of `quote` in `text`.
fn find_quote(text: &str, quote: &str, occurrence: usize) -> Option<CharRange> {
    let byte = text
        .match_indices(quote)
        .nth(occurrence.saturating_sub(1))?
        .0;
    let start = crate::text::byte_to_char(text, byte)?;
    CharRange::new(start, start + crate::text::char_len(quote))
}

/// The demo as content to add: transcripts, cases, codebook, codings and journal.
pub fn bundle() -> Result<Bundle> {
    let demo: DemoProject = serde_json::from_str(PROJECT_JSON)?;
    let scope = |s: &str| AttrScope::parse(s).ok_or_else(|| invalid(format!("scope {s}")));
    let kind = |s: &str| AttrType::parse(s).ok_or_else(|| invalid(format!("type {s}")));
    let mut b = Bundle {
        title: Some(demo.title.clone()),
        coders: demo
            .coders
            .iter()
            .map(|c| BundleCoder {
                guid: None,
                name: c.clone(),
            })
            .collect(),
        default_coder: Some(demo.default_coder.clone()),
        ..Bundle::default()
    };
    for a in &demo.attributes {
        b.attributes.push(BundleAttribute {
            guid: None,
            name: a.name.clone(),
            scope: scope(&a.scope)?,
            kind: kind(&a.kind)?,
        });
    }
    for c in &demo.cases {
        b.cases.push(BundleCase {
            guid: None,
            name: c.name.clone(),
            memo: c.memo.clone(),
            attrs: c.attributes.clone().into_iter().collect(),
        });
    }
    let mut texts: BTreeMap<&str, String> = BTreeMap::new();
    for d in &demo.documents {
        let raw = FILES
            .iter()
            .find(|(f, _)| *f == d.file)
            .map(|(_, t)| *t)
            .ok_or_else(|| invalid(format!("no file {}", d.file)))?;
        let text = crate::text::normalize_newlines(raw);
        let turns = crate::import::detect_turns(&text);
        texts.insert(&d.name, text.clone());
        b.documents.push(BundleDocument {
            doc: NewDocument {
                name: d.name.clone(),
                origin: Origin {
                    file_name: d.file.clone(),
                    format: "txt".into(),
                    encoding: "UTF-8".into(),
                    sha256: crate::import::sha256_hex(raw.as_bytes()),
                },
                text,
                turns,
                guid: None,
            },
            memo: d.memo.clone(),
            cases: d.cases.clone(),
            attrs: d.attributes.clone().into_iter().collect(),
            speakers: demo
                .speakers
                .iter()
                .filter(|s| s.document == d.name)
                .map(|s| (s.speaker.clone(), s.case.clone()))
                .collect(),
        });
    }
    if let Some(s) = demo
        .speakers
        .iter()
        .find(|s| !texts.contains_key(s.document.as_str()))
    {
        return Err(invalid(format!(
            "speaker of unknown document {}",
            s.document
        )));
    }
    for c in &demo.codes {
        b.codes.push(BundleCode {
            guid: None,
            path: c.path.clone(),
            color: Some(
                Color::parse(&c.color).ok_or_else(|| invalid(format!("colour {}", c.color)))?,
            ),
            description: c.description.clone(),
        });
    }
    for c in &demo.codings {
        let text = texts
            .get(c.document.as_str())
            .ok_or_else(|| invalid(format!("no document {}", c.document)))?;
        let range = find_quote(text, &c.quote, c.occurrence.unwrap_or(1))
            .ok_or_else(|| invalid(format!("quote not found in “{}”: {}", c.document, c.quote)))?;
        b.codings.push(BundleCoding {
            guid: None,
            document: c.document.clone(),
            code: c.code.clone(),
            coder: Some(c.coder.clone()),
            range,
            memo: c.memo.clone(),
            created_at: None,
            selection_guid: None,
        });
    }
    for m in &demo.memos {
        b.memos.push(BundleMemo {
            guid: None,
            target: BundleTarget::Project,
            title: m.title.clone(),
            body: m.body.clone(),
            coder: Some(demo.default_coder.clone()),
        });
    }
    Ok(b)
}

/// Fills an empty project with the demo, its content and its finished analysis: one
/// transaction, not recorded for undo (the demo is the starting point, not an edit).
pub fn build(store: &mut Store) -> Result<()> {
    build_with(store, true)
}

/// Fills an empty project with the demo's coded transcripts only, without its thematic
/// analysis (no themes, reviews, exemplars, phase notes or reading): for practising theme
/// building on coded data (`weft demo --no-analysis`).
pub fn build_without_analysis(store: &mut Store) -> Result<()> {
    build_with(store, false)
}

fn build_with(store: &mut Store, with_analysis: bool) -> Result<()> {
    let action = Action::AddContent {
        label: "Create the demo project".into(),
        bundle: Box::new(bundle()?),
    };
    let analysis: DemoAnalysis = serde_json::from_str(ANALYSIS_JSON)?;
    store.untracked(|tx| {
        action.run(tx)?;
        if with_analysis {
            build_analysis(tx, &analysis)?;
        }
        Ok(())
    })?;
    Ok(())
}

#[derive(Deserialize)]
struct DemoCodingsAt {
    coder: String,
    at: String,
}

#[derive(Deserialize)]
struct DemoReading {
    document: String,
    opened: String,
    finished: String,
}

#[derive(Deserialize)]
struct DemoJournal {
    title: String,
    at: String,
    phase: u8,
}

#[derive(Deserialize)]
struct DemoExtract {
    document: String,
    code: String,
    quote: String,
}

#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum DemoOp {
    DocMemo {
        document: String,
        title: String,
        body: String,
    },
    AddCode {
        path: String,
    },
    Recode {
        #[serde(flatten)]
        extract: DemoExtract,
        to: String,
    },
    MergeCode {
        source: String,
        target: String,
    },
    AddTheme {
        name: String,
        #[serde(default)]
        parent: Option<String>,
        #[serde(default)]
        definition: String,
    },
    Link {
        theme: String,
        codes: Vec<String>,
    },
    Unlink {
        theme: String,
        codes: Vec<String>,
    },
    Rename {
        theme: String,
        name: String,
    },
    Define {
        theme: String,
        concept: String,
        definition: String,
        boundaries: String,
    },
    Status {
        theme: String,
        status: String,
    },
    Review {
        theme: String,
        #[serde(default)]
        misfit: Vec<DemoExtract>,
    },
    Exemplar {
        #[serde(flatten)]
        extract: DemoExtract,
    },
    Note {
        phase: u8,
        title: String,
        body: String,
    },
    Milestone {
        setting: String,
    },
}

#[derive(Deserialize)]
struct DemoStep {
    at: String,
    #[serde(default)]
    coder: Option<String>,
    #[serde(default)]
    note: String,
    #[serde(flatten)]
    op: DemoOp,
}

#[derive(Deserialize)]
struct DemoAnalysis {
    codings_at: Vec<DemoCodingsAt>,
    codebook_at: String,
    readings: Vec<DemoReading>,
    journal: Vec<DemoJournal>,
    steps: Vec<DemoStep>,
    /// The themes in the order the write-up tells them.
    order: Vec<String>,
}

fn demo_code(tx: &Tx<'_>, path: &str) -> Result<CodeId> {
    tx.code_by_path(path)?
        .ok_or_else(|| invalid(format!("no code {path}")))
}

fn demo_codes(tx: &Tx<'_>, paths: &[String]) -> Result<Vec<CodeId>> {
    paths.iter().map(|p| demo_code(tx, p)).collect()
}

/// The coding of `code` in the document whose passage holds `quote`.
fn demo_coding(tx: &Tx<'_>, e: &DemoExtract) -> Result<CodingId> {
    let doc = tx.require_document(&e.document)?;
    let code = demo_code(tx, &e.code)?;
    let text = tx.document_text(doc)?;
    let range = find_quote(&text, &e.quote, 1)
        .ok_or_else(|| invalid(format!("quote not found in “{}”: {}", e.document, e.quote)))?;
    let filter = CodingFilter {
        doc: Some(doc),
        codes: Some(vec![code]),
        ..CodingFilter::default()
    };
    tx.codings(&filter)?
        .into_iter()
        .find(|c| c.start <= range.start && range.end <= c.end)
        .map(|c| c.id)
        .ok_or_else(|| invalid(format!("no “{}” coding holds: {}", e.code, e.quote)))
}

/// Minutes after an RFC 3339 time, in the same format.
fn later(at: &str, minutes: i64) -> Result<String> {
    let t =
        chrono::DateTime::parse_from_rfc3339(at).map_err(|e| invalid(format!("time {at}: {e}")))?;
    Ok((t + chrono::Duration::minutes(minutes))
        .with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Runs the dated steps of the demo's analysis after its content is in.
fn build_analysis(tx: &Tx<'_>, a: &DemoAnalysis) -> Result<()> {
    for c in &a.codings_at {
        tx.set_codings_time(&c.coder, &c.at)?;
    }
    for r in &a.readings {
        let doc = tx.document(tx.require_document(&r.document)?)?;
        tx.set_reading(&doc.guid, &r.opened, &r.finished)?;
    }
    let memos = tx.memos()?;
    for j in &a.journal {
        let memo = memos
            .iter()
            .find(|m| m.title == j.title && m.target == MemoTarget::Project)
            .ok_or_else(|| invalid(format!("no journal entry {}", j.title)))?;
        tx.set_memo_phase(memo.id, Some(j.phase))?;
        tx.set_memo_time(memo.id, &j.at)?;
    }
    // The codebook as it was first written, one code after another over a morning or two.
    let tree = tx.code_tree()?;
    for (i, code) in tree.codes.iter().enumerate() {
        let mark = tx.history_mark()?;
        let path = tree.path(code.id);
        tx.record_event(
            EventKind::Created,
            Subject::Code,
            &code.guid,
            &path,
            "",
            None,
        )?;
        let minutes = i64::try_from(i).unwrap_or(0) * 11;
        tx.backdate_since(&mark, &later(&a.codebook_at, minutes)?, None)?;
    }
    for step in &a.steps {
        let mark = tx.history_mark()?;
        run_step(tx, step)?;
        tx.backdate_since(&mark, &step.at, step.coder.as_deref())?;
    }
    for (i, name) in a.order.iter().enumerate() {
        tx.set_theme_sort_order(tx.require_theme(name)?, i64::try_from(i).unwrap_or(0))?;
    }
    Ok(())
}

fn run_step(tx: &Tx<'_>, step: &DemoStep) -> Result<()> {
    let theme = |name: &str| tx.require_theme(name);
    let action = match &step.op {
        DemoOp::DocMemo {
            document,
            title,
            body,
        } => Action::AddMemo {
            target: MemoTarget::Document(tx.require_document(document)?),
            title: title.clone(),
            body: body.clone(),
            coder: tx.default_coder()?,
        },
        DemoOp::AddCode { path } => Action::AddCodePath {
            path: path.clone(),
            color: None,
            description: String::new(),
        },
        DemoOp::Recode { extract, to } => Action::RecodeCoding {
            coding: demo_coding(tx, extract)?,
            code: demo_code(tx, to)?,
        },
        DemoOp::MergeCode { source, target } => Action::MergeCodes {
            source: demo_code(tx, source)?,
            target: demo_code(tx, target)?,
        },
        DemoOp::AddTheme {
            name,
            parent,
            definition,
        } => Action::Theme(ThemeAction::Add {
            name: name.clone(),
            parent: parent.as_deref().map(theme).transpose()?,
            concept: String::new(),
            definition: definition.clone(),
            color: None,
        }),
        DemoOp::Link { theme: t, codes } => Action::Theme(ThemeAction::Link {
            theme: theme(t)?,
            codes: demo_codes(tx, codes)?,
        }),
        DemoOp::Unlink { theme: t, codes } => Action::Theme(ThemeAction::Unlink {
            theme: theme(t)?,
            codes: demo_codes(tx, codes)?,
        }),
        DemoOp::Rename { theme: t, name } => Action::Theme(ThemeAction::Rename {
            theme: theme(t)?,
            name: name.clone(),
        }),
        DemoOp::Define {
            theme: t,
            concept,
            definition,
            boundaries,
        } => Action::Theme(ThemeAction::Define {
            theme: theme(t)?,
            concept: Some(concept.clone()),
            definition: Some(definition.clone()),
            boundaries: Some(boundaries.clone()),
        }),
        DemoOp::Status { theme: t, status } => Action::Theme(ThemeAction::Status {
            theme: theme(t)?,
            status: ThemeStatus::parse(status)
                .ok_or_else(|| invalid(format!("status {status}")))?,
        }),
        DemoOp::Review { theme: t, misfit } => {
            let id = theme(t)?;
            let misfits = misfit
                .iter()
                .map(|e| demo_coding(tx, e))
                .collect::<Result<Vec<_>>>()?;
            let filter = CodingFilter {
                codes: Some(tx.theme(id)?.codes),
                ..CodingFilter::default()
            };
            for c in tx.codings(&filter)? {
                let verdict = if misfits.contains(&c.id) {
                    Verdict::Misfit
                } else {
                    Verdict::Fits
                };
                Action::Theme(ThemeAction::Mark {
                    theme: id,
                    coding: c.id,
                    verdict: Some(verdict),
                })
                .run(tx)?;
            }
            return Ok(());
        }
        DemoOp::Exemplar { extract } => Action::MarkExemplar {
            coding: demo_coding(tx, extract)?,
            exemplar: true,
        },
        DemoOp::Note { phase, title, body } => Action::Theme(ThemeAction::PhaseNote {
            phase: *phase,
            title: title.clone(),
            body: body.clone(),
            coder: tx.default_coder()?,
        }),
        DemoOp::Milestone { setting } => {
            tx.set_setting(setting, &step.at)?;
            return Ok(());
        }
    };
    let action = if step.note.trim().is_empty() {
        action
    } else {
        Action::WithNote {
            action: Box::new(action),
            note: step.note.clone(),
        }
    };
    action.run(tx)?;
    Ok(())
}

/// Creates the demo project at `path` (which must not exist), with its finished analysis.
pub fn create(path: &std::path::Path) -> Result<Store> {
    create_with(path, true)
}

/// Creates the demo project at `path` (which must not exist), with its finished analysis or
/// (`with_analysis` false) its coded transcripts only.
pub fn create_with(path: &std::path::Path, with_analysis: bool) -> Result<Store> {
    let mut store = Store::create(path)?;
    build_with(&mut store, with_analysis)?;
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_builds_and_every_quote_is_unique() {
        let demo: DemoProject = serde_json::from_str(PROJECT_JSON).unwrap();
        for c in &demo.codings {
            let file = &demo
                .documents
                .iter()
                .find(|d| d.name == c.document)
                .unwrap()
                .file;
            let text = FILES.iter().find(|(f, _)| f == file).unwrap().1;
            let n = text.matches(c.quote.as_str()).count();
            assert!(
                n >= c.occurrence.unwrap_or(1),
                "quote missing in {file}: {}",
                c.quote
            );
            if c.occurrence.is_none() {
                assert_eq!(n, 1, "quote occurs {n} times in {file}: {}", c.quote);
            }
        }
        let mut s = Store::in_memory().unwrap();
        build(&mut s).unwrap();
        let db = s.db();
        assert!(db.documents().unwrap().len() >= 7);
        assert!(db.codings(&Default::default()).unwrap().len() >= 80);
        for d in db.documents().unwrap() {
            assert!(
                !db.turns(d.id).unwrap().is_empty(),
                "{} has speaker turns",
                d.name
            );
        }
        assert_eq!(
            s.undo_label().unwrap(),
            None,
            "building the demo is not an undo step"
        );
    }

    #[test]
    fn the_demo_shows_a_finished_analysis() {
        let mut s = Store::in_memory().unwrap();
        build(&mut s).unwrap();
        let db = s.db();
        for p in crate::analysis::phases::phases(db).unwrap() {
            assert!(
                (p.progress() - 1.0).abs() < 1e-9,
                "phase {} is complete: {:?}",
                p.number,
                p.measures
            );
            assert!(
                !p.notes.is_empty(),
                "phase {} has a journal entry",
                p.number
            );
        }
        let themes = db.themes().unwrap();
        let status = |st| themes.iter().filter(|t| t.status == st).count();
        assert_eq!(status(ThemeStatus::Discarded), 1);
        assert!(status(ThemeStatus::Final) >= 5);
        assert!(themes.iter().any(|t| t.parent.is_some()), "a sub-theme");
        let mut linked = std::collections::HashMap::new();
        for t in &themes {
            for c in &t.codes {
                *linked.entry(*c).or_insert(0) += 1;
            }
        }
        assert!(linked.values().any(|&n| n >= 2), "a code in two themes");
        let events = db.analytic_events().unwrap();
        assert!(events.iter().any(|e| e.kind == EventKind::Merged));
        assert!(events.iter().any(|e| e.kind == EventKind::Renamed));
        assert!(events.iter().any(|e| e.note.is_some()));
        // Dated over weeks, in order, and none at the moment of building.
        let first = &events.first().unwrap().at;
        let last = &events.last().unwrap().at;
        assert!(
            first.starts_with("2026-05") && last.starts_with("2026-07"),
            "{first} {last}"
        );
        assert!(events.windows(2).all(|w| w[0].at <= w[1].at));
        assert_eq!(db.readings().unwrap().len(), db.documents().unwrap().len());
    }
}
