//! User edits as values. The GUI's panels (and the CLI) describe what the user did as an
//! [`Action`]; [`Action::apply`] runs it as one transaction and one undo step, labelled with
//! what the Edit menu will say ("Undo Apply code “Role”"). Undo and redo themselves are the
//! store's ([`Store::undo`], [`Store::redo`]): the store records the exact inverse of every
//! row change, so no action needs a hand-written inverse.

use std::collections::HashMap;

use crate::model::{
    Bundle, CaseId, CharRange, CodeId, CoderId, CodingId, CodingRow, Color, DocId, EventKind,
    MemoId, MemoTarget, ThemeId,
};
use crate::store::{BundleReport, Db, Result, Store, StoreError, Tx};

mod themes;
pub use themes::ThemeAction;
use themes::{code_event, code_path};

/// One user edit.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Code a range of a document.
    ApplyCode {
        doc: DocId,
        code: CodeId,
        coder: CoderId,
        range: CharRange,
    },
    /// Create a code at `path` (missing parents too) and apply it to a range.
    CreateAndApply {
        path: String,
        doc: DocId,
        coder: CoderId,
        range: CharRange,
    },
    /// Apply many codings given by name in one step (`weft code apply`, `--from`). Rows that
    /// cannot be applied are refused and reported by line; the others go in.
    ApplyCodings(Vec<CodingRow>),
    /// Add content (documents, cases, codes, codings, memos) in one step: an import, the
    /// demo. Any error leaves the project as it was.
    AddContent { label: String, bundle: Box<Bundle> },
    /// Remove a coding.
    RemoveCoding(CodingId),
    /// Change a coding's code.
    RecodeCoding { coding: CodingId, code: CodeId },
    /// Extend or shrink a coding.
    ResizeCoding { coding: CodingId, range: CharRange },
    /// Set a coding's memo.
    SetCodingMemo { coding: CodingId, memo: String },
    /// Add a code.
    AddCode {
        parent: Option<CodeId>,
        name: String,
        color: Option<Color>,
    },
    /// Add a code by `Parent/Child` path (missing parents too); refused when it exists.
    AddCodePath {
        path: String,
        color: Option<Color>,
        description: String,
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
    /// Assign documents (by name) to a case (by name, created if new).
    AssignCaseByName { case: String, docs: Vec<String> },
    /// Map a focus-group speaker of a document to a case (`None` removes the mapping).
    MapSpeaker {
        doc: DocId,
        speaker: String,
        case: Option<CaseId>,
    },
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
    /// Pin a code to a number key 1-9 (`key: None` unpins it). A key holds one code and a
    /// code one key: pinning replaces both old pins. Kept in the project setting
    /// [`KEY_PINS_SETTING`], so it is undoable and travels with the project.
    PinKey { code: CodeId, key: Option<u8> },
    /// Cases from speaker labels, after an import: each link makes or reuses a case and maps
    /// a speaker of a document to it, or assigns the whole document (one step for all).
    LinkSpeakers(Vec<SpeakerLink>),
    /// Mark a coding as an exemplar (a quote that stands for its code), or clear the mark.
    MarkExemplar { coding: CodingId, exemplar: bool },
    /// Split a code: a new sibling code named `name` takes over `codings`.
    SplitCode {
        code: CodeId,
        name: String,
        codings: Vec<CodingId>,
    },
    /// An edit of the thematic analysis (themes, review, map, phase notes).
    Theme(ThemeAction),
    /// Another action with a journal entry saying why, written in the same step and tied to
    /// the audit-trail entries the action makes.
    WithNote { action: Box<Action>, note: String },
    /// Code many passages with one code in one step: auto-coding the hits of a search, or
    /// saving a coding query's result as a code. The code is created (with any missing
    /// parents) when `path` names none. A passage that a coding of that code already covers
    /// is left alone, so running it twice adds nothing.
    CodeRanges {
        /// The code, by `Parent/Child` path.
        path: String,
        /// Who the new codings are attributed to.
        coder: CoderId,
        /// The passages, each in its document.
        ranges: Vec<(DocId, CharRange)>,
        /// What the history calls the step ("Auto-code “trust” as “Trust”").
        label: String,
    },
}

