//! Text positions, the one rule that must never break.
//!
//! Everywhere in the store, model and CLI a position is a Unicode scalar value index (a Rust
//! `char` index) into the document's stored text, and a range is half-open `[start, end)`.
//! This module is the only place that converts to and from other units: byte offsets (Rust
//! slicing), UTF-16 code units (REFI-QDA files written by NVivo) and line-ending normalisation
//! at import. It also finds words (UAX #29) for the word counts of the frequency report.

use unicode_segmentation::UnicodeSegmentation;

/// Normalises line endings to `\n`: CRLF and lone CR both become LF. Done once at import,
/// before any offset exists.
pub fn normalize_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` cut to at most `n` chars, the last of them `…` when it was longer (for labels and
/// previews; never for stored text).
pub fn ellipsize(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_owned();
    }
    let mut t: String = text.chars().take(n.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// Number of chars in `text`.
pub fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// Byte offset of char index `char_idx`, or `None` past the end. `char_len` maps to `text.len()`.
pub fn char_to_byte(text: &str, char_idx: usize) -> Option<usize> {
    if char_idx == 0 {
        return Some(0);
    }
    match text.char_indices().nth(char_idx) {
        Some((b, _)) => Some(b),
        None if char_len(text) == char_idx => Some(text.len()),
        None => None,
    }
}

/// Char index of byte offset `byte`, or `None` if it is not on a char boundary or past the end.
pub fn byte_to_char(text: &str, byte: usize) -> Option<usize> {
    if byte > text.len() || !text.is_char_boundary(byte) {
        return None;
    }
    Some(text[..byte].chars().count())
}

/// The text of chars `[start, end)`, or `None` if the range is reversed or out of bounds.
pub fn slice_chars(text: &str, start: usize, end: usize) -> Option<&str> {
    if start > end {
        return None;
    }
    let b0 = char_to_byte(text, start)?;
    let b1 = b0 + char_to_byte(&text[b0..], end - start)?;
    Some(&text[b0..b1])
}

/// The text of chars `[start, end)` with both ends clamped to the text, so a stale range
/// gives what is left of it instead of nothing; empty if `start >= end`.
pub fn slice_chars_clamped(text: &str, start: usize, end: usize) -> &str {
    let b0 = char_to_byte(text, start).unwrap_or(text.len());
    let b1 = char_to_byte(text, end).unwrap_or(text.len()).max(b0);
    &text[b0..b1]
}

/// UTF-16 code unit offset of char index `char_idx` (NVivo's QDPX positions), or `None` past
/// the end.
pub fn char_to_utf16(text: &str, char_idx: usize) -> Option<usize> {
    let mut units = 0;
    let mut chars = text.chars();
    for _ in 0..char_idx {
        units += chars.next()?.len_utf16();
    }
    Some(units)
}

/// Char index of UTF-16 offset `unit`, or `None` if it falls inside a surrogate pair or past the
/// end.
pub fn utf16_to_char(text: &str, unit: usize) -> Option<usize> {
    let mut units = 0;
    for (i, c) in text.chars().enumerate() {
        if units == unit {
            return Some(i);
        }
        if units > unit {
            return None;
        }
        units += c.len_utf16();
    }
    (units == unit).then(|| char_len(text))
}

/// Fast char -> byte lookups over one long text: a checkpoint every 256 chars, so a lookup
/// walks at most 255 chars. Build it once per document, use it for many positions.
#[derive(Debug, Clone)]
pub struct CharIndex {
    checkpoints: Vec<usize>,
    char_len: usize,
    ascii: bool,
}

const STRIDE: usize = 256;

impl CharIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        if text.is_ascii() {
            return Self {
                checkpoints: Vec::new(),
                char_len: text.len(),
                ascii: true,
            };
        }
        let mut checkpoints = Vec::with_capacity(text.len() / STRIDE + 1);
        let mut n = 0;
        for (b, _) in text.char_indices() {
            if n % STRIDE == 0 {
                checkpoints.push(b);
            }
            n += 1;
        }
        Self {
            checkpoints,
            char_len: n,
            ascii: false,
        }
    }

    /// Length of the indexed text in chars.
    pub fn char_len(&self) -> usize {
        self.char_len
    }

    /// Byte offset of `char_idx` in the text this index was built from, or `None` past the end.
    pub fn byte(&self, text: &str, char_idx: usize) -> Option<usize> {
        if char_idx > self.char_len {
            return None;
        }
        if self.ascii {
            return Some(char_idx);
        }
        if char_idx == self.char_len {
            return Some(text.len());
        }
        let base = *self.checkpoints.get(char_idx / STRIDE)?;
        let rest = char_idx % STRIDE;
        text[base..].char_indices().nth(rest).map(|(b, _)| base + b)
    }

    /// The text of chars `[start, end)`, or `None` if the range is reversed or out of bounds.
    pub fn slice<'t>(&self, text: &'t str, start: usize, end: usize) -> Option<&'t str> {
        if start > end {
            return None;
        }
        Some(&text[self.byte(text, start)?..self.byte(text, end)?])
    }

    /// Char index of byte offset `byte` (which must be a char boundary).
    pub fn char_of_byte(&self, text: &str, byte: usize) -> Option<usize> {
        if self.ascii {
            return (byte <= text.len()).then_some(byte);
        }
        if byte > text.len() || !text.is_char_boundary(byte) {
            return None;
        }
        let k = self
            .checkpoints
            .partition_point(|&b| b <= byte)
            .saturating_sub(1);
        let base = self.checkpoints.get(k).copied().unwrap_or(0);
        Some(k * STRIDE + text[base..byte].chars().count())
    }
}

/// The words of a text (UAX #29 word boundaries, keeping words that contain a letter or digit)
/// as sorted, non-overlapping char ranges. Used to count the words a coding covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordIndex {
    starts: Vec<u32>,
    ends: Vec<u32>,
}

impl WordIndex {
    /// Finds the words of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::new();
        let mut ends = Vec::new();
        let mut last_byte = 0;
        let mut last_char = 0usize;
        for_each_word(text, |b, w| {
            let start = last_char + count_chars(&text[last_byte..b]);
            let len = count_chars(w);
            starts.push(u32::try_from(start).unwrap_or(u32::MAX));
            ends.push(u32::try_from(start + len).unwrap_or(u32::MAX));
            last_byte = b + w.len();
            last_char = start + len;
        });
        Self { starts, ends }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Number of words that overlap chars `[start, end)`.
    pub fn count_overlapping(&self, start: usize, end: usize) -> usize {
        if start >= end {
            return 0;
        }
        // Words overlapping [start, end) are those with word_start < end and word_end > start.
        // Both arrays are sorted, so this is (#starts < end) - (#ends <= start).
        let s = u32::try_from(start).unwrap_or(u32::MAX);
        let e = u32::try_from(end).unwrap_or(u32::MAX);
        let before_end = self.starts.partition_point(|&x| x < e);
        let ended = self.ends.partition_point(|&x| x <= s);
        before_end.saturating_sub(ended)
    }

    /// Index range of the words that overlap chars `[start, end)`.
    pub fn word_range(&self, start: usize, end: usize) -> std::ops::Range<usize> {
        if start >= end {
            return 0..0;
        }
        let s = u32::try_from(start).unwrap_or(u32::MAX);
        let e = u32::try_from(end).unwrap_or(u32::MAX);
        let lo = self.ends.partition_point(|&x| x <= s);
        let hi = self.starts.partition_point(|&x| x < e);
        lo..hi.max(lo)
    }

    /// Number of words that overlap any of `ranges` (sorted by start, not overlapping), each
    /// word counted once even when it touches two ranges.
    pub fn count_union(&self, ranges: &[(usize, usize)]) -> usize {
        let mut seen_up_to = 0;
        let mut n = 0;
        for &(s, e) in ranges {
            let r = self.word_range(s, e);
            let lo = r.start.max(seen_up_to);
            if r.end > lo {
                n += r.end - lo;
            }
            seen_up_to = seen_up_to.max(r.end);
        }
        n
    }

    /// Compact form stored in the project: per word, LEB128 varints of the gap since the
    /// previous word's end and of the word's length.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.starts.len() * 2 + 4);
        let mut prev_end = 0u32;
        for (&s, &e) in self.starts.iter().zip(&self.ends) {
            push_varint(&mut out, s - prev_end);
            push_varint(&mut out, e - s);
            prev_end = e;
        }
        out
    }

    /// The stored form of `text`'s word index and its number of words, computed in one pass
    /// without building the index in memory (imports of very long transcripts stay small).
    pub fn encode_text(text: &str) -> (Vec<u8>, usize) {
        let mut out = Vec::with_capacity(text.len() / 3);
        let mut count = 0;
        let mut last_byte = 0;
        let mut last_char = 0usize;
        let mut prev_end = 0u32;
        for_each_word(text, |b, w| {
            let start = last_char + count_chars(&text[last_byte..b]);
            let len = count_chars(w);
            let s = u32::try_from(start).unwrap_or(u32::MAX);
            let e = u32::try_from(start + len).unwrap_or(u32::MAX);
            push_varint(&mut out, s.saturating_sub(prev_end));
            push_varint(&mut out, e.saturating_sub(s));
            prev_end = e;
            last_byte = b + w.len();
            last_char = start + len;
            count += 1;
        });
        out.shrink_to_fit();
        (out, count)
    }

    /// Inverse of [`Self::encode`]; `None` if the bytes are malformed.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let mut starts = Vec::with_capacity(bytes.len() / 2);
        let mut ends = Vec::with_capacity(bytes.len() / 2);
        let mut pos = 0;
        let mut prev_end = 0u32;
        while pos < bytes.len() {
            let gap = read_varint(bytes, &mut pos)?;
            let len = read_varint(bytes, &mut pos)?;
            let s = prev_end.checked_add(gap)?;
            let e = s.checked_add(len)?;
            starts.push(s);
            ends.push(e);
            prev_end = e;
        }
        Some(Self { starts, ends })
    }
}

fn push_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn read_varint(bytes: &[u8], pos: &mut usize) -> Option<u32> {
    let mut v: u32 = 0;
    let mut shift = 0;
    loop {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        if shift > 28 {
            return None;
        }
        v |= u32::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
    }
}

/// Number of words (UAX #29, alphanumeric) in `text`.
pub fn count_words(text: &str) -> usize {
    let mut n = 0;
    for_each_word(text, |_, _| n += 1);
    n
}

/// The word (UAX #29 segment) around char `local` in `text`, as a char range (the transcript
/// passes one paragraph and a paragraph-local index). Whitespace and punctuation runs count as their own segments.
pub fn word_at(text: &str, local: usize) -> std::ops::Range<usize> {
    let mut pos = 0;
    let mut last = 0..0;
    for seg in text.split_word_bounds() {
        let n = seg.chars().count();
        let r = pos..pos + n;
        if local < r.end {
            return r;
        }
        last = r;
        pos += n;
    }
    last
}

/// Lowercases char by char, keeping chars whose lowercase is not a single char as they are, so
/// char positions in the result equal those in `text`.
pub fn fold_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let mut l = c.to_lowercase();
        match (l.next(), l.next()) {
            (Some(x), None) => out.push(x),
            _ => out.push(c),
        }
    }
    out
}

/// Every non-overlapping occurrence of `needle` in `hay` (both already [`fold_case`]d), as char
/// ranges, in order.
pub fn find_all(hay: &str, needle: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    if needle.is_empty() {
        return out;
    }
    let n = needle.chars().count();
    let mut last_byte = 0;
    let mut last_char = 0;
    for (b, _) in hay.match_indices(needle) {
        last_char += hay[last_byte..b].chars().count();
        last_byte = b;
        out.push(last_char..last_char + n);
    }
    out
}

/// One replacement in a [`Splice`]: the old chars `[start, end)` (not empty) become `with`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// First old char replaced.
    pub start: usize,
    /// One past the last old char replaced.
    pub end: usize,
    /// The text put in their place.
    pub with: String,
}

/// Several char ranges of one text replaced at once (a withdrawn speaker's turns by a marker),
/// and where the old positions and ranges land in the new text. Pure: no store, no I/O.
///
/// Old text that is not replaced keeps its chars; positions after a replacement shift by its
/// length difference. A position strictly inside a replaced range no longer exists. A range
/// keeps exactly the old chars of it that remain (see [`Self::map_range`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    reps: Vec<Replacement>,
    /// Old chars removed by the replacements before index `i` (one more entry than `reps`).
    removed_before: Vec<usize>,
    /// New chars inserted by the replacements before index `i`.
    inserted_before: Vec<usize>,
    old_len: usize,
}

impl Splice {
    /// The splice of a text of `old_len` chars by `reps` (in any order). `None` if a range is
    /// empty, reversed, past `old_len`, or overlaps another (adjacent ranges are fine).
    pub fn new(mut reps: Vec<Replacement>, old_len: usize) -> Option<Self> {
        reps.sort_by_key(|r| r.start);
        let mut removed_before = vec![0];
        let mut inserted_before = vec![0];
        let mut last_end = 0;
        for r in &reps {
            if r.start >= r.end || r.end > old_len || r.start < last_end {
                return None;
            }
            last_end = r.end;
            removed_before.push(removed_before.last().copied().unwrap_or(0) + (r.end - r.start));
            inserted_before.push(inserted_before.last().copied().unwrap_or(0) + char_len(&r.with));
        }
        Some(Self {
            reps,
            removed_before,
            inserted_before,
            old_len,
        })
    }

    /// The replacements, sorted by start.
    pub fn replacements(&self) -> &[Replacement] {
        &self.reps
    }

    /// Length of the new text, in chars.
    pub fn new_len(&self) -> usize {
        let n = self.reps.len();
        self.old_len + self.inserted_before[n] - self.removed_before[n]
    }

    /// The new text: `text` (of `old_len` chars) with the replacements made. `None` if `text`
    /// is not `old_len` chars long.
    pub fn apply(&self, text: &str) -> Option<String> {
        let idx = CharIndex::new(text);
        if idx.char_len() != self.old_len {
            return None;
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for r in &self.reps {
            let (b0, b1) = (idx.byte(text, r.start)?, idx.byte(text, r.end)?);
            out.push_str(text.get(last..b0)?);
            out.push_str(&r.with);
            last = b1;
        }
        out.push_str(text.get(last..)?);
        Some(out)
    }

    /// Where old position `pos` lands: shifted by the replacements that end at or before it.
    /// `None` if it lies strictly inside a replaced range (it no longer exists) or past the
    /// end. The start of a replaced range maps to the start of its replacement, the end to the
    /// end of its replacement.
    pub fn map_pos(&self, pos: usize) -> Option<usize> {
        if pos > self.old_len {
            return None;
        }
        let k = self.reps.partition_point(|r| r.end <= pos);
        if self.reps.get(k).is_some_and(|r| r.start < pos) {
            return None;
        }
        Some(pos + self.inserted_before[k] - self.removed_before[k])
    }

    /// The new range of the replacement text of the `i`th replacement (sorted by start).
    pub fn replaced_range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        let r = self.reps.get(i)?;
        let start = r.start + self.inserted_before[i] - self.removed_before[i];
        Some(start..start + char_len(&r.with))
    }

    /// The old range `[start, end)` clipped to the old chars of it that remain, in new
    /// positions: from the first remaining char to one past the last. Replacement text between
    /// them is inside the result (a range across a replaced body shrinks by the length
    /// difference); replacement text at either end is not. `None` when no old char of it
    /// remains (it lay wholly inside replaced ranges), or the range is empty or out of bounds.
    pub fn map_range(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end || end > self.old_len {
            return None;
        }
        // Move the start past every replaced range it is in (or at the start of).
        let mut s = start;
        loop {
            let k = self.reps.partition_point(|r| r.end <= s);
            match self.reps.get(k) {
                Some(r) if r.start <= s => s = r.end,
                _ => break,
            }
        }
        // Move the end back before every replaced range it is in (or at the end of).
        let mut e = end;
        loop {
            let k = self.reps.partition_point(|r| r.end < e);
            match self.reps.get(k) {
                Some(r) if r.start < e => e = r.start,
                _ => break,
            }
        }
        if s >= e {
            return None;
        }
        Some((self.map_pos(s)?, self.map_pos(e)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ellipsize_cuts_by_chars() {
        assert_eq!(ellipsize("Zoë 😀 here", 20), "Zoë 😀 here");
        assert_eq!(ellipsize("Zoë 😀 here", 6), "Zoë 😀…");
        assert_eq!(ellipsize("abc", 0), "…");
    }
    use proptest::prelude::*;

    const HARD: &str = "Te\u{301}a 😀 together — 共同 ‏مرحبا‎ done.\n";

    #[test]
    fn newlines() {
        assert_eq!(normalize_newlines("a\r\nb\rc\n"), "a\nb\nc\n");
        assert_eq!(normalize_newlines("plain"), "plain");
    }

    #[test]
    fn slicing_hard_text() {
        // "Te" + combining acute: the accent is its own char.
        assert_eq!(slice_chars(HARD, 0, 3), Some("Te\u{301}"));
        assert_eq!(slice_chars(HARD, 5, 6), Some("😀"));
        assert_eq!(slice_chars(HARD, 18, 20), Some("共同"));
        assert_eq!(slice_chars(HARD, 0, 1000), None);
        assert_eq!(slice_chars(HARD, 3, 2), None);
    }

    #[test]
    fn utf16_of_emoji() {
        // The emoji is one char but two UTF-16 units.
        assert_eq!(char_to_utf16(HARD, 5), Some(5));
        assert_eq!(char_to_utf16(HARD, 6), Some(7));
        assert_eq!(utf16_to_char(HARD, 7), Some(6));
        assert_eq!(utf16_to_char(HARD, 6), None, "inside the surrogate pair");
    }

    #[test]
    fn words_overlap() {
        let text = "Peer support, it's mutual: 共同 😀 ok";
        let w = WordIndex::new(text);
        assert_eq!(w.len(), count_words(text));
        // "support" is chars 5..12; a range inside it still touches one word.
        assert_eq!(w.count_overlapping(6, 8), 1);
        assert_eq!(w.count_overlapping(0, 12), 2);
        assert_eq!(w.count_overlapping(12, 14), 0, "comma and space only");
        assert_eq!(WordIndex::decode(&w.encode()), Some(w.clone()));
        assert_eq!(WordIndex::encode_text(text), (w.encode(), w.len()));
        // "support" touches both ranges but is one word.
        assert_eq!(w.count_union(&[(0, 6), (8, 10)]), 2);
        assert_eq!(w.count_union(&[(6, 7), (8, 10)]), 1);
    }

    #[test]
    fn words_and_find() {
        let t = "Héllo, 世界 wörld";
        assert_eq!(word_at(t, 2), 0..5);
        assert_eq!(word_at(t, 5), 5..6);
        assert_eq!(word_at(t, 99), 10..15);
        let hay = fold_case("Straße İstanbul STRASSE straße 😀 ÉTÉ été");
        assert_eq!(
            hay.chars().count(),
            "Straße İstanbul STRASSE straße 😀 ÉTÉ été".chars().count()
        );
        assert_eq!(find_all(&hay, &fold_case("STRAßE")), vec![0..6, 24..30]);
        assert_eq!(find_all(&hay, &fold_case("été")), vec![33..36, 37..40]);
        assert!(find_all(&hay, "").is_empty());
    }

    #[test]
    fn clamped_slices() {
        assert_eq!(slice_chars_clamped(HARD, 5, 6), "😀");
        assert_eq!(slice_chars_clamped("abc", 1, 99), "bc");
        assert_eq!(slice_chars_clamped("abc", 7, 9), "");
        assert_eq!(slice_chars_clamped("abc", 2, 1), "");
    }

    #[test]
    fn splice_shifts_and_clips() {
        // "A: hi 😀\nB: secret\nA: ok\n": B's body "secret" (chars 11..17) is replaced.
        let text = "A: hi 😀\nB: secret\nA: ok\n";
        let with = "[withdrawn]".to_owned();
        let sp = Splice::new(
            vec![Replacement {
                start: 11,
                end: 17,
                with,
            }],
            char_len(text),
        )
        .unwrap();
        let new = sp.apply(text).unwrap();
        assert_eq!(new, "A: hi 😀\nB: [withdrawn]\nA: ok\n");
        assert_eq!(sp.new_len(), char_len(&new));
        assert_eq!(sp.replaced_range(0), Some(11..22));
        // Before: unchanged; after: shifted by 11 - 6; inside: gone.
        assert_eq!(sp.map_pos(6), Some(6));
        assert_eq!(sp.map_pos(11), Some(11));
        assert_eq!(sp.map_pos(17), Some(22));
        assert_eq!(sp.map_pos(20), Some(25));
        assert_eq!(sp.map_pos(12), None);
        assert_eq!(sp.map_pos(99), None);
        // Before and after: same text.
        assert_eq!(sp.map_range(3, 6), Some((3, 6)));
        assert_eq!(sp.map_range(21, 23), Some((26, 28)));
        assert_eq!(slice_chars(&new, 26, 28), Some("ok"));
        // Inside, or exactly the body: gone.
        assert_eq!(sp.map_range(12, 15), None);
        assert_eq!(sp.map_range(11, 17), None);
        // Overlapping one end: clipped to what remains (the marker is not in it).
        assert_eq!(sp.map_range(3, 14), Some((3, 11)));
        assert_eq!(sp.map_range(13, 23), Some((22, 28)));
        // Across: keeps both sides and the marker between, shorter by 6 - 11.
        assert_eq!(sp.map_range(3, 23), Some((3, 28)));
        // Bad splices are refused.
        let r = |start, end| Replacement {
            start,
            end,
            with: String::new(),
        };
        assert!(Splice::new(vec![r(3, 3)], 10).is_none(), "empty range");
        assert!(Splice::new(vec![r(3, 11)], 10).is_none(), "past the end");
        assert!(Splice::new(vec![r(2, 5), r(4, 6)], 10).is_none(), "overlap");
        assert!(
            Splice::new(vec![r(4, 6), r(2, 4)], 10).is_some(),
            "adjacent, any order"
        );
    }

    proptest! {
        #[test]
        fn conversions_round_trip(s in "\\PC{0,60}", k in 0usize..80) {
            let n = char_len(&s);
            let idx = CharIndex::new(&s);
            prop_assert_eq!(idx.char_len(), n);
            if k <= n {
                let b = char_to_byte(&s, k).unwrap();
                prop_assert_eq!(idx.byte(&s, k), Some(b));
                prop_assert_eq!(byte_to_char(&s, b), Some(k));
                prop_assert_eq!(idx.char_of_byte(&s, b), Some(k));
                let u = char_to_utf16(&s, k).unwrap();
                prop_assert_eq!(utf16_to_char(&s, u), Some(k));
                let (a, z) = (k / 2, k);
                prop_assert_eq!(slice_chars(&s, a, z).map(|t| t.chars().count()), Some(z - a));
            } else {
                prop_assert_eq!(char_to_byte(&s, k), None);
                prop_assert_eq!(idx.byte(&s, k), None);
            }
        }

        #[test]
        fn long_text_index(s in "[a-zé😀\\n ]{200,900}", k in 0usize..900) {
            let idx = CharIndex::new(&s);
            prop_assert_eq!(idx.byte(&s, k), char_to_byte(&s, k));
        }

        #[test]
        fn word_index_matches_brute_force(s in "[a-z ,é😀]{0,40}", a in 0usize..40, len in 0usize..20) {
            let w = WordIndex::new(&s);
            let end = (a + len).min(char_len(&s));
            let start = a.min(end);
            let brute = s.unicode_word_indices().filter(|(b, word)| {
                let ws = byte_to_char(&s, *b).unwrap();
                let we = ws + word.chars().count();
                start < end && ws < end && we > start
            }).count();
            prop_assert_eq!(w.count_overlapping(start, end), brute);
            prop_assert_eq!(WordIndex::decode(&w.encode()), Some(w));
        }

        #[test]
        fn clamped_slice_is_skip_take(s in "\\PC{0,30}", a in 0usize..40, len in 0usize..40) {
            let skip_take: String = s.chars().skip(a).take(len).collect();
            prop_assert_eq!(slice_chars_clamped(&s, a, a + len), skip_take.as_str());
        }

        #[test]
        fn fold_case_keeps_positions(s in "\\PC{0,40}") {
            prop_assert_eq!(char_len(&fold_case(&s)), char_len(&s));
        }

        #[test]
        fn find_all_hits_are_the_needle(hay in "[aAbé😀 ]{0,40}", needle in "[aAbé😀]{1,3}") {
            let (hay, needle) = (fold_case(&hay), fold_case(&needle));
            let hits = find_all(&hay, &needle);
            let mut last_end = 0;
            for r in &hits {
                prop_assert!(r.start >= last_end, "hits overlap or are out of order");
                prop_assert_eq!(slice_chars(&hay, r.start, r.end), Some(needle.as_str()));
                last_end = r.end;
            }
            prop_assert_eq!(hits.len(), hay.matches(needle.as_str()).count());
        }

        #[test]
        fn word_at_contains_its_char(s in "[a-z ,é😀.]{1,40}", k in 0usize..40) {
            let k = k % char_len(&s);
            let r = word_at(&s, k);
            prop_assert!(r.start <= k && k < r.end);
            let word = slice_chars(&s, r.start, r.end).unwrap_or_default();
            prop_assert!(s.split_word_bounds().any(|w| w == word));
        }
        #[test]
        fn splice_matches_a_char_by_char_model(
            s in "[a-zé😀 \\n]{0,40}",
            edits in proptest::collection::vec((0usize..5, 1usize..6, "[xé😀\\n]{0,4}"), 0..6),
        ) {
            let n = char_len(&s);
            let mut reps = Vec::new();
            let mut pos = 0;
            for (gap, len, with) in edits {
                let (start, end) = (pos + gap, pos + gap + len);
                if end > n {
                    break;
                }
                reps.push(Replacement { start, end, with });
                pos = end;
            }
            let sp = Splice::new(reps.clone(), n).unwrap();
            // The model: every new char, with the old position it came from (None: inserted).
            let old: Vec<char> = s.chars().collect();
            let mut model: Vec<(char, Option<usize>)> = Vec::new();
            let mut removed = vec![false; n];
            let mut i = 0;
            for r in &reps {
                model.extend((i..r.start).map(|k| (old[k], Some(k))));
                model.extend(r.with.chars().map(|c| (c, None)));
                removed[r.start..r.end].iter_mut().for_each(|x| *x = true);
                i = r.end;
            }
            model.extend((i..n).map(|k| (old[k], Some(k))));
            let new: String = model.iter().map(|(c, _)| c).collect();
            prop_assert_eq!(sp.apply(&s), Some(new.clone()));
            prop_assert_eq!(sp.new_len(), model.len());
            let new_pos = |k: usize| model.iter().position(|(_, o)| *o == Some(k));
            for p in 0..=n {
                let inside = reps.iter().any(|r| r.start < p && p < r.end);
                let got = sp.map_pos(p);
                if inside {
                    prop_assert_eq!(got, None);
                } else if p == n {
                    prop_assert_eq!(got, Some(model.len()));
                } else if let Some(j) = reps.iter().position(|r| r.start == p) {
                    prop_assert_eq!(got, sp.replaced_range(j).map(|r| r.start));
                } else {
                    prop_assert_eq!(got, new_pos(p));
                }
            }
            for a in 0..n {
                for b in a + 1..=n {
                    let kept: Vec<usize> = (a..b).filter(|&k| !removed[k]).collect();
                    let want = match (kept.first(), kept.last()) {
                        (Some(&f), Some(&l)) => Some((new_pos(f).unwrap(), new_pos(l).unwrap() + 1)),
                        _ => None,
                    };
                    prop_assert_eq!(sp.map_range(a, b), want, "range {}..{}", a, b);
                    if let Some((x, y)) = want {
                        // Every remaining old char of the range is in it, in order.
                        let inside: Vec<usize> = model[x..y].iter().filter_map(|(_, o)| *o).collect();
                        prop_assert_eq!(inside, kept);
                    }
                }
            }
        }
    }
}

// Positions for exchange formats, converted many at a time: one pass over the text for a
// whole document's selections (a QDPX export of 200,000 codings must not walk each text once
// per coding).

/// UTF-16 code unit offsets (NVivo's QDPX positions) of many char positions over `text`, in
/// the order given, with one pass over the text. `None` when any position lies past the end.
pub fn chars_to_utf16_many(text: &str, positions: &[usize]) -> Option<Vec<usize>> {
    let mut order: Vec<usize> = (0..positions.len()).collect();
    order.sort_unstable_by_key(|&i| positions[i]);
    let mut out = vec![0; positions.len()];
    let mut chars = text.chars();
    let (mut at_char, mut at_unit) = (0usize, 0usize);
    for i in order {
        let want = positions[i];
        while at_char < want {
            at_unit += chars.next()?.len_utf16();
            at_char += 1;
        }
        out[i] = at_unit;
    }
    Some(out)
}

/// Char positions of many UTF-8 byte offsets over `text`, in the order given, with one pass
/// over the text. An offset past the end or inside a character gives `None`.
pub fn bytes_to_chars_many(text: &str, bytes: &[usize]) -> Vec<Option<usize>> {
    let mut order: Vec<usize> = (0..bytes.len()).collect();
    order.sort_unstable_by_key(|&i| bytes[i]);
    let mut out = vec![None; bytes.len()];
    let mut iter = text.char_indices().peekable();
    let mut at_char = 0usize;
    for i in order {
        let want = bytes[i];
        while let Some(&(b, _)) = iter.peek() {
            if b >= want {
                break;
            }
            iter.next();
            at_char += 1;
        }
        let on_boundary = match iter.peek() {
            Some(&(b, _)) => b == want,
            None => want == text.len(),
        };
        out[i] = on_boundary.then_some(at_char);
    }
    out
}

#[cfg(test)]
mod exchange_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn utf16_many_on_emoji() {
        let t = "a😀b\n🎉";
        assert_eq!(
            chars_to_utf16_many(t, &[5, 0, 2, 1]),
            Some(vec![7, 0, 3, 1])
        );
        assert_eq!(chars_to_utf16_many(t, &[6]), None);
        assert_eq!(
            bytes_to_chars_many(t, &[5, 2, 0, 7, 11, 12]),
            vec![Some(2), None, Some(0), Some(4), Some(5), None]
        );
    }

    proptest! {
        #[test]
        fn many_at_once_equals_one_by_one(s in "[a-zé😀\\n 共]{0,40}", ks in proptest::collection::vec(0usize..45, 0..8)) {
            let want: Option<Vec<usize>> = ks.iter().map(|&k| char_to_utf16(&s, k)).collect();
            prop_assert_eq!(chars_to_utf16_many(&s, &ks), want);
            let bytes: Vec<usize> = ks.iter().map(|k| k * 2).collect();
            let got = bytes_to_chars_many(&s, &bytes);
            for (b, g) in bytes.iter().zip(got) {
                let want = s.is_char_boundary(*b).then(|| byte_to_char(&s, *b)).flatten();
                prop_assert_eq!(g, want);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Foreign offsets at import (REFI-QDA projects). Another tool counted positions over the text as
// *it* saw it: a BOM stripped or not, CRLF as one unit or two, code points or UTF-16 units
// (NVivo). Weft stores the text with LF line endings and counts chars. [`ForeignOffsets`] maps a
// position in the other tool's unit to a char index of the stored text, in one pass to build and
// a binary search per position.
// ---------------------------------------------------------------------------------------------

/// How another tool counted positions in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ForeignUnit {
    /// `true`: UTF-16 code units (NVivo); `false`: Unicode code points (the REFI-QDA rule).
    pub utf16: bool,
    /// How many units a CRLF line break counts for: 2 (the raw file) or 1 (a line break read
    /// as one character).
    pub crlf: usize,
}

impl ForeignUnit {
    /// Code points, CRLF counted as 2.
    pub const CODE_POINTS: Self = Self {
        utf16: false,
        crlf: 2,
    };
    /// Code points, CRLF counted as 1.
    pub const CODE_POINTS_CRLF1: Self = Self {
        utf16: false,
        crlf: 1,
    };
    /// UTF-16 units, CRLF counted as 2 (NVivo).
    pub const UTF16: Self = Self {
        utf16: true,
        crlf: 2,
    };
    /// UTF-16 units, CRLF counted as 1.
    pub const UTF16_CRLF1: Self = Self {
        utf16: true,
        crlf: 1,
    };

    /// Short name for reports: `codepoints`, `codepoints-crlf1`, `utf16`, `utf16-crlf1`.
    pub fn name(self) -> &'static str {
        match (self.utf16, self.crlf) {
            (false, 1) => "codepoints-crlf1",
            (false, _) => "codepoints",
            (true, 1) => "utf16-crlf1",
            (true, _) => "utf16",
        }
    }
}

/// Where a foreign position lands in the stored text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Landing {
    /// Exactly at the start of char `n` (or at the end when `n` is the length).
    At(usize),
    /// Inside char `n` (the second half of a surrogate pair, or between the CR and LF of a
    /// line break that is stored as one `\n`).
    Inside(usize),
}

/// Maps positions counted in a [`ForeignUnit`] over a raw text (BOM already removed, line
/// endings as in the file) to char indices of `normalize_newlines(raw)`. Only the chars whose
/// foreign width is not 1 (a CRLF counted as 2, an astral char in UTF-16) are remembered, so
/// the map stays small beside the text.
#[derive(Debug, Clone)]
pub struct ForeignOffsets {
    /// `(stored char index, its foreign start, its foreign width)` of every char whose width
    /// is not 1, in order.
    wide: Vec<(u64, u64, u8)>,
    /// Number of stored chars.
    chars: usize,
    /// Foreign position of the end of the text.
    end: usize,
}

impl ForeignOffsets {
    /// Builds the map for `raw` counted in `unit`.
    pub fn new(raw: &str, unit: ForeignUnit) -> Self {
        let mut wide = Vec::new();
        let mut pos = 0usize;
        let mut n = 0usize;
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            let w = if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
                unit.crlf
            } else if unit.utf16 {
                c.len_utf16()
            } else {
                1
            };
            if w != 1 {
                wide.push((n as u64, pos as u64, w as u8));
            }
            pos += w;
            n += 1;
        }
        Self {
            wide,
            chars: n,
            end: pos,
        }
    }

    /// Number of stored chars.
    pub fn char_len(&self) -> usize {
        self.chars
    }

    /// Length of the text in the foreign unit.
    pub fn foreign_len(&self) -> usize {
        self.end
    }

    /// Where foreign position `pos` lands, `None` past the end.
    pub fn land(&self, pos: usize) -> Option<Landing> {
        if pos > self.end {
            return None;
        }
        if pos == self.end {
            return Some(Landing::At(self.chars));
        }
        let p = pos as u64;
        // The last wide char starting at or before `pos`.
        let k = self.wide.partition_point(|&(_, f, _)| f <= p);
        let Some(&(i, f, w)) = k.checked_sub(1).and_then(|k| self.wide.get(k)) else {
            return Some(Landing::At(pos));
        };
        let (i, f, w) = (i as usize, f as usize, usize::from(w));
        Some(if pos == f {
            Landing::At(i)
        } else if pos < f + w {
            Landing::Inside(i)
        } else {
            Landing::At(i + 1 + (pos - f - w))
        })
    }

    /// The stored char range of the foreign half-open range `[start, end)`: a start inside a
    /// char moves back to it, an end inside a char moves on past it (so the char is kept).
    /// `None` when either end is past the text or the range is reversed or empty.
    pub fn range(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let s = match self.land(start)? {
            Landing::At(i) | Landing::Inside(i) => i,
        };
        let e = match self.land(end)? {
            Landing::At(i) => i,
            Landing::Inside(i) => i + 1,
        };
        (s < e).then_some((s, e))
    }
}

/// Whether `a` and `b` are the same words, whatever the whitespace between and around them:
/// for comparing a quote written by another tool with the text it names.
pub fn same_words(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// Whether `text` begins with `prefix`, whatever the whitespace, as [`same_words`] compares
/// (the last word of `prefix` may be cut short: a quote truncated with "…").
pub fn starts_with_words(text: &str, prefix: &str) -> bool {
    let mut words = text.split_whitespace();
    let mut wanted = prefix.split_whitespace().peekable();
    while let Some(w) = wanted.next() {
        let Some(t) = words.next() else {
            return false;
        };
        let last = wanted.peek().is_none();
        if !(t == w || (last && t.starts_with(w))) {
            return false;
        }
    }
    true
}

/// Whether char range `[start, end)` of `text` (indexed by `index`) begins and ends on word or
/// line boundaries (never splitting a run of letters and digits).
pub fn on_word_boundaries(text: &str, index: &CharIndex, start: usize, end: usize) -> bool {
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let around = |i: usize| -> (Option<char>, Option<char>) {
        match index.byte(text, i) {
            Some(b) => (text[..b].chars().next_back(), text[b..].chars().next()),
            None => (None, None),
        }
    };
    let (before_start, at_start) = around(start);
    let (before_end, at_end) = around(end);
    let start_ok = !word(before_start) || !word(at_start);
    let end_ok = !word(before_end) || !word(at_end);
    start_ok && end_ok
}

#[cfg(test)]
mod foreign_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Word comparisons agree with squashing the whitespace and comparing strings.
        #[test]
        fn word_comparisons_agree_with_squashed_strings(
            a in "[ab \t\n…]{0,12}",
            b in "[ab \t\n…]{0,8}",
        ) {
            let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
            prop_assert_eq!(same_words(&a, &b), squash(&a) == squash(&b));
            prop_assert_eq!(starts_with_words(&a, &b), squash(&a).starts_with(&squash(&b)));
        }
    }

    const ALL: [ForeignUnit; 4] = [
        ForeignUnit::CODE_POINTS,
        ForeignUnit::CODE_POINTS_CRLF1,
        ForeignUnit::UTF16,
        ForeignUnit::UTF16_CRLF1,
    ];

    #[test]
    fn nvivo_counts_surrogates_and_crlf_as_two() {
        let raw = "a😀\r\nb";
        let stored = normalize_newlines(raw);
        assert_eq!(stored, "a😀\nb");
        let m = ForeignOffsets::new(raw, ForeignUnit::UTF16);
        assert_eq!(m.foreign_len(), 6);
        // "b" is unit 5 in NVivo's count, char 3 stored.
        assert_eq!(m.range(5, 6), Some((3, 4)));
        assert_eq!(m.land(2), Some(Landing::Inside(1)), "inside the emoji");
        assert_eq!(m.land(4), Some(Landing::Inside(2)), "between CR and LF");
        assert_eq!(m.range(1, 3), Some((1, 2)), "the emoji");
        assert_eq!(m.land(7), None);
        let cp1 = ForeignOffsets::new(raw, ForeignUnit::CODE_POINTS_CRLF1);
        assert_eq!(cp1.range(3, 4), Some((3, 4)));
        let cp2 = ForeignOffsets::new(raw, ForeignUnit::CODE_POINTS);
        assert_eq!(cp2.range(4, 5), Some((3, 4)));
        assert_eq!(cp2.range(4, 4), None, "empty");
        assert_eq!(cp2.range(4, 2), None, "reversed");
    }

    #[test]
    fn a_lone_cr_is_one_line_break() {
        let raw = "a\rb";
        let m = ForeignOffsets::new(raw, ForeignUnit::CODE_POINTS);
        assert_eq!(m.range(2, 3), Some((2, 3)));
        assert_eq!(normalize_newlines(raw), "a\nb");
    }

    #[test]
    fn boundaries() {
        for text in ["We trust, them", "Wé trust, them"] {
            let ix = CharIndex::new(text);
            assert!(on_word_boundaries(text, &ix, 3, 8));
            assert!(on_word_boundaries(text, &ix, 3, 9));
            assert!(!on_word_boundaries(text, &ix, 4, 8));
            assert!(!on_word_boundaries(text, &ix, 3, 7));
            assert!(on_word_boundaries(text, &ix, 0, char_len(text)));
        }
    }

    proptest! {
        /// Counting each stored char's own foreign width, every char start maps back exactly,
        /// and slicing the stored text by the mapped range gives the LF-normalised slice of
        /// the raw text.
        #[test]
        fn every_char_start_maps_back(raw in "[ab é😀\\r\\n]{0,24}", which in 0usize..4) {
            let unit = ALL[which];
            let stored = normalize_newlines(&raw);
            let m = ForeignOffsets::new(&raw, unit);
            prop_assert_eq!(m.char_len(), char_len(&stored));
            // Foreign position of each stored char, computed independently.
            let mut pos = 0;
            let mut positions = Vec::new();
            let raw_chars: Vec<char> = raw.chars().collect();
            let mut i = 0;
            while i < raw_chars.len() {
                positions.push(pos);
                if raw_chars[i] == '\r' && raw_chars.get(i + 1) == Some(&'\n') {
                    pos += unit.crlf;
                    i += 2;
                } else {
                    pos += if unit.utf16 { raw_chars[i].len_utf16() } else { 1 };
                    i += 1;
                }
            }
            prop_assert_eq!(m.foreign_len(), pos);
            for (c, p) in positions.iter().enumerate() {
                prop_assert_eq!(m.land(*p), Some(Landing::At(c)));
            }
            prop_assert_eq!(m.land(pos), Some(Landing::At(positions.len())));
            prop_assert_eq!(m.land(pos + 1), None);
            for a in 0..positions.len() {
                for b in a + 1..=positions.len() {
                    let fb = positions.get(b).copied().unwrap_or(pos);
                    prop_assert_eq!(m.range(positions[a], fb), Some((a, b)));
                }
            }
        }

        /// Code points with CRLF as 1 are exactly char indices of the stored text.
        #[test]
        fn crlf1_code_points_are_stored_char_indices(raw in "[ab😀\\r\\n]{0,24}") {
            let stored = normalize_newlines(&raw);
            let m = ForeignOffsets::new(&raw, ForeignUnit::CODE_POINTS_CRLF1);
            for i in 0..=char_len(&stored) {
                prop_assert_eq!(m.land(i), Some(Landing::At(i)));
            }
        }

        /// UTF-16 positions over an LF text agree with `utf16_to_char`.
        #[test]
        fn utf16_agrees_with_utf16_to_char(raw in "[ab😀\\n]{0,24}", unit in 0usize..40) {
            let m = ForeignOffsets::new(&raw, ForeignUnit::UTF16);
            let expected = utf16_to_char(&raw, unit).map(Landing::At);
            match m.land(unit) {
                Some(Landing::Inside(_)) => prop_assert_eq!(expected, None),
                got => prop_assert_eq!(got, expected),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Words for project-wide search.
//
// The search index never lets SQLite split text: Weft splits it into UAX #29 words here, folds
// each (case, Latin/Greek/Cyrillic accents, typographic apostrophes) and hands SQLite one ASCII
// token per word, separated by spaces ([`index_token`]). So the index and every hit agree on
// what a word is, whatever Unicode version SQLite's own tokenizer knows (an emoji after a word
// never glues to it).

// ---------------------------------------------------------------------------------------------
// UAX #29 words, fast. `unicode_segmentation` finds words by the full rules at about 35 MB/s;
// most transcripts are ASCII and Latin letters between spaces, where the rules reduce to a few
// cases. `for_each_word` applies those directly and hands anything else to
// `unicode_segmentation`, so the words are always exactly `unicode_word_indices`' (tested on
// random text below).

/// The word-break class of a char (UAX #29), as far as words of letters and digits go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// ASCII and Latin letters (ALetter).
    Letter,
    Digit,
    /// `_` (ExtendNumLet).
    Under,
    /// `:` (MidLetter).
    MidLetter,
    /// `.` and `'` (MidNumLet, Single_Quote).
    MidNumLet,
    /// `,` and `;` (MidNum).
    MidNum,
    Other,
}

