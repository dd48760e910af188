// Snapshots, daily rotation, damage detection and restore on real project files.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};
use weft::store::Store;
use weft::store::backup::{
    self, BackupError, backups_dir, check_file, daily_snapshot, list_snapshots,
    newest_good_snapshot, restore, snapshot_now, spawn_daily_snapshot,
};

/// A demo project (documents, codes, codings) with `title` set, closed so it is all in the
/// main file.
fn demo_project(dir: &Path, name: &str, title: &str) -> PathBuf {
    let path = dir.join(name);
    let mut store = weft::demo::create(&path).unwrap();
    set_title(&mut store, title);
    drop(store);
    path
}

fn set_title(store: &mut Store, title: &str) {
    store
        .untracked(|db| db.set_setting("title", title))
        .unwrap();
}

/// What a project holds, to compare two files.
fn contents(path: &Path) -> (String, Vec<String>, usize) {
    let store = Store::open(path).unwrap();
    let db = store.db();
    let docs: Vec<String> = db
        .documents()
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    let mut chars = 0;
    for doc in db.documents().unwrap() {
        chars += db.document_text(doc.id).unwrap().chars().count();
    }
    (db.title().unwrap(), docs, chars)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Damages a closed project for certain: every page from the third on is overwritten with
/// 0xFF, so no b-tree page there has a valid page type. Page 1 (header and schema) stays
/// intact, so SQLite opens the file and only the integrity check finds the damage.
fn damage(path: &Path) {
    // A read-only connection (a snapshot) may leave an empty -wal behind; that is harmless.
    let wal_len = std::fs::metadata(with_suffix(path, "-wal")).map_or(0, |m| m.len());
    assert!(
        wal_len == 0,
        "close the project before damaging it, or the -wal still holds good pages"
    );
    let mut bytes = std::fs::read(path).unwrap();
    let size = u16::from_be_bytes([bytes[16], bytes[17]]);
    let page = if size == 1 { 65536 } else { usize::from(size) };
    assert!(bytes.len() > 3 * page, "the project is too small to damage");
    for b in &mut bytes[2 * page..] {
        *b = 0xFF;
    }
    std::fs::write(path, &bytes).unwrap();
}

#[test]
fn snapshot_then_restore_brings_the_data_back_and_keeps_the_current_file_aside() {
    let tmp = tempfile::tempdir().unwrap();
    let project = demo_project(tmp.path(), "study.weft", "before");
    let dir = backups_dir(&project, None);
    assert_eq!(dir, tmp.path().join("backups"));
    let original = contents(&project);

    // Snapshot while the project is open and has uncommitted-to-the-main-file WAL content.
    let mut store = Store::open(&project).unwrap();
    set_title(&mut store, "in the wal");
    let snap = snapshot_now(&project, &dir).unwrap();
    assert!(!snap.automatic);
    assert!(snap.bytes > 0);
    assert_eq!(snap.path.parent(), Some(dir.as_path()));
    let name = snap.path.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(
        name.starts_with("study-") && name.ends_with(".weft"),
        "{name}"
    );
    assert_eq!(check_file(&snap.path), Ok(()));
    // A snapshot is one file: nothing else appears beside it, even after reading it.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);

    // The project changes after the snapshot.
    set_title(&mut store, "after");
    store
        .untracked(|db| {
            let id = db.documents()?[0].id;
            db.delete_document(id)
        })
        .unwrap();
    drop(store);
    assert_ne!(contents(&project).1, original.1);
    let changed = std::fs::read(&project).unwrap();

    let kept = restore(&project, &snap.path).unwrap().unwrap();
    assert_eq!(kept.parent(), Some(tmp.path()));
    let kept_name = kept.file_name().unwrap().to_str().unwrap();
    assert!(
        kept_name.starts_with("study.before-restore-"),
        "{kept_name}"
    );
    assert_eq!(std::fs::read(&kept).unwrap(), changed);
    assert!(!with_suffix(&project, "-wal").exists());

    let restored = contents(&project);
    assert_eq!(restored.0, "in the wal");
    assert_eq!(restored.1, original.1);
    assert_eq!(restored.2, original.2);
    assert_eq!(check_file(&project), Ok(()));
    // The snapshot itself is untouched and still listed.
    assert_eq!(list_snapshots(&project, &dir), vec![snap]);
}

#[test]
fn restore_moves_a_live_wal_aside_with_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let project = demo_project(tmp.path(), "p.weft", "one");
    let dir = tmp.path().join("elsewhere");
    let snap = snapshot_now(&project, &dir).unwrap();
    // Leave a -wal beside the project, as a crash would.
    let mut store = Store::open(&project).unwrap();
    set_title(&mut store, "two");
    let wal = with_suffix(&project, "-wal");
    assert!(wal.exists());
    let wal_bytes = std::fs::read(&wal).unwrap();
    std::mem::forget(store); // no checkpoint on close: the -wal stays
    let kept = restore(&project, &snap.path).unwrap().unwrap();
    assert_eq!(
        std::fs::read(with_suffix(&kept, "-wal")).unwrap(),
        wal_bytes
    );
    assert!(!wal.exists());
    assert_eq!(contents(&project).0, "one");
    // The file kept aside, with its -wal, still opens with the later change.
    assert_eq!(contents(&kept).0, "two");
}

