//! The cases list of the documents panel: each case with how many documents it appears in,
//! and its context menu (rename, memo, delete). The dialogs it asks for are the panel's.

use std::collections::{HashMap, HashSet};

use egui::{CornerRadius, Role, Sense, TextStyle, Ui, WidgetInfo, vec2};

use crate::model::{Case, CaseId, DocId};
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
/// [`docs_per_case`]. A click selects a case (its card shows below the list), a right-click
/// opens its menu.
pub(crate) fn cases_ui(
    ui: &mut Ui,
    view: &ProjectView,
    counts: Option<&HashMap<CaseId, usize>>,
    selected: &mut Option<CaseId>,
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
    if selected.is_some_and(|s| !view.cases.iter().any(|c| c.id == s)) {
        *selected = None;
    }
    for case in &view.cases {
        let n = counts.and_then(|c| c.get(&case.id)).copied().unwrap_or(0);
        let row = case_row_ui(ui, case, n, *selected == Some(case.id));
        if row.clicked() {
            *selected = if *selected == Some(case.id) {
                None
            } else {
                Some(case.id)
            };
        }
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
                dialog = Some(memo_dialog(case));
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
    if let Some(case) = selected.and_then(|s| view.cases.iter().find(|c| c.id == s))
        && let Some(d) = case_card_ui(ui, view, case, out)
    {
        dialog = Some(d);
    }
    dialog
}

fn memo_dialog(case: &Case) -> DocDialog {
    DocDialog::CaseMemo {
        case: case.id,
        name: case.name.clone(),
        original: case.memo.clone(),
        text: case.memo.clone(),
    }
}

/// One case row: its name and document count, one widget that senses clicks (so that its
/// context menu opens; a row made of labels lets the labels take the right-click).
fn case_row_ui(ui: &mut Ui, case: &Case, docs: usize, selected: bool) -> egui::Response {
    let count = plural(docs, "document", "documents");
    let body = TextStyle::Body.resolve(ui.style());
    let line = ui.fonts_mut(|f| f.row_height(&body));
    let (_, rect) = ui.allocate_space(vec2(ui.available_width(), line + 4.0));
    let id = ui.scope_id().with(("case-row", case.id.0));
    let resp = ui.interact(rect, id, Sense::click());
    resp.widget_info(|| WidgetInfo::selected(Role::ListItem, true, selected, &case.name));
    if selected {
        ui.painter()
            .rect_filled(rect, CornerRadius::same(3), ui.visuals().selection.bg_fill);
    } else if resp.hovered() {
        ui.painter().rect_filled(
            rect,
            CornerRadius::same(3),
            ui.visuals().widgets.hovered.weak_bg_fill,
        );
    }
    // Labels that sense nothing, drawn over the row: they never take its clicks.
    ui.scope_builder(
        egui::UiBuilder::new().max_rect(rect.shrink2(vec2(4.0, 2.0))),
        |ui| {
            ui.horizontal(|ui| {
                let mut name = egui::RichText::new(case.name.as_str());
                if selected {
                    name = name.color(ui.visuals().selection.stroke.color);
                }
                ui.add(egui::Label::new(name).selectable(false).truncate());
                ui.add(egui::Label::new(egui::RichText::new(count).weak()).selectable(false));
            });
        },
    );
    resp.on_hover_text(format!("{} ({docs})", case.name))
}

/// The selected case: its documents (own, and focus groups where it speaks), attributes and
/// memo.
fn case_card_ui(
    ui: &mut Ui,
    view: &ProjectView,
    case: &Case,
    out: &mut Vec<Command>,
) -> Option<DocDialog> {
    let mut dialog = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.strong(format!("Case “{}”", case.name));
        let mut docs: Vec<(DocId, Option<String>)> = view
            .links
            .doc_cases
            .iter()
            .filter(|(_, cs)| cs.contains(&case.id))
            .map(|(d, _)| (*d, None))
            .collect();
        docs.extend(
            view.links
                .speaker_cases
                .iter()
                .filter(|(_, c)| **c == case.id)
                .map(|((d, speaker), _)| (*d, Some(speaker.clone()))),
        );
        docs.sort_by_key(|(d, s)| (view.documents.iter().position(|x| x.id == *d), s.clone()));
        if docs.is_empty() {
            ui.weak("No documents.");
        }
        for (d, speaker) in docs {
            let Some(doc) = view.document(d) else {
                continue;
            };
            let text = match speaker {
                Some(s) => format!("{} (as {s})", doc.name),
                None => doc.name.clone(),
            };
            if ui
                .add(egui::Label::new(text).truncate().sense(Sense::click()))
                .on_hover_text("Open this document")
                .clicked()
            {
                out.push(Command::OpenDocument(d));
            }
        }
        let mut attrs: Vec<(&str, &str)> = view
            .links
            .case_attrs
            .iter()
            .filter(|((c, _), v)| *c == case.id && !v.is_empty())
            .map(|((_, name), v)| (name.as_str(), v.as_str()))
            .collect();
        attrs.sort_unstable();
        if !attrs.is_empty() {
            ui.separator();
            for (name, value) in attrs {
                ui.add(egui::Label::new(format!("{name}: {value}")).truncate());
            }
        }
        ui.separator();
        if case.memo.trim().is_empty() {
            ui.weak("No memo.");
        } else {
            ui.add(egui::Label::new(case.memo.as_str()).wrap());
        }
        if ui.small_button("Edit memo…").clicked() {
            dialog = Some(memo_dialog(case));
        }
    });
    dialog
}
