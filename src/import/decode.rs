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
/// Empty input gives an empty string. See [`decode_checked`] for what was replaced or guessed.
pub fn decode(bytes: Vec<u8>) -> Result<(String, &'static str), DecodeError> {
    decode_checked(bytes).map(|d| (d.text, d.encoding))
}

/// Bytes decoded, with what the user should know about how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// The encoding used (see [`decode`]).
    pub encoding: &'static str,
    /// Invalid UTF-8 sequences replaced with U+FFFD, as (count, 1-based lines they are on).
    pub replaced: Option<(usize, Vec<usize>)>,
    /// The text was not UTF-8 and the legacy encoding was a guess.
    pub guessed: bool,
}

impl Decoded {
    /// The warnings for the file `name` (empty when there is nothing to say).
    pub fn warnings(&self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some((count, lines)) = &self.replaced {
            const SHOWN: usize = 10;
            let mut list: Vec<String> = lines.iter().take(SHOWN).map(usize::to_string).collect();
            if lines.len() > SHOWN {
                list.push("...".to_owned());
            }
            out.push(format!(
                "{name}: {count} invalid UTF-8 byte sequence{s} replaced with \u{fffd} (line{ls} {}); \
                 the rest of the text was read as UTF-8",
                list.join(", "),
                s = if *count == 1 { "" } else { "s" },
                ls = if lines.len() == 1 { "" } else { "s" },
            ));
        }
        if self.guessed {
            out.push(format!(
                "{name}: the file is not UTF-8; it was decoded as {} (a guess): check its \
                 accented letters, or save it as UTF-8 and import it again",
                self.encoding
            ));
        }
        out
    }
}

/// Like [`decode`], saying which bytes were replaced and whether the encoding was guessed.
///
/// Text that is UTF-8 apart from a few broken sequences stays UTF-8 (each broken sequence
/// becomes U+FFFD): at most one invalid sequence per 100 bytes, or more valid multi-byte
/// characters than invalid sequences. Only text that is not UTF-8 at all goes to a legacy
/// encoding guessed with chardetng.
pub fn decode_checked(mut bytes: Vec<u8>) -> Result<Decoded, DecodeError> {
    let plain = |text: String, encoding: &'static str| Decoded {
        text,
        encoding,
        replaced: None,
        guessed: false,
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(UTF_16LE, rest).map(|(t, e)| plain(t, e));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(UTF_16BE, rest).map(|(t, e)| plain(t, e));
    }
    // NUL is a valid char in UTF-8 and in every 8-bit encoding, but no text file has one.
    if bytes.contains(&0) {
        return Err(DecodeError::Binary);
    }
    if bytes.starts_with(UTF8_BOM) {
        // Shifts in place: no second buffer.
        bytes.drain(..UTF8_BOM.len());
        // A BOM is a strong claim; broken sequences become U+FFFD rather than a guess.
        return Ok(match String::from_utf8(bytes) {
            Ok(text) => plain(text, "UTF-8 (BOM)"),
            Err(e) => lossy(e.as_bytes(), "UTF-8 (BOM)"),
        });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(plain(text, "UTF-8")),
        Err(e) => {
            let bytes = e.into_bytes();
            let (invalid, multibyte) = utf8_stats(&bytes);
            if invalid * 100 <= bytes.len() || multibyte > invalid {
                return Ok(lossy(&bytes, "UTF-8"));
            }
            let mut detector = chardetng::EncodingDetector::new();
            detector.feed(&bytes, true);
            let encoding = detector.guess(None, false);
            let (text, _) = encoding.decode_without_bom_handling(&bytes);
            Ok(Decoded {
                text: text.into_owned(),
                encoding: encoding.name(),
                replaced: None,
                guessed: true,
            })
        }
    }
}

/// (invalid sequences, valid multi-byte characters) of `bytes` read as UTF-8.
fn utf8_stats(bytes: &[u8]) -> (usize, usize) {
    let mut invalid = 0;
    let mut multibyte = 0;
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    (invalid, multibyte)
}

/// `bytes` as UTF-8 with each invalid sequence replaced by U+FFFD (as
/// `String::from_utf8_lossy`), counting them and the lines they are on.
fn lossy(bytes: &[u8], encoding: &'static str) -> Decoded {
    let mut text = String::with_capacity(bytes.len() + 16);
    let mut count = 0;
    let mut lines: Vec<usize> = Vec::new();
    let mut line = 1;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        line += chunk.valid().bytes().filter(|&b| b == b'\n').count();
        if !chunk.invalid().is_empty() {
            text.push(char::REPLACEMENT_CHARACTER);
            count += 1;
            if lines.last() != Some(&line) {
                lines.push(line);
            }
        }
    }
    Decoded {
        text,
        encoding,
        replaced: (count > 0).then_some((count, lines)),
        guessed: false,
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
    fn a_few_invalid_bytes_in_utf8_stay_utf8() {
        // Valid UTF-8 (accents, emoji) with one stray windows-1252 byte on line 2.
        let mut bytes = "Zoë: café 😀\nI: déjà vu ".as_bytes().to_vec();
        bytes.push(0x92);
        bytes.extend_from_slice("s naïve\nP: ok\n".as_bytes());
        let d = decode_checked(bytes).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.text, "Zoë: café 😀\nI: déjà vu \u{fffd}s naïve\nP: ok\n");
        assert_eq!(d.replaced, Some((1, vec![2])));
        assert!(!d.guessed);
        let w = d.warnings("p01.txt");
        assert_eq!(w.len(), 1);
        assert!(
            w[0].starts_with("p01.txt: 1 invalid UTF-8 byte sequence"),
            "{w:?}"
        );
        assert!(w[0].contains("line 2"), "{w:?}");
        // Long ASCII text with one bad byte: well under 1%.
        let mut long = b"plain words ".repeat(50);
        long.push(0xFF);
        let d = decode_checked(long).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.replaced, Some((1, vec![1])));
    }

    #[test]
    fn legacy_guess_is_said() {
        let bytes = b"\x93Quoted\x94 caf\xE9, d\xE9j\xE0 vu".to_vec();
        let d = decode_checked(bytes).unwrap();
        assert!(d.guessed);
        assert_eq!(d.encoding, "windows-1252");
        let w = d.warnings("a.txt");
        assert!(
            w[0].contains("not UTF-8") && w[0].contains("windows-1252"),
            "{w:?}"
        );
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
