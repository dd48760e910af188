//! The documents panel: the project's documents (open, rename, assign to cases, memo, delete),
//! composed with the cases list ([`crate::ui::cases`]) and the attribute table
//! ([`crate::ui::attributes`]) under collapsible headers, and the dialogs all three ask for.

use std::collections::HashMap;

use egui::{CornerRadius, Role, Sense, TextEdit, TextStyle, Ui, WidgetInfo, pos2, vec2};

use crate::actions::Action;
use crate::model::{CaseId, DocId};
use crate::ui::attributes::AttrEditor;
use crate::ui::cases::{cases_ui, docs_per_case};
use crate::ui::dialogs::{self, DocDialog};
use crate::ui::inline_rename::{InlineRename, RenameOutcome};
use crate::ui::scope_bar::plural;
use crate::ui::view::{Command, ProjectView};

/// The documents side panel. Holds only GUI state.
#[derive(Default)]
pub struct DocumentsPanel {
    filter: String,
    cache: Option<DocCache>,
    rename: Option<DocRename>,
    dialog: Option<DocDialog>,
    attrs: AttrEditor,
    /// The case whose card shows under the cases list.
    selected_case: Option<CaseId>,
    /// The document whose speakers the user asked to map (the app reads them).
    speakers_wanted: Option<DocId>,
}

struct DocRow {
    id: DocId,
    name: String,
    details: String,
}

struct DocCache {
    version: u64,
    filter: String,
    rows: Vec<DocRow>,
    /// Documents per case.
    case_docs: HashMap<CaseId, usize>,
}

struct DocRename {
    doc: DocId,
    edit: InlineRename,
}

fn build_rows(view: &ProjectView, filter: &str) -> Vec<DocRow> {
    let needle = filter.trim().to_lowercase();
    view.documents
        .iter()
        .filter_map(|d| {
            let cases = view.document_cases(d.id);
            if !needle.is_empty()
                && !d.name.to_lowercase().contains(&needle)
                && !cases.iter().any(|c| c.to_lowercase().contains(&needle))
            {
                return None;
            }
            let cases = if cases.is_empty() {
                "no case".to_owned()
            } else {
                cases.join(", ")
            };
            let codings = view.doc_codings.get(&d.id).copied().unwrap_or(0);
            Some(DocRow {
                id: d.id,
                name: d.name.clone(),
                details: format!(
                    "{cases} · {} · {}",
                    plural(d.word_count, "word", "words"),
                    plural(codings, "coding", "codings")
                ),
            })
        })
        .collect()
}

impl DocumentsPanel {
    /// The edit that would save a memo still open in its editor (applied when the window
    /// closes, so typed text is not lost).
    pub fn unsaved(&self) -> Option<Action> {
        match &self.dialog {
            Some(DocDialog::Memo {
                doc,
                original,
                text,
                ..
            }) if text != original => Some(Action::SetDocumentMemo {
                doc: *doc,
                memo: text.clone(),
            }),
            Some(DocDialog::CaseMemo {
                case,
                original,
                text,
                ..
            }) if text != original => Some(Action::SetCaseMemo {
                case: *case,
                memo: text.clone(),
            }),
            _ => None,
        }
    }
}

impl DocumentsPanel {
    /// The document whose speaker labels the panel needs, asked for once (the app reads them
    /// and answers with [`DocumentsPanel::show_speakers`]).
    pub fn speakers_wanted(&mut self) -> Option<DocId> {
        self.speakers_wanted.take()
    }

    /// Opens the dialog mapping the speakers of `doc` to cases.
    pub fn show_speakers(&mut self, view: &ProjectView, doc: DocId, speakers: Vec<String>) {
        if let Some(d) = view.document(doc) {
            self.dialog = Some(DocDialog::Speakers {
                doc,
                name: d.name.clone(),
                speakers,
            });
        }
    }

