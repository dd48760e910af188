// REFI-QDA import: the shared real exports (when present), hand-written fixtures built here with
// the `zip` crate, and hostile files.

#![allow(clippy::unwrap_used, clippy::print_stdout)] // a skipped sample is said on stdout

mod common;
use common::{fails, ok, s};

use std::io::Write;
use std::path::{Path, PathBuf};

use weft::import::qdpx::{self, Limits, QdpxError};
use weft::model::{AttrScope, CodingFilter, MemoTarget};
use weft::session::Session;

const SAMPLES: &str = "../shared/refi-qda/samples";

/// The shared samples live outside the repository: `None` (with a note) when absent.
fn sample(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(SAMPLES)
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        println!(
            "note: {} is absent (it lives outside the repository); test skipped",
            p.display()
        );
        None
    }
}

/// Writes a zip at `path` holding `entries`.
fn zip_file(path: &Path, entries: &[(&str, &[u8])]) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        z.start_file(*name, opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

/// Imports `qdpx` into a new project in `dir`.
fn import(dir: &Path, qdpx: &Path) -> (Session, qdpx::QdpxReport) {
    let imported = qdpx::read(qdpx, &mut |_, _| true).unwrap();
    let target = dir.join("imported.weft");
    let (session, _) =
        Session::create_from_bundle(&target, "Import project", imported.bundle, &|| false).unwrap();
    (session, imported.report)
}

fn count(xml: &str, tag: &str) -> usize {
    xml.matches(&format!("<{tag} ")).count() + xml.matches(&format!("<{tag}>")).count()
}

fn qde_of(path: &Path) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let name = (0..z.len())
        .map(|i| z.by_index(i).unwrap().name().to_owned())
        .find(|n| n.to_lowercase().ends_with(".qde"))
        .unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut z.by_name(&name).unwrap(), &mut s).unwrap();
    s
}

/// The text of every coding, by the coding's GUID.
fn coded_texts(session: &Session) -> Vec<(String, String)> {
    let db = session.read();
    db.codings(&CodingFilter::default())
        .unwrap()
        .into_iter()
        .map(|c| {
            let text = db.document_text(c.doc).unwrap();
            let t: String = text.chars().skip(c.start).take(c.end - c.start).collect();
            (c.guid, t)
        })
        .collect()
}

#[test]
fn every_shared_sample_opens_with_the_counts_of_its_xml() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "nvivo-win-12.6_oltas0517.qdpx",
        "atlasti-win-23.2_target-atlas-project.qdpx",
    ] {
        let Some(path) = sample(name) else { continue };
        let xml = qde_of(&path);
        let sub = dir.path().join(name);
        std::fs::create_dir(&sub).unwrap();
        let (session, report) = import(&sub, &path);
        let db = session.read();
        assert_eq!(db.codes().unwrap().len(), count(&xml, "Code"), "{name}");
        assert_eq!(
            db.documents().unwrap().len(),
            count(&xml, "TextSource"),
            "{name}"
        );
        assert_eq!(db.cases().unwrap().len(), count(&xml, "Case"), "{name}");
        let selections = count(&xml, "PlainTextSelection");
        let codings = db.codings(&CodingFilter::default()).unwrap().len();
        assert_eq!(codings, count(&xml, "Coding"), "{name}");
        let imported: usize = report.sources.iter().map(|s| s.selections).sum();
        assert_eq!(imported, selections, "{name}: every selection imported");
        assert!(report.skipped.is_empty(), "{name}: {:?}", report.skipped);
        // Every user is a coder (a new project also has its own default coder).
        assert!(db.coders().unwrap().len() >= count(&xml, "User"), "{name}");
    }
}

