//! The memos view: the project journal and every memo on a document, code or case, plus the
//! memo fields of documents, cases and codings, in one list with a filter (text, and kind); the selected memo is edited beside
//! it. Memo writing is reflexive work (Braun & Clarke), so nothing typed is thrown away:
//! switching to another memo saves the one being edited.

use egui::{RichText, Ui};

use crate::actions::Action;
use crate::model::{CaseId, Coding, CodingId, DocId, MemoId, MemoTarget};
use crate::ui::view::{Command, ProjectView};

/// A row of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entry {
    /// A memo (journal entry or attached memo).
    Memo(MemoId),
    /// The memo field of a document.
    Document(DocId),
    /// The memo field of a case.
    Case(CaseId),
    /// The memo on a coded passage.
    Coding(CodingId),
}

/// The kinds of memo the list can be narrowed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// Every memo.
    #[default]
    All,
    /// The project journal.
    Journal,
    /// Memos on documents.
    Document,
    /// Memos on codes.
    Code,
    /// Memos on cases.
    Case,
    /// Memos on coded passages.
    Coding,
}

impl Kind {
    const ALL: [Kind; 6] = [
        Kind::All,
        Kind::Journal,
        Kind::Document,
        Kind::Code,
        Kind::Case,
        Kind::Coding,
    ];

    fn title(self) -> &'static str {
        match self {
            Kind::All => "All kinds",
            Kind::Journal => "Journal",
            Kind::Document => "Document",
            Kind::Code => "Code",
            Kind::Case => "Case",
            Kind::Coding => "Coding",
        }
    }

    fn of_target(target: MemoTarget) -> Kind {
        match target {
            MemoTarget::Project => Kind::Journal,
            MemoTarget::Document(_) => Kind::Document,
            MemoTarget::Code(_) => Kind::Code,
            MemoTarget::Case(_) => Kind::Case,
        }
    }

    fn admits(self, kind: Kind) -> bool {
        self == Kind::All || self == kind
    }
}

/// What the editor holds for the selected entry.
#[derive(Debug, Clone, PartialEq)]
struct Draft {
    entry: Entry,
    title: String,
    body: String,
    /// What is stored, to tell whether the draft changed.
    saved_title: String,
    saved_body: String,
}

impl Draft {
    fn dirty(&self) -> bool {
        self.title.trim() != self.saved_title.trim() || self.body != self.saved_body
    }

    /// The edit that saves the draft.
    fn save_action(&self) -> Action {
        match self.entry {
            Entry::Memo(memo) => Action::EditMemo {
                memo,
                title: self.title.clone(),
                body: self.body.clone(),
            },
            Entry::Document(doc) => Action::SetDocumentMemo {
                doc,
                memo: self.body.clone(),
            },
            Entry::Case(case) => Action::SetCaseMemo {
                case,
                memo: self.body.clone(),
            },
            Entry::Coding(coding) => Action::SetCodingMemo {
                coding,
                memo: self.body.clone(),
            },
        }
    }

    /// The edit that empties or deletes the memo.
    fn delete_action(&self) -> Action {
        match self.entry {
            Entry::Memo(id) => Action::DeleteMemo(id),
            Entry::Document(doc) => Action::SetDocumentMemo {
                doc,
                memo: String::new(),
            },
            Entry::Case(case) => Action::SetCaseMemo {
                case,
                memo: String::new(),
            },
            Entry::Coding(coding) => Action::SetCodingMemo {
                coding,
                memo: String::new(),
            },
        }
    }
}

/// One list row, precomputed.
struct Row {
    entry: Entry,
    title: String,
    date: String,
    target: String,
}

/// The memos tab.
#[derive(Default)]
pub struct MemosView {
    filter: String,
    kind: Kind,
    selected: Option<Entry>,
    draft: Option<Draft>,
    confirm_delete: bool,
    /// A journal entry was requested at this version, when the highest memo id was this.
    pending_new: Option<(u64, Option<MemoId>)>,
    rows: Vec<Row>,
    rows_key: Option<(u64, String, Kind)>,
    /// Codings that carry a memo, read by the app at `coding_memos_version`.
    coding_memos: Vec<Coding>,
    coding_memos_version: Option<u64>,
}

/// What a memo is attached to, in words.
fn target_text(view: &ProjectView, target: MemoTarget) -> String {
    match target {
        MemoTarget::Project => "Journal".to_owned(),
        MemoTarget::Document(d) => {
            format!(
                "Document: {}",
                view.document(d).map_or("(deleted)", |d| d.name.as_str())
            )
        }
        MemoTarget::Code(c) => {
            if view.tree.get(c).is_some() {
                format!("Code: {}", view.tree.path(c))
            } else {
                "Code: (deleted)".to_owned()
            }
        }
        MemoTarget::Case(c) => {
            let name = view.case_name(c);
            format!("Case: {}", if name.is_empty() { "(deleted)" } else { name })
        }
    }
}

