//! Spreadsheets for Excel, SPSS or R (`rust_xlsxwriter`): the coded segments, the frequency
//! report, the code × document and code × case matrices and the case attribute table
//! ("classification sheet"). Every sheet has a bold header row, frozen under it, columns wide
//! enough to read, and numbers stored as numbers; a `meta` sheet states the provenance.

use rust_xlsxwriter::{Format as Style, Workbook, Worksheet, XlsxError};

use super::provenance::Provenance;
use super::{ExportError, Result, SegmentRow};
use crate::analysis::FrequencyReport;
use crate::analysis::matrix::Matrix;

/// Excel's limit on the characters of one cell.
const MAX_CELL_CHARS: usize = 32_767;

impl From<XlsxError> for ExportError {
    fn from(e: XlsxError) -> Self {
        Self::Exchange(format!("could not write the spreadsheet: {e}"))
    }
}

/// One column: its header, and how wide it is at most (in characters).
struct Column {
    header: &'static str,
    max_width: f64,
}

const fn col(header: &'static str, max_width: f64) -> Column {
    Column { header, max_width }
}

/// A workbook compressed for speed: level 2 of 9 saves a 200,000-row sheet in well under half
/// the time of the default (6), for a file a little larger.
fn new_book() -> Workbook {
    let mut book = Workbook::new();
    book.set_zip_compression_level(2);
    book
}

fn header_style() -> Style {
    Style::new().set_bold()
}

/// A sheet with `columns` as its bold, frozen header row; widths follow the longest value
/// (up to each column's maximum), measured as values are written.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    widths: Vec<f64>,
    max: Vec<f64>,
    wrap: Style,
}

impl<'a> Sheet<'a> {
    fn new(ws: &'a mut Worksheet, name: &str, columns: &[Column]) -> Result<Self> {
        ws.set_name(name)?;
        let bold = header_style();
        for (c, column) in columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, column.header, &bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        Ok(Self {
            ws,
            widths: columns
                .iter()
                .map(|c| c.header.chars().count() as f64 + 2.0)
                .collect(),
            max: columns.iter().map(|c| c.max_width).collect(),
            wrap: Style::new().set_text_wrap(),
        })
    }

    fn measure(&mut self, c: u16, chars: usize) {
        if let Some(w) = self.widths.get_mut(c as usize) {
            *w = w.max(chars as f64 + 2.0);
        }
    }

    fn text(&mut self, r: u32, c: u16, s: &str) -> Result<()> {
        let s = clip(s);
        self.measure(c, s.lines().map(|l| l.chars().count()).max().unwrap_or(0));
        if s.contains('\n') {
            self.ws
                .write_string_with_format(r, c, s.as_ref(), &self.wrap)?;
        } else {
            self.ws.write_string(r, c, s.as_ref())?;
        }
        Ok(())
    }

    fn number(&mut self, r: u32, c: u16, n: f64) -> Result<()> {
        self.measure(c, format!("{n}").len());
        self.ws.write_number(r, c, n)?;
        Ok(())
    }

    fn finish(self) -> Result<()> {
        for (c, (w, max)) in self.widths.iter().zip(&self.max).enumerate() {
            self.ws.set_column_width(c as u16, w.min(*max))?;
        }
        Ok(())
    }
}

/// Text cut to what one cell holds, saying so.
fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().count() <= MAX_CELL_CHARS {
        return s.into();
    }
    let mut cut: String = s.chars().take(MAX_CELL_CHARS - 40).collect();
    cut.push_str(" … [cut: longer than an Excel cell holds]");
    cut.into()
}

/// The `meta` sheet: one row per fact of the provenance.
fn meta_sheet(book: &mut Workbook, meta: &Provenance) -> Result<()> {
    let mut sheet = Sheet::new(
        book.add_worksheet(),
        "meta",
        &[col("key", 12.0), col("value", 100.0)],
    )?;
    for (r, (k, v)) in meta.lines().iter().enumerate() {
        sheet.text(r as u32 + 1, 0, k)?;
        sheet.text(r as u32 + 1, 1, v)?;
    }
    sheet.finish()
}