/// The project setting holding the number keys pinned to codes: JSON `{"3": "<code guid>"}`.
pub const KEY_PINS_SETTING: &str = "key_pins";

/// The pins of [`KEY_PINS_SETTING`]: key (1-9) to code GUID. What cannot be read is left
/// out (its key falls back to the creation-order rule), never an error.
pub fn parse_key_pins(json: &str) -> std::collections::BTreeMap<u8, String> {
    let map: std::collections::BTreeMap<String, String> =
        serde_json::from_str(json).unwrap_or_default();
    map.into_iter()
        .filter_map(|(k, guid)| {
            let k: u8 = k.trim().parse().ok()?;
            ((1..=9).contains(&k) && !guid.is_empty()).then_some((k, guid))
        })
        .collect()
}

/// The case a speaker goes to in [`Action::LinkSpeakers`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseChoice {
    /// A case by name, made if the project has none of that name (so two rows naming the
    /// same new case share it).
    New(String),
    /// An existing case.
    Existing(CaseId),
}

/// One row of [`Action::LinkSpeakers`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeakerLink {
    /// The document.
    pub doc: DocId,
    /// The speaker label to map; `None` assigns the whole document to the case (an interview
    /// with one participant).
    pub speaker: Option<String>,
    /// The case.
    pub case: CaseChoice,
}

/// What an action produced, for the GUI to select or show.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// A theme was added or changed.
    Theme(ThemeId),
    /// Content was added.
    Content(BundleReport),
    /// Passages coded with one code ([`Action::CodeRanges`]).
    Coded {
        /// The code (made by the action when it did not exist).
        code: CodeId,
        /// Codings created.
        created: usize,
        /// Documents in which codings were created.
        documents: usize,
        /// Passages left alone because a coding of the code already covered them.
        already: usize,
    },
    /// A batch of codings: how many went in, and the refused rows as `(line, reason)`.
    Codings {
        /// Codings added (a row identical to an existing coding counts, it changes nothing).
        applied: usize,
        /// Rows refused, with the line they came from and why.
        refused: Vec<(usize, String)>,
    },
}

impl Action {
    /// Runs the action in one transaction; it becomes one undo step named by
    /// [`Self::label`]. (The app and the CLI go through `Session::apply`, which also says
    /// what changed; this is for tests and tools that hold a bare store.)
    pub fn apply(&self, store: &mut Store) -> Result<Outcome> {
        let label = self.label(store.db());
        store.action(&label, |tx| self.run(tx))
    }

    /// This action with a journal entry saying why (see [`Action::WithNote`]); itself when
    /// `note` is empty or absent.
    pub fn with_note(self, note: Option<String>) -> Self {
        match note {
            Some(note) if !note.trim().is_empty() => Self::WithNote {
                action: Box::new(self),
                note,
            },
            _ => self,
        }
    }

