//! Speaker-turn detection in transcripts, in one linear pass.
//!
//! A turn starts at the beginning of a line (optionally indented) with a speaker label:
//! `Name: text`; `[Name] text` or `[Name]: text`; `Name (00:01:02): text` or
//! `Name [00:01:02]: text`; `[00:01:02] Name: text` or `00:01:02 Name: text`. A name is 1-4
//! words of letters, digits, spaces and `.-'’` (at most 40 chars, starting with a letter or
//! digit, containing a letter, not `http`). A turn runs until the next label line; continuation
//! paragraphs belong to it, trailing whitespace does not. Text before the first label is not a
//! turn. Bracketed transcriber notes such as `[laughs]` or `[inaudible]` are not labels.
//!
//! Prose has lines like `Note: ...` too, so turns are only reported when the document has at
//! least two label lines and at least one speaker who speaks twice.
//!
//! Lines are parsed as bytes of `&str` slices; every position is converted to a char index once,
//! walking forward, so the whole pass stays linear.

use crate::model::Turn;
use std::collections::HashMap;

/// Longest speaker name, in chars.
const MAX_NAME_CHARS: usize = 40;
/// Most words in a speaker name.
const MAX_NAME_WORDS: usize = 4;

/// Speaker labels that name the interviewer, not a participant (compared without case and
/// a trailing `.`): these never become cases when cases are made from speaker labels.
pub const INTERVIEWER_LABELS: &[&str] = &[
    "interviewer",
    "i",
    "int",
    "q",
    "facilitator",
    "moderator",
    "researcher",
];

/// Whether `label` names the interviewer ([`INTERVIEWER_LABELS`], or `Interviewer 2` and the
/// like).
pub fn is_interviewer(label: &str) -> bool {
    let l = label.trim().trim_end_matches('.').to_lowercase();
    INTERVIEWER_LABELS.iter().any(|i| {
        l == *i
            || l.strip_prefix(i)
                .is_some_and(|rest| i.len() > 2 && rest.trim().chars().all(|c| c.is_ascii_digit()))
    })
}

/// The participants of a transcript: its speakers other than the interviewer, each once, in
/// the order they first speak.
pub fn participant_speakers(turns: &[Turn]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in turns {
        let s = t.speaker.trim();
        if !s.is_empty() && !is_interviewer(s) && !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out
}

/// A label found at the start of a line; all positions are byte offsets into the text.
struct Label<'t> {
    start: usize,
    body_start: usize,
    speaker: &'t str,
    timestamp: Option<&'t str>,
}

/// Finds the speaker turns of `text` (see the module docs for the label forms). Returns no
/// turns unless `text` looks like a transcript. Offsets are char indices.
pub fn detect_turns(text: &str) -> Vec<Turn> {
    let mut labels: Vec<Label<'_>> = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let line_end = text
            .get(pos..)
            .and_then(|r| r.find('\n'))
            .map_or(text.len(), |i| pos + i);
        if let Some(line) = text.get(pos..line_end)
            && let Some((speaker, timestamp, label_len)) = parse_label(line)
        {
            labels.push(Label {
                start: pos,
                body_start: pos + label_len,
                speaker,
                timestamp,
            });
        }
        pos = line_end + 1;
    }
    if labels.len() < 2 {
        return Vec::new();
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut repeated = false;
    for l in &labels {
        let n = counts.entry(l.speaker).or_insert(0);
        *n += 1;
        repeated |= *n >= 2;
    }
    if !repeated {
        return Vec::new();
    }

    let mut turns = Vec::with_capacity(labels.len());
    let mut chars = CharCursor::default();
    for (i, l) in labels.iter().enumerate() {
        let next = labels.get(i + 1).map_or(text.len(), |n| n.start);
        let turn_text = text.get(l.start..next).unwrap_or_default();
        let end = l.start + turn_text.trim_end().len();
        let body_start = l.body_start.min(end);
        turns.push(Turn {
            start: chars.advance(text, l.start),
            body_start: chars.advance(text, body_start),
            end: chars.advance(text, end),
            speaker: l.speaker.to_owned(),
            timestamp: l.timestamp.map(str::to_owned),
        });
    }
    turns
}

/// Converts increasing byte offsets to char indices by counting only the chars in between.
#[derive(Default)]
struct CharCursor {
    byte: usize,
    chars: usize,
}

