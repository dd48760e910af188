//! REFI-QDA export: `.qdpx` and `.qdc` files validate against the official schemas, every
//! selection lands on exactly the coded text (in code points and in NVivo's UTF-16 units), and
//! exporting twice gives the same GUIDs (the same bytes, in fact).
//!
//! Schema validation needs `xmllint` (Debian: libxml2-utils) and the XSDs in
//! `../shared/refi-qda/` beside the repository, which is outside it: when either is missing,
//! those checks print a note and are skipped.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod common;

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use weft::export::codebook::{codebook_csv, codebook_markdown, write_qdc};
use weft::export::qdpx::{Offsets, QdpxOptions, selection_guid, write_qdpx};
use weft::model::read::SPEAKER_TURN_MARKER;
use weft::model::{
    AttrScope, AttrType, Bundle, BundleAttribute, BundleCase, BundleCode, BundleCoder,
    BundleCoding, BundleDocument, BundleMemo, BundleTarget, BundleTheme, CharRange, CodingFilter,
    Color, NewDocument, Origin, ProjectRead, ThemeStatus, Turn,
};
use weft::store::Store;

const SCHEMAS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/refi-qda");

/// The schema at `name`, or `None` (with a note) when it or xmllint is missing.
fn schema(name: &str) -> Option<PathBuf> {
    let xsd = Path::new(SCHEMAS).join(name);
    let xmllint = std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok();
    if !xsd.is_file() || !xmllint {
        eprintln!(
            "note: skipping XSD validation: needs xmllint and {} (outside the repository)",
            xsd.display()
        );
        return None;
    }
    Some(xsd)
}

/// Validates `xml` against the schema `name` with xmllint (skipped when unavailable).
fn validate(xml: &[u8], name: &str) {
    let Some(xsd) = schema(name) else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.xml");
    std::fs::write(&file, xml).unwrap();
    let out = std::process::Command::new("xmllint")
        .args(["--nonet", "--noout", "--schema"])
        .arg(&xsd)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "xmllint refused the export: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn doc(name: &str, text: &str, turns: Vec<Turn>) -> NewDocument {
    NewDocument {
        name: name.into(),
        text: text.into(),
        origin: Origin {
            file_name: format!("{name}.txt"),
            format: "txt".into(),
            encoding: "UTF-8".into(),
            sha256: String::new(),
        },
        turns,
        guid: None,
    }
}

fn turn(start: usize, body: usize, end: usize, who: &str) -> Turn {
    Turn {
        start,
        body_start: body,
        end,
        speaker: who.into(),
        timestamp: None,
    }
}

fn coding(
    document: &str,
    code: &str,
    coder: &str,
    range: (usize, usize),
    memo: &str,
) -> BundleCoding {
    BundleCoding {
        guid: None,
        document: document.into(),
        code: code.into(),
        coder: Some(coder.into()),
        range: CharRange::new(range.0, range.1).unwrap(),
        memo: memo.into(),
        created_at: Some("2024-03-01T10:00:00+02:00".into()),
        selection_guid: None,
    }
}

const INTERVIEW: &str = "Peer support 😀 is mutual & <real>.\nSecond line: \"quoted\" 'too' 共同.\n\nAfter a blank line, 🎉🎉 done.";
const FOCUS: &str = "Anna: I came here first.\nBen: Me too 😀, later.\nAnna: Then we met.\n";

