//! The codebook: a tree of codes (themes and sub-codes) with colours and descriptions.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Row, params};

use super::{Db, Result, StoreError, new_guid};
use crate::model::{Code, CodeId, Color};

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

/// The codebook as a tree, for paths, depth-first order and subtrees.
#[derive(Debug, Clone, Default)]
pub struct CodeTree {
    /// Codes in depth-first order (parents before children, siblings by `sort_order`).
    pub codes: Vec<Code>,
    index: HashMap<CodeId, usize>,
    children: HashMap<Option<CodeId>, Vec<CodeId>>,
}

impl CodeTree {
    /// Builds the tree from codes in any order.
    pub fn new(mut all: Vec<Code>) -> Self {
        all.sort_by(|a, b| (a.sort_order, &a.name).cmp(&(b.sort_order, &b.name)));
        let mut children: HashMap<Option<CodeId>, Vec<CodeId>> = HashMap::new();
        let ids: std::collections::HashSet<CodeId> = all.iter().map(|c| c.id).collect();
        for c in &all {
            // A parent that does not exist would hide the code: show it at the top instead.
            let parent = c.parent.filter(|p| ids.contains(p));
            children.entry(parent).or_default().push(c.id);
        }
        let by_id: HashMap<CodeId, Code> = all.into_iter().map(|c| (c.id, c)).collect();
        let mut codes = Vec::with_capacity(by_id.len());
        let mut stack: Vec<CodeId> = children
            .get(&None)
            .map(|v| v.iter().rev().copied().collect())
            .unwrap_or_default();
        while let Some(id) = stack.pop() {
            if let Some(c) = by_id.get(&id) {
                codes.push(c.clone());
                if let Some(kids) = children.get(&Some(id)) {
                    stack.extend(kids.iter().rev());
                }
            }
        }
        let index = codes.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        Self {
            codes,
            index,
            children,
        }
    }

    /// The code with this id.
    pub fn get(&self, id: CodeId) -> Option<&Code> {
        self.index.get(&id).map(|&i| &self.codes[i])
    }

    /// Direct children of `parent` (`None`: top-level codes), in order.
    pub fn children(&self, parent: Option<CodeId>) -> &[CodeId] {
        self.children.get(&parent).map_or(&[], Vec::as_slice)
    }

    /// `Parent/Child` path of a code.
    pub fn path(&self, id: CodeId) -> String {
        let mut parts = Vec::new();
        let mut cur = self.get(id);
        while let Some(c) = cur {
            parts.push(c.name.as_str());
            if parts.len() > self.codes.len() {
                break;
            }
            cur = c.parent.and_then(|p| self.get(p));
        }
        parts.reverse();
        parts.join("/")
    }

    /// Depth of a code (0 at the top).
    pub fn depth(&self, id: CodeId) -> usize {
        let mut d = 0;
        let mut cur = self.get(id).and_then(|c| c.parent);
        while let Some(p) = cur {
            d += 1;
            if d > self.codes.len() {
                break;
            }
            cur = self.get(p).and_then(|c| c.parent);
        }
        d
    }

    /// The code and all its descendants.
    pub fn subtree(&self, id: CodeId) -> Vec<CodeId> {
        let mut out = vec![id];
        let mut i = 0;
        while i < out.len() {
            out.extend(self.children(Some(out[i])));
            i += 1;
        }
        out
    }

    /// Whether `ancestor` is `id` or one of its ancestors.
    pub fn is_within(&self, id: CodeId, ancestor: CodeId) -> bool {
        let mut cur = Some(id);
        let mut steps = 0;
        while let Some(c) = cur {
            if c == ancestor {
                return true;
            }
            steps += 1;
            if steps > self.codes.len() {
                return false;
            }
            cur = self.get(c).and_then(|c| c.parent);
        }
        false
    }

