//! The egui-free geometry of the transcript view: how a document splits into blocks (one per
//! paragraph), how positions inside a block map to document chars, which highlight spans fall
//! in each block, stripe lanes for overlapping codings, word bounds and case-insensitive find.
//!
//! A block's text is the document slice `[start, end)` at char boundaries, so an egui cursor
//! index into a block's galley (a char index) maps to the document char `start + index`. Every
//! such conversion goes through [`Block::to_doc`] and [`Block::to_local`].

use crate::model::Turn;
use crate::text::CharIndex;
use std::ops::Range;

/// What separates a block from the one above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// The first block of the document.
    None,
    /// Another paragraph of the same turn, or a plain paragraph.
    Paragraph,
    /// The first paragraph of a speaker turn.
    Turn,
}

/// One paragraph of the document, laid out as one galley.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// First document char of the block.
    pub start: usize,
    /// One past its last char (never includes a `\n`).
    pub end: usize,
    /// Byte offset of `start` in the document.
    pub byte_start: usize,
    /// Byte offset of `end` in the document.
    pub byte_end: usize,
    /// Index into the (sanitised) turns, if the block is part of a turn body.
    pub turn: Option<usize>,
    /// Whether the block is the first of its turn (the speaker label is drawn beside it).
    pub first_of_turn: bool,
    /// Spacing above the block.
    pub gap: Gap,
}

impl Block {
    /// Length in chars.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the block has no text (an empty turn body).
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Document char of the galley char index `local` (clamped to the block).
    pub fn to_doc(&self, local: usize) -> usize {
        self.start + local.min(self.len())
    }

    /// Galley char index of document char `doc`, clamped into the block.
    pub fn to_local(&self, doc: usize) -> usize {
        doc.clamp(self.start, self.end) - self.start
    }

    /// The block's text, a slice of `doc`.
    pub fn text<'t>(&self, doc: &'t str) -> &'t str {
        doc.get(self.byte_start..self.byte_end).unwrap_or("")
    }
}

/// Turns made safe to use: clamped to the text, sorted, overlapping ones dropped,
/// `start <= body_start <= end`.
pub fn sanitize_turns(mut turns: Vec<Turn>, char_len: usize) -> Vec<Turn> {
    for t in &mut turns {
        t.end = t.end.min(char_len);
        t.start = t.start.min(t.end);
        t.body_start = t.body_start.clamp(t.start, t.end);
    }
    turns.sort_by_key(|t| (t.start, t.end));
    let mut out: Vec<Turn> = Vec::with_capacity(turns.len());
    for t in turns {
        if out.last().is_some_and(|p| t.start < p.end) {
            continue;
        }
        out.push(t);
    }
    out
}

/// Splits `text` into blocks: the body of each turn and the text outside turns, each split on
/// `\n` into paragraphs. Blank paragraphs are skipped, except that a turn with an empty body
/// still gets one empty block so its speaker label shows. Labels (`[start, body_start)` of a
/// turn) and newlines belong to no block. `turns` must come from [`sanitize_turns`].
pub fn split_blocks(text: &str, index: &CharIndex, turns: &[Turn]) -> Vec<Block> {
    let char_len = index.char_len();
    let mut blocks = Vec::with_capacity(turns.len() * 2 + 8);
    let mut cursor = 0;
    for (i, t) in turns.iter().enumerate() {
        if cursor < t.start {
            push_segment(text, index, cursor, t.start, None, &mut blocks);
        }
        push_segment(text, index, t.body_start, t.end, Some(i), &mut blocks);
        cursor = t.end;
    }
    if cursor < char_len {
        push_segment(text, index, cursor, char_len, None, &mut blocks);
    }
    if let Some(first) = blocks.first_mut() {
        first.gap = Gap::None;
    }
    blocks
}

fn push_segment(
    text: &str,
    index: &CharIndex,
    start: usize,
    end: usize,
    turn: Option<usize>,
    out: &mut Vec<Block>,
) {
    let (Some(b0), Some(b1)) = (index.byte(text, start), index.byte(text, end)) else {
        return;
    };
    let seg = &text[b0..b1];
    let before = out.len();
    let mut char_pos = start;
    let mut byte_pos = b0;
    for para in seg.split('\n') {
        let n = para.chars().count();
        if !para.trim().is_empty() {
            let first = turn.is_some() && out.len() == before;
            out.push(Block {
                start: char_pos,
                end: char_pos + n,
                byte_start: byte_pos,
                byte_end: byte_pos + para.len(),
                turn,
                first_of_turn: first,
                gap: if first { Gap::Turn } else { Gap::Paragraph },
            });
        }
        char_pos += n + 1;
        byte_pos += para.len() + 1;
    }
    if turn.is_some() && out.len() == before {
        out.push(Block {
            start,
            end: start,
            byte_start: b0,
            byte_end: b0,
            turn,
            first_of_turn: true,
            gap: Gap::Turn,
        });
    }
}

