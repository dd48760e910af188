//! Persistent undo and redo, recorded by SQLite itself.
//!
//! Every user action is one transaction and one `undo_step`. While it runs, TEMP triggers on
//! every tracked table write the SQL that reverses each row change into `undo_sql` (the
//! technique of sqlite.org/undoredo.html). Undoing a step runs that SQL backwards while the same
//! triggers record the redo SQL, and the other way round. So every edit, however it touches the
//! tables (merges, cascading deletes, imports), can be undone exactly, and the history survives
//! closing the app. The triggers are TEMP: they live in the connection, not in the file.

use rusqlite::{Connection, OptionalExtension};

use super::{Result, now, schema::TRACKED_TABLES};

/// Creates the recording triggers on this connection (once per open).
pub fn install_triggers(conn: &Connection) -> Result<()> {
    let mut sql = String::from(
        "CREATE TEMP TABLE IF NOT EXISTS undo_ctx (step INTEGER NOT NULL, kind TEXT NOT NULL);\n",
    );
    for table in TRACKED_TABLES {
        let (cols, pk) = columns(conn, table)?;
        sql.push_str(&triggers_for(table, &cols, &pk));
    }
    conn.execute_batch(&sql)?;
    Ok(())
}

fn columns(conn: &Connection, table: &str) -> Result<(Vec<String>, Vec<String>)> {
    let mut st = conn.prepare(&format!("PRAGMA main.table_info({table})"))?;
    let mut rows: Vec<(String, i64)> = st
        .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(5)?)))?
        .collect::<Result<_, _>>()?;
    let cols = rows.iter().map(|(c, _)| c.clone()).collect();
    rows.retain(|(_, pk)| *pk > 0);
    rows.sort_by_key(|(_, pk)| *pk);
    Ok((cols, rows.into_iter().map(|(c, _)| c).collect()))
}

/// SQL expression building `"a"=<quoted old.a> AND ...` for the primary key.
fn key_expr(pk: &[String], row: &str) -> String {
    pk.iter()
        .map(|c| format!("'\"{c}\"=' || quote({row}.\"{c}\")"))
        .collect::<Vec<_>>()
        .join(" || ' AND ' || ")
}

/// SQL expressions for the document and the case a row of `table` belongs to (`NULL` when
/// none), so that a permanent deletion finds every undo step that holds a participant's data.
fn owners(table: &str, row: &str) -> (String, String) {
    let null = || "NULL".to_owned();
    match table {
        "document" => (format!("{row}.id"), null()),
        "document_text" | "document_words" | "coding" | "doc_attr" => {
            (format!("{row}.doc_id"), null())
        }
        "case_document" | "speaker_case" => (format!("{row}.doc_id"), format!("{row}.case_id")),
        "cases" => (null(), format!("{row}.id")),
        "case_attr" => (null(), format!("{row}.case_id")),
        "memo" => (
            format!("CASE {row}.kind WHEN 'document' THEN {row}.target_id END"),
            format!("CASE {row}.kind WHEN 'case' THEN {row}.target_id END"),
        ),
        _ => (null(), null()),
    }
}

fn triggers_for(table: &str, cols: &[String], pk: &[String]) -> String {
    let col_list = cols
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(",");
    let old_values = cols
        .iter()
        .map(|c| format!("quote(old.\"{c}\")"))
        .collect::<Vec<_>>()
        .join(" || ',' || ");
    let assignments = cols
        .iter()
        .map(|c| format!("'\"{c}\"=' || quote(old.\"{c}\")"))
        .collect::<Vec<_>>()
        .join(" || ',' || ");
    let new_key = key_expr(pk, "new");
    let old_key = key_expr(pk, "old");
    let record = |name: &str, event: &str, stmt: String| {
        let row = if event == "INSERT" { "new" } else { "old" };
        let (doc, case) = owners(table, row);
        format!(
            "CREATE TEMP TRIGGER IF NOT EXISTS undo_{table}_{name} AFTER {event} ON main.\"{table}\"
             WHEN EXISTS (SELECT 1 FROM temp.undo_ctx)
             BEGIN
               INSERT INTO undo_sql (step_id, kind, sql, doc_id, case_id)
                 SELECT step, kind, {stmt}, {doc}, {case} FROM temp.undo_ctx;
             END;\n"
        )
    };
    let mut out = String::new();
    out.push_str(&record(
        "ins",
        "INSERT",
        format!("'DELETE FROM \"{table}\" WHERE ' || {new_key}"),
    ));
    out.push_str(&record(
        "del",
        "DELETE",
        format!("'INSERT INTO \"{table}\" ({col_list}) VALUES (' || {old_values} || ')'"),
    ));
    out.push_str(&record(
        "upd",
        "UPDATE",
        format!("'UPDATE \"{table}\" SET ' || {assignments} || ' WHERE ' || {old_key}"),
    ));
    out
}

