//! Snapshots, integrity checks and restore for a project file.
//!
//! A snapshot is a compact copy of the project made with SQLite's `VACUUM INTO` through a
//! connection, so it includes everything committed (also what still sits in the `-wal`) and no
//! free pages. It is written under a temporary name in the snapshot folder, checked with
//! `PRAGMA quick_check`, synced, and only then given its final name: a crash never leaves half a
//! snapshot under a real name, and a snapshot never replaces an existing file.
//!
//! Names, in the snapshot folder (by default `backups` beside the project):
//! - `<stem>-YYYY-MM-DD.weft`: the automatic daily snapshot (local date), pruned to the newest
//!   few days by [`daily_snapshot`];
//! - `<stem>-YYYY-MM-DD-HHMMSS.weft` (and `...-HHMMSS-2.weft` within one second): a snapshot
//!   asked for by the user ([`snapshot_now`], `weft backup`), never pruned.
//!
//! Research data is irreplaceable, so nothing here deletes or rewrites a project file: a
//! damaged project is only read, and [`restore`] moves the current file aside before putting
//! the snapshot in its place. The only files ever removed are this module's own temporary files
//! and automatic daily snapshots older than the days kept.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use chrono::{Local, NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OpenFlags};

use super::schema::APPLICATION_ID;

/// The folder name used beside the project when no other folder is configured.
pub const BACKUPS_FOLDER: &str = "backups";

/// How many days of automatic daily snapshots are kept by default.
pub const DEFAULT_KEEP_DAYS: usize = 7;

/// How many problems [`quick_check`] reports at most.
const MAX_PROBLEMS: usize = 5;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
const DATE_FORMAT: &str = "%Y-%m-%d";
const STAMP_FORMAT: &str = "%Y-%m-%d-%H%M%S";

/// Errors of snapshots and restore. Messages are meant for the user; the path comes last.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The snapshot would replace the project itself.
    #[error("a snapshot cannot be written over the project itself; nothing was written: {path}")]
    WouldOverwriteProject {
        /// The project file.
        path: PathBuf,
    },
    /// A file already exists under the snapshot's name.
    #[error("a file with the snapshot's name already exists and was left as it was: {path}")]
    Exists {
        /// The existing file.
        path: PathBuf,
    },
    /// The project could not be opened or read to make a snapshot.
    #[error("cannot read the project to make a snapshot ({reason}): {path}")]
    ReadProject {
        /// The project file.
        path: PathBuf,
        /// The underlying problem.
        reason: String,
    },
    /// The project file is damaged; nothing was written and the file was not touched.
    #[error("the project file is damaged ({reason}); the file was left untouched: {path}")]
    Damaged {
        /// The project file.
        path: PathBuf,
        /// What `PRAGMA quick_check` or SQLite reported.
        reason: String,
    },
    /// The snapshot could not be written.
    #[error("the snapshot could not be written ({reason}); the project was not changed: {path}")]
    Write {
        /// The snapshot that was being written.
        path: PathBuf,
        /// The underlying problem.
        reason: String,
    },
    /// The snapshot folder could not be read while removing old daily snapshots.
    #[error("old daily snapshots could not be removed ({reason}): {path}")]
    Prune {
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying problem.
        reason: String,
    },
    /// The file offered for restore is not a good Weft snapshot.
    #[error("this file cannot be restored ({reason}); the project was left untouched: {path}")]
    BadSnapshot {
        /// The snapshot file.
        path: PathBuf,
        /// Why it was refused.
        reason: String,
    },
    /// The current project could not be moved aside, so nothing was restored.
    #[error(
        "the current project could not be moved aside before restoring ({reason}); nothing was restored: {path}"
    )]
    MoveAside {
        /// The project file.
        path: PathBuf,
        /// The underlying problem.
        reason: String,
    },
    /// The snapshot could not be put in place after the project was moved aside.
    #[error(
        "the snapshot could not be put in place ({reason}); the previous project is kept at {kept}: {path}"
    )]
    PutInPlace {
        /// The project file that should have been written.
        path: PathBuf,
        /// Where the previous project file now is.
        kept: PathBuf,
        /// The underlying problem.
        reason: String,
    },
    /// The background thread for the daily snapshot could not be started.
    #[error("the daily snapshot could not be started ({reason}): {path}")]
    Spawn {
        /// The project file.
        path: PathBuf,
        /// The underlying problem.
        reason: String,
    },
}

