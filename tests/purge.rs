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
    let found = |s: &Session, q: &str| {
        weft::analysis::search::search(
            s.read(),
            q,
            weft::analysis::search::SearchMode::Words,
            &Default::default(),
            None,
        )
        .unwrap()
        .total
    };
    assert_eq!(found(&s, "Rosalind"), 1, "the search index holds it");
    // Index tokens of plain words are the words themselves: the file holds "quickfoot".
    assert!(holds(&path, "quickfoot"));

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
    assert_eq!(found(&s, "Rosalind"), 0);
    assert!(
        !holds(&path, "quickfoot"),
        "no word of it stays in the search index's pages"
    );
    assert_eq!(
        found(&s, "lifeline"),
        1,
        "the other document is still searchable"
    );
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
    // Cleaning the backups afterwards, as the command's hint says, finds it by name there.
    let cleaned = s.clean_backups_of(true, "P02 interview").unwrap();
    assert_eq!(cleaned.snapshots_cleaned, vec![snap.clone()], "{cleaned:?}");
    assert!(!holds(&snap, "Nothing much to say"));
    assert!(
        s.clean_backups_of(true, "P02 interview")
            .unwrap()
            .snapshots_cleaned
            .is_empty()
    );

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

/// Said by P02 alone, in the focus group only.
const P02_SECRET: &str = "the parish clerk Bartholomew Finchley buried the ledger";

/// Char index of `needle` in `text`.
fn at(text: &str, needle: &str) -> usize {
    weft::text::byte_to_char(text, text.find(needle).unwrap()).unwrap()
}

