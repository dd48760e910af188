//! Reviewing themes, in Braun and Clarke's two levels: level 1, every extract of one theme's
//! codes, each marked as fitting, not fitting, or belonging elsewhere (moved to another code
//! in one step); level 2, theme × case and theme × document grids that show which themes only
//! one participant supports and which participants no theme speaks for.

use egui::{Align2, Color32, FontId, RichText, ScrollArea, Sense, Stroke, StrokeKind, Ui, vec2};

use super::view::{Command, ProjectView};
use crate::actions::{Action, ThemeAction};
use crate::analysis::themes::{CoverageGrid, Extract, GridAcross, coverage_grid, theme_extracts};
use crate::model::{CodeId, CodingId, GRID_SEEN_SETTING, ThemeId, Verdict, theme_order};
use crate::store::Db;

/// Which level of review is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Level {
    /// A theme's extracts, one by one.
    #[default]
    Extracts,
    /// The coverage grids.
    Coverage,
}

/// Extracts drawn at a time in level 1 (a theme can have thousands).
const PAGE: usize = 150;

/// The review tab.
#[derive(Default)]
pub struct ReviewView {
    theme: Option<ThemeId>,
    level: Level,
    only_unreviewed: bool,
    across_documents: bool,
    move_query: String,
    /// How many extracts are drawn before "Show more" (0: [`PAGE`]).
    limit: usize,
    /// `(version, theme, extracts)`.
    extracts: Option<(u64, ThemeId, Result<Vec<Extract>, String>)>,
    /// `(version, across documents, grid)`.
    grid: Option<(u64, bool, Result<CoverageGrid, String>)>,
    /// Whether looking at the grid was recorded during this visit of the tab.
    grid_recorded: bool,
    /// The egui pass the tab was last drawn in (a gap means a new visit).
    last_pass: u64,
}

impl ReviewView {
    /// The level shown.
    pub fn level(&self) -> Level {
        self.level
    }

    /// Shows a level.
    pub fn set_level(&mut self, level: Level) {
        self.level = level;
    }

    /// The theme reviewed, if any.
    pub fn theme(&self) -> Option<ThemeId> {
        self.theme
    }

    /// Reviews a theme.
    pub fn set_theme(&mut self, theme: ThemeId) {
        self.theme = Some(theme);
    }

    /// Draws the review.
    pub fn ui(&mut self, ui: &mut Ui, db: Db<'_>, view: &ProjectView, out: &mut Vec<Command>) {
        let pass = ui.ctx().cumulative_pass_nr();
        if pass > self.last_pass + 1 {
            self.grid_recorded = false;
        }
        self.last_pass = pass;

        let order = theme_order(&view.themes);
        if order.is_empty() {
            ui.add_space(12.0);
            ui.label(RichText::new("No themes yet").heading());
            ui.label(
                "Reviewing starts once you have candidate themes: gather codes into a theme on \
                 the Thematic map (or with “weft theme add” and “weft theme link”), then come \
                 back here to check each theme against its extracts and across the data set.",
            );
            return;
        }
        if self
            .theme
            .is_none_or(|t| !view.themes.iter().any(|x| x.id == t))
        {
            self.theme = order.first().map(|(_, t)| t.id);
        }

        ui.horizontal_wrapped(|ui| {
            ui.selectable_value(&mut self.level, Level::Extracts, "Level 1: extracts")
                .on_hover_text("Does each theme's coded data cohere? Read and mark every extract.");
            ui.selectable_value(&mut self.level, Level::Coverage, "Level 2: coverage")
                .on_hover_text("Does each theme hold across the whole data set?");
            ui.separator();
            if self.level == Level::Extracts {
                ui.label("Theme:");
                let current = self
                    .theme
                    .and_then(|id| view.themes.iter().find(|t| t.id == id))
                    .map_or(String::new(), |t| t.name.clone());
                egui::ComboBox::from_id_salt("review-theme")
                    .selected_text(current)
                    .width(ui.available_width().clamp(160.0, 360.0))
                    .truncate()
                    .show_ui(ui, |ui| {
                        for (depth, t) in &order {
                            let indent = "    ".repeat(*depth);
                            let label = if t.status == crate::model::ThemeStatus::Discarded {
                                format!("{indent}{} (discarded)", t.name)
                            } else {
                                format!("{indent}{}", t.name)
                            };
                            ui.selectable_value(&mut self.theme, Some(t.id), label);
                        }
                    });
            } else {
                ui.label("Across:");
                ui.selectable_value(&mut self.across_documents, false, "Cases");
                ui.selectable_value(&mut self.across_documents, true, "Documents");
            }
        });
        ui.separator();
        match self.level {
            Level::Extracts => self.level_one(ui, db, view, out),
            Level::Coverage => self.level_two(ui, db, view, out),
        }
    }