    /// Does the action's writes inside the caller's transaction.
    pub fn run(&self, db: &Tx<'_>) -> Result<Outcome> {
        Ok(match self {
            Self::ApplyCode {
                doc,
                code,
                coder,
                range,
            } => Outcome::Coding(db.apply_code(*doc, *code, *coder, range.start, range.end, "")?),
            Self::CreateAndApply {
                path,
                doc,
                coder,
                range,
            } => {
                let (code, created) = db.ensure_code_path(path, None, "")?;
                if created {
                    code_event(db, EventKind::Created, code, "")?;
                }
                Outcome::Coding(db.apply_code(*doc, code, *coder, range.start, range.end, "")?)
            }
            Self::ApplyCodings(rows) => apply_rows(db, rows)?,
            Self::CodeRanges {
                path,
                coder,
                ranges,
                ..
            } => code_ranges(db, path, *coder, ranges)?,
            Self::AddContent { bundle, .. } => Outcome::Content(db.add_bundle(bundle)?),
            Self::AddCodePath {
                path,
                color,
                description,
            } => {
                if db.code_by_path(path)?.is_some() {
                    return Err(StoreError::Invalid(format!(
                        "the code “{path}” already exists"
                    )));
                }
                let code = db.ensure_code_path(path, *color, description)?.0;
                code_event(db, EventKind::Created, code, "")?;
                Outcome::Code(code)
            }
            Self::AssignCaseByName { case, docs } => {
                let c = db.ensure_case(case)?;
                for d in docs {
                    db.assign_case(c, db.require_document(d)?)?;
                }
                Outcome::Case(c)
            }
            Self::MapSpeaker { doc, speaker, case } => {
                db.map_speaker(*doc, speaker, *case)?;
                Outcome::Done
            }
            Self::RemoveCoding(c) => {
                db.remove_coding(*c)?;
                Outcome::Done
            }
            Self::RecodeCoding { coding, code } => {
                db.set_coding_code(*coding, *code)?;
                Outcome::Coding(*coding)
            }
            Self::ResizeCoding { coding, range } => {
                db.set_coding_range(*coding, range.start, range.end)?;
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
            } => {
                let code = db.add_code(*parent, name, *color, "")?;
                code_event(db, EventKind::Created, code, "")?;
                Outcome::Code(code)
            }
            Self::RenameCode { code, name } => {
                let old = code_path(db, *code)?;
                db.rename_code(*code, name)?;
                if old != code_path(db, *code)? {
                    code_event(db, EventKind::Renamed, *code, &format!("was “{old}”"))?;
                }
                Outcome::Done
            }
            Self::RecolorCode { code, color } => {
                db.set_code_color(*code, *color)?;
                Outcome::Done
            }
            Self::DescribeCode { code, description } => {
                let old = db.code(*code)?.description;
                db.set_code_description(*code, description)?;
                if old.trim() != db.code(*code)?.description.trim() {
                    code_event(db, EventKind::Defined, *code, "definition")?;
                }
                Outcome::Done
            }
            Self::MoveCode {
                code,
                parent,
                index,
            } => {
                let old_parent = db.code(*code)?.parent;
                db.move_code(*code, *parent, *index)?;
                if old_parent != *parent {
                    let detail = match parent {
                        Some(p) => format!("now under “{}”", code_path(db, *p)?),
                        None => "now at the top of the codebook".to_owned(),
                    };
                    code_event(db, EventKind::Moved, *code, &detail)?;
                }
                Outcome::Done
            }
            Self::MergeCodes { source, target } => {
                let target_path = code_path(db, *target)?;
                code_event(
                    db,
                    EventKind::Merged,
                    *source,
                    &format!("into “{target_path}”"),
                )?;
                db.merge_codes(*source, *target)?;
                Outcome::Code(*target)
            }
            Self::DeleteCode(c) => {
                code_event(db, EventKind::Deleted, *c, "")?;
                db.delete_code(*c, true)?;
                Outcome::Done
            }
            Self::SplitCode {
                code,
                name,
                codings,
            } => {
                let parent = db.code(*code)?.parent;
                let color = None;
                let new = db.add_code(parent, name, color, "")?;
                for c in codings {
                    if db.coding(*c)?.code != *code {
                        return Err(StoreError::Invalid(format!(
                            "coding #{c} is not coded with “{}”",
                            code_path(db, *code)?
                        )));
                    }
                    db.set_coding_code(*c, new)?;
                }
                code_event(db, EventKind::Created, new, "")?;
                let detail = format!(
                    "{} of its codings moved to “{}”",
                    codings.len(),
                    code_path(db, new)?
                );
                code_event(db, EventKind::Split, *code, &detail)?;
                Outcome::Code(new)
            }
            Self::Theme(t) => t.run(db)?,
            Self::WithNote { action, note } => {
                let before = db.max_event_id()?;
                // Named before it runs: afterwards a merged code or an old name is gone.
                let title = action.label(**db);
                let out = action.run(db)?;
                if !note.trim().is_empty() {
                    let coder = db.default_coder()?;
                    let memo = db.add_memo(MemoTarget::Project, &title, note.trim(), coder)?;
                    db.attach_note(before, &db.memo_guid(memo)?)?;
                }
                out
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
            Self::PinKey { code, key } => {
                pin_key(db, *code, *key)?;
                Outcome::Done
            }
            Self::LinkSpeakers(links) => {
                for l in links {
                    let case = match &l.case {
                        CaseChoice::New(name) => db.ensure_case(name)?,
                        CaseChoice::Existing(c) => *c,
                    };
                    match &l.speaker {
                        Some(s) => db.map_speaker(l.doc, s, Some(case))?,
                        None => db.assign_case(case, l.doc)?,
                    }
                }
                Outcome::Done
            }
            Self::MarkExemplar { coding, exemplar } => {
                db.set_exemplar(*coding, *exemplar)?;
                Outcome::Coding(*coding)
            }
        })
    }

    /// What the Edit menu calls this action ("Apply code “Role”").
    pub fn label(&self, db: Db<'_>) -> String {
        let code = |id: &CodeId| {
            db.code(*id)
                .map(|c| format!("“{}”", c.name))
                .unwrap_or_else(|_| "code".into())
        };
        match self {
            Self::ApplyCode { code: c, .. } => format!("Apply code {}", code(c)),
            Self::CreateAndApply { path, .. } => format!("Create and apply code “{path}”"),
            Self::ApplyCodings(rows) => match rows.as_slice() {
                [one] => format!("Apply code “{}”", one.code),
                _ => format!("Apply {} codings", rows.len()),
            },
            Self::AddContent { label, .. } => label.clone(),
            Self::AddCodePath { path, .. } => format!("Add code “{path}”"),
            Self::AssignCaseByName { case, .. } => format!("Assign documents to case “{case}”"),
            Self::MapSpeaker { speaker, .. } => format!("Map speaker “{speaker}” to a case"),
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
            Self::PinKey { code: c, key } => match key {
                Some(k) => format!("Pin {} to key {k}", code(c)),
                None => format!("Unpin {} from its key", code(c)),
            },
            Self::LinkSpeakers(links) => match links.len() {
                1 => "Link 1 speaker to a case".into(),
                n => format!("Link {n} speakers to cases"),
            },
            Self::MarkExemplar { exemplar: true, .. } => "Mark exemplar".into(),
            Self::MarkExemplar {
                exemplar: false, ..
            } => "Unmark exemplar".into(),
            Self::SplitCode { code: c, name, .. } => {
                format!("Split {} into “{name}”", code(c))
            }
            Self::Theme(t) => t.label(db),
            Self::WithNote { action, .. } => action.label(db),
            Self::CodeRanges { label, .. } => label.clone(),
        }
    }
}

/// A case proposed for a speaker label of an imported document (see [`propose_speaker_links`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeakerProposal {
    /// The document.
    pub doc: DocId,
    /// Its name.
    pub doc_name: String,
    /// The participant's label as written (`P03`, `ANNA`).
    pub speaker: String,
    /// The document's only participant: assign the whole document to the case (an
    /// interview) rather than map the speaker (a focus group).
    pub whole_document: bool,
    /// A case of the same name (ignoring letter case) that already exists: linking to it is
    /// proposed, and the user is warned.
    pub existing: Option<(CaseId, String)>,
}

