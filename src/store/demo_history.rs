//! Dating the demo project's analysis history. The demo shows a finished thematic analysis
//! that was built over weeks: its audit trail, journal, theme links, review marks and reading
//! progress carry the dates of that story rather than the moment the demo was created. Only
//! the demo uses this; a user's edits are always stamped with the time they were made.

use rusqlite::params;

use super::{Result, Tx, now};
use crate::model::MemoId;

/// Where the dated tables stood before one step of the demo's history.
#[derive(Debug, Clone)]
pub struct HistoryMark {
    event: i64,
    memo: i64,
    theme: i64,
    started: String,
}

impl Tx<'_> {
    /// Marks where the dated tables stand, before a step of the demo's history.
    pub fn history_mark(&self) -> Result<HistoryMark> {
        let max = |table: &str| -> Result<i64> {
            Ok(self.conn().query_row(
                &format!("SELECT coalesce(max(id), 0) FROM {table}"),
                [],
                |r| r.get(0),
            )?)
        };
        Ok(HistoryMark {
            event: max("analytic_event")?,
            memo: max("memo")?,
            theme: max("theme")?,
            started: now(),
        })
    }

    /// Dates everything written since `mark` at `at` (RFC 3339): audit-trail entries (and
    /// attributes them to `coder` when given), memos, themes, links and review marks.
    pub fn backdate_since(&self, mark: &HistoryMark, at: &str, coder: Option<&str>) -> Result<()> {
        let c = self.conn();
        c.execute(
            "UPDATE analytic_event SET at = ?1, coder = coalesce(?2, coder) WHERE id > ?3",
            params![at, coder, mark.event],
        )?;
        c.execute(
            "UPDATE memo SET created_at = ?1, updated_at = ?1 WHERE id > ?2",
            params![at, mark.memo],
        )?;
        c.execute(
            "UPDATE theme SET created_at = ?1 WHERE id > ?2",
            params![at, mark.theme],
        )?;
        c.execute(
            "UPDATE theme_code SET linked_at = ?1 WHERE linked_at >= ?2",
            params![at, mark.started],
        )?;
        c.execute(
            "UPDATE theme_review SET at = ?1 WHERE at >= ?2",
            params![at, mark.started],
        )?;
        Ok(())
    }

    /// Sets a theme's position among its siblings.
    pub fn set_theme_sort_order(&self, theme: crate::model::ThemeId, order: i64) -> Result<()> {
        self.conn().execute(
            "UPDATE theme SET sort_order = ?1 WHERE id = ?2",
            params![order, theme.0],
        )?;
        Ok(())
    }

    /// Dates a memo written at `at`.
    pub fn set_memo_time(&self, memo: MemoId, at: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE memo SET created_at = ?1, updated_at = ?1 WHERE id = ?2",
            params![at, memo.0],
        )?;
        Ok(())
    }

    /// Dates every coding made by `coder` (a name) at `at`.
    pub fn set_codings_time(&self, coder: &str, at: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE coding SET created_at = ?1
             WHERE coder_id = (SELECT id FROM coder WHERE name = ?2)",
            params![at, coder],
        )?;
        Ok(())
    }

    /// Records that a document was opened at `opened` and read to its end at `finished`.
    pub fn set_reading(&self, doc_guid: &str, opened: &str, finished: &str) -> Result<()> {
        let len: i64 = self.conn().query_row(
            "SELECT char_len FROM document WHERE guid = ?1",
            [doc_guid],
            |r| r.get(0),
        )?;
        self.conn().execute(
            "INSERT INTO reading (doc_guid, opened_at, furthest, finished_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (doc_guid) DO UPDATE SET opened_at = excluded.opened_at,
               furthest = excluded.furthest, finished_at = excluded.finished_at",
            params![doc_guid, opened, len, finished],
        )?;
        Ok(())
    }
}
