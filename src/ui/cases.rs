//! The cases list of the documents panel: each case with how many documents it appears in,
//! and its context menu (rename, memo, delete). The dialogs it asks for are the panel's.

use std::collections::{HashMap, HashSet};

use egui::Ui;

use crate::model::{CaseId, DocId};
use crate::session::Purge;
use crate::ui::dialogs::DocDialog;
use crate::ui::scope_bar::plural;
use crate::ui::view::{Command, ProjectView};

/// Documents per case: its own, and focus groups where it speaks.
pub(crate) fn docs_per_case(view: &ProjectView) -> HashMap<CaseId, usize> {
    let pairs: HashSet<(CaseId, DocId)> = view
        .links
        .doc_cases
        .iter()
        .flat_map(|(d, cases)| cases.iter().map(move |c| (*c, *d)))
        .chain(view.links.speaker_cases.iter().map(|((d, _), c)| (*c, *d)))
        .collect();
    let mut case_docs: HashMap<CaseId, usize> = HashMap::new();
    for (c, _) in pairs {
        *case_docs.entry(c).or_insert(0) += 1;
    }
    case_docs
}

/// Draws the cases list; returns the dialog the user asked for, if any. `counts` are
/// [`docs_per_case`].
pub(crate) fn cases_ui(
    ui: &mut Ui,
    view: &ProjectView,
    counts: Option<&HashMap<CaseId, usize>>,
    out: &mut Vec<Command>,
) -> Option<DocDialog> {
    let mut dialog = None;
    if ui
        .button("+ Case")
        .on_hover_text("Add a case (a participant or other unit of analysis)")
        .clicked()
    {
        dialog = Some(DocDialog::NewCase {
            doc: None,
            name: String::new(),
        });
    }
    if view.cases.is_empty() {
        ui.weak("No cases yet.");
    }
    for case in &view.cases {
        let n = counts.and_then(|c| c.get(&case.id)).copied().unwrap_or(0);
        let row = ui
            .horizontal(|ui| {
                ui.label(case.name.as_str());
                ui.weak(plural(n, "document", "documents"));
            })
            .response
            .interact(egui::Sense::click());
        row.context_menu(|ui| {
            if ui.button("Rename case…").clicked() {
                dialog = Some(DocDialog::RenameCase {
                    case: case.id,
                    original: case.name.clone(),
                    name: case.name.clone(),
                });
                ui.close();
            }
            if ui.button("Memo…").clicked() {
                dialog = Some(DocDialog::CaseMemo {
                    case: case.id,
                    name: case.name.clone(),
                    original: case.memo.clone(),
                    text: case.memo.clone(),
                });
                ui.close();
            }
            if ui.button("Delete case…").clicked() {
                dialog = Some(DocDialog::DeleteCase {
                    case: case.id,
                    name: case.name.clone(),
                });
                ui.close();
            }
            if ui.button("Delete permanently…").clicked() {
                out.push(Command::DeletePermanently(Purge::Case(case.id)));
                ui.close();
            }
        });
    }
    dialog
}
