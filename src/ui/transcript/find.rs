//! The Ctrl+F find bar: its state, the case-folded search over the document, and stepping
//! through matches.

// The view is one struct; this file adds one concern to it and shares its imports.
use super::*;
/// The find bar's state.
#[derive(Debug, Default)]
pub(super) struct Find {
    pub(super) open: bool,
    pub(super) query: String,
    pub(super) searched: Option<String>,
    pub(super) matches: Vec<Range<usize>>,
    pub(super) current: Option<usize>,
    pub(super) focus_request: bool,
    pub(super) origin: usize,
}

impl TranscriptView {
    // ---- find ----------------------------------------------------------------------------

    pub(super) fn open_find(&mut self, ctx: &Context, find_id: Id) {
        self.find.open = true;
        self.find.focus_request = true;
        self.find.origin = self
            .selection()
            .map_or_else(|| self.first_visible_char(), |r| r.start);
        if !self.find.query.is_empty()
            && let Some(mut state) = egui::text_edit::TextEditState::load(ctx, find_id)
        {
            let n = crate::text::char_len(&self.find.query);
            state
                .cursor
                .set_char_range(Some(CCursorRange::two(CCursor::new(0), CCursor::new(n))));
            state.store(ctx, find_id);
        }
    }

    pub(super) fn close_find(&mut self, ctx: &Context, id: Id) {
        self.find.open = false;
        self.find.matches.clear();
        self.find.current = None;
        self.find.searched = None;
        ctx.memory_mut(|m| m.request_focus(id));
    }

    pub(super) fn run_find(&mut self) {
        if self.find.searched.as_deref() == Some(self.find.query.as_str()) {
            return;
        }
        let folded = self
            .folded
            .get_or_insert_with(|| crate::text::fold_case(&self.text));
        self.find.matches =
            crate::text::find_all(folded, &crate::text::fold_case(&self.find.query));
        self.find.searched = Some(self.find.query.clone());
        self.find.current = None;
        let origin = self.find.origin;
        let first = self.find.matches.partition_point(|m| m.start < origin);
        if !self.find.matches.is_empty() {
            self.go_to_match(first % self.find.matches.len());
        }
    }

    pub(super) fn go_to_match(&mut self, i: usize) {
        let Some(m) = self.find.matches.get(i).cloned() else {
            return;
        };
        self.find.current = Some(i);
        self.sel = Some((m.start, m.end));
        self.scroll_req = Some(ScrollTo::Reveal(m.start));
    }

    pub(super) fn step_match(&mut self, forward: bool) {
        let n = self.find.matches.len();
        if n == 0 {
            return;
        }
        let i = match self.find.current {
            Some(i) if forward => (i + 1) % n,
            Some(i) => (i + n - 1) % n,
            None => 0,
        };
        self.go_to_match(i);
    }

    pub(super) fn find_bar_ui(&mut self, ui: &mut Ui, id: Id) {
        let ctx = ui.ctx().clone();
        let find_id = id.with("find");
        let mut close = false;
        ui.horizontal(|ui| {
            let r = ui.add(
                egui::TextEdit::singleline(&mut self.find.query)
                    .id(find_id)
                    .hint_text("Find in transcript")
                    .desired_width(220.0)
                    .return_key(None),
            );
            if self.find.focus_request {
                r.request_focus();
                self.find.focus_request = false;
            }
            if r.changed() {
                self.find.origin = self
                    .find
                    .current
                    .and_then(|i| self.find.matches.get(i))
                    .map_or(self.find.origin, |m| m.start);
                self.run_find();
            }
            if r.has_focus() || r.lost_focus() {
                let (enter, shift, esc) = ui.input(|i| {
                    (
                        i.key_pressed(Key::Enter),
                        i.modifiers.shift,
                        i.key_pressed(Key::Escape),
                    )
                });
                if enter {
                    self.run_find();
                    self.step_match(!shift);
                }
                if esc {
                    // Handled here: the transcript must not also clear its selection.
                    ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape));
                    close = true;
                }
            }
            let n = self.find.matches.len();
            let status = match (self.find.query.is_empty(), self.find.current) {
                (true, _) => String::new(),
                (false, _) if n == 0 => "No matches".to_owned(),
                (false, Some(i)) => format!("{} of {}", i + 1, n),
                (false, None) => format!("{n} matches"),
            };
            ui.label(status);
            if ui.button("Previous").on_hover_text("Shift+Enter").clicked() {
                self.step_match(false);
            }
            if ui.button("Next").on_hover_text("Enter").clicked() {
                self.step_match(true);
            }
            if ui.button("Close").on_hover_text("Escape").clicked() {
                close = true;
            }
        });
        if close {
            self.close_find(&ctx, id);
        }
    }
}
