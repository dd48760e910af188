//! Cases (participants), their documents, focus-group speakers mapped to cases, and typed
//! attributes on cases and documents.

use rusqlite::{OptionalExtension, params};

use super::{Db, Result, StoreError, Tx, new_guid};
use crate::model::{AttrId, AttrScope, AttrType, Attribute, Case, CaseId, CaseLinks, DocId};

impl Db<'_> {
    /// All cases, by name.
    pub fn cases(&self) -> Result<Vec<Case>> {
        let mut st = self
            .0
            .prepare_cached("SELECT id, guid, name, memo FROM cases ORDER BY name")?;
        let rows = st.query_map([], |r| {
            Ok(Case {
                id: CaseId(r.get(0)?),
                guid: r.get(1)?,
                name: r.get(2)?,
                memo: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The case named `name`, if any.
    pub fn case_by_name(&self, name: &str) -> Result<Option<CaseId>> {
        Ok(self
            .0
            .query_row("SELECT id FROM cases WHERE name = ?1", [name.trim()], |r| {
                r.get(0)
            })
            .optional()?
            .map(CaseId))
    }

    /// The case named `name`, or a not-found error.
    pub fn require_case(&self, name: &str) -> Result<CaseId> {
        self.case_by_name(name)?
            .ok_or_else(|| StoreError::NotFound {
                kind: "case",
                name: name.to_owned(),
            })
    }

    /// The cases of a document.
    pub fn cases_of_document(&self, doc: DocId) -> Result<Vec<CaseId>> {
        let mut st = self.0.prepare_cached(
            "SELECT case_id FROM case_document WHERE doc_id = ?1 ORDER BY case_id",
        )?;
        let rows = st.query_map([doc.0], |r| Ok(CaseId(r.get(0)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// All attribute definitions, by scope and name.
    pub fn attributes(&self) -> Result<Vec<Attribute>> {
        let mut st = self.0.prepare_cached(
            "SELECT id, name, scope, kind, guid FROM attribute ORDER BY scope, name",
        )?;
        let rows = st.query_map([], |r| {
            let scope: String = r.get(2)?;
            let kind: String = r.get(3)?;
            Ok(Attribute {
                id: AttrId(r.get(0)?),
                guid: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                name: r.get(1)?,
                scope: AttrScope::parse(&scope).unwrap_or(AttrScope::Case),
                kind: AttrType::parse(&kind).unwrap_or(AttrType::Text),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Everything about cases that counting and filtering need, in one read.
    pub fn case_links(&self) -> Result<CaseLinks> {
        let mut links = CaseLinks::default();
        let mut st = self
            .0
            .prepare_cached("SELECT case_id, doc_id FROM case_document ORDER BY case_id")?;
        for row in st.query_map([], |r| Ok((CaseId(r.get(0)?), DocId(r.get(1)?))))? {
            let (c, d) = row?;
            links.doc_cases.entry(d).or_default().push(c);
        }
        let mut st = self
            .0
            .prepare_cached("SELECT doc_id, speaker, case_id FROM speaker_case")?;
        for row in st.query_map([], |r| {
            Ok((
                (DocId(r.get(0)?), r.get::<_, String>(1)?),
                CaseId(r.get(2)?),
            ))
        })? {
            let (k, v) = row?;
            links.speaker_cases.insert(k, v);
        }
        for c in self.cases()? {
            links.case_names.insert(c.id, c.name);
        }
        let mut st = self.0.prepare_cached(
            "SELECT v.case_id, a.name, v.value FROM case_attr v JOIN attribute a ON a.id = v.attr_id",
        )?;
        for row in st.query_map([], |r| Ok(((CaseId(r.get(0)?), r.get(1)?), r.get(2)?)))? {
            let (k, v) = row?;
            links.case_attrs.insert(k, v);
        }
        let mut st = self.0.prepare_cached(
            "SELECT v.doc_id, a.name, v.value FROM doc_attr v JOIN attribute a ON a.id = v.attr_id",
        )?;
        for row in st.query_map([], |r| Ok(((DocId(r.get(0)?), r.get(1)?), r.get(2)?)))? {
            let (k, v) = row?;
            links.doc_attrs.insert(k, v);
        }
        Ok(links)
    }
}

impl Tx<'_> {
    /// Adds a case; the name must be new.
    pub fn add_case(&self, name: &str) -> Result<CaseId> {
        self.add_case_with_guid(name, None)
    }

    /// [`Self::add_case`] keeping a GUID from elsewhere (an import or a merge).
    pub fn add_case_with_guid(&self, name: &str, guid: Option<&str>) -> Result<CaseId> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a case needs a name".into()));
        }
        if self.case_by_name(name)?.is_some() {
            return Err(StoreError::Invalid(format!(
                "there is already a case “{name}”"
            )));
        }
        self.conn().execute(
            "INSERT INTO cases (guid, name) VALUES (?1, ?2)",
            [&guid.map_or_else(new_guid, str::to_owned), name],
        )?;
        Ok(CaseId(self.conn().last_insert_rowid()))
    }

    /// The case named `name`, created if new.
    pub fn ensure_case(&self, name: &str) -> Result<CaseId> {
        match self.case_by_name(name)? {
            Some(id) => Ok(id),
            None => self.add_case(name),
        }
    }

    /// Renames a case.
    pub fn rename_case(&self, id: CaseId, name: &str) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a case needs a name".into()));
        }
        if let Some(other) = self.case_by_name(name)?
            && other != id
        {
            return Err(StoreError::Invalid(format!(
                "there is already a case “{name}”"
            )));
        }
        self.conn().execute(
            "UPDATE cases SET name = ?1 WHERE id = ?2",
            params![name, id.0],
        )?;
        Ok(())
    }

    /// Sets a case's memo.
    pub fn set_case_memo(&self, id: CaseId, memo: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE cases SET memo = ?1 WHERE id = ?2 AND memo IS NOT ?1",
            params![memo, id.0],
        )?;
        Ok(())
    }

    /// Deletes a case with its links and attribute values (documents and codings stay).
    pub fn delete_case(&self, id: CaseId) -> Result<()> {
        for sql in [
            "DELETE FROM case_document WHERE case_id = ?1",
            "DELETE FROM speaker_case WHERE case_id = ?1",
            "DELETE FROM case_attr WHERE case_id = ?1",
            "DELETE FROM memo WHERE kind = 'case' AND target_id = ?1",
            "DELETE FROM cases WHERE id = ?1",
        ] {
            self.conn().execute(sql, [id.0])?;
        }
        Ok(())
    }

    /// Assigns a document to a case (nothing happens if it already is).
    pub fn assign_case(&self, case: CaseId, doc: DocId) -> Result<()> {
        self.document(doc)?;
        self.conn().execute(
            "INSERT OR IGNORE INTO case_document (case_id, doc_id) VALUES (?1, ?2)",
            params![case.0, doc.0],
        )?;
        Ok(())
    }

    /// Removes a document from a case.
    pub fn unassign_case(&self, case: CaseId, doc: DocId) -> Result<()> {
        self.conn().execute(
            "DELETE FROM case_document WHERE case_id = ?1 AND doc_id = ?2",
            params![case.0, doc.0],
        )?;
        Ok(())
    }

    /// Maps a speaker of a (focus-group) document to a case; `None` removes the mapping.
    pub fn map_speaker(&self, doc: DocId, speaker: &str, case: Option<CaseId>) -> Result<()> {
        self.document(doc)?;
        match case {
            Some(c) => self.conn().execute(
                "INSERT INTO speaker_case (doc_id, speaker, case_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT (doc_id, speaker) DO UPDATE SET case_id = excluded.case_id",
                params![doc.0, speaker.trim(), c.0],
            )?,
            None => self.conn().execute(
                "DELETE FROM speaker_case WHERE doc_id = ?1 AND speaker = ?2",
                params![doc.0, speaker.trim()],
            )?,
        };
        Ok(())
    }

    /// The attribute `name` of `scope`, defined with `kind` if new.
    pub fn ensure_attribute(
        &self,
        name: &str,
        scope: AttrScope,
        kind: AttrType,
    ) -> Result<Attribute> {
        self.ensure_attribute_with_guid(name, scope, kind, None)
    }

    /// [`Self::ensure_attribute`] keeping a GUID from elsewhere for a new attribute.
    pub fn ensure_attribute_with_guid(
        &self,
        name: &str,
        scope: AttrScope,
        kind: AttrType,
        guid: Option<&str>,
    ) -> Result<Attribute> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("an attribute needs a name".into()));
        }
        if let Some(a) = self
            .attributes()?
            .into_iter()
            .find(|a| a.scope == scope && a.name == name)
        {
            return Ok(a);
        }
        let guid = guid.map_or_else(new_guid, str::to_owned);
        self.conn().execute(
            "INSERT INTO attribute (guid, name, scope, kind) VALUES (?1, ?2, ?3, ?4)",
            params![guid, name, scope.as_str(), kind.as_str()],
        )?;
        Ok(Attribute {
            id: AttrId(self.conn().last_insert_rowid()),
            guid,
            name: name.to_owned(),
            scope,
            kind,
        })
    }

    fn typed_attribute(&self, name: &str, scope: AttrScope, value: &str) -> Result<Attribute> {
        let attr = self.ensure_attribute(name, scope, AttrType::infer(value))?;
        if !attr.kind.accepts(value) {
            return Err(StoreError::Invalid(format!(
                "“{value}” is not a valid {} value for the {} attribute “{}”",
                attr.kind.as_str(),
                scope.as_str(),
                attr.name
            )));
        }
        Ok(attr)
    }

    /// Sets an attribute of a case (the attribute is created, its type inferred, if new).
    /// An empty value clears it.
    pub fn set_case_attr(&self, case: CaseId, name: &str, value: &str) -> Result<()> {
        self.set_attr(AttrScope::Case, case.0, name, value)
    }

    /// Sets an attribute of a document (created, type inferred, if new). Empty clears it.
    pub fn set_doc_attr(&self, doc: DocId, name: &str, value: &str) -> Result<()> {
        self.set_attr(AttrScope::Document, doc.0, name, value)
    }

    fn set_attr(&self, scope: AttrScope, owner: i64, name: &str, value: &str) -> Result<()> {
        let (table, key) = match scope {
            AttrScope::Case => ("case_attr", "case_id"),
            AttrScope::Document => ("doc_attr", "doc_id"),
        };
        let value = value.trim();
        if value.is_empty() {
            self.conn().execute(
                &format!(
                    "DELETE FROM {table} WHERE {key} = ?1 AND attr_id IN
                       (SELECT id FROM attribute WHERE scope = ?2 AND name = ?3)"
                ),
                params![owner, scope.as_str(), name.trim()],
            )?;
            return Ok(());
        }
        let attr = self.typed_attribute(name, scope, value)?;
        self.conn().execute(
            &format!(
                "INSERT INTO {table} ({key}, attr_id, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT ({key}, attr_id) DO UPDATE SET value = excluded.value"
            ),
            params![owner, attr.id.0, value],
        )?;
        Ok(())
    }
}
