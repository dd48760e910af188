//! The application: owns the open project's session, the panels and the undo history, turns
//! the panels' [`Command`]s into edits (one transaction and one undo step each, through the
//! session), refreshes only what an edit changed, and runs long work off the UI thread.
//!
//! The app is one struct whose `impl` is spread over this folder by concern: `state` (the open
//! project, document and selection, edits and undo), `commands` (what the user asked for:
//! panel commands, keyboard shortcuts, file dialogs and background jobs), `command_registry`
//! (every app-level command declared once), `menus` (menu and status bars), `backups`
//! (snapshots, the restore window, permanent deletion), `inspector`, `quick_code` and `toasts`. This file holds the struct, its construction and the frame.

mod backups;
mod command_registry;
mod commands;
mod inspector;
mod menus;
mod quick_code;
mod speaker_cases;
mod state;
mod survey;
mod toasts;

use std::path::PathBuf;
use std::sync::Arc;

use super::codebook::CodebookPanel;
use super::documents::DocumentsPanel;
use super::frequencies::FrequenciesView;
use super::jobs::{DialogPurpose, Job, NativeDialog, Recounter};
use super::phases::PhasesView;
use super::questions::QuestionsView;
use super::review::ReviewView;
use super::search::SearchView;
use super::segments::SegmentsView;
use super::settings::{self, Settings};
use super::thematic_map::MapView;
use super::transcript::{TranscriptEvent, TranscriptView};
use super::view::{Command, ProjectView, Tab};
use crate::model::{CodeId, DocId};
use crate::session::Session;
use crate::store::Store;
use crate::ui::memos::MemosView;

pub use command_registry::AppCommand;
use commands::PathPrompt;
use inspector::Inspector;
use quick_code::QuickCode;
use toasts::Toast;

/// Size of egui's `Small` text style in the app, in points.
const SMALL_TEXT: f32 = 10.5;

/// The Weft desktop app.
pub struct WeftApp {
    /// The open project: the one door for edits.
    session: Option<Session>,
    /// Counts the codebook on its own connection (project files only).
    recounter: Option<Recounter>,
    /// Snapshots being made in the background.
    backups: Vec<backups::BackupTask>,
    /// The window offering to restore a damaged project.
    damaged: Option<backups::Damaged>,
    /// The confirmation of a permanent deletion.
    purge: Option<backups::PurgeConfirm>,
    /// The egui context once a frame ran, to wake the UI from threads.
    ctx: Option<egui::Context>,
    /// The snapshot panels draw from.
    pub view: ProjectView,
    version: u64,
    /// Remembered preferences.
    pub settings: Settings,
    /// The central tab.
    pub tab: Tab,
    current_doc: Option<DocId>,
    selected_code: Option<CodeId>,
    /// The transcript widget.
    pub transcript: TranscriptView,
    codebook: CodebookPanel,
    documents: DocumentsPanel,
    segments: SegmentsView,
    frequencies: FrequenciesView,
    questions: QuestionsView,
    /// What a view asked to save, waiting for its file to be chosen.
    pending_save: Option<Vec<u8>>,
    search: SearchView,
    map: MapView,
    review: ReviewView,
    phases: PhasesView,
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
    /// When to write the project's write-ahead log into the file (egui time), after edits.
    pub(super) settle_at: Option<f64>,
    window_title: String,
    /// Whether a native file dialog ever returned nothing at once (no dialog service).
    native_dialogs_fail: bool,
    /// Whether Help ▸ Keyboard shortcuts is open.
    shortcuts_window: bool,
    /// The offer to make cases from speaker labels, after an import.
    speaker_cases: Option<speaker_cases::SpeakerCases>,
    survey: Option<survey::SurveyDialog>,
    /// Whether the user hid (or showed) the documents panel (View menu, Ctrl+[); `None`:
    /// hidden in a narrow window, where the transcript needs the room.
    hide_documents: Option<bool>,
    /// Whether the last frame's window was narrow.
    narrow: bool,
    /// Whether the user hid the codebook panel (View menu, Ctrl+]).
    hide_codebook: bool,
    /// The project file's `data_version` last seen, and when (egui time) it was checked.
    data_version: (Option<i64>, f64),
}

