//! The transcript view: a custom egui widget that shows one document with its speaker turns,
//! coloured coding highlights, a margin of coding stripes, mouse and keyboard text selection,
//! and a find bar.
//!
//! It never touches the store: the app feeds it the text, turns and highlights, and reads back
//! [`TranscriptEvent`]s. Positions are document chars, half-open, like everywhere in Weft.
//!
//! Performance: the document is split into blocks (one per paragraph, see [`blocks`]), each
//! laid out lazily as its own cached [`Galley`] only when it comes into view. Heights of blocks
//! never laid out are estimated from their length, and a prefix sum of heights drives virtual
//! scrolling. Highlights, selection and find matches are rectangles painted from the galleys'
//! rows, so changing them never lays text out again.

pub mod blocks;

use self::blocks::{Block, Gap, Span};
use crate::model::{CodeId, CodingId, Color, DocId, Turn};
use crate::text::CharIndex;
use egui::text::{CCursor, CCursorRange, Galley, LayoutJob, TextFormat, TextWrapping};
use egui::{
    Align, Color32, Context, CursorIcon, Event, EventFilter, FontId, Id, Key, Modifiers, Pos2,
    Rect, Response, ScrollArea, Sense, Stroke, StrokeKind, Ui, Vec2, pos2, vec2,
};
use std::ops::Range;
use std::sync::Arc;

/// A coding as the view draws it.
#[derive(Debug, Clone, PartialEq)]
pub struct Highlight {
    /// The coding drawn.
    pub coding: CodingId,
    /// Its code.
    pub code: CodeId,
    /// First coded char of the document.
    pub start: usize,
    /// One past the last coded char.
    pub end: usize,
    /// The code's colour.
    pub color: Color,
    /// The code's name, shown on the stripe and in tooltips.
    pub label: String,
}

/// What the user did in the view during one frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TranscriptEvent {
    /// The text selection changed (chars over the whole document); `None` when it is empty.
    SelectionChanged(Option<Range<usize>>),
    /// The user clicked a highlight or a stripe: this coding is now the selected one.
    CodingClicked(CodingId),
    /// The user clicked plain text: no coding is selected any more.
    CodingDeselected,
}

/// Body font size in points.
const FONT_SIZE: f32 = 15.0;
/// Line height as a multiple of the font size.
const LINE_FACTOR: f32 = 1.75;
/// Width of the speaker label column.
const LABEL_W: f32 = 112.0;
/// Space between the label column and the body.
const LABEL_GAP: f32 = 14.0;
/// Padding around the content.
const PAD: f32 = 12.0;
/// Space reserved for a scroll bar.
const SCROLLBAR_RESERVE: f32 = 12.0;
/// Space between the body and the stripe margin.
const MARGIN_GAP: f32 = 12.0;
/// Width of the stripe lanes (fixed, so highlights never change the text width).
const LANES_W: f32 = 36.0;
/// Width of the stripe labels beside the lanes.
const STRIPE_LABEL_W: f32 = 100.0;
/// Longest line, in average characters.
const MAX_LINE_CHARS: f32 = 90.0;
/// Narrowest body column.
const MIN_BODY_W: f32 = 60.0;
/// Space above the first paragraph of a turn.
const TURN_GAP: f32 = 16.0;
/// Space above other paragraphs.
const PARA_GAP: f32 = 7.0;
/// How far beyond the viewport (in viewport heights) blocks are laid out ahead of time.
const OVERSCAN: f32 = 0.5;
/// Galleys kept before the least recently used ones are dropped.
const MAX_CACHED: usize = 500;
/// Underline bands drawn under overlapping codings.
const MAX_BANDS: usize = 4;

/// A pending request to scroll a char into view.
#[derive(Debug, Clone, Copy)]
enum ScrollTo {
    /// Do nothing if visible, else put it a third down the view.
    Reveal(usize),
    /// Scroll as little as needed to make it visible.
    Minimal(usize),
}

/// Font-dependent sizes, recomputed when the font size or the scale changes.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Metrics {
    font_size: f32,
    ppp: f32,
    font_h: f32,
    line_h: f32,
    avg_w: f32,
    label_h: f32,
}

/// Horizontal layout of the content, in content coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Geo {
    x_label: f32,
    x_body: f32,
    body_w: f32,
    x_lanes: f32,
    x_stripe_labels: f32,
}

impl Geo {
    fn new(width: f32, m: &Metrics, has_turns: bool) -> Self {
        // An unbounded parent (a horizontal scroll area) gives an infinite width.
        let width = if width.is_finite() { width } else { 1000.0 };
        let label = if has_turns { LABEL_W + LABEL_GAP } else { 0.0 };
        let margin = MARGIN_GAP + LANES_W + 4.0 + STRIPE_LABEL_W;
        let fixed = PAD * 2.0 + label + margin + SCROLLBAR_RESERVE;
        let max_body = (MAX_LINE_CHARS * m.avg_w).max(MIN_BODY_W);
        let body_w = (width - fixed).clamp(MIN_BODY_W, max_body).floor();
        let used = fixed + body_w;
        let left = ((width - used) / 2.0).max(0.0).floor() + PAD;
        let x_body = left + label;
        let x_lanes = x_body + body_w + MARGIN_GAP;
        Self {
            x_label: left,
            x_body,
            body_w,
            x_lanes,
            x_stripe_labels: x_lanes + LANES_W + 4.0,
        }
    }
}

