//! User edits as values. The GUI's panels (and the CLI) describe what the user did as an
//! [`Action`]; [`Action::apply`] runs it as one transaction and one undo step, labelled with
//! what the Edit menu will say ("Undo Apply code “Role”"). Undo and redo themselves are the
//! store's ([`Store::undo`], [`Store::redo`]): the store records the exact inverse of every
//! row change, so no action needs a hand-written inverse.

use crate::model::{CaseId, CodeId, CoderId, CodingId, Color, DocId, MemoId, MemoTarget};
use crate::store::{Result, Store};

/// One user edit.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Code `[start, end)` of a document.
    ApplyCode {
        doc: DocId,
        code: CodeId,
        coder: CoderId,
        start: usize,
        end: usize,
    },
    /// Create a code at `path` (missing parents too) and apply it to `[start, end)`.
    CreateAndApply {
        path: String,
        doc: DocId,
        coder: CoderId,
        start: usize,
        end: usize,
    },
    /// Remove a coding.
    RemoveCoding(CodingId),
    /// Change a coding's code.
    RecodeCoding { coding: CodingId, code: CodeId },
    /// Extend or shrink a coding.
    ResizeCoding {
        coding: CodingId,
        start: usize,
        end: usize,
    },
    /// Set a coding's memo.
    SetCodingMemo { coding: CodingId, memo: String },
    /// Add a code.
    AddCode {
        parent: Option<CodeId>,
        name: String,
        color: Option<Color>,
    },
    /// Rename a code.
    RenameCode { code: CodeId, name: String },
    /// Recolour a code.
    RecolorCode { code: CodeId, color: Color },
    /// Change a code's description.
    DescribeCode { code: CodeId, description: String },
    /// Move a code under another (or to the top) at a position among its siblings.
    MoveCode {
        code: CodeId,
        parent: Option<CodeId>,
        index: Option<usize>,
    },
    /// Merge `source` into `target`.
    MergeCodes { source: CodeId, target: CodeId },
    /// Delete a code, its sub-codes and their codings.
    DeleteCode(CodeId),
    /// Rename a document.
    RenameDocument { doc: DocId, name: String },
    /// Delete a document and its codings.
    DeleteDocument(DocId),
    /// Set a document's memo.
    SetDocumentMemo { doc: DocId, memo: String },
    /// Add a case (and optionally assign a document to it).
    AddCase { name: String, doc: Option<DocId> },
    /// Rename a case.
    RenameCase { case: CaseId, name: String },
    /// Delete a case (its documents and codings stay).
    DeleteCase(CaseId),
    /// Set a case's memo.
    SetCaseMemo { case: CaseId, memo: String },
    /// Assign a document to a case.
    AssignCase { case: CaseId, doc: DocId },
    /// Remove a document from a case.
    UnassignCase { case: CaseId, doc: DocId },
    /// Set (or clear, with an empty value) a case attribute.
    SetCaseAttr {
        case: CaseId,
        name: String,
        value: String,
    },
    /// Set (or clear) a document attribute.
    SetDocAttr {
        doc: DocId,
        name: String,
        value: String,
    },
    /// Add a memo.
    AddMemo {
        target: MemoTarget,
        title: String,
        body: String,
        coder: Option<CoderId>,
    },
    /// Edit a memo.
    EditMemo {
        memo: MemoId,
        title: String,
        body: String,
    },
    /// Delete a memo.
    DeleteMemo(MemoId),
}

/// What an action produced, for the GUI to select or show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to select.
    Done,
    /// A coding was created.
    Coding(CodingId),
    /// A code was created.
    Code(CodeId),
    /// A case was created.
    Case(CaseId),
    /// A memo was created.
    Memo(MemoId),
}

