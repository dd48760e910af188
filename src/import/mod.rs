//! Importing transcripts from files: `.txt` and `.md` (any common text encoding) and Word
//! `.docx`. A file becomes an [`ImportedText`]: its decoded text with line endings normalised to
//! `\n` (so every char offset is final from here on), where it came from, and the speaker turns
//! found in it. Nothing here touches the store; the store saves what this module returns.
//!
//! One file per concern: `decode.rs` turns bytes into text, `turns.rs` finds speaker turns,
//! `docx.rs` extracts the text of a Word document; this file is the public API.

mod captions;
mod decode;
mod docx;
mod html;
mod odt;
mod pdf;
mod rtf;
pub mod survey;
mod turns;

pub use decode::{DecodeError, Decoded, decode, decode_checked};
pub use turns::{INTERVIEWER_LABELS, detect_turns, is_interviewer, participant_speakers};

mod project;
pub mod qdpx;
pub mod taguette;
pub use project::{Cancelled, ImportReport, ImportedDoc, ParsedBatch, expand_folders, read_files};

/// SHA-256 of `bytes` as lowercase hex (the origin hash of an imported file).
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

use crate::model::{Origin, Turn};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// File extensions (lowercase, without the dot) that can be imported.
pub const SUPPORTED_EXTENSIONS: &[&str] = &[
    "txt", "md", "docx", "odt", "rtf", "pdf", "html", "htm", "vtt", "srt",
];

/// The supported extensions as the error messages list them: `.txt, .md, .docx, ...`.
fn supported_list() -> String {
    SUPPORTED_EXTENSIONS
        .iter()
        .map(|e| format!(".{e}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A file read and decoded, ready to be stored as a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedText {
    /// File stem, e.g. `p01-interview` (the store makes it unique).
    pub name: String,
    /// Decoded text, BOM removed, CRLF and lone CR normalised to LF.
    pub text: String,
    /// File name (no directory), format, encoding used and SHA-256 of the original bytes.
    pub origin: Origin,
    /// Speaker turns found in `text` (empty if it does not look like a transcript).
    pub turns: Vec<Turn>,
    /// What the user should know about how the file was read (bytes replaced, an encoding
    /// guessed), each naming the file; empty when all went well.
    pub warnings: Vec<String>,
}

/// Why a file could not be imported. Every message ends with the file's path.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read (missing, no permission, ...).
    #[error("cannot import: cannot read the file ({error}): {}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the operating system said (shown in the message, so not a `source`).
        error: std::io::Error,
    },
    /// The path is a folder.
    #[error("cannot import: this is a folder, not a file: {}", path.display())]
    Directory {
        /// The folder.
        path: PathBuf,
    },
    /// The extension is not one of [`SUPPORTED_EXTENSIONS`].
    #[error(
        "cannot import: unsupported file type {kind} (supported: {}): {}",
        supported_list(),
        path.display()
    )]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// `".pdf"` or `without an extension`.
        kind: String,
    },
    /// The content is binary (NUL bytes), not text.
    #[error("cannot import: the file is binary, not text (it contains NUL bytes): {}", path.display())]
    Binary {
        /// The file.
        path: PathBuf,
    },
    /// A `.docx` that is not a zip archive or has no `word/document.xml`.
    #[error("cannot import: not a Word .docx document ({reason}): {}", path.display())]
    NotDocx {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The `word/document.xml` of a `.docx` is not well-formed XML.
    #[error("cannot import: malformed XML in word/document.xml ({detail}): {}", path.display())]
    MalformedDocx {
        /// The file.
        path: PathBuf,
        /// The XML parser's message.
        detail: String,
    },
    /// The `word/document.xml` of a `.docx` decompresses to more than 512 MiB.
    #[error(
        "cannot import: word/document.xml is larger than {} MiB when decompressed \
         (refused as a possible zip bomb): {}",
        docx::MAX_XML_BYTES >> 20,
        path.display()
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The path is not a regular file (a pipe, a device, a socket; links are followed).
    #[error("cannot import: this is {kind}, not a regular file: {}", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is (`a named pipe (FIFO)`, `a device`, ...).
        kind: &'static str,
    },
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error(
        "cannot import: the file is larger than {} MiB ({} MiB), too large for a transcript: {}",
        MAX_FILE_BYTES >> 20,
        size >> 20,
        path.display()
    )]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
    },
    /// The file has the extension of a format but not its content (captions without cues, a
    /// damaged document).
    #[error("cannot import: not a readable {format} file ({reason}): {}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The format's name (`WebVTT captions`).
        format: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The file has no bytes at all.
    #[error("cannot import: the file is empty: {}", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file's text is only whitespace (or a `.docx` has no text).
    #[error("cannot import: the file contains no text, only whitespace: {}", path.display())]
    NoText {
        /// The file.
        path: PathBuf,
    },
}

