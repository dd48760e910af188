//! The menu bar, drawn from the [`AppCommand`] registry, and the status bar (project path,
//! selection, running job, current coder).

use egui::RichText;

use super::{AppCommand, WeftApp};
use crate::ui::dialogs::{ImportProjectDialog, ImportProjectEvent, import_project_ui};
use crate::ui::jobs::{DialogPurpose, ExchangeExport};
use crate::ui::view::Tab;

/// Where the File ▸ Import project… dialog keeps its state between frames (egui's memory, so
/// the app's own state is untouched).
type ImportProjectSlot = std::sync::Arc<std::sync::Mutex<Option<ImportProjectDialog>>>;

fn import_project_slot(ctx: &egui::Context) -> ImportProjectSlot {
    ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<ImportProjectSlot>(egui::Id::unique("import-project-slot"))
            .clone()
    })
}

impl WeftApp {
    /// One menu item for `cmd`: its live label, its shortcut and whether it is enabled come
    /// from the registry. Returns whether it was clicked, after running the command.
    fn command_item(&mut self, ui: &mut egui::Ui, cmd: AppCommand) -> bool {
        let mut button = egui::Button::new(cmd.menu_label(self));
        if let Some(s) = cmd.menu_shortcut() {
            button = button.shortcut_text(ui.ctx().format_shortcut(&s));
        }
        let clicked = ui.add_enabled(cmd.enabled(self), button).clicked();
        if clicked {
            let ctx = ui.ctx().clone();
            self.run_command(cmd, &ctx);
        }
        clicked
    }

