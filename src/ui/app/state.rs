//! The open project, document and selection: switching projects and documents, refreshing
//! the snapshot after a change (only what the change touched), and the edit/undo/redo
//! plumbing every change goes through ([`Session`] is the one door for writes).

use std::path::Path;
use std::sync::Arc;

use super::WeftApp;
use crate::actions::{Action, Outcome};
use crate::model::{CodeId, DocId};
use crate::session::Session;
use crate::store::{Changes, CodingFilter};
use crate::text;
use crate::ui::jobs::{JobKind, Recounter};
use crate::ui::settings;
use crate::ui::transcript::Highlight;
use crate::ui::view::ProjectView;

impl WeftApp {
    pub(super) fn set_session(&mut self, mut session: Session, ctx: Option<&egui::Context>) {
        self.flush_inspector();
        // Edits are drawn at once; the project file catches up when the user pauses.
        session.settle_when_idle();
        let note = session.take_note();
        self.recounter = None;
        if let Some(path) = session.path().map(Path::to_owned) {
            // The codebook counts of a project file are counted off the UI thread.
            let repaint = ctx.cloned();
            match Recounter::start(path, move || {
                if let Some(c) = &repaint {
                    c.request_repaint();
                }
            }) {
                Ok(r) => self.recounter = Some(r),
                Err(e) => self.error(e),
            }
        }
        self.session = Some(session);
        self.current_doc = None;
        self.selected_code = None;
        self.inspector = None;
        self.reload();
        if let Some(note) = note {
            self.notice(note);
        }
        if let Some(first) = self.view.documents.first().map(|d| d.id) {
            self.open_document(first);
        } else {
            self.transcript
                .set_document(DocId(0), Arc::from(""), Vec::new());
        }
    }

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

    /// Opens the project file at `path`. A damaged file opens the restore window instead;
    /// after opening, today's snapshot is made in the background.
    pub fn open_project(&mut self, path: &Path) {
        if let Some(job) = &self.job {
            // An import's parsed files go into the project that is open when it finishes.
            let what = match job.kind {
                JobKind::Import => "import",
                JobKind::Export => "export",
            };
            self.error(format!(
                "wait for the running {what} to finish before opening another project"
            ));
            return;
        }
        match Session::open(path) {
            Ok(session) => {
                self.settings.opened(path);
                let ctx = self.ctx.clone();
                self.set_session(session, ctx.as_ref());
                self.start_daily_snapshot(path);
            }
            Err(e) => {
                let message = e.to_string();
                if !self.offer_restore(path, &message) {
                    self.error(message);
                }
            }
        }
    }

    /// Reloads the whole snapshot (after opening, or when everything may have changed).
    pub(super) fn reload(&mut self) {
        let Some(session) = &self.session else {
            self.view = ProjectView::default();
            return;
        };
        self.version += 1;
        // A project file's counts come from the counting thread; keep the numbers shown.
        let count_here = self.recounter.is_none();
        let old_report = self.view.report.take();
        match ProjectView::load_with(session.read(), self.version, count_here) {
            Ok(mut v) => {
                v.path = session.path().map(Path::to_owned);
                v.undo_label = session.undo_label().ok().flatten();
                v.redo_label = session.redo_label().ok().flatten();
                v.coder = session.coder();
                if !count_here {
                    v.report = old_report;
                }
                self.view = v;
            }
            Err(e) => self.error(format!("could not read the project: {e}")),
        }
        if let Some(r) = &mut self.recounter {
            r.ask();
        }
        self.forget_missing();
        self.refresh_highlights();
    }

    /// Refreshes only what `changes` says an edit, undo or redo touched.
    pub(super) fn refresh(&mut self, changes: &Changes) {
        // Each change restarts the wait before the project file catches up (see
        // `settle_when_idle`): a run of quick edits never pays for a checkpoint.
        self.settle_at = None;
        let Some(session) = &self.session else { return };
        let db = session.read();
        self.version += 1;
        let v = &mut self.view;
        let result = (|| -> crate::store::Result<()> {
            if changes.settings {
                v.title = db.title()?;
                v.key_pins = ProjectView::load_key_pins(db)?;
            }
            if changes.documents {
                v.documents = db.documents()?;
            }
            if changes.codebook {
                v.tree = db.code_tree()?;
            }
            if changes.cases || changes.documents {
                v.cases = db.cases()?;
                v.links = db.case_links()?;
                v.attributes = db.attributes()?;
            }
            if changes.coders {
                v.coders = db.coders()?;
            }
            if changes.memos {
                v.memos = db.memos()?;
            }
            if changes.themes || changes.codebook {
                // A deleted or merged code takes its links with it.
                v.themes = db.themes()?;
                v.map_positions = db.map_positions()?;
            }
            if changes.documents && changes.docs.is_empty() {
                v.doc_codings = ProjectView::count_codings(db)?;
            } else if changes.codings || changes.documents {
                for &doc in &changes.docs {
                    let filter = CodingFilter {
                        doc: Some(doc),
                        ..CodingFilter::default()
                    };
                    let n = db.codings(&filter)?.len();
                    if n == 0 {
                        v.doc_codings.remove(&doc);
                    } else {
                        v.doc_codings.insert(doc, n);
                    }
                }
            }
            v.undo_label = session.undo_label()?;
            v.redo_label = session.redo_label()?;
            v.coder = session.coder();
            v.version = self.version;
            Ok(())
        })();
        if let Err(e) = result {
            self.error(format!("could not read the project: {e}"));
        }
        if changes.codings || changes.codebook || changes.cases || changes.documents {
            self.recount();
        }
        self.forget_missing();
        let doc_touched = self.current_doc.is_some_and(|d| changes.docs.contains(&d));
        if changes.codebook || doc_touched || (changes.codings && changes.docs.is_empty()) {
            self.refresh_highlights();
        }
    }

