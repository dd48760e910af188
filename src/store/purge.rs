//! Permanent deletion: a document or a case (a participant who withdrew) leaves the file for
//! good.
//!
//! Unlike every other edit this is not an action: it cannot be undone, and it removes the undo
//! and redo steps that hold any of the data (found through `undo_sql.doc_id` / `case_id`).
//! Because replaying an older step after a newer one was removed could half-apply, every done
//! step up to the newest one holding the data goes with it, and all redo steps. Then the bytes
//! must leave the file too: the deletion runs with `secure_delete` on, the write-ahead log is
//! checkpointed and truncated, the file is vacuumed (no free pages keep old text) and
//! checkpointed again, and this is verified.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{Result, Store, StoreError};
use crate::model::{CaseId, DocId};

/// What to delete permanently, by id in this store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurgeTarget {
    /// A document with everything attached to it.
    Document(DocId),
    /// A case, its links, and the documents that belong to it alone.
    Case(CaseId),
}

/// What a permanent deletion removed from one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purged {
    /// Names of the documents deleted.
    pub documents: Vec<String>,
    /// Names of the cases deleted.
    pub cases: Vec<String>,
    /// Documents that also belong to other cases: kept, but unlinked from the deleted case.
    pub documents_kept: Vec<String>,
    /// Codings deleted.
    pub codings: usize,
    /// Undo and redo steps dropped.
    pub steps_dropped: usize,
}

impl Store {
    /// The id of the document with `guid`, in the project or (when it was deleted undoably)
    /// in its undo history.
    pub fn find_document_by_guid(&self, guid: &str) -> Result<Option<DocId>> {
        find_by_guid(&self.conn, "document", "doc_id", guid).map(|o| o.map(DocId))
    }

    /// The id of the case with `guid`, in the project or in its undo history.
    pub fn find_case_by_guid(&self, guid: &str) -> Result<Option<CaseId>> {
        find_by_guid(&self.conn, "cases", "case_id", guid).map(|o| o.map(CaseId))
    }

    /// Deletes `target` permanently (see the module documentation). Rows that no longer exist
    /// are skipped, so this also clears data that only the undo history still holds.
    pub fn purge(&mut self, target: PurgeTarget) -> Result<Purged> {
        self.conn.pragma_update(None, "secure_delete", "ON")?;
        let result = self.purge_rows(target);
        let reset = self.conn.pragma_update(None, "secure_delete", "OFF");
        let purged = result?;
        reset?;
        self.scrub()?;
        Ok(purged)
    }

