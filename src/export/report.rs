//! The frequency report's encoders: CSV, JSON and a Markdown table. The CLI (`weft stats`) and
//! the GUI's export both call [`frequencies`], so one report gives the same bytes from both.

use super::{Format, Result, json_bytes};
use crate::analysis::{FrequencyReport, ScopeFilter};
use crate::model::ProjectRead;

/// Computes the frequency report of the project under `filter` and encodes it: what both
/// the CLI and the GUI write to a file.
pub fn frequencies_file(
    read: impl ProjectRead,
    filter: &ScopeFilter,
    format: Format,
) -> Result<Vec<u8>> {
    let report = crate::analysis::frequencies(read, filter)?;
    frequencies(&report, format)
}

/// Encodes a frequency report in `format`.
pub fn frequencies(report: &FrequencyReport, format: Format) -> Result<Vec<u8>> {
    match format {
        Format::Csv => to_csv(report),
        Format::Json => to_json(report),
        Format::Markdown => Ok(to_markdown(report).into_bytes()),
    }
}

/// JSON: `{"totals": {...}, "codes": [{"path", "segments", ..., "aggregate": {...}}]}`,
/// ending in one newline.
pub fn to_json(report: &FrequencyReport) -> Result<Vec<u8>> {
    json_bytes(report)
}

/// CSV with a header; aggregate columns are prefixed `agg_`. Coverage as a fraction.
pub fn to_csv(report: &FrequencyReport) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let six = [
        "segments",
        "documents",
        "cases",
        "chars",
        "words",
        "coverage",
    ];
    let mut header = vec!["path".to_owned()];
    header.extend(six.iter().map(|s| (*s).to_owned()));
    header.extend(six.iter().map(|s| format!("agg_{s}")));
    w.write_record(&header)?;
    for c in &report.codes {
        let mut row = vec![c.path.clone()];
        for counts in [&c.own, &c.aggregate] {
            row.extend([
                counts.segments.to_string(),
                counts.documents.to_string(),
                counts.cases.to_string(),
                counts.chars.to_string(),
                counts.words.to_string(),
                format!("{:.6}", counts.coverage),
            ]);
        }
        w.write_record(&row)?;
    }
    Ok(w.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?)
}

/// A Markdown table for notes and papers; sub-codes marked “— ” once per level.
pub fn to_markdown(report: &FrequencyReport) -> String {
    let t = &report.totals;
    let mut out = format!(
        "Scope: {} documents, {} cases, {} words, {} codings.\n\n\
         | Code | Segments | Documents | Cases | Words | Coverage | Segments (with sub-codes) | Cases (with sub-codes) | Coverage (with sub-codes) |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        t.documents, t.cases, t.words, t.segments
    );
    for c in &report.codes {
        let name = c
            .path
            .rsplit('/')
            .next()
            .unwrap_or(&c.path)
            .replace('|', "\\|");
        out.push_str(&format!(
            "| {}{} | {} | {} | {} | {} | {:.1}% | {} | {} | {:.1}% |\n",
            "— ".repeat(c.depth),
            name,
            c.own.segments,
            c.own.documents,
            c.own.cases,
            c.own.words,
            c.own.coverage * 100.0,
            c.aggregate.segments,
            c.aggregate.cases,
            c.aggregate.coverage * 100.0
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{CodeStats, Counts, Totals};
    use crate::model::CodeId;

    fn report() -> FrequencyReport {
        let own = Counts {
            segments: 4,
            documents: 3,
            cases: 2,
            chars: 22,
            words: 5,
            coverage: 22.0 / 62.0,
        };
        FrequencyReport {
            totals: Totals {
                documents: 3,
                cases: 3,
                chars: 62,
                words: 14,
                segments: 6,
                codes: 2,
            },
            codes: vec![
                CodeStats {
                    code: CodeId(1),
                    path: "Theme".into(),
                    depth: 0,
                    own: Counts::default(),
                    aggregate: Counts { chars: 27, ..own },
                },
                CodeStats {
                    code: CodeId(2),
                    path: "Theme/Sub|pipe".into(),
                    depth: 1,
                    own,
                    aggregate: own,
                },
            ],
        }
    }

    #[test]
    fn three_formats() {
        let r = report();
        let json_bytes = frequencies(&r, Format::Json).unwrap();
        assert!(json_bytes.ends_with(b"}\n"), "one trailing newline");
        let json: serde_json::Value = serde_json::from_slice(&json_bytes).unwrap();
        assert_eq!(json["codes"][1]["path"], "Theme/Sub|pipe");
        assert_eq!(json["codes"][1]["segments"], 4);
        assert_eq!(json["codes"][0]["aggregate"]["chars"], 27);
        assert_eq!(json["totals"]["chars"], 62);
        let csv = String::from_utf8(frequencies(&r, Format::Csv).unwrap()).unwrap();
        assert!(
            csv.starts_with("path,segments,documents,cases,chars,words,coverage,agg_segments,")
        );
        assert!(csv.contains("Theme/Sub|pipe,4,3,2,22,5,0.354839,"));
        let md = String::from_utf8(frequencies(&r, Format::Markdown).unwrap()).unwrap();
        assert!(md.starts_with("Scope: 3 documents, 3 cases, 14 words, 6 codings."));
        assert!(md.contains("| — Sub\\|pipe | 4 | 3 | 2 | 5 | 35.5% |"));
    }
}