#[test]
fn nvivo_positions_are_utf16_and_land_on_the_coded_text_after_emoji_and_crlf() {
    let Some(path) = sample("nvivo-win-12.6_oltas0517.qdpx") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (session, report) = import(dir.path(), &path);
    let coded = report.sources.iter().find(|s| s.selections > 0).unwrap();
    assert_eq!(coded.unit, "utf16");
    assert_eq!(coded.selections, 303);
    assert_eq!(coded.verified_by_quote, 0, "NVivo writes empty names");
    assert!(coded.verified_by_boundaries >= 295, "{coded:?}");
    // Hand-checked passages, far into a text with a BOM, CRLF and hundreds of emoji before them.
    let texts: Vec<String> = coded_texts(&session).into_iter().map(|(_, t)| t).collect();
    for want in [
        "Mi az a fityesznek? Akkor írják át amikor akarják 🤣🤣🤣",
        "Nem tehetik kötelezővé! 😡😡",
        "Rohadt életbe, hogy az emberre rá akarnak erőszakolni valamit, ami csak ajánlott 😤😤😤",
        "CDC announces 79% of all U.S. omicron cases have occurred in vaccinated individuals",
        "sabbat asboth, ennyit tudtál...",
    ] {
        assert!(texts.iter().any(|t| t == want), "no coding of “{want}”");
    }
    // No coded text starts or ends inside a line break pair or with a stray CR.
    assert!(texts.iter().all(|t| !t.contains('\r')));
    // Read as code points instead, the same passage would drift: the unit matters here.
    let db = session.read();
    let doc = db.document_by_name("videos_10_selected").unwrap().unwrap();
    let text = db.document_text(doc).unwrap();
    assert!(!text.contains('\r') && !text.starts_with('\u{feff}'));
}

#[test]
fn the_atlas_codebook_sample_merges_without_duplicates() {
    let Some(qdc) = sample("atlasti-win-9.0_codebook.qdc") else {
        return;
    };
    let (codes, report) = qdpx::read_codebook(&qdc).unwrap();
    assert_eq!(codes.len(), 5);
    assert!(codes.iter().any(|c| c.path == "code3/code:3.1"));
    assert_eq!(report.skipped.get("<Sets> (not kept by Weft)"), Some(&1));
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.weft");
    ok(&["new", s(&p)]);
    let first = ok(&["code", "import", s(&p), s(&qdc)]);
    assert!(first.contains("5 added"), "{first}");
    let again = ok(&["code", "import", s(&p), s(&qdc)]);
    assert!(again.contains("0 added, 5 already"), "{again}");
    let list = ok(&["code", "list", s(&p), "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&list).unwrap();
    assert_eq!(rows.len(), 5);
    // One undo step per import.
    ok(&["undo", s(&p)]);
    ok(&["undo", s(&p)]);
    let list = ok(&["code", "list", s(&p), "--json"]);
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&list)
            .unwrap()
            .len(),
        0
    );
}

/// Position of `needle` in `raw` counted as a tool would: code points or UTF-16 units, CRLF as
/// 2 or 1.
fn pos(raw: &str, needle: &str, utf16: bool, crlf: usize) -> (usize, usize) {
    let b = raw.find(needle).unwrap();
    let units = |s: &str| {
        let n = if utf16 {
            s.encode_utf16().count()
        } else {
            s.chars().count()
        };
        n - if crlf == 1 {
            s.matches("\r\n").count()
        } else {
            0
        }
    };
    let start = units(&raw[..b]);
    (start, start + units(needle))
}

const RAW: &str = "Ana: I trust you 😀 a lot.\r\nBen: Fear is here, 🤣 truly.\r\nAna: Fine.\r\n";

fn sel(guid: &str, name: &str, (a, b): (usize, usize), inner: &str) -> String {
    format!(
        r#"<q:PlainTextSelection guid="{guid}" name="{name}" startPosition="{a}" endPosition="{b}">{inner}</q:PlainTextSelection>"#
    )
}

