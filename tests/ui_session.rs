//! The app over a session, driven headless with egui_kittest: an applied code is drawn at once
//! and counted (in the background for a project file), an import is one undo step and the app
//! stays usable after it, permanent deletion asks first and reports a failure, and a damaged
//! project file offers its newest good snapshot.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::path::Path;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use weft::store::backup;
use weft::store::{CodingFilter, Store};
use weft::ui::WeftApp;
use weft::ui::settings::Settings;

fn harness(app: WeftApp) -> Harness<'static, WeftApp> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .allow_missing_glyphs()
        .build_ui_state(|ui, app: &mut WeftApp| app.ui_root(ui), app);
    h.run_steps(3);
    h
}

/// The app with the project file at `path` opened as File ▸ Open does.
fn open_file(path: &Path) -> Harness<'static, WeftApp> {
    let mut app = WeftApp::with_session(None, Settings::default());
    app.use_path_prompt();
    app.open_project(path);
    harness(app)
}

/// Runs frames until `done` holds (background work finishes), or fails.
fn wait(h: &mut Harness<'_, WeftApp>, what: &str, done: impl Fn(&WeftApp) -> bool) {
    for _ in 0..1000 {
        h.run_steps(1);
        if done(h.state()) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("{what} did not finish: {:?}", h.state().messages());
}

fn codings(h: &Harness<'_, WeftApp>) -> usize {
    h.state()
        .store()
        .unwrap()
        .db()
        .codings(&CodingFilter::default())
        .unwrap()
        .len()
}

#[test]
fn an_applied_code_is_drawn_at_once_and_counted_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    drop(weft::demo::create(&project).unwrap());
    let mut h = open_file(&project);
    wait(&mut h, "the first count", |a| !a.counting());
    let code = h.state().view.tree.codes[0].id;
    let doc = h.state().current_document().unwrap();
    let before = h.state().view.code_counts(code).0.0;
    let doc_before = h.state().view.doc_codings.get(&doc).copied().unwrap_or(0);

    h.state_mut().transcript.set_selection(Some(3..20), true);
    h.run_steps(2);
    h.state_mut().apply_to_selection(code);
    h.run_steps(1);

    // The highlight and the document's count are there in the very next frame.
    let new = h.state().transcript.selected_coding().unwrap();
    assert!(
        h.state()
            .transcript
            .highlights()
            .iter()
            .any(|hl| hl.coding == new && hl.code == code && hl.start == 3 && hl.end == 20)
    );
    assert_eq!(h.state().view.doc_codings[&doc], doc_before + 1);
    // The codebook count follows from the counting thread.
    wait(&mut h, "the recount", |a| {
        a.view.code_counts(code).0.0 == before + 1
    });

    // Undo takes the highlight away again.
    h.state_mut().undo();
    h.run_steps(1);
    assert!(
        !h.state()
            .transcript
            .highlights()
            .iter()
            .any(|hl| hl.coding == new)
    );
    wait(&mut h, "the recount after undo", |a| {
        a.view.code_counts(code).0.0 == before
    });
}

#[test]
fn an_applied_code_is_counted_at_once_in_memory() {
    let mut store = Store::in_memory().unwrap();
    weft::demo::build(&mut store).unwrap();
    let mut h = harness(WeftApp::with_store(Some(store), Settings::default()));
    let code = h.state().view.tree.codes[0].id;
    let before = h.state().view.code_counts(code).0.0;
    h.state_mut().transcript.set_selection(Some(3..20), true);
    h.run_steps(2);
    h.state_mut().apply_to_selection(code);
    h.run_steps(1);
    assert_eq!(h.state().view.code_counts(code).0.0, before + 1);
    assert!(!h.state().counting());
}

#[test]
fn an_import_is_one_undo_step_and_the_app_stays_usable() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    drop(weft::demo::create(&project).unwrap());
    let files: Vec<_> = ["p21", "p22"]
        .iter()
        .map(|n| {
            let f = dir.path().join(format!("{n}.txt"));
            std::fs::write(
                &f,
                format!("Interviewer: Hello?\nP: I am {n} and we trust.\n"),
            )
            .unwrap();
            f
        })
        .collect();
    let mut h = open_file(&project);
    let docs_before = h.state().view.documents.len();
    let ctx = h.ctx.clone();
    h.state_mut().import(files, &ctx);
    assert!(h.state().job_running());
    wait(&mut h, "the import", |a| !a.job_running());
    assert_eq!(h.state().view.documents.len(), docs_before + 2);
    assert_eq!(
        h.state().view.undo_label.as_deref(),
        Some("Import 2 documents")
    );
    // The imported document is open; code in it and undo that at once.
    let before = codings(&h);
    let code = h.state().view.tree.codes[0].id;
    h.state_mut().transcript.set_selection(Some(0..11), true);
    h.run_steps(2);
    h.state_mut().apply_to_selection(code);
    h.run_steps(1);
    assert_eq!(codings(&h), before + 1);
    h.state_mut().undo();
    h.run_steps(1);
    assert_eq!(codings(&h), before);
    // One more undo takes the whole import away.
    h.state_mut().undo();
    h.run_steps(2);
    assert_eq!(h.state().view.documents.len(), docs_before);
    assert!(
        h.state()
            .messages()
            .iter()
            .any(|m| m == "Undid: Import 2 documents")
    );
}

