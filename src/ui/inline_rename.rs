//! The in-place name editor the codebook and the document list share: a text field drawn
//! over a row, committed by Enter or by leaving it, cancelled by Escape.

use std::hash::Hash;

use egui::{Key, Rect, TextEdit, Ui};

/// A name being edited in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineRename {
    /// The text in the field.
    pub text: String,
    focus: bool,
}

/// What the user did with the field this frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameOutcome {
    /// Still typing.
    Editing,
    /// Escape: keep the old name.
    Cancelled,
    /// Enter or focus left the field: the trimmed new name.
    Commit(String),
}

impl InlineRename {
    /// Starts editing `current`; the field takes the keyboard focus.
    pub fn new(current: &str) -> Self {
        Self {
            text: current.to_owned(),
            focus: true,
        }
    }

    /// Gives the field the focus again (after a refused name, so the user can fix it).
    pub fn refocus(&mut self) {
        self.focus = true;
    }

    /// Draws the field over `rect`, labelled for assistive technology as "New name for
    /// “{old}”".
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        rect: Rect,
        id_salt: impl Hash + std::fmt::Debug,
        old: &str,
    ) -> RenameOutcome {
        let resp = ui
            .put(
                rect,
                TextEdit::singleline(&mut self.text)
                    .id(ui.scope_id().with(id_salt))
                    .desired_width(rect.width()),
            )
            .accessible_name(format!("New name for “{old}”"));
        if self.focus {
            resp.request_focus();
            self.focus = false;
            return RenameOutcome::Editing;
        }
        if ui.input(|i| i.key_pressed(Key::Escape)) {
            return RenameOutcome::Cancelled;
        }
        if resp.lost_focus() || !resp.has_focus() {
            return RenameOutcome::Commit(self.text.trim().to_owned());
        }
        RenameOutcome::Editing
    }
}
