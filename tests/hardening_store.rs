//! Hardening of the store and of imports: broken bytes, strange files, failed imports,
//! odd paths, unfinished files, refusals that leave files untouched, clear error messages.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn weft(args: &[&str]) -> Output {
    weft_env(args, &[])
}

fn weft_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_weft"));
    cmd.args(args).env("WEFT_CODER", "Tester");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the weft binary runs")
}

fn ok(args: &[&str]) -> Output {
    let out = weft(args);
    assert!(
        out.status.success(),
        "weft {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn fails(args: &[&str]) -> String {
    let out = weft(args);
    assert!(!out.status.success(), "weft {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    (dir, project)
}

// Item 10: UTF-8 with one invalid byte stays UTF-8, with a warning naming file and line.
#[test]
fn utf8_with_one_invalid_byte_is_utf8_with_a_warning() {
    let (dir, project) = setup();
    ok(&["new", s(&project)]);
    let mut bytes = "Interviewer: Zoë, how did it start? 😀\nP01: It was "
        .as_bytes()
        .to_vec();
    bytes.push(0xE9); // a stray windows-1252 "é"
    bytes.extend_from_slice("té, déjà vu — naïve.\n".as_bytes());
    let file = dir.path().join("p01.txt");
    std::fs::write(&file, &bytes).unwrap();

    let t = weft::import::read_file(&file).unwrap();
    assert_eq!(t.origin.encoding, "UTF-8");
    assert!(t.text.contains("Zoë") && t.text.contains("😀") && t.text.contains("déjà"));
    assert!(t.text.contains("It was \u{fffd}té"), "{}", t.text);
    assert_eq!(t.warnings.len(), 1, "{:?}", t.warnings);
    assert!(t.warnings[0].contains("p01.txt") && t.warnings[0].contains("line 2"));

    let out = ok(&["import", s(&project), s(&file)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("UTF-8"), "{stdout}");
    assert!(
        stderr.contains("warning: p01.txt: 1 invalid UTF-8 byte sequence"),
        "{stderr}"
    );
}

// Item 19: an import with --case where every file fails writes nothing.
#[test]
fn a_failed_import_with_a_case_creates_no_case_and_no_undo_step() {
    let (dir, project) = setup();
    ok(&["new", s(&project)]);
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let err = fails(&["import", s(&project), s(&empty), "--case", "P09"]);
    assert!(err.contains("empty.txt"), "{err}");
    let history = ok(&["history", s(&project)]);
    assert_eq!(
        String::from_utf8_lossy(&history.stdout).trim(),
        "the history is empty"
    );
    let store = weft::store::Store::open(&project).unwrap();
    assert_eq!(store.db().case_by_name("P09").unwrap(), None);
    assert!(store.db().cases().unwrap().is_empty());
    assert!(store.history().unwrap().is_empty());
}

// Item 14: pipes, devices (through a link) and huge files are refused before reading,
// naming the file; the rest of the batch imports.
#[cfg(unix)]
#[test]
fn strange_and_huge_files_are_refused_and_the_batch_goes_on() {
    use weft::import::{ImportError, MAX_FILE_BYTES, read_file};
    let (dir, project) = setup();
    ok(&["new", s(&project)]);
    let fifo = dir.path().join("pipe.txt");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let zero = dir.path().join("zero.txt");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let huge = dir.path().join("huge.txt");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(MAX_FILE_BYTES + 1)
        .unwrap();
    let good = dir.path().join("good.txt");
    std::fs::write(&good, "Interviewer: Hello?\nP01: Hi.\n").unwrap();

    for (path, needle) in [
        (&fifo, "named pipe"),
        (&zero, "a device"),
        (&huge, "larger than 256 MiB"),
    ] {
        let err = read_file(path).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::NotAFile { .. } | ImportError::FileTooLarge { .. }
            ),
            "{err}"
        );
        let msg = err.to_string();
        assert!(msg.contains(needle), "{msg}");
        assert!(msg.ends_with(s(path)), "{msg}");
    }

    let err = fails(&[
        "import",
        s(&project),
        s(&fifo),
        s(&zero),
        s(&huge),
        s(&good),
    ]);
    assert!(err.contains("pipe.txt") && err.contains("zero.txt") && err.contains("huge.txt"));
    assert!(err.contains("imported 1 of 4"), "{err}");
    let store = weft::store::Store::open(&project).unwrap();
    assert_eq!(store.db().documents().unwrap().len(), 1);
}

// Item 16: a path starting with `file:` is a file name, never an SQLite URI.
#[test]
fn a_path_starting_with_file_colon_is_taken_literally() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_weft"))
            .args(args)
            .current_dir(dir.path())
            .env("WEFT_CODER", "Tester")
            .output()
            .unwrap()
    };
    let out = run(&["new", "file:x.weft"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("file:x.weft").is_file());
    assert!(!dir.path().join("x.weft").exists());
    std::fs::write(dir.path().join("a.txt"), "P01: Hello there.\n").unwrap();
    let out = run(&["import", "file:x.weft", "a.txt"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["backup", "file:x.weft"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir.path().join("x.weft").exists());
    // And through the library, with a URI-looking name that would otherwise be in memory.
    let odd = dir.path().join("file:memdb?mode=memory.weft");
    let literal = Path::new("file:memdb?mode=memory.weft");
    weft::store::Store::create(&odd).unwrap();
    assert!(odd.is_file());
    let out = run(&["docs", literal.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// Item 20: `weft new` builds under a temporary name; a stub left by a crash is called
// unfinished, with advice; `weft new` over an existing path still refuses.
#[test]
fn an_unfinished_project_file_is_called_so_and_new_never_overwrites() {
    let (dir, project) = setup();
    ok(&["new", s(&project)]);
    // Nothing but the project is left in the folder.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["study.weft".to_owned()], "{names:?}");
    assert!(fails(&["new", s(&project)]).contains("already exists"));

    // A zero-length stub, as SQLite leaves it when creation is interrupted.
    let empty = dir.path().join("empty.weft");
    std::fs::write(&empty, b"").unwrap();
    // A stub with the SQLite header (journal mode set) and no tables.
    let partial = dir.path().join("partial.weft");
    {
        let c = rusqlite::Connection::open(&partial).unwrap();
        let _: String = c
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .unwrap();
    }
    for stub in [&empty, &partial] {
        let before = std::fs::read(stub).unwrap();
        let err = fails(&["docs", s(stub)]);
        assert!(err.contains("an unfinished project file"), "{err}");
        assert!(err.contains("create the project again"), "{err}");
        assert!(err.trim_end().ends_with(s(stub)), "{err}");
        assert_eq!(std::fs::read(stub).unwrap(), before);
        assert!(fails(&["new", s(stub)]).contains("already exists"));
    }
}

/// A database at `path` with `user_version` `version`, written so that its last changes are
/// still in a `-wal` beside it (copied while the writer is open).
fn with_pending_wal(dir: &Path, name: &str, version: i32) -> PathBuf {
    let live = dir.join(format!("live-{name}"));
    let c = rusqlite::Connection::open(&live).unwrap();
    let _: String = c
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .unwrap();
    c.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    c.pragma_update(None, "application_id", 0x5745_4654)
        .unwrap();
    c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    c.pragma_update(None, "user_version", version).unwrap();
    let path = dir.join(name);
    std::fs::copy(&live, &path).unwrap();
    std::fs::copy(
        format!("{}-wal", live.display()),
        format!("{}-wal", path.display()),
    )
    .unwrap();
    drop(c);
    path
}

// Item 15: a newer project with a pending -wal is refused with its bytes and -wal untouched.
#[test]
fn a_refused_newer_project_is_really_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_pending_wal(dir.path(), "newer.weft", 99);
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    let (file_before, wal_before) = (std::fs::read(&path).unwrap(), std::fs::read(&wal).unwrap());
    assert!(!wal_before.is_empty());
    let err = weft::store::Store::open(&path).err().unwrap().to_string();
    assert!(
        err.contains("newer Weft") && err.contains("schema version 99"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        file_before,
        "the file was rewritten"
    );
    assert!(wal.exists(), "the -wal was deleted");
    assert_eq!(
        std::fs::read(&wal).unwrap(),
        wal_before,
        "the -wal was rewritten"
    );
    let err = fails(&["docs", s(&path)]);
    assert!(err.contains("newer Weft"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), file_before);
    assert_eq!(std::fs::read(&wal).unwrap(), wal_before);
}

// Item 12a: a negative user_version is refused as damaged or unknown, not a panic.
#[test]
fn a_negative_schema_version_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_pending_wal(dir.path(), "negative.weft", -3);
    let err = weft::store::Store::open(&path).err().unwrap().to_string();
    assert!(
        err.contains("version -3") && err.contains("damaged"),
        "{err}"
    );
    assert!(err.ends_with(s(&path)), "{err}");
    let out = weft(&["docs", s(&path)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        !stderr.contains("unreachable") && !stderr.contains("panicked"),
        "{stderr}"
    );
    assert!(stderr.contains("version -3"), "{stderr}");
}

// Item 18: a locked project gives one sentence naming the file and saying what to do.
#[test]
fn a_busy_project_is_explained_once_with_the_file_and_advice() {
    let (_dir, project) = setup();
    ok(&["new", s(&project)]);
    let holder = rusqlite::Connection::open(&project).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let out = weft_env(
        &["case", "add", s(&project), "P01"],
        &[("WEFT_BUSY_TIMEOUT_MS", "100")],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        err.trim_end(),
        format!(
            "error: another Weft (or another program) is writing this project; try again when \
             it has finished: {}",
            project.display()
        )
    );
    assert_eq!(err.matches("locked").count(), 0, "{err}");
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    ok(&["case", "add", s(&project), "P01"]);
}

// Item 13: after each action the log is written back, so a copy of the .weft file alone,
// made while the project is open, holds every change reported done.
#[test]
fn a_copy_of_an_open_project_holds_every_acknowledged_change() {
    let (dir, project) = setup();
    let mut store = weft::store::Store::create(&project).unwrap();
    for name in ["P01", "P02", "P03"] {
        store.action("Add case", |tx| tx.add_case(name)).unwrap();
        let copy = dir.path().join(format!("copy-{name}.weft"));
        std::fs::copy(&project, &copy).unwrap();
        let c = weft::store::Store::open(&copy).unwrap();
        assert!(
            c.db().case_by_name(name).unwrap().is_some(),
            "{name} missing"
        );
    }
    store.undo().unwrap();
    let copy = dir.path().join("copy-undone.weft");
    std::fs::copy(&project, &copy).unwrap();
    let c = weft::store::Store::open(&copy).unwrap();
    assert!(c.db().case_by_name("P03").unwrap().is_none());
}