impl SpeakerProposal {
    /// The link this proposal makes by default: to the existing case of the same name, or to
    /// a new case named after the label.
    pub fn default_link(&self) -> SpeakerLink {
        self.link(match &self.existing {
            Some((id, _)) => CaseChoice::Existing(*id),
            None => CaseChoice::New(self.speaker.clone()),
        })
    }

    /// The link of this proposal to `case`.
    pub fn link(&self, case: CaseChoice) -> SpeakerLink {
        SpeakerLink {
            doc: self.doc,
            speaker: (!self.whole_document).then(|| self.speaker.clone()),
            case,
        }
    }
}

/// Proposes cases for the participants of `docs` (document, name, speaker turns): each
/// speaker label that is not the interviewer ([`crate::import::INTERVIEWER_LABELS`]) gets a
/// row, in document order and then in speaking order. A document with one participant is
/// proposed for the case as a whole; in a focus group each speaker is. A label that names an
/// existing case in `cases` (ignoring letter case) is matched to it.
pub fn propose_speaker_links(
    docs: &[(DocId, String, Vec<crate::model::Turn>)],
    cases: &[crate::model::Case],
) -> Vec<SpeakerProposal> {
    let mut out = Vec::new();
    for (doc, name, turns) in docs {
        let speakers = crate::import::participant_speakers(turns);
        let whole_document = speakers.len() == 1;
        for speaker in speakers {
            let existing = cases
                .iter()
                .find(|c| c.name.trim().to_lowercase() == speaker.to_lowercase())
                .map(|c| (c.id, c.name.clone()));
            out.push(SpeakerProposal {
                doc: *doc,
                doc_name: name.clone(),
                speaker,
                whole_document,
                existing,
            });
        }
    }
    out
}

