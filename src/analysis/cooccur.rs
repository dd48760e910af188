//! Co-occurrence of codes: which codes are applied together, as two code × code matrices.
//!
//! Two codings co-occur when they are in the same document and
//!
//! - [`Mode::Overlap`]: they share at least one character (`[0,5)` and `[5,9)` do not);
//! - [`Mode::Turn`]: they touch the same speaker turn (share at least one of its characters).
//!   In a document without speaker turns, its paragraphs stand for the turns: each line
//!   holding any text is one paragraph (a line break, or a blank line, ends it);
//! - [`Mode::Distance`]: the gap between them is at most N characters (`[0,5)` and `[7,9)`
//!   have a gap of 2; overlapping or touching codings have a gap of 0).
//!
//! A coding never co-occurs with itself. In the **segments** matrix, cell (A, B) is the number
//! of codings of A that co-occur with at least one coding of B, so the matrix need not be
//! symmetric; its diagonal is A's number of codings. In the **documents** matrix, cell (A, B)
//! is the number of documents in which a coding of A co-occurs with one of B; its diagonal is
//! the number of documents that have A. With `aggregate`, each code counts with its
//! sub-codes' codings (as the frequency report's "with sub-codes" numbers).
//!
//! Each document is swept once in order of start, keeping only the codings still close enough
//! to the current one, so the cost grows with the codings that really are close, not with all
//! pairs of a document.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::Result;
use crate::model::{CodeId, CodeTree, CodingId, CodingSpan, DocId, ProjectRead};

/// When two codings co-occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// They share at least one character.
    #[default]
    Overlap,
    /// They touch the same speaker turn (paragraph in a document without turns).
    Turn,
    /// The gap between them is at most this many characters.
    Distance(usize),
}

impl Mode {
    /// The mode's name on the command line and in files: `overlap`, `turn`, `distance`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Overlap => "overlap",
            Mode::Turn => "turn",
            Mode::Distance(_) => "distance",
        }
    }

    /// What "co-occur" means in this mode, as a phrase ending a sentence.
    pub fn meaning(self) -> String {
        match self {
            Mode::Overlap => "share at least one character".into(),
            Mode::Turn => "touch the same speaker turn (or paragraph, where a document has no \
                           turns)"
                .into(),
            Mode::Distance(n) => format!("lie within {n} characters of each other"),
        }
    }
}

/// What to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// When two codings co-occur.
    pub mode: Mode,
    /// Each code counts with its sub-codes' codings.
    pub aggregate: bool,
}

/// The two matrices, rows and columns in codebook order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cooccurrence {
    /// What was counted.
    pub options: Options,
    /// The codes of the rows and columns.
    pub codes: Vec<CodeId>,
    /// Their `Parent/Child` paths.
    pub paths: Vec<String>,
    /// Cell (A, B): codings of A that co-occur with at least one coding of B; the diagonal,
    /// A's codings.
    pub segments: Vec<Vec<usize>>,
    /// Cell (A, B): documents in which a coding of A co-occurs with one of B; the diagonal,
    /// documents that have A.
    pub documents: Vec<Vec<usize>>,
}

/// The regions that stand for turns in [`Mode::Turn`]: per document, sorted disjoint char
/// ranges.
pub type Regions = HashMap<DocId, Vec<(usize, usize)>>;

/// A coding as one code's row sees it (a coding of a sub-code is an item of each ancestor's
/// row too, with `aggregate`).
#[derive(Debug, Clone, Copy)]
struct Item {
    row: usize,
    coding: CodingId,
    /// Where the sweep places it: chars, or turn numbers `[first, last + 1)` in turn mode.
    start: usize,
    end: usize,
    /// Takes part in the sweep (an empty coding, or one outside every turn, co-occurs with
    /// nothing but still counts on the diagonal).
    live: bool,
}

