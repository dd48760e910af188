//! Store tests on in-memory and temporary projects: codebook, codings, cases, undo/redo,
//! migrations and refusal of files that are not ours.

use super::*;
use crate::model::{AttrScope, Color, MemoTarget, Origin, Turn};

fn doc(name: &str, text: &str) -> NewDocument {
    NewDocument {
        name: name.into(),
        text: text.into(),
        origin: Origin {
            file_name: format!("{name}.txt"),
            format: "txt".into(),
            encoding: "UTF-8".into(),
            sha256: String::new(),
        },
        turns: vec![],
        guid: None,
    }
}

fn project() -> (Store, crate::model::DocId) {
    let mut s = Store::in_memory().unwrap();
    let d = s
        .action("Import", |db| {
            db.add_document(&doc("P01", "I was a peer worker. 😀 It helped me too."))
        })
        .unwrap();
    (s, d)
}

#[test]
fn document_names_are_made_unique() {
    let (mut s, _) = project();
    let d2 = s
        .action("Import", |db| db.add_document(&doc("P01", "again")))
        .unwrap();
    assert_eq!(s.db().document(d2).unwrap().name, "P01 (2)");
    let d3 = s
        .action("Import", |db| db.add_document(&doc("P01", "again")))
        .unwrap();
    assert_eq!(s.db().document(d3).unwrap().name, "P01 (3)");
}

#[test]
fn code_paths_parents_and_siblings() {
    let (mut s, _) = project();
    let (child, created) = s
        .action("Add code", |db| {
            db.ensure_code_path("Role/Boundaries", None, "")
        })
        .unwrap();
    assert!(created);
    let db = s.db();
    let role = db.code_by_path("Role").unwrap().unwrap();
    assert_eq!(db.code(child).unwrap().parent, Some(role));
    assert_eq!(db.code_tree().unwrap().path(child), "Role/Boundaries");
    let err = s
        .action("Add", |db| db.add_code(Some(role), "Boundaries", None, ""))
        .unwrap_err();
    assert!(err.to_string().contains("already a code"), "{err}");
    let err = s
        .action("Add", |db| db.add_code(None, "a/b", None, ""))
        .unwrap_err();
    assert!(err.to_string().contains("“/”"), "{err}");
    // Moving a code into its own child is refused.
    let err = s
        .action("Move", |db| db.move_code(role, Some(child), None))
        .unwrap_err();
    assert!(err.to_string().contains("into itself"), "{err}");
}

#[test]
fn codings_validate_ranges() {
    let (mut s, d) = project();
    let code = s
        .action("Add", |db| db.add_code(None, "Role", None, ""))
        .unwrap();
    let me = s.db().default_coder().unwrap().unwrap();
    let len = s.db().document(d).unwrap().char_len;
    assert!(
        s.action("Code", |db| db.apply_code(d, code, me, 5, 5, ""))
            .is_err()
    );
    let err = s
        .action("Code", |db| db.apply_code(d, code, me, 0, len + 1, ""))
        .unwrap_err();
    assert!(err.to_string().contains("outside"), "{err}");
    let c = s
        .action("Code", |db| db.apply_code(d, code, me, 0, len, ""))
        .unwrap();
    // Same coding again is the same coding.
    assert_eq!(
        s.action("Code", |db| db.apply_code(d, code, me, 0, len, ""))
            .unwrap(),
        c
    );
    assert_eq!(s.db().codings(&CodingFilter::default()).unwrap().len(), 1);
}

