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

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> Vec<PathBuf> {
        let good = dir.join("p01.txt");
        std::fs::write(
            &good,
            "Interviewer: Hello?\nP01: Hi there.\nInterviewer: And?\nP01: Bye.\n",
        )
        .unwrap();
        let bad = dir.join("empty.txt");
        std::fs::write(&bad, "").unwrap();
        let second = dir.join("p02.md");
        std::fs::write(&second, "# Notes\n\nSome text.").unwrap();
        vec![good, bad, second]
    }

    #[test]
    fn bad_files_are_reported_and_the_rest_go_in_as_one_undo_step() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::in_memory().unwrap();
        let report = import_files(&mut store, &files(dir.path()), Some("P01"), &mut |_, _| {
            true
        })
        .unwrap();
        assert_eq!(report.imported.len(), 2);
        assert_eq!(report.failed.len(), 1);
        assert!(report.failed[0].to_string().contains("empty.txt"));
        assert_eq!(report.imported[0].turns, 4);
        let db = store.db();
        let p01 = db.require_case("P01").unwrap();
        assert_eq!(
            db.cases_of_document(report.imported[0].id).unwrap(),
            vec![p01]
        );
        assert_eq!(store.undo().unwrap().as_deref(), Some("Import 3 documents"));
        assert!(store.db().documents().unwrap().is_empty());
        assert!(
            store.db().cases().unwrap().is_empty(),
            "the case created by the import goes too"
        );
    }

    #[test]
    fn a_cancelled_import_leaves_the_project_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::in_memory().unwrap();
        let err = import_files(
            &mut store,
            &files(dir.path()),
            Some("P01"),
            &mut |done, _| done < 2,
        )
        .unwrap_err();
        assert!(matches!(err, StoreError::Cancelled));
        assert!(store.db().documents().unwrap().is_empty());
        assert!(store.db().cases().unwrap().is_empty());
        assert_eq!(store.undo_label().unwrap(), None);
    }
}