/// A project with every kind of object: document and case attributes of every type, a focus
/// group with speakers mapped to cases, memos of every kind, coding memos, nested codes, two
/// coders, emoji and multi-line text.
fn everything() -> Store {
    let attr = |name: &str, scope, kind| BundleAttribute {
        guid: None,
        name: name.into(),
        scope,
        kind,
    };
    let code = |path: &str, desc: &str| BundleCode {
        guid: None,
        path: path.into(),
        color: Some(Color([0x12, 0xab, 0xef])),
        description: desc.into(),
    };
    let memo = |target, title: &str, body: &str, coder: &str| BundleMemo {
        guid: None,
        target,
        title: title.into(),
        body: body.into(),
        coder: Some(coder.into()),
    };
    // Turns of FOCUS: "Anna: I came here first.\n" is 0..25, Ben's 25..47, Anna's 47..66.
    let focus_turns = vec![
        turn(0, 6, 25, "Anna"),
        turn(25, 30, 47, "Ben"),
        turn(47, 53, 66, "Anna"),
    ];
    let bundle = Bundle {
        title: Some("Everything & more <test>".into()),
        coders: vec![
            BundleCoder {
                guid: None,
                name: "Alex".into(),
            },
            BundleCoder {
                guid: None,
                name: "Sam O'Neil".into(),
            },
        ],
        default_coder: Some("Alex".into()),
        attributes: vec![
            attr("role", AttrScope::Case, AttrType::Text),
            attr("age", AttrScope::Case, AttrType::Number),
            attr("score", AttrScope::Case, AttrType::Number),
            attr("consented", AttrScope::Case, AttrType::Boolean),
            attr("joined", AttrScope::Case, AttrType::Date),
            attr("site", AttrScope::Document, AttrType::Text),
            attr("minutes", AttrScope::Document, AttrType::Number),
            attr("recorded", AttrScope::Document, AttrType::Boolean),
            attr("date", AttrScope::Document, AttrType::Date),
        ],
        cases: vec![
            BundleCase {
                guid: None,
                name: "P01".into(),
                memo: "Case memo\nwith two lines & <angle>".into(),
                attrs: vec![
                    ("role".into(), "peer worker".into()),
                    ("age".into(), "34".into()),
                    ("score".into(), "2.5".into()),
                    ("consented".into(), "true".into()),
                    ("joined".into(), "2023-05-01".into()),
                ],
            },
            BundleCase {
                guid: None,
                name: "P02".into(),
                memo: String::new(),
                attrs: vec![
                    ("age".into(), "41".into()),
                    ("score".into(), "3".into()),
                    ("consented".into(), "FALSE".into()),
                ],
            },
        ],
        documents: vec![
            BundleDocument {
                doc: doc("Interview 1", INTERVIEW, Vec::new()),
                memo: "Document memo 😀".into(),
                cases: vec!["P01".into()],
                attrs: vec![
                    ("site".into(), "North".into()),
                    ("minutes".into(), "55".into()),
                    ("recorded".into(), "true".into()),
                    ("date".into(), "2024-02-29".into()),
                ],
                speakers: Vec::new(),
            },
            BundleDocument {
                doc: doc("Focus group", FOCUS, focus_turns),
                memo: String::new(),
                cases: Vec::new(),
                attrs: vec![("minutes".into(), "90.5".into())],
                speakers: vec![("Anna".into(), "P01".into()), ("Ben".into(), "P02".into())],
            },
        ],
        codes: vec![
            code("Role", "The role\nas a whole"),
            code("Role/Boundaries", "Lines & limits"),
            code("Role/Boundaries/Money", ""),
            code("Mutuality", ""),
            code("Never used", "A code nobody applied"),
        ],
        codings: vec![
            coding("Interview 1", "Role", "Alex", (0, 14), "first 😀 memo"),
            coding("Interview 1", "Role/Boundaries", "Sam O'Neil", (13, 14), ""),
            coding(
                "Interview 1",
                "Role/Boundaries/Money",
                "Alex",
                (15, 70),
                "spans lines",
            ),
            coding("Interview 1", "Mutuality", "Sam O'Neil", (70, 96), ""),
            coding("Focus group", "Mutuality", "Alex", (30, 41), ""),
            coding(
                "Focus group",
                "Role",
                "Sam O'Neil",
                (0, 66),
                "the whole group",
            ),
        ],
        memos: vec![
            memo(
                BundleTarget::Project,
                "Journal 1",
                "Day one.\nThoughts.",
                "Alex",
            ),
            memo(BundleTarget::Project, "Journal 2", "Day two.", "Sam O'Neil"),
            memo(
                BundleTarget::Document("Interview 1".into()),
                "On the interview",
                "Rich.",
                "Alex",
            ),
            memo(
                BundleTarget::Code("Role/Boundaries".into()),
                "On boundaries",
                "Hmm & <so>",
                "Alex",
            ),
            memo(
                BundleTarget::Case("P02".into()),
                "On P02",
                "Quiet.",
                "Sam O'Neil",
            ),
        ],
        themes: vec![
            BundleTheme {
                guid: Some("6f1d3c1e-8f4a-4d7b-9a58-1c2b3d4e5f60".into()),
                concept: "Rules protect & <bind>".into(),
                definition: "How workers keep\nthe line.".into(),
                boundaries: "Not pay.".into(),
                status: ThemeStatus::Final,
                codes: vec!["Role/Boundaries".into(), "Never used".into()],
                ..BundleTheme::named("Boundaries hold the role together")
            },
            BundleTheme {
                parent: Some("Boundaries hold the role together".into()),
                codes: vec!["Role/Boundaries".into()],
                ..BundleTheme::named("A sub-theme")
            },
        ],
    };
    let mut store = Store::in_memory().unwrap();
    store.untracked(|tx| tx.add_bundle(&bundle)).unwrap();
    store
}

