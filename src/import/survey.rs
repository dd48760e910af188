//! Survey exports with open-text answers (`.csv`, `.xlsx`, also `.xls` and `.ods`): one row per
//! respondent. Each respondent becomes a document holding the chosen open-text answers, each
//! as a turn whose label is its question, and a case named by the respondent's ID; the other
//! columns become the cases' attributes, typed by what every value in the column fits
//! (number, date, boolean, else text). Spreadsheets are read with `calamine`; the first sheet
//! is used unless one is named.

use std::collections::HashMap;
use std::path::Path;

use super::{ImportError, decode_checked, sha256_hex};
use crate::model::{
    AttrScope, AttrType, Bundle, BundleAttribute, BundleCase, BundleDocument, NewDocument, Origin,
    Turn,
};

/// What to take from the table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurveyOptions {
    /// The open-text columns, by header (matched ignoring case and surrounding spaces).
    pub text_columns: Vec<String>,
    /// The respondent ID column; respondents are numbered from 1 when `None`.
    pub id_column: Option<String>,
    /// The sheet of a workbook (the first when `None`).
    pub sheet: Option<String>,
}

/// A table read from a survey file: its header and its rows, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Column names.
    pub headers: Vec<String>,
    /// Rows, each as long as `headers`.
    pub rows: Vec<Vec<String>>,
    /// The sheets of a workbook (empty for CSV).
    pub sheets: Vec<String>,
}

/// A survey ready to be added: the bundle and what the user should be told.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Survey {
    /// Documents, cases and attributes, to be added in one action.
    pub bundle: Bundle,
    /// Respondents who became documents.
    pub respondents: usize,
    /// Rows left out because every chosen answer was empty.
    pub empty_rows: usize,
    /// The attribute columns with the type found for each.
    pub attributes: Vec<(String, AttrType)>,
}

impl Survey {
    /// The one action that adds the survey read from `file`, labelled for the undo history
    /// ("Import survey “s.xlsx” (120 respondents)"); the bundle moves into it.
    pub fn take_action(&mut self, file: &Path) -> crate::actions::Action {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        crate::actions::Action::AddContent {
            label: format!(
                "Import survey “{name}” ({} {})",
                self.respondents,
                if self.respondents == 1 {
                    "respondent"
                } else {
                    "respondents"
                }
            ),
            bundle: Box::new(std::mem::take(&mut self.bundle)),
        }
    }
}

/// Guesses for the survey dialog: the ID column (a header named like `id`, `respondent`,
/// `ResponseId`) and the open-text columns (whose answers average over 30 characters).
pub fn guess_columns(table: &Table) -> (Option<usize>, Vec<usize>) {
    let id = table.headers.iter().position(|h| {
        let h = h.to_lowercase().replace([' ', '_', '-'], "");
        h == "id" || h.ends_with("id") || h.starts_with("respondent") || h == "participant"
    });
    let texts = (0..table.headers.len())
        .filter(|&c| Some(c) != id)
        .filter(|&c| {
            let values: Vec<usize> = table
                .rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|v| v.trim().chars().count())
                .filter(|n| *n > 0)
                .collect();
            !values.is_empty() && values.iter().sum::<usize>() / values.len() > 30
        })
        .collect();
    (id, texts)
}

