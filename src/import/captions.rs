//! Captions as transcripts: WebVTT (`.vtt`, what Zoom and Teams save) and SubRip (`.srt`).
//!
//! Each cue's text becomes part of a speaker turn. The speaker comes from a WebVTT voice tag
//! (`<v Bridget>…`) or a `Name:` prefix on the cue's first line; consecutive cues of one speaker
//! merge into one turn, joined by a space. A turn keeps the start time of its first cue as its
//! timestamp (`00:12:31`), which the transcript shows in the margin and exports can cite.
//! Styling tags (`<i>`, `<b>`, `<c.yellow>`, `<00:00:01.500>`…), cue settings after the timing
//! (`align:start`), cue identifiers and `NOTE`/`STYLE`/`REGION` blocks are dropped; the common
//! character references (`&amp;`, `&lt;`, `&nbsp;`, `&#233;`…) are decoded.
//!
//! The stored text is one paragraph per turn, `Speaker: words`, separated by blank lines; a cue
//! with no speaker (and the cues after it, until a speaker is named) is a turn without a label.

use crate::model::Turn;

/// Which caption format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// WebVTT.
    Vtt,
    /// SubRip.
    Srt,
}

/// Why captions could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CaptionError {
    /// A `.vtt` that does not start with `WEBVTT`.
    NoHeader,
    /// No cue has any text.
    NoCues,
}

impl CaptionError {
    /// The reason, for the import's message.
    pub(crate) fn reason(&self, kind: Kind) -> String {
        match (self, kind) {
            (Self::NoHeader, _) => "a WebVTT file must start with the line WEBVTT".to_owned(),
            (Self::NoCues, Kind::Vtt) => "it holds no caption cues with text".to_owned(),
            (Self::NoCues, Kind::Srt) => {
                "it holds no numbered subtitle cues with a time line (00:00:01,000 --> ...)"
                    .to_owned()
            }
        }
    }
}

/// One cue: when it starts, who speaks (if known) and its plain text on one line.
struct Cue {
    start: String,
    speaker: Option<String>,
    text: String,
}

/// The transcript text and its turns from caption file content (newlines already `\n`).
pub(crate) fn parse(content: &str, kind: Kind) -> Result<(String, Vec<Turn>), CaptionError> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    if kind == Kind::Vtt {
        let first = content.lines().next().unwrap_or_default();
        if !first.starts_with("WEBVTT") {
            return Err(CaptionError::NoHeader);
        }
    }
    let cues = cues(content, kind);
    if cues.is_empty() {
        return Err(CaptionError::NoCues);
    }
    Ok(assemble(cues))
}

/// The cues of the file, in order, with empty ones left out.
fn cues(content: &str, kind: Kind) -> Vec<Cue> {
    let mut out = Vec::new();
    // Blocks are separated by blank lines (lines of only whitespace count as blank).
    let mut block: Vec<&str> = Vec::new();
    let mut lines = content.lines().peekable();
    if kind == Kind::Vtt {
        // The header block (WEBVTT and any header lines) is not a cue.
        for l in lines.by_ref() {
            if l.trim().is_empty() {
                break;
            }
        }
    }
    loop {
        let line = lines.next();
        match line {
            Some(l) if !l.trim().is_empty() => block.push(l),
            _ => {
                if let Some(cue) = cue_of(&block, kind) {
                    out.push(cue);
                }
                block.clear();
                if line.is_none() {
                    break;
                }
            }
        }
    }
    out
}

/// The cue of one block, or `None` for a note, style or region block, or a block without a
/// timing line or text.
fn cue_of(block: &[&str], kind: Kind) -> Option<Cue> {
    let first = block.first()?;
    if kind == Kind::Vtt
        && ["NOTE", "STYLE", "REGION"].iter().any(|k| {
            first
                .strip_prefix(k)
                .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t']))
        })
    {
        return None;
    }
    // The timing line is the first or (after an identifier or SRT number) the second line.
    let timing = block.iter().take(2).position(|l| l.contains("-->"))?;
    let start = timestamp(block.get(timing)?.split("-->").next()?.trim())?;
    let body: Vec<&str> = block.get(timing + 1..)?.to_vec();
    let mut speaker = None;
    let mut parts: Vec<String> = Vec::new();
    for (i, line) in body.iter().enumerate() {
        let (voice, text) = strip_tags(line);
        if speaker.is_none() {
            speaker = voice;
        }
        let mut text = decode_entities(&text);
        if i == 0
            && speaker.is_none()
            && let Some((name, rest)) = name_prefix(&text)
        {
            speaker = Some(name.to_owned());
            text = rest.to_owned();
        }
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            parts.push(text);
        }
    }
    let text = parts.join(" ");
    if text.is_empty() {
        return None;
    }
    Some(Cue {
        start,
        speaker: speaker.filter(|s| !s.is_empty()),
        text,
    })
}

