//! The arithmetic of counting, on plain slices: merging ranges into their union, clipping a
//! range to a region, counting words over a union, and finding the turns (and so the
//! speakers and cases) a passage overlaps. No project, no store: each is tested on its own.
//!
//! Ranges are half-open `[start, end)` in chars, as everywhere in Weft.

use crate::model::{CaseId, Turn};
use crate::text::WordIndex;

/// Sorts and merges `ranges` in place into disjoint ranges sorted by start (touching ranges
/// merge too); returns the number of chars they cover.
pub fn union(ranges: &mut Vec<(usize, usize)>) -> usize {
    ranges.retain(|(s, e)| s < e);
    ranges.sort_unstable();
    let mut w = 0;
    for i in 0..ranges.len() {
        let (s, e) = ranges[i];
        if w > 0 && s <= ranges[w - 1].1 {
            ranges[w - 1].1 = ranges[w - 1].1.max(e);
        } else {
            ranges[w] = (s, e);
            w += 1;
        }
    }
    ranges.truncate(w);
    covered(ranges)
}

/// Chars covered by disjoint ranges (such as [`union`] leaves).
pub fn covered(ranges: &[(usize, usize)]) -> usize {
    ranges.iter().map(|(s, e)| e.saturating_sub(*s)).sum()
}

/// The non-empty pieces of `range` that lie inside `region` (disjoint, sorted ranges), in
/// order.
pub fn clip(range: (usize, usize), region: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let first = region.partition_point(|&(_, e)| e <= range.0);
    region[first..]
        .iter()
        .take_while(|&&(s, _)| s < range.1)
        .map(|&(s, e)| (s.max(range.0), e.min(range.1)))
        .filter(|(s, e)| s < e)
        .collect()
}

/// Words of `words` that overlap any of `merged` (disjoint, sorted ranges), each once.
pub fn words_in_union(words: &WordIndex, merged: &[(usize, usize)]) -> usize {
    words.count_union(merged)
}

/// The turns (sorted by start) that overlap `[start, end)`.
pub fn overlapping_turns(turns: &[Turn], start: usize, end: usize) -> &[Turn] {
    let first = turns.partition_point(|t| t.end <= start);
    let len = turns[first..].iter().take_while(|t| t.start < end).count();
    &turns[first..first + len]
}

/// Speakers of the turns that overlap `[start, end)`, each once, in order of appearance.
pub fn speakers_of(turns: &[Turn], start: usize, end: usize) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for t in overlapping_turns(turns, start, end) {
        if !out.contains(&t.speaker.as_str()) {
            out.push(&t.speaker);
        }
    }
    out
}

/// The cases a passage belongs to (DESIGN.md, "Counting"): the cases of the speakers of the
/// turns it overlaps, where `speaker_case` maps a speaker to one; otherwise `doc_cases`.
pub fn coding_cases(
    turns: &[Turn],
    start: usize,
    end: usize,
    speaker_case: impl Fn(&str) -> Option<CaseId>,
    doc_cases: &[CaseId],
) -> Vec<CaseId> {
    let mut out = Vec::new();
    for t in overlapping_turns(turns, start, end) {
        if let Some(c) = speaker_case(&t.speaker)
            && !out.contains(&c)
        {
            out.push(c);
        }
    }
    if out.is_empty() {
        out = doc_cases.to_vec();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn turn(start: usize, end: usize, who: &str) -> Turn {
        Turn {
            start,
            body_start: start,
            end,
            speaker: who.into(),
            timestamp: None,
        }
    }

    #[test]
    fn union_merges_overlapping_touching_and_nested_ranges() {
        let mut r = vec![
            (10, 12),
            (0, 7),
            (4, 13),
            (20, 25),
            (21, 22),
            (25, 26),
            (30, 30),
        ];
        assert_eq!(union(&mut r), 13 + 6);
        assert_eq!(r, vec![(0, 13), (20, 26)]);
        let mut empty = Vec::new();
        assert_eq!(union(&mut empty), 0);
    }

    #[test]
    fn clip_keeps_only_the_parts_inside_the_region() {
        let region = [(0, 14), (30, 40), (50, 60)];
        assert_eq!(clip((5, 20), &region), vec![(5, 14)]);
        assert_eq!(clip((10, 55), &region), vec![(10, 14), (30, 40), (50, 55)]);
        assert_eq!(clip((14, 30), &region), vec![]);
        assert_eq!(clip((61, 70), &region), vec![]);
    }

    #[test]
    fn words_over_a_union_count_once() {
        let w = WordIndex::new("one two three four five six");
        let mut r = vec![(0, 7), (4, 13), (15, 17)];
        union(&mut r);
        // "one two three" and "four" (touched inside).
        assert_eq!(words_in_union(&w, &r), 4);
        // Two ranges inside one word count it once.
        assert_eq!(words_in_union(&w, &[(0, 1), (2, 3)]), 1);
    }

    #[test]
    fn speakers_and_cases_of_a_passage() {
        let turns = [turn(0, 14, "A"), turn(15, 25, "B"), turn(26, 30, "A")];
        assert_eq!(speakers_of(&turns, 3, 8), vec!["A"]);
        assert_eq!(speakers_of(&turns, 5, 28), vec!["A", "B"]);
        assert!(speakers_of(&turns, 14, 15).is_empty());
        let map = |s: &str| (s == "B").then_some(CaseId(3));
        let doc = [CaseId(1)];
        assert_eq!(coding_cases(&turns, 16, 20, map, &doc), vec![CaseId(3)]);
        assert_eq!(
            coding_cases(&turns, 0, 5, map, &doc),
            vec![CaseId(1)],
            "an unmapped speaker's passage belongs to the document's cases"
        );
        assert_eq!(coding_cases(&[], 0, 5, map, &doc), vec![CaseId(1)]);
    }

    proptest! {
        #[test]
        fn union_equals_a_bitset_count(raw in prop::collection::vec((0usize..200, 0usize..40), 0..30)) {
            let mut ranges: Vec<(usize, usize)> = raw.iter().map(|&(s, l)| (s, s + l)).collect();
            let mut bits = [false; 240];
            for &(s, e) in &ranges {
                for b in &mut bits[s..e] {
                    *b = true;
                }
            }
            let expected = bits.iter().filter(|b| **b).count();
            prop_assert_eq!(union(&mut ranges), expected);
            prop_assert!(ranges.windows(2).all(|w| w[0].1 < w[1].0));
            prop_assert!(ranges.iter().all(|(s, e)| s < e));
        }

        #[test]
        fn clip_equals_a_bitset_intersection(
            raw in prop::collection::vec((0usize..200, 0usize..40), 0..10),
            range in (0usize..200, 0usize..60),
        ) {
            let mut region: Vec<(usize, usize)> = raw.iter().map(|&(s, l)| (s, s + l)).collect();
            union(&mut region);
            let range = (range.0, range.0 + range.1);
            let pieces = clip(range, &region);
            let expected = (range.0..range.1)
                .filter(|&i| region.iter().any(|&(s, e)| s <= i && i < e))
                .count();
            prop_assert_eq!(covered(&pieces), expected);
        }
    }
}