impl Action {
    /// Runs the action in one transaction; it becomes one undo step named by
    /// [`Self::label`].
    pub fn apply(&self, store: &mut Store) -> Result<Outcome> {
        let label = self.label(store);
        store.action(&label, |db| {
            Ok(match self {
                Self::ApplyCode {
                    doc,
                    code,
                    coder,
                    start,
                    end,
                } => Outcome::Coding(db.apply_code(*doc, *code, *coder, *start, *end, "")?),
                Self::CreateAndApply {
                    path,
                    doc,
                    coder,
                    start,
                    end,
                } => {
                    let (code, _) = db.ensure_code_path(path, None, "")?;
                    Outcome::Coding(db.apply_code(*doc, code, *coder, *start, *end, "")?)
                }
                Self::RemoveCoding(c) => {
                    db.remove_coding(*c)?;
                    Outcome::Done
                }
                Self::RecodeCoding { coding, code } => {
                    db.set_coding_code(*coding, *code)?;
                    Outcome::Coding(*coding)
                }
                Self::ResizeCoding { coding, start, end } => {
                    db.set_coding_range(*coding, *start, *end)?;
                    Outcome::Coding(*coding)
                }
                Self::SetCodingMemo { coding, memo } => {
                    db.set_coding_memo(*coding, memo)?;
                    Outcome::Coding(*coding)
                }
                Self::AddCode {
                    parent,
                    name,
                    color,
                } => Outcome::Code(db.add_code(*parent, name, *color, "")?),
                Self::RenameCode { code, name } => {
                    db.rename_code(*code, name)?;
                    Outcome::Done
                }
                Self::RecolorCode { code, color } => {
                    db.set_code_color(*code, *color)?;
                    Outcome::Done
                }
                Self::DescribeCode { code, description } => {
                    db.set_code_description(*code, description)?;
                    Outcome::Done
                }
                Self::MoveCode {
                    code,
                    parent,
                    index,
                } => {
                    db.move_code(*code, *parent, *index)?;
                    Outcome::Done
                }
                Self::MergeCodes { source, target } => {
                    db.merge_codes(*source, *target)?;
                    Outcome::Code(*target)
                }
                Self::DeleteCode(c) => {
                    db.delete_code(*c, true)?;
                    Outcome::Done
                }
                Self::RenameDocument { doc, name } => {
                    db.rename_document(*doc, name)?;
                    Outcome::Done
                }
                Self::DeleteDocument(d) => {
                    db.delete_document(*d)?;
                    Outcome::Done
                }
                Self::SetDocumentMemo { doc, memo } => {
                    db.set_document_memo(*doc, memo)?;
                    Outcome::Done
                }
                Self::AddCase { name, doc } => {
                    let case = db.add_case(name)?;
                    if let Some(d) = doc {
                        db.assign_case(case, *d)?;
                    }
                    Outcome::Case(case)
                }
                Self::RenameCase { case, name } => {
                    db.rename_case(*case, name)?;
                    Outcome::Done
                }
                Self::DeleteCase(case) => {
                    db.delete_case(*case)?;
                    Outcome::Done
                }
                Self::SetCaseMemo { case, memo } => {
                    db.set_case_memo(*case, memo)?;
                    Outcome::Done
                }
                Self::AssignCase { case, doc } => {
                    db.assign_case(*case, *doc)?;
                    Outcome::Done
                }
                Self::UnassignCase { case, doc } => {
                    db.unassign_case(*case, *doc)?;
                    Outcome::Done
                }
                Self::SetCaseAttr { case, name, value } => {
                    db.set_case_attr(*case, name, value)?;
                    Outcome::Done
                }
                Self::SetDocAttr { doc, name, value } => {
                    db.set_doc_attr(*doc, name, value)?;
                    Outcome::Done
                }
                Self::AddMemo {
                    target,
                    title,
                    body,
                    coder,
                } => Outcome::Memo(db.add_memo(*target, title, body, *coder)?),
                Self::EditMemo { memo, title, body } => {
                    db.update_memo(*memo, title, body)?;
                    Outcome::Memo(*memo)
                }
                Self::DeleteMemo(m) => {
                    db.delete_memo(*m)?;
                    Outcome::Done
                }
            })
        })
    }

