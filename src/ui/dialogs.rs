//! The dialogs of the documents panel: about a document (memo, delete) or, asked for by the
//! cases list, a case (new, rename, memo, delete). Kept apart so that the document list and the
//! cases list both ask for them without depending on each other.

use egui::{Modal, TextEdit, Ui};

use crate::actions::Action;
use crate::model::{CaseId, DocId};
use crate::ui::scope_bar::fmt_count as thousands;
use crate::ui::view::{Command, ProjectView};

/// The dialog the panel shows: about a document, or (asked for by the cases list) a case.
pub(crate) enum DocDialog {
    NewCase {
        doc: Option<DocId>,
        name: String,
    },
    Memo {
        doc: DocId,
        name: String,
        original: String,
        text: String,
    },
    Delete {
        doc: DocId,
        name: String,
        codings: usize,
    },
    RenameCase {
        case: CaseId,
        original: String,
        name: String,
    },
    DeleteCase {
        case: CaseId,
        name: String,
    },
    CaseMemo {
        case: CaseId,
        name: String,
        original: String,
        text: String,
    },
    /// The speakers of a (focus-group) document, each mapped to a case or none.
    Speakers {
        doc: DocId,
        name: String,
        speakers: Vec<String>,
    },
}

pub(crate) fn dialog_ui(
    slot: &mut Option<DocDialog>,
    ui: &mut Ui,
    view: &ProjectView,
    out: &mut Vec<Command>,
) {
    let Some(dialog) = slot.as_mut() else {
        return;
    };
    let doc_gone = match dialog {
        DocDialog::NewCase { doc, .. } => doc.is_some_and(|d| view.document(d).is_none()),
        DocDialog::Memo { doc, .. }
        | DocDialog::Delete { doc, .. }
        | DocDialog::Speakers { doc, .. } => view.document(*doc).is_none(),
        DocDialog::RenameCase { case, .. }
        | DocDialog::DeleteCase { case, .. }
        | DocDialog::CaseMemo { case, .. } => !view.cases.iter().any(|c| c.id == *case),
    };
    if doc_gone {
        *slot = None;
        return;
    }
    let mut close = false;
    let modal = Modal::new(ui.scope_id().with("documents-dialog")).show(ui.ctx(), |ui| {
        ui.set_max_width(460.0);
        match dialog {
            DocDialog::NewCase { doc, name } => {
                ui.heading("New case");
                if let Some(d) = doc.and_then(|d| view.document(d)) {
                    ui.label(format!("“{}” will be assigned to it.", d.name));
                }
                let resp = ui
                    .add(TextEdit::singleline(name).hint_text("Case name, e.g. P01"))
                    .accessible_name("Case name");
                if !resp.has_focus() && name.is_empty() {
                    resp.request_focus();
                }
                let trimmed = name.trim();
                let taken = view.cases.iter().any(|c| c.name == trimmed);
                if taken {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        format!("A case named “{trimmed}” exists already."),
                    );
                }
                let ok = !trimmed.is_empty() && !taken;
                let enter = resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                ui.horizontal(|ui| {
                    if ui.add_enabled(ok, egui::Button::new("Add case")).clicked() || (ok && enter)
                    {
                        out.push(Command::Edit(Action::AddCase {
                            name: trimmed.to_owned(),
                            doc: *doc,
                        }));
                        close = true;
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
                !name.is_empty()
            }
            DocDialog::Memo {
                doc,
                name,
                original,
                text,
            } => {
                let save = memo_editor_ui(
                    ui,
                    &format!("Memo on “{name}”"),
                    text,
                    original,
                    "Memo",
                    &mut close,
                );
                if let Some(memo) = save {
                    out.push(Command::Edit(Action::SetDocumentMemo { doc: *doc, memo }));
                }
                // Typed text is never thrown away by a stray click or Escape.
                *text != *original
            }
            DocDialog::Delete { doc, name, codings } => {
                ui.heading("Delete document");
                let consequence = match *codings {
                    0 => "It has no codings.".to_owned(),
                    1 => "Its 1 coding will be removed.".to_owned(),
                    n => format!("Its {} codings will be removed.", thousands(n)),
                };
                ui.label(format!("Delete “{name}”? {consequence} You can undo this."));
                ui.horizontal(|ui| {
                    if ui.button("Delete").clicked() {
                        out.push(Command::Edit(Action::DeleteDocument(*doc)));
                        close = true;
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
                false
            }
            DocDialog::RenameCase {
                case,
                original,
                name,
            } => {
                ui.heading(format!("Rename case “{original}”"));
                let resp = ui
                    .add(TextEdit::singleline(name))
                    .accessible_name("New case name");
                let trimmed = name.trim().to_owned();
                let taken = trimmed != *original && view.cases.iter().any(|c| c.name == trimmed);
                if taken {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        format!("A case named “{trimmed}” exists already."),
                    );
                }
                let ok = !trimmed.is_empty() && !taken && trimmed != *original;
                let enter = resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                ui.horizontal(|ui| {
                    if ui.add_enabled(ok, egui::Button::new("Rename")).clicked() || (ok && enter) {
                        out.push(Command::Edit(Action::RenameCase {
                            case: *case,
                            name: trimmed.clone(),
                        }));
                        close = true;
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
                false
            }
            DocDialog::CaseMemo {
                case,
                name,
                original,
                text,
            } => {
                let save = memo_editor_ui(
                    ui,
                    &format!("Memo on case “{name}”"),
                    text,
                    original,
                    "Case memo",
                    &mut close,
                );
                if let Some(memo) = save {
                    out.push(Command::Edit(Action::SetCaseMemo { case: *case, memo }));
                }
                // Typed text is never thrown away by a stray click or Escape.
                *text != *original
            }
            DocDialog::Speakers {
                doc,
                name,
                speakers,
            } => {
                ui.heading(format!("Speakers of “{name}”"));
                if speakers.is_empty() {
                    ui.label("No speaker labels were found in this document.");
                } else {
                    ui.label("Map each speaker to a case: their turns then count for that case.");
                }
                egui::Grid::new("speaker-cases")
                    .num_columns(2)
                    .show(ui, |ui| {
                        for speaker in speakers.iter() {
                            ui.label(speaker.as_str());
                            let current = view
                                .links
                                .speaker_cases
                                .get(&(*doc, speaker.clone()))
                                .copied();
                            let shown = current.map_or("(no case)", |c| view.case_name(c));
                            let mut chosen = current;
                            egui::ComboBox::from_id_salt(("speaker-case", speaker.as_str()))
                                .selected_text(shown)
                                .show_ui(ui, |ui| {
                                    ui.selectable_value(&mut chosen, None, "(no case)");
                                    for c in &view.cases {
                                        ui.selectable_value(
                                            &mut chosen,
                                            Some(c.id),
                                            c.name.as_str(),
                                        );
                                    }
                                })
                                .response
                                .accessible_name(format!("Case of speaker {speaker}"));
                            if chosen != current {
                                out.push(Command::Edit(Action::MapSpeaker {
                                    doc: *doc,
                                    speaker: speaker.clone(),
                                    case: chosen,
                                }));
                            }
                            ui.end_row();
                        }
                    });
                if ui.button("Close").clicked() {
                    close = true;
                }
                false
            }
            DocDialog::DeleteCase { case, name } => {
                ui.heading("Delete case");
                ui.label(format!(
                    "Delete the case “{name}”? Its documents and codings stay; its attribute \
                     values and speaker links go. You can undo this."
                ));
                ui.horizontal(|ui| {
                    if ui.button("Delete").clicked() {
                        out.push(Command::Edit(Action::DeleteCase(*case)));
                        close = true;
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
                false
            }
        }
    });
    let keep_open = modal.inner;
    if close || (modal.should_close() && !keep_open) {
        *slot = None;
    }
}

/// A memo being edited: its heading, the text and Save / Cancel. Returns the text to save
/// when Save was pressed on a changed text; either button sets `close`.
fn memo_editor_ui(
    ui: &mut Ui,
    heading: &str,
    text: &mut String,
    original: &str,
    accessible_name: &str,
    close: &mut bool,
) -> Option<String> {
    ui.heading(heading);
    ui.add(
        TextEdit::multiline(text)
            .desired_rows(10)
            .desired_width(440.0),
    )
    .accessible_name(accessible_name);
    let mut save = None;
    ui.horizontal(|ui| {
        if ui.button("Save").clicked() {
            if text != original {
                save = Some(text.clone());
            }
            *close = true;
        }
        if ui.button("Cancel").clicked() {
            *close = true;
        }
    });
    save
}

/// File ▸ Import project…: the file to import, the new project's path, then a job with
/// progress and Cancel.
#[derive(Default)]
pub(crate) struct ImportProjectDialog {
    /// The QDPX (or Taguette) file.
    pub source: String,
    /// The project file to create.
    pub target: String,
    /// The running import.
    pub job: Option<crate::ui::jobs::ProjectImportJob>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// A file dialog picking the source, on its thread.
    pub browse: Option<std::sync::mpsc::Receiver<Option<std::path::PathBuf>>>,
}

/// What the import-project dialog asks of the app.
pub(crate) enum ImportProjectEvent {
    /// Closed without importing.
    Closed,
    /// Done: open this project and tell the user the report.
    Imported(std::path::PathBuf, String),
}

/// Draws the import-project dialog; `None` while it stays open.
pub(crate) fn import_project_ui(
    d: &mut ImportProjectDialog,
    ctx: &egui::Context,
) -> Option<ImportProjectEvent> {
    if let Some(rx) = &d.browse
        && let Ok(picked) = rx.try_recv()
    {
        if let Some(p) = picked {
            if d.target.trim().is_empty() {
                d.target = p.with_extension("weft").display().to_string();
            }
            d.source = p.display().to_string();
        }
        d.browse = None;
    }
    if let Some(job) = &d.job
        && let Some(result) = job.poll()
    {
        d.job = None;
        match result {
            Ok((path, report)) => return Some(ImportProjectEvent::Imported(path, report)),
            Err(e) => d.error = Some(e),
        }
    }
    let mut event = None;
    Modal::new(egui::Id::unique("import-project-dialog")).show(ctx, |ui| {
        ui.set_max_width(520.0);
        ui.heading("Import project");
        ui.label("A REFI-QDA project (.qdpx) from NVivo, ATLAS.ti, MAXQDA or QualCoder becomes a new Weft project.");
        let running = d.job.is_some();
        ui.add_enabled_ui(!running, |ui| {
            ui.horizontal(|ui| {
                ui.add(TextEdit::singleline(&mut d.source).hint_text("/path/to/project.qdpx"))
                    .accessible_name("Project to import");
                if ui.add_enabled(d.browse.is_none(), egui::Button::new("Browse…")).clicked() {
                    let (tx, rx) = std::sync::mpsc::channel();
                    let c = ctx.clone();
                    let spawned = std::thread::Builder::new()
                        .name("weft-file-dialog".into())
                        .spawn(move || {
                            let picked = rfd::FileDialog::new()
                                .set_title("Import project")
                                .add_filter("REFI-QDA project", &["qdpx"])
                                .add_filter("Taguette database", &["sqlite3", "sqlite"])
                                .pick_file();
                            let _ = tx.send(picked);
                            c.request_repaint();
                        });
                    if spawned.is_ok() {
                        d.browse = Some(rx);
                    }
                }
            });
            ui.add(TextEdit::singleline(&mut d.target).hint_text("/path/to/new-project.weft"))
                .accessible_name("New project file");
        });
        if let Some(e) = &d.error {
            ui.colored_label(ui.visuals().error_fg_color, e.as_str());
        }
        ui.horizontal(|ui| match &d.job {
            Some(job) => {
                ui.add(egui::ProgressBar::new(job.fraction()).desired_width(200.0).show_percentage());
                if ui.button("Cancel import").clicked() {
                    job.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            }
            None => {
                let ok = !d.source.trim().is_empty() && !d.target.trim().is_empty();
                if ui.add_enabled(ok, egui::Button::new("Import")).clicked() {
                    let c = ctx.clone();
                    match crate::ui::jobs::ProjectImportJob::start(
                        d.source.trim().into(),
                        d.target.trim().into(),
                        move || c.request_repaint(),
                    ) {
                        Ok(job) => {
                            d.error = None;
                            d.job = Some(job);
                        }
                        Err(e) => d.error = Some(e),
                    }
                }
                if ui.button("Cancel").clicked() {
                    event = Some(ImportProjectEvent::Closed);
                }
            }
        });
    });
    event
}
