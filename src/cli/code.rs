//! `weft code ...`: the codebook, and applying codes one at a time or from a file of many.
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this module's job

use std::path::Path;

use anyhow::{Result, anyhow, bail};
use serde::{Deserialize, Serialize};

use super::{ApplyArgs, CodeCommand, open_for_edit, open_read_only};
use crate::actions::{Action, Outcome};
use crate::model::{CodingFilter, CodingId, CodingRow, Color};
use crate::session::Session;

#[derive(Serialize)]
struct CodeRow {
    path: String,
    color: String,
    description: String,
    codings: usize,
}

/// Arguments of `weft code exemplar`.
#[derive(Debug, clap::Args)]
pub struct ExemplarArgs {
    /// The project.
    project: std::path::PathBuf,
    /// The coding's id (as `code apply` prints it) or GUID (the `id` column of `segments`).
    coding: String,
    /// Clear the mark instead of setting it.
    #[arg(long)]
    unset: bool,
}

/// `weft code exemplar`: marks (or unmarks) one coding, one undo step; prints one line.
fn exemplar(a: ExemplarArgs) -> Result<()> {
    let mut session = open_for_edit(&a.project)?;
    let coding = super::coding::require(&session, &a.coding)?;
    let was = session.read().is_exemplar(coding)?;
    let exemplar = !a.unset;
    if was == exemplar {
        out!(
            "coding {coding} is {}an exemplar already; nothing changed",
            if exemplar { "" } else { "not " }
        );
        return Ok(());
    }
    session.apply(&Action::MarkExemplar { coding, exemplar })?;
    if exemplar {
        out!("coding {coding} is marked as an exemplar");
    } else {
        out!("coding {coding} is no longer an exemplar");
    }
    Ok(())
}

