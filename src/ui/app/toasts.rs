//! Toasts: short notices and errors in the bottom-right corner. Errors stay longer; the user
//! can dismiss any. A message already shown is not shown twice (its time is renewed instead),
//! and toasts are opaque so they stay readable over the transcript in both themes. A coding's
//! notice offers "Undo" while that coding is still the last step.

use egui::{Align2, Color32, Visuals};

use super::WeftApp;

pub(super) struct Toast {
    pub(super) text: String,
    pub(super) error: bool,
    pub(super) until: f64,
    /// The undo label this toast's "Undo" button undoes, while it is still the last step.
    pub(super) undo: Option<String>,
}

/// The opaque background of a toast: the window fill, tinted red for errors.
pub(super) fn toast_fill(visuals: &Visuals, error: bool) -> Color32 {
    let base = visuals.window_fill.to_opaque();
    if error {
        base.lerp_to_gamma(visuals.error_fg_color.to_opaque(), 0.1)
            .to_opaque()
    } else {
        base
    }
}

impl WeftApp {
    pub(super) fn error(&mut self, text: impl Into<String>) {
        self.push_toast(text.into(), true, None);
    }

    pub(super) fn notice(&mut self, text: impl Into<String>) {
        self.push_toast(text.into(), false, None);
    }

    /// A notice with an "Undo" button that undoes the step now last in the history.
    pub(super) fn notice_with_undo(&mut self, text: impl Into<String>) {
        let undo = self.view.undo_label.clone();
        self.push_toast(text.into(), false, undo);
    }

    fn push_toast(&mut self, text: String, error: bool, undo: Option<String>) {
        // The same message again only renews the one shown.
        if let Some(t) = self
            .toasts
            .iter_mut()
            .find(|t| t.text == text && t.error == error)
        {
            t.until = f64::NAN;
            t.undo = undo;
            return;
        }
        self.toasts.push(Toast {
            text,
            error,
            until: f64::NAN,
            undo,
        });
    }

    pub(super) fn toasts_ui(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        for t in &mut self.toasts {
            if t.until.is_nan() {
                t.until = now
                    + if t.error {
                        10.0
                    } else if t.undo.is_some() {
                        6.0
                    } else {
                        3.0
                    };
            }
        }
        self.toasts.retain(|t| t.until > now);
        if self.toasts.is_empty() {
            return;
        }
        ctx.request_repaint_after(std::time::Duration::from_millis(250));
        let mut dismiss = None;
        let mut undo = None;
        let last_step = self.view.undo_label.clone();
        egui::Area::new(egui::Id::unique("toasts"))
            .anchor(Align2::RIGHT_BOTTOM, egui::vec2(-16.0, -40.0))
            .order(egui::Order::Foreground)
            .show(ctx, |ui| {
                for (i, t) in self.toasts.iter().enumerate() {
                    let fill = toast_fill(ui.visuals(), t.error);
                    egui::Frame::popup(ui.style()).fill(fill).show(ui, |ui| {
                        ui.set_max_width(420.0);
                        ui.horizontal(|ui| {
                            if t.error {
                                ui.colored_label(ui.visuals().error_fg_color, "Error");
                            }
                            ui.label(
                                egui::RichText::new(&t.text)
                                    .color(ui.visuals().strong_text_color()),
                            );
                            if t.undo.is_some()
                                && t.undo == last_step
                                && ui.small_button("Undo").clicked()
                            {
                                undo = Some(i);
                            }
                            if ui.small_button("✕").on_hover_text("Dismiss").clicked() {
                                dismiss = Some(i);
                            }
                        });
                    });
                }
            });
        if let Some(i) = undo {
            self.toasts.remove(i);
            self.undo();
        } else if let Some(i) = dismiss {
            self.toasts.remove(i);
        }
    }

    /// Messages currently shown (for tests).
    pub fn messages(&self) -> Vec<String> {
        self.toasts.iter().map(|t| t.text.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::toast_fill;

    /// Relative luminance (WCAG) of an sRGB colour.
    fn luminance(c: egui::Color32) -> f32 {
        let f = |v: u8| {
            let v = v as f32 / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * f(c.r()) + 0.7152 * f(c.g()) + 0.0722 * f(c.b())
    }

    fn contrast(a: egui::Color32, b: egui::Color32) -> f32 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn toasts_are_opaque_and_readable_in_both_themes() {
        for visuals in [egui::Visuals::light(), egui::Visuals::dark()] {
            for error in [false, true] {
                let fill = toast_fill(&visuals, error);
                assert_eq!(fill.a(), 255, "dark={} error={error}", visuals.dark_mode);
                let text = contrast(fill, visuals.strong_text_color());
                assert!(
                    text >= 4.5,
                    "text contrast {text} (dark={})",
                    visuals.dark_mode
                );
                if error {
                    let label = contrast(fill, visuals.error_fg_color);
                    assert!(
                        label >= 3.0,
                        "error label contrast {label} (dark={})",
                        visuals.dark_mode
                    );
                }
            }
        }
    }
}
