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
mod find;
mod input;
mod layout;
mod paint;

use self::blocks::{Block, Gap, Span};
use self::find::Find;
use self::paint::Stripe;
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
/// Widest stripe labels, where the window has room to spare.
const MAX_STRIPE_LABEL_W: f32 = 170.0;
/// Below this many characters per line the speaker column and stripe labels narrow.
const TIGHT_LINE_CHARS: f32 = 60.0;
/// Below this many characters per line the stripes lose their labels.
const READABLE_LINE_CHARS: f32 = 45.0;
/// Width of the speaker label column in a narrow window.
const NARROW_LABEL_W: f32 = 86.0;
/// Width of the stripe labels in a narrow window.
const NARROW_STRIPE_LABEL_W: f32 = 80.0;
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
    /// Width of the speaker label column.
    label_w: f32,
    x_body: f32,
    body_w: f32,
    x_lanes: f32,
    x_stripe_labels: f32,
    /// Width of the stripe labels beside the lanes.
    stripe_label_w: f32,
}

impl Geo {
    fn new(width: f32, m: &Metrics, has_turns: bool) -> Self {
        // An unbounded parent (a horizontal scroll area) gives an infinite width.
        let width = if width.is_finite() { width } else { 1000.0 };
        let max_body = (MAX_LINE_CHARS * m.avg_w).max(MIN_BODY_W);
        let fixed_with = |label_w: f32, stripe_label_w: f32| {
            let label = if has_turns { label_w + LABEL_GAP } else { 0.0 };
            PAD * 2.0 + label + MARGIN_GAP + LANES_W + 4.0 + stripe_label_w + SCROLLBAR_RESERVE
        };
        // A narrow window gives the text what the speaker column and the stripe labels can
        // spare (names and code labels are cut with "…"); a wide one gives the stripe labels
        // the room the text cannot use, so code names are read whole.
        let spare = width - fixed_with(LABEL_W, STRIPE_LABEL_W);
        let (label_w, stripe_label_w) = if spare < TIGHT_LINE_CHARS * m.avg_w {
            // Tighter still, the stripes go without labels (hovering a stripe names its code).
            let narrow_spare = width - fixed_with(NARROW_LABEL_W, NARROW_STRIPE_LABEL_W);
            if narrow_spare < READABLE_LINE_CHARS * m.avg_w {
                (NARROW_LABEL_W, 0.0)
            } else {
                (NARROW_LABEL_W, NARROW_STRIPE_LABEL_W)
            }
        } else {
            let extra = (spare - max_body).clamp(0.0, MAX_STRIPE_LABEL_W - STRIPE_LABEL_W);
            (LABEL_W, STRIPE_LABEL_W + extra.floor())
        };
        let fixed = fixed_with(label_w, stripe_label_w);
        let label = if has_turns { label_w + LABEL_GAP } else { 0.0 };
        let body_w = (width - fixed).clamp(MIN_BODY_W, max_body).floor();
        let used = fixed + body_w;
        let left = ((width - used) / 2.0).max(0.0).floor() + PAD;
        let x_body = left + label;
        let x_lanes = x_body + body_w + MARGIN_GAP;
        Self {
            x_label: left,
            label_w,
            x_body,
            body_w,
            x_lanes,
            x_stripe_labels: x_lanes + LANES_W + 4.0,
            stripe_label_w,
        }
    }
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
    last_stripes: Vec<(CodingId, Rect)>,
    /// How far this document has been shown (furthest char, end seen), and what of that has
    /// not been handed out by [`TranscriptView::take_reading`] yet.
    reading: (usize, bool),
    reading_pending: bool,
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
            last_stripes: Vec::new(),
            reading: (0, false),
            reading_pending: false,
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
        self.reading = (0, false);
        self.reading_pending = false;
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

