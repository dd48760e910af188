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

use crate::model::{AttrScope, AttrType, Color, MemoTarget, Origin};
use crate::store::{Db, NewDocument, Result, Store, StoreError};

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
fn find_quote(text: &str, quote: &str, occurrence: usize) -> Option<(usize, usize)> {
    let byte = text
        .match_indices(quote)
        .nth(occurrence.saturating_sub(1))?
        .0;
    let start = text[..byte].chars().count();
    Some((start, start + quote.chars().count()))
}

/// Fills an empty project with the demo (not undoable: it is the starting point).
pub fn build(store: &mut Store) -> Result<()> {
    let demo: DemoProject = serde_json::from_str(PROJECT_JSON)?;
    store.untracked(|db| fill(db, &demo))
}

/// Creates the demo project at `path` (which must not exist).
pub fn create(path: &std::path::Path) -> Result<Store> {
    let mut store = Store::create(path)?;
    build(&mut store)?;
    Ok(store)
}

fn fill(db: Db<'_>, demo: &DemoProject) -> Result<()> {
    db.set_setting("title", &demo.title)?;
    for c in &demo.coders {
        db.ensure_coder(c)?;
    }
    let default = db.ensure_coder(&demo.default_coder)?;
    db.set_default_coder(default)?;
    for a in &demo.attributes {
        let scope =
            AttrScope::parse(&a.scope).ok_or_else(|| invalid(format!("scope {}", a.scope)))?;
        let kind = AttrType::parse(&a.kind).ok_or_else(|| invalid(format!("type {}", a.kind)))?;
        db.ensure_attribute(&a.name, scope, kind)?;
    }
    for c in &demo.cases {
        let id = db.ensure_case(&c.name)?;
        db.set_case_memo(id, &c.memo)?;
        for (k, v) in &c.attributes {
            db.set_case_attr(id, k, v)?;
        }
    }
    for d in &demo.documents {
        let raw = FILES
            .iter()
            .find(|(f, _)| *f == d.file)
            .map(|(_, t)| *t)
            .ok_or_else(|| invalid(format!("no file {}", d.file)))?;
        let text = crate::text::normalize_newlines(raw);
        let turns = crate::import::detect_turns(&text);
        let id = db.add_document(&NewDocument {
            name: d.name.clone(),
            origin: Origin {
                file_name: d.file.clone(),
                format: "txt".into(),
                encoding: "UTF-8".into(),
                sha256: crate::import::sha256_hex(raw.as_bytes()),
            },
            text,
            turns,
        })?;
        db.set_document_memo(id, &d.memo)?;
        for c in &d.cases {
            db.assign_case(db.require_case(c)?, id)?;
        }
        for (k, v) in &d.attributes {
            db.set_doc_attr(id, k, v)?;
        }
    }
    for s in &demo.speakers {
        let doc = db.require_document(&s.document)?;
        db.map_speaker(doc, &s.speaker, Some(db.require_case(&s.case)?))?;
    }
    for c in &demo.codes {
        let color = Color::parse(&c.color).ok_or_else(|| invalid(format!("colour {}", c.color)))?;
        let (id, created) = db.ensure_code_path(&c.path, Some(color), &c.description)?;
        if !created {
            db.set_code_color(id, color)?;
            db.set_code_description(id, &c.description)?;
        }
    }
    let mut texts = BTreeMap::new();
    for c in &demo.codings {
        let doc = db.require_document(&c.document)?;
        let text = match texts.entry(doc) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(db.document_text(doc)?),
        };
        let (start, end) = find_quote(text, &c.quote, c.occurrence.unwrap_or(1))
            .ok_or_else(|| invalid(format!("quote not found in “{}”: {}", c.document, c.quote)))?;
        let code = db.require_code(&c.code)?;
        let coder = db.ensure_coder(&c.coder)?;
        db.apply_code(doc, code, coder, start, end, &c.memo)?;
    }
    for m in &demo.memos {
        db.add_memo(MemoTarget::Project, &m.title, &m.body, Some(default))?;
    }
    Ok(())
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