/// Whether `path` is a spreadsheet or CSV a survey can come from.
pub fn is_table(path: &Path) -> bool {
    matches!(
        extension(path).as_str(),
        "csv" | "xlsx" | "xlsm" | "xls" | "ods"
    )
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

fn refused(path: &Path, reason: impl Into<String>) -> ImportError {
    ImportError::Malformed {
        path: path.to_owned(),
        format: "survey table",
        reason: reason.into(),
    }
}

/// The bytes of the survey file at `path`, after the checks every import makes (a regular
/// file, not over the size limit).
fn read_bytes(path: &Path) -> Result<Vec<u8>, ImportError> {
    let unreadable = |error| ImportError::Unreadable {
        path: path.to_owned(),
        error,
    };
    super::check_file(path, &std::fs::metadata(path).map_err(unreadable)?)?;
    std::fs::read(path).map_err(unreadable)
}

/// Reads the header and rows of the survey file at `path`.
pub fn read_table(path: &Path, sheet: Option<&str>) -> Result<Table, ImportError> {
    table_from_bytes(path, &read_bytes(path)?, sheet)
}

fn table_from_bytes(path: &Path, bytes: &[u8], sheet: Option<&str>) -> Result<Table, ImportError> {
    let mut table = match extension(path).as_str() {
        "csv" => csv_table(path, bytes)?,
        "xlsx" | "xlsm" | "xls" | "ods" => workbook_table(path, bytes, sheet)?,
        _ => {
            return Err(refused(
                path,
                "a survey must be a .csv, .xlsx, .xls or .ods table",
            ));
        }
    };
    if table.headers.iter().all(|h| h.trim().is_empty()) {
        return Err(refused(path, "its first row, the column names, is empty"));
    }
    // Unnamed columns get their letter, so they can still be chosen.
    for (i, h) in table.headers.iter_mut().enumerate() {
        if h.trim().is_empty() {
            *h = format!("column {}", i + 1);
        } else {
            *h = h.trim().to_owned();
        }
    }
    let width = table.headers.len();
    for r in &mut table.rows {
        r.resize(width, String::new());
    }
    table
        .rows
        .retain(|r| r.iter().any(|c| !c.trim().is_empty()));
    Ok(table)
}

fn csv_table(path: &Path, bytes: &[u8]) -> Result<Table, ImportError> {
    let decoded = decode_checked(bytes.to_vec()).map_err(|_| ImportError::Binary {
        path: path.to_owned(),
    })?;
    let text = decoded
        .text
        .strip_prefix('\u{feff}')
        .unwrap_or(&decoded.text);
    // Excel in many locales writes `;`: take whichever separates the header more.
    let first = text.lines().next().unwrap_or_default();
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| refused(path, format!("line {}: {e}", i + 1)))?;
        rows.push(rec.iter().map(str::to_owned).collect::<Vec<_>>());
    }
    if rows.is_empty() {
        return Err(ImportError::Empty {
            path: path.to_owned(),
        });
    }
    let headers = rows.remove(0);
    Ok(Table {
        headers,
        rows,
        sheets: Vec::new(),
    })
}

fn workbook_table(path: &Path, bytes: &[u8], sheet: Option<&str>) -> Result<Table, ImportError> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| refused(path, format!("it is not a readable spreadsheet ({e})")))?;
    let sheets = book.sheet_names();
    let name = match sheet {
        Some(s) => sheets
            .iter()
            .find(|n| n.trim().eq_ignore_ascii_case(s.trim()))
            .cloned()
            .ok_or_else(|| {
                refused(
                    path,
                    format!(
                        "it has no sheet “{s}”; its sheets are: {}",
                        sheets.join(", ")
                    ),
                )
            })?,
        None => sheets
            .first()
            .cloned()
            .ok_or_else(|| refused(path, "it has no sheets"))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| refused(path, format!("the sheet “{name}” cannot be read ({e})")))?;
    let mut rows = range
        .rows()
        .map(|r| r.iter().map(cell_text).collect::<Vec<_>>());
    let headers = rows.next().ok_or_else(|| ImportError::Empty {
        path: path.to_owned(),
    })?;
    Ok(Table {
        headers,
        rows: rows.collect(),
        sheets,
    })
}

/// A cell as text: whole numbers without `.0`, dates as `YYYY-MM-DD` (with the time when
/// there is one), booleans as `true`/`false`.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(dt) if dt.time() == chrono::NaiveTime::MIN => dt.date().to_string(),
            Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S").to_string(),
            None => d.to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

/// Reads the survey at `path` and turns it into documents, cases and attributes.
pub fn read_survey(path: &Path, opts: &SurveyOptions) -> Result<Survey, ImportError> {
    let bytes = read_bytes(path)?;
    let table = table_from_bytes(path, &bytes, opts.sheet.as_deref())?;
    survey_from_table(path, &table, opts, &sha256_hex(&bytes))
}

/// The index of the column named `name` (ignoring case and surrounding spaces).
fn column(path: &Path, table: &Table, name: &str) -> Result<usize, ImportError> {
    let want = name.trim().to_lowercase();
    table
        .headers
        .iter()
        .position(|h| h.trim().to_lowercase() == want)
        .ok_or_else(|| {
            refused(
                path,
                format!(
                    "it has no column “{}”; its columns are: {}",
                    name.trim(),
                    table.headers.join(", ")
                ),
            )
        })
}

