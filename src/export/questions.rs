//! Answers of the Questions tab as files, shared by the command line and the app: coding
//! query passages as coded-segment rows, crosstabs and word frequencies as CSV.

use super::ExportError;
use crate::analysis::crosstab::{Crosstab, Measure, Percent};
use crate::analysis::query::ShownPassage;
use crate::analysis::words::WordReport;
use crate::export::segments::SegmentRow;
use crate::model::CodingId;

/// Coding query passages as rows of the coded segments table: the code column is the query,
/// and as they are not codings, `coding` is 0 and `id`, coder, memo and time are empty.
pub fn query_rows(passages: &[ShownPassage], query: &str) -> Vec<SegmentRow> {
    passages
        .iter()
        .map(|p| SegmentRow {
            document: p.document.clone(),
            case: p.case.clone(),
            speaker: p.speaker.clone(),
            timestamp: p.timestamp.clone(),
            code: query.to_owned(),
            start: p.passage.start,
            end: p.passage.end,
            text: p.text.clone(),
            coder: String::new(),
            memo: String::new(),
            created: String::new(),
            doc_id: p.passage.doc,
            coding_id: CodingId(0),
            id: String::new(),
            exemplar: false,
        })
        .collect()
}

/// A cell as text: counts as integers, coverage as a fraction (like `weft stats`), percentages
/// with one decimal.
pub fn cell_text(v: f64, measure: Measure, percent: Option<Percent>, md: bool) -> String {
    match (percent, measure) {
        (Some(_), _) if md => format!("{v:.1}%"),
        (Some(_), _) => format!("{v:.2}"),
        (None, Measure::Coverage) if md => format!("{:.1}%", v * 100.0),
        (None, Measure::Coverage) => format!("{v:.6}"),
        (None, _) => format!("{v}"),
    }
}

/// A crosstab as CSV: a `code` column, then one column per value ("no value" last).
pub fn crosstab_csv(
    t: &Crosstab,
    measure: Measure,
    percent: Option<Percent>,
) -> Result<Vec<u8>, ExportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["code".to_owned()];
    header.extend((0..t.values.len()).map(|i| t.heading(i)));
    w.write_record(&header)?;
    for (r, nums) in t.rows.iter().zip(t.table(measure, percent)) {
        let mut rec = vec![r.path.clone()];
        rec.extend(nums.iter().map(|v| cell_text(*v, measure, percent, false)));
        w.write_record(&rec)?;
    }
    w.into_inner().map_err(|e| ExportError::Csv(e.to_string()))
}

/// Word frequencies as CSV: word, count, documents.
pub fn words_csv(report: &WordReport) -> Result<Vec<u8>, ExportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["word", "count", "documents"])?;
    for x in &report.words {
        w.write_record([x.word.clone(), x.count.to_string(), x.documents.to_string()])?;
    }
    w.into_inner().map_err(|e| ExportError::Csv(e.to_string()))
}

/// The words a passage matched, as one cell: `trust, believed ×2`.
pub fn matched_words(m: &[crate::analysis::similar::MatchedWord]) -> String {
    m.iter()
        .map(|w| {
            if w.count == 1 {
                w.word.clone()
            } else {
                format!("{} ×{}", w.word, w.count)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Passages like a code's extracts as CSV: rank, score, document, position, speaker, the
/// words that matched, the passage.
pub fn similar_csv(r: &crate::analysis::similar::SimilarResult) -> Result<Vec<u8>, ExportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "rank", "score", "document", "start", "end", "speaker", "matched", "text",
    ])?;
    for (i, p) in r.passages.iter().enumerate() {
        w.write_record([
            (i + 1).to_string(),
            format!("{:.3}", p.score),
            p.document.clone(),
            p.start.to_string(),
            p.end.to_string(),
            p.speaker.clone().unwrap_or_default(),
            matched_words(&p.matched),
            p.text.clone(),
        ])?;
    }
    w.into_inner().map_err(|e| ExportError::Csv(e.to_string()))
}