/// Result of this module's operations.
pub type Result<T, E = BackupError> = std::result::Result<T, E>;

/// One snapshot file of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The snapshot file.
    pub path: PathBuf,
    /// When it was made, local time from its name: `YYYY-MM-DD` for an automatic daily
    /// snapshot, `YYYY-MM-DDTHH:MM:SS` for one asked for by the user.
    pub created: String,
    /// Whether it is an automatic daily snapshot (pruned) rather than a manual one (kept).
    pub automatic: bool,
    /// Its size in bytes.
    pub bytes: u64,
}

/// The folder for a project's snapshots: `configured` if given, else `backups` beside it.
pub fn backups_dir(project: &Path, configured: Option<&Path>) -> PathBuf {
    match configured {
        Some(dir) => dir.to_owned(),
        None => project
            .parent()
            .unwrap_or_else(|| Path::new(""))
            .join(BACKUPS_FOLDER),
    }
}

/// Writes a snapshot of the database behind `conn` to `dest` with `VACUUM INTO`.
///
/// The copy is made under a temporary name in `dest`'s folder (created if needed), switched
/// to a rollback journal so it is one self-contained file, quick-checked, synced, then given
/// its name. Refuses to write over the live project or any existing file; on failure nothing
/// is left behind.
pub fn snapshot_to(conn: &Connection, dest: &Path) -> Result<()> {
    let write_err = |reason: String| BackupError::Write {
        path: dest.to_owned(),
        reason,
    };
    if let Some(live) = conn.path().filter(|p| !p.is_empty())
        && same_file(Path::new(live), dest)
    {
        return Err(BackupError::WouldOverwriteProject {
            path: PathBuf::from(live),
        });
    }
    if dest.exists() {
        return Err(BackupError::Exists {
            path: dest.to_owned(),
        });
    }
    let dir = dest
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| write_err(format!("cannot create the folder: {e}")))?;
    let name = dest
        .file_name()
        .ok_or_else(|| write_err("the destination has no file name".into()))?;
    let temp = dir.join(format!(
        ".{}.partial-{}",
        name.to_string_lossy(),
        unique_suffix()
    ));
    let result = write_checked_copy(conn, &temp).and_then(|()| {
        move_into_place(&temp, dest).map_err(|e| match e {
            MoveError::Exists => BackupError::Exists {
                path: dest.to_owned(),
            },
            MoveError::Io(e) => write_err(e.to_string()),
        })
    });
    if result.is_err() {
        remove_temp(&temp);
    }
    match result {
        Err(BackupError::Damaged { reason, .. }) => Err(BackupError::Damaged {
            path: conn.path().map(PathBuf::from).unwrap_or_default(),
            reason,
        }),
        Err(BackupError::Write { reason, .. }) => Err(write_err(reason)),
        other => other,
    }
}

/// Makes a snapshot of `project` now, as the user asked (`weft backup`), named
/// `<stem>-YYYY-MM-DD-HHMMSS.weft` in `dir`. Uses its own read-only connection, so it can run
/// beside an open project. Manual snapshots are never pruned.
pub fn snapshot_now(project: &Path, dir: &Path) -> Result<Snapshot> {
    let stem = project_stem(project)?;
    let conn = open_project_read_only(project)?;
    let stamp = Local::now().naive_local().format(STAMP_FORMAT).to_string();
    let mut dest = dir.join(format!("{stem}-{stamp}.weft"));
    let mut n = 2;
    while dest.exists() {
        dest = dir.join(format!("{stem}-{stamp}-{n}.weft"));
        n += 1;
    }
    snapshot_to(&conn, &dest).map_err(|e| with_project(e, project))?;
    snapshot_info(&stem, &dest).ok_or_else(|| BackupError::Write {
        path: dest.clone(),
        reason: "the new snapshot cannot be read back".into(),
    })
}