#[test]
fn a_withdrawn_speaker_is_redacted_from_a_shared_focus_group() {
    use weft::model::{CodingFilter, CodingId};
    use weft::text::{char_len, count_words, slice_chars};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("group.weft");
    let mut s = Session::create(&path).unwrap();
    // Hard text on both sides of P02's turns: an accent, an emoji, CJK.
    let text = format!(
        "P01: Thé group 😀 was a lifeline for me.\n\
         P02: I think {P02_SECRET}, honestly.\n\
         P01: We cooked 共同 together, every week.\n\
         P02: Bartholomew again, always him.\n\
         P01: It ended in spring.\n"
    );
    let turns = weft::import::detect_turns(&text);
    assert_eq!(turns.len(), 5, "the transcript has five turns");
    s.apply(&Action::AddContent {
        label: "Import".into(),
        bundle: Box::new(Bundle {
            cases: ["P01", "P02"]
                .map(|n| BundleCase {
                    name: n.into(),
                    ..Default::default()
                })
                .to_vec(),
            documents: vec![
                BundleDocument {
                    doc: NewDocument {
                        name: "Focus group 1".into(),
                        text: text.clone(),
                        turns,
                        ..NewDocument::default()
                    },
                    cases: vec!["P01".into(), "P02".into()],
                    speakers: vec![("P01".into(), "P01".into()), ("P02".into(), "P02".into())],
                    ..Default::default()
                },
                BundleDocument {
                    doc: NewDocument {
                        name: "P02 interview".into(),
                        text: "P02: Nothing much to say.\n".into(),
                        ..NewDocument::default()
                    },
                    cases: vec!["P02".into()],
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
    let fg = s.read().require_document("Focus group 1").unwrap();
    let code = s.read().require_code("Trust").unwrap();
    let coder = s.coder().unwrap();
    let code_it = |s: &mut Session, from: &str, to: &str| -> CodingId {
        let (start, end) = (at(&text, from), at(&text, to) + char_len(to));
        let applied = s
            .apply(&Action::ApplyCode {
                doc: fg,
                code,
                coder,
                range: CharRange::new(start, end).unwrap(),
            })
            .unwrap();
        match applied.outcome {
            weft::actions::Outcome::Coding(c) => c,
            other => panic!("{other:?}"),
        }
    };
    let before = code_it(&mut s, "group 😀", "lifeline");
    let inside = code_it(&mut s, "Bartholomew Finchley", "ledger");
    let whole_turn = code_it(&mut s, "Bartholomew again", "always him.");
    let across = code_it(&mut s, "lifeline", "We cooked");
    let partial_end = code_it(&mut s, "together", "Bartholomew again");
    let partial_start = code_it(&mut s, "honestly", "共同");
    let after = code_it(&mut s, "It ended", "spring.");
    s.apply(&Action::SetCodingMemo {
        coding: across,
        memo: "support across the group".into(),
    })
    .unwrap();
    let snap = s.snapshot_now().unwrap().path;
    let coded = |s: &Session, c: CodingId| -> String {
        let c = s.read().coding(c).unwrap();
        let t = s.read().document_text(c.doc).unwrap();
        slice_chars(&t, c.start, c.end).unwrap().to_owned()
    };
    let before_text = coded(&s, before);
    let after_text = coded(&s, after);
    let across_old = coded(&s, across);
    s.store().checkpoint().unwrap();
    assert!(holds(&path, P02_SECRET));
    assert!(holds(&snap, P02_SECRET));

    let p02 = s.read().require_case("P02").unwrap();
    let report = s.delete_permanently(Purge::Case(p02), true).unwrap();
    assert_eq!(report.documents, vec!["P02 interview".to_owned()]);
    assert_eq!(report.documents_kept, vec!["Focus group 1".to_owned()]);
    assert_eq!(report.redacted.len(), 1, "{report:?}");
    let r = &report.redacted[0];
    assert_eq!(r.document, "Focus group 1");
    assert_eq!(r.turns, 2);
    assert_eq!(r.codings_removed, 2, "{report:?}");
    assert_eq!(r.codings_shortened, 3, "{report:?}");
    assert_eq!(report.snapshots_cleaned, vec![snap.clone()], "{report:?}");

    // The bytes are gone from the project, its -wal, and the snapshot.
    for needle in [P02_SECRET, "Finchley", "always him"] {
        assert!(!holds(&path, needle), "“{needle}” is still in the file");
        assert!(!holds(&snap, needle), "“{needle}” is still in the snapshot");
    }
    assert!(
        holds(&snap, "[withdrawn]"),
        "the snapshot was redacted, not emptied"
    );
    weft::store::backup::check_file(&snap).unwrap();

    let new_text = s.read().document_text(fg).unwrap();
    assert_eq!(
        new_text,
        "P01: Thé group 😀 was a lifeline for me.\n\
         P02: [withdrawn]\n\
         P01: We cooked 共同 together, every week.\n\
         P02: [withdrawn]\n\
         P01: It ended in spring.\n"
    );
    // Length, words and word index follow the new text; the origin hash stays.
    let doc = s.read().document(fg).unwrap();
    assert_eq!(doc.char_len, char_len(&new_text));
    assert_eq!(doc.word_count, count_words(&new_text));
    assert_eq!(
        s.read().word_index(fg).unwrap().len(),
        count_words(&new_text)
    );
    assert_eq!(
        s.read().word_index(fg).unwrap(),
        weft::text::WordIndex::new(&new_text)
    );

    // The turns still parse and line up with their labels.
    let turns = s.read().turns(fg).unwrap();
    assert_eq!(turns, weft::import::detect_turns(&new_text));
    for t in &turns {
        let label = slice_chars(&new_text, t.start, t.body_start).unwrap();
        assert_eq!(label, format!("{}: ", t.speaker));
        let body = slice_chars(&new_text, t.body_start, t.end).unwrap();
        assert_eq!(t.speaker == "P02", body == "[withdrawn]", "{body}");
    }

    // P01's codings cover the same text; those inside P02's turns are gone; the others are
    // clipped to what remains, or span the marker.
    assert_eq!(coded(&s, before), before_text);
    assert_eq!(coded(&s, after), after_text);
    assert!(s.read().coding(inside).is_err());
    assert!(s.read().coding(whole_turn).is_err());
    assert_eq!(
        coded(&s, across),
        "lifeline for me.\nP02: [withdrawn]\nP01: We cooked"
    );
    assert!(across_old.contains(P02_SECRET));
    assert_eq!(
        s.read().coding(across).unwrap().memo,
        "support across the group",
        "memos stay"
    );
    assert_eq!(coded(&s, partial_end), "together, every week.\nP02: ");
    assert_eq!(coded(&s, partial_start), "\nP01: We cooked 共同");
    let all = s
        .read()
        .codings(&CodingFilter {
            doc: Some(fg),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.len(), 5);
    for c in &all {
        assert!(c.start < c.end && c.end <= doc.char_len, "{c:?}");
    }
    // The speaker mapping went with the case; the history that held the old text too.
    assert!(
        s.read()
            .case_links()
            .unwrap()
            .speaker_cases
            .keys()
            .all(|(_, sp)| sp != "P02")
    );
    assert_eq!(s.undo().unwrap(), None, "every step held the old text");
    drop(s);
    assert!(!holds(&path, P02_SECRET));
    weft::store::backup::check_file(&path).unwrap();
}
