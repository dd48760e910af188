// Permanent deletion: the text leaves the project file (WAL, free pages and undo history
// included) and, when asked, its snapshots; the remaining history never half-applies.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::path::{Path, PathBuf};

use weft::actions::Action;
use weft::model::{Bundle, BundleCase, BundleCode, BundleDocument, CharRange, NewDocument};
use weft::session::{Purge, Session};

const SECRET: &str = "my neighbour Rosalind Quickfoot hid the keys under the blue pot";
const SHARED: &str = "we all agreed the group was a lifeline";
const CASE_MEMO: &str = "withdrew after moving to Tasmania in spring";
const DOC_MEMO: &str = "interview held at the allotment shed";

fn bytes_of(path: &Path) -> Vec<u8> {
    let mut all = std::fs::read(path).unwrap();
    for suffix in ["-wal", "-journal"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        if let Ok(b) = std::fs::read(PathBuf::from(side)) {
            all.extend(b);
        }
    }
    all
}

fn holds(path: &Path, needle: &str) -> bool {
    let hay = bytes_of(path);
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A project with P01 (its own document, holding [`SECRET`]) and P02, and a focus group
/// shared by both; coded, memoed, edited, so the undo history holds P01's rows.
fn project(dir: &Path) -> (Session, PathBuf) {
    let path = dir.join("study.weft");
    let mut s = Session::create(&path).unwrap();
    let doc = |name: &str, text: String| NewDocument {
        name: name.into(),
        text,
        ..NewDocument::default()
    };
    s.apply(&Action::AddContent {
        label: "Import".into(),
        bundle: Box::new(Bundle {
            cases: vec![
                BundleCase {
                    name: "P01".into(),
                    memo: CASE_MEMO.into(),
                    attrs: vec![("role".into(), "peer supporter".into())],
                    ..Default::default()
                },
                BundleCase {
                    name: "P02".into(),
                    ..Default::default()
                },
            ],
            documents: vec![
                BundleDocument {
                    doc: doc(
                        "P01 interview",
                        format!("P01: Well, {SECRET}. That was it.\n"),
                    ),
                    memo: DOC_MEMO.into(),
                    cases: vec!["P01".into()],
                    attrs: vec![("site".into(), "Leeds".into())],
                    ..Default::default()
                },
                BundleDocument {
                    doc: doc("P02 interview", "P02: Nothing much to say.\n".into()),
                    cases: vec!["P02".into()],
                    ..Default::default()
                },
                BundleDocument {
                    doc: doc("Focus group", format!("P01: {SHARED}.\nP02: Yes.\n")),
                    cases: vec!["P01".into(), "P02".into()],
                    ..Default::default()
                },
            ],
            codes: vec![BundleCode {
                path: "Trust".into(),
                ..Default::default()
            }],
            ..Default::default()
        }),
    })
    .unwrap();
    let db = s.read();
    let p01 = db.require_document("P01 interview").unwrap();
    let code = db.require_code("Trust").unwrap();
    let coder = s.coder().unwrap();
    s.apply(&Action::ApplyCode {
        doc: p01,
        code,
        coder,
        range: CharRange::new(11, 40).unwrap(),
    })
    .unwrap();
    // The history now holds P01's rows several times over.
    s.apply(&Action::DeleteDocument(p01)).unwrap();
    s.undo().unwrap();
    s.apply(&Action::RenameDocument {
        doc: p01,
        name: "P01 first interview".into(),
    })
    .unwrap();
    (s, path)
}

fn add_code(s: &mut Session, name: &str) {
    s.apply(&Action::AddCodePath {
        path: name.into(),
        color: None,
        description: String::new(),
    })
    .unwrap();
}

#[test]
fn a_document_deleted_permanently_leaves_no_byte_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, path) = project(dir.path());
    add_code(&mut s, "Later");
    // A redo step holding nothing of it goes too (all redo steps do).
    add_code(&mut s, "Undone");
    s.undo().unwrap();
    s.store().checkpoint().unwrap();
    assert!(holds(&path, SECRET), "the sentence is in the file before");

    let doc = s.read().require_document("P01 first interview").unwrap();
    let report = s.delete_permanently(Purge::Document(doc), false).unwrap();
    assert_eq!(report.documents, vec!["P01 first interview".to_owned()]);
    assert_eq!(report.codings, 1);
    // Import, apply, delete (undone and so gone), rename; the redo step of "Undone".
    assert_eq!(report.steps_dropped, 4, "{report:?}");
    assert!(
        !holds(&path, SECRET),
        "the sentence is gone from the file and its -wal"
    );
    assert!(!holds(&path, DOC_MEMO));
    assert!(
        s.read()
            .document_by_name("P01 first interview")
            .unwrap()
            .is_none()
    );
    assert!(
        s.read()
            .document_by_name("P02 interview")
            .unwrap()
            .is_some()
    );

    // Newer steps that do not involve it still undo; then there is nothing left to undo.
    assert_eq!(s.redo().unwrap(), None);
    assert_eq!(s.undo().unwrap().unwrap().label, "Add code “Later”");
    assert!(s.read().code_by_path("Later").unwrap().is_none());
    assert_eq!(s.undo().unwrap(), None);
    // Edits after the deletion undo and redo as ever.
    add_code(&mut s, "After");
    s.undo().unwrap();
    s.redo().unwrap();
    assert!(s.read().code_by_path("After").unwrap().is_some());
    drop(s);
    assert!(!holds(&path, SECRET));
    // The file reopens and checks clean.
    weft::store::backup::check_file(&path).unwrap();
}