/// Makes today's automatic snapshot `<stem>-YYYY-MM-DD.weft` (local date) in `dir` unless it
/// exists, then removes automatic daily snapshots beyond the newest `keep_days` days (at least
/// one, today's, is kept; manual snapshots are never removed). Returns `None` when today's
/// snapshot already existed. Uses its own read-only connection: run it on a thread, see
/// [`spawn_daily_snapshot`].
pub fn daily_snapshot(project: &Path, dir: &Path, keep_days: usize) -> Result<Option<Snapshot>> {
    let stem = project_stem(project)?;
    let today = Local::now().date_naive().format(DATE_FORMAT).to_string();
    let dest = dir.join(format!("{stem}-{today}.weft"));
    if dest.exists() {
        return Ok(None);
    }
    let conn = open_project_read_only(project)?;
    snapshot_to(&conn, &dest).map_err(|e| with_project(e, project))?;
    drop(conn);
    // Prune only once a fresh, checked snapshot exists.
    prune_daily(&stem, dir, keep_days.max(1))?;
    let snapshot = snapshot_info(&stem, &dest).ok_or_else(|| BackupError::Write {
        path: dest.clone(),
        reason: "the new snapshot cannot be read back".into(),
    })?;
    Ok(Some(snapshot))
}

/// Whether today's automatic snapshot of `project` is already in `dir` (so the project was
/// read in full, and checked, today).
pub(crate) fn has_daily_snapshot_today(project: &Path, dir: &Path) -> bool {
    let Ok(stem) = project_stem(project) else {
        return false;
    };
    let today = Local::now().date_naive().format(DATE_FORMAT).to_string();
    dir.join(format!("{stem}-{today}.weft")).is_file()
}

/// Runs [`daily_snapshot`] on a named background thread so opening a project never waits for
/// it. Join the handle (or poll `is_finished`) to show its outcome.
pub fn spawn_daily_snapshot(
    project: PathBuf,
    dir: PathBuf,
    keep_days: usize,
) -> Result<JoinHandle<Result<Option<Snapshot>>>> {
    let for_error = project.clone();
    std::thread::Builder::new()
        .name("weft-daily-snapshot".into())
        .spawn(move || daily_snapshot(&project, &dir, keep_days))
        .map_err(|e| BackupError::Spawn {
            path: for_error,
            reason: e.to_string(),
        })
}

/// The snapshots of `project` found in `dir`, newest first. Only files named like this
/// project's snapshots count; a missing or unreadable folder gives an empty list.
pub fn list_snapshots(project: &Path, dir: &Path) -> Vec<Snapshot> {
    let Ok(stem) = project_stem(project) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(NaiveDateTime, std::time::SystemTime, Snapshot)> = entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let name = entry.file_name();
            let parsed = parse_name(&stem, name.to_str()?)?;
            let meta = entry.metadata().ok().filter(|m| m.is_file())?;
            let modified = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
            Some((
                parsed.when,
                modified,
                Snapshot {
                    path: entry.path(),
                    created: parsed.created,
                    automatic: parsed.automatic,
                    bytes: meta.len(),
                },
            ))
        })
        .collect();
    found.sort_by(|a, b| (b.0, b.1, &b.2.path).cmp(&(a.0, a.1, &a.2.path)));
    found.into_iter().map(|(_, _, s)| s).collect()
}

/// Runs `PRAGMA quick_check` on `conn`: `Ok` when SQLite answers `ok`, otherwise the first few
/// problems (or SQLite's error) joined into one line.
pub fn quick_check(conn: &Connection) -> Result<(), String> {
    let run = || -> rusqlite::Result<Vec<String>> {
        let mut st = conn.prepare(&format!("PRAGMA quick_check({MAX_PROBLEMS})"))?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect()
    };
    match run() {
        Ok(rows) if rows.len() == 1 && rows[0] == "ok" => Ok(()),
        Ok(rows) if rows.is_empty() => Err("the integrity check gave no answer".into()),
        Ok(rows) => Err(rows.join("; ")),
        Err(e) => Err(e.to_string()),
    }
}

