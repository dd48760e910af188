//! Coding queries: which passages satisfy a Boolean combination of codes, such as
//! `Trust AND Power`, `("Giving back" OR Reciprocity) NOT Conflict` or `Trust NEAR/200 Power`.
//!
//! A query is parsed ([`parse`]) into an [`Expr`] and evaluated ([`evaluate`]) document by
//! document with interval arithmetic on half-open char ranges:
//!
//! - a code stands for the union of its codings (with `subcodes`, of its sub-codes' codings
//!   too), merged where they overlap or touch;
//! - `A AND B` is the intersection, `A OR B` the union (merged where passages overlap or
//!   touch), `A NOT B` (the same as `A AND NOT B`) the difference, and `NOT A` alone the rest
//!   of each document's text;
//! - `A NEAR/N B` keeps, for every passage of A and passage of B whose gap is at most N chars,
//!   the span from the start of the first to the end of the second, merged. The gap between
//!   `[s1, e1)` and `[s2, e2)` is `s2 - e1` when the first ends before the second starts (so
//!   `[0,5)` and `[5,9)` have gap 0), and 0 when they overlap. A "passage" here is a maximal
//!   run of the operand's result (overlapping codings of a code count as one passage).
//!
//! Precedence, tightest first: `NOT`, then `AND` and `NEAR/N` (left to right), then `OR`.
//! Parentheses group. Operators are written in any letter case; a code whose name has spaces,
//! parentheses or is an operator word is written in double quotes. Codes are named by path
//! (`Parent/Child`) or by name alone where only one code has that name.

use std::collections::{BTreeMap, HashMap};

use crate::model::{CodeId, CodeTree, CodingSpan, DocId, ProjectRead, ReadError};
use crate::text::CharIndex;

/// What a query can say, with the precedence in [`parse`]'s grammar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A code, by path or name as written.
    Code(String),
    /// The text outside the operand's passages.
    Not(Box<Expr>),
    /// Where both hold.
    And(Box<Expr>, Box<Expr>),
    /// Where either holds.
    Or(Box<Expr>, Box<Expr>),
    /// Passages of either close to (gap at most the distance in chars) a passage of the other.
    Near(Box<Expr>, Box<Expr>, usize),
}

impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expr::Code(name) => {
                if is_bare_word(name) {
                    write!(f, "{name}")
                } else {
                    write!(f, "\"{name}\"")
                }
            }
            Expr::Not(e) => write!(f, "NOT {}", Paren(e)),
            Expr::And(a, b) => write!(f, "({a} AND {b})"),
            Expr::Or(a, b) => write!(f, "({a} OR {b})"),
            Expr::Near(a, b, n) => write!(f, "({a} NEAR/{n} {b})"),
        }
    }
}

struct Paren<'a>(&'a Expr);

impl std::fmt::Display for Paren<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Expr::Code(_) | Expr::Not(_) => write!(f, "{}", self.0),
            e => write!(f, "{e}"),
        }
    }
}

fn is_bare_word(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '(' | ')' | '"' | '“' | '”'))
        && operator(name).is_none()
}

/// Why a query could not be run.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The query is not well formed.
    #[error("the query cannot be read: {0}")]
    Syntax(String),
    /// A name matches no code.
    #[error("there is no code “{name}”{}", suggest(.candidates))]
    UnknownCode {
        /// The name as written.
        name: String,
        /// Paths of codes with a similar name.
        candidates: Vec<String>,
    },
    /// A name matches several codes.
    #[error("“{name}” names {} codes: write one of {} in full", .paths.len(), quoted(.paths))]
    Ambiguous {
        /// The name as written.
        name: String,
        /// The paths of the codes with that name.
        paths: Vec<String>,
    },
    /// The project could not be read.
    #[error("could not read the project to run the query: {0}")]
    Read(#[from] ReadError),
}