/// A project written the way several tools do: prefixed namespace, braces and upper case in
/// GUIDs, `Sources/` in capitals, a BOM and CRLF in the text.
fn rich_fixture(dir: &Path) -> PathBuf {
    let trust = pos(RAW, "trust you", false, 2);
    let fear = pos(RAW, "Fear", false, 2);
    let turn = pos(RAW, "I trust you 😀 a lot.", false, 2);
    let selections = [
        sel(
            "SEL1",
            "trust you",
            trust,
            r#"<q:Coding guid="{G1}" creatingUser="AAAA-0002" creationDateTime="2024-01-02T03:04:05Z"><q:CodeRef targetGUID="c2"/><q:NoteRef targetGUID="N4"/></q:Coding>"#,
        ),
        sel(
            "SEL2",
            "Fear",
            fear,
            r#"<q:Coding guid="G2"><q:CodeRef targetGUID="C3"/></q:Coding>"#,
        ),
        sel(
            "SEL3",
            "x",
            (50, 40),
            r#"<q:Coding guid="G3"><q:CodeRef targetGUID="C3"/></q:Coding>"#,
        ),
        sel(
            "SEL4",
            "",
            (5, 99_999),
            r#"<q:Coding guid="G4"><q:CodeRef targetGUID="C3"/></q:Coding>"#,
        ),
        sel(
            "SEL5",
            "",
            fear,
            r#"<q:Coding guid="g1"><q:CodeRef targetGUID="C3"/></q:Coding>"#,
        ),
        sel(
            "SEL6",
            "",
            fear,
            r#"<q:Coding guid="G6"><q:CodeRef targetGUID="NOPE"/></q:Coding>"#,
        ),
        sel(
            "SEL-SPK",
            "",
            turn,
            r#"<q:Description>Weft speaker turn: Ana</q:Description>"#,
        ),
    ]
    .join("\n");
    let xml = format!(
        r##"<?xml version="1.0" encoding="utf-8"?>
<q:Project xmlns:q="urn:QDA-XML:project:1.0" name="Fixture" origin="QualCoder 3.5" creatingUserGUID="{{AAAA-0001}}">
 <q:Users><q:User guid="{{AAAA-0001}}" name="Ana"/><q:User guid="aaaa-0002" name="Ben"/></q:Users>
 <q:CodeBook><q:Codes>
   <q:Code guid="C1" name="Feelings" isCodable="false" color="#abc">
     <q:Description>Folder</q:Description>
     <q:NoteRef targetGUID="N3"/>
     <q:Code guid="C2" name="Trust" isCodable="true" color="#FF8800"><q:Description>When trust is named</q:Description></q:Code>
   </q:Code>
   <q:Code guid="C3" name="Fear" isCodable="true"/>
 </q:Codes></q:CodeBook>
 <q:Variables>
   <q:Variable guid="V1" name="Age" typeOfVariable="Integer"/>
   <q:Variable guid="V2" name="Consented" typeOfVariable="Boolean"/>
   <q:Variable guid="V3" name="Interviewed" typeOfVariable="Date"/>
 </q:Variables>
 <q:Cases>
   <q:Case guid="K1" name="P01"><q:Description>Quiet person</q:Description><q:VariableValue><q:VariableRef targetGUID="V1"/><q:IntegerValue>34</q:IntegerValue></q:VariableValue><q:SourceRef targetGUID="S1"/><q:SelectionRef targetGUID="SEL-SPK"/></q:Case>
   <q:Case guid="K2"><q:VariableValue><q:VariableRef targetGUID="V3"/><q:DateValue>2024-03-01</q:DateValue></q:VariableValue><q:SourceRef targetGUID="{{S1}}"/></q:Case>
   <q:Case guid="K3" name="P02"><q:SourceRef targetGUID="GONE"/></q:Case>
 </q:Cases>
 <q:Sources>
   <q:TextSource guid="S1" name="Interview 1" plainTextPath="internal://s1.txt">
     <q:Description>doc memo</q:Description>
     {selections}
     <q:Coding guid="G7"><q:CodeRef targetGUID="C3"/></q:Coding>
     <q:NoteRef targetGUID="N2"/>
     <q:VariableValue><q:VariableRef targetGUID="V2"/><q:BooleanValue>1</q:BooleanValue></q:VariableValue>
   </q:TextSource>
   <q:PDFSource guid="P1" name="scan" path="internal://p1.pdf"/>
 </q:Sources>
 <q:Notes>
   <q:Note guid="N1" name="Journal"><q:PlainTextContent>Started</q:PlainTextContent></q:Note>
   <q:Note guid="N2" name="About doc"><q:PlainTextContent>doc note</q:PlainTextContent></q:Note>
   <q:Note guid="N3" name="About code"><q:PlainTextContent>code note</q:PlainTextContent></q:Note>
   <q:Note guid="N4" name="On passage"><q:PlainTextContent>passage note</q:PlainTextContent></q:Note>
   <q:Note guid="N5" name="Orphan"><q:PlainTextContent>orphan</q:PlainTextContent></q:Note>
 </q:Notes>
 <q:Links><q:Link guid="L1" name="x"/></q:Links>
 <q:NoteRef targetGUID="N1"/>
</q:Project>"##
    );
    let mut text = b"\xEF\xBB\xBF".to_vec();
    text.extend_from_slice(RAW.as_bytes());
    let path = dir.join("rich.qdpx");
    zip_file(
        &path,
        &[("Project.QDE", xml.as_bytes()), ("Sources/S1.TXT", &text)],
    );
    path
}

