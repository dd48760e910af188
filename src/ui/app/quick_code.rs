//! The quick-code box (Q or Ctrl+K): a fuzzy search over the codebook that applies the chosen
//! code to the selection, or creates a new code by that name.

use egui::{Color32, Key, Modifiers, RichText};

use super::WeftApp;
use crate::model::CodeId;

#[derive(Default)]
pub(super) struct QuickCode {
    pub(super) open: bool,
    pub(super) query: String,
    pub(super) index: usize,
    pub(super) focus: bool,
}

impl WeftApp {
    pub(super) fn open_quick(&mut self) {
        if self.selection().is_none() {
            self.notice("Select a passage in the transcript first");
            return;
        }
        self.quick = QuickCode {
            open: true,
            query: String::new(),
            index: 0,
            focus: true,
        };
    }

    pub(super) fn quick_ui(&mut self, ctx: &egui::Context) {
        if !self.quick.open {
            return;
        }
        let matcher = fuzzy_matcher::skim::SkimMatcherV2::default();
        let query = self.quick.query.trim().to_owned();
        let mut hits: Vec<(i64, CodeId, String)> = self
            .view
            .tree
            .codes
            .iter()
            .filter_map(|c| {
                let path = self.view.tree.path(c.id);
                if query.is_empty() {
                    return Some((0, c.id, path));
                }
                fuzzy_matcher::FuzzyMatcher::fuzzy_match(&matcher, &path, &query)
                    .map(|s| (s, c.id, path))
            })
            .collect();
        hits.sort_by_key(|h| std::cmp::Reverse(h.0));
        hits.truncate(12);
        let exact = hits.iter().any(|h| {
            h.2.eq_ignore_ascii_case(&query)
                || h.2
                    .rsplit('/')
                    .next()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&query))
        });
        let create = !query.is_empty() && !exact;
        let n = hits.len() + usize::from(create);
        let mut chosen: Option<Option<CodeId>> = None;
        let mut close = false;
        let modal = egui::Modal::new(egui::Id::unique("quick-code")).show(ctx, |ui| {
            ui.set_width(420.0);
            ui.label(RichText::new("Apply a code").strong());
            let edit = ui.add(
                egui::TextEdit::singleline(&mut self.quick.query)
                    .hint_text("Type to find a code, or a new name")
                    .desired_width(f32::INFINITY),
            );
            if self.quick.focus {
                edit.request_focus();
                self.quick.focus = false;
            }
            if edit.changed() {
                self.quick.index = 0;
            }
            ui.input_mut(|i| {
                if i.consume_key(Modifiers::NONE, Key::ArrowDown) {
                    self.quick.index = (self.quick.index + 1).min(n.saturating_sub(1));
                }
                if i.consume_key(Modifiers::NONE, Key::ArrowUp) {
                    self.quick.index = self.quick.index.saturating_sub(1);
                }
                if i.consume_key(Modifiers::NONE, Key::Escape) {
                    close = true;
                }
            });
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            // A fixed-height list, so the box does not jump while typing.
            egui::ScrollArea::vertical()
                .id_salt("quick-hits")
                .min_scrolled_height(280.0)
                .max_height(280.0)
                .show(ui, |ui| {
                    ui.set_min_height(280.0);
                    ui.set_width(ui.available_width());
                    for (i, (_, id, path)) in hits.iter().enumerate() {
                        let color = self
                            .view
                            .tree
                            .get(*id)
                            .map(|c| c.color.0)
                            .unwrap_or([128, 128, 128]);
                        ui.horizontal(|ui| {
                            let (rect, _) = ui
                                .allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                            ui.painter().rect_filled(
                                rect,
                                2.0,
                                Color32::from_rgb(color[0], color[1], color[2]),
                            );
                            if ui.selectable_label(i == self.quick.index, path).clicked() {
                                chosen = Some(Some(*id));
                            }
                        });
                    }
                    if create
                        && ui
                            .selectable_label(
                                self.quick.index == hits.len(),
                                format!("Create “{query}” and apply"),
                            )
                            .clicked()
                    {
                        chosen = Some(None);
                    }
                });
            if enter && n > 0 {
                chosen = Some(hits.get(self.quick.index).map(|h| h.1));
            }
            ui.weak("↑↓ choose · Enter applies · Esc closes");
        });
        if modal.should_close() {
            close = true;
        }
        if let Some(choice) = chosen {
            self.quick.open = false;
            match choice {
                Some(code) => self.apply_to_selection(code),
                None => self.create_and_apply(query),
            }
        } else if close {
            self.quick.open = false;
        }
    }
}
