//! The codebook: a tree of codes (themes and sub-codes) with colours and descriptions.

use rusqlite::{OptionalExtension, Row, params};

use super::{Db, Result, StoreError, Tx, new_guid};
use crate::model::{Code, CodeId, CodeTree, Color, split_path};

fn code_from_row(r: &Row<'_>) -> rusqlite::Result<Code> {
    let color: String = r.get(4)?;
    Ok(Code {
        id: CodeId(r.get(0)?),
        guid: r.get(1)?,
        parent: r.get::<_, Option<i64>>(2)?.map(CodeId),
        name: r.get(3)?,
        color: Color::parse(&color).unwrap_or(Color::palette(0)),
        description: r.get(5)?,
        sort_order: r.get(6)?,
    })
}

const CODE_COLUMNS: &str = "id, guid, parent_id, name, color, description, sort_order";

fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("a code needs a name".into()));
    }
    if name.contains('/') {
        return Err(StoreError::Invalid(format!(
            "a code name cannot contain “/” (it separates parent and child in paths): “{name}”"
        )));
    }
    Ok(name)
}

/// What a merge did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Codings moved to the target code.
    pub moved: usize,
    /// Codings dropped because the target already had the same passage from the same coder.
    pub collapsed: usize,
}

impl Db<'_> {
    /// All codes.
    pub fn codes(&self) -> Result<Vec<Code>> {
        let mut st = self
            .0
            .prepare_cached(&format!("SELECT {CODE_COLUMNS} FROM code"))?;
        let rows = st.query_map([], code_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The codebook as a tree.
    pub fn code_tree(&self) -> Result<CodeTree> {
        Ok(CodeTree::new(self.codes()?))
    }

    /// One code.
    pub fn code(&self, id: CodeId) -> Result<Code> {
        self.0
            .query_row(
                &format!("SELECT {CODE_COLUMNS} FROM code WHERE id = ?1"),
                [id.0],
                code_from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                kind: "code",
                name: format!("#{id}"),
            })
    }

    fn child_named(&self, parent: Option<CodeId>, name: &str) -> Result<Option<CodeId>> {
        Ok(self
            .0
            .query_row(
                "SELECT id FROM code WHERE coalesce(parent_id, 0) = ?1 AND name = ?2",
                params![parent.map_or(0, |p| p.0), name],
                |r| r.get(0),
            )
            .optional()?
            .map(CodeId))
    }

    /// The code at `path` (`Parent/Child`), if any.
    pub fn code_by_path(&self, path: &str) -> Result<Option<CodeId>> {
        let mut parent = None;
        let mut any = false;
        for part in split_path(path) {
            any = true;
            match self.child_named(parent, part)? {
                Some(id) => parent = Some(id),
                None => return Ok(None),
            }
        }
        Ok(if any { parent } else { None })
    }

    /// The code at `path`, or a not-found error.
    pub fn require_code(&self, path: &str) -> Result<CodeId> {
        self.code_by_path(path)?
            .ok_or_else(|| StoreError::NotFound {
                kind: "code",
                name: path.to_owned(),
            })
    }

    /// Codings of a code and its sub-codes.
    pub fn subtree_coding_count(&self, id: CodeId) -> Result<usize> {
        let tree = self.code_tree()?;
        let mut n = 0usize;
        for c in tree.subtree(id) {
            let k: i64 = self.0.query_row(
                "SELECT count(*) FROM coding WHERE code_id = ?1",
                [c.0],
                |r| r.get(0),
            )?;
            n += k as usize;
        }
        Ok(n)
    }
}

