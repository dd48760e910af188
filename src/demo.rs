//! The built-in demo project: seven interviews and a focus group about peer support in
//! mental-health services, with cases, attributes, a codebook around *role*, *relationship*,
//! *mutuality* and *reciprocity*, example codings and a reflexive journal. Everything is
//! compiled into the binary from `assets/demo/`, so `weft demo P.weft` works anywhere.
//!
//! Codings in `project.json` name their passage by its exact text (a quote), not by offsets,
//! so the transcripts can be edited without silently shifting codings: a quote that is not
//! found fails loudly (and the test below keeps it that way).

use serde::Deserialize;
use std::collections::BTreeMap;

use crate::actions::Action;
use crate::model::{
    AttrScope, AttrType, Bundle, BundleAttribute, BundleCase, BundleCode, BundleCoder,
    BundleCoding, BundleDocument, BundleMemo, BundleTarget, CharRange, Color, NewDocument, Origin,
};
use crate::store::{Result, Store, StoreError};

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

/// Fills an empty project with the demo: one action, not recorded for undo (the demo is the
/// starting point, not an edit).
pub fn build(store: &mut Store) -> Result<()> {
    let action = Action::AddContent {
        label: "Create the demo project".into(),
        bundle: Box::new(bundle()?),
    };
    store.untracked(|tx| action.run(tx))?;
    Ok(())
}

/// Creates the demo project at `path` (which must not exist).
pub fn create(path: &std::path::Path) -> Result<Store> {
    let mut store = Store::create(path)?;
    build(&mut store)?;
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
}