#[test]
fn daily_snapshot_is_made_once_a_day_and_keeps_seven_days() {
    let tmp = tempfile::tempdir().unwrap();
    let project = demo_project(tmp.path(), "p.weft", "daily");
    let dir = backups_dir(&project, None);
    std::fs::create_dir_all(&dir).unwrap();

    let today = chrono::Local::now().date_naive();
    // Ten older automatic snapshots (by name), one manual one, and files that are not ours.
    for days in 1..=10 {
        let date = today - Duration::days(days);
        std::fs::write(dir.join(format!("p-{date}.weft")), b"old").unwrap();
    }
    let manual = dir.join("p-2001-02-03-040506.weft");
    let other_project = dir.join("q-2001-02-03.weft");
    let unrelated = dir.join("notes.txt");
    for f in [&manual, &other_project, &unrelated] {
        std::fs::write(f, b"keep").unwrap();
    }

    let made = daily_snapshot(&project, &dir, backup::DEFAULT_KEEP_DAYS)
        .unwrap()
        .expect("a snapshot for today");
    assert!(made.automatic);
    let date = NaiveDate::parse_from_str(&made.created, "%Y-%m-%d").unwrap();
    assert!(date == today || date == today + Duration::days(1)); // midnight
    assert_eq!(check_file(&made.path), Ok(()));

    // Once a day: a second call (also from the thread) makes nothing.
    assert_eq!(
        daily_snapshot(&project, &dir, backup::DEFAULT_KEEP_DAYS).unwrap(),
        None
    );
    let handle = spawn_daily_snapshot(project.clone(), dir.clone(), 7).unwrap();
    assert_eq!(handle.thread().name(), Some("weft-daily-snapshot"));
    assert_eq!(handle.join().unwrap().unwrap(), None);

    let all = list_snapshots(&project, &dir);
    let daily: Vec<_> = all.iter().filter(|s| s.automatic).collect();
    assert_eq!(daily.len(), 7);
    assert_eq!(daily[0], &made);
    let newest_days: Vec<String> = (0..7)
        .map(|d| (date - Duration::days(d)).to_string())
        .collect();
    let kept_days: Vec<String> = daily.iter().map(|s| s.created.clone()).collect();
    assert_eq!(kept_days, newest_days);
    // Manual snapshots and other files survive; the manual one is listed, last (oldest).
    assert!(manual.exists() && other_project.exists() && unrelated.exists());
    assert_eq!(all.len(), 8);
    assert_eq!(all[7].path, manual);
    assert_eq!(all[7].created, "2001-02-03T04:05:06");
    assert!(!all[7].automatic);
}

#[test]
fn daily_snapshot_on_a_thread_does_not_block_the_open_project() {
    let tmp = tempfile::tempdir().unwrap();
    let project = demo_project(tmp.path(), "p.weft", "x");
    let mut store = Store::open(&project).unwrap();
    let handle = spawn_daily_snapshot(project.clone(), backups_dir(&project, None), 7).unwrap();
    // The writer keeps writing while the snapshot runs.
    for i in 0..20 {
        set_title(&mut store, &format!("edit {i}"));
    }
    let made = handle.join().unwrap().unwrap().unwrap();
    assert_eq!(check_file(&made.path), Ok(()));
    assert_eq!(store.db().title().unwrap(), "edit 19");
}