/// Pins `code` to `key` (or unpins it) in the project's [`KEY_PINS_SETTING`].
fn pin_key(db: &Tx<'_>, code: CodeId, key: Option<u8>) -> Result<()> {
    let guid = db.code(code)?.guid;
    if let Some(k) = key
        && !(1..=9).contains(&k)
    {
        return Err(StoreError::Invalid(format!(
            "key {k} cannot be pinned; keys 1 to 9 can"
        )));
    }
    let mut pins = parse_key_pins(&db.setting(KEY_PINS_SETTING)?.unwrap_or_default());
    pins.retain(|k, g| *g != guid && Some(*k) != key);
    if let Some(k) = key {
        pins.insert(k, guid);
    }
    let json: std::collections::BTreeMap<String, &String> =
        pins.iter().map(|(k, g)| (k.to_string(), g)).collect();
    let json = serde_json::to_string(&json)
        .map_err(|e| StoreError::Invalid(format!("cannot write the key pins: {e}")))?;
    db.set_setting(KEY_PINS_SETTING, &json)
}

/// Applies rows given by name; refused rows are reported, not fatal. Lookups are cached, so
/// a hundred thousand rows cost little more than their inserts.
fn code_ranges(
    db: &Tx<'_>,
    path: &str,
    coder: CoderId,
    ranges: &[(DocId, CharRange)],
) -> Result<Outcome> {
    let (code, created_code) = db.ensure_code_path(path, None, "")?;
    if created_code {
        code_event(db, EventKind::Created, code, "")?;
    }
    // What the code already covers, per document, as sorted ranges.
    let mut covered: HashMap<DocId, Vec<(usize, usize)>> = HashMap::new();
    for c in db.codings(&crate::model::CodingFilter {
        codes: Some(vec![code]),
        ..Default::default()
    })? {
        covered.entry(c.doc).or_default().push((c.start, c.end));
    }
    let mut sorted: Vec<(DocId, CharRange)> = ranges.to_vec();
    sorted.sort_by_key(|(d, r)| (*d, r.start, r.end));
    sorted.dedup();
    let (mut created, mut already) = (0, 0);
    let mut docs = std::collections::HashSet::new();
    for (doc, range) in sorted {
        let have = covered.entry(doc).or_default();
        if have
            .iter()
            .any(|&(s, e)| s <= range.start && range.end <= e)
        {
            already += 1;
            continue;
        }
        db.apply_code(doc, code, coder, range.start, range.end, "")?;
        have.push((range.start, range.end));
        created += 1;
        docs.insert(doc);
    }
    Ok(Outcome::Coded {
        code,
        created,
        documents: docs.len(),
        already,
    })
}

