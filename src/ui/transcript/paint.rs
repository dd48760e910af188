//! Painting: highlight bands, the selection, find matches, speaker labels, the margin of
//! coding stripes with their labels, and hover tooltips.

// The view is one struct; this file adds one concern to it and shares its imports.
use super::*;

/// A coding stripe in the margin, in content coordinates.
#[derive(Debug, Clone)]
pub(super) struct Stripe {
    pub(super) hl: usize,
    pub(super) bar: Rect,
    pub(super) label: Option<Rect>,
}

impl TranscriptView {
    pub(super) fn stripes(
        &mut self,
        _ctx: &Context,
        range: Range<usize>,
        viewport: Rect,
        geo: Geo,
    ) -> Vec<Stripe> {
        let mut seen = vec![false; self.highlights.len()];
        let mut list = Vec::new();
        for b in range {
            for s in &self.spans[b] {
                let h = s.hl as usize;
                if !seen[h] {
                    seen[h] = true;
                    list.push(h);
                }
            }
        }
        // Lanes are given by the lines a stripe spans, not by its characters: codings that
        // only share a line (one ends, the next starts) still get different lanes, so no
        // stripe is ever drawn over another.
        let mut spans: Vec<(usize, f32, f32)> = Vec::with_capacity(list.len());
        for h in list {
            let (s, e) = (self.highlights[h].start, self.highlights[h].end);
            let y0 = self.y_of_char(s, false);
            let y1 = self.y_of_char(e, true);
            if y1.min(viewport.max.y + 4.0) <= y0.max(viewport.min.y - 4.0) {
                continue;
            }
            spans.push((h, y0, y1));
        }
        let base = spans.iter().map(|s| s.1).fold(f32::INFINITY, f32::min);
        let quantize = |y: f32| ((y - base).max(0.0) * 4.0).round() as usize;
        let ranges: Vec<Range<usize>> = spans
            .iter()
            .map(|&(_, y0, y1)| quantize(y0)..quantize(y1))
            .collect();
        let (lanes, count) = blocks::assign_lanes(&ranges);
        // Every lane fits the margin: narrower lanes rather than lanes drawn over each other.
        let lane_w = (LANES_W / count.max(1) as f32).min(7.0);
        let gap = if lane_w >= 3.0 { 1.0 } else { lane_w * 0.25 };
        let mut out: Vec<Stripe> = Vec::with_capacity(spans.len());
        for (&(h, y0, y1), lane) in spans.iter().zip(lanes) {
            let y0 = y0.max(viewport.min.y - 4.0);
            let y1 = y1.min(viewport.max.y + 4.0);
            let x = geo.x_lanes + f32::from(lane) * lane_w;
            let bar = Rect::from_x_y_ranges(x..=x + lane_w - gap, y0..=y1);
            out.push(Stripe {
                hl: h,
                bar,
                label: None,
            });
        }
        // Labels beside the lanes, at the top of each stripe (pinned to the top of the view),
        // pushed down so they never overlap, dropped when they no longer fit their stripe.
        out.sort_by(|a, b| {
            a.bar
                .min
                .y
                .total_cmp(&b.bar.min.y)
                .then(a.bar.min.x.total_cmp(&b.bar.min.x))
        });
        let label_h = self.metrics.map_or(14.0, |m| m.label_h - m.line_h) + 2.0;
        let mut next_free = f32::MIN;
        for s in &mut out {
            let y = s.bar.min.y.max(viewport.min.y + 2.0).max(next_free);
            if geo.stripe_label_w > 0.0 && y + label_h * 0.5 < s.bar.max.y {
                s.label = Some(Rect::from_min_size(
                    pos2(geo.x_stripe_labels, y),
                    vec2(geo.stripe_label_w, label_h),
                ));
                next_free = y + label_h;
            }
        }
        out
    }

