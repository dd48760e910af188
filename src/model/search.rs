//! Project-wide search: the units a document is searched in, and the query language.
//!
//! A document is searched per speaker turn (what a speaker said, without the label), or per
//! paragraph where it has no turns; text outside every turn (a header, notes between turns)
//! is searched per paragraph too. The Boolean operators combine within one unit: `trust AND
//! power` finds the turns where both are said.
//!
//! The query language, for researchers (the CLI's `--help` and the Search view say the same):
//! - `trust` a word, ignoring case and accents (`cafe` finds `Café`);
//! - `"giving back"` words in a row, whatever punctuation lies between them;
//! - `recover*` words that start so;
//! - `trust AND power` (or just `trust power`), `trust OR hope`, `trust NOT power`;
//! - `trust NEAR power` within 10 words of each other, `trust NEAR/5 power` within 5;
//! - parentheses group: `(trust OR hope) AND peer`.
//!
//! Operators are written in capitals; `and` in lower case is a word. NOT binds tighter than
//! AND, AND tighter than OR; NEAR binds tightest and joins words and phrases only.

use crate::text::{index_token, search_words};

use super::{DocId, Turn};

/// One unit of search: a speaker turn's body, or a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchUnit {
    /// Row id in the index (order of the document's units).
    pub id: i64,
    /// The document.
    pub doc: DocId,
    /// First char of the unit.
    pub start: usize,
    /// One past its last char.
    pub end: usize,
    /// The speaker, for a turn.
    pub speaker: Option<String>,
}

/// The document a unit belongs to, given each document's first and last unit id sorted by
/// first unit ([`super::read::SearchIndex::unit_spans`]).
pub fn unit_document(spans: &[(DocId, i64, i64)], unit: i64) -> Option<DocId> {
    let i = spans.partition_point(|s| s.1 <= unit);
    let s = spans.get(i.checked_sub(1)?)?;
    (unit <= s.2).then_some(s.0)
}

/// The units of a document: each turn's body, and the paragraphs of any text outside the
/// turns (all of it when there are none), as `(start, end, speaker)`, in order. Paragraphs
/// are separated by blank lines where the text has any, else by line breaks; units that hold
/// only whitespace are left out.
pub fn units_of(text: &str, turns: &[Turn]) -> Vec<(usize, usize, Option<String>)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let blank_lines = text.contains("\n\n");
    let mut out = Vec::new();
    let paragraphs = |from: usize, to: usize, out: &mut Vec<(usize, usize, Option<String>)>| {
        let mut start = from;
        let mut i = from;
        while i < to {
            let brk =
                chars[i].1 == '\n' && (!blank_lines || (i + 1 < to && chars[i + 1].1 == '\n'));
            if brk {
                push_trimmed(&chars, start, i, None, out);
                while i < to && chars[i].1 == '\n' {
                    i += 1;
                }
                start = i;
            } else {
                i += 1;
            }
        }
        push_trimmed(&chars, start, to, None, out);
    };
    let mut pos = 0;
    for t in turns {
        let (s, b, e) = (t.start.min(n), t.body_start.min(n), t.end.min(n));
        if s < pos || b < s || e < b {
            continue; // malformed turn: its text is covered as paragraphs
        }
        if pos < s {
            paragraphs(pos, s, &mut out);
        }
        push_trimmed(&chars, b, e, Some(t.speaker.clone()), &mut out);
        pos = e;
    }
    if pos < n {
        paragraphs(pos, n, &mut out);
    }
    out
}

fn push_trimmed(
    chars: &[(usize, char)],
    mut start: usize,
    mut end: usize,
    speaker: Option<String>,
    out: &mut Vec<(usize, usize, Option<String>)>,
) {
    while start < end && chars[start].1.is_whitespace() {
        start += 1;
    }
    while end > start && chars[end - 1].1.is_whitespace() {
        end -= 1;
    }
    if start < end {
        out.push((start, end, speaker));
    }
}

/// A word, a phrase or a prefix: what is looked up in the index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchLeaf {
    /// The folded words, in order (one for a word).
    pub words: Vec<String>,
    /// Whether the last word is a prefix (`recover*`).
    pub prefix: bool,
}

impl SearchLeaf {
    /// The index tokens of the words (see [`index_token`]).
    pub fn tokens(&self) -> Vec<String> {
        self.words
            .iter()
            .map(|w| {
                let mut t = String::new();
                index_token(w, &mut t);
                t
            })
            .collect()
    }