/// Opens `path` read-only and quick-checks it (a snapshot or any `.weft`). Never writes to it.
pub fn check_file(path: &Path) -> Result<(), String> {
    let conn = open_checked_read_only(path)?;
    quick_check(&conn)
}

/// The newest snapshot of `project` in `dir` that passes [`check_file`].
pub fn newest_good_snapshot(project: &Path, dir: &Path) -> Option<Snapshot> {
    list_snapshots(project, dir)
        .into_iter()
        .find(|s| check_file(&s.path).is_ok())
}

/// Puts `snapshot` in place of `project`. Close the project first.
///
/// The snapshot must be a Weft project passing `quick_check`, else nothing happens. It is
/// copied (with `VACUUM INTO`) next to the project under a temporary name and checked; then the
/// current project file and its `-wal`/`-shm` are moved aside to
/// `<stem>.before-restore-YYYY-MM-DD-HHMMSS.weft` in the same folder, and the copy takes the
/// project's name. Returns where the previous file was kept, or `None` when there was no
/// project file (it was missing; a stale `-wal`/`-shm` left beside it is still moved aside so
/// it cannot be applied to the restored file). Works on a damaged project: it is only moved,
/// never read.
pub fn restore(project: &Path, snapshot: &Path) -> Result<Option<PathBuf>> {
    let bad = |reason: String| BackupError::BadSnapshot {
        path: snapshot.to_owned(),
        reason,
    };
    if same_file(project, snapshot) {
        return Err(bad("it is the project itself".into()));
    }
    let stem = project_stem(project)?;
    let conn = open_checked_read_only(snapshot).map_err(&bad)?;
    quick_check(&conn).map_err(|e| bad(format!("it is damaged: {e}")))?;
    let app_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| bad(e.to_string()))?;
    if app_id != APPLICATION_ID {
        return Err(bad(
            "it is a database of another program, not a Weft project".into(),
        ));
    }
    let folder = project
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let temp = folder.join(format!(".{stem}.restoring-{}", unique_suffix()));
    if let Err(e) = write_checked_copy(&conn, &temp) {
        remove_temp(&temp);
        return Err(match e {
            BackupError::Damaged { reason, .. } => bad(format!("it is damaged: {reason}")),
            BackupError::Write { reason, .. } => BackupError::Write {
                path: project.to_owned(),
                reason: format!("the copy beside the project failed: {reason}"),
            },
            other => other,
        });
    }
    drop(conn);

    let kept = match move_aside(project, &stem, folder) {
        Ok(kept) => kept,
        Err(e) => {
            remove_temp(&temp);
            return Err(e);
        }
    };
    match move_into_place(&temp, project) {
        Ok(()) => Ok(kept),
        Err(e) => {
            let reason = match e {
                MoveError::Exists => "a file appeared under the project's name".to_owned(),
                MoveError::Io(e) => e.to_string(),
            };
            remove_temp(&temp);
            match kept {
                Some(kept) => Err(BackupError::PutInPlace {
                    path: project.to_owned(),
                    kept,
                    reason,
                }),
                None => Err(BackupError::Write {
                    path: project.to_owned(),
                    reason,
                }),
            }
        }
    }
}