/// The class of each ASCII byte.
const ASCII_CLASS: [Class; 128] = {
    let mut t = [Class::Other; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = match b {
            b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
            b'0'..=b'9' => Class::Digit,
            b'_' => Class::Under,
            b':' => Class::MidLetter,
            b'.' | b'\'' => Class::MidNumLet,
            b',' | b';' => Class::MidNum,
            _ => Class::Other,
        };
        i += 1;
    }
    t
};

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Whether the two bytes at `i` are a Latin letter of U+00C0-U+024F (not × or ÷): letters
/// UAX #29 treats as it treats ASCII letters.
fn latin_letter(b: &[u8], i: usize) -> bool {
    let (Some(&lead), Some(&cont)) = (b.get(i), b.get(i + 1)) else {
        return false;
    };
    if !(0xC3..=0xC9).contains(&lead) || cont & 0xC0 != 0x80 {
        return false;
    }
    let cp = (u32::from(lead & 0x1F) << 6) | u32::from(cont & 0x3F);
    (0xC0..=0x24F).contains(&cp) && cp != 0xD7 && cp != 0xF7
}

/// Calls `f(byte_start, word)` for each UAX #29 word of `text` (those `unicode_words` gives),
/// in order. Runs between ASCII whitespace made of ASCII and Latin letters are split by the
/// word-break rules directly; anything else goes through `unicode_segmentation`.
pub fn for_each_word(text: &str, mut f: impl FnMut(usize, &str)) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        // There is a word boundary before every run of ASCII whitespace (no rule joins
        // anything to a following space), and after it unless a combining mark or a format
        // char follows (WB4 attaches those to the space): such a run goes to the full rules
        // with the chunk after it.
        let space_start = i;
        while i < n && is_space(bytes[i]) {
            i += 1;
        }
        if i >= n {
            break;
        }
        let start = i;
        let mut simple = true;
        while i < n && !is_space(bytes[i]) {
            if bytes[i] < 0x80 {
                i += 1;
            } else if simple && latin_letter(bytes, i) {
                i += 2;
            } else {
                simple = false;
                i += 1;
            }
        }
        if simple {
            simple_words(&text[start..i], start, &mut f);
        } else {
            for (s, w) in text[space_start..i].unicode_word_indices() {
                f(space_start + s, w);
            }
        }
    }
}

