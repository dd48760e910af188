//! The project store: one `.weft` SQLite file per project.
//!
//! [`Store`] opens, creates and migrates the file and runs every user action in one
//! transaction ([`Store::action`]), recording the SQL that undoes it (see [`undo`]). All SQL
//! lives on [`Db`], a borrowed connection: its read methods work anywhere, its write methods are
//! meant to be called inside an action. Nothing here knows about the GUI.

pub mod backup;
mod bundle;
mod cases;
mod codes;
mod codings;
pub mod demo_history;
mod documents;
mod exemplars;
mod memos;
pub mod purge;
mod read;
pub mod schema;
mod search;
pub mod taguette;
mod themes;
pub mod undo;
mod watch;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

pub use bundle::BundleReport;
pub use codes::MergeReport;
pub use purge::{PurgeTarget, Purged};
pub use undo::HistoryStep;
// Pure data types that used to live here; kept reachable by their old paths.
pub use crate::model::{CaseLinks, CodeTree, CodingFilter, CodingSpan, NewDocument, split_path};

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
    /// A project file whose creation never finished (Weft was stopped while making it).
    #[error(
        "this is an unfinished project file: Weft was stopped while creating it, so it holds no \
         work; delete it and create the project again (or open another project): {path}"
    )]
    Unfinished {
        /// The file.
        path: PathBuf,
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
    /// The file failed SQLite's integrity check when opened.
    #[error(
        "the project file is damaged ({detail}) and was left untouched; {}: {path}",
        restore_hint(path, snapshot.as_deref())
    )]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What the integrity check reported.
        detail: String,
        /// The newest snapshot that passes the check, if any.
        snapshot: Option<PathBuf>,
    },
    /// A snapshot could not be made, listed or cleaned.
    #[error(transparent)]
    Backup(#[from] backup::BackupError),
    /// SQLite failed (shown once: the SQLite error is not also given as the source).
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    /// The project file is busy, full, read-only or failing: what happened and what to do.
    #[error("{message}: {}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// One sentence: what happened and what to do.
        message: &'static str,
    },
    /// The project was opened read-only, so an edit was refused (nothing was changed).
    #[error(
        "this project is open read-only (the file or its folder cannot be written), so \
         nothing was changed; copy it somewhere writable to edit it: {}",
        path.display()
    )]
    ReadOnly {
        /// The file.
        path: PathBuf,
    },
    /// Stored JSON could not be read.
    #[error("damaged data in the project: {0}")]
    Json(#[from] serde_json::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sqlite(e)
    }
}

/// What to tell the user about a SQLite error on the project file, when it is one they can
/// act on (another writer, a full disk, a read-only or failing file).
fn advice(e: &rusqlite::Error) -> Option<&'static str> {
    use rusqlite::ErrorCode as C;
    Some(match e.sqlite_error_code()? {
        C::DatabaseBusy | C::DatabaseLocked => {
            "another Weft (or another program) is writing this project; try again when it has \
             finished"
        }
        C::DiskFull => {
            "the disk is full, so the change was not saved (the project is as it was); free \
             some space and try again"
        }
        C::ReadOnly => {
            "the project cannot be written: the file, its folder or the disk is read-only; \
             check the permissions, or copy the project somewhere writable"
        }
        C::SystemIoFailure => {
            "the project file could not be read or written (an input/output error: the disk or \
             network drive may be failing); copy the project and its backups somewhere safe \
             and check the disk"
        }
        C::CannotOpen => {
            "the project file cannot be opened (it or its folder is missing or cannot be \
             written); check the path and the folder's permissions"
        }
        C::PermissionDenied => {
            "there is no permission to read or write the project file; check its permissions"
        }
        _ => return None,
    })
}

/// `e` in words the user can act on, naming `path`, when it is a SQLite error with advice.
fn explain(path: Option<&Path>, e: StoreError) -> StoreError {
    match (e, path) {
        (StoreError::Sqlite(s), Some(path)) => match advice(&s) {
            Some(message) => StoreError::File {
                path: path.to_owned(),
                message,
            },
            None => StoreError::Sqlite(s),
        },
        (e, _) => e,
    }
}

/// The second half of [`StoreError::Damaged`]'s message: what to do about it.
fn restore_hint(path: &Path, snapshot: Option<&Path>) -> String {
    match snapshot {
        Some(snap) => format!(
            "the newest good snapshot is {}, restore it with `weft restore {} {}` (the damaged \
             file is kept beside it)",
            snap.display(),
            path.display(),
            snap.display()
        ),
        None => "no good snapshot was found in its backups folder".to_owned(),
    }
}

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open project.
pub struct Store {
    /// A second connection that holds a read open while [`Store::settle`] syncs the file (see
    /// there). Declared before `conn` so it closes first: the last connection to close
    /// writes the log back and removes the `-wal`/`-shm`, and only `conn` can.
    guard: std::cell::RefCell<Option<Connection>>,
    conn: Connection,
    /// The project file, open for syncing it after a checkpoint (see [`Store::settle_quiet`]).
    /// Kept open until after `conn` closes: closing any descriptor of the file drops every
    /// POSIX lock this process holds on it, SQLite's included.
    file: std::cell::RefCell<Option<std::fs::File>>,
    /// Whether the folder was synced since the write-ahead log was made (once is enough).
    log_named: std::cell::Cell<bool>,
    path: Option<PathBuf>,
    note: Option<String>,
    /// The undo step the latest action, undo or redo wrote (for [`Store::last_changes`]).
    last_step: Option<i64>,
    /// `None`: checkpoint after each change; `Some(pending)`: when the app is idle.
    settle_later: std::cell::Cell<Option<bool>>,
    /// Opened read-only ([`Store::open_read_only`]): every write is refused.
    read_only: bool,
    /// A new project being built aside ([`Store::start_building`]): writes go straight into
    /// the file, unsynced, until [`Store::finish_building`].
    building: bool,
}

