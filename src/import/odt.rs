//! Text of an OpenDocument text file (`.odt`, LibreOffice and others): `content.xml` read from
//! the zip archive with a streaming XML reader, one line per paragraph, in reading order.
//!
//! Kept: paragraphs and headings (`text:p`, `text:h`, also inside lists, tables and frames),
//! spaces (`text:s`, with their count), tabs (`text:tab`) and soft line breaks
//! (`text:line-break`). Skipped: footnotes and endnotes (`text:note`), comments
//! (`office:annotation`), the deleted text kept for tracked changes (`text:tracked-changes`),
//! and everything outside `office:body` (styles, fonts). Decompression is capped like `.docx`.

use std::io::{BufReader, Cursor};

use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;

use super::docx::{CapReached, Capped, MAX_XML_BYTES};

/// Encoding reported for text taken from an `.odt`.
pub(crate) const ENCODING_NAME: &str = "UTF-8 (odt)";

const CONTENT_XML: &str = "content.xml";
const TEXT_NS: &[u8] = b"urn:oasis:names:tc:opendocument:xmlns:text:1.0";
const OFFICE_NS: &[u8] = b"urn:oasis:names:tc:opendocument:xmlns:office:1.0";

/// Why the text of an `.odt` could not be extracted: the reason, for the import's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OdtError(pub(crate) String);

/// The text of the `.odt` in `bytes`: paragraphs joined by `\n`.
pub(crate) fn extract_text(bytes: &[u8]) -> Result<String, OdtError> {
    extract_text_capped(bytes, MAX_XML_BYTES)
}

fn extract_text_capped(bytes: &[u8], cap: u64) -> Result<String, OdtError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| OdtError(format!("not a zip archive: {e}")))?;
    let entry = match archive.by_name(CONTENT_XML) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => {
            return Err(OdtError(format!("it has no {CONTENT_XML}")));
        }
        Err(e) => return Err(OdtError(format!("not a zip archive: {e}"))),
    };
    if entry.size() > cap {
        return Err(too_large());
    }
    let mut reader = NsReader::from_reader(BufReader::new(Capped {
        inner: entry,
        left: cap,
    }));
    paragraphs(&mut reader)
}