/// A coding in words: its code and document.
fn coding_target(view: &ProjectView, c: &Coding) -> String {
    let code = if view.tree.get(c.code).is_some() {
        view.tree.path(c.code)
    } else {
        "(deleted)".to_owned()
    };
    let doc = view
        .document(c.doc)
        .map_or("(deleted)", |d| d.name.as_str());
    format!("Coding: {code} in {doc}")
}

/// The date part of an RFC 3339 time.
fn date_of(time: &str) -> String {
    time.get(..10).unwrap_or(time).to_owned()
}

/// The first line of a text, shortened, for untitled memos.
fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if line.chars().count() > 40 {
        format!("{}…", line.chars().take(39).collect::<String>())
    } else {
        line.to_owned()
    }
}

impl MemosView {
    /// The selected entry, if any.
    pub fn selected(&self) -> Option<Entry> {
        self.selected
    }

    /// The edit that would save what is being typed, if anything is unsaved (the app applies
    /// it before closing).
    pub fn unsaved(&self) -> Option<Action> {
        self.draft
            .as_ref()
            .filter(|d| d.dirty())
            .map(Draft::save_action)
    }

    /// Selects an entry (e.g. the memo of a code the user asked to see).
    pub fn select(&mut self, entry: Entry) {
        self.selected = Some(entry);
    }

    /// Whether the memos of codings need reading again for the view at `version`.
    pub fn needs_coding_memos(&self, version: u64) -> bool {
        self.coding_memos_version != Some(version)
    }

    /// The codings (read at `version`); those with a memo are listed.
    pub fn set_coding_memos(&mut self, version: u64, codings: Vec<Coding>) {
        self.coding_memos = codings
            .into_iter()
            .filter(|c| !c.memo.trim().is_empty())
            .collect();
        self.coding_memos_version = Some(version);
        self.rows_key = None;
    }

    /// Stored title and body of an entry, or `None` if it no longer exists.
    fn stored(codings: &[Coding], view: &ProjectView, entry: Entry) -> Option<(String, String)> {
        match entry {
            Entry::Case(id) => view
                .cases
                .iter()
                .find(|c| c.id == id)
                .map(|c| (String::new(), c.memo.clone())),
            Entry::Coding(id) => codings
                .iter()
                .find(|c| c.id == id)
                .map(|c| (String::new(), c.memo.clone())),
            Entry::Memo(id) => view
                .memos
                .iter()
                .find(|m| m.id == id)
                .map(|m| (m.title.clone(), m.body.clone())),
            Entry::Document(id) => view.document(id).map(|d| (String::new(), d.memo.clone())),
        }
    }

    fn refresh_rows(&mut self, view: &ProjectView) {
        let key = (view.version, self.filter.clone(), self.kind);
        if self.rows_key.as_ref() == Some(&key) {
            return;
        }
        let needle = self.filter.trim().to_lowercase();
        let matches = |parts: &[&str]| {
            needle.is_empty() || parts.iter().any(|p| p.to_lowercase().contains(&needle))
        };
        let mut rows = Vec::new();
        let kind = self.kind;
        for m in view
            .memos
            .iter()
            .filter(|m| kind.admits(Kind::of_target(m.target)))
        {
            let target = target_text(view, m.target);
            if !matches(&[&m.title, &m.body, &target]) {
                continue;
            }
            let title = if m.title.trim().is_empty() {
                let l = first_line(&m.body);
                if l.is_empty() {
                    "(untitled)".to_owned()
                } else {
                    l
                }
            } else {
                m.title.clone()
            };
            rows.push(Row {
                entry: Entry::Memo(m.id),
                title,
                date: date_of(&m.updated_at),
                target,
            });
        }
        let docs = view
            .documents
            .iter()
            .filter(|d| kind.admits(Kind::Document) && !d.memo.trim().is_empty());
        for d in docs {
            let target = format!("Document: {}", d.name);
            if !matches(&[&d.memo, &target]) {
                continue;
            }
            rows.push(Row {
                entry: Entry::Document(d.id),
                title: "Document memo".to_owned(),
                date: String::new(),
                target,
            });
        }
        let cases = view
            .cases
            .iter()
            .filter(|c| kind.admits(Kind::Case) && !c.memo.trim().is_empty());
        for c in cases {
            let target = format!("Case: {}", c.name);
            if !matches(&[&c.memo, &target]) {
                continue;
            }
            rows.push(Row {
                entry: Entry::Case(c.id),
                title: "Case memo".to_owned(),
                date: String::new(),
                target,
            });
        }
        let codings = self
            .coding_memos
            .iter()
            .filter(|_| kind.admits(Kind::Coding));
        for c in codings {
            let target = coding_target(view, c);
            if !matches(&[&c.memo, &target]) {
                continue;
            }
            rows.push(Row {
                entry: Entry::Coding(c.id),
                title: first_line(&c.memo),
                date: date_of(&c.created_at),
                target,
            });
        }
        self.rows = rows;
        self.rows_key = Some(key);
    }