/// The items of each document.
fn items_by_doc(
    tree: &CodeTree,
    spans: &[CodingSpan],
    regions: &Regions,
    options: Options,
) -> BTreeMap<DocId, Vec<Item>> {
    let mut out: BTreeMap<DocId, Vec<Item>> = BTreeMap::new();
    let mut rows_of: HashMap<CodeId, Vec<usize>> = HashMap::new();
    for s in spans {
        let rows = rows_of.entry(s.code).or_insert_with(|| {
            if options.aggregate {
                let mut rows = Vec::new();
                let mut cur = Some(s.code);
                while let Some(c) = cur {
                    if rows.len() > tree.codes.len() {
                        break;
                    }
                    if let Some(p) = tree.position(c) {
                        rows.push(p);
                    }
                    cur = tree.get(c).and_then(|code| code.parent);
                }
                rows
            } else {
                tree.position(s.code).into_iter().collect()
            }
        });
        if rows.is_empty() {
            continue;
        }
        let (start, end, live) = match options.mode {
            Mode::Overlap => (s.start, s.end, s.start < s.end),
            Mode::Distance(_) => (s.start, s.end, s.start <= s.end),
            Mode::Turn => {
                let r = regions.get(&s.doc).map_or(&[][..], Vec::as_slice);
                let first = r.partition_point(|&(_, e)| e <= s.start);
                let last = r.partition_point(|&(b, _)| b < s.end);
                (first, last, s.start < s.end && first < last)
            }
        };
        let items = out.entry(s.doc).or_default();
        for &row in rows.iter() {
            items.push(Item {
                row,
                coding: s.id,
                start,
                end,
                live,
            });
        }
    }
    out
}

/// Calls `f(y, x)` with the places in `items` of every pair of live items of one document
/// that co-occur (each pair once, never two items of the same coding). `items` must be sorted
/// by start ([`sort`]).
fn sweep(items: &[Item], mode: Mode, mut f: impl FnMut(usize, usize)) {
    // y (started no later than x) is close to x when y.end + slack > x.start.
    let slack = match mode {
        Mode::Overlap | Mode::Turn => 0,
        Mode::Distance(n) => n.saturating_add(1),
    };
    let mut active: Vec<usize> = Vec::new();
    for (x, item) in items.iter().enumerate() {
        if !item.live {
            continue;
        }
        active.retain(|&y| items[y].end.saturating_add(slack) > item.start);
        for &y in &active {
            if items[y].coding != item.coding {
                f(y, x);
            }
        }
        active.push(x);
    }
}

/// Sorts a document's items by start, as [`sweep`] needs.
fn sort(items: &mut [Item]) {
    items.sort_unstable_by_key(|it| (it.start, it.end, it.coding, it.row));
}

/// The two matrices from parts: the codebook, every coding, and (for [`Mode::Turn`]) each
/// document's turns or paragraphs. What a benchmark calls.
pub fn compute(
    tree: &CodeTree,
    spans: &[CodingSpan],
    regions: &Regions,
    options: Options,
) -> Cooccurrence {
    let n = tree.codes.len();
    let words = n.div_ceil(64).max(1);
    let mut segments = vec![vec![0usize; n]; n];
    let mut documents = vec![vec![0usize; n]; n];
    let mut own = vec![0usize; n];
    let mut docs_with = vec![0usize; n];
    let mut bits: Vec<u64> = Vec::new();
    let mut doc_bits: Vec<u64> = vec![0; n * words];
    let mut has = vec![false; n];
    for (_, mut items) in items_by_doc(tree, spans, regions, options) {
        sort(&mut items);
        bits.clear();
        bits.resize(items.len() * words, 0);
        sweep(&items, options.mode, |y, x| {
            let (ry, rx) = (items[y].row, items[x].row);
            bits[y * words + rx / 64] |= 1 << (rx % 64);
            bits[x * words + ry / 64] |= 1 << (ry % 64);
        });
        has.iter_mut().for_each(|h| *h = false);
        doc_bits.iter_mut().for_each(|b| *b = 0);
        for (i, it) in items.iter().enumerate() {
            let row = it.row;
            own[row] += 1;
            has[row] = true;
            let mine = &bits[i * words..(i + 1) * words];
            for (w, &word) in mine.iter().enumerate() {
                doc_bits[row * words + w] |= word;
                let mut word = word;
                while word != 0 {
                    let b = w * 64 + word.trailing_zeros() as usize;
                    word &= word - 1;
                    if b != row {
                        segments[row][b] += 1;
                    }
                }
            }
        }
        for row in 0..n {
            if !has[row] {
                continue;
            }
            docs_with[row] += 1;
            for w in 0..words {
                let mut word = doc_bits[row * words + w];
                while word != 0 {
                    let b = w * 64 + word.trailing_zeros() as usize;
                    word &= word - 1;
                    if b != row {
                        documents[row][b] += 1;
                    }
                }
            }
        }
    }
    for i in 0..n {
        segments[i][i] = own[i];
        documents[i][i] = docs_with[i];
    }
    Cooccurrence {
        options,
        codes: tree.codes.iter().map(|c| c.id).collect(),
        paths: tree.codes.iter().map(|c| tree.path(c.id)).collect(),
        segments,
        documents,
    }
}

