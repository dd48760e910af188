//! Taguette projects in: a small Taguette-shaped database (schema from Taguette's public
//! migrations) with HTML documents holding entities, emoji and multi-paragraph highlights
//! becomes a bundle whose every coding's text equals its highlight's snippet; unknown schema
//! versions and files that are not Taguette's are refused with the file named.
#![allow(clippy::unwrap_used)]

use weft::import::taguette::html_text;
use weft::model::{CodingFilter, ProjectRead};
use weft::session::Session;
use weft::store::Store;
use weft::store::taguette::{
    TaguetteRows, TgCommand, TgDocument, TgHighlight, TgProject, TgTag, write_fixture,
};

const DOC1: &str = "<p>Caf&eacute; &amp; <b>tea</b> 😀 with Zo&euml;.</p>\n<p>  Second paragraph &lt;here&gt;, \
                    and more.</p><p>Third 🎉 one<br>with a break.</p>";
const DOC2: &str = "<h1>Title</h1><p>Plain &quot;quoted&quot; text.</p>";

/// Taguette's byte offsets of `needle` in the text content of `html`.
fn offsets(html: &str, needle: &str) -> (i64, i64) {
    let raw = html_text(html).raw;
    let at = raw
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} in {raw:?}"));
    (at as i64, (at + needle.len()) as i64)
}

fn highlight(id: i64, doc: i64, html: &str, needle: &str, snippet: &str) -> TgHighlight {
    let (start_offset, end_offset) = offsets(html, needle);
    TgHighlight {
        id,
        document_id: doc,
        start_offset,
        end_offset,
        snippet: snippet.into(),
    }
}

fn command(id: i64, who: &str, doc: i64, highlight: i64) -> TgCommand {
    TgCommand {
        id,
        date: "2024-05-06 07:08:09.123456".into(),
        user_login: who.into(),
        document_id: Some(doc),
        payload: format!(
            r#"{{"type": "highlight_add", "highlight_id": {highlight}, "start_offset": 0, "end_offset": 1, "tags": []}}"#
        ),
    }
}

fn fixture() -> TaguetteRows {
    TaguetteRows {
        revision: String::new(),
        projects: vec![TgProject {
            id: 1,
            name: "Tea project".into(),
            description: "About tea".into(),
        }],
        documents: vec![
            TgDocument {
                id: 1,
                project_id: 1,
                name: "Interview".into(),
                description: "First interview".into(),
                filename: "interview.docx".into(),
                created: "2024-05-06 07:00:00".into(),
                contents: DOC1.into(),
            },
            TgDocument {
                id: 2,
                project_id: 1,
                name: "Notes".into(),
                description: String::new(),
                filename: "notes.md".into(),
                created: "2024-05-06 07:00:00".into(),
                contents: DOC2.into(),
            },
        ],
        tags: vec![
            TgTag {
                id: 1,
                project_id: 1,
                path: "drinks".into(),
                description: "Anything to drink".into(),
            },
            TgTag {
                id: 2,
                project_id: 1,
                path: "feelings".into(),
                description: String::new(),
            },
        ],
        highlights: vec![
            highlight(1, 1, DOC1, "tea 😀 with Zoë", "tea 😀 with Zo&euml;"),
            // Across two paragraphs, starting inside the first.
            highlight(
                2,
                1,
                DOC1,
                "Zoë.\n  Second paragraph <here>",
                "<p>Zo&euml;.</p>\n<p>  Second paragraph &lt;here&gt;</p>",
            ),
            highlight(3, 1, DOC1, "🎉 one", "🎉 one"),
            highlight(4, 1, DOC1, "one", "one"),
            highlight(5, 2, DOC2, "\"quoted\"", "&quot;quoted&quot;"),
            // Offsets past the end: skipped and reported.
            TgHighlight {
                id: 6,
                document_id: 2,
                start_offset: 5,
                end_offset: 5000,
                snippet: "x".into(),
            },
        ],
        highlight_tags: vec![(1, 1), (1, 2), (2, 2), (3, 2), (4, 1), (5, 1), (6, 1)],
        commands: vec![command(1, "alice", 1, 1), command(2, "bob", 1, 2)],
    }
}