fn too_large() -> OdtError {
    OdtError(format!(
        "{CONTENT_XML} is larger than {} MiB when decompressed, refused as a possible zip bomb",
        MAX_XML_BYTES >> 20
    ))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ns {
    Text,
    Office,
    Other,
}

fn ns_of(ns: &ResolveResult<'_>) -> Ns {
    match ns {
        ResolveResult::Bound(Namespace(uri)) if *uri == TEXT_NS => Ns::Text,
        ResolveResult::Bound(Namespace(uri)) if *uri == OFFICE_NS => Ns::Office,
        _ => Ns::Other,
    }
}

/// Streams the XML events and collects the visible text.
fn paragraphs<R: std::io::BufRead>(reader: &mut NsReader<R>) -> Result<String, OdtError> {
    let mut out = String::new();
    let mut buf = Vec::new();
    let mut seen_paragraph = false;
    // Depth inside office:body, inside paragraphs, and inside skipped elements.
    let (mut body, mut para, mut skipped) = (0u32, 0u32, 0u32);
    loop {
        let event = reader.read_event_into(&mut buf).map_err(xml_error)?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let (ns, local) = reader.resolve_element(e.name());
                let (ns, local) = (ns_of(&ns), local.as_ref());
                if ns == Ns::Office && local == b"body" {
                    body += u32::from(!empty);
                    continue;
                }
                if body == 0 {
                    continue;
                }
                let skip = matches!(
                    (ns, local),
                    (Ns::Text, b"note" | b"tracked-changes") | (Ns::Office, b"annotation")
                );
                if skip || skipped > 0 {
                    skipped += u32::from(!empty);
                    continue;
                }
                match (ns, local) {
                    (Ns::Text, b"p" | b"h") => {
                        if seen_paragraph {
                            out.push('\n');
                        }
                        seen_paragraph = true;
                        para += u32::from(!empty);
                    }
                    (Ns::Text, b"s") if para > 0 => {
                        let n = e
                            .try_get_attribute("text:c")
                            .ok()
                            .flatten()
                            .and_then(|a| std::str::from_utf8(&a.value).ok()?.parse().ok())
                            .unwrap_or(1usize)
                            .min(1000);
                        out.extend(std::iter::repeat_n(' ', n));
                    }
                    (Ns::Text, b"tab") if para > 0 => out.push('\t'),
                    (Ns::Text, b"line-break") if para > 0 => out.push('\n'),
                    _ => {}
                }
            }
            Event::End(ref e) => {
                let (ns, local) = reader.resolve_element(e.name());
                let (ns, local) = (ns_of(&ns), local.as_ref());
                if ns == Ns::Office && local == b"body" {
                    body = body.saturating_sub(1);
                } else if skipped > 0 {
                    skipped -= 1;
                } else if ns == Ns::Text && matches!(local, b"p" | b"h") {
                    para = para.saturating_sub(1);
                }
            }
            Event::Text(ref t) if para > 0 && skipped == 0 => {
                // In ODF, runs of whitespace in text are one space; `text:s` carries the rest.
                let text = t.unescape().map_err(xml_error)?;
                let mut last_space = out.is_empty() || out.ends_with([' ', '\n', '\t']);
                for ch in text.chars() {
                    if matches!(ch, ' ' | '\t' | '\n' | '\r') {
                        if !last_space {
                            out.push(' ');
                        }
                        last_space = true;
                    } else {
                        out.push(ch);
                        last_space = false;
                    }
                }
            }
            Event::CData(ref t) if para > 0 && skipped == 0 => {
                out.push_str(&String::from_utf8_lossy(t));
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

fn xml_error(e: quick_xml::Error) -> OdtError {
    if let quick_xml::Error::Io(io) = &e
        && io.get_ref().is_some_and(|inner| inner.is::<CapReached>())
    {
        return too_large();
    }
    OdtError(format!("malformed XML in {CONTENT_XML}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A minimal `.odt` whose `content.xml` has `body` inside `<office:text>`.
    pub(crate) fn odt_with_body(body: &str) -> Vec<u8> {
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" office:version="1.3"><office:automatic-styles><style:style xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" style:name="P1"><text:p>not body</text:p></style:style></office:automatic-styles><office:body><office:text>{body}</office:text></office:body></office:document-content>"#
        );
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("mimetype", stored).unwrap();
        zip.write_all(b"application/vnd.oasis.opendocument.text")
            .unwrap();
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("content.xml", deflated).unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
        zip.finish().unwrap().into_inner()
    }

    fn text_of(body: &str) -> String {
        extract_text(&odt_with_body(body)).unwrap()
    }

    #[test]
    fn paragraphs_headings_lists_spaces_tabs_breaks() {
        let body = r#"<text:h text:outline-level="1">Interview <text:span>P01</text:span></text:h>
            <text:p>Interviewer:<text:tab/>How did   it
            start?</text:p>
            <text:list><text:list-item><text:p>first &amp; 😀</text:p></text:list-item>
            <text:list-item><text:p>second<text:s text:c="3"/>spaced</text:p></text:list-item></text:list>
            <text:p>line<text:line-break/>two<text:soft-page-break/> é مرحبا 你好</text:p>
            <text:p/>"#;
        assert_eq!(
            text_of(body),
            "Interview P01\nInterviewer:\tHow did it start?\nfirst & 😀\nsecond   spaced\nline\ntwo é مرحبا 你好\n"
        );
    }

    #[test]
    fn notes_comments_and_deletions_are_skipped() {
        let body = r#"<text:tracked-changes><text:changed-region><text:deletion><text:p>gone</text:p></text:deletion></text:changed-region></text:tracked-changes>
            <text:p>kept<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>footnote</text:p></text:note-body></text:note> text<office:annotation><text:p>a comment</text:p></office:annotation>.</text:p>
            <table:table><table:table-row><table:table-cell><text:p>cell</text:p></table:table-cell></table:table-row></table:table>"#;
        assert_eq!(text_of(body), "kept text.\ncell");
    }

    #[test]
    fn refusals() {
        assert!(extract_text(b"PK no").unwrap_err().0.contains("not a zip"));
        let bad = odt_with_body("<text:p>unclosed</text:h>");
        assert!(extract_text(&bad).unwrap_err().0.contains("malformed XML"));
        let big = odt_with_body(&"<text:p>aaaaaaaaaaaaaaaaaaaa</text:p>".repeat(500));
        assert!(
            extract_text_capped(&big, 1000)
                .unwrap_err()
                .0
                .contains("zip bomb")
        );
    }
}
