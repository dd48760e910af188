//! The teaching portfolio (`weft portfolio P -o portfolio.html`): one self-contained page a
//! lecturer can grade, in the order of the analysis: familiarisation notes (document memos and
//! how far each transcript was read), the codebook with its definitions, how the themes evolved
//! (the audit trail), the thematic map, each theme's concept, definition, boundaries and
//! extracts, and the journal with each entry's phase. Styles are inline and the map is an
//! inline SVG: the page makes no request of any kind, and every name and text is escaped.
//!
//! Extracts per theme: the exemplars the researcher marked first, then up to
//! [`OTHER_EXTRACTS`] more, one per participant in turn, longest first, labelled as further
//! extracts (not exemplars); extracts reviewed as not fitting the theme are left out.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use super::Result;
use super::audit::{audit_trail, date_time};
use super::html_report::{CSS, codebook_section, esc};
use super::themes_table::{TABLE_CSS, pick_exemplars, theme_table, to_html_table};
use crate::analysis::themes::{Extract, theme_extracts};
use crate::model::{MemoTarget, PHASES, ProjectRead, ThemeStatus, Verdict, theme_order};

/// Further extracts shown per theme after its exemplars, at most.
pub const OTHER_EXTRACTS: usize = 4;

/// The portfolio of the project file `project` as one HTML page.
pub fn portfolio(read: impl ProjectRead, project: &Path) -> Result<String> {
    let trail = audit_trail(&read, project)?;
    let tree = read.code_tree()?;
    let docs = read.documents()?;
    let memos = read.memos()?;
    let coders: HashMap<_, _> = read.coders()?.into_iter().map(|c| (c.id, c.name)).collect();
    let title = trail.title.clone();

    let mut h = String::with_capacity(64 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(h, "<title>{} — analysis portfolio</title>", esc(&title));
    h.push_str("<style>\n");
    h.push_str(CSS);
    h.push_str(TABLE_CSS);
    h.push_str(PORTFOLIO_CSS);
    h.push_str("</style>\n</head>\n<body>\n<main>\n");
    let _ = writeln!(
        h,
        "<header>\n<p class=\"kicker\">Thematic analysis portfolio</p>\n<h1>{}</h1>",
        esc(&title)
    );
    h.push_str("<dl class=\"facts\">\n");
    let authors: Vec<&str> = coders.values().map(String::as_str).collect();
    for (k, v) in [
        ("Project", trail.project.clone()),
        ("Coders", {
            let mut a = authors.clone();
            a.sort_unstable();
            if a.is_empty() {
                "—".to_owned()
            } else {
                a.join(", ")
            }
        }),
        (
            "Data",
            format!(
                "{} document{}, {} code{}",
                docs.len(),
                if docs.len() == 1 { "" } else { "s" },
                tree.codes.len(),
                if tree.codes.len() == 1 { "" } else { "s" }
            ),
        ),
        ("Exported", trail.exported.clone()),
        ("Weft", trail.weft_version.clone()),
    ] {
        let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
    }
    h.push_str("</dl>\n</header>\n");
    h.push_str(
        "<nav><a href=\"#familiarisation\">1 Familiarisation</a> · <a href=\"#codebook\">2 Codebook</a> · \
         <a href=\"#evolution\">3 How the themes evolved</a> · <a href=\"#map\">4 Thematic map</a> · \
         <a href=\"#themes\">5 Themes</a> · <a href=\"#journal\">6 Journal</a></nav>\n",
    );

    // 1. Familiarisation.
    h.push_str("<section id=\"familiarisation\">\n<h2>Familiarisation notes</h2>\n");
    let readings: HashMap<String, crate::model::Reading> = read
        .readings()?
        .into_iter()
        .map(|r| (r.doc_guid.clone(), r))
        .collect();
    let mut doc_memos: BTreeMap<crate::model::DocId, Vec<&crate::model::Memo>> = BTreeMap::new();
    for m in &memos {
        if let MemoTarget::Document(d) = m.target {
            doc_memos.entry(d).or_default().push(m);
        }
    }
    if docs.is_empty() {
        h.push_str("<p class=\"none\">No documents yet.</p>\n");
    }
    for d in &docs {
        let reading = match readings.get(&d.guid) {
            Some(r) if r.finished_at.is_some() => format!(
                "read to the end on {}",
                date_time(r.finished_at.as_deref().unwrap_or_default()).0
            ),
            Some(r) if d.char_len > 0 => format!(
                "read {}% so far",
                (r.furthest.min(d.char_len) * 100) / d.char_len
            ),
            _ => "not opened in Weft".to_owned(),
        };
        let _ = writeln!(
            h,
            "<article class=\"doc\"><h3>{}</h3><p class=\"counts\">{} words · {}</p>",
            esc(&d.name),
            d.word_count,
            esc(&reading)
        );
        let mut any = false;
        if !d.memo.trim().is_empty() {
            any = true;
            let _ = writeln!(h, "<div class=\"note\">{}</div>", esc(d.memo.trim()));
        }
        let mut ms = doc_memos.remove(&d.id).unwrap_or_default();
        ms.sort_by(|a, b| a.created_at.cmp(&b.created_at));
        for m in ms {
            any = true;
            let _ = writeln!(
                h,
                "<div class=\"note\"><strong>{}</strong> <span class=\"who\">{} · {}</span>\n{}</div>",
                esc(m.title.trim()),
                esc(m
                    .coder
                    .and_then(|c| coders.get(&c))
                    .map_or("unknown coder", String::as_str)),
                esc(&date_time(&m.created_at).0),
                esc(m.body.trim())
            );
        }
        if !any {
            h.push_str("<p class=\"none\">No familiarisation notes on this document.</p>\n");
        }
        h.push_str("</article>\n");
    }
    h.push_str("</section>\n");

    // 2. Codebook.
    codebook_section(&mut h, &tree);

    // 3. Evolution.
    h.push_str("<section id=\"evolution\">\n<h2>How the themes evolved</h2>\n");
    h.push_str("<p class=\"lead\">Every change to the codebook and the themes, as Weft recorded it (undone edits are not listed), with the journal notes written along the way. Times in UTC.</p>\n");
    h.push_str(&trail.to_html(false));
    h.push_str("</section>\n");

    // 4. Map.
    h.push_str("<section id=\"map\">\n<h2>Thematic map</h2>\n");
    match super::map_svg::map_svg(&read) {
        Ok(svg) => {
            let _ = writeln!(h, "<figure class=\"map\">{}</figure>", inline_svg(&svg));
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

    // 5. Themes.
    h.push_str("<section id=\"themes\">\n<h2>Themes</h2>\n");
    let table = theme_table(&read)?;
    h.push_str(&to_html_table(&table));
    let themes = read.themes()?;
    let names: HashMap<_, _> = themes.iter().map(|t| (t.id, t.name.clone())).collect();
    for (depth, t) in theme_order(&themes) {
        if t.status == ThemeStatus::Discarded {
            continue;
        }
        let _ = writeln!(
            h,
            "<article class=\"theme\" style=\"border-color:{}\">\n<h3>{}{}</h3>\n<p class=\"counts\">{}{} · {} linked code{}</p>",
            esc(&t.color.to_hex()),
            if depth > 0 { "↳ " } else { "" },
            esc(&t.name),
            esc(t.status.label()),
            t.parent
                .and_then(|p| names.get(&p))
                .map(|p| format!(" · sub-theme of “{}”", esc(p)))
                .unwrap_or_default(),
            t.codes.len(),
            if t.codes.len() == 1 { "" } else { "s" }
        );
        h.push_str("<dl class=\"defs\">\n");
        for (k, v) in [
            ("Central organising concept", &t.concept),
            ("Definition", &t.definition),
            ("Boundaries (what it is not)", &t.boundaries),
        ] {
            let _ = writeln!(
                h,
                "<dt>{}</dt><dd>{}</dd>",
                esc(k),
                if v.trim().is_empty() {
                    "<span class=\"none\">Not written yet.</span>".to_owned()
                } else {
                    esc(v.trim())
                }
            );
        }
        h.push_str("</dl>\n");
        let extracts = theme_extracts(&read, t.id)?;
        extracts_html(&mut h, &extracts);
        h.push_str("</article>\n");
    }
    h.push_str("</section>\n");

    // 6. Journal.
    h.push_str("<section id=\"journal\">\n<h2>Journal</h2>\n");
    let mut journal: Vec<&crate::model::Memo> = memos
        .iter()
        .filter(|m| matches!(m.target, MemoTarget::Project))
        .collect();
    journal.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    if journal.is_empty() {
        h.push_str("<p class=\"none\">No journal entries yet.</p>\n");
    }
    for m in journal {
        let phase = m
            .phase
            .and_then(|p| {
                PHASES
                    .get(usize::from(p).checked_sub(1)?)
                    .map(|n| format!("<span class=\"phase\">Phase {p}, {}</span> ", esc(n)))
            })
            .unwrap_or_default();
        let (date, time) = date_time(&m.created_at);
        let _ = writeln!(
            h,
            "<article class=\"entry\"><h3>{phase}{}</h3><p class=\"counts\">{} · {date} {time}</p><div class=\"note\">{}</div></article>",
            esc(m.title.trim()),
            esc(m
                .coder
                .and_then(|c| coders.get(&c))
                .map_or("unknown coder", String::as_str)),
            esc(m.body.trim())
        );
    }
    h.push_str("</section>\n");

    let _ = writeln!(
        h,
        "<footer>Made by Weft {} on {}, offline, from {}.</footer>",
        esc(&trail.weft_version),
        esc(&trail.exported),
        esc(&trail.project)
    );
    h.push_str("</main>\n</body>\n</html>\n");
    Ok(h)
}

/// An SVG document as an inline element: from its `<svg` on (no XML declaration or doctype).
pub(crate) fn inline_svg(svg: &str) -> &str {
    svg.find("<svg").map_or("", |i| &svg[i..])
}

/// A theme's extracts: exemplars, then further ones, one participant at a time.
fn extracts_html(h: &mut String, extracts: &[Extract]) {
    let usable: Vec<&Extract> = extracts
        .iter()
        .filter(|e| !matches!(e.verdict, Some(Verdict::Misfit | Verdict::Elsewhere)))
        .collect();
    if usable.is_empty() {
        h.push_str("<p class=\"none\">No extracts: no coded passage of its codes yet.</p>\n");
        return;
    }
    let exemplars = pick_exemplars(extracts);
    let mut shown: HashSet<_> = exemplars.iter().map(|e| e.coding).collect();
    if exemplars.is_empty() {
        h.push_str("<p class=\"none\">No exemplar chosen yet.</p>\n");
    }
    for e in &exemplars {
        quote(h, e, true);
    }
    // Per case, longest first; then one from each case per round.
    let mut per_case: BTreeMap<String, Vec<&Extract>> = BTreeMap::new();
    for e in usable.iter().filter(|e| !shown.contains(&e.coding)) {
        per_case.entry(e.cases.join(", ")).or_default().push(e);
    }
    for list in per_case.values_mut() {
        list.sort_by_key(|e| std::cmp::Reverse(e.end - e.start));
    }
    let mut others = Vec::new();
    let mut round = 0;
    while others.len() < OTHER_EXTRACTS {
        let mut any = false;
        for list in per_case.values() {
            if let Some(e) = list.get(round) {
                any = true;
                if others.len() < OTHER_EXTRACTS && shown.insert(e.coding) {
                    others.push(*e);
                }
            }
        }
        if !any {
            break;
        }
        round += 1;
    }
    if !others.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"sub\">Further extracts ({} of {})</p>",
            others.len(),
            usable.len() - exemplars.len()
        );
        for e in others {
            quote(h, e, false);
        }
    }
}

fn quote(h: &mut String, e: &Extract, exemplar: bool) {
    let mut cite = Vec::new();
    if !e.cases.is_empty() {
        cite.push(format!("case {}", esc(&e.cases.join(", "))));
    }
    cite.push(esc(&e.document));
    cite.push(format!("<em>{}</em>", esc(&e.code)));
    let _ = writeln!(
        h,
        "<figure class=\"quote\"><blockquote>{}</blockquote><figcaption>{}{}</figcaption></figure>",
        esc(e.text.trim()),
        cite.join(" · "),
        if exemplar {
            " · <span class=\"ex\">exemplar</span>"
        } else {
            ""
        }
    );
}

const PORTFOLIO_CSS: &str = r#"
main { max-width: 72rem; }
p.kicker { margin: 0; color: var(--muted); text-transform: uppercase; letter-spacing: .08em; font-size: .8rem; }
p.lead { color: var(--muted); }
article.doc, article.entry { margin: 1.2rem 0; }
article.doc h3, article.entry h3 { font-size: 1.05rem; }
div.note { white-space: pre-wrap; background: var(--soft); border-radius: 4px; padding: .5rem .8rem; margin: .4rem 0; }
.who { color: var(--muted); font-weight: 400; font-size: .9rem; }
.phase { display: inline-block; font-size: .75rem; font-weight: 600; color: #1f4e79; background: #e3edf7; border-radius: 3px; padding: .05rem .4rem; margin-right: .3rem; vertical-align: middle; }
h4 { margin: 1.2rem 0 .3rem; font-size: .95rem; color: var(--muted); }
ol.trail { list-style: none; padding: 0; margin: 0; }
ol.trail li { padding: .25rem 0 .25rem .9rem; border-left: 3px solid var(--rule); margin: 0 0 .2rem; }
ol.trail li.k-merged, ol.trail li.k-split, ol.trail li.k-renamed { border-left-color: #c28e0e; }
ol.trail li.k-status { border-left-color: #1d6b35; }
ol.trail li.k-journal { border-left-color: #1f4e79; }
ol.trail .when { font-variant-numeric: tabular-nums; color: var(--muted); font-size: .85rem; }
ol.trail blockquote { margin: .3rem 0 .2rem; font-size: .92rem; }
figure.map svg { max-width: 100%; height: auto; border: 1px solid var(--rule); border-radius: 4px; }
dl.defs dt { font-weight: 600; margin-top: .5rem; font-size: .9rem; }
dl.defs dd { margin: 0 0 .2rem 0; white-space: pre-wrap; }
p.sub { font-weight: 600; font-size: .9rem; margin: 1rem 0 0; color: var(--muted); }
@media print { article.doc, article.entry, ol.trail li { break-inside: avoid; } }
"#;