    pub(super) fn menu_ui(&mut self, ui: &mut egui::Ui) {
        self.import_project_dialog(ui.ctx());
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                self.command_item(ui, AppCommand::NewProject);
                self.command_item(ui, AppCommand::OpenProject);
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
                self.command_item(ui, AppCommand::OpenDemo);
                self.command_item(ui, AppCommand::BackUpNow);
                ui.separator();
                self.command_item(ui, AppCommand::Import);
                self.command_item(ui, AppCommand::ImportSurvey);
                if ui.button("Import project…").clicked() {
                    *import_project_slot(ui.ctx()).lock().unwrap_or_else(|e| e.into_inner()) =
                        Some(ImportProjectDialog::default());
                    ui.close();
                }
                ui.menu_button("Export", |ui| {
                    self.command_item(ui, AppCommand::ExportFrequencies);
                    self.command_item(ui, AppCommand::ExportSegments);
                    ui.separator();
                    let has_project = self.view.path.is_some();
                    for (label, kind) in [
                        ("REFI-QDA project (.qdpx)…", ExchangeExport::Qdpx),
                        (
                            "REFI-QDA project for NVivo (.qdpx, UTF-16 positions)…",
                            ExchangeExport::QdpxNvivo,
                        ),
                        ("Codebook (.qdc)…", ExchangeExport::Qdc),
                        (
                            "Code × document matrix (.xlsx)…",
                            ExchangeExport::Matrix { cases: false },
                        ),
                        (
                            "Code × case matrix (.xlsx)…",
                            ExchangeExport::Matrix { cases: true },
                        ),
                        ("Case attributes (.xlsx)…", ExchangeExport::CaseTable),
                        ("Report for a browser (.html)…", ExchangeExport::Report),
                        ("Themes table (.html, .md, .csv or .xlsx)…", ExchangeExport::ThemesTable),
                        ("Analytic audit trail (.md)…", ExchangeExport::AuditTrail),
                        ("Teaching portfolio (.html)…", ExchangeExport::Portfolio),
                    ] {
                        if ui.add_enabled(has_project, egui::Button::new(label)).clicked() {
                            let ctx = ui.ctx().clone();
                            self.ask_path(DialogPurpose::ExportExchange(kind), &ctx);
                            ui.close();
                        }
                    }
                    ui.separator();
                    ui.checkbox(
                        &mut self.settings.export_provenance,
                        "Start tables with their provenance",
                    )
                    .on_hover_text(
                        "Project, date, Weft version, filters and scope: a header in Markdown, \
                         a \"meta\" object in JSON, # comment lines in CSV",
                    );
                });
                ui.separator();
                self.command_item(ui, AppCommand::Quit);
            });
            ui.menu_button("Edit", |ui| {
                self.command_item(ui, AppCommand::Undo);
                self.command_item(ui, AppCommand::Redo);
                ui.separator();
                self.command_item(ui, AppCommand::SearchProject);
                ui.weak("Find in document: Ctrl+F (in the transcript)");
                ui.weak("Every edit is saved at once.");
            });
            ui.menu_button("Code", |ui| {
                self.command_item(ui, AppCommand::QuickCode);
                self.command_item(ui, AppCommand::CodeInVivo);
                self.command_item(ui, AppCommand::RemoveCoding);
                ui.separator();
                for i in 0..9 {
                    if self.view.quick_code(i + 1).is_some() {
                        self.command_item(ui, AppCommand::ApplyQuickCode(i));
                    }
                }
            });
            ui.menu_button("View", |ui| {
                for t in Tab::ALL {
                    let cmd = AppCommand::ShowTab(t);
                    if ui
                        .selectable_label(self.tab == t, cmd.menu_label(self))
                        .clicked()
                    {
                        let ctx = ui.ctx().clone();
                        self.run_command(cmd, &ctx);
                    }
                }
                ui.separator();
                self.command_item(ui, AppCommand::ToggleTheme);
                ui.separator();
                self.command_item(ui, AppCommand::ToggleDocumentsPanel);
                self.command_item(ui, AppCommand::ToggleCodebookPanel);
                self.command_item(ui, AppCommand::ZoomIn);
                self.command_item(ui, AppCommand::ZoomOut);
                self.command_item(ui, AppCommand::ZoomReset);
            });
            ui.menu_button("Help", |ui| {
                ui.label(RichText::new("Weft").strong());
                ui.label("Select text in the transcript, then press a code's Apply button, press 1–9, or press Q to search codes.");
                ui.label("Ctrl+I codes in vivo. Delete removes the selected coding. Ctrl+Z undoes anything.");
                ui.label("Drop transcripts on the window to import them.");
                ui.separator();
                self.command_item(ui, AppCommand::KeyboardShortcuts);
            });
        });
    }

    /// Help ▸ Keyboard shortcuts: every command that has a key, straight from the registry.
    pub(super) fn shortcuts_window_ui(&mut self, ctx: &egui::Context) {
        let mut open = self.shortcuts_window;
        egui::Window::new("Keyboard shortcuts")
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .show(ctx, |ui| {
                egui::Grid::new("shortcuts-grid")
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        for cmd in AppCommand::all() {
                            let keys: Vec<String> = cmd
                                .shortcuts()
                                .iter()
                                .map(|s| ctx.format_shortcut(s))
                                .collect();
                            if keys.is_empty() {
                                continue;
                            }
                            ui.label(cmd.name());
                            ui.weak(keys.join("  or  "));
                            ui.end_row();
                        }
                    });
            });
        self.shortcuts_window = open;
    }

    pub(super) fn status_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            match &self.view.path {
                Some(p) => ui.weak(p.display().to_string()),
                None if self.session.is_some() => ui.weak("In-memory project"),
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
                    let mut coder = self.coder();
                    let current = coder
                        .map(|c| self.view.coder_name(c).to_owned())
                        .unwrap_or_default();
                    egui::ComboBox::from_id_salt("coder")
                        .selected_text(current)
                        .show_ui(ui, |ui| {
                            for c in &self.view.coders {
                                ui.selectable_value(&mut coder, Some(c.id), &c.name);
                            }
                        })
                        .response
                        .accessible_name("Coding as");
                    if let Some(c) = coder
                        && coder != self.coder()
                        && let Some(session) = &mut self.session
                    {
                        session.set_coder(c);
                        self.view.coder = Some(c);
                    }
                    ui.weak("Coding as");
                }
            });
        });
    }

    /// Draws File ▸ Import project… while it is open; opens the new project when it is done.
    fn import_project_dialog(&mut self, ctx: &egui::Context) {
        let slot = import_project_slot(ctx);
        let mut guard = slot.lock().unwrap_or_else(|e| e.into_inner());
        let Some(dialog) = guard.as_mut() else {
            return;
        };
        let Some(event) = import_project_ui(dialog, ctx) else {
            return;
        };
        *guard = None;
        drop(guard);
        if let ImportProjectEvent::Imported(path, report) = event {
            self.open_project(&path);
            let summary = report.lines().take(9).collect::<Vec<_>>().join("\n");
            self.notice(summary);
        }
    }
}
