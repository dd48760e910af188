//! The codebook as a tree: paths, depth-first order and subtrees, built from plain codes.

use std::collections::{HashMap, HashSet};

use super::{Code, CodeId};

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
        let ids: HashSet<CodeId> = all.iter().map(|c| c.id).collect();
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

    /// Where the code with this id stands in [`Self::codes`].
    pub fn position(&self, id: CodeId) -> Option<usize> {
        self.index.get(&id).copied()
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