/// The largest file [`read_file`] reads: 256 MiB.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// Reads, decodes and analyses the file at `path`. The format comes from the extension.
/// Only regular files (links followed) of at most [`MAX_FILE_BYTES`] are read; the type and
/// size are checked before opening, so a pipe or a device never blocks or floods the import.
pub fn read_file(path: &Path) -> Result<ImportedText, ImportError> {
    use std::io::Read;
    let unreadable = |error| ImportError::Unreadable {
        path: path.to_owned(),
        error,
    };
    // `metadata` follows links: a link to /dev/zero is judged by /dev/zero.
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    check_file(path, &meta)?;
    // Check the extension before reading, so a large unsupported file is not read in vain.
    let format = format_of(path)?;
    let file = std::fs::File::open(path).map_err(unreadable)?;
    // The path may have been replaced since: judge what was opened too.
    let meta = file.metadata().map_err(unreadable)?;
    check_file(path, &meta)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ImportError::FileTooLarge {
            path: path.to_owned(),
            size: bytes.len() as u64,
        });
    }
    import(path, format, bytes)
}

/// Refuses folders, anything that is not a regular file, and files over the size limit.
fn check_file(path: &Path, meta: &std::fs::Metadata) -> Result<(), ImportError> {
    let ft = meta.file_type();
    if ft.is_dir() {
        return Err(ImportError::Directory {
            path: path.to_owned(),
        });
    }
    if !ft.is_file() {
        #[cfg(unix)]
        let kind = {
            use std::os::unix::fs::FileTypeExt;
            if ft.is_fifo() {
                "a named pipe (FIFO)"
            } else if ft.is_char_device() || ft.is_block_device() {
                "a device"
            } else if ft.is_socket() {
                "a socket"
            } else {
                "a special file"
            }
        };
        #[cfg(not(unix))]
        let kind = "a special file";
        return Err(ImportError::NotAFile {
            path: path.to_owned(),
            kind,
        });
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ImportError::FileTooLarge {
            path: path.to_owned(),
            size: meta.len(),
        });
    }
    Ok(())
}

/// Like [`read_file`], from bytes already in memory; the format comes from `file_name`'s
/// extension and errors name `file_name`.
pub fn read_bytes(file_name: &str, bytes: Vec<u8>) -> Result<ImportedText, ImportError> {
    let path = Path::new(file_name);
    let format = format_of(path)?;
    import(path, format, bytes)
}

/// The supported format (lowercase extension) of `path`.
fn format_of(path: &Path) -> Result<&'static str, ImportError> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase());
    match &ext {
        Some(e) => SUPPORTED_EXTENSIONS
            .iter()
            .copied()
            .find(|s| s == e)
            .ok_or_else(|| ImportError::Unsupported {
                path: path.to_owned(),
                kind: format!("\".{e}\""),
            }),
        None => Err(ImportError::Unsupported {
            path: path.to_owned(),
            kind: "without an extension".to_owned(),
        }),
    }
}

