//! Documents: import into the project, list, read text and turns, rename, delete.

use rusqlite::{OptionalExtension, Row, params};

use super::{Db, Result, StoreError, Tx, new_guid, now};
use crate::model::{DocId, Document, NewDocument, Origin, Turn};
use crate::text::WordIndex;

const DOC_COLUMNS: &str = "id, guid, name, char_len, word_count, origin_file, origin_format, \
                           origin_encoding, origin_sha256, imported_at, memo";

fn doc_from_row(r: &Row<'_>) -> rusqlite::Result<Document> {
    Ok(Document {
        id: DocId(r.get(0)?),
        guid: r.get(1)?,
        name: r.get(2)?,
        char_len: r.get::<_, i64>(3)? as usize,
        word_count: r.get::<_, i64>(4)? as usize,
        origin: Origin {
            file_name: r.get(5)?,
            format: r.get(6)?,
            encoding: r.get(7)?,
            sha256: r.get(8)?,
        },
        imported_at: r.get(9)?,
        memo: r.get(10)?,
    })
}

impl Db<'_> {
    /// `base`, or `base (2)`, `base (3)`, ... whichever is free.
    pub fn unique_document_name(&self, base: &str) -> Result<String> {
        let mut name = base.to_owned();
        let mut n = 2;
        while self.document_by_name(&name)?.is_some() {
            name = format!("{base} ({n})");
            n += 1;
        }
        Ok(name)
    }

    /// All documents, by name.
    pub fn documents(&self) -> Result<Vec<Document>> {
        let mut st = self
            .0
            .prepare_cached(&format!("SELECT {DOC_COLUMNS} FROM document ORDER BY name"))?;
        let rows = st.query_map([], doc_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One document.
    pub fn document(&self, id: DocId) -> Result<Document> {
        self.0
            .query_row(
                &format!("SELECT {DOC_COLUMNS} FROM document WHERE id = ?1"),
                [id.0],
                doc_from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                kind: "document",
                name: format!("#{id}"),
            })
    }

    /// The document named `name`, if any.
    pub fn document_by_name(&self, name: &str) -> Result<Option<DocId>> {
        Ok(self
            .0
            .query_row("SELECT id FROM document WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?
            .map(DocId))
    }

    /// The document named `name`, or a not-found error.
    pub fn require_document(&self, name: &str) -> Result<DocId> {
        self.document_by_name(name)?
            .ok_or_else(|| StoreError::NotFound {
                kind: "document",
                name: name.to_owned(),
            })
    }

    /// The stored text of a document.
    pub fn document_text(&self, id: DocId) -> Result<String> {
        self.0
            .query_row(
                "SELECT text FROM document_text WHERE doc_id = ?1",
                [id.0],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                kind: "document",
                name: format!("#{id}"),
            })
    }

    /// The speaker turns of a document, sorted by start.
    pub fn turns(&self, id: DocId) -> Result<Vec<Turn>> {
        let json: Option<String> = self
            .0
            .query_row(
                "SELECT turns FROM document_text WHERE doc_id = ?1",
                [id.0],
                |r| r.get(0),
            )
            .optional()?;
        Ok(serde_json::from_str(json.as_deref().unwrap_or("[]"))?)
    }

    /// The word index of a document (for word counts of coded passages).
    pub fn word_index(&self, id: DocId) -> Result<WordIndex> {
        let blob: Option<Vec<u8>> = self
            .0
            .query_row(
                "SELECT words FROM document_words WHERE doc_id = ?1",
                [id.0],
                |r| r.get(0),
            )
            .optional()?;
        match blob {
            Some(b) => WordIndex::decode(&b).ok_or_else(|| {
                StoreError::Invalid(format!("the word index of document #{id} is damaged"))
            }),
            None => Ok(WordIndex::new(&self.document_text(id)?)),
        }
    }
}

impl Tx<'_> {
    /// Adds a document; returns its id. The name is made unique; turns are checked to lie
    /// inside the text.
    pub fn add_document(&self, doc: &NewDocument) -> Result<DocId> {
        let (words, word_count) = WordIndex::encode_text(&doc.text);
        let char_len = doc.text.chars().count();
        for t in &doc.turns {
            if !(t.start <= t.body_start && t.body_start <= t.end && t.end <= char_len) {
                return Err(StoreError::Invalid(format!(
                    "speaker turn {}..{} lies outside the text of “{}”",
                    t.start, t.end, doc.name
                )));
            }
        }
        let base = doc.name.trim();
        let base = if base.is_empty() { "Untitled" } else { base };
        let name = self.unique_document_name(base)?;
        self.conn().execute(
            "INSERT INTO document (guid, name, char_len, word_count, origin_file, origin_format,
                                   origin_encoding, origin_sha256, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                doc.guid.clone().unwrap_or_else(new_guid),
                name,
                char_len as i64,
                word_count as i64,
                doc.origin.file_name,
                doc.origin.format,
                doc.origin.encoding,
                doc.origin.sha256,
                now()
            ],
        )?;
        let id = self.conn().last_insert_rowid();
        self.conn().execute(
            "INSERT INTO document_text (doc_id, text, turns) VALUES (?1, ?2, ?3)",
            params![id, doc.text, serde_json::to_string(&doc.turns)?],
        )?;
        self.conn().execute(
            "INSERT INTO document_words (doc_id, words) VALUES (?1, ?2)",
            params![id, words],
        )?;
        Ok(DocId(id))
    }

    /// Renames a document; the new name must be free.
    pub fn rename_document(&self, id: DocId, name: &str) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a document needs a name".into()));
        }
        if let Some(other) = self.document_by_name(name)?
            && other != id
        {
            return Err(StoreError::Invalid(format!(
                "there is already a document “{name}”"
            )));
        }
        self.conn().execute(
            "UPDATE document SET name = ?1 WHERE id = ?2",
            params![name, id.0],
        )?;
        Ok(())
    }

    /// Sets a document's memo.
    pub fn set_document_memo(&self, id: DocId, memo: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE document SET memo = ?1 WHERE id = ?2 AND memo IS NOT ?1",
            params![memo, id.0],
        )?;
        Ok(())
    }

    /// Deletes a document with its codings, case links, attribute values and memos. Returns
    /// how many codings went with it.
    pub fn delete_document(&self, id: DocId) -> Result<usize> {
        self.document(id)?;
        let codings = self
            .conn()
            .execute("DELETE FROM coding WHERE doc_id = ?1", [id.0])?;
        for sql in [
            "DELETE FROM case_document WHERE doc_id = ?1",
            "DELETE FROM speaker_case WHERE doc_id = ?1",
            "DELETE FROM doc_attr WHERE doc_id = ?1",
            "DELETE FROM memo WHERE kind = 'document' AND target_id = ?1",
            "DELETE FROM document_words WHERE doc_id = ?1",
            "DELETE FROM document_text WHERE doc_id = ?1",
            "DELETE FROM document WHERE id = ?1",
        ] {
            self.conn().execute(sql, [id.0])?;
        }
        Ok(codings)
    }
}
