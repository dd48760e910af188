//! Writing a [`Bundle`] (the demo, a batch of imported transcripts, later a REFI-QDA project)
//! inside one transaction, keeping the GUIDs it carries. Any error rolls the whole bundle back:
//! a project is never left half-imported.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::{Result, StoreError, Tx};
use crate::model::{Bundle, BundleDocument, BundleTarget, CaseId, CodeId, DocId, MemoTarget};

/// What a bundle added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BundleReport {
    /// Documents added, in bundle order: `(id, name in the project)`. A name can differ from
    /// the wished one when it was taken.
    pub documents: Vec<(DocId, String)>,
    /// Codes created (existing codes reused by path are not counted).
    pub codes_created: usize,
    /// Cases created.
    pub cases_created: usize,
    /// Codings added.
    pub codings: usize,
    /// Memos added.
    pub memos: usize,
    /// Themes created (existing themes of the same name get the links only).
    pub themes_created: usize,
}

impl Tx<'_> {
    /// Adds everything in `bundle`; see the module documentation.
    pub fn add_bundle(&self, bundle: &Bundle) -> Result<BundleReport> {
        let documents = bundle.documents.iter().map(Cow::Borrowed);
        self.add_bundle_parts(bundle, documents, &mut |_, _| true)
    }

    /// [`Self::add_bundle`], letting each document and its text go once written, and the rest
    /// of the bundle before the search index is built: for a bundle as big as a whole project.
    /// `progress(done, total)` hears of the documents and codings written (every thousand
    /// codings); when it returns `false` the write stops with [`StoreError::Cancelled`].
    pub fn add_bundle_owned(
        &self,
        mut bundle: Bundle,
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<BundleReport> {
        let documents = std::mem::take(&mut bundle.documents);
        self.add_bundle_parts(&bundle, documents.into_iter().map(Cow::Owned), progress)
    }

    /// Adds `bundle`, whose documents are `documents`.
    fn add_bundle_parts<'a>(
        &self,
        bundle: &Bundle,
        documents: impl ExactSizeIterator<Item = Cow<'a, BundleDocument>>,
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<BundleReport> {
        let total = documents.len() + bundle.codings.len();
        let mut done = 0;
        let mut tell = |done: usize| {
            if progress(done, total) {
                Ok(())
            } else {
                Err(StoreError::Cancelled)
            }
        };
        let mut report = BundleReport::default();
        if let Some(title) = &bundle.title {
            self.set_setting("title", title)?;
        }
        for c in &bundle.coders {
            self.ensure_coder_with_guid(&c.name, c.guid.as_deref())?;
        }
        if let Some(name) = &bundle.default_coder {
            let c = self.ensure_coder(name)?;
            self.set_default_coder(c)?;
        }
        for a in &bundle.attributes {
            self.ensure_attribute_with_guid(&a.name, a.scope, a.kind, a.guid.as_deref())?;
        }
        let mut cases: HashMap<String, CaseId> = HashMap::new();
        for c in &bundle.cases {
            let id = match self.case_by_name(&c.name)? {
                Some(id) => id,
                None => {
                    report.cases_created += 1;
                    self.add_case_with_guid(&c.name, c.guid.as_deref())?
                }
            };
            if !c.memo.is_empty() {
                self.set_case_memo(id, &c.memo)?;
            }
            for (k, v) in &c.attrs {
                self.set_case_attr(id, k, v)?;
            }
            cases.insert(c.name.trim().to_owned(), id);
        }
        let mut case_id = |tx: &Self, name: &str, report: &mut BundleReport| -> Result<CaseId> {
            if let Some(id) = cases.get(name.trim()) {
                return Ok(*id);
            }
            let id = match tx.case_by_name(name)? {
                Some(id) => id,
                None => {
                    report.cases_created += 1;
                    tx.add_case(name)?
                }
            };
            cases.insert(name.trim().to_owned(), id);
            Ok(id)
        };
        // Bundle names of documents -> ids (a taken name gets a suffix in the project).
        let mut docs: HashMap<String, DocId> = HashMap::new();
        for d in documents {
            tell(done)?;
            done += 1;
            let id = self.add_document(&d.doc)?;
            if !d.memo.is_empty() {
                self.set_document_memo(id, &d.memo)?;
            }
            for c in &d.cases {
                let c = case_id(self, c, &mut report)?;
                self.assign_case(c, id)?;
            }
            for (k, v) in &d.attrs {
                self.set_doc_attr(id, k, v)?;
            }
            for (speaker, case) in &d.speakers {
                let c = case_id(self, case, &mut report)?;
                self.map_speaker(id, speaker, Some(c))?;
            }
            report.documents.push((id, self.document(id)?.name));
            // An owned document (and its text) goes here.
            let name = match d {
                Cow::Borrowed(d) => d.doc.name.clone(),
                Cow::Owned(d) => d.doc.name,
            };
            docs.insert(name, id);
        }
        let doc_id = |name: &str| -> Result<DocId> {
            match docs.get(name) {
                Some(id) => Ok(*id),
                None => self.require_document(name),
            }
        };
        let mut codes: HashMap<String, CodeId> = HashMap::new();
        for c in &bundle.codes {
            let (id, created) = self.ensure_code_path(&c.path, c.color, &c.description)?;
            if created {
                report.codes_created += 1;
                if let Some(g) = &c.guid {
                    self.set_code_guid(id, g)?;
                }
            } else {
                if let Some(color) = c.color {
                    self.set_code_color(id, color)?;
                }
                if !c.description.is_empty() {
                    self.set_code_description(id, &c.description)?;
                }
            }
            codes.insert(c.path.clone(), id);
        }
        let code_id = |path: &str| -> Result<CodeId> {
            match codes.get(path) {
                Some(id) => Ok(*id),
                None => self.require_code(path),
            }
        };
        let default = || self.default_coder_or_add();
        // Per batch, not per coding: coders by name, and each document's length and name
        // (the range check `apply_code_with` makes, without reading the row every time).
        let mut coders: HashMap<&str, crate::model::CoderId> = HashMap::new();
        let mut default_id = None;
        let mut lengths: HashMap<DocId, (usize, String)> = HashMap::new();
        // A document this bundle added has no codings but the bundle's: a repeat among those
        // is found here, without asking SQLite for every coding.
        let added_docs: HashSet<DocId> = docs.values().copied().collect();
        let mut added: HashSet<(DocId, CodeId, crate::model::CoderId, usize, usize)> =
            HashSet::new();
        for (i, c) in bundle.codings.iter().enumerate() {
            if i % 1024 == 0 {
                tell(done + i)?;
            }
            let coder = match &c.coder {
                Some(name) => match coders.get(name.as_str()) {
                    Some(id) => *id,
                    None => {
                        let id = self.ensure_coder(name)?;
                        coders.insert(name, id);
                        id
                    }
                },
                None => match default_id {
                    Some(id) => id,
                    None => *default_id.insert(default()?),
                },
            };
            let doc = doc_id(&c.document)?;
            let (len, name) = match lengths.entry(doc) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let d = self.document(doc)?;
                    e.insert((d.char_len, d.name))
                }
            };
            let (start, end) = (c.range.start, c.range.end);
            if start >= end || end > *len {
                return Err(StoreError::Invalid(format!(
                    "range {start}..{end} lies outside “{name}”, which has {len} characters"
                )));
            }
            // The code comes from this bundle or the project: it exists.
            let code = code_id(&c.code)?;
            let fresh = added_docs.contains(&doc);
            if !fresh || added.insert((doc, code, coder, start, end)) {
                self.insert_bundle_coding(doc, code, coder, (start, end), c, !fresh)?;
            }
            report.codings += 1;
        }
        for m in &bundle.memos {
            let target = match &m.target {
                BundleTarget::Project => MemoTarget::Project,
                BundleTarget::Document(d) => MemoTarget::Document(doc_id(d)?),
                BundleTarget::Code(c) => MemoTarget::Code(code_id(c)?),
                BundleTarget::Case(c) => MemoTarget::Case(case_id(self, c, &mut report)?),
            };
            let coder = match &m.coder {
                Some(name) => self.ensure_coder(name)?,
                None => default()?,
            };
            self.add_memo_with_guid(target, &m.title, &m.body, Some(coder), m.guid.as_deref())?;
            report.memos += 1;
        }
        self.add_bundle_themes(&bundle.themes, &code_id, &mut report)?;
        Ok(report)
    }

    /// The themes of a bundle: each created (keeping its GUID unless another theme has it) or,
    /// when a theme of that name exists, reused; then parents set by name, then codes linked
    /// by path.
    fn add_bundle_themes(
        &self,
        themes: &[crate::model::BundleTheme],
        code_id: &dyn Fn(&str) -> Result<CodeId>,
        report: &mut BundleReport,
    ) -> Result<()> {
        let mut ids = Vec::with_capacity(themes.len());
        for t in themes {
            let id = match self.theme_by_name(&t.name)? {
                Some(id) => id,
                None => {
                    let guid = match &t.guid {
                        Some(g) if !self.theme_guid_taken(g)? => Some(g.as_str()),
                        _ => None,
                    };
                    let id = self.add_theme(&t.name, None, t.color, guid)?;
                    self.set_theme_text(
                        id,
                        Some(&t.concept),
                        Some(&t.definition),
                        Some(&t.boundaries),
                    )?;
                    if t.status != crate::model::ThemeStatus::Candidate {
                        self.set_theme_status(id, t.status)?;
                    }
                    report.themes_created += 1;
                    id
                }
            };
            ids.push(id);
        }
        for (t, &id) in themes.iter().zip(&ids) {
            if let Some(parent) = &t.parent
                && let Some(p) = self.theme_by_name(parent)?
                && p != id
                && self.theme(id)?.parent.is_none()
            {
                // A cycle (a file naming each theme the other's parent) leaves it on top.
                let _ = self.set_theme_parent(id, Some(p));
            }
            for path in &t.codes {
                self.link_code(id, code_id(path)?)?;
            }
        }
        Ok(())
    }

    fn theme_guid_taken(&self, guid: &str) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM theme WHERE guid = ?1)",
            [guid],
            |r| r.get(0),
        )?)
    }

    /// Inserts one coding of a bundle with its selection GUID in the same row (so the undo log
    /// records one insert, not an insert and an update). The same code on the same range by
    /// the same coder again changes nothing, as in [`Tx::insert_coding`] (looked up when
    /// `check`, else known by the caller).
    fn insert_bundle_coding(
        &self,
        doc: DocId,
        code: CodeId,
        coder: crate::model::CoderId,
        (start, end): (usize, usize),
        c: &crate::model::BundleCoding,
        check: bool,
    ) -> Result<()> {
        use rusqlite::OptionalExtension;
        if check {
            let exists = self
                .conn()
                .prepare_cached(
                    "SELECT id FROM coding WHERE doc_id = ?1 AND code_id = ?2 AND coder_id = ?3
                       AND start_char = ?4 AND end_char = ?5",
                )?
                .query_row(
                    rusqlite::params![doc.0, code.0, coder.0, start as i64, end as i64],
                    |r| r.get::<_, i64>(0),
                )
                .optional()?;
            if exists.is_some() {
                return Ok(());
            }
        }
        self.conn()
            .prepare_cached(
                "INSERT INTO coding (guid, doc_id, code_id, coder_id, start_char, end_char, memo,
                                     created_at, selection_guid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(rusqlite::params![
                c.guid.clone().unwrap_or_else(super::new_guid),
                doc.0,
                code.0,
                coder.0,
                start as i64,
                end as i64,
                c.memo,
                c.created_at.clone().unwrap_or_else(super::now),
                c.selection_guid,
            ])?;
        Ok(())
    }

    /// Gives a code the GUID it had elsewhere (refused when another code already has it).
    fn set_code_guid(&self, id: CodeId, guid: &str) -> Result<()> {
        let taken: bool = self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM code WHERE guid = ?1 AND id <> ?2)",
            rusqlite::params![guid, id.0],
            |r| r.get(0),
        )?;
        if taken {
            return Err(StoreError::Invalid(format!(
                "two codes carry the same identifier {guid}"
            )));
        }
        self.conn().execute(
            "UPDATE code SET guid = ?1 WHERE id = ?2",
            rusqlite::params![guid, id.0],
        )?;
        Ok(())
    }
}
