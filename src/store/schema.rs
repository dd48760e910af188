//! The project file's schema and its numbered migrations.
//!
//! `PRAGMA user_version` is the schema version. A fresh project runs every migration from 0;
//! an older project runs the missing ones, all in one transaction. A project newer than
//! [`VERSION`] is refused before anything is written.

use rusqlite::{Connection, Transaction};

use super::StoreError;
use crate::text::WordIndex;

/// `PRAGMA application_id` of a Weft project: "WEFT" in ASCII.
pub const APPLICATION_ID: i32 = 0x5745_4654;

/// The schema version this build writes.
pub const VERSION: i32 = 7;

/// Version 1: the core tables. Frozen: never edit, add a migration instead.
///
/// Big columns (document text) live in their own table so that listing documents never
/// walks the text's overflow pages. Speaker turns are derived data, stored per document as
/// JSON beside the text.
const V1: &str = r#"
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

/// Version 2: the word index (for word counts of coded passages without re-segmenting text)
/// and the persistent undo/redo log.
const V2: &str = r#"
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

/// Version 3: GUIDs on attributes (REFI-QDA names variables), and a history that knows who
/// made each step, under which schema, and which document and case each recorded row belongs
/// to (so that deleting a participant permanently can find every step that holds their data).
const V3: &str = r#"
ALTER TABLE attribute ADD COLUMN guid TEXT;
ALTER TABLE undo_step ADD COLUMN coder TEXT NOT NULL DEFAULT '';
ALTER TABLE undo_step ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 2;
ALTER TABLE undo_sql ADD COLUMN doc_id INTEGER;
ALTER TABLE undo_sql ADD COLUMN case_id INTEGER;
CREATE INDEX undo_sql_doc ON undo_sql(doc_id) WHERE doc_id IS NOT NULL;
CREATE INDEX undo_sql_case ON undo_sql(case_id) WHERE case_id IS NOT NULL;
"#;

/// Version 4: the REFI-QDA selection a coding came from, kept so that a project imported from
/// QDPX exports every selection of the original again.
const V4: &str = r#"
ALTER TABLE coding ADD COLUMN selection_guid TEXT;
"#;

/// Version 5: a coding can be marked as an exemplar, a quote that stands for its code (the
/// report shows marked ones first).
const V5: &str = r#"
ALTER TABLE coding ADD COLUMN exemplar INTEGER NOT NULL DEFAULT 0;
"#;

/// Version 6: thematic analysis. Themes (with sub-themes) linked many-to-many to codes; level-1
/// review marks (one per theme and extract); positions of nodes on the thematic map; the
/// analytic audit trail (how codes and themes changed, kept when the undo history is
/// trimmed); how far each document was read (by GUID: reading is not an edit and is not
/// undone); the phase a journal entry reflects on.
const V6: &str = r#"
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

/// The oldest schema whose recorded undo steps still replay: versions 4 to 6 only added
/// columns that may be left out (nullable, or with a default) and new tables, and every
/// recorded step names its columns, so version 3 to 5 steps are kept.
/// Version 7: the project-wide search index. Each document is cut into units (the bodies of
/// speaker turns, paragraphs elsewhere); `search_fts` holds one row per unit whose text is Weft's own
/// word tokens ([`crate::text::index_text`]), contentless (the text is in `document_text`
/// already). Derived data, rebuilt from the documents: not recorded for undo, brought in line
/// with the documents at the end of every write (`super::search::sync`). FTS5 may gather up to
/// 8 MB of new words before writing them out (its default, 1 MB, made a big import spend a
/// fifth more time merging small segments).
pub(super) const V7: &str = r#"
CREATE TABLE search_unit (
    id         INTEGER PRIMARY KEY,
    doc_id     INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char   INTEGER NOT NULL,
    speaker    TEXT,
    words      INTEGER NOT NULL
);
CREATE TABLE search_doc (
    doc_id     INTEGER PRIMARY KEY,
    first_unit INTEGER,
    last_unit  INTEGER
);
CREATE VIRTUAL TABLE search_fts USING fts5(
    words, content = '', contentless_delete = 1, tokenize = 'ascii', detail = full
);
INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', 8388608);
CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, instance);
CREATE VIRTUAL TABLE search_terms USING fts5vocab(search_fts, row);
"#;

