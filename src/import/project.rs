//! Importing files into a project: one action for the whole batch. A file that cannot be read
//! is reported and skipped while the others go in; cancelling rolls the whole batch back.

use std::path::{Path, PathBuf};

use super::{ImportError, read_file};
use crate::store::{NewDocument, Result, Store, StoreError};

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
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Documents added, in the order given.
    pub imported: Vec<ImportedDoc>,
    /// Files refused, with the reason.
    pub failed: Vec<ImportError>,
}

/// Imports `files` into the project as one undoable action, optionally assigning them to the
/// case `case` (created if needed). `progress(done, total)` is called before each file and
/// after the last; when it returns `false` the import stops and nothing is kept
/// (`StoreError::Cancelled`). Files are read one at a time, so memory stays near the size of
/// the largest file.
pub fn import_files(
    store: &mut Store,
    files: &[PathBuf],
    case: Option<&str>,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<ImportReport> {
    let label = match files {
        [one] => format!("Import “{}”", file_label(one)),
        _ => format!("Import {} documents", files.len()),
    };
    store.action(&label, |db| {
        let case_id = case.map(|c| db.ensure_case(c)).transpose()?;
        let mut report = ImportReport::default();
        for (i, path) in files.iter().enumerate() {
            if !progress(i, files.len()) {
                return Err(StoreError::Cancelled);
            }
            match read_file(path) {
                Ok(imported) => {
                    let turns = imported.turns.len();
                    let encoding = imported.origin.encoding.clone();
                    let id = db.add_document(&NewDocument {
                        name: imported.name,
                        text: imported.text,
                        origin: imported.origin,
                        turns: imported.turns,
                    })?;
                    if let Some(c) = case_id {
                        db.assign_case(c, id)?;
                    }
                    report.imported.push(ImportedDoc {
                        id,
                        name: db.document(id)?.name,
                        path: path.clone(),
                        encoding,
                        turns,
                    });
                }
                Err(e) => report.failed.push(e),
            }
        }
        if !progress(files.len(), files.len()) {
            return Err(StoreError::Cancelled);
        }
        Ok(report)
    })
}

fn file_label(p: &Path) -> String {
    p.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default()
}
