//! What the panels read and what they may ask for.
//!
//! [`ProjectView`] is a snapshot of the project that the app reloads after every edit, so
//! panels draw from memory and never query the database while painting. Panels answer with
//! [`Command`]s; the app applies them after the frame (edits as one transaction each).

use std::collections::HashMap;
use std::path::PathBuf;

use crate::actions::Action;
use crate::analysis::{FrequencyReport, ScopeFilter, frequencies_with};
use crate::model::{
    Attribute, Case, CaseId, CodeId, Coder, CoderId, CodingId, DocId, Document, Memo, Theme,
};
use crate::store::{CaseLinks, CodeTree, Db, Result};

/// The central area's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Tab {
    /// The transcript of the open document.
    #[default]
    Transcript,
    /// Coded segments of the selected code.
    Segments,
    /// The frequency table and chart.
    Frequencies,
    /// Memos and the project journal.
    Memos,
    /// The thematic map: themes and codes as nodes, links as edges.
    Map,
    /// Reviewing themes: level 1 (a theme's extracts) and level 2 (coverage grids).
    Review,
    /// Braun and Clarke's six phases, with progress computed from the project.
    Phases,
    /// Project-wide search, with auto-coding of the hits.
    Search,
    /// Questions of the data and the coding: coding queries, co-occurrence, crosstabs, word
    /// frequencies, passages like a code's.
    Questions,
}

impl Tab {
    /// Every tab, in display order.
    pub const ALL: [Tab; 9] = [
        Tab::Transcript,
        Tab::Segments,
        Tab::Frequencies,
        Tab::Memos,
        Tab::Map,
        Tab::Review,
        Tab::Phases,
        Tab::Search,
        Tab::Questions,
    ];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Transcript => "Transcript",
            Tab::Segments => "Coded segments",
            Tab::Frequencies => "Frequencies",
            Tab::Memos => "Memos",
            Tab::Map => "Thematic map",
            Tab::Review => "Review themes",
            Tab::Phases => "Phases",
            Tab::Search => "Search",
            Tab::Questions => "Questions",
        }
    }
}

/// A request from a panel to the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// An edit: applied as one transaction and one undo step.
    Edit(Action),
    /// Show this document in the transcript view.
    OpenDocument(DocId),
    /// Select a code in the codebook (and in the coded segments view).
    SelectCode(Option<CodeId>),
    /// Apply this code to the current text selection.
    ApplyToSelection(CodeId),
    /// Open a document at a coding and show its passage (marked, not selected).
    JumpTo {
        /// The document.
        doc: DocId,
        /// The coding to mark.
        coding: Option<CodingId>,
        /// The passage to show (chars).
        start: usize,
        /// End of the passage.
        end: usize,
    },
    /// Switch the central tab.
    ShowTab(Tab),
    /// Show a memo (a journal entry) in the Memos tab.
    OpenMemo(crate::model::MemoId),
    /// Show an error to the user.
    Error(String),
    /// Show a short notice to the user.
    Notice(String),
    /// Ask to delete a document or case permanently (the app confirms first).
    DeletePermanently(crate::session::Purge),
    /// Export the frequency report with these filters (asks for a file).
    ExportFrequencies(ScopeFilter),
    /// Save what a view computed (search hits as CSV, ...): asks for a file, suggesting
    /// `name`, and writes `bytes` there (never over the project).
    SaveFile {
        /// The file name suggested.
        name: String,
        /// What to write.
        bytes: Vec<u8>,
    },
    /// Export coded segments of these codes (all when `None`) with these filters.
    ExportSegments(Option<Vec<CodeId>>, ScopeFilter),
    /// Record a workflow milestone now (a project setting outside the undo history, such as
    /// [`crate::model::GRID_SEEN_SETTING`]).
    Milestone(&'static str),
    /// Record how far a document has been read on screen (familiarisation).
    Reading {
        /// The document.
        doc: DocId,
        /// The furthest char shown.
        furthest: usize,
        /// Whether its end was shown.
        finished: bool,
    },
}

/// A snapshot of the project for drawing.
#[derive(Default)]
pub struct ProjectView {
    /// Project file, if any.
    pub path: Option<PathBuf>,
    /// Project title.
    pub title: String,
    /// Documents by name.
    pub documents: Vec<Document>,
    /// The codebook.
    pub tree: CodeTree,
    /// Codes' own numbers and with sub-codes (unfiltered).
    pub report: Option<FrequencyReport>,
    /// Codings per document.
    pub doc_codings: HashMap<DocId, usize>,
    /// Cases by name.
    pub cases: Vec<Case>,
    /// Documents and speakers of cases, attribute values.
    pub links: CaseLinks,
    /// Attribute definitions.
    pub attributes: Vec<Attribute>,
    /// Coders by name.
    pub coders: Vec<Coder>,
    /// The coder new codings are attributed to.
    pub coder: Option<CoderId>,
    /// Memos, newest first.
    pub memos: Vec<Memo>,
    /// Themes with their linked codes (see [`crate::model::theme_order`] for display order).
    pub themes: Vec<Theme>,
    /// Saved positions on the thematic map, by node GUID.
    pub map_positions: HashMap<String, (f32, f32)>,
    /// What Undo would undo.
    pub undo_label: Option<String>,
    /// What Redo would redo.
    pub redo_label: Option<String>,
    /// Number keys pinned to codes: key (1-9) to code GUID (see [`Action::PinKey`]).
    pub key_pins: std::collections::BTreeMap<u8, String>,
    /// Bumped on every reload, so panels can cache derived data.
    pub version: u64,
}