fn quoted(paths: &[String]) -> String {
    paths
        .iter()
        .map(|p| format!("“{p}”"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn suggest(candidates: &[String]) -> String {
    if candidates.is_empty() {
        " (`weft code list` lists the codes)".to_owned()
    } else {
        format!("; did you mean {}?", quoted(candidates))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    And,
    Or,
    Not,
    Near(usize),
    Open,
    Close,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Word(w) => format!("“{w}”"),
            Token::Quoted(w) => format!("“\"{w}\"”"),
            Token::And => "AND".into(),
            Token::Or => "OR".into(),
            Token::Not => "NOT".into(),
            Token::Near(n) => format!("NEAR/{n}"),
            Token::Open => "“(”".into(),
            Token::Close => "“)”".into(),
        }
    }
}

/// The operator a bare word is, if any; `Err` for a `NEAR` without a usable distance.
fn operator(word: &str) -> Option<Result<Token, String>> {
    let upper = word.to_uppercase();
    match upper.as_str() {
        "AND" => return Some(Ok(Token::And)),
        "OR" => return Some(Ok(Token::Or)),
        "NOT" => return Some(Ok(Token::Not)),
        "NEAR" => {
            return Some(Err(
                "NEAR needs a distance in characters, such as NEAR/50".into()
            ));
        }
        _ => {}
    }
    let rest = upper.strip_prefix("NEAR/")?;
    Some(match rest.parse::<usize>() {
        Ok(n) if rest.chars().all(|c| c.is_ascii_digit()) => Ok(Token::Near(n)),
        _ => Err(format!(
            "“{word}” should be NEAR/ followed by a whole number of characters, such as NEAR/50"
        )),
    })
}

fn tokenize(text: &str) -> Result<Vec<Token>, QueryError> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '(' {
            chars.next();
            tokens.push(Token::Open);
        } else if c == ')' {
            chars.next();
            tokens.push(Token::Close);
        } else if c == '"' || c == '“' || c == '”' {
            chars.next();
            let mut name = String::new();
            let mut closed = false;
            for c in chars.by_ref() {
                if c == '"' || c == '”' || c == '“' {
                    closed = true;
                    break;
                }
                name.push(c);
            }
            if !closed {
                return Err(QueryError::Syntax(format!(
                    "the quote before “{name}” is never closed: end the code's name with \""
                )));
            }
            if name.trim().is_empty() {
                return Err(QueryError::Syntax(
                    "\"\" names no code: put a code's name between the quotes".into(),
                ));
            }
            tokens.push(Token::Quoted(name.trim().to_owned()));
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || matches!(c, '(' | ')' | '"' | '“' | '”') {
                    break;
                }
                word.push(c);
                chars.next();
            }
            match operator(&word) {
                Some(Ok(t)) => tokens.push(t),
                Some(Err(msg)) => return Err(QueryError::Syntax(msg)),
                None => tokens.push(Token::Word(word)),
            }
        }
    }
    Ok(tokens)
}

