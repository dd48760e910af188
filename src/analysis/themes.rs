//! Themes counted and reviewed: each theme's numbers over the union of its linked codes'
//! codings (the same rules as the frequency report), the level-2 coverage grids (theme ×
//! case, theme × document), and the level-1 review of one theme's extracts.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::Result;
use super::frequencies::{Counts, Layer, Totals, count_layers};
use super::scope::{Scope, ScopeFilter};
use crate::model::{
    CaseId, CodeId, CodeTree, CodingFilter, CodingId, CodingSpan, DocId, ProjectRead, ReviewMark,
    Theme, ThemeId, ThemeStatus, Verdict, theme_order,
};

/// One theme's row: what it is, which codes support it, and its numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeStats {
    /// The theme.
    #[serde(skip)]
    pub id: ThemeId,
    /// Name.
    pub name: String,
    /// GUID.
    pub guid: String,
    /// Where it stands.
    pub status: ThemeStatus,
    /// The theme it is a sub-theme of, by name.
    pub parent: Option<String>,
    /// Depth among themes (0 at the top).
    #[serde(skip)]
    pub depth: usize,
    /// Central organising concept.
    pub concept: String,
    /// Definition.
    pub definition: String,
    /// What it is not.
    pub boundaries: String,
    /// The linked codes, by path.
    pub codes: Vec<String>,
    /// Its sub-themes, by name.
    pub sub_themes: Vec<String>,
    /// The union of the linked codes' codings: segments, documents, cases, chars, words (0:
    /// not counted here), coverage.
    #[serde(flatten)]
    pub own: Counts,
    /// The same over the theme and all its sub-themes, as a union.
    pub aggregate: Counts,
}

/// Every theme's numbers, in display order (parents before sub-themes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeReport {
    /// What was in scope.
    pub totals: Totals,
    /// One row per theme.
    pub themes: Vec<ThemeStats>,
}

/// For each code of `tree` (by index), the themes (indexes into `themes`) it is linked to;
/// with `with_parents`, also every theme above those.
fn code_theme_layer(tree: &CodeTree, themes: &[Theme], with_parents: bool) -> Layer {
    let theme_index: HashMap<ThemeId, usize> =
        themes.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let mut of_code = vec![Vec::new(); tree.codes.len()];
    for (ti, t) in themes.iter().enumerate() {
        let mut chain = vec![ti];
        if with_parents {
            let mut cur = t.parent;
            while let Some(p) = cur {
                match theme_index.get(&p) {
                    Some(&pi) if !chain.contains(&pi) => {
                        chain.push(pi);
                        cur = themes[pi].parent;
                    }
                    _ => break,
                }
            }
        }
        for c in &t.codes {
            if let Some(ci) = tree.position(*c) {
                for &g in &chain {
                    if !of_code[ci].contains(&g) {
                        of_code[ci].push(g);
                    }
                }
            }
        }
    }
    Layer {
        groups: themes.len(),
        of_code,
    }
}

/// Counts every theme over the union of its linked codes' codings, under `filter`, exactly as
/// the frequency report counts a code with its sub-codes (union of ranges per document,
/// cases through speakers). `aggregate` adds the sub-themes, as a union. Words are counted
/// only with `count_words` (it reads every coded document's word index).
pub fn theme_counts(
    read: impl ProjectRead,
    filter: &ScopeFilter,
    count_words: bool,
) -> Result<ThemeReport> {
    let tree = read.code_tree()?;
    let themes = read.themes()?;
    let layers = [
        code_theme_layer(&tree, &themes, false),
        code_theme_layer(&tree, &themes, true),
    ];
    let (mut counts, totals) = count_layers(&read, filter, count_words, &tree, &layers)?;
    let agg = counts.pop().unwrap_or_default();
    let own = counts.pop().unwrap_or_default();
    let index: HashMap<ThemeId, usize> =
        themes.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let name_of = |id: ThemeId| index.get(&id).map(|&i| themes[i].name.clone());
    let rows = theme_order(&themes)
        .into_iter()
        .map(|(depth, t)| {
            let i = index[&t.id];
            ThemeStats {
                id: t.id,
                name: t.name.clone(),
                guid: t.guid.clone(),
                status: t.status,
                parent: t.parent.and_then(name_of),
                depth,
                concept: t.concept.clone(),
                definition: t.definition.clone(),
                boundaries: t.boundaries.clone(),
                codes: t
                    .codes
                    .iter()
                    .filter(|c| tree.get(**c).is_some())
                    .map(|c| tree.path(*c))
                    .collect(),
                sub_themes: theme_order(&themes)
                    .into_iter()
                    .filter(|(_, s)| s.parent == Some(t.id))
                    .map(|(_, s)| s.name.clone())
                    .collect(),
                own: own[i],
                aggregate: agg[i],
            }
        })
        .collect();
    Ok(ThemeReport {
        totals,
        themes: rows,
    })
}