/// Index of the block that document char `doc` belongs to as a cursor position: the block
/// containing it (its end included), else the next block (for chars in labels and newlines),
/// else the last block. `None` only when there are no blocks.
pub fn block_at_char(blocks: &[Block], doc: usize) -> Option<usize> {
    if blocks.is_empty() {
        return None;
    }
    let i = blocks.partition_point(|b| b.end < doc);
    Some(i.min(blocks.len() - 1))
}

/// Moves a cursor position into a block: positions in labels and newlines snap to the start of
/// the following block (or the end of the last one).
pub fn snap_to_block(blocks: &[Block], doc: usize) -> usize {
    match block_at_char(blocks, doc) {
        Some(b) => blocks[b].start.max(doc).min(blocks[b].end),
        None => 0,
    }
}

/// The part of one highlight inside one block, in block-local chars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First local char.
    pub start: u32,
    /// One past the last local char.
    pub end: u32,
    /// Index into the view's highlights.
    pub hl: u32,
}

/// Per-block lists of highlight spans, sorted by start. `ranges[i]` is highlight `i`'s
/// document char range. O(n log n + spans).
pub fn block_spans(blocks: &[Block], ranges: &[Range<usize>]) -> Vec<Vec<Span>> {
    let mut out: Vec<Vec<Span>> = vec![Vec::new(); blocks.len()];
    for (i, r) in ranges.iter().enumerate() {
        if r.start >= r.end {
            continue;
        }
        let first = blocks.partition_point(|b| b.end <= r.start);
        for (b, block) in blocks.iter().enumerate().skip(first) {
            if block.start >= r.end {
                break;
            }
            let s = r.start.max(block.start) - block.start;
            let e = r.end.min(block.end) - block.start;
            if s < e {
                out[b].push(Span {
                    start: to_u32(s),
                    end: to_u32(e),
                    hl: to_u32(i),
                });
            }
        }
    }
    for spans in &mut out {
        spans.sort_unstable_by_key(|s| (s.start, s.end));
    }
    out
}