    fn fts(&self) -> String {
        let mut s = format!("\"{}\"", self.tokens().join(" "));
        if self.prefix {
            s.push_str(" *");
        }
        s
    }

    /// The leaf as the user would write it.
    pub fn display(&self) -> String {
        let mut s = self.words.join(" ");
        if self.words.len() > 1 {
            s = format!("\"{s}\"");
        }
        if self.prefix {
            s.push('*');
        }
        s
    }
}

/// A parsed search query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchQuery {
    /// A word, phrase or prefix.
    Leaf(SearchLeaf),
    /// Both, in one unit.
    And(Box<SearchQuery>, Box<SearchQuery>),
    /// Either.
    Or(Box<SearchQuery>, Box<SearchQuery>),
    /// The first, in units without the second.
    Not(Box<SearchQuery>, Box<SearchQuery>),
    /// Words or phrases within `distance` words of each other.
    Near(Vec<SearchLeaf>, usize),
}

/// The default distance of `NEAR`, in words.
pub const NEAR_DEFAULT: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Phrase(String),
    And,
    Or,
    Not,
    Near(usize),
    Open,
    Close,
}

fn lex(input: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut it = input.chars().peekable();
    while let Some(&c) = it.peek() {
        if c.is_whitespace() {
            it.next();
        } else if c == '(' {
            it.next();
            out.push(Tok::Open);
        } else if c == ')' {
            it.next();
            out.push(Tok::Close);
        } else if c == '"' || c == '“' || c == '”' {
            it.next();
            let mut s = String::new();
            let mut closed = false;
            for c in it.by_ref() {
                if c == '"' || c == '”' || c == '“' {
                    closed = true;
                    break;
                }
                s.push(c);
            }
            if !closed {
                return Err("a phrase is missing its closing quote".into());
            }
            // `"giving back"*` makes the phrase's last word a prefix.
            if it.peek() == Some(&'*') {
                it.next();
                s.push('*');
            }
            out.push(Tok::Phrase(s));
        } else {
            let mut s = String::new();
            while let Some(&c) = it.peek() {
                if c.is_whitespace() || c == '(' || c == ')' || c == '"' || c == '“' {
                    break;
                }
                s.push(c);
                it.next();
            }
            out.push(match s.as_str() {
                "AND" => Tok::And,
                "OR" => Tok::Or,
                "NOT" => Tok::Not,
                "NEAR" => Tok::Near(NEAR_DEFAULT),
                w => match w.strip_prefix("NEAR/") {
                    Some(n) => Tok::Near(n.parse().map_err(|_| {
                        format!("“{w}” needs a number of words after NEAR/, as in NEAR/5")
                    })?),
                    None => Tok::Word(s),
                },
            });
        }
    }
    Ok(out)
}

fn leaf_of(text: &str, quoted: bool) -> Result<SearchLeaf, String> {
    let (body, prefix) = match text.strip_suffix('*') {
        Some(b) => (b, true),
        None => (text, false),
    };
    let words: Vec<String> = search_words(body).into_iter().map(|(_, w)| w).collect();
    if words.is_empty() {
        let shown = if quoted {
            format!("\"{text}\"")
        } else {
            text.to_owned()
        };
        return Err(format!(
            "“{shown}” has no letter or digit to search for (searches find words)"
        ));
    }
    // A `*` inside a word, or after punctuation, is not a prefix: say so.
    if body.contains('*') {
        return Err(format!("“{text}”: a * can only end a word, as in recover*"));
    }
    Ok(SearchLeaf { words, prefix })
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    /// Brackets open around the current position.
    depth: usize,
}

