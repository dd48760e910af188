//! Coding queries: the passages where a Boolean combination of codes holds (`Trust AND
//! Power`, `"Giving back" NEAR/100 Trust`), as cards that open the transcript, and the result
//! saved as a code in one undoable step or exported as CSV. The arithmetic is `analysis::query`'s.

use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, FontId, Key, RichText, Sense, TextEdit, Ui, vec2};

use crate::actions::Action;
use crate::analysis::query::{self, Corpus, ShownPassage};
use crate::model::{CharRange, CodingId};
use crate::store::Db;
use crate::ui::view::{Command, ProjectView, Tab};

/// What the last run found.
struct Found {
    /// The query as run.
    query: String,
    /// With sub-codes.
    subcodes: bool,
    /// The project version it was computed on.
    version: u64,
    /// The passages with their texts.
    passages: Vec<ShownPassage>,
    /// Documents they are in.
    documents: usize,
}

/// Coding queries.
#[derive(Default)]
pub struct QueryView {
    /// The query being written.
    pub text: String,
    /// Codes stand for their sub-codes' codings too.
    pub subcodes: bool,
    found: Option<Found>,
    /// Why the last run failed.
    error: Option<String>,
    /// The name to save the result as.
    save_name: String,
    /// The code the result was last saved as (what the confirmation line names).
    saved: Option<String>,
}

/// The hint in the empty query box.
const HINT: &str = "Trust AND Power   ·   \"Giving back\" NEAR/100 (Trust OR Hope)   ·   Boundaries NOT \"Role drift\"";