#[test]
fn everything_maps_and_what_cannot_is_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = rich_fixture(dir.path());
    let (session, report) = import(dir.path(), &path);
    let db = session.read();
    assert_eq!(db.title().unwrap(), "Fixture");
    // Coders, with their GUIDs normalised; the project's creator is the default coder.
    let coders = db.coders().unwrap();
    assert!(coders.iter().any(|c| c.name == "Ana"));
    assert!(
        coders
            .iter()
            .any(|c| c.name == "Ben" && c.guid == "aaaa-0002")
    );
    let ana = db.coder_by_name("Ana").unwrap().unwrap();
    assert_eq!(db.default_coder().unwrap(), Some(ana));
    // Codes: the folder is a plain parent; colours in both forms; descriptions.
    let trust = db.require_code("Feelings/Trust").unwrap();
    let trust = db.code(trust).unwrap();
    assert_eq!(trust.color.to_hex(), "#ff8800");
    assert_eq!(trust.guid, "c2");
    assert_eq!(trust.description, "When trust is named");
    let folder = db.code(db.require_code("Feelings").unwrap()).unwrap();
    assert_eq!(folder.color.to_hex(), "#aabbcc");
    // The document: BOM gone, LF only.
    let doc = db.require_document("Interview 1").unwrap();
    let text = db.document_text(doc).unwrap();
    assert_eq!(text, RAW.replace("\r\n", "\n"));
    assert_eq!(db.document(doc).unwrap().memo, "doc memo");
    assert_eq!(db.document(doc).unwrap().guid, "s1");
    // Codings: two selections, one whole-source coding; the rest skipped.
    let texts = coded_texts(&session);
    let by = |g: &str| texts.iter().find(|(k, _)| k == g).map(|(_, t)| t.clone());
    assert_eq!(by("g1").as_deref(), Some("trust you"));
    assert_eq!(by("g2").as_deref(), Some("Fear"));
    assert_eq!(by("g7").as_deref(), Some(text.as_str()));
    assert_eq!(texts.len(), 3, "{texts:?}");
    let codings = db.codings(&CodingFilter::default()).unwrap();
    let g1 = codings.iter().find(|c| c.guid == "g1").unwrap();
    assert_eq!(g1.memo, "passage note");
    assert_eq!(g1.created_at, "2024-01-02T03:04:05Z");
    assert_eq!(db.coder_name(g1.coder).unwrap(), "Ben");
    // Cases: the named one with its memo and value, the nameless one became document values.
    let cases = db.cases().unwrap();
    assert_eq!(
        cases.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["P01", "P02"]
    );
    assert_eq!(cases[0].memo, "Quiet person");
    let links = db.case_links().unwrap();
    let p01 = cases[0].id;
    assert_eq!(links.doc_cases.get(&doc), Some(&vec![p01]));
    assert_eq!(
        links
            .case_attrs
            .get(&(p01, "Age".to_owned()))
            .map(String::as_str),
        Some("34")
    );
    assert_eq!(
        links
            .doc_attrs
            .get(&(doc, "Interviewed".to_owned()))
            .map(String::as_str),
        Some("2024-03-01")
    );
    assert_eq!(
        links
            .doc_attrs
            .get(&(doc, "Consented".to_owned()))
            .map(String::as_str),
        Some("true")
    );
    // The speaker mapping of a Weft export comes back.
    assert_eq!(
        links.speaker_cases.get(&(doc, "Ana".to_owned())),
        Some(&p01)
    );
    let attrs = db.attributes().unwrap();
    let age = attrs.iter().find(|a| a.name == "Age").unwrap();
    assert_eq!(
        (age.scope, age.kind.as_str(), age.guid.as_str()),
        (AttrScope::Case, "number", "v1")
    );
    let when = attrs.iter().find(|a| a.name == "Interviewed").unwrap();
    assert_eq!(
        (when.scope, when.kind.as_str()),
        (AttrScope::Document, "date")
    );
    // Memos on the project, the document, the code; the unreferenced note is kept too.
    let memos = db.memos().unwrap();
    let on = |title: &str| memos.iter().find(|m| m.title == title).map(|m| m.target);
    assert_eq!(on("Journal"), Some(MemoTarget::Project));
    assert_eq!(on("About doc"), Some(MemoTarget::Document(doc)));
    assert_eq!(on("About code"), Some(MemoTarget::Code(folder.id)));
    assert_eq!(on("Orphan"), Some(MemoTarget::Project));
    assert_eq!(memos.len(), 4);
    // The report.
    let src = &report.sources[0];
    assert_eq!(src.unit, "codepoints");
    assert_eq!((src.selections, src.verified_by_quote), (5, 2));
    let skipped = |k: &str| report.skipped.get(k).copied().unwrap_or(0);
    assert_eq!(skipped("selection with positions outside its text"), 2);
    assert_eq!(skipped("coding with a duplicate GUID"), 1);
    assert_eq!(skipped("coding of a code not in the file"), 1);
    assert_eq!(skipped("PDFSource (not a text source)"), 1);
    assert_eq!(skipped("<Links> (not kept by Weft)"), 1);
    assert_eq!(skipped("case reference to a source not imported"), 1);
    let text_report = report.to_text();
    assert!(
        text_report.contains("positions read as codepoints"),
        "{text_report}"
    );
    assert!(
        text_report.contains("2 verified by their quote"),
        "{text_report}"
    );
    // Selection GUIDs are kept beside their codings, for a later export.
    drop(session);
    let c = rusqlite::Connection::open(dir.path().join("imported.weft")).unwrap();
    let sel: Option<String> = c
        .query_row(
            "SELECT selection_guid FROM coding WHERE guid = 'g1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sel.as_deref(), Some("sel1"));
}

