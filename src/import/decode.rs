//! Bytes to text: UTF-8 (with or without a BOM), UTF-16 with a BOM, and legacy 8-bit encodings
//! (windows-1252, ISO-8859-2, ...) guessed with chardetng and decoded with encoding_rs. Reports
//! the encoding it used so the project can record it.
//!
//! Memory matters for large transcripts: valid UTF-8 reuses the input buffer, so decoding never
//! holds more than the input plus one decoded copy. Line endings are left alone here; the
//! caller normalises them.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};

/// Why bytes could not be decoded as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes contain NUL bytes (or NUL chars after UTF-16 decoding): binary, not text.
    #[error("the content is binary, not text (it contains NUL bytes)")]
    Binary,
}

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// Decodes `bytes` to text and names the encoding used: `UTF-8`, `UTF-8 (BOM)`, `UTF-16LE`,
/// `UTF-16BE` (both need a BOM) or a legacy encoding such as `windows-1252`. The BOM is removed.
/// Empty input gives an empty string.
pub fn decode(mut bytes: Vec<u8>) -> Result<(String, &'static str), DecodeError> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(UTF_16LE, rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(UTF_16BE, rest);
    }
    // NUL is a valid char in UTF-8 and in every 8-bit encoding, but no text file has one.
    if bytes.contains(&0) {
        return Err(DecodeError::Binary);
    }
    if bytes.starts_with(UTF8_BOM) {
        // Shifts in place: no second buffer.
        bytes.drain(..UTF8_BOM.len());
        // A BOM is a strong claim; a few broken sequences become U+FFFD rather than a guess.
        let text = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        return Ok((text, "UTF-8 (BOM)"));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, "UTF-8")),
        Err(e) => {
            let bytes = e.into_bytes();
            let mut detector = chardetng::EncodingDetector::new();
            detector.feed(&bytes, true);
            let encoding = detector.guess(None, false);
            let (text, _) = encoding.decode_without_bom_handling(&bytes);
            Ok((text.into_owned(), encoding.name()))
        }
    }
}

fn utf16(encoding: &'static Encoding, rest: &[u8]) -> Result<(String, &'static str), DecodeError> {
    let (text, _) = encoding.decode_without_bom_handling(rest);
    if text.contains('\0') {
        return Err(DecodeError::Binary);
    }
    Ok((text.into_owned(), encoding.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16_bytes(text: &str, big_endian: bool) -> Vec<u8> {
        let mut out = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            let b = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            out.extend_from_slice(&b);
        }
        out
    }

    #[test]
    fn utf8_plain_and_bom() {
        assert_eq!(
            decode(b"caf\xC3\xA9".to_vec()),
            Ok(("café".to_owned(), "UTF-8"))
        );
        assert_eq!(
            decode(b"\xEF\xBB\xBFcaf\xC3\xA9".to_vec()),
            Ok(("café".to_owned(), "UTF-8 (BOM)"))
        );
        assert_eq!(decode(Vec::new()), Ok((String::new(), "UTF-8")));
        assert_eq!(
            decode(UTF8_BOM.to_vec()),
            Ok((String::new(), "UTF-8 (BOM)"))
        );
    }

    #[test]
    fn utf8_reuses_the_buffer() {
        let bytes = b"plain text".to_vec();
        let ptr = bytes.as_ptr();
        let (text, _) = decode(bytes).unwrap();
        assert_eq!(text.as_ptr(), ptr);
    }

    #[test]
    fn utf16_with_bom() {
        let text = "Zoë: 😀 共同 مرحبا\r\n";
        assert_eq!(
            decode(utf16_bytes(text, false)),
            Ok((text.to_owned(), "UTF-16LE"))
        );
        assert_eq!(
            decode(utf16_bytes(text, true)),
            Ok((text.to_owned(), "UTF-16BE"))
        );
        // An odd trailing byte is not a panic.
        let mut odd = utf16_bytes("ab", false);
        odd.push(b'c');
        assert!(decode(odd).is_ok());
        assert_eq!(decode(utf16_bytes("a\0b", false)), Err(DecodeError::Binary));
    }

    #[test]
    fn windows_1252() {
        // “Quoted” café, déjà vu — in windows-1252.
        let bytes =
            b"\x93Quoted\x94 caf\xE9, d\xE9j\xE0 vu \x97 na\xEFve r\xE9sum\xE9 \x85".to_vec();
        let (text, enc) = decode(bytes).unwrap();
        assert_eq!(enc, "windows-1252");
        assert_eq!(text, "“Quoted” café, déjà vu — naïve résumé …");
    }

    #[test]
    fn iso_8859_2() {
        // Polish in ISO-8859-2: "Zażółć gęślą jaźń" repeated so the guess is confident.
        let one: &[u8] = b"Za\xBF\xF3\xB3\xE6 g\xEA\xB6l\xB1 ja\xBC\xF1. ";
        let bytes: Vec<u8> = one.repeat(20);
        let (text, enc) = decode(bytes).unwrap();
        assert_eq!(enc, "ISO-8859-2");
        assert!(text.starts_with("Zażółć gęślą jaźń."), "{text}");
    }

    #[test]
    fn binary_is_refused() {
        let png = vec![
            0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H',
        ];
        assert_eq!(decode(png), Err(DecodeError::Binary));
        assert_eq!(decode(b"text\0".to_vec()), Err(DecodeError::Binary));
    }
}
