//! Noticing changes made by another connection (the CLI, another window) while the app is open.

use super::{Db, Result};

impl Db<'_> {
    /// SQLite's `PRAGMA data_version`: changes whenever another connection commits to the
    /// file (never for this connection's own commits).
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.0.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }
}
