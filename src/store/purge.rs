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
//!
//! A case that is a mapped speaker in a document shared with other cases (a focus group)
//! leaves that document redacted: each of the speaker's turns keeps its label, but what they
//! said becomes [`WITHDRAWN`]; positions after it shift, codings inside it go, codings
//! overlapping it are clipped to what remains, and the document's length, word count and word
//! index are recomputed. Its undo steps go too (they hold the old text).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{Result, Store, StoreError};
use crate::model::{CaseId, DocId, Turn};
use crate::text::{Replacement, Splice, WordIndex, char_len};

/// What a withdrawn speaker's turn body becomes.
pub const WITHDRAWN: &str = "[withdrawn]";

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
    /// Codings deleted with the deleted documents.
    pub codings: usize,
    /// Kept documents in which the deleted case's speaker turns were redacted.
    pub redacted: Vec<Redacted>,
    /// Undo and redo steps dropped.
    pub steps_dropped: usize,
}

/// A kept document in which a deleted case's turns were replaced by [`WITHDRAWN`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redacted {
    /// The document's name.
    pub document: String,
    /// Turns whose body was replaced.
    pub turns: usize,
    /// Codings that lay wholly inside the replaced bodies, deleted.
    pub codings_removed: usize,
    /// Codings that overlapped or spanned a replaced body, shortened to what remains.
    pub codings_shortened: usize,
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
        let mut redacted_docs = Vec::new();
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
                        // Where the case speaks, its words leave the kept document.
                        if let Some(r) = redact_speaker(&tx, id, &name, c.0)? {
                            out.redacted.push(r);
                            redacted_docs.push(id);
                        }
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
                "DELETE FROM reading WHERE doc_guid = (SELECT guid FROM document WHERE id = ?1)",
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
        // The history of a redacted document holds its old text (and old offsets): it goes too.
        let holding: Vec<i64> = docs.iter().chain(&redacted_docs).copied().collect();
        out.steps_dropped = drop_steps_holding(&tx, &holding, &cases)?;
        // The search index follows: deleted documents leave it, redacted ones are indexed
        // again, and the index is rewritten so no deleted word stays in its pages.
        super::search::sync(&tx)?;
        for &d in &redacted_docs {
            super::search::reindex(&tx, d)?;
        }
        super::search::optimize(&tx)?;
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