/// The codings of `a` that co-occur with at least one coding of `b` (what cell (a, b) of the
/// segments matrix counts), by document and position. For `a == b`, every coding of `a`
/// (what the diagonal counts).
pub fn pair_codings(
    tree: &CodeTree,
    spans: &[CodingSpan],
    regions: &Regions,
    options: Options,
    a: CodeId,
    b: CodeId,
) -> Vec<CodingSpan> {
    let (Some(ra), Some(rb)) = (tree.position(a), tree.position(b)) else {
        return Vec::new();
    };
    let by_id: HashMap<CodingId, &CodingSpan> = spans.iter().map(|s| (s.id, s)).collect();
    let mut out: Vec<CodingSpan> = Vec::new();
    for (_, mut items) in items_by_doc(tree, spans, regions, options) {
        let mut found: Vec<CodingId> = Vec::new();
        if ra == rb {
            found.extend(items.iter().filter(|it| it.row == ra).map(|it| it.coding));
        } else {
            sort(&mut items);
            sweep(&items, options.mode, |y, x| {
                let (y, x) = (&items[y], &items[x]);
                if y.row == ra && x.row == rb {
                    found.push(y.coding);
                }
                if x.row == ra && y.row == rb {
                    found.push(x.coding);
                }
            });
        }
        found.sort_unstable();
        found.dedup();
        out.extend(found.iter().filter_map(|id| by_id.get(id).map(|s| **s)));
    }
    out.sort_by_key(|s| (s.doc, s.start, s.end, s.id));
    out
}

/// The paragraphs of a text that has no speaker turns: each line holding any non-blank text,
/// as a char range (without its line break).
pub fn paragraphs(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut line_start = 0;
    let mut blank = true;
    let mut i = 0;
    for c in text.chars() {
        if c == '\n' || c == '\r' {
            if !blank {
                out.push((line_start, i));
            }
            line_start = i + 1;
            blank = true;
        } else if !c.is_whitespace() {
            blank = false;
        }
        i += 1;
    }
    if !blank {
        out.push((line_start, i));
    }
    out
}

/// The turns (or, where a document has none, paragraphs) of the documents that have codings.
pub fn regions(read: impl ProjectRead, spans: &[CodingSpan]) -> Result<Regions> {
    let mut docs: Vec<DocId> = spans.iter().map(|s| s.doc).collect();
    docs.sort_unstable();
    docs.dedup();
    let mut out = Regions::new();
    for doc in docs {
        let turns = read.turns(doc)?;
        let mut r: Vec<(usize, usize)> = if turns.is_empty() {
            paragraphs(&read.document_text(doc)?)
        } else {
            turns.iter().map(|t| (t.start, t.end)).collect()
        };
        r.sort_unstable();
        out.insert(doc, r);
    }
    Ok(out)
}

/// What a co-occurrence question reads from the project, loaded once.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The codebook.
    pub tree: CodeTree,
    /// Every coding.
    pub spans: Vec<CodingSpan>,
    /// Turns or paragraphs (loaded only for [`Mode::Turn`]).
    pub regions: Regions,
}