/// The coded segments as a workbook: sheet `segments`, then `meta` when given.
pub fn segments(rows: &[SegmentRow], meta: Option<&Provenance>) -> Result<Vec<u8>> {
    let mut book = new_book();
    let mut sheet = Sheet::new(
        book.add_worksheet(),
        "segments",
        &[
            col("document", 30.0),
            col("case", 16.0),
            col("speaker", 16.0),
            col("timestamp", 10.0),
            col("code", 36.0),
            col("start", 10.0),
            col("end", 10.0),
            col("text", 80.0),
            col("coder", 18.0),
            col("memo", 50.0),
            col("created", 22.0),
            col("coding", 8.0),
            col("id", 38.0),
            col("exemplar", 10.0),
        ],
    )?;
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.text(r, 0, &row.document)?;
        sheet.text(r, 1, &row.case)?;
        sheet.text(r, 2, &row.speaker)?;
        sheet.text(r, 3, &row.timestamp)?;
        sheet.text(r, 4, &row.code)?;
        sheet.number(r, 5, row.start as f64)?;
        sheet.number(r, 6, row.end as f64)?;
        sheet.text(r, 7, &row.text)?;
        sheet.text(r, 8, &row.coder)?;
        sheet.text(r, 9, &row.memo)?;
        sheet.text(r, 10, &row.created)?;
        sheet.number(r, 11, row.coding_id.0 as f64)?;
        sheet.text(r, 12, &row.id)?;
        sheet.ws.write_boolean(r, 13, row.exemplar)?;
    }
    sheet.finish()?;
    if let Some(m) = meta {
        meta_sheet(&mut book, m)?;
    }
    Ok(book.save_to_buffer()?)
}

/// The frequency report as a workbook: sheet `frequencies` (own and `agg_` columns, coverage
/// as a fraction formatted as a percentage), then `meta` when given.
pub fn frequencies(report: &FrequencyReport, meta: Option<&Provenance>) -> Result<Vec<u8>> {
    let mut book = new_book();
    let percent = Style::new().set_num_format("0.0%");
    let columns = [
        col("path", 40.0),
        col("segments", 10.0),
        col("documents", 10.0),
        col("cases", 8.0),
        col("chars", 10.0),
        col("words", 10.0),
        col("coverage", 10.0),
        col("agg_segments", 14.0),
        col("agg_documents", 14.0),
        col("agg_cases", 12.0),
        col("agg_chars", 12.0),
        col("agg_words", 12.0),
        col("agg_coverage", 14.0),
    ];
    let mut sheet = Sheet::new(book.add_worksheet(), "frequencies", &columns)?;
    for (i, c) in report.codes.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.text(r, 0, &c.path)?;
        for (k, counts) in [&c.own, &c.aggregate].into_iter().enumerate() {
            let base = 1 + 6 * k as u16;
            sheet.number(r, base, counts.segments as f64)?;
            sheet.number(r, base + 1, counts.documents as f64)?;
            sheet.number(r, base + 2, counts.cases as f64)?;
            sheet.number(r, base + 3, counts.chars as f64)?;
            sheet.number(r, base + 4, counts.words as f64)?;
            sheet
                .ws
                .write_number_with_format(r, base + 5, counts.coverage, &percent)?;
        }
    }
    sheet.finish()?;
    if let Some(m) = meta {
        meta_sheet(&mut book, m)?;
    }
    Ok(book.save_to_buffer()?)
}

/// Matrices as a workbook: one sheet per matrix, named after it (codes down, documents or
/// cases across), then `meta` when given.
pub fn matrices(
    ms: &[crate::analysis::matrix::Matrix],
    meta: Option<&Provenance>,
) -> Result<Vec<u8>> {
    let mut book = new_book();
    for m in ms {
        matrix_sheet(book.add_worksheet(), m)?;
    }
    if let Some(p) = meta {
        meta_sheet(&mut book, p)?;
    }
    Ok(book.save_to_buffer()?)
}

