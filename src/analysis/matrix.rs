//! Matrices for statistics packages: codes down, documents or cases across, each cell the
//! number of the code's codings there (or 1/0 for presence), counted with the same rules as the
//! frequency report: a coding belongs to the cases of the speakers whose turns it overlaps, or
//! else to its document's cases. So a row's non-zero cells are the code's `documents` (or
//! `cases`), and a code × document row sums to its `segments`. Also the case attribute table,
//! one row per case (the "classification sheet").

use std::collections::HashMap;

use super::{Result, Scope, ScopeFilter};
use crate::model::{AttrScope, AttrType, CaseId, CodeId, ProjectRead};

/// What the columns of a matrix are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Across {
    /// One column per document.
    Documents,
    /// One column per case.
    Cases,
}

/// A code × document or code × case matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// What the columns are.
    pub across: Across,
    /// Cells are 1/0 (coded there or not) rather than counts.
    pub presence: bool,
    /// Column names (documents in project order, cases by name).
    pub columns: Vec<String>,
    /// One row per code, in codebook order: its path and its cells.
    pub rows: Vec<(String, Vec<u64>)>,
}

impl Matrix {
    /// A sheet or file name for it: `code x document` or `code x case`.
    pub fn sheet_name(&self) -> &'static str {
        match (self.across, self.presence) {
            (Across::Documents, false) => "code x document",
            (Across::Documents, true) => "code x document (0-1)",
            (Across::Cases, false) => "code x case",
            (Across::Cases, true) => "code x case (0-1)",
        }
    }

    /// The same matrix as 1/0 presence.
    pub fn to_presence(&self) -> Self {
        Self {
            presence: true,
            rows: self
                .rows
                .iter()
                .map(|(p, cells)| (p.clone(), cells.iter().map(|v| u64::from(*v > 0)).collect()))
                .collect(),
            ..self.clone()
        }
    }

    /// CSV: a `code` column, then one column per document or case.
    pub fn to_csv(&self) -> std::result::Result<Vec<u8>, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(std::iter::once("code").chain(self.columns.iter().map(String::as_str)))?;
        for (path, cells) in &self.rows {
            w.write_record(std::iter::once(path.clone()).chain(cells.iter().map(u64::to_string)))?;
        }
        w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}

/// The matrix of every code against every document or case.
pub fn matrix(read: impl ProjectRead, across: Across, presence: bool) -> Result<Matrix> {
    let tree = read.code_tree()?;
    let scope = Scope::load(&read, &ScopeFilter::default())?;
    let row_of: HashMap<CodeId, usize> = tree
        .codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .collect();
    let (columns, col_of): (Vec<String>, HashMap<i64, usize>) = match across {
        Across::Documents => {
            let docs = &scope.documents;
            (
                docs.iter().map(|d| d.name.clone()).collect(),
                docs.iter().enumerate().map(|(i, d)| (d.id.0, i)).collect(),
            )
        }
        Across::Cases => {
            let mut cases: Vec<(&CaseId, &String)> = scope.links.case_names.iter().collect();
            cases.sort_by(|a, b| a.1.cmp(b.1).then(a.0.0.cmp(&b.0.0)));
            (
                cases.iter().map(|(_, n)| (*n).clone()).collect(),
                cases
                    .iter()
                    .enumerate()
                    .map(|(i, (c, _))| (c.0, i))
                    .collect(),
            )
        }
    };
    let mut cells = vec![vec![0u64; columns.len()]; tree.codes.len()];
    for span in read.coding_spans()? {
        let (Some(&r), Some(cases)) = (row_of.get(&span.code), scope.admit(&span)) else {
            continue;
        };
        let targets: Vec<i64> = match across {
            Across::Documents => vec![span.doc.0],
            Across::Cases => cases.iter().map(|c| c.0).collect(),
        };
        for t in targets {
            if let Some(&c) = col_of.get(&t) {
                cells[r][c] += 1;
            }
        }
    }
    let counts = Matrix {
        across,
        presence: false,
        columns,
        rows: tree
            .codes
            .iter()
            .map(|c| tree.path(c.id))
            .zip(cells)
            .collect(),
    };
    Ok(if presence {
        counts.to_presence()
    } else {
        counts
    })
}

/// The case attribute table: one row per case (by name), one column per case attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseTable {
    /// Case attributes with their types, in the project's order.
    pub attributes: Vec<(String, AttrType)>,
    /// One row per case: its name and its values (empty where unset).
    pub rows: Vec<(String, Vec<String>)>,
}

impl CaseTable {
    /// CSV: a `case` column, then one column per attribute.
    pub fn to_csv(&self) -> std::result::Result<Vec<u8>, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(
            std::iter::once("case").chain(self.attributes.iter().map(|(n, _)| n.as_str())),
        )?;
        for (case, values) in &self.rows {
            w.write_record(std::iter::once(case).chain(values))?;
        }
        w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}

/// The case attribute table of the project.
pub fn case_table(read: impl ProjectRead) -> Result<CaseTable> {
    let attributes: Vec<(String, AttrType)> = read
        .attributes()?
        .into_iter()
        .filter(|a| a.scope == AttrScope::Case)
        .map(|a| (a.name, a.kind))
        .collect();
    let links = read.case_links()?;
    let mut cases: Vec<(&CaseId, &String)> = links.case_names.iter().collect();
    cases.sort_by(|a, b| a.1.cmp(b.1));
    let rows = cases
        .into_iter()
        .map(|(id, name)| {
            let values = attributes
                .iter()
                .map(|(a, _)| {
                    links
                        .case_attrs
                        .get(&(*id, a.clone()))
                        .cloned()
                        .unwrap_or_default()
                })
                .collect();
            (name.clone(), values)
        })
        .collect();
    Ok(CaseTable { attributes, rows })
}
