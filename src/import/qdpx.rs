//! REFI-QDA import: a `.qdpx` project (a zip holding one `*.qde` XML file and a `sources/`
//! folder) or a `.qdc` codebook becomes a [`Bundle`] and a [`QdpxReport`]. Nothing here touches
//! the store.
//!
//! Lenient about what real tools write (see `../shared/refi-qda/NOTES.md`): names inside the zip
//! match case-insensitively, any single `*.qde` at the root is the project, GUIDs compare
//! without case or braces, elements match by local name whatever the namespace. What Weft
//! cannot hold (PDF, pictures, audio, video, links, uncoded selections, set members that are
//! not codes) is skipped and counted; sets of codes become themes (a Weft theme's set carries
//! its definition, status and parent in its `Description`, see [`BundleTheme::description`];
//! another tool's set becomes a candidate theme with its description as the definition); dangling references, duplicate GUIDs and positions outside a text are skipped with
//! a warning and counted. Hostile files are refused with one sentence naming the file: not a
//! zip, entries escaping the folder, sizes past the limits, DTDs with entities.
//!
//! Positions: each text source's selections are scored under every way a tool may have counted
//! ([`ForeignUnit`]), by their quote where the file gives one and by word boundaries, and the
//! best unit maps them to chars of the LF-normalised stored text.

mod xml;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::model::{
    AttrScope, AttrType, Bundle, BundleAttribute, BundleCase, BundleCode, BundleCoder,
    BundleCoding, BundleDocument, BundleMemo, BundleTarget, BundleTheme, CharRange, Color,
    NewDocument, Origin,
};
use crate::text::{ForeignOffsets, ForeignUnit};
use xml::{El, XmlError};

/// Largest `project.qde` read, decompressed: 512 MiB.
pub const MAX_PROJECT_XML: u64 = 512 << 20;
/// Largest source file read, decompressed: 256 MiB.
pub const MAX_SOURCE: u64 = 256 << 20;
/// Largest total read from one archive, decompressed: 2 GiB.
pub const MAX_TOTAL: u64 = 2 << 30;
/// Largest `.qdc` codebook: 64 MiB.
pub const MAX_CODEBOOK: u64 = 64 << 20;
/// Marker the QDPX export writes in the description of a speaker's turns mapped to a case.
pub const SPEAKER_MARKER: &str = "Weft speaker turn: ";
/// Warnings listed one by one in a report (the counts stay exact past it).
const MAX_LISTED_WARNINGS: usize = 200;

/// Why a REFI-QDA file could not be imported at all. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum QdpxError {
    /// The file could not be read.
    #[error("cannot import: cannot read the file ({error}): {}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        error: std::io::Error,
    },
    /// Not a zip archive.
    #[error("cannot import: not a QDPX project, the file is not a zip archive ({reason}): {}", path.display())]
    NotZip {
        /// The file.
        path: PathBuf,
        /// What the zip reader said.
        reason: String,
    },
    /// An entry's path is absolute or climbs out of the archive's folder.
    #[error("cannot import: the archive holds an entry whose path escapes its folder (“{entry}”), refused as unsafe: {}", path.display())]
    UnsafeEntry {
        /// The file.
        path: PathBuf,
        /// The entry's name.
        entry: String,
    },
    /// A size limit was passed.
    #[error("cannot import: {what} is larger than {} MiB when decompressed (refused as a possible zip bomb): {}", limit >> 20, path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// What was too large.
        what: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// No `*.qde` at the archive's root, or several.
    #[error("cannot import: {reason}: {}", path.display())]
    NoProject {
        /// The file.
        path: PathBuf,
        /// `no project.qde`, `several .qde files`.
        reason: String,
    },
    /// The XML declares entities (refused, never expanded).
    #[error("cannot import: the XML has a document type declaration with entities or external references, refused (never expanded or fetched): {}", path.display())]
    Entities {
        /// The file.
        path: PathBuf,
    },
    /// The XML is not well-formed.
    #[error("cannot import: malformed XML in {entry} ({detail}): {}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// Which XML file.
        entry: String,
        /// The parser's message.
        detail: String,
    },
    /// The root element is not the one expected.
    #[error("cannot import: {entry} is not a REFI-QDA {expected} (its root element is <{root}>): {}", path.display())]
    WrongRoot {
        /// The file.
        path: PathBuf,
        /// Which XML file.
        entry: String,
        /// `Project` or `CodeBook`.
        expected: &'static str,
        /// The root found.
        root: String,
    },
    /// The user cancelled.
    #[error("import cancelled: {}", path.display())]
    Cancelled {
        /// The file.
        path: PathBuf,
    },
}

/// How the positions of one text source were read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceReport {
    /// The document's name.
    pub name: String,
    /// The unit chosen ([`ForeignUnit::name`]).
    pub unit: String,
    /// Selections imported.
    pub selections: usize,
    /// Of those, how many have a quote (`name`) equal to the text they land on.
    pub verified_by_quote: usize,
    /// How many have no usable quote but start and end on word or line boundaries.
    pub verified_by_boundaries: usize,
    /// How many could not be verified either way.
    pub unverified: usize,
}

/// What an import brought in and what it skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QdpxReport {
    /// The file read.
    pub file: String,
    /// The tool that wrote it (`origin`).
    pub origin: String,
    /// Coders.
    pub coders: usize,
    /// Codes.
    pub codes: usize,
    /// Attributes (variables).
    pub attributes: usize,
    /// Cases.
    pub cases: usize,
    /// Documents (text sources).
    pub documents: usize,
    /// Codings.
    pub codings: usize,
    /// Memos.
    pub memos: usize,
    /// Speakers mapped to cases (restored from a Weft export).
    pub speakers: usize,
    /// Themes (sets of codes).
    pub themes: usize,
    /// Per text source: the unit of its positions and how well its selections checked out.
    pub sources: Vec<SourceReport>,
    /// What was skipped, by reason, with counts.
    pub skipped: BTreeMap<String, usize>,
    /// Warnings (at most 200 listed; `skipped` counts them all).
    pub warnings: Vec<String>,
}

impl QdpxReport {
    fn skip(&mut self, reason: &str, detail: impl FnOnce() -> String) {
        *self.skipped.entry(reason.to_owned()).or_default() += 1;
        if self.warnings.len() < MAX_LISTED_WARNINGS {
            self.warnings.push(detail());
        }
    }

    /// Selections verified by their quote, over all sources.
    pub fn verified_by_quote(&self) -> usize {
        self.sources.iter().map(|s| s.verified_by_quote).sum()
    }

    /// The report as text, one fact a line.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Imported {} (written by {}):",
            self.file,
            or_unknown(&self.origin)
        );
        for (n, what) in [
            (self.documents, "documents"),
            (self.codes, "codes"),
            (self.codings, "codings"),
            (self.cases, "cases"),
            (self.attributes, "attributes"),
            (self.memos, "memos"),
            (self.coders, "coders"),
            (self.speakers, "speakers mapped to cases"),
            (self.themes, "themes (sets of codes)"),
        ] {
            let _ = writeln!(out, "  {n} {what}");
        }
        let sum = |f: fn(&SourceReport) -> usize| self.sources.iter().map(f).sum::<usize>();
        let _ = writeln!(
            out,
            "  {} selections: {} verified by their quote, {} by word boundaries only, {} unverified",
            sum(|s| s.selections),
            sum(|s| s.verified_by_quote),
            sum(|s| s.verified_by_boundaries),
            sum(|s| s.unverified)
        );
        for s in &self.sources {
            if s.selections > 0 {
                let _ = writeln!(
                    out,
                    "  “{}”: positions read as {}; {} selections, {} verified by their quote, {} by word boundaries, {} unverified",
                    s.name,
                    s.unit,
                    s.selections,
                    s.verified_by_quote,
                    s.verified_by_boundaries,
                    s.unverified
                );
            }
        }
        if !self.skipped.is_empty() {
            let _ = writeln!(out, "Skipped:");
            for (why, n) in &self.skipped {
                let _ = writeln!(out, "  {n} × {why}");
            }
        }
        for w in &self.warnings {
            let _ = writeln!(out, "warning: {w}");
        }
        out
    }
}