impl ProjectView {
    /// Reads the snapshot from the project, codebook counts included.
    pub fn load(db: Db<'_>, version: u64) -> Result<Self> {
        Self::load_with(db, version, true)
    }

    /// Reads the snapshot from the project; the codebook counts too when `count` (else they
    /// are left for a background count to fill in).
    pub fn load_with(db: Db<'_>, version: u64, count: bool) -> Result<Self> {
        let doc_codings = Self::count_codings(db)?;
        let report = if count {
            Some(
                frequencies_with(db, &ScopeFilter::default(), false)
                    .map_err(|e| crate::store::StoreError::Invalid(e.to_string()))?,
            )
        } else {
            None
        };
        Ok(Self {
            path: None,
            title: db.title()?,
            documents: db.documents()?,
            tree: db.code_tree()?,
            report,
            doc_codings,
            cases: db.cases()?,
            links: db.case_links()?,
            attributes: db.attributes()?,
            coders: db.coders()?,
            coder: db.default_coder()?,
            memos: db.memos()?,
            themes: db.themes()?,
            map_positions: db.map_positions()?,
            key_pins: Self::load_key_pins(db)?,
            undo_label: None,
            redo_label: None,
            version,
        })
    }

    /// Codings per document.
    pub fn count_codings(db: Db<'_>) -> Result<HashMap<DocId, usize>> {
        let mut doc_codings = HashMap::new();
        for s in db.coding_spans()? {
            *doc_codings.entry(s.doc).or_insert(0) += 1;
        }
        Ok(doc_codings)
    }

    /// Segments and cases of a code: own, and with sub-codes.
    pub fn code_counts(&self, code: CodeId) -> ((usize, usize), (usize, usize)) {
        self.report
            .as_ref()
            .and_then(|r| r.codes.iter().find(|c| c.code == code))
            .map(|c| {
                (
                    (c.own.segments, c.own.cases),
                    (c.aggregate.segments, c.aggregate.cases),
                )
            })
            .unwrap_or_default()
    }

    /// A document by id.
    pub fn document(&self, id: DocId) -> Option<&Document> {
        self.documents.iter().find(|d| d.id == id)
    }

    /// Case names of a document (its own cases and its mapped speakers' cases).
    pub fn document_cases(&self, id: DocId) -> Vec<String> {
        let mut names: Vec<String> = self
            .links
            .doc_cases
            .get(&id)
            .into_iter()
            .flatten()
            .chain(
                self.links
                    .speaker_cases
                    .iter()
                    .filter(|((d, _), _)| *d == id)
                    .map(|(_, c)| c),
            )
            .filter_map(|c| self.links.case_names.get(c).cloned())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Name of a case.
    pub fn case_name(&self, id: CaseId) -> &str {
        self.links.case_names.get(&id).map_or("", String::as_str)
    }

    /// Name of a coder.
    pub fn coder_name(&self, id: CoderId) -> &str {
        self.coders
            .iter()
            .find(|c| c.id == id)
            .map_or("", |c| c.name.as_str())
    }

    /// The number keys pinned to codes, from the project's settings.
    pub fn load_key_pins(db: Db<'_>) -> Result<std::collections::BTreeMap<u8, String>> {
        Ok(crate::actions::parse_key_pins(
            &db.setting(crate::actions::KEY_PINS_SETTING)?
                .unwrap_or_default(),
        ))
    }

    /// What keys 1-9 apply (index 0 is key 1). A key pinned to a code keeps it; the other
    /// keys take the oldest codes without a pin, in the order they were made. Not codebook
    /// order, so moving or re-parenting a code never changes what a key applies.
    pub fn quick_codes(&self) -> [Option<CodeId>; 9] {
        let mut keys = [None; 9];
        let mut pinned = std::collections::HashSet::new();
        for (k, guid) in &self.key_pins {
            let slot = usize::from(*k).wrapping_sub(1);
            if let (Some(key), Some(code)) = (
                keys.get_mut(slot),
                self.tree.codes.iter().find(|c| &c.guid == guid),
            ) && pinned.insert(code.id)
            {
                *key = Some(code.id);
            }
        }
        let mut rest: Vec<CodeId> = self
            .tree
            .codes
            .iter()
            .map(|c| c.id)
            .filter(|id| !pinned.contains(id))
            .collect();
        rest.sort_unstable_by_key(|id| id.0);
        let mut rest = rest.into_iter();
        for key in keys.iter_mut().filter(|k| k.is_none()) {
            *key = rest.next();
        }
        keys
    }

    /// The code number key `key` (1-9) applies, if any.
    pub fn quick_code(&self, key: usize) -> Option<CodeId> {
        self.quick_codes()
            .get(key.wrapping_sub(1))
            .copied()
            .flatten()
    }

    /// The number key that applies `code`, if any.
    pub fn key_of(&self, code: CodeId) -> Option<usize> {
        self.quick_codes()
            .iter()
            .position(|c| *c == Some(code))
            .map(|i| i + 1)
    }

    /// The key `code` is pinned to, if it is pinned.
    pub fn pinned_key(&self, code: CodeId) -> Option<u8> {
        let guid = &self.tree.get(code)?.guid;
        self.key_pins
            .iter()
            .find(|(_, g)| *g == guid)
            .map(|(k, _)| *k)
    }
}
