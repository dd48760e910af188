//! Search results as files: CSV (one row per hit, keyword in context) and Markdown, shared by
//! `weft search` and the app's Search tab.

use super::{ExportError, md_cell};
use crate::analysis::search::SearchResult;

/// The hits as CSV: one row per hit with its context.
pub fn csv(r: &SearchResult) -> Result<Vec<u8>, ExportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "document", "start", "end", "speaker", "case", "before", "text", "after",
    ])?;
    for h in &r.hits {
        w.write_record([
            h.document.as_str(),
            &h.start.to_string(),
            &h.end.to_string(),
            h.speaker.as_deref().unwrap_or(""),
            h.case.as_deref().unwrap_or(""),
            &h.before,
            &h.text,
            &h.after,
        ])?;
    }
    w.into_inner().map_err(|e| ExportError::Csv(e.to_string()))
}

/// The hits as a Markdown table, after a line with the total.
pub fn markdown(r: &SearchResult) -> String {
    let mut s = format!(
        "# Search: {}\n\n{} hit{} in {} document{}{}.\n\n",
        md_cell(&r.query),
        r.total,
        if r.total == 1 { "" } else { "s" },
        r.documents,
        if r.documents == 1 { "" } else { "s" },
        if r.hits.len() < r.total {
            format!(" (the first {} listed)", r.hits.len())
        } else {
            String::new()
        }
    );
    if r.hits.is_empty() {
        return s;
    }
    s.push_str("| document | position | speaker | case | in context |\n|---|---|---|---|---|\n");
    for h in &r.hits {
        s.push_str(&format!(
            "| {} | {}–{} | {} | {} | {}**{}**{} |\n",
            md_cell(&h.document),
            h.start,
            h.end,
            md_cell(h.speaker.as_deref().unwrap_or("")),
            md_cell(h.case.as_deref().unwrap_or("")),
            md_cell(&h.before),
            md_cell(&h.text),
            md_cell(&h.after)
        ));
    }
    s.push_str(
        "\nPositions are characters from the start of the document's text, end exclusive.\n",
    );
    s
}