fn demo() -> Store {
    let mut store = Store::in_memory().unwrap();
    weft::demo::build(&mut store).unwrap();
    store
}

/// The demo's coded transcripts without its thematic analysis.
fn coded_demo() -> Store {
    let mut store = Store::in_memory().unwrap();
    weft::demo::build_without_analysis(&mut store).unwrap();
    store
}

/// The `.qdpx` bytes of `store`.
fn qdpx(store: &Store, offsets: Offsets) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    write_qdpx(
        &store.db(),
        &mut out,
        &QdpxOptions { offsets },
        &mut |_, _| true,
    )
    .unwrap();
    out.into_inner()
}

/// Every entry of a zip, by name.
fn unzip(bytes: &[u8]) -> HashMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = HashMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        out.insert(f.name().to_owned(), b);
    }
    out
}

/// A `PlainTextSelection` as read back.
#[derive(Debug)]
struct Sel {
    source: String,
    guid: String,
    start: usize,
    end: usize,
    coding: Option<String>,
    description: String,
}

/// The selections of a `project.qde`, with their source's GUID.
fn selections(xml: &[u8]) -> Vec<Sel> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut source = String::new();
    let mut out: Vec<Sel> = Vec::new();
    let mut in_sel = false;
    let mut in_desc = false;
    let attr = |e: &quick_xml::events::BytesStart<'_>, k: &str| -> String {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == k.as_bytes())
            .map(|a| a.unescape_value().unwrap().into_owned())
            .unwrap_or_default()
    };
    loop {
        match r.read_event_into(&mut buf).unwrap() {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"TextSource" => source = attr(&e, "guid"),
                b"PlainTextSelection" => {
                    in_sel = true;
                    out.push(Sel {
                        source: source.clone(),
                        guid: attr(&e, "guid"),
                        start: attr(&e, "startPosition").parse().unwrap(),
                        end: attr(&e, "endPosition").parse().unwrap(),
                        coding: None,
                        description: String::new(),
                    });
                }
                b"Coding" if in_sel => out.last_mut().unwrap().coding = Some(attr(&e, "guid")),
                b"Description" if in_sel => in_desc = true,
                _ => {}
            },
            Event::Text(t) if in_desc => {
                out.last_mut().unwrap().description = t.unescape().unwrap().into_owned();
            }
            Event::End(e) => match e.name().as_ref() {
                b"PlainTextSelection" => in_sel = false,
                b"Description" => in_desc = false,
                _ => {}
            },
            _ => {}
        }
        buf.clear();
    }
    out
}

/// Checks every selection of an export against the project: each coding is there once, on
/// exactly its text; speaker-turn selections cover a turn of a mapped speaker.
fn check_selections(store: &Store, bytes: &[u8], offsets: Offsets) {
    let db = store.db();
    let files = unzip(bytes);
    let sels = selections(&files["project.qde"]);
    let codings = ProjectRead::codings(&db, &CodingFilter::default()).unwrap();
    let docs = ProjectRead::documents(&db).unwrap();
    let by_guid: HashMap<&str, _> = codings.iter().map(|c| (c.guid.as_str(), c)).collect();
    let mut seen = 0;
    for s in &sels {
        let source =
            String::from_utf8(files[&format!("sources/{}.txt", s.source)].clone()).unwrap();
        let slice = match offsets {
            Offsets::Codepoints => source
                .chars()
                .skip(s.start)
                .take(s.end - s.start)
                .collect::<String>(),
            Offsets::Utf16 => {
                let units: Vec<u16> = source.encode_utf16().collect();
                String::from_utf16(&units[s.start..s.end]).unwrap()
            }
        };
        match &s.coding {
            Some(g) => {
                let c = by_guid[g.as_str()];
                assert_eq!(s.guid, selection_guid(g));
                let text = db.document_text(c.doc).unwrap();
                let want: String = text.chars().skip(c.start).take(c.end - c.start).collect();
                assert_eq!(slice, want, "selection {} of coding {g}", s.guid);
                seen += 1;
            }
            None => {
                let who = s.description.strip_prefix(SPEAKER_TURN_MARKER).unwrap();
                assert!(slice.starts_with(who), "{slice:?} is {who}'s turn");
            }
        }
    }
    assert_eq!(seen, codings.len(), "one selection per coding");
    for d in &docs {
        let text = db.document_text(d.id).unwrap();
        assert_eq!(
            files[&format!("sources/{}.txt", d.guid)],
            text.as_bytes(),
            "source byte for byte"
        );
    }
}