#[test]
fn a_damaged_project_is_detected_and_left_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let project = demo_project(tmp.path(), "p.weft", "good");
    let dir = backups_dir(&project, None);
    let good = daily_snapshot(&project, &dir, 7).unwrap().unwrap();
    // A newer snapshot that is itself damaged is passed over.
    let newer_bad = dir.join("p-2999-01-01-000000.weft");
    std::fs::copy(&good.path, &newer_bad).unwrap();
    damage(&newer_bad);

    assert_eq!(check_file(&project), Ok(()));
    damage(&project);
    let damaged = std::fs::read(&project).unwrap();

    let problem = check_file(&project).unwrap_err();
    eprintln!("quick_check on the damaged project: {problem}");
    assert!(!problem.is_empty());
    let found = newest_good_snapshot(&project, &dir).unwrap();
    assert_eq!(found.path, good.path);
    assert_eq!(list_snapshots(&project, &dir)[0].path, newer_bad);

    // A snapshot of the damaged project is refused, and nothing is left in the folder.
    let err = snapshot_now(&project, &dir).unwrap_err();
    eprintln!("snapshot of the damaged project: {err}");
    assert!(matches!(err, BackupError::Damaged { .. }), "{err}");
    assert!(err.to_string().ends_with(&project.display().to_string()));
    assert_eq!(list_snapshots(&project, &dir).len(), 2);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
    assert_eq!(std::fs::read(&project).unwrap(), damaged);

    // A damaged snapshot cannot be restored; the good one can, and the damaged file is kept.
    assert!(matches!(
        restore(&project, &newer_bad),
        Err(BackupError::BadSnapshot { .. })
    ));
    assert_eq!(std::fs::read(&project).unwrap(), damaged);
    let kept = restore(&project, &found.path).unwrap().unwrap();
    assert_eq!(std::fs::read(&kept).unwrap(), damaged);
    assert_eq!(contents(&project).0, "good");
}

#[test]
fn restore_refuses_what_is_not_a_weft_snapshot_and_leaves_the_project() {
    let tmp = tempfile::tempdir().unwrap();
    let project = demo_project(tmp.path(), "p.weft", "stay");
    let before = std::fs::read(&project).unwrap();
    let listing = || {
        let mut names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let files_before = listing();

    let junk = tmp.path().join("junk.weft");
    std::fs::write(&junk, vec![0xABu8; 10_000]).unwrap();
    let other_program = tmp.path().join("other.sqlite");
    rusqlite::Connection::open(&other_program)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let files_before: Vec<_> = {
        let mut v = files_before;
        v.push("junk.weft".into());
        v.push("other.sqlite".into());
        v.sort();
        v
    };

    for bad in [
        junk.clone(),
        other_program.clone(),
        tmp.path().join("missing.weft"),
        tmp.path().to_owned(),
        project.clone(),
    ] {
        let err = restore(&project, &bad).unwrap_err();
        assert!(matches!(err, BackupError::BadSnapshot { .. }), "{err}");
        assert!(err.to_string().contains("left untouched"), "{err}");
        assert_eq!(std::fs::read(&project).unwrap(), before);
        assert_eq!(listing(), files_before);
    }
}

#[test]
fn restore_works_when_the_project_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let project = demo_project(tmp.path(), "p.weft", "back");
    let snap = snapshot_now(&project, &backups_dir(&project, None)).unwrap();
    let gone = tmp.path().join("gone");
    std::fs::create_dir(&gone).unwrap();
    std::fs::rename(&project, gone.join("p.weft")).unwrap();
    assert_eq!(restore(&project, &snap.path).unwrap(), None);
    assert_eq!(contents(&project).0, "back");
}

#[test]
fn snapshots_never_overwrite_the_project_or_each_other() {
    let tmp = tempfile::tempdir().unwrap();
    let project = demo_project(tmp.path(), "p.weft", "mine");
    let before_open = std::fs::read(&project).unwrap();

    // The project's own folder as the snapshot folder: the project is left alone.
    let a = snapshot_now(&project, tmp.path()).unwrap();
    let b = snapshot_now(&project, tmp.path()).unwrap();
    assert_ne!(a.path, b.path);
    assert_ne!(a.path, project);
    assert!(a.path.exists() && b.path.exists());

    let conn = rusqlite::Connection::open(&project).unwrap();
    assert!(matches!(
        backup::snapshot_to(&conn, &project),
        Err(BackupError::WouldOverwriteProject { .. })
    ));
    assert!(matches!(
        backup::snapshot_to(&conn, &a.path),
        Err(BackupError::Exists { .. })
    ));
    drop(conn);
    assert_eq!(std::fs::read(&project).unwrap(), before_open);
    assert_eq!(contents(&project).0, "mine");
    let listed = list_snapshots(&project, tmp.path());
    assert_eq!(listed.len(), 2);
}
