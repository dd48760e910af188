//! `weft search` and `weft autocode`: project-wide search, keyword in context, and coding
//! every hit as one undoable step.
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this module's job

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use clap::Args;

use super::{emit, open, open_for_edit};
use crate::actions::{Action, Outcome};
use crate::analysis::search::{
    CodeUnit, SearchFilter, SearchMode, code_ranges, count_passages, search,
};
use crate::model::DocId;
use crate::session::Session;

/// The query language, for `--help`.
const QUERY_HELP: &str = "A word matches whole words, ignoring case and accents (cafe finds Café). \
\"a phrase\" matches words in a row, whatever punctuation lies between them. recover* matches \
words that start so. AND (or a space), OR, NOT (trust NOT power: with trust, without power), \
NEAR (within 10 words) and NEAR/5 combine within one speaker turn, or one paragraph where a \
document has no turns; brackets group. Operators are written in capitals. With --regex the \
query is a regular expression over the text ((?i) ignores case).";

/// What to search, shared by `search` and `autocode`.
#[derive(Debug, Args)]
pub struct SearchScope {
    /// Read the query as a regular expression over the stored text.
    #[arg(long)]
    regex: bool,
    /// Only this document (repeatable).
    #[arg(long = "doc", value_name = "NAME")]
    docs: Vec<String>,
    /// Only what belongs to this case (repeatable).
    #[arg(long = "case", value_name = "NAME")]
    cases: Vec<String>,
    /// Only what this speaker said (repeatable).
    #[arg(long = "speaker", value_name = "LABEL")]
    speakers: Vec<String>,
    /// Only where an attribute has this value, KEY=VALUE (repeatable; all must hold).
    #[arg(long = "where", value_name = "KEY=VALUE")]
    filters: Vec<String>,
}

/// `weft search P.weft QUERY`
#[derive(Debug, Args)]
#[command(after_help = QUERY_HELP)]
pub struct SearchArgs {
    /// The project.
    project: PathBuf,
    /// What to look for (see below).
    query: String,
    #[command(flatten)]
    scope: SearchScope,
    /// List at most this many hits (the total counts all).
    #[arg(long)]
    limit: Option<usize>,
    /// Output format.
    #[arg(long, default_value = "md", value_parser = ["csv", "json", "md"])]
    format: String,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

/// `weft autocode P.weft QUERY --code PATH`
#[derive(Debug, Args)]
#[command(after_help = QUERY_HELP)]
pub struct AutocodeArgs {
    /// The project.
    project: PathBuf,
    /// What to look for (as `weft search`).
    query: String,
    /// The code to apply (`Parent/Child`; made when it does not exist).
    #[arg(long)]
    code: String,
    /// What to code of each hit: the hit itself, its sentence, its paragraph or its speaker
    /// turn.
    #[arg(long, default_value = "match", value_parser = ["match", "sentence", "paragraph", "turn"])]
    unit: String,
    #[command(flatten)]
    scope: SearchScope,
    /// Attribute the codings to this coder (an existing one; default: the project's).
    #[arg(long)]
    coder: Option<String>,
    /// Say what would be coded, and change nothing.
    #[arg(long)]
    dry_run: bool,
}

fn filter_of(session: &Session, scope: &SearchScope) -> Result<SearchFilter> {
    let db = session.read();
    let docs = if scope.docs.is_empty() {
        None
    } else {
        Some(
            scope
                .docs
                .iter()
                .map(|d| {
                    let name = super::names::document_name(session, d)?;
                    Ok(db.require_document(&name)?)
                })
                .collect::<Result<Vec<DocId>>>()?,
        )
    };
    let cases = if scope.cases.is_empty() {
        None
    } else {
        Some(
            scope
                .cases
                .iter()
                .map(|c| db.require_case(c))
                .collect::<Result<_, _>>()?,
        )
    };
    if !scope.speakers.is_empty() {
        let mut known = std::collections::BTreeSet::new();
        for d in db.documents()? {
            for t in db.turns(d.id)? {
                known.insert(t.speaker.to_lowercase());
            }
        }
        for s in &scope.speakers {
            if !known.contains(&s.trim().to_lowercase()) {
                eprintln!(
                    "warning: no transcript has a speaker “{s}”; nothing they said can be found"
                );
            }
        }
    }
    Ok(SearchFilter {
        docs,
        cases,
        speakers: scope.speakers.clone(),
        attrs: super::filters::parse_where(session, &scope.filters)?,
    })
}

fn mode(scope: &SearchScope) -> SearchMode {
    if scope.regex {
        SearchMode::Regex
    } else {
        SearchMode::Words
    }
}

/// Runs `weft search`.
pub fn run_search(a: &SearchArgs) -> Result<()> {
    let session = open(&a.project)?;
    let filter = filter_of(&session, &a.scope)?;
    let result = search(session.read(), &a.query, mode(&a.scope), &filter, a.limit)?;
    let bytes = match a.format.as_str() {
        "json" => {
            let mut v = serde_json::to_vec_pretty(&result)?;
            v.push(b'\n');
            v
        }
        "csv" => crate::export::search::csv(&result)?,
        _ => crate::export::search::markdown(&result).into_bytes(),
    };
    emit(a.output.as_deref(), &bytes, &a.project)
}

/// Runs `weft autocode`.
pub fn run_autocode(a: &AutocodeArgs) -> Result<()> {
    let mut session = if a.dry_run {
        open(&a.project)?
    } else {
        open_for_edit(&a.project)?
    };
    let unit = CodeUnit::parse(&a.unit).ok_or_else(|| anyhow!("unknown unit “{}”", a.unit))?;
    let filter = filter_of(&session, &a.scope)?;
    let result = search(session.read(), &a.query, mode(&a.scope), &filter, None)?;
    if result.total == 0 {
        println!("Nothing found for “{}”: nothing coded.", a.query);
        return Ok(());
    }
    let ranges = code_ranges(session.read(), &result, unit)?;
    let coder = match a.coder.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(name) => session.read().coder_by_name(name)?.ok_or_else(|| {
            anyhow!("there is no coder “{name}”; `weft coder list` shows the coders")
        })?,
        None => match session.read().default_coder()? {
            Some(c) => c,
            None => bail!("the project has no coder to attribute the codings to; pass --coder"),
        },
    };
    if a.dry_run {
        let (passages, _) = count_passages(&ranges);
        println!(
            "Would code {} passage{} ({} hit{} in {} document{}, each {}) as “{}”, less any already coded so.",
            passages,
            if passages == 1 { "" } else { "s" },
            result.total,
            if result.total == 1 { "" } else { "s" },
            result.documents,
            if result.documents == 1 { "" } else { "s" },
            unit_words(unit),
            a.code
        );
        return Ok(());
    }
    session.set_coder(coder);
    let action = Action::CodeRanges {
        path: a.code.clone(),
        coder,
        ranges,
        label: format!("Auto-code “{}” as “{}”", a.query, a.code),
    };
    let applied = session.apply(&action)?;
    if let Outcome::Coded {
        created,
        documents,
        already,
        ..
    } = applied.outcome
    {
        print_coded(&a.code, created, documents, already);
    }
    Ok(())
}