/// Moves `project` and its `-wal`/`-shm` aside; `None` when there is no project file.
fn move_aside(project: &Path, stem: &str, folder: &Path) -> Result<Option<PathBuf>> {
    let aside_err = |reason: String| BackupError::MoveAside {
        path: project.to_owned(),
        reason,
    };
    let companions = |main: &Path| -> [PathBuf; 2] {
        ["-wal", "-shm"].map(|suffix| {
            let mut name = main.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        })
    };
    let exists = project
        .symlink_metadata()
        .map(|m| m.is_file() || m.file_type().is_symlink())
        .unwrap_or(false);
    if !exists {
        if project.exists() {
            return Err(aside_err("it is not a file".into()));
        }
        // A stale -wal must not be applied to the restored file: keep it aside too.
        if companions(project).iter().all(|p| !p.exists()) {
            return Ok(None);
        }
    }
    let stamp = Local::now().naive_local().format(STAMP_FORMAT).to_string();
    // Without a project file only a stale -wal/-shm is moved: there is no project to return.
    let kept = |aside: PathBuf| exists.then_some(aside);
    let mut aside = folder.join(format!("{stem}.before-restore-{stamp}.weft"));
    let mut n = 2;
    while aside.exists() || companions(&aside).iter().any(|p| p.exists()) {
        aside = folder.join(format!("{stem}.before-restore-{stamp}-{n}.weft"));
        n += 1;
    }
    let pairs: Vec<(PathBuf, PathBuf)> = std::iter::once((project.to_owned(), aside.clone()))
        .chain(companions(project).into_iter().zip(companions(&aside)))
        .filter(|(from, _)| from.symlink_metadata().is_ok())
        .collect();
    let mut moved: Vec<&(PathBuf, PathBuf)> = Vec::new();
    for pair in &pairs {
        if let Err(e) = std::fs::rename(&pair.0, &pair.1) {
            // Put back what was already moved so the project stays as it was.
            for (from, to) in moved.iter().rev() {
                let _ = std::fs::rename(to, from);
            }
            return Err(aside_err(format!("{}: {e}", pair.0.display())));
        }
        moved.push(pair);
    }
    Ok(kept(aside))
}

/// `VACUUM INTO temp`, then a rollback journal, quick_check and fsync on the copy.
fn write_checked_copy(conn: &Connection, temp: &Path) -> Result<()> {
    let write_err = |reason: String| BackupError::Write {
        path: temp.to_owned(),
        reason,
    };
    let literal = super::literal_path(temp);
    let target = literal.to_str().ok_or_else(|| {
        write_err("SQLite cannot use a folder name that is not valid text".into())
    })?;
    if let Err(e) = conn.execute("VACUUM INTO ?1", [target]) {
        return Err(if is_corruption(&e) {
            BackupError::Damaged {
                path: temp.to_owned(),
                reason: e.to_string(),
            }
        } else {
            write_err(e.to_string())
        });
    }
    {
        let copy = super::open_connection(temp, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .map_err(|e| write_err(e.to_string()))?;
        // A snapshot is one self-contained file: no -wal or -shm beside it when read.
        let _mode: String = copy
            .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))
            .map_err(|e| write_err(e.to_string()))?;
        quick_check(&copy).map_err(|reason| BackupError::Damaged {
            path: temp.to_owned(),
            reason,
        })?;
    }
    File::open(temp)
        .and_then(|f| f.sync_all())
        .map_err(|e| write_err(e.to_string()))?;
    Ok(())
}

enum MoveError {
    Exists,
    Io(std::io::Error),
}

/// Gives `temp` the name `dest` without ever replacing an existing `dest`.
fn move_into_place(temp: &Path, dest: &Path) -> Result<(), MoveError> {
    match std::fs::hard_link(temp, dest) {
        Ok(()) => {
            let _ = std::fs::remove_file(temp);
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(MoveError::Exists),
        // Some file systems (FAT on USB sticks) have no hard links: check, then rename.
        Err(_) => {
            if dest.symlink_metadata().is_ok() {
                return Err(MoveError::Exists);
            }
            std::fs::rename(temp, dest).map_err(MoveError::Io)?;
        }
    }
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Make the new name durable; not possible on every platform, so best effort.
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

/// Removes one of this module's own temporary files (and a journal SQLite may have left).
fn remove_temp(temp: &Path) {
    let _ = std::fs::remove_file(temp);
    for suffix in ["-journal", "-wal", "-shm"] {
        let mut name = temp.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

fn prune_daily(stem: &str, dir: &Path, keep_days: usize) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| BackupError::Prune {
        path: dir.to_owned(),
        reason: e.to_string(),
    })?;
    let mut daily: Vec<(NaiveDateTime, PathBuf)> = entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let name = entry.file_name();
            let parsed = parse_name(stem, name.to_str()?)?;
            let is_file = entry.file_type().ok()?.is_file();
            (parsed.automatic && is_file).then(|| (parsed.when, entry.path()))
        })
        .collect();
    daily.sort_by(|a, b| b.cmp(a));
    for (_, path) in daily.into_iter().skip(keep_days) {
        std::fs::remove_file(&path).map_err(|e| BackupError::Prune {
            reason: e.to_string(),
            path,
        })?;
    }
    Ok(())
}