/// Replaces the body of every turn of document `doc` spoken by a speaker mapped to case
/// `case` with [`WITHDRAWN`] (keeping the label, and the line break after the body), shifts
/// the turns and codings after it, deletes the codings inside it, clips those overlapping it,
/// and recomputes the length, word count and word index. `None` when the case says nothing in
/// the document. Does not drop the speaker mapping (the case's deletion does).
fn redact_speaker(conn: &Connection, doc: i64, name: &str, case: i64) -> Result<Option<Redacted>> {
    let speakers: Vec<String> = conn
        .prepare("SELECT speaker FROM speaker_case WHERE doc_id = ?1 AND case_id = ?2")?
        .query_map([doc, case], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if speakers.is_empty() {
        return Ok(None);
    }
    let Some((text, turns_json)): Option<(String, String)> = conn
        .query_row(
            "SELECT text, turns FROM document_text WHERE doc_id = ?1",
            [doc],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
    else {
        return Ok(None);
    };
    let turns: Vec<Turn> = serde_json::from_str(&turns_json)?;
    let old_len = char_len(&text);
    let damaged = || {
        StoreError::Invalid(format!(
            "the speaker turns of “{name}” do not fit its text; it was not changed"
        ))
    };
    // The replacements, one per turn of theirs that says anything, by turn index.
    let mut reps = Vec::new();
    let mut redacted_turns = Vec::new();
    for (i, t) in turns.iter().enumerate() {
        if !speakers.contains(&t.speaker) {
            continue;
        }
        if !(t.start <= t.body_start && t.body_start <= t.end && t.end <= old_len) {
            return Err(damaged());
        }
        let body = crate::text::slice_chars(&text, t.body_start, t.end).ok_or_else(damaged)?;
        let said = body.trim_end();
        if said.trim_start().is_empty() {
            continue;
        }
        // Line breaks after the words stay, so the next turn stays on its own line.
        let tail = &body[said.len()..];
        let kept = tail.find('\n').map_or("", |k| &tail[k..]);
        reps.push(Replacement {
            start: t.body_start,
            end: t.end,
            with: format!("{WITHDRAWN}{kept}"),
        });
        redacted_turns.push(i);
    }
    if reps.is_empty() {
        return Ok(None);
    }
    let splice = Splice::new(reps, old_len).ok_or_else(damaged)?;
    let new_text = splice.apply(&text).ok_or_else(damaged)?;
    // Turns: theirs span their new body; every other position shifts.
    let mut new_turns = Vec::with_capacity(turns.len());
    for (i, t) in turns.iter().enumerate() {
        let start = splice.map_pos(t.start).ok_or_else(damaged)?;
        let (body_start, end) = match redacted_turns.iter().position(|&j| j == i) {
            Some(k) => {
                let r = splice.replaced_range(k).ok_or_else(damaged)?;
                (r.start, r.end)
            }
            None => (
                splice.map_pos(t.body_start).ok_or_else(damaged)?,
                splice.map_pos(t.end).ok_or_else(damaged)?,
            ),
        };
        new_turns.push(Turn {
            start,
            body_start,
            end,
            ..t.clone()
        });
    }
    // Codings: shifted, clipped or deleted.
    let codings: Vec<(i64, usize, usize)> = conn
        .prepare("SELECT id, start_char, end_char FROM coding WHERE doc_id = ?1")?
        .query_map([doc], |r| {
            Ok((
                r.get(0)?,
                usize::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                usize::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut out = Redacted {
        document: name.to_owned(),
        turns: redacted_turns.len(),
        ..Redacted::default()
    };
    for (id, start, end) in codings {
        let end = end.min(old_len);
        let overlaps = splice
            .replacements()
            .iter()
            .any(|r| r.start < end && start < r.end);
        match splice.map_range(start, end) {
            None => {
                conn.execute("DELETE FROM coding WHERE id = ?1", [id])?;
                out.codings_removed += 1;
            }
            Some((s, e)) => {
                conn.execute(
                    "UPDATE coding SET start_char = ?1, end_char = ?2 WHERE id = ?3",
                    params![s as i64, e as i64, id],
                )?;
                if overlaps {
                    out.codings_shortened += 1;
                }
            }
        }
    }
    let (words, word_count) = WordIndex::encode_text(&new_text);
    conn.execute(
        "UPDATE document_text SET text = ?1, turns = ?2 WHERE doc_id = ?3",
        params![new_text, serde_json::to_string(&new_turns)?, doc],
    )?;
    conn.execute(
        "INSERT INTO document_words (doc_id, words) VALUES (?2, ?1)
         ON CONFLICT (doc_id) DO UPDATE SET words = excluded.words",
        params![words, doc],
    )?;
    conn.execute(
        "UPDATE document SET char_len = ?1, word_count = ?2 WHERE id = ?3",
        params![char_len(&new_text) as i64, word_count as i64, doc],
    )?;
    Ok(Some(out))
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
    let conn = super::open_connection(
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

/// The GUID of the document (or case) named `name` in the file at `path` (a snapshot), read
/// without writing: how a permanent deletion finds what to clean in the backups after the
/// project itself no longer has it.
pub fn guid_by_name(path: &Path, is_doc: bool, name: &str) -> Result<Option<String>, String> {
    let conn = super::open_connection(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    let table = if is_doc { "document" } else { "cases" };
    conn.query_row(
        &format!("SELECT guid FROM \"{table}\" WHERE name = ?1"),
        [name.trim()],
        |r| r.get(0),
    )
    .optional()
    .map_err(|e| e.to_string())
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