/// A level-2 coverage grid: themes down, cases (or documents) across, the number of codings
/// of each theme (with its sub-themes) that belong to each column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageGrid {
    /// What the columns are: "case" or "document".
    pub across: &'static str,
    /// The rows: themes not discarded, in display order, as `(id, name)`.
    #[serde(serialize_with = "names_only")]
    pub themes: Vec<(ThemeId, String)>,
    /// The columns, by name.
    pub columns: Vec<String>,
    /// `cells[row][column]`: codings.
    pub cells: Vec<Vec<usize>>,
    /// Rows whose codings come from one column only: a theme one participant supports.
    pub single_column: Vec<String>,
    /// Columns no theme has any coding in: participants no theme speaks for.
    pub silent_columns: Vec<String>,
}

fn names_only<S: serde::Serializer>(
    v: &[(ThemeId, String)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|(_, n)| n))
}

/// What a grid's columns are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridAcross {
    /// Cases (participants): a coding counts for the cases it belongs to.
    Cases,
    /// Documents.
    Documents,
}

/// The level-2 grid of themes (not discarded, with their sub-themes) against every case or
/// document of the project.
pub fn coverage_grid(read: impl ProjectRead, across: GridAcross) -> Result<CoverageGrid> {
    let tree = read.code_tree()?;
    let all = read.themes()?;
    let layer = code_theme_layer(&tree, &all, true);
    let order: Vec<(ThemeId, String)> = theme_order(&all)
        .into_iter()
        .filter(|(_, t)| t.status != ThemeStatus::Discarded)
        .map(|(_, t)| (t.id, t.name.clone()))
        .collect();
    let all_index: HashMap<ThemeId, usize> =
        all.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    // Theme index in `all` -> row in the grid.
    let mut row_of = vec![None; all.len()];
    for (r, (id, _)) in order.iter().enumerate() {
        row_of[all_index[id]] = Some(r);
    }

    let (columns, column_of_case, column_of_doc): (
        Vec<String>,
        HashMap<CaseId, usize>,
        HashMap<DocId, usize>,
    ) = match across {
        GridAcross::Cases => {
            let mut cases: Vec<(CaseId, String)> = read
                .case_links()?
                .case_names
                .into_iter()
                .collect::<Vec<_>>();
            cases.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
            let map = cases.iter().enumerate().map(|(i, c)| (c.0, i)).collect();
            (
                cases.into_iter().map(|c| c.1).collect(),
                map,
                HashMap::new(),
            )
        }
        GridAcross::Documents => {
            let docs = read.documents()?;
            let map = docs.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
            (
                docs.into_iter().map(|d| d.name).collect(),
                HashMap::new(),
                map,
            )
        }
    };
    // Codings per (code, column) first, then per theme: one pass over the codings with no
    // allocation per coding (a document's columns are worked out once, unless its speakers
    // are mapped to cases, where each coding's turns decide).
    let ncols = columns.len();
    let mut per_code = vec![0usize; tree.codes.len() * ncols];
    let scope = match across {
        GridAcross::Cases => Some(Scope::load(&read, &ScopeFilter::default())?),
        GridAcross::Documents => None,
    };
    let mut doc_cols: HashMap<DocId, Vec<usize>> = HashMap::new();
    let mut last: Option<(DocId, bool)> = None;
    let mut mapped_cols = Vec::new();
    for span in read.coding_spans()? {
        let Some(ci) = tree.position(span.code) else {
            continue;
        };
        if layer.of_code[ci].is_empty() {
            continue;
        }
        let mapped = match last {
            Some((d, m)) if d == span.doc => m,
            _ => {
                let m = scope
                    .as_ref()
                    .is_some_and(|s| s.has_mapped_speakers(span.doc));
                last = Some((span.doc, m));
                m
            }
        };
        let cols: &[usize] = if mapped {
            mapped_cols.clear();
            if let Some(scope) = &scope {
                mapped_cols.extend(
                    scope
                        .coding_cases(span.doc, span.start, span.end)
                        .iter()
                        .filter_map(|c| column_of_case.get(c).copied()),
                );
            }
            &mapped_cols
        } else {
            doc_cols.entry(span.doc).or_insert_with(|| match &scope {
                Some(scope) => {
                    let mut v: Vec<usize> = scope
                        .links
                        .doc_cases
                        .get(&span.doc)
                        .map_or(&[][..], Vec::as_slice)
                        .iter()
                        .filter_map(|c| column_of_case.get(c).copied())
                        .collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                }
                None => column_of_doc.get(&span.doc).copied().into_iter().collect(),
            })
        };
        let row = &mut per_code[ci * ncols..(ci + 1) * ncols];
        for &c in cols {
            row[c] += 1;
        }
    }
    let mut cells = vec![vec![0usize; ncols]; order.len()];
    for (ci, groups) in layer.of_code.iter().enumerate() {
        let counts = &per_code[ci * ncols..(ci + 1) * ncols];
        if counts.iter().all(|n| *n == 0) {
            continue;
        }
        for &g in groups {
            if let Some(r) = row_of[g] {
                for (cell, n) in cells[r].iter_mut().zip(counts) {
                    *cell += n;
                }
            }
        }
    }
    let single_column = order
        .iter()
        .zip(&cells)
        .filter(|(_, row)| row.iter().filter(|n| **n > 0).count() == 1)
        .map(|((_, name), _)| name.clone())
        .collect();
    let silent_columns = columns
        .iter()
        .enumerate()
        .filter(|(c, _)| cells.iter().all(|row| row[*c] == 0))
        .map(|(_, name)| name.clone())
        .collect();
    Ok(CoverageGrid {
        across: match across {
            GridAcross::Cases => "case",
            GridAcross::Documents => "document",
        },
        themes: order,
        columns,
        cells,
        single_column,
        silent_columns,
    })
}

