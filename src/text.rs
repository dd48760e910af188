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
        for (b, w) in text.unicode_word_indices() {
            let start = last_char + text[last_byte..b].chars().count();
            let len = w.chars().count();
            starts.push(u32::try_from(start).unwrap_or(u32::MAX));
            ends.push(u32::try_from(start + len).unwrap_or(u32::MAX));
            last_byte = b + w.len();
            last_char = start + len;
        }
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
        for (b, w) in text.unicode_word_indices() {
            let start = last_char + text[last_byte..b].chars().count();
            let len = w.chars().count();
            let s = u32::try_from(start).unwrap_or(u32::MAX);
            let e = u32::try_from(start + len).unwrap_or(u32::MAX);
            push_varint(&mut out, s.saturating_sub(prev_end));
            push_varint(&mut out, e.saturating_sub(s));
            prev_end = e;
            last_byte = b + w.len();
            last_char = start + len;
            count += 1;
        }
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
    text.unicode_words().count()
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
