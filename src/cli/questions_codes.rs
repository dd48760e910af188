//! Questions about the coding: `weft query` (passages that satisfy a Boolean combination of
//! codes, optionally saved as a new code in one undoable step) and `weft cooccur` (which codes
//! are applied together).

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use clap::Args;

use super::{emit, open_for_edit, open_read_only};
use crate::actions::{Action, Outcome};
use crate::analysis::cooccur::{self, Mode, Options};
use crate::analysis::query::{self, Corpus};
use crate::export::Format;
use crate::export::segments;
use crate::model::CharRange;
use crate::session::Session;

/// `weft query`.
#[derive(Debug, Args)]
#[command(after_help = QUERY_HELP)]
pub struct QueryArgs {
    /// The project.
    pub project: PathBuf,
    /// The query, such as `"Trust AND Power"` or `'"Giving back" NEAR/100 (Trust OR Power)'`.
    pub query: String,
    /// A code also stands for its sub-codes' codings.
    #[arg(long)]
    pub subcodes: bool,
    /// Output format: the coded segments table's columns, the query as the code.
    #[arg(long, default_value = "md", value_parser = ["csv", "json", "md"])]
    pub format: String,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Save the passages as a code at this path (`Parent/Child`; made if new, added to if it
    /// exists, passages it already covers skipped), as one undoable step. Prints how many
    /// codings it made; the passages themselves are written only with -o.
    #[arg(long, value_name = "CODE")]
    pub save_as: Option<String>,
    /// With --save-as: the coder the new codings are attributed to (an existing coder;
    /// default: the project's default coder).
    #[arg(long, requires = "save_as")]
    pub coder: Option<String>,
}

const QUERY_HELP: &str = "\
Operators, tightest first: NOT, then AND and NEAR/N (left to right), then OR; parentheses group.
  A AND B     passages coded with both (the overlap of their codings)
  A OR B      passages coded with either (merged where they overlap or touch)
  A NOT B     passages of A not coded with B (the same as A AND NOT B); NOT A alone is
              the rest of each document's text
  A NEAR/N B  a passage of A and a passage of B with at most N characters between them
              (0 when they overlap or touch), returned as one span from the start of the
              first to the end of the second
A code is its path (Parent/Child) or its name where only one code has it. Write names with
spaces in double quotes: '\"Giving back\" AND Trust'. Operators may be written in lower case;
quote a code named like one (\"Not\").";

/// `weft cooccur`.
#[derive(Debug, Args)]
pub struct CooccurArgs {
    /// The project.
    pub project: PathBuf,
    /// When two codings co-occur: they share a character (overlap), touch the same speaker
    /// turn (turn; in a document without turns, the same paragraph: a line of text), or lie
    /// within --distance characters of each other (distance).
    #[arg(long, value_parser = ["overlap", "turn", "distance"])]
    pub mode: Option<String>,
    /// With --mode distance: the largest gap, in characters (alone, it implies distance).
    #[arg(long, value_name = "N")]
    pub distance: Option<usize>,
    /// Each code counts with its sub-codes' codings.
    #[arg(long)]
    pub aggregate: bool,
    /// Output format.
    #[arg(long, default_value = "md", value_parser = ["csv", "json", "md"])]
    pub format: String,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
}

/// The coder `--coder` names (it must exist: saving a query never adds a coder), else the
/// session's coder, else the project's only coder.
fn pick_coder(session: &Session, name: Option<&str>) -> Result<crate::model::CoderId> {
    let db = session.read();
    if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
        return db.coder_by_name(name)?.ok_or_else(|| {
            anyhow!("there is no coder “{name}” (`weft coder list` lists the coders)")
        });
    }
    if let Some(c) = session.coder() {
        return Ok(c);
    }
    match db.coders()?.as_slice() {
        [one] => Ok(one.id),
        [] => bail!(
            "the project has no coder yet to attribute the new codings to: code one passage \
             first (`weft code apply … --coder NAME`)"
        ),
        _ => bail!("say which coder the new codings are by: add --coder NAME"),
    }
}

/// Runs `weft query`.
pub fn query(a: QueryArgs) -> Result<()> {
    let expr = query::parse(&a.query)?;
    let mut session = if a.save_as.is_some() {
        open_for_edit(&a.project)?
    } else {
        open_read_only(&a.project)?
    };
    let corpus = Corpus::load(session.read())?;
    let result = corpus.evaluate(&expr, a.subcodes)?;
    let passages = corpus.in_order(&result);
    let format = Format::parse(&a.format).unwrap_or(Format::Markdown);
    let write = a.save_as.is_none() || a.output.is_some();
    if write {
        let shown = query::show(session.read(), &passages)?;
        let rows = crate::export::questions::query_rows(&shown, a.query.trim());
        let mut bytes = Vec::new();
        if format == Format::Markdown {
            bytes.extend(
                format!(
                    "## Coding query: {}\n\n{} passage{} in {} document{} {} the query{}. \
                     Each row is one passage: where the query holds, merged where passages \
                     overlap or touch.\n\n",
                    a.query.trim().replace('|', "\\|"),
                    passages.len(),
                    if passages.len() == 1 { "" } else { "s" },
                    result.len(),
                    if result.len() == 1 { "" } else { "s" },
                    if passages.len() == 1 {
                        "satisfies"
                    } else {
                        "satisfy"
                    },
                    if a.subcodes {
                        " (each code with its sub-codes)"
                    } else {
                        ""
                    }
                )
                .into_bytes(),
            );
        }
        bytes.extend(segments::encode(&rows, format, None)?);
        emit(a.output.as_deref(), &bytes, &a.project)?;
    }
    if let Some(path) = a.save_as {
        let path = crate::model::split_path(&path)
            .collect::<Vec<_>>()
            .join("/");
        if path.is_empty() {
            bail!("--save-as needs a code name");
        }
        let coder = pick_coder(&session, a.coder.as_deref())?;
        let ranges: Vec<_> = passages
            .iter()
            .filter_map(|p| CharRange::new(p.start, p.end).map(|r| (p.doc, r)))
            .collect();
        let applied = session.apply(&Action::CodeRanges {
            path: path.clone(),
            coder,
            ranges,
            label: format!("Save the query “{}” as “{path}”", a.query.trim()),
        })?;
        if let Outcome::Coded {
            created,
            documents,
            already,
            ..
        } = applied.outcome
        {
            let also = if already > 0 {
                format!(" ({already} already coded with it)")
            } else {
                String::new()
            };
            out!(
                "saved the query as “{path}”: {created} coding{} created in {documents} document{}{also}; `weft undo` takes them back",
                if created == 1 { "" } else { "s" },
                if documents == 1 { "" } else { "s" },
            );
        }
    }
    Ok(())
}

/// Runs `weft cooccur`.
pub fn cooccur(a: CooccurArgs) -> Result<()> {
    let mode = match (a.mode.as_deref(), a.distance) {
        (Some("turn"), None) => Mode::Turn,
        (Some("overlap") | None, None) => Mode::Overlap,
        (Some("distance") | None, Some(n)) => Mode::Distance(n),
        (Some("distance"), None) => {
            bail!("--mode distance needs the largest gap: add --distance N (in characters)")
        }
        (Some(m), Some(_)) => bail!("--distance goes with --mode distance, not --mode {m}"),
        (Some(m), None) => bail!("there is no mode “{m}”: say overlap, turn or distance"),
    };
    let session = open_read_only(&a.project)?;
    let m = cooccur::cooccurrence(
        session.read(),
        Options {
            mode,
            aggregate: a.aggregate,
        },
    )?;
    let bytes = match Format::parse(&a.format).unwrap_or(Format::Markdown) {
        Format::Json => m.to_json()?,
        Format::Csv => m.to_csv()?,
        _ => m.to_markdown().into_bytes(),
    };
    emit(a.output.as_deref(), &bytes, &a.project)
}