    /// Draws the panel. `current` is the document open in the transcript view.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        view: &ProjectView,
        current: Option<DocId>,
        out: &mut Vec<Command>,
    ) {
        let stale = self
            .cache
            .as_ref()
            .is_none_or(|c| c.version != view.version || c.filter != self.filter);
        if stale {
            self.cache = Some(DocCache {
                version: view.version,
                filter: self.filter.clone(),
                rows: build_rows(view, &self.filter),
                case_docs: docs_per_case(view),
            });
        }
        if self
            .rename
            .as_ref()
            .is_some_and(|r| view.document(r.doc).is_none())
        {
            self.rename = None;
        }

        egui::ScrollArea::vertical()
            .id_salt("documents-panel")
            .auto_shrink([false, true])
            .show(ui, |ui| {
                egui::CollapsingHeader::new("Documents")
                    .default_open(true)
                    .show(ui, |ui| self.documents_ui(ui, view, current, out));
                egui::CollapsingHeader::new("Cases")
                    .default_open(true)
                    .show(ui, |ui| {
                        let counts = self.cache.as_ref().map(|c| &c.case_docs);
                        if let Some(d) = cases_ui(ui, view, counts, &mut self.selected_case, out) {
                            self.dialog = Some(d);
                        }
                    });
                egui::CollapsingHeader::new("Attributes")
                    .default_open(true)
                    .show(ui, |ui| self.attrs.ui(ui, view, current, out));
            });

        dialogs::dialog_ui(&mut self.dialog, ui, view, out);
    }

    fn documents_ui(
        &mut self,
        ui: &mut Ui,
        view: &ProjectView,
        current: Option<DocId>,
        out: &mut Vec<Command>,
    ) {
        ui.add(
            TextEdit::singleline(&mut self.filter)
                .hint_text("Filter documents")
                .desired_width(ui.available_width()),
        )
        .accessible_name("Filter documents");
        let Some(cache) = self.cache.take() else {
            return;
        };
        if view.documents.is_empty() {
            ui.weak("No documents yet. Import transcripts from the File menu.");
        } else if cache.rows.is_empty() {
            ui.weak("No document matches the filter.");
        }
        for row in &cache.rows {
            self.doc_row_ui(ui, view, row, current, out);
        }
        self.cache = Some(cache);
    }

    fn doc_row_ui(
        &mut self,
        ui: &mut Ui,
        view: &ProjectView,
        row: &DocRow,
        current: Option<DocId>,
        out: &mut Vec<Command>,
    ) {
        let body = TextStyle::Body.resolve(ui.style());
        let small = TextStyle::Small.resolve(ui.style());
        let line = ui.fonts_mut(|f| f.row_height(&body));
        let small_line = ui.fonts_mut(|f| f.row_height(&small));
        let h = line + small_line + 8.0;
        let (_, rect) = ui.allocate_space(vec2(ui.available_width(), h));
        let id = ui.scope_id().with(("doc-row", row.id.0));
        let resp = ui.interact(rect, id, Sense::click());
        let is_current = current == Some(row.id);
        resp.widget_info(|| WidgetInfo::selected(Role::ListItem, true, is_current, &row.name));
        // Screen readers (and tests) get the details the row paints.
        ui.ctx().accesskit_node_builder(id, |node| {
            node.set_description(row.details.clone());
        });

        let visuals = ui.visuals().clone();
        let painter = ui.painter_at(rect);
        if is_current {
            painter.rect_filled(rect, CornerRadius::same(3), visuals.selection.bg_fill);
        } else if resp.hovered() {
            painter.rect_filled(
                rect,
                CornerRadius::same(3),
                visuals.widgets.hovered.weak_bg_fill,
            );
        }
        let text_color = if is_current {
            visuals.selection.stroke.color
        } else {
            visuals.text_color()
        };
        let weak = if is_current {
            text_color
        } else {
            visuals.weak_text_color()
        };
        let x = rect.left() + 4.0;
        let name_rect =
            egui::Rect::from_min_size(pos2(x, rect.top() + 3.0), vec2(rect.width() - 8.0, line));
        let renaming = self.rename.as_ref().is_some_and(|r| r.doc == row.id);
        if renaming {
            self.rename_ui(ui, view, name_rect, row, out);
        } else {
            let g = painter.layout(row.name.clone(), body, text_color, rect.width() - 8.0);
            painter.galley(name_rect.min, g, text_color);
        }
        let g = painter.layout_no_wrap(row.details.clone(), small, weak);
        painter.galley(pos2(x, rect.top() + 4.0 + line), g, weak);

        if !renaming {
            if resp.double_clicked() {
                self.start_rename(row);
            } else if resp.clicked() && !is_current {
                out.push(Command::OpenDocument(row.id));
            }
        }
        let resp = resp.on_hover_text_at_pointer(row.details.as_str());
        resp.context_menu(|ui| self.doc_menu_ui(ui, view, row, out));
    }

    fn start_rename(&mut self, row: &DocRow) {
        self.rename = Some(DocRename {
            doc: row.id,
            edit: InlineRename::new(&row.name),
        });
    }

    fn rename_ui(
        &mut self,
        ui: &mut Ui,
        view: &ProjectView,
        rect: egui::Rect,
        row: &DocRow,
        out: &mut Vec<Command>,
    ) {
        let Some(r) = self.rename.as_mut() else {
            return;
        };
        let name = match r.edit.ui(ui, rect, ("doc-rename", row.id.0), &row.name) {
            RenameOutcome::Editing => return,
            RenameOutcome::Cancelled => {
                self.rename = None;
                return;
            }
            RenameOutcome::Commit(name) => name,
        };
        if view
            .documents
            .iter()
            .any(|d| d.id != row.id && d.name == name)
        {
            out.push(Command::Error(format!(
                "Another document is already named “{name}”; choose another name."
            )));
            r.edit.refocus();
            return;
        }
        if !name.is_empty() && name != row.name {
            out.push(Command::Edit(Action::RenameDocument { doc: row.id, name }));
        }
        self.rename = None;
    }

    fn doc_menu_ui(
        &mut self,
        ui: &mut Ui,
        view: &ProjectView,
        row: &DocRow,
        out: &mut Vec<Command>,
    ) {
        if ui.button("Open").clicked() {
            out.push(Command::OpenDocument(row.id));
            ui.close();
        }
        if ui.button("Rename").clicked() {
            self.start_rename(row);
            ui.close();
        }
        let own: &[CaseId] = view.links.doc_cases.get(&row.id).map_or(&[], Vec::as_slice);
        ui.menu_button("Assign to case", |ui| {
            for case in &view.cases {
                if own.contains(&case.id) {
                    continue;
                }
                if ui.button(case.name.as_str()).clicked() {
                    out.push(Command::Edit(Action::AssignCase {
                        case: case.id,
                        doc: row.id,
                    }));
                    ui.close();
                }
            }
            if view.cases.iter().any(|c| !own.contains(&c.id)) {
                ui.separator();
            }
            if ui.button("New case…").clicked() {
                self.dialog = Some(DocDialog::NewCase {
                    doc: Some(row.id),
                    name: String::new(),
                });
                ui.close();
            }
        });
        ui.add_enabled_ui(!own.is_empty(), |ui| {
            ui.menu_button("Remove from case", |ui| {
                for case in own {
                    if ui.button(view.case_name(*case)).clicked() {
                        out.push(Command::Edit(Action::UnassignCase {
                            case: *case,
                            doc: row.id,
                        }));
                        ui.close();
                    }
                }
            });
        });
        if ui
            .button("Speakers…")
            .on_hover_text("Map the speakers of a focus group to cases")
            .clicked()
        {
            self.speakers_wanted = Some(row.id);
            ui.close();
        }
        if ui.button("Memo…").clicked() {
            let memo = view
                .document(row.id)
                .map(|d| d.memo.clone())
                .unwrap_or_default();
            self.dialog = Some(DocDialog::Memo {
                doc: row.id,
                name: row.name.clone(),
                original: memo.clone(),
                text: memo,
            });
            ui.close();
        }
        ui.separator();
        if ui.button("Delete…").clicked() {
            self.dialog = Some(DocDialog::Delete {
                doc: row.id,
                name: row.name.clone(),
                codings: view.doc_codings.get(&row.id).copied().unwrap_or(0),
            });
            ui.close();
        }
        if ui.button("Delete permanently…").clicked() {
            out.push(Command::DeletePermanently(crate::session::Purge::Document(
                row.id,
            )));
            ui.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped() {
        assert_eq!(crate::ui::scope_bar::fmt_count(12), "12");
        assert_eq!(crate::ui::scope_bar::fmt_count(12_345), "12,345");
        assert_eq!(plural(1, "word", "words"), "1 word");
        assert_eq!(plural(2_000, "word", "words"), "2,000 words");
    }
}