impl QueryView {
    /// Draws the view.
    pub fn ui(&mut self, ui: &mut Ui, db: Db<'_>, view: &ProjectView, out: &mut Vec<Command>) {
        let mut run = false;
        ui.horizontal(|ui| {
            let r = ui.add(
                TextEdit::singleline(&mut self.text)
                    .hint_text(HINT)
                    .desired_width((ui.available_width() - 60.0).max(200.0)),
            );
            let r = r.accessible_name("Query");
            if r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                run = true;
            }
            if ui
                .button("Run")
                .on_hover_text("Find the passages where the query holds (Enter)")
                .clicked()
            {
                run = true;
            }
        });
        ui.horizontal(|ui| {
            ui.menu_button("Insert code ▾", |ui| {
                egui::ScrollArea::vertical()
                    .max_height(400.0)
                    .show(ui, |ui| {
                        for c in &view.tree.codes {
                            let indent = "    ".repeat(view.tree.depth(c.id));
                            if ui.button(format!("{indent}{}", c.name)).clicked() {
                                self.insert_code(view, c.id);
                                ui.close();
                            }
                        }
                    });
            })
            .response
            .on_hover_text("Add a code to the query (joined with AND after a code)");
            if ui
                .checkbox(&mut self.subcodes, "Include sub-codes")
                .on_hover_text("A code also stands for its sub-codes' codings")
                .changed()
                && self.found.is_some()
            {
                run = true;
            }
        });
        ui.label(
            RichText::new(
                "NOT binds tightest, then AND and NEAR/N, then OR; use ( ) to group. \
                 A NOT B: A where B is not. A NEAR/N B: a passage of each with at most N \
                 characters between them, shown as one span. Quote names with spaces.",
            )
            .small()
            .weak(),
        );
        // A stale result (the project changed) is computed again.
        if let Some(f) = &self.found
            && f.version != view.version
            && !run
        {
            let (q, s) = (f.query.clone(), f.subcodes);
            self.run(db, view, &q, s);
        }
        if run {
            let q = self.text.clone();
            self.run(db, view, &q, self.subcodes);
        }
        ui.add_space(4.0);
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        let Some(found) = &self.found else {
            if self.error.is_none() {
                ui.weak("Write a query and press Run to see the passages where it holds.");
            }
            return;
        };
        let n = found.passages.len();
        ui.horizontal(|ui| {
            ui.label(format!(
                "{n} passage{} in {} document{}",
                if n == 1 { "" } else { "s" },
                found.documents,
                if found.documents == 1 { "" } else { "s" },
            ))
            .on_hover_text(format!(
                "Where “{}” holds{}, merged where passages overlap or touch",
                found.query,
                if found.subcodes {
                    " (each code with its sub-codes)"
                } else {
                    ""
                }
            ));
            if n > 0
                && ui
                    .small_button("Export…")
                    .on_hover_text(
                        "The passages as CSV, in the coded segments table's columns, with the \
                         query as the code",
                    )
                    .clicked()
            {
                let rows = crate::export::questions::query_rows(&found.passages, &found.query);
                match crate::export::segments::to_csv(&rows) {
                    Ok(bytes) => out.push(Command::SaveFile {
                        name: "coding-query.csv".into(),
                        bytes,
                    }),
                    Err(e) => {
                        out.push(Command::Error(format!(
                            "Could not export the passages: {e}"
                        )));
                    }
                }
            }
        });
        if n == 0 {
            ui.weak(
                "No passage satisfies the query. NEAR/N with a larger N, OR instead of AND, or \
                 Include sub-codes may find some.",
            );
            return;
        }
        self.save_ui(ui, view, out);
        if let Some(name) = &self.saved {
            ui.weak(format!(
                "Coded these passages with “{name}” (Edit ▸ Undo takes it back)."
            ));
        }
        let Some(found) = &self.found else {
            return;
        };
        ui.separator();
        passage_cards_ui(ui, "query_cards", &found.passages, &[], out);
    }

    fn save_ui(&mut self, ui: &mut Ui, view: &ProjectView, out: &mut Vec<Command>) {
        let Some(found) = &self.found else {
            return;
        };
        ui.horizontal(|ui| {
            let r = ui.add(
                TextEdit::singleline(&mut self.save_name)
                    .hint_text("New code, or Parent/Child")
                    .desired_width(240.0),
            );
            let r = r.accessible_name("Code name");
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            let name = crate::model::split_path(&self.save_name)
                .collect::<Vec<_>>()
                .join("/");
            let clicked = ui
                .add_enabled(!name.is_empty(), egui::Button::new("Save as code…"))
                .on_hover_text(
                    "Code these passages with a code of this name (made if new); one step \
                     that Undo takes back. Passages the code already covers are skipped.",
                )
                .clicked();
            if (clicked || enter) && !name.is_empty() {
                let coder = view.coder.or_else(|| view.coders.first().map(|c| c.id));
                match coder {
                    Some(coder) => {
                        out.push(Command::Edit(Action::CodeRanges {
                            path: name.clone(),
                            coder,
                            ranges: found
                                .passages
                                .iter()
                                .filter_map(|p| {
                                    CharRange::new(p.passage.start, p.passage.end)
                                        .map(|r| (p.passage.doc, r))
                                })
                                .collect(),
                            label: format!("Save the query “{}” as “{name}”", found.query),
                        }));
                        self.save_name.clear();
                        self.saved = Some(name.clone());
                    }
                    None => {
                        self.error = Some(
                            "The project has no coder yet to attribute the codings to: code \
                             one passage first."
                                .into(),
                        );
                    }
                }
            }
        });
    }

    /// Appends a code to the query, quoted when its name needs it, by name when that is
    /// unique, else by path.
    fn insert_code(&mut self, view: &ProjectView, id: crate::model::CodeId) {
        let Some(code) = view.tree.get(id) else {
            return;
        };
        let unique = view
            .tree
            .codes
            .iter()
            .filter(|c| c.name == code.name)
            .count()
            == 1;
        let name = if unique {
            code.name.clone()
        } else {
            view.tree.path(id)
        };
        let written = query::Expr::Code(name).to_string();
        let trimmed = self.text.trim_end();
        let needs_op = !trimmed.is_empty()
            && !["AND", "OR", "NOT", "("]
                .iter()
                .any(|op| trimmed.to_uppercase().ends_with(op))
            && !trimmed
                .to_uppercase()
                .rsplit(' ')
                .next()
                .is_some_and(|w| w.starts_with("NEAR/"));
        self.text = if trimmed.is_empty() {
            written
        } else if needs_op {
            format!("{trimmed} AND {written}")
        } else {
            format!("{trimmed} {written}")
        };
    }

    fn run(&mut self, db: Db<'_>, view: &ProjectView, text: &str, subcodes: bool) {
        let result = query::parse(text).and_then(|expr| {
            let corpus = Corpus::load(db)?;
            let passages = corpus.in_order(&corpus.evaluate(&expr, subcodes)?);
            query::show(db, &passages)
        });
        match result {
            Ok(passages) => {
                if self.found.as_ref().is_none_or(|f| f.query != text.trim()) {
                    self.saved = None;
                }
                let mut docs: Vec<_> = passages.iter().map(|p| p.passage.doc).collect();
                docs.dedup();
                self.error = None;
                self.found = Some(Found {
                    query: text.trim().to_owned(),
                    subcodes,
                    version: view.version,
                    documents: docs.len(),
                    passages,
                });
            }
            Err(e) => {
                self.found = None;
                self.error = Some(capitalise(&e.to_string()));
            }
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect::<String>() + ".",
        None => String::new(),
    }
}

