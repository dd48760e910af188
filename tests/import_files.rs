//! Importing real files: each test writes bytes to a temporary folder and imports them with
//! `weft::import::read_file`, checking the decoded text, the recorded origin, the speaker turns
//! (by slicing the text at their char offsets) and the refusals.

use std::io::Write;
use std::path::{Path, PathBuf};
use weft::import::{ImportError, ImportedText, SUPPORTED_EXTENSIONS, read_file};
use weft::text::slice_chars;

/// Writes `bytes` to `name` in `dir` and returns the path.
fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write the test file");
    path
}

fn import(name: &str, bytes: &[u8]) -> ImportedText {
    let dir = tempfile::tempdir().expect("temp dir");
    read_file(&write(dir.path(), name, bytes)).expect("import succeeds")
}

/// Imports `name` with `bytes` expecting a refusal; checks the message ends with the path and
/// contains `needle`.
fn refused(name: &str, bytes: &[u8], needle: &str) -> ImportError {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), name, bytes);
    let Err(err) = read_file(&path) else {
        panic!("{name} was imported")
    };
    let msg = err.to_string();
    assert!(
        msg.ends_with(&path.display().to_string()),
        "path not last: {msg}"
    );
    assert!(msg.contains(needle), "{needle:?} not in: {msg}");
    err
}

/// (speaker, body) of each turn, sliced from the text by char offsets.
fn bodies(t: &ImportedText) -> Vec<(String, String)> {
    t.turns
        .iter()
        .map(|turn| {
            let body = slice_chars(&t.text, turn.body_start, turn.end).expect("turn in bounds");
            (turn.speaker.clone(), body.to_owned())
        })
        .collect()
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

const TRANSCRIPT: &str = "Interview with P01\r\n\r\nInterviewer: How did it start? 😀\r\nP01: Slowly — with Zoe\u{308} and 王芳.\r\n\r\nThen it grew.\r\nInterviewer: Thanks.\r\n";
const NORMALISED: &str = "Interview with P01\n\nInterviewer: How did it start? 😀\nP01: Slowly — with Zoe\u{308} and 王芳.\n\nThen it grew.\nInterviewer: Thanks.\n";

#[test]
fn utf8_with_bom_and_crlf() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(TRANSCRIPT.as_bytes());
    let t = import("p01-interview.txt", &bytes);
    assert_eq!(t.name, "p01-interview");
    assert_eq!(t.text, NORMALISED);
    assert_eq!(t.origin.file_name, "p01-interview.txt");
    assert_eq!(t.origin.format, "txt");
    assert_eq!(t.origin.encoding, "UTF-8 (BOM)");
    assert_eq!(t.origin.sha256.len(), 64);
    assert_eq!(
        bodies(&t),
        [
            ("Interviewer".to_owned(), "How did it start? 😀".to_owned()),
            (
                "P01".to_owned(),
                "Slowly — with Zoe\u{308} and 王芳.\n\nThen it grew.".to_owned()
            ),
            ("Interviewer".to_owned(), "Thanks.".to_owned()),
        ]
    );
    assert_eq!(t.turns[0].start, 20, "the preamble is not a turn");
}

#[test]
fn utf16_le_and_be_with_bom() {
    let le = import("le.txt", &utf16(TRANSCRIPT, false));
    assert_eq!(le.origin.encoding, "UTF-16LE");
    assert_eq!(le.text, NORMALISED);
    let be = import("be.txt", &utf16(TRANSCRIPT, true));
    assert_eq!(be.origin.encoding, "UTF-16BE");
    assert_eq!(be.text, NORMALISED);
    assert_eq!(le.turns, be.turns);
    assert_ne!(
        le.origin.sha256, be.origin.sha256,
        "hash is of the original bytes"
    );
}

#[test]
fn windows_1252_with_curly_quotes() {
    let bytes = b"Interviewer: \x93Was it caf\xE9 talk?\x94\r\nP02: It was \x91na\xEFve\x92, d\xE9j\xE0 vu \x97 really.\r\nInterviewer: OK\r\n";
    let t = import("legacy.txt", bytes);
    assert_eq!(t.origin.encoding, "windows-1252");
    assert_eq!(
        t.text,
        "Interviewer: “Was it café talk?”\nP02: It was ‘naïve’, déjà vu — really.\nInterviewer: OK\n"
    );
    assert_eq!(bodies(&t)[1].1, "It was ‘naïve’, déjà vu — really.");
}

#[test]
fn lone_cr_is_normalised() {
    let t = import("mac.txt", b"A: one\rB: two\r\rA: three\r");
    assert_eq!(t.text, "A: one\nB: two\n\nA: three\n");
    assert_eq!(t.turns.len(), 3);
}

#[test]
fn every_label_style() {
    let text = "[00:00:01] Anna: timestamp first, bracketed\n\
                00:00:05 Ben: timestamp first, bare\n\
                ANNA (00:01:02): name then (time)\n\
                Ben [01:02]: name then [time]\n\
                [Anna] bracketed name\n\
                [Ben]: bracketed name with colon\n\
                Dr. Smith: plain\n";
    let t = import("styles.md", text.as_bytes());
    assert_eq!(t.origin.format, "md");
    let got: Vec<_> = t
        .turns
        .iter()
        .map(|x| (x.speaker.as_str(), x.timestamp.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("Anna", Some("00:00:01")),
            ("Ben", Some("00:00:05")),
            ("ANNA", Some("00:01:02")),
            ("Ben", Some("01:02")),
            ("Anna", None),
            ("Ben", None),
            ("Dr. Smith", None),
        ]
    );
    let b = bodies(&t);
    assert_eq!(b[0].1, "timestamp first, bracketed");
    assert_eq!(b[2].1, "name then (time)");
    assert_eq!(b[5].1, "bracketed name with colon");
}