/// The class and width in bytes of the char at `i` of a simple run (ASCII and Latin letters).
fn class_at(b: &[u8], i: usize) -> (Class, usize) {
    match b[i] {
        x if x < 0x80 => (ASCII_CLASS[usize::from(x)], 1),
        _ => (Class::Letter, 2),
    }
}

/// The words of a run without whitespace made of ASCII and Latin letters.
fn simple_words(chunk: &str, offset: usize, f: &mut impl FnMut(usize, &str)) {
    let b = chunk.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        let (c, w) = class_at(b, i);
        if !matches!(c, Class::Letter | Class::Digit | Class::Under) {
            i += w;
            continue;
        }
        let start = i;
        let mut prev = c;
        let mut alnum = c != Class::Under;
        i += w;
        while i < n {
            let (next, nw) = class_at(b, i);
            match (prev, next) {
                // Letters, digits and `_` join one another (WB5, 8-10, 13a, 13b).
                (_, Class::Letter | Class::Digit | Class::Under) => {
                    i += nw;
                    prev = next;
                    alnum |= next != Class::Under;
                }
                // A letter, `:`, `.` or `'`, a letter (WB6, 7); a digit, `,` `;` or `.`, a
                // digit (WB11, 12).
                (Class::Letter, Class::MidLetter | Class::MidNumLet)
                | (Class::Digit, Class::MidNum | Class::MidNumLet)
                    if i + nw < n && class_at(b, i + nw).0 == prev =>
                {
                    let (after, aw) = class_at(b, i + nw);
                    i += nw + aw;
                    prev = after;
                }
                _ => break,
            }
        }
        if alnum {
            f(offset + start, &chunk[start..i]);
        }
    }
}

