//! Spreadsheet exports read back with calamine (issue 9, item 2): coded segments and
//! frequencies as `.xlsx` with their `meta` sheet, numbers as numbers; the code × document and
//! code × case matrices agree with the frequency report; the case attribute table.
#![allow(clippy::unwrap_used)]

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{fails, ok, s};

fn book(path: &std::path::Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(path).unwrap()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

#[test]
fn segments_and_frequencies_as_workbooks() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("demo.weft");
    ok(&["demo", s(&p)]);
    let seg_json: serde_json::Value =
        serde_json::from_str(&ok(&["segments", s(&p), "--format", "json"])).unwrap();
    let rows = seg_json["segments"].as_array().unwrap();

    let out = dir.path().join("segments.xlsx");
    ok(&["segments", s(&p), "--format", "xlsx", "-o", s(&out)]);
    let mut b = book(&out);
    assert_eq!(b.sheet_names(), ["segments", "meta"]);
    let sheet = b.worksheet_range("segments").unwrap();
    let all: Vec<&[Data]> = sheet.rows().collect();
    let header: Vec<String> = all[0].iter().map(text).collect();
    assert_eq!(
        header,
        [
            "document",
            "case",
            "speaker",
            "timestamp",
            "code",
            "start",
            "end",
            "text",
            "coder",
            "memo",
            "created",
            "coding",
            "id",
            "exemplar"
        ]
    );
    assert_eq!(all.len() - 1, rows.len());
    for (r, j) in all[1..].iter().zip(rows) {
        assert!(matches!(r[5], Data::Float(_)), "start is a number");
        assert_eq!(r[5], Data::Float(j["start"].as_f64().unwrap()));
        assert_eq!(
            text(&r[7]),
            j["text"].as_str().unwrap(),
            "the exact coded text"
        );
        assert_eq!(text(&r[12]), j["id"].as_str().unwrap());
        assert_eq!(
            r[13],
            Data::Bool(j["exemplar"].as_bool().unwrap()),
            "exemplar is a boolean"
        );
    }
    let meta = b.worksheet_range("meta").unwrap();
    let facts: Vec<String> = meta.rows().map(|r| text(&r[0])).collect();
    assert_eq!(
        facts,
        [
            "key", "Report", "Project", "Exported", "Weft", "Filters", "Scope"
        ]
    );

    let freq: serde_json::Value =
        serde_json::from_str(&ok(&["stats", s(&p), "--format", "json"])).unwrap();
    let out = dir.path().join("stats.xlsx");
    ok(&["stats", s(&p), "--format", "xlsx", "-o", s(&out)]);
    let mut b = book(&out);
    let sheet = b.worksheet_range("frequencies").unwrap();
    let all: Vec<&[Data]> = sheet.rows().collect();
    let codes = freq["codes"].as_array().unwrap();
    assert_eq!(all.len() - 1, codes.len());
    for (r, c) in all[1..].iter().zip(codes) {
        assert_eq!(text(&r[0]), c["path"].as_str().unwrap());
        assert_eq!(r[1], Data::Float(c["segments"].as_f64().unwrap()));
        assert_eq!(
            r[8],
            Data::Float(c["aggregate"]["documents"].as_f64().unwrap())
        );
    }

    let err = fails(&["stats", s(&p), "--format", "xlsx"]);
    assert!(err.contains("needs a file"), "{err}");
}

#[test]
fn matrices_agree_with_the_frequency_report() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("demo.weft");
    ok(&["demo", s(&p)]);
    let freq: serde_json::Value =
        serde_json::from_str(&ok(&["stats", s(&p), "--format", "json"])).unwrap();
    let own = |path: &str, key: &str| {
        freq["codes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["path"] == path)
            .unwrap()[key]
            .as_u64()
            .unwrap()
    };
    let parse = |csv: &str| -> Vec<(String, Vec<u64>)> {
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                (
                    rec[0].to_owned(),
                    rec.iter().skip(1).map(|v| v.parse().unwrap()).collect(),
                )
            })
            .collect()
    };
    let by_doc = parse(&ok(&["matrix", s(&p), "--cols", "documents"]));
    let by_case = parse(&ok(&["matrix", s(&p), "--cols", "cases"]));
    let presence = parse(&ok(&["matrix", s(&p), "--cols", "cases", "--presence"]));
    assert_eq!(by_doc.len(), freq["codes"].as_array().unwrap().len());
    for ((path, docs), ((_, cases), (_, flags))) in by_doc.iter().zip(by_case.iter().zip(&presence))
    {
        assert_eq!(docs.iter().sum::<u64>(), own(path, "segments"), "{path}");
        let nonzero = |v: &[u64]| v.iter().filter(|x| **x > 0).count() as u64;
        assert_eq!(nonzero(docs), own(path, "documents"), "{path}");
        assert_eq!(nonzero(cases), own(path, "cases"), "{path}");
        assert!(flags.iter().all(|f| *f <= 1));
        assert_eq!(flags.iter().sum::<u64>(), own(path, "cases"), "{path}");
    }

    let out = dir.path().join("m.xlsx");
    ok(&[
        "matrix",
        s(&p),
        "--cols",
        "cases",
        "--format",
        "xlsx",
        "-o",
        s(&out),
    ]);
    let mut b = book(&out);
    assert_eq!(b.sheet_names(), ["code x case", "meta"]);
    let sheet = b.worksheet_range("code x case").unwrap();
    let first = sheet.rows().nth(1).unwrap();
    assert_eq!(text(&first[0]), by_case[0].0);
    assert_eq!(first[1], Data::Float(by_case[0].1[0] as f64));
}

#[test]
fn the_case_attribute_table() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("demo.weft");
    ok(&["demo", s(&p)]);
    let csv_out = dir.path().join("cases.csv");
    ok(&["export", s(&p), "--format", "cases-csv", "-o", s(&csv_out)]);
    let csv = std::fs::read_to_string(&csv_out).unwrap();
    assert!(csv.starts_with("case,"), "{csv}");
    assert_eq!(csv.lines().count(), 13, "a header and 12 cases: {csv}");
    let out = dir.path().join("cases.xlsx");
    ok(&["export", s(&p), "--format", "cases-xlsx", "-o", s(&out)]);
    let mut b = book(&out);
    assert_eq!(b.sheet_names(), ["cases", "meta"]);
    let sheet = b.worksheet_range("cases").unwrap();
    let all: Vec<&[Data]> = sheet.rows().collect();
    let header: Vec<String> = all[0].iter().map(text).collect();
    let years = header.iter().position(|h| h == "years_experience").unwrap();
    let p01 = all.iter().find(|r| text(&r[0]) == "P01").unwrap();
    assert_eq!(p01[years], Data::Float(6.0), "numbers as numbers");
}