/// Height of one passage card.
const CARD_H: f32 = 66.0;

/// The passages as cards of one height (document, position, speaker, two lines of text);
/// only those in view are drawn. Clicking a card opens the transcript at the passage. With
/// `codings` (one per passage), the card marks that coding.
pub(super) fn passage_cards_ui(
    ui: &mut Ui,
    id: &str,
    passages: &[ShownPassage],
    codings: &[CodingId],
    out: &mut Vec<Command>,
) {
    let n = passages.len();
    egui::ScrollArea::vertical()
        .id_salt(id)
        .auto_shrink([false, true])
        .show_rows(ui, CARD_H, n, |ui, range| {
            for i in range {
                let p = &passages[i];
                let width = ui.available_width();
                let (rect, resp) = ui.allocate_exact_size(vec2(width, CARD_H), Sense::click());
                let visuals = ui.visuals().clone();
                let fill = if resp.hovered() {
                    visuals.widgets.hovered.weak_bg_fill
                } else {
                    visuals.faint_bg_color
                };
                ui.painter().rect_filled(rect, 4.0, fill);
                ui.painter().rect_stroke(
                    rect,
                    4.0,
                    visuals.widgets.noninteractive.bg_stroke,
                    egui::StrokeKind::Inside,
                );
                let inner = rect.shrink2(vec2(8.0, 5.0));
                let mut head = format!("{} · {}–{}", p.document, p.passage.start, p.passage.end);
                if !p.speaker.is_empty() {
                    head.push_str(&format!(" · {}", p.speaker));
                }
                if !p.timestamp.is_empty() {
                    head.push_str(&format!(" [{}]", p.timestamp));
                }
                let font: FontId = egui::TextStyle::Body.resolve(ui.style());
                let small: FontId = egui::TextStyle::Small.resolve(ui.style());
                let head_galley = ui.painter().layout_no_wrap(
                    head.clone(),
                    small.clone(),
                    visuals.weak_text_color(),
                );
                ui.painter()
                    .galley(inner.min, head_galley, visuals.weak_text_color());
                let mut job = LayoutJob::default();
                let text: String = p.text.split_whitespace().collect::<Vec<_>>().join(" ");
                job.append(
                    &text,
                    0.0,
                    TextFormat::simple(font, visuals.strong_text_color()),
                );
                job.wrap.max_width = inner.width();
                job.wrap.max_rows = 2;
                let galley = ui.painter().layout_job(job);
                ui.painter().galley(
                    inner.min + vec2(0.0, small.size + 6.0),
                    galley,
                    Color32::PLACEHOLDER,
                );
                let label = format!("Passage {} of {n}: {head}", i + 1);
                resp.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::accesskit::Role::Button, true, &label)
                });
                let resp = resp.on_hover_text("Open in the transcript");
                if resp.clicked() {
                    out.push(Command::JumpTo {
                        doc: p.passage.doc,
                        coding: codings.get(i).copied(),
                        start: p.passage.start,
                        end: p.passage.end,
                    });
                    out.push(Command::ShowTab(Tab::Transcript));
                }
            }
        });
}
