//! Formats benchmark (release build), one JSON line:
//! - `import_mb_s`: extracted text per second when reading 100 ODT, 100 DOCX and 20 PDF
//!   transcripts of about 8,000 words each (made here), parsing and importing into a project
//!   (target ≥ 5 MB/s);
//! - `report_s`, `report_mb`: the HTML report of the bench_core corpus (target ≤ 3 s, ≤ 5 MB);
//! - `xlsx_s`: the coded segments of that corpus (200,000) as an `.xlsx` (target ≤ 5 s).
//!
//! `cargo run --release --example bench_formats`
#![allow(clippy::print_stdout, clippy::unwrap_used)] // a benchmark prints and may panic

use std::io::Write;
use std::time::Instant;

use weft::analysis::ScopeFilter;
use weft::session::Session;
use weft::store::Store;

#[path = "common/corpus.rs"]
mod corpus;
use corpus::{big_project, peak_rss_mb, transcript};

fn zip(files: &[(&str, &str)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in files {
        z.start_file(
            *name,
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated),
        )
        .unwrap();
        z.write_all(content.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn odt(text: &str) -> Vec<u8> {
    let body: String = text
        .split("\n\n")
        .map(|p| format!("<text:p>{}</text:p>", xml_escape(p)))
        .collect();
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

fn docx(text: &str) -> Vec<u8> {
    let body: String = text
        .split("\n\n")
        .map(|p| {
            format!(
                "<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
                xml_escape(p)
            )
        })
        .collect();
    zip(&[(
        "word/document.xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        ),
    )])
}

/// A PDF of `text` in Helvetica, 45 lines a page, with a running header and page numbers.
fn pdf(text: &str) -> Vec<u8> {
    let mut lines: Vec<String> = Vec::new();
    for para in text.split("\n\n") {
        let mut line = String::new();
        for w in para.split(' ') {
            if line.len() + w.len() > 90 {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(w);
        }
        lines.push(line);
    }
    let pages: Vec<&[String]> = lines.chunks(45).collect();
    let n = pages.len();
    let mut objs: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {n} >>",
            (0..n)
                .map(|i| format!("{} 0 R", 4 + 2 * i))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
    ];
    for (i, page) in pages.iter().enumerate() {
        let mut c =
            String::from("BT /F1 10 Tf 12 TL 50 760 Td (Peer support study - bench) Tj T* T*\n");
        for l in page.iter() {
            let l: String = l
                .chars()
                .map(|ch| if ch.is_ascii() { ch } else { '?' })
                .collect();
            let l = l
                .replace('\\', "\\\\")
                .replace('(', "\\(")
                .replace(')', "\\)");
            c.push_str(&format!("({l}) Tj T*\n"));
        }
        c.push_str(&format!("T* ({}) Tj ET\n", i + 1));
        objs.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        objs.push(format!("<< /Length {} >>\nstream\n{c}endstream", c.len()));
    }
    let mut out = b"%PDF-1.4\n".to_vec();
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

fn main() {
    // 1. Import 100 ODT, 100 DOCX and 20 PDF of about 8,000 words.
    let dir = tempfile::tempdir().unwrap();
    let (text, _) = transcript(8_000);
    let mut files = Vec::new();
    for i in 0..220 {
        let (name, bytes) = match i {
            0..100 => (format!("t{i:03}.odt"), odt(&text)),
            100..200 => (format!("t{i:03}.docx"), docx(&text)),
            _ => (format!("t{i:03}.pdf"), pdf(&text)),
        };
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        files.push(path);
    }
    let project = dir.path().join("formats.weft");
    let mut session = Session::create(&project).unwrap();
    let t = Instant::now();
    let report = session
        .import_files_allowing_duplicates(&files, None, &mut |_, _| true)
        .unwrap();
    let import_s = t.elapsed().as_secs_f64();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let db = session.read();
    let chars: usize = weft::model::ProjectRead::documents(&db)
        .unwrap()
        .iter()
        .map(|d| d.char_len)
        .sum();
    let import_mb = chars as f64 / 1e6;

    // 2. The report and the xlsx of the bench_core corpus.
    let big = big_project();
    let store = Store::open_reader(&big).unwrap();
    let t = Instant::now();
    let html =
        weft::export::html_report::html_report(store.db(), &big, &ScopeFilter::default()).unwrap();
    let report_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let rows = weft::export::coded_segments(store.db(), None, &ScopeFilter::default()).unwrap();
    let xlsx = weft::export::xlsx::segments(&rows, None).unwrap();
    let xlsx_s = t.elapsed().as_secs_f64();
    println!(
        "{{\"bench\":\"formats\",\"import_files\":220,\"import_mb\":{import_mb:.1},\"import_s\":{import_s:.2},\"import_mb_s\":{:.1},\"report_s\":{report_s:.2},\"report_mb\":{:.2},\"xlsx_segments\":{},\"xlsx_s\":{xlsx_s:.2},\"xlsx_mb\":{:.1},\"peak_rss_mb\":{:.0}}}",
        import_mb / import_s,
        html.len() as f64 / 1e6,
        rows.len(),
        xlsx.len() as f64 / 1e6,
        peak_rss_mb()
    );
}
