//! Importing files into a project, in two phases. [`read_files`] reads, decodes, unzips and
//! finds speaker turns with no store in sight (on the job thread in the app); a refused file is
//! reported and the others go on. [`ParsedBatch::take_action`] then turns the batch into one
//! [`Action`], written in one short transaction: one undo step, and cancelling before it
//! leaves the project as it was.

use std::path::{Path, PathBuf};

use super::{ImportError, ImportedText, read_file};
use crate::actions::{Action, Outcome};
use crate::model::{Bundle, BundleDocument, NewDocument};

/// A document that went in.
#[derive(Debug, Clone)]
pub struct ImportedDoc {
    /// Its id.
    pub id: crate::model::DocId,
    /// Its name in the project (made unique).
    pub name: String,
    /// The file it came from.
    pub path: PathBuf,
    /// The text encoding that was used.
    pub encoding: String,
    /// Speaker turns found.
    pub turns: usize,
    /// What the user should know about how it was read (see [`ImportedText::warnings`]).
    pub warnings: Vec<String>,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Documents added, in the order given.
    pub imported: Vec<ImportedDoc>,
    /// Files refused, with the reason.
    pub failed: Vec<ImportError>,
    /// Files skipped because the project (or the batch) already holds the same content:
    /// `(file, name of the document that has it)`.
    pub duplicates: Vec<(PathBuf, String)>,
}

/// Files read and parsed, not yet in any project.
#[derive(Debug, Default)]
pub struct ParsedBatch {
    /// The files that could be read, in the order given.
    pub docs: Vec<(PathBuf, ImportedText)>,
    /// Files refused, with the reason.
    pub failed: Vec<ImportError>,
    /// How many files were asked for.
    pub asked: usize,
    /// Files skipped by [`ParsedBatch::skip_known`]: `(file, document that has the content)`.
    pub duplicates: Vec<(PathBuf, String)>,
    /// Speaker turns of each document, counted when [`ParsedBatch::take_action`] took them.
    pub turn_counts: Vec<usize>,
}

/// The import was cancelled before anything was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("import cancelled; the project was left as it was")]
pub struct Cancelled;

/// `files` with each folder replaced by the supported files directly inside it (by name; hidden
/// files and other types left out, as they were not asked for one by one). A folder that
/// cannot be listed stays as it is, so reading it reports the problem.
pub fn expand_folders(files: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::with_capacity(files.len());
    for path in files {
        let listing = path
            .is_dir()
            .then(|| std::fs::read_dir(path).ok())
            .flatten();
        let Some(entries) = listing else {
            out.push(path.clone());
            continue;
        };
        let mut inside: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.starts_with('.'))
            })
            .filter(|p| {
                p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    super::SUPPORTED_EXTENSIONS.contains(&e.to_lowercase().as_str())
                })
            })
            .collect();
        inside.sort();
        out.extend(inside);
    }
    out
}

/// Reads and parses `files` one after another (a folder stands for the supported files in it,
/// see [`expand_folders`]). `progress(done, total)` is called before each file and after the
/// last; when it returns `false` reading stops with [`Cancelled`].
pub fn read_files(
    files: &[PathBuf],
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<ParsedBatch, Cancelled> {
    let expanded = expand_folders(files);
    let files = expanded.as_slice();
    let mut batch = ParsedBatch {
        asked: files.len(),
        ..ParsedBatch::default()
    };
    for (i, path) in files.iter().enumerate() {
        if !progress(i, files.len()) {
            return Err(Cancelled);
        }
        match read_file(path) {
            Ok(t) => batch.docs.push((path.clone(), t)),
            Err(e) => batch.failed.push(e),
        }
    }
    if !progress(files.len(), files.len()) {
        return Err(Cancelled);
    }
    Ok(batch)
}

impl ParsedBatch {
    /// Skips the files whose content (SHA-256 of the original bytes) is already in the project
    /// — `known` maps a hash to the document that has it — or earlier in this batch. Re-running
    /// an import adds nothing twice.
    pub fn skip_known(&mut self, known: &std::collections::HashMap<String, String>) {
        let mut seen = known.clone();
        let mut kept = Vec::with_capacity(self.docs.len());
        for (path, t) in std::mem::take(&mut self.docs) {
            match seen.get(&t.origin.sha256) {
                Some(name) => self.duplicates.push((path, name.clone())),
                None => {
                    seen.insert(t.origin.sha256.clone(), t.name.clone());
                    kept.push((path, t));
                }
            }
        }
        self.docs = kept;
    }

    /// The one action that adds the parsed documents, assigned to the case `case` (created
    /// if needed) when given. The texts and turns move into the action (the batch keeps what
    /// its report needs), so an import holds each in memory once.
    pub fn take_action(&mut self, case: Option<&str>) -> Action {
        let label = match self.docs.as_slice() {
            // The label counts what went in, not the files given (refused ones add nothing).
            [(one, _)] => format!("Import “{}”", file_label(one)),
            docs => format!("Import {} documents", docs.len()),
        };
        self.turn_counts = self.docs.iter().map(|(_, t)| t.turns.len()).collect();
        let documents = self
            .docs
            .iter_mut()
            .map(|(_, t)| BundleDocument {
                doc: NewDocument {
                    name: t.name.clone(),
                    text: std::mem::take(&mut t.text),
                    origin: t.origin.clone(),
                    turns: std::mem::take(&mut t.turns),
                    guid: None,
                },
                cases: case.map(|c| vec![c.to_owned()]).unwrap_or_default(),
                ..BundleDocument::default()
            })
            .collect();
        Action::AddContent {
            label,
            bundle: Box::new(Bundle {
                documents,
                ..Bundle::default()
            }),
        }
    }

    /// The report of this batch once its action produced `outcome`.
    pub fn report(self, outcome: &Outcome) -> ImportReport {
        let added = match outcome {
            Outcome::Content(r) => r.documents.clone(),
            _ => Vec::new(),
        };
        let mut turns = self.turn_counts.into_iter();
        ImportReport {
            imported: self
                .docs
                .into_iter()
                .zip(added)
                .map(|((path, t), (id, name))| ImportedDoc {
                    id,
                    name,
                    path,
                    encoding: t.origin.encoding,
                    turns: turns.next().unwrap_or(t.turns.len()),
                    warnings: t.warnings,
                })
                .collect(),
            failed: self.failed,
            duplicates: self.duplicates,
        }
    }
}

fn file_label(p: &Path) -> String {
    p.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default()
}