/// Most words and operators a search may have.
pub const MAX_TOKENS: usize = 1000;
/// Deepest bracket nesting a search may have.
pub const MAX_DEPTH: usize = 50;

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn or(&mut self) -> Result<SearchQuery, String> {
        let mut left = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            let right = self.and()?;
            left = SearchQuery::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<SearchQuery, String> {
        let mut left = self.near()?;
        loop {
            match self.peek() {
                Some(Tok::And) => {
                    self.pos += 1;
                    let right = self.near()?;
                    left = SearchQuery::And(Box::new(left), Box::new(right));
                }
                Some(Tok::Not) => {
                    self.pos += 1;
                    let right = self.near()?;
                    left = SearchQuery::Not(Box::new(left), Box::new(right));
                }
                Some(Tok::Word(_) | Tok::Phrase(_) | Tok::Open) => {
                    let right = self.near()?;
                    left = SearchQuery::And(Box::new(left), Box::new(right));
                }
                _ => return Ok(left),
            }
        }
    }

    fn near(&mut self) -> Result<SearchQuery, String> {
        let first = self.primary()?;
        let mut leaves = Vec::new();
        let mut distance = None;
        while let Some(Tok::Near(n)) = self.peek().cloned() {
            self.pos += 1;
            if distance.is_some_and(|d| d != n) {
                return Err(
                    "a chain of NEARs must use one distance (write NEAR/5 each time)".into(),
                );
            }
            distance = Some(n);
            if leaves.is_empty() {
                leaves.push(Self::near_leaf(first.clone())?);
            }
            let next = self.primary()?;
            leaves.push(Self::near_leaf(next)?);
        }
        Ok(match distance {
            Some(d) => SearchQuery::Near(leaves, d),
            None => first,
        })
    }

    fn near_leaf(q: SearchQuery) -> Result<SearchLeaf, String> {
        match q {
            SearchQuery::Leaf(l) => Ok(l),
            _ => Err("NEAR joins words and phrases only, not brackets or other operators".into()),
        }
    }

    fn primary(&mut self) -> Result<SearchQuery, String> {
        let tok = self.toks.get(self.pos).cloned();
        self.pos += 1;
        match tok {
            Some(Tok::Word(w)) => Ok(SearchQuery::Leaf(leaf_of(&w, false)?)),
            Some(Tok::Phrase(p)) => Ok(SearchQuery::Leaf(leaf_of(&p, true)?)),
            Some(Tok::Open) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(format!(
                        "the search nests brackets more than {MAX_DEPTH} deep"
                    ));
                }
                let q = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err("a bracket “(” is never closed".into());
                }
                self.pos += 1;
                self.depth -= 1;
                Ok(q)
            }
            Some(Tok::Close) => Err("a bracket “)” closes nothing".into()),
            Some(Tok::And | Tok::Or | Tok::Near(_)) => Err(
                "an operator (AND, OR, NEAR) needs a word on each side".into(),
            ),
            Some(Tok::Not) => Err(
                "NOT needs something before it: write trust NOT power (the passages with trust but without power)"
                    .into(),
            ),
            None => Err("the search ends where a word is missing".into()),
        }
    }
}

impl SearchQuery {
    /// Parses a query; the error says what is wrong in one sentence.
    pub fn parse(input: &str) -> Result<Self, String> {
        let toks = lex(input)?;
        if toks.is_empty() {
            return Err("the search is empty: type a word".into());
        }
        if toks.len() > MAX_TOKENS {
            return Err(format!(
                "the search is too long: at most {MAX_TOKENS} words, operators and brackets"
            ));
        }
        let mut p = Parser {
            toks,
            pos: 0,
            depth: 0,
        };
        let q = p.or()?;
        if p.pos < p.toks.len() {
            return Err(match p.toks[p.pos] {
                Tok::Close => "a bracket “)” closes nothing".into(),
                _ => "the search has something left over at its end".into(),
            });
        }
        Ok(q)
    }

    /// The query in SQLite FTS5's syntax, over index tokens. Brackets only where FTS5's
    /// precedence (NOT, then AND, then OR) needs them, so a long chain stays flat.
    pub fn fts(&self) -> String {
        match self {
            Self::Leaf(l) => l.fts(),
            Self::And(a, b) => format!("{} AND {}", a.fts_at(2), b.fts_at(2)),
            Self::Or(a, b) => format!("{} OR {}", a.fts_at(1), b.fts_at(1)),
            Self::Not(a, b) => format!("{} NOT {}", a.fts_at(4), b.fts_at(4)),
            Self::Near(ls, d) => format!(
                "NEAR({}, {d})",
                ls.iter().map(SearchLeaf::fts).collect::<Vec<_>>().join(" ")
            ),
        }
    }

    /// How tightly the operator binds in FTS5 (leaves and NEAR tightest).
    fn precedence(&self) -> u8 {
        match self {
            Self::Or(..) => 1,
            Self::And(..) => 2,
            Self::Not(..) => 3,
            Self::Leaf(_) | Self::Near(..) => 5,
        }
    }

    /// [`Self::fts`], bracketed when it binds less tightly than `min`.
    fn fts_at(&self, min: u8) -> String {
        if self.precedence() < min {
            format!("({})", self.fts())
        } else {
            self.fts()
        }
    }

