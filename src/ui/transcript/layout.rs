//! The per-paragraph layout cache: one galley per block, laid out lazily when it comes into
//! view and evicted when far away, estimated block heights with their prefix sums for virtual
//! scrolling, and the scroll anchor that keeps the reading position when heights change.

// The view is one struct; this file adds one concern to it and shares its imports.
use super::*;
impl TranscriptView {
    // ---- layout cache --------------------------------------------------------------------

    pub(super) fn update_metrics(&mut self, ctx: &Context) {
        let ppp = ctx.pixels_per_point();
        if self
            .metrics
            .is_some_and(|m| m.ppp == ppp && m.font_size == FONT_SIZE)
        {
            return;
        }
        let font = FontId::proportional(FONT_SIZE);
        let small = FontId::proportional(FONT_SIZE * 0.8);
        let sample: Vec<char> = self
            .text
            .chars()
            .filter(|c| *c != '\n')
            .take(4000)
            .collect();
        let (font_h, small_h, avg_w) = ctx.fonts_mut(|f| {
            let font_h = f.row_height(&font);
            let small_h = f.row_height(&small);
            let sample = if sample.len() < 200 {
                "The quick brown fox jumps over the lazy dog, said she. "
                    .chars()
                    .collect()
            } else {
                sample
            };
            let total: f32 = sample.iter().map(|c| f.glyph_width(&font, *c)).sum();
            (font_h, small_h, total / sample.len().max(1) as f32)
        });
        let line_h = (FONT_SIZE * LINE_FACTOR).round().max(font_h);
        self.metrics = Some(Metrics {
            font_size: FONT_SIZE,
            ppp,
            font_h,
            line_h,
            avg_w: avg_w.max(1.0),
            label_h: line_h + small_h,
        });
        self.invalidate_layout();
    }

    /// Cached galleys point into egui's font atlas, which egui rebuilds when it fills up or its
    /// options change (eframe does this right after the first frame), clearing its own galley
    /// cache at the same time. A tiny sentinel galley, looked up through that cache every
    /// frame, shows when that happened: then every cached galley is dropped (heights stay).
    pub(super) fn check_font_atlas(&mut self, ctx: &Context) {
        let job = LayoutJob::simple_singleline(
            "Weft transcript".to_owned(),
            FontId::proportional(FONT_SIZE),
            Color32::PLACEHOLDER,
        );
        let sentinel = ctx.fonts_mut(|f| f.layout_job(job));
        if self
            .sentinel
            .as_ref()
            .is_some_and(|old| !Arc::ptr_eq(old, &sentinel))
        {
            for g in &mut self.galleys {
                *g = None;
            }
            self.cached = 0;
        }
        self.sentinel = Some(sentinel);
    }

    pub(super) fn set_wrap_width(&mut self, w: f32) {
        if w != self.wrap_w {
            self.wrap_w = w;
            self.invalidate_layout();
        }
    }

    /// Drops every galley and re-estimates every height (width, font or scale changed).
    pub(super) fn invalidate_layout(&mut self) {
        for g in &mut self.galleys {
            *g = None;
        }
        self.cached = 0;
        self.measured.iter_mut().for_each(|m| *m = false);
        self.rows_actual = 0.0;
        self.rows_raw = 0.0;
        self.factor = 1.0;
        self.estimate_all();
    }

    pub(super) fn gap(&self, b: usize) -> f32 {
        match self.blocks[b].gap {
            Gap::None => PAD,
            Gap::Paragraph => PARA_GAP,
            Gap::Turn => TURN_GAP,
        }
    }

    pub(super) fn raw_rows(&self, len: usize) -> f32 {
        let (Some(m), true) = (self.metrics, self.wrap_w > 0.0) else {
            return 1.0;
        };
        len as f32 * m.avg_w / self.wrap_w
    }

    pub(super) fn estimate(&self, b: usize) -> f32 {
        let line_h = self.metrics.map_or(20.0, |m| m.line_h);
        let rows = (self.raw_rows(self.blocks[b].len()) * self.factor)
            .ceil()
            .max(1.0);
        self.block_height(b, rows * line_h)
    }

    pub(super) fn block_height(&self, b: usize, text_h: f32) -> f32 {
        let label_h = if self.blocks[b].first_of_turn {
            self.metrics.map_or(0.0, |m| m.label_h)
        } else {
            0.0
        };
        self.gap(b) + text_h.max(label_h)
    }

