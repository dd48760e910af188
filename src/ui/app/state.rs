//! The open project, document and selection: switching projects and documents, reloading the
//! snapshot after a change, and the edit/undo/redo plumbing every change goes through.

use std::path::Path;
use std::sync::Arc;

use super::WeftApp;
use crate::actions::{Action, Outcome};
use crate::model::{CodeId, DocId};
use crate::store::{CodingFilter, Store};
use crate::text;
use crate::ui::settings;
use crate::ui::transcript::Highlight;
use crate::ui::view::ProjectView;

impl WeftApp {
    pub(super) fn set_store(&mut self, store: Store) {
        self.flush_inspector();
        self.store = Some(store);
        self.current_doc = None;
        self.selected_code = None;
        self.inspector = None;
        self.coder = None;
        self.reload();
        if let Some(first) = self.view.documents.first().map(|d| d.id) {
            self.open_document(first);
        } else {
            self.transcript
                .set_document(DocId(0), Arc::from(""), Vec::new());
        }
    }

    /// Asks for paths in the window instead of native dialogs (where none can appear, and in
    /// Opens the demo project in the user's data directory, creating it the first time.
    pub(super) fn open_demo(&mut self) {
        let demo = settings::demo_path();
        if !demo.exists() {
            if let Some(dir) = demo.parent()
                && let Err(e) = std::fs::create_dir_all(dir)
            {
                self.error(format!("could not create {}: {e}", dir.display()));
                return;
            }
            if let Err(e) = crate::demo::create(&demo) {
                self.error(format!("could not create the demo project: {e}"));
                return;
            }
        }
        self.open_project(&demo);
    }