/// A coding stripe in the margin, in content coordinates.
#[derive(Debug, Clone)]
struct Stripe {
    hl: usize,
    bar: Rect,
    label: Option<Rect>,
}

/// The find bar's state.
#[derive(Debug, Default)]
struct Find {
    open: bool,
    query: String,
    searched: Option<String>,
    matches: Vec<Range<usize>>,
    current: Option<usize>,
    focus_request: bool,
    origin: usize,
}

/// The transcript widget. Create it once, feed it a document and highlights, and call
/// [`TranscriptView::ui`] every frame.
pub struct TranscriptView {
    id_salt: String,
    doc: Option<DocId>,
    text: Arc<str>,
    char_index: CharIndex,
    turns: Vec<Turn>,
    blocks: Vec<Block>,
    folded: Option<String>,

    metrics: Option<Metrics>,
    wrap_w: f32,
    galleys: Vec<Option<Arc<Galley>>>,
    heights: Vec<f32>,
    measured: Vec<bool>,
    last_used: Vec<u64>,
    cached: usize,
    tops: Vec<f32>,
    tops_dirty: bool,
    factor: f32,
    factor_used: f32,
    rows_actual: f64,
    rows_raw: f64,
    frame: u64,

    highlights: Vec<Highlight>,
    lanes: Vec<u16>,
    lane_count: usize,
    spans: Vec<Vec<Span>>,
    selected_coding: Option<CodingId>,

    sel: Option<(usize, usize)>,
    dragging: bool,
    reported: Option<Range<usize>>,

    scroll_y: f32,
    view_h: f32,
    anchor: Option<(usize, f32)>,
    scroll_req: Option<ScrollTo>,
    force_offset: Option<f32>,

    find: Find,
    events: Vec<TranscriptEvent>,
    last_placement: Option<(Vec2, Geo)>,
    sentinel: Option<Arc<Galley>>,
}

impl Default for TranscriptView {
    fn default() -> Self {
        Self::new()
    }
}

impl TranscriptView {
    /// An empty view.
    pub fn new() -> Self {
        Self {
            id_salt: "weft_transcript".to_owned(),
            doc: None,
            text: Arc::from(""),
            char_index: CharIndex::new(""),
            turns: Vec::new(),
            blocks: Vec::new(),
            folded: None,
            metrics: None,
            wrap_w: 0.0,
            galleys: Vec::new(),
            heights: Vec::new(),
            measured: Vec::new(),
            last_used: Vec::new(),
            cached: 0,
            tops: vec![0.0],
            tops_dirty: true,
            factor: 1.0,
            factor_used: 1.0,
            rows_actual: 0.0,
            rows_raw: 0.0,
            frame: 0,
            highlights: Vec::new(),
            lanes: Vec::new(),
            lane_count: 0,
            spans: Vec::new(),
            selected_coding: None,
            sel: None,
            dragging: false,
            reported: None,
            scroll_y: 0.0,
            view_h: 0.0,
            anchor: None,
            scroll_req: None,
            force_offset: None,
            find: Find::default(),
            events: Vec::new(),
            last_placement: None,
            sentinel: None,
        }
    }

    /// Sets the id salt, for apps that show more than one transcript at a time.
    #[must_use]
    pub fn with_id_salt(mut self, salt: impl Into<String>) -> Self {
        self.id_salt = salt.into();
        self
    }

    /// Shows a document. Resets the layout caches, the highlights, the selection and the
    /// scroll position; the find bar stays open with its query.
    pub fn set_document(&mut self, doc: DocId, text: Arc<str>, turns: Vec<Turn>) {
        let char_index = CharIndex::new(&text);
        let turns = blocks::sanitize_turns(turns, char_index.char_len());
        let block_list = blocks::split_blocks(&text, &char_index, &turns);
        let n = block_list.len();
        self.doc = Some(doc);
        self.text = text;
        self.char_index = char_index;
        self.turns = turns;
        self.blocks = block_list;
        self.folded = None;
        self.galleys = vec![None; n];
        self.heights = vec![0.0; n];
        self.measured = vec![false; n];
        self.last_used = vec![0; n];
        self.cached = 0;
        self.tops = vec![0.0; n + 1];
        self.factor = 1.0;
        self.factor_used = 1.0;
        self.rows_actual = 0.0;
        self.rows_raw = 0.0;
        self.highlights.clear();
        self.lanes.clear();
        self.lane_count = 0;
        self.spans = vec![Vec::new(); n];
        self.selected_coding = None;
        self.sel = None;
        self.dragging = false;
        self.reported = None;
        self.anchor = None;
        self.scroll_req = None;
        self.force_offset = Some(0.0);
        self.scroll_y = 0.0;
        self.last_placement = None;
        self.find.searched = None;
        self.find.matches.clear();
        self.find.current = None;
        self.estimate_all();
    }

