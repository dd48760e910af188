//! Memos: the project journal and notes on documents, codes and cases. (Memos on single
//! codings live on the coding itself.)

use rusqlite::{Row, params};

use super::{Db, Result, StoreError, Tx, new_guid, now};
use crate::model::{CaseId, CodeId, CoderId, DocId, Memo, MemoId, MemoTarget};

fn target_parts(t: MemoTarget) -> (&'static str, Option<i64>) {
    match t {
        MemoTarget::Project => ("project", None),
        MemoTarget::Document(d) => ("document", Some(d.0)),
        MemoTarget::Code(c) => ("code", Some(c.0)),
        MemoTarget::Case(c) => ("case", Some(c.0)),
    }
}

fn memo_from_row(r: &Row<'_>) -> rusqlite::Result<Memo> {
    let kind: String = r.get(1)?;
    let target_id: Option<i64> = r.get(2)?;
    let target = match (kind.as_str(), target_id) {
        ("document", Some(id)) => MemoTarget::Document(DocId(id)),
        ("code", Some(id)) => MemoTarget::Code(CodeId(id)),
        ("case", Some(id)) => MemoTarget::Case(CaseId(id)),
        _ => MemoTarget::Project,
    };
    Ok(Memo {
        id: MemoId(r.get(0)?),
        target,
        title: r.get(3)?,
        body: r.get(4)?,
        coder: r.get::<_, Option<i64>>(5)?.map(CoderId),
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
        guid: r.get(8)?,
        phase: r
            .get::<_, Option<i64>>(9)?
            .and_then(|p| u8::try_from(p).ok()),
    })
}

impl Db<'_> {
    /// All memos, newest first.
    pub fn memos(&self) -> Result<Vec<Memo>> {
        let mut st = self.0.prepare_cached(
            "SELECT id, kind, target_id, title, body, coder_id, created_at, updated_at, guid, phase
             FROM memo
             ORDER BY created_at DESC, id DESC",
        )?;
        let rows = st.query_map([], memo_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Tx<'_> {
    /// Adds a memo.
    pub fn add_memo(
        &self,
        target: MemoTarget,
        title: &str,
        body: &str,
        coder: Option<CoderId>,
    ) -> Result<MemoId> {
        self.add_memo_with_guid(target, title, body, coder, None)
    }

    /// [`Self::add_memo`] keeping a GUID from elsewhere (an import or a merge).
    pub fn add_memo_with_guid(
        &self,
        target: MemoTarget,
        title: &str,
        body: &str,
        coder: Option<CoderId>,
        guid: Option<&str>,
    ) -> Result<MemoId> {
        let (kind, id) = target_parts(target);
        let t = now();
        self.conn().execute(
            "INSERT INTO memo (guid, kind, target_id, title, body, coder_id, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![guid.map_or_else(new_guid, str::to_owned), kind, id, title.trim(), body, coder.map(|c| c.0), t],
        )?;
        Ok(MemoId(self.conn().last_insert_rowid()))
    }

    /// Changes a memo's title and text.
    pub fn update_memo(&self, id: MemoId, title: &str, body: &str) -> Result<()> {
        let exists: bool = self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM memo WHERE id = ?1)",
            [id.0],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(StoreError::NotFound {
                kind: "memo",
                name: format!("#{id}"),
            });
        }
        // Unchanged text writes nothing (no empty undo step).
        self.conn().execute(
            "UPDATE memo SET title = ?1, body = ?2, updated_at = ?3
             WHERE id = ?4 AND (title IS NOT ?1 OR body IS NOT ?2)",
            params![title.trim(), body, now(), id.0],
        )?;
        Ok(())
    }

    /// Deletes a memo.
    pub fn delete_memo(&self, id: MemoId) -> Result<()> {
        self.conn()
            .execute("DELETE FROM memo WHERE id = ?1", [id.0])?;
        Ok(())
    }
}