#[test]
fn undo_and_redo_every_kind_of_change() {
    let (mut s, d) = project();
    let me = s.db().default_coder().unwrap().unwrap();
    let role = s
        .action("Add code Role", |db| {
            db.add_code(None, "Role", Some(Color([1, 2, 3])), "")
        })
        .unwrap();
    let rel = s
        .action("Add code Relationship", |db| {
            db.add_code(None, "Relationship", None, "")
        })
        .unwrap();
    let c1 = s
        .action("Code", |db| db.apply_code(d, role, me, 0, 4, "first"))
        .unwrap();
    s.action("Code", |db| db.apply_code(d, rel, me, 2, 9, ""))
        .unwrap();
    s.action("Rename", |db| db.rename_code(role, "Peer role"))
        .unwrap();
    s.action("Delete Relationship", |db| db.delete_code(rel, true))
        .unwrap();
    assert_eq!(
        s.undo_label().unwrap().as_deref(),
        Some("Delete Relationship")
    );

    let before_delete = s.db().codings(&CodingFilter::default()).unwrap().len();
    assert_eq!(before_delete, 1);
    assert_eq!(s.undo().unwrap().as_deref(), Some("Delete Relationship"));
    assert_eq!(s.db().codings(&CodingFilter::default()).unwrap().len(), 2);
    assert_eq!(s.db().code(rel).unwrap().name, "Relationship");
    assert_eq!(s.undo().unwrap().as_deref(), Some("Rename"));
    assert_eq!(s.db().code(role).unwrap().name, "Role");
    assert_eq!(s.redo_label().unwrap().as_deref(), Some("Rename"));
    assert_eq!(s.redo().unwrap().as_deref(), Some("Rename"));
    assert_eq!(s.db().code(role).unwrap().name, "Peer role");
    assert_eq!(s.redo().unwrap().as_deref(), Some("Delete Relationship"));
    assert!(s.db().code(rel).is_err());
    assert_eq!(s.redo().unwrap(), None);
    // Undo all the way back to the imported document, then redo all.
    while s.undo().unwrap().is_some() {}
    assert!(s.db().codes().unwrap().is_empty());
    assert_eq!(s.db().documents().unwrap().len(), 0);
    while s.redo().unwrap().is_some() {}
    assert_eq!(s.db().coding(c1).unwrap().memo, "first");
    assert_eq!(s.db().code(role).unwrap().color, Color([1, 2, 3]));
    assert_eq!(
        s.db().document_text(d).unwrap(),
        "I was a peer worker. 😀 It helped me too."
    );
    // A new edit forgets the redo history.
    s.undo().unwrap();
    s.action("Add", |db| db.add_code(None, "X", None, ""))
        .unwrap();
    assert_eq!(s.redo_label().unwrap(), None);
}

#[test]
fn failed_action_changes_nothing() {
    let (mut s, d) = project();
    let me = s.db().default_coder().unwrap().unwrap();
    let err = s.action("Two things", |db| {
        let c = db.add_code(None, "Role", None, "")?;
        db.apply_code(d, c, me, 0, 10_000, "")
    });
    assert!(err.is_err());
    assert!(s.db().codes().unwrap().is_empty());
    assert_eq!(s.undo_label().unwrap().as_deref(), Some("Import"));
}

#[test]
fn merge_moves_codings_and_collapses_duplicates() {
    let (mut s, d) = project();
    let me = s.db().default_coder().unwrap().unwrap();
    let (a, b) = s
        .action("Setup", |db| {
            let a = db.add_code(None, "Mutuality", None, "")?;
            let b = db.add_code(None, "Mutual", None, "")?;
            db.add_code(Some(b), "Shared", None, "")?;
            db.apply_code(d, a, me, 0, 5, "")?;
            db.apply_code(d, b, me, 0, 5, "dup memo")?;
            db.apply_code(d, b, me, 6, 9, "")?;
            Ok((a, b))
        })
        .unwrap();
    let report = s.action("Merge", |db| db.merge_codes(b, a)).unwrap();
    assert_eq!(
        report,
        MergeReport {
            moved: 1,
            collapsed: 1
        }
    );
    let tree = s.db().code_tree().unwrap();
    assert!(tree.find_path("Mutuality/Shared").is_some());
    assert!(tree.find_path("Mutual").is_none());
    let codings = s.db().codings(&CodingFilter::default()).unwrap();
    assert_eq!(codings.len(), 2);
    assert_eq!(codings[0].memo, "dup memo");
    s.undo().unwrap();
    assert_eq!(s.db().codings(&CodingFilter::default()).unwrap().len(), 3);
}