    /// Brings the draft in line with the selection and the stored memo.
    fn sync_draft(&mut self, view: &ProjectView, out: &mut Vec<Command>) {
        // A journal entry we asked for has arrived: select it.
        if let Some((version, max_before)) = self.pending_new
            && view.version != version
        {
            self.pending_new = None;
            let newest = view
                .memos
                .iter()
                .filter(|m| m.target == MemoTarget::Project && Some(m.id) > max_before)
                .map(|m| m.id)
                .max();
            if let Some(id) = newest {
                self.selected = Some(Entry::Memo(id));
            }
        }
        let Some(entry) = self.selected else {
            self.draft = None;
            return;
        };
        let Some((title, body)) = Self::stored(&self.coding_memos, view, entry) else {
            // Deleted (here or elsewhere, or by undo).
            self.selected = None;
            self.draft = None;
            self.confirm_delete = false;
            return;
        };
        match &mut self.draft {
            Some(d) if d.entry == entry => {
                if d.saved_title != title || d.saved_body != body {
                    // Changed in the store (saved, undone, edited elsewhere): take it unless
                    // the user has unsaved edits.
                    if !d.dirty() {
                        d.title = title.clone();
                        d.body = body.clone();
                    }
                    d.saved_title = title;
                    d.saved_body = body;
                }
            }
            other => {
                // Switching: keep what was typed in the previous memo.
                if let Some(old) = other.as_ref().filter(|d| d.dirty())
                    && Self::stored(&self.coding_memos, view, old.entry).is_some()
                {
                    out.push(Command::Edit(old.save_action()));
                }
                self.confirm_delete = false;
                *other = Some(Draft {
                    entry,
                    title: title.clone(),
                    body: body.clone(),
                    saved_title: title,
                    saved_body: body,
                });
            }
        }
    }