    fn purge_rows(&mut self, target: PurgeTarget) -> Result<Purged> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut out = Purged::default();
        let (docs, cases): (Vec<i64>, Vec<i64>) = match target {
            PurgeTarget::Document(d) => (vec![d.0], vec![]),
            PurgeTarget::Case(c) => {
                // Documents linked to this case and to no other case (by document or by a
                // speaker mapped to another case) belong to it alone.
                let mut st = tx.prepare(
                    "SELECT d.id, d.name,
                        EXISTS (SELECT 1 FROM case_document o
                                 WHERE o.doc_id = d.id AND o.case_id <> ?1)
                        OR EXISTS (SELECT 1 FROM speaker_case s
                                 WHERE s.doc_id = d.id AND s.case_id <> ?1)
                     FROM document d
                     WHERE d.id IN (SELECT doc_id FROM case_document WHERE case_id = ?1
                                    UNION SELECT doc_id FROM speaker_case WHERE case_id = ?1)
                     ORDER BY d.name",
                )?;
                let rows: Vec<(i64, String, bool)> = st
                    .query_map([c.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<Result<_, _>>()?;
                drop(st);
                let mut docs = Vec::new();
                for (id, name, shared) in rows {
                    if shared {
                        out.documents_kept.push(name);
                    } else {
                        docs.push(id);
                    }
                }
                (docs, vec![c.0])
            }
        };
        for &d in &docs {
            if let Some(name) = tx
                .query_row("SELECT name FROM document WHERE id = ?1", [d], |r| {
                    r.get::<_, String>(0)
                })
                .optional()?
            {
                out.documents.push(name);
            }
            out.codings += tx.execute("DELETE FROM coding WHERE doc_id = ?1", [d])?;
            for sql in [
                "DELETE FROM case_document WHERE doc_id = ?1",
                "DELETE FROM speaker_case WHERE doc_id = ?1",
                "DELETE FROM doc_attr WHERE doc_id = ?1",
                "DELETE FROM memo WHERE kind = 'document' AND target_id = ?1",
                "DELETE FROM document_words WHERE doc_id = ?1",
                "DELETE FROM document_text WHERE doc_id = ?1",
                "DELETE FROM document WHERE id = ?1",
            ] {
                tx.execute(sql, [d])?;
            }
        }
        for &c in &cases {
            if let Some(name) = tx
                .query_row("SELECT name FROM cases WHERE id = ?1", [c], |r| {
                    r.get::<_, String>(0)
                })
                .optional()?
            {
                out.cases.push(name);
            }
            for sql in [
                "DELETE FROM case_document WHERE case_id = ?1",
                "DELETE FROM speaker_case WHERE case_id = ?1",
                "DELETE FROM case_attr WHERE case_id = ?1",
                "DELETE FROM memo WHERE kind = 'case' AND target_id = ?1",
                "DELETE FROM cases WHERE id = ?1",
            ] {
                tx.execute(sql, [c])?;
            }
        }
        out.steps_dropped = drop_steps_holding(&tx, &docs, &cases)?;
        // Until the file is scrubbed, opening it finishes the job (see `Store::open`).
        tx.execute(
            "INSERT INTO project (key, value) VALUES (?1, '1')
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [SCRUB_PENDING],
        )?;
        tx.commit()?;
        Ok(out)
    }

    /// Makes sure no deleted byte stays in the file: checkpoint, vacuum, checkpoint, verify.
    /// Runs on opening a project whose last permanent deletion could not finish this.
    pub(super) fn scrub(&mut self) -> Result<()> {
        let clear_pending =
            |conn: &Connection| conn.execute("DELETE FROM project WHERE key = ?1", [SCRUB_PENDING]);
        let Some(path) = self.path.clone() else {
            clear_pending(&self.conn)?;
            self.conn.execute_batch("VACUUM")?;
            return Ok(());
        };
        self.checkpoint_truncate(&path)?;
        self.conn.execute_batch("VACUUM")?;
        clear_pending(&self.conn)?;
        self.checkpoint_truncate(&path)?;
        let free: i64 = self
            .conn
            .pragma_query_value(None, "freelist_count", |r| r.get(0))?;
        if free != 0 {
            return Err(StoreError::Invalid(format!(
                "the data was deleted, but {free} free pages of the file may still hold it; close \
                 other programs using the project and open it again to finish clearing it: {}",
                path.display()
            )));
        }
        let journal = sidecar(&path, "-journal");
        if journal.exists() {
            return Err(StoreError::Invalid(format!(
                "the data was deleted, but a journal file beside the project may still hold it; \
                 close other programs using the project and open it again to finish clearing \
                 it: {}",
                journal.display()
            )));
        }
        Ok(())
    }

    fn checkpoint_truncate(&self, path: &Path) -> Result<()> {
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        let wal = sidecar(path, "-wal");
        let wal_bytes = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        if busy != 0 || wal_bytes != 0 {
            return Err(StoreError::Invalid(format!(
                "the data was deleted, but the write-ahead log still holds it because another \
                 program is reading the project; close it (another Weft window?) and open the \
                 project again to finish clearing it: {}",
                wal.display()
            )));
        }
        Ok(())
    }
}

/// The project setting present while a permanent deletion has not yet cleared the file.
pub const SCRUB_PENDING: &str = "purge_scrub_pending";

/// `path` with `suffix` appended (`P.weft-wal`).
pub fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn find_by_guid(conn: &Connection, table: &str, owner: &str, guid: &str) -> Result<Option<i64>> {
    if let Some(id) = conn
        .query_row(
            &format!("SELECT id FROM \"{table}\" WHERE guid = ?1"),
            [guid],
            |r| r.get(0),
        )
        .optional()?
    {
        return Ok(Some(id));
    }
    // Deleted undoably: the row's INSERT is in the undo (or redo) history, with its owner id.
    Ok(conn
        .query_row(
            &format!(
                "SELECT {owner} FROM undo_sql
                 WHERE {owner} IS NOT NULL AND sql LIKE 'INSERT INTO \"{table}\" %'
                   AND instr(sql, quote(?1)) > 0
                 ORDER BY id DESC LIMIT 1"
            ),
            [guid],
            |r| r.get(0),
        )
        .optional()?)
}

/// Drops the steps that hold rows of `docs` or `cases`: every done step up to the newest one
/// holding them (an older step cannot be replayed once a newer one is gone), and all redo
/// steps. Returns how many steps went.
fn drop_steps_holding(conn: &Connection, docs: &[i64], cases: &[i64]) -> Result<usize> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS purge_doc (id INTEGER PRIMARY KEY);
         CREATE TEMP TABLE IF NOT EXISTS purge_case (id INTEGER PRIMARY KEY);
         DELETE FROM temp.purge_doc; DELETE FROM temp.purge_case;",
    )?;
    for d in docs {
        conn.execute("INSERT OR IGNORE INTO temp.purge_doc VALUES (?1)", [d])?;
    }
    for c in cases {
        conn.execute("INSERT OR IGNORE INTO temp.purge_case VALUES (?1)", [c])?;
    }
    let holding = "SELECT DISTINCT step_id FROM undo_sql
                   WHERE doc_id IN (SELECT id FROM temp.purge_doc)
                      OR case_id IN (SELECT id FROM temp.purge_case)";
    let newest_done: Option<i64> = conn.query_row(
        &format!("SELECT max(id) FROM undo_step WHERE state = 'done' AND id IN ({holding})"),
        [],
        |r| r.get(0),
    )?;
    let limit = newest_done.unwrap_or(0);
    let doomed = "(state = 'done' AND id <= ?1) OR state = 'undone'";
    conn.execute(
        &format!("DELETE FROM undo_sql WHERE step_id IN (SELECT id FROM undo_step WHERE {doomed})"),
        params![limit],
    )?;
    let n = conn.execute(
        &format!("DELETE FROM undo_step WHERE {doomed}"),
        params![limit],
    )?;
    conn.execute_batch("DELETE FROM temp.purge_doc; DELETE FROM temp.purge_case;")?;
    Ok(n)
}

/// Whether the project or snapshot file at `path` holds the document (`is_doc`) or case with
/// `guid`, in its tables or in its undo history. Reads only: the file is opened read-only.
pub fn file_holds(path: &Path, is_doc: bool, guid: &str) -> Result<bool, String> {
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    let table = if is_doc { "document" } else { "cases" };
    let check = || -> rusqlite::Result<bool> {
        let in_table: bool = conn.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM \"{table}\" WHERE guid = ?1)"),
            [guid],
            |r| r.get(0),
        )?;
        let has_history: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'undo_sql')",
            [],
            |r| r.get(0),
        )?;
        let in_history = has_history
            && conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM undo_sql WHERE instr(sql, quote(?1)) > 0)",
                [guid],
                |r| r.get(0),
            )?;
        Ok(in_table || in_history)
    };
    check().map_err(|e| e.to_string())
}

impl Store {
    /// Puts the file back in rollback-journal mode (one self-contained file, as snapshots are
    /// kept), after writing the write-ahead log into it.
    pub fn set_rollback_journal(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            })?;
        let _mode: String =
            self.conn
                .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))?;
        Ok(())
    }
}