    pub(super) fn paint(
        &mut self,
        ui: &Ui,
        to_screen: Vec2,
        range: Range<usize>,
        geo: Geo,
        stripes: &[Stripe],
    ) {
        let ctx = ui.ctx().clone();
        let painter = ui.painter();
        let visuals = ui.visuals();
        let dark = visuals.dark_mode;
        let text_color = visuals.text_color();
        let strong = visuals.strong_text_color();
        let weak = visuals.weak_text_color();
        let sel_fill = visuals
            .selection
            .bg_fill
            .gamma_multiply(if dark { 0.8 } else { 0.85 });
        let (fill_a, sel_a) = if dark { (70, 130) } else { (60, 120) };
        let match_fill = Color32::from_rgba_unmultiplied(255, 200, 0, if dark { 90 } else { 110 });
        let current_fill = Color32::from_rgba_unmultiplied(255, 140, 0, 170);
        let m = self.metrics.unwrap_or(Metrics {
            font_size: FONT_SIZE,
            ppp: 1.0,
            font_h: FONT_SIZE,
            line_h: FONT_SIZE * LINE_FACTOR,
            avg_w: 7.0,
            label_h: 0.0,
        });
        let pad = ((m.line_h - m.font_h) / 2.0).max(0.0);
        let sel = self.selection();
        let speaker_font = FontId::proportional(FONT_SIZE * 0.9);
        let small_font = FontId::proportional(FONT_SIZE * 0.8);
        for b in range {
            let g = self.galley(&ctx, b);
            let block = self.blocks[b].clone();
            let origin = pos2(geo.x_body, self.text_top(b)) + to_screen;
            let text_band = |r: Rect| {
                Rect::from_x_y_ranges(r.x_range(), r.min.y + pad - 1.0..=r.max.y - pad + 1.0)
                    .translate(origin.to_vec2())
            };
            // Coding fills.
            for s in &self.spans[b] {
                let h = &self.highlights[s.hl as usize];
                let selected = Some(h.coding) == self.selected_coding;
                let [r, gr, bl] = h.color.0;
                let fill = Color32::from_rgba_unmultiplied(
                    r,
                    gr,
                    bl,
                    if selected { sel_a } else { fill_a },
                );
                let end = extend_end(s.end as usize, block.len(), h.end > block.end);
                range_rects(&g, s.start as usize, end, |rect| {
                    painter.rect_filled(text_band(rect), 0.0, fill);
                });
            }
            // Find matches.
            if self.find.open {
                let ms = &self.find.matches;
                let first = ms.partition_point(|x| x.end <= block.start);
                for (i, mr) in ms.iter().enumerate().skip(first) {
                    if mr.start >= block.end {
                        break;
                    }
                    let fill = if Some(i) == self.find.current {
                        current_fill
                    } else {
                        match_fill
                    };
                    let (a, z) = (block.to_local(mr.start), block.to_local(mr.end));
                    range_rects(&g, a, z, |rect| {
                        painter.rect_filled(text_band(rect), 2.0, fill);
                    });
                }
            }
            // Selection.
            if let Some(r) = &sel
                && r.start <= block.end
                && r.end > block.start
            {
                let a = block.to_local(r.start);
                let z = extend_end(block.to_local(r.end), block.len(), r.end > block.end);
                range_rects(&g, a, z, |rect| {
                    painter.rect_filled(text_band(rect), 0.0, sel_fill);
                });
            }
            painter.galley(origin, g.clone(), text_color);
            // Underline bands, one per lane, and an outline on the selected coding.
            for s in &self.spans[b] {
                let h = &self.highlights[s.hl as usize];
                let [r, gr, bl] = h.color.0;
                let color = Color32::from_rgb(r, gr, bl);
                let band = usize::from(self.lanes.get(s.hl as usize).copied().unwrap_or(0))
                    .min(MAX_BANDS - 1);
                let selected = Some(h.coding) == self.selected_coding;
                let end = extend_end(s.end as usize, block.len(), h.end > block.end);
                range_rects(&g, s.start as usize, end, |rect| {
                    let t = text_band(rect);
                    let y = t.max.y + band as f32 * 2.5;
                    painter.rect_filled(
                        Rect::from_x_y_ranges(t.x_range(), y..=y + 2.0),
                        0.0,
                        color,
                    );
                    if selected {
                        painter.rect_stroke(t, 0.0, Stroke::new(1.5, color), StrokeKind::Outside);
                    }
                });
            }
            // Speaker label and timestamp.
            let label_top = self.text_top(b) + pad;
            if block.first_of_turn
                && let Some(t) = block.turn.and_then(|t| self.turns.get(t))
            {
                let pos = pos2(geo.x_label, label_top) + to_screen;
                let name = painter.layout_job(truncated(
                    &t.speaker,
                    speaker_font.clone(),
                    strong,
                    geo.label_w,
                ));
                let name_h = name.rect.height();
                painter.galley(pos, name, strong);
                if let Some(ts) = &t.timestamp {
                    let ts =
                        painter.layout_job(truncated(ts, small_font.clone(), weak, geo.label_w));
                    painter.galley(pos + vec2(0.0, name_h + 1.0), ts, weak);
                }
            }
        }
        // Stripes and their labels.
        for s in stripes {
            let h = &self.highlights[s.hl];
            let [r, gr, bl] = h.color.0;
            let color = Color32::from_rgb(r, gr, bl);
            let selected = Some(h.coding) == self.selected_coding;
            let bar = s.bar.translate(to_screen);
            painter.rect_filled(bar, 1.0, color);
            if selected {
                painter.rect_stroke(
                    bar.expand(1.0),
                    1.0,
                    Stroke::new(1.5, strong),
                    StrokeKind::Outside,
                );
            }
            if let Some(l) = s.label {
                let l = l.translate(to_screen);
                painter.rect_filled(
                    Rect::from_min_size(l.min + vec2(0.0, 3.0), vec2(4.0, l.height() - 6.0)),
                    1.0,
                    color,
                );
                let c = if selected { strong } else { text_color };
                let job = truncated(&h.label, small_font.clone(), c, l.width() - 8.0);
                painter.galley(l.min + vec2(8.0, 1.0), painter.layout_job(job), c);
            }
        }
    }