/// A one-source project whose selections were counted in `utf16`/`crlf`, with quotes or not.
fn counted_fixture(dir: &Path, origin: &str, utf16: bool, crlf: usize, quotes: bool) -> PathBuf {
    let picks = ["trust you 😀 a", "Fear is here, 🤣 truly.", "Fine"];
    let sels: String = picks
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let quote = if quotes {
                (*p).to_owned()
            } else {
                String::new()
            };
            sel(
                &format!("S{i}"),
                &quote,
                pos(RAW, p, utf16, crlf),
                &format!(r#"<q:Coding guid="K{i}"><q:CodeRef targetGUID="C1"/></q:Coding>"#),
            )
        })
        .collect();
    let xml = format!(
        r#"<q:Project xmlns:q="urn:QDA-XML:project:1.0" name="P" origin="{origin}"><q:CodeBook><q:Codes><q:Code guid="C1" name="A" isCodable="true"/></q:Codes></q:CodeBook><q:Sources><q:TextSource guid="T" name="T"><q:PlainTextContent>{}</q:PlainTextContent>{sels}</q:TextSource></q:Sources></q:Project>"#,
        RAW.replace('\r', "&#13;")
    );
    let path = dir.join(format!("{origin}-{utf16}-{crlf}-{quotes}.qdpx"));
    zip_file(&path, &[("project.qde", xml.as_bytes())]);
    path
}

#[test]
fn the_unit_is_detected_by_quotes_and_boundaries_whatever_the_origin_says() {
    let dir = tempfile::tempdir().unwrap();
    for (origin, utf16, crlf, quotes, want) in [
        ("NVivo 12", true, 2, false, "utf16"),
        ("Some tool", true, 2, true, "utf16"),
        ("NVivo 12", false, 2, true, "codepoints"),
        ("ATLAS.ti 9", false, 1, true, "codepoints-crlf1"),
        ("QualCoder", false, 1, false, "codepoints-crlf1"),
    ] {
        let path = counted_fixture(dir.path(), origin, utf16, crlf, quotes);
        let sub = tempfile::tempdir_in(dir.path()).unwrap();
        let (session, report) = import(sub.path(), &path);
        assert_eq!(
            report.sources[0].unit, want,
            "{origin} {utf16} {crlf} {quotes}"
        );
        let mut texts: Vec<String> = coded_texts(&session).into_iter().map(|(_, t)| t).collect();
        texts.sort();
        assert_eq!(
            texts,
            ["Fear is here, 🤣 truly.", "Fine", "trust you 😀 a"],
            "{origin}"
        );
    }
}