/// Deepest nesting of parentheses and `NOT`s accepted (keeps a hostile query from
/// overflowing the stack).
const MAX_DEPTH: usize = 200;

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn deeper(&mut self) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(QueryError::Syntax(format!(
                "the query nests more than {MAX_DEPTH} levels deep"
            )));
        }
        Ok(())
    }

    /// `or := and (OR and)*`
    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.pos += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    /// `and := unary ((AND | NEAR/N | NOT) unary)*`, where `A NOT B` means `A AND NOT B`.
    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.unary()?;
        loop {
            match self.peek().cloned() {
                Some(Token::And) => {
                    self.pos += 1;
                    let right = self.unary()?;
                    left = Expr::And(Box::new(left), Box::new(right));
                }
                Some(Token::Near(n)) => {
                    self.pos += 1;
                    let right = self.unary()?;
                    left = Expr::Near(Box::new(left), Box::new(right), n);
                }
                Some(Token::Not) => {
                    // `A NOT B`: the NOT is parsed as the right operand's own.
                    let right = self.unary()?;
                    left = Expr::And(Box::new(left), Box::new(right));
                }
                Some(t @ (Token::Word(_) | Token::Quoted(_) | Token::Open)) => {
                    let before = self.tokens.get(self.pos.wrapping_sub(1));
                    return Err(QueryError::Syntax(match (before, &t) {
                        (Some(Token::Word(a)), Token::Word(b)) => format!(
                            "“{a}” and “{b}” follow each other without AND, OR, NOT or NEAR/N \
                             between them; write a code whose name has spaces in double quotes \
                             (\"{a} {b}\")"
                        ),
                        _ => format!(
                            "{} follows a code without AND, OR, NOT or NEAR/N before it",
                            t.describe()
                        ),
                    }));
                }
                _ => return Ok(left),
            }
        }
    }

    /// `unary := NOT unary | "(" or ")" | code`
    fn unary(&mut self) -> Result<Expr, QueryError> {
        match self.peek().cloned() {
            Some(Token::Not) => {
                self.pos += 1;
                self.deeper()?;
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(Expr::Not(Box::new(inner)))
            }
            Some(Token::Open) => {
                self.pos += 1;
                self.deeper()?;
                if self.peek() == Some(&Token::Close) {
                    return Err(QueryError::Syntax(
                        "“()” holds nothing: put codes between the parentheses".into(),
                    ));
                }
                let inner = self.or()?;
                self.depth -= 1;
                match self.peek() {
                    Some(Token::Close) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => Err(QueryError::Syntax(
                        "a “(” is never closed: add the matching “)”".into(),
                    )),
                }
            }
            Some(Token::Word(w) | Token::Quoted(w)) => {
                self.pos += 1;
                Ok(Expr::Code(w))
            }
            Some(t) => {
                let after = match self.pos.checked_sub(1).and_then(|i| self.tokens.get(i)) {
                    Some(b) => format!("after {}", b.describe()),
                    None => "at the start".into(),
                };
                Err(QueryError::Syntax(format!(
                    "a code is missing {after}: {} cannot stand there",
                    t.describe()
                )))
            }
            None => Err(QueryError::Syntax(match self.tokens.last() {
                Some(t) => format!("the query ends after {}: a code is missing", t.describe()),
                None => "the query is empty: write codes joined by AND, OR, NOT or NEAR/N".into(),
            })),
        }
    }
}

/// Parses a query. Precedence, tightest first: `NOT`, then `AND` and `NEAR/N` (left to
/// right), then `OR`; parentheses group; `A NOT B` means `A AND NOT B`. A malformed query is
/// an error saying what is wrong, never a panic.
pub fn parse(text: &str) -> Result<Expr, QueryError> {
    let tokens = tokenize(text)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let expr = p.or()?;
    match p.peek() {
        None => Ok(expr),
        Some(Token::Close) => Err(QueryError::Syntax(
            "a “)” closes nothing: remove it or add the matching “(”".into(),
        )),
        Some(t) => Err(QueryError::Syntax(format!(
            "{} cannot follow what comes before it",
            t.describe()
        ))),
    }
}

/// Disjoint, sorted, non-touching ranges of one document.
type Ranges = Vec<(usize, usize)>;

/// A query's passages: per document (only documents with any), disjoint sorted ranges.
pub type Passages = BTreeMap<DocId, Ranges>;

/// One passage of a query's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Passage {
    /// Its document.
    pub doc: DocId,
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
}

/// What a query is evaluated on: the codebook, every coding's numbers, and each document's
/// length (for `NOT`). Built once ([`Corpus::load`]) and queried many times.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// The codebook.
    pub tree: CodeTree,
    /// Codings by code: per document, the union of the code's own codings.
    by_code: HashMap<CodeId, Passages>,
    /// Each document's length in chars, in display order.
    pub lengths: Vec<(DocId, usize)>,
}

impl Corpus {
    /// Reads what queries need from the project.
    pub fn load(read: impl ProjectRead) -> Result<Self, QueryError> {
        let tree = read.code_tree()?;
        let spans = read.coding_spans()?;
        let lengths = read
            .documents()?
            .into_iter()
            .map(|d| (d.id, d.char_len))
            .collect();
        Ok(Self::new(tree, &spans, lengths))
    }

