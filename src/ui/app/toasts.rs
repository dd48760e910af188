//! Toasts: short notices and errors in the bottom-right corner. Errors stay longer; the user
//! can dismiss any.

use egui::Align2;

use super::WeftApp;

pub(super) struct Toast {
    pub(super) text: String,
    pub(super) error: bool,
    pub(super) until: f64,
}

impl WeftApp {
    pub(super) fn error(&mut self, text: impl Into<String>) {
        self.toasts.push(Toast {
            text: text.into(),
            error: true,
            until: f64::NAN,
        });
    }

    pub(super) fn notice(&mut self, text: impl Into<String>) {
        self.toasts.push(Toast {
            text: text.into(),
            error: false,
            until: f64::NAN,
        });
    }

    pub(super) fn toasts_ui(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        for t in &mut self.toasts {
            if t.until.is_nan() {
                t.until = now + if t.error { 10.0 } else { 3.0 };
            }
        }
        self.toasts.retain(|t| t.until > now);
        if self.toasts.is_empty() {
            return;
        }
        ctx.request_repaint_after(std::time::Duration::from_millis(250));
        let mut dismiss = None;
        egui::Area::new(egui::Id::unique("toasts"))
            .anchor(Align2::RIGHT_BOTTOM, egui::vec2(-16.0, -40.0))
            .order(egui::Order::Foreground)
            .show(ctx, |ui| {
                for (i, t) in self.toasts.iter().enumerate() {
                    let fill = if t.error {
                        ui.visuals().error_fg_color.gamma_multiply(0.2)
                    } else {
                        ui.visuals().extreme_bg_color
                    };
                    egui::Frame::popup(ui.style()).fill(fill).show(ui, |ui| {
                        ui.set_max_width(420.0);
                        ui.horizontal(|ui| {
                            if t.error {
                                ui.colored_label(ui.visuals().error_fg_color, "Error");
                            }
                            ui.label(&t.text);
                            if ui.small_button("✕").on_hover_text("Dismiss").clicked() {
                                dismiss = Some(i);
                            }
                        });
                    });
                }
            });
        if let Some(i) = dismiss {
            self.toasts.remove(i);
        }
    }

    /// Messages currently shown (for tests).
    pub fn messages(&self) -> Vec<String> {
        self.toasts.iter().map(|t| t.text.clone()).collect()
    }
}