/// Starts recording a new step; returns its id.
pub(super) fn begin_step(conn: &Connection, label: &str, coder: &str) -> Result<i64> {
    conn.execute(
        "INSERT INTO undo_step (label, state, created_at, coder, schema_version)
         VALUES (?1, 'done', ?2, ?3, ?4)",
        rusqlite::params![label, now(), coder, super::schema::VERSION],
    )?;
    let step = conn.last_insert_rowid();
    conn.execute("DELETE FROM temp.undo_ctx", [])?;
    conn.execute(
        "INSERT INTO temp.undo_ctx (step, kind) VALUES (?1, 'undo')",
        [step],
    )?;
    Ok(step)
}

/// Stops recording. A step that recorded nothing is dropped; otherwise the redo history is
/// forgotten, as a new edit makes it meaningless.
pub(super) fn end_step(conn: &Connection, step: i64) -> Result<bool> {
    conn.execute("DELETE FROM temp.undo_ctx", [])?;
    let recorded: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM undo_sql WHERE step_id = ?1)",
        [step],
        |r| r.get(0),
    )?;
    if recorded {
        conn.execute(
            "DELETE FROM undo_sql WHERE step_id IN (SELECT id FROM undo_step WHERE state = 'undone')",
            [],
        )?;
        conn.execute("DELETE FROM undo_step WHERE state = 'undone'", [])?;
    } else {
        conn.execute("DELETE FROM undo_step WHERE id = ?1", [step])?;
    }
    Ok(recorded)
}

/// Label of the newest step in `state` (`done`: what undo would undo) or the oldest `undone`
/// step (what redo would redo).
pub(super) fn peek(conn: &Connection, state: &str) -> Result<Option<String>> {
    let order = if state == "done" { "DESC" } else { "ASC" };
    Ok(conn
        .query_row(
            &format!("SELECT label FROM undo_step WHERE state = ?1 ORDER BY id {order} LIMIT 1"),
            [state],
            |r| r.get(0),
        )
        .optional()?)
}

/// A step undone or redone: its id and its label.
pub(super) type Replayed = (i64, String);

