//! Word frequencies: the most frequent words of all the text or of one code's coded text, each
//! with a bar, its count and the documents it occurs in. Clicking a word lists its occurrences
//! below with the words around them (keyword in context); clicking one opens it in the
//! transcript.
//!
//! The numbers are [`crate::analysis::words`]'s (`weft words`), computed when asked for and
//! kept until the project or the options change.

use egui::{Sense, Ui, vec2};

use crate::analysis::words::{self, DEFAULT_MIN_LENGTH, KwicLine, WordOptions, WordReport};
use crate::model::CodeId;
use crate::store::Db;
use crate::ui::scope_bar::{fmt_count, plural};
use crate::ui::view::{Command, ProjectView, Tab};

/// Words listed at most.
const SHOWN: usize = 300;
/// Occurrences listed at most for a word.
const KWIC_CAP: usize = 300;
/// Words of context either side of an occurrence.
const CONTEXT: usize = 6;

/// What a computation was for.
#[derive(Clone, PartialEq)]
struct Key {
    version: u64,
    code: Option<CodeId>,
    stop: bool,
    min_length: usize,
    numbers: bool,
}

/// The occurrences of the clicked word.
struct Kwic {
    key: Key,
    word: String,
    lines: Result<(Vec<KwicLine>, usize), String>,
}

/// Word frequencies.
pub struct WordsView {
    code: Option<CodeId>,
    stop: bool,
    min_length: usize,
    numbers: bool,
    /// Show the words as a cloud instead of a list.
    cloud: bool,
    cache: Option<(Key, Result<WordReport, String>)>,
    kwic: Option<Kwic>,
}

impl Default for WordsView {
    fn default() -> Self {
        Self {
            code: None,
            stop: true,
            min_length: DEFAULT_MIN_LENGTH,
            numbers: false,
            cloud: false,
            cache: None,
            kwic: None,
        }
    }
}

impl WordsView {
    fn options(&self) -> WordOptions {
        WordOptions {
            code: self.code,
            docs: None,
            stopwords: self.stop.then(|| "en".to_owned()),
            min_length: self.min_length,
            numbers: self.numbers,
            labels: false,
            limit: Some(SHOWN),
        }
    }

    fn key(&self, view: &ProjectView) -> Key {
        Key {
            version: view.version,
            code: self.code,
            stop: self.stop,
            min_length: self.min_length,
            numbers: self.numbers,
        }
    }

