//! Input and selection: pointer hits (click, drag, shift-click, double-click on a word,
//! clicks on codings and stripes) and keyboard movement of the selection.

// The view is one struct; this file adds one concern to it and shares its imports.
use super::layout::row_center;
use super::*;

impl TranscriptView {
    /// Document char for a cursor placed at content point `p` (never a label char).
    pub(super) fn hit_char(&mut self, ctx: &Context, p: Pos2, geo: Geo) -> usize {
        let Some(b) = self.block_at_y(p.y) else {
            return 0;
        };
        let g = self.galley(ctx, b);
        let top = self.text_top(b);
        let c = g.cursor_from_pos(vec2(p.x - geo.x_body, (p.y - top).max(0.0)));
        self.blocks[b].to_doc(c.index.0)
    }

    /// The document char whose glyph is under content point `p`, if any.
    pub(super) fn char_under(&mut self, ctx: &Context, p: Pos2, geo: Geo) -> Option<usize> {
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
    pub(super) fn highlights_at(&self, c: usize) -> Vec<usize> {
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

    pub(super) fn select_coding(&mut self, hl: usize) {
        let coding = self.highlights[hl].coding;
        self.selected_coding = Some(coding);
        self.events.push(TranscriptEvent::CodingClicked(coding));
    }

    pub(super) fn pointer(
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

    pub(super) fn handle_shortcuts(&mut self, ctx: &Context, id: Id) {
        let find_id = id.with("find");
        let (ours, none) = ctx.memory(|m| {
            let f = m.focused();
            (f == Some(id) || f == Some(find_id), f.is_none())
        });
        if (ours || none) && ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F)) {
            self.open_find(ctx, find_id);
        }
    }

    pub(super) fn handle_keys(&mut self, ctx: &Context, id: Id) {
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

    pub(super) fn key(&mut self, ctx: &Context, key: Key, mods: Modifiers) {
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

    pub(super) fn first_visible_char(&mut self) -> usize {
        let y = self.scroll_y;
        self.block_at_y(y).map_or(0, |b| self.blocks[b].start)
    }

    pub(super) fn move_head(
        &mut self,
        ctx: &Context,
        head: usize,
        key: Key,
        command: bool,
    ) -> usize {
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
}