    /// Draws the view.
    pub fn ui(&mut self, ui: &mut Ui, view: &ProjectView, out: &mut Vec<Command>) {
        self.sync_draft(view, out);
        ui.horizontal(|ui| {
            if ui
                .button("+ Journal entry")
                .on_hover_text("Add a dated entry to the project journal.")
                .clicked()
            {
                let title = format!("Journal {}", chrono::Local::now().format("%Y-%m-%d"));
                out.push(Command::Edit(Action::AddMemo {
                    target: MemoTarget::Project,
                    title,
                    body: String::new(),
                    coder: view.coder,
                }));
                let max = view.memos.iter().map(|m| m.id).max();
                self.pending_new = Some((view.version, max));
            }
            let label = ui.label("Filter:");
            ui.add(
                egui::TextEdit::singleline(&mut self.filter)
                    .hint_text("title, text or what it is about")
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
            egui::ComboBox::from_id_salt("memo-kind")
                .selected_text(self.kind.title())
                .show_ui(ui, |ui| {
                    for k in Kind::ALL {
                        ui.selectable_value(&mut self.kind, k, k.title());
                    }
                })
                .response
                .accessible_name("Kind of memo")
                .on_hover_text("Show only memos of one kind");
        });
        ui.separator();
        self.refresh_rows(view);

        let list_width = (ui.available_width() * 0.35).clamp(180.0, 360.0);
        ui.horizontal_top(|ui| {
            ui.allocate_ui_with_layout(
                egui::vec2(list_width, ui.available_height()),
                egui::Layout::top_down(egui::Align::Min),
                |ui| {
                    self.list_ui(ui, view);
                },
            );
            ui.separator();
            ui.vertical(|ui| self.editor_ui(ui, view, out));
        });
    }

    fn list_ui(&mut self, ui: &mut Ui, view: &ProjectView) {
        if self.rows.is_empty() {
            ui.weak(if view.memos.is_empty() && self.filter.trim().is_empty() {
                "No memos yet. Start the journal with “+ Journal entry”, or write memos on \
                 documents, codes and cases."
            } else {
                "No memos match the filter."
            });
            return;
        }
        let row_height = ui.text_style_height(&egui::TextStyle::Body) * 2.0 + 8.0;
        let mut clicked = None;
        egui::ScrollArea::vertical()
            .id_salt("memo_list")
            .auto_shrink([false, false])
            .show_rows(ui, row_height, self.rows.len(), |ui, range| {
                // Left-aligned rows the width of the list.
                ui.with_layout(egui::Layout::top_down_justified(egui::Align::LEFT), |ui| {
                    let body = egui::TextStyle::Body.resolve(ui.style());
                    let small = egui::TextStyle::Small.resolve(ui.style());
                    let (strong, weak) = (
                        ui.visuals().strong_text_color(),
                        ui.visuals().weak_text_color(),
                    );
                    for row in &self.rows[range] {
                        // The title stands out; the date and what it is about read as detail.
                        let detail = if row.date.is_empty() {
                            row.target.clone()
                        } else {
                            format!("{} · {}", row.date, row.target)
                        };
                        let mut text = egui::text::LayoutJob::default();
                        text.append(
                            &format!("{}\n", row.title),
                            0.0,
                            egui::TextFormat::simple(body.clone(), strong),
                        );
                        text.append(&detail, 0.0, egui::TextFormat::simple(small.clone(), weak));
                        let selected = self.selected == Some(row.entry);
                        let resp = ui.add(
                            egui::Button::selectable(selected, text)
                                .min_size(egui::vec2(0.0, row_height)),
                        );
                        if resp.clicked() {
                            clicked = Some(row.entry);
                        }
                    }
                });
            });
        if let Some(e) = clicked {
            self.selected = Some(e);
        }
    }

    fn editor_ui(&mut self, ui: &mut Ui, view: &ProjectView, out: &mut Vec<Command>) {
        let Some(draft) = self.draft.as_mut() else {
            ui.weak("Select a memo to read and edit it.");
            return;
        };
        let target = match draft.entry {
            Entry::Memo(id) => view
                .memos
                .iter()
                .find(|m| m.id == id)
                .map(|m| {
                    let who = m
                        .coder
                        .map(|c| view.coder_name(c))
                        .filter(|n| !n.is_empty());
                    let mut s = format!(
                        "{} · created {}",
                        target_text(view, m.target),
                        date_of(&m.created_at)
                    );
                    if let Some(w) = who {
                        s.push_str(&format!(" by {w}"));
                    }
                    s
                })
                .unwrap_or_default(),
            Entry::Document(d) => format!(
                "Memo field of document {}",
                view.document(d).map_or("", |d| d.name.as_str())
            ),
            Entry::Case(c) => format!("Memo field of case {}", view.case_name(c)),
            Entry::Coding(id) => self
                .coding_memos
                .iter()
                .find(|c| c.id == id)
                .map(|c| format!("Memo on a coding: {}", coding_target(view, c)))
                .unwrap_or_default(),
        };
        ui.weak(target);
        let mut left = false;
        if matches!(draft.entry, Entry::Memo(_)) {
            ui.horizontal(|ui| {
                let label = ui.label("Title");
                let r = ui
                    .add(egui::TextEdit::singleline(&mut draft.title).desired_width(f32::INFINITY))
                    .labelled_by(label.id);
                left |= r.lost_focus();
            });
        }
        let label = ui.label("Memo text");
        let body_height = (ui.available_height() - 60.0).max(120.0);
        egui::ScrollArea::vertical()
            .id_salt("memo_body")
            .max_height(body_height)
            .show(ui, |ui| {
                let r = ui
                    .add_sized(
                        [ui.available_width(), body_height],
                        egui::TextEdit::multiline(&mut draft.body).desired_rows(8),
                    )
                    .labelled_by(label.id);
                left |= r.lost_focus();
            });
        let dirty = draft.dirty();
        // Leaving a field saves it, so nothing typed waits for a button.
        let mut saved = false;
        if left && dirty {
            out.push(Command::Edit(draft.save_action()));
            saved = true;
        }
        ui.horizontal(|ui| {
            if ui.add_enabled(dirty, egui::Button::new("Save")).clicked() && !saved {
                out.push(Command::Edit(draft.save_action()));
            }
            if dirty {
                ui.weak("Unsaved changes");
            }
            ui.separator();
            if !self.confirm_delete {
                if ui.button("Delete…").clicked() {
                    self.confirm_delete = true;
                }
            } else {
                ui.label(RichText::new("Delete this memo?").color(ui.visuals().warn_fg_color));
                if ui.button("Delete memo").clicked() {
                    out.push(Command::Edit(draft.delete_action()));
                    self.confirm_delete = false;
                    // The draft is gone with the memo; don't save it when the selection moves.
                    draft.saved_title = draft.title.clone();
                    draft.saved_body = draft.body.clone();
                }
                if ui.button("Cancel").clicked() {
                    self.confirm_delete = false;
                }
            }
        });
    }
}