#[test]
fn delete_code_refused_while_coded() {
    let (mut s, d) = project();
    let me = s.db().default_coder().unwrap().unwrap();
    let (parent, _) = s
        .action("Add", |db| db.ensure_code_path("Role/Drift", None, ""))
        .unwrap();
    let child = s.db().code_by_path("Role/Drift").unwrap().unwrap();
    s.action("Code", |db| db.apply_code(d, child, me, 0, 3, ""))
        .unwrap();
    let role = s.db().code(parent).unwrap().parent.unwrap();
    let err = s
        .action("Delete", |db| db.delete_code(role, false))
        .unwrap_err();
    assert!(err.to_string().contains("1 coding"), "{err}");
    assert_eq!(
        s.action("Delete", |db| db.delete_code(role, true)).unwrap(),
        1
    );
    assert!(s.db().codes().unwrap().is_empty());
}

#[test]
fn cases_attributes_and_speakers() {
    let (mut s, d) = project();
    s.action("Case", |db| {
        let p = db.ensure_case("P01")?;
        db.assign_case(p, d)?;
        db.set_case_attr(p, "years", "6")?;
        db.set_case_attr(p, "role", "peer support worker")?;
        db.set_doc_attr(d, "date", "2026-03-14")?;
        db.map_speaker(d, "ANNA", Some(p))
    })
    .unwrap();
    let p = s.db().case_by_name("P01").unwrap().unwrap();
    let err = s
        .action("Attr", |db| db.set_case_attr(p, "years", "many"))
        .unwrap_err();
    assert!(err.to_string().contains("not a valid number"), "{err}");
    let links = s.db().case_links().unwrap();
    assert_eq!(links.doc_cases[&d], vec![p]);
    assert_eq!(links.case_attrs[&(p, "years".to_string())], "6");
    assert_eq!(links.speaker_cases[&(d, "ANNA".to_string())], p);
    let attrs = s.db().attributes().unwrap();
    assert!(
        attrs
            .iter()
            .any(|a| a.name == "date" && a.scope == AttrScope::Document)
    );
    s.action("Memo", |db| {
        db.add_memo(MemoTarget::Project, "Week 1", "first thoughts", None)
    })
    .unwrap();
    assert_eq!(s.db().memos().unwrap()[0].title, "Week 1");
}

#[test]
fn turns_round_trip_and_must_fit() {
    let mut s = Store::in_memory().unwrap();
    let mut nd = doc("FG", "A: hi\nB: yo");
    nd.turns = vec![Turn {
        start: 0,
        body_start: 3,
        end: 5,
        speaker: "A".into(),
        timestamp: None,
    }];
    let d = s.action("Import", |db| db.add_document(&nd)).unwrap();
    assert_eq!(s.db().turns(d).unwrap(), nd.turns);
    nd.turns[0].end = 99;
    assert!(s.action("Import", |db| db.add_document(&nd)).is_err());
}

#[test]
fn file_project_reopens_and_keeps_undo_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.weft");
    {
        let mut s = Store::create(&path).unwrap();
        s.action("Add code Role", |db| db.add_code(None, "Role", None, ""))
            .unwrap();
    }
    assert!(matches!(
        Store::create(&path),
        Err(StoreError::Exists { .. })
    ));
    let mut s = Store::open(&path).unwrap();
    assert_eq!(s.undo().unwrap().as_deref(), Some("Add code Role"));
    assert!(s.db().codes().unwrap().is_empty());
}