fn apply_rows(db: &Tx<'_>, rows: &[CodingRow]) -> Result<Outcome> {
    let mut docs: HashMap<&str, Option<(DocId, usize)>> = HashMap::new();
    let mut codes: HashMap<&str, Option<CodeId>> = HashMap::new();
    let mut coders: HashMap<&str, CoderId> = HashMap::new();
    let default = db.default_coder_or_add()?;
    let mut applied = 0;
    let mut refused = Vec::new();
    for row in rows {
        let doc = match docs.get(row.doc.as_str()) {
            Some(d) => *d,
            None => {
                let d = match db.document_by_name(&row.doc)? {
                    Some(id) => Some((id, db.document(id)?.char_len)),
                    None => None,
                };
                docs.insert(&row.doc, d);
                d
            }
        };
        let Some((doc, char_len)) = doc else {
            refused.push((row.line, format!("there is no document “{}”", row.doc)));
            continue;
        };
        let code = match codes.get(row.code.as_str()) {
            Some(c) => *c,
            None => {
                let c = db.code_by_path(&row.code)?;
                codes.insert(&row.code, c);
                c
            }
        };
        let Some(code) = code else {
            refused.push((
                row.line,
                format!(
                    "there is no code “{}”; add it first with `weft code add`",
                    row.code
                ),
            ));
            continue;
        };
        if row.start >= row.end || row.end > char_len {
            refused.push((
                row.line,
                format!(
                    "range {}..{} is empty or lies outside “{}”, which has {char_len} characters",
                    row.start, row.end, row.doc
                ),
            ));
            continue;
        }
        let coder = match row.coder.trim() {
            "" => default,
            name => match coders.get(name) {
                Some(c) => *c,
                None => {
                    let c = db.ensure_coder(name)?;
                    coders.insert(name, c);
                    c
                }
            },
        };
        db.insert_coding(doc, code, coder, row.start, row.end, &row.memo, None, None)?;
        applied += 1;
    }
    Ok(Outcome::Codings { applied, refused })
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

    #[test]
    fn pins_are_one_undo_step_and_a_key_holds_one_code() {
        let mut store = Store::in_memory().unwrap();
        let add = |store: &mut Store, name: &str| match (Action::AddCode {
            parent: None,
            name: name.into(),
            color: None,
        })
        .apply(store)
        .unwrap()
        {
            Outcome::Code(c) => c,
            o => panic!("{o:?}"),
        };
        let a = add(&mut store, "A");
        let b = add(&mut store, "B");
        let pins = |store: &Store| {
            parse_key_pins(
                &store
                    .db()
                    .setting(KEY_PINS_SETTING)
                    .unwrap()
                    .unwrap_or_default(),
            )
        };
        let guid = |store: &Store, c| store.db().code(c).unwrap().guid;
        Action::PinKey {
            code: a,
            key: Some(3),
        }
        .apply(&mut store)
        .unwrap();
        assert_eq!(pins(&store).get(&3), Some(&guid(&store, a)));
        // B takes key 3 from A; then A moves to key 5 only.
        Action::PinKey {
            code: b,
            key: Some(3),
        }
        .apply(&mut store)
        .unwrap();
        Action::PinKey {
            code: a,
            key: Some(5),
        }
        .apply(&mut store)
        .unwrap();
        Action::PinKey {
            code: a,
            key: Some(6),
        }
        .apply(&mut store)
        .unwrap();
        let p = pins(&store);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p.get(&3), Some(&guid(&store, b)));
        assert_eq!(p.get(&6), Some(&guid(&store, a)));
        assert_eq!(
            store.undo_label().unwrap().as_deref(),
            Some("Pin “A” to key 6")
        );
        store.undo().unwrap();
        assert_eq!(pins(&store).get(&5), Some(&guid(&store, a)));
        Action::PinKey { code: a, key: None }
            .apply(&mut store)
            .unwrap();
        assert_eq!(pins(&store).len(), 1);
        assert!(
            Action::PinKey {
                code: a,
                key: Some(0)
            }
            .apply(&mut store)
            .is_err()
        );
        assert!(parse_key_pins("not json").is_empty());
        assert_eq!(
            parse_key_pins(r#"{"1":"x","12":"y","a":"z","2":""}"#).len(),
            1
        );
    }

    #[test]
    fn proposals_skip_the_interviewer_and_match_existing_cases() {
        let turns = |t: &str| crate::import::detect_turns(t);
        let docs = vec![
            (
                DocId(1),
                "p03".to_owned(),
                turns("Interviewer: Hi\np03: Hello\nInterviewer: Why?\np03: Because\n"),
            ),
            (
                DocId(2),
                "fg".to_owned(),
                turns("FACILITATOR: Hi\nANNA: Hello\nKOFI: Hey\nANNA: Yes\n"),
            ),
            (DocId(3), "notes".to_owned(), Vec::new()),
        ];
        let cases = vec![crate::model::Case {
            id: CaseId(7),
            guid: String::new(),
            name: "P03".into(),
            memo: String::new(),
        }];
        let p = propose_speaker_links(&docs, &cases);
        let rows: Vec<(&str, bool, bool)> = p
            .iter()
            .map(|p| (p.speaker.as_str(), p.whole_document, p.existing.is_some()))
            .collect();
        assert_eq!(
            rows,
            [
                ("p03", true, true),
                ("ANNA", false, false),
                ("KOFI", false, false)
            ]
        );
        assert_eq!(
            p[0].default_link(),
            SpeakerLink {
                doc: DocId(1),
                speaker: None,
                case: CaseChoice::Existing(CaseId(7))
            }
        );
        assert_eq!(
            p[1].default_link(),
            SpeakerLink {
                doc: DocId(2),
                speaker: Some("ANNA".into()),
                case: CaseChoice::New("ANNA".into())
            }
        );
    }

    #[test]
    fn speakers_link_to_new_and_existing_cases_in_one_step() {
        let mut store = Store::in_memory().unwrap();
        let mut bundle = Bundle::default();
        for name in ["FG", "P03"] {
            bundle.documents.push(crate::model::BundleDocument {
                doc: crate::model::NewDocument {
                    name: name.into(),
                    text: "A: hi\nB: yo\nA: ok".into(),
                    ..Default::default()
                },
                ..Default::default()
            });
        }
        Action::AddContent {
            label: "Import".into(),
            bundle: Box::new(bundle),
        }
        .apply(&mut store)
        .unwrap();
        let Outcome::Case(p03) = (Action::AddCase {
            name: "P03".into(),
            doc: None,
        })
        .apply(&mut store)
        .unwrap() else {
            panic!()
        };
        let docs = store.db().documents().unwrap();
        let fg = docs.iter().find(|d| d.name == "FG").unwrap().id;
        let one = docs.iter().find(|d| d.name == "P03").unwrap().id;
        Action::LinkSpeakers(vec![
            SpeakerLink {
                doc: fg,
                speaker: Some("A".into()),
                case: CaseChoice::New("Anna".into()),
            },
            SpeakerLink {
                doc: fg,
                speaker: Some("B".into()),
                case: CaseChoice::Existing(p03),
            },
            SpeakerLink {
                doc: one,
                speaker: None,
                case: CaseChoice::Existing(p03),
            },
        ])
        .apply(&mut store)
        .unwrap();
        let links = store.db().case_links().unwrap();
        let anna = store.db().case_by_name("Anna").unwrap().unwrap();
        assert_eq!(links.speaker_cases.get(&(fg, "A".into())), Some(&anna));
        assert_eq!(links.speaker_cases.get(&(fg, "B".into())), Some(&p03));
        assert_eq!(links.doc_cases.get(&one), Some(&vec![p03]));
        assert_eq!(
            store.undo_label().unwrap().as_deref(),
            Some("Link 3 speakers to cases")
        );
        store.undo().unwrap();
        assert!(store.db().case_by_name("Anna").unwrap().is_none());
        assert!(store.db().case_links().unwrap().speaker_cases.is_empty());
    }
}