    /// A corpus from parts (tests, benchmarks).
    pub fn new(tree: CodeTree, spans: &[CodingSpan], lengths: Vec<(DocId, usize)>) -> Self {
        let mut by_code: HashMap<CodeId, Passages> = HashMap::new();
        for s in spans {
            by_code
                .entry(s.code)
                .or_default()
                .entry(s.doc)
                .or_default()
                .push((s.start, s.end));
        }
        for docs in by_code.values_mut() {
            for ranges in docs.values_mut() {
                normalize(ranges);
            }
            docs.retain(|_, r| !r.is_empty());
        }
        Self {
            tree,
            by_code,
            lengths,
        }
    }

    /// The code a name means: a path (`Parent/Child`), else the one code with that name
    /// (exactly, then ignoring letter case).
    pub fn resolve(&self, name: &str) -> Result<CodeId, QueryError> {
        if let Some(id) = self.tree.find_path(name) {
            return Ok(id);
        }
        let name = name.trim();
        let leaf = crate::model::split_path(name).last().unwrap_or(name);
        let exact: Vec<CodeId> = if name.contains('/') {
            Vec::new()
        } else {
            self.tree
                .codes
                .iter()
                .filter(|c| c.name == name)
                .map(|c| c.id)
                .collect()
        };
        let matches = if exact.is_empty() && !name.contains('/') {
            self.tree
                .codes
                .iter()
                .filter(|c| c.name.to_lowercase() == name.to_lowercase())
                .map(|c| c.id)
                .collect()
        } else {
            exact
        };
        match matches.as_slice() {
            [one] => Ok(*one),
            [] => {
                let want = leaf.to_lowercase();
                let mut candidates: Vec<String> = self
                    .tree
                    .codes
                    .iter()
                    .filter(|c| {
                        let n = c.name.to_lowercase();
                        !want.is_empty() && (n.contains(&want) || want.contains(&n))
                    })
                    .map(|c| self.tree.path(c.id))
                    .collect();
                candidates.truncate(5);
                Err(QueryError::UnknownCode {
                    name: name.to_owned(),
                    candidates,
                })
            }
            many => Err(QueryError::Ambiguous {
                name: name.to_owned(),
                paths: many.iter().map(|id| self.tree.path(*id)).collect(),
            }),
        }
    }

    /// Checks every code the query names, so a mistake is reported before any work.
    pub fn check(&self, expr: &Expr) -> Result<(), QueryError> {
        match expr {
            Expr::Code(name) => self.resolve(name).map(|_| ()),
            Expr::Not(e) => self.check(e),
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Near(a, b, _) => {
                self.check(a)?;
                self.check(b)
            }
        }
    }

    /// The passages that satisfy `expr`; `subcodes` makes each code stand for its sub-codes'
    /// codings too.
    pub fn evaluate(&self, expr: &Expr, subcodes: bool) -> Result<Passages, QueryError> {
        self.check(expr)?;
        Ok(self.eval(expr, subcodes))
    }

    /// The passages of a result in the documents' display order, then by position.
    pub fn in_order(&self, passages: &Passages) -> Vec<Passage> {
        let mut out = Vec::with_capacity(passages.values().map(Vec::len).sum());
        let mut seen = std::collections::HashSet::new();
        let order = self
            .lengths
            .iter()
            .map(|(d, _)| *d)
            .chain(passages.keys().copied());
        for doc in order {
            if !seen.insert(doc) {
                continue;
            }
            for &(start, end) in passages.get(&doc).into_iter().flatten() {
                out.push(Passage { doc, start, end });
            }
        }
        out
    }

    fn code(&self, name: &str, subcodes: bool) -> Passages {
        let Ok(id) = self.resolve(name) else {
            return Passages::new();
        };
        let ids = if subcodes {
            self.tree.subtree(id)
        } else {
            vec![id]
        };
        let mut out = Passages::new();
        for id in ids {
            for (doc, ranges) in self.by_code.get(&id).into_iter().flatten() {
                out.entry(*doc).or_default().extend_from_slice(ranges);
            }
        }
        if subcodes {
            for r in out.values_mut() {
                normalize(r);
            }
        }
        out
    }