impl WeftApp {
    /// An app with `store` open (or none), wrapped in a session. Used by tests and benchmarks.
    pub fn with_store(store: Option<Store>, settings: Settings) -> Self {
        let mut failed = None;
        let session = store.and_then(|s| {
            Session::new(s)
                .map_err(|e| failed = Some(format!("could not read the project: {e}")))
                .ok()
        });
        let mut app = Self::with_session(session, settings);
        if let Some(e) = failed {
            app.error(e);
        }
        app
    }

    /// An app with `session` open (or none) and `settings`.
    pub fn with_session(session: Option<Session>, settings: Settings) -> Self {
        let mut app = Self {
            session: None,
            recounter: None,
            backups: Vec::new(),
            damaged: None,
            purge: None,
            ctx: None,
            view: ProjectView::default(),
            version: 0,
            tab: settings.tab,
            settings,
            current_doc: None,
            selected_code: None,
            transcript: TranscriptView::new(),
            codebook: CodebookPanel::default(),
            documents: DocumentsPanel::default(),
            segments: SegmentsView::default(),
            frequencies: FrequenciesView::default(),
            questions: QuestionsView::default(),
            pending_save: None,
            search: SearchView::default(),
            map: MapView::default(),
            review: ReviewView::default(),
            phases: PhasesView::default(),
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
            settle_at: None,
            window_title: String::new(),
            native_dialogs_fail: false,
            shortcuts_window: false,
            speaker_cases: None,
            survey: None,
            data_version: (None, f64::NEG_INFINITY),
            hide_documents: None,
            narrow: false,
            hide_codebook: false,
        };
        if let Some(session) = session {
            app.set_session(session, None);
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
        let mut app = Self::with_session(None, settings);
        app.ctx = Some(cc.egui_ctx.clone());
        let wanted = project.or_else(|| app.settings.last_project.clone().filter(|p| p.exists()));
        match wanted {
            Some(path) => app.open_project(&path),
            None => app.open_demo(),
        }
        app
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

    /// The open project's store, for reading.
    pub fn store(&self) -> Option<&Store> {
        self.session.as_ref().map(Session::store)
    }

    /// The open project.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// The document shown in the transcript.
    pub fn current_document(&self) -> Option<DocId> {
        self.current_doc
    }

    /// The code selected in the codebook.
    pub fn selected_code(&self) -> Option<CodeId> {
        self.selected_code
    }

    /// Half a second after the last change (each one restarts the wait), writes the write-ahead log into the project file,
    /// so a copy of the `.weft` holds every edit; the edit itself was drawn at once.
    fn settle_when_idle(&mut self, ctx: &egui::Context) {
        let Some(session) = &self.session else { return };
        if !session.has_unsettled() {
            self.settle_at = None;
            return;
        }
        let now = ctx.input(|i| i.time);
        match self.settle_at {
            Some(at) if now >= at => {
                session.settle_pending();
                self.settle_at = None;
            }
            Some(at) => ctx.request_repaint_after(std::time::Duration::from_secs_f64(at - now)),
            None => {
                self.settle_at = Some(now + 0.5);
                ctx.request_repaint_after(std::time::Duration::from_millis(500));
            }
        }
    }

    /// Draws the whole app into `ui` (the root). eframe calls this every frame; tests too.
    pub fn ui_root(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if self.ctx.is_none() {
            self.ctx = Some(ctx.clone());
        }
        if self.theme_applied != Some(self.settings.dark) {
            ctx.set_theme(if self.settings.dark {
                egui::Theme::Dark
            } else {
                egui::Theme::Light
            });
            // egui's small text (9 pt) is hard to read in the lists' detail lines and the
            // codebook counts; 10.5 pt still fits their rows.
            ctx.all_styles_mut(|s| {
                s.text_styles.insert(
                    egui::TextStyle::Small,
                    egui::FontId::proportional(SMALL_TEXT),
                );
            });
            self.theme_applied = Some(self.settings.dark);
        }
        self.settle_when_idle(&ctx);
        self.poll_background(&ctx);
        self.watch_other_writers(&ctx);
        self.shortcuts(&ctx);

        egui::Panel::top("menu").show(ui, |ui| self.menu_ui(ui));
        let read_only = self.session.as_ref().is_some_and(Session::is_read_only);
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                if read_only {
                    ui.strong("Read-only").on_hover_text(
                        "The project file or its folder cannot be written, so edits are \
                         refused. Copy the project somewhere writable to edit it.",
                    );
                    ui.separator();
                }
                self.status_ui(ui);
            });
        });
        if self.session.is_none() {
            egui::CentralPanel::default().show(ui, |ui| self.welcome_ui(ui));
        } else {
            if let Some(doc) = self.documents.speakers_wanted()
                && let Some(session) = &self.session
            {
                match session.read().turns(doc) {
                    Ok(turns) => {
                        let mut speakers: Vec<String> = Vec::new();
                        for t in turns {
                            if !speakers.contains(&t.speaker) {
                                speakers.push(t.speaker);
                            }
                        }
                        self.documents.show_speakers(&self.view, doc, speakers);
                    }
                    Err(e) => self.commands.push(Command::Error(format!(
                        "Could not read the speakers of the document: {e}"
                    ))),
                }
            }
            // In a small window the side panels give way, so the transcript keeps a readable
            // line (about 45 characters or more): each at most a fifth of the width below
            // 1200 px, and below 1000 px the documents panel hides unless the user shows it
            // (View menu, Ctrl+[).
            let width = ui.available_width();
            let small = width < 1200.0;
            self.narrow = width < 1000.0;
            let (left_default, left_min) = if small {
                (170.0, 120.0)
            } else {
                (260.0, 180.0)
            };
            let (right_default, right_min) = if small {
                (190.0, 140.0)
            } else {
                (300.0, 200.0)
            };
            let side_max = if small {
                (width * 0.2).max(right_min)
            } else {
                width * 0.3
            };
            if !self.documents_hidden() {
                egui::Panel::left("documents")
                    .resizable(true)
                    .default_size(left_default)
                    .min_size(left_min)
                    .max_size(side_max.max(left_min))
                    .show(ui, |ui| {
                        egui::ScrollArea::vertical()
                            .id_salt("documents-scroll")
                            .show(ui, |ui| {
                                self.documents.ui(
                                    ui,
                                    &self.view,
                                    self.current_doc,
                                    &mut self.commands,
                                );
                            });
                    });
            }
            if !self.hide_codebook {
                egui::Panel::right("codebook")
                    .resizable(true)
                    .default_size(right_default)
                    .min_size(right_min)
                    .max_size(side_max)
                    .show(ui, |ui| self.right_ui(ui));
            }
            egui::CentralPanel::default().show(ui, |ui| self.central_ui(ui));
        }
        self.quick_ui(&ctx);
        self.damaged_ui(&ctx);
        self.purge_ui(&ctx);
        self.speaker_cases_ui(&ctx);
        self.survey_ui(&ctx);
        self.prompt_ui(&ctx);
        self.shortcuts_window_ui(&ctx);
        self.toasts_ui(&ctx);
        self.run_commands(&ctx);
        let title = match &self.view.path {
            Some(p) => format!(
                "Weft — {}{}",
                p.file_name()
                    .map(|f| f.to_string_lossy())
                    .unwrap_or_default(),
                if read_only { " — read-only" } else { "" }
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

    /// The window title last sent ("Weft — P.weft", "Weft — P.weft — read-only").
    pub fn window_title(&self) -> &str {
        &self.window_title
    }

    /// Whether the documents panel is hidden: as the user said, or else in a narrow window.
    pub(super) fn documents_hidden(&self) -> bool {
        self.hide_documents.unwrap_or(self.narrow)
    }

    pub(super) fn welcome_ui(&mut self, ui: &mut egui::Ui) {
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

    pub(super) fn right_ui(&mut self, ui: &mut egui::Ui) {
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

    pub(super) fn central_ui(&mut self, ui: &mut egui::Ui) {
        // Wrapped, so that seven tabs never force a narrow window's transcript wider.
        ui.horizontal_wrapped(|ui| {
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
                if let Some(session) = &self.session {
                    self.segments.ui(
                        ui,
                        session.read(),
                        &self.view,
                        self.selected_code,
                        &mut self.commands,
                    );
                }
            }
            Tab::Frequencies => {
                if let Some(session) = &self.session {
                    self.frequencies
                        .ui(ui, session.read(), &self.view, &mut self.commands);
                }
            }
            Tab::Memos => {
                if let Some(session) = &self.session
                    && self.memos.needs_coding_memos(self.view.version)
                {
                    match session
                        .read()
                        .codings(&crate::model::CodingFilter::default())
                    {
                        Ok(c) => self.memos.set_coding_memos(self.view.version, c),
                        Err(e) => {
                            self.memos.set_coding_memos(self.view.version, Vec::new());
                            self.commands.push(Command::Error(format!(
                                "Could not read the memos of codings: {e}"
                            )));
                        }
                    }
                }
                self.memos.ui(ui, &self.view, &mut self.commands);
            }
            Tab::Map => {
                if let Some(session) = &self.session {
                    self.map
                        .ui(ui, session.read(), &self.view, &mut self.commands);
                }
                if let Some(kind) = self.map.take_export() {
                    let ctx = ui.ctx().clone();
                    self.ask_path(DialogPurpose::ExportExchange(kind), &ctx);
                }
            }
            Tab::Review => {
                if let Some(session) = &self.session {
                    self.review
                        .ui(ui, session.read(), &self.view, &mut self.commands);
                }
            }
            Tab::Phases => {
                if let Some(session) = &self.session {
                    self.phases
                        .ui(ui, session.read(), &self.view, &mut self.commands);
                }
            }
            Tab::Search => {
                if let Some(session) = &self.session {
                    self.search
                        .ui(ui, session.read(), &self.view, &mut self.commands);
                }
            }
            Tab::Questions => {
                if let Some(session) = &self.session {
                    self.questions
                        .ui(ui, session.read(), &self.view, &mut self.commands);
                }
            }
        }
    }

    pub(super) fn transcript_ui(&mut self, ui: &mut egui::Ui) {
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
                crate::ui::scope_bar::fmt_count(doc.word_count),
                crate::ui::scope_bar::plural(codings, "coding", "codings")
            ));
        });
        let events = self.transcript.ui(ui);
        if let Some((doc, furthest, finished)) = self.transcript.take_reading() {
            self.commands.push(Command::Reading {
                doc,
                furthest,
                finished,
            });
        }
        for event in events {
            if let TranscriptEvent::CodingClicked(c) = event {
                self.flush_inspector();
                if let Some(session) = &self.session
                    && let Ok(coding) = session.read().coding(c)
                {
                    self.selected_code = Some(coding.code);
                }
            }
        }
    }
}

impl eframe::App for WeftApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui_root(ui);
    }

    /// Called about every 30 s and on closing: stores the settings only. Text being typed is
    /// not saved here, or a periodic save would cut a memo into undo steps mid-sentence; it
    /// is saved on leaving its field and in [`eframe::App::on_exit`].
    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, settings::KEY, &self.settings);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.save_open_editors();
        if let Some(s) = &self.session {
            s.settle_pending();
        }
    }
}

impl WeftApp {
    /// Saves what is still being typed (a coding memo, a memo, a description, a document
    /// memo), each as one edit. The window calls it on closing, so nothing typed is lost.
    pub fn save_open_editors(&mut self) {
        self.flush_inspector();
        let open_editors = [
            self.memos.unsaved(),
            self.codebook.unsaved(),
            self.documents.unsaved(),
        ];
        for a in open_editors.into_iter().flatten() {
            self.edit(a);
        }
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