impl CharCursor {
    fn advance(&mut self, text: &str, byte: usize) -> usize {
        if let Some(between) = text.get(self.byte..byte) {
            self.chars += between.chars().count();
            self.byte = byte;
        }
        self.chars
    }
}

/// Parses a speaker label at the start of `line` (no `\n` in it). Returns the trimmed speaker,
/// the timestamp if any, and the byte length of the label plus the blanks after it.
fn parse_label(line: &str) -> Option<(&str, Option<&str>, usize)> {
    let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
    let s = line.get(indent..)?;
    let first = *s.as_bytes().first()?;
    let (speaker, timestamp, len) = if first == b'[' {
        bracketed(s)?
    } else if first.is_ascii_digit()
        && let Some(found) = timestamp_first(s)
    {
        found
    } else {
        named(s)?
    };
    let body = indent + len;
    let rest = line.get(body..)?;
    let blanks = rest.len() - rest.trim_start_matches(is_blank).len();
    Some((speaker, timestamp, body + blanks))
}

/// `[Name] text`, `[Name]: text` or `[00:01:02] Name: text`.
fn bracketed(s: &str) -> Option<(&str, Option<&str>, usize)> {
    let inner_end = s.get(1..)?.find(']')? + 1;
    let inner = s.get(1..inner_end)?;
    let after = inner_end + 1;
    if let Some(ts_len) = timestamp_len(inner)
        && ts_len == inner.len()
    {
        let rest = s.get(after..)?;
        let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if blanks == 0 {
            return None;
        }
        let (speaker, ts2, len) = named(rest.get(blanks..)?)?;
        return Some((speaker, ts2.or(Some(inner)), after + blanks + len));
    }
    let speaker = valid_name(inner)?;
    if is_annotation(speaker) {
        return None;
    }
    let len = label_end(s, after)?;
    Some((speaker, None, len))
}

/// Transcribers' notes that open a line in brackets (`[laughs] yes`) are not speakers.
fn is_annotation(inner: &str) -> bool {
    const NOTES: [&str; 16] = [
        "inaudible",
        "unintelligible",
        "unclear",
        "crosstalk",
        "overlapping",
        "laughs",
        "laughter",
        "laughing",
        "pause",
        "long pause",
        "silence",
        "sighs",
        "coughs",
        "noise",
        "music",
        "redacted",
    ];
    NOTES.iter().any(|n| inner.eq_ignore_ascii_case(n))
}

/// `00:01:02 Name: text`.
fn timestamp_first(s: &str) -> Option<(&str, Option<&str>, usize)> {
    let ts_len = timestamp_len(s)?;
    let rest = s.get(ts_len..)?;
    let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    if blanks == 0 {
        return None;
    }
    let (speaker, ts2, len) = named(rest.get(blanks..)?)?;
    Some((speaker, ts2.or(s.get(..ts_len)), ts_len + blanks + len))
}

/// `Name: text`, `Name (00:01:02): text` or `Name [00:01:02]: text`.
fn named(s: &str) -> Option<(&str, Option<&str>, usize)> {
    let name_len = scan_name(s)?;
    let name = s.get(..name_len)?;
    match s.as_bytes().get(name_len)? {
        b':' => {
            let speaker = valid_name(name)?;
            let len = name_len + 1;
            is_label_followed_ok(s, len).then_some((speaker, None, len))
        }
        open @ (b'(' | b'[') => {
            let close = if *open == b'(' { ')' } else { ']' };
            let speaker = valid_name(name)?;
            let ts_start = name_len + 1;
            let ts_len = timestamp_len(s.get(ts_start..)?)?;
            let ts = s.get(ts_start..ts_start + ts_len)?;
            let after = ts_start + ts_len;
            if !s.get(after..)?.starts_with(close) {
                return None;
            }
            let len = label_end(s, after + 1)?;
            Some((speaker, Some(ts), len))
        }
        _ => None,
    }
}

/// After `]` or `)` at byte `after`: an optional `:`, then a blank or the end of the line.
/// Returns the label's length (including the colon).
fn label_end(s: &str, after: usize) -> Option<usize> {
    let len = if s.get(after..)?.starts_with(':') {
        after + 1
    } else {
        after
    };
    is_label_followed_ok(s, len).then_some(len)
}