    pub(super) fn open_project(&mut self, path: &Path) {
        if self.job.is_some() {
            self.error(
                "wait for the running import or export to finish before opening another project",
            );
            return;
        }
        match Store::open(path) {
            Ok(store) => {
                self.settings.opened(path);
                self.set_store(store);
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    /// Reloads the snapshot after a change.
    pub(super) fn reload(&mut self) {
        let Some(store) = &self.store else {
            self.view = ProjectView::default();
            return;
        };
        self.version += 1;
        match ProjectView::load(store.db(), self.version) {
            Ok(mut v) => {
                v.path = store.path().map(Path::to_owned);
                v.undo_label = store.undo_label().ok().flatten();
                v.redo_label = store.redo_label().ok().flatten();
                if self
                    .coder
                    .is_none_or(|c| !v.coders.iter().any(|x| x.id == c))
                {
                    self.coder = v.coder;
                }
                v.coder = self.coder;
                self.view = v;
            }
            Err(e) => self.error(format!("could not read the project: {e}")),
        }
        if self
            .current_doc
            .is_some_and(|d| self.view.document(d).is_none())
        {
            self.current_doc = None;
            self.doc_text = Arc::from("");
            self.transcript
                .set_document(DocId(0), Arc::from(""), Vec::new());
        }
        if self
            .selected_code
            .is_some_and(|c| self.view.tree.get(c).is_none())
        {
            self.selected_code = None;
        }
        self.refresh_highlights();
    }

    pub(super) fn open_document(&mut self, id: DocId) {
        self.flush_inspector();
        let Some(store) = &self.store else { return };
        let db = store.db();
        match (db.document_text(id), db.turns(id)) {
            (Ok(text), Ok(turns)) => {
                self.doc_text = Arc::from(text);
                self.current_doc = Some(id);
                self.transcript
                    .set_document(id, self.doc_text.clone(), turns);
                self.refresh_highlights();
            }
            (Err(e), _) | (_, Err(e)) => self.error(format!("could not open the document: {e}")),
        }
    }

    pub(super) fn refresh_highlights(&mut self) {
        let (Some(store), Some(doc)) = (&self.store, self.current_doc) else {
            return;
        };
        let filter = CodingFilter {
            doc: Some(doc),
            ..CodingFilter::default()
        };
        match store.db().codings(&filter) {
            Ok(codings) => {
                let hl = codings
                    .into_iter()
                    .filter_map(|c| {
                        let code = self.view.tree.get(c.code)?;
                        Some(Highlight {
                            coding: c.id,
                            code: c.code,
                            start: c.start,
                            end: c.end,
                            color: code.color,
                            label: code.name.clone(),
                        })
                    })
                    .collect();
                self.transcript.set_highlights(hl);
            }
            Err(e) => self.error(format!("could not read codings: {e}")),
        }
    }

    /// Applies an edit as one transaction and undo step.
    pub fn edit(&mut self, action: Action) {
        if self.import_running() {
            // Kept, not dropped: applied when the import is done (it holds the file).
            self.deferred.push(action);
            self.notice("This edit will be saved as soon as the import finishes");
            return;
        }
        let Some(store) = &mut self.store else {
            self.error("open or create a project first");
            return;
        };
        match action.apply(store) {
            Ok(outcome) => {
                self.reload();
                match outcome {
                    Outcome::Coding(c)
                        if matches!(
                            action,
                            Action::ApplyCode { .. } | Action::CreateAndApply { .. }
                        ) =>
                    {
                        self.transcript.set_selected_coding(Some(c));
                    }
                    Outcome::Code(c) => self.selected_code = Some(c),
                    Outcome::Memo(m) => self.memos.select(crate::ui::memos::Entry::Memo(m)),
                    _ => {}
                }
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    /// Undoes the last edit.
    pub fn undo(&mut self) {
        self.step_history(true);
    }

    /// Redoes the last undone edit.
    pub fn redo(&mut self) {
        self.step_history(false);
    }

    /// Whether an import holds the project; edits wait until it is done (it is one
    /// transaction, so the file would be locked).
    pub(super) fn import_running(&self) -> bool {
        self.job
            .as_ref()
            .is_some_and(|j| j.label.starts_with("Importing"))
    }

    pub(super) fn step_history(&mut self, back: bool) {
        if self.import_running() {
            self.notice("Wait for the import to finish (or cancel it) before undoing");
            return;
        }
        let Some(store) = &mut self.store else { return };
        let result = if back { store.undo() } else { store.redo() };
        let (done, nothing) = if back {
            ("Undid", "Nothing to undo")
        } else {
            ("Redid", "Nothing to redo")
        };
        match result {
            Ok(Some(label)) => {
                self.reload();
                self.notice(format!("{done}: {label}"));
            }
            Ok(None) => self.notice(nothing),
            Err(e) => self.error(e.to_string()),
        }
    }

    pub(super) fn selection(&self) -> Option<crate::model::CharRange> {
        self.transcript
            .selection()
            .and_then(crate::model::CharRange::from_range)
    }

    /// Applies `code` to the transcript's selection.
    pub fn apply_to_selection(&mut self, code: CodeId) {
        let (Some(doc), Some(sel), Some(coder)) = (self.current_doc, self.selection(), self.coder)
        else {
            self.notice("Select a passage in the transcript first");
            return;
        };
        self.edit(Action::ApplyCode {
            doc,
            code,
            coder,
            range: sel,
        });
    }

    pub(super) fn create_and_apply(&mut self, path: String) {
        let (Some(doc), Some(sel), Some(coder)) = (self.current_doc, self.selection(), self.coder)
        else {
            self.notice("Select a passage in the transcript first");
            return;
        };
        self.edit(Action::CreateAndApply {
            path,
            doc,
            coder,
            range: sel,
        });
    }

    /// "Code in vivo": a new code named after the selected words, applied to them.
    pub fn code_in_vivo(&mut self) {
        let Some(sel) = self.selection() else {
            self.notice("Select the words to code in vivo");
            return;
        };
        let name = super::in_vivo_name(text::slice_chars_clamped(
            &self.doc_text,
            sel.start,
            sel.end,
        ));
        if name.is_empty() {
            self.notice("The selection has no words to name a code after");
            return;
        }
        self.create_and_apply(name);
    }
}