#[test]
fn foreign_and_newer_files_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.weft");
    std::fs::write(&text, "just some text, not a database at all").unwrap();
    let err = Store::open(&text).err().unwrap();
    assert!(err.to_string().contains("not a SQLite database"), "{err}");
    assert!(err.to_string().ends_with("notes.weft"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&text).unwrap(),
        "just some text, not a database at all"
    );

    let empty = dir.path().join("empty.weft");
    std::fs::write(&empty, "").unwrap();
    assert!(
        Store::open(&empty)
            .err()
            .unwrap()
            .to_string()
            .contains("empty")
    );

    let other = dir.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&other).unwrap();
        c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    let before = std::fs::read(&other).unwrap();
    let err = Store::open(&other).err().unwrap();
    assert!(err.to_string().contains("another program"), "{err}");
    assert_eq!(std::fs::read(&other).unwrap(), before);

    let newer = dir.path().join("newer.weft");
    {
        Store::create(&newer).unwrap().checkpoint().unwrap();
        let c = rusqlite::Connection::open(&newer).unwrap();
        c.pragma_update(None, "user_version", schema::VERSION + 1)
            .unwrap();
        c.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let before = std::fs::read(&newer).unwrap();
    let err = Store::open(&newer).err().unwrap();
    assert!(err.to_string().contains("newer Weft"), "{err}");
    assert_eq!(std::fs::read(&newer).unwrap(), before);
}

// The frozen v1 and v2 migrations are tested in tests/migrations.rs, each old schema kept there
// as its own literal (a test that reused the live constant could not catch an edit to it).

#[test]
fn every_foreign_key_has_an_index() {
    let s = Store::in_memory().unwrap();
    let conn = &s.conn;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for t in &tables {
        let fks: Vec<String> = conn
            .prepare(&format!("PRAGMA foreign_key_list({t})"))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        // First columns of every index, including primary keys.
        let mut leading: Vec<String> = Vec::new();
        let indexes: Vec<String> = conn
            .prepare(&format!("PRAGMA index_list({t})"))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(1))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for i in indexes {
            let first: Option<String> = conn
                .query_row(&format!("PRAGMA index_info({i})"), [], |r| r.get(2))
                .ok();
            leading.extend(first);
        }
        let pk: Vec<String> = conn
            .prepare(&format!("PRAGMA table_info({t})"))
            .unwrap()
            .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(5)?)))
            .unwrap()
            .map(Result::unwrap)
            .filter(|(_, k)| *k == 1)
            .map(|(c, _)| c)
            .collect();
        leading.extend(pk);
        for fk in fks {
            assert!(
                leading.contains(&fk),
                "{t}.{fk} is a foreign key without an index"
            );
        }
    }
    assert_eq!(
        conn.pragma_query_value(None, "foreign_keys", |r| r.get::<_, i64>(0))
            .unwrap(),
        1
    );
}

#[test]
fn unchanged_memos_leave_no_undo_step_and_recoding_cannot_duplicate() {
    let (mut s, d) = project();
    let me = s.db().default_coder().unwrap().unwrap();
    let (a, b, c1, c2) = s
        .action("Setup", |db| {
            let a = db.add_code(None, "A", None, "")?;
            let b = db.add_code(None, "B", None, "")?;
            let c1 = db.apply_code(d, a, me, 0, 4, "")?;
            let c2 = db.apply_code(d, b, me, 0, 4, "")?;
            Ok((a, b, c1, c2))
        })
        .unwrap();
    s.action("Memo", |db| db.set_coding_memo(c1, "why"))
        .unwrap();
    s.action("Memo again", |db| db.set_coding_memo(c1, "why"))
        .unwrap();
    assert_eq!(
        s.undo_label().unwrap().as_deref(),
        Some("Memo"),
        "the repeat recorded nothing"
    );
    let err = s
        .action("Recode", |db| db.set_coding_code(c2, a))
        .unwrap_err();
    assert!(err.to_string().contains("already has this code"), "{err}");
    let err = s.action("Resize", |db| db.set_coding_range(c1, 0, 4)).err();
    assert!(err.is_none(), "resizing to its own range is fine");
    assert_eq!(s.db().coding(c2).unwrap().code, b);
}