    /// The document shown, if any.
    pub fn document(&self) -> Option<DocId> {
        self.doc
    }

    /// Replaces the highlights. Cheap: only the per-block span lists and the stripe lanes are
    /// recomputed; no text is laid out again.
    pub fn set_highlights(&mut self, highlights: Vec<Highlight>) {
        let n = self.char_index.char_len();
        let ranges: Vec<Range<usize>> = highlights
            .iter()
            .map(|h| h.start.min(n)..h.end.min(n))
            .collect();
        self.spans = blocks::block_spans(&self.blocks, &ranges);
        let (lanes, count) = blocks::assign_lanes(&ranges);
        self.lanes = lanes;
        self.lane_count = count;
        self.highlights = highlights;
    }

    /// The highlights shown.
    pub fn highlights(&self) -> &[Highlight] {
        &self.highlights
    }

    /// The selected text as chars over the whole document, `None` when nothing is selected.
    pub fn selection(&self) -> Option<Range<usize>> {
        let (a, h) = self.sel?;
        let n = self.char_index.char_len();
        let (s, e) = (a.min(h).min(n), a.max(h).min(n));
        (s < e).then_some(s..e)
    }

    /// The selected text itself.
    pub fn selected_text(&self) -> Option<&str> {
        let r = self.selection()?;
        self.char_index.slice(&self.text, r.start, r.end)
    }

    /// Selects chars `sel` (clamped to the document; an empty range clears the selection) and,
    /// if `scroll_to`, scrolls its start into view. Emits no event.
    pub fn set_selection(&mut self, sel: Option<Range<usize>>, scroll_to: bool) {
        let n = self.char_index.char_len();
        self.sel = sel
            .map(|r| (r.start.min(n), r.end.min(n)))
            .filter(|(s, e)| s < e);
        self.reported = self.selection();
        if scroll_to && let Some((s, _)) = self.sel {
            self.scroll_req = Some(ScrollTo::Reveal(s));
        }
    }

    /// The coding drawn emphasised, if any.
    pub fn selected_coding(&self) -> Option<CodingId> {
        self.selected_coding
    }

    /// Emphasises a coding (or none). Emits no event.
    pub fn set_selected_coding(&mut self, c: Option<CodingId>) {
        self.selected_coding = c;
    }

    /// Scrolls document char `c` into view on the next frame.
    pub fn scroll_to_char(&mut self, c: usize) {
        self.scroll_req = Some(ScrollTo::Reveal(c.min(self.char_index.char_len())));
    }

    /// Screen rectangle of document char `c` as drawn in the last frame, if its paragraph has
    /// been laid out (for tests, and to place a popup beside the selection).
    pub fn char_screen_rect(&self, c: usize) -> Option<Rect> {
        let (to_screen, geo) = self.last_placement?;
        let b = blocks::block_at_char(&self.blocks, c)?;
        let block = &self.blocks[b];
        if c < block.start || c >= block.end || self.tops_dirty {
            return None;
        }
        let g = self.galleys[b].as_ref()?;
        let lc = g.layout_from_cursor(CCursor {
            index: egui::text::CharIndex(block.to_local(c)),
            prefer_next_row: true,
        });
        let row = g.rows.get(lc.row)?;
        let glyph = row.glyphs.get(lc.column.0)?;
        let x = row.pos.x + glyph.pos.x;
        let r = Rect::from_x_y_ranges(x..=x + glyph.advance_width, row.min_y()..=row.max_y());
        let top = self.tops.get(b)? + self.gap(b);
        Some(r.translate(vec2(geo.x_body, top) + to_screen))
    }

    /// The vertical scroll offset of the last frame, in points.
    pub fn scroll_offset(&self) -> f32 {
        self.scroll_y
    }

    /// Whether the find bar is open.
    pub fn find_open(&self) -> bool {
        self.find.open
    }

    /// Find matches (chars) and the index of the current one.
    pub fn find_matches(&self) -> (&[Range<usize>], Option<usize>) {
        (&self.find.matches, self.find.current)
    }