fn replay(conn: &Connection, from: &str, to: &str, record: &str) -> Result<Option<Replayed>> {
    let order = if from == "done" { "DESC" } else { "ASC" };
    let Some((step, label)): Option<(i64, String)> = conn
        .query_row(
            &format!(
                "SELECT id, label FROM undo_step WHERE state = ?1 ORDER BY id {order} LIMIT 1"
            ),
            [from],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
    else {
        return Ok(None);
    };
    let replay_kind = if record == "redo" { "undo" } else { "redo" };
    let statements: Vec<String> = {
        let mut st = conn.prepare(
            "SELECT sql FROM undo_sql WHERE step_id = ?1 AND kind = ?2 ORDER BY id DESC",
        )?;
        st.query_map(rusqlite::params![step, replay_kind], |r| r.get(0))?
            .collect::<Result<_, _>>()?
    };
    conn.execute("DELETE FROM undo_sql WHERE step_id = ?1", [step])?;
    conn.pragma_update(None, "defer_foreign_keys", "ON")?;
    conn.execute("DELETE FROM temp.undo_ctx", [])?;
    conn.execute(
        "INSERT INTO temp.undo_ctx (step, kind) VALUES (?1, ?2)",
        rusqlite::params![step, record],
    )?;
    for sql in &statements {
        conn.execute_batch(sql)?;
    }
    conn.execute("DELETE FROM temp.undo_ctx", [])?;
    conn.execute(
        "UPDATE undo_step SET state = ?1 WHERE id = ?2",
        rusqlite::params![to, step],
    )?;
    Ok(Some((step, label)))
}

/// Undoes the newest done step inside the caller's transaction.
pub(super) fn undo(conn: &Connection) -> Result<Option<Replayed>> {
    replay(conn, "done", "undone", "redo")
}

/// Redoes the oldest undone step inside the caller's transaction.
pub(super) fn redo(conn: &Connection) -> Result<Option<Replayed>> {
    replay(conn, "undone", "done", "undo")
}

/// What the rows recorded for `step` touched: the tables (from the head of each statement)
/// and the documents and cases they belong to.
pub(super) fn step_changes(conn: &Connection, step: i64) -> Result<super::Changes> {
    let mut changes = super::Changes::default();
    let mut st = conn.prepare_cached(
        "SELECT DISTINCT substr(sql, 1, 40), doc_id, case_id FROM undo_sql WHERE step_id = ?1",
    )?;
    let mut rows = st.query([step])?;
    while let Some(r) = rows.next()? {
        let head: String = r.get(0)?;
        if let Some(table) = head.split('"').nth(1) {
            changes.mark_table(table);
        }
        if let Some(d) = r.get::<_, Option<i64>>(1)? {
            changes.docs.insert(crate::model::DocId(d));
        }
        if let Some(c) = r.get::<_, Option<i64>>(2)? {
            changes.cases_touched.insert(crate::model::CaseId(c));
        }
    }
    Ok(changes)
}

/// One step of the history, for the audit trail (`weft history`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HistoryStep {
    /// The step's id (grows with time).
    pub id: i64,
    /// When it was made (RFC 3339, UTC).
    pub created_at: String,
    /// What it did ("Apply code “Trust”").
    pub label: String,
    /// Who did it.
    pub coder: String,
    /// Whether it was undone (Redo would redo it).
    pub undone: bool,
}

/// Every step of the history, oldest first.
pub(super) fn steps(conn: &Connection) -> Result<Vec<HistoryStep>> {
    let mut st = conn.prepare(
        "SELECT id, created_at, label, coder, state = 'undone' FROM undo_step ORDER BY id",
    )?;
    let rows = st.query_map([], |r| {
        Ok(HistoryStep {
            id: r.get(0)?,
            created_at: r.get(1)?,
            label: r.get(2)?,
            coder: r.get(3)?,
            undone: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The project setting holding how many steps the history keeps.
pub const HISTORY_KEEP_SETTING: &str = "history_keep";

/// Trims the history to `keep` steps around the present: the newest `keep` done steps (what
/// Undo reaches first), then redo steps only while room remains (the ones Redo reaches first).
/// Steps are only dropped from the far ends, so what remains always replays exactly. Returns
/// how many steps went.
pub(super) fn trim(conn: &Connection, keep: usize) -> Result<usize> {
    let keep = i64::try_from(keep).unwrap_or(i64::MAX);
    let done: i64 = conn.query_row(
        "SELECT count(*) FROM undo_step WHERE state = 'done'",
        [],
        |r| r.get(0),
    )?;
    let redo_room = (keep - done).max(0);
    let doomed = "id IN (SELECT id FROM undo_step WHERE state = 'done'
                          ORDER BY id DESC LIMIT -1 OFFSET ?1)
                  OR id IN (SELECT id FROM undo_step WHERE state = 'undone'
                          ORDER BY id ASC LIMIT -1 OFFSET ?2)";
    conn.execute(
        &format!("DELETE FROM undo_sql WHERE step_id IN (SELECT id FROM undo_step WHERE {doomed})"),
        rusqlite::params![keep, redo_room],
    )?;
    Ok(conn.execute(
        &format!("DELETE FROM undo_step WHERE {doomed}"),
        rusqlite::params![keep, redo_room],
    )?)
}

/// Trims the history to the project's `history_keep` setting, if it has one.
pub(super) fn trim_to_setting(conn: &Connection) -> Result<usize> {
    let keep: Option<String> = conn
        .query_row(
            "SELECT value FROM project WHERE key = ?1",
            [HISTORY_KEEP_SETTING],
            |r| r.get(0),
        )
        .optional()?;
    match keep.and_then(|k| k.trim().parse::<usize>().ok()) {
        Some(n) => trim(conn, n),
        None => Ok(0),
    }
}