fn unit_words(unit: CodeUnit) -> &'static str {
    match unit {
        CodeUnit::Match => "the words found",
        CodeUnit::Sentence => "its sentence",
        CodeUnit::Paragraph => "its paragraph",
        CodeUnit::Turn => "its speaker turn",
    }
}

fn print_coded(code: &str, created: usize, documents: usize, already: usize) {
    println!(
        "Created {created} coding{} in {documents} document{} as “{code}”{}. `weft undo` takes them back.",
        if created == 1 { "" } else { "s" },
        if documents == 1 { "" } else { "s" },
        if already > 0 {
            format!(
                " ({already} passage{} already coded so, left alone)",
                if already == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        }
    );
}

/// `weft similar P.weft --code PATH`
#[derive(Debug, Args)]
#[command(after_help = crate::analysis::similar::METHOD)]
pub struct SimilarArgs {
    /// The project.
    project: PathBuf,
    /// The code whose coded extracts the passages should be like (`Parent/Child`).
    #[arg(long)]
    code: String,
    /// What a passage is: a sentence, or a whole speaker turn.
    #[arg(long, default_value = "sentence", value_parser = ["sentence", "turn"])]
    unit: String,
    /// How many passages to list.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// The language of the transcripts, for stop words and stemming (two letters: en, fr,
    /// de, es, nl, sv, ...).
    #[arg(long, default_value = "en")]
    language: String,
    /// Output format.
    #[arg(long, default_value = "md", value_parser = ["csv", "json", "md"])]
    format: String,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

/// Runs `weft similar`.
pub fn run_similar(a: &SimilarArgs) -> Result<()> {
    use crate::analysis::similar::{SimilarUnit, similar};
    let session = open(&a.project)?;
    let code = session.read().require_code(&a.code)?;
    let unit = if a.unit == "turn" {
        SimilarUnit::Turn
    } else {
        SimilarUnit::Sentence
    };
    let r = similar(session.read(), code, unit, a.limit, &a.language)?;
    let bytes = match a.format.as_str() {
        "json" => {
            let mut v = serde_json::to_vec_pretty(&r)?;
            v.push(b'\n');
            v
        }
        "csv" => crate::export::questions::similar_csv(&r)?,
        _ => {
            let mut s = format!(
                "# Passages like “{}”\n\nFrom {} coded extract{}. The code's terms (stem: words, in how many of the project's {} turns): {}.\n\n",
                crate::export::md_cell(&r.code),
                r.extracts,
                if r.extracts == 1 { "" } else { "s" },
                r.units,
                r.terms
                    .iter()
                    .map(|t| format!("{} ({}; {})", t.stem, t.words.join(", "), t.units))
                    .collect::<Vec<_>>()
                    .join(" · ")
            );
            if r.passages.is_empty() {
                s.push_str("No passage outside the code shares its terms.\n");
            } else {
                s.push_str("| # | score | document | position | speaker | matched | passage |\n|---|---|---|---|---|---|---|\n");
                for (i, p) in r.passages.iter().enumerate() {
                    s.push_str(&format!(
                        "| {} | {:.2} | {} | {}–{} | {} | {} | {} |\n",
                        i + 1,
                        p.score,
                        crate::export::md_cell(&p.document),
                        p.start,
                        p.end,
                        crate::export::md_cell(p.speaker.as_deref().unwrap_or("")),
                        crate::export::md_cell(&crate::export::questions::matched_words(
                            &p.matched
                        )),
                        crate::export::md_cell(&p.text)
                    ));
                }
            }
            s.push_str(&format!("\n{}\n", r.method));
            s.into_bytes()
        }
    };
    emit(a.output.as_deref(), &bytes, &a.project)
}