struct ParsedName {
    when: NaiveDateTime,
    created: String,
    automatic: bool,
}

/// Reads a snapshot name of project `stem`; `None` for any other file.
fn parse_name(stem: &str, name: &str) -> Option<ParsedName> {
    let rest = name.strip_prefix(stem)?.strip_prefix('-')?;
    let rest = rest.strip_suffix(".weft")?;
    let digits_and_dashes = |s: &str, pattern: &str| {
        s.len() == pattern.len()
            && s.bytes().zip(pattern.bytes()).all(|(c, p)| match p {
                b'9' => c.is_ascii_digit(),
                other => c == other,
            })
    };
    if digits_and_dashes(rest, "9999-99-99") {
        let date = NaiveDate::parse_from_str(rest, DATE_FORMAT).ok()?;
        return Some(ParsedName {
            when: date.and_hms_opt(0, 0, 0)?,
            created: rest.to_owned(),
            automatic: true,
        });
    }
    let (stamp, counter) = match rest.get(17..) {
        Some("") => (rest, None),
        Some(tail) => (rest.get(..17)?, Some(tail.strip_prefix('-')?)),
        None => return None,
    };
    if let Some(counter) = counter
        && (counter.is_empty() || !counter.bytes().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    if !digits_and_dashes(stamp, "9999-99-99-999999") {
        return None;
    }
    let when = NaiveDateTime::parse_from_str(stamp, STAMP_FORMAT).ok()?;
    Some(ParsedName {
        when,
        created: when.format("%Y-%m-%dT%H:%M:%S").to_string(),
        automatic: false,
    })
}

fn snapshot_info(stem: &str, path: &Path) -> Option<Snapshot> {
    let parsed = parse_name(stem, path.file_name()?.to_str()?)?;
    let bytes = std::fs::metadata(path).ok()?.len();
    Some(Snapshot {
        path: path.to_owned(),
        created: parsed.created,
        automatic: parsed.automatic,
        bytes,
    })
}

fn project_stem(project: &Path) -> Result<String> {
    project
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| BackupError::ReadProject {
            path: project.to_owned(),
            reason: "it has no file name".into(),
        })
}

fn open_project_read_only(project: &Path) -> Result<Connection> {
    let read_err = |reason: String| BackupError::ReadProject {
        path: project.to_owned(),
        reason,
    };
    if !project.is_file() {
        return Err(read_err("there is no such file".into()));
    }
    // Writes nothing beside the project either (no -wal/-shm where there were none).
    let (conn, _) = super::read_only_connection(project).map_err(|e| read_err(e.to_string()))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(|e| read_err(e.to_string()))?;
    Ok(conn)
}

/// Opens any file read-only after checking it starts like a SQLite database.
fn open_checked_read_only(path: &Path) -> Result<Connection, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("it is not a file".into());
    }
    let mut head = [0u8; 16];
    let mut file = File::open(path).map_err(|e| e.to_string())?;
    let n = file.read(&mut head).map_err(|e| e.to_string())?;
    if n < head.len() || &head != SQLITE_MAGIC {
        return Err("not a SQLite database".into());
    }
    let conn = super::open_connection(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(|e| e.to_string())?;
    Ok(conn)
}

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// Puts the project's path into errors about the database being read.
fn with_project(e: BackupError, project: &Path) -> BackupError {
    match e {
        BackupError::Damaged { reason, .. } => BackupError::Damaged {
            path: project.to_owned(),
            reason,
        },
        other => other,
    }
}