/// What an action, undo or redo changed, so the app refreshes only that.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Project settings (title, default coder, ...).
    pub settings: bool,
    /// Coders.
    pub coders: bool,
    /// Documents (added, renamed, deleted, memos, text).
    pub documents: bool,
    /// Cases, their links, speakers and attributes.
    pub cases: bool,
    /// The codebook (codes, not their codings).
    pub codebook: bool,
    /// Codings.
    pub codings: bool,
    /// Memos.
    pub memos: bool,
    /// Themes, their links, review marks, map positions and the audit trail.
    pub themes: bool,
    /// Documents whose rows changed (their codings, text, links).
    pub docs: std::collections::BTreeSet<crate::model::DocId>,
    /// Cases whose rows changed.
    pub cases_touched: std::collections::BTreeSet<crate::model::CaseId>,
}

impl Changes {
    /// Everything, for when the project was replaced or it is unknown what changed.
    pub fn everything() -> Self {
        Self {
            settings: true,
            coders: true,
            documents: true,
            cases: true,
            codebook: true,
            codings: true,
            memos: true,
            themes: true,
            ..Self::default()
        }
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    fn mark_table(&mut self, table: &str) {
        match table {
            "project" => self.settings = true,
            "coder" => self.coders = true,
            "document" | "document_text" | "document_words" => self.documents = true,
            "cases" | "case_document" | "speaker_case" | "attribute" | "case_attr" | "doc_attr" => {
                self.cases = true
            }
            "code" => self.codebook = true,
            "coding" => self.codings = true,
            "memo" => self.memos = true,
            "theme" | "theme_code" | "theme_review" | "map_position" | "analytic_event" => {
                self.themes = true
            }
            _ => *self = Self::everything(),
        }
    }
}

/// The read handle: a borrowed connection with every read of the project. It has no write
/// methods; those live on [`Tx`], which exists only inside a transaction.
#[derive(Clone, Copy)]
pub struct Db<'c>(&'c Connection);

/// The write handle: exists only inside [`Store::action`] (or [`Store::untracked`]), so a
/// write outside a transaction does not compile. It reads like a [`Db`] too.
///
/// ```compile_fail
/// let store = weft::store::Store::in_memory().unwrap();
/// // The read handle has no write methods:
/// store.db().add_case("P01").unwrap();
/// ```
///
/// ```compile_fail
/// let store = weft::store::Store::in_memory().unwrap();
/// // Nor can a write handle be made outside the store:
/// let tx = weft::store::Tx { db: store.db() };
/// ```
pub struct Tx<'c> {
    db: Db<'c>,
}

impl<'c> std::ops::Deref for Tx<'c> {
    type Target = Db<'c>;
    fn deref(&self) -> &Db<'c> {
        &self.db
    }
}

impl Tx<'_> {
    fn conn(&self) -> &Connection {
        self.db.0
    }
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// `path` as SQLite must be given it to take it literally. The bundled SQLite is built with
/// URI filenames on, so a relative name starting with `file:` (`weft new file:x.weft`) would
/// be read as a URI; `./` in front keeps it a plain file name.
pub(crate) fn literal_path(path: &Path) -> PathBuf {
    let starts_uri = path
        .to_str()
        .and_then(|p| p.get(..5))
        .is_some_and(|head| head.eq_ignore_ascii_case("file:"));
    if starts_uri {
        Path::new(".").join(path)
    } else {
        path.to_owned()
    }
}

/// Every connection the store opens to a file goes through here: never as a URI.
pub(crate) fn open_connection(path: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    Connection::open_with_flags(
        literal_path(path),
        flags.difference(OpenFlags::SQLITE_OPEN_URI),
    )
}

impl Store {
    /// Creates a new, empty project at `path`. Refuses to overwrite an existing file.
    ///
    /// The project is built under a temporary name in the same folder and only then given its
    /// name (a hard link, which never replaces a file, or where links are not supported a
    /// check then a rename), so a crash never leaves a half-made project at `path`.
    pub fn create(path: &Path) -> Result<Self> {
        if path.exists() {
            return Err(StoreError::Exists {
                path: path.to_owned(),
            });
        }
        let temp = creating_name(path);
        let made = build_new(&temp).and_then(|()| move_into_place(&temp, path));
        for leftover in [temp.clone(), sidecar(&temp, "-wal"), sidecar(&temp, "-shm")] {
            let _ = std::fs::remove_file(leftover);
        }
        made?;
        let conn = open_connection(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .map_err(|e| open_error(path, &e))?;
        let store = Self {
            guard: std::cell::RefCell::new(None),
            conn,
            file: std::cell::RefCell::new(None),
            log_named: std::cell::Cell::new(false),
            path: Some(path.to_owned()),
            note: None,
            last_step: None,
            settle_later: std::cell::Cell::new(None),
            read_only: false,
            building: false,
        };
        store
            .configure()
            .and_then(|()| undo::install_triggers(&store.conn))
            .map_err(|e| match e {
                StoreError::Sqlite(e) => open_error(path, &e),
                other => other,
            })?;
        Ok(store)
    }

    /// A new project held in memory (tests, benchmarks).
    pub fn in_memory() -> Result<Self> {
        let mut store = Self {
            guard: std::cell::RefCell::new(None),
            conn: Connection::open_in_memory()?,
            file: std::cell::RefCell::new(None),
            log_named: std::cell::Cell::new(false),
            path: None,
            note: None,
            last_step: None,
            settle_later: std::cell::Cell::new(None),
            read_only: false,
            building: false,
        };
        store.init_new()?;
        Ok(store)
    }

    /// Opens an existing project, migrating it if it is older than this build. A file that is
    /// not a Weft project, or is newer, is refused and left untouched.
    ///
    /// A project Weft cannot write (the file, or its folder where the write-ahead log must
    /// go, is read-only) is opened read-only instead: see [`Self::open_read_only`] and
    /// [`Self::is_read_only`].
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_checking(path, Check::Always)
    }

