//! The inspector of the selected coding (right panel, bottom): its code, coder, range, excerpt
//! and memo, with recode, resize and remove.

use egui::RichText;

use super::WeftApp;
use crate::actions::Action;
use crate::model::{Coding, CodingId};
use crate::text;
use crate::ui::view::Command;

pub(super) struct Inspector {
    pub(super) coding: Coding,
    pub(super) memo: String,
    pub(super) version: u64,
}

impl WeftApp {
    /// Saves a coding memo still being typed before the inspector shows something else.
    pub(super) fn flush_inspector(&mut self) {
        if let Some(ins) = self.inspector.take()
            && ins.memo != ins.coding.memo
            && self
                .session
                .as_ref()
                .is_some_and(|s| s.read().coding(ins.coding.id).is_ok())
        {
            self.edit(Action::SetCodingMemo {
                coding: ins.coding.id,
                memo: ins.memo,
            });
        }
    }

    pub(super) fn inspector_ui(&mut self, ui: &mut egui::Ui, id: CodingId) {
        if self.inspector.as_ref().is_some_and(|i| i.coding.id != id) {
            self.flush_inspector();
        }
        let Some(session) = &self.session else { return };
        if self
            .inspector
            .as_ref()
            .is_none_or(|i| i.coding.id != id || i.version != self.version)
        {
            match session.read().coding(id) {
                Ok(c) => {
                    // A memo being typed survives reloads caused by other edits.
                    let memo = match &self.inspector {
                        Some(old) if old.coding.id == id && old.memo != old.coding.memo => {
                            old.memo.clone()
                        }
                        _ => c.memo.clone(),
                    };
                    self.inspector = Some(Inspector {
                        memo,
                        coding: c,
                        version: self.version,
                    })
                }
                Err(_) => {
                    self.inspector = None;
                    self.transcript.set_selected_coding(None);
                    return;
                }
            }
        }
        let Some(ins) = &mut self.inspector else {
            return;
        };
        let c = ins.coding.clone();
        ui.heading("Selected coding");
        let mut actions = Vec::new();
        // The edits first, so that a long memo or a small panel never hides them.
        ui.horizontal_wrapped(|ui| {
            let sel = self
                .transcript
                .selection()
                .filter(|r| r.start < r.end && (r.start, r.end) != (c.start, c.end));
            if ui
                .add_enabled(sel.is_some(), egui::Button::new("Set to selection"))
                .on_hover_text("Extend or shrink this coding to the selected text")
                .clicked()
                && let Some(range) = sel.and_then(crate::model::CharRange::from_range)
            {
                actions.push(Action::ResizeCoding {
                    coding: c.id,
                    range,
                });
            }
            if ui.button("Remove coding").clicked() {
                actions.push(Action::RemoveCoding(c.id));
            }
        });
        let path = self.view.tree.path(c.code);
        ui.label("Code");
        // A long code name is cut to the panel's width (the full path shows on hover).
        egui::ComboBox::from_id_salt("recode")
            .selected_text(path.as_str())
            .width(ui.available_width().max(60.0))
            .truncate()
            .show_ui(ui, |ui| {
                for code in &self.view.tree.codes {
                    if ui
                        .selectable_label(code.id == c.code, self.view.tree.path(code.id))
                        .clicked()
                        && code.id != c.code
                    {
                        actions.push(Action::RecodeCoding {
                            coding: c.id,
                            code: code.id,
                        });
                    }
                }
            })
            .response
            .accessible_name("Code of the selected coding")
            .on_hover_text(path.as_str());
        ui.add(egui::Label::new(format!("Coder: {}", self.view.coder_name(c.coder))).truncate());
        ui.label(format!(
            "Range: {}–{} ({} characters)",
            c.start,
            c.end,
            c.end - c.start
        ));
        let excerpt = text::slice_chars_clamped(
            &self.doc_text,
            c.start,
            c.start + (c.end - c.start).min(160),
        );
        ui.label(
            RichText::new(format!(
                "“{excerpt}{}”",
                if c.end - c.start > 160 { "…" } else { "" }
            ))
            .italics(),
        );
        ui.label("Memo");
        let memo_edit = ui.add(
            egui::TextEdit::multiline(&mut ins.memo)
                .desired_rows(3)
                .desired_width(f32::INFINITY)
                .hint_text("Why this passage? (saved when you leave the field)"),
        );
        if memo_edit.lost_focus() && ins.memo != c.memo {
            actions.push(Action::SetCodingMemo {
                coding: c.id,
                memo: ins.memo.clone(),
            });
        }
        ui.horizontal_wrapped(|ui| {
            if ui
                .add_enabled(ins.memo != c.memo, egui::Button::new("Save memo"))
                .clicked()
                && !memo_edit.lost_focus()
            {
                actions.push(Action::SetCodingMemo {
                    coding: c.id,
                    memo: ins.memo.clone(),
                });
            }
        });
        for a in actions {
            self.commands.push(Command::Edit(a));
        }
    }
}
