//! The report a supervisor opens in any browser (`weft report`, File ▸ Export report…): one
//! self-contained HTML file with no external requests (styles inline, the chart an inline SVG)
//! holding the title, scope and filters, the themes in the shape of the theme table papers
//! print with the thematic map (an inline SVG), the codebook with its definitions, the
//! frequency table and a bar chart, each top-level code with its sub-codes and a few exemplar
//! quotes, and a note on what every number means (the app's own words). Print styles make it a
//! clean PDF from the browser's Print.
//!
//! Quotes are chosen the same way every time: codings marked as exemplars first, then the
//! longest coding of each case in turn, so that different participants are heard.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use super::provenance::{Extent, Provenance, ReportKind};
use super::{Result, SegmentRow, coded_segments};
use crate::analysis::{EXPLANATION, FrequencyReport, ScopeFilter};
use crate::model::{CodeId, CodeTree, ProjectRead};

/// Quotes shown per theme, at most.
pub const QUOTES_PER_THEME: usize = 4;
/// Codes drawn in the bar chart, at most (the table lists them all).
const CHART_MAX_CODES: usize = 60;

/// The HTML report of the project file `project` under `filter`.
pub fn html_report(read: impl ProjectRead, project: &Path, filter: &ScopeFilter) -> Result<String> {
    let tree = read.code_tree()?;
    let report = crate::analysis::frequencies(&read, filter)?;
    let meta = Provenance::describe(
        &read,
        project,
        ReportKind::Frequencies,
        filter,
        None,
        Extent::from(&report.totals),
    )?;
    let title = read
        .title()
        .ok()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| {
            project
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    let segments = coded_segments(&read, None, filter)?;

    let mut h = String::with_capacity(64 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(h, "<title>{} — Weft report</title>", esc(&title));
    h.push_str("<style>\n");
    h.push_str(CSS);
    h.push_str(super::themes_table::TABLE_CSS);
    h.push_str("figure.map svg { max-width: 100%; height: auto; border: 1px solid var(--rule); border-radius: 4px; }\n");
    h.push_str("</style>\n</head>\n<body>\n<main>\n");

    // Title, scope and filters.
    let _ = writeln!(h, "<header>\n<h1>{}</h1>", esc(&title));
    h.push_str("<dl class=\"facts\">\n");
    for (k, v) in meta.lines().iter().skip(1) {
        let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
    }
    let _ = writeln!(
        h,
        "<dt>Codings</dt><dd>{} in scope, {} codes</dd>",
        report.totals.segments, report.totals.codes
    );
    h.push_str("</dl>\n</header>\n");

    h.push_str("<nav><a href=\"#themes\">Themes</a> · <a href=\"#frequencies\">Frequencies</a> · <a href=\"#quotes\">Codes and quotes</a> · <a href=\"#codebook\">Codebook</a> · <a href=\"#method\">What the numbers mean</a></nav>\n");

    analytic_themes_section(&mut h, &read, filter)?;
    frequencies_section(&mut h, &tree, &report);
    themes_section(&mut h, &tree, &report, &segments);
    codebook_section(&mut h, &tree);
    method_section(&mut h);

    let _ = writeln!(
        h,
        "<footer>Made by Weft {} on {}, offline, from {}.</footer>",
        esc(&meta.weft_version),
        esc(&meta.exported),
        esc(&meta.project)
    );
    h.push_str("</main>\n</body>\n</html>\n");
    Ok(h)
}

/// The report as the bytes of a file.
pub fn html_report_file(
    read: impl ProjectRead,
    project: &Path,
    filter: &ScopeFilter,
) -> Result<Vec<u8>> {
    Ok(html_report(read, project, filter)?.into_bytes())
}

/// What the themes section says when there are no themes yet.
pub const NO_THEMES_YET: &str = "No themes yet. Themes are built from codes: in the app, open the Thematic map tab and create a theme, then link the codes that support it; on the command line, weft theme add PROJECT \"A theme that says something\" and weft theme link PROJECT \"A theme that says something\" CODE.";

/// The "Themes" section: the theme table (numbers under `filter`) and the thematic map.
fn analytic_themes_section(
    h: &mut String,
    read: &impl ProjectRead,
    filter: &ScopeFilter,
) -> Result<()> {
    h.push_str("<section id=\"themes\">\n<h2>Themes</h2>\n");
    if read.themes()?.is_empty() {
        let _ = writeln!(h, "<p class=\"none\">{}</p>", esc(NO_THEMES_YET));
        h.push_str("</section>\n");
        return Ok(());
    }
    let table = super::themes_table::theme_table_under(read, filter)?;
    h.push_str(&super::themes_table::to_html_table(&table));
    match super::map_svg::map_svg(read) {
        Ok(svg) => {
            let _ = writeln!(
                h,
                "<figure class=\"map\">{}<figcaption>The thematic map.</figcaption></figure>",
                super::portfolio::inline_svg(&svg)
            );
        }
        Err(e) => {
            let _ = writeln!(
                h,
                "<p class=\"none\">The map could not be drawn: {}</p>",
                esc(&e.to_string())
            );
        }
    }
    h.push_str("</section>\n");
    Ok(())
}

fn frequencies_section(h: &mut String, tree: &CodeTree, report: &FrequencyReport) {
    h.push_str("<section id=\"frequencies\">\n<h2>Frequencies</h2>\n");
    h.push_str(&bar_chart(tree, report));
    h.push_str(
        "<table class=\"freq\">\n<thead><tr><th>Code</th><th>Segments</th><th>Documents</th>\
         <th>Cases</th><th>Words</th><th>Coverage</th><th>Segments<br><small>with sub-codes</small></th>\
         <th>Cases<br><small>with sub-codes</small></th><th>Coverage<br><small>with sub-codes</small></th></tr></thead>\n<tbody>\n",
    );
    for c in &report.codes {
        let name = tree.get(c.code).map(|x| x.name.as_str()).unwrap_or(&c.path);
        let color = tree
            .get(c.code)
            .map(|x| x.color.to_hex())
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<tr class=\"d{}\"><td><span class=\"sw\" style=\"background:{}\"></span>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1}%</td><td>{}</td><td>{}</td><td>{:.1}%</td></tr>",
            c.depth.min(4),
            esc(&color),
            esc(name),
            c.own.segments,
            c.own.documents,
            c.own.cases,
            c.own.words,
            c.own.coverage * 100.0,
            c.aggregate.segments,
            c.aggregate.cases,
            c.aggregate.coverage * 100.0
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

/// Horizontal bars: each code's segments with its sub-codes, in codebook order.
fn bar_chart(tree: &CodeTree, report: &FrequencyReport) -> String {
    let codes: Vec<_> = report.codes.iter().take(CHART_MAX_CODES).collect();
    if codes.is_empty() {
        return String::new();
    }
    let max = codes
        .iter()
        .map(|c| c.aggregate.segments)
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_w, bar_w, row_h) = (230.0, 420.0, 22.0);
    let height = row_h * codes.len() as f64 + 30.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<figure><svg role=\"img\" aria-labelledby=\"chart-title\" viewBox=\"0 0 {w} {height}\" width=\"100%\" \
         style=\"max-width:{w}px\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"inherit\" font-size=\"12\">\
         <title id=\"chart-title\">Segments per code, with sub-codes</title>",
        w = label_w + bar_w + 60.0
    );
    for (i, c) in codes.iter().enumerate() {
        let y = 10.0 + row_h * i as f64;
        let name = tree.get(c.code).map(|x| x.name.as_str()).unwrap_or(&c.path);
        let color = tree
            .get(c.code)
            .map(|x| x.color.to_hex())
            .unwrap_or_else(|| "#888888".to_owned());
        let indent = 12.0 * c.depth.min(4) as f64;
        let w = bar_w * c.aggregate.segments as f64 / max as f64;
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" class=\"{}\">{}</text>\
             <rect x=\"{label_w}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\" rx=\"2\"/>\
             <text x=\"{:.1}\" y=\"{}\">{}</text>",
            4.0 + indent,
            y + 14.0,
            if c.depth == 0 { "top" } else { "sub" },
            esc(&crate::text::ellipsize(name, 34)),
            y + 3.0,
            row_h - 6.0,
            esc(&color),
            label_w + w + 6.0,
            y + 14.0,
            c.aggregate.segments
        );
    }
    s.push_str("</svg>");
    if report.codes.len() > CHART_MAX_CODES {
        let _ = write!(
            s,
            "<figcaption>The first {CHART_MAX_CODES} of {} codes; the table lists them all.</figcaption>",
            report.codes.len()
        );
    } else {
        s.push_str("<figcaption>Segments per code, with its sub-codes.</figcaption>");
    }
    s.push_str("</figure>\n");
    s
}

fn themes_section(
    h: &mut String,
    tree: &CodeTree,
    report: &FrequencyReport,
    segments: &[SegmentRow],
) {
    h.push_str("<section id=\"quotes\">\n<h2>Codes and quotes</h2>\n");
    let stats: HashMap<CodeId, &crate::analysis::CodeStats> =
        report.codes.iter().map(|c| (c.code, c)).collect();
    // Each segment under its top-level code.
    let mut by_theme: HashMap<CodeId, Vec<&SegmentRow>> = HashMap::new();
    let path_to_code: HashMap<String, CodeId> =
        tree.codes.iter().map(|c| (tree.path(c.id), c.id)).collect();
    for row in segments {
        if let Some(&code) = path_to_code.get(&row.code) {
            let mut top = code;
            while let Some(p) = tree.get(top).and_then(|c| c.parent) {
                top = p;
            }
            by_theme.entry(top).or_default().push(row);
        }
    }
    for &theme in tree.children(None) {
        let Some(code) = tree.get(theme) else {
            continue;
        };
        let agg = stats.get(&theme).map(|s| s.aggregate).unwrap_or_default();
        let _ = writeln!(
            h,
            "<article class=\"theme\" style=\"border-color:{}\">\n<h3>{}</h3>\n<p class=\"counts\">{} segments · {} documents · {} cases · {:.1}% coverage, with sub-codes</p>",
            esc(&code.color.to_hex()),
            esc(&code.name),
            agg.segments,
            agg.documents,
            agg.cases,
            agg.coverage * 100.0
        );
        if !code.description.trim().is_empty() {
            let _ = writeln!(h, "<p class=\"def\">{}</p>", esc(&code.description));
        }
        let subs = tree.subtree(theme);
        if subs.len() > 1 {
            h.push_str("<ul class=\"subs\">\n");
            for &sub in subs.iter().skip(1) {
                let Some(sc) = tree.get(sub) else { continue };
                let own = stats.get(&sub).map(|s| s.own).unwrap_or_default();
                let _ = writeln!(
                    h,
                    "<li style=\"margin-left:{}em\"><span class=\"sw\" style=\"background:{}\"></span>{} <small>{} segments, {} cases</small></li>",
                    (tree.depth(sub).saturating_sub(1)) as f64 * 1.2,
                    esc(&sc.color.to_hex()),
                    esc(&sc.name),
                    own.segments,
                    own.cases
                );
            }
            h.push_str("</ul>\n");
        }
        let quotes = choose_quotes(by_theme.get(&theme).map_or(&[][..], Vec::as_slice));
        if quotes.is_empty() {
            h.push_str("<p class=\"none\">No coded passages in scope.</p>\n");
        }
        for q in quotes {
            let mut cite = vec![esc(&q.document)];
            if !q.case.is_empty() {
                cite.push(format!("case {}", esc(&q.case)));
            }
            if !q.speaker.is_empty() {
                cite.push(esc(&q.speaker));
            }
            if !q.timestamp.is_empty() {
                cite.push(format!("[{}]", esc(&q.timestamp)));
            }
            cite.push(format!("<em>{}</em>", esc(&q.code)));
            let _ = writeln!(
                h,
                "<figure class=\"quote\"><blockquote>{}</blockquote><figcaption>{}{}</figcaption>",
                esc(&q.text),
                cite.join(" · "),
                if q.exemplar {
                    " · <span class=\"ex\">exemplar</span>"
                } else {
                    ""
                }
            );
            if !q.memo.trim().is_empty() {
                let _ = writeln!(
                    h,
                    "<p class=\"memo\"><strong>{}’s memo:</strong> {}</p>",
                    esc(&q.coder),
                    esc(&q.memo)
                );
            }
            h.push_str("</figure>\n");
        }
        h.push_str("</article>\n");
    }
    h.push_str("</section>\n");
}

/// Up to [`QUOTES_PER_THEME`] quotes: exemplars first (longest first), then the longest
/// coding of each case in turn, round after round, so different participants are heard; ties
/// go to the earlier passage. Never the same passage twice.
pub fn choose_quotes<'a>(rows: &[&'a SegmentRow]) -> Vec<&'a SegmentRow> {
    let len = |r: &SegmentRow| r.end.saturating_sub(r.start);
    let order = |a: &&SegmentRow, b: &&SegmentRow| {
        len(b)
            .cmp(&len(a))
            .then_with(|| a.document.cmp(&b.document))
            .then(a.start.cmp(&b.start))
    };
    let mut out: Vec<&SegmentRow> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut marked: Vec<&SegmentRow> = rows.iter().copied().filter(|r| r.exemplar).collect();
    marked.sort_by(order);
    for r in marked {
        if out.len() < QUOTES_PER_THEME && seen.insert((r.document.clone(), r.start, r.end)) {
            out.push(r);
        }
    }
    // Per case, longest first; then one from each case per round.
    let mut per_case: std::collections::BTreeMap<&str, Vec<&SegmentRow>> = Default::default();
    for r in rows {
        per_case.entry(r.case.as_str()).or_default().push(r);
    }
    for list in per_case.values_mut() {
        list.sort_by(order);
    }
    let mut cases: Vec<(&str, Vec<&SegmentRow>)> = per_case.into_iter().collect();
    // Cases whose best passage is longest speak first.
    cases.sort_by(|a, b| order(&a.1[0], &b.1[0]).then(a.0.cmp(b.0)));
    let mut round = 0;
    while out.len() < QUOTES_PER_THEME {
        let mut any = false;
        for (_, list) in &cases {
            if let Some(r) = list.get(round) {
                any = true;
                if out.len() < QUOTES_PER_THEME && seen.insert((r.document.clone(), r.start, r.end))
                {
                    out.push(r);
                }
            }
        }
        if !any {
            break;
        }
        round += 1;
    }
    out
}