    /// [`Self::open`] for one command of the command line: SQLite's quick integrity check
    /// (about 2 ms per MB of project) runs only when it is worth it: a `-wal` was left beside
    /// the file (Weft was stopped mid-write, or another Weft has it open), or today's
    /// automatic snapshot is not there yet (the first edit of the day; making the snapshot
    /// reads the whole project again). The app checks on every open.
    pub fn open_for_command(path: &Path) -> Result<Self> {
        Self::open_checking(path, Check::WhenWorthIt)
    }

    /// [`Self::open`] for a project this process has just built, written, checkpointed and
    /// closed (an imported project): SQLite's integrity check would only read back what was
    /// written, so it runs only if a `-wal` appeared beside the file meanwhile.
    pub fn open_just_built(path: &Path) -> Result<Self> {
        Self::open_checking(path, Check::Never)
    }

    fn open_checking(path: &Path, when: Check) -> Result<Self> {
        check_header(path)?;
        if !can_write(path) {
            return Self::open_read_only_checking(path, when);
        }
        let check = when == Check::Always || sidecar(path, "-wal").exists();
        // Decide on a read-only connection first: a file refused here is never written (a
        // read-write connection would checkpoint and delete a pending -wal on closing).
        probe(path)?;
        let conn = open_connection(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_error(path, &e))?;
        conn.busy_timeout(busy_timeout())
            .map_err(|e| open_error(path, &e))?;
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            // SQLite could open it for reading only (a read-only file or disk).
            drop(conn);
            return Self::open_read_only_checking(path, when);
        }
        if check || (when == Check::WhenWorthIt && !checked_today(&conn, path)) {
            check_integrity(&conn, path)?;
        }
        let read = |pragma: &str| -> Result<i32> {
            conn.pragma_query_value(None, pragma, |r| r.get(0))
                .map_err(|e| open_error(path, &e))
        };
        let app_id = read("application_id")?;
        let version = read("user_version")?;
        refuse_foreign(path, app_id, version)?;
        let mut store = Self {
            guard: std::cell::RefCell::new(None),
            conn,
            file: std::cell::RefCell::new(None),
            log_named: std::cell::Cell::new(false),
            path: Some(path.to_owned()),
            note: None,
            last_step: None,
            settle_later: std::cell::Cell::new(None),
            read_only: false,
            building: false,
        };
        let prepare = |store: &mut Self| -> Result<()> {
            store.configure()?;
            if version < schema::VERSION {
                let tx = store
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Exclusive)?;
                schema::upgrade_from(&tx, version)?;
                let dropped = schema::drop_stale_history(&tx)?;
                tx.commit()?;
                store.settle();
                if dropped > 0 {
                    store.note = Some(format!(
                        "This project was updated to a newer file format; its {dropped} undo \
                         step{} from before the update could not be kept and were cleared.",
                        if dropped == 1 { "" } else { "s" }
                    ));
                }
            }
            undo::install_triggers(&store.conn)?;
            if store.db().setting(purge::SCRUB_PENDING)?.is_some() {
                // A permanent deletion could not clear the file last time: finish it now.
                if let Err(e) = store.scrub() {
                    store.note = Some(e.to_string());
                }
            }
            Ok(())
        };
        // Damaged, read-only or locked files fail here: say which file.
        prepare(&mut store).map_err(|e| match e {
            StoreError::Sqlite(e) => open_error(path, &e),
            other => other,
        })?;
        Ok(store)
    }

    /// Opens the project read-only: for commands that only read (`weft stats`, `docs`, ...)
    /// and for a project the user cannot write (read-only media or folder). Nothing is
    /// written: no migration, no undo triggers, and no `-wal`/`-shm` files are created when
    /// there were none (the file is then read as SQLite's `immutable`: with no write-ahead
    /// log beside it, the file alone holds the whole project). Every edit is refused with
    /// one sentence ([`Self::is_read_only`]).
    ///
    /// A project in an older file format is refused with advice to open it once with
    /// something that writes (the app, or any editing command), which updates it.
    pub fn open_read_only(path: &Path) -> Result<Self> {
        Self::open_read_only_checking(path, Check::Always)
    }

    /// [`Self::open_read_only`] for one command of the command line: the integrity check
    /// runs only when it is worth it, as for [`Self::open_for_command`].
    pub fn open_read_only_for_command(path: &Path) -> Result<Self> {
        Self::open_read_only_checking(path, Check::WhenWorthIt)
    }

    fn open_read_only_checking(path: &Path, when: Check) -> Result<Self> {
        check_header(path)?;
        let check = when == Check::Always || sidecar(path, "-wal").exists();
        let (conn, note) = read_only_connection(path)?;
        if check || (when == Check::WhenWorthIt && !checked_today(&conn, path)) {
            check_integrity(&conn, path)?;
        }
        let read = || -> rusqlite::Result<(i32, i32, i64)> {
            let app_id = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
            let version = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            let objects = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
            Ok((app_id, version, objects))
        };
        let (app_id, version, objects) = read().map_err(|e| open_error(path, &e))?;
        if app_id == 0 && version == 0 && objects == 0 {
            return Err(StoreError::Unfinished {
                path: path.to_owned(),
            });
        }
        refuse_foreign(path, app_id, version)?;
        if version < schema::VERSION {
            return Err(StoreError::Open {
                path: path.to_owned(),
                reason: format!(
                    "it is in an older file format (version {version}) that this Weft reads \
                     only after updating it; open it once in the Weft app or with a command \
                     that changes it (this needs the file and its folder to be writable)"
                ),
            });
        }
        Ok(Self {
            guard: std::cell::RefCell::new(None),
            conn,
            file: std::cell::RefCell::new(None),
            log_named: std::cell::Cell::new(false),
            path: Some(path.to_owned()),
            note,
            last_step: None,
            settle_later: std::cell::Cell::new(None),
            read_only: true,
            building: false,
        })
    }

    /// A second, read-only connection to a project another connection has opened (and checked
    /// and migrated): for background readers such as exports and the codebook recount. It
    /// never writes, checks nothing beyond the file being a Weft project of this version, and
    /// has no write handle to give (its actions fail).
    pub fn open_reader(path: &Path) -> Result<Self> {
        check_header(path)?;
        let (conn, _) = read_only_connection(path)?;
        let read = |pragma: &str| -> Result<i32> {
            conn.pragma_query_value(None, pragma, |r| r.get(0))
                .map_err(|e| open_error(path, &e))
        };
        if read("application_id")? != schema::APPLICATION_ID {
            return Err(StoreError::NotWeft {
                path: path.to_owned(),
                reason: "a SQLite database of another program".into(),
            });
        }
        let version = read("user_version")?;
        if version != schema::VERSION {
            return Err(StoreError::Open {
                path: path.to_owned(),
                reason: format!(
                    "the project is at file format {version}, not {}; open it in Weft first",
                    schema::VERSION
                ),
            });
        }
        Ok(Self {
            guard: std::cell::RefCell::new(None),
            conn,
            file: std::cell::RefCell::new(None),
            log_named: std::cell::Cell::new(false),
            path: Some(path.to_owned()),
            note: None,
            last_step: None,
            settle_later: std::cell::Cell::new(None),
            read_only: true,
            building: false,
        })
    }

    /// Whether the project was opened read-only ([`Self::open_read_only`]): every edit,
    /// undo and redo is refused with [`StoreError::ReadOnly`].
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// `Ok` when the project may be written, else the refusal ([`StoreError::ReadOnly`]).
    pub fn refuse_if_read_only(&self) -> Result<()> {
        if self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.path.clone().unwrap_or_default(),
            });
        }
        Ok(())
    }

    fn init_new(&mut self) -> Result<()> {
        self.configure()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Exclusive)?;
        tx.pragma_update(None, "application_id", schema::APPLICATION_ID)?;
        schema::upgrade_from(&tx, 0)?;
        let db = Tx { db: Db(&tx) };
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
            // A committed change survives a power cut, not only a crash of Weft: either its
            // commit syncs the log (FULL, when the checkpoint waits for the app to be idle),
            // or the log and then the file are synced right after it (see `write_settled`);
            // NORMAL for everything else (a migration, a permanent deletion, closing): SQLite
            // syncs the log before each checkpoint and the file after it.
            let idle = self.settle_later.get().is_some();
            self.conn
                .pragma_update(None, "synchronous", if idle { "FULL" } else { "NORMAL" })?;
            // Checkpoints come after each write (`write_settled`), never from inside a commit.
            self.conn
                .pragma_update(None, "wal_autocheckpoint", if idle { 1000 } else { 0 })?;
        }
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        // Statement journals in memory. Each write with triggers or foreign keys keeps the
        // pages it changes in a statement journal; SQLite holds one in memory up to 64 KiB,
        // but once a statement spills it (a long transcript's text) it stays a temporary
        // file for the rest of the transaction, and every later statement writes to it:
        // 25 % of importing 200,000 codings went there. (Set before the undo triggers are
        // installed: changing it drops every temporary trigger.)
        self.conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Up to 8 MiB of page cache (allocated only as used). Measured on the bench corpus,
        // 16 MiB was no faster for anything (100,000 codings inserted at random places in
        // GUID indexes, imports, searches, the frequency report) and its last 8 MiB were what
        // took a 1,000-file import past its memory limit (2 × the largest file + 100 MB).
        self.conn.pragma_update(None, "cache_size", -8192)?;
        self.conn.busy_timeout(busy_timeout())?;
        Ok(())
    }

    /// Something the user should be told about opening this project (history cleared by a
    /// format update), once.
    pub fn take_note(&mut self) -> Option<String> {
        self.note.take()
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
    /// "Undo {label}") and attributed to `coder` in the history. If `f` fails nothing is
    /// changed. An action that changes nothing leaves no undo step. A new action forgets what
    /// could be redone, and the history is trimmed to the project's `history_keep` setting.
    pub fn action_by<T>(
        &mut self,
        label: &str,
        coder: &str,
        f: impl FnOnce(&Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        self.refuse_if_read_only()?;
        let out = self.write_settled(|store| store.action_in_tx(label, coder, f));
        out.map_err(|e| explain(self.path(), e))
    }

    fn action_in_tx<T>(
        &mut self,
        label: &str,
        coder: &str,
        f: impl FnOnce(&Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let step = undo::begin_step(&tx, label, coder)?;
        let out = f(&Tx { db: Db(&tx) })?;
        search::sync(&tx)?;
        let recorded = undo::end_step(&tx, step)?;
        if recorded {
            undo::trim_to_setting(&tx)?;
        }
        tx.commit()?;
        self.last_step = recorded.then_some(step);
        Ok(out)
    }

    /// [`Self::action_by`] attributed to the project's default coder.
    pub fn action<T>(&mut self, label: &str, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let coder = match self.db().default_coder()? {
            Some(c) => self.db().coder_name(c)?,
            None => String::new(),
        };
        self.action_by(label, &coder, f)
    }

    /// Runs `f` in one transaction without recording an undo step: for building a project
    /// from scratch (a new project, the demo, benchmarks), never for the user's edits.
    pub fn untracked<T>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        self.refuse_if_read_only()?;
        let run = |store: &mut Self| -> Result<T> {
            let tx = store
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&Tx { db: Db(&tx) })?;
            search::sync(&tx)?;
            tx.commit()?;
            Ok(out)
        };
        self.write_settled(run)
            .map_err(|e| explain(self.path.as_deref(), e))
    }

    /// Undoes the latest action; returns its label, or `None` when there is nothing to undo.
    pub fn undo(&mut self) -> Result<Option<String>> {
        self.replay(undo::undo)
    }

    /// Redoes the latest undone action; returns its label, or `None` when there is nothing.
    pub fn redo(&mut self) -> Result<Option<String>> {
        self.replay(undo::redo)
    }

    /// Undo or redo in one transaction, remembering the step for [`Self::last_changes`].
    fn replay(
        &mut self,
        step: fn(&Connection) -> Result<Option<undo::Replayed>>,
    ) -> Result<Option<String>> {
        self.refuse_if_read_only()?;
        let run = |store: &mut Self| -> Result<_> {
            let tx = store
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let done = step(&tx)?;
            search::sync(&tx)?;
            tx.commit()?;
            Ok(done)
        };
        let done = self
            .write_settled(run)
            .map_err(|e| explain(self.path.as_deref(), e))?;
        self.last_step = done.as_ref().map(|d| d.0);
        Ok(done.map(|d| d.1))
    }

    /// What the latest action, undo or redo changed (nothing when it recorded nothing).
    pub fn last_changes(&self) -> Result<Changes> {
        match self.last_step {
            Some(step) => undo::step_changes(&self.conn, step),
            None => Ok(Changes::default()),
        }
    }

    /// Label of the action [`Self::undo`] would undo.
    pub fn undo_label(&self) -> Result<Option<String>> {
        undo::peek(&self.conn, "done")
    }

    /// Label of the action [`Self::redo`] would redo.
    pub fn redo_label(&self) -> Result<Option<String>> {
        undo::peek(&self.conn, "undone")
    }

    /// The whole history, oldest first: the audit trail of who did what, and when.
    pub fn history(&self) -> Result<Vec<HistoryStep>> {
        undo::steps(&self.conn)
    }

    /// Trims the history to the newest `keep` done steps (and redo steps only while room
    /// remains); returns how many steps were dropped. Cannot be undone.
    pub fn trim_history(&mut self, keep: usize) -> Result<usize> {
        self.refuse_if_read_only()?;
        self.write_settled(|store| {
            let tx = store
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = undo::trim(&tx, keep)?;
            tx.commit()?;
            Ok(n)
        })
    }

    /// Runs `write` (one transaction) and makes what it committed durable and part of the
    /// project file before returning: one sync of the log, one of the file.
    ///
    /// Where the checkpoint runs after each change (the command line, the library), the
    /// commit itself does not sync (`synchronous=OFF` for its length, so SQLite writes the
    /// log without syncing it, twice, first its header and then its frames); then, in order:
    /// the log is synced (now a power cut loses nothing), the log is copied into the file
    /// while a read held open on a second connection stops any other writer from starting
    /// the log again over it, and the file is synced. That is the order SQLite's own
    /// checkpoint keeps (log durable before the file is overwritten, file durable before the
    /// log may go), with two syncs where SQLite's `FULL` commit and checkpoint make four.
    /// When that read cannot be held, SQLite's own checkpoint does it ([`Self::settle`]).
    fn write_settled<T>(&mut self, write: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.building {
            return write(self);
        }
        let quiet = self.path.is_some() && !self.read_only && self.settle_later.get().is_none();
        if !quiet {
            let out = write(self)?;
            self.settle();
            return Ok(out);
        }
        self.conn.pragma_update(None, "synchronous", "OFF")?;
        let out = write(self);
        if out.is_ok() && !self.settle_quiet() {
            // No read could be held: let SQLite's checkpoint sync the log and the file.
            let _ = self.conn.pragma_update(None, "synchronous", "NORMAL");
            self.settle();
        }
        // Everything else (closing, a permanent deletion's checkpoints) syncs as SQLite does.
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        out
    }

    /// The syncs and checkpoint of [`Self::write_settled`] at `synchronous=OFF`; `false`
    /// when the guarding read could not be held (nothing was checkpointed then).
    fn settle_quiet(&self) -> bool {
        let Some(path) = self.path.as_deref() else {
            return true;
        };
        let mut guard = self.guard.borrow_mut();
        if guard.is_none() {
            *guard = open_connection(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .ok();
        }
        let Some(reader) = guard.as_ref() else {
            return false;
        };
        let mut file = self.file.borrow_mut();
        if file.is_none() {
            // Windows flushes only a handle open for writing; this never writes.
            *file = std::fs::OpenOptions::new()
                .write(true)
                .open(literal_path(path))
                .ok();
        }
        let Some(file) = file.as_ref() else {
            return false;
        };
        // 1. The log: the commit is durable from here on. Its name in the folder needs one
        //    sync only: the log stays while this connection is open.
        sync_log(path, !self.log_named.get());
        self.log_named.set(true);
        // 2. A read of the newest state, held until the file is synced: it pins the log's
        //    frames, so no writer (another process) may start the log again over frames whose
        //    copy in the file is not yet durable.
        let held = reader.execute_batch("BEGIN").is_ok()
            && reader
                .query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
                    r.get::<_, i64>(0)
                })
                .is_ok();
        if !held {
            let _ = reader.execute_batch("ROLLBACK");
            return false;
        }
        // 3. Copy the log into the file, and 4. sync the file.
        let copied = self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(2))
            .unwrap_or(0);
        if copied > 0 {
            let _ = file.sync_all();
        }
        let _ = reader.execute_batch("COMMIT");
        true
    }

    /// After a change: makes it durable and copies it into the project file itself, so a copy
    /// of the `.weft` alone, made while Weft runs, holds every change already reported done.
    ///
    /// The commit did not sync (`synchronous=NORMAL`); a `PASSIVE` checkpoint (never waits)
    /// syncs the log, copies it into the file and syncs the file: a power cut now loses
    /// nothing, and the file alone holds the change. When a reader holds part of the log
    /// back (another Weft reading an older state), the checkpoint cannot finish: the log
    /// file is then synced here, so the change is durable all the same (and the file catches
    /// up at the next checkpoint). A failure here is not reported: the change is committed.
    ///
    /// With [`Self::settle_when_idle`] the checkpoint waits for [`Self::settle_pending`]
    /// instead (and each commit syncs the log, `synchronous=FULL`): the app calls it once the
    /// user pauses, so an edit is drawn without waiting for the project file's sync.
    fn settle(&self) {
        let Some(path) = self.path.as_deref() else {
            return;
        };
        if self.read_only {
            return;
        }
        if self.settle_later.get().is_some() {
            self.settle_later.set(Some(true));
            return;
        }
        let done = self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .is_ok_and(|(busy, log, copied)| busy == 0 && log == copied);
        if !done {
            sync_log(path, true);
        }
    }

    /// Makes every committed change durable now (see [`Self::settle`]), whatever mode the
    /// checkpoints are in: for what commits outside an action (a permanent deletion).
    pub(crate) fn settle_now(&self) {
        if let Some(path) = self.path.as_deref()
            && !self.read_only
        {
            sync_log(path, true);
        }
    }

    /// Leaves the checkpoint after each change to [`Self::settle_pending`] (the app, when
    /// idle). Every change is durable in the write-ahead log all the same: each commit syncs
    /// it from now on.
    pub fn settle_when_idle(&mut self) {
        if self.path.is_some() && !self.read_only {
            let _ = self.conn.pragma_update(None, "synchronous", "FULL");
            let _ = self.conn.pragma_update(None, "wal_autocheckpoint", 1000);
        }
        self.settle_later
            .set(Some(self.settle_later.get().unwrap_or(false)));
    }

    /// Whether changes wait for [`Self::settle_pending`].
    pub fn has_unsettled(&self) -> bool {
        self.settle_later.get() == Some(true)
    }

    /// Runs the checkpoint that [`Self::settle_when_idle`] deferred, if any.
    pub fn settle_pending(&self) {
        if self.settle_later.get() == Some(true) && !self.read_only {
            self.settle_later.set(Some(false));
            let _ = self
                .conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        }
    }

    /// Makes the next writes go straight into the file, without the write-ahead log and
    /// without syncing: for a new project built aside under a name nothing else opens, which
    /// is thrown away if anything fails (a crash leaves only that temporary file). Writing a
    /// whole imported project this way saves copying it through the log and back. The
    /// rollback journal is kept in memory, so a failed action still rolls back.
    /// [`Self::finish_building`] makes the file an ordinary, synced project.
    pub fn start_building(&mut self) -> Result<()> {
        if self.path.is_none() || self.read_only {
            return Ok(());
        }
        let mode: String =
            self.conn
                .pragma_update_and_check(None, "journal_mode", "MEMORY", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("memory") {
            return Err(StoreError::Invalid(format!(
                "could not prepare the new project for writing ({mode})"
            )));
        }
        self.conn.pragma_update(None, "synchronous", "OFF")?;
        self.building = true;
        Ok(())
    }

    /// Ends [`Self::start_building`]: the file goes back to the write-ahead log and is synced,
    /// so it is complete and durable on its own.
    pub fn finish_building(&mut self) -> Result<()> {
        if !self.building {
            return self.checkpoint();
        }
        self.building = false;
        self.configure()?;
        if let Some(path) = self.path.as_deref() {
            std::fs::OpenOptions::new()
                .write(true)
                .open(literal_path(path))
                .and_then(|f| f.sync_all())
                .map_err(|e| {
                    StoreError::Invalid(format!(
                        "the new project could not be written to disk ({e}): {}",
                        path.display()
                    ))
                })?;
        }
        Ok(())
    }

    /// Writes the write-ahead log into the main file (e.g. before copying the file).
    pub fn checkpoint(&self) -> Result<()> {
        if self.read_only {
            // Nothing was written through this connection; the file is as it was.
            return Ok(());
        }
        self.conn
            .pragma_update(None, "wal_checkpoint", "TRUNCATE")?;
        Ok(())
    }
}