    pub(super) fn hover(
        &mut self,
        ui: &Ui,
        resp: &Response,
        to_screen: Vec2,
        geo: Geo,
        stripes: &[Stripe],
    ) {
        let Some(p) = resp.hover_pos() else {
            return;
        };
        let ctx = ui.ctx().clone();
        let p = p - to_screen;
        let stripe = stripes.iter().find(|s| {
            s.bar.expand2(vec2(2.0, 0.0)).contains(p) || s.label.is_some_and(|l| l.contains(p))
        });
        let hls: Vec<usize> = if let Some(s) = stripe {
            ctx.set_cursor_icon(CursorIcon::PointingHand);
            vec![s.hl]
        } else if p.x >= geo.x_body - 2.0 && p.x <= geo.x_body + geo.body_w + 2.0 {
            ctx.set_cursor_icon(CursorIcon::Text);
            self.char_under(&ctx, p, geo)
                .map(|c| self.highlights_at(c))
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        if hls.is_empty() || self.dragging {
            return;
        }
        let items: Vec<(Color32, String)> = hls
            .iter()
            .map(|&h| {
                let [r, g, b] = self.highlights[h].color.0;
                (Color32::from_rgb(r, g, b), self.highlights[h].label.clone())
            })
            .collect();
        resp.clone().on_hover_ui_at_pointer(|ui| {
            for (color, label) in &items {
                ui.horizontal(|ui| {
                    let (r, _) = ui.allocate_exact_size(vec2(10.0, 10.0), Sense::hover());
                    ui.painter().rect_filled(r, 2.0, *color);
                    ui.label(label);
                });
            }
        });
    }
}

/// A span end that runs past its block is drawn to the end of the last row.
pub(super) fn extend_end(end: usize, len: usize, beyond: bool) -> usize {
    if beyond { len + 1 } else { end }
}

/// Calls `f` with the galley-relative rectangle of each row's part of local chars `[a, e)`. An
/// `e` past the last char extends the last row to its right edge.
pub(super) fn range_rects(g: &Galley, a: usize, e: usize, mut f: impl FnMut(Rect)) {
    let mut row_start = 0;
    for row in &g.rows {
        if row_start >= e {
            break;
        }
        let n = row.char_count_excluding_newline().0;
        let row_end = row_start + n;
        let (s, t) = (a.max(row_start), e.min(row_end));
        if s < t {
            let x0 = row.pos.x + row.x_offset(egui::text::CharIndex(s - row_start));
            let x1 = if e > row_end {
                (row.pos.x + row.size.x).max(x0 + 4.0)
            } else {
                row.pos.x + row.x_offset(egui::text::CharIndex(t - row_start))
            };
            f(Rect::from_x_y_ranges(x0..=x1, row.min_y()..=row.max_y()));
        }
        row_start = row_end + usize::from(row.ends_with_newline);
    }
}

/// A one-line layout job cut to `width` with an ellipsis.
pub(super) fn truncated(text: &str, font: FontId, color: Color32, width: f32) -> LayoutJob {
    let mut job = LayoutJob::simple_singleline(text.to_owned(), font, color);
    job.wrap = TextWrapping::truncate_at_width(width.max(8.0));
    job
}
