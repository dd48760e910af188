//! What the user asked for, handled after the frame is drawn: the panels' [`Command`]s, the
//! keyboard shortcuts of the [`AppCommand`] registry, file dialogs (native or typed) and the
//! background jobs they start.

use std::path::PathBuf;

use egui::{Key, Modifiers, RichText};

use super::command_registry::Scope;

use super::{AppCommand, WeftApp};
use crate::actions::Action;
use crate::export::Format;
use crate::session::Session;
use crate::ui::jobs::{DialogPurpose, Job, JobResult, NativeDialog};
use crate::ui::view::{Command, Tab};

pub(super) struct PathPrompt {
    pub(super) purpose: DialogPurpose,
    pub(super) text: String,
    pub(super) note: Option<String>,
    pub(super) focused: bool,
}

impl WeftApp {
    pub(super) fn ask_path(&mut self, purpose: DialogPurpose, ctx: &egui::Context) {
        if self.dialog.is_some() {
            return;
        }
        if NativeDialog::available() && !self.native_dialogs_fail {
            let repaint_ctx = ctx.clone();
            let start = self.save_folder();
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
            .save_folder()
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

    /// Where file dialogs start: the project's folder, unless that is the app's hidden data
    /// folder (where the demo lives), which nobody browses: then the user's documents (or
    /// home) folder.
    pub(super) fn save_folder(&self) -> Option<PathBuf> {
        let folder = self.view.path.as_ref()?.parent()?.to_owned();
        let app_data = crate::ui::settings::demo_path();
        if app_data.parent() != Some(folder.as_path()) {
            return Some(folder);
        }
        directories::UserDirs::new()
            .map(|u| {
                u.document_dir()
                    .filter(|d| d.is_dir())
                    .unwrap_or(u.home_dir())
                    .to_owned()
            })
            .or(Some(folder))
    }

    pub(super) fn handle_paths(
        &mut self,
        purpose: DialogPurpose,
        paths: Vec<PathBuf>,
        ctx: &egui::Context,
    ) {
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
                match Session::create(&path) {
                    Ok(session) => {
                        self.settings.opened(&path);
                        self.set_session(session, Some(ctx));
                        self.notice(format!("Created {}", path.display()));
                    }
                    Err(e) => self.error(e.to_string()),
                }
            }
            DialogPurpose::Import => self.import(paths, ctx),
            DialogPurpose::ImportSurvey => self.open_survey(first, None),
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
                    self.settings.export_provenance,
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
                    self.settings.export_provenance,
                    move || c.request_repaint(),
                ));
            }
            DialogPurpose::SaveResult(_) => {
                let Some(bytes) = self.pending_save.take() else {
                    return;
                };
                match crate::export::write_export(&first, &bytes, self.view.path.as_deref()) {
                    Ok(()) => self.notice(format!("Saved {}", first.display())),
                    Err(e) => self.error(e.to_string()),
                }
            }
            DialogPurpose::ExportExchange(kind) => {
                let Some(project) = self.export_source() else {
                    return;
                };
                let c = ctx.clone();
                self.start_job(Job::export_exchange(project, kind, first, move || {
                    c.request_repaint()
                }));
            }
        }
    }

    /// The project file an export thread reads, if exports can start now.
    pub(super) fn export_source(&mut self) -> Option<PathBuf> {
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

    pub(super) fn start_job(&mut self, job: Result<Job, String>) {
        match job {
            Ok(j) => self.job = Some(j),
            Err(e) => self.error(e),
        }
    }

    /// Imports files: they are read and parsed on a background thread for a project file (at
    /// once in memory), then added as one action, one undo step.
    pub fn import(&mut self, files: Vec<PathBuf>, ctx: &egui::Context) {
        if self.job.is_some() {
            return self.error("wait for the running job to finish");
        }
        let Some(session) = &self.session else {
            return self.error("open or create a project first");
        };
        if session.path().is_some() {
            let c = ctx.clone();
            self.start_job(Job::import(files, move || c.request_repaint()));
        } else {
            let parsed = crate::import::read_files(&files, &mut |_, _| true);
            self.finish_import(parsed);
        }
    }

    /// Adds a parsed import batch to the project as one action.
    pub(super) fn finish_import(
        &mut self,
        parsed: Result<crate::import::ParsedBatch, crate::import::Cancelled>,
    ) {
        let mut batch = match parsed {
            Ok(b) => b,
            Err(crate::import::Cancelled) => {
                return self.notice("Import cancelled; the project is as it was");
            }
        };
        let Some(session) = &mut self.session else {
            return self.error("the project was closed before the import could be added");
        };
        // Re-importing a file already in the project adds nothing: say so instead.
        match session.known_contents() {
            Ok(known) => batch.skip_known(&known),
            Err(e) => return self.error(format!("the import was not added: {e}")),
        }
        let mut applied = None;
        if !batch.docs.is_empty() {
            match session.apply(&batch.take_action(None)) {
                Ok(a) => applied = Some(a),
                Err(e) => return self.error(format!("the import was not added: {e}")),
            }
        }
        let report = match &applied {
            Some(a) => batch.report(&a.outcome),
            None => batch.report(&crate::actions::Outcome::Done),
        };
        if let Some(a) = &applied {
            self.refresh(&a.changes);
        }
        for e in &report.failed {
            self.error(e.to_string());
        }
        for (path, name) in &report.duplicates {
            let file = path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            self.notice(format!(
                "Skipped “{file}”: the project already holds the same text as “{name}”"
            ));
        }
        if let Some(d) = report.imported.first() {
            self.open_document(d.id);
            self.tab = Tab::Transcript;
        }
        if !report.imported.is_empty() {
            self.notice(format!("Imported {} document(s)", report.imported.len()));
            let docs: Vec<_> = report
                .imported
                .iter()
                .map(|d| (d.id, d.name.clone()))
                .collect();
            self.offer_speaker_cases(&docs);
        }
    }

    /// Reloads everything when another connection (the CLI, another window) committed to the
    /// project file: checks SQLite's `data_version` twice a second and when the window gains
    /// focus, and keeps a slow heartbeat so an idle window notices too.
    pub(super) fn watch_other_writers(&mut self, ctx: &egui::Context) {
        let Some(session) = &self.session else {
            self.data_version = (None, f64::NEG_INFINITY);
            return;
        };
        if session.path().is_none() {
            return;
        }
        let (now, focused) = ctx.input(|i| {
            let focus = i
                .events
                .iter()
                .any(|e| matches!(e, egui::Event::WindowFocused(true)));
            (i.time, focus)
        });
        ctx.request_repaint_after(std::time::Duration::from_secs(1));
        if !focused && now - self.data_version.1 < 0.5 {
            return;
        }
        self.data_version.1 = now;
        match session.read().data_version() {
            Ok(v) => {
                let seen = self.data_version.0.replace(v);
                if seen.is_some_and(|s| s != v) {
                    self.reload();
                }
            }
            Err(e) => {
                // Said once: the next check is only after a change of project.
                self.data_version.1 = f64::INFINITY;
                self.error(format!(
                    "could not check the project for outside changes: {e}"
                ));
            }
        }
    }

    pub(super) fn poll_background(&mut self, ctx: &egui::Context) {
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
        self.poll_backups();
        if let Some(r) = &mut self.recounter
            && let Some(counted) = r.poll()
        {
            match counted {
                Ok(report) => {
                    self.view.report = Some(report);
                    self.version += 1;
                    self.view.version = self.version;
                }
                Err(e) => self.error(e),
            }
        }
        if let Some(job) = &self.job
            && let Some(result) = job.poll()
        {
            let report = job.label == crate::ui::jobs::ExchangeExport::Report.label();
            self.job = None;
            match result {
                JobResult::Import(r) => self.finish_import(r),
                JobResult::Export(Ok(p)) => {
                    // The report marks the Writing-up phase; a failure to note it is no error.
                    if report && let Some(session) = &mut self.session {
                        let _ = session.record_milestone(crate::model::REPORT_EXPORTED_SETTING);
                    }
                    self.notice(format!("Exported {}", p.display()));
                }
                JobResult::Export(Err(e)) => self.error(e),
                JobResult::Crashed(kind) => self.error(kind.crash_message()),
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

    /// Runs the commands whose shortcuts were pressed, in registry order.
    pub(super) fn shortcuts(&mut self, ctx: &egui::Context) {
        // While a text field is being edited, its keys are its own: Ctrl+Z undoes typing there,
        // digits and Q are text.
        let modal_open = ctx.memory(|m| m.top_modal_layer()).is_some();
        let typing =
            ctx.text_edit_focused() || self.quick.open || self.prompt.is_some() || modal_open;
        let commands = AppCommand::all();
        // Global keys first, then the others, then the bare keys only while no modifier is held.
        let global = commands.iter().filter(|c| c.scope() == Scope::Global);
        let rest = commands.iter().filter(|c| c.scope() == Scope::NotTyping);
        for (cmd, shortcut) in global.flat_map(|c| c.shortcuts().into_iter().map(move |s| (*c, s)))
        {
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                self.run_command(cmd, ctx);
            }
        }
        if typing {
            return;
        }
        let mut ran = false;
        for cmd in rest.clone() {
            for s in cmd.shortcuts() {
                // Only one of Redo/Undo per frame, as before: Ctrl+Shift+Z also matches Ctrl+Z.
                if matches!(cmd, AppCommand::Undo) && ran {
                    continue;
                }
                if s.modifiers != Modifiers::NONE && ctx.input_mut(|i| i.consume_shortcut(&s)) {
                    ran |= matches!(cmd, AppCommand::Redo);
                    self.run_command(*cmd, ctx);
                }
            }
        }
        if ctx.input(|i| i.modifiers.alt || i.modifiers.command || i.modifiers.ctrl) {
            return;
        }
        for cmd in rest {
            for s in cmd.shortcuts() {
                if s.modifiers == Modifiers::NONE && ctx.input_mut(|i| i.consume_shortcut(&s)) {
                    self.run_command(*cmd, ctx);
                }
            }
        }
    }

    /// Does what `cmd` stands for, from a menu or a shortcut.
    pub(super) fn run_command(&mut self, cmd: AppCommand, ctx: &egui::Context) {
        match cmd {
            AppCommand::NewProject => self.ask_path(DialogPurpose::NewProject, ctx),
            AppCommand::OpenProject => self.ask_path(DialogPurpose::OpenProject, ctx),
            AppCommand::OpenDemo => self.open_demo(),
            AppCommand::BackUpNow => self.back_up_now(),
            AppCommand::Import => self.ask_path(DialogPurpose::Import, ctx),
            AppCommand::ImportSurvey => self.ask_path(DialogPurpose::ImportSurvey, ctx),
            AppCommand::ExportFrequencies => self.ask_path(
                DialogPurpose::ExportFrequencies(Default::default(), Format::Csv),
                ctx,
            ),
            AppCommand::ExportSegments => self.ask_path(
                DialogPurpose::ExportSegments(None, Default::default(), Format::Csv),
                ctx,
            ),
            AppCommand::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            AppCommand::Undo => self.undo(),
            AppCommand::Redo => self.redo(),
            AppCommand::Find => self.tab = Tab::Transcript,
            AppCommand::SearchProject => {
                self.tab = Tab::Search;
                self.search.focus_query();
            }
            AppCommand::QuickCode => self.open_quick(),
            AppCommand::CodeInVivo => self.code_in_vivo(),
            AppCommand::RemoveCoding => {
                if let Some(c) = self.transcript.selected_coding() {
                    self.edit(Action::RemoveCoding(c));
                    self.transcript.set_selected_coding(None);
                }
            }
            AppCommand::ApplyQuickCode(i) => {
                if let Some(code) = self.view.quick_code(i + 1) {
                    self.apply_to_selection(code);
                }
            }
            AppCommand::ShowTab(t) => self.tab = t,
            AppCommand::ToggleTheme => self.settings.dark = !self.settings.dark,
            AppCommand::ToggleDocumentsPanel => {
                self.hide_documents = Some(!self.documents_hidden());
            }
            AppCommand::ToggleCodebookPanel => self.hide_codebook = !self.hide_codebook,
            AppCommand::ZoomIn => ctx.set_zoom_factor((ctx.zoom_factor() + 0.1).min(3.0)),
            AppCommand::ZoomOut => ctx.set_zoom_factor((ctx.zoom_factor() - 0.1).max(0.5)),
            AppCommand::ZoomReset => ctx.set_zoom_factor(1.0),
            AppCommand::KeyboardShortcuts => self.shortcuts_window = true,
        }
    }

    pub(super) fn run_commands(&mut self, ctx: &egui::Context) {
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
                    // Shown and marked, never selected: reading a passage must not code it.
                    self.transcript.show_passage(start..end);
                    self.transcript.set_selected_coding(coding);
                    self.tab = Tab::Transcript;
                }
                Command::ShowTab(t) => self.tab = t,
                Command::OpenMemo(m) => {
                    self.memos.select(crate::ui::memos::Entry::Memo(m));
                    self.tab = Tab::Memos;
                }
                Command::Error(e) => self.error(e),
                Command::Notice(n) => self.notice(n),
                Command::DeletePermanently(what) => self.ask_purge(what),
                Command::ExportFrequencies(f) => {
                    let format = self.frequencies.export_format.take().unwrap_or(Format::Csv);
                    self.ask_path(DialogPurpose::ExportFrequencies(f, format), ctx)
                }
                Command::SaveFile { name, bytes } => {
                    self.pending_save = Some(bytes);
                    self.ask_path(DialogPurpose::SaveResult(name), ctx);
                }
                Command::ExportSegments(codes, f) => {
                    let format = self.segments.export_format.take().unwrap_or(Format::Csv);
                    self.ask_path(DialogPurpose::ExportSegments(codes, f, format), ctx);
                }
                Command::Milestone(setting) => {
                    if let Some(session) = &mut self.session
                        && let Err(e) = session.record_milestone(setting)
                    {
                        self.error(format!("could not record the step in the project: {e}"));
                    }
                }
                Command::Reading {
                    doc,
                    furthest,
                    finished,
                } => {
                    if let Some(session) = &mut self.session
                        && let Err(e) = session.record_reading(doc, furthest, finished)
                    {
                        self.error(format!("could not record how far you have read: {e}"));
                    }
                }
            }
        }
    }

    pub(super) fn prompt_ui(&mut self, ctx: &egui::Context) {
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
}