/// Syncs the write-ahead log beside `path` and the folder holding it (so a power cut keeps
/// the log and its name), for when a checkpoint could not sync it. Errors are ignored: the
/// change is committed and, at worst, made durable by the next checkpoint.
fn sync_log(path: &Path, folder_too: bool) {
    let wal = sidecar(path, "-wal");
    // Windows flushes only a handle open for writing; this never truncates or writes.
    if let Ok(f) = std::fs::OpenOptions::new().write(true).open(&wal) {
        let _ = f.sync_all();
    }
    #[cfg(not(unix))]
    let _ = folder_too; // a folder cannot be synced there
    #[cfg(unix)]
    if folder_too && let Some(dir) = wal.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// `path` with `suffix` added to its file name (`P.weft` -> `P.weft-wal`).
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The temporary name a new project is built under: hidden, in the same folder.
fn creating_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(
        ".{name}.creating-{}-{}",
        std::process::id(),
        &new_guid()[..8]
    ))
}

/// Builds a complete new project at `temp` and closes it (its -wal written back).
fn build_new(temp: &Path) -> Result<()> {
    let conn = open_connection(
        temp,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
    )
    .map_err(|e| open_error(temp, &e))?;
    let mut store = Store {
        guard: std::cell::RefCell::new(None),
        conn,
        file: std::cell::RefCell::new(None),
        log_named: std::cell::Cell::new(false),
        path: Some(temp.to_owned()),
        note: None,
        last_step: None,
        settle_later: std::cell::Cell::new(None),
        read_only: false,
        building: false,
    };
    store.init_new()?;
    store.checkpoint()?;
    store.conn.close().map_err(|(_, e)| open_error(temp, &e))?;
    std::fs::File::open(temp)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::Open {
            path: temp.to_owned(),
            reason: e.to_string(),
        })
}

