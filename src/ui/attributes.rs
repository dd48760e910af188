//! The attribute table: the attributes of the open document and of its cases, edited in
//! place. A value is committed once, on Enter or when the field loses focus, so a typed value
//! is one undo step and not one per keystroke.

use std::collections::{HashMap, HashSet};

use egui::{TextEdit, Ui};

use crate::actions::Action;
use crate::model::{AttrScope, CaseId, DocId};
use crate::ui::view::{Command, ProjectView};

/// Whose attribute a cell edits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Owner {
    Case(CaseId),
    Doc(DocId),
}

/// Buffers of the attribute cells, rebuilt from the view when it changes; cells the user is
/// editing keep their text across reloads.
#[derive(Default)]
pub(crate) struct AttrEditor {
    version: u64,
    doc: Option<DocId>,
    cells: HashMap<(Owner, String), String>,
    dirty: HashSet<(Owner, String)>,
    new_rows: HashMap<Owner, (String, String)>,
}

impl AttrEditor {
    fn sync(&mut self, view: &ProjectView, doc: Option<DocId>) {
        if self.version == view.version && self.doc == doc && !self.cells.is_empty() {
            return;
        }
        if self.doc != doc {
            self.dirty.clear();
            self.new_rows.clear();
        }
        let mut cells = HashMap::new();
        if let Some(d) = doc {
            let owners = std::iter::once(Owner::Doc(d)).chain(
                view.links
                    .doc_cases
                    .get(&d)
                    .into_iter()
                    .flatten()
                    .map(|c| Owner::Case(*c)),
            );
            for owner in owners {
                for a in &view.attributes {
                    let value = match (owner, a.scope) {
                        (Owner::Doc(d), AttrScope::Document) => {
                            view.links.doc_attrs.get(&(d, a.name.clone()))
                        }
                        (Owner::Case(c), AttrScope::Case) => {
                            view.links.case_attrs.get(&(c, a.name.clone()))
                        }
                        _ => continue,
                    };
                    let key = (owner, a.name.clone());
                    let text = match self.cells.remove(&key) {
                        Some(typed) if self.dirty.contains(&key) => typed,
                        _ => value.cloned().unwrap_or_default(),
                    };
                    cells.insert(key, text);
                }
            }
        }
        self.cells = cells;
        self.version = view.version;
        self.doc = doc;
    }

    fn stored<'v>(view: &'v ProjectView, owner: Owner, name: &str) -> &'v str {
        match owner {
            Owner::Doc(d) => view.links.doc_attrs.get(&(d, name.to_owned())),
            Owner::Case(c) => view.links.case_attrs.get(&(c, name.to_owned())),
        }
        .map_or("", String::as_str)
    }

    fn action(owner: Owner, name: String, value: String) -> Action {
        match owner {
            Owner::Doc(doc) => Action::SetDocAttr { doc, name, value },
            Owner::Case(case) => Action::SetCaseAttr { case, name, value },
        }
    }

    /// Draws the table for document `doc` and its cases.
    pub(crate) fn ui(
        &mut self,
        ui: &mut Ui,
        view: &ProjectView,
        doc: Option<DocId>,
        out: &mut Vec<Command>,
    ) {
        self.sync(view, doc);
        let Some(d) = doc.and_then(|d| view.document(d)) else {
            ui.weak("Open a document to see its attributes and its cases' attributes.");
            return;
        };
        let mut owners = vec![(Owner::Doc(d.id), format!("Document “{}”", d.name))];
        for c in view.links.doc_cases.get(&d.id).into_iter().flatten() {
            owners.push((Owner::Case(*c), format!("Case “{}”", view.case_name(*c))));
        }
        for (owner, title) in owners {
            ui.strong(title.as_str());
            let scope = match owner {
                Owner::Doc(_) => AttrScope::Document,
                Owner::Case(_) => AttrScope::Case,
            };
            egui::Grid::new(("attr-grid", owner_key(owner)))
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for a in view.attributes.iter().filter(|a| a.scope == scope) {
                        ui.label(a.name.as_str());
                        self.cell_ui(ui, view, owner, &a.name, &title, a.kind, out);
                        ui.end_row();
                    }
                    self.new_row_ui(ui, owner, &title, out);
                    ui.end_row();
                });
            ui.add_space(6.0);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn cell_ui(
        &mut self,
        ui: &mut Ui,
        view: &ProjectView,
        owner: Owner,
        name: &str,
        title: &str,
        kind: crate::model::AttrType,
        out: &mut Vec<Command>,
    ) {
        let key = (owner, name.to_owned());
        let Some(text) = self.cells.get_mut(&key) else {
            return;
        };
        let valid = text.trim().is_empty() || kind.accepts(text);
        let mut edit = TextEdit::singleline(text)
            .id(ui.scope_id().with(("attr", owner_key(owner), name)))
            .hint_text(kind.as_str())
            .desired_width(140.0);
        if !valid {
            edit = edit.text_color(ui.visuals().error_fg_color);
        }
        let resp = ui.add(edit).accessible_name(format!("{name} of {title}"));
        let resp = if valid {
            resp
        } else {
            resp.on_hover_text(format!("Expected a {} value", kind.as_str()))
        };
        if resp.changed() {
            self.dirty.insert(key.clone());
        }
        if resp.has_focus() && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            // Escape puts the stored value back.
            *text = Self::stored(view, owner, name).to_owned();
            self.dirty.remove(&key);
            resp.surrender_focus();
            return;
        }
        if resp.lost_focus() && self.dirty.contains(&key) {
            if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                *text = Self::stored(view, owner, name).to_owned();
                self.dirty.remove(&key);
                return;
            }
            if !valid {
                out.push(Command::Error(format!(
                    "“{}” is not a {} value for “{name}”; it was not saved.",
                    text.trim(),
                    kind.as_str()
                )));
                return;
            }
            if text.trim() != Self::stored(view, owner, name) {
                out.push(Command::Edit(Self::action(
                    owner,
                    name.to_owned(),
                    text.trim().to_owned(),
                )));
            }
            self.dirty.remove(&key);
        }
    }

    fn new_row_ui(&mut self, ui: &mut Ui, owner: Owner, title: &str, out: &mut Vec<Command>) {
        let (name, value) = self.new_rows.entry(owner).or_default();
        ui.add(
            TextEdit::singleline(name)
                .id(ui.scope_id().with(("new-attr-name", owner_key(owner))))
                .hint_text("New attribute")
                .desired_width(110.0),
        )
        .accessible_name(format!("New attribute name for {title}"));
        ui.horizontal(|ui| {
            let v = ui
                .add(
                    TextEdit::singleline(value)
                        .id(ui.scope_id().with(("new-attr-value", owner_key(owner))))
                        .hint_text("Value")
                        .desired_width(100.0),
                )
                .accessible_name(format!("New attribute value for {title}"));
            let ok = !name.trim().is_empty() && !value.trim().is_empty();
            let enter = v.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let add = ui
                .add_enabled(ok, egui::Button::new("Add"))
                .accessible_name(format!("Add attribute to {title}"));
            if ok && (add.clicked() || enter) {
                out.push(Command::Edit(Self::action(
                    owner,
                    name.trim().to_owned(),
                    value.trim().to_owned(),
                )));
                name.clear();
                value.clear();
            }
        });
    }
}

fn owner_key(owner: Owner) -> (u8, i64) {
    match owner {
        Owner::Doc(d) => (0, d.0),
        Owner::Case(c) => (1, c.0),
    }
}