/// Tables that are deliberately not recorded for undo. Keep this list short and say why.
const UNTRACKED_TABLES: &[&str] = &[
    // The undo log itself (`undo_step`, `undo_sql`) is excluded by name in the test below.
    // Reading progress: how far a document was shown on screen is not an edit, and undoing an
    // edit must not make a document unread. Rows are keyed by document GUID, so one left
    // behind by an undone import names no other document; a permanent deletion removes it.
    "reading",
    // The search index is derived from the documents and brought in line with them at the
    // end of every write, undo and redo included (`store::search::sync`); recording it would
    // double the history's size for nothing. FTS5 keeps its data in shadow tables.
    "search_unit",
    "search_doc",
    "search_fts",
    "search_fts_data",
    "search_fts_idx",
    "search_fts_docsize",
    "search_fts_config",
    "search_vocab",
    "search_terms",
];

#[test]
fn every_table_is_tracked_for_undo() {
    let s = Store::in_memory().unwrap();
    let tables: Vec<String> = s
        .conn
        .prepare(
            "SELECT name FROM main.sqlite_master WHERE type = 'table'
             AND name NOT LIKE 'sqlite_%' AND name NOT IN ('undo_step', 'undo_sql')",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let missing: Vec<&String> = tables
        .iter()
        .filter(|t| {
            !schema::TRACKED_TABLES.contains(&t.as_str()) && !UNTRACKED_TABLES.contains(&t.as_str())
        })
        .collect();
    assert!(
        missing.is_empty(),
        "tables not recorded for undo: {missing:?}; add them to schema::TRACKED_TABLES (or, \
         with a reason, to UNTRACKED_TABLES here)"
    );
}

#[test]
fn history_lists_steps_and_trims_from_the_far_ends() {
    let mut s = Store::in_memory().unwrap();
    for name in ["A", "B", "C", "D", "E"] {
        s.action_by(&format!("Add case {name}"), "Sam", |db| db.add_case(name))
            .unwrap();
    }
    s.undo().unwrap();
    s.undo().unwrap();
    let h = s.history().unwrap();
    assert_eq!(h.len(), 5);
    assert_eq!(h[0].label, "Add case A");
    assert_eq!(h[0].coder, "Sam");
    assert_eq!(
        h.iter().map(|x| x.undone).collect::<Vec<_>>(),
        [false, false, false, true, true]
    );
    // Keep 4: the three done steps and the first redo step.
    assert_eq!(s.trim_history(4).unwrap(), 1);
    assert_eq!(s.redo().unwrap().as_deref(), Some("Add case D"));
    assert_eq!(s.redo().unwrap(), None);
    // Keep 2: the newest two done steps only.
    assert_eq!(s.trim_history(2).unwrap(), 2);
    assert_eq!(s.undo().unwrap().as_deref(), Some("Add case D"));
    assert_eq!(s.undo().unwrap().as_deref(), Some("Add case C"));
    assert_eq!(s.undo().unwrap(), None);
    assert!(
        s.db().case_by_name("B").unwrap().is_some(),
        "older steps stay applied"
    );

    // The project setting trims after every action.
    s.untracked(|db| db.set_setting(undo::HISTORY_KEEP_SETTING, "3"))
        .unwrap();
    for name in ["F", "G", "H", "I"] {
        s.action(&format!("Add case {name}"), |db| db.add_case(name))
            .unwrap();
    }
    let labels: Vec<String> = s.history().unwrap().into_iter().map(|x| x.label).collect();
    assert_eq!(labels, ["Add case G", "Add case H", "Add case I"]);
}

#[test]
fn a_reader_reads_and_never_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.weft");
    let mut s = Store::create(&path).unwrap();
    s.action("Add", |db| db.add_code(None, "Role", None, ""))
        .unwrap();
    let mut reader = Store::open_reader(&path).unwrap();
    assert_eq!(reader.db().codes().unwrap().len(), 1);
    assert!(
        reader
            .action("Add", |db| db.add_code(None, "Trust", None, ""))
            .is_err()
    );
    // The writer's later edits are seen by the reader.
    s.action("Add", |db| db.add_code(None, "Trust", None, ""))
        .unwrap();
    assert_eq!(reader.db().codes().unwrap().len(), 2);
    let junk = dir.path().join("junk.weft");
    std::fs::write(&junk, b"not a project").unwrap();
    assert!(Store::open_reader(&junk).is_err());
}