fn matrix_sheet(ws: &mut Worksheet, m: &Matrix) -> Result<()> {
    ws.set_name(m.sheet_name())?;
    let bold = header_style();
    ws.write_string_with_format(0, 0, "code", &bold)?;
    let cols = u16::try_from(m.columns.len())
        .ok()
        .filter(|n| *n < 16_000)
        .ok_or_else(|| {
            ExportError::Exchange(format!(
                "{} columns are more than a spreadsheet holds (16,384); export CSV instead",
                m.columns.len()
            ))
        })?;
    for (c, name) in m.columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16 + 1, clip(name).as_ref(), &bold)?;
    }
    let mut width = 6.0f64;
    for (r, (path, cells)) in m.rows.iter().enumerate() {
        let r = r as u32 + 1;
        width = width.max(path.chars().count() as f64 + 2.0);
        ws.write_string(r, 0, clip(path).as_ref())?;
        for (c, v) in cells.iter().enumerate() {
            ws.write_number(r, c as u16 + 1, *v as f64)?;
        }
    }
    ws.set_column_width(0, width.min(40.0))?;
    for c in 0..cols {
        let w = m.columns[c as usize].chars().count() as f64 + 2.0;
        ws.set_column_width(c + 1, w.clamp(6.0, 24.0))?;
    }
    ws.set_freeze_panes(1, 1)?;
    Ok(())
}

/// The case attribute table as a workbook: one row per case, one column per case attribute,
/// numbers as numbers; then `meta` when given.
pub fn classification(
    table: &crate::analysis::matrix::CaseTable,
    meta: Option<&Provenance>,
) -> Result<Vec<u8>> {
    let mut book = new_book();
    let ws = book.add_worksheet();
    ws.set_name("cases")?;
    let bold = header_style();
    ws.write_string_with_format(0, 0, "case", &bold)?;
    for (c, (name, _)) in table.attributes.iter().enumerate() {
        ws.write_string_with_format(0, c as u16 + 1, clip(name).as_ref(), &bold)?;
    }
    let mut widths: Vec<f64> = std::iter::once(6.0)
        .chain(
            table
                .attributes
                .iter()
                .map(|(n, _)| n.chars().count() as f64 + 2.0),
        )
        .collect();
    for (r, (case, values)) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, clip(case).as_ref())?;
        widths[0] = widths[0].max(case.chars().count() as f64 + 2.0);
        for (c, v) in values.iter().enumerate() {
            let col = c as u16 + 1;
            if v.is_empty() {
                continue;
            }
            let number = matches!(
                table.attributes.get(c),
                Some((_, crate::model::AttrType::Number))
            )
            .then(|| v.trim().parse::<f64>().ok())
            .flatten();
            match number {
                Some(n) => ws.write_number(r, col, n)?,
                None => ws.write_string(r, col, clip(v).as_ref())?,
            };
            if let Some(w) = widths.get_mut(c + 1) {
                *w = w.max(v.chars().count() as f64 + 2.0);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, w.min(40.0))?;
    }
    ws.set_freeze_panes(1, 1)?;
    if let Some(p) = meta {
        meta_sheet(&mut book, p)?;
    }
    Ok(book.save_to_buffer()?)
}

/// The theme table as a workbook: sheet `themes` (one row per theme), then `meta` when given.
pub fn themes_table(
    table: &super::themes_table::ThemeTable,
    meta: Option<&Provenance>,
) -> Result<Vec<u8>> {
    let mut book = new_book();
    let columns: Vec<Column> = super::themes_table::CSV_HEADER
        .iter()
        .map(|h| {
            col(
                h,
                if *h == "exemplars" || *h == "definition" {
                    80.0
                } else {
                    40.0
                },
            )
        })
        .collect();
    let mut sheet = Sheet::new(book.add_worksheet(), "themes", &columns)?;
    for (i, r) in table.rows.iter().enumerate() {
        let row = i as u32 + 1;
        let texts = [
            r.theme.clone(),
            r.parent.clone().unwrap_or_default(),
            r.status.as_str().to_owned(),
            r.sub_themes.join("; "),
            r.concept.clone(),
            r.definition.clone(),
            r.boundaries.clone(),
            r.codes.join("; "),
        ];
        for (c, t) in texts.iter().enumerate() {
            sheet.text(row, c as u16, t)?;
        }
        sheet.number(row, 8, r.participants as f64)?;
        sheet.number(row, 9, r.documents as f64)?;
        sheet.number(row, 10, r.extracts as f64)?;
        sheet.text(row, 11, &super::themes_table::exemplars_text(r, "\n"))?;
    }
    let notes_at = table.rows.len() as u32 + 2;
    for (i, f) in table.footnotes().iter().enumerate() {
        sheet.ws.write_string(notes_at + i as u32, 0, f.as_str())?;
    }
    sheet.finish()?;
    if let Some(meta) = meta {
        meta_sheet(&mut book, meta)?;
    }
    Ok(book.save_to_buffer()?)
}