/// One extract in the level-1 review of a theme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extract {
    /// The coding.
    pub coding: CodingId,
    /// Its code's path.
    pub code: String,
    /// Its code.
    #[serde(skip)]
    pub code_id: CodeId,
    /// Its document.
    pub document: String,
    /// Its document's id.
    #[serde(skip)]
    pub doc: DocId,
    /// The cases it belongs to, by name (empty when none).
    pub cases: Vec<String>,
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
    /// The coded text.
    pub text: String,
    /// The review mark, if any.
    pub verdict: Option<Verdict>,
    /// Marked as an exemplar of its code.
    pub exemplar: bool,
}

/// Every extract of a theme's linked codes (its own links, not its sub-themes'), by code
/// path, then by first case, document and position, each with its review mark.
pub fn theme_extracts(read: impl ProjectRead, theme: ThemeId) -> Result<Vec<Extract>> {
    let tree = read.code_tree()?;
    let themes = read.themes()?;
    let Some(t) = themes.iter().find(|t| t.id == theme) else {
        return Ok(Vec::new());
    };
    let codes: Vec<CodeId> = t
        .codes
        .iter()
        .copied()
        .filter(|c| tree.get(*c).is_some())
        .collect();
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let codings = read.codings(&CodingFilter {
        codes: Some(codes),
        ..CodingFilter::default()
    })?;
    let marks: HashMap<CodingId, Verdict> = read
        .review_marks()?
        .into_iter()
        .filter(|m| m.theme == theme)
        .map(|m| (m.coding, m.verdict))
        .collect();
    let exemplars: HashSet<CodingId> = read.exemplars()?;
    let scope = Scope::load(&read, &ScopeFilter::default())?;
    let names: HashMap<DocId, String> = scope
        .documents
        .iter()
        .map(|d| (d.id, d.name.clone()))
        .collect();
    let mut texts: HashMap<DocId, Vec<char>> = HashMap::new();
    let mut out = Vec::with_capacity(codings.len());
    for c in codings {
        if let std::collections::hash_map::Entry::Vacant(e) = texts.entry(c.doc) {
            e.insert(read.document_text(c.doc)?.chars().collect());
        }
        let chars = &texts[&c.doc];
        let text: String = chars[c.start.min(chars.len())..c.end.min(chars.len())]
            .iter()
            .collect();
        let mut cases: Vec<String> = scope
            .coding_cases(c.doc, c.start, c.end)
            .iter()
            .filter_map(|id| scope.links.case_names.get(id).cloned())
            .collect();
        cases.sort();
        out.push(Extract {
            coding: c.id,
            code: tree.path(c.code),
            code_id: c.code,
            document: names.get(&c.doc).cloned().unwrap_or_default(),
            doc: c.doc,
            cases,
            start: c.start,
            end: c.end,
            text,
            verdict: marks.get(&c.id).copied(),
            exemplar: exemplars.contains(&c.id),
        });
    }
    out.sort_by(|a, b| {
        (&a.code, a.cases.first(), &a.document, a.start).cmp(&(
            &b.code,
            b.cases.first(),
            &b.document,
            b.start,
        ))
    });
    Ok(out)
}

