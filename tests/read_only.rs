//! Read-only projects and read-only commands (issue 7, items 17 and 22): a project on
//! read-only media or in a read-only folder opens read-only (the app says so; every edit is
//! refused with one sentence, nothing changes), and the commands that only read never write:
//! no `-wal`/`-shm` files, no migration, the file's bytes and time untouched.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

mod common;

use std::path::{Path, PathBuf};

use common::{fails, ok, s};
use weft::actions::Action;
use weft::session::Session;
use weft::store::StoreError;

/// A demo project at `dir/name`, closed (no `-wal`/`-shm` beside it).
fn demo(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    drop(weft::demo::create(&path).unwrap());
    assert_eq!(sidecars(&path), Vec::<PathBuf>::new());
    path
}

/// The `-wal`, `-shm` and `-journal` files beside `path` that exist.
fn sidecars(path: &Path) -> Vec<PathBuf> {
    ["-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        })
        .filter(|p| p.exists())
        .collect()
}

/// Everything that says whether a file was written: its bytes and its modification time.
fn fingerprint(path: &Path) -> (Vec<u8>, std::time::SystemTime) {
    let bytes = std::fs::read(path).unwrap();
    let mtime = std::fs::metadata(path).unwrap().modified().unwrap();
    (bytes, mtime)
}

/// The names in a folder, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every read-only command, on `project`.
fn read_only_commands(project: &str) -> Vec<Vec<String>> {
    [
        vec!["stats", project],
        vec!["stats", project, "--format", "json"],
        vec!["docs", project],
        vec!["docs", project, "--json"],
        vec!["code", "list", project],
        vec!["segments", project],
        vec!["case", "list", project],
        vec!["memo", "list", project],
        vec!["coder", "list", project],
        vec!["coding", "list", project],
        vec!["history", project],
        vec!["backup", "--list", project],
    ]
    .into_iter()
    .map(|args| args.into_iter().map(str::to_owned).collect())
    .collect()
}

#[test]
fn read_only_commands_write_nothing_beside_or_into_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path(), "study.weft");
    // A second project that an earlier command has left with a history to list.
    ok(&["case", "add", s(&project), "P99"]);
    assert_eq!(sidecars(&project), Vec::<PathBuf>::new());
    let before = fingerprint(&project);
    let folder = listing(dir.path());
    for args in read_only_commands(s(&project)) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = ok(&args);
        assert!(!out.is_empty(), "weft {args:?} printed nothing");
        assert_eq!(
            sidecars(&project),
            Vec::<PathBuf>::new(),
            "weft {args:?} left files beside the project"
        );
        assert!(
            fingerprint(&project) == before,
            "weft {args:?} changed the project file"
        );
        assert_eq!(
            listing(dir.path()),
            folder,
            "weft {args:?} changed the folder"
        );
    }
}

#[test]
fn a_read_only_open_reads_and_refuses_every_edit_in_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path(), "study.weft");
    let before = fingerprint(&project);
    let mut session = Session::open_read_only(&project).unwrap();
    assert!(session.is_read_only());
    // Reads work.
    let docs = session.read().documents().unwrap();
    assert!(!docs.is_empty());
    assert!(!session.history().unwrap().is_empty() || session.undo_label().is_ok());
    // Every write is refused with the same sentence, naming the file.
    let refused = |e: StoreError| {
        let text = e.to_string();
        assert!(matches!(e, StoreError::ReadOnly { .. }), "{text}");
        assert!(text.contains("open read-only"), "{text}");
        assert!(text.contains("study.weft"), "{text}");
        assert_eq!(text.lines().count(), 1, "{text}");
    };
    refused(
        session
            .apply(&Action::AddCase {
                name: "New".into(),
                doc: None,
            })
            .unwrap_err(),
    );
    refused(session.undo().unwrap_err());
    refused(session.redo().unwrap_err());
    refused(session.trim_history(1).unwrap_err());
    refused(session.set_history_keep(Some(3)).unwrap_err());
    refused(
        session
            .delete_permanently(weft::session::Purge::Document(docs[0].id), false)
            .unwrap_err(),
    );
    assert_eq!(session.daily_snapshot().unwrap(), None);
    session.settle_pending();
    session.store().checkpoint().unwrap();
    drop(session);
    assert_eq!(sidecars(&project), Vec::<PathBuf>::new());
    assert!(fingerprint(&project) == before, "the file was written");
}