#[test]
fn hostile_files_are_refused_with_a_sentence_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let err = |path: &Path, limits: Limits| -> String {
        let e = qdpx::read_with_limits(path, limits, &mut |_, _| true).unwrap_err();
        let msg = e.to_string();
        assert!(msg.ends_with(&path.display().to_string()), "{msg}");
        assert_eq!(msg.lines().count(), 1, "{msg}");
        msg
    };
    let small = Limits {
        project_xml: 4096,
        source: 1024,
        total: 8192,
    };
    // Not a zip.
    let not_zip = d.join("not.qdpx");
    std::fs::write(&not_zip, "hello").unwrap();
    assert!(err(&not_zip, Limits::default()).contains("not a zip"));
    // Entries escaping the folder.
    let proj = br#"<Project name="x"/>"#;
    for (i, evil) in ["../evil.txt", "/etc/evil", "sources/../../evil"]
        .iter()
        .enumerate()
    {
        let p = d.join(format!("escape{i}.qdpx"));
        zip_file(&p, &[("project.qde", proj), (evil, b"x")]);
        assert!(
            err(&p, Limits::default()).contains("escapes its folder"),
            "{evil}"
        );
    }
    // A zip bomb: a source far larger than the limit once inflated (deflate makes it tiny).
    let zeros = vec![b'a'; 1 << 20];
    let bomb = d.join("bomb.qdpx");
    let qde = br#"<Project name="x"><Sources><TextSource guid="s" name="s" plainTextPath="internal://s.txt"/></Sources></Project>"#;
    zip_file(&bomb, &[("project.qde", qde), ("sources/s.txt", &zeros)]);
    assert!(std::fs::metadata(&bomb).unwrap().len() < 10_000);
    assert!(err(&bomb, small).contains("zip bomb"));
    let big_xml = format!("<Project name=\"x\">{}</Project>", " ".repeat(1 << 20));
    let bomb2 = d.join("bomb2.qdpx");
    zip_file(&bomb2, &[("project.qde", big_xml.as_bytes())]);
    assert!(err(&bomb2, small).contains("the project XML"));
    // Entities: never expanded, never fetched.
    for (i, dtd) in [
        r#"<!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><Project name="&b;"/>"#,
        r#"<!DOCTYPE Project SYSTEM "http://example.com/evil.dtd"><Project name="x"/>"#,
    ]
    .iter()
    .enumerate()
    {
        let p = d.join(format!("dtd{i}.qdpx"));
        zip_file(&p, &[("project.qde", dtd.as_bytes())]);
        assert!(err(&p, Limits::default()).contains("never expanded"));
    }
    // No project inside, or something else than a project.
    let empty = d.join("empty.qdpx");
    zip_file(&empty, &[("readme.txt", b"hi")]);
    assert!(err(&empty, Limits::default()).contains("no project.qde"));
    let wrong = d.join("wrong.qdpx");
    zip_file(&wrong, &[("x.qde", b"<CodeBook/>")]);
    assert!(err(&wrong, Limits::default()).contains("root element is <CodeBook>"));
    let broken = d.join("broken.qdpx");
    zip_file(&broken, &[("project.qde", b"<Project><Users></Project>")]);
    assert!(err(&broken, Limits::default()).contains("malformed XML"));
}

#[test]
fn the_cli_creates_the_project_refuses_to_overwrite_and_leaves_nothing_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = rich_fixture(d);
    let target = d.join("new.weft");
    let out = ok(&["import-project", s(&src), s(&target)]);
    assert!(out.contains("positions read as codepoints"), "{out}");
    assert!(out.contains("created"), "{out}");
    let json = ok(&[
        "import-project",
        s(&src),
        s(&d.join("again.weft")),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["report"]["codings"], 3);
    assert_eq!(v["report"]["sources"][0]["unit"], "codepoints");
    // Built aside without the write-ahead log, the project is an ordinary one when it is
    // moved into place: in WAL mode, whole, with nothing beside it.
    let again = d.join("again.weft");
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = again.clone().into_os_string();
        side.push(suffix);
        assert!(
            !std::path::PathBuf::from(side).exists(),
            "{suffix} left beside"
        );
    }
    let c = rusqlite::Connection::open(&again).unwrap();
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let check: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(c);
    // The import is one undo step; undo and redo bring the selection GUIDs back too.
    ok(&["undo", s(&target)]);
    ok(&["redo", s(&target)]);
    let c = rusqlite::Connection::open(&target).unwrap();
    let sel: Option<String> = c
        .query_row(
            "SELECT selection_guid FROM coding WHERE guid = 'g2'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sel.as_deref(), Some("sel2"));
    drop(c);
    // An existing file is never replaced.
    let before = std::fs::read(&target).unwrap();
    let msg = fails(&["import-project", s(&src), s(&target)]);
    assert!(msg.contains("already exists"), "{msg}");
    assert_eq!(std::fs::read(&target).unwrap(), before);
    // A failed import leaves no file behind, not even a temporary one.
    let listing = || {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let was = listing();
    let bad = d.join("bad.qdpx");
    std::fs::write(&bad, "PK\x03\x04 but not really").unwrap();
    let msg = fails(&["import-project", s(&bad), s(&d.join("bad.weft"))]);
    assert!(msg.contains("bad.qdpx"), "{msg}");
    let mut now = listing();
    now.retain(|n| n != "bad.qdpx");
    assert_eq!(now, was);
    // An SQLite file is taken for a Taguette database by its content; one that is not Taguette's
    // is refused by name.
    let sqlite = d.join("tag.sqlite3");
    rusqlite::Connection::open(&sqlite)
        .unwrap()
        .execute_batch("CREATE TABLE t (x);")
        .unwrap();
    let msg = fails(&["import-project", s(&sqlite), s(&d.join("tag.weft"))]);
    assert!(
        msg.contains("not a Taguette project database") && msg.contains("tag.sqlite3"),
        "{msg}"
    );
    assert!(!d.join("tag.weft").exists());
}

/// Sources are converted while the XML is read, before the notes that follow them; a file
/// that puts its sources before the codebook, users and variables (against the standard's
/// order) is read whole instead. Both give exactly the same bundle and report.
#[test]
fn a_project_in_another_order_imports_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let usual = rich_fixture(dir.path());
    let xml = qde_of(&usual);
    let (a, b) = (
        xml.find(" <q:Sources>").unwrap(),
        xml.find(" <q:Notes>").unwrap(),
    );
    let sources = &xml[a..b];
    let at = xml.find(" <q:Users>").unwrap();
    let reordered = format!("{}{}{}{}", &xml[..at], sources, &xml[at..a], &xml[b..]);
    assert_eq!(reordered.len(), xml.len());
    assert!(reordered.find("<q:Sources>") < reordered.find("<q:CodeBook>"));
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let mut text = b"\xEF\xBB\xBF".to_vec();
    text.extend_from_slice(RAW.as_bytes());
    let moved = other.join("rich.qdpx");
    zip_file(
        &moved,
        &[
            ("Project.QDE", reordered.as_bytes()),
            ("Sources/S1.TXT", &text),
        ],
    );
    let one = qdpx::read(&usual, &mut |_, _| true).unwrap();
    let two = qdpx::read(&moved, &mut |_, _| true).unwrap();
    assert!(one.report.codings > 0 && one.report.memos > 0);
    assert!(
        one.bundle
            .codings
            .iter()
            .any(|c| c.memo.contains("passage note")),
        "a coding's note, which comes after its source, is its memo"
    );
    assert_eq!(one.report, two.report);
    assert_eq!(one.bundle, two.bundle);
}