    // ---- level 1 -------------------------------------------------------------------------

    fn level_one(&mut self, ui: &mut Ui, db: Db<'_>, view: &ProjectView, out: &mut Vec<Command>) {
        let Some(theme_id) = self.theme else { return };
        let Some(theme) = view.themes.iter().find(|t| t.id == theme_id) else {
            return;
        };
        let fresh =
            matches!(&self.extracts, Some((v, t, _)) if *v == view.version && *t == theme_id);
        if !fresh {
            let got = theme_extracts(db, theme_id).map_err(|e| e.to_string());
            self.extracts = Some((view.version, theme_id, got));
        }
        let Some((_, _, got)) = &self.extracts else {
            return;
        };
        let extracts = match got {
            Ok(x) => x,
            Err(e) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Could not read the theme's extracts: {e}"),
                );
                return;
            }
        };

        ui.label(RichText::new(&theme.name).heading().strong());
        if !theme.concept.trim().is_empty() {
            ui.label(RichText::new(&theme.concept).italics());
        }
        if theme.codes.is_empty() {
            ui.add_space(8.0);
            ui.label(
                "This theme has no codes linked to it yet, so there is nothing to review. Link \
                 the codes that support it on the Thematic map.",
            );
            return;
        }
        if extracts.is_empty() {
            ui.add_space(8.0);
            ui.label("The codes linked to this theme have no coded extracts yet.");
            return;
        }
        let done = extracts.iter().filter(|e| e.verdict.is_some()).count();
        let total = extracts.len();
        ui.horizontal_wrapped(|ui| {
            super::phases::progress_line(
                ui,
                done as f32 / total as f32,
                &format!("{done} of {total} extracts reviewed"),
            );
            let fits = extracts
                .iter()
                .filter(|e| e.verdict == Some(Verdict::Fits))
                .count();
            let misfits = extracts
                .iter()
                .filter(|e| e.verdict == Some(Verdict::Misfit))
                .count();
            ui.weak(format!("{fits} fit · {misfits} don't fit"));
            ui.checkbox(&mut self.only_unreviewed, "Only unreviewed");
        });
        if done == total {
            ui.label(
                "Every extract is reviewed. If most fit, the theme coheres; if many don't, \
                 consider whether it should be reworked, split or set aside.",
            );
        }
        ui.add_space(4.0);

        let mut actions: Vec<Action> = Vec::new();
        let only_unreviewed = self.only_unreviewed;
        let move_query = &mut self.move_query;
        let limit = self.limit.max(PAGE);
        let eligible = if only_unreviewed { total - done } else { total };
        let mut more = false;
        ScrollArea::vertical()
            .id_salt(("review-extracts", theme_id))
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.set_max_width(ui.available_width().min(900.0));
                let mut i = 0;
                let mut shown = 0;
                while i < extracts.len() && shown < limit {
                    let code = extracts[i].code_id;
                    let j = extracts[i..]
                        .iter()
                        .position(|e| e.code_id != code)
                        .map_or(extracts.len(), |k| i + k);
                    let group = &extracts[i..j];
                    i = j;
                    let unreviewed = group.iter().filter(|e| e.verdict.is_none()).count();
                    if only_unreviewed && unreviewed == 0 {
                        continue;
                    }
                    ui.add_space(10.0);
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(&group[0].code).strong().size(16.0));
                        ui.weak(format!(
                            "{} · {} unreviewed",
                            plural(group.len(), "extract", "extracts"),
                            unreviewed
                        ));
                    });
                    ui.separator();
                    let mut last_case: Option<String> = None;
                    for e in group {
                        if only_unreviewed && e.verdict.is_some() {
                            continue;
                        }
                        if shown >= limit {
                            break;
                        }
                        let case = if e.cases.is_empty() {
                            "No case".to_owned()
                        } else {
                            e.cases.join(", ")
                        };
                        if last_case.as_ref() != Some(&case) {
                            ui.add_space(4.0);
                            ui.label(RichText::new(&case).strong());
                            last_case = Some(case);
                        }
                        extract_card(ui, view, theme_id, e, move_query, &mut actions, out);
                        shown += 1;
                    }
                }
                if shown == 0 {
                    ui.add_space(8.0);
                    ui.label("Every extract is reviewed.");
                }
                if eligible > shown {
                    ui.add_space(8.0);
                    more = ui
                        .button(format!("Show more ({} of {eligible} shown)", shown))
                        .clicked();
                }
            });
        if more {
            self.limit = limit + PAGE;
        }
        out.extend(actions.into_iter().map(Command::Edit));
    }

    // ---- level 2 -------------------------------------------------------------------------

    fn level_two(&mut self, ui: &mut Ui, db: Db<'_>, view: &ProjectView, out: &mut Vec<Command>) {
        if !self.grid_recorded {
            out.push(Command::Milestone(GRID_SEEN_SETTING));
            self.grid_recorded = true;
        }
        let across = self.across_documents;
        let fresh = matches!(&self.grid, Some((v, a, _)) if *v == view.version && *a == across);
        if !fresh {
            let which = if across {
                GridAcross::Documents
            } else {
                GridAcross::Cases
            };
            let got = coverage_grid(db, which).map_err(|e| e.to_string());
            self.grid = Some((view.version, across, got));
        }
        let Some((_, _, got)) = &self.grid else {
            return;
        };
        let grid = match got {
            Ok(g) => g,
            Err(e) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Could not count the themes' coverage: {e}"),
                );
                return;
            }
        };
        let (who, whom) = if across {
            ("document", "documents")
        } else {
            ("participant", "cases")
        };
        if grid.columns.is_empty() {
            ui.label(if across {
                "The project has no documents yet."
            } else {
                "The project has no cases yet. Cases stand for participants: assign documents \
                 (or speakers) to cases to see which themes each participant supports."
            });
            return;
        }
        if grid.themes.is_empty() {
            ui.label("Every theme is discarded: there is nothing to show.");
            return;
        }
        ui.label(format!(
            "How many coded extracts of each theme (with its sub-themes) come from each of the \
             {}. A theme should hold across the data set, not rest on one voice.",
            whom
        ));
        ui.add_space(4.0);
        let warn = ui.visuals().warn_fg_color;
        if grid.single_column.is_empty() && grid.silent_columns.is_empty() {
            ui.label(if across {
                "Every theme draws on more than one document, and every document has extracts \
                 in some theme."
            } else {
                "Every theme draws on more than one participant, and every case is spoken for \
                 by some theme."
            });
        }
        if !grid.single_column.is_empty() {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(format!("⚠ Supported by one {who} only:"))
                        .color(warn)
                        .strong(),
                );
                ui.label(grid.single_column.join(" · "));
            });
        }
        if !grid.silent_columns.is_empty() {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(if across {
                        "⚠ No theme draws on:".to_owned()
                    } else {
                        "⚠ No theme speaks for:".to_owned()
                    })
                    .color(warn)
                    .strong(),
                );
                ui.label(grid.silent_columns.join(" · "));
            });
        }
        ui.weak("Hover a cell for its numbers; click a theme to review its extracts.");
        ui.add_space(6.0);
        let picked = ScrollArea::both()
            .id_salt("review-grid")
            .auto_shrink(false)
            .show(ui, |ui| draw_grid(ui, grid))
            .inner;
        if let Some(theme) = picked {
            self.theme = Some(theme);
            self.level = Level::Extracts;
        }
    }
}