#[test]
fn a_case_deleted_permanently_takes_its_own_documents_and_leaves_shared_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, path) = project(dir.path());
    let case = s.read().require_case("P01").unwrap();
    let report = s.delete_permanently(Purge::Case(case), false).unwrap();
    assert_eq!(report.cases, vec!["P01".to_owned()]);
    assert_eq!(report.documents, vec!["P01 first interview".to_owned()]);
    assert_eq!(report.documents_kept, vec!["Focus group".to_owned()]);
    for gone in [SECRET, CASE_MEMO, DOC_MEMO, "peer supporter"] {
        assert!(!holds(&path, gone), "“{gone}” is still in the file");
    }
    // The shared document stays, unlinked from the deleted case.
    let fg = s.read().require_document("Focus group").unwrap();
    assert!(holds(&path, SHARED));
    assert_eq!(s.read().cases_of_document(fg).unwrap().len(), 1);
    assert!(s.read().case_by_name("P01").unwrap().is_none());
    assert_eq!(s.undo().unwrap(), None, "every step held the case");
}

#[test]
fn snapshots_keep_the_text_unless_cleaned_too() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, path) = project(dir.path());
    let snap = s.snapshot_now().unwrap().path;
    assert!(holds(&snap, SECRET));

    // Without --including-backups the snapshot is listed and keeps it.
    let p02 = s.read().require_document("P02 interview").unwrap();
    let report = s.delete_permanently(Purge::Document(p02), false).unwrap();
    assert!(report.snapshots_holding.contains(&snap), "{report:?}");
    assert!(holds(&snap, "Nothing much to say"));

    let doc = s.read().require_document("P01 first interview").unwrap();
    let report = s.delete_permanently(Purge::Document(doc), true).unwrap();
    assert_eq!(report.snapshots_cleaned, vec![snap.clone()], "{report:?}");
    assert!(report.snapshots_holding.is_empty());
    assert!(!holds(&path, SECRET));
    assert!(
        !holds(&snap, SECRET),
        "the sentence is gone from the snapshot"
    );
    // The snapshot is still a good, self-contained snapshot with the rest in it.
    weft::store::backup::check_file(&snap).unwrap();
    assert!(holds(&snap, SHARED));

    // A snapshot that cannot be read is reported, not deleted.
    let bad = snap.with_file_name("study-2020-01-01.weft");
    std::fs::write(&bad, b"not a database at all, but it holds nothing").unwrap();
    let fg = s.read().require_document("Focus group").unwrap();
    let report = s.delete_permanently(Purge::Document(fg), true).unwrap();
    assert_eq!(report.snapshots_unreadable.len(), 1, "{report:?}");
    assert!(bad.exists());
}

#[test]
fn a_deletion_blocked_by_another_reader_is_finished_on_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, path) = project(dir.path());
    // Another program holds a read transaction open: the log cannot be cleared.
    let reader = rusqlite::Connection::open(&path).unwrap();
    reader
        .execute_batch("BEGIN; SELECT count(*) FROM document;")
        .unwrap();
    let doc = s.read().require_document("P01 first interview").unwrap();
    let err = s
        .delete_permanently(Purge::Document(doc), false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("was deleted"), "{err}");
    assert!(err.contains("open the project again"), "{err}");
    assert!(
        s.read()
            .document_by_name("P01 first interview")
            .unwrap()
            .is_none()
    );
    drop(reader);
    drop(s);
    let pending = |path: &Path| -> i64 {
        let c = rusqlite::Connection::open(path).unwrap();
        c.query_row(
            "SELECT count(*) FROM project WHERE key = ?1",
            [weft::store::purge::SCRUB_PENDING],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(
        pending(&path),
        1,
        "the file remembers it is not cleared yet"
    );
    // Opening it again finishes the job.
    let s = Session::open(&path).unwrap();
    assert!(!holds(&path, SECRET), "cleared on the next open");
    drop(s);
    assert_eq!(pending(&path), 0);
    assert!(!holds(&path, SECRET));
}