impl Inputs {
    /// Reads the codebook, the codings and, for [`Mode::Turn`], the turns.
    pub fn load(read: impl ProjectRead, mode: Mode) -> Result<Self> {
        let tree = read.code_tree()?;
        let spans = read.coding_spans()?;
        let regions = if mode == Mode::Turn {
            regions(&read, &spans)?
        } else {
            Regions::new()
        };
        Ok(Self {
            tree,
            spans,
            regions,
        })
    }
}

/// The two matrices of the project.
pub fn cooccurrence(read: impl ProjectRead, options: Options) -> Result<Cooccurrence> {
    let inputs = Inputs::load(read, options.mode)?;
    Ok(compute(
        &inputs.tree,
        &inputs.spans,
        &inputs.regions,
        options,
    ))
}

impl Cooccurrence {
    /// What a cell of the segments matrix means, in one sentence.
    pub fn segments_meaning(&self) -> String {
        format!(
            "Segments: the cell in row A, column B is the number of codings of A that co-occur \
             with at least one coding of B (two codings co-occur when they {}, in the same \
             document){}; the diagonal is A's number of codings.",
            self.options.mode.meaning(),
            self.aggregate_note()
        )
    }

    /// What a cell of the documents matrix means, in one sentence.
    pub fn documents_meaning(&self) -> String {
        format!(
            "Documents: the cell in row A, column B is the number of documents in which a \
             coding of A co-occurs with a coding of B (they {}){}; the diagonal is the number \
             of documents that have A.",
            self.options.mode.meaning(),
            self.aggregate_note()
        )
    }