#[test]
fn taguette_project_comes_in_with_exact_codings() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tea.sqlite3");
    write_fixture(&db, "63d7ca28fc0c", &fixture()).unwrap();
    let import = Session::read_taguette(&db).unwrap();
    let r = &import.report;
    assert_eq!(r.schema_version, "63d7ca28fc0c");
    assert_eq!((r.documents, r.codes, r.codings, r.coders), (2, 2, 6, 2));
    assert_eq!(r.verified_by_snippet, 6, "{:?}", r.snippet_mismatches);
    assert!(r.snippet_mismatches.is_empty());
    assert_eq!(r.skipped.len(), 1, "{:?}", r.skipped);
    assert!(r.skipped[0].contains("highlight 6"));

    let doc = &import.bundle.documents[0];
    assert_eq!(
        doc.doc.text,
        "Café & tea 😀 with Zoë.\n\nSecond paragraph <here>, and more.\n\nThird 🎉 one\nwith a break."
    );
    assert_eq!(doc.memo, "First interview");
    assert_eq!(import.bundle.codes[0].description, "Anything to drink");

    // Into a project: every coding's text is what Taguette highlighted.
    let mut store = Store::in_memory().unwrap();
    store.untracked(|tx| tx.add_bundle(&import.bundle)).unwrap();
    let db = store.db();
    let codings = ProjectRead::codings(&db, &CodingFilter::default()).unwrap();
    let docs = ProjectRead::documents(&db).unwrap();
    let mut texts: Vec<String> = codings
        .iter()
        .map(|c| {
            let t = db.document_text(c.doc).unwrap();
            t.chars().skip(c.start).take(c.end - c.start).collect()
        })
        .collect();
    texts.sort();
    assert_eq!(
        texts,
        [
            "\"quoted\"",
            "Zoë.\n\nSecond paragraph <here>",
            "one",
            "tea 😀 with Zoë",
            "tea 😀 with Zoë",
            "🎉 one",
        ]
    );
    assert_eq!(docs.len(), 2);
    let coders: Vec<String> = ProjectRead::coders(&db)
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert!(coders.contains(&"alice".to_owned()) && coders.contains(&"bob".to_owned()));
    let by_alice = codings
        .iter()
        .filter(|c| c.created_at.starts_with("2024-05-06T07:08:09"))
        .count();
    assert_eq!(
        by_alice, 3,
        "highlights 1 (two tags) and 2 carry the log's time"
    );
}

#[test]
fn unknown_schema_and_foreign_files_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("future.sqlite3");
    write_fixture(&db, "ffffffffffff", &fixture()).unwrap();
    let err = Session::read_taguette(&db).unwrap_err().to_string();
    assert!(err.contains("schema version ffffffffffff"), "{err}");
    assert!(err.contains("future.sqlite3"), "{err}");

    let text = dir.path().join("notes.sqlite3");
    std::fs::write(&text, "just some text, not a database at all").unwrap();
    let err = Session::read_taguette(&text).unwrap_err().to_string();
    assert!(err.contains("not a Taguette project database"), "{err}");
    assert!(err.contains("notes.sqlite3"), "{err}");

    let weft = dir.path().join("p.weft");
    drop(Store::create(&weft).unwrap());
    let err = Session::read_taguette(&weft).unwrap_err().to_string();
    assert!(err.contains("no `projects` table"), "{err}");
    assert!(std::fs::read(&weft).is_ok(), "left as it was");
}

/// `weft import-project` tells a Taguette database by its content and makes a new project of
/// it in one step, refusing to overwrite.
#[test]
fn import_project_reads_a_taguette_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("taguette.sqlite3");
    write_fixture(&db, weft::store::taguette::KNOWN_REVISIONS[0], &fixture()).unwrap();
    let project = dir.path().join("from-taguette.weft");
    let weft = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_weft"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = weft(&[
        "import-project",
        db.to_str().unwrap(),
        project.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Taguette project"), "{stdout}");
    assert!(stdout.contains("verified"), "{stdout}");
    let store = Store::open(&project).unwrap();
    assert_eq!(store.db().documents().unwrap().len(), 2);
    assert!(
        !store
            .db()
            .codings(&CodingFilter::default())
            .unwrap()
            .is_empty()
    );
    drop(store);
    let again = weft(&[
        "import-project",
        db.to_str().unwrap(),
        project.to_str().unwrap(),
    ]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}