/// `hh:mm:ss` of a cue time such as `00:12:31.250`, `12:31.250` (WebVTT) or `00:12:31,250`
/// (SRT); `None` when it is not a time.
fn timestamp(t: &str) -> Option<String> {
    let t = t.split([' ', '\t']).next()?;
    let whole = t.split(['.', ',']).next()?;
    let parts: Vec<&str> = whole.split(':').collect();
    let nums: Vec<u64> = parts
        .iter()
        .map(|p| {
            (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        })
        .collect::<Option<_>>()?;
    let (h, m, s) = match nums.as_slice() {
        [m, s] => (0, *m, *s),
        [h, m, s] => (*h, *m, *s),
        _ => return None,
    };
    (m < 60 && s < 60).then(|| format!("{h:02}:{m:02}:{s:02}"))
}

/// A `Name: ` prefix at the start of a cue's text (1–4 words, at most 40 chars, starting with
/// a letter), as Zoom writes it: `(name, rest)`.
fn name_prefix(text: &str) -> Option<(&str, &str)> {
    let (name, rest) = text.split_once(':')?;
    let name = name.trim();
    let ok = !name.is_empty()
        && name.chars().count() <= 40
        && name.split_whitespace().count() <= 4
        && name.chars().next().is_some_and(char::is_alphabetic)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '\'' | '’' | '_'))
        // Not a time like "at 10: ..." nor a URL.
        && !rest.starts_with("//");
    ok.then_some((name, rest.trim_start()))
}

/// The line with every `<…>` tag removed, and the name of a WebVTT voice tag (`<v Name>` or
/// `<v.loud Name>`) if the line has one.
fn strip_tags(line: &str) -> (Option<String>, String) {
    let mut out = String::with_capacity(line.len());
    let mut voice = None;
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open + 1..).unwrap_or_default();
        let Some(close) = after.find('>') else {
            // A lone `<` is text.
            out.push('<');
            rest = after;
            continue;
        };
        let tag = after.get(..close).unwrap_or_default();
        if voice.is_none()
            && let Some(v) = tag.strip_prefix('v')
            && (v.starts_with([' ', '\t', '.']))
        {
            // `<v.class Name>`: the classes come first, then whitespace, then the name.
            let name = v.trim_start_matches(|c: char| c != ' ' && c != '\t').trim();
            voice = Some(decode_entities(name));
        }
        rest = after.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    (voice, out)
}

