//! The project store: one `.weft` SQLite file per project.
//!
//! [`Store`] opens, creates and migrates the file and runs every user action in one
//! transaction ([`Store::action`]), recording the SQL that undoes it (see [`undo`]). All SQL
//! lives on [`Db`], a borrowed connection: its read methods work anywhere, its write methods are
//! meant to be called inside an action. Nothing here knows about the GUI.

pub mod backup;
mod cases;
mod codes;
mod codings;
mod documents;
mod memos;
pub mod schema;
pub mod undo;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

pub use cases::CaseLinks;
pub use codes::{CodeTree, MergeReport, split_path};
pub use codings::{CodingFilter, CodingSpan};
pub use documents::NewDocument;

use crate::model::{Coder, CoderId};

/// Errors of the project store. Messages are meant for the user; a path comes last.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but is not a Weft project.
    #[error("not a Weft project ({reason}); the file was left untouched: {path}")]
    NotWeft {
        /// The file.
        path: PathBuf,
        /// Why it was refused.
        reason: String,
    },
    /// The file was written by a newer Weft.
    #[error(
        "this project was written by a newer Weft (schema version {found}; this Weft reads up to {supported}); the file was left untouched, update Weft to open it: {path}"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i32,
        /// The newest this build reads.
        supported: i32,
    },
    /// The file could not be opened or read.
    #[error("cannot open the project ({reason}): {path}")]
    Open {
        /// The file.
        path: PathBuf,
        /// The underlying problem.
        reason: String,
    },
    /// `create` was asked to overwrite an existing file.
    #[error("a file already exists there, choose another name: {path}")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A named thing does not exist.
    #[error("there is no {kind} “{name}”")]
    NotFound {
        /// What was looked for (`document`, `code`, ...).
        kind: &'static str,
        /// Its name or id.
        name: String,
    },
    /// The request breaks a rule (empty range, duplicate name, cycle, ...).
    #[error("{0}")]
    Invalid(String),
    /// The user cancelled; nothing was changed.
    #[error("cancelled; the project was left as it was")]
    Cancelled,
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Stored JSON could not be read.
    #[error("damaged data in the project: {0}")]
    Json(#[from] serde_json::Error),
}

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open project.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

/// A borrowed connection with all of the project's SQL. Reads work anywhere; writes belong
/// inside [`Store::action`].
#[derive(Clone, Copy)]
pub struct Db<'c>(pub(crate) &'c Connection);

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

impl Store {
    /// Creates a new, empty project at `path`. Refuses to overwrite an existing file.
    pub fn create(path: &Path) -> Result<Self> {
        if path.exists() {
            return Err(StoreError::Exists {
                path: path.to_owned(),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )
        .map_err(|e| open_error(path, &e))?;
        let mut store = Self {
            conn,
            path: Some(path.to_owned()),
        };
        store.init_new()?;
        Ok(store)
    }

    /// A new project held in memory (tests, benchmarks).
    pub fn in_memory() -> Result<Self> {
        let mut store = Self {
            conn: Connection::open_in_memory()?,
            path: None,
        };
        store.init_new()?;
        Ok(store)
    }

    /// Opens an existing project, migrating it if it is older than this build. A file that is
    /// not a Weft project, or is newer, is refused and left untouched.
    pub fn open(path: &Path) -> Result<Self> {
        check_header(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_error(path, &e))?;
        let read = |pragma: &str| -> Result<i32> {
            conn.pragma_query_value(None, pragma, |r| r.get(0))
                .map_err(|e| open_error(path, &e))
        };
        let app_id = read("application_id")?;
        let version = read("user_version")?;
        if app_id != schema::APPLICATION_ID {
            return Err(StoreError::NotWeft {
                path: path.to_owned(),
                reason: "a SQLite database of another program".into(),
            });
        }
        if version > schema::VERSION {
            return Err(StoreError::TooNew {
                path: path.to_owned(),
                found: version,
                supported: schema::VERSION,
            });
        }
        let mut store = Self {
            conn,
            path: Some(path.to_owned()),
        };
        let prepare = |store: &mut Self| -> Result<()> {
            store.configure()?;
            if version < schema::VERSION {
                let tx = store
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Exclusive)?;
                schema::upgrade_from(&tx, version)?;
                tx.commit()?;
            }
            undo::install_triggers(&store.conn)?;
            Ok(())
        };
        // Damaged, read-only or locked files fail here: say which file.
        prepare(&mut store).map_err(|e| match e {
            StoreError::Sqlite(e) => open_error(path, &e),
            other => other,
        })?;
        Ok(store)
    }

    fn init_new(&mut self) -> Result<()> {
        self.configure()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Exclusive)?;
        tx.pragma_update(None, "application_id", schema::APPLICATION_ID)?;
        schema::upgrade_from(&tx, 0)?;
        let db = Db(&tx);
        db.set_setting("created_at", &now())?;
        let me = default_user_name();
        let coder = db.ensure_coder(&me)?;
        db.set_setting("default_coder", &coder.0.to_string())?;
        tx.commit()?;
        undo::install_triggers(&self.conn)?;
        Ok(())
    }