fn to_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Assigns each range a lane so that overlapping ranges get different lanes (greedy interval
/// colouring, the smallest free lane first). Returns the lanes and the number of lanes used.
pub fn assign_lanes(ranges: &[Range<usize>]) -> (Vec<u16>, usize) {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut order: Vec<usize> = (0..ranges.len()).collect();
    order.sort_by_key(|&i| (ranges[i].start, Reverse(ranges[i].end)));
    let mut lanes = vec![0u16; ranges.len()];
    let mut active: BinaryHeap<Reverse<(usize, u16)>> = BinaryHeap::new();
    let mut free: BinaryHeap<Reverse<u16>> = BinaryHeap::new();
    let mut count: u16 = 0;
    for i in order {
        let r = &ranges[i];
        while let Some(&Reverse((end, lane))) = active.peek() {
            if end > r.start {
                break;
            }
            active.pop();
            free.push(Reverse(lane));
        }
        let lane = match free.pop() {
            Some(Reverse(l)) => l,
            None => {
                count = count.saturating_add(1);
                count - 1
            }
        };
        lanes[i] = lane;
        active.push(Reverse((r.end.max(r.start + 1), lane)));
    }
    (lanes, usize::from(count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(start: usize, body: usize, end: usize, who: &str) -> Turn {
        Turn {
            start,
            body_start: body,
            end,
            speaker: who.into(),
            timestamp: None,
        }
    }

    fn chars(s: &str, r: Range<usize>) -> String {
        crate::text::slice_chars(s, r.start, r.end)
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn splits_turns_and_paragraphs() {
        let text = "Intro line\n\nA: one\ntwo\nB: three\n";
        let idx = CharIndex::new(text);
        // "A: one\ntwo" is chars 12..22, body at 15; "B: three" is 23..31, body at 26.
        let turns = sanitize_turns(vec![turn(23, 26, 31, "B"), turn(12, 15, 22, "A")], 32);
        let blocks = split_blocks(text, &idx, &turns);
        let texts: Vec<&str> = blocks.iter().map(|b| b.text(text)).collect();
        assert_eq!(texts, ["Intro line", "one", "two", "three"]);
        assert_eq!(blocks[0].gap, Gap::None);
        assert_eq!(blocks[0].turn, None);
        assert!(blocks[1].first_of_turn && blocks[1].turn == Some(0));
        assert_eq!(blocks[2].gap, Gap::Paragraph);
        assert!(!blocks[2].first_of_turn);
        assert_eq!(blocks[3].turn, Some(1));
        for b in &blocks {
            assert_eq!(chars(text, b.start..b.end), b.text(text));
        }
    }

    #[test]
    fn no_turns_and_empty() {
        let idx = CharIndex::new("");
        assert!(split_blocks("", &idx, &[]).is_empty());
        let text = "a\n\n  \nb";
        let blocks = split_blocks(text, &CharIndex::new(text), &[]);
        assert_eq!(blocks.len(), 2);
        assert_eq!((blocks[1].start, blocks[1].end), (6, 7));
        assert_eq!(block_at_char(&[], 3), None);
        assert_eq!(snap_to_block(&[], 3), 0);
    }

    #[test]
    fn empty_turn_body_gets_a_block() {
        let text = "P1:\nP2: hi";
        let turns = sanitize_turns(vec![turn(0, 3, 3, "P1"), turn(4, 8, 10, "P2")], 10);
        let blocks = split_blocks(text, &CharIndex::new(text), &turns);
        assert_eq!(blocks.len(), 2);
        assert!(blocks[0].is_empty() && blocks[0].first_of_turn);
    }

    #[test]
    fn bad_turns_are_sanitised() {
        let t = sanitize_turns(
            vec![turn(5, 2, 99, "x"), turn(0, 1, 6, "y"), turn(3, 4, 5, "z")],
            10,
        );
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].start, t[0].body_start, t[0].end), (0, 1, 6));
    }

    #[test]
    fn cursor_mapping_hard_text() {
        // Emoji (outside the BMP), a combining accent and CJK: every block char maps to the
        // same document char.
        let text = "P: Te\u{301}a 😀 ok\nQ: 共同 done 👩‍👩‍👧\n";
        let n = text.chars().count();
        let idx = CharIndex::new(text);
        let turns = sanitize_turns(vec![turn(0, 3, 12, "P"), turn(13, 16, n - 1, "Q")], n);
        let blocks = split_blocks(text, &idx, &turns);
        assert_eq!(blocks.len(), 2);
        let doc: Vec<char> = text.chars().collect();
        for b in &blocks {
            for (local, c) in b.text(text).chars().enumerate() {
                assert_eq!(doc[b.to_doc(local)], c);
                assert_eq!(b.to_local(b.to_doc(local)), local);
            }
            assert_eq!(b.to_doc(10_000), b.end);
            assert_eq!(b.to_local(0), 0);
            assert_eq!(b.to_local(usize::MAX), b.len());
        }
        assert_eq!(blocks[1].text(text), "共同 done 👩‍👩‍👧");
        // Label chars and newlines snap to the next body.
        assert_eq!(snap_to_block(&blocks, 1), 3);
        assert_eq!(snap_to_block(&blocks, 12), 12);
        assert_eq!(snap_to_block(&blocks, 14), 16);
        assert_eq!(snap_to_block(&blocks, 999), blocks[1].end);
    }

    #[test]
    fn spans_per_block() {
        let text = "aaaa\nbbbb\ncccc";
        let blocks = split_blocks(text, &CharIndex::new(text), &[]);
        let spans = block_spans(&blocks, &[2..12, 5..7, 3..3, 20..30]);
        assert_eq!(
            spans[0],
            vec![Span {
                start: 2,
                end: 4,
                hl: 0
            }]
        );
        assert_eq!(
            spans[1],
            vec![
                Span {
                    start: 0,
                    end: 2,
                    hl: 1
                },
                Span {
                    start: 0,
                    end: 4,
                    hl: 0
                }
            ]
        );
        assert_eq!(
            spans[2],
            vec![Span {
                start: 0,
                end: 2,
                hl: 0
            }]
        );
    }

    #[test]
    fn lanes_separate_overlaps() {
        let ranges = [0..10, 2..5, 4..8, 10..12, 6..7];
        let (lanes, n) = assign_lanes(&ranges);
        assert_eq!(n, 3);
        for i in 0..ranges.len() {
            for j in 0..i {
                let overlap = ranges[i].start < ranges[j].end && ranges[j].start < ranges[i].end;
                if overlap {
                    assert_ne!(lanes[i], lanes[j], "{i} {j}");
                }
            }
        }
        assert_eq!(lanes[3], 0, "reuses a freed lane");
    }
}