    /// The code at `path` (`Parent/Child`), if any.
    pub fn find_path(&self, path: &str) -> Option<CodeId> {
        let mut parent = None;
        for part in split_path(path) {
            parent = Some(
                *self
                    .children(parent)
                    .iter()
                    .find(|id| self.get(**id).is_some_and(|c| c.name == part))?,
            );
        }
        parent
    }
}

/// Splits `A / B/C` into trimmed, non-empty names.
pub fn split_path(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').map(str::trim).filter(|p| !p.is_empty())
}

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

    /// Adds a code under `parent`. Without a colour, the next palette colour is used.
    pub fn add_code(
        &self,
        parent: Option<CodeId>,
        name: &str,
        color: Option<Color>,
        description: &str,
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
        let (count, next): (i64, i64) = self.0.query_row(
            "SELECT (SELECT count(*) FROM code),
                    coalesce(max(sort_order) + 1, 0) FROM code WHERE coalesce(parent_id, 0) = ?1",
            [parent.map_or(0, |p| p.0)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let color = color.unwrap_or_else(|| Color::palette(count as usize));
        self.0.execute(
            "INSERT INTO code (guid, parent_id, name, color, description, sort_order)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                new_guid(),
                parent.map(|p| p.0),
                name,
                color.to_hex(),
                description,
                next
            ],
        )?;
        Ok(CodeId(self.0.last_insert_rowid()))
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
        self.0.execute(
            "UPDATE code SET name = ?1 WHERE id = ?2",
            params![name, id.0],
        )?;
        Ok(())
    }

    /// Sets a code's colour.
    pub fn set_code_color(&self, id: CodeId, color: Color) -> Result<()> {
        self.code(id)?;
        self.0.execute(
            "UPDATE code SET color = ?1 WHERE id = ?2",
            params![color.to_hex(), id.0],
        )?;
        Ok(())
    }

    /// Sets a code's description (definition, when to use, when not).
    pub fn set_code_description(&self, id: CodeId, description: &str) -> Result<()> {
        self.code(id)?;
        self.0.execute(
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
        self.0.execute(
            "UPDATE code SET parent_id = ?1 WHERE id = ?2",
            params![parent.map(|p| p.0), id.0],
        )?;
        for (i, sib) in siblings.iter().enumerate() {
            self.0.execute(
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
        self.0.execute(
            "UPDATE coding AS t SET memo = trim(t.memo || char(10) || s.memo, char(10))
             FROM coding AS s
             WHERE s.code_id = ?1 AND t.code_id = ?2 AND s.doc_id = t.doc_id
               AND s.start_char = t.start_char AND s.end_char = t.end_char
               AND s.coder_id = t.coder_id AND s.memo <> '' AND s.memo <> t.memo",
            params![source.0, target.0],
        )?;
        report.collapsed = self.0.execute(
            "DELETE FROM coding WHERE code_id = ?1 AND EXISTS (
                SELECT 1 FROM coding AS t WHERE t.code_id = ?2 AND t.doc_id = coding.doc_id
                  AND t.start_char = coding.start_char AND t.end_char = coding.end_char
                  AND t.coder_id = coding.coder_id)",
            params![source.0, target.0],
        )?;
        report.moved = self.0.execute(
            "UPDATE coding SET code_id = ?2 WHERE code_id = ?1",
            params![source.0, target.0],
        )?;
        self.0.execute(
            "UPDATE memo SET target_id = ?2 WHERE kind = 'code' AND target_id = ?1",
            params![source.0, target.0],
        )?;
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
        self.0
            .execute("DELETE FROM code WHERE id = ?1", [source.0])?;
        Ok(report)
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
            self.0
                .execute("DELETE FROM coding WHERE code_id = ?1", [c.0])?;
            self.0.execute(
                "DELETE FROM memo WHERE kind = 'code' AND target_id = ?1",
                [c.0],
            )?;
            self.0.execute("DELETE FROM code WHERE id = ?1", [c.0])?;
        }
        Ok(count)
    }
}