/// A label must be followed by whitespace or the end of the line.
fn is_label_followed_ok(s: &str, len: usize) -> bool {
    s.get(len..)
        .and_then(|r| r.chars().next())
        .is_none_or(char::is_whitespace)
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() && c != '\n'
}

/// Byte length of the longest prefix of name chars, or `None` as soon as it cannot be a name
/// (too long or too many words), so prose lines are rejected after a few words.
fn scan_name(s: &str) -> Option<usize> {
    let mut words = 0;
    let mut in_word = false;
    for (n, (i, c)) in s.char_indices().enumerate() {
        if n > MAX_NAME_CHARS + 2 {
            return None;
        }
        if c == ' ' {
            in_word = false;
        } else if is_name_char(c) {
            if !in_word {
                words += 1;
                if words > MAX_NAME_WORDS {
                    return None;
                }
                in_word = true;
            }
        } else {
            return Some(i);
        }
    }
    Some(s.len())
}

/// Letters (any script), digits, `.-'’`, and the combining marks and direction marks that
/// names in decomposed or right-to-left text carry.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-' | '\'' | '’') || is_mark(c)
}

fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' // combining diacritical marks
        | '\u{0483}'..='\u{0489}' // Cyrillic
        | '\u{0591}'..='\u{05C7}' // Hebrew points
        | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' // Arabic
        | '\u{0900}'..='\u{0903}' | '\u{093A}'..='\u{094F}' // Devanagari
        | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{200C}' | '\u{200D}' | '\u{200E}' | '\u{200F}' // ZWNJ, ZWJ, LRM, RLM
    )
}

/// The trimmed name if it is a plausible speaker: 1-4 words, at most 40 chars, starting with a
/// letter or digit, containing a letter, and not a URL scheme.
fn valid_name(raw: &str) -> Option<&str> {
    let name = raw.trim_matches(' ');
    let first = name.chars().next()?;
    if !first.is_alphanumeric()
        || name.chars().count() > MAX_NAME_CHARS
        || name.split(' ').filter(|w| !w.is_empty()).count() > MAX_NAME_WORDS
        || !name.chars().all(|c| c == ' ' || is_name_char(c))
        || !name.chars().any(char::is_alphabetic)
        || is_url_scheme(name.rsplit(' ').next().unwrap_or(name))
    {
        return None;
    }
    Some(name)
}

/// `http`, `https` and friends: `see https: //...` is not a speaker.
fn is_url_scheme(word: &str) -> bool {
    ["http", "https", "ftp", "mailto"]
        .iter()
        .any(|s| word.eq_ignore_ascii_case(s))
}