/// Runs a `weft code` command.
pub fn run(c: CodeCommand) -> Result<()> {
    match c {
        CodeCommand::Import {
            project,
            codebook,
            json,
        } => import_codebook(&project, &codebook, json)?,
        CodeCommand::Add {
            project,
            path,
            color,
            description,
            exist_ok,
        } => {
            let mut session = open_for_edit(&project)?;
            if exist_ok && session.read().code_by_path(&path)?.is_some() {
                out!("the code {path} already exists; nothing changed");
                return Ok(());
            }
            let color = match color {
                Some(s) => Some(
                    Color::parse(&s)
                        .ok_or_else(|| anyhow!("“{s}” is not a colour like #4e79a7"))?,
                ),
                None => None,
            };
            session.apply(&Action::AddCodePath {
                path: path.clone(),
                color,
                description: description.unwrap_or_default(),
            })?;
            out!("added code {path}");
        }
        CodeCommand::List { project, json } => {
            let session = open_read_only(&project)?;
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
        CodeCommand::Exemplar(a) => exemplar(a)?,
        CodeCommand::Rename {
            project,
            path,
            name,
            note,
        } => {
            let mut session = open_for_edit(&project)?;
            let code = session.read().require_code(&path)?;
            let action = Action::RenameCode {
                code,
                name: name.clone(),
            };
            session.apply(&action.with_note(note))?;
            out!("renamed code {path} to {name}");
        }
        CodeCommand::Move {
            project,
            path,
            under,
            top: _,
            index,
        } => {
            let mut session = open_for_edit(&project)?;
            let code = session.read().require_code(&path)?;
            let parent = under
                .as_deref()
                .map(|p| session.read().require_code(p))
                .transpose()?;
            session.apply(&Action::MoveCode {
                code,
                parent,
                index,
            })?;
            let tree = session.read().code_tree()?;
            out!("moved code {path} to {}", tree.path(code));
        }
        CodeCommand::Merge {
            project,
            source,
            target,
            note,
        } => {
            let mut session = open_for_edit(&project)?;
            let s = session.read().require_code(&source)?;
            let t = session.read().require_code(&target)?;
            if s == t {
                bail!("cannot merge the code “{source}” into itself");
            }
            let action = Action::MergeCodes {
                source: s,
                target: t,
            };
            session.apply(&action.with_note(note))?;
            out!("merged code {source} into {target}");
        }
        CodeCommand::Split {
            project,
            path,
            name,
            codings,
            note,
        } => {
            let mut session = open_for_edit(&project)?;
            let code = session.read().require_code(&path)?;
            let codings = codings
                .iter()
                .map(|c| super::coding::require(&session, c.trim()))
                .collect::<Result<Vec<_>>>()?;
            let n = codings.len();
            let action = Action::SplitCode {
                code,
                name: name.clone(),
                codings,
            };
            session.apply(&action.with_note(note))?;
            out!(
                "split {path}: {n} coding(s) moved to the new code {}",
                name.trim()
            );
        }
        CodeCommand::Delete { project, path } => {
            let mut session = open_for_edit(&project)?;
            let code = session.read().require_code(&path)?;
            session.apply(&Action::DeleteCode(code))?;
            out!(
                "deleted code {path} (with its sub-codes and codings; `weft undo` brings it back)"
            );
        }
        CodeCommand::Color {
            project,
            path,
            color,
        } => {
            let c = Color::parse(&color)
                .ok_or_else(|| anyhow!("“{color}” is not a colour like #4e79a7"))?;
            let mut session = open_for_edit(&project)?;
            let code = session.read().require_code(&path)?;
            session.apply(&Action::RecolorCode { code, color: c })?;
            out!("{path} is now {}", c.to_hex());
        }
        CodeCommand::Describe {
            project,
            path,
            description,
        } => {
            let mut session = open_for_edit(&project)?;
            let code = session.read().require_code(&path)?;
            session.apply(&Action::DescribeCode { code, description })?;
            out!("description of {path} set");
        }
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
    // Document names as typed (`interview_001.txt`) become the stored names; a single
    // coding's unknown document is refused with close names, a file's rows by line.
    let mut known: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for row in &mut good {
        if let Some(name) = known.get(&row.doc) {
            row.doc.clone_from(name);
        } else {
            match super::names::document_name(&session, &row.doc) {
                Ok(name) => {
                    known.insert(std::mem::replace(&mut row.doc, name.clone()), name);
                }
                Err(e) if a.from.is_none() => return Err(e),
                Err(_) => {
                    known.insert(row.doc.clone(), row.doc.clone());
                }
            }
        }
    }
    let doc_name = good.first().map(|r| r.doc.clone());
    let before = coding_total(&session)?;
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
    // The store answers an exact repeat (same document, range, code and coder) with the
    // existing coding: count what was really added.
    let added = coding_total(&session)?.saturating_sub(before);
    let repeated = applied.saturating_sub(added);
    if a.from.is_none() {
        if let Some((_, why)) = refused.first() {
            bail!("{why}");
        }
        let (start, end) = (a.start.unwrap_or(0), a.end.unwrap_or(0));
        let doc = doc_name.as_deref().or(a.doc.as_deref()).unwrap_or("");
        let code = a.code.as_deref().unwrap_or("");
        let id = find_coding(&session, doc, code, a.coder.as_deref(), start, end)?;
        let id = id.map(|i| format!("coding {i}")).unwrap_or_default();
        if repeated > 0 {
            out!("already coded; nothing added ({id}: {start}..{end} of {doc} with {code})");
        } else {
            out!("{id}: coded {start}..{end} of {doc} with {code}");
        }
        return Ok(());
    }
    out!(
        "applied {added} coding{} as one undo step",
        if added == 1 { "" } else { "s" }
    );
    if repeated > 0 {
        out!(
            "{repeated} row{} already coded (same document, range, code and coder); nothing added for {}",
            if repeated == 1 { " was" } else { "s were" },
            if repeated == 1 { "it" } else { "them" }
        );
    }
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

/// How many codings the project has.
fn coding_total(session: &Session) -> Result<usize> {
    Ok(session.read().coding_counts()?.values().sum())
}

/// The id of the coding of `doc` with `code` on exactly `start..end` by `coder` (the default
/// coder when `None`).
fn find_coding(
    session: &Session,
    doc: &str,
    code: &str,
    coder: Option<&str>,
    start: usize,
    end: usize,
) -> Result<Option<CodingId>> {
    let db = session.read();
    let (Some(doc), Some(code)) = (db.document_by_name(doc)?, db.code_by_path(code)?) else {
        return Ok(None);
    };
    let coder = match coder.map(str::trim).filter(|c| !c.is_empty()) {
        Some(name) => db.coder_by_name(name)?,
        None => db.default_coder()?,
    };
    Ok(db
        .codings(&CodingFilter {
            doc: Some(doc),
            codes: Some(vec![code]),
            coder,
        })?
        .into_iter()
        .filter(|c| c.start == start && c.end == end)
        .map(|c| c.id)
        .max())
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

#[derive(Serialize)]
struct CodebookImport {
    /// Codes in the codebook file.
    codes: usize,
    /// Codes created in the project.
    created: usize,
    /// Codes that were already there (same GUID or same path).
    merged: usize,
    /// What was skipped, with counts.
    skipped: std::collections::BTreeMap<String, usize>,
    /// Warnings.
    warnings: Vec<String>,
}

/// `weft code import P X.qdc`: merges the codebook's codes by GUID, then by path, as one
/// action.
fn import_codebook(project: &Path, codebook: &Path, json: bool) -> Result<()> {
    let (codes, report) = crate::import::qdpx::read_codebook(codebook)?;
    let mut session = open_for_edit(project)?;
    let bundle = merge_codebook(&session, codes)?;
    let total = bundle.codes.len();
    let label = format!(
        "Import codebook “{}”",
        codebook
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    );
    let applied = session.apply(&Action::AddContent {
        label,
        bundle: Box::new(bundle),
    })?;
    let created = match applied.outcome {
        Outcome::Content(r) => r.codes_created,
        _ => 0,
    };
    let summary = CodebookImport {
        codes: total,
        created,
        merged: total - created.min(total),
        skipped: report.skipped,
        warnings: report.warnings,
    };
    if json {
        out!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        out!(
            "{} codes in {}: {} added, {} already in the codebook",
            summary.codes,
            codebook.display(),
            summary.created,
            summary.merged
        );
        for (why, n) in &summary.skipped {
            out!("skipped {n} × {why}");
        }
        for w in &summary.warnings {
            out!("warning: {w}");
        }
    }
    Ok(())
}

/// The codebook's codes with their paths moved onto the project's codes: a code whose GUID
/// the project has takes that code's path (its children follow); the others keep their path
/// under their parent, where an existing code of that path is reused.
fn merge_codebook(
    session: &Session,
    codes: Vec<crate::model::BundleCode>,
) -> Result<crate::model::Bundle> {
    use std::collections::HashMap;
    let db = session.read();
    let tree = db.code_tree()?;
    let by_guid: HashMap<String, String> = tree
        .codes
        .iter()
        .map(|c| (crate::import::qdpx::norm_guid(&c.guid), tree.path(c.id)))
        .collect();
    // Imported path -> final path.
    let mut moved: HashMap<String, String> = HashMap::new();
    let mut out = Vec::with_capacity(codes.len());
    for mut c in codes {
        let (parent, name) = match c.path.rsplit_once('/') {
            Some((p, n)) => (Some(p.to_owned()), n.to_owned()),
            None => (None, c.path.clone()),
        };
        let existing = c
            .guid
            .as_deref()
            .and_then(|g| by_guid.get(&crate::import::qdpx::norm_guid(g)));
        let target = match (existing, parent) {
            (Some(path), _) => path.clone(),
            (None, Some(p)) => format!("{}/{name}", moved.get(&p).cloned().unwrap_or(p)),
            (None, None) => name,
        };
        if existing.is_some() {
            // Already there: keep the project's GUID; never give it twice.
            c.guid = None;
        }
        moved.insert(c.path.clone(), target.clone());
        c.path = target;
        out.push(c);
    }
    Ok(crate::model::Bundle {
        codes: out,
        ..Default::default()
    })
}