    /// Draws the view and handles its input. Returns what the user did this frame.
    pub fn ui(&mut self, ui: &mut Ui) -> Vec<TranscriptEvent> {
        let ctx = ui.ctx().clone();
        self.frame += 1;
        let id = ui.make_persistent_id(&self.id_salt);
        self.update_metrics(&ctx);
        self.check_font_atlas(&ctx);
        self.handle_shortcuts(&ctx, id);
        if self.find.open {
            self.find_bar_ui(ui, id);
        }
        let Some(m) = self.metrics else {
            return Vec::new();
        };
        let geo = Geo::new(ui.available_width(), &m, !self.turns.is_empty());
        self.set_wrap_width(geo.body_w);
        self.handle_keys(&ctx, id);
        if self.view_h <= 0.0 {
            self.view_h = ui.available_height().max(1.0);
        }
        let offset = self.prepare(&ctx);

        let mut area = ScrollArea::vertical()
            .id_salt(id.with("scroll"))
            .auto_shrink(false);
        if let Some(o) = offset {
            area = area.vertical_scroll_offset(o);
        }
        let out = area.show_viewport(ui, |ui, viewport| self.content_ui(ui, id, viewport, geo));
        self.scroll_y = out.state.clamped_offset().y;
        self.view_h = out.inner_rect.height().max(1.0);
        self.update_anchor();
        self.evict();

        let sel = self.selection();
        if sel != self.reported {
            self.reported = sel.clone();
            self.events.push(TranscriptEvent::SelectionChanged(sel));
        }
        std::mem::take(&mut self.events)
    }

    // ---- layout cache --------------------------------------------------------------------