/// Gives the finished `temp` the name `path`, never replacing a file that appeared there.
fn move_into_place(temp: &Path, path: &Path) -> Result<()> {
    let exists = || StoreError::Exists {
        path: path.to_owned(),
    };
    match std::fs::hard_link(temp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
        // No hard links here (some network or FAT drives): check, then rename.
        Err(_) if path.exists() => Err(exists()),
        Err(_) => std::fs::rename(temp, path).map_err(|e| StoreError::Open {
            path: path.to_owned(),
            reason: e.to_string(),
        }),
    }
}

/// Whether Weft can write the project at `path`: the file opens for writing, and the
/// write-ahead log and its index (`-wal`, `-shm`) can be written, or created in its folder.
/// Tried rather than judged from permission bits, so it also holds for a read-only disk
/// and for an immutable file or folder (where even the superuser cannot write).
fn can_write(path: &Path) -> bool {
    let writable = |p: &Path| std::fs::OpenOptions::new().write(true).open(p).is_ok();
    if !writable(path) {
        return false;
    }
    let (wal, shm) = (sidecar(path, "-wal"), sidecar(path, "-shm"));
    if wal.exists() && shm.exists() {
        return writable(&wal) && writable(&shm);
    }
    // Try to make a file in the folder (and remove it at once).
    let probe = path.with_file_name(format!(
        ".{}.can-write-{}-{}",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id(),
        &new_guid()[..8]
    ));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(_) => false,
    }
}

