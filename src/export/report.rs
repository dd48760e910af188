//! The frequency report's encoders: CSV, JSON and a Markdown table. The CLI (`weft stats`) and
//! the GUI's export both call [`frequencies`], so one report gives the same bytes from both.

use std::path::Path;

use serde::Serialize;

use super::provenance::{Extent, Provenance, ReportKind};
use super::{Format, Result, json_bytes};
use crate::analysis::{FrequencyReport, ScopeFilter};
use crate::model::ProjectRead;

/// Computes the frequency report of the project under `filter` and encodes it: what both
/// the CLI and the GUI write to a file. With `meta`, the project file's path, the file
/// starts with its provenance ([`Provenance`]); `None` leaves it out.
pub fn frequencies_file(
    read: impl ProjectRead,
    filter: &ScopeFilter,
    format: Format,
    meta: Option<&Path>,
) -> Result<Vec<u8>> {
    let report = crate::analysis::frequencies(&read, filter)?;
    let provenance = match meta {
        Some(project) => Some(Provenance::describe(
            &read,
            project,
            ReportKind::Frequencies,
            filter,
            None,
            Extent::from(&report.totals),
        )?),
        None => None,
    };
    frequencies(&report, format, provenance.as_ref())
}

/// Encodes a frequency report in `format`, after its provenance when given.
pub fn frequencies(
    report: &FrequencyReport,
    format: Format,
    meta: Option<&Provenance>,
) -> Result<Vec<u8>> {
    match format {
        Format::Csv => {
            let mut out = meta
                .map(|m| m.csv_comment().into_bytes())
                .unwrap_or_default();
            out.extend(to_csv(report)?);
            Ok(out)
        }
        Format::Json => to_json(report, meta),
        Format::Xlsx => super::xlsx::frequencies(report, meta),
        Format::Markdown => Ok(match meta {
            Some(m) => format!(
                "{}{} {} counted.\n\n{}",
                m.markdown_header(),
                report.totals.segments,
                if report.totals.segments == 1 {
                    "coding"
                } else {
                    "codings"
                },
                table(report)
            ),
            None => to_markdown(report),
        }
        .into_bytes()),
    }
}

/// JSON: `{"meta": {...}, "totals": {...}, "codes": [{"path", "segments", ..., "aggregate":
/// {...}}]}` (no `meta` without provenance), ending in one newline.
pub fn to_json(report: &FrequencyReport, meta: Option<&Provenance>) -> Result<Vec<u8>> {
    #[derive(Serialize)]
    struct WithMeta<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        meta: Option<&'a Provenance>,
        #[serde(flatten)]
        report: &'a FrequencyReport,
    }
    json_bytes(&WithMeta { meta, report })
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

/// A Markdown table for notes and papers, after a line stating the scope; sub-codes marked
/// “— ” once per level.
pub fn to_markdown(report: &FrequencyReport) -> String {
    let t = &report.totals;
    format!(
        "Scope: {} documents, {} cases, {} words, {} codings.\n\n{}",
        t.documents,
        t.cases,
        t.words,
        t.segments,
        table(report)
    )
}

/// The Markdown table alone.
fn table(report: &FrequencyReport) -> String {
    let mut out = String::from(
        "| Code | Segments | Documents | Cases | Words | Coverage | Segments (with sub-codes) | Cases (with sub-codes) | Coverage (with sub-codes) |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
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
        let json_bytes = frequencies(&r, Format::Json, None).unwrap();
        assert!(json_bytes.ends_with(b"}\n"), "one trailing newline");
        let json: serde_json::Value = serde_json::from_slice(&json_bytes).unwrap();
        assert_eq!(json["codes"][1]["path"], "Theme/Sub|pipe");
        assert_eq!(json["codes"][1]["segments"], 4);
        assert_eq!(json["codes"][0]["aggregate"]["chars"], 27);
        assert_eq!(json["totals"]["chars"], 62);
        let csv = String::from_utf8(frequencies(&r, Format::Csv, None).unwrap()).unwrap();
        assert!(
            csv.starts_with("path,segments,documents,cases,chars,words,coverage,agg_segments,")
        );
        assert!(csv.contains("Theme/Sub|pipe,4,3,2,22,5,0.354839,"));
        let md = String::from_utf8(frequencies(&r, Format::Markdown, None).unwrap()).unwrap();
        assert!(md.starts_with("Scope: 3 documents, 3 cases, 14 words, 6 codings."));
        assert!(md.contains("| — Sub\\|pipe | 4 | 3 | 2 | 5 | 35.5% |"));
    }

    fn meta() -> Provenance {
        Provenance {
            report: "frequencies".into(),
            project: "p.weft".into(),
            exported: "2026-12-01T14:30:00Z".into(),
            weft_version: "0.1.0".into(),
            filters: crate::export::provenance::Filters::default(),
            scope: Extent::from(&report().totals),
        }
    }

    #[test]
    fn with_provenance_each_format_states_it_first() {
        let (r, m) = (report(), meta());
        let json: serde_json::Value =
            serde_json::from_slice(&frequencies(&r, Format::Json, Some(&m)).unwrap()).unwrap();
        assert_eq!(json["meta"]["project"], "p.weft");
        assert_eq!(json["meta"]["scope"]["chars"], 62);
        assert_eq!(json["codes"][1]["segments"], 4, "the report is unchanged");
        let csv = String::from_utf8(frequencies(&r, Format::Csv, Some(&m)).unwrap()).unwrap();
        assert!(csv.starts_with("# Report: frequencies\n# Project: p.weft\n"));
        let first_data = csv.lines().find(|l| !l.starts_with('#')).unwrap();
        assert!(first_data.starts_with("path,segments,"));
        let md = String::from_utf8(frequencies(&r, Format::Markdown, Some(&m)).unwrap()).unwrap();
        assert!(md.starts_with("## Frequencies — p.weft\n\n- **Exported:** "));
        assert!(md.contains("- **Scope:** 3 documents, 3 cases, 62 characters, 14 words\n"));
        assert!(md.contains("6 codings counted.\n\n| Code |"));
    }
}
