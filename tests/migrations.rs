// Migrations from FROZEN copies of the old schemas: a version 1 and a version 2 project are
// built from literal SQL, filled with data (and, for version 2, undo history), then opened.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::path::Path;

use rusqlite::Connection;
use weft::store::{CodingFilter, Store};

/// The version 1 schema exactly as Weft 1 wrote it. This is a COPY, deliberately not
/// `weft::store::schema::V1`: if someone edits the live V1 constant (which must never change,
/// migrations are added instead), projects written by older builds no longer match it, and this
/// test catches that because the migrated schema will differ from a fresh project's.
const FROZEN_V1: &str = r#"
CREATE TABLE project (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE coder (
    id   INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE document (
    id              INTEGER PRIMARY KEY,
    guid            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL UNIQUE,
    char_len        INTEGER NOT NULL,
    word_count      INTEGER NOT NULL,
    origin_file     TEXT NOT NULL,
    origin_format   TEXT NOT NULL,
    origin_encoding TEXT NOT NULL,
    origin_sha256   TEXT NOT NULL,
    imported_at     TEXT NOT NULL,
    memo            TEXT NOT NULL DEFAULT ''
);

CREATE TABLE document_text (
    doc_id INTEGER PRIMARY KEY REFERENCES document(id),
    text   TEXT NOT NULL,
    turns  TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE cases (
    id   INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    memo TEXT NOT NULL DEFAULT ''
);

CREATE TABLE case_document (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    doc_id  INTEGER NOT NULL REFERENCES document(id),
    PRIMARY KEY (case_id, doc_id)
) WITHOUT ROWID;
CREATE INDEX case_document_doc ON case_document(doc_id);

CREATE TABLE speaker_case (
    doc_id  INTEGER NOT NULL REFERENCES document(id),
    speaker TEXT NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    PRIMARY KEY (doc_id, speaker)
) WITHOUT ROWID;
CREATE INDEX speaker_case_case ON speaker_case(case_id);

CREATE TABLE attribute (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('case', 'document')),
    kind  TEXT NOT NULL CHECK (kind IN ('text', 'number', 'date', 'boolean')),
    UNIQUE (scope, name)
);

CREATE TABLE case_attr (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    attr_id INTEGER NOT NULL REFERENCES attribute(id),
    value   TEXT NOT NULL,
    PRIMARY KEY (case_id, attr_id)
) WITHOUT ROWID;
CREATE INDEX case_attr_attr ON case_attr(attr_id);

CREATE TABLE doc_attr (
    doc_id  INTEGER NOT NULL REFERENCES document(id),
    attr_id INTEGER NOT NULL REFERENCES attribute(id),
    value   TEXT NOT NULL,
    PRIMARY KEY (doc_id, attr_id)
) WITHOUT ROWID;
CREATE INDEX doc_attr_attr ON doc_attr(attr_id);

CREATE TABLE code (
    id          INTEGER PRIMARY KEY,
    guid        TEXT NOT NULL UNIQUE,
    parent_id   INTEGER REFERENCES code(id),
    name        TEXT NOT NULL,
    color       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    sort_order  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX code_parent ON code(parent_id);
CREATE UNIQUE INDEX code_sibling_name ON code(coalesce(parent_id, 0), name);

CREATE TABLE coding (
    id         INTEGER PRIMARY KEY,
    guid       TEXT NOT NULL UNIQUE,
    doc_id     INTEGER NOT NULL REFERENCES document(id),
    code_id    INTEGER NOT NULL REFERENCES code(id),
    coder_id   INTEGER NOT NULL REFERENCES coder(id),
    start_char INTEGER NOT NULL,
    end_char   INTEGER NOT NULL,
    memo       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    CHECK (0 <= start_char AND start_char < end_char)
);
CREATE INDEX coding_doc ON coding(doc_id, start_char);
CREATE INDEX coding_code ON coding(code_id);
CREATE INDEX coding_coder ON coding(coder_id);

CREATE TABLE memo (
    id         INTEGER PRIMARY KEY,
    guid       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('project', 'document', 'code', 'case')),
    target_id  INTEGER,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    coder_id   INTEGER REFERENCES coder(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX memo_target ON memo(kind, target_id);
CREATE INDEX memo_coder ON memo(coder_id);
"#;

/// The version 2 migration exactly as Weft 2 ran it (a COPY, for the same reason as above).
const FROZEN_V2: &str = r#"
CREATE TABLE document_words (
    doc_id INTEGER PRIMARY KEY REFERENCES document(id),
    words  BLOB NOT NULL
);

CREATE TABLE undo_step (
    id         INTEGER PRIMARY KEY,
    label      TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('done', 'undone')),
    created_at TEXT NOT NULL
);
CREATE INDEX undo_step_state ON undo_step(state, id);

CREATE TABLE undo_sql (
    id      INTEGER PRIMARY KEY,
    step_id INTEGER NOT NULL REFERENCES undo_step(id),
    kind    TEXT NOT NULL CHECK (kind IN ('undo', 'redo')),
    sql     TEXT NOT NULL
);
CREATE INDEX undo_sql_step ON undo_sql(step_id, kind);
"#;

/// The version 3 changes exactly as Weft 3 wrote them (a COPY, like the others), applied
/// after the data, then the attribute GUIDs it backfilled and their index.
const FROZEN_V3: &str = r#"
ALTER TABLE attribute ADD COLUMN guid TEXT;
ALTER TABLE undo_step ADD COLUMN coder TEXT NOT NULL DEFAULT '';
ALTER TABLE undo_step ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 2;
ALTER TABLE undo_sql ADD COLUMN doc_id INTEGER;
ALTER TABLE undo_sql ADD COLUMN case_id INTEGER;
CREATE INDEX undo_sql_doc ON undo_sql(doc_id) WHERE doc_id IS NOT NULL;
CREATE INDEX undo_sql_case ON undo_sql(case_id) WHERE case_id IS NOT NULL;
UPDATE attribute SET guid = printf('00000000-0000-4000-8000-%012d', id);
CREATE UNIQUE INDEX attribute_guid ON attribute(guid);
"#;

/// Undo history as version 3 recorded it: still replayable after version 4 (which only adds
/// a nullable column), so it is kept.
const V3_HISTORY: &str = r#"
INSERT INTO undo_step VALUES (4, 'Add case “P03”', 'done', '2025-01-02T00:00:00Z', 'Alex', 3);
INSERT INTO undo_sql VALUES (4, 4, 'undo', 'DELETE FROM "cases" WHERE "id"=3', NULL, 3);
INSERT INTO cases VALUES (3, 'g-case-3', 'P03', '');
"#;

/// The version 4 change exactly as Weft 4 wrote it (a COPY, like the others).
const FROZEN_V4: &str = r#"
ALTER TABLE coding ADD COLUMN selection_guid TEXT;
"#;

/// Undo history as version 4 recorded it, naming every version 4 column of `coding`: a
/// removed coding (with its selection GUID) whose undo puts it back. Still replayable after
/// version 5 (which only adds a column with a default), so it is kept.
const V4_HISTORY: &str = r#"
INSERT INTO undo_step VALUES (5, 'Remove coding', 'done', '2025-01-03T00:00:00Z', 'Alex', 4);
INSERT INTO undo_sql VALUES (5, 5, 'undo', 'INSERT INTO "coding" ("id","guid","doc_id","code_id","coder_id","start_char","end_char","memo","created_at","selection_guid") VALUES (4,''g-coding-4'',2,2,1,4,8,''gone'',''2025-01-01T00:00:00Z'',''g-selection-4'')', 2, NULL);
"#;

/// The version 5 change exactly as Weft 5 wrote it (a COPY, like the others).
const FROZEN_V5: &str = r#"
ALTER TABLE coding ADD COLUMN exemplar INTEGER NOT NULL DEFAULT 0;
"#;

/// Data and undo history as version 5 recorded them, naming every version 5 column of
/// `coding`: coding 1 marked as an exemplar, a step whose undo clears the mark. Still
/// replayable after version 6 (which only adds tables and a nullable memo column).
const V5_HISTORY: &str = r#"
UPDATE coding SET exemplar = 1 WHERE id = 1;
INSERT INTO undo_step VALUES (6, 'Mark exemplar', 'done', '2025-01-04T00:00:00Z', 'Alex', 5);
INSERT INTO undo_sql VALUES (6, 6, 'undo', 'UPDATE "coding" SET "id"=1,"guid"=''g-coding-1'',"doc_id"=1,"code_id"=1,"coder_id"=1,"start_char"=5,"end_char"=14,"memo"=''nice'',"created_at"=''2025-01-01T00:00:00Z'',"selection_guid"=NULL,"exemplar"=0 WHERE "id"=1', 1, NULL);
"#;

/// The version 6 change exactly as Weft 6 wrote it (a COPY, like the others).
const FROZEN_V6: &str = r#"
CREATE TABLE theme (
    id         INTEGER PRIMARY KEY,
    guid       TEXT NOT NULL UNIQUE,
    parent_id  INTEGER REFERENCES theme(id),
    name       TEXT NOT NULL UNIQUE,
    concept    TEXT NOT NULL DEFAULT '',
    definition TEXT NOT NULL DEFAULT '',
    boundaries TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'candidate'
               CHECK (status IN ('candidate', 'reviewed', 'final', 'discarded')),
    color      TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX theme_parent ON theme(parent_id);

CREATE TABLE theme_code (
    theme_id  INTEGER NOT NULL REFERENCES theme(id) ON DELETE CASCADE,
    code_id   INTEGER NOT NULL REFERENCES code(id) ON DELETE CASCADE,
    linked_at TEXT NOT NULL,
    PRIMARY KEY (theme_id, code_id)
) WITHOUT ROWID;
CREATE INDEX theme_code_code ON theme_code(code_id);

CREATE TABLE theme_review (
    theme_id  INTEGER NOT NULL REFERENCES theme(id) ON DELETE CASCADE,
    coding_id INTEGER NOT NULL REFERENCES coding(id) ON DELETE CASCADE,
    verdict   TEXT NOT NULL CHECK (verdict IN ('fits', 'misfit', 'elsewhere')),
    at        TEXT NOT NULL,
    PRIMARY KEY (theme_id, coding_id)
) WITHOUT ROWID;
CREATE INDEX theme_review_coding ON theme_review(coding_id);

CREATE TABLE map_position (
    node TEXT PRIMARY KEY,
    x    REAL NOT NULL,
    y    REAL NOT NULL
) WITHOUT ROWID;

CREATE TABLE analytic_event (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    coder   TEXT NOT NULL DEFAULT '',
    kind    TEXT NOT NULL,
    subject TEXT NOT NULL CHECK (subject IN ('code', 'theme')),
    guid    TEXT NOT NULL,
    name    TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT '',
    note    TEXT
);

CREATE TABLE reading (
    doc_guid    TEXT PRIMARY KEY,
    opened_at   TEXT NOT NULL,
    furthest    INTEGER NOT NULL DEFAULT 0,
    finished_at TEXT
) WITHOUT ROWID;

ALTER TABLE memo ADD COLUMN phase INTEGER CHECK (phase BETWEEN 1 AND 6);
"#;

/// Data as version 6 recorded it: a theme linked to a code, and an audit-trail entry.
const V6_DATA: &str = r#"
INSERT INTO theme (id, guid, name, concept, color, created_at)
  VALUES (1, 'g-theme-1', 'Helping heals', 'Helping others keeps peer workers well.', '#e15759', '2025-01-05T00:00:00Z');
INSERT INTO theme_code (theme_id, code_id, linked_at) VALUES (1, 1, '2025-01-05T00:00:00Z');
"#;

/// `PRAGMA application_id` of a Weft project ("WEFT").
const APPLICATION_ID: i32 = 0x5745_4654;

/// Data every fixture holds: documents, codes, codings, cases, attributes, memos.
const DATA: &str = "
INSERT INTO coder VALUES (1, 'g-coder-1', 'Alex');
INSERT INTO coder VALUES (2, 'g-coder-2', 'Sam');
INSERT INTO project VALUES ('default_coder', '1');
INSERT INTO project VALUES ('title', 'Peer support study');
INSERT INTO document VALUES (1, 'g-doc-1', 'P01', 26, 5, 'p01.txt', 'txt', 'UTF-8', 'abc', '2025-01-01T00:00:00Z', 'first');
INSERT INTO document_text VALUES (1, 'P01: Peer work 😀 helped me', '[{\"start\":0,\"body_start\":5,\"end\":26,\"speaker\":\"P01\",\"timestamp\":null}]');
INSERT INTO document VALUES (2, 'g-doc-2', 'P02', 11, 3, 'p02.txt', 'txt', 'UTF-8', 'def', '2025-01-01T00:00:00Z', '');
INSERT INTO document_text VALUES (2, 'Zoë said no', '[]');
INSERT INTO cases VALUES (1, 'g-case-1', 'P01', 'withdrew later');
INSERT INTO cases VALUES (2, 'g-case-2', 'P02', '');
INSERT INTO case_document VALUES (1, 1);
INSERT INTO case_document VALUES (2, 2);
INSERT INTO attribute VALUES (1, 'role', 'case', 'text');
INSERT INTO attribute VALUES (2, 'age', 'case', 'number');
INSERT INTO attribute VALUES (3, 'site', 'document', 'text');
INSERT INTO case_attr VALUES (1, 1, 'peer supporter');
INSERT INTO case_attr VALUES (1, 2, '34');
INSERT INTO doc_attr VALUES (2, 3, 'Leeds');
INSERT INTO code VALUES (1, 'g-code-1', NULL, 'Role', '#4e79a7', 'being a peer', 0);
INSERT INTO code VALUES (2, 'g-code-2', 1, 'Helper', '#59a14f', '', 0);
INSERT INTO coding VALUES (1, 'g-coding-1', 1, 1, 1, 5, 14, 'nice', '2025-01-01T00:00:00Z');
INSERT INTO coding VALUES (2, 'g-coding-2', 1, 2, 2, 10, 16, '', '2025-01-01T00:00:00Z');
INSERT INTO coding VALUES (3, 'g-coding-3', 2, 1, 1, 0, 3, '', '2025-01-01T00:00:00Z');
INSERT INTO memo VALUES (1, 'g-memo-1', 'project', NULL, 'Journal', 'Started coding', 1, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
INSERT INTO memo VALUES (2, 'g-memo-2', 'case', 1, 'About P01', 'Quiet', 2, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
";

/// Undo history as version 2 recorded it: undoing step 2 would delete code 2 while its
/// coding still exists; with the step dropped nothing can half-apply.
const V2_HISTORY: &str = r#"
INSERT INTO undo_step VALUES (1, 'Add code “Role”', 'done', '2025-01-01T00:00:00Z');
INSERT INTO undo_sql VALUES (1, 1, 'undo', 'DELETE FROM "code" WHERE "id"=1');
INSERT INTO undo_step VALUES (2, 'Add code “Helper”', 'done', '2025-01-01T00:00:01Z');
INSERT INTO undo_sql VALUES (2, 2, 'undo', 'DELETE FROM "code" WHERE "id"=2');
INSERT INTO undo_step VALUES (3, 'Rename code', 'undone', '2025-01-01T00:00:02Z');
INSERT INTO undo_sql VALUES (3, 3, 'redo', 'UPDATE "code" SET "name"=''Gone'' WHERE "id"=1');
"#;

fn fixture(path: &Path, version: i32) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(FROZEN_V1).unwrap();
    if version >= 2 {
        c.execute_batch(FROZEN_V2).unwrap();
    }
    c.execute_batch(DATA).unwrap();
    if version >= 2 {
        // Version 2 kept a word index for every document.
        let texts: Vec<(i64, String)> = c
            .prepare("SELECT doc_id, text FROM document_text")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (id, text) in texts {
            c.execute(
                "INSERT INTO document_words VALUES (?1, ?2)",
                rusqlite::params![id, weft::text::WordIndex::new(&text).encode()],
            )
            .unwrap();
        }
        c.execute_batch(V2_HISTORY).unwrap();
    }
    if version >= 3 {
        c.execute_batch(FROZEN_V3).unwrap();
        c.execute_batch(V3_HISTORY).unwrap();
    }
    if version >= 4 {
        c.execute_batch(FROZEN_V4).unwrap();
        c.execute_batch(V4_HISTORY).unwrap();
    }
    if version >= 5 {
        c.execute_batch(FROZEN_V5).unwrap();
        c.execute_batch(V5_HISTORY).unwrap();
    }
    if version >= 6 {
        c.execute_batch(FROZEN_V6).unwrap();
        c.execute_batch(V6_DATA).unwrap();
    }
    c.pragma_update(None, "application_id", APPLICATION_ID)
        .unwrap();
    c.pragma_update(None, "user_version", version).unwrap();
}

/// The schema objects, with whitespace normalised, for comparing files.
fn schema(path: &Path) -> Vec<(String, String, String)> {
    let c = Connection::open(path).unwrap();
    c.prepare(
        "SELECT type, name, sql FROM sqlite_master
         WHERE name NOT LIKE 'sqlite_%' AND sql IS NOT NULL ORDER BY type, name",
    )
    .unwrap()
    .query_map([], |r| {
        let sql: String = r.get(2)?;
        Ok((
            r.get(0)?,
            r.get(1)?,
            sql.split_whitespace().collect::<Vec<_>>().join(" "),
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn fresh_schema(dir: &Path) -> Vec<(String, String, String)> {
    let path = dir.join("fresh.weft");
    drop(Store::create(&path).unwrap());
    schema(&path)
}

fn migrate(version: i32) -> (tempfile::TempDir, std::path::PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("v{version}.weft"));
    fixture(&path, version);
    let store = Store::open(&path).unwrap();
    (dir, path, store)
}

fn check_data(store: &Store) {
    let db = store.db();
    let docs: Vec<String> = db
        .documents()
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(docs, ["P01", "P02"]);
    let p01 = db.require_document("P01").unwrap();
    assert_eq!(
        db.document_text(p01).unwrap(),
        "P01: Peer work 😀 helped me"
    );
    assert_eq!(db.turns(p01).unwrap().len(), 1);
    assert_eq!(db.word_index(p01).unwrap().len(), 5, "word index present");
    assert!(db.require_code("Role/Helper").is_ok());
    assert_eq!(db.codings(&CodingFilter::default()).unwrap().len(), 3);
    let cases: Vec<(String, String)> = db
        .cases()
        .unwrap()
        .into_iter()
        .map(|c| (c.name, c.memo))
        .collect();
    assert_eq!(cases[0], ("P01".to_owned(), "withdrew later".to_owned()));
    assert_eq!(db.case_links().unwrap().doc_cases.len(), 2);
    assert_eq!(db.memos().unwrap().len(), 2);
    assert_eq!(db.title().unwrap(), "Peer support study");
    // Attribute GUIDs backfilled, all present and distinct.
    let attrs = db.attributes().unwrap();
    assert_eq!(attrs.len(), 3);
    let mut guids: Vec<&str> = attrs.iter().map(|a| a.guid.as_str()).collect();
    assert!(guids.iter().all(|g| g.len() == 36), "{guids:?}");
    guids.sort_unstable();
    guids.dedup();
    assert_eq!(guids.len(), 3, "attribute GUIDs are unique");
}

#[test]
fn a_frozen_v1_project_migrates_to_the_current_schema_with_its_data() {
    let (dir, path, mut store) = migrate(1);
    check_data(&store);
    assert_eq!(
        store.take_note(),
        None,
        "a version 1 project had no history to drop"
    );
    assert_eq!(
        store.undo().unwrap(),
        None,
        "nothing to undo after migrating"
    );
    drop(store);
    assert_eq!(schema(&path), fresh_schema(dir.path()));
}

#[test]
fn a_frozen_v2_project_migrates_and_drops_its_old_history_with_a_note() {
    let (dir, path, mut store) = migrate(2);
    check_data(&store);
    let note = store
        .take_note()
        .expect("the user is told the history went");
    assert!(note.contains("3 undo steps"), "{note}");
    assert_eq!(store.take_note(), None, "told once");
    assert!(store.history().unwrap().is_empty());
    // Nothing half-applies: there is nothing to undo or redo, and both codes are still there.
    assert_eq!(store.undo().unwrap(), None);
    assert_eq!(store.redo().unwrap(), None);
    assert!(store.db().require_code("Role/Helper").is_ok());
    // Edits after the migration undo exactly.
    store.action("Add case", |tx| tx.add_case("P03")).unwrap();
    assert_eq!(store.undo().unwrap().as_deref(), Some("Add case"));
    assert!(store.db().case_by_name("P03").unwrap().is_none());
    assert_eq!(store.undo().unwrap(), None);
    drop(store);
    assert_eq!(schema(&path), fresh_schema(dir.path()));
    // Reopening does not migrate or drop anything again.
    let mut again = Store::open(&path).unwrap();
    assert_eq!(again.take_note(), None);
    check_data(&again);
}

#[test]
fn a_frozen_v3_project_migrates_keeping_its_v3_history_and_codings_get_a_selection_guid() {
    let (dir, path, mut store) = migrate(3);
    // The v3 fixture also holds case P03, added by its last (replayable) step.
    assert!(store.db().case_by_name("P03").unwrap().is_some());
    let note = store.take_note().expect("the version 2 steps went");
    assert!(note.contains("3 undo steps"), "{note}");
    let history = store.history().unwrap();
    assert_eq!(history.len(), 1, "the version 3 step is kept");
    assert_eq!(store.undo().unwrap().as_deref(), Some("Add case “P03”"));
    assert!(store.db().case_by_name("P03").unwrap().is_none());
    check_data(&store);
    drop(store);
    assert_eq!(schema(&path), fresh_schema(dir.path()));
    let c = Connection::open(&path).unwrap();
    let nulls: i64 = c
        .query_row(
            "SELECT count(*) FROM coding WHERE selection_guid IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(nulls, 3, "existing codings have no selection");
}

#[test]
fn a_frozen_v4_project_migrates_keeping_its_history_and_codings_can_be_marked_exemplars() {
    use weft::actions::Action;
    let (dir, path, mut store) = migrate(4);
    check_data(&store);
    assert!(store.db().exemplars().unwrap().is_empty(), "nothing marked");
    let note = store.take_note().expect("the version 2 steps went");
    assert!(note.contains("3 undo steps"), "{note}");
    let labels: Vec<String> = store
        .history()
        .unwrap()
        .into_iter()
        .map(|h| h.label)
        .collect();
    assert_eq!(
        labels.len(),
        2,
        "the version 3 and 4 steps are kept: {labels:?}"
    );
    // The version 4 step replays: the removed coding comes back, unmarked, with its selection.
    assert_eq!(store.undo().unwrap().as_deref(), Some("Remove coding"));
    let back = weft::model::CodingId(4);
    assert_eq!(store.db().coding(back).unwrap().memo, "gone");
    assert!(!store.db().is_exemplar(back).unwrap());
    assert_eq!(store.redo().unwrap().as_deref(), Some("Remove coding"));
    assert!(store.db().coding(back).is_err());
    assert_eq!(store.undo().unwrap().as_deref(), Some("Remove coding"));
    // A mark after the upgrade is one undoable step.
    Action::MarkExemplar {
        coding: back,
        exemplar: true,
    }
    .apply(&mut store)
    .unwrap();
    assert_eq!(store.db().exemplars().unwrap().len(), 1);
    assert_eq!(store.undo().unwrap().as_deref(), Some("Mark exemplar"));
    assert!(store.db().exemplars().unwrap().is_empty());
    drop(store);
    assert_eq!(schema(&path), fresh_schema(dir.path()));
    let c = Connection::open(&path).unwrap();
    let selection: Option<String> = c
        .query_row("SELECT selection_guid FROM coding WHERE id = 4", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(selection.as_deref(), Some("g-selection-4"));
}

#[test]
fn a_frozen_v5_project_migrates_keeping_its_history_and_themes_work_after_the_upgrade() {
    use weft::actions::{Action, ThemeAction};
    use weft::model::{CodingId, ThemeStatus};
    let (dir, path, mut store) = migrate(5);
    check_data(&store);
    let marked: Vec<CodingId> = store.db().exemplars().unwrap().into_iter().collect();
    assert_eq!(marked, [CodingId(1)], "the version 5 mark survives");
    assert!(store.db().themes().unwrap().is_empty(), "no themes yet");
    assert!(store.db().analytic_events().unwrap().is_empty());
    assert!(store.db().readings().unwrap().is_empty());
    assert!(
        store
            .db()
            .memos()
            .unwrap()
            .iter()
            .all(|m| m.phase.is_none())
    );
    let note = store.take_note().expect("the version 2 steps went");
    assert!(note.contains("3 undo steps"), "{note}");
    let labels: Vec<String> = store
        .history()
        .unwrap()
        .into_iter()
        .map(|h| h.label)
        .collect();
    assert_eq!(
        labels.len(),
        3,
        "the version 3, 4 and 5 steps are kept: {labels:?}"
    );

    // The version 5 step replays both ways.
    assert_eq!(store.undo().unwrap().as_deref(), Some("Mark exemplar"));
    assert!(store.db().exemplars().unwrap().is_empty());
    assert_eq!(store.db().coding(CodingId(1)).unwrap().memo, "nice");
    assert_eq!(store.redo().unwrap().as_deref(), Some("Mark exemplar"));
    assert_eq!(store.db().exemplars().unwrap().len(), 1);

    // Themes after the upgrade: add, link, set a status; each one undoable step.
    let role = store.db().require_code("Role").unwrap();
    let theme = match Action::Theme(ThemeAction::Add {
        name: "Peer work helps the helper".into(),
        parent: None,
        concept: "Helping others keeps peer workers well.".into(),
        definition: String::new(),
        color: None,
    })
    .apply(&mut store)
    .unwrap()
    {
        weft::actions::Outcome::Theme(t) => t,
        other => panic!("{other:?}"),
    };
    Action::Theme(ThemeAction::Link {
        theme,
        codes: vec![role],
    })
    .apply(&mut store)
    .unwrap();
    Action::Theme(ThemeAction::Status {
        theme,
        status: ThemeStatus::Reviewed,
    })
    .apply(&mut store)
    .unwrap();
    let t = store.db().theme(theme).unwrap();
    assert_eq!(
        (t.codes.as_slice(), t.status),
        ([role].as_slice(), ThemeStatus::Reviewed)
    );
    assert_eq!(store.db().analytic_events().unwrap().len(), 3);
    let report = weft::analysis::themes::theme_counts(
        store.db(),
        &weft::analysis::ScopeFilter::default(),
        false,
    )
    .unwrap();
    assert_eq!(report.themes[0].own.segments, 2, "the two codings of Role");
    assert!(store.undo().unwrap().unwrap().contains("reviewed"));
    assert!(store.undo().unwrap().unwrap().contains("Link"));
    assert!(store.db().theme(theme).unwrap().codes.is_empty());
    assert!(store.redo().unwrap().unwrap().contains("Link"));
    assert_eq!(store.db().theme(theme).unwrap().codes, [role]);
    store.undo().unwrap().unwrap();
    assert!(store.undo().unwrap().unwrap().contains("Add theme"));
    assert!(store.db().themes().unwrap().is_empty());
    assert!(store.db().analytic_events().unwrap().is_empty());
    // The older steps are still there underneath.
    assert_eq!(store.undo().unwrap().as_deref(), Some("Mark exemplar"));
    drop(store);
    assert_eq!(schema(&path), fresh_schema(dir.path()));
}

#[test]
fn a_frozen_v6_project_migrates_and_every_document_is_searchable() {
    use weft::analysis::search::{SearchFilter, SearchMode, search};
    let (dir, path, mut store) = migrate(6);
    check_data(&store);
    assert_eq!(
        store.db().themes().unwrap().len(),
        1,
        "the version 6 theme survives"
    );
    let found = |store: &Store, q: &str| {
        search(
            store.db(),
            q,
            SearchMode::Words,
            &SearchFilter::default(),
            None,
        )
        .unwrap()
        .total
    };
    // Built by the migration: P01's turn (emoji beside words) and P02's paragraph (an accent).
    assert_eq!(found(&store, "helped"), 1);
    assert_eq!(found(&store, "zoe"), 1);
    assert_eq!(found(&store, "\"peer work\""), 1);
    assert_eq!(
        found(&store, "P01"),
        0,
        "a speaker's label is not what they said"
    );
    // The index follows a deletion and its undo.
    let p02 = store.db().require_document("P02").unwrap();
    weft::actions::Action::DeleteDocument(p02)
        .apply(&mut store)
        .unwrap();
    assert_eq!(found(&store, "zoe"), 0);
    store.undo().unwrap();
    assert_eq!(found(&store, "zoe"), 1);
    drop(store);
    assert_eq!(schema(&path), fresh_schema(dir.path()));
}
