//! `weft code ...`: the codebook, and applying codes one at a time or from a file of many.
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this module's job

use std::path::Path;

use anyhow::{Result, anyhow, bail};
use serde::{Deserialize, Serialize};

use super::{ApplyArgs, CodeCommand, open, open_for_edit};
use crate::actions::{Action, Outcome};
use crate::model::{CodingRow, Color};

#[derive(Serialize)]
struct CodeRow {
    path: String,
    color: String,
    description: String,
    codings: usize,
}

/// Runs a `weft code` command.
pub fn run(c: CodeCommand) -> Result<()> {
    match c {
        CodeCommand::Add {
            project,
            path,
            color,
            description,
        } => {
            let color = match color {
                Some(s) => Some(
                    Color::parse(&s)
                        .ok_or_else(|| anyhow!("“{s}” is not a colour like #4e79a7"))?,
                ),
                None => None,
            };
            open_for_edit(&project)?.apply(&Action::AddCodePath {
                path: path.clone(),
                color,
                description: description.unwrap_or_default(),
            })?;
            out!("added code {path}");
        }
        CodeCommand::List { project, json } => {
            let session = open(&project)?;
            let db = session.read();
            let tree = db.code_tree()?;
            let counts = db.coding_counts()?;
            let rows: Vec<CodeRow> = tree
                .codes
                .iter()
                .map(|c| CodeRow {
                    path: tree.path(c.id),
                    color: c.color.to_hex(),
                    description: c.description.clone(),
                    codings: counts.get(&c.id).copied().unwrap_or(0),
                })
                .collect();
            if json {
                out!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for (c, r) in tree.codes.iter().zip(rows) {
                    let depth = tree.depth(c.id);
                    out!(
                        "{}{}  {}  ({} coding{})",
                        "  ".repeat(depth),
                        c.name,
                        r.color,
                        r.codings,
                        if r.codings == 1 { "" } else { "s" }
                    );
                }
            }
        }
        CodeCommand::Apply(a) => apply(a)?,
    }
    Ok(())
}

fn apply(a: ApplyArgs) -> Result<()> {
    let rows = match &a.from {
        Some(file) => read_rows(file)?,
        None => {
            let (Some(doc), Some(code), Some(start), Some(end)) =
                (a.doc.clone(), a.code.clone(), a.start, a.end)
            else {
                bail!("say what to code: --doc, --code, --start and --end, or --from FILE");
            };
            vec![Ok(CodingRow {
                line: 0,
                doc,
                code,
                start,
                end,
                coder: a.coder.clone().unwrap_or_default(),
                memo: a.memo.clone().unwrap_or_default(),
            })]
        }
    };
    let mut refused: Vec<(usize, String)> = Vec::new();
    let mut good = Vec::with_capacity(rows.len());
    for r in rows {
        match r {
            Ok(row) => good.push(row),
            Err(e) => refused.push(e),
        }
    }
    let mut session = open_for_edit(&a.project)?;
    let (applied, more) = if good.is_empty() {
        (0, Vec::new())
    } else {
        match session.apply(&Action::ApplyCodings(good))?.outcome {
            Outcome::Codings { applied, refused } => (applied, refused),
            _ => (0, Vec::new()),
        }
    };
    refused.extend(more);
    refused.sort();
    if a.from.is_none() {
        if let Some((_, why)) = refused.first() {
            bail!("{why}");
        }
        out!(
            "coded {}..{} of {} with {}",
            a.start.unwrap_or(0),
            a.end.unwrap_or(0),
            a.doc.as_deref().unwrap_or(""),
            a.code.as_deref().unwrap_or("")
        );
        return Ok(());
    }
    out!(
        "applied {applied} coding{} as one undo step",
        if applied == 1 { "" } else { "s" }
    );
    if !refused.is_empty() {
        for (line, why) in &refused {
            eprintln!("refused line {line}: {why}");
        }
        bail!(
            "{} row{} refused (listed above); the others were applied",
            refused.len(),
            if refused.len() == 1 { " was" } else { "s were" }
        );
    }
    Ok(())
}