/// Whether `a` and `b` name the same file (also when `b` does not exist yet).
fn same_file(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| -> Option<PathBuf> {
        if let Ok(full) = p.canonicalize() {
            return Some(full);
        }
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
        let parent = parent
            .unwrap_or_else(|| Path::new("."))
            .canonicalize()
            .ok()?;
        Some(parent.join(p.file_name()?))
    };
    match (resolve(a), resolve(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}

fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}-{nanos}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_dir_defaults_beside_the_project() {
        let p = Path::new("/data/study/p.weft");
        assert_eq!(backups_dir(p, None), Path::new("/data/study/backups"));
        assert_eq!(
            backups_dir(p, Some(Path::new("/elsewhere"))),
            Path::new("/elsewhere")
        );
        assert_eq!(backups_dir(Path::new("p.weft"), None), Path::new("backups"));
    }

    #[test]
    fn names_are_parsed_strictly() {
        let daily = parse_name("p", "p-2024-03-05.weft").unwrap();
        assert!(daily.automatic);
        assert_eq!(daily.created, "2024-03-05");
        let manual = parse_name("p", "p-2024-03-05-140102.weft").unwrap();
        assert!(!manual.automatic);
        assert_eq!(manual.created, "2024-03-05T14:01:02");
        let again = parse_name("p", "p-2024-03-05-140102-2.weft").unwrap();
        assert_eq!(again.when, manual.when);
        for other in [
            "p-2024-03-05.weft-wal",
            "p-2024-13-05.weft",
            "p-2024-03-05-14010.weft",
            "p-2024-03-05-140102-.weft",
            "p-2024-03-05-140102-x.weft",
            "p2024-03-05.weft",
            "q-2024-03-05.weft",
            "p.before-restore-2024-03-05-140102.weft",
            "p-x-2024-03-05.weft",
            ".p-2024-03-05.weft.partial-1-2",
        ] {
            assert!(parse_name("p", other).is_none(), "{other}");
        }
        // Another project whose name starts like this one is not mixed up with it.
        assert!(parse_name("p", "p-2024-2024-03-05.weft").is_none());
        assert!(parse_name("p-2024", "p-2024-2024-03-05.weft").is_some());
    }

    #[test]
    fn quick_check_accepts_a_sound_database() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        assert_eq!(quick_check(&conn), Ok(()));
    }

    #[test]
    fn check_file_refuses_what_is_not_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.weft");
        std::fs::write(&junk, b"hello, this is not a database at all").unwrap();
        assert!(check_file(&junk).unwrap_err().contains("not a SQLite"));
        assert!(check_file(&dir.path().join("missing.weft")).is_err());
        assert!(check_file(dir.path()).is_err());
    }

    #[test]
    fn snapshot_to_refuses_the_live_file_and_existing_files() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("p.weft");
        let conn = Connection::open(&live).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let before = std::fs::read(&live).unwrap();
        assert!(matches!(
            snapshot_to(&conn, &live),
            Err(BackupError::WouldOverwriteProject { .. })
        ));
        // The same file spelled differently is still the project.
        let odd = dir.path().join(".").join("p.weft");
        assert!(matches!(
            snapshot_to(&conn, &odd),
            Err(BackupError::WouldOverwriteProject { .. })
        ));
        assert_eq!(std::fs::read(&live).unwrap(), before);

        let taken = dir.path().join("taken.weft");
        std::fs::write(&taken, b"keep me").unwrap();
        assert!(matches!(
            snapshot_to(&conn, &taken),
            Err(BackupError::Exists { .. })
        ));
        assert_eq!(std::fs::read(&taken).unwrap(), b"keep me");

        let fresh = dir.path().join("sub").join("copy.weft");
        snapshot_to(&conn, &fresh).unwrap();
        assert_eq!(check_file(&fresh), Ok(()));
        // Only the snapshot and its folder: no temporary file, journal or -wal left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("copy.weft")]);
    }

    #[test]
    fn error_messages_end_with_the_path() {
        let e = BackupError::Damaged {
            path: PathBuf::from("/x/p.weft"),
            reason: "database disk image is malformed".into(),
        };
        assert_eq!(
            e.to_string(),
            "the project file is damaged (database disk image is malformed); the file was left untouched: /x/p.weft"
        );
    }
}