/// The NVivo sample (it lives outside the repository) read with its sources converted during
/// the parse, and read whole (its sources moved before its users, so the streaming reader
/// starts over): the same bundle and report, every selection where it was.
#[test]
fn a_shared_sample_reads_the_same_streamed_or_whole() {
    let Some(path) = sample("nvivo-win-12.6_oltas0517.qdpx") else {
        return;
    };
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.is_dir() {
            continue;
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
        entries.push((f.name().to_owned(), bytes));
    }
    let (qde, xml) = entries
        .iter_mut()
        .find(|(n, _)| n.to_lowercase().ends_with(".qde"))
        .unwrap();
    let text = String::from_utf8(xml.clone()).unwrap();
    let a = text.find("<Sources>").unwrap();
    let b = text.find("</Sources>").unwrap() + "</Sources>".len();
    let users = text.find("<Users>").unwrap();
    assert!(users < a, "{qde}: the sample puts its users first");
    let moved = format!(
        "{}{}{}{}",
        &text[..users],
        &text[a..b],
        &text[users..a],
        &text[b..]
    );
    *xml = moved.into_bytes();
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join(path.file_name().unwrap());
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    zip_file(&whole, &refs);
    let streamed = qdpx::read(&path, &mut |_, _| true).unwrap();
    let read_whole = qdpx::read(&whole, &mut |_, _| true).unwrap();
    assert_eq!(streamed.report.codings, 303);
    assert_eq!(streamed.report, read_whole.report);
    assert_eq!(streamed.bundle, read_whole.bundle);
}

/// The app's progress bar: reading the file, then writing the project, in one rising scale;
/// Cancel while the project is being written leaves nothing behind.
#[test]
fn import_progress_rises_through_reading_and_writing_and_cancel_works_in_both() {
    let dir = tempfile::tempdir().unwrap();
    let src = rich_fixture(dir.path());
    let mut seen: Vec<(usize, usize)> = Vec::new();
    let target = dir.path().join("p.weft");
    Session::import_project(
        &src,
        &target,
        &mut |d, t| {
            seen.push((d, t));
            true
        },
        &|| false,
    )
    .unwrap();
    assert!(seen.iter().all(|&(d, t)| t == 1000 && d <= t), "{seen:?}");
    assert!(
        seen.windows(2).all(|w| w[0].0 <= w[1].0),
        "rising: {seen:?}"
    );
    assert!(seen.iter().any(|&(d, _)| d <= 300), "reading: {seen:?}");
    assert!(
        seen.iter().any(|&(d, _)| d > 300 && d < 800),
        "writing: {seen:?}"
    );
    assert_eq!(seen.last().map(|p| p.0), Some(800));
    // Cancelled while writing: no project, no temporary file.
    let before: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    let other = dir.path().join("q.weft");
    let err = Session::import_project(&src, &other, &mut |d, _| d <= 300, &|| false)
        .err()
        .unwrap();
    assert!(err.contains("cancelled"), "{err}");
    assert!(!other.exists());
    let after: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(before.len(), after.len(), "nothing left behind");
}

