//! One write, one durable commit (issue 7, item 22, with item 13's guarantees): a command's
//! write leaves the `.weft` alone holding it; a write while another connection holds the log
//! back is kept all the same; a command skips the integrity check only once the project was
//! checked today, so a damaged project is still refused before the day's first edit.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

mod common;

use std::path::{Path, PathBuf};

use common::{fails, ok, s};
use weft::actions::Action;
use weft::session::Session;

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn integrity(path: &Path) -> String {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_command_write_leaves_the_project_file_alone_holding_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    ok(&["demo", s(&project)]);
    for i in 0..3 {
        let start = (10 * i).to_string();
        let end = (10 * i + 5).to_string();
        let out = ok(&[
            "code",
            "apply",
            s(&project),
            "--doc",
            "P01 interview",
            "--code",
            "Role",
            "--start",
            &start,
            "--end",
            &end,
        ]);
        assert!(out.contains("coded"), "{out}");
        assert!(!with_suffix(&project, "-wal").exists());
        assert!(!with_suffix(&project, "-shm").exists());
    }
    // A copy of the file alone holds every coding.
    let copy = dir.path().join("copy.weft");
    std::fs::copy(&project, &copy).unwrap();
    assert_eq!(integrity(&copy), "ok");
    let out = ok(&["coding", "list", s(&copy), "--doc", "P01 interview"]);
    for i in 0..3 {
        let range = format!(" {}..{} ", 10 * i, 10 * i + 5);
        assert!(out.contains(&range), "{range} in {out}");
    }
}

#[test]
fn a_write_while_another_reader_holds_the_log_back_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    drop(weft::demo::create(&project).unwrap());
    let mut writer = Session::open(&project).unwrap();
    writer
        .apply(&Action::AddCase {
            name: "Before the reader".into(),
            doc: None,
        })
        .unwrap();
    // Another program reads an older state and keeps its read open: the checkpoint after
    // the next write cannot copy the log past it.
    let reader = rusqlite::Connection::open(&project).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let n: i64 = reader
        .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))
        .unwrap();
    for name in ["While read 1", "While read 2"] {
        writer
            .apply(&Action::AddCase {
                name: name.into(),
                doc: None,
            })
            .unwrap();
    }
    // The reader still sees its old state; a new reader sees the writes.
    let again: i64 = reader
        .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))
        .unwrap();
    assert_eq!(again, n);
    let other = Session::open_read_only(&project).unwrap();
    assert!(other.read().require_case("While read 2").is_ok());
    drop(other);
    reader.execute_batch("COMMIT").unwrap();
    drop(reader);
    // The next write copies everything into the file; after closing, the file alone holds it.
    writer
        .apply(&Action::AddCase {
            name: "After".into(),
            doc: None,
        })
        .unwrap();
    drop(writer);
    assert!(!with_suffix(&project, "-wal").exists());
    assert_eq!(integrity(&project), "ok");
    let session = Session::open_read_only(&project).unwrap();
    for name in ["Before the reader", "While read 1", "While read 2", "After"] {
        assert!(session.read().require_case(name).is_ok(), "{name}");
    }
}

/// Damages every page after the first two of `path` (the schema still reads).
fn damage(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let page = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    for b in &mut bytes[2 * page..] {
        *b = 0xFF;
    }
    std::fs::write(path, &bytes).unwrap();
}

#[test]
fn the_days_first_edit_of_a_damaged_project_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    ok(&["demo", s(&project)]);
    damage(&project);
    let before = std::fs::read(&project).unwrap();
    let err = fails(&["case", "add", s(&project), "P99"]);
    assert!(err.contains("damaged"), "{err}");
    assert_eq!(std::fs::read(&project).unwrap(), before, "untouched");
    assert!(!with_suffix(&project, "-wal").exists());
}

#[test]
fn a_project_checked_today_is_not_checked_again_by_each_command() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    ok(&["demo", s(&project)]);
    // The day's first edit checks the project and makes today's snapshot.
    ok(&["case", "add", s(&project), "P98"]);
    let backups = dir.path().join("backups");
    assert_eq!(std::fs::read_dir(&backups).unwrap().count(), 1);
    // Later edits open it without the check; they still work and leave no -wal.
    ok(&["case", "add", s(&project), "P99"]);
    assert!(!with_suffix(&project, "-wal").exists());
    assert_eq!(integrity(&project), "ok");
    // A -wal left beside the file (a crash) brings the check back: here it passes.
    {
        let mut s1 = Session::open(&project).unwrap();
        s1.settle_when_idle();
        s1.apply(&Action::AddCase {
            name: "In the log".into(),
            doc: None,
        })
        .unwrap();
        std::mem::forget(s1); // no checkpoint on close: the -wal stays
    }
    assert!(with_suffix(&project, "-wal").exists());
    ok(&["case", "add", s(&project), "P100"]);
    let out = ok(&["case", "list", s(&project)]);
    assert!(out.contains("In the log") && out.contains("P100"), "{out}");
}