fn or_unknown(s: &str) -> &str {
    if s.is_empty() { "an unknown tool" } else { s }
}

/// A REFI-QDA project read: what to add, and the report.
#[derive(Debug, Clone)]
pub struct QdpxImport {
    /// Everything to add, in one action.
    pub bundle: Bundle,
    /// What came in and what was skipped.
    pub report: QdpxReport,
}

/// Whether the file at `path` starts like a zip archive (a QDPX project).
pub fn looks_like_zip(path: &Path) -> bool {
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head == *b"PK\x03\x04" || head == *b"PK\x05\x06")
}

/// GUID normalised for comparison: no braces, no spaces, lowercase.
pub fn norm_guid(g: &str) -> String {
    g.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim()
        .to_ascii_lowercase()
}

/// A normalised GUID as a set key: a UUID in its usual 8-4-4-4-12 form is kept as a number
/// (a large project has hundreds of thousands of GUIDs), anything else as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum GuidKey {
    Uuid(u128),
    Text(Box<str>),
}

impl GuidKey {
    /// The key of `g`, already normalised by [`norm_guid`].
    fn of(g: &str) -> Self {
        let b = g.as_bytes();
        let dashes = [8, 13, 18, 23];
        let mut n: u128 = 0;
        let uuid = b.len() == 36
            && b.iter().enumerate().all(|(i, &c)| {
                if dashes.contains(&i) {
                    return c == b'-';
                }
                match char::from(c).to_digit(16) {
                    Some(d) => {
                        n = (n << 4) | u128::from(d);
                        true
                    }
                    None => false,
                }
            });
        if uuid {
            Self::Uuid(n)
        } else {
            Self::Text(g.into())
        }
    }
}

/// A set of GUIDs, UUIDs kept as 16-byte numbers.
#[derive(Default)]
struct GuidSet {
    uuids: HashSet<u128>,
    others: HashSet<Box<str>>,
}

impl GuidSet {
    /// Adds `g` (normalised); `false` when it was there.
    fn insert(&mut self, g: &str) -> bool {
        match GuidKey::of(g) {
            GuidKey::Uuid(n) => self.uuids.insert(n),
            GuidKey::Text(t) => self.others.insert(t),
        }
    }
}

/// Parses `#RRGGBB` or `#RGB`, any case.
pub fn parse_color(s: &str) -> Option<Color> {
    let hex = s.trim().trim_start_matches('#');
    if hex.len() == 3 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        let long: String = hex.chars().flat_map(|c| [c, c]).collect();
        return Color::parse(&long);
    }
    Color::parse(hex)
}

/// Size limits on what is read from an archive, decompressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The project XML.
    pub project_xml: u64,
    /// Each source file.
    pub source: u64,
    /// Everything read.
    pub total: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            project_xml: MAX_PROJECT_XML,
            source: MAX_SOURCE,
            total: MAX_TOTAL,
        }
    }
}