/// "3 extracts".
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One extract: where it is from, its text, and the review buttons.
fn extract_card(
    ui: &mut Ui,
    view: &ProjectView,
    theme: ThemeId,
    e: &Extract,
    move_query: &mut String,
    actions: &mut Vec<Action>,
    out: &mut Vec<Command>,
) {
    let accent = match e.verdict {
        Some(Verdict::Fits) => Color32::from_rgb(60, 150, 80),
        Some(Verdict::Misfit) => Color32::from_rgb(200, 80, 60),
        Some(Verdict::Elsewhere) => Color32::from_rgb(200, 150, 40),
        None => ui.visuals().widgets.noninteractive.bg_stroke.color,
    };
    let frame = egui::Frame::group(ui.style())
        .stroke(Stroke::new(
            if e.verdict.is_some() { 1.5 } else { 1.0 },
            accent,
        ))
        .inner_margin(10.0);
    frame.show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.push_id(e.coding, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.weak(&e.document);
                if e.exemplar {
                    ui.label(RichText::new("★ Exemplar").color(Color32::from_rgb(200, 150, 40)));
                }
                if ui.link("Show in transcript").clicked() {
                    out.push(Command::JumpTo {
                        doc: e.doc,
                        coding: Some(e.coding),
                        start: e.start,
                        end: e.end,
                    });
                }
            });
            ui.add_space(2.0);
            ui.add(egui::Label::new(RichText::new(e.text.trim()).size(15.0)).wrap());
            ui.add_space(4.0);
            ui.horizontal_wrapped(|ui| {
                verdict_buttons(ui, view, theme, e, move_query, actions);
            });
        });
    });
    ui.add_space(4.0);
}