    fn update_metrics(&mut self, ctx: &Context) {
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
    fn check_font_atlas(&mut self, ctx: &Context) {
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

    fn set_wrap_width(&mut self, w: f32) {
        if w != self.wrap_w {
            self.wrap_w = w;
            self.invalidate_layout();
        }
    }

    /// Drops every galley and re-estimates every height (width, font or scale changed).
    fn invalidate_layout(&mut self) {
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

    fn gap(&self, b: usize) -> f32 {
        match self.blocks[b].gap {
            Gap::None => PAD,
            Gap::Paragraph => PARA_GAP,
            Gap::Turn => TURN_GAP,
        }
    }

    fn raw_rows(&self, len: usize) -> f32 {
        let (Some(m), true) = (self.metrics, self.wrap_w > 0.0) else {
            return 1.0;
        };
        len as f32 * m.avg_w / self.wrap_w
    }

    fn estimate(&self, b: usize) -> f32 {
        let line_h = self.metrics.map_or(20.0, |m| m.line_h);
        let rows = (self.raw_rows(self.blocks[b].len()) * self.factor)
            .ceil()
            .max(1.0);
        self.block_height(b, rows * line_h)
    }

    fn block_height(&self, b: usize, text_h: f32) -> f32 {
        let label_h = if self.blocks[b].first_of_turn {
            self.metrics.map_or(0.0, |m| m.label_h)
        } else {
            0.0
        };
        self.gap(b) + text_h.max(label_h)
    }

    fn estimate_all(&mut self) {
        for b in 0..self.blocks.len() {
            if !self.measured[b] {
                self.heights[b] = self.estimate(b);
            }
        }
        self.factor_used = self.factor;
        self.tops_dirty = true;
    }

    fn set_height(&mut self, b: usize, h: f32) {
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

    fn tops(&mut self) -> &[f32] {
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

    fn total_height(&mut self) -> f32 {
        self.tops().last().copied().unwrap_or(0.0) + PAD
    }

    /// The block drawn at content height `y` (clamped to the first and last block).
    fn block_at_y(&mut self, y: f32) -> Option<usize> {
        let n = self.blocks.len();
        if n == 0 {
            return None;
        }
        let tops = self.tops();
        let i = tops[..n].partition_point(|&t| t <= y);
        Some(i.saturating_sub(1).min(n - 1))
    }

    /// Blocks intersecting content heights `[y0, y1]`.
    fn blocks_between(&mut self, y0: f32, y1: f32) -> Range<usize> {
        let (Some(a), Some(b)) = (self.block_at_y(y0), self.block_at_y(y1)) else {
            return 0..0;
        };
        a..b + 1
    }

    /// Top of block `b`'s text (below its gap), in content coordinates.
    fn text_top(&mut self, b: usize) -> f32 {
        self.tops()[b] + self.gap(b)
    }

    /// The galley of block `b`, laid out now if needed.
    fn galley(&mut self, ctx: &Context, b: usize) -> Arc<Galley> {
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
    fn layout_range(&mut self, ctx: &Context, y0: f32, y1: f32) -> bool {
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
    fn evict(&mut self) {
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
    fn prepare(&mut self, ctx: &Context) -> Option<f32> {
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

    fn estimate_drifted(&self) -> bool {
        (self.factor - self.factor_used).abs() > 0.03 * self.factor_used
    }

    fn anchored_offset(&mut self) -> f32 {
        let y = match self.anchor {
            Some((b, px)) if b < self.blocks.len() => self.tops()[b] + px,
            _ => self.scroll_y,
        };
        let max = (self.total_height() - self.view_h).max(0.0);
        y.clamp(0.0, max)
    }

    fn update_anchor(&mut self) {
        let y = self.scroll_y;
        self.anchor = self.block_at_y(y).map(|b| (b, y - self.tops()[b]));
    }

    fn apply_scroll_request(&mut self, ctx: &Context, req: ScrollTo) {
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

    // ---- content -------------------------------------------------------------------------

    fn content_ui(&mut self, ui: &mut Ui, id: Id, viewport: Rect, geo: Geo) {
        let ctx = ui.ctx().clone();
        // Blocks the pre-pass did not foresee (the first frame, a clamped offset).
        self.layout_range(&ctx, viewport.min.y, viewport.max.y);
        let total = self.total_height();
        ui.set_height(total);
        let origin = ui.max_rect().min;
        let to_screen = origin.to_vec2();
        let range = self.blocks_between(viewport.min.y, viewport.max.y);
        let screen_view = viewport.translate(to_screen);
        self.last_placement = Some((to_screen, geo));
        let resp = ui.interact(screen_view, id, Sense::click_and_drag());
        if resp.has_focus() {
            ui.memory_mut(|m| {
                m.set_focus_lock_filter(
                    id,
                    EventFilter {
                        tab: false,
                        horizontal_arrows: true,
                        vertical_arrows: true,
                        escape: true,
                    },
                );
            });
        }
        let stripes = self.stripes(&ctx, range.clone(), viewport, geo);
        self.pointer(ui, &resp, to_screen, viewport, geo, &stripes);
        self.paint(ui, to_screen, range, geo, &stripes);
        self.hover(ui, &resp, to_screen, geo, &stripes);
        let desc = match self.selection() {
            Some(r) => format!("Selection: chars {}..{}", r.start, r.end),
            None => "No selection".to_owned(),
        };
        resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Document, true, "Transcript"));
        ctx.accesskit_node_builder(id, |n| n.set_description(desc));
    }

    /// Document char for a cursor placed at content point `p` (never a label char).
    fn hit_char(&mut self, ctx: &Context, p: Pos2, geo: Geo) -> usize {
        let Some(b) = self.block_at_y(p.y) else {
            return 0;
        };
        let g = self.galley(ctx, b);
        let top = self.text_top(b);
        let c = g.cursor_from_pos(vec2(p.x - geo.x_body, (p.y - top).max(0.0)));
        self.blocks[b].to_doc(c.index.0)
    }

    /// The document char whose glyph is under content point `p`, if any.
    fn char_under(&mut self, ctx: &Context, p: Pos2, geo: Geo) -> Option<usize> {
        let b = self.block_at_y(p.y)?;
        let g = self.galley(ctx, b);
        let local = p - vec2(geo.x_body, self.text_top(b));
        let mut row_start = 0;
        for row in &g.rows {
            let n = row.char_count_including_newline().0;
            if (row.min_y()..row.max_y()).contains(&local.y) {
                let x = local.x - row.pos.x;
                let i = row
                    .glyphs
                    .iter()
                    .position(|gl| gl.pos.x <= x && x < gl.pos.x + gl.advance_width)?;
                return Some(self.blocks[b].to_doc(row_start + i));
            }
            row_start += n;
        }
        None
    }

    /// Highlights covering document char `c`.
    fn highlights_at(&self, c: usize) -> Vec<usize> {
        let Some(b) = blocks::block_at_char(&self.blocks, c) else {
            return Vec::new();
        };
        let block = &self.blocks[b];
        if c < block.start || c >= block.end {
            return Vec::new();
        }
        let local = (c - block.start) as u32;
        self.spans[b]
            .iter()
            .take_while(|s| s.start <= local)
            .filter(|s| local < s.end)
            .map(|s| s.hl as usize)
            .collect()
    }

    fn select_coding(&mut self, hl: usize) {
        let coding = self.highlights[hl].coding;
        self.selected_coding = Some(coding);
        self.events.push(TranscriptEvent::CodingClicked(coding));
    }

    fn pointer(
        &mut self,
        ui: &Ui,
        resp: &Response,
        to_screen: Vec2,
        viewport: Rect,
        geo: Geo,
        stripes: &[Stripe],
    ) {
        let ctx = ui.ctx().clone();
        // The modifiers of this frame's button events count too: a test harness (or a fast
        // user) can press and release Shift within one frame.
        let shift = ui.input(|i| {
            i.modifiers.shift
                || i.events
                    .iter()
                    .any(|e| matches!(e, Event::PointerButton { modifiers, .. } if modifiers.shift))
        });
        if resp.drag_started_by(egui::PointerButton::Primary) {
            resp.request_focus();
            if let Some(press) = ui.input(|i| i.pointer.press_origin()) {
                let hit = self.hit_char(&ctx, press - to_screen, geo);
                match self.sel {
                    Some((a, _)) if shift => self.sel = Some((a, hit)),
                    _ => self.sel = Some((hit, hit)),
                }
                self.dragging = true;
            }
        }
        if self.dragging
            && resp.dragged_by(egui::PointerButton::Primary)
            && let Some(p) = resp.interact_pointer_pos()
        {
            let p = p - to_screen;
            let hit = self.hit_char(&ctx, p, geo);
            if let Some((a, _)) = self.sel {
                self.sel = Some((a, hit));
            }
            let speed = if p.y < viewport.min.y {
                (viewport.min.y - p.y).clamp(4.0, 60.0)
            } else if p.y > viewport.max.y {
                -(p.y - viewport.max.y).clamp(4.0, 60.0)
            } else {
                0.0
            };
            if speed != 0.0 {
                ui.scroll_with_delta_animation(
                    vec2(0.0, speed),
                    egui::style::ScrollAnimation::none(),
                );
                ctx.request_repaint();
            }
        }
        if !resp.dragged() {
            self.dragging = false;
        }
        if resp.clicked_by(egui::PointerButton::Primary)
            && let Some(p) = resp.interact_pointer_pos()
        {
            resp.request_focus();
            let p = p - to_screen;
            let hit = self.hit_char(&ctx, p, geo);
            if let Some(s) = stripes.iter().find(|s| {
                s.bar.expand2(vec2(2.0, 0.0)).contains(p) || s.label.is_some_and(|l| l.contains(p))
            }) {
                self.select_coding(s.hl);
            } else if shift {
                let a = self.sel.map_or(hit, |(a, _)| a);
                self.sel = Some((a, hit));
            } else {
                self.sel = Some((hit, hit));
                let under = self.char_under(&ctx, p, geo);
                let mut hls = under.map(|c| self.highlights_at(c)).unwrap_or_default();
                if hls.is_empty() {
                    if self.selected_coding.take().is_some() {
                        self.events.push(TranscriptEvent::CodingDeselected);
                    }
                } else if !resp.double_clicked() {
                    // Innermost first; a repeated click cycles through overlapping codings.
                    hls.sort_by_key(|&h| (self.highlights[h].end - self.highlights[h].start, h));
                    let cur = hls
                        .iter()
                        .position(|&h| Some(self.highlights[h].coding) == self.selected_coding);
                    let next = cur.map_or(0, |i| (i + 1) % hls.len());
                    self.select_coding(hls[next]);
                }
            }
        }
        if (resp.double_clicked() || resp.triple_clicked())
            && let Some(p) = resp.interact_pointer_pos()
        {
            let hit = self.hit_char(&ctx, p - to_screen, geo);
            if let Some(b) = blocks::block_at_char(&self.blocks, hit) {
                let block = &self.blocks[b];
                let r = if resp.triple_clicked() {
                    0..block.len()
                } else {
                    crate::text::word_at(block.text(&self.text), block.to_local(hit))
                };
                self.sel = Some((block.to_doc(r.start), block.to_doc(r.end)));
            }
        }
    }

    // ---- keyboard ------------------------------------------------------------------------

    fn handle_shortcuts(&mut self, ctx: &Context, id: Id) {
        let find_id = id.with("find");
        let (ours, none) = ctx.memory(|m| {
            let f = m.focused();
            (f == Some(id) || f == Some(find_id), f.is_none())
        });
        if (ours || none) && ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F)) {
            self.open_find(ctx, find_id);
        }
    }

    fn handle_keys(&mut self, ctx: &Context, id: Id) {
        if !ctx.memory(|m| m.has_focus(id)) {
            return;
        }
        let events = ctx.input(|i| i.events.clone());
        for ev in events {
            match ev {
                Event::Copy => {
                    if let Some(t) = self.selected_text() {
                        ctx.copy_text(t.to_owned());
                    }
                }
                Event::Key {
                    key,
                    pressed: true,
                    modifiers,
                    ..
                } => self.key(ctx, key, modifiers),
                _ => {}
            }
        }
    }

    fn key(&mut self, ctx: &Context, key: Key, mods: Modifiers) {
        match key {
            Key::A if mods.command => {
                let (Some(f), Some(l)) = (self.blocks.first(), self.blocks.last()) else {
                    return;
                };
                self.sel = Some((f.start, l.end));
            }
            Key::Escape => self.sel = None,
            Key::ArrowLeft
            | Key::ArrowRight
            | Key::ArrowUp
            | Key::ArrowDown
            | Key::Home
            | Key::End
                if mods.shift =>
            {
                let start = self
                    .sel
                    .map_or_else(|| self.first_visible_char(), |(_, h)| h);
                let head = self.move_head(ctx, start, key, mods.command);
                let anchor = self.sel.map_or(start, |(a, _)| a);
                self.sel = Some((anchor, head));
                self.scroll_req = Some(ScrollTo::Minimal(head));
            }
            Key::ArrowLeft | Key::ArrowRight if !mods.shift => {
                if let Some(r) = self.selection() {
                    let c = if key == Key::ArrowLeft {
                        r.start
                    } else {
                        r.end
                    };
                    self.sel = Some((c, c));
                }
            }
            _ => {}
        }
    }

    fn first_visible_char(&mut self) -> usize {
        let y = self.scroll_y;
        self.block_at_y(y).map_or(0, |b| self.blocks[b].start)
    }

    fn move_head(&mut self, ctx: &Context, head: usize, key: Key, command: bool) -> usize {
        let h = blocks::snap_to_block(&self.blocks, head);
        let Some(b) = blocks::block_at_char(&self.blocks, h) else {
            return 0;
        };
        let block = self.blocks[b].clone();
        let n = self.blocks.len();
        match key {
            Key::ArrowRight if h < block.end => h + 1,
            Key::ArrowRight if b + 1 < n => self.blocks[b + 1].start,
            Key::ArrowLeft if h > block.start => h - 1,
            Key::ArrowLeft if b > 0 => self.blocks[b - 1].end,
            Key::Home if command => self.blocks.first().map_or(0, |x| x.start),
            Key::End if command => self.blocks.last().map_or(0, |x| x.end),
            Key::Home | Key::End => {
                let g = self.galley(ctx, b);
                let c = CCursor::new(block.to_local(h));
                let c = if key == Key::Home {
                    g.cursor_begin_of_row(&c)
                } else {
                    g.cursor_end_of_row(&c)
                };
                block.to_doc(c.index.0)
            }
            Key::ArrowUp | Key::ArrowDown => {
                let g = self.galley(ctx, b);
                let c = CCursor::new(block.to_local(h));
                let row = g.layout_from_cursor(c).row;
                let x = g.pos_from_cursor(c).min.x;
                let (tb, y) = if key == Key::ArrowUp {
                    if row > 0 {
                        (b, row_center(&g, row - 1))
                    } else if b > 0 {
                        let pg = self.galley(ctx, b - 1);
                        (b - 1, row_center(&pg, pg.rows.len().saturating_sub(1)))
                    } else {
                        return block.start;
                    }
                } else if row + 1 < g.rows.len() {
                    (b, row_center(&g, row + 1))
                } else if b + 1 < n {
                    let ng = self.galley(ctx, b + 1);
                    (b + 1, row_center(&ng, 0))
                } else {
                    return block.end;
                };
                let tg = self.galley(ctx, tb);
                self.blocks[tb].to_doc(tg.cursor_from_pos(vec2(x, y)).index.0)
            }
            _ => h,
        }
    }

    // ---- find ----------------------------------------------------------------------------

    fn open_find(&mut self, ctx: &Context, find_id: Id) {
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

    fn close_find(&mut self, ctx: &Context, id: Id) {
        self.find.open = false;
        self.find.matches.clear();
        self.find.current = None;
        self.find.searched = None;
        ctx.memory_mut(|m| m.request_focus(id));
    }

    fn run_find(&mut self) {
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

    fn go_to_match(&mut self, i: usize) {
        let Some(m) = self.find.matches.get(i).cloned() else {
            return;
        };
        self.find.current = Some(i);
        self.sel = Some((m.start, m.end));
        self.scroll_req = Some(ScrollTo::Reveal(m.start));
    }

    fn step_match(&mut self, forward: bool) {
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

    fn find_bar_ui(&mut self, ui: &mut Ui, id: Id) {
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

    // ---- stripes, painting and hover -----------------------------------------------------

    /// Content y of document char `c`: the top of its row, or with `bottom` the bottom of the
    /// row holding the char before it (for range ends).
    fn y_of_char(&mut self, c: usize, bottom: bool) -> f32 {
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

    fn stripes(
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
        let lanes = self.lane_count.max(1);
        let lane_w = (LANES_W / lanes as f32).clamp(2.0, 7.0);
        let max_lane = ((LANES_W / lane_w) as usize).max(1) - 1;
        let mut out: Vec<Stripe> = Vec::with_capacity(list.len());
        for h in list {
            let (s, e) = (self.highlights[h].start, self.highlights[h].end);
            let y0 = self.y_of_char(s, false).max(viewport.min.y - 4.0);
            let y1 = self.y_of_char(e, true).min(viewport.max.y + 4.0);
            if y1 <= y0 {
                continue;
            }
            let lane = usize::from(self.lanes.get(h).copied().unwrap_or(0)).min(max_lane);
            let x = geo.x_lanes + lane as f32 * lane_w;
            let bar = Rect::from_x_y_ranges(x..=x + (lane_w - 1.0).max(1.5), y0..=y1);
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
            if y + label_h * 0.5 < s.bar.max.y {
                s.label = Some(Rect::from_min_size(
                    pos2(geo.x_stripe_labels, y),
                    vec2(STRIPE_LABEL_W, label_h),
                ));
                next_free = y + label_h;
            }
        }
        out
    }

    fn paint(
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
                    LABEL_W,
                ));
                let name_h = name.rect.height();
                painter.galley(pos, name, strong);
                if let Some(ts) = &t.timestamp {
                    let ts = painter.layout_job(truncated(ts, small_font.clone(), weak, LABEL_W));
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

    fn hover(&mut self, ui: &Ui, resp: &Response, to_screen: Vec2, geo: Geo, stripes: &[Stripe]) {
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

/// Centre height of row `row` of a galley.
fn row_center(g: &Galley, row: usize) -> f32 {
    g.rows.get(row).map_or(0.0, |r| r.rect().center().y)
}

/// A span end that runs past its block is drawn to the end of the last row.
fn extend_end(end: usize, len: usize, beyond: bool) -> usize {
    if beyond { len + 1 } else { end }
}

/// Calls `f` with the galley-relative rectangle of each row's part of local chars `[a, e)`. An
/// `e` past the last char extends the last row to its right edge.
fn range_rects(g: &Galley, a: usize, e: usize, mut f: impl FnMut(Rect)) {
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
fn truncated(text: &str, font: FontId, color: Color32, width: f32) -> LayoutJob {
    let mut job = LayoutJob::simple_singleline(text.to_owned(), font, color);
    job.wrap = TextWrapping::truncate_at_width(width.max(8.0));
    job
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(ctx: &Context, text: &str, width: f32) -> Arc<Galley> {
        let mut out = None;
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            let mut job = LayoutJob::single_section(
                text.to_owned(),
                TextFormat::simple(FontId::proportional(15.0), Color32::WHITE),
            );
            job.wrap = TextWrapping::wrap_at_width(width);
            out = Some(ui.fonts_mut(|f| f.layout_job(job)));
        });
        output.textures_delta.clear();
        out.unwrap()
    }

    #[test]
    fn galley_chars_are_document_chars() {
        // One glyph per char, so galley cursor index i is block char i, whatever the script:
        // combining accents and ZWJ continuations get zero-width glyphs of their own.
        let text = "P: Te\u{301}a 😀 共同 wörld 👩‍👩‍👧 end of a longer line that wraps";
        let idx = CharIndex::new(text);
        let n = idx.char_len();
        let turns = blocks::sanitize_turns(
            vec![Turn {
                start: 0,
                body_start: 3,
                end: n,
                speaker: "P".into(),
                timestamp: None,
            }],
            n,
        );
        let bl = blocks::split_blocks(text, &idx, &turns);
        let ctx = Context::default();
        let g = layout(&ctx, bl[0].text(text), 120.0);
        assert!(g.rows.len() > 1, "wraps");
        let doc: Vec<char> = text.chars().collect();
        let mut i = 0;
        for row in &g.rows {
            for gl in &row.glyphs {
                // Zero-width continuation glyphs of a ZWJ emoji cluster may carry another char
                // of the cluster in `chr`; the count of glyphs is what cursors rely on.
                if gl.advance_width > 0.0 {
                    assert_eq!(gl.chr, doc[bl[0].to_doc(i)], "glyph {i}");
                }
                i += 1;
            }
        }
        assert_eq!(i, bl[0].len());
        // cursor_from_pos past the end gives the block end.
        let c = g.cursor_from_pos(vec2(1000.0, 1000.0));
        assert_eq!(bl[0].to_doc(c.index.0), n);
    }

    #[test]
    fn galleys_follow_font_atlas_rebuilds() {
        let ctx = Context::default();
        let mut v = TranscriptView::new();
        v.set_document(DocId(1), Arc::from("one\ntwo"), Vec::new());
        let run = |v: &mut TranscriptView, side: usize| {
            let input = egui::RawInput {
                max_texture_side: Some(side),
                screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(800.0, 600.0))),
                ..Default::default()
            };
            let mut out = ctx.run_ui(input, |ui| {
                v.ui(ui);
            });
            out.textures_delta.clear();
            v.galleys[0].clone().unwrap()
        };
        let first = run(&mut v, 2048);
        assert!(
            Arc::ptr_eq(&first, &run(&mut v, 2048)),
            "kept while the atlas lives"
        );
        // A new texture size rebuilds egui's atlas: galleys pointing into the old one go.
        assert!(!Arc::ptr_eq(&first, &run(&mut v, 4096)));
    }

    #[test]
    fn range_rects_cover_rows() {
        let ctx = Context::default();
        let g = layout(&ctx, "alpha beta gamma delta epsilon zeta eta theta", 80.0);
        let mut rects = Vec::new();
        range_rects(&g, 0, 1000, |r| rects.push(r));
        assert_eq!(rects.len(), g.rows.len());
        let mut one = Vec::new();
        range_rects(&g, 1, 3, |r| one.push(r));
        assert_eq!(one.len(), 1);
        assert!(one[0].width() > 0.0);
        let mut none = Vec::new();
        range_rects(&g, 3, 3, |r| none.push(r));
        assert!(none.is_empty());
    }

    #[test]
    fn selection_clamps_and_empty_is_none() {
        let mut v = TranscriptView::new();
        v.set_selection(Some(0..10), false);
        assert_eq!(v.selection(), None, "empty document");
        v.set_document(DocId(1), Arc::from("héllo wörld"), Vec::new());
        v.set_selection(Some(6..1000), true);
        assert_eq!(v.selection(), Some(6..11));
        assert_eq!(v.selected_text(), Some("wörld"));
        v.set_selection(Some(4..4), false);
        assert_eq!(v.selection(), None);
        v.set_highlights(vec![Highlight {
            coding: CodingId(1),
            code: CodeId(1),
            start: 5,
            end: 99,
            color: Color([1, 2, 3]),
            label: "x".into(),
        }]);
        assert_eq!(v.highlights_at(7), vec![0]);
        assert!(v.highlights_at(2).is_empty());
    }
}