    pub(super) fn estimate_all(&mut self) {
        for b in 0..self.blocks.len() {
            if !self.measured[b] {
                self.heights[b] = self.estimate(b);
            }
        }
        self.factor_used = self.factor;
        self.tops_dirty = true;
    }

    pub(super) fn set_height(&mut self, b: usize, h: f32) {
        let old = self.heights[b];
        if old == h {
            return;
        }
        if let Some((ab, px)) = &mut self.anchor
            && *ab == b
            && old > 0.0
            && (0.0..=old).contains(px)
        {
            *px *= h / old;
        }
        self.heights[b] = h;
        self.tops_dirty = true;
    }

    pub(super) fn tops(&mut self) -> &[f32] {
        if self.tops_dirty {
            self.tops.resize(self.blocks.len() + 1, 0.0);
            let mut y = 0.0;
            for (b, h) in self.heights.iter().enumerate() {
                self.tops[b] = y;
                y += h;
            }
            self.tops[self.blocks.len()] = y;
            self.tops_dirty = false;
        }
        &self.tops
    }

    pub(super) fn total_height(&mut self) -> f32 {
        self.tops().last().copied().unwrap_or(0.0) + PAD
    }

    /// The block drawn at content height `y` (clamped to the first and last block).
    pub(super) fn block_at_y(&mut self, y: f32) -> Option<usize> {
        let n = self.blocks.len();
        if n == 0 {
            return None;
        }
        let tops = self.tops();
        let i = tops[..n].partition_point(|&t| t <= y);
        Some(i.saturating_sub(1).min(n - 1))
    }

    /// Blocks intersecting content heights `[y0, y1]`.
    pub(super) fn blocks_between(&mut self, y0: f32, y1: f32) -> Range<usize> {
        let (Some(a), Some(b)) = (self.block_at_y(y0), self.block_at_y(y1)) else {
            return 0..0;
        };
        a..b + 1
    }

    /// Top of block `b`'s text (below its gap), in content coordinates.
    pub(super) fn text_top(&mut self, b: usize) -> f32 {
        self.tops()[b] + self.gap(b)
    }

    /// The galley of block `b`, laid out now if needed.
    pub(super) fn galley(&mut self, ctx: &Context, b: usize) -> Arc<Galley> {
        self.last_used[b] = self.frame;
        if let Some(g) = &self.galleys[b] {
            return g.clone();
        }
        let m = self.metrics.unwrap_or(Metrics {
            font_size: FONT_SIZE,
            ppp: 1.0,
            font_h: FONT_SIZE,
            line_h: FONT_SIZE * LINE_FACTOR,
            avg_w: FONT_SIZE * 0.5,
            label_h: 0.0,
        });
        let text = self.blocks[b].text(&self.text).to_owned();
        let mut job = LayoutJob::single_section(
            text,
            TextFormat {
                font_id: FontId::proportional(m.font_size),
                line_height: Some(m.line_h),
                color: Color32::PLACEHOLDER,
                ..Default::default()
            },
        );
        job.wrap = TextWrapping::wrap_at_width(self.wrap_w.max(1.0));
        job.halign = Align::LEFT;
        let galley = ctx.fonts_mut(|f| f.layout_job(job));
        let rows = galley.rows.len().max(1);
        let raw = self.raw_rows(self.blocks[b].len());
        if raw >= 2.0 {
            self.rows_actual += rows as f64;
            self.rows_raw += f64::from(raw);
            self.factor = ((self.rows_actual / self.rows_raw) as f32).clamp(0.8, 1.6);
        }
        let h = self.block_height(b, galley.rect.height().max(m.line_h));
        self.set_height(b, h);
        self.measured[b] = true;
        self.galleys[b] = Some(galley.clone());
        self.cached += 1;
        galley
    }

    /// Lays out every block intersecting `[y0, y1]`; returns whether any was new.
    pub(super) fn layout_range(&mut self, ctx: &Context, y0: f32, y1: f32) -> bool {
        let mut any = false;
        for b in self.blocks_between(y0, y1) {
            if self.galleys[b].is_none() {
                self.galley(ctx, b);
                any = true;
            } else {
                self.last_used[b] = self.frame;
            }
        }
        any
    }

    /// Drops the least recently used galleys when too many are cached.
    pub(super) fn evict(&mut self) {
        if self.cached <= MAX_CACHED {
            return;
        }
        let mut old: Vec<(u64, usize)> = (0..self.blocks.len())
            .filter(|&b| self.galleys[b].is_some() && self.last_used[b] + 2 < self.frame)
            .map(|b| (self.last_used[b], b))
            .collect();
        old.sort_unstable();
        for &(_, b) in old.iter().take(self.cached - MAX_CACHED / 2) {
            self.galleys[b] = None;
            self.cached -= 1;
        }
    }