fn survey_from_table(
    path: &Path,
    table: &Table,
    opts: &SurveyOptions,
    sha256: &str,
) -> Result<Survey, ImportError> {
    if opts.text_columns.is_empty() {
        return Err(refused(
            path,
            format!(
                "say which columns hold the open-text answers (--text-columns); its columns are: {}",
                table.headers.join(", ")
            ),
        ));
    }
    let texts: Vec<usize> = opts
        .text_columns
        .iter()
        .map(|c| column(path, table, c))
        .collect::<Result<_, _>>()?;
    let id = opts
        .id_column
        .as_deref()
        .map(|c| column(path, table, c))
        .transpose()?;
    if id.is_some_and(|i| texts.contains(&i)) {
        return Err(refused(
            path,
            "the ID column cannot also be an answer column",
        ));
    }
    let attrs: Vec<usize> = (0..table.headers.len())
        .filter(|i| !texts.contains(i) && Some(*i) != id)
        .collect();
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = path
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let kinds: Vec<(usize, AttrType)> = attrs
        .iter()
        .map(|&c| (c, column_type(table.rows.iter().map(|r| r[c].trim()))))
        .collect();
    let mut bundle = Bundle {
        attributes: kinds
            .iter()
            .map(|(c, kind)| BundleAttribute {
                guid: None,
                name: table.headers[*c].clone(),
                scope: AttrScope::Case,
                kind: *kind,
            })
            .collect(),
        ..Bundle::default()
    };
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let mut empty_rows = 0;
    for (n, row) in table.rows.iter().enumerate() {
        let mut respondent = match id {
            Some(i) => row[i].trim().to_owned(),
            None => format!("Respondent {}", n + 1),
        };
        if respondent.is_empty() {
            respondent = format!("Respondent {}", n + 1);
        }
        // Two rows with one ID are two respondents; keep them apart.
        let count = seen_ids.entry(respondent.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            respondent = format!("{respondent} ({count})");
        }
        let (text, turns) = answers_text(table, row, &texts);
        if turns.is_empty() {
            empty_rows += 1;
            continue;
        }
        let attrs = kinds
            .iter()
            .filter(|(c, _)| !row[*c].trim().is_empty())
            .map(|(c, kind)| (table.headers[*c].clone(), typed(row[*c].trim(), *kind)))
            .collect();
        bundle.cases.push(BundleCase {
            guid: None,
            name: respondent.clone(),
            memo: String::new(),
            attrs,
        });
        bundle.documents.push(BundleDocument {
            doc: NewDocument {
                name: format!("{stem} {respondent}"),
                text,
                origin: Origin {
                    file_name: file_name.clone(),
                    format: format!("survey ({})", extension(path)),
                    encoding: "UTF-8".to_owned(),
                    sha256: sha256.to_owned(),
                },
                turns,
                guid: None,
            },
            cases: vec![respondent],
            ..BundleDocument::default()
        });
    }
    if bundle.documents.is_empty() {
        return Err(refused(
            path,
            "no respondent answered any of the chosen questions",
        ));
    }
    Ok(Survey {
        respondents: bundle.documents.len(),
        empty_rows,
        attributes: kinds
            .iter()
            .map(|(c, k)| (table.headers[*c].clone(), *k))
            .collect(),
        bundle,
    })
}

/// One turn per non-empty answer: `Question: answer`, paragraphs apart.
fn answers_text(table: &Table, row: &[String], texts: &[usize]) -> (String, Vec<Turn>) {
    let mut text = String::new();
    let mut turns = Vec::new();
    let mut chars = 0;
    for &c in texts {
        let answer = crate::text::normalize_newlines(row[c].trim());
        if answer.is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push_str("\n\n");
            chars += 2;
        }
        let question = table.headers[c].replace('\n', " ");
        let start = chars;
        text.push_str(&question);
        text.push_str(": ");
        chars += question.chars().count() + 2;
        let body_start = chars;
        text.push_str(&answer);
        chars += answer.chars().count();
        turns.push(Turn {
            start,
            body_start,
            end: chars,
            speaker: question,
            timestamp: None,
        });
    }
    if !text.is_empty() {
        text.push('\n');
    }
    (text, turns)
}

/// The most specific type every non-empty value fits; text when the column is empty.
fn column_type<'a>(values: impl Iterator<Item = &'a str>) -> AttrType {
    let mut kind: Option<AttrType> = None;
    for v in values.filter(|v| !v.is_empty()) {
        let fits = |k: AttrType| k.accepts(v);
        kind = Some(match kind {
            None => AttrType::infer(v),
            Some(k) if fits(k) => k,
            Some(_) => AttrType::Text,
        });
        if kind == Some(AttrType::Text) {
            break;
        }
    }
    kind.unwrap_or(AttrType::Text)
}

