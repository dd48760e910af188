//! Each transcript format from small fixtures made here (issue 9, item 1): ODT, RTF, HTML,
//! WebVTT, SRT and PDF, each with accents, emoji, right-to-left text and CJK, imported through
//! the real `weft import`; and damaged files refused by name while the rest of the batch goes in.
#![allow(clippy::unwrap_used)]

mod common;

use common::{fails, ok, s};
use std::io::Write;
use std::path::Path;

/// What every fixture says, in its own markup: accents, an emoji, Arabic and Chinese.
const LINE: &str = "Café naïve 😀 مرحبا 你好";

fn zip(files: &[(&str, &str)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in files {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(content.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn odt(body: &str) -> Vec<u8> {
    zip(&[
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        (
            "content.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>{body}</office:text></office:body></office:document-content>"#
            ),
        ),
    ])
}

/// RTF escapes for `s`: `\uN?` for everything outside ASCII (UTF-16 units, signed).
fn rtf_escape(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if ch.is_ascii() {
            out.push(ch);
        } else {
            let mut units = [0u16; 2];
            for u in ch.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{}?", *u as i16));
            }
        }
    }
    out
}

/// A PDF with one page per entry of `pages`, each line drawn with a Type0 font whose
/// ToUnicode map gives every character (so emoji, Arabic and CJK survive extraction).
fn pdf(pages: &[Vec<String>]) -> Vec<u8> {
    let mut chars: Vec<char> = Vec::new();
    for l in pages.iter().flatten() {
        for c in l.chars() {
            if !chars.contains(&c) {
                chars.push(c);
            }
        }
    }
    let gid = |c: char| chars.iter().position(|x| *x == c).unwrap() + 1;
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def /CMapType 2 def\n\
         1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    for chunk in chars.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for c in chunk {
            let mut units = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            cmap.push_str(&format!("<{:04X}> <{hex}>\n", gid(*c)));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end\n");

    // Objects: 1 catalog, 2 pages, 3 font, 4 descendant, 5 descriptor, 6 tounicode, then
    // a page and its content per page.
    let mut objs: Vec<String> = vec![String::new(); 6];
    let n = pages.len();
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 7 + 2 * i)).collect();
    objs[0] = "<< /Type /Catalog /Pages 2 0 R >>".into();
    objs[1] = format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" "));
    objs[2] = "<< /Type /Font /Subtype /Type0 /BaseFont /WeftTest /Encoding /Identity-H \
               /DescendantFonts [4 0 R] /ToUnicode 6 0 R >>"
        .into();
    objs[3] = "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /WeftTest \
               /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
               /FontDescriptor 5 0 R /DW 600 /CIDToGIDMap /Identity >>"
        .into();
    objs[4] = "<< /Type /FontDescriptor /FontName /WeftTest /Flags 32 \
               /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 900 /Descent -200 \
               /CapHeight 700 /StemV 80 >>"
        .into();
    objs[5] = format!("<< /Length {} >>\nstream\n{cmap}endstream", cmap.len());
    for (i, lines) in pages.iter().enumerate() {
        let mut content = String::from("BT /F1 12 Tf 14 TL 72 760 Td\n");
        for l in lines {
            let hex: String = l.chars().map(|c| format!("{:04X}", gid(c))).collect();
            content.push_str(&format!("<{hex}> Tj T*\n"));
        }
        content.push_str("ET\n");
        objs.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
             /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            8 + 2 * i
        ));
        objs.push(format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ));
    }
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn text_of(project: &Path, doc: &str) -> String {
    let p = s(project);
    // The whole text: code it all, then read the segment back.
    let docs: serde_json::Value = serde_json::from_str(&ok(&["docs", p, "--json"])).unwrap();
    let chars = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == doc)
        .unwrap_or_else(|| panic!("no document {doc} in {docs}"))["chars"]
        .as_u64()
        .unwrap();
    ok(&["code", "add", p, "All", "--exist-ok"]);
    ok(&[
        "code",
        "apply",
        p,
        "--doc",
        doc,
        "--code",
        "All",
        "--start",
        "0",
        "--end",
        &chars.to_string(),
    ]);
    let seg: serde_json::Value = serde_json::from_str(&ok(&[
        "segments",
        p,
        "--code",
        "All",
        "--format",
        "json",
        "--no-meta",
    ]))
    .unwrap();
    seg["segments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["document"] == doc)
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn every_format_keeps_accents_emoji_rtl_and_cjk() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = d.join("p.weft");
    ok(&["new", s(&project)]);
    let write = |name: &str, bytes: &[u8]| {
        let path = d.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let files = [
        write(
            "a.odt",
            &odt(&format!(
                "<text:h>Interview</text:h><text:p>Interviewer: Hello?</text:p><text:p>P01: {LINE}</text:p><text:p>Interviewer: And?</text:p><text:p>P01: Yes.</text:p>"
            )),
        ),
        write(
            "b.rtf",
            format!(
                "{{\\rtf1\\ansi\\ansicpg1252{{\\fonttbl{{\\f0 Arial;}}}}\\pard Interviewer: Hello?\\par P01: {}\\par Interviewer: And?\\par P01: Yes.\\par}}",
                rtf_escape(LINE)
            )
            .as_bytes(),
        ),
        write(
            "c.html",
            format!(
                "<html><head><style>p{{}}</style><script>x()</script></head><body><p>Interviewer: Hello?</p><p>P01: {LINE}</p><p>Interviewer: And?</p><p>P01: Yes.</p></body></html>"
            )
            .as_bytes(),
        ),
        write(
            "d.vtt",
            format!(
                "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Interviewer>Hello?\n\n00:00:02.500 --> 00:00:04.000\n<v P01>{LINE}\n\n00:00:05.000 --> 00:00:06.000\n<v Interviewer>And?\n\n00:00:07.000 --> 00:00:08.000\n<v P01>Yes.\n"
            )
            .as_bytes(),
        ),
        write(
            "e.srt",
            format!(
                "1\n00:00:01,000 --> 00:00:02,000\nInterviewer: Hello?\n\n2\n00:00:02,500 --> 00:00:04,000\nP01: {LINE}\n\n3\n00:00:05,000 --> 00:00:06,000\nInterviewer: And?\n\n4\n00:00:07,000 --> 00:00:08,000\nP01: Yes.\n"
            )
            .as_bytes(),
        ),
        write(
            "f.pdf",
            &pdf(&[
                vec![
                    "Study of peer support".to_owned(),
                    "Interviewer: Hello?".to_owned(),
                    format!("P01: {LINE}"),
                    "1".to_owned(),
                ],
                vec![
                    "Study of peer support".to_owned(),
                    "Interviewer: And? It is a long recov-".to_owned(),
                    "ery, they say.".to_owned(),
                    "2".to_owned(),
                ],
                vec![
                    "Study of peer support".to_owned(),
                    "P01: Yes.".to_owned(),
                    "Interviewer: Thanks.".to_owned(),
                    "3".to_owned(),
                ],
            ]),
        ),
    ];
    let args: Vec<&str> = ["import", s(&project)]
        .into_iter()
        .chain(files.iter().map(|f| s(f)))
        .collect();
    let out = ok(&args);
    for name in ["a", "b", "c", "d", "e", "f"] {
        assert!(out.contains(&format!("imported {name} (")), "{out}");
        let text = text_of(&project, name);
        assert!(text.contains(LINE), "{name}: {text:?}");
        assert!(text.contains("Interviewer: Hello?"), "{name}: {text:?}");
        assert!(
            !text.contains("x()") && !text.contains("Arial"),
            "{name}: {text:?}"
        );
        if name == "f" {
            assert!(
                !text.contains("Study of peer support"),
                "running header: {text:?}"
            );
            assert!(text.contains("a long recovery, they say."), "{text:?}");
            assert!(
                !text.lines().any(|l| l.trim() == "2"),
                "page number: {text:?}"
            );
        }
    }
    // The captions' turns keep their start times: a segment cites the first one it covers.
    let seg: serde_json::Value = serde_json::from_str(&ok(&[
        "segments",
        s(&project),
        "--format",
        "json",
        "--no-meta",
    ]))
    .unwrap();
    let stamp = |doc: &str| {
        seg["segments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["document"] == doc)
            .unwrap()["timestamp"]
            .clone()
    };
    assert_eq!(stamp("d"), "00:00:01");
    assert_eq!(stamp("e"), "00:00:01");
    assert_eq!(stamp("a"), "");
    let md = ok(&["segments", s(&project), "--format", "md", "--no-meta"]);
    assert!(md.contains("| Interviewer; P01 [00:00:01] |"), "{md}");
}

#[test]
fn damaged_files_are_refused_by_name_and_the_rest_goes_in() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = d.join("p.weft");
    ok(&["new", s(&project)]);
    let bad = [
        (
            "x.odt",
            b"PK not a zip".to_vec(),
            "not a readable OpenDocument text",
        ),
        (
            "x.rtf",
            b"plain words".to_vec(),
            "not a readable Rich Text Format",
        ),
        ("x.pdf", b"%PDF-1.4 broken".to_vec(), "not a readable PDF"),
        ("x.vtt", b"no header\n".to_vec(), "WEBVTT"),
        ("x.srt", b"just words\n".to_vec(), "subtitle"),
        ("scan.pdf", pdf(&[vec![], vec![]]), "no text layer"),
    ];
    let good = d.join("good.html");
    std::fs::write(&good, "<p>Interviewer: Hi?</p><p>P01: Hello.</p>").unwrap();
    let mut args = vec!["import".to_owned(), s(&project).to_owned()];
    for (name, bytes, _) in &bad {
        std::fs::write(d.join(name), bytes).unwrap();
        args.push(s(&d.join(name)).to_owned());
    }
    args.push(s(&good).to_owned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let err = fails(&args);
    for (name, _, needle) in &bad {
        let line = err
            .lines()
            .find(|l| l.ends_with(name))
            .unwrap_or_else(|| panic!("{name} not named: {err}"));
        assert!(line.contains(needle), "{name}: {line}");
    }
    assert!(ok(&["docs", s(&project)]).contains("good"));
}

/// `weft import --survey` on CSV and XLSX: one document and one case per respondent, the
/// answers as turns under their questions, the other columns as typed case attributes, one
/// undo step.
#[test]
fn surveys_from_csv_and_xlsx() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = d.join("p.weft");
    ok(&["new", s(&project)]);

    let xlsx = d.join("survey.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["RespondentID", "Age", "Joined", "Peer", "Q3", "Q7"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    /// ID, age, joined (y, m, d), peer, Q3, Q7.
    type Row<'a> = (&'a str, f64, (u16, u8, u8), bool, &'a str, &'a str);
    let rows: [Row<'_>; 2] = [
        ("R1", 34.0, (2024, 3, 1), true, LINE, "More time."),
        ("R2", 51.0, (2023, 11, 20), false, "Being heard.", ""),
    ];
    for (r, (id, age, (y, m, dd), peer, q3, q7)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, *id).unwrap();
        sheet.write_number(r, 1, *age).unwrap();
        sheet
            .write_datetime_with_format(r, 2, ExcelDateTime::from_ymd(*y, *m, *dd).unwrap(), &date)
            .unwrap();
        sheet.write_boolean(r, 3, *peer).unwrap();
        sheet.write_string(r, 4, *q3).unwrap();
        if !q7.is_empty() {
            sheet.write_string(r, 5, *q7).unwrap();
        }
    }
    book.save(&xlsx).unwrap();
    let out = ok(&[
        "import",
        s(&project),
        s(&xlsx),
        "--survey",
        "--text-columns",
        "Q3, Q7",
        "--id-column",
        "respondentid",
    ]);
    assert!(out.contains("imported 2 respondent(s)"), "{out}");
    assert!(out.contains("attribute Age (number)"), "{out}");
    assert!(out.contains("attribute Joined (date)"), "{out}");
    assert!(out.contains("attribute Peer (boolean)"), "{out}");
    let text = text_of(&project, "survey R1");
    assert_eq!(text, format!("Q3: {LINE}\n\nQ7: More time.\n"));
    let cases: serde_json::Value =
        serde_json::from_str(&ok(&["case", "list", s(&project), "--json"])).unwrap();
    let r2 = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "R2")
        .unwrap();
    assert_eq!(r2["attributes"]["Age"]["type"], "number");
    assert_eq!(r2["attributes"]["Joined"]["type"], "date");
    assert_eq!(r2["attributes"]["Peer"]["value"], "false");
    assert_eq!(r2["id"].as_str().unwrap().len(), 36);
    let r2 = r2.to_string();
    assert!(
        r2.contains("2023-11-20") && r2.contains("false") && r2.contains("51"),
        "{r2}"
    );
    // One undo step takes the whole survey back out (after the coding `text_of` made).
    let mut undone = String::new();
    for _ in 0..3 {
        undone = ok(&["undo", s(&project)]);
        if undone.contains("Import survey") {
            break;
        }
    }
    assert!(
        undone.contains("Import survey “survey.xlsx” (2 respondents)"),
        "{undone}"
    );
    assert!(!ok(&["docs", s(&project)]).contains("survey R1"));
    assert!(!ok(&["case", "list", s(&project)]).contains("R2"));

    let csv = d.join("answers.csv");
    std::fs::write(
        &csv,
        format!("id;role;comment\n7;peer;\"{LINE}\"\n8;nurse;ok\n"),
    )
    .unwrap();
    ok(&[
        "import",
        s(&project),
        s(&csv),
        "--survey",
        "--text-columns",
        "comment",
        "--id-column",
        "id",
    ]);
    assert_eq!(text_of(&project, "answers 7"), format!("comment: {LINE}\n"));
    let err = fails(&[
        "import",
        s(&project),
        s(&csv),
        "--survey",
        "--text-columns",
        "Q9",
    ]);
    assert!(
        err.contains("no column “Q9”; its columns are: id, role, comment"),
        "{err}"
    );
    assert!(err.contains("answers.csv"), "{err}");
}