    // ---- scrolling -----------------------------------------------------------------------

    /// Before the scroll area: applies scroll requests, keeps the block at the top of the view
    /// steady while heights change, and lays out the blocks about to be shown. Returns the
    /// scroll offset to force, if it must change.
    pub(super) fn prepare(&mut self, ctx: &Context) -> Option<f32> {
        if self.estimate_drifted() {
            self.estimate_all();
        }
        if let Some(o) = self.force_offset.take() {
            self.anchor = None;
            self.scroll_y = o;
            self.layout_range(ctx, o, o + self.view_h * (1.0 + OVERSCAN));
            return Some(o);
        }
        if let Some(req) = self.scroll_req.take() {
            self.apply_scroll_request(ctx, req);
        }
        let view_h = self.view_h;
        for _ in 0..4 {
            let desired = self.anchored_offset();
            let y0 = desired - view_h * OVERSCAN;
            let y1 = desired + view_h * (1.0 + OVERSCAN);
            if !self.layout_range(ctx, y0, y1) {
                break;
            }
        }
        let desired = self.anchored_offset();
        ((desired - self.scroll_y).abs() > 0.5).then_some(desired)
    }

    pub(super) fn estimate_drifted(&self) -> bool {
        (self.factor - self.factor_used).abs() > 0.03 * self.factor_used
    }

    pub(super) fn anchored_offset(&mut self) -> f32 {
        let y = match self.anchor {
            Some((b, px)) if b < self.blocks.len() => self.tops()[b] + px,
            _ => self.scroll_y,
        };
        let max = (self.total_height() - self.view_h).max(0.0);
        y.clamp(0.0, max)
    }

    pub(super) fn update_anchor(&mut self) {
        let y = self.scroll_y;
        self.anchor = self.block_at_y(y).map(|b| (b, y - self.tops()[b]));
    }

    pub(super) fn apply_scroll_request(&mut self, ctx: &Context, req: ScrollTo) {
        let (ScrollTo::Reveal(c) | ScrollTo::Minimal(c)) = req;
        let Some(b) = blocks::block_at_char(&self.blocks, c) else {
            return;
        };
        let g = self.galley(ctx, b);
        let local = self.blocks[b].to_local(c);
        let r = g.pos_from_cursor(CCursor::new(local));
        let top = self.text_top(b);
        let (y0, y1) = (top + r.min.y, top + r.max.y);
        let line_h = (y1 - y0).max(1.0);
        let view_h = self.view_h;
        let margin = (view_h * 0.1).min(line_h * 2.0);
        let (v0, v1) = (self.scroll_y, self.scroll_y + view_h);
        let block_top = self.tops()[b];
        let visible = y0 >= v0 + margin && y1 <= v1 - margin;
        let target = match req {
            _ if visible => return,
            ScrollTo::Reveal(_) => y0 - view_h / 3.0,
            ScrollTo::Minimal(_) if y0 < v0 + margin => y0 - margin,
            ScrollTo::Minimal(_) => y1 + margin - view_h,
        };
        self.anchor = Some((b, target - block_top));
    }

    /// row holding the char before it (for range ends).
    pub(super) fn y_of_char(&mut self, c: usize, bottom: bool) -> f32 {
        if self.blocks.is_empty() {
            return 0.0;
        }
        let b = if bottom {
            self.blocks
                .partition_point(|x| x.start < c)
                .saturating_sub(1)
        } else {
            blocks::block_at_char(&self.blocks, c).unwrap_or(0)
        };
        let top = self.text_top(b);
        let local = self.blocks[b].to_local(c);
        if let Some(g) = &self.galleys[b] {
            let r = g.pos_from_cursor(CCursor {
                index: egui::text::CharIndex(local),
                prefer_next_row: !bottom,
            });
            return top + if bottom { r.max.y } else { r.min.y };
        }
        let h = self.tops()[b + 1] - top;
        let len = self.blocks[b].len().max(1) as f32;
        top + h * local as f32 / len
    }
}

/// Centre height of row `row` of a galley.
pub(super) fn row_center(g: &Galley, row: usize) -> f32 {
    g.rows.get(row).map_or(0.0, |r| r.rect().center().y)
}
