//! `weft crosstab` (codes by the values of an attribute) and `weft words` (word frequencies,
//! and keyword-in-context with `--kwic`).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;
use serde_json::{Value, json};

use super::{emit, names, open_read_only, scope_filter};
use crate::analysis::crosstab::{self, Crosstab, Measure, Percent};
use crate::analysis::words::{self, WordOptions, WordReport};

/// `weft crosstab`.
#[derive(Debug, Args)]
pub struct CrosstabArgs {
    /// The project.
    pub project: PathBuf,
    /// The attribute whose values make the columns (a case or document attribute).
    #[arg(long = "attr", value_name = "KEY")]
    pub attr: String,
    /// What each cell counts: codings (segments), distinct cases, or coverage (the coded
    /// text as a share of all the text with that value).
    #[arg(long, default_value = "segments", value_parser = ["segments", "cases", "coverage"])]
    pub measure: String,
    /// Show each cell as a percentage of its row's total (the code across all values) or of
    /// its column's total (all codes under one value).
    #[arg(long, value_parser = ["row", "col"])]
    pub percent: Option<String>,
    /// Output format.
    #[arg(long, default_value = "md", value_parser = ["csv", "json", "md"])]
    pub format: String,
    /// Count only this coder's codings.
    #[arg(long)]
    pub coder: Option<String>,
    /// Count only codings of this case (repeatable).
    #[arg(long)]
    pub case: Vec<String>,
    /// Count only where an attribute has this value, KEY=VALUE (repeatable; all must hold).
    #[arg(long = "where", value_name = "KEY=VALUE")]
    pub filters: Vec<String>,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
}

/// `weft words`.
#[derive(Debug, Args)]
pub struct WordsArgs {
    /// The project.
    pub project: PathBuf,
    /// Only the text coded with this code (`Parent/Child`); text that several codings of it
    /// cover counts once.
    #[arg(long)]
    pub code: Option<String>,
    /// Only this document (repeatable).
    #[arg(long)]
    pub doc: Vec<String>,
    /// The stop-word list to leave out (a language code: en, de, fr, ...), or `none` to keep
    /// every word.
    #[arg(long, default_value = "en", value_name = "LANG|none")]
    pub stopwords: String,
    /// Leave out words shorter than N characters.
    #[arg(long, default_value_t = words::DEFAULT_MIN_LENGTH, value_name = "N")]
    pub min_length: usize,
    /// Keep words made only of digits (years, ages, parts of timestamps), left out otherwise.
    #[arg(long)]
    pub numbers: bool,
    /// Count the words of speaker labels (`Interviewer:`) too, left out otherwise.
    #[arg(long)]
    pub labels: bool,
    /// List only the N most frequent words.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Instead of counting, list the occurrences of this word with the words around it
    /// (keyword in context).
    #[arg(long, value_name = "WORD")]
    pub kwic: Option<String>,
    /// Output format.
    #[arg(long, default_value = "md", value_parser = ["csv", "json", "md"])]
    pub format: String,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
}

/// Runs `weft crosstab`.
pub fn crosstab(a: CrosstabArgs) -> Result<()> {
    let session = open_read_only(&a.project)?;
    let filter = scope_filter(&session, a.coder, &a.case, &a.filters)?;
    let measure = Measure::parse(&a.measure).unwrap_or_default();
    let percent = a.percent.as_deref().and_then(Percent::parse);
    let table = crosstab::crosstab(session.read(), &a.attr, &filter)?;
    let bytes = match a.format.as_str() {
        "json" => {
            let mut s = serde_json::to_string_pretty(&crosstab_json(&table, measure, percent))?;
            s.push('\n');
            s.into_bytes()
        }
        "csv" => crate::export::questions::crosstab_csv(&table, measure, percent)?,
        _ => crosstab_md(&table, measure, percent).into_bytes(),
    };
    emit(a.output.as_deref(), &bytes, &a.project)
}

