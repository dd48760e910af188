//! The application: owns the open project, the panels and the undo history, turns the
//! panels' [`Command`]s into edits (one transaction each), and runs long work off the UI
//! thread.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::{Align2, Color32, Key, KeyboardShortcut, Modifiers, RichText};

use super::codebook::CodebookPanel;
use super::documents::DocumentsPanel;
use super::frequencies::FrequenciesView;
use super::jobs::{DialogPurpose, Job, JobResult, NativeDialog};
use super::memos::MemosView;
use super::segments::SegmentsView;
use super::settings::{self, Settings};
use super::transcript::{Highlight, TranscriptEvent, TranscriptView};
use super::view::{Command, ProjectView, Tab};
use crate::actions::{Action, Outcome};
use crate::export::Format;
use crate::model::{CodeId, CoderId, Coding, CodingId, DocId};
use crate::store::{CodingFilter, Store};

/// Keyboard shortcuts, shown in the menus.
pub mod keys {
    use egui::{Key, KeyboardShortcut, Modifiers};
    /// New project.
    pub const NEW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::N);
    /// Open project.
    pub const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
    /// Import documents.
    pub const IMPORT: KeyboardShortcut =
        KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::I);
    /// Quit.
    pub const QUIT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Q);
    /// Undo.
    pub const UNDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
    /// Redo.
    pub const REDO: KeyboardShortcut =
        KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
    /// Redo (alternative).
    pub const REDO_Y: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Y);
    /// Quick code box.
    pub const QUICK: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::K);
    /// Code in vivo.
    pub const IN_VIVO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::I);
    /// Zoom in.
    pub const ZOOM_IN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Plus);
    /// Zoom out.
    pub const ZOOM_OUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Minus);
    /// Reset zoom.
    pub const ZOOM_RESET: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Num0);
    /// Toggle theme.
    pub const THEME: KeyboardShortcut =
        KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::L);
}

struct Toast {
    text: String,
    error: bool,
    until: f64,
}

#[derive(Default)]
struct QuickCode {
    open: bool,
    query: String,
    index: usize,
    focus: bool,
}

struct PathPrompt {
    purpose: DialogPurpose,
    text: String,
    note: Option<String>,
    focused: bool,
}

struct Inspector {
    coding: Coding,
    memo: String,
    version: u64,
}

/// The Weft desktop app.
pub struct WeftApp {
    store: Option<Store>,
    /// The snapshot panels draw from.
    pub view: ProjectView,
    version: u64,
    /// Remembered preferences.
    pub settings: Settings,
    /// The central tab.
    pub tab: Tab,
    current_doc: Option<DocId>,
    selected_code: Option<CodeId>,
    coder: Option<CoderId>,
    /// The transcript widget.
    pub transcript: TranscriptView,
    codebook: CodebookPanel,
    documents: DocumentsPanel,
    segments: SegmentsView,
    frequencies: FrequenciesView,
    memos: MemosView,
    quick: QuickCode,
    toasts: Vec<Toast>,
    job: Option<Job>,
    dialog: Option<NativeDialog>,
    prompt: Option<PathPrompt>,
    inspector: Option<Inspector>,
    commands: Vec<Command>,
    doc_text: Arc<str>,
    theme_applied: Option<bool>,
    window_title: String,
    /// Edits made while an import held the project, applied when it finishes.
    deferred: Vec<Action>,
    /// Whether a native file dialog ever returned nothing at once (no dialog service).
    native_dialogs_fail: bool,
}

impl WeftApp {
    /// An app with `store` open (or none) and default settings. Used by tests and `new`.
    pub fn with_store(store: Option<Store>, settings: Settings) -> Self {
        let mut app = Self {
            store: None,
            view: ProjectView::default(),
            version: 0,
            tab: settings.tab,
            settings,
            current_doc: None,
            selected_code: None,
            coder: None,
            transcript: TranscriptView::new(),
            codebook: CodebookPanel::default(),
            documents: DocumentsPanel::default(),
            segments: SegmentsView::default(),
            frequencies: FrequenciesView::default(),
            memos: MemosView::default(),
            quick: QuickCode::default(),
            toasts: Vec::new(),
            job: None,
            dialog: None,
            prompt: None,
            inspector: None,
            commands: Vec::new(),
            doc_text: Arc::from(""),
            theme_applied: None,
            window_title: String::new(),
            deferred: Vec::new(),
            native_dialogs_fail: false,
        };
        if let Some(store) = store {
            app.set_store(store);
        }
        app
    }

    /// Starts the app as `weft [PROJECT]` does: the given project, else the last one, else the
    /// demo project in the user's data directory (created on first run).
    pub fn new(cc: &eframe::CreationContext<'_>, project: Option<PathBuf>) -> Self {
        let settings: Settings = cc
            .storage
            .and_then(|s| eframe::get_value(s, settings::KEY))
            .unwrap_or_default();
        cc.egui_ctx.set_zoom_factor(settings.zoom.clamp(0.5, 3.0));
        let mut app = Self::with_store(None, settings);
        let wanted = project.or_else(|| app.settings.last_project.clone().filter(|p| p.exists()));
        match wanted {
            Some(path) => app.open_project(&path),
            None => app.open_demo(),
        }
        app
    }