pub(crate) fn codebook_section(h: &mut String, tree: &CodeTree) {
    h.push_str("<section id=\"codebook\">\n<h2>Codebook</h2>\n<dl class=\"codebook\">\n");
    for c in &tree.codes {
        let depth = tree.depth(c.id);
        let _ = writeln!(
            h,
            "<dt style=\"margin-left:{}em\"><span class=\"sw\" style=\"background:{}\"></span>{}</dt><dd style=\"margin-left:{}em\">{}</dd>",
            depth as f64 * 1.2,
            esc(&c.color.to_hex()),
            esc(&c.name),
            depth as f64 * 1.2 + 1.4,
            if c.description.trim().is_empty() {
                "<span class=\"none\">No definition yet.</span>".to_owned()
            } else {
                esc(&c.description)
            }
        );
    }
    h.push_str("</dl>\n</section>\n");
}

fn method_section(h: &mut String) {
    h.push_str("<section id=\"method\">\n<h2>What the numbers mean</h2>\n<dl class=\"method\">\n");
    for (name, text) in EXPLANATION {
        let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", esc(name), esc(text));
    }
    h.push_str(
        "</dl>\n<p>Quotes are chosen the same way every time: passages marked as exemplars \
         first, then the longest passage of each case in turn, so that different participants \
         are heard.</p>\n</section>\n",
    );
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The report's styles, shared by the theme table page and the portfolio.
pub(crate) const CSS: &str = r#"
:root { --ink: #1d2228; --muted: #5b6470; --rule: #d9dde3; --bg: #ffffff; --soft: #f5f6f8; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--soft); color: var(--ink);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
main { max-width: 62rem; margin: 0 auto; padding: 2rem 2.5rem 3rem; background: var(--bg); }
h1 { font-size: 2rem; margin: 0 0 .5rem; }
h2 { font-size: 1.4rem; margin: 2.5rem 0 1rem; padding-bottom: .3rem; border-bottom: 2px solid var(--rule); }
h3 { font-size: 1.2rem; margin: 0 0 .25rem; }
nav { margin: 1rem 0; color: var(--muted); }
nav a { color: inherit; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; color: var(--muted); }
dl.facts dt { font-weight: 600; color: var(--ink); }
dl.facts dd { margin: 0; }
table.freq { border-collapse: collapse; width: 100%; font-size: .9rem; font-variant-numeric: tabular-nums; }
table.freq th, table.freq td { padding: .3rem .5rem; border-bottom: 1px solid var(--rule); text-align: right; }
table.freq th:first-child, table.freq td:first-child { text-align: left; }
table.freq th { font-weight: 600; vertical-align: bottom; }
table.freq th small { font-weight: 400; color: var(--muted); }
tr.d0 td:first-child { font-weight: 600; }
tr.d1 td:first-child { padding-left: 1.6rem; }
tr.d2 td:first-child { padding-left: 2.8rem; }
tr.d3 td:first-child, tr.d4 td:first-child { padding-left: 4rem; }
.sw { display: inline-block; width: .75em; height: .75em; border-radius: 2px; margin-right: .45em; vertical-align: baseline; }
figure { margin: 1rem 0; }
figcaption { color: var(--muted); font-size: .85rem; }
svg text.top { font-weight: 600; }
svg text { fill: var(--ink); }
article.theme { border-left: 5px solid; padding: .2rem 0 .2rem 1.1rem; margin: 2rem 0; }
p.counts { color: var(--muted); margin: 0 0 .6rem; font-size: .9rem; }
p.def, dl.codebook dd { white-space: pre-wrap; }
ul.subs { list-style: none; padding: 0; margin: .5rem 0 1rem; }
ul.subs small { color: var(--muted); }
figure.quote { margin: 1rem 0 1.2rem; }
blockquote { margin: 0; padding: .6rem 1rem; background: var(--soft); border-radius: 4px; white-space: pre-wrap; }
figure.quote figcaption { margin-top: .3rem; }
p.memo { margin: .3rem 0 0; font-size: .9rem; color: var(--muted); }
.ex { color: #8a5a00; font-weight: 600; }
.none { color: var(--muted); font-style: italic; }
dl.codebook dt { font-weight: 600; margin-top: .8rem; }
dl.codebook dd { margin-bottom: .2rem; color: #333a42; }
dl.method dt { font-weight: 600; margin-top: .6rem; }
dl.method dd { margin-left: 1.4rem; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; }
  article.theme, figure.quote, tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  blockquote { background: none; border-left: 2px solid var(--rule); }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CodingId, DocId};

    fn row(id: i64, case: &str, start: usize, end: usize) -> SegmentRow {
        SegmentRow {
            document: format!("{case} interview"),
            case: case.into(),
            speaker: case.into(),
            timestamp: String::new(),
            code: "Theme".into(),
            start,
            end,
            text: "x".repeat(end - start),
            coder: "A".into(),
            memo: String::new(),
            created: String::new(),
            doc_id: DocId(1),
            coding_id: CodingId(id),
            id: String::new(),
            exemplar: false,
        }
    }

    #[test]
    fn quotes_go_round_the_cases_longest_first_exemplars_before_all() {
        let rows = [
            row(1, "P01", 0, 100),
            row(2, "P01", 200, 290),
            row(3, "P02", 0, 50),
            row(4, "P03", 0, 80),
            row(5, "P03", 100, 110),
        ];
        let refs: Vec<&SegmentRow> = rows.iter().collect();
        let ids: Vec<i64> = choose_quotes(&refs).iter().map(|r| r.coding_id.0).collect();
        assert_eq!(ids, [1, 4, 3, 2], "one per case first, longest case first");
        let mut rows = rows;
        rows[4].exemplar = true;
        let refs: Vec<&SegmentRow> = rows.iter().collect();
        let ids: Vec<i64> = choose_quotes(&refs).iter().map(|r| r.coding_id.0).collect();
        assert_eq!(ids, [5, 1, 4, 3]);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
    }
}