#[test]
fn demo_project_validates() {
    let store = demo();
    let bytes = qdpx(&store, Offsets::Codepoints);
    let files = unzip(&bytes);
    validate(&files["project.qde"], "Project-mrt2019.xsd");
    check_selections(&store, &bytes, Offsets::Codepoints);
    let mut qdc = Vec::new();
    write_qdc(&store.db(), &mut qdc).unwrap();
    validate(&qdc, "Codebook-mrt2019.xsd");
}

#[test]
fn every_kind_of_object_validates_and_lands_exactly() {
    let store = everything();
    for offsets in [Offsets::Codepoints, Offsets::Utf16] {
        let bytes = qdpx(&store, offsets);
        let files = unzip(&bytes);
        validate(&files["project.qde"], "Project-mrt2019.xsd");
        check_selections(&store, &bytes, offsets);
    }
    let bytes = qdpx(&store, Offsets::Codepoints);
    let xml = String::from_utf8(unzip(&bytes)["project.qde"].clone()).unwrap();
    // Every kind of object is there.
    assert!(xml.contains(r#"name="Everything &amp; more &lt;test&gt;""#));
    for t in ["Text", "Integer", "Float", "Boolean", "Date"] {
        assert!(xml.contains(&format!(r#"typeOfVariable="{t}""#)), "{t}");
    }
    assert!(
        xml.contains("<BooleanValue>false</BooleanValue>"),
        "FALSE is written as xsd:boolean"
    );
    assert!(xml.contains(r#"name="Never used" isCodable="true""#));
    assert!(
        xml.contains("<Description>Case memo\nwith two lines &amp; &lt;angle&gt;</Description>")
    );
    assert!(xml.contains("Weft case memo: "));
    assert_eq!(
        xml.matches("<Note ").count(),
        5 + 1 + 3,
        "memos, the document memo, coding memos"
    );
    assert_eq!(
        xml.matches("<SelectionRef ").count(),
        3,
        "one per turn of a mapped speaker"
    );
    assert!(xml.contains(r#"name="Alex"/>"#) && xml.contains(r#"name="Sam O&apos;Neil"/>"#));
    // Themes are sets of codes, after the notes, with their GUID, members and description.
    let sets = &xml[xml.find("<Sets>").expect("a Sets element")..];
    assert!(xml.find("</Notes>").unwrap() < xml.find("<Sets>").unwrap());
    assert_eq!(sets.matches("<Set ").count(), 2);
    assert!(sets.contains(
        r#"<Set guid="6f1d3c1e-8f4a-4d7b-9a58-1c2b3d4e5f60" name="Boundaries hold the role together">"#
    ));
    assert!(sets.contains("Weft theme\nStatus: final\n"));
    assert!(sets.contains("Rules protect &amp; &lt;bind&gt;"));
    assert!(sets.contains("Sub-theme of: Boundaries hold the role together"));
    assert_eq!(sets.matches("<MemberCode targetGUID=").count(), 3);
    // NoteRefs from the project (the journal), a code, a source and codings.
    let project_refs = xml.rsplit("</Notes>").next().unwrap();
    assert_eq!(project_refs.matches("<NoteRef ").count(), 2);
    assert_eq!(xml.matches("<NoteRef ").count(), 2 + 1 + 2 + 3);
}

#[test]
fn exporting_twice_gives_the_same_guids() {
    let store = everything();
    let a = unzip(&qdpx(&store, Offsets::Codepoints));
    let b = unzip(&qdpx(&store, Offsets::Codepoints));
    assert_eq!(
        a["project.qde"], b["project.qde"],
        "the same file, GUIDs included"
    );
    let sels = selections(&a["project.qde"]);
    assert!(
        sels.iter()
            .all(|s| s.guid.len() == 36 && s.guid == s.guid.to_lowercase())
    );
}

#[test]
fn utf16_offsets_count_emoji_twice() {
    let store = everything();
    let cp = selections(&unzip(&qdpx(&store, Offsets::Codepoints))["project.qde"]);
    let u16 = selections(&unzip(&qdpx(&store, Offsets::Utf16))["project.qde"]);
    // "Peer support 😀" is 14 chars but 15 UTF-16 units.
    assert!(cp.iter().any(|x| x.start == 0 && x.end == 14));
    assert!(!cp.iter().any(|x| x.start == 0 && x.end == 15));
    assert!(u16.iter().any(|x| x.start == 0 && x.end == 15));
    assert!(!u16.iter().any(|x| x.start == 0 && x.end == 14));
}

#[test]
fn codebook_tables() {
    let store = everything();
    let csv = String::from_utf8(codebook_csv(&store.db()).unwrap()).unwrap();
    assert!(csv.starts_with("path,color,description,segments\n"));
    assert!(csv.contains("Role/Boundaries/Money,#12abef,,1\n"));
    assert!(csv.contains("\"The role\nas a whole\",2\n"));
    let md = String::from_utf8(codebook_markdown(&store.db()).unwrap()).unwrap();
    assert!(md.contains("| Never used | #12abef | A code nobody applied | 0 |"));
    let mut qdc = Vec::new();
    assert_eq!(write_qdc(&store.db(), &mut qdc).unwrap(), 5);
    validate(&qdc, "Codebook-mrt2019.xsd");
}

#[test]
fn cli_export_refuses_the_project_and_writes_each_format() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.weft");
    let ps = common::s(&p);
    common::ok(&["demo", ps]);
    let err = common::fails(&["export", ps, "--format", "qdpx", "-o", ps]);
    assert!(err.contains("project file itself"), "{err}");
    for (format, name) in [
        ("qdpx", "x.qdpx"),
        ("qdc", "x.qdc"),
        ("codebook-csv", "x.csv"),
        ("codebook-md", "x.md"),
    ] {
        let out = dir.path().join(name);
        common::ok(&["export", ps, "--format", format, "-o", common::s(&out)]);
        assert!(std::fs::metadata(&out).unwrap().len() > 100, "{format}");
    }
    let out = dir.path().join("n.qdpx");
    common::ok(&[
        "export",
        ps,
        "--format",
        "qdpx",
        "--offsets",
        "utf16",
        "-o",
        common::s(&out),
    ]);
    let files = unzip(&std::fs::read(&out).unwrap());
    validate(&files["project.qde"], "Project-mrt2019.xsd");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        6,
        "no temporary files left"
    );
}

#[test]
fn themes_are_sets_and_validate() {
    let mut store = coded_demo();
    store
        .untracked(|tx| {
            let a = tx.add_theme("Giving back makes it worth it", None, None, None)?;
            tx.set_theme_text(a, Some("Helping & <healing>"), Some("Def"), Some("Not pay"))?;
            tx.set_theme_status(a, ThemeStatus::Reviewed)?;
            let b = tx.add_theme("Owing", Some(a), None, None)?;
            let d = tx.add_theme("Set aside", None, None, None)?;
            tx.set_theme_status(d, ThemeStatus::Discarded)?;
            let tree = tx.code_tree()?;
            for (t, path) in [
                (a, "Reciprocity"),
                (a, "Reciprocity/Giving back"),
                (b, "Reciprocity/Exchange and obligation"),
            ] {
                tx.link_code(t, tree.find_path(path).unwrap())?;
            }
            Ok(())
        })
        .unwrap();
    let files = unzip(&qdpx(&store, Offsets::Codepoints));
    validate(&files["project.qde"], "Project-mrt2019.xsd");
    let xml = String::from_utf8(files["project.qde"].clone()).unwrap();
    assert_eq!(
        xml.matches("<Set ").count(),
        3,
        "discarded themes travel too"
    );
    assert_eq!(xml.matches("<MemberCode ").count(), 3);
    assert!(xml.contains("Status: discarded"));
}
