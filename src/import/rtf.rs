//! Text of a Rich Text Format document (`.rtf`), through the `rtf-parser-tt` crate: it follows
//! the RTF 1.9.1 grammar, decodes `\'hh` bytes in the code page the document declares
//! (`\ansicpg`, or a font's `\fcharset`) and `\uN` escapes with their fallbacks (`\ucN`), skips
//! the font, colour and style tables and pictures, and keeps paragraphs (`\par`), line breaks
//! and tabs. Footnotes, headers, footers and hidden text are left out.

/// Encoding reported for text taken from an `.rtf`.
pub(crate) const ENCODING_NAME: &str = "RTF";

/// The text of the RTF document in `bytes`, paragraphs on their own lines; the reason when it
/// is not RTF or cannot be read.
pub(crate) fn extract_text(bytes: &[u8]) -> Result<String, String> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let body = bytes.get(start..).unwrap_or_default();
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    if !body.starts_with(b"{\\rtf") {
        return Err("it does not start with {\\rtf, the mark of an RTF document".to_owned());
    }
    // The parser is third-party code: a panic on some odd document must not take the import
    // (or the app) down with it.
    let parsed = std::panic::catch_unwind(|| rtf_parser_tt::RtfDocument::from_bytes(body))
        .map_err(|_| "the RTF reader failed on this document".to_owned())?;
    let doc = parsed.map_err(|e| format!("it is not well-formed RTF: {e}"))?;
    let options = rtf_parser_tt::TextOptions::default()
        .hidden_text(false)
        .notes(false)
        .headers_footers(false);
    Ok(doc.get_text_with(options))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(rtf: &str) -> String {
        extract_text(rtf.as_bytes()).unwrap()
    }

    #[test]
    fn paragraphs_and_escapes() {
        let rtf = r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\froman Times;}}{\colortbl;\red0\green0\blue0;}
{\*\generator Hand;}\pard Interviewer:\tab How did it start?\par
P01: Caf\'e9 na\'efve \u8220?quoted\u8221? \u-10179?\u-8704? done.\par
{\b bold} \u1605?\u1585?\u1581?\u1576?\u1575? \u20320?\u22909?\line next\par
}";
        let t = text(rtf);
        assert!(t.contains("Interviewer:\tHow did it start?\n"), "{t:?}");
        assert!(t.contains("P01: Café naïve “quoted” 😀 done.\n"), "{t:?}");
        assert!(t.contains("bold مرحبا 你好\nnext"), "{t:?}");
        assert!(!t.contains("Times") && !t.contains("Hand"), "{t:?}");
    }

    #[test]
    fn code_pages() {
        let mut rtf = b"{\\rtf1\\ansi\\ansicpg1251 \\pard ".to_vec();
        rtf.extend(b"\\'cf\\'f0\\'e8\\'e2\\'e5\\'f2\\par}");
        assert_eq!(extract_text(&rtf).unwrap().trim(), "Привет");
    }

    #[test]
    fn refusals_do_not_panic() {
        assert!(extract_text(b"hello").unwrap_err().contains("{\\rtf"));
        for s in [
            "{\\rtf1",
            "{\\rtf1 {{{{ \\u99999999999? }",
            "{\\rtf1 \\'zz \\u-99999?}",
            "{\\rtf}}}}}",
        ] {
            let _ = extract_text(s.as_bytes());
        }
    }
}