    fn set_store(&mut self, store: Store) {
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
    /// tests).
    pub fn use_path_prompt(&mut self) {
        self.native_dialogs_fail = true;
    }

    /// Whether a background job (import or export) is running.
    pub fn job_running(&self) -> bool {
        self.job.is_some()
    }

    /// The open project.
    pub fn store(&self) -> Option<&Store> {
        self.store.as_ref()
    }

    /// The document shown in the transcript.
    pub fn current_document(&self) -> Option<DocId> {
        self.current_doc
    }

    /// The code selected in the codebook.
    pub fn selected_code(&self) -> Option<CodeId> {
        self.selected_code
    }

    /// Opens the demo project in the user's data directory, creating it the first time.
    fn open_demo(&mut self) {
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

    fn open_project(&mut self, path: &Path) {
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
    fn reload(&mut self) {
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

    /// Saves a coding memo still being typed before the inspector shows something else.
    fn flush_inspector(&mut self) {
        if let Some(ins) = self.inspector.take()
            && ins.memo != ins.coding.memo
            && self
                .store
                .as_ref()
                .is_some_and(|s| s.db().coding(ins.coding.id).is_ok())
        {
            self.edit(Action::SetCodingMemo {
                coding: ins.coding.id,
                memo: ins.memo,
            });
        }
    }

    fn open_document(&mut self, id: DocId) {
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

    fn refresh_highlights(&mut self) {
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

    fn error(&mut self, text: impl Into<String>) {
        self.toasts.push(Toast {
            text: text.into(),
            error: true,
            until: f64::NAN,
        });
    }

    fn notice(&mut self, text: impl Into<String>) {
        self.toasts.push(Toast {
            text: text.into(),
            error: false,
            until: f64::NAN,
        });
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
                    Outcome::Memo(m) => self.memos.select(super::memos::Entry::Memo(m)),
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
    fn import_running(&self) -> bool {
        self.job
            .as_ref()
            .is_some_and(|j| j.label.starts_with("Importing"))
    }

    fn step_history(&mut self, back: bool) {
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

    fn selection(&self) -> Option<crate::model::CharRange> {
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

    fn create_and_apply(&mut self, path: String) {
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
        let text: String = self
            .doc_text
            .chars()
            .skip(sel.start)
            .take(sel.end - sel.start)
            .collect();
        let name = in_vivo_name(&text);
        if name.is_empty() {
            self.notice("The selection has no words to name a code after");
            return;
        }
        self.create_and_apply(name);
    }

    fn ask_path(&mut self, purpose: DialogPurpose, ctx: &egui::Context) {
        if self.dialog.is_some() {
            return;
        }
        if NativeDialog::available() && !self.native_dialogs_fail {
            let repaint_ctx = ctx.clone();
            let start = self
                .view
                .path
                .as_ref()
                .and_then(|p| p.parent().map(Path::to_owned));
            match NativeDialog::open(purpose.clone(), start, move || {
                repaint_ctx.request_repaint()
            }) {
                Ok(d) => {
                    self.dialog = Some(d);
                    return;
                }
                Err(e) => self.error(e),
            }
        }
        let base = self
            .view
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map(|d| d.join(purpose.default_name()))
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let no_dialog = !NativeDialog::available() || self.native_dialogs_fail;
        self.prompt = Some(PathPrompt {
            note: no_dialog
                .then(|| "No system file dialog is available here: type the path.".to_owned()),
            purpose,
            text: base,
            focused: false,
        });
    }

    fn handle_paths(&mut self, purpose: DialogPurpose, paths: Vec<PathBuf>, ctx: &egui::Context) {
        let Some(first) = paths.first().cloned() else {
            return;
        };
        match purpose {
            DialogPurpose::OpenProject => self.open_project(&first),
            DialogPurpose::NewProject if self.job.is_some() => {
                self.error(
                    "wait for the running import or export to finish before creating a project",
                );
            }
            DialogPurpose::NewProject => {
                let path = if first.extension().is_none() {
                    first.with_extension("weft")
                } else {
                    first
                };
                match Store::create(&path) {
                    Ok(store) => {
                        self.settings.opened(&path);
                        self.set_store(store);
                        self.notice(format!("Created {}", path.display()));
                    }
                    Err(e) => self.error(e.to_string()),
                }
            }
            DialogPurpose::Import => self.import(paths, ctx),
            DialogPurpose::ExportFrequencies(filter, format) => {
                let Some(project) = self.export_source() else {
                    return;
                };
                let c = ctx.clone();
                self.start_job(Job::export_frequencies(
                    project,
                    filter,
                    format,
                    first,
                    move || c.request_repaint(),
                ));
            }
            DialogPurpose::ExportSegments(codes, filter, format) => {
                let Some(project) = self.export_source() else {
                    return;
                };
                let c = ctx.clone();
                self.start_job(Job::export_segments(
                    project,
                    codes,
                    filter,
                    format,
                    first,
                    move || c.request_repaint(),
                ));
            }
        }
    }

    /// The project file an export thread reads, if exports can start now.
    fn export_source(&mut self) -> Option<PathBuf> {
        if self.job.is_some() {
            self.error("wait for the running job to finish");
            return None;
        }
        let path = self.view.path.clone();
        if path.is_none() {
            self.error(
                "this project is not saved to a file, so it cannot be exported in the background",
            );
        }
        path
    }

    fn start_job(&mut self, job: Result<Job, String>) {
        match job {
            Ok(j) => self.job = Some(j),
            Err(e) => self.error(e),
        }
    }

    /// Imports files: on a background thread for a project file, at once in memory.
    pub fn import(&mut self, files: Vec<PathBuf>, ctx: &egui::Context) {
        if self.job.is_some() {
            return self.error("wait for the running job to finish");
        }
        let Some(store) = &mut self.store else {
            return self.error("open or create a project first");
        };
        match store.path().map(Path::to_owned) {
            Some(project) => {
                let c = ctx.clone();
                self.start_job(Job::import(project, files, move || c.request_repaint()));
            }
            None => {
                let r = crate::import::read_files(&files, &mut |_, _| true)
                    .map_err(|e| e.to_string())
                    .and_then(|batch| {
                        let outcome = batch.action(None).apply(store).map_err(|e| e.to_string())?;
                        Ok(batch.report(&outcome))
                    });
                self.finish_import(r);
            }
        }
    }

    fn finish_import(&mut self, result: Result<crate::import::ImportReport, String>) {
        for action in std::mem::take(&mut self.deferred) {
            self.edit(action);
        }
        match result {
            Ok(report) => {
                self.reload();
                for e in &report.failed {
                    self.error(e.to_string());
                }
                if let Some(d) = report.imported.first() {
                    self.open_document(d.id);
                    self.tab = Tab::Transcript;
                }
                if !report.imported.is_empty() {
                    self.notice(format!("Imported {} document(s)", report.imported.len()));
                }
            }
            Err(e) if e == crate::store::StoreError::Cancelled.to_string() => {
                self.notice("Import cancelled; the project is as it was")
            }
            Err(e) => self.error(e),
        }
    }

    fn poll_background(&mut self, ctx: &egui::Context) {
        if let Some(d) = &self.dialog
            && let Some(paths) = d.poll()
        {
            let purpose = d.purpose.clone();
            let instant = d.age() < std::time::Duration::from_millis(400);
            self.dialog = None;
            if paths.is_empty() && instant {
                // Nothing answered (no portal, no zenity): ask for a path in the window.
                self.native_dialogs_fail = true;
                self.ask_path(purpose, ctx);
            } else {
                self.handle_paths(purpose, paths, ctx);
            }
        }
        if let Some(job) = &self.job
            && let Some(result) = job.poll()
        {
            self.job = None;
            match result {
                JobResult::Import(r) => self.finish_import(r),
                JobResult::Export(Ok(p)) => self.notice(format!("Exported {}", p.display())),
                JobResult::Export(Err(e)) => self.error(e),
            }
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_owned())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if !dropped.is_empty() {
            if dropped.len() == 1 && dropped[0].extension().is_some_and(|e| e == "weft") {
                self.open_project(&dropped[0]);
            } else {
                self.import(dropped, ctx);
            }
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        let pressed = |s: &KeyboardShortcut| ctx.input_mut(|i| i.consume_shortcut(s));
        if pressed(&keys::NEW) {
            self.ask_path(DialogPurpose::NewProject, ctx);
        }
        if pressed(&keys::OPEN) {
            self.ask_path(DialogPurpose::OpenProject, ctx);
        }
        if pressed(&keys::IMPORT) {
            self.ask_path(DialogPurpose::Import, ctx);
        }
        if pressed(&keys::QUIT) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        if pressed(&keys::THEME) {
            self.settings.dark = !self.settings.dark;
        }
        // Tabs: Alt+1..4, before the digits below (which would match Alt+digit too).
        let tab_keys = [Key::Num1, Key::Num2, Key::Num3, Key::Num4];
        for (t, key) in Tab::ALL.iter().zip(tab_keys) {
            if ctx.input_mut(|i| i.consume_key(Modifiers::ALT, key)) {
                self.tab = *t;
            }
        }
        // While a text field is being edited, its keys are its own: Ctrl+Z undoes typing there,
        // digits and Q are text.
        let modal_open = ctx.memory(|m| m.top_modal_layer()).is_some();
        if ctx.text_edit_focused() || self.quick.open || self.prompt.is_some() || modal_open {
            return;
        }
        if pressed(&keys::REDO) || pressed(&keys::REDO_Y) {
            self.redo();
        } else if pressed(&keys::UNDO) {
            self.undo();
        }
        if pressed(&keys::QUICK) {
            self.open_quick();
        }
        if pressed(&keys::IN_VIVO) {
            self.code_in_vivo();
        }
        if ctx.input(|i| i.modifiers.alt || i.modifiers.command || i.modifiers.ctrl) {
            return;
        }
        let digits = [
            Key::Num1,
            Key::Num2,
            Key::Num3,
            Key::Num4,
            Key::Num5,
            Key::Num6,
            Key::Num7,
            Key::Num8,
            Key::Num9,
        ];
        for (i, k) in digits.iter().enumerate() {
            if ctx.input_mut(|inp| inp.consume_key(Modifiers::NONE, *k))
                && let Some(code) = self.view.quick_codes().get(i).copied()
            {
                self.apply_to_selection(code);
            }
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Q)) {
            self.open_quick();
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Delete))
            && let Some(c) = self.transcript.selected_coding()
        {
            self.edit(Action::RemoveCoding(c));
            self.transcript.set_selected_coding(None);
        }
    }

    fn open_quick(&mut self) {
        if self.selection().is_none() {
            self.notice("Select a passage in the transcript first");
            return;
        }
        self.quick = QuickCode {
            open: true,
            query: String::new(),
            index: 0,
            focus: true,
        };
    }

    /// Draws the whole app into `ui` (the root). eframe calls this every frame; tests too.
    pub fn ui_root(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if self.theme_applied != Some(self.settings.dark) {
            ctx.set_theme(if self.settings.dark {
                egui::Theme::Dark
            } else {
                egui::Theme::Light
            });
            self.theme_applied = Some(self.settings.dark);
        }
        self.poll_background(&ctx);
        self.shortcuts(&ctx);

        egui::Panel::top("menu").show(ui, |ui| self.menu_ui(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_ui(ui));
        if self.store.is_none() {
            egui::CentralPanel::default().show(ui, |ui| self.welcome_ui(ui));
        } else {
            egui::Panel::left("documents")
                .resizable(true)
                .default_size(260.0)
                .min_size(180.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("documents-scroll")
                        .show(ui, |ui| {
                            self.documents
                                .ui(ui, &self.view, self.current_doc, &mut self.commands);
                        });
                });
            egui::Panel::right("codebook")
                .resizable(true)
                .default_size(300.0)
                .min_size(200.0)
                .show(ui, |ui| self.right_ui(ui));
            egui::CentralPanel::default().show(ui, |ui| self.central_ui(ui));
        }
        self.quick_ui(&ctx);
        self.prompt_ui(&ctx);
        self.toasts_ui(&ctx);
        self.run_commands(&ctx);
        let title = match &self.view.path {
            Some(p) => format!(
                "Weft — {}",
                p.file_name()
                    .map(|f| f.to_string_lossy())
                    .unwrap_or_default()
            ),
            None => "Weft".to_owned(),
        };
        // Sending a viewport command asks for another frame: only send a changed title.
        if title != self.window_title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.window_title = title;
        }
        self.settings.zoom = ctx.zoom_factor();
        self.settings.tab = self.tab;
    }

    fn run_commands(&mut self, ctx: &egui::Context) {
        for cmd in std::mem::take(&mut self.commands) {
            match cmd {
                Command::Edit(a) => self.edit(a),
                Command::OpenDocument(d) => {
                    self.open_document(d);
                    self.tab = Tab::Transcript;
                }
                Command::SelectCode(c) => self.selected_code = c,
                Command::ApplyToSelection(c) => self.apply_to_selection(c),
                Command::JumpTo {
                    doc,
                    coding,
                    start,
                    end,
                } => {
                    if self.current_doc != Some(doc) {
                        self.open_document(doc);
                    }
                    self.transcript.set_selection(Some(start..end), true);
                    self.transcript.set_selected_coding(coding);
                    self.tab = Tab::Transcript;
                }
                Command::ShowTab(t) => self.tab = t,
                Command::Error(e) => self.error(e),
                Command::Notice(n) => self.notice(n),
                Command::ExportFrequencies(f) => {
                    let format = self.frequencies.export_format.take().unwrap_or(Format::Csv);
                    self.ask_path(DialogPurpose::ExportFrequencies(f, format), ctx)
                }
                Command::ExportSegments(codes, f) => {
                    let format = self.segments.export_format.take().unwrap_or(Format::Csv);
                    self.ask_path(DialogPurpose::ExportSegments(codes, f, format), ctx);
                }
            }
        }
    }

    fn menu_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let item =
            |ui: &mut egui::Ui, text: &str, shortcut: Option<&KeyboardShortcut>, enabled: bool| {
                let mut b = egui::Button::new(text);
                if let Some(s) = shortcut {
                    b = b.shortcut_text(ui.ctx().format_shortcut(s));
                }
                ui.add_enabled(enabled, b).clicked()
            };
        let has_project = self.store.is_some();
        let has_sel = self.selection().is_some();
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if item(ui, "New project…", Some(&keys::NEW), true) {
                    self.ask_path(DialogPurpose::NewProject, &ctx);
                }
                if item(ui, "Open project…", Some(&keys::OPEN), true) {
                    self.ask_path(DialogPurpose::OpenProject, &ctx);
                }
                ui.menu_button("Open recent", |ui| {
                    if self.settings.recent.is_empty() {
                        ui.weak("No recent projects");
                    }
                    for p in self.settings.recent.clone() {
                        if ui.button(p.display().to_string()).clicked() {
                            self.open_project(&p);
                        }
                    }
                });
                if item(ui, "Open demo project", None, true) {
                    self.open_demo();
                }
                ui.separator();
                if item(ui, "Import documents…", Some(&keys::IMPORT), has_project) {
                    self.ask_path(DialogPurpose::Import, &ctx);
                }
                ui.menu_button("Export", |ui| {
                    if item(ui, "Frequencies (CSV, JSON, Markdown)…", None, has_project) {
                        self.ask_path(DialogPurpose::ExportFrequencies(Default::default(), Format::Csv), &ctx);
                    }
                    if item(ui, "All coded segments (CSV, JSON)…", None, has_project) {
                        self.ask_path(DialogPurpose::ExportSegments(None, Default::default(), Format::Csv), &ctx);
                    }
                });
                ui.separator();
                if item(ui, "Quit", Some(&keys::QUIT), true) {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("Edit", |ui| {
                let undo = match &self.view.undo_label {
                    Some(l) => format!("Undo {l}"),
                    None => "Undo".to_owned(),
                };
                if item(ui, &undo, Some(&keys::UNDO), self.view.undo_label.is_some()) {
                    self.undo();
                }
                let redo = match &self.view.redo_label {
                    Some(l) => format!("Redo {l}"),
                    None => "Redo".to_owned(),
                };
                if item(ui, &redo, Some(&keys::REDO), self.view.redo_label.is_some()) {
                    self.redo();
                }
                ui.separator();
                ui.weak("Find in document: Ctrl+F (in the transcript)");
                ui.weak("Every edit is saved at once.");
            });
            ui.menu_button("Code", |ui| {
                if item(ui, "Quick code…  (Q)", Some(&keys::QUICK), has_sel) {
                    self.open_quick();
                }
                if item(ui, "Code in vivo", Some(&keys::IN_VIVO), has_sel) {
                    self.code_in_vivo();
                }
                let selected = self.transcript.selected_coding();
                if item(ui, "Remove selected coding  (Delete)", None, selected.is_some())
                    && let Some(c) = selected
                {
                    self.edit(Action::RemoveCoding(c));
                }
                ui.separator();
                for (i, code) in self.view.quick_codes().into_iter().enumerate() {
                    let name = self.view.tree.path(code);
                    if item(ui, &format!("{}  Apply “{name}”", i + 1), None, has_sel) {
                        self.apply_to_selection(code);
                    }
                }
            });
            ui.menu_button("View", |ui| {
                for (i, t) in Tab::ALL.iter().enumerate() {
                    if ui.selectable_label(self.tab == *t, format!("{}   Alt+{}", t.title(), i + 1)).clicked() {
                        self.tab = *t;
                    }
                }
                ui.separator();
                let theme = if self.settings.dark { "Light theme" } else { "Dark theme" };
                if item(ui, theme, Some(&keys::THEME), true) {
                    self.settings.dark = !self.settings.dark;
                }
                if item(ui, "Zoom in", Some(&keys::ZOOM_IN), true) {
                    ctx.set_zoom_factor((ctx.zoom_factor() + 0.1).min(3.0));
                }
                if item(ui, "Zoom out", Some(&keys::ZOOM_OUT), true) {
                    ctx.set_zoom_factor((ctx.zoom_factor() - 0.1).max(0.5));
                }
                if item(ui, "Actual size", Some(&keys::ZOOM_RESET), true) {
                    ctx.set_zoom_factor(1.0);
                }
            });
            ui.menu_button("Help", |ui| {
                ui.label(RichText::new("Weft").strong());
                ui.label("Select text in the transcript, then click a code, press 1–9, or press Q to search codes.");
                ui.label("Ctrl+I codes in vivo. Delete removes the selected coding. Ctrl+Z undoes anything.");
                ui.label("Drop transcripts on the window to import them.");
            });
        });
    }

    fn status_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            match &self.view.path {
                Some(p) => ui.weak(p.display().to_string()),
                None if self.store.is_some() => ui.weak("In-memory project"),
                None => ui.weak("No project open"),
            };
            ui.separator();
            ui.weak("Saved")
                .on_hover_text("Every edit is written to the project file at once.");
            if let Some(sel) = self.selection() {
                ui.separator();
                ui.label(format!(
                    "Selected {} characters ({}–{})",
                    sel.end - sel.start,
                    sel.start,
                    sel.end
                ));
            }
            if let Some(job) = &self.job {
                ui.separator();
                ui.label(&job.label);
                ui.add(
                    egui::ProgressBar::new(job.fraction())
                        .desired_width(160.0)
                        .show_percentage(),
                );
                if ui.button("Cancel").clicked() {
                    job.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if !self.view.coders.is_empty() {
                    let current = self
                        .coder
                        .map(|c| self.view.coder_name(c).to_owned())
                        .unwrap_or_default();
                    egui::ComboBox::from_id_salt("coder")
                        .selected_text(current)
                        .show_ui(ui, |ui| {
                            for c in &self.view.coders {
                                ui.selectable_value(&mut self.coder, Some(c.id), &c.name);
                            }
                        })
                        .response
                        .accessible_name("Coding as");
                    ui.weak("Coding as");
                }
            });
        });
    }

    fn welcome_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() * 0.25);
            ui.heading("Weft");
            ui.label("Qualitative coding of interview transcripts.");
            ui.add_space(16.0);
            if ui.button("Open the demo project").clicked() {
                self.open_demo();
            }
            if ui.button("New project…").clicked() {
                self.ask_path(DialogPurpose::NewProject, &ctx);
            }
            if ui.button("Open project…").clicked() {
                self.ask_path(DialogPurpose::OpenProject, &ctx);
            }
        });
    }

    fn right_ui(&mut self, ui: &mut egui::Ui) {
        let has_sel = self.selection().is_some();
        // The selected coding gets its own resizable area at the bottom, so its buttons are
        // never pushed out of sight by a long codebook.
        if let Some(c) = self.transcript.selected_coding() {
            egui::Panel::bottom("inspector")
                .resizable(true)
                .default_size(330.0)
                .min_size(200.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("inspector-scroll")
                        .show(ui, |ui| {
                            self.inspector_ui(ui, c);
                        });
                });
        }
        egui::ScrollArea::vertical()
            .id_salt("codebook-scroll")
            .show(ui, |ui| {
                self.codebook.ui(
                    ui,
                    &self.view,
                    self.selected_code,
                    has_sel,
                    &mut self.commands,
                );
            });
    }

    fn inspector_ui(&mut self, ui: &mut egui::Ui, id: CodingId) {
        if self.inspector.as_ref().is_some_and(|i| i.coding.id != id) {
            self.flush_inspector();
        }
        let Some(store) = &self.store else { return };
        if self
            .inspector
            .as_ref()
            .is_none_or(|i| i.coding.id != id || i.version != self.version)
        {
            match store.db().coding(id) {
                Ok(c) => {
                    // A memo being typed survives reloads caused by other edits.
                    let memo = match &self.inspector {
                        Some(old) if old.coding.id == id && old.memo != old.coding.memo => {
                            old.memo.clone()
                        }
                        _ => c.memo.clone(),
                    };
                    self.inspector = Some(Inspector {
                        memo,
                        coding: c,
                        version: self.version,
                    })
                }
                Err(_) => {
                    self.inspector = None;
                    self.transcript.set_selected_coding(None);
                    return;
                }
            }
        }
        let Some(ins) = &mut self.inspector else {
            return;
        };
        let c = ins.coding.clone();
        ui.heading("Selected coding");
        let path = self.view.tree.path(c.code);
        let mut actions = Vec::new();
        egui::Grid::new("inspector").num_columns(2).show(ui, |ui| {
            ui.label("Code");
            egui::ComboBox::from_id_salt("recode")
                .selected_text(&path)
                .show_ui(ui, |ui| {
                    for code in &self.view.tree.codes {
                        if ui
                            .selectable_label(code.id == c.code, self.view.tree.path(code.id))
                            .clicked()
                            && code.id != c.code
                        {
                            actions.push(Action::RecodeCoding {
                                coding: c.id,
                                code: code.id,
                            });
                        }
                    }
                })
                .response
                .accessible_name("Code of the selected coding");
            ui.end_row();
            ui.label("Coder");
            ui.label(self.view.coder_name(c.coder));
            ui.end_row();
            ui.label("Range");
            ui.label(format!(
                "{}–{} ({} characters)",
                c.start,
                c.end,
                c.end - c.start
            ));
            ui.end_row();
        });
        let excerpt: String = self
            .doc_text
            .chars()
            .skip(c.start)
            .take((c.end - c.start).min(160))
            .collect();
        ui.label(
            RichText::new(format!(
                "“{excerpt}{}”",
                if c.end - c.start > 160 { "…" } else { "" }
            ))
            .italics(),
        );
        ui.label("Memo");
        let memo_edit = ui.add(
            egui::TextEdit::multiline(&mut ins.memo)
                .desired_rows(3)
                .desired_width(f32::INFINITY)
                .hint_text("Why this passage? (saved when you leave the field)"),
        );
        if memo_edit.lost_focus() && ins.memo != c.memo {
            actions.push(Action::SetCodingMemo {
                coding: c.id,
                memo: ins.memo.clone(),
            });
        }
        ui.horizontal_wrapped(|ui| {
            if ui
                .add_enabled(ins.memo != c.memo, egui::Button::new("Save memo"))
                .clicked()
                && !memo_edit.lost_focus()
            {
                actions.push(Action::SetCodingMemo {
                    coding: c.id,
                    memo: ins.memo.clone(),
                });
            }
            let sel = self
                .transcript
                .selection()
                .filter(|r| r.start < r.end && (r.start, r.end) != (c.start, c.end));
            if ui
                .add_enabled(sel.is_some(), egui::Button::new("Set to selection"))
                .on_hover_text("Extend or shrink this coding to the selected text")
                .clicked()
                && let Some(range) = sel.and_then(crate::model::CharRange::from_range)
            {
                actions.push(Action::ResizeCoding { coding: c.id, range });
            }
            if ui.button("Remove coding").clicked() {
                actions.push(Action::RemoveCoding(c.id));
            }
        });
        for a in actions {
            self.commands.push(Command::Edit(a));
        }
    }

    fn central_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            for t in Tab::ALL {
                if ui.selectable_label(self.tab == t, t.title()).clicked() {
                    self.tab = t;
                }
            }
        });
        ui.separator();
        match self.tab {
            Tab::Transcript => self.transcript_ui(ui),
            Tab::Segments => {
                if let Some(store) = &self.store {
                    self.segments.ui(
                        ui,
                        store.db(),
                        &self.view,
                        self.selected_code,
                        &mut self.commands,
                    );
                }
            }
            Tab::Frequencies => {
                if let Some(store) = &self.store {
                    self.frequencies
                        .ui(ui, store.db(), &self.view, &mut self.commands);
                }
            }
            Tab::Memos => self.memos.ui(ui, &self.view, &mut self.commands),
        }
    }

    fn transcript_ui(&mut self, ui: &mut egui::Ui) {
        let Some(doc) = self
            .current_doc
            .and_then(|d| self.view.document(d))
            .cloned()
        else {
            ui.centered_and_justified(|ui| {
                ui.weak("Open a document from the list on the left, or import transcripts (File ▸ Import documents…, or drop files here).");
            });
            return;
        };
        ui.horizontal(|ui| {
            ui.heading(&doc.name);
            let cases = self.view.document_cases(doc.id);
            if !cases.is_empty() {
                ui.weak(format!("· {}", cases.join(", ")));
            }
            let codings = self.view.doc_codings.get(&doc.id).copied().unwrap_or(0);
            ui.weak(format!(
                "· {} words · {}",
                super::scope_bar::fmt_count(doc.word_count),
                super::scope_bar::plural(codings, "coding", "codings")
            ));
        });
        for event in self.transcript.ui(ui) {
            if let TranscriptEvent::CodingClicked(c) = event {
                self.flush_inspector();
                if let Some(store) = &self.store
                    && let Ok(coding) = store.db().coding(c)
                {
                    self.selected_code = Some(coding.code);
                }
            }
        }
    }

    fn quick_ui(&mut self, ctx: &egui::Context) {
        if !self.quick.open {
            return;
        }
        let matcher = fuzzy_matcher::skim::SkimMatcherV2::default();
        let query = self.quick.query.trim().to_owned();
        let mut hits: Vec<(i64, CodeId, String)> = self
            .view
            .tree
            .codes
            .iter()
            .filter_map(|c| {
                let path = self.view.tree.path(c.id);
                if query.is_empty() {
                    return Some((0, c.id, path));
                }
                fuzzy_matcher::FuzzyMatcher::fuzzy_match(&matcher, &path, &query)
                    .map(|s| (s, c.id, path))
            })
            .collect();
        hits.sort_by_key(|h| std::cmp::Reverse(h.0));
        hits.truncate(12);
        let exact = hits.iter().any(|h| {
            h.2.eq_ignore_ascii_case(&query)
                || h.2
                    .rsplit('/')
                    .next()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&query))
        });
        let create = !query.is_empty() && !exact;
        let n = hits.len() + usize::from(create);
        let mut chosen: Option<Option<CodeId>> = None;
        let mut close = false;
        let modal = egui::Modal::new(egui::Id::unique("quick-code")).show(ctx, |ui| {
            ui.set_width(420.0);
            ui.label(RichText::new("Apply a code").strong());
            let edit = ui.add(
                egui::TextEdit::singleline(&mut self.quick.query)
                    .hint_text("Type to find a code, or a new name")
                    .desired_width(f32::INFINITY),
            );
            if self.quick.focus {
                edit.request_focus();
                self.quick.focus = false;
            }
            if edit.changed() {
                self.quick.index = 0;
            }
            ui.input_mut(|i| {
                if i.consume_key(Modifiers::NONE, Key::ArrowDown) {
                    self.quick.index = (self.quick.index + 1).min(n.saturating_sub(1));
                }
                if i.consume_key(Modifiers::NONE, Key::ArrowUp) {
                    self.quick.index = self.quick.index.saturating_sub(1);
                }
                if i.consume_key(Modifiers::NONE, Key::Escape) {
                    close = true;
                }
            });
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            // A fixed-height list, so the box does not jump while typing.
            egui::ScrollArea::vertical()
                .id_salt("quick-hits")
                .min_scrolled_height(280.0)
                .max_height(280.0)
                .show(ui, |ui| {
                    ui.set_min_height(280.0);
                    ui.set_width(ui.available_width());
                    for (i, (_, id, path)) in hits.iter().enumerate() {
                        let color = self
                            .view
                            .tree
                            .get(*id)
                            .map(|c| c.color.0)
                            .unwrap_or([128, 128, 128]);
                        ui.horizontal(|ui| {
                            let (rect, _) = ui
                                .allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                            ui.painter().rect_filled(
                                rect,
                                2.0,
                                Color32::from_rgb(color[0], color[1], color[2]),
                            );
                            if ui.selectable_label(i == self.quick.index, path).clicked() {
                                chosen = Some(Some(*id));
                            }
                        });
                    }
                    if create
                        && ui
                            .selectable_label(
                                self.quick.index == hits.len(),
                                format!("Create “{query}” and apply"),
                            )
                            .clicked()
                    {
                        chosen = Some(None);
                    }
                });
            if enter && n > 0 {
                chosen = Some(hits.get(self.quick.index).map(|h| h.1));
            }
            ui.weak("↑↓ choose · Enter applies · Esc closes");
        });
        if modal.should_close() {
            close = true;
        }
        if let Some(choice) = chosen {
            self.quick.open = false;
            match choice {
                Some(code) => self.apply_to_selection(code),
                None => self.create_and_apply(query),
            }
        } else if close {
            self.quick.open = false;
        }
    }

    fn prompt_ui(&mut self, ctx: &egui::Context) {
        let Some(p) = &mut self.prompt else { return };
        let mut done: Option<bool> = None;
        egui::Modal::new(egui::Id::unique("path-prompt")).show(ctx, |ui| {
            ui.set_width(520.0);
            ui.label(RichText::new(p.purpose.title()).strong());
            if let Some(note) = &p.note {
                ui.weak(note);
            }
            if matches!(p.purpose, DialogPurpose::Import) {
                ui.weak("Several files: separate them with “;”.");
            }
            let edit = ui.add(egui::TextEdit::singleline(&mut p.text).desired_width(f32::INFINITY));
            if !p.focused {
                edit.request_focus();
                p.focused = true;
            }
            if edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                done = Some(true);
            }
            ui.horizontal(|ui| {
                if ui.button("OK").clicked() {
                    done = Some(true);
                }
                if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                    done = Some(false);
                }
            });
        });
        if let Some(ok) = done
            && let Some(p) = self.prompt.take()
            && ok
        {
            let paths: Vec<PathBuf> = p
                .text
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
                .collect();
            self.handle_paths(p.purpose, paths, ctx);
        }
    }

    fn toasts_ui(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        for t in &mut self.toasts {
            if t.until.is_nan() {
                t.until = now + if t.error { 10.0 } else { 3.0 };
            }
        }
        self.toasts.retain(|t| t.until > now);
        if self.toasts.is_empty() {
            return;
        }
        ctx.request_repaint_after(std::time::Duration::from_millis(250));
        let mut dismiss = None;
        egui::Area::new(egui::Id::unique("toasts"))
            .anchor(Align2::RIGHT_BOTTOM, egui::vec2(-16.0, -40.0))
            .order(egui::Order::Foreground)
            .show(ctx, |ui| {
                for (i, t) in self.toasts.iter().enumerate() {
                    let fill = if t.error {
                        ui.visuals().error_fg_color.gamma_multiply(0.2)
                    } else {
                        ui.visuals().extreme_bg_color
                    };
                    egui::Frame::popup(ui.style()).fill(fill).show(ui, |ui| {
                        ui.set_max_width(420.0);
                        ui.horizontal(|ui| {
                            if t.error {
                                ui.colored_label(ui.visuals().error_fg_color, "Error");
                            }
                            ui.label(&t.text);
                            if ui.small_button("✕").on_hover_text("Dismiss").clicked() {
                                dismiss = Some(i);
                            }
                        });
                    });
                }
            });
        if let Some(i) = dismiss {
            self.toasts.remove(i);
        }
    }

    /// Messages currently shown (for tests).
    pub fn messages(&self) -> Vec<String> {
        self.toasts.iter().map(|t| t.text.clone()).collect()
    }
}