    fn configure(&self) -> Result<()> {
        if self.path.is_some() {
            let mode: String =
                self.conn
                    .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Invalid(format!(
                    "the project file could not use write-ahead logging (journal mode {mode})"
                )));
            }
            self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        self.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(())
    }

    /// The project file, `None` for an in-memory project.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Read access.
    pub fn db(&self) -> Db<'_> {
        Db(&self.conn)
    }

    /// Runs one user action: one transaction, one undo step labelled `label` (shown as
    /// "Undo {label}"). If `f` fails nothing is changed. An action that changes nothing leaves
    /// no undo step. A new action forgets what could be redone.
    pub fn action<T>(&mut self, label: &str, f: impl FnOnce(Db<'_>) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let step = undo::begin_step(&tx, label)?;
        let out = f(Db(&tx))?;
        undo::end_step(&tx, step)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` in one transaction without recording an undo step: for building a project
    /// from scratch (the demo, benchmarks), never for the user's edits.
    pub fn untracked<T>(&mut self, f: impl FnOnce(Db<'_>) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(Db(&tx))?;
        tx.commit()?;
        Ok(out)
    }

    /// Undoes the latest action; returns its label, or `None` when there is nothing to undo.
    pub fn undo(&mut self) -> Result<Option<String>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let label = undo::undo(&tx)?;
        tx.commit()?;
        Ok(label)
    }

    /// Redoes the latest undone action; returns its label, or `None` when there is nothing.
    pub fn redo(&mut self) -> Result<Option<String>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let label = undo::redo(&tx)?;
        tx.commit()?;
        Ok(label)
    }

    /// Label of the action [`Self::undo`] would undo.
    pub fn undo_label(&self) -> Result<Option<String>> {
        undo::peek(&self.conn, "done")
    }

    /// Label of the action [`Self::redo`] would redo.
    pub fn redo_label(&self) -> Result<Option<String>> {
        undo::peek(&self.conn, "undone")
    }

    /// Writes the write-ahead log into the main file (e.g. before copying the file).
    pub fn checkpoint(&self) -> Result<()> {
        self.conn
            .pragma_update(None, "wal_checkpoint", "TRUNCATE")?;
        Ok(())
    }
}

fn check_header(path: &Path) -> Result<()> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| StoreError::Open {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    if meta.is_dir() {
        return Err(StoreError::NotWeft {
            path: path.to_owned(),
            reason: "it is a folder".into(),
        });
    }
    if meta.len() == 0 {
        return Err(StoreError::NotWeft {
            path: path.to_owned(),
            reason: "the file is empty".into(),
        });
    }
    let mut head = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(|e| StoreError::Open {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let n = file.read(&mut head).map_err(|e| StoreError::Open {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    if n < 16 || &head != SQLITE_MAGIC {
        return Err(StoreError::NotWeft {
            path: path.to_owned(),
            reason: "not a SQLite database".into(),
        });
    }
    Ok(())
}

fn open_error(path: &Path, e: &rusqlite::Error) -> StoreError {
    StoreError::Open {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

/// The current time, RFC 3339 in UTC to the second.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A fresh GUID for exports (REFI-QDA wants them on everything).
pub fn new_guid() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn default_user_name() -> String {
    ["WEFT_CODER", "USER", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| "Coder".to_owned())
}

impl Db<'_> {
    /// A project setting.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .0
            .query_row("SELECT value FROM project WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Sets a project setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.0.execute(
            "INSERT INTO project (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// Project title (empty when unset).
    pub fn title(&self) -> Result<String> {
        Ok(self.setting("title")?.unwrap_or_default())
    }

    /// All coders, by name.
    pub fn coders(&self) -> Result<Vec<Coder>> {
        let mut st = self
            .0
            .prepare_cached("SELECT id, guid, name FROM coder ORDER BY name")?;
        let rows = st.query_map([], |r| {
            Ok(Coder {
                id: CoderId(r.get(0)?),
                guid: r.get(1)?,
                name: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The coder named `name`, if any.
    pub fn coder_by_name(&self, name: &str) -> Result<Option<CoderId>> {
        Ok(self
            .0
            .query_row("SELECT id FROM coder WHERE name = ?1", [name.trim()], |r| {
                r.get(0)
            })
            .optional()?
            .map(CoderId))
    }

    /// The coder named `name`, added to the project's coders if new.
    pub fn ensure_coder(&self, name: &str) -> Result<CoderId> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a coder needs a name".into()));
        }
        if let Some(id) = self.coder_by_name(name)? {
            return Ok(id);
        }
        self.0.execute(
            "INSERT INTO coder (guid, name) VALUES (?1, ?2)",
            [&new_guid(), name],
        )?;
        Ok(CoderId(self.0.last_insert_rowid()))
    }

    /// The project's default coder (used when no coder is named).
    pub fn default_coder(&self) -> Result<CoderId> {
        if let Some(id) = self.setting("default_coder")?.and_then(|v| v.parse().ok()) {
            let exists: bool = self.0.query_row(
                "SELECT EXISTS (SELECT 1 FROM coder WHERE id = ?1)",
                [id],
                |r| r.get(0),
            )?;
            if exists {
                return Ok(CoderId(id));
            }
        }
        self.ensure_coder(&default_user_name())
    }

    /// Makes `coder` the default coder.
    pub fn set_default_coder(&self, coder: CoderId) -> Result<()> {
        self.set_setting("default_coder", &coder.0.to_string())
    }
}

#[cfg(test)]
mod tests;
