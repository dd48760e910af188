//! The codebook on its own: as a REFI-QDA codebook (`.qdc`, root `CodeBook` in the
//! `urn:QDA-XML:codebook:1.0` namespace), which other QDA programs import, and as a CSV or
//! Markdown table (path, colour, description, segment count) for people and spreadsheets.

use std::collections::HashMap;
use std::io::Write;

use super::qdpx::{Xml, origin, write_codes};
use super::{ExportError, Result};
use crate::model::{CodeId, CodeTree, ProjectRead};

/// The namespace of a `.qdc` codebook.
pub const CODEBOOK_NS: &str = "urn:QDA-XML:codebook:1.0";

/// Codebook formats of `weft export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodebookFormat {
    /// REFI-QDA codebook XML.
    Qdc,
    /// CSV: path, colour, description, segments.
    Csv,
    /// A Markdown table of the same.
    Markdown,
}

/// Writes the codebook as a REFI-QDA `.qdc` into `out`. Returns the number of codes.
pub fn write_qdc(project: &impl ProjectRead, out: impl Write) -> Result<usize> {
    let tree = project.code_tree()?;
    // The XSD wants at least one code under `Codes`; an empty codebook has nothing to say.
    if tree.codes.is_empty() {
        return Err(ExportError::Exchange(
            "the codebook is empty, and a REFI-QDA codebook needs at least one code".into(),
        ));
    }
    let mut xml = Xml::new(out)?;
    let origin = origin();
    xml.open("CodeBook", &[("xmlns", CODEBOOK_NS), ("origin", &origin)])?;
    xml.open("Codes", &[])?;
    write_codes(&mut xml, &tree, None, &HashMap::new())?;
    xml.close("Codes")?;
    xml.close("CodeBook")?;
    let mut w = xml.into_inner();
    w.write_all(b"\n")
        .and_then(|()| w.flush())
        .map_err(|e| ExportError::Exchange(e.to_string()))?;
    Ok(tree.codes.len())
}

/// One row of the codebook table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CodebookRow {
    /// `Parent/Child`.
    pub path: String,
    /// `#rrggbb`.
    pub color: String,
    /// Definition, when to use, when not.
    pub description: String,
    /// Codings of this code (not counting sub-codes).
    pub segments: usize,
}

/// The codebook as rows, in tree order (parents before their children).
pub fn codebook_rows(project: &impl ProjectRead) -> Result<Vec<CodebookRow>> {
    let tree = project.code_tree()?;
    let mut counts: HashMap<CodeId, usize> = HashMap::new();
    for s in project.coding_spans()? {
        *counts.entry(s.code).or_default() += 1;
    }
    let mut rows = Vec::with_capacity(tree.codes.len());
    fn walk(
        tree: &CodeTree,
        parent: Option<CodeId>,
        counts: &HashMap<CodeId, usize>,
        rows: &mut Vec<CodebookRow>,
    ) {
        for &id in tree.children(parent) {
            if let Some(c) = tree.get(id) {
                rows.push(CodebookRow {
                    path: tree.path(id),
                    color: c.color.to_hex(),
                    description: c.description.clone(),
                    segments: counts.get(&id).copied().unwrap_or(0),
                });
            }
            walk(tree, Some(id), counts, rows);
        }
    }
    walk(&tree, None, &counts, &mut rows);
    Ok(rows)
}

/// The codebook as CSV with a header row: `path,color,description,segments`.
pub fn codebook_csv(project: &impl ProjectRead) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["path", "color", "description", "segments"])?;
    for r in codebook_rows(project)? {
        w.write_record([
            r.path.as_str(),
            r.color.as_str(),
            r.description.as_str(),
            &r.segments.to_string(),
        ])?;
    }
    w.into_inner().map_err(|e| ExportError::Csv(e.to_string()))
}

/// The codebook as a Markdown table. Pipes are escaped and line breaks become `<br>`, so each
/// code stays one row.
pub fn codebook_markdown(project: &impl ProjectRead) -> Result<Vec<u8>> {
    fn cell(s: &str) -> String {
        s.replace('|', "\\|")
            .replace("\r\n", "<br>")
            .replace(['\n', '\r'], "<br>")
    }
    let mut out = String::from("| Code | Colour | Description | Segments |\n|---|---|---|---:|\n");
    for r in codebook_rows(project)? {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            cell(&r.path),
            r.color,
            cell(&r.description),
            r.segments
        ));
    }
    Ok(out.into_bytes())
}