    fn eval(&self, expr: &Expr, subcodes: bool) -> Passages {
        match expr {
            Expr::Code(name) => self.code(name, subcodes),
            Expr::Not(e) => {
                let inner = self.eval(e, subcodes);
                let mut out = Passages::new();
                for &(doc, len) in &self.lengths {
                    let whole = [(0, len)];
                    let r = difference(&whole, inner.get(&doc).map_or(&[], Vec::as_slice));
                    if !r.is_empty() {
                        out.insert(doc, r);
                    }
                }
                out
            }
            Expr::And(a, b) => {
                let left = self.eval(a, subcodes);
                if let Expr::Not(inner) = b.as_ref() {
                    let right = self.eval(inner, subcodes);
                    return per_doc_left(left, |doc, l| {
                        difference(l, right.get(&doc).map_or(&[], Vec::as_slice))
                    });
                }
                let right = self.eval(b, subcodes);
                per_doc_left(left, |doc, l| {
                    right
                        .get(&doc)
                        .map_or_else(Vec::new, |r| intersection(l, r))
                })
            }
            Expr::Or(a, b) => {
                let mut left = self.eval(a, subcodes);
                for (doc, r) in self.eval(b, subcodes) {
                    let l = left.entry(doc).or_default();
                    l.extend(r);
                    normalize(l);
                }
                left
            }
            Expr::Near(a, b, n) => {
                let left = self.eval(a, subcodes);
                let right = self.eval(b, subcodes);
                per_doc_left(left, |doc, l| {
                    right.get(&doc).map_or_else(Vec::new, |r| near(l, r, *n))
                })
            }
        }
    }
}

fn per_doc_left(left: Passages, mut f: impl FnMut(DocId, &[(usize, usize)]) -> Ranges) -> Passages {
    left.into_iter()
        .filter_map(|(doc, l)| {
            let r = f(doc, &l);
            (!r.is_empty()).then_some((doc, r))
        })
        .collect()
}

/// Sorts and merges ranges where they overlap or touch, dropping empty ones.
pub fn normalize(ranges: &mut Ranges) {
    super::kernels::union(ranges);
}