const OLDEST_REPLAYABLE: i32 = 3;

/// Brings a project at `from` up to [`VERSION`] inside `tx`.
pub fn upgrade_from(tx: &Transaction<'_>, from: i32) -> Result<(), StoreError> {
    if !(0..=VERSION).contains(&from) {
        return Err(StoreError::Invalid(format!(
            "the project's file format version {from} is not one Weft ever wrote; the file may \
             be damaged"
        )));
    }
    for version in from + 1..=VERSION {
        match version {
            // The core tables.
            1 => tx.execute_batch(V1)?,
            // Word index, computed for documents that already exist; undo log.
            2 => {
                tx.execute_batch(V2)?;
                fill_word_index(tx)?;
            }
            // Attribute GUIDs (backfilled), history columns.
            3 => {
                tx.execute_batch(V3)?;
                backfill_guids(tx, "attribute")?;
                tx.execute_batch("CREATE UNIQUE INDEX attribute_guid ON attribute(guid);")?;
            }
            // Selection GUIDs of codings.
            4 => tx.execute_batch(V4)?,
            // Exemplar marks on codings.
            5 => tx.execute_batch(V5)?,
            // Themes, review, map, audit trail, reading, journal phases.
            6 => tx.execute_batch(V6)?,
            // The search index, built for the documents there are.
            7 => {
                tx.execute_batch(V7)?;
                super::search::sync(tx)?;
            }
            _ => {
                return Err(StoreError::Invalid(format!(
                    "no migration to file format version {version}"
                )));
            }
        }
    }
    tx.pragma_update(None, "user_version", VERSION)?;
    Ok(())
}

/// Gives every row of `table` without a GUID a fresh one.
fn backfill_guids(conn: &Connection, table: &str) -> Result<(), StoreError> {
    let ids: Vec<i64> = conn
        .prepare(&format!("SELECT id FROM {table} WHERE guid IS NULL"))?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut update = conn.prepare(&format!("UPDATE {table} SET guid = ?1 WHERE id = ?2"))?;
    for id in ids {
        update.execute(rusqlite::params![super::new_guid(), id])?;
    }
    Ok(())
}

/// Drops the undo and redo steps recorded under an older schema: their SQL was written for
/// tables that have changed since, so replaying it could half-apply. Returns how many went.
pub fn drop_stale_history(conn: &Connection) -> Result<usize, StoreError> {
    conn.execute(
        "DELETE FROM undo_sql WHERE step_id IN
           (SELECT id FROM undo_step WHERE schema_version < ?1)",
        [OLDEST_REPLAYABLE],
    )?;
    Ok(conn.execute(
        "DELETE FROM undo_step WHERE schema_version < ?1",
        [OLDEST_REPLAYABLE],
    )?)
}

fn fill_word_index(conn: &Connection) -> Result<(), StoreError> {
    let mut select = conn.prepare("SELECT doc_id, text FROM document_text")?;
    let mut insert = conn.prepare("INSERT INTO document_words (doc_id, words) VALUES (?1, ?2)")?;
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let text: String = row.get(1)?;
        insert.execute(rusqlite::params![id, WordIndex::new(&text).encode()])?;
    }
    Ok(())
}

/// Tables whose changes are recorded for undo, in the order their rows may be restored.
pub const TRACKED_TABLES: &[&str] = &[
    "project",
    "coder",
    "document",
    "document_text",
    "document_words",
    "cases",
    "case_document",
    "speaker_case",
    "attribute",
    "case_attr",
    "doc_attr",
    "code",
    "coding",
    "memo",
    "theme",
    "theme_code",
    "theme_review",
    "map_position",
    "analytic_event",
];