fn mark(theme: ThemeId, coding: CodingId, verdict: Option<Verdict>) -> Action {
    Action::Theme(ThemeAction::Mark {
        theme,
        coding,
        verdict,
    })
}

fn verdict_buttons(
    ui: &mut Ui,
    view: &ProjectView,
    theme: ThemeId,
    e: &Extract,
    move_query: &mut String,
    actions: &mut Vec<Action>,
) {
    for v in [Verdict::Fits, Verdict::Misfit] {
        let on = e.verdict == Some(v);
        let text = match v {
            Verdict::Fits => "✔ Fits",
            _ => "✖ Doesn't fit",
        };
        if ui
            .add(egui::Button::selectable(on, text))
            .on_hover_text(if on {
                "Marked so; click again to clear the mark"
            } else {
                v.label()
            })
            .clicked()
        {
            actions.push(mark(theme, e.coding, (!on).then_some(v)));
        }
    }
    let elsewhere = e.verdict == Some(Verdict::Elsewhere);
    let label = if elsewhere {
        "➡ Belongs elsewhere (moved)…"
    } else {
        "➡ Belongs elsewhere…"
    };
    let resp = ui.menu_button(label, |ui| {
        ui.set_width(300.0);
        ui.label(RichText::new("Move this extract to the code:").strong());
        ui.add(
            egui::TextEdit::singleline(move_query)
                .hint_text("Filter codes")
                .desired_width(290.0),
        );
        let q = move_query.trim().to_lowercase();
        ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
            let mut any = false;
            for c in &view.tree.codes {
                if c.id == e.code_id {
                    continue;
                }
                let path = view.tree.path(c.id);
                if !q.is_empty() && !path.to_lowercase().contains(&q) {
                    continue;
                }
                any = true;
                if ui.button(&path).clicked() {
                    actions.push(move_to(theme, e.coding, c.id));
                    move_query.clear();
                    ui.close();
                }
            }
            if !any {
                ui.weak("No other code matches.");
            }
        });
    });
    if elsewhere {
        resp.response
            .clone()
            .highlight()
            .on_hover_text("Marked as belonging elsewhere (recoded)");
    }
    if e.verdict.is_some() && ui.small_button("Clear mark").clicked() {
        actions.push(mark(theme, e.coding, None));
    }
}

fn move_to(theme: ThemeId, coding: CodingId, code: CodeId) -> Action {
    Action::Theme(ThemeAction::MoveExtract {
        theme,
        coding,
        code,
    })
}