#[test]
fn right_to_left_and_cjk_turns() {
    let text = "\u{645}\u{631}\u{64A}\u{645}: \u{645}\u{631}\u{62D}\u{628}\u{627} 👍🏽\n\
                דנה: שלום\n\
                \u{645}\u{631}\u{64A}\u{645}: 共同 e\u{301}\n";
    let t = import("rtl.txt", text.as_bytes());
    let b = bodies(&t);
    assert_eq!(b.len(), 3);
    assert_eq!(
        b[0],
        (
            "\u{645}\u{631}\u{64A}\u{645}".to_owned(),
            "\u{645}\u{631}\u{62D}\u{628}\u{627} 👍🏽".to_owned()
        )
    );
    assert_eq!(b[1], ("דנה".to_owned(), "שלום".to_owned()));
    assert_eq!(b[2].1, "共同 e\u{301}");
    assert_eq!(
        slice_chars(&t.text, t.turns[1].start, t.turns[1].body_start),
        Some("דנה: ")
    );
}

#[test]
fn prose_yields_no_turns() {
    let text = "Report on the pilot\n\nNote: this is not a transcript.\nSummary: the group met weekly.\n\
                Attendance was good: most came.\n";
    let t = import("report.txt", text.as_bytes());
    assert!(t.turns.is_empty());
    assert_eq!(t.text, text);
}

/// A minimal but real `.docx`: content types and `word/document.xml`.
fn docx(body: &str) -> Vec<u8> {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", opts)
        .expect("zip in memory");
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#).expect("zip in memory");
    zip.start_file("word/document.xml", opts)
        .expect("zip in memory");
    zip.write_all(xml.as_bytes()).expect("zip in memory");
    zip.finish().expect("zip in memory").into_inner()
}

#[test]
fn minimal_docx() {
    let body = r#"<w:p><w:r><w:t>Interviewer:</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">Was it &quot;hard&quot;? 😀</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">P01: </w:t></w:r><w:del w:id="0" w:author="Me"><w:r><w:delText>No. </w:delText></w:r></w:del><w:r><w:t>Yes, at first.</w:t></w:r></w:p><w:p><w:r><w:t>Interviewer: Why?</w:t></w:r></w:p>"#;
    let bytes = docx(body);
    let t = import("Focus Group.DOCX", &bytes);
    assert_eq!(t.name, "Focus Group");
    assert_eq!(t.origin.format, "docx");
    assert_eq!(t.origin.encoding, "UTF-8 (docx)");
    assert_eq!(
        t.text,
        "Interviewer:\tWas it \"hard\"? 😀\nP01: Yes, at first.\nInterviewer: Why?"
    );
    assert_eq!(bodies(&t)[0].1, "Was it \"hard\"? 😀");
    assert_eq!(bodies(&t)[1].1, "Yes, at first.");
}

#[test]
fn refusals_name_the_file() {
    refused("empty.txt", b"", "the file is empty");
    refused("blank.txt", b"  \r\n\t\n ", "only whitespace");
    refused(
        "blank.docx",
        &docx("<w:p/><w:p><w:r><w:t> </w:t></w:r></w:p>"),
        "only whitespace",
    );
    let png = [
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
    ];
    let err = refused("image.txt", &png, "binary");
    assert!(matches!(err, ImportError::Binary { .. }));
    refused("not-a-zip.docx", b"Interviewer: hello", "not a zip archive");
    refused(
        "malformed.docx",
        &docx("<w:p><w:t>oops</w:p>"),
        "malformed XML",
    );
    let err = refused("slides.pptx", b"PK", "unsupported file type \".pptx\"");
    for ext in SUPPORTED_EXTENSIONS {
        assert!(err.to_string().contains(&format!(".{ext}")));
    }
    refused("README", b"text", "without an extension");

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.txt");
    let err = read_file(&missing).unwrap_err();
    assert!(matches!(err, ImportError::Unreadable { .. }));
    let msg = err.to_string();
    assert!(
        msg.starts_with("cannot import: cannot read the file ("),
        "{msg}"
    );
    assert!(msg.ends_with(&missing.display().to_string()), "{msg}");

    let folder = dir.path().join("folder.txt");
    std::fs::create_dir(&folder).unwrap();
    let msg = read_file(&folder).unwrap_err().to_string();
    assert!(
        msg.contains("folder") && msg.ends_with(&folder.display().to_string()),
        "{msg}"
    );
}

/// Rough end-to-end speed of decoding plus turn detection; run with
/// `cargo test --release --test import_files -- --ignored --nocapture`.
#[test]
#[ignore = "timing, run by hand in release"]
fn throughput() {
    let block = "Interviewer: So how did the peer support group start for you, in your own words?\n\
                 P01: It started slowly, with a leaflet at the clinic and then a phone call from Sam.\n\n\
                 After that it went on, week after week, and we kept meeting on Thursdays.\n";
    let text = block.repeat(1 + (64 << 20) / block.len());
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "big.txt", text.as_bytes());
    let t0 = std::time::Instant::now();
    let t = read_file(&path).unwrap();
    let secs = t0.elapsed().as_secs_f64();
    let t1 = std::time::Instant::now();
    let turns = weft::import::detect_turns(&t.text);
    let turn_secs = t1.elapsed().as_secs_f64();
    let mb = text.len() as f64 / 1e6;
    println!(
        "read_file: {:.0} MB/s; detect_turns alone: {:.0} MB/s ({} turns)",
        mb / secs,
        mb / turn_secs,
        turns.len()
    );
}