impl eframe::App for WeftApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui_root(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        // Nothing typed is lost when the window closes.
        self.flush_inspector();
        let open_editors = [
            self.memos.unsaved(),
            self.codebook.unsaved(),
            self.documents.unsaved(),
        ];
        for a in open_editors.into_iter().flatten() {
            self.edit(a);
        }
        eframe::set_value(storage, settings::KEY, &self.settings);
    }
}

/// A code name from selected words: whitespace collapsed, quotes and trailing punctuation
/// trimmed, at most about 60 characters cut at a word, no `/`.
pub fn in_vivo_name(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut name = String::new();
    for w in words {
        if name.chars().count() + w.chars().count() > 60 && !name.is_empty() {
            name.push('…');
            break;
        }
        if !name.is_empty() {
            name.push(' ');
        }
        name.push_str(w);
    }
    let trimmed = name
        .trim_matches(|c: char| {
            c.is_ascii_punctuation() && c != '…' || matches!(c, '“' | '”' | '‘' | '’' | '—' | '–')
        })
        .replace('/', "-");
    trimmed.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::in_vivo_name;

    #[test]
    fn in_vivo_names() {
        assert_eq!(
            in_vivo_name("  “been there,\n done that.”  "),
            "been there, done that"
        );
        assert_eq!(in_vivo_name("either/or"), "either-or");
        assert_eq!(in_vivo_name("..."), "");
        let long = "word ".repeat(40);
        assert!(in_vivo_name(&long).chars().count() <= 62);
    }
}