/// Decodes the character references captions use: the named ones WebVTT defines (and a few
/// common others) and numeric ones; anything else stays as written.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or_default());
        let after = rest.get(amp + 1..).unwrap_or_default();
        let decoded = after.find(';').filter(|&i| i <= 10).and_then(|semi| {
            let name = after.get(..semi)?;
            let ch = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{a0}',
                "lrm" => '\u{200e}',
                "rlm" => '\u{200f}',
                n => {
                    let code =
                        if let Some(hex) = n.strip_prefix("#x").or_else(|| n.strip_prefix("#X")) {
                            u32::from_str_radix(hex, 16).ok()
                        } else {
                            n.strip_prefix('#').and_then(|d| d.parse().ok())
                        };
                    char::from_u32(code?)?
                }
            };
            Some((ch, semi))
        });
        match decoded {
            Some((ch, semi)) => {
                out.push(ch);
                rest = after.get(semi + 1..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Merges consecutive cues of one speaker into turns and lays them out as paragraphs.
fn assemble(cues: Vec<Cue>) -> (String, Vec<Turn>) {
    let mut text = String::new();
    let mut chars = 0usize;
    let mut turns: Vec<Turn> = Vec::new();
    let mut current: Option<Option<String>> = None;
    for cue in cues {
        if current.as_ref() == Some(&cue.speaker) {
            text.push(' ');
            text.push_str(&cue.text);
            chars += 1 + cue.text.chars().count();
            if let Some(t) = turns.last_mut() {
                t.end = chars;
            }
            continue;
        }
        if !text.is_empty() {
            text.push_str("\n\n");
            chars += 2;
        }
        let start = chars;
        if let Some(name) = &cue.speaker {
            text.push_str(name);
            text.push_str(": ");
            chars += name.chars().count() + 2;
        }
        let body_start = chars;
        text.push_str(&cue.text);
        chars += cue.text.chars().count();
        turns.push(Turn {
            start,
            body_start,
            end: chars,
            speaker: cue.speaker.clone().unwrap_or_default(),
            timestamp: Some(cue.start),
        });
        current = Some(cue.speaker);
    }
    text.push('\n');
    (text, turns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, from: usize, to: usize) -> String {
        text.chars().skip(from).take(to - from).collect()
    }

    #[test]
    fn webvtt_voices_merge_into_turns_with_timestamps() {
        let vtt = "WEBVTT - Teams export\nKind: captions\n\n\
                   NOTE written by hand\nfor the test\n\n\
                   STYLE\n::cue { color: yellow }\n\n\
                   1\n00:12:31.250 --> 00:12:34.000 align:start position:10%\n\
                   <v Zoë Martin>We were both <i>new</i> &amp; scared 😀</v>\n\n\
                   00:12:34.000 --> 00:12:36.500\n<v Zoë Martin>so we helped each other.\n\n\
                   00:12:37.000 --> 00:12:39.000\n<v.loud Interviewer>Both of you?\n\n\
                   00:12:39.500 --> 00:12:41.000\n<v Zoë Martin>Yes. مرحبا 你好\n";
        let (text, turns) = parse(vtt, Kind::Vtt).unwrap();
        assert_eq!(
            text,
            "Zoë Martin: We were both new & scared 😀 so we helped each other.\n\n\
             Interviewer: Both of you?\n\nZoë Martin: Yes. مرحبا 你好\n"
        );
        assert_eq!(turns.len(), 3);
        assert_eq!(turns[0].speaker, "Zoë Martin");
        assert_eq!(turns[0].timestamp.as_deref(), Some("00:12:31"));
        assert_eq!(turns[1].speaker, "Interviewer");
        assert_eq!(turns[1].timestamp.as_deref(), Some("00:12:37"));
        for t in &turns {
            let label = slice(&text, t.start, t.body_start);
            assert_eq!(label, format!("{}: ", t.speaker));
        }
        assert_eq!(
            slice(&text, turns[2].body_start, turns[2].end),
            "Yes. مرحبا 你好"
        );
    }

    #[test]
    fn srt_with_name_prefixes_and_tags() {
        let srt = "1\n00:00:01,000 --> 00:00:03,000\nInterviewer: How did it start?\n\n\
                   2\n00:00:03,500 --> 00:00:06,000\nP01: <b>Slowly</b>.\nThen all at once.\n\n\
                   3\n01:02:03,000 --> 01:02:05,000\n<font color=\"red\">P01: Really.</font>\n";
        let (text, turns) = parse(srt, Kind::Srt).unwrap();
        assert_eq!(
            text,
            "Interviewer: How did it start?\n\nP01: Slowly. Then all at once. Really.\n"
        );
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[1].timestamp.as_deref(), Some("00:00:03"));
        assert_eq!(turns[1].end, text.chars().count() - 1);
    }

    #[test]
    fn cues_without_a_speaker_are_unlabelled_turns() {
        let vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\nhello there\n\n\
                   00:02.000 --> 00:03.000\ngeneral kenobi\n";
        let (text, turns) = parse(vtt, Kind::Vtt).unwrap();
        assert_eq!(text, "hello there general kenobi\n");
        assert_eq!(turns.len(), 1);
        assert_eq!(turns[0].speaker, "");
        assert_eq!(turns[0].start, turns[0].body_start);
        assert_eq!(turns[0].timestamp.as_deref(), Some("00:00:01"));
    }

    #[test]
    fn bad_captions_are_refused() {
        assert_eq!(
            parse("hello", Kind::Vtt).unwrap_err(),
            CaptionError::NoHeader
        );
        assert_eq!(
            parse("WEBVTT\n\n", Kind::Vtt).unwrap_err(),
            CaptionError::NoCues
        );
        assert_eq!(
            parse("just text\n", Kind::Srt).unwrap_err(),
            CaptionError::NoCues
        );
        assert_eq!(
            parse("1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n", Kind::Srt).unwrap_err(),
            CaptionError::NoCues
        );
    }

    #[test]
    fn hostile_lines_do_not_panic() {
        for s in [
            "WEBVTT\n\n-->\n<v",
            "WEBVTT\n\n00:00 --> x\n<<<>>&#xFFFFFFFF;&#99999999999;&;",
            "1\n99:99:99,999 --> 00:00:00,000\n&amp\n",
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v>\n",
        ] {
            let _ = parse(s, Kind::Vtt);
            let _ = parse(s, Kind::Srt);
        }
    }

    #[test]
    fn time_forms() {
        assert_eq!(timestamp("00:12:31.250").as_deref(), Some("00:12:31"));
        assert_eq!(timestamp("12:31.250").as_deref(), Some("00:12:31"));
        assert_eq!(timestamp("01:02:03,000").as_deref(), Some("01:02:03"));
        assert_eq!(timestamp("1:2").as_deref(), Some("00:01:02"));
        assert_eq!(timestamp("aa:bb"), None);
        assert_eq!(timestamp("00:61:00.000"), None);
    }
}