fn import(path: &Path, format: &'static str, bytes: Vec<u8>) -> Result<ImportedText, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty {
            path: path.to_owned(),
        });
    }
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (text, encoding, warnings) = if format == "docx" {
        let text = docx::extract_text(&bytes).map_err(|e| e.into_import_error(path))?;
        (text, docx::ENCODING_NAME, Vec::new())
    } else if format == "odt" {
        let text = odt::extract_text(&bytes).map_err(|e| ImportError::Malformed {
            path: path.to_owned(),
            format: "OpenDocument text (.odt)",
            reason: e.0,
        })?;
        (text, odt::ENCODING_NAME, Vec::new())
    } else if format == "rtf" {
        let text = rtf::extract_text(&bytes).map_err(|reason| ImportError::Malformed {
            path: path.to_owned(),
            format: "Rich Text Format (.rtf)",
            reason,
        })?;
        (text, rtf::ENCODING_NAME, Vec::new())
    } else if format == "pdf" {
        let text = pdf::extract_text(&bytes).map_err(|reason| ImportError::Malformed {
            path: path.to_owned(),
            format: "PDF",
            reason,
        })?;
        (text, pdf::ENCODING_NAME, Vec::new())
    } else {
        let d = decode_checked(bytes).map_err(|e| match e {
            DecodeError::Binary => ImportError::Binary {
                path: path.to_owned(),
            },
        })?;
        let warnings = d.warnings(&file_name);
        if matches!(format, "html" | "htm") {
            (html::visible_text(&d.text), html::ENCODING_NAME, warnings)
        } else {
            (d.text, d.encoding, warnings)
        }
    };
    // `normalize_newlines` always copies; skip it (and the copy) when there is nothing to do.
    let text = if text.contains('\r') {
        crate::text::normalize_newlines(&text)
    } else {
        text
    };
    if text.trim().is_empty() {
        return Err(ImportError::NoText {
            path: path.to_owned(),
        });
    }
    let (text, turns) = match format {
        "vtt" | "srt" => {
            let kind = if format == "vtt" {
                captions::Kind::Vtt
            } else {
                captions::Kind::Srt
            };
            captions::parse(&text, kind).map_err(|e| ImportError::Malformed {
                path: path.to_owned(),
                format: if format == "vtt" {
                    "WebVTT captions"
                } else {
                    "SubRip (SRT) subtitles"
                },
                reason: e.reason(kind),
            })?
        }
        _ => {
            let turns = detect_turns(&text);
            (text, turns)
        }
    };
    let name = path
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(ImportedText {
        name,
        text,
        origin: Origin {
            file_name,
            format: format.to_owned(),
            encoding: encoding.to_owned(),
            sha256,
        },
        turns,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_from_memory() {
        let t = read_bytes(
            "dir/p01-interview.TXT",
            b"I: Hello\r\nP: Hi\r\nI: Bye\r\n".to_vec(),
        )
        .unwrap();
        assert_eq!(t.name, "p01-interview");
        assert_eq!(t.text, "I: Hello\nP: Hi\nI: Bye\n");
        assert_eq!(t.origin.file_name, "p01-interview.TXT");
        assert_eq!(t.origin.format, "txt");
        assert_eq!(t.origin.encoding, "UTF-8");
        assert_eq!(
            t.origin.sha256,
            format!("{:x}", Sha256::digest(b"I: Hello\r\nP: Hi\r\nI: Bye\r\n"))
        );
        assert_eq!(t.turns.len(), 3);
    }

    #[test]
    fn markdown_kept_as_is() {
        let md = "# Interview\n\n**Note**: *markup* stays.\n";
        let t = read_bytes("a.md", md.as_bytes().to_vec()).unwrap();
        assert_eq!(t.text, md);
        assert_eq!(t.origin.format, "md");
        assert!(t.turns.is_empty());
    }

    #[test]
    fn errors_name_the_file_last() {
        let cases: Vec<(ImportError, &str)> = vec![
            (
                read_bytes("x/a.txt", vec![]).unwrap_err(),
                "the file is empty",
            ),
            (
                read_bytes("x/a.txt", b" \n\t\r\n".to_vec()).unwrap_err(),
                "only whitespace",
            ),
            (
                read_bytes("x/a.txt", b"ab\0c".to_vec()).unwrap_err(),
                "binary",
            ),
            (
                read_bytes("x/a.pdf", b"%PDF".to_vec()).unwrap_err(),
                "not a readable PDF file",
            ),
            (
                read_bytes("x/a", b"text".to_vec()).unwrap_err(),
                "without an extension",
            ),
            (
                read_bytes("x/a.docx", b"text".to_vec()).unwrap_err(),
                "not a zip",
            ),
        ];
        for (err, needle) in cases {
            let msg = err.to_string();
            assert!(msg.starts_with("cannot import: "), "{msg}");
            assert!(msg.contains(needle), "{msg}");
            assert!(
                msg.ends_with("x/a.txt")
                    || msg.ends_with("x/a.pdf")
                    || msg.ends_with("x/a")
                    || msg.ends_with("x/a.docx"),
                "{msg}"
            );
        }
        let unsupported = read_bytes("b.xyz", b"{".to_vec()).unwrap_err().to_string();
        assert!(
            unsupported.contains(".txt, .md, .docx, .odt, .rtf, .pdf, .html, .htm, .vtt, .srt"),
            "{unsupported}"
        );
    }
}
