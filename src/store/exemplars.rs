//! Exemplar marks: codings a researcher picked as quotes that stand for their code. The mark
//! is a column of `coding`, so undo and redo cover it like any other edit.

use rusqlite::params;

use super::{Db, Result, Tx};
use crate::model::CodingId;

impl Tx<'_> {
    /// Marks a coding as an exemplar, or clears the mark. Setting what is already set writes
    /// nothing. Refused (not found) when the coding does not exist.
    pub fn set_exemplar(&self, id: CodingId, exemplar: bool) -> Result<()> {
        self.coding(id)?;
        self.conn().execute(
            "UPDATE coding SET exemplar = ?1 WHERE id = ?2 AND exemplar IS NOT ?1",
            params![i64::from(exemplar), id.0],
        )?;
        Ok(())
    }
}

impl Db<'_> {
    /// The codings marked as exemplars.
    pub fn exemplars(&self) -> Result<std::collections::HashSet<CodingId>> {
        let mut st = self
            .0
            .prepare("SELECT id FROM coding WHERE exemplar <> 0")?;
        let ids = st
            .query_map([], |r| r.get(0).map(CodingId))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// Whether a coding is marked as an exemplar (not found when it does not exist).
    pub fn is_exemplar(&self, id: CodingId) -> Result<bool> {
        self.coding(id)?;
        let v: i64 =
            self.0
                .query_row("SELECT exemplar FROM coding WHERE id = ?1", [id.0], |r| {
                    r.get(0)
                })?;
        Ok(v != 0)
    }
}