    /// Draws the view.
    pub fn ui(&mut self, ui: &mut Ui, db: Db<'_>, view: &ProjectView, out: &mut Vec<Command>) {
        self.options_ui(ui, view);
        let key = self.key(view);
        if self.cache.as_ref().is_none_or(|(k, _)| *k != key) {
            let result = words::words(db, &self.options()).map_err(|e| e.to_string());
            self.cache = Some((key.clone(), result));
        }
        let Some((_, result)) = &self.cache else {
            return;
        };
        let report = match result {
            Ok(r) => r,
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                return;
            }
        };
        if ui
            .small_button("Export…")
            .on_hover_text("The words listed, with their counts and documents, as CSV")
            .clicked()
        {
            match crate::export::questions::words_csv(report) {
                Ok(bytes) => out.push(Command::SaveFile {
                    name: "word-frequencies.csv".into(),
                    bytes,
                }),
                Err(e) => out.push(Command::Error(format!("Could not export the words: {e}"))),
            }
        }
        ui.add(
            egui::Label::new(
                egui::RichText::new(format!(
                    "{} in {}; {} distinct{}. Count: times the word occurs; documents: how many \
                     documents it occurs in. Words are lowercased{}; speaker labels are left \
                     out. Click a word to read it in context.",
                    plural(report.totals.words, "word", "words"),
                    plural(report.totals.documents, "document", "documents"),
                    fmt_count(report.totals.distinct),
                    if report.words.len() < report.totals.distinct {
                        format!(", the {} most frequent shown", report.words.len())
                    } else {
                        String::new()
                    },
                    if self.stop {
                        "; common English words (the, and, of…) are left out"
                    } else {
                        ""
                    },
                ))
                .weak(),
            )
            .wrap(),
        );
        ui.add_space(4.0);
        if report.words.is_empty() {
            ui.weak("No words to count here.");
            return;
        }
        let share = if self.kwic.is_some() { 0.5 } else { 1.0 };
        ui.horizontal(|ui| {
            ui.label("Show as:");
            ui.selectable_value(&mut self.cloud, false, "List");
            ui.selectable_value(&mut self.cloud, true, "Cloud")
                .on_hover_text("The 100 most frequent words, sized by how often they occur");
        });
        let selected = self.kwic.as_ref().map(|k| k.word.as_str());
        let clicked = if self.cloud {
            cloud_ui(ui, report, selected, share)
        } else {
            list_ui(ui, report, selected, share)
        };
        if let Some(word) = clicked {
            let lines = words::keyword_in_context(
                db,
                &WordOptions {
                    limit: None,
                    ..self.options()
                },
                &word,
                CONTEXT,
                KWIC_CAP,
            )
            .map_err(|e| e.to_string());
            self.kwic = Some(Kwic {
                key: key.clone(),
                word,
                lines,
            });
        }
        if self.kwic.as_ref().is_some_and(|k| k.key != key) {
            self.kwic = None;
        }
        if let Some(k) = &self.kwic {
            ui.separator();
            kwic_ui(ui, k, view, out);
        }
    }

    fn options_ui(&mut self, ui: &mut Ui, view: &ProjectView) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Text:");
            let current = self
                .code
                .and_then(|c| view.tree.get(c).map(|_| view.tree.path(c)))
                .unwrap_or_else(|| "All text".to_owned());
            egui::ComboBox::from_id_salt("words_code")
                .selected_text(current)
                .width(220.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.code, None, "All text");
                    for c in &view.tree.codes {
                        let depth = view.tree.depth(c.id);
                        let label = format!("{}{}", "   ".repeat(depth), c.name);
                        ui.selectable_value(&mut self.code, Some(c.id), label)
                            .on_hover_text(format!("Only the text coded {}", view.tree.path(c.id)));
                    }
                })
                .response
                .on_hover_text("Count the words of all the text, or only of one code's passages");
            ui.separator();
            ui.checkbox(&mut self.stop, "Leave out common words")
                .on_hover_text("Leave out English stop words: the, and, of, I, it…");
            ui.checkbox(&mut self.numbers, "Numbers")
                .on_hover_text("Keep words made only of digits (years, ages, timestamps)");
            ui.separator();
            ui.label("Shortest word:");
            ui.add(egui::DragValue::new(&mut self.min_length).range(1..=30))
                .on_hover_text("Leave out words shorter than this many letters");
        });
    }
}

/// The list of words; returns the word clicked.
fn list_ui(ui: &mut Ui, report: &WordReport, selected: Option<&str>, share: f32) -> Option<String> {
    let max = report.words.first().map_or(1, |w| w.count.max(1));
    let mut clicked = None;
    let height = (ui.available_height() * share).max(160.0);
    let row_h = 20.0;
    egui::ScrollArea::vertical()
        .id_salt("words_list")
        .max_height(height)
        .auto_shrink([false, true])
        .show_rows(ui, row_h, report.words.len(), |ui, rows| {
            for w in &report.words[rows] {
                let (rect, resp) = ui.allocate_exact_size(
                    vec2(ui.available_width().max(200.0), row_h),
                    Sense::click(),
                );
                let visuals = ui.visuals();
                let painter = ui.painter();
                if selected == Some(w.word.as_str()) {
                    painter.rect_filled(rect, 2.0, visuals.selection.bg_fill.gamma_multiply(0.5));
                } else if resp.hovered() {
                    painter.rect_filled(rect, 2.0, visuals.faint_bg_color);
                }
                let font = egui::TextStyle::Body.resolve(ui.style());
                let word_w = 160.0;
                painter.text(
                    rect.left_center() + vec2(4.0, 0.0),
                    egui::Align2::LEFT_CENTER,
                    crate::text::ellipsize(&w.word, 22),
                    font.clone(),
                    visuals.strong_text_color(),
                );
                let bar_max = (rect.width() - word_w - 190.0).max(40.0);
                let bar = egui::Rect::from_min_size(
                    rect.min + vec2(word_w, 4.0),
                    vec2(bar_max * (w.count as f32 / max as f32), row_h - 8.0),
                );
                painter.rect_filled(bar, 2.0, visuals.selection.bg_fill.gamma_multiply(0.45));
                painter.text(
                    egui::pos2(rect.min.x + word_w + bar_max + 8.0, rect.center().y),
                    egui::Align2::LEFT_CENTER,
                    format!(
                        "{} · {}",
                        fmt_count(w.count),
                        plural(w.documents, "document", "documents")
                    ),
                    font,
                    visuals.text_color(),
                );
                resp.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::accesskit::Role::Button, true, &w.word)
                });
                if resp
                    .on_hover_text(format!(
                        "“{}”: {} times in {}. Click to read it in context.",
                        w.word,
                        fmt_count(w.count),
                        plural(w.documents, "document", "documents")
                    ))
                    .clicked()
                {
                    clicked = Some(w.word.clone());
                }
            }
        });
    clicked
}

