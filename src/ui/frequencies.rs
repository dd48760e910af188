//! The frequencies view: how often each code occurs, in a sortable table and a bar chart,
//! over the documents and codings that the filters (coder, case, attribute value) leave in
//! scope. The numbers are [`analysis::frequencies`]'s, unchanged; this view only formats,
//! sorts and charts them, and says what they mean (DESIGN.md, "Counting").
//!
//! The report is computed once per `(view.version, filter)` and cached.

use egui::{Align, Color32, Layout, RichText, Ui};
use egui_extras::{Column, TableBuilder};
use egui_plot::{AxisHints, Bar, BarChart, GridMark, Plot};

use crate::analysis::{self, CodeStats, Counts, FrequencyReport, ScopeFilter};
use crate::export::Format;
use crate::store::Db;
use crate::ui::scope_bar::{ScopeBar, color_chip, color32, fmt_count, fmt_percent, plural};
use crate::ui::view::{Command, ProjectView};

/// A column of the table, and a metric of the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Metric {
    /// The code (sorted by path).
    Code,
    /// Codings.
    #[default]
    Segments,
    /// Documents with a coding.
    Documents,
    /// Distinct cases.
    Cases,
    /// Words in the coded text.
    Words,
    /// Share of the text in scope.
    Coverage,
}

impl Metric {
    /// The numeric metrics, in column order.
    pub const NUMBERS: [Metric; 5] = [
        Metric::Segments,
        Metric::Documents,
        Metric::Cases,
        Metric::Words,
        Metric::Coverage,
    ];

    /// Column title.
    pub fn title(self) -> &'static str {
        match self {
            Metric::Code => "Code",
            Metric::Segments => "Segments",
            Metric::Documents => "Documents",
            Metric::Cases => "Cases",
            Metric::Words => "Words",
            Metric::Coverage => "Coverage",
        }
    }

    /// What the column counts (tooltip).
    pub fn explanation(self) -> &'static str {
        match self {
            Metric::Code => "The code; sorting by it orders codes by their path.",
            Metric::Segments => "Number of codings (coded passages).",
            Metric::Documents => "Documents with at least one coding.",
            Metric::Cases => {
                "Distinct cases (participants) the codings belong to: a focus-group passage \
                 counts for the case of the speaker who said it."
            }
            Metric::Words => "Words in the coded text; overlapping codings count once.",
            Metric::Coverage => "Share of the text in scope that is coded.",
        }
    }

    /// The metric's value, for sorting and charting (coverage as a percentage).
    fn value(self, c: &Counts) -> f64 {
        match self {
            Metric::Code => 0.0,
            Metric::Segments => c.segments as f64,
            Metric::Documents => c.documents as f64,
            Metric::Cases => c.cases as f64,
            Metric::Words => c.words as f64,
            Metric::Coverage => c.coverage * 100.0,
        }
    }

    /// The metric's value as the table shows it.
    fn format(self, c: &Counts) -> String {
        match self {
            Metric::Code => String::new(),
            Metric::Segments => fmt_count(c.segments),
            Metric::Documents => fmt_count(c.documents),
            Metric::Cases => fmt_count(c.cases),
            Metric::Words => fmt_count(c.words),
            Metric::Coverage => fmt_percent(c.coverage),
        }
    }
}

/// What the row order depends on: version, filter, aggregate, sort.
type OrderKey = (u64, ScopeFilter, bool, Option<(Metric, bool)>);

struct Loaded {
    version: u64,
    filter: ScopeFilter,
    report: Result<FrequencyReport, String>,
}

/// The frequencies tab.
pub struct FrequenciesView {
    /// The format of the last "Export …" button pressed: the app reads it with
    /// [`Command::ExportFrequencies`] to suggest the file's extension.
    pub export_format: Option<Format>,
    scope: ScopeBar,
    aggregate: bool,
    /// Sort column and direction; `None` is codebook order.
    sort: Option<(Metric, bool)>,
    chart: Metric,
    loaded: Option<Loaded>,
    /// Row order (indices into the report), cached by what it depends on.
    order: Vec<usize>,
    order_key: Option<OrderKey>,
}