/// What the columns and percentages are, in one sentence each.
fn crosstab_note(t: &Crosstab, measure: Measure, percent: Option<Percent>) -> String {
    let mut s = format!(
        "Rows are codes, columns the values of “{}”; {}. A coding counts under a value when \
         its document or one of its cases has it (as `weft stats --where {}=VALUE` counts), so \
         a coding of a document shared by cases with different values counts under each; \
         “{}” holds the codings whose document and cases have no value.",
        t.attribute,
        measure.explanation(),
        t.attribute,
        crosstab::NO_VALUE
    );
    match percent {
        Some(Percent::Row) => s.push_str(
            " Percentages are of each row's total: the code's cells across all the columns.",
        ),
        Some(Percent::Col) => s.push_str(
            " Percentages are of each column's total: all the codes' cells under that value.",
        ),
        None => {}
    }
    s
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn crosstab_json(t: &Crosstab, measure: Measure, percent: Option<Percent>) -> Value {
    let table = t.table(measure, percent);
    let rows: Vec<Value> = t
        .rows
        .iter()
        .zip(&table)
        .map(|(r, nums)| {
            let cells: Vec<Value> = match (percent, measure) {
                (Some(_), _) => nums.iter().map(|v| json!(round2(*v))).collect(),
                (None, Measure::Coverage) => r.cells.iter().map(|c| json!(c.coverage)).collect(),
                (None, Measure::Segments) => r.cells.iter().map(|c| json!(c.segments)).collect(),
                (None, Measure::Cases) => r.cells.iter().map(|c| json!(c.cases)).collect(),
            };
            json!({"path": r.path, "cells": cells})
        })
        .collect();
    let mut out = json!({
        "attribute": t.attribute,
        "measure": measure.name(),
        "values": t.values,
        "rows": rows,
        "note": crosstab_note(t, measure, percent),
    });
    if let (Some(p), Some(o)) = (percent, out.as_object_mut()) {
        o.insert("percent".into(), json!(p.name()));
    }
    out
}

fn crosstab_md(t: &Crosstab, measure: Measure, percent: Option<Percent>) -> String {
    let mut s = format!(
        "## Codes by {} ({}{})\n\n{}\n\n| Code |",
        t.attribute,
        measure.name(),
        percent.map_or(String::new(), |p| format!(", % of {}", p.name())),
        crosstab_note(t, measure, percent)
    );
    for i in 0..t.values.len() {
        let _ = write!(s, " {} |", crate::export::md_cell(&t.heading(i)));
    }
    s.push_str("\n|---|");
    s.push_str(&"---:|".repeat(t.values.len()));
    s.push('\n');
    for (r, nums) in t.rows.iter().zip(t.table(measure, percent)) {
        let _ = write!(
            s,
            "| {}{} |",
            "— ".repeat(r.depth),
            crate::export::md_cell(&r.path)
        );
        for v in nums {
            let _ = write!(
                s,
                " {} |",
                crate::export::questions::cell_text(v, measure, percent, true)
            );
        }
        s.push('\n');
    }
    s
}

/// Runs `weft words`.
pub fn words(a: WordsArgs) -> Result<()> {
    let session = open_read_only(&a.project)?;
    let db = session.read();
    let code = match &a.code {
        Some(path) => Some(db.require_code(path)?),
        None => None,
    };
    let docs = if a.doc.is_empty() {
        None
    } else {
        let mut ids = Vec::new();
        for d in &a.doc {
            ids.push(db.require_document(&names::document_name(&session, d)?)?);
        }
        Some(ids)
    };
    let stopwords = match a.stopwords.trim() {
        s if s.eq_ignore_ascii_case("none") => None,
        s => Some(s.to_owned()),
    };
    let opts = WordOptions {
        code,
        docs,
        stopwords,
        min_length: a.min_length,
        numbers: a.numbers,
        labels: a.labels,
        limit: a.limit,
    };
    if let Some(word) = &a.kwic {
        if word.trim().is_empty() {
            bail!("--kwic needs a word");
        }
        return kwic(&a, db, &opts, word.trim());
    }
    let report = words::words(db, &opts)?;
    let bytes = match a.format.as_str() {
        "json" => {
            let mut s = serde_json::to_string_pretty(&json!({
                "totals": report.totals,
                "options": {
                    "code": a.code,
                    "documents": a.doc,
                    "stopwords": opts.stopwords,
                    "min_length": opts.min_length,
                    "numbers": opts.numbers,
                    "labels": opts.labels,
                    "limit": opts.limit,
                },
                "note": words_note(&opts),
                "words": report.words,
            }))?;
            s.push('\n');
            s.into_bytes()
        }
        "csv" => crate::export::questions::words_csv(&report)?,
        _ => words_md(&report, &opts, a.code.as_deref()).into_bytes(),
    };
    emit(a.output.as_deref(), &bytes, &a.project)
}

fn words_note(opts: &WordOptions) -> String {
    format!(
        "count: times the word occurs; documents: documents it occurs in. Words are lowercased; \
         {}; words made only of digits are {}; words shorter than {} characters are left out; \
         speaker labels are {}.",
        match &opts.stopwords {
            Some(l) => format!("stop words ({l}) are left out"),
            None => "stop words are kept".into(),
        },
        if opts.numbers { "kept" } else { "left out" },
        opts.min_length,
        if opts.labels { "counted" } else { "left out" }
    )
}

fn words_md(r: &WordReport, opts: &WordOptions, code: Option<&str>) -> String {
    let mut s = format!(
        "## Word frequencies{}\n\n{} words in {} documents; {} distinct words listed{}. {}\n\n\
         | Word | Count | Documents |\n|---|---:|---:|\n",
        code.map_or(String::new(), |c| format!(
            " in the text coded {}",
            crate::export::md_cell(c)
        )),
        r.totals.words,
        r.totals.documents,
        r.totals.distinct,
        if r.words.len() < r.totals.distinct {
            format!(" (the {} most frequent shown)", r.words.len())
        } else {
            String::new()
        },
        words_note(opts)
    );
    for w in &r.words {
        let _ = writeln!(
            s,
            "| {} | {} | {} |",
            crate::export::md_cell(&w.word),
            w.count,
            w.documents
        );
    }
    s
}

fn kwic(a: &WordsArgs, db: crate::store::Db<'_>, opts: &WordOptions, word: &str) -> Result<()> {
    let cap = a.limit.unwrap_or(usize::MAX);
    let (lines, total) = words::keyword_in_context(db, opts, word, 6, cap)?;
    let names: HashMap<_, _> = db
        .documents()?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let name = |id| names.get(&id).cloned().unwrap_or_default();
    let bytes = match a.format.as_str() {
        "json" => {
            let rows: Vec<Value> = lines
                .iter()
                .map(|l| {
                    json!({"document": name(l.doc), "start": l.start, "end": l.end,
                           "before": l.before, "word": l.word, "after": l.after})
                })
                .collect();
            let mut s = serde_json::to_string_pretty(
                &json!({"word": word, "total": total, "lines": rows}),
            )?;
            s.push('\n');
            s.into_bytes()
        }
        "csv" => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(["document", "start", "end", "before", "word", "after"])?;
            for l in &lines {
                w.write_record([
                    name(l.doc),
                    l.start.to_string(),
                    l.end.to_string(),
                    l.before.clone(),
                    l.word.clone(),
                    l.after.clone(),
                ])?;
            }
            w.into_inner()?
        }
        _ => {
            let mut s = format!(
                "## “{}” in context\n\n{total} occurrences{}; positions are characters.\n\n\
                 | Document | Position | Before | Word | After |\n|---|---:|---:|---|---|\n",
                crate::export::md_cell(word),
                if lines.len() < total {
                    format!(", the first {} shown", lines.len())
                } else {
                    String::new()
                }
            );
            for l in &lines {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | **{}** | {} |",
                    crate::export::md_cell(&name(l.doc)),
                    l.start,
                    crate::export::md_cell(&l.before),
                    crate::export::md_cell(&l.word),
                    crate::export::md_cell(&l.after)
                );
            }
            s.into_bytes()
        }
    };
    emit(a.output.as_deref(), &bytes, &a.project)
}