/// The most frequent words as a cloud: each word's size grows with the square root of its
/// count, in order of frequency. Returns the word clicked.
fn cloud_ui(
    ui: &mut Ui,
    report: &WordReport,
    selected: Option<&str>,
    share: f32,
) -> Option<String> {
    let max = report.words.first().map_or(1, |w| w.count.max(1)) as f32;
    let mut clicked = None;
    let height = (ui.available_height() * share).max(160.0);
    egui::ScrollArea::vertical()
        .id_salt("words_cloud")
        .max_height(height)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.spacing_mut().item_spacing = vec2(12.0, 4.0);
                let accent = ui.visuals().hyperlink_color;
                let text = ui.visuals().text_color();
                for w in report.words.iter().take(100) {
                    let t = (w.count as f32 / max).sqrt();
                    let size = 12.0 + 30.0 * t;
                    let mut rich = egui::RichText::new(&w.word)
                        .size(size)
                        .color(text.lerp_to_gamma(accent, t));
                    if selected == Some(w.word.as_str()) {
                        rich = rich.underline().strong();
                    }
                    let resp = ui
                        .add(
                            egui::Label::new(rich)
                                .sense(Sense::click())
                                .selectable(false),
                        )
                        .on_hover_text(format!(
                            "“{}”: {} times in {}",
                            w.word,
                            fmt_count(w.count),
                            plural(w.documents, "document", "documents")
                        ));
                    if resp.clicked() {
                        clicked = Some(w.word.clone());
                    }
                }
            });
        });
    clicked
}

fn kwic_ui(ui: &mut Ui, k: &Kwic, view: &ProjectView, out: &mut Vec<Command>) {
    let (lines, total) = match &k.lines {
        Ok((l, n)) => (l, *n),
        Err(e) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
    };
    ui.strong(format!(
        "“{}” in context: {}",
        k.word,
        plural(total, "occurrence", "occurrences")
    ));
    egui::ScrollArea::vertical()
        .id_salt("words_kwic")
        .auto_shrink([false, true])
        .show(ui, |ui| {
            let visuals = ui.visuals().clone();
            let font = egui::TextStyle::Body.resolve(ui.style());
            for (i, l) in lines.iter().enumerate() {
                let doc = view.document(l.doc).map_or("", |d| d.name.as_str());
                let mut job = egui::text::LayoutJob::default();
                let weak = egui::TextFormat::simple(font.clone(), visuals.weak_text_color());
                let plain = egui::TextFormat::simple(font.clone(), visuals.text_color());
                let strong = egui::TextFormat {
                    background: visuals.selection.bg_fill.gamma_multiply(0.45),
                    ..egui::TextFormat::simple(font.clone(), visuals.strong_text_color())
                };
                job.append(&format!("{doc}   "), 0.0, weak);
                job.append(&format!("…{}", l.before), 0.0, plain.clone());
                job.append(&l.word, 0.0, strong);
                job.append(&format!("{}…", l.after), 0.0, plain);
                let label = format!("Occurrence {} of {total}: {doc} at {}", i + 1, l.start);
                let resp = ui
                    .add(
                        egui::Label::new(job)
                            .sense(Sense::click())
                            .selectable(false)
                            .truncate(),
                    )
                    .on_hover_text("Open in the transcript");
                resp.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::accesskit::Role::Button, true, &label)
                });
                if resp.clicked() {
                    out.push(Command::JumpTo {
                        doc: l.doc,
                        coding: None,
                        start: l.start,
                        end: l.end,
                    });
                    out.push(Command::ShowTab(Tab::Transcript));
                }
            }
            if total > lines.len() {
                ui.weak(format!("{} more not shown", fmt_count(total - lines.len())));
            }
        });
}