    /// What the Edit menu calls this action ("Apply code “Role”").
    pub fn label(&self, store: &Store) -> String {
        let db = store.db();
        let code = |id: &CodeId| {
            db.code(*id)
                .map(|c| format!("“{}”", c.name))
                .unwrap_or_else(|_| "code".into())
        };
        match self {
            Self::ApplyCode { code: c, .. } => format!("Apply code {}", code(c)),
            Self::CreateAndApply { path, .. } => format!("Create and apply code “{path}”"),
            Self::RemoveCoding(_) => "Remove coding".into(),
            Self::RecodeCoding { code: c, .. } => format!("Change coding to {}", code(c)),
            Self::ResizeCoding { .. } => "Resize coding".into(),
            Self::SetCodingMemo { .. } => "Edit coding memo".into(),
            Self::AddCode { name, .. } => format!("Add code “{name}”"),
            Self::RenameCode { code: c, name } => format!("Rename {} to “{name}”", code(c)),
            Self::RecolorCode { code: c, .. } => format!("Recolour {}", code(c)),
            Self::DescribeCode { code: c, .. } => format!("Describe {}", code(c)),
            Self::MoveCode { code: c, .. } => format!("Move {}", code(c)),
            Self::MergeCodes { source, target } => {
                format!("Merge {} into {}", code(source), code(target))
            }
            Self::DeleteCode(c) => format!("Delete code {}", code(c)),
            Self::RenameDocument { name, .. } => format!("Rename document to “{name}”"),
            Self::DeleteDocument(d) => format!(
                "Delete document “{}”",
                db.document(*d).map(|d| d.name).unwrap_or_default()
            ),
            Self::SetDocumentMemo { .. } => "Edit document memo".into(),
            Self::AddCase { name, .. } => format!("Add case “{name}”"),
            Self::RenameCase { name, .. } => format!("Rename case to “{name}”"),
            Self::DeleteCase(c) => format!(
                "Delete case “{}”",
                db.cases()
                    .ok()
                    .and_then(|cs| cs.into_iter().find(|x| x.id == *c))
                    .map(|x| x.name)
                    .unwrap_or_default()
            ),
            Self::SetCaseMemo { .. } => "Edit case memo".into(),
            Self::AssignCase { .. } => "Assign document to case".into(),
            Self::UnassignCase { .. } => "Remove document from case".into(),
            Self::SetCaseAttr { name, .. } => format!("Set case attribute “{name}”"),
            Self::SetDocAttr { name, .. } => format!("Set document attribute “{name}”"),
            Self::AddMemo { .. } => "Add memo".into(),
            Self::EditMemo { .. } => "Edit memo".into(),
            Self::DeleteMemo(_) => "Delete memo".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_edits_are_one_undo_step_each() {
        let mut store = Store::in_memory().unwrap();
        let Outcome::Case(case) = Action::AddCase {
            name: "P01".into(),
            doc: None,
        }
        .apply(&mut store)
        .unwrap() else {
            panic!("a case was created")
        };
        Action::RenameCase {
            case,
            name: "P01 (Zoë)".into(),
        }
        .apply(&mut store)
        .unwrap();
        Action::SetCaseMemo {
            case,
            memo: "Peer worker, 6 years".into(),
        }
        .apply(&mut store)
        .unwrap();
        assert_eq!(
            store.undo_label().unwrap().as_deref(),
            Some("Edit case memo")
        );
        let c = &store.db().cases().unwrap()[0];
        assert_eq!(
            (c.name.as_str(), c.memo.as_str()),
            ("P01 (Zoë)", "Peer worker, 6 years")
        );
        Action::DeleteCase(case).apply(&mut store).unwrap();
        assert_eq!(
            store.undo_label().unwrap().as_deref(),
            Some("Delete case “P01 (Zoë)”")
        );
        assert!(store.db().cases().unwrap().is_empty());
        store.undo().unwrap();
        store.undo().unwrap();
        let c = &store.db().cases().unwrap()[0];
        assert_eq!((c.name.as_str(), c.memo.as_str()), ("P01 (Zoë)", ""));
    }
}
