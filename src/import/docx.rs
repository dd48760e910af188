//! Text of a Word `.docx` document: `word/document.xml` read from the zip archive with a
//! streaming XML reader (never a DOM, never the whole XML in memory), one line per paragraph.
//!
//! Kept: run text (`w:t`), tabs (`w:tab`), line breaks (`w:br`, `w:cr`), non-breaking hyphens.
//! Skipped: deleted text of tracked changes (`w:del`, `w:delText`, `w:moveFrom`), field
//! instructions (`w:instrText`), footnote and endnote references (they carry no text here),
//! tab-stop definitions (`w:tabs`) and the fallback copy of text boxes (`mc:Fallback`).
//! Decompression is capped at [`MAX_XML_BYTES`] so a zip bomb is refused, not inflated.

use super::ImportError;
use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;
use std::io::{BufReader, Cursor, Read};
use std::path::Path;

/// Largest decompressed `word/document.xml` we read (512 MiB).
pub(crate) const MAX_XML_BYTES: u64 = 512 << 20;

/// Encoding reported for text taken from a `.docx`.
pub(crate) const ENCODING_NAME: &str = "UTF-8 (docx)";

const DOCUMENT_XML: &str = "word/document.xml";
/// WordprocessingML namespaces: transitional (what Word writes) and strict.
const W_NAMESPACES: [&[u8]; 2] = [
    b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    b"http://purl.oclc.org/ooxml/wordprocessingml/main",
];
const MC_NAMESPACE: &[u8] = b"http://schemas.openxmlformats.org/markup-compatibility/2006";

/// Why the text of a `.docx` could not be extracted.
#[derive(Debug)]
pub(crate) enum DocxError {
    NotZip(String),
    NoDocumentXml,
    TooLarge,
    Xml(String),
}

impl DocxError {
    pub(crate) fn into_import_error(self, path: &Path) -> ImportError {
        let path = path.to_owned();
        match self {
            Self::NotZip(e) => ImportError::NotDocx {
                path,
                reason: format!("not a zip archive: {e}"),
            },
            Self::NoDocumentXml => ImportError::NotDocx {
                path,
                reason: format!("it has no {DOCUMENT_XML}"),
            },
            Self::TooLarge => ImportError::TooLarge { path },
            Self::Xml(detail) => ImportError::MalformedDocx { path, detail },
        }
    }
}

/// Marker inside the `io::Error` the capped reader returns, to tell it from real XML errors.
#[derive(Debug)]
pub(crate) struct CapReached;

impl std::fmt::Display for CapReached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("decompressed size limit reached")
    }
}

impl std::error::Error for CapReached {}

/// Reads at most `left` bytes, then fails with [`CapReached`].
pub(crate) struct Capped<R> {
    pub(crate) inner: R,
    pub(crate) left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One probe byte tells "exactly at the cap" from "over it".
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::other(CapReached)),
            };
        }
        let max = usize::try_from(self.left)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = self.inner.read(buf.get_mut(..max).unwrap_or_default())?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// The text of the `.docx` in `bytes`: paragraphs joined by `\n`.
pub(crate) fn extract_text(bytes: &[u8]) -> Result<String, DocxError> {
    extract_text_capped(bytes, MAX_XML_BYTES)
}

fn extract_text_capped(bytes: &[u8], cap: u64) -> Result<String, DocxError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| DocxError::NotZip(e.to_string()))?;
    let entry = match archive.by_name(DOCUMENT_XML) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Err(DocxError::NoDocumentXml),
        Err(e) => return Err(DocxError::NotZip(e.to_string())),
    };
    // The declared size can lie, so the reader is capped as well; this only refuses early.
    if entry.size() > cap {
        return Err(DocxError::TooLarge);
    }
    let mut reader = NsReader::from_reader(BufReader::new(Capped {
        inner: entry,
        left: cap,
    }));
    paragraphs(&mut reader)
}