/// One row of a codings file, as written.
#[derive(Deserialize)]
struct RawRow {
    doc: String,
    code: String,
    start: usize,
    end: usize,
    #[serde(default)]
    coder: Option<String>,
    #[serde(default)]
    memo: Option<String>,
}

impl RawRow {
    fn into_row(self, line: usize) -> CodingRow {
        CodingRow {
            line,
            doc: self.doc,
            code: self.code,
            start: self.start,
            end: self.end,
            coder: self.coder.unwrap_or_default(),
            memo: self.memo.unwrap_or_default(),
        }
    }
}

type RowResult = std::result::Result<CodingRow, (usize, String)>;

/// Reads a CSV (with a header row) or JSON (an array of objects) file of codings. A row that
/// cannot be read is an `Err((line, why))`; a file that cannot be read at all is an error
/// naming it.
fn read_rows(file: &Path) -> Result<Vec<RowResult>> {
    let bytes = std::fs::read(file)
        .map_err(|e| anyhow!("cannot read the codings file ({e}): {}", file.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow!("the codings file is not UTF-8 text: {}", file.display()))?;
    let is_json = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('[');
    if is_json {
        read_json(&text).map_err(|e| anyhow!("{e}: {}", file.display()))
    } else {
        read_csv(&text).map_err(|e| anyhow!("{e}: {}", file.display()))
    }
}

fn read_csv(text: &str) -> Result<Vec<RowResult>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| anyhow!("the codings file has no readable header row ({e})"))?
        .clone();
    for need in ["doc", "code", "start", "end"] {
        if !headers.iter().any(|h| h == need) {
            bail!(
                "the codings file needs a header row with doc, code, start and end (and \
                 optionally coder, memo); “{need}” is missing"
            );
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as usize);
                rows.push(
                    r.deserialize::<RawRow>(Some(&headers))
                        .map(|raw| raw.into_row(line))
                        .map_err(|e| (line, row_error(&e.to_string()))),
                );
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                rows.push(Err((line, row_error(&e.to_string()))));
            }
        }
    }
    Ok(rows)
}

fn read_json(text: &str) -> Result<Vec<RowResult>> {
    let items: Vec<&serde_json::value::RawValue> = serde_json::from_str(text)
        .map_err(|e| anyhow!("the codings file is not a JSON array of rows ({e})"))?;
    let base = text.as_ptr() as usize;
    Ok(items
        .into_iter()
        .map(|raw| {
            let offset = (raw.get().as_ptr() as usize)
                .saturating_sub(base)
                .min(text.len());
            let line = text[..offset].matches('\n').count() + 1;
            serde_json::from_str::<RawRow>(raw.get())
                .map(|r| r.into_row(line))
                .map_err(|e| (line, row_error(&e.to_string())))
        })
        .collect())
}

fn row_error(detail: &str) -> String {
    format!("this row cannot be read ({detail})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_keep_their_lines() {
        let rows = read_csv(
            "doc,code,start,end,coder,memo\nP01,Trust,0,4,,\nP01,Trust,x,4,,\n\"P02\",\"A/B\",1,2,Ann,\"multi\nline\"\nP03,C,5,9,,\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0].as_ref().unwrap().line, 2);
        assert_eq!(rows[1].as_ref().unwrap_err().0, 3);
        assert_eq!(rows[2].as_ref().unwrap().memo, "multi\nline");
        assert_eq!(rows[3].as_ref().unwrap().line, 6);
        assert!(read_csv("a,b\n1,2\n").is_err(), "a missing column is named");
    }

    #[test]
    fn json_rows_keep_their_lines() {
        let rows = read_json(
            "[\n {\"doc\":\"P01\",\"code\":\"T\",\"start\":0,\"end\":4},\n {\"doc\":\"P01\",\"code\":\"T\",\"start\":-1,\"end\":4},\n\n {\"doc\":\"P02\",\"code\":\"T\",\"start\":1,\"end\":2,\"memo\":\"m\"}\n]",
        )
        .unwrap();
        assert_eq!(rows[0].as_ref().unwrap().line, 2);
        assert_eq!(rows[1].as_ref().unwrap_err().0, 3);
        assert_eq!(rows[2].as_ref().unwrap().line, 5);
        assert!(read_json("{}").is_err());
    }
}