impl Tx<'_> {
    /// Adds a code under `parent`. Without a colour, the next palette colour is used.
    pub fn add_code(
        &self,
        parent: Option<CodeId>,
        name: &str,
        color: Option<Color>,
        description: &str,
    ) -> Result<CodeId> {
        self.add_code_with_guid(parent, name, color, description, None)
    }

    /// [`Self::add_code`] keeping a GUID from elsewhere (an import or a merge).
    pub fn add_code_with_guid(
        &self,
        parent: Option<CodeId>,
        name: &str,
        color: Option<Color>,
        description: &str,
        guid: Option<&str>,
    ) -> Result<CodeId> {
        let name = check_name(name)?;
        if let Some(p) = parent {
            self.code(p)?;
        }
        if self.child_named(parent, name)?.is_some() {
            return Err(StoreError::Invalid(format!(
                "there is already a code “{name}” {}",
                match parent {
                    Some(p) => format!("under “{}”", self.code(p)?.name),
                    None => "at the top of the codebook".to_owned(),
                }
            )));
        }
        let (count, next): (i64, i64) = self.conn().query_row(
            "SELECT (SELECT count(*) FROM code),
                    coalesce(max(sort_order) + 1, 0) FROM code WHERE coalesce(parent_id, 0) = ?1",
            [parent.map_or(0, |p| p.0)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let color = color.unwrap_or_else(|| Color::palette(count as usize));
        self.conn().execute(
            "INSERT INTO code (guid, parent_id, name, color, description, sort_order)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                guid.map_or_else(new_guid, str::to_owned),
                parent.map(|p| p.0),
                name,
                color.to_hex(),
                description,
                next
            ],
        )?;
        Ok(CodeId(self.conn().last_insert_rowid()))
    }

    /// The code at `path`, creating it and any missing parents. Colour and description are
    /// used only for a code that is created. Returns the code and whether it was created.
    pub fn ensure_code_path(
        &self,
        path: &str,
        color: Option<Color>,
        description: &str,
    ) -> Result<(CodeId, bool)> {
        let parts: Vec<&str> = split_path(path).collect();
        if parts.is_empty() {
            return Err(StoreError::Invalid(format!("“{path}” is not a code path")));
        }
        let mut parent = None;
        let mut created = false;
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            parent = Some(match self.child_named(parent, part)? {
                Some(id) => {
                    created = false;
                    id
                }
                None => {
                    created = true;
                    if last {
                        self.add_code(parent, part, color, description)?
                    } else {
                        self.add_code(parent, part, None, "")?
                    }
                }
            });
        }
        parent
            .map(|p| (p, created))
            .ok_or_else(|| StoreError::Invalid("empty code path".into()))
    }

    /// Renames a code (unique among its siblings).
    pub fn rename_code(&self, id: CodeId, name: &str) -> Result<()> {
        let name = check_name(name)?;
        let code = self.code(id)?;
        if let Some(other) = self.child_named(code.parent, name)?
            && other != id
        {
            return Err(StoreError::Invalid(format!(
                "a sibling code is already named “{name}”"
            )));
        }
        self.conn().execute(
            "UPDATE code SET name = ?1 WHERE id = ?2",
            params![name, id.0],
        )?;
        Ok(())
    }

    /// Sets a code's colour.
    pub fn set_code_color(&self, id: CodeId, color: Color) -> Result<()> {
        self.code(id)?;
        self.conn().execute(
            "UPDATE code SET color = ?1 WHERE id = ?2",
            params![color.to_hex(), id.0],
        )?;
        Ok(())
    }

    /// Sets a code's description (definition, when to use, when not).
    pub fn set_code_description(&self, id: CodeId, description: &str) -> Result<()> {
        self.code(id)?;
        self.conn().execute(
            "UPDATE code SET description = ?1 WHERE id = ?2 AND description IS NOT ?1",
            params![description, id.0],
        )?;
        Ok(())
    }

    /// Moves a code under `parent` (`None`: top level) at position `index` among its new
    /// siblings (`None`: last). Refuses to move a code into its own subtree.
    pub fn move_code(
        &self,
        id: CodeId,
        parent: Option<CodeId>,
        index: Option<usize>,
    ) -> Result<()> {
        let tree = self.code_tree()?;
        let code = tree.get(id).cloned().ok_or_else(|| StoreError::NotFound {
            kind: "code",
            name: format!("#{id}"),
        })?;
        if let Some(p) = parent {
            if tree.get(p).is_none() {
                return Err(StoreError::NotFound {
                    kind: "code",
                    name: format!("#{p}"),
                });
            }
            if tree.is_within(p, id) {
                return Err(StoreError::Invalid(format!(
                    "cannot move “{}” into itself or one of its sub-codes",
                    code.name
                )));
            }
        }
        if let Some(other) = self.child_named(parent, &code.name)?
            && other != id
        {
            return Err(StoreError::Invalid(format!(
                "there is already a code “{}” there; merge them instead",
                code.name
            )));
        }
        let mut siblings: Vec<CodeId> = tree
            .children(parent)
            .iter()
            .copied()
            .filter(|c| *c != id)
            .collect();
        let at = index.unwrap_or(siblings.len()).min(siblings.len());
        siblings.insert(at, id);
        self.conn().execute(
            "UPDATE code SET parent_id = ?1 WHERE id = ?2",
            params![parent.map(|p| p.0), id.0],
        )?;
        for (i, sib) in siblings.iter().enumerate() {
            self.conn().execute(
                "UPDATE code SET sort_order = ?1 WHERE id = ?2 AND sort_order <> ?1",
                params![i as i64, sib.0],
            )?;
        }
        Ok(())
    }

    /// Merges `source` into `target`: its codings move to `target` (a coding identical to one
    /// `target` already has is dropped, its memo kept), its sub-codes move under `target`
    /// (merging with a same-named sub-code there), its code memos move, and `source` is deleted.
    pub fn merge_codes(&self, source: CodeId, target: CodeId) -> Result<MergeReport> {
        if source == target {
            return Err(StoreError::Invalid(
                "a code cannot be merged into itself".into(),
            ));
        }
        let tree = self.code_tree()?;
        if tree.get(source).is_none() || tree.get(target).is_none() {
            return Err(StoreError::NotFound {
                kind: "code",
                name: format!("#{source}"),
            });
        }
        if tree.is_within(target, source) {
            return Err(StoreError::Invalid(
                "cannot merge a code into one of its own sub-codes".into(),
            ));
        }
        let mut report = MergeReport::default();
        // Append memos of duplicates to the surviving coding, then drop the duplicates.
        self.conn().execute(
            "UPDATE coding AS t SET memo = trim(t.memo || char(10) || s.memo, char(10))
             FROM coding AS s
             WHERE s.code_id = ?1 AND t.code_id = ?2 AND s.doc_id = t.doc_id
               AND s.start_char = t.start_char AND s.end_char = t.end_char
               AND s.coder_id = t.coder_id AND s.memo <> '' AND s.memo <> t.memo",
            params![source.0, target.0],
        )?;
        // A duplicate marked as an exemplar passes its mark on.
        self.conn().execute(
            "UPDATE coding AS t SET exemplar = 1
             FROM coding AS s
             WHERE s.code_id = ?1 AND t.code_id = ?2 AND s.doc_id = t.doc_id
               AND s.start_char = t.start_char AND s.end_char = t.end_char
               AND s.coder_id = t.coder_id AND s.exemplar <> 0 AND t.exemplar = 0",
            params![source.0, target.0],
        )?;
        report.collapsed = self.conn().execute(
            "DELETE FROM coding WHERE code_id = ?1 AND EXISTS (
                SELECT 1 FROM coding AS t WHERE t.code_id = ?2 AND t.doc_id = coding.doc_id
                  AND t.start_char = coding.start_char AND t.end_char = coding.end_char
                  AND t.coder_id = coding.coder_id)",
            params![source.0, target.0],
        )?;
        report.moved = self.conn().execute(
            "UPDATE coding SET code_id = ?2 WHERE code_id = ?1",
            params![source.0, target.0],
        )?;
        self.conn().execute(
            "UPDATE memo SET target_id = ?2 WHERE kind = 'code' AND target_id = ?1",
            params![source.0, target.0],
        )?;
        // The themes the source supported are now supported by the target.
        self.move_theme_links(source, target)?;
        for child in tree.children(Some(source)) {
            let name = tree.get(*child).map(|c| c.name.clone()).unwrap_or_default();
            match self.child_named(Some(target), &name)? {
                Some(twin) => {
                    let r = self.merge_codes(*child, twin)?;
                    report.moved += r.moved;
                    report.collapsed += r.collapsed;
                }
                None => self.move_code(*child, Some(target), None)?,
            }
        }
        self.conn()
            .execute("DELETE FROM code WHERE id = ?1", [source.0])?;
        Ok(report)
    }

    /// Deletes a code and its sub-codes. Refused while any of them has codings unless `force`;
    /// with `force` the codings go too. Returns the number of codings deleted.
    pub fn delete_code(&self, id: CodeId, force: bool) -> Result<usize> {
        let code = self.code(id)?;
        let count = self.subtree_coding_count(id)?;
        if count > 0 && !force {
            return Err(StoreError::Invalid(format!(
                "the code “{}” (with its sub-codes) has {count} coding{}; delete them too to remove it",
                code.name,
                if count == 1 { "" } else { "s" }
            )));
        }
        let tree = self.code_tree()?;
        let mut sub = tree.subtree(id);
        sub.reverse(); // children before parents
        for c in sub {
            self.conn()
                .execute("DELETE FROM coding WHERE code_id = ?1", [c.0])?;
            self.conn().execute(
                "DELETE FROM memo WHERE kind = 'code' AND target_id = ?1",
                [c.0],
            )?;
            self.conn()
                .execute("DELETE FROM code WHERE id = ?1", [c.0])?;
        }
        Ok(count)
    }
}
