//! Codings: a code applied to `[start, end)` (chars) of a document by a coder.

use rusqlite::{OptionalExtension, Row, params};

use super::{Db, Result, StoreError, Tx, new_guid, now};
use crate::model::{CodeId, CoderId, Coding, CodingFilter, CodingId, CodingSpan, DocId};

const CODING_COLUMNS: &str =
    "id, guid, doc_id, code_id, coder_id, start_char, end_char, memo, created_at";

fn coding_from_row(r: &Row<'_>) -> rusqlite::Result<Coding> {
    Ok(Coding {
        id: CodingId(r.get(0)?),
        guid: r.get(1)?,
        doc: DocId(r.get(2)?),
        code: CodeId(r.get(3)?),
        coder: CoderId(r.get(4)?),
        start: r.get::<_, i64>(5)? as usize,
        end: r.get::<_, i64>(6)? as usize,
        memo: r.get(7)?,
        created_at: r.get(8)?,
    })
}

impl Db<'_> {
    fn check_range(&self, doc: DocId, start: usize, end: usize) -> Result<()> {
        let d = self.document(doc)?;
        if start >= end {
            return Err(StoreError::Invalid(format!(
                "cannot code an empty or reversed range {start}..{end} in “{}”",
                d.name
            )));
        }
        if end > d.char_len {
            return Err(StoreError::Invalid(format!(
                "range {start}..{end} lies outside “{}”, which has {} characters",
                d.name, d.char_len
            )));
        }
        Ok(())
    }

    /// The selection GUIDs kept from another tool's project, by coding.
    pub fn selection_guids(&self) -> Result<std::collections::HashMap<CodingId, String>> {
        let mut st = self
            .0
            .prepare("SELECT id, selection_guid FROM coding WHERE selection_guid IS NOT NULL")?;
        let rows = st.query_map([], |r| Ok((CodingId(r.get(0)?), r.get::<_, String>(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One coding.
    pub fn coding(&self, id: CodingId) -> Result<Coding> {
        self.0
            .query_row(
                &format!("SELECT {CODING_COLUMNS} FROM coding WHERE id = ?1"),
                [id.0],
                coding_from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                kind: "coding",
                name: format!("#{id}"),
            })
    }

    /// Refuses an edit that would make `id` identical to another coding of the same coder.
    fn refuse_duplicate(&self, id: CodingId, code: CodeId, start: usize, end: usize) -> Result<()> {
        let c = self.coding(id)?;
        let twin: Option<i64> = self
            .0
            .query_row(
                "SELECT id FROM coding WHERE doc_id = ?1 AND code_id = ?2 AND coder_id = ?3
                   AND start_char = ?4 AND end_char = ?5 AND id <> ?6",
                params![c.doc.0, code.0, c.coder.0, start as i64, end as i64, id.0],
                |r| r.get(0),
            )
            .optional()?;
        if twin.is_some() {
            return Err(StoreError::Invalid(
                "that passage already has this code from this coder; remove one of the two codings instead".into(),
            ));
        }
        Ok(())
    }

    /// Codings matching `filter`, by document and position.
    pub fn codings(&self, filter: &CodingFilter) -> Result<Vec<Coding>> {
        let mut sql = format!("SELECT {CODING_COLUMNS} FROM coding WHERE 1");
        let mut args: Vec<i64> = Vec::new();
        if let Some(d) = filter.doc {
            args.push(d.0);
            sql.push_str(&format!(" AND doc_id = ?{}", args.len()));
        }
        if let Some(c) = filter.coder {
            args.push(c.0);
            sql.push_str(&format!(" AND coder_id = ?{}", args.len()));
        }
        if let Some(codes) = &filter.codes {
            let list: Vec<String> = codes.iter().map(|c| c.0.to_string()).collect();
            sql.push_str(&format!(" AND code_id IN ({})", list.join(",")));
        }
        sql.push_str(" ORDER BY doc_id, start_char, end_char, id");
        let mut st = self.0.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args), coding_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every coding's numbers, in storage order (a plain table scan: sort as needed).
    pub fn coding_spans(&self) -> Result<Vec<CodingSpan>> {
        let mut st = self.0.prepare_cached(
            "SELECT id, doc_id, code_id, coder_id, start_char, end_char FROM coding",
        )?;
        let rows = st.query_map([], |r| {
            Ok(CodingSpan {
                id: CodingId(r.get(0)?),
                doc: DocId(r.get(1)?),
                code: CodeId(r.get(2)?),
                coder: CoderId(r.get(3)?),
                start: r.get::<_, i64>(4)? as usize,
                end: r.get::<_, i64>(5)? as usize,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Number of codings per code.
    pub fn coding_counts(&self) -> Result<std::collections::HashMap<CodeId, usize>> {
        let mut st = self
            .0
            .prepare_cached("SELECT code_id, count(*) FROM coding GROUP BY code_id")?;
        let rows = st.query_map([], |r| {
            Ok((CodeId(r.get(0)?), r.get::<_, i64>(1)? as usize))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Tx<'_> {
    /// Codes chars `[start, end)` of `doc` with `code`. Applying the same code to the same
    /// range by the same coder again changes nothing and returns the existing coding.
    pub fn apply_code(
        &self,
        doc: DocId,
        code: CodeId,
        coder: CoderId,
        start: usize,
        end: usize,
        memo: &str,
    ) -> Result<CodingId> {
        self.apply_code_with(doc, code, coder, start, end, memo, None, None)
    }

    /// [`Self::apply_code`] keeping a GUID and a creation time from elsewhere (an import or
    /// a merge).
    #[allow(clippy::too_many_arguments)] // one row of the coding table, spelled out
    pub fn apply_code_with(
        &self,
        doc: DocId,
        code: CodeId,
        coder: CoderId,
        start: usize,
        end: usize,
        memo: &str,
        guid: Option<&str>,
        created_at: Option<&str>,
    ) -> Result<CodingId> {
        self.check_range(doc, start, end)?;
        self.code(code)?;
        self.insert_coding(doc, code, coder, start, end, memo, guid, created_at)
    }
}

impl Tx<'_> {
    /// Inserts a coding whose document, code and range the caller has checked. The same code
    /// on the same range by the same coder again changes nothing and returns the existing
    /// coding.
    #[allow(clippy::too_many_arguments)] // one row of the coding table, spelled out
    pub fn insert_coding(
        &self,
        doc: DocId,
        code: CodeId,
        coder: CoderId,
        start: usize,
        end: usize,
        memo: &str,
        guid: Option<&str>,
        created_at: Option<&str>,
    ) -> Result<CodingId> {
        if let Some(existing) = self
            .conn()
            .prepare_cached(
                "SELECT id FROM coding WHERE doc_id = ?1 AND code_id = ?2 AND coder_id = ?3
                   AND start_char = ?4 AND end_char = ?5",
            )?
            .query_row(
                params![doc.0, code.0, coder.0, start as i64, end as i64],
                |r| r.get(0),
            )
            .optional()?
        {
            return Ok(CodingId(existing));
        }
        self.conn()
            .prepare_cached(
                "INSERT INTO coding (guid, doc_id, code_id, coder_id, start_char, end_char, memo, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                guid.map_or_else(new_guid, str::to_owned),
                doc.0,
                code.0,
                coder.0,
                start as i64,
                end as i64,
                memo,
                created_at.map_or_else(now, str::to_owned)
            ])?;
        Ok(CodingId(self.conn().last_insert_rowid()))
    }

    /// Removes a coding.
    pub fn remove_coding(&self, id: CodingId) -> Result<()> {
        if self
            .conn()
            .execute("DELETE FROM coding WHERE id = ?1", [id.0])?
            == 0
        {
            return Err(StoreError::NotFound {
                kind: "coding",
                name: format!("#{id}"),
            });
        }
        Ok(())
    }

    /// Moves a coding's boundaries (extend or shrink).
    pub fn set_coding_range(&self, id: CodingId, start: usize, end: usize) -> Result<()> {
        let c = self.coding(id)?;
        self.check_range(c.doc, start, end)?;
        self.refuse_duplicate(id, c.code, start, end)?;
        self.conn().execute(
            "UPDATE coding SET start_char = ?1, end_char = ?2 WHERE id = ?3",
            params![start as i64, end as i64, id.0],
        )?;
        Ok(())
    }

    /// Changes the code of a coding.
    pub fn set_coding_code(&self, id: CodingId, code: CodeId) -> Result<()> {
        let c = self.coding(id)?;
        self.code(code)?;
        self.refuse_duplicate(id, code, c.start, c.end)?;
        self.conn().execute(
            "UPDATE coding SET code_id = ?1 WHERE id = ?2",
            params![code.0, id.0],
        )?;
        Ok(())
    }

    /// Sets a coding's memo.
    pub fn set_coding_memo(&self, id: CodingId, memo: &str) -> Result<()> {
        self.coding(id)?;
        // Unchanged text writes nothing, so a repeated save leaves no empty undo step.
        self.conn().execute(
            "UPDATE coding SET memo = ?1 WHERE id = ?2 AND memo IS NOT ?1",
            params![memo, id.0],
        )?;
        Ok(())
    }
}