    /// The margin stripes drawn in the last frame: each coding's bar, in content coordinates
    /// (for tests: no stripe may hide another).
    pub fn stripe_rects(&self) -> &[(CodingId, Rect)] {
        &self.last_stripes
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

    /// The selection as the range a coding is made of: what the app hands to an action.
    pub fn selected_range(&self) -> Option<crate::model::CharRange> {
        self.selection()
            .and_then(crate::model::CharRange::from_range)
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

    /// Shows a passage without selecting it (a jump to read it, e.g. from the coded segments):
    /// clears the selection, so a later key or button never codes a passage the user only went
    /// to look at, and scrolls the passage's start into view.
    pub fn show_passage(&mut self, passage: Range<usize>) {
        self.set_selection(None, false);
        self.scroll_to_char(passage.start);
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

    /// How many characters of this document's text fit on one line at the width last drawn
    /// (the text column's width over the font's average character width).
    pub fn chars_per_line(&self) -> Option<f32> {
        let (_, geo) = self.last_placement?;
        let m = self.metrics?;
        Some(geo.body_w / m.avg_w)
    }

    /// The vertical scroll offset of the last frame, in points.
    pub fn scroll_offset(&self) -> f32 {
        self.scroll_y
    }

    /// How far the shown document has been read on screen, when that grew noticeably since
    /// last asked: `(document, furthest char shown, whether its end was shown)`. Given once
    /// when a document is first drawn, then when the furthest char grows by a twentieth of
    /// the text (or 2,000 chars), and when the end comes into view; never every frame.
    pub fn take_reading(&mut self) -> Option<(DocId, usize, bool)> {
        let doc = self.doc?;
        if !std::mem::take(&mut self.reading_pending) {
            return None;
        }
        Some((doc, self.reading.0, self.reading.1))
    }

    /// Notes how far the text is shown after a frame (see [`Self::take_reading`]).
    fn track_reading(&mut self) {
        let n = self.blocks.len();
        if n == 0 || self.doc.is_none() {
            return;
        }
        let bottom = self.scroll_y + self.view_h;
        let Some(b) = self.block_at_y(bottom) else {
            return;
        };
        let len = self.char_index.char_len();
        let finished = bottom >= self.total_height() - 2.0;
        let furthest = if finished {
            len
        } else {
            self.blocks[b].end.min(len)
        };
        let (seen, done) = self.reading;
        let step = (len / 20).clamp(1, 2000);
        let first = seen == 0 && !done && !self.reading_pending;
        if first || (finished && !done) || furthest >= seen + step {
            self.reading = (furthest.max(seen), done || finished);
            self.reading_pending = true;
        }
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
        self.track_reading();

        let sel = self.selection();
        if sel != self.reported {
            self.reported = sel.clone();
            self.events.push(TranscriptEvent::SelectionChanged(sel));
        }
        std::mem::take(&mut self.events)
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
        self.last_stripes = stripes
            .iter()
            .filter_map(|s| Some((self.highlights.get(s.hl)?.coding, s.bar)))
            .collect();
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
}

#[cfg(test)]
mod tests {
    use super::paint::range_rects;
    use super::*;

    #[test]
    fn a_narrow_column_gives_the_text_room_and_a_wide_one_the_code_labels() {
        let m = Metrics {
            font_size: FONT_SIZE,
            ppp: 1.0,
            font_h: FONT_SIZE,
            line_h: FONT_SIZE * LINE_FACTOR,
            avg_w: 7.0,
            label_h: 0.0,
        };
        // The transcript's column in an 800×600 window.
        let narrow = Geo::new(620.0, &m, true);
        assert_eq!(narrow.label_w, NARROW_LABEL_W);
        assert!(narrow.body_w / m.avg_w >= 50.0, "{narrow:?}");
        // A column wide enough for the longest line gives the stripe labels what is left.
        let wide = Geo::new(1100.0, &m, true);
        assert_eq!(wide.label_w, LABEL_W);
        assert_eq!(wide.body_w, (MAX_LINE_CHARS * m.avg_w).floor());
        assert!(wide.stripe_label_w > STRIPE_LABEL_W, "{wide:?}");
        assert!(wide.x_stripe_labels + wide.stripe_label_w <= 1100.0);
        // With the documents panel shown too, the stripes lose their labels first.
        let tighter = Geo::new(470.0, &m, true);
        assert_eq!(tighter.stripe_label_w, 0.0);
        assert!(tighter.body_w / m.avg_w >= 39.0, "{tighter:?}");
        // Never narrower than the floor, never past the edge in between.
        for w in [100.0, 400.0, 700.0, 800.0, 900.0, 2000.0] {
            let g = Geo::new(w, &m, true);
            assert!(g.body_w >= MIN_BODY_W && g.stripe_label_w <= MAX_STRIPE_LABEL_W);
            if w >= 400.0 {
                assert!(g.x_stripe_labels + g.stripe_label_w <= w, "{w}: {g:?}");
            }
        }
    }

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