    /// Recounts the codebook: on the counting thread for a project file (the old numbers stay
    /// until the new ones arrive), at once in memory.
    pub(super) fn recount(&mut self) {
        if let Some(r) = &mut self.recounter {
            r.ask();
            return;
        }
        let Some(session) = &self.session else { return };
        match crate::analysis::frequencies_with(
            session.read(),
            &crate::analysis::ScopeFilter::default(),
            false,
        ) {
            Ok(report) => self.view.report = Some(report),
            Err(e) => self.error(format!("could not count the codes: {e}")),
        }
    }

    /// Whether the codebook counts are being recounted.
    pub fn counting(&self) -> bool {
        self.recounter.as_ref().is_some_and(Recounter::busy)
    }

    /// Drops the open document and selected code when they no longer exist.
    fn forget_missing(&mut self) {
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
    }

    pub(super) fn open_document(&mut self, id: DocId) {
        self.flush_inspector();
        let Some(session) = &self.session else { return };
        let db = session.read();
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
        let (Some(session), Some(doc)) = (&self.session, self.current_doc) else {
            return;
        };
        let filter = CodingFilter {
            doc: Some(doc),
            ..CodingFilter::default()
        };
        match session.read().codings(&filter) {
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
        let Some(session) = &mut self.session else {
            self.error("open or create a project first");
            return;
        };
        match session.apply(&action) {
            Ok(applied) => {
                self.refresh(&applied.changes);
                match applied.outcome {
                    Outcome::Coding(c)
                        if matches!(
                            action,
                            Action::ApplyCode { .. } | Action::CreateAndApply { .. }
                        ) =>
                    {
                        self.transcript.set_selected_coding(Some(c));
                        // Every coding gesture (button, key, quick box, in vivo) says what it
                        // did, so a mistaken one is seen and undone at once.
                        let name = self
                            .session
                            .as_ref()
                            .and_then(|s| s.read().coding(c).ok())
                            .and_then(|coding| self.view.tree.get(coding.code))
                            .map(|code| code.name.clone())
                            .unwrap_or_default();
                        self.notice_with_undo(format!("Coded as {name}"));
                    }
                    Outcome::Code(c) => self.selected_code = Some(c),
                    Outcome::Coded {
                        code,
                        created,
                        documents,
                        already,
                    } => {
                        let name = self.view.tree.path(code);
                        let mut text = format!(
                            "Coded {created} passage{} in {documents} document{} as {name}",
                            if created == 1 { "" } else { "s" },
                            if documents == 1 { "" } else { "s" },
                        );
                        if already > 0 {
                            text.push_str(&format!(" ({already} already coded so)"));
                        }
                        self.notice_with_undo(text);
                    }
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

    pub(super) fn step_history(&mut self, back: bool) {
        let Some(session) = &mut self.session else {
            return;
        };
        let result = if back { session.undo() } else { session.redo() };
        let (done, nothing) = if back {
            ("Undid", "Nothing to undo")
        } else {
            ("Redid", "Nothing to redo")
        };
        match result {
            Ok(Some(step)) => {
                self.refresh(&step.changes);
                self.notice(format!("{done}: {}", step.label));
            }
            Ok(None) => self.notice(nothing),
            Err(e) => self.error(e.to_string()),
        }
    }

    pub(super) fn selection(&self) -> Option<crate::model::CharRange> {
        self.transcript.selected_range()
    }

    /// Applies `code` to the transcript's selection.
    pub fn apply_to_selection(&mut self, code: CodeId) {
        let (Some(doc), Some(sel), Some(coder)) =
            (self.current_doc, self.selection(), self.coder())
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
        let (Some(doc), Some(sel), Some(coder)) =
            (self.current_doc, self.selection(), self.coder())
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

impl WeftApp {
    /// The coder new codings are attributed to.
    pub(super) fn coder(&self) -> Option<crate::model::CoderId> {
        self.session.as_ref().and_then(Session::coder)
    }
}