/// Streams the XML events and collects the visible text.
fn paragraphs<R: std::io::BufRead>(reader: &mut NsReader<R>) -> Result<String, DocxError> {
    let mut out = String::new();
    let mut buf = Vec::new();
    let mut seen_paragraph = false;
    // Depths of the elements whose content is skipped or kept.
    let (mut in_text, mut deleted, mut tab_stops, mut fallback) = (0u32, 0u32, 0u32, 0u32);
    loop {
        let event = reader.read_event_into(&mut buf).map_err(xml_error)?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let (ns, local) = reader.resolve_element(e.name());
                match element(&ns, local.as_ref()) {
                    Element::Mc(b"Fallback") if !empty => fallback += 1,
                    Element::W(name) if fallback == 0 => match name {
                        b"p" => {
                            if seen_paragraph {
                                out.push('\n');
                            }
                            seen_paragraph = true;
                        }
                        b"t" if !empty => in_text += 1,
                        b"del" | b"moveFrom" if !empty => deleted += 1,
                        b"tabs" if !empty => tab_stops += 1,
                        b"tab" if deleted == 0 && tab_stops == 0 => out.push('\t'),
                        b"br" | b"cr" if deleted == 0 => out.push('\n'),
                        b"noBreakHyphen" if deleted == 0 => out.push('\u{2011}'),
                        _ => {}
                    },
                    _ => {}
                }
            }
            Event::End(ref e) => {
                let (ns, local) = reader.resolve_element(e.name());
                match element(&ns, local.as_ref()) {
                    Element::Mc(b"Fallback") => fallback = fallback.saturating_sub(1),
                    Element::W(name) if fallback == 0 => match name {
                        b"t" => in_text = in_text.saturating_sub(1),
                        b"del" | b"moveFrom" => deleted = deleted.saturating_sub(1),
                        b"tabs" => tab_stops = tab_stops.saturating_sub(1),
                        _ => {}
                    },
                    _ => {}
                }
            }
            Event::Text(ref t) if in_text > 0 && deleted == 0 && fallback == 0 => {
                out.push_str(&t.unescape().map_err(xml_error)?);
            }
            Event::CData(ref t) if in_text > 0 && deleted == 0 && fallback == 0 => {
                out.push_str(&String::from_utf8_lossy(t));
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

enum Element<'n> {
    W(&'n [u8]),
    Mc(&'n [u8]),
    Other,
}

fn element<'n>(ns: &ResolveResult<'_>, local: &'n [u8]) -> Element<'n> {
    match ns {
        ResolveResult::Bound(Namespace(uri)) if W_NAMESPACES.contains(uri) => Element::W(local),
        ResolveResult::Bound(Namespace(uri)) if *uri == MC_NAMESPACE => Element::Mc(local),
        _ => Element::Other,
    }
}

fn xml_error(e: quick_xml::Error) -> DocxError {
    if let quick_xml::Error::Io(io) = &e
        && io.get_ref().is_some_and(|inner| inner.is::<CapReached>())
    {
        return DocxError::TooLarge;
    }
    DocxError::Xml(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    /// A minimal `.docx` whose `word/document.xml` has `body` inside `<w:body>`.
    fn docx_with_body(body: &str) -> Vec<u8> {
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body}</w:body></w:document>"#
        );
        zip_of(&[
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
            ),
            ("word/document.xml", &xml),
        ])
    }

    fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in files {
            zip.start_file(*name, opts).unwrap();
            zip.write_all(content.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn text_of(body: &str) -> String {
        extract_text(&docx_with_body(body)).unwrap()
    }

    #[test]
    fn paragraphs_tabs_breaks_entities() {
        let body = r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>
            <w:r><w:t>Interviewer:</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">Tom &amp; Jerry &lt;3 &#233;&#x1F600;</w:t></w:r></w:p>
            <w:p/>
            <w:p><w:r><w:t>line</w:t><w:br/><w:t>two</w:t><w:cr/><w:t>three</w:t></w:r></w:p>"#;
        assert_eq!(
            text_of(body),
            "Interviewer:\tTom & Jerry <3 é😀\n\nline\ntwo\nthree"
        );
    }

    #[test]
    fn skips_deleted_fields_and_fallbacks() {
        let body = r#"<w:p>
            <w:r><w:t>kept </w:t></w:r>
            <w:del w:id="1" w:author="A"><w:r><w:delText>gone</w:delText><w:tab/><w:br/></w:r></w:del>
            <w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>
            <w:r><w:fldChar w:fldCharType="end"/></w:r>
            <w:r><w:footnoteReference w:id="2"/></w:r>
            <w:moveFrom><w:r><w:t>moved away</w:t></w:r></w:moveFrom>
            <w:ins><w:r><w:t>inserted</w:t></w:r></w:ins>
            <mc:AlternateContent><mc:Choice Requires="wps"><w:r><w:t>[box]</w:t></w:r></mc:Choice>
            <mc:Fallback><w:r><w:t>[box copy]</w:t></w:r></mc:Fallback></mc:AlternateContent>
            </w:p>"#;
        assert_eq!(text_of(body), "kept inserted[box]");
    }

    #[test]
    fn refusals() {
        assert!(matches!(
            extract_text(b"PK not really"),
            Err(DocxError::NotZip(_))
        ));
        let no_doc = zip_of(&[("word/other.xml", "<x/>")]);
        assert!(matches!(
            extract_text(&no_doc),
            Err(DocxError::NoDocumentXml)
        ));
        let bad = docx_with_body("<w:p><w:t>unclosed</w:p>");
        assert!(
            matches!(extract_text(&bad), Err(DocxError::Xml(_))),
            "{:?}",
            extract_text(&bad)
        );
        let bad_entity = docx_with_body("<w:p><w:t>&nosuch;</w:t></w:p>");
        assert!(matches!(extract_text(&bad_entity), Err(DocxError::Xml(_))));
    }

    #[test]
    fn decompression_is_capped() {
        let doc = docx_with_body(&"<w:p><w:r><w:t>aaaaaaaaaaaaaaaa</w:t></w:r></w:p>".repeat(1000));
        assert!(matches!(
            extract_text_capped(&doc, 1000),
            Err(DocxError::TooLarge)
        ));
        assert!(extract_text_capped(&doc, 1 << 20).is_ok());
        // The capped reader itself, for an entry that lies about its size.
        let mut r = Capped {
            inner: Cursor::new(vec![b'x'; 10]),
            left: 4,
        };
        let mut out = Vec::new();
        let err = r.read_to_end(&mut out).unwrap_err();
        assert!(err.get_ref().unwrap().is::<CapReached>());
        assert_eq!(out.len(), 4);
        let mut exact = Capped {
            inner: Cursor::new(vec![b'x'; 4]),
            left: 4,
        };
        assert_eq!(exact.read_to_end(&mut Vec::new()).unwrap(), 4);
    }
}