/// A read-only connection to `path` that writes nothing beside it, and a note for the user
/// when the changes in a write-ahead log left beside it could not be read.
///
/// With a `-wal` beside the file (another Weft has it open, or one was stopped), a normal
/// read-only connection reads the file and the log (SQLite ≥ 3.22 can, as long as the log
/// and its index exist or can be made). Without one, the file alone holds every committed
/// change, and it is opened `immutable` (no log, no index, no locks), which creates no
/// files. Where even the first cannot be done (a log but no index, on a read-only disk),
/// the file is read `immutable` and the note says that recent changes may be missing.
fn read_only_connection(path: &Path) -> Result<(Connection, Option<String>)> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let usable = |conn: &Connection| {
        conn.busy_timeout(busy_timeout())?;
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
            r.get::<_, i64>(0)
        })
    };
    if sidecar(path, "-wal").exists() {
        let tried = open_connection(path, flags).and_then(|c| match usable(&c) {
            // Only a log that cannot be opened is worked around here; anything else (a
            // damaged file) is for the caller's own reads to report.
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
                ) =>
            {
                Err(e)
            }
            _ => Ok(c),
        });
        match tried {
            Ok(conn) => return Ok((conn, None)),
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
                ) =>
            {
                let conn = open_immutable(path).map_err(|e| open_error(path, &e))?;
                let note = "the project's write-ahead log (its -wal file) could not be read \
                            here, so its most recent changes may be missing from what is shown; \
                            open it where it can be written to see them"
                    .to_owned();
                return Ok((conn, Some(note)));
            }
            Err(e) => return Err(open_error(path, &e)),
        }
    }
    let conn = open_immutable(path).map_err(|e| open_error(path, &e))?;
    Ok((conn, None))
}