#[test]
fn a_read_only_open_reads_the_write_ahead_log_of_a_project_open_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path(), "study.weft");
    // A writer (the app) holds the project open with a change still only in its -wal.
    let mut writer = Session::open(&project).unwrap();
    writer.settle_when_idle();
    writer
        .apply(&Action::AddCase {
            name: "Only in the log".into(),
            doc: None,
        })
        .unwrap();
    assert!(writer.has_unsettled());
    let reader = Session::open_read_only(&project).unwrap();
    assert!(reader.read().require_case("Only in the log").is_ok());
    // And the command line sees it too.
    assert!(ok(&["case", "list", s(&project)]).contains("Only in the log"));
    drop(reader);
    drop(writer);
    let session = Session::open_read_only(&project).unwrap();
    assert!(session.read().require_case("Only in the log").is_ok());
}

#[test]
fn an_old_project_given_to_a_read_only_command_is_refused_untouched_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path(), "old.weft");
    // Mark it as one format older (what a read-only command sees is only the version).
    {
        let conn = rusqlite::Connection::open(&project).unwrap();
        conn.pragma_update(None, "user_version", weft::store::schema::VERSION - 1)
            .unwrap();
    }
    assert_eq!(sidecars(&project), Vec::<PathBuf>::new());
    let before = fingerprint(&project);
    let err = fails(&["stats", s(&project)]);
    assert!(err.contains("older file format"), "{err}");
    assert!(err.contains("old.weft"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(sidecars(&project), Vec::<PathBuf>::new());
    assert!(fingerprint(&project) == before, "the file was written");
}

#[test]
fn a_path_with_uri_characters_is_read_literally() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("a?b#c%20d é");
    std::fs::create_dir(&odd).unwrap();
    let project = demo(&odd, "x?mode=rw.weft");
    let out = ok(&["docs", s(&project)]);
    assert!(out.contains("document"), "{out}");
    assert_eq!(sidecars(&project), Vec::<PathBuf>::new());
}

/// Unwritable files and folders (`chattr +i`, or `chmod` for a user other than root).
#[cfg(unix)]
mod unwritable {
    use std::process::Command;

    use super::*;

    /// A folder (or file) made unwritable for the length of a test, even for the superuser:
    /// `chattr +i` where it works (root on ext4 and most Linux file systems), else `chmod` (which
    /// stops anyone but root). `None` when neither makes it unwritable here.
    struct Unwritable(PathBuf, bool);