impl Default for FrequenciesView {
    fn default() -> Self {
        Self {
            export_format: None,
            scope: ScopeBar::default(),
            aggregate: true,
            sort: None,
            chart: Metric::Segments,
            loaded: None,
            order: Vec::new(),
            order_key: None,
        }
    }
}

impl FrequenciesView {
    /// The filter the table currently shows.
    pub fn filter(&self) -> ScopeFilter {
        self.scope.filter()
    }

    fn counts<'a>(&self, s: &'a CodeStats) -> &'a Counts {
        if self.aggregate { &s.aggregate } else { &s.own }
    }

    /// Draws the view. Reads the project through `db` only when the snapshot version or the
    /// filters changed.
    pub fn ui(&mut self, ui: &mut Ui, db: Db<'_>, view: &ProjectView, out: &mut Vec<Command>) {
        self.scope.ui(ui, view, "frequencies");
        ui.horizontal_wrapped(|ui| {
            ui.checkbox(&mut self.aggregate, "With sub-codes (aggregate)")
                .on_hover_text(
                    "Count each code together with all its sub-codes (a union: overlapping \
                 passages count once).",
                );
        });
        let filter = self.scope.filter();
        if self
            .loaded
            .as_ref()
            .is_none_or(|l| l.version != view.version || l.filter != filter)
        {
            let report = analysis::frequencies(db, &filter).map_err(|e| {
                let msg = format!("Could not compute the frequencies: {e}");
                out.push(Command::Error(msg.clone()));
                msg
            });
            self.loaded = Some(Loaded {
                version: view.version,
                filter: filter.clone(),
                report,
            });
        }
        // Taken out while drawing, so the report is borrowed, not copied, every frame.
        let Some(loaded) = self.loaded.take() else {
            return;
        };
        match &loaded.report {
            Ok(report) => self.report_ui(ui, report, view, &filter, out),
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
        }
        self.loaded = Some(loaded);
    }

    fn report_ui(
        &mut self,
        ui: &mut Ui,
        report: &FrequencyReport,
        view: &ProjectView,
        filter: &ScopeFilter,
        out: &mut Vec<Command>,
    ) {
        self.update_order(report, view.version, filter);

        let t = &report.totals;
        ui.label(format!(
            "Scope: {}, {}, {}, {}",
            plural(t.documents, "document", "documents"),
            plural(t.cases, "case", "cases"),
            plural(t.words, "word", "words"),
            plural(t.segments, "coding", "codings"),
        ));
        egui::CollapsingHeader::new("What these numbers mean")
            .id_salt("freq_explanation")
            .show(ui, |ui| {
                for (name, text) in crate::analysis::EXPLANATION {
                    ui.horizontal_wrapped(|ui| {
                        ui.spacing_mut().item_spacing.x = 0.0;
                        ui.strong(format!("{name}: "));
                        ui.label(*text);
                    });
                }
            });
        ui.horizontal_wrapped(|ui| {
            for (label, format) in [
                ("Export CSV…", Format::Csv),
                ("JSON…", Format::Json),
                ("Markdown…", Format::Markdown),
                ("Excel…", Format::Xlsx),
            ] {
                if ui
                    .button(label)
                    .on_hover_text("Export this report (own and with sub-codes) to a file.")
                    .clicked()
                {
                    self.export_format = Some(format);
                    out.push(Command::ExportFrequencies(filter.clone()));
                }
            }
            if self.sort.is_some() && ui.button("Codebook order").clicked() {
                self.sort = None;
                self.update_order(report, view.version, filter);
            }
        });
        ui.separator();
        if report.codes.is_empty() {
            ui.weak("The codebook is empty: add codes to see how often they occur.");
            return;
        }

        let table_height = (ui.available_height() * 0.55).max(120.0);
        ui.push_id("freq_table", |ui| {
            self.table_ui(ui, report, view, table_height, out)
        });
        ui.separator();
        ui.horizontal(|ui| {
            egui::ComboBox::new("freq_chart_metric", "Chart")
                .selected_text(self.chart.title())
                .show_ui(ui, |ui| {
                    for m in Metric::NUMBERS {
                        ui.selectable_value(&mut self.chart, m, m.title());
                    }
                });
        });
        egui::ScrollArea::vertical()
            .id_salt("freq_chart_scroll")
            .show(ui, |ui| {
                self.chart_ui(ui, report, view);
            });
    }

    fn update_order(&mut self, report: &FrequencyReport, version: u64, filter: &ScopeFilter) {
        let key = (version, filter.clone(), self.aggregate, self.sort);
        if self.order_key.as_ref() == Some(&key) && self.order.len() == report.codes.len() {
            return;
        }
        let mut order: Vec<usize> = (0..report.codes.len()).collect();
        match self.sort {
            None => {}
            Some((Metric::Code, asc)) => {
                order.sort_by(|&a, &b| {
                    let (a, b) = (&report.codes[a].path, &report.codes[b].path);
                    let o = a.to_lowercase().cmp(&b.to_lowercase());
                    if asc { o } else { o.reverse() }
                });
            }
            Some((m, asc)) => {
                // Stable: ties keep codebook order.
                order.sort_by(|&a, &b| {
                    let va = m.value(self.counts(&report.codes[a]));
                    let vb = m.value(self.counts(&report.codes[b]));
                    let o = va.total_cmp(&vb);
                    if asc { o } else { o.reverse() }
                });
            }
        }
        self.order = order;
        self.order_key = Some(key);
    }

    fn header_click(&mut self, m: Metric) {
        self.sort = match self.sort {
            Some((cur, asc)) if cur == m => Some((m, !asc)),
            // Numbers start with the largest, names with A.
            _ => Some((m, m == Metric::Code)),
        };
    }

    fn table_ui(
        &mut self,
        ui: &mut Ui,
        report: &FrequencyReport,
        view: &ProjectView,
        height: f32,
        out: &mut Vec<Command>,
    ) {
        let row_height = ui.spacing().interact_size.y;
        // Indentation shows the hierarchy only when parents come before their children.
        let hierarchical = matches!(self.sort, None | Some((Metric::Code, true)));
        let mut clicked_header = None;
        TableBuilder::new(ui)
            .id_salt("freq_table")
            .striped(true)
            .resizable(true)
            .cell_layout(Layout::left_to_right(Align::Center))
            .max_scroll_height(height)
            .column(Column::remainder().at_least(160.0).clip(true))
            .columns(Column::auto().at_least(70.0), Metric::NUMBERS.len())
            .header(row_height, |mut header| {
                for m in std::iter::once(Metric::Code).chain(Metric::NUMBERS) {
                    header.col(|ui| {
                        let sorted = self.sort.filter(|(cur, _)| *cur == m).map(|(_, asc)| asc);
                        let text = RichText::new(m.title()).strong();
                        let resp = ui
                            .add(egui::Button::new(text).frame(false))
                            .on_hover_text(format!("{} Click to sort.", m.explanation()));
                        if let Some(asc) = sorted {
                            sort_marker(ui, asc);
                            let label = format!(
                                "{}, sorted {}",
                                m.title(),
                                if asc { "ascending" } else { "descending" }
                            );
                            resp.widget_info(|| {
                                egui::WidgetInfo::labeled(
                                    egui::accesskit::Role::Button,
                                    true,
                                    &label,
                                )
                            });
                        }
                        if resp.clicked() {
                            clicked_header = Some(m);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, self.order.len(), |mut row| {
                    let Some(stats) = self
                        .order
                        .get(row.index())
                        .and_then(|&i| report.codes.get(i))
                    else {
                        return;
                    };
                    let counts = self.counts(stats);
                    row.col(|ui| {
                        let (name, indent) = if hierarchical {
                            let name = view
                                .tree
                                .get(stats.code)
                                .map_or(stats.path.as_str(), |c| c.name.as_str());
                            (name, stats.depth as f32 * 14.0)
                        } else {
                            (stats.path.as_str(), 0.0)
                        };
                        ui.add_space(indent);
                        let color = view
                            .tree
                            .get(stats.code)
                            .map_or(Color32::GRAY, |c| color32(c.color));
                        color_chip(ui, color);
                        if ui
                            .add(
                                egui::Label::new(name)
                                    .sense(egui::Sense::click())
                                    .truncate(),
                            )
                            .on_hover_text(format!(
                                "{}: click to select it in the codebook",
                                stats.path
                            ))
                            .clicked()
                        {
                            out.push(Command::SelectCode(Some(stats.code)));
                        }
                    });
                    for m in Metric::NUMBERS {
                        row.col(|ui| {
                            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                                ui.label(m.format(counts));
                            });
                        });
                    }
                });
            });
        if let Some(m) = clicked_header {
            self.header_click(m);
        }
    }

    fn chart_ui(&self, ui: &mut Ui, report: &FrequencyReport, view: &ProjectView) {
        let metric = self.chart;
        let n = self.order.len();
        let names: Vec<String> = self
            .order
            .iter()
            .filter_map(|&i| report.codes.get(i))
            .map(|s| {
                let name = &s.path;
                if name.chars().count() > 28 {
                    let tail: String = name
                        .chars()
                        .rev()
                        .take(27)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect();
                    format!("…{tail}")
                } else {
                    name.clone()
                }
            })
            .collect();
        // First row at the top: row i sits at y = n - 1 - i.
        let bars: Vec<Bar> = self
            .order
            .iter()
            .enumerate()
            .filter_map(|(row, &i)| report.codes.get(i).map(|s| (row, s)))
            .map(|(row, s)| {
                let color = view
                    .tree
                    .get(s.code)
                    .map_or(Color32::GRAY, |c| color32(c.color));
                Bar::new((n - 1 - row) as f64, metric.value(self.counts(s)))
                    .name(&s.path)
                    .fill(color)
                    .width(0.7)
            })
            .collect();
        let percent = metric == Metric::Coverage;
        let chart = BarChart::new(metric.title(), bars)
            .horizontal()
            .element_formatter(Box::new(move |bar, _| {
                let v = if percent {
                    format!("{:.1} %", bar.value)
                } else {
                    fmt_count(bar.value.max(0.0).round() as usize)
                };
                format!("{}: {v}", bar.name)
            }));
        let label_width = names.iter().map(|s| s.chars().count()).max().unwrap_or(4) as f32 * 7.0;
        // At least a readable line per bar.
        let height = ui.available_height().max(160.0).max(n as f32 * 20.0 + 40.0);
        Plot::new("freq_chart")
            .height(height)
            .allow_zoom(false)
            .allow_drag(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .allow_double_click_reset(false)
            .show_grid([true, false])
            .include_x(0.0)
            .include_y(-0.5)
            .include_y(n as f64 - 0.5)
            .y_grid_spacer(move |_input| {
                (0..n)
                    .map(|k| GridMark {
                        value: k as f64,
                        step_size: 1.0,
                    })
                    .collect()
            })
            // One label per bar: allow labels as close as a small line of text.
            .custom_y_axes(vec![
                AxisHints::new_y()
                    .label_spacing(9.0..=12.0)
                    .min_thickness(label_width.min(240.0))
                    .formatter(move |mark: GridMark, _range| {
                        let k = mark.value.round();
                        if (mark.value - k).abs() > 1e-6 || k < 0.0 || k > n as f64 - 1.0 {
                            return String::new();
                        }
                        // Row index from y.
                        let row = (n as f64 - 1.0 - k) as usize;
                        names.get(row).cloned().unwrap_or_default()
                    }),
            ])
            .x_axis_formatter(move |mark: GridMark, _range| {
                if percent {
                    format!("{:.0} %", mark.value)
                } else if mark.value >= 0.0 && mark.value.fract() == 0.0 {
                    fmt_count(mark.value as usize)
                } else {
                    String::new()
                }
            })
            .show(ui, |plot| plot.bar_chart(chart));
    }
}

/// A small triangle after a column title: ▲ ascending, ▼ descending. Painted, because egui's
/// default fonts have no glyphs for them.
fn sort_marker(ui: &mut Ui, ascending: bool) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    let c = rect.center();
    let (w, h) = (4.0, 3.5);
    let points = if ascending {
        vec![
            egui::pos2(c.x - w, c.y + h),
            egui::pos2(c.x + w, c.y + h),
            egui::pos2(c.x, c.y - h),
        ]
    } else {
        vec![
            egui::pos2(c.x - w, c.y - h),
            egui::pos2(c.x + w, c.y - h),
            egui::pos2(c.x, c.y + h),
        ]
    };
    let color = ui.visuals().strong_text_color();
    ui.painter().add(egui::Shape::convex_polygon(
        points,
        color,
        egui::Stroke::NONE,
    ));
}