/// Opens `path` as SQLite's `immutable` read-only database: no write-ahead log, no index
/// file, no locks. Only for a file no Weft is writing (no `-wal` beside it).
fn open_immutable(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        immutable_uri(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(busy_timeout())?;
    Ok(conn)
}

/// The `file:` URI for `path` with `immutable=1`: every byte that could be read as part of
/// the URI syntax (`?`, `#`, `%`, non-ASCII, ...) is percent-encoded, so the path is taken
/// literally.
fn immutable_uri(path: &Path) -> String {
    let full = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let text = full.to_string_lossy().replace('\\', "/");
    let mut uri = String::from("file:");
    if !text.starts_with('/') {
        // A Windows path (`C:/...`) becomes `file:///C:/...`.
        uri.push_str("///");
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~:".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    uri
}

/// Reads what decides whether a file may be opened, on a read-only connection: refuses
/// another program's database, an unfinished project, a newer or impossible version. A file
/// SQLite cannot read is left to the integrity check (which names a snapshot).
fn probe(path: &Path) -> Result<()> {
    let conn = open_connection(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| open_error(path, &e))?;
    conn.busy_timeout(busy_timeout())
        .map_err(|e| open_error(path, &e))?;
    let read = || -> rusqlite::Result<(i32, i32, i64)> {
        let app_id = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        let version = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let objects = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        Ok((app_id, version, objects))
    };
    let (app_id, version, objects) = match read() {
        Ok(v) => v,
        Err(e)
            if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
            ) =>
        {
            return Ok(());
        }
        Err(e) => return Err(open_error(path, &e)),
    };
    if app_id == 0 && version == 0 && objects == 0 {
        return Err(StoreError::Unfinished {
            path: path.to_owned(),
        });
    }
    refuse_foreign(path, app_id, version)
}

/// Refuses another program's database, a project from a newer Weft, and a version Weft never
/// wrote: the checks every way of opening a project shares.
fn refuse_foreign(path: &Path, app_id: i32, version: i32) -> Result<()> {
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
    if version < 0 {
        return Err(StoreError::NotWeft {
            path: path.to_owned(),
            reason: format!(
                "its file format version {version} is not one Weft ever wrote; the file may be \
                 damaged"
            ),
        });
    }
    Ok(())
}

/// How long to wait for another writer: 5 s, or `WEFT_BUSY_TIMEOUT_MS` (for tests).
fn busy_timeout() -> std::time::Duration {
    let ms = std::env::var("WEFT_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(5000);
    std::time::Duration::from_millis(ms)
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
        // What SQLite leaves when creating a database was interrupted.
        return Err(StoreError::Unfinished {
            path: path.to_owned(),
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

/// Runs SQLite's quick integrity check on a freshly opened project, before anything writes to
/// it. A damaged file is refused untouched, naming the newest snapshot that would restore it.
fn check_integrity(conn: &Connection, path: &Path) -> Result<()> {
    // A locked or unreadable file is not a damaged one: tell those apart first.
    if let Err(e) = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    }) && !matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    ) {
        return Err(open_error(path, &e));
    }
    let Err(detail) = backup::quick_check(conn) else {
        return Ok(());
    };
    // The damaged file may still say where its snapshots go; if not, look in the default.
    let configured: Option<PathBuf> = conn
        .query_row(
            "SELECT value FROM project WHERE key = ?1",
            [BACKUP_DIR_SETTING],
            |r| r.get::<_, String>(0),
        )
        .ok()
        .filter(|d| !d.trim().is_empty())
        .map(PathBuf::from);
    let dir = backup::backups_dir(path, configured.as_deref());
    let snapshot = backup::newest_good_snapshot(path, &dir).map(|s| s.path);
    Err(StoreError::Damaged {
        path: path.to_owned(),
        detail,
        snapshot,
    })
}

/// Whether today's automatic snapshot of the project exists (the project was read in full,
/// and checked, today).
/// When opening a project runs SQLite's integrity check (a `-wal` left beside the file is
/// always worth a check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Every time (the app).
    Always,
    /// When today's automatic snapshot is not there yet (a command).
    WhenWorthIt,
    /// Never otherwise (a project just built by this process).
    Never,
}

fn checked_today(conn: &Connection, path: &Path) -> bool {
    let configured: Option<PathBuf> = match conn
        .query_row(
            "SELECT value FROM project WHERE key = ?1",
            [BACKUP_DIR_SETTING],
            |r| r.get::<_, String>(0),
        )
        .optional()
    {
        Ok(v) => v.filter(|d| !d.trim().is_empty()).map(PathBuf::from),
        Err(_) => return false,
    };
    backup::has_daily_snapshot_today(path, &backup::backups_dir(path, configured.as_deref()))
}

/// The project setting naming the snapshot folder (see [`backup::backups_dir`]).
pub const BACKUP_DIR_SETTING: &str = "backup_dir";

fn open_error(path: &Path, e: &rusqlite::Error) -> StoreError {
    if let Some(message) = advice(e) {
        return StoreError::File {
            path: path.to_owned(),
            message,
        };
    }
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

    /// The project's default coder (used when no coder is named), if it exists. A read: it
    /// never adds a coder (see [`Tx::default_coder_or_add`]).
    pub fn default_coder(&self) -> Result<Option<CoderId>> {
        if let Some(id) = self.setting("default_coder")?.and_then(|v| v.parse().ok()) {
            let exists: bool = self.0.query_row(
                "SELECT EXISTS (SELECT 1 FROM coder WHERE id = ?1)",
                [id],
                |r| r.get(0),
            )?;
            if exists {
                return Ok(Some(CoderId(id)));
            }
        }
        self.coder_by_name(&default_user_name())
    }

    /// Name of a coder (empty when unknown).
    pub fn coder_name(&self, id: CoderId) -> Result<String> {
        Ok(self
            .0
            .query_row("SELECT name FROM coder WHERE id = ?1", [id.0], |r| r.get(0))
            .optional()?
            .unwrap_or_default())
    }
}

impl Tx<'_> {
    /// Sets a project setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO project (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// The coder named `name`, added to the project's coders if new.
    pub fn ensure_coder(&self, name: &str) -> Result<CoderId> {
        self.ensure_coder_with_guid(name, None)
    }

    /// [`Self::ensure_coder`] keeping a GUID from elsewhere for a new coder.
    pub fn ensure_coder_with_guid(&self, name: &str, guid: Option<&str>) -> Result<CoderId> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a coder needs a name".into()));
        }
        if let Some(id) = self.coder_by_name(name)? {
            return Ok(id);
        }
        self.conn().execute(
            "INSERT INTO coder (guid, name) VALUES (?1, ?2)",
            [&guid.map_or_else(new_guid, str::to_owned), name],
        )?;
        Ok(CoderId(self.conn().last_insert_rowid()))
    }

    /// The project's default coder, added (named after the user) when the project has none.
    pub fn default_coder_or_add(&self) -> Result<CoderId> {
        match self.default_coder()? {
            Some(c) => Ok(c),
            None => {
                let c = self.ensure_coder(&default_user_name())?;
                self.set_default_coder(c)?;
                Ok(c)
            }
        }
    }

    /// Makes `coder` the default coder.
    pub fn set_default_coder(&self, coder: CoderId) -> Result<()> {
        self.set_setting("default_coder", &coder.0.to_string())
    }
}

#[cfg(test)]
mod tests;