/// The intersection of two normalized range lists.
pub fn intersection(a: &[(usize, usize)], b: &[(usize, usize)]) -> Ranges {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        let s = a[i].0.max(b[j].0);
        let e = a[i].1.min(b[j].1);
        if s < e {
            out.push((s, e));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// `a` without `b` (both normalized).
pub fn difference(a: &[(usize, usize)], b: &[(usize, usize)]) -> Ranges {
    let mut out = Vec::new();
    let mut j = 0;
    for &(s, e) in a {
        let mut cur = s;
        while j < b.len() && b[j].1 <= cur {
            j += 1;
        }
        let mut k = j;
        while k < b.len() && b[k].0 < e {
            if b[k].0 > cur {
                out.push((cur, b[k].0));
            }
            cur = cur.max(b[k].1);
            k += 1;
        }
        if cur < e {
            out.push((cur, e));
        }
    }
    out
}

/// The gap in chars between two ranges: 0 when they overlap or touch.
pub fn gap(a: (usize, usize), b: (usize, usize)) -> usize {
    if a.1 <= b.0 {
        b.0 - a.1
    } else {
        // Zero when they overlap.
        a.0.saturating_sub(b.1)
    }
}

/// `NEAR/n` on two normalized lists: for each pair with a gap of at most `n`, the span from
/// the first's start to the second's end; the union of those spans.
pub fn near(a: &[(usize, usize)], b: &[(usize, usize)], n: usize) -> Ranges {
    let mut out = Vec::new();
    for &(s, e) in a {
        // Passages of b are disjoint and sorted, so their ends are sorted too.
        let first = b.partition_point(|&(_, be)| be.saturating_add(n) < s);
        let close = b[first..]
            .iter()
            .take_while(|&&(bs, _)| bs <= e.saturating_add(n));
        let mut span: Option<(usize, usize)> = None;
        for &(bs, be) in close {
            if gap((s, e), (bs, be)) <= n {
                let (ss, se) = span.unwrap_or((s, e));
                span = Some((ss.min(bs), se.max(be)));
            }
        }
        if let Some(sp) = span {
            out.push(sp);
        }
    }
    normalize(&mut out);
    out
}

/// Evaluates a parsed query on the project: the passages, in the documents' display order
/// and by position.
pub fn evaluate(
    read: impl ProjectRead,
    expr: &Expr,
    subcodes: bool,
) -> Result<Vec<Passage>, QueryError> {
    let corpus = Corpus::load(read)?;
    Ok(corpus.in_order(&corpus.evaluate(expr, subcodes)?))
}

/// The passages of a result, by document id and position.
pub fn flatten(passages: &Passages) -> Vec<Passage> {
    passages
        .iter()
        .flat_map(|(doc, r)| {
            r.iter().map(|&(start, end)| Passage {
                doc: *doc,
                start,
                end,
            })
        })
        .collect()
}

/// A passage with what a reader needs to see it: its document's name, its text, and the
/// speakers, first timestamp and cases of the turns it overlaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownPassage {
    /// The passage.
    pub passage: Passage,
    /// Its document's name.
    pub document: String,
    /// Its text.
    pub text: String,
    /// Speakers of the turns it overlaps, `; `-separated.
    pub speaker: String,
    /// The first timestamp of the turns it overlaps, else empty.
    pub timestamp: String,
    /// The cases of its document, `; `-separated.
    pub case: String,
}

/// The passages with their texts, reading each document once.
pub fn show(read: impl ProjectRead, passages: &[Passage]) -> Result<Vec<ShownPassage>, QueryError> {
    let names: HashMap<DocId, String> = read
        .documents()?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let links = read.case_links()?;
    let mut out = Vec::with_capacity(passages.len());
    let mut current: Option<(DocId, String, CharIndex, Vec<crate::model::Turn>, String)> = None;
    for p in passages {
        if current.as_ref().is_none_or(|c| c.0 != p.doc) {
            let text = read.document_text(p.doc)?;
            let index = CharIndex::new(&text);
            let mut cases: Vec<&str> = links
                .doc_cases
                .get(&p.doc)
                .into_iter()
                .flatten()
                .filter_map(|c| links.case_names.get(c).map(String::as_str))
                .collect();
            cases.sort_unstable();
            let cases = cases.join("; ");
            current = Some((p.doc, text, index, read.turns(p.doc)?, cases));
        }
        let Some((_, text, index, turns, cases)) = current.as_ref() else {
            continue;
        };
        out.push(ShownPassage {
            passage: *p,
            document: names.get(&p.doc).cloned().unwrap_or_default(),
            text: index
                .slice(text, p.start, p.end)
                .unwrap_or_default()
                .to_owned(),
            speaker: super::kernels::speakers_of(turns, p.start, p.end).join("; "),
            timestamp: super::kernels::overlapping_turns(turns, p.start, p.end)
                .iter()
                .find_map(|t| t.timestamp.clone())
                .unwrap_or_default(),
            case: cases.clone(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> Box<Expr> {
        Box::new(Expr::Code(s.into()))
    }

    #[test]
    fn precedence_not_then_and_near_then_or() {
        assert_eq!(
            parse("A OR B AND NOT C").unwrap(),
            Expr::Or(
                code("A"),
                Box::new(Expr::And(code("B"), Box::new(Expr::Not(code("C")))))
            )
        );
        assert_eq!(
            parse("NOT A AND B").unwrap(),
            Expr::And(Box::new(Expr::Not(code("A"))), code("B"))
        );
        assert_eq!(
            parse("A NEAR/5 B OR C").unwrap(),
            Expr::Or(Box::new(Expr::Near(code("A"), code("B"), 5)), code("C"))
        );
        assert_eq!(
            parse("A NOT B").unwrap(),
            Expr::And(code("A"), Box::new(Expr::Not(code("B"))))
        );
        assert_eq!(
            parse("(A OR B) and c").unwrap(),
            Expr::And(Box::new(Expr::Or(code("A"), code("B"))), code("c"))
        );
        assert_eq!(
            parse("\"Giving back\" AND Parent/Child").unwrap(),
            Expr::And(code("Giving back"), code("Parent/Child"))
        );
        assert_eq!(
            parse("“Giving back” near/0 \"AND\"").unwrap(),
            Expr::Near(code("Giving back"), code("AND"), 0)
        );
    }

    #[test]
    fn malformed_queries_say_what_is_wrong() {
        for (q, says) in [
            ("", "empty"),
            ("   ", "empty"),
            ("Trust AND", "ends after AND"),
            ("AND Trust", "at the start"),
            ("(Trust OR Power", "never closed"),
            ("Trust)", "closes nothing"),
            ("Giving back", "double quotes"),
            ("\"Giving back", "never closed"),
            ("Trust NEAR Power", "NEAR/50"),
            ("Trust NEAR/x Power", "whole number"),
            ("Trust NEAR/99999999999999999999999 Power", "whole number"),
            ("()", "holds nothing"),
            ("Trust OR OR Power", "after OR"),
            ("\"\"", "names no code"),
            ("Trust (Power)", "without AND"),
        ] {
            let err = parse(q).unwrap_err().to_string();
            assert!(err.contains(says), "{q:?}: {err}");
        }
        let deep = format!("{}A{}", "(".repeat(5000), ")".repeat(5000));
        assert!(
            parse(&deep)
                .unwrap_err()
                .to_string()
                .contains("levels deep")
        );
        let nots = format!("{}A", "NOT ".repeat(5000));
        assert!(parse(&nots).is_err());
    }

    #[test]
    fn display_round_trips() {
        for q in [
            "A OR B AND NOT C",
            "\"Giving back\" NEAR/3 (x OR NOT y)",
            "NOT NOT a",
        ] {
            let e = parse(q).unwrap();
            assert_eq!(parse(&e.to_string()).unwrap(), e, "{q}");
        }
    }

    #[test]
    fn interval_arithmetic() {
        let a = [(0, 5), (10, 20)];
        let b = [(3, 12), (20, 25)];
        assert_eq!(intersection(&a, &b), vec![(3, 5), (10, 12)]);
        assert_eq!(difference(&a, &b), vec![(0, 3), (12, 20)]);
        assert_eq!(difference(&[(0, 30)], &a), vec![(5, 10), (20, 30)]);
        assert_eq!(intersection(&[(0, 5)], &[(5, 9)]), vec![]);
        assert_eq!(near(&[(0, 5)], &[(5, 9)], 0), vec![(0, 9)]);
        assert_eq!(near(&[(0, 5)], &[(8, 9)], 2), vec![]);
        assert_eq!(near(&[(0, 5)], &[(8, 9)], 3), vec![(0, 9)]);
        assert_eq!(near(&[(10, 12)], &[(0, 2), (20, 22)], 8), vec![(0, 22)]);
        assert_eq!(gap((0, 5), (3, 4)), 0);
    }

    proptest::proptest! {
        #[test]
        fn random_strings_never_panic(s in "\\PC{0,40}") {
            let _ = parse(&s);
        }

        #[test]
        fn random_operator_soup_never_panics(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("AND"), proptest::strategy::Just("OR"),
                    proptest::strategy::Just("NOT"), proptest::strategy::Just("NEAR/3"),
                    proptest::strategy::Just("("), proptest::strategy::Just(")"),
                    proptest::strategy::Just("\""), proptest::strategy::Just("A"),
                    proptest::strategy::Just("B c"),
                ],
                0..12,
            )
        ) {
            let q = parts.join(" ");
            if let Ok(e) = parse(&q) {
                proptest::prop_assert_eq!(parse(&e.to_string()).unwrap(), e);
            }
        }
    }
}