/// The coverage grid: themes down, columns across, each cell shaded by its number of codings.
/// Returns the theme whose row was clicked (to review its extracts).
fn draw_grid(ui: &mut Ui, grid: &CoverageGrid) -> Option<ThemeId> {
    let font = FontId::proportional(14.0);
    let small = FontId::proportional(13.0);
    let text_color = ui.visuals().text_color();
    let weak = ui.visuals().weak_text_color();
    let warn = ui.visuals().warn_fg_color;
    let cell = 38.0_f32;
    let row_h = 30.0_f32;
    let name_w = ui.fonts_mut(|f| {
        grid.themes
            .iter()
            .map(|(_, n)| {
                f.layout_no_wrap(format!("⚠ {n}"), font.clone(), text_color)
                    .size()
                    .x
            })
            .fold(120.0_f32, f32::max)
    });
    let name_w = name_w.min((ui.available_width() * 0.35).clamp(120.0, 280.0)) + 12.0;
    let header_h = ui
        .fonts_mut(|f| {
            grid.columns
                .iter()
                .map(|n| {
                    f.layout_no_wrap(n.clone(), small.clone(), text_color)
                        .size()
                        .x
                })
                .fold(30.0_f32, f32::max)
        })
        .min(160.0)
        + 10.0;
    let cols = grid.columns.len() as f32;
    let rows = grid.themes.len() as f32;
    let size = vec2(name_w + cols * cell + 8.0, header_h + rows * row_h + 8.0);
    let (rect, resp) = ui.allocate_exact_size(size, Sense::click());
    let painter = ui.painter_at(rect);
    let max = grid
        .cells
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let base = if ui.visuals().dark_mode {
        Color32::from_rgb(90, 150, 230)
    } else {
        Color32::from_rgb(40, 100, 200)
    };
    let origin = rect.min;
    // Column headers, rotated to read upwards.
    for (c, name) in grid.columns.iter().enumerate() {
        let silent = grid.silent_columns.contains(name);
        let color = if silent { warn } else { text_color };
        let galley = ui.fonts_mut(|f| {
            let mut job =
                egui::text::LayoutJob::simple_singleline(name.clone(), small.clone(), color);
            job.wrap = egui::text::TextWrapping::truncate_at_width(header_h - 10.0);
            f.layout_job(job)
        });
        let x = origin.x + name_w + c as f32 * cell + cell / 2.0 - galley.size().y / 2.0;
        let y = origin.y + header_h - 4.0;
        painter.add(
            egui::epaint::TextShape::new(egui::pos2(x, y), galley, color)
                .with_angle(-std::f32::consts::FRAC_PI_2),
        );
    }
    for (r, ((_, name), row)) in grid.themes.iter().zip(&grid.cells).enumerate() {
        let y = origin.y + header_h + r as f32 * row_h;
        let single = grid.single_column.contains(name);
        let label = if single {
            format!("⚠ {name}")
        } else {
            name.clone()
        };
        let galley = ui.fonts_mut(|f| {
            let mut job = egui::text::LayoutJob::simple_singleline(
                label,
                font.clone(),
                if single { warn } else { text_color },
            );
            job.wrap = egui::text::TextWrapping::truncate_at_width(name_w - 12.0);
            f.layout_job(job)
        });
        painter.galley(
            egui::pos2(origin.x, y + (row_h - galley.size().y) / 2.0),
            galley,
            text_color,
        );
        for (c, n) in row.iter().enumerate() {
            let x = origin.x + name_w + c as f32 * cell;
            let r = egui::Rect::from_min_size(
                egui::pos2(x + 1.0, y + 1.0),
                vec2(cell - 2.0, row_h - 2.0),
            );
            if *n > 0 {
                let share = (*n as f32 / max as f32).sqrt();
                let alpha = (40.0 + 200.0 * share) as u8;
                painter.rect_filled(r, 3.0, base.gamma_multiply_u8(alpha));
                let strong = share > 0.55;
                painter.text(
                    r.center(),
                    Align2::CENTER_CENTER,
                    n.to_string(),
                    small.clone(),
                    if strong { Color32::WHITE } else { text_color },
                );
            } else {
                painter.rect_stroke(
                    r,
                    3.0,
                    Stroke::new(1.0, weak.gamma_multiply(0.3)),
                    StrokeKind::Inside,
                );
            }
        }
    }
    let mut picked = None;
    if let Some(p) = resp.hover_pos() {
        let c = ((p.x - origin.x - name_w) / cell).floor();
        let r = ((p.y - origin.y - header_h) / row_h).floor();
        let row = (r >= 0.0).then_some(r as usize);
        if let Some((id, theme)) = row.and_then(|r| grid.themes.get(r)) {
            if resp.clicked() {
                picked = Some(*id);
            }
            let n = (c >= 0.0)
                .then_some(c as usize)
                .and_then(|c| Some((grid.columns.get(c)?, grid.cells.get(row?)?.get(c)?)));
            match n {
                Some((col, n)) => {
                    resp.on_hover_text_at_pointer(format!(
                        "{theme}\n{col}: {}\nClick to review its extracts",
                        plural(*n, "coded extract", "coded extracts")
                    ));
                }
                None => {
                    resp.on_hover_text_at_pointer(format!("{theme}\nClick to review its extracts"));
                }
            }
        }
    }
    picked
}