/// A value as stored under its type (booleans in lower case).
fn typed(v: &str, kind: AttrType) -> String {
    match kind {
        AttrType::Boolean => v.to_lowercase(),
        _ => v.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> Table {
        table_from_bytes(Path::new("s.csv"), csv.as_bytes(), None).unwrap()
    }

    fn opts(texts: &[&str], id: Option<&str>) -> SurveyOptions {
        SurveyOptions {
            text_columns: texts.iter().map(|s| (*s).to_owned()).collect(),
            id_column: id.map(str::to_owned),
            sheet: None,
        }
    }

    #[test]
    fn respondents_become_documents_and_cases_with_typed_attributes() {
        let t = table(
            "RespondentID,Age,Joined,Peer worker,Role,Q3 What helped?,Q7 Anything else?\n\
             R1,34,2024-03-01,TRUE,nurse,\"Being heard, 😀 مرحبا\",\n\
             R2,51,2023-11-20,false,peer,Time,\"Two\nlines\"\n\
             R3,n/a,,true,peer,,\n",
        );
        let s = survey_from_table(
            Path::new("s.csv"),
            &t,
            &opts(
                &["q3 what helped?", "Q7 Anything else?"],
                Some("respondentid"),
            ),
            "h",
        )
        .unwrap();
        assert_eq!(s.respondents, 2);
        assert_eq!(s.empty_rows, 1);
        assert_eq!(
            s.attributes,
            vec![
                ("Age".to_owned(), AttrType::Text),
                ("Joined".to_owned(), AttrType::Date),
                ("Peer worker".to_owned(), AttrType::Boolean),
                ("Role".to_owned(), AttrType::Text),
            ]
        );
        let d = &s.bundle.documents[1];
        assert_eq!(d.doc.name, "s R2");
        assert_eq!(
            d.doc.text,
            "Q3 What helped?: Time\n\nQ7 Anything else?: Two\nlines\n"
        );
        assert_eq!(d.cases, ["R2"]);
        assert_eq!(d.doc.turns.len(), 2);
        assert_eq!(d.doc.turns[1].speaker, "Q7 Anything else?");
        let body: String = d
            .doc
            .text
            .chars()
            .skip(d.doc.turns[1].body_start)
            .take(d.doc.turns[1].end - d.doc.turns[1].body_start)
            .collect();
        assert_eq!(body, "Two\nlines");
        let case = &s.bundle.cases[0];
        assert_eq!(case.name, "R1");
        assert!(
            case.attrs
                .contains(&("Peer worker".to_owned(), "true".to_owned()))
        );
        assert_eq!(
            s.bundle.documents[0].doc.text,
            "Q3 What helped?: Being heard, 😀 مرحبا\n"
        );
    }

    #[test]
    fn numbers_and_semicolons() {
        let t = table("id;score;comment\n1;3.5;ok\n2;4;good\n");
        let s = survey_from_table(Path::new("s.csv"), &t, &opts(&["comment"], Some("id")), "h")
            .unwrap();
        assert_eq!(s.attributes, vec![("score".to_owned(), AttrType::Number)]);
    }

    #[test]
    fn unknown_columns_are_named_with_the_ones_there_are() {
        let t = table("id,comment\n1,ok\n");
        let e = survey_from_table(Path::new("s.csv"), &t, &opts(&["Q9"], None), "h")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no column “Q9”; its columns are: id, comment"),
            "{e}"
        );
        let e = survey_from_table(Path::new("s.csv"), &t, &opts(&[], None), "h")
            .unwrap_err()
            .to_string();
        assert!(e.contains("--text-columns"), "{e}");
    }

    #[test]
    fn only_tables_can_be_surveys() {
        let e = table_from_bytes(Path::new("d/notes.txt"), b"a,b\n1,2\n", None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("a survey must be a .csv, .xlsx, .xls or .ods table"),
            "{e}"
        );
        assert!(e.ends_with("d/notes.txt"), "{e}");
        let e = table_from_bytes(Path::new("s.xlsx"), b"not a workbook", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a readable spreadsheet"), "{e}");
    }

    #[test]
    fn repeated_and_missing_ids_stay_apart() {
        let t = table("id,comment\nA,one\nA,two\n,three\n");
        let s = survey_from_table(Path::new("s.csv"), &t, &opts(&["comment"], Some("id")), "h")
            .unwrap();
        let names: Vec<&str> = s.bundle.cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["A", "A (2)", "Respondent 3"]);
    }
}