/// For each theme, how many of its own extracts are marked and how many there are: level-1
/// review is done when every extract (and at least one) is marked.
pub fn review_progress(read: impl ProjectRead) -> Result<HashMap<ThemeId, (usize, usize)>> {
    Ok(progress_of(
        &read.themes()?,
        &read.coding_spans()?,
        &read.review_marks()?,
    ))
}

/// [`review_progress`] from data already read.
pub(crate) fn progress_of(
    themes: &[Theme],
    spans: &[CodingSpan],
    marks: &[ReviewMark],
) -> HashMap<ThemeId, (usize, usize)> {
    let mut by_code: HashMap<CodeId, Vec<CodingId>> = HashMap::new();
    for s in spans {
        by_code.entry(s.code).or_default().push(s.id);
    }
    let marked: HashSet<(ThemeId, CodingId)> = marks.iter().map(|m| (m.theme, m.coding)).collect();
    themes
        .iter()
        .map(|t| {
            let mut total = 0;
            let mut done = 0;
            for c in &t.codes {
                for coding in by_code.get(c).map_or(&[][..], Vec::as_slice) {
                    total += 1;
                    if marked.contains(&(t.id, *coding)) {
                        done += 1;
                    }
                }
            }
            (t.id, (done, total))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::actions::{Action, ThemeAction};
    use crate::model::{
        Bundle, BundleCase, BundleCode, BundleCoding, BundleDocument, CharRange, NewDocument,
    };
    use crate::session::Session;

    const FG: &str = "ANA: I trust them now.\nBEN: I never did, not once.\nANA: Fair.\n";

    /// P1 and P2 have interviews, P3 speaks only in a focus group (as BEN; ANA is P1), P4 has
    /// an interview nobody coded. "Trust" is coded in P1 and P2, "Power" in P1 only.
    fn project() -> Session {
        let mut s = Session::in_memory().unwrap();
        let doc = |name: &str, text: &str, cases: &[&str]| BundleDocument {
            doc: NewDocument {
                name: name.into(),
                text: text.into(),
                turns: crate::import::detect_turns(text),
                ..NewDocument::default()
            },
            cases: cases.iter().map(|c| (*c).to_owned()).collect(),
            ..Default::default()
        };
        let mut fg = doc("Focus group", FG, &[]);
        fg.speakers = vec![("ANA".into(), "P1".into()), ("BEN".into(), "P3".into())];
        let coding = |document: &str, code: &str, start: usize, end: usize| BundleCoding {
            guid: None,
            document: document.into(),
            code: code.into(),
            coder: None,
            range: CharRange::new(start, end).unwrap(),
            memo: String::new(),
            created_at: None,
            selection_guid: None,
        };
        s.apply(&Action::AddContent {
            label: "Import".into(),
            bundle: Box::new(Bundle {
                cases: ["P1", "P2", "P3", "P4"]
                    .iter()
                    .map(|n| BundleCase {
                        name: (*n).into(),
                        ..Default::default()
                    })
                    .collect(),
                documents: vec![
                    doc("P1 interview", "I trust my peer worker.", &["P1"]),
                    doc("P2 interview", "Trust took a long time.", &["P2"]),
                    doc("P4 interview", "Nothing to say.", &["P4"]),
                    fg,
                ],
                codes: ["Trust", "Power", "Silence"]
                    .iter()
                    .map(|p| BundleCode {
                        path: (*p).into(),
                        ..Default::default()
                    })
                    .collect(),
                codings: vec![
                    coding("P1 interview", "Trust", 0, 7),
                    coding("P2 interview", "Trust", 0, 5),
                    coding("P1 interview", "Power", 8, 22),
                    // ANA's turn: P1's, not the focus group's other speaker's.
                    coding("Focus group", "Power", 5, 21),
                ],
                ..Default::default()
            }),
        })
        .unwrap();
        s
    }

    fn theme(s: &mut Session, name: &str, code: &str) -> ThemeId {
        s.apply(&Action::Theme(ThemeAction::Add {
            name: name.into(),
            parent: None,
            concept: String::new(),
            definition: String::new(),
            color: None,
        }))
        .unwrap();
        let t = s.read().theme_by_name(name).unwrap().unwrap();
        let c = s.read().code_by_path(code).unwrap().unwrap();
        s.apply(&Action::Theme(ThemeAction::Link {
            theme: t,
            codes: vec![c],
        }))
        .unwrap();
        t
    }

    fn row<'g>(g: &'g CoverageGrid, name: &str) -> Vec<(&'g str, usize)> {
        let r = g.themes.iter().position(|(_, n)| n == name).unwrap();
        g.columns
            .iter()
            .map(String::as_str)
            .zip(g.cells[r].iter().copied())
            .collect()
    }

    #[test]
    fn a_theme_one_participant_supports_and_a_silent_case_are_flagged() {
        let mut s = project();
        theme(&mut s, "Trust grows slowly", "Trust");
        theme(&mut s, "Power is felt", "Power");
        let g = coverage_grid(s.read(), GridAcross::Cases).unwrap();
        assert_eq!(g.columns, ["P1", "P2", "P3", "P4"]);
        assert_eq!(
            row(&g, "Trust grows slowly"),
            [("P1", 1), ("P2", 1), ("P3", 0), ("P4", 0)]
        );
        // The focus-group coding is ANA's turn only: it counts for P1, not for P3.
        assert_eq!(
            row(&g, "Power is felt"),
            [("P1", 2), ("P2", 0), ("P3", 0), ("P4", 0)]
        );
        assert_eq!(g.single_column, ["Power is felt"]);
        assert_eq!(g.silent_columns, ["P3", "P4"]);

        // BEN's turn coded: P3 is spoken for, and "Power" rests on two participants.
        let power = s.read().code_by_path("Power").unwrap().unwrap();
        let doc = s
            .read()
            .documents()
            .unwrap()
            .into_iter()
            .find(|d| d.name == "Focus group")
            .unwrap()
            .id;
        let coder = s.coder().unwrap();
        s.apply(&Action::ApplyCode {
            doc,
            code: power,
            coder,
            range: CharRange::new(28, 40).unwrap(),
        })
        .unwrap();
        let g = coverage_grid(s.read(), GridAcross::Cases).unwrap();
        assert_eq!(
            row(&g, "Power is felt"),
            [("P1", 2), ("P2", 0), ("P3", 1), ("P4", 0)]
        );
        assert!(g.single_column.is_empty());
        assert_eq!(g.silent_columns, ["P4"]);

        // Across documents.
        let g = coverage_grid(s.read(), GridAcross::Documents).unwrap();
        assert_eq!(g.across, "document");
        assert_eq!(g.silent_columns, ["P4 interview"]);
    }

    #[test]
    fn sub_themes_count_for_their_parent_and_discarded_themes_drop_out() {
        let mut s = project();
        let parent = theme(&mut s, "Relationships are negotiated", "Trust");
        let sub = theme(&mut s, "Power is felt", "Power");
        s.apply(&Action::Theme(ThemeAction::Nest {
            theme: sub,
            parent: Some(parent),
        }))
        .unwrap();
        let g = coverage_grid(s.read(), GridAcross::Cases).unwrap();
        assert_eq!(
            row(&g, "Relationships are negotiated"),
            [("P1", 3), ("P2", 1), ("P3", 0), ("P4", 0)]
        );
        s.apply(&Action::Theme(ThemeAction::Status {
            theme: sub,
            status: ThemeStatus::Discarded,
        }))
        .unwrap();
        let g = coverage_grid(s.read(), GridAcross::Cases).unwrap();
        assert_eq!(g.themes.len(), 1);
    }

    #[test]
    fn extracts_come_grouped_by_code_then_case_with_their_marks() {
        let mut s = project();
        let t = theme(&mut s, "Relationships are negotiated", "Power");
        let trust = s.read().code_by_path("Trust").unwrap().unwrap();
        s.apply(&Action::Theme(ThemeAction::Link {
            theme: t,
            codes: vec![trust],
        }))
        .unwrap();
        let x = theme_extracts(s.read(), t).unwrap();
        let keys: Vec<(&str, Vec<String>, &str)> = x
            .iter()
            .map(|e| (e.code.as_str(), e.cases.clone(), e.text.as_str()))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("Power", vec!["P1".to_owned()], "I trust them now"),
                ("Power", vec!["P1".to_owned()], "my peer worker"),
                ("Trust", vec!["P1".to_owned()], "I trust"),
                ("Trust", vec!["P2".to_owned()], "Trust"),
            ]
        );
        s.apply(&Action::Theme(ThemeAction::Mark {
            theme: t,
            coding: x[2].coding,
            verdict: Some(Verdict::Fits),
        }))
        .unwrap();
        let x = theme_extracts(s.read(), t).unwrap();
        assert_eq!(x[2].verdict, Some(Verdict::Fits));
        assert_eq!(review_progress(s.read()).unwrap()[&t], (1, 4));
    }
}