    fn aggregate_note(&self) -> &'static str {
        if self.options.aggregate {
            ", each code counting with its sub-codes' codings"
        } else {
            ""
        }
    }

    /// JSON: `{"mode", "distance" (in distance mode), "aggregate", "codes", "segments",
    /// "documents", "explanation"}`, ending in one newline.
    pub fn to_json(&self) -> std::result::Result<Vec<u8>, serde_json::Error> {
        #[derive(Serialize)]
        struct File<'a> {
            mode: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            distance: Option<usize>,
            aggregate: bool,
            codes: &'a [String],
            segments: &'a [Vec<usize>],
            documents: &'a [Vec<usize>],
            explanation: [String; 2],
        }
        let mut out = serde_json::to_vec_pretty(&File {
            mode: self.options.mode.name(),
            distance: match self.options.mode {
                Mode::Distance(n) => Some(n),
                _ => None,
            },
            aggregate: self.options.aggregate,
            codes: &self.paths,
            segments: &self.segments,
            documents: &self.documents,
            explanation: [self.segments_meaning(), self.documents_meaning()],
        })?;
        out.push(b'\n');
        Ok(out)
    }

    /// CSV: a `#` line saying what a cell means, the segments matrix (a `code` column, then one
    /// column per code), a blank line, then the same for the documents matrix.
    pub fn to_csv(&self) -> std::result::Result<Vec<u8>, csv::Error> {
        let mut out = Vec::new();
        for (meaning, m) in [
            (self.segments_meaning(), &self.segments),
            (self.documents_meaning(), &self.documents),
        ] {
            if !out.is_empty() {
                out.push(b'\n');
            }
            out.extend(format!("# {meaning}\n").into_bytes());
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(std::iter::once("code").chain(self.paths.iter().map(String::as_str)))?;
            for (path, cells) in self.paths.iter().zip(m) {
                w.write_record(
                    std::iter::once(path.clone()).chain(cells.iter().map(usize::to_string)),
                )?;
            }
            out.extend(
                w.into_inner()
                    .map_err(|e| csv::Error::from(e.into_error()))?,
            );
        }
        Ok(out)
    }

    /// Markdown: a heading, the segments matrix and the documents matrix, each after the
    /// sentence saying what its cells mean.
    pub fn to_markdown(&self) -> String {
        fn cell(s: &str) -> String {
            s.replace('|', "\\|")
        }
        let mode = match self.options.mode {
            Mode::Distance(n) => format!("distance {n}"),
            m => m.name().to_owned(),
        };
        let mut out = format!("## Co-occurrence of codes ({mode})\n");
        for (title, meaning, m) in [
            ("Segments", self.segments_meaning(), &self.segments),
            ("Documents", self.documents_meaning(), &self.documents),
        ] {
            out.push_str(&format!("\n### {title}\n\n{meaning}\n\n| Code |"));
            for p in &self.paths {
                out.push_str(&format!(" {} |", cell(p)));
            }
            out.push_str("\n|---|");
            out.push_str(&"---:|".repeat(self.paths.len()));
            out.push('\n');
            for (p, cells) in self.paths.iter().zip(m) {
                out.push_str(&format!("| {} |", cell(p)));
                for c in cells {
                    out.push_str(&format!(" {c} |"));
                }
                out.push('\n');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Code, CoderId, Color};

    fn tree() -> CodeTree {
        let code = |id, name: &str, parent| Code {
            id: CodeId(id),
            guid: String::new(),
            name: name.into(),
            color: Color::palette(0),
            description: String::new(),
            parent,
            sort_order: id,
        };
        CodeTree::new(vec![
            code(1, "A", None),
            code(2, "B", None),
            code(3, "C", Some(CodeId(2))),
        ])
    }

    fn span(id: i64, doc: i64, code: i64, start: usize, end: usize) -> CodingSpan {
        CodingSpan {
            id: CodingId(id),
            doc: DocId(doc),
            code: CodeId(code),
            coder: CoderId(1),
            start,
            end,
        }
    }

    #[test]
    fn touching_is_not_overlap_but_is_distance_zero() {
        let t = tree();
        let spans = [span(1, 1, 1, 0, 5), span(2, 1, 2, 5, 9)];
        let o = compute(&t, &spans, &Regions::new(), Options::default());
        assert_eq!(o.segments[0][1], 0);
        let d = compute(
            &t,
            &spans,
            &Regions::new(),
            Options {
                mode: Mode::Distance(0),
                aggregate: false,
            },
        );
        assert_eq!(d.segments[0][1], 1);
        assert_eq!(d.documents[1][0], 1);
        assert_eq!(d.segments[0][0], 1);
    }

    #[test]
    fn aggregate_counts_sub_codes_and_never_a_coding_with_itself() {
        let t = tree();
        // A overlaps C (a sub-code of B); B has one coding of its own elsewhere.
        let spans = [
            span(1, 1, 1, 0, 10),
            span(2, 1, 3, 5, 15),
            span(3, 1, 2, 40, 50),
        ];
        let plain = compute(&t, &spans, &Regions::new(), Options::default());
        assert_eq!(plain.segments[0][1], 0, "A does not overlap B's own coding");
        assert_eq!(plain.segments[0][2], 1);
        let agg = compute(
            &t,
            &spans,
            &Regions::new(),
            Options {
                mode: Mode::Overlap,
                aggregate: true,
            },
        );
        assert_eq!(agg.segments[0][1], 1);
        assert_eq!(agg.segments[1][1], 2, "B's diagonal counts C's coding");
        assert_eq!(
            agg.segments[1][2], 0,
            "C's coding inside B is not a co-occurrence"
        );
        assert_eq!(agg.segments[2][1], 0);
        assert_eq!(agg.segments[1][0], 1);
    }

    #[test]
    fn turns_and_paragraphs() {
        assert_eq!(
            paragraphs("ab\n\ncd\r\n  \nef"),
            vec![(0, 2), (4, 6), (11, 13)]
        );
        let t = tree();
        let spans = [
            span(1, 1, 1, 0, 3),
            span(2, 1, 2, 8, 9),
            span(3, 1, 3, 12, 14),
        ];
        let mut regions = Regions::new();
        regions.insert(DocId(1), vec![(0, 10), (10, 20)]);
        let m = compute(
            &t,
            &spans,
            &regions,
            Options {
                mode: Mode::Turn,
                aggregate: false,
            },
        );
        assert_eq!(m.segments[0][1], 1);
        assert_eq!(m.segments[0][2], 0);
        assert_eq!(
            pair_codings(&t, &spans, &regions, m.options, CodeId(1), CodeId(2)),
            vec![spans[0]]
        );
    }
}