    impl Unwritable {
        fn make(path: &Path) -> Option<Self> {
            let chattr = Command::new("chattr")
                .arg("+i")
                .arg(path)
                .status()
                .is_ok_and(|s| s.success());
            let guard = if chattr {
                Self(path.to_owned(), true)
            } else {
                use std::os::unix::fs::PermissionsExt;
                let mode = if path.is_dir() { 0o555 } else { 0o444 };
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).ok()?;
                Self(path.to_owned(), false)
            };
            // Check that it really is unwritable here (root ignores chmod).
            let writable = if path.is_dir() {
                let probe = path.join(".probe");
                let made = std::fs::write(&probe, b"x").is_ok();
                let _ = std::fs::remove_file(&probe);
                made
            } else {
                std::fs::OpenOptions::new().append(true).open(path).is_ok()
            };
            (!writable).then_some(guard)
        }
    }

    impl Drop for Unwritable {
        fn drop(&mut self) {
            if self.1 {
                let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
            } else {
                use std::os::unix::fs::PermissionsExt;
                let mode = if self.0.is_dir() { 0o755 } else { 0o644 };
                let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(mode));
            }
        }
    }

    /// Checks that the project at `project` (made unwritable by the caller) opens read-only in
    /// the library, the command line and the app, and that every edit is refused untouched.
    fn opens_read_only_and_refuses_edits(project: &Path) {
        let before = fingerprint(project);
        // The library: an ordinary open falls back to read-only.
        let mut session = Session::open(project).unwrap();
        assert!(session.is_read_only());
        assert!(!session.read().documents().unwrap().is_empty());
        let err = session
            .apply(&Action::AddCase {
                name: "New".into(),
                doc: None,
            })
            .unwrap_err();
        assert!(matches!(err, StoreError::ReadOnly { .. }), "{err}");
        drop(session);
        // The command line: views, stats and exports work; edits say why they cannot.
        assert!(ok(&["stats", s(project)]).contains("Scope"));
        assert!(ok(&["docs", s(project)]).contains("document"));
        let out = dir_output(project);
        ok(&["segments", s(project), "-o", s(&out)]);
        assert!(out.exists());
        let _ = std::fs::remove_file(&out);
        for args in [
            vec!["case", "add", s(project), "P99"],
            vec!["undo", s(project)],
            vec!["memo", s(project), "Title", "Body"],
        ] {
            let err = fails(&args);
            assert!(
                err.contains("this project is open read-only") && err.contains("copy it somewhere"),
                "weft {args:?}: {err}"
            );
            assert_eq!(err.trim().lines().count(), 1, "weft {args:?}: {err}");
        }
        // The app: the title and the status bar say so, an edit is refused with a notice.
        let mut app =
            weft::ui::WeftApp::with_session(None, weft::ui::settings::Settings::default());
        app.use_path_prompt();
        app.open_project(project);
        assert!(app.session().is_some_and(Session::is_read_only));
        let mut h = egui_kittest::Harness::builder()
            .with_size(egui::vec2(1400.0, 900.0))
            .allow_missing_glyphs()
            .build_ui_state(|ui, app: &mut weft::ui::WeftApp| app.ui_root(ui), app);
        h.run_steps(3);
        assert!(
            h.state().window_title().ends_with(" — read-only"),
            "{}",
            h.state().window_title()
        );
        {
            use egui_kittest::kittest::Queryable;
            let _ = h.get_by_label("Read-only");
        }
        h.state_mut().edit(Action::AddCase {
            name: "New".into(),
            doc: None,
        });
        h.run_steps(2);
        let messages = h.state().messages();
        assert!(
            messages.iter().any(|m| m.contains("open read-only")),
            "{messages:?}"
        );
        drop(h);
        assert_eq!(sidecars(project), Vec::<PathBuf>::new());
        assert!(fingerprint(project) == before, "the file was written");
    }

    /// Where a test writes an export: the system's temporary folder (the project's is locked).
    fn dir_output(project: &Path) -> PathBuf {
        std::env::temp_dir().join(format!(
            "weft-read-only-{}-{}.csv",
            std::process::id(),
            project.file_name().unwrap().to_string_lossy().len()
        ))
    }

    #[test]
    fn a_project_in_an_unwritable_folder_opens_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("cdrom");
        std::fs::create_dir(&folder).unwrap();
        let project = demo(&folder, "interviews.weft");
        let Some(_locked) = Unwritable::make(&folder) else {
            eprintln!("skipped: no way to make a folder unwritable here (root without chattr)");
            return;
        };
        opens_read_only_and_refuses_edits(&project);
    }

    #[test]
    fn an_unwritable_project_file_opens_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let project = demo(dir.path(), "interviews.weft");
        let Some(_locked) = Unwritable::make(&project) else {
            eprintln!("skipped: no way to make a file unwritable here (root without chattr)");
            return;
        };
        opens_read_only_and_refuses_edits(&project);
    }

    #[test]
    fn a_log_left_on_read_only_media_without_its_index_is_read_without_it_and_said_so() {
        let dir = tempfile::tempdir().unwrap();
        let project = demo(dir.path(), "live.weft");
        // A change only in the -wal (as a crash leaves it), copied without its -shm.
        let mut writer = Session::open(&project).unwrap();
        writer.settle_when_idle();
        writer
            .apply(&Action::AddCase {
                name: "Only in the log".into(),
                doc: None,
            })
            .unwrap();
        let folder = dir.path().join("dvd");
        std::fs::create_dir(&folder).unwrap();
        let copy = folder.join("live.weft");
        std::fs::copy(&project, &copy).unwrap();
        let mut wal = project.as_os_str().to_owned();
        wal.push("-wal");
        let mut wal_copy = copy.as_os_str().to_owned();
        wal_copy.push("-wal");
        std::fs::copy(&wal, &wal_copy).unwrap();
        drop(writer);
        let Some(_locked) = Unwritable::make(&folder) else {
            eprintln!("skipped: no way to make a folder unwritable here (root without chattr)");
            return;
        };
        let mut session = Session::open(&copy).unwrap();
        assert!(session.is_read_only());
        let note = session.take_note().unwrap_or_default();
        assert!(note.contains("-wal"), "{note}");
        assert!(!session.read().documents().unwrap().is_empty());
        drop(session);
        let out = common::weft(&["docs", s(&copy)]);
        assert!(out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("note:") && err.contains("-wal"), "{err}");
    }
}