#[test]
fn a_cancelled_import_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let src = rich_fixture(dir.path());
    let imported = qdpx::read(&src, &mut |_, _| true).unwrap();
    let target = dir.path().join("c.weft");
    let err = Session::create_from_bundle(&target, "Import", imported.bundle, &|| true)
        .err()
        .unwrap();
    assert!(err.to_string().contains("cancelled"), "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "only the source file remains");
    let e = qdpx::read(&src, &mut |_, _| false).unwrap_err();
    assert!(matches!(e, QdpxError::Cancelled { .. }));
}

#[test]
fn a_codebook_merges_by_guid_then_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let src = rich_fixture(dir.path());
    let p = dir.path().join("p.weft");
    ok(&["import-project", s(&src), s(&p)]);
    // C2 is Feelings/Trust in the project, whatever the codebook calls it; Fear merges by path.
    let qdc = dir.path().join("cb.qdc");
    std::fs::write(
        &qdc,
        r##"<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1:0"><Codes>
        <Code guid="{C2}" name="Trust renamed" isCodable="true"><Code guid="N1" name="Sub" isCodable="true" color="#123"/></Code>
        <Code guid="X9" name="Fear" isCodable="true"/>
        <Code guid="X10" name="New" isCodable="true"/>
        </Codes></CodeBook>"##,
    )
    .unwrap();
    let out = ok(&["code", "import", s(&p), s(&qdc), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["codes"].as_u64(), v["created"].as_u64()),
        (Some(4), Some(2))
    );
    let list = ok(&["code", "list", s(&p), "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&list).unwrap();
    let paths: Vec<&str> = rows.iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(paths.len(), 5, "{paths:?}");
    assert!(paths.contains(&"Feelings/Trust/Sub"), "{paths:?}");
    assert!(paths.contains(&"New"), "{paths:?}");
    // Hostile codebooks are refused by name.
    let bad = dir.path().join("bad.qdc");
    std::fs::write(&bad, r#"<!DOCTYPE c [<!ENTITY x "y">]><CodeBook/>"#).unwrap();
    let msg = fails(&["code", "import", s(&p), s(&bad)]);
    assert!(
        msg.contains("never expanded") && msg.contains("bad.qdc"),
        "{msg}"
    );
}

/// Times reading (not storing) the QDPX named by `WEFT_QDPX_BENCH`: run with `--ignored`.
#[test]
#[ignore = "a measurement, run by hand with WEFT_QDPX_BENCH=file.qdpx"]
fn time_reading_a_large_qdpx() {
    let Some(path) = std::env::var_os("WEFT_QDPX_BENCH") else {
        return;
    };
    let t = std::time::Instant::now();
    let imported = qdpx::read(Path::new(&path), &mut |_, _| true).unwrap();
    println!(
        "read {} documents, {} codings in {:.2} s",
        imported.report.documents,
        imported.report.codings,
        t.elapsed().as_secs_f64()
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// A project XML cut short or with bytes changed is read or refused, never a panic.
        #[test]
        fn damaged_project_xml(
            cut in 0usize..12_000,
            flips in proptest::collection::vec((0usize..8000, proptest::sample::select(b"0123456789 -x{}\"".to_vec())), 0..6),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let good = rich_fixture(dir.path());
            let mut xml = qde_of(&good).into_bytes();
            for (at, b) in flips {
                if !xml.is_empty() {
                    let i = at % xml.len();
                    xml[i] = b;
                }
            }
            xml.truncate(cut.max(1).min(xml.len()));
            let mut text = b"\xEF\xBB\xBF".to_vec();
            text.extend_from_slice(RAW.as_bytes());
            let p = dir.path().join("damaged.qdpx");
            zip_file(&p, &[("project.qde", &xml), ("sources/s1.txt", &text)]);
            if let Ok(imported) = qdpx::read(&p, &mut |_, _| true) {
                // Whatever was read can be stored.
                let target = dir.path().join("d.weft");
                Session::create_from_bundle(&target, "Import", imported.bundle, &|| false).unwrap();
            }
        }
    }
}