#[test]
fn delete_permanently_asks_first_then_deletes_for_good() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    drop(weft::demo::create(&project).unwrap());
    // One snapshot holds the project.
    backup::snapshot_now(&project, &backup::backups_dir(&project, None)).unwrap();
    let mut h = open_file(&project);
    let doc = h.state().view.documents[0].clone();
    let n = h.state().view.doc_codings[&doc.id];
    let before = codings(&h);

    h.get_by_role_and_label(Role::ListItem, &doc.name)
        .click_secondary();
    h.run_steps(2);
    h.get_by_label("Delete permanently…").click();
    h.run_steps(3);
    h.get_by_label("Delete this document permanently?");
    h.get_by_label_contains(&format!(
        "“{}” goes, with its text and {n} codings",
        doc.name
    ));
    h.get_by_label_contains("This cannot be undone");
    // The manual snapshot, and today's once the background one is written.
    h.get_by_label_contains("in the backups folder still hold");
    h.get_by_label("Also remove it from the backups").click();
    h.run_steps(1);
    h.get_by_label("Delete permanently").click();
    h.run_steps(2);
    assert!(
        h.query_by_label("Delete this document permanently?")
            .is_none()
    );
    let messages = h.state().messages();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with(&format!("Deleted permanently: “{}”", doc.name))),
        "{messages:?}"
    );
    assert!(h.state().view.document(doc.id).is_none());
    assert_eq!(codings(&h), before - n);
    // Nothing to undo brings it back.
    h.state_mut().undo();
    h.run_steps(2);
    assert!(h.state().view.document(doc.id).is_none());
    // The manual snapshot no longer holds it either.
    for snap in backup::list_snapshots(&project, &backup::backups_dir(&project, None)) {
        let s = weft::store::Store::open(&snap.path).unwrap();
        assert!(
            s.db().document_by_name(&doc.name).unwrap().is_none(),
            "{} still holds the document",
            snap.path.display()
        );
    }
}

/// Overwrites every byte from page 3 to the end with 0xFF.
fn damage(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let page = match u16::from_be_bytes([bytes[16], bytes[17]]) {
        1 => 65536,
        n => n as usize,
    };
    for b in bytes.iter_mut().skip(2 * page) {
        *b = 0xFF;
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_damaged_project_offers_its_newest_good_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    drop(weft::demo::create(&project).unwrap());
    let snap = backup::snapshot_now(&project, &backup::backups_dir(&project, None)).unwrap();
    damage(&project);

    let mut h = open_file(&project);
    assert!(h.state().session().is_none());
    h.get_by_label("This project file is damaged");
    h.get_by_label_contains("“study.weft” cannot be opened");
    let restore = format!("Restore the newest good snapshot ({})", snap.created);
    h.get_by_label(&restore).click();
    h.run_steps(2);
    assert!(h.query_by_label("This project file is damaged").is_none());
    assert!(h.state().session().is_some(), "{:?}", h.state().messages());
    assert!(!h.state().view.documents.is_empty());
    // The damaged file was kept aside, not overwritten.
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("before-restore"))
        .collect();
    assert!(!kept.is_empty());
    assert!(
        h.state()
            .messages()
            .iter()
            .any(|m| m.contains("the damaged file was kept as"))
    );
}

#[test]
fn a_damaged_project_without_snapshots_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    drop(weft::demo::create(&project).unwrap());
    damage(&project);
    let mut h = open_file(&project);
    h.get_by_label("This project file is damaged");
    h.get_by_label_contains("No good snapshot of this project was found");
    h.get_by_label("Close").click();
    h.run_steps(2);
    assert!(h.query_by_label("This project file is damaged").is_none());
}

#[test]
fn back_up_now_writes_a_snapshot_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    drop(weft::demo::create(&project).unwrap());
    let mut h = open_file(&project);
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Back up now").click();
    wait(&mut h, "the backup", |a| {
        a.messages().iter().any(|m| m.starts_with("Backed up to"))
    });
    let snapshots = backup::list_snapshots(&project, &backup::backups_dir(&project, None));
    assert!(snapshots.iter().any(|s| !s.automatic), "{snapshots:?}");
}

#[test]
fn an_edit_reaches_the_project_file_itself_once_the_user_pauses() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study.weft");
    drop(weft::demo::create(&project).unwrap());
    let mut h = open_file(&project);
    let code = h.state().view.tree.codes[0].id;
    h.state_mut().transcript.set_selection(Some(3..20), true);
    h.run_steps(2);
    h.state_mut().apply_to_selection(code);
    h.run_steps(1);
    // Drawn at once; the write-ahead log is written into the file when the user pauses.
    assert!(h.state().session().unwrap().has_unsettled());
    wait(&mut h, "the idle checkpoint", |a| {
        !a.session().unwrap().has_unsettled()
    });
    // A copy of the .weft alone (as a user would copy it while the app runs) holds the edit.
    let copy = dir.path().join("copy.weft");
    std::fs::copy(&project, &copy).unwrap();
    let copied = weft::store::Store::open(&copy).unwrap();
    let n = copied.db().codings(&CodingFilter::default()).unwrap().len();
    assert_eq!(n, codings(&h));
}