/// Folds one word for search: lowercase, accents removed from Latin, Greek and Cyrillic letters
/// (`Équipe` → `equipe`), typographic apostrophes made plain (`don’t` → `don't`). Other scripts
/// keep their marks (a Japanese voiced mark changes the word).
pub fn fold_word(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.push_str(word);
        out.make_ascii_lowercase();
        return;
    }
    for c in word.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        let c = match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{FF07}' => '\'',
            c => c,
        };
        let strip = matches!(c as u32, 0x00C0..=0x052F | 0x1E00..=0x1FFF);
        if strip {
            unicode_normalization::char::decompose_canonical(c, |d| {
                if !unicode_normalization::char::is_combining_mark(d) {
                    out.extend(d.to_lowercase());
                }
            });
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// Appends the index token of a folded word to `out`: ASCII letters and digits stand for
/// themselves except `q`, which doubles; any other char becomes `q`, its code point in hex,
/// `q`. The token is ASCII letters and digits only (one token for any tokenizer), the coding
/// is reversible, and the token of a prefix is a prefix of the token (so `trus*` finds
/// `trust`, and `日*` finds `日本`).
pub fn index_token(folded: &str, out: &mut String) {
    use std::fmt::Write;
    for c in folded.chars() {
        match c {
            'q' => out.push_str("qq"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            c => {
                let _ = write!(out, "q{:x}q", c as u32);
            }
        }
    }
}

/// The folded word an [`index_token`] stands for; `None` for a string no token could be.
pub fn token_word(token: &str) -> Option<String> {
    let mut out = String::with_capacity(token.len());
    let mut it = token.chars();
    while let Some(c) = it.next() {
        if c != 'q' {
            out.push(c);
            continue;
        }
        let mut hex = String::new();
        loop {
            match it.next()? {
                'q' if hex.is_empty() => {
                    out.push('q');
                    break;
                }
                'q' => {
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    break;
                }
                h => hex.push(h),
            }
        }
    }
    Some(out)
}

/// The words of `text` for search, in order: each word's char range within `text` and its
/// folded form ([`fold_word`]). Words are UAX #29 words with a letter or digit in them.
pub fn search_words(text: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out = Vec::new();
    let mut chars = 0usize;
    let mut bytes = 0usize;
    let mut folded = String::new();
    for_each_word(text, |b, w| {
        chars += count_chars(&text[bytes..b]);
        let n = count_chars(w);
        fold_word(w, &mut folded);
        out.push((chars..chars + n, folded.clone()));
        chars += n;
        bytes = b + w.len();
    });
    out
}

/// The index text of `text`: the [`index_token`] of each of its [`search_words`], separated
/// by single spaces; and the number of words.
pub fn index_text(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut folded = String::new();
    let mut n = 0;
    for_each_word(text, |_, w| {
        if n > 0 {
            out.push(' ');
        }
        fold_word(w, &mut folded);
        index_token(&folded, &mut out);
        n += 1;
    });
    (out, n)
}

/// Chars in `s`, fast for ASCII.
fn count_chars(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

#[cfg(test)]
mod search_word_tests {
    use super::*;
    use proptest::prelude::*;

    fn folded(w: &str) -> String {
        let mut s = String::new();
        fold_word(w, &mut s);
        s
    }

    fn token(w: &str) -> String {
        let mut s = String::new();
        index_token(&folded(w), &mut s);
        s
    }

    #[test]
    fn folds_case_accents_and_apostrophes() {
        assert_eq!(folded("Équipe"), "equipe");
        assert_eq!(folded("ZOË"), "zoe");
        assert_eq!(folded("café"), "cafe");
        assert_eq!(folded("don’t"), "don't");
        assert_eq!(folded("Ελλάδα"), "ελλαδα");
        // A kana voiced mark is part of the letter, not an accent.
        assert_eq!(folded("が"), "が");
    }

    #[test]
    fn tokens_are_ascii_alphanumeric_and_prefix_closed() {
        for w in ["trust", "queen", "日本", "don't", "naïve", "Qi"] {
            let t = token(w);
            assert!(t.chars().all(|c| c.is_ascii_alphanumeric()), "{w}: {t}");
        }
        assert_ne!(token("qa"), token("q61"));
        assert!(token("日本語").starts_with(&token("日本")));
    }

    #[test]
    fn emoji_never_glue_to_words() {
        let words: Vec<String> = search_words("trust🙂 and 👍🏽hope, café!")
            .into_iter()
            .map(|(_, w)| w)
            .collect();
        assert_eq!(words, ["trust", "and", "hope", "cafe"]);
        let w = search_words("I trust🙂you");
        assert_eq!(w[1].0, 2..7);
        assert_eq!(w[2].0, 8..11);
    }

    #[test]
    fn fast_words_are_exactly_uax29_words() {
        let alphabet: Vec<char> = "aZ9_.:',; \n-\"!?é中😀\u{301}ßŁÿ×÷ǅ\u{ad}·\u{a0}Σ\u{2019}\t\r"
            .chars()
            .collect();
        let mut seed = 987_654_321u64;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(seed % 32) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            seed = seed.wrapping_add(1);
            let mut ours = Vec::new();
            for_each_word(&s, |b, w| ours.push((b, w.to_owned())));
            let theirs: Vec<(usize, String)> = s
                .unicode_word_indices()
                .map(|(b, w)| (b, w.to_owned()))
                .collect();
            assert_eq!(ours, theirs, "{s:?}");
        }
    }

    #[test]
    fn cjk_words_survive() {
        let w = search_words("我们信任 peer");
        assert!(w.len() >= 2);
        assert_eq!(w.last().map(|x| x.1.as_str()), Some("peer"));
    }

    proptest! {
        #[test]
        fn index_text_has_one_token_per_search_word(text in "\\PC{0,80}") {
            let (index, n) = index_text(&text);
            let words = search_words(&text);
            prop_assert_eq!(n, words.len());
            let tokens: Vec<&str> = index.split(' ').filter(|t| !t.is_empty()).collect();
            prop_assert_eq!(tokens.len(), n);
            for (tok, (range, w)) in tokens.iter().zip(&words) {
                let mut t = String::new();
                index_token(w, &mut t);
                prop_assert_eq!(*tok, t.as_str());
                prop_assert!(tok.chars().all(|c| c.is_ascii_alphanumeric()));
                prop_assert!(range.end <= char_len(&text));
            }
        }

        #[test]
        fn fast_words_match_uax29_on_any_text(text in "\\PC{0,60}") {
            let mut ours = Vec::new();
            for_each_word(&text, |b, w| ours.push((b, w.to_owned())));
            let theirs: Vec<(usize, String)> = text
                .unicode_word_indices()
                .map(|(b, w)| (b, w.to_owned()))
                .collect();
            prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn tokens_decode_to_their_word(w in "\\PC{1,12}") {
            let f = folded(&w);
            let mut t = String::new();
            index_token(&f, &mut t);
            prop_assert_eq!(token_word(&t), Some(f));
        }

        #[test]
        fn token_of_a_prefix_is_a_prefix(w in "\\PC{1,12}", k in 0usize..12) {
            let f = folded(&w);
            let cut: String = f.chars().take(k).collect();
            let (mut a, mut b) = (String::new(), String::new());
            index_token(&f, &mut a);
            index_token(&cut, &mut b);
            prop_assert!(a.starts_with(&b));
        }
    }
}