/// Reads the QDPX project at `path`. `progress(done, total)` is called as the sources are
/// converted (in kilobytes of the project XML read; in sources when a file out of the
/// standard's order is read whole); returning `false` cancels.
pub fn read(
    path: &Path,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<QdpxImport, QdpxError> {
    read_with_limits(path, Limits::default(), progress)
}

/// [`read`] with other size limits (tests use small ones).
pub fn read_with_limits(
    path: &Path,
    limits: Limits,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<QdpxImport, QdpxError> {
    let mut zip = open_zip(path)?;
    let mut archive = Archive::index(path, &mut zip, limits)?;
    let qde_name = archive.project_entry()?;
    let file_name = file_name(path);
    // Sources are converted as the parse reaches them, each let go once it is in the bundle,
    // so a large project's selections are never all in memory as a tree. Their texts come
    // from a second reader of the same archive, the first being busy with the XML.
    let mut sources_zip = open_zip(path)?;
    let mut builder = Builder::new(&file_name, "");
    let streamed = archive.read_with(
        &mut zip,
        &qde_name,
        limits.project_xml,
        "the project XML",
        |r, size, archive| {
            let mut halt = None;
            let mut visit = |stack: &[El], el: El, pos: u64| {
                builder
                    .visit(stack, el, (pos, size), archive, &mut sources_zip, progress)
                    .map_err(|h| {
                        halt = Some(h);
                        xml::Stop
                    })
            };
            let input = std::io::BufReader::with_capacity(1 << 16, r);
            match xml::parse_reader_with(input, &mut visit) {
                Ok(root) => Ok(Some(root)),
                Err(XmlError::Stopped) => match halt {
                    Some(Halt::Failed(e)) => Err(e),
                    Some(Halt::Restart) | None => Ok(None),
                },
                Err(e) => Err(xml_error(path, &qde_name, e)),
            }
        },
    )?;
    let mut root = match streamed {
        Some(root) => root,
        None => {
            // The codebook, users or variables came after the sources (not the standard's
            // order): read the file whole, then convert in order.
            archive.read_total = 0;
            builder = Builder::new(&file_name, "");
            let root =
                archive.read_xml(&mut zip, &qde_name, limits.project_xml, "the project XML")?;
            for name in HEAD {
                if let Some(el) = root.child(name) {
                    builder.head(el);
                }
            }
            root
        }
    };
    if root.name != "Project" {
        return Err(QdpxError::WrongRoot {
            path: path.to_owned(),
            entry: qde_name,
            expected: "project",
            root: root.name.into(),
        });
    }
    root.attr("origin")
        .unwrap_or("")
        .clone_into(&mut builder.report.origin);
    builder.tail(&mut root, &mut archive, &mut zip, progress)?;
    Ok(builder.finish(&root))
}

/// Reads the codes of the `.qdc` codebook at `path` (any of the `1.0`, `0:4` and `1:0`
/// namespaces), parents before children, with the report of what was skipped.
pub fn read_codebook(path: &Path) -> Result<(Vec<BundleCode>, QdpxReport), QdpxError> {
    let file = std::fs::File::open(path).map_err(|error| QdpxError::Unreadable {
        path: path.to_owned(),
        error,
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_CODEBOOK + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| QdpxError::Unreadable {
            path: path.to_owned(),
            error,
        })?;
    if bytes.len() as u64 > MAX_CODEBOOK {
        return Err(QdpxError::TooLarge {
            path: path.to_owned(),
            what: "the codebook".to_owned(),
            limit: MAX_CODEBOOK,
        });
    }
    let name = file_name(path);
    let root = parse_xml(path, &name, &bytes)?;
    if root.name != "CodeBook" {
        return Err(QdpxError::WrongRoot {
            path: path.to_owned(),
            entry: name,
            expected: "codebook",
            root: root.name.into(),
        });
    }
    let mut b = Builder::new(&name, root.attr("origin").unwrap_or(""));
    if let Some(codes) = root.child("Codes") {
        b.codes(codes, "");
    }
    for el in root.children.iter().filter(|c| c.name != "Codes") {
        b.report
            .skip(&format!("<{}> (not kept by Weft)", el.name), || {
                format!("<{}> skipped: Weft does not keep it", el.name)
            });
    }
    b.report.codes = b.bundle.codes.len();
    Ok((b.bundle.codes, b.report))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The zip archive at `path`, or why it is not one.
fn open_zip(path: &Path) -> Result<Zip, QdpxError> {
    let file = std::fs::File::open(path).map_err(|error| QdpxError::Unreadable {
        path: path.to_owned(),
        error,
    })?;
    zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| QdpxError::NotZip {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

fn parse_xml(path: &Path, entry: &str, bytes: &[u8]) -> Result<El, QdpxError> {
    xml::parse(bytes).map_err(|e| xml_error(path, entry, e))
}

fn xml_error(path: &Path, entry: &str, e: XmlError) -> QdpxError {
    match e {
        XmlError::Entities => QdpxError::Entities {
            path: path.to_owned(),
        },
        XmlError::Malformed(detail) => QdpxError::Malformed {
            path: path.to_owned(),
            entry: entry.to_owned(),
            detail,
        },
        XmlError::Stopped => QdpxError::Malformed {
            path: path.to_owned(),
            entry: entry.to_owned(),
            detail: "reading stopped".to_owned(),
        },
    }
}

type Zip = zip::ZipArchive<std::io::BufReader<std::fs::File>>;

/// The archive's entries by lowercase name, and the bytes read so far.
struct Archive {
    path: PathBuf,
    /// Lowercase name -> (index, real name).
    entries: HashMap<String, (usize, String)>,
    read_total: u64,
    limits: Limits,
}

impl Archive {
    fn index(path: &Path, zip: &mut Zip, limits: Limits) -> Result<Self, QdpxError> {
        let mut entries = HashMap::new();
        for i in 0..zip.len() {
            let f = zip.by_index_raw(i).map_err(|e| QdpxError::NotZip {
                path: path.to_owned(),
                reason: e.to_string(),
            })?;
            let name = f.name().to_owned();
            let escapes = f.enclosed_name().is_none()
                || name.starts_with('/')
                || name.starts_with('\\')
                || name.split(['/', '\\']).any(|p| p == "..")
                || name.get(1..2) == Some(":");
            if escapes {
                return Err(QdpxError::UnsafeEntry {
                    path: path.to_owned(),
                    entry: name,
                });
            }
            if f.is_dir() {
                continue;
            }
            entries.insert(name.replace('\\', "/").to_lowercase(), (i, name));
        }
        Ok(Self {
            path: path.to_owned(),
            entries,
            read_total: 0,
            limits,
        })
    }

    /// The name of the single `*.qde` at the root (`project.qde` preferred among several).
    fn project_entry(&self) -> Result<String, QdpxError> {
        let mut qde: Vec<&(usize, String)> = self
            .entries
            .iter()
            .filter(|(k, _)| !k.contains('/') && k.ends_with(".qde"))
            .map(|(_, v)| v)
            .collect();
        qde.sort();
        match qde.len() {
            1 => Ok(qde[0].1.clone()),
            0 => Err(QdpxError::NoProject {
                path: self.path.clone(),
                reason: "not a QDPX project, the archive has no project.qde".to_owned(),
            }),
            _ => self
                .entries
                .get("project.qde")
                .map(|(_, n)| n.clone())
                .ok_or_else(|| QdpxError::NoProject {
                    path: self.path.clone(),
                    reason: format!(
                        "the archive holds {} .qde project files, expected one",
                        qde.len()
                    ),
                }),
        }
    }

    /// The real name of the source file `internal://name`, looked up case-insensitively in
    /// `sources/` (or anywhere, as a last resort).
    fn find_source(&self, internal: &str) -> Option<String> {
        let want = internal.replace('\\', "/").to_lowercase();
        let want = want.trim_start_matches('/');
        if let Some((_, n)) = self.entries.get(&format!("sources/{want}")) {
            return Some(n.clone());
        }
        if let Some((_, n)) = self.entries.get(want) {
            return Some(n.clone());
        }
        let suffix = format!("/{want}");
        let mut hits: Vec<&String> = self
            .entries
            .iter()
            .filter(|(k, _)| k.ends_with(&suffix))
            .map(|(_, (_, n))| n)
            .collect();
        hits.sort();
        hits.first().map(|n| (*n).clone())
    }

    /// Reads entry `name`, checking its declared and its actual size against `limit` and the
    /// archive's total.
    fn read(
        &mut self,
        zip: &mut Zip,
        name: &str,
        limit: u64,
        what: &str,
    ) -> Result<Vec<u8>, QdpxError> {
        let path = self.path.clone();
        self.read_with(zip, name, limit, what, |r, size, _| {
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            r.read_to_end(&mut bytes)
                .map_err(|e| QdpxError::NotZip {
                    path,
                    reason: format!("{name}: {e}"),
                })
                .map(|_| bytes)
        })
    }

    /// Parses entry `name` as XML while inflating it, never holding its bytes whole (a large
    /// project's XML is a hundred megabytes), with the limits of [`Self::read`].
    fn read_xml(
        &mut self,
        zip: &mut Zip,
        name: &str,
        limit: u64,
        what: &str,
    ) -> Result<El, QdpxError> {
        let path = self.path.clone();
        self.read_with(zip, name, limit, what, |r, _, _| {
            xml::parse_reader(std::io::BufReader::with_capacity(1 << 16, r))
                .map_err(|e| xml_error(&path, name, e))
        })
    }

    /// Opens entry `name` and hands it to `consume` (with its declared size, and the archive
    /// for reading other entries from another reader meanwhile), checking the declared and
    /// the actual size against `limit` and the archive's total: a zip bomb is refused at its
    /// declared size, or when inflating gives more than it declared.
    fn read_with<T>(
        &mut self,
        zip: &mut Zip,
        name: &str,
        limit: u64,
        what: &str,
        consume: impl FnOnce(&mut dyn Read, u64, &mut Self) -> Result<T, QdpxError>,
    ) -> Result<T, QdpxError> {
        let Some(&(index, _)) = self.entries.get(&name.replace('\\', "/").to_lowercase()) else {
            return Err(QdpxError::NoProject {
                path: self.path.clone(),
                reason: format!("the archive has no entry {name}"),
            });
        };
        let left = self.limits.total.saturating_sub(self.read_total);
        let limit_here = limit.min(left);
        let over = |this: &Self, whole: bool| QdpxError::TooLarge {
            path: this.path.clone(),
            what: if whole {
                "the archive's content".to_owned()
            } else {
                format!("{what} ({name})")
            },
            limit: if whole { this.limits.total } else { limit },
        };
        let f = zip.by_index(index).map_err(|e| QdpxError::NotZip {
            path: self.path.clone(),
            reason: e.to_string(),
        })?;
        // The declared size first (cheap), then what inflating really gives.
        let size = f.size();
        if size > limit_here {
            return Err(over(self, limit > left));
        }
        let mut counted = Counted {
            inner: f.take(limit_here + 1),
            n: 0,
        };
        let out = consume(&mut counted, size, self);
        let n = counted.n;
        if n > limit_here {
            return Err(over(self, limit > left));
        }
        self.read_total += n;
        // Entries read meanwhile count too.
        if self.read_total > self.limits.total {
            return Err(over(self, true));
        }
        out
    }
}

/// A reader that counts the bytes it gives.
struct Counted<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        Ok(k)
    }
}

/// A note: title, body, author.
type NoteParts = (String, String, Option<String>);
/// A variable: name, type, GUID.
type VarParts = (String, AttrType, Option<String>);

/// The children of the project read before its sources (in the standard's order).
const HEAD: [&str; 3] = ["Users", "CodeBook", "Variables"];

/// Why converting stopped in the middle of the parse.
enum Halt {
    /// The file is not in the standard's order: read it whole instead.
    Restart,
    /// Cancelled, or a source could not be read.
    Failed(QdpxError),
}

/// References to notes met in a source, resolved once the notes (which come after the
/// sources in the file) are read.
enum NoteUse {
    /// A note on the document `doc`.
    Document { note: String, doc: String },
    /// Notes of a passage of `doc` (appended to the memo of each of its codings), and each
    /// coding's own notes, by coding index.
    Passage {
        doc: String,
        selection: Vec<String>,
        codings: Vec<(usize, Vec<String>)>,
    },
}

/// The normalised GUIDs the `NoteRef` children of `el` point to.
fn note_refs(el: &El) -> Vec<String> {
    el.all("NoteRef")
        .map(|r| norm_guid(r.attr("targetGUID").unwrap_or("")))
        .collect()
}

/// A selection's facts, before its positions are mapped.
struct Selection<'a> {
    el: &'a El,
    guid: String,
    start: usize,
    end: usize,
    quote: String,
}

/// Builds the bundle from the element tree, with the report.
struct Builder {
    bundle: Bundle,
    report: QdpxReport,
    /// Every GUID seen (normalised): duplicates are skipped.
    seen: GuidSet,
    /// User GUID -> coder name.
    users: HashMap<String, String>,
    /// Code GUID -> path.
    codes: HashMap<String, String>,
    /// Variable GUID -> (name, type).
    variables: HashMap<String, VarParts>,
    /// Which scopes use each variable.
    var_scopes: HashMap<String, (bool, bool)>,
    /// Source GUID -> index in `bundle.documents`.
    sources: HashMap<String, usize>,
    /// Selection GUID -> (document index, speaker label if a speaker's turn).
    selections: HashMap<GuidKey, (usize, Option<String>)>,
    /// Note GUID -> (title, body, author).
    notes: HashMap<String, NoteParts>,
    /// Notes already used (a later reference gets a copy without the GUID).
    notes_used: HashSet<String>,
    /// Note references waiting for the notes.
    note_uses: Vec<NoteUse>,
    /// Which of [`HEAD`] were read.
    heads: Vec<xml::Name>,
    /// Sources converted during the parse.
    streamed: usize,
    /// Document names taken in the bundle.
    doc_names: HashSet<String>,
    /// Case names taken in the bundle.
    case_names: HashSet<String>,
    /// Code paths taken in the bundle (lowercase).
    code_paths: HashSet<String>,
}

impl Builder {
    fn new(file: &str, origin: &str) -> Self {
        Self {
            bundle: Bundle::default(),
            report: QdpxReport {
                file: file.to_owned(),
                origin: origin.to_owned(),
                ..QdpxReport::default()
            },
            seen: GuidSet::default(),
            users: HashMap::new(),
            codes: HashMap::new(),
            variables: HashMap::new(),
            var_scopes: HashMap::new(),
            sources: HashMap::new(),
            selections: HashMap::new(),
            notes: HashMap::new(),
            notes_used: HashSet::new(),
            note_uses: Vec::new(),
            heads: Vec::new(),
            streamed: 0,
            doc_names: HashSet::new(),
            case_names: HashSet::new(),
            code_paths: HashSet::new(),
        }
    }

    /// Records `guid` of a `what`; `None` (with a warning) when missing or already seen.
    fn claim(&mut self, el: &El, what: &str) -> Option<String> {
        let raw = el.attr("guid").unwrap_or("");
        let g = norm_guid(raw);
        if g.is_empty() {
            self.report.skip(&format!("{what} without a GUID"), || {
                format!("a {what} has no GUID")
            });
            return None;
        }
        if !self.seen.insert(&g) {
            self.report
                .skip(&format!("{what} with a duplicate GUID"), || {
                    format!("a {what} repeats the GUID {raw} of an earlier object")
                });
            return None;
        }
        Some(g)
    }

    fn user(&self, el: &El, attr: &str) -> Option<String> {
        el.attr(attr)
            .and_then(|g| self.users.get(&norm_guid(g)).cloned())
    }

    /// Converts what the parse hands over as it closes (see [`xml::parse_reader_with`]): the
    /// users, codebook and variables are read and kept in the tree; each source is converted
    /// and let go. `at` is (bytes read, size) of the XML, for progress. Asks to start over
    /// with the whole tree when the users, codebook or variables come after a source.
    fn visit(
        &mut self,
        stack: &[El],
        el: El,
        at: (u64, u64),
        archive: &mut Archive,
        zip: &mut Zip,
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<Option<El>, Halt> {
        if stack[0].name != "Project" {
            return Ok(Some(el));
        }
        if stack.len() == 1 {
            if HEAD.contains(&el.name.as_str()) {
                if self.streamed > 0 && !self.heads.contains(&el.name) {
                    return Err(Halt::Restart);
                }
                self.head(&el);
            }
            return Ok(Some(el));
        }
        if stack[1].name != "Sources" {
            return Ok(Some(el));
        }
        if self.streamed == 0 {
            // The origin tells how a tool counts positions.
            stack[0]
                .attr("origin")
                .unwrap_or("")
                .clone_into(&mut self.report.origin);
        }
        let fraction = |n: u64| usize::try_from(n >> 10).unwrap_or(usize::MAX);
        if !progress(fraction(at.0), fraction(at.1.max(at.0))) {
            return Err(Halt::Failed(QdpxError::Cancelled {
                path: archive.path.clone(),
            }));
        }
        self.streamed += 1;
        self.source(&el, archive, zip).map_err(Halt::Failed)?;
        Ok(None)
    }

    /// Reads the first `Users`, `CodeBook` or `Variables` element (a later one is ignored).
    fn head(&mut self, el: &El) {
        if self.heads.contains(&el.name) {
            return;
        }
        self.heads.push(el.name.clone());
        match el.name.as_str() {
            "Users" => {
                let mut names = HashSet::new();
                for u in el.all("User") {
                    let Some(g) = self.claim(u, "user") else {
                        continue;
                    };
                    let base = u
                        .attr("name")
                        .map(str::trim)
                        .filter(|n| !n.is_empty())
                        .map_or_else(|| format!("User {}", short(&g)), str::to_owned);
                    let name = unique(&base, &mut names);
                    self.users.insert(g.clone(), name.clone());
                    self.bundle.coders.push(BundleCoder {
                        guid: Some(g),
                        name,
                    });
                }
            }
            "CodeBook" => {
                if let Some(codes) = el.child("Codes") {
                    self.codes(codes, "");
                }
            }
            "Variables" => {
                for v in el.all("Variable") {
                    let Some(g) = self.claim(v, "variable") else {
                        continue;
                    };
                    let name = v.attr("name").unwrap_or("").trim().to_owned();
                    let name = if name.is_empty() {
                        format!("Variable {}", short(&g))
                    } else {
                        name
                    };
                    let kind = match v.attr("typeOfVariable").unwrap_or("Text") {
                        "Boolean" => AttrType::Boolean,
                        "Integer" | "Float" => AttrType::Number,
                        "Date" => AttrType::Date,
                        _ => AttrType::Text,
                    };
                    self.variables.insert(g.clone(), (name, kind, Some(g)));
                }
            }
            _ => {}
        }
    }

    /// A child of `Sources`: a text source, or another kind, skipped.
    fn source(&mut self, s: &El, archive: &mut Archive, zip: &mut Zip) -> Result<(), QdpxError> {
        match s.name.as_str() {
            "TextSource" => self.text_source(s, archive, zip),
            other => {
                self.report
                    .skip(&format!("{other} (not a text source)"), || {
                        format!(
                            "source “{}” skipped: Weft imports text sources only ({other})",
                            s.attr("name").unwrap_or("")
                        )
                    });
                Ok(())
            }
        }
    }

    /// Everything after the users, codebook and variables, once the whole XML is read: the
    /// sources still in the tree, the notes (and the references to them kept until now),
    /// cases, sets, the project's own notes and description.
    fn tail(
        &mut self,
        root: &mut El,
        archive: &mut Archive,
        zip: &mut Zip,
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<(), QdpxError> {
        if let Some(name) = root.attr("name").map(str::trim).filter(|n| !n.is_empty()) {
            self.bundle.title = Some(name.to_owned());
        }
        self.bundle.default_coder = self.user(root, "creatingUserGUID");
        // Sources the parse did not take (all of them when the file was read whole) are
        // taken out of the tree and each let go once converted.
        let sources: Vec<El> = root
            .children
            .iter_mut()
            .filter(|c| c.name == "Sources")
            .flat_map(|s| std::mem::take(&mut s.children))
            .collect();
        let total = sources.len();
        for (i, s) in sources.into_iter().enumerate() {
            if !progress(i, total) {
                return Err(QdpxError::Cancelled {
                    path: archive.path.clone(),
                });
            }
            self.source(&s, archive, zip)?;
        }
        progress(1, 1);
        let root: &El = root;
        self.notes(root, archive, zip)?;
        self.resolve_note_uses();
        // Cases come after sources, so that their references resolve.
        if let Some(cases) = root.child("Cases") {
            for c in cases.all("Case") {
                self.case(c);
            }
        }
        // Sets: themes, once the codes they name are known.
        if let Some(sets) = root.child("Sets") {
            self.sets(sets);
        }
        // Project notes.
        for r in root.all("NoteRef") {
            self.note_ref(r, BundleTarget::Project, "the project");
        }
        let desc = root.child_text("Description").trim();
        if !desc.is_empty() {
            self.bundle.memos.push(BundleMemo {
                guid: None,
                target: BundleTarget::Project,
                title: "Project description".to_owned(),
                body: desc.to_owned(),
                coder: None,
            });
        }
        for el in &root.children {
            if !matches!(
                el.name.as_str(),
                "Users"
                    | "CodeBook"
                    | "Variables"
                    | "Cases"
                    | "Sources"
                    | "Notes"
                    | "NoteRef"
                    | "Description"
                    | "Sets"
            ) {
                let n = el.children.len().max(1);
                for _ in 0..n {
                    self.report
                        .skip(&format!("<{}> (not kept by Weft)", el.name), || {
                            format!("<{}> skipped: Weft does not keep it", el.name)
                        });
                }
            }
        }
        Ok(())
    }

    /// The memos of the notes that sources, passages and codings refer to, in the order the
    /// references came (a note's first use keeps its GUID).
    fn resolve_note_uses(&mut self) {
        for used in std::mem::take(&mut self.note_uses) {
            match used {
                NoteUse::Document { note, doc } => {
                    let owner = format!("“{doc}”");
                    self.note_ref_guid(note, BundleTarget::Document(doc), &owner);
                }
                NoteUse::Passage {
                    doc,
                    selection,
                    codings,
                } => {
                    let bodies: Vec<String> = selection
                        .iter()
                        .filter_map(|g| self.note_body(g, &doc))
                        .collect();
                    for (i, refs) in codings {
                        let mut memo = std::mem::take(&mut self.bundle.codings[i].memo);
                        for b in &bodies {
                            append(&mut memo, b);
                        }
                        for g in &refs {
                            if let Some(b) = self.note_body(g, &doc) {
                                append(&mut memo, &b);
                            }
                        }
                        self.bundle.codings[i].memo = memo;
                    }
                }
            }
        }
    }

    /// Each `Set` becomes a theme linked to its member codes.
    fn sets(&mut self, sets: &El) {
        let mut names = HashSet::new();
        for s in sets.all("Set") {
            let Some(g) = self.claim(s, "set") else {
                continue;
            };
            let raw = s.attr("name").unwrap_or("").trim();
            let base = if raw.is_empty() {
                format!("Set {}", short(&g))
            } else {
                raw.to_owned()
            };
            let name = unique(&base, &mut names);
            let mut theme = BundleTheme::named(&name);
            theme.guid = Some(g);
            let desc = s.child_text("Description");
            if !theme.from_description(desc) {
                theme.definition = desc.trim().to_owned();
            }
            for m in s.all("MemberCode") {
                let target = m
                    .attr("targetGUID")
                    .or_else(|| m.attr("guid"))
                    .unwrap_or("");
                match self.codes.get(&norm_guid(target)) {
                    Some(path) => {
                        if !theme.codes.contains(path) {
                            theme.codes.push(path.clone());
                        }
                    }
                    None => self
                        .report
                        .skip("set member that is not a code of the codebook", || {
                            format!("set “{name}”: member code {target} is not in the codebook")
                        }),
                }
            }
            for other in s
                .children
                .iter()
                .filter(|c| c.name == "MemberSource" || c.name == "MemberNote")
            {
                self.report.skip(
                    &format!("<{}> of a set (not kept by Weft)", other.name),
                    || {
                        format!(
                            "set “{name}”: <{}> skipped, a theme holds codes only",
                            other.name
                        )
                    },
                );
            }
            self.bundle.themes.push(theme);
            self.report.themes += 1;
        }
    }

    /// Codes under `parent` (a `Codes` or `Code` element), depth first.
    fn codes(&mut self, parent: &El, prefix: &str) {
        for c in parent.all("Code") {
            let Some(g) = self.claim(c, "code") else {
                continue;
            };
            let raw = c.attr("name").unwrap_or("").trim();
            let mut name = if raw.is_empty() {
                "Unnamed code".to_owned()
            } else {
                raw.to_owned()
            };
            if name.contains('/') {
                name = name.replace('/', "∕");
                self.report.skip("“/” in a code name (written as “∕”)", || {
                    format!("code “{raw}”: “/” separates levels in Weft, written as “∕”")
                });
            }
            let base = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let path = unique_path(&base, &mut self.code_paths);
            let color = c.attr("color").and_then(parse_color);
            self.codes.insert(g.clone(), path.clone());
            self.bundle.codes.push(BundleCode {
                guid: Some(g),
                path: path.clone(),
                color,
                description: c.child_text("Description").trim().to_owned(),
            });
            self.report.codes += 1;
            self.codes(c, &path);
        }
    }

    fn notes(&mut self, root: &El, archive: &mut Archive, zip: &mut Zip) -> Result<(), QdpxError> {
        let Some(notes) = root.child("Notes") else {
            return Ok(());
        };
        for n in notes.all("Note") {
            let Some(g) = self.claim(n, "note") else {
                continue;
            };
            let title = n.attr("name").unwrap_or("").trim();
            let title = if title.is_empty() {
                "Note".to_owned()
            } else {
                title.to_owned()
            };
            let body = match self.source_text(n, archive, zip)? {
                Some((raw, _)) => crate::text::normalize_newlines(&raw),
                None => continue,
            };
            let author = self.user(n, "creatingUser");
            self.notes.insert(g, (title, body, author));
        }
        Ok(())
    }

    /// A memo for the note `r` points to, on `target`.
    fn note_ref(&mut self, r: &El, target: BundleTarget, owner: &str) {
        let g = norm_guid(r.attr("targetGUID").unwrap_or(""));
        self.note_ref_guid(g, target, owner);
    }

    /// A memo for the note `g` (normalised), on `target`.
    fn note_ref_guid(&mut self, g: String, target: BundleTarget, owner: &str) {
        let Some((title, body, author)) = self.notes.get(&g).cloned() else {
            self.report.skip("dangling note reference", || {
                format!("{owner} refers to a note {g} that is not in the file")
            });
            return;
        };
        let first = self.notes_used.insert(g.clone());
        self.bundle.memos.push(BundleMemo {
            guid: first.then_some(g),
            target,
            title,
            body,
            coder: author,
        });
    }

    /// The text of a `TextSource` or `Note`: `(raw text without BOM, sha256 of the bytes)`,
    /// `None` (with a warning) when it has none Weft can read.
    fn source_text(
        &mut self,
        s: &El,
        archive: &mut Archive,
        zip: &mut Zip,
    ) -> Result<Option<(String, String)>, QdpxError> {
        let label = s.attr("name").unwrap_or("").to_owned();
        if let Some(p) = s.attr("plainTextPath").filter(|p| !p.trim().is_empty()) {
            let p = p.trim();
            let lower = p.to_ascii_lowercase();
            let Some(internal) = lower
                .strip_prefix("internal://")
                .map(|_| &p["internal://".len()..])
            else {
                self.report.skip("source outside the archive", || {
                    format!("“{label}” skipped: its text is outside the archive ({p})")
                });
                return Ok(None);
            };
            let Some(entry) = archive.find_source(internal) else {
                self.report
                    .skip("source file missing from the archive", || {
                        format!("“{label}” skipped: the archive has no file {internal}")
                    });
                return Ok(None);
            };
            let limit = archive.limits.source;
            let bytes = archive.read(zip, &entry, limit, "a source")?;
            let sha = crate::import::sha256_hex(&bytes);
            let mut bytes = bytes;
            if bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    self.report.skip("text that is not UTF-8 (bad bytes replaced)", || {
                        format!("“{label}”: its text is not valid UTF-8; invalid bytes were replaced by �")
                    });
                    String::from_utf8_lossy(&e.into_bytes()).into_owned()
                }
            };
            return Ok(Some((text, sha)));
        }
        if let Some(c) = s.child("PlainTextContent") {
            let t = c
                .text
                .strip_prefix('\u{feff}')
                .unwrap_or(&c.text)
                .to_owned();
            let sha = crate::import::sha256_hex(t.as_bytes());
            return Ok(Some((t, sha)));
        }
        if s.name == "Note" {
            // A note may carry its text in its description only.
            let t = s.child_text("Description").to_owned();
            let sha = crate::import::sha256_hex(t.as_bytes());
            return Ok(Some((t, sha)));
        }
        self.report.skip("source without plain text", || {
            format!("“{label}” skipped: it has neither plainTextPath nor PlainTextContent")
        });
        Ok(None)
    }

    fn text_source(
        &mut self,
        s: &El,
        archive: &mut Archive,
        zip: &mut Zip,
    ) -> Result<(), QdpxError> {
        let Some(g) = self.claim(s, "source") else {
            return Ok(());
        };
        let Some((raw, sha)) = self.source_text(s, archive, zip)? else {
            return Ok(());
        };
        let stored = crate::text::normalize_newlines(&raw);
        let base = s
            .attr("name")
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or("Document");
        let name = unique(base, &mut self.doc_names);
        if stored.trim().is_empty() {
            self.report.skip("empty text source", || {
                format!("“{name}” skipped: its text is empty")
            });
            return Ok(());
        }
        let file_name = s
            .attr("plainTextPath")
            .and_then(|p| p.rsplit(['/', '\\']).next())
            .map_or_else(|| format!("{name}.txt"), str::to_owned);
        let doc_index = self.bundle.documents.len();
        self.sources.insert(g.clone(), doc_index);
        let mut doc = BundleDocument {
            doc: NewDocument {
                name: name.clone(),
                turns: crate::import::detect_turns(&stored),
                text: stored,
                origin: Origin {
                    file_name,
                    format: "qdpx".to_owned(),
                    encoding: "UTF-8".to_owned(),
                    sha256: sha,
                },
                guid: Some(g),
            },
            memo: s.child_text("Description").trim().to_owned(),
            ..BundleDocument::default()
        };
        for vv in s.all("VariableValue") {
            if let Some(kv) = self.variable_value(vv, false, &name) {
                doc.attrs.push(kv);
            }
        }
        // The text leaves the document while its selections are read, and comes back after.
        let text = std::mem::take(&mut doc.doc.text);
        self.bundle.documents.push(doc);
        self.report.documents += 1;
        self.source_codings(s, &name, doc_index, &text, &raw);
        self.bundle.documents[doc_index].doc.text = text;
        Ok(())
    }

    /// The notes, whole-source codings and selections of text source `s`, stored as `text`
    /// (LF) and read by the other tool as `raw`.
    fn source_codings(&mut self, s: &El, name: &str, doc_index: usize, text: &str, raw: &str) {
        for note in note_refs(s) {
            self.note_uses.push(NoteUse::Document {
                note,
                doc: name.to_owned(),
            });
        }
        // Codings of the whole source.
        let index = crate::text::CharIndex::new(text);
        let char_len = index.char_len();
        for c in s.all("Coding") {
            let range = CharRange::new(0, char_len);
            if let Some(range) = range
                && let Some(i) = self.coding(c, name, range, None, String::new())
            {
                self.defer_notes(name, Vec::new(), vec![(i, note_refs(c))]);
            }
        }
        // Selections: read, choose the unit, map.
        let mut sels = Vec::new();
        for sel in s.all("PlainTextSelection") {
            let Some(sg) = self.claim(sel, "selection") else {
                continue;
            };
            let pos = |a: &str| sel.attr(a).and_then(|v| v.trim().parse::<usize>().ok());
            let (Some(start), Some(end)) = (pos("startPosition"), pos("endPosition")) else {
                self.report.skip("selection with unreadable positions", || {
                    format!("“{name}”: selection {sg} has missing or negative positions")
                });
                continue;
            };
            sels.push(Selection {
                el: sel,
                guid: sg,
                start,
                end,
                quote: sel.attr("name").unwrap_or("").to_owned(),
            });
        }
        for other in s.children.iter().filter(|c| {
            !matches!(
                c.name.as_str(),
                "Description"
                    | "PlainTextContent"
                    | "PlainTextSelection"
                    | "Coding"
                    | "NoteRef"
                    | "VariableValue"
            )
        }) {
            self.report.skip(
                &format!("<{}> in a source (not kept by Weft)", other.name),
                || format!("“{name}”: <{}> skipped", other.name),
            );
        }
        if sels.is_empty() {
            self.report.sources.push(SourceReport {
                name: name.to_owned(),
                unit: "none".to_owned(),
                ..SourceReport::default()
            });
            return;
        }
        let hint = self.report.origin.clone();
        let (unit, map) = choose_unit(raw, text, &index, &sels, &hint);
        let mut sr = SourceReport {
            name: name.to_owned(),
            unit: unit.name().to_owned(),
            ..SourceReport::default()
        };
        for sel in &sels {
            let Some((a, b)) = map.range(sel.start, sel.end) else {
                let why = if sel.end < sel.start {
                    "reversed"
                } else if sel.end == sel.start {
                    "empty"
                } else {
                    "past the end of the text"
                };
                self.report
                    .skip("selection with positions outside its text", || {
                        format!(
                            "“{name}”: selection {} at {}–{} skipped: {why} ({} {} units long)",
                            sel.guid,
                            sel.start,
                            sel.end,
                            map.foreign_len(),
                            unit.name()
                        )
                    });
                continue;
            };
            let Some(range) = CharRange::new(a, b) else {
                continue;
            };
            sr.selections += 1;
            match verdict(text, &index, a, b, &sel.quote) {
                Verdict::Quote => sr.verified_by_quote += 1,
                Verdict::Boundaries => sr.verified_by_boundaries += 1,
                Verdict::None => sr.unverified += 1,
            }
            let desc = sel.el.child_text("Description").trim();
            let speaker = desc
                .strip_prefix(SPEAKER_MARKER.trim_end())
                .map(|l| l.trim().to_owned());
            let memo = if speaker.is_none() {
                desc.to_owned()
            } else {
                String::new()
            };
            let mut codings = Vec::new();
            let mut coding_notes = Vec::new();
            for c in sel.el.all("Coding") {
                if let Some(i) = self.coding(c, name, range, Some(sel.el), memo.clone()) {
                    codings.push(i);
                    coding_notes.push((i, note_refs(c)));
                }
            }
            self.defer_notes(name, note_refs(sel.el), coding_notes);
            if codings.is_empty() && speaker.is_none() {
                self.report.skip("selection without a coding", || {
                    format!(
                        "“{name}”: selection {} has no coding (Weft keeps coded passages only)",
                        sel.guid
                    )
                });
            }
            self.selections
                .insert(GuidKey::of(&sel.guid), (doc_index, speaker));
        }
        self.report.sources.push(sr);
    }

    /// Keeps the note references of a passage of `doc` (`selection`) and of its codings
    /// until the notes are read.
    fn defer_notes(
        &mut self,
        doc: &str,
        selection: Vec<String>,
        codings: Vec<(usize, Vec<String>)>,
    ) {
        if selection.is_empty() && codings.iter().all(|(_, refs)| refs.is_empty()) {
            return;
        }
        self.note_uses.push(NoteUse::Passage {
            doc: doc.to_owned(),
            selection,
            codings,
        });
    }

    /// The body of the note `g` (normalised), for a coding's memo.
    fn note_body(&mut self, g: &str, doc: &str) -> Option<String> {
        match self.notes.get(g) {
            Some((_, body, _)) => {
                self.notes_used.insert(g.to_owned());
                Some(body.clone())
            }
            None => {
                self.report.skip("dangling note reference", || {
                    format!("“{doc}”: a passage refers to a note {g} that is not in the file")
                });
                None
            }
        }
    }

    /// Adds the coding `c` over `range`; its index in `bundle.codings`.
    fn coding(
        &mut self,
        c: &El,
        doc: &str,
        range: CharRange,
        selection: Option<&El>,
        memo: String,
    ) -> Option<usize> {
        let g = self.claim(c, "coding")?;
        let code_ref = c
            .child("CodeRef")
            .and_then(|r| r.attr("targetGUID"))
            .unwrap_or("");
        let Some(code) = self.codes.get(&norm_guid(code_ref)).cloned() else {
            self.report.skip("coding of a code not in the file", || {
                format!(
                    "“{doc}”: coding {g} refers to a code {code_ref} that is not in the codebook"
                )
            });
            return None;
        };
        // The coding's user, else the selection's.
        let coder = self
            .user(c, "creatingUser")
            .or_else(|| selection.and_then(|s| self.user(s, "creatingUser")));
        if coder.is_none() && c.attr("creatingUser").is_some_and(|u| !u.trim().is_empty()) {
            self.report.skip("unknown user on a coding (default coder used)", || {
                format!("“{doc}”: coding {g} names a user not in the file; attributed to the default coder")
            });
        }
        self.bundle.codings.push(BundleCoding {
            guid: Some(g),
            document: doc.to_owned(),
            code,
            coder,
            range,
            memo,
            created_at: c
                .attr("creationDateTime")
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            selection_guid: selection.map(|s| norm_guid(s.attr("guid").unwrap_or(""))),
        });
        self.report.codings += 1;
        Some(self.bundle.codings.len() - 1)
    }

    /// `(attribute name, value)` of a `VariableValue`, `None` (with a warning) when dangling
    /// or of the wrong type.
    fn variable_value(&mut self, vv: &El, case: bool, owner: &str) -> Option<(String, String)> {
        let r = vv
            .child("VariableRef")
            .and_then(|r| r.attr("targetGUID"))
            .unwrap_or("");
        let g = norm_guid(r);
        let Some((name, kind, _)) = self.variables.get(&g).cloned() else {
            self.report.skip("value of a variable not in the file", || {
                format!("“{owner}”: a value refers to a variable {r} that is not in the file")
            });
            return None;
        };
        let value_el = vv.children.iter().find(|c| c.name.ends_with("Value"))?;
        let raw = value_el.text.trim();
        let value = match kind {
            AttrType::Boolean => match raw.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => "true".to_owned(),
                "false" | "0" | "no" => "false".to_owned(),
                _ => raw.to_owned(),
            },
            AttrType::Date => raw.get(..10).unwrap_or(raw).to_owned(),
            _ => raw.to_owned(),
        };
        if value.is_empty() {
            return None;
        }
        if !kind.accepts(&value) {
            self.report.skip("value of the wrong type", || {
                format!(
                    "“{owner}”: “{raw}” is not a valid {} value of “{name}”",
                    kind.as_str()
                )
            });
            return None;
        }
        let scopes = self.var_scopes.entry(g).or_default();
        if case {
            scopes.0 = true
        } else {
            scopes.1 = true
        }
        Some((name, value))
    }

    fn case(&mut self, c: &El) {
        let Some(g) = self.claim(c, "case") else {
            return;
        };
        let raw_name = c.attr("name").map(str::trim).unwrap_or("");
        let source_refs: Vec<&El> = c.all("SourceRef").collect();
        // MAXQDA and Quirkos: a nameless case with one source carries that source's variables.
        if raw_name.is_empty() && source_refs.len() == 1 && c.all("SelectionRef").next().is_none() {
            let target = norm_guid(source_refs[0].attr("targetGUID").unwrap_or(""));
            if let Some(&d) = self.sources.get(&target) {
                let doc_name = self.bundle.documents[d].doc.name.clone();
                for vv in c.all("VariableValue") {
                    if let Some(kv) = self.variable_value(vv, false, &doc_name) {
                        self.bundle.documents[d].attrs.push(kv);
                    }
                }
                let memo = c.child_text("Description").trim();
                if !memo.is_empty() {
                    append(&mut self.bundle.documents[d].memo, memo);
                }
                return;
            }
        }
        let base = if raw_name.is_empty() {
            format!("Case {}", short(&g))
        } else {
            raw_name.to_owned()
        };
        let name = unique(&base, &mut self.case_names);
        let mut case = BundleCase {
            guid: Some(g),
            name: name.clone(),
            memo: c.child_text("Description").trim().to_owned(),
            attrs: Vec::new(),
        };
        for vv in c.all("VariableValue") {
            if let Some(kv) = self.variable_value(vv, true, &name) {
                case.attrs.push(kv);
            }
        }
        self.bundle.cases.push(case);
        self.report.cases += 1;
        for r in source_refs {
            let t = r.attr("targetGUID").unwrap_or("");
            match self.sources.get(&norm_guid(t)) {
                Some(&d) => self.bundle.documents[d].cases.push(name.clone()),
                None => self
                    .report
                    .skip("case reference to a source not imported", || {
                        format!("case “{name}” refers to a source {t} that was not imported")
                    }),
            }
        }
        for r in c.all("SelectionRef") {
            let t = r.attr("targetGUID").unwrap_or("");
            match self.selections.get(&GuidKey::of(&norm_guid(t))).cloned() {
                Some((d, Some(speaker))) => {
                    let doc = &mut self.bundle.documents[d];
                    if !doc.speakers.iter().any(|(s, _)| *s == speaker) {
                        doc.speakers.push((speaker, name.clone()));
                        self.report.speakers += 1;
                    }
                }
                Some((d, None)) => {
                    let doc = &mut self.bundle.documents[d];
                    if !doc.cases.contains(&name) {
                        doc.cases.push(name.clone());
                    }
                    self.report.skip("case reference to a selection (its document joins the case)", || {
                        format!("case “{name}” refers to a passage; Weft puts its whole document in the case")
                    });
                }
                None => self
                    .report
                    .skip("case reference to a selection not imported", || {
                        format!("case “{name}” refers to a selection {t} that was not imported")
                    }),
            }
        }
        let codes = c.all("CodeRef").count();
        for _ in 0..codes {
            self.report
                .skip("case reference to a code (not kept by Weft)", || {
                    format!("case “{name}” refers to a code; Weft has no such link")
                });
        }
        for r in c.all("NoteRef") {
            self.note_ref(
                r,
                BundleTarget::Case(name.clone()),
                &format!("case “{name}”"),
            );
        }
    }

    fn finish(mut self, root: &El) -> QdpxImport {
        // Code memos.
        fn code_notes(b: &mut Builder, parent: &El) {
            for c in parent.all("Code") {
                if let Some(path) = b
                    .codes
                    .get(&norm_guid(c.attr("guid").unwrap_or("")))
                    .cloned()
                {
                    for r in c.all("NoteRef") {
                        b.note_ref(
                            r,
                            BundleTarget::Code(path.clone()),
                            &format!("code “{path}”"),
                        );
                    }
                }
                code_notes(b, c);
            }
        }
        if let Some(codes) = root.child("CodeBook").and_then(|c| c.child("Codes")) {
            code_notes(&mut self, codes);
        }
        // Notes referenced from nowhere go to the journal, never lost.
        let mut orphans: Vec<(String, NoteParts)> = self
            .notes
            .iter()
            .filter(|(g, _)| !self.notes_used.contains(*g))
            .map(|(g, n)| (g.clone(), n.clone()))
            .collect();
        orphans.sort_by(|a, b| a.1.0.cmp(&b.1.0).then(a.0.cmp(&b.0)));
        for (g, (title, body, author)) in orphans {
            self.bundle.memos.push(BundleMemo {
                guid: Some(g),
                target: BundleTarget::Project,
                title,
                body,
                coder: author,
            });
        }
        // Attributes: one per scope it is used in (the GUID goes to the case scope).
        let mut vars: Vec<(String, VarParts)> = self
            .variables
            .iter()
            .map(|(g, v)| (g.clone(), v.clone()))
            .collect();
        vars.sort_by(|a, b| a.1.0.cmp(&b.1.0));
        for (g, (name, kind, guid)) in vars {
            let (case, doc) = self.var_scopes.get(&g).copied().unwrap_or((true, false));
            let (case, doc) = if !case && !doc {
                (true, false)
            } else {
                (case, doc)
            };
            if case {
                self.bundle.attributes.push(BundleAttribute {
                    guid: guid.clone(),
                    name: name.clone(),
                    scope: AttrScope::Case,
                    kind,
                });
            }
            if doc {
                self.bundle.attributes.push(BundleAttribute {
                    guid: if case { None } else { guid },
                    name,
                    scope: AttrScope::Document,
                    kind,
                });
            }
        }
        self.report.attributes = self.bundle.attributes.len();
        self.report.coders = self.bundle.coders.len();
        self.report.memos = self.bundle.memos.len();
        QdpxImport {
            bundle: self.bundle,
            report: self.report,
        }
    }
}

/// The first 8 chars of a GUID, to name what has no name.
fn short(guid: &str) -> String {
    guid.chars().take(8).collect()
}

fn append(memo: &mut String, more: &str) {
    let more = more.trim();
    if more.is_empty() {
        return;
    }
    if !memo.is_empty() {
        memo.push_str("\n\n");
    }
    memo.push_str(more);
}

/// `base`, or `base (2)`, `base (3)`, ... when taken (case-insensitively).
fn unique(base: &str, taken: &mut HashSet<String>) -> String {
    let mut name = base.to_owned();
    let mut n = 2;
    while !taken.insert(name.to_lowercase()) {
        name = format!("{base} ({n})");
        n += 1;
    }
    name
}

fn unique_path(base: &str, taken: &mut HashSet<String>) -> String {
    unique(base, taken)
}

enum Verdict {
    Quote,
    Boundaries,
    None,
}

/// How a selection at chars `[a, b)` checks out against its quote and the text.
fn verdict(text: &str, index: &crate::text::CharIndex, a: usize, b: usize, quote: &str) -> Verdict {
    let q = quote.trim();
    if !q.is_empty() {
        let got = index.slice(text, a, b).unwrap_or("");
        let ok = match q.strip_suffix('…').or_else(|| q.strip_suffix("...")) {
            Some(prefix) => {
                crate::text::starts_with_words(got, prefix) || crate::text::same_words(got, q)
            }
            None => crate::text::same_words(got, q),
        };
        if ok {
            return Verdict::Quote;
        }
    }
    if crate::text::on_word_boundaries(text, index, a, b) {
        Verdict::Boundaries
    } else {
        Verdict::None
    }
}

/// Chooses how the positions of a source were counted: the unit under which most selections
/// are in range, then match their quote, then fall on word boundaries; ties go to
/// the tool's habit (`origin`: NVivo counts UTF-16 units, ATLAS.ti a line break as one).
fn choose_unit(
    raw: &str,
    text: &str,
    index: &crate::text::CharIndex,
    sels: &[Selection<'_>],
    origin: &str,
) -> (ForeignUnit, ForeignOffsets) {
    let o = origin.to_ascii_lowercase();
    let order: [ForeignUnit; 4] = if o.starts_with("nvivo") {
        [
            ForeignUnit::UTF16,
            ForeignUnit::UTF16_CRLF1,
            ForeignUnit::CODE_POINTS,
            ForeignUnit::CODE_POINTS_CRLF1,
        ]
    } else if o.contains("atlas") || o.contains("maxqda") {
        [
            ForeignUnit::CODE_POINTS_CRLF1,
            ForeignUnit::CODE_POINTS,
            ForeignUnit::UTF16_CRLF1,
            ForeignUnit::UTF16,
        ]
    } else {
        [
            ForeignUnit::CODE_POINTS,
            ForeignUnit::CODE_POINTS_CRLF1,
            ForeignUnit::UTF16,
            ForeignUnit::UTF16_CRLF1,
        ]
    };
    let has_crlf = raw.contains("\r\n");
    let has_astral = raw.chars().any(|c| c.len_utf16() == 2);
    let mut best: Option<((usize, usize, usize), ForeignUnit, ForeignOffsets)> = None;
    let mut tried = HashSet::new();
    for unit in order {
        // A unit that counts exactly like one already tried on this text is not tried again.
        if !tried.insert((unit.utf16 && has_astral, unit.crlf == 1 && has_crlf)) {
            continue;
        }
        let map = ForeignOffsets::new(raw, unit);
        let mut score = (0, 0, 0);
        for s in sels {
            if let Some((a, b)) = map.range(s.start, s.end) {
                score.2 += 1;
                match verdict(text, index, a, b, &s.quote) {
                    Verdict::Quote => score.0 += 1,
                    Verdict::Boundaries => score.1 += 1,
                    Verdict::None => {}
                }
            }
        }
        // The right unit puts every valid selection in range; then quotes decide, then
        // boundaries (a quote counts as verified boundaries too).
        let key = (score.2, score.0, score.0 + score.1);
        if best.as_ref().is_none_or(|b| key > b.0) {
            best = Some((key, unit, map));
        }
    }
    match best {
        Some((_, unit, map)) => (unit, map),
        None => (order[0], ForeignOffsets::new(raw, order[0])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_keys_hold_uuids_as_numbers_and_anything_else_as_text() {
        let a = GuidKey::of(&norm_guid("{0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9}"));
        assert_eq!(a, GuidKey::Uuid(0x0a1b_2c3d_4e5f_6071_8293_a4b5_c6d7_e8f9));
        assert_eq!(a, GuidKey::of("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"));
        assert_ne!(a, GuidKey::of("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f8"));
        for other in [
            "g1",
            "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
            "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8fg",
        ] {
            assert_eq!(GuidKey::of(other), GuidKey::Text(other.into()));
        }
        let mut set = GuidSet::default();
        assert!(set.insert("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"));
        assert!(!set.insert("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"));
        assert!(set.insert("g1") && !set.insert("g1"));
    }
}