/// Byte length of a timestamp at the start of `s`: `H:MM`, `HH:MM:SS`, with an optional
/// fraction `.123` or `,123`.
fn timestamp_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let digits = |from: usize, max: usize| {
        b.get(from..).map_or(0, |r| {
            r.iter()
                .take(max)
                .take_while(|c| c.is_ascii_digit())
                .count()
        })
    };
    let h = digits(0, 2);
    if h == 0 || b.get(h) != Some(&b':') || digits(h + 1, 2) != 2 {
        return None;
    }
    let mut len = h + 3;
    if b.get(len) == Some(&b':') && digits(len + 1, 2) == 2 {
        len += 3;
    }
    if matches!(b.get(len), Some(b'.' | b',')) {
        let f = digits(len + 1, 3);
        if f > 0 {
            len += 1 + f;
        }
    }
    // Not a prefix of a longer number (`12:345`).
    if b.get(len).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participants_leave_out_the_interviewer() {
        let turns = detect_turns(
            "Interviewer: Hi\nP03: Hello\nInterviewer 2: And?\nP03: Yes\nI: Ok\n             FACILITATOR (00:01): Go on\nIvan: Me too\nIntern: Hm\n",
        );
        assert_eq!(participant_speakers(&turns), ["P03", "Ivan", "Intern"]);
        for l in [
            "Interviewer",
            "I",
            "int",
            "Q.",
            "Moderator",
            "Interviewer 2",
        ] {
            assert!(is_interviewer(l), "{l}");
        }
        for l in ["P01", "Ingrid", "I2", "Qi", "Researcher X"] {
            assert!(!is_interviewer(l), "{l}");
        }
    }
    use crate::text::slice_chars;

    /// (speaker, timestamp, label text, body text) of each turn, sliced by char offsets.
    fn sliced(text: &str) -> Vec<(String, Option<String>, String, String)> {
        detect_turns(text)
            .into_iter()
            .map(|t| {
                assert!(t.start <= t.body_start && t.body_start <= t.end, "{t:?}");
                (
                    t.speaker.clone(),
                    t.timestamp.clone(),
                    slice_chars(text, t.start, t.body_start).unwrap().to_owned(),
                    slice_chars(text, t.body_start, t.end).unwrap().to_owned(),
                )
            })
            .collect()
    }

    fn speakers(text: &str) -> Vec<String> {
        detect_turns(text).into_iter().map(|t| t.speaker).collect()
    }

    #[test]
    fn name_colon() {
        let text = "Interviewer: How did it start?\nP01: Slowly.\n\nInterviewer: And then?\nDr. Smith: Fine\n";
        let t = sliced(text);
        assert_eq!(t.len(), 4);
        assert_eq!(
            t[0],
            (
                "Interviewer".into(),
                None,
                "Interviewer: ".into(),
                "How did it start?".into()
            )
        );
        assert_eq!(
            t[1].3, "Slowly.",
            "trailing blank line is not part of the turn"
        );
        assert_eq!(t[3].0, "Dr. Smith");
    }

    #[test]
    fn bracketed_names() {
        let text = "[Anna] Hello there\n[Ben]: Hi\n[Anna]   Again\n";
        let t = sliced(text);
        assert_eq!(speakers(text), ["Anna", "Ben", "Anna"]);
        assert_eq!(t[1].2, "[Ben]: ");
        assert_eq!(t[2].2, "[Anna]   ");
        assert_eq!(t[2].3, "Again");
    }

    #[test]
    fn name_then_timestamp() {
        let text =
            "INTERVIEWER (00:01:02): First\nAnna (01:02): Second\nINTERVIEWER [00:02:03]: Third\n";
        let t = sliced(text);
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].0, "INTERVIEWER");
        assert_eq!(t[0].1.as_deref(), Some("00:01:02"));
        assert_eq!(t[0].2, "INTERVIEWER (00:01:02): ");
        assert_eq!(t[1].1.as_deref(), Some("01:02"));
        assert_eq!(t[2].1.as_deref(), Some("00:02:03"));
        assert_eq!(t[2].3, "Third");
    }

    #[test]
    fn timestamp_first() {
        let text = "[00:01:02] Anna: One\n00:01:10 Ben: Two\n[00:02:00.5] Anna: Three\n";
        let t = sliced(text);
        assert_eq!(speakers(text), ["Anna", "Ben", "Anna"]);
        assert_eq!(t[0].1.as_deref(), Some("00:01:02"));
        assert_eq!(t[0].2, "[00:01:02] Anna: ");
        assert_eq!(t[1].1.as_deref(), Some("00:01:10"));
        assert_eq!(t[1].2, "00:01:10 Ben: ");
        assert_eq!(t[2].1.as_deref(), Some("00:02:00.5"));
    }

    #[test]
    fn continuation_preamble_and_label_only_lines() {
        let text = "Interview 3, 12 May\nSite: north\n\nI: Tell me.\nP3: Well.\n\nIt went on.\n  \nI:\nOk\n\n\n";
        let t = sliced(text);
        assert_eq!(speakers(text), ["Site", "I", "P3", "I"]);
        // The preamble's first line is not a turn; "Site:" is a label line though.
        assert_eq!(detect_turns(text)[0].start, 20);
        assert_eq!(t[2].3, "Well.\n\nIt went on.");
        assert_eq!(t[3].2, "I:");
        assert_eq!(t[3].3, "\nOk");
    }

    #[test]
    fn prose_has_no_turns() {
        let prose = "Note: this is a report.\nIt has one label-like line.\nWarning: and another.\n\
                     Visit https: //example.org at 10:30: sharp.\n12: a numbered line\n12: again\n\
                     This sentence has far too many words before its colon: yes.\n";
        assert!(detect_turns(prose).is_empty());
        assert!(detect_turns("").is_empty());
        assert!(detect_turns("Only: one\n").is_empty());
        assert!(
            detect_turns("A: one\nB: two\n").is_empty(),
            "nobody speaks twice"
        );
    }

    #[test]
    fn non_speakers_rejected() {
        for line in [
            "http: x",
            "https: x",
            "10:30 x",
            "10:30: x",
            "123: x",
            "-x: y",
            "a:b",
            "[10:30]",
            "Name (10:30)x",
            "see HTTPS: x",
            "[Laughs] yes",
            "[inaudible]: x",
            "[unclosed x",
            "",
            "   ",
            "Five words are too many: x",
            "A name that is much much too long to be one: x",
        ] {
            assert!(parse_label(line).is_none(), "{line:?}");
        }
        assert_eq!(parse_label("Zoë: hi").map(|l| l.0), Some("Zoë"));
        assert_eq!(
            parse_label("O’Brien-Smith: hi").map(|l| l.0),
            Some("O’Brien-Smith")
        );
        assert_eq!(
            parse_label("  P01 :  hi").map(|l| (l.0, l.2)),
            Some(("P01", 9))
        );
        assert_eq!(parse_label("Interviewer:").map(|l| l.2), Some(12));
    }

    #[test]
    fn hard_unicode_offsets() {
        // Emoji (outside the BMP), combining accents, CJK, Arabic and Hebrew, in names and bodies.
        let text = "前言 😀 preamble\n\
                    Zoe\u{308}: Café 😀 na\u{308}ive\n\
                    王芳: 我们一起 🙂\n\
                    \u{645}\u{631}\u{64A}\u{645}: \u{645}\u{631}\u{62D}\u{628}\u{627} 😀\n\
                    Zoe\u{308}: שלום עולם 👍🏽\n   continued 共同\n\
                    [\u{5D3}\u{5E0}\u{5D4}] טקסט\n\
                    王芳: 好 😀😀\n";
        let t = sliced(text);
        assert_eq!(t.len(), 6);
        assert_eq!(
            t[0],
            (
                "Zoe\u{308}".into(),
                None,
                "Zoe\u{308}: ".into(),
                "Café 😀 na\u{308}ive".into()
            )
        );
        assert_eq!(t[1].3, "我们一起 🙂");
        assert_eq!(t[2].0, "\u{645}\u{631}\u{64A}\u{645}");
        assert_eq!(t[2].3, "\u{645}\u{631}\u{62D}\u{628}\u{627} 😀");
        assert_eq!(t[3].3, "שלום עולם 👍🏽\n   continued 共同");
        assert_eq!(t[4].0, "\u{5D3}\u{5E0}\u{5D4}");
        assert_eq!(t[4].3, "טקסט");
        assert_eq!(t[5].3, "好 😀😀");
        let turns = detect_turns(text);
        assert_eq!(
            turns[0].start, 14,
            "after 13 chars of preamble and its newline"
        );
        assert_eq!(turns.last().unwrap().end, crate::text::char_len(text) - 1);
        for w in turns.windows(2) {
            assert!(w[0].end <= w[1].start);
        }
    }

    #[test]
    fn no_panic_on_odd_input() {
        for text in [
            "[",
            "[]",
            "[]:",
            "A:\nA:",
            "\n\n\n",
            "0",
            "00:",
            "00:0",
            "[00:01] A:",
            "é[😀]: x\né[😀]: y",
            "A (00:01",
            "A [00:01]:x",
        ] {
            let _ = detect_turns(text);
        }
        assert_eq!(speakers("A:\nA:"), ["A", "A"]);
    }

    proptest::proptest! {
        #[test]
        fn turns_are_sorted_in_bounds_and_slice(s in "([A-Zé😀\\[\\]():0-9 \\n\\t\\r]|P01: |\\[00:01\\] |Zoe\u{308}: ){0,60}") {
            let n = crate::text::char_len(&s);
            let turns = detect_turns(&s);
            let mut prev_end = 0;
            for t in &turns {
                proptest::prop_assert!(prev_end <= t.start && t.start <= t.body_start);
                proptest::prop_assert!(t.body_start <= t.end && t.end <= n);
                proptest::prop_assert!(slice_chars(&s, t.start, t.end).is_some());
                prev_end = t.end;
            }
        }
    }

    #[test]
    fn throughput_smoke() {
        // Not a benchmark: makes sure a few MB of transcript goes through in linear time.
        let block = "Interviewer: So how did the peer support group start for you, really?\n\
                     P01: It started slowly, with a leaflet at the clinic and a phone call.\n\n\
                     It went on from there, week after week.\n";
        let text = block.repeat(20_000);
        let turns = detect_turns(&text);
        assert_eq!(turns.len(), 40_000);
    }
}