    /// The leaves whose occurrences are hits: every leaf not on the right of a NOT.
    pub fn positive_leaves(&self) -> Vec<SearchLeaf> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out.dedup();
        out
    }

    fn collect(&self, out: &mut Vec<SearchLeaf>) {
        match self {
            Self::Leaf(l) => {
                if !out.contains(l) {
                    out.push(l.clone());
                }
            }
            Self::And(a, b) | Self::Or(a, b) => {
                a.collect(out);
                b.collect(out);
            }
            Self::Not(a, _) => a.collect(out),
            Self::Near(ls, _) => {
                for l in ls {
                    if !out.contains(l) {
                        out.push(l.clone());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn leaf(ws: &[&str]) -> SearchQuery {
        SearchQuery::Leaf(SearchLeaf {
            words: ws.iter().map(|s| s.to_string()).collect(),
            prefix: false,
        })
    }

    #[test]
    fn parses_words_phrases_and_operators() {
        let q = SearchQuery::parse("Trust AND (hope OR \"giving, back\") NOT power").unwrap();
        assert_eq!(
            q,
            SearchQuery::Not(
                Box::new(SearchQuery::And(
                    Box::new(leaf(&["trust"])),
                    Box::new(SearchQuery::Or(
                        Box::new(leaf(&["hope"])),
                        Box::new(leaf(&["giving", "back"]))
                    ))
                )),
                Box::new(leaf(&["power"]))
            )
        );
        assert_eq!(
            q.positive_leaves().len(),
            3,
            "power is under NOT: not a hit"
        );
        let implicit = SearchQuery::parse("trust power").unwrap();
        assert_eq!(
            implicit,
            SearchQuery::And(Box::new(leaf(&["trust"])), Box::new(leaf(&["power"])))
        );
        let or = SearchQuery::parse("a OR b c").unwrap();
        assert!(matches!(or, SearchQuery::Or(_, _)), "AND binds tighter");
    }

    #[test]
    fn near_prefix_and_folding() {
        let q = SearchQuery::parse("Café NEAR/3 recover*").unwrap();
        let SearchQuery::Near(ls, 3) = &q else {
            panic!("{q:?}")
        };
        assert_eq!(ls[0].words, ["cafe"]);
        assert!(ls[1].prefix);
        assert_eq!(q.fts(), "NEAR(\"cafe\" \"recover\" *, 3)");
        assert!(SearchQuery::parse("a NEAR b").is_ok());
    }

    #[test]
    fn errors_are_sentences() {
        for bad in [
            "",
            "   ",
            "NOT trust",
            "trust AND",
            "(trust",
            "trust)",
            "\"open",
            "🙂",
            "a NEAR (b OR c)",
            "NEAR/x",
            "a NEAR/2 b NEAR/3 c",
            "tr*st",
            "OR",
            &"(".repeat(100_000),
            &format!("{}trust{}", "(".repeat(60), ")".repeat(60)),
            &vec!["trust"; 2000].join(" OR "),
        ] {
            let e = SearchQuery::parse(bad).unwrap_err();
            assert!(!e.is_empty(), "{bad}");
        }
    }

    #[test]
    fn units_are_turn_bodies_and_paragraphs() {
        let text = "Header line\n\nP01: I trust you.\nI: Why?\n";
        let turns = vec![
            Turn {
                start: 13,
                body_start: 18,
                end: 31,
                speaker: "P01".into(),
                timestamp: None,
            },
            Turn {
                start: 31,
                body_start: 34,
                end: 39,
                speaker: "I".into(),
                timestamp: None,
            },
        ];
        let u = units_of(text, &turns);
        assert_eq!(
            u,
            vec![
                (0, 11, None),
                (18, 30, Some("P01".into())),
                (34, 38, Some("I".into()))
            ]
        );
        assert_eq!(units_of("one\ntwo", &[]), vec![(0, 3, None), (4, 7, None)]);
        assert_eq!(
            units_of("one\ntwo\n\nthree", &[]),
            vec![(0, 7, None), (9, 14, None)]
        );
        assert!(units_of("", &[]).is_empty());
    }

    proptest! {
        #[test]
        fn any_input_parses_or_errs(s in "\\PC{0,40}") {
            let _ = SearchQuery::parse(&s);
        }

        #[test]
        fn units_stay_inside_the_text(s in "[a-c \n]{0,40}") {
            let n = s.chars().count();
            for (a, b, _) in units_of(&s, &[]) {
                prop_assert!(a < b && b <= n);
            }
        }
    }
}
