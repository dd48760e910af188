//! The session: the one door through which the app and the command line change a project.
//!
//! A [`Session`] owns the open [`Store`]. Every edit is an [`Action`], applied in one
//! transaction as one undo step attributed to the session's coder; undo and redo go through
//! here too, and each answer says what changed ([`Changes`]) so a view refreshes only that.
//! Reads go through [`Session::read`], a handle with no write methods. Nothing here knows
//! about egui.

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use crate::actions::{Action, Outcome};
use crate::model::{CoderId, DocId};
use crate::store::backup::{self, Snapshot};
use crate::store::undo::HISTORY_KEEP_SETTING;
use crate::store::{
    BACKUP_DIR_SETTING, Changes, Db, HistoryStep, PurgeTarget, Result, Store, StoreError,
};

/// What an applied action did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// What it produced (a new coding, code, ...).
    pub outcome: Outcome,
    /// What changed in the project.
    pub changes: Changes,
}

/// What an undo or redo did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stepped {
    /// The label of the step undone or redone ("Apply code “Trust”").
    pub label: String,
    /// What changed in the project.
    pub changes: Changes,
}

/// What [`Session::import_project`] read: the report of a REFI-QDA or a Taguette import.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(untagged)]
pub enum ProjectImport {
    /// A QDPX project.
    Qdpx(crate::import::qdpx::QdpxReport),
    /// A Taguette database.
    Taguette(crate::import::taguette::TaguetteReport),
}

impl ProjectImport {
    /// The report as text: what came in, what was checked, what was skipped.
    pub fn to_text(&self) -> String {
        match self {
            Self::Qdpx(r) => r.to_text(),
            Self::Taguette(r) => r.to_text(),
        }
    }
}

/// What to delete permanently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purge {
    /// A document, with its text, turns, codings, links, attribute values and memos.
    Document(crate::model::DocId),
    /// A case (a participant who withdrew), with its memo, attribute values, links, speaker
    /// mappings, and the documents that belong to it alone.
    Case(crate::model::CaseId),
}

/// What a permanent deletion did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Documents deleted.
    pub documents: Vec<String>,
    /// Cases deleted.
    pub cases: Vec<String>,
    /// Codings deleted.
    pub codings: usize,
    /// Undo and redo steps dropped because they held deleted data.
    pub steps_dropped: usize,
    /// Snapshots (backups) made before the deletion that still hold the data (empty when
    /// they were cleaned too).
    pub snapshots_holding: Vec<std::path::PathBuf>,
    /// Snapshots the data was removed from (with `including_backups`).
    pub snapshots_cleaned: Vec<std::path::PathBuf>,
    /// Documents of a deleted case that also belong to other cases: kept, unlinked from it.
    pub documents_kept: Vec<String>,
    /// Kept documents in which the deleted case was a mapped speaker: each of its turns keeps
    /// its label but what was said became `[withdrawn]`, with the codings inside removed and
    /// those overlapping shortened.
    pub redacted: Vec<crate::store::purge::Redacted>,
    /// Snapshots that could not be read (so may still hold the data), with the reason; they
    /// were left as they were.
    pub snapshots_unreadable: Vec<(std::path::PathBuf, String)>,
}

/// Whether the snapshot at `path` holds the document or case with `guid`; with `clean`,
/// removes it from the snapshot (opened as a project, purged, vacuumed, and put back in
/// rollback-journal mode so it stays one self-contained file). `Ok(true)` when it held it.
fn purge_snapshot(path: &Path, guid: &str, is_doc: bool, clean: bool) -> Result<bool, String> {
    backup::check_file(path).map_err(|e| format!("it cannot be read: {e}"))?;
    if !crate::store::purge::file_holds(path, is_doc, guid)? {
        return Ok(false);
    }
    if !clean {
        return Ok(true);
    }
    let mut store = Store::open(path).map_err(|e| e.to_string())?;
    let found = if is_doc {
        store
            .find_document_by_guid(guid)
            .map(|o| o.map(PurgeTarget::Document))
    } else {
        store
            .find_case_by_guid(guid)
            .map(|o| o.map(PurgeTarget::Case))
    }
    .map_err(|e| e.to_string())?;
    // Found by its GUID in the file, but no owner id to purge by: say so rather than claim it.
    let target = found.ok_or_else(|| {
        "it holds the data in a form that could not be matched; delete this snapshot by hand \
         if it must go"
            .to_owned()
    })?;
    store.purge(target).map_err(|e| e.to_string())?;
    store.set_rollback_journal().map_err(|e| e.to_string())?;
    Ok(true)
}

/// The scale of [`Session::import_project`]'s progress: reading the file takes it to
/// [`READ_END`], writing the project to [`WRITE_END`]; the search index and the sync fill
/// the rest.
const PROGRESS_SCALE: usize = 1000;
const READ_END: usize = 300;
const WRITE_END: usize = 800;

/// `done` of `total` as a point between `from` and `to`.
fn share(done: usize, total: usize, from: usize, to: usize) -> usize {
    if total == 0 {
        return from;
    }
    from + (to - from) * done.min(total) / total
}

/// An open project and the coder working on it.
pub struct Session {
    store: Store,
    coder: Option<CoderId>,
}

impl Session {
    /// A session on an open store. The coder is the project's default coder.
    pub fn new(store: Store) -> Result<Self> {
        let coder = store.db().default_coder()?;
        Ok(Self { store, coder })
    }

    /// Opens the project at `path` (see [`Store::open`]).
    pub fn open(path: &Path) -> Result<Self> {
        Self::new(Store::open(path)?)
    }

    /// Opens the project at `path` read-only (see [`Store::open_read_only`]): nothing is
    /// written, every edit is refused with one sentence.
    pub fn open_read_only(path: &Path) -> Result<Self> {
        Self::new(Store::open_read_only(path)?)
    }

    /// [`Self::open_read_only`] for one command of the command line (see
    /// [`Store::open_read_only_for_command`]: the integrity check only when worth it).
    pub fn open_read_only_for_command(path: &Path) -> Result<Self> {
        Self::new(Store::open_read_only_for_command(path)?)
    }

    /// Whether the project is open read-only (asked for, or because the file or its folder
    /// cannot be written): edits, undo and redo are refused ([`StoreError::ReadOnly`]).
    pub fn is_read_only(&self) -> bool {
        self.store.is_read_only()
    }

    /// Opens the project at `path` for one command of the command line (see
    /// [`Store::open_for_command`]: the integrity check only when worth it).
    pub fn open_for_command(path: &Path) -> Result<Self> {
        Self::new(Store::open_for_command(path)?)
    }

    /// Creates a new project at `path` (see [`Store::create`]).
    pub fn create(path: &Path) -> Result<Self> {
        Self::new(Store::create(path)?)
    }

    /// A new project in memory (tests, benchmarks).
    pub fn in_memory() -> Result<Self> {
        Self::new(Store::in_memory()?)
    }

    /// The read handle.
    pub fn read(&self) -> Db<'_> {
        self.store.db()
    }

    /// The store, for what only reads it (its path, undo labels, a checkpoint).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Gives the store back (closing the session).
    pub fn into_store(self) -> Store {
        self.store
    }

    /// The project file, `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.store.path()
    }

    /// The coder new codings and memos are attributed to, if the project has one yet.
    pub fn coder(&self) -> Option<CoderId> {
        self.coder
    }

    /// Works as `coder` from now on (not saved in the project).
    pub fn set_coder(&mut self, coder: CoderId) {
        self.coder = Some(coder);
    }

    fn coder_name(&self) -> Result<String> {
        match self.coder {
            Some(c) => self.read().coder_name(c),
            None => Ok(String::new()),
        }
    }

    /// Applies `action` in one transaction as one undo step. On error nothing changed.
    pub fn apply(&mut self, action: &Action) -> Result<Applied> {
        let label = action.label(self.read());
        self.apply_as(&label, |tx| action.run(tx))
    }

    /// [`Self::apply`] of the work `run`, as one undo step named `label`.
    fn apply_as(
        &mut self,
        label: &str,
        run: impl FnOnce(&crate::store::Tx<'_>) -> Result<Outcome>,
    ) -> Result<Applied> {
        let coder = self.coder_name()?;
        let outcome = self.store.action_by(label, &coder, run)?;
        let changes = self.store.last_changes()?;
        if self.coder.is_none() || changes.coders {
            // The first coding of a project without coders adds the default coder.
            self.coder = self.read().default_coder()?.or(self.coder);
        }
        Ok(Applied { outcome, changes })
    }

    /// Applies `action` without an undo step: for filling a brand-new project (the demo, a
    /// project imported whole), never for the user's edits.
    pub fn apply_untracked(&mut self, action: &Action) -> Result<Outcome> {
        let outcome = self.store.untracked(|tx| action.run(tx))?;
        self.coder = self.read().default_coder()?.or(self.coder);
        Ok(outcome)
    }

    /// Records how far a document has been read on screen (familiarisation), outside the undo
    /// history: reading is not an edit. Does nothing on a read-only project.
    pub fn record_reading(&mut self, doc: DocId, furthest: usize, finished: bool) -> Result<()> {
        if self.is_read_only() {
            return Ok(());
        }
        let guid = self.read().document(doc)?.guid;
        self.store
            .untracked(|tx| tx.record_reading(&guid, furthest, finished))
    }

    /// Records that a workflow milestone happened now (the level-2 grid looked at, the report
    /// exported: [`crate::model::GRID_SEEN_SETTING`], [`crate::model::REPORT_EXPORTED_SETTING`]),
    /// outside the undo history. Does nothing on a read-only project.
    pub fn record_milestone(&mut self, setting: &str) -> Result<()> {
        if self.is_read_only() {
            return Ok(());
        }
        let now = crate::store::now();
        self.store.untracked(|tx| tx.set_setting(setting, &now))
    }

    /// Imports `files` as one undoable action, optionally assigning them to the case `case`
    /// (created if needed): [`crate::import::read_files`] (no store involved), then the
    /// batch's one action. Cancelling while reading (`progress` returns `false`) gives
    /// `StoreError::Cancelled` and changes nothing; a refused file is reported and skipped.
    ///
    /// A file whose content is already in the project (or earlier in the batch) is skipped
    /// and listed in the report's `duplicates`; see [`Self::import_files_allowing_duplicates`].
    pub fn import_files(
        &mut self,
        files: &[std::path::PathBuf],
        case: Option<&str>,
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<crate::import::ImportReport> {
        self.import(files, case, false, false, progress)
            .map(|(r, _)| r)
    }

    /// [`Self::import_files`], adding files again even when their content is already there.
    pub fn import_files_allowing_duplicates(
        &mut self,
        files: &[std::path::PathBuf],
        case: Option<&str>,
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<crate::import::ImportReport> {
        self.import(files, case, true, false, progress)
            .map(|(r, _)| r)
    }

    /// [`Self::import_files`] (or, with `allow_duplicates`, its variant) that also links each
    /// participant's speaker label to a case in the same undo step: the case of that name
    /// (ignoring letter case) or a new one; a document with one participant goes to the case
    /// whole, a focus group's speakers are mapped one by one. Returns the links made too.
    pub fn import_files_with_cases_from_speakers(
        &mut self,
        files: &[std::path::PathBuf],
        allow_duplicates: bool,
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<(
        crate::import::ImportReport,
        Vec<crate::actions::SpeakerProposal>,
    )> {
        self.import(files, None, allow_duplicates, true, progress)
    }

    /// Imports a survey table ([`crate::import::survey`]): one document and one case per
    /// respondent, the other columns as typed case attributes, in one action and one undo
    /// step. Returns what was read and the documents as they went in.
    pub fn import_survey(
        &mut self,
        path: &Path,
        opts: &crate::import::survey::SurveyOptions,
    ) -> Result<(
        crate::import::survey::Survey,
        Vec<(crate::model::DocId, String)>,
    )> {
        let mut survey = crate::import::survey::read_survey(path, opts)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let action = survey.take_action(path);
        let applied = self.apply(&action)?;
        let docs = match applied.outcome {
            Outcome::Content(r) => r.documents,
            _ => Vec::new(),
        };
        Ok((survey, docs))
    }

    /// The hashes of the documents' original files, with the document that has each.
    pub fn known_contents(&self) -> Result<std::collections::HashMap<String, String>> {
        Ok(self
            .read()
            .documents()?
            .into_iter()
            .filter(|d| !d.origin.sha256.is_empty())
            .map(|d| (d.origin.sha256, d.name))
            .collect())
    }

    fn import(
        &mut self,
        files: &[std::path::PathBuf],
        case: Option<&str>,
        allow_duplicates: bool,
        cases_from_speakers: bool,
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<(
        crate::import::ImportReport,
        Vec<crate::actions::SpeakerProposal>,
    )> {
        let mut batch = crate::import::read_files(files, progress)
            .map_err(|crate::import::Cancelled| crate::store::StoreError::Cancelled)?;
        if !allow_duplicates {
            batch.skip_known(&self.known_contents()?);
        }
        if batch.docs.is_empty() {
            return Ok((batch.report(&Outcome::Done), Vec::new()));
        }
        let proposals = if cases_from_speakers {
            let docs: Vec<_> = batch
                .docs
                .iter()
                .enumerate()
                .map(|(i, (_, t))| {
                    (
                        crate::model::DocId(i as i64),
                        t.name.clone(),
                        t.turns.clone(),
                    )
                })
                .collect();
            crate::actions::propose_speaker_links(&docs, &self.read().cases()?)
        } else {
            Vec::new()
        };
        let mut action = batch.take_action(case);
        if let Action::AddContent { bundle, .. } = &mut action {
            for p in &proposals {
                let case = p
                    .existing
                    .as_ref()
                    .map_or_else(|| p.speaker.clone(), |(_, name)| name.clone());
                let Ok(i) = usize::try_from(p.doc.0) else {
                    continue;
                };
                if let Some(d) = bundle.documents.get_mut(i) {
                    if p.whole_document {
                        d.cases.push(case);
                    } else {
                        d.speakers.push((p.speaker.clone(), case));
                    }
                }
            }
        }
        // Each text is let go once written, before the search index is built.
        let applied = match action {
            Action::AddContent { label, bundle } => self.apply_as(&label, |tx| {
                tx.add_bundle_owned(*bundle, &mut |_, _| true)
                    .map(Outcome::Content)
            })?,
            other => self.apply(&other)?,
        };
        let report = batch.report(&applied.outcome);
        // The proposals name the documents as they went in.
        let proposals = proposals
            .into_iter()
            .filter_map(|mut p| {
                let d = report.imported.get(usize::try_from(p.doc.0).ok()?)?;
                p.doc = d.id;
                p.doc_name = d.name.clone();
                Some(p)
            })
            .collect();
        Ok((report, proposals))
    }

    /// Undoes the latest step; `None` when there is nothing to undo.
    pub fn undo(&mut self) -> Result<Option<Stepped>> {
        let label = self.store.undo()?;
        self.stepped(label)
    }

    /// Redoes the latest undone step; `None` when there is nothing to redo.
    pub fn redo(&mut self) -> Result<Option<Stepped>> {
        let label = self.store.redo()?;
        self.stepped(label)
    }

    fn stepped(&mut self, label: Option<String>) -> Result<Option<Stepped>> {
        let Some(label) = label else { return Ok(None) };
        let changes = self.store.last_changes()?;
        if changes.coders
            && self.coder.is_some_and(|c| {
                !self
                    .read()
                    .coders()
                    .is_ok_and(|cs| cs.iter().any(|x| x.id == c))
            })
        {
            self.coder = self.read().default_coder()?;
        }
        Ok(Some(Stepped { label, changes }))
    }

    /// Deletes a document or case permanently: every trace leaves the file, including the
    /// undo and redo steps that hold any of it, and no free page, WAL or journal keeps the
    /// bytes. Cannot be undone. With `including_backups`, the data is also removed from the
    /// snapshots in the backups folder; otherwise they are listed in the report.
    ///
    /// A case takes with it the documents that belong to it alone; documents shared with
    /// other cases stay, unlinked from it (listed in [`PurgeReport::documents_kept`]), with
    /// its speaker turns in them redacted ([`PurgeReport::redacted`]).
    pub fn delete_permanently(
        &mut self,
        what: Purge,
        including_backups: bool,
    ) -> Result<PurgeReport> {
        let (target, guid, is_doc) = match what {
            Purge::Document(d) => {
                let doc = self.read().document(d)?;
                (PurgeTarget::Document(d), doc.guid, true)
            }
            Purge::Case(c) => {
                let guid = self
                    .read()
                    .cases()?
                    .into_iter()
                    .find(|x| x.id == c)
                    .map(|x| x.guid)
                    .ok_or_else(|| StoreError::NotFound {
                        kind: "case",
                        name: c.0.to_string(),
                    })?;
                (PurgeTarget::Case(c), guid, false)
            }
        };
        self.store.refuse_if_read_only()?;
        let purged = self.store.purge(target);
        // The deletion commits outside an action: make it durable whatever the scrub did.
        self.store.settle_now();
        let purged = purged?;
        let mut report = PurgeReport {
            documents: purged.documents,
            cases: purged.cases,
            documents_kept: purged.documents_kept,
            redacted: purged.redacted,
            codings: purged.codings,
            steps_dropped: purged.steps_dropped,
            ..PurgeReport::default()
        };
        let Some(project) = self.path().map(Path::to_owned) else {
            return Ok(report);
        };
        let Some(dir) = self.backups_dir() else {
            return Ok(report);
        };
        for snap in backup::list_snapshots(&project, &dir) {
            match purge_snapshot(&snap.path, &guid, is_doc, including_backups) {
                Ok(false) => {}
                Ok(true) if including_backups => report.snapshots_cleaned.push(snap.path),
                Ok(true) => report.snapshots_holding.push(snap.path),
                Err(reason) => report.snapshots_unreadable.push((snap.path, reason)),
            }
        }
        Ok(report)
    }

    /// Removes a document (or case) that is no longer in the project — deleted permanently
    /// before — from the snapshots that still hold it, found there by `name`.
    pub fn clean_backups_of(&mut self, is_doc: bool, name: &str) -> Result<PurgeReport> {
        let mut report = PurgeReport::default();
        let (Some(project), Some(dir)) = (self.path().map(Path::to_owned), self.backups_dir())
        else {
            return Ok(report);
        };
        for snap in backup::list_snapshots(&project, &dir) {
            let guid = match crate::store::purge::guid_by_name(&snap.path, is_doc, name) {
                Ok(Some(g)) => g,
                Ok(None) => continue,
                Err(reason) => {
                    report.snapshots_unreadable.push((snap.path, reason));
                    continue;
                }
            };
            match purge_snapshot(&snap.path, &guid, is_doc, true) {
                Ok(false) => {}
                Ok(true) => report.snapshots_cleaned.push(snap.path),
                Err(reason) => report.snapshots_unreadable.push((snap.path, reason)),
            }
        }
        Ok(report)
    }

    /// The folder the project's snapshots go to: the project's `backup_dir` setting, else
    /// `backups` beside the project; `None` for a project in memory.
    pub fn backups_dir(&self) -> Option<PathBuf> {
        let project = self.path()?;
        let configured = self
            .read()
            .setting(BACKUP_DIR_SETTING)
            .ok()
            .flatten()
            .filter(|d| !d.trim().is_empty())
            .map(PathBuf::from);
        Some(backup::backups_dir(project, configured.as_deref()))
    }

    /// Makes the snapshots go to `dir` from now on (`None`: back to `backups` beside the
    /// project). A setting, not an edit: it leaves no undo step.
    pub fn set_backups_dir(&mut self, dir: Option<&Path>) -> Result<()> {
        let value = dir
            .map(|d| d.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.store
            .untracked(|tx| tx.set_setting(BACKUP_DIR_SETTING, &value))
    }

    /// Makes a snapshot now (as `weft backup` does) in [`Self::backups_dir`].
    pub fn snapshot_now(&self) -> Result<Snapshot> {
        let (project, dir) = self.backup_paths()?;
        Ok(backup::snapshot_now(&project, &dir)?)
    }

    /// Makes today's automatic snapshot if there is none yet, and prunes old ones, on this
    /// thread (cheap once a day). `None` when it already existed, the project is in memory,
    /// or it is open read-only.
    pub fn daily_snapshot(&self) -> Result<Option<Snapshot>> {
        if self.is_read_only() {
            return Ok(None);
        }
        let Ok((project, dir)) = self.backup_paths() else {
            return Ok(None);
        };
        Ok(backup::daily_snapshot(
            &project,
            &dir,
            backup::DEFAULT_KEEP_DAYS,
        )?)
    }

    /// Starts today's automatic snapshot on a background thread (for the app, on opening a
    /// project); join the handle to show its outcome. `None` for a project in memory, or when
    /// the thread could not be started.
    pub fn start_daily_snapshot(&self) -> Option<JoinHandle<backup::Result<Option<Snapshot>>>> {
        if self.is_read_only() {
            return None;
        }
        let (project, dir) = self.backup_paths().ok()?;
        backup::spawn_daily_snapshot(project, dir, backup::DEFAULT_KEEP_DAYS).ok()
    }

    /// The project's snapshots, newest first.
    pub fn snapshots(&self) -> Vec<Snapshot> {
        match self.backup_paths() {
            Ok((project, dir)) => backup::list_snapshots(&project, &dir),
            Err(_) => Vec::new(),
        }
    }

    fn backup_paths(&self) -> Result<(PathBuf, PathBuf)> {
        match (self.path(), self.backups_dir()) {
            (Some(p), Some(d)) => Ok((p.to_owned(), d)),
            _ => Err(StoreError::Invalid(
                "a project held in memory has no snapshots".into(),
            )),
        }
    }

    /// The history, oldest first (the audit trail: time, label, coder, undone or not).
    pub fn history(&self) -> Result<Vec<HistoryStep>> {
        self.store.history()
    }

    /// Trims the history to the newest `keep` done steps; returns how many went.
    pub fn trim_history(&mut self, keep: usize) -> Result<usize> {
        self.store.trim_history(keep)
    }

    /// Keeps the history trimmed to `keep` steps after every action from now on (`None`:
    /// keep everything). A setting, not an edit: it leaves no undo step.
    pub fn set_history_keep(&mut self, keep: Option<usize>) -> Result<()> {
        let value = keep.map(|k| k.to_string()).unwrap_or_default();
        self.store
            .untracked(|tx| tx.set_setting(HISTORY_KEEP_SETTING, &value))
    }

    /// The project's `history_keep` setting, if set.
    pub fn history_keep(&self) -> Result<Option<usize>> {
        Ok(self
            .read()
            .setting(HISTORY_KEEP_SETTING)?
            .and_then(|v| v.trim().parse().ok()))
    }

    /// Leaves the checkpoint after each change until [`Self::settle_pending`] (for the app:
    /// an edit is drawn first, the project file catches up when the user pauses).
    pub fn settle_when_idle(&mut self) {
        self.store.settle_when_idle();
    }

    /// Whether a checkpoint waits for [`Self::settle_pending`].
    pub fn has_unsettled(&self) -> bool {
        self.store.has_unsettled()
    }

    /// Writes what the write-ahead log holds into the project file, if a checkpoint waits.
    pub fn settle_pending(&self) {
        self.store.settle_pending();
    }

    /// What Undo would undo.
    pub fn undo_label(&self) -> Result<Option<String>> {
        self.store.undo_label()
    }

    /// What Redo would redo.
    pub fn redo_label(&self) -> Result<Option<String>> {
        self.store.redo_label()
    }

    /// A message about opening the project the user should see once (see
    /// [`Store::take_note`]).
    pub fn take_note(&mut self) -> Option<String> {
        self.store.take_note()
    }
}

/// Creating a whole project from another tool's project (REFI-QDA QDPX, Taguette).
impl Session {
    /// Makes the new project `target` from another tool's whole project `source`, told by its
    /// content: a zip is a REFI-QDA project (QDPX), an SQLite file a Taguette database. Refuses
    /// an existing `target`; `progress(done, total)` follows the QDPX sources and answers
    /// whether to go on, and `cancelled` is asked once more before the new file is put in
    /// place. Nothing is left behind on failure. Errors are one sentence naming the file.
    pub fn import_project(
        source: &Path,
        target: &Path,
        progress: &mut dyn FnMut(usize, usize) -> bool,
        cancelled: &dyn Fn() -> bool,
    ) -> std::result::Result<(Self, ProjectImport), String> {
        if target.exists() {
            return Err(format!(
                "a file already exists there, choose another name: {}",
                target.display()
            ));
        }
        let mut head = [0u8; 16];
        let n = std::fs::File::open(source)
            .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
            .map_err(|e| {
                format!(
                    "cannot import: cannot read the file ({e}): {}",
                    source.display()
                )
            })?;
        let (label, bundle, report) =
            if n >= 4 && (head[..4] == *b"PK\x03\x04" || head[..4] == *b"PK\x05\x06") {
                let imported = crate::import::qdpx::read(source, &mut |done, total| {
                    progress(share(done, total, 0, READ_END), PROGRESS_SCALE)
                })
                .map_err(|e| e.to_string())?;
                let label = format!("Import project “{}”", imported.report.file);
                (label, imported.bundle, ProjectImport::Qdpx(imported.report))
            } else if n == 16 && head == *b"SQLite format 3\0" {
                let imported = Self::read_taguette(source).map_err(|e| e.to_string())?;
                let name = source
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let label = format!("Import Taguette project “{name}”");
                (
                    label,
                    imported.bundle,
                    ProjectImport::Taguette(imported.report),
                )
            } else {
                return Err(format!(
                    "cannot import: not a QDPX project (a zip archive) nor a Taguette database: {}",
                    source.display()
                ));
            };
        // Then writing, and last the search index and the file's sync (not counted).
        let (session, _) =
            Self::create_from_bundle_with(target, &label, bundle, &mut |done, total| {
                !cancelled() && progress(share(done, total, READ_END, WRITE_END), PROGRESS_SCALE)
            })
            .map_err(|e| e.to_string())?;
        Ok((session, report))
    }

    /// Reads a Taguette project database (read-only) and converts it into a bundle with a
    /// report, ready for [`Self::create_from_bundle`]: the store reads the rows, the importer
    /// converts them.
    pub fn read_taguette(
        path: &Path,
    ) -> std::result::Result<
        crate::import::taguette::TaguetteImport,
        crate::import::taguette::TaguetteError,
    > {
        let rows = crate::store::taguette::read_rows(path)?;
        crate::import::taguette::convert(rows, path)
    }

    /// Creates the project `path` holding `bundle`, applied as one action labelled `label`.
    /// Refuses an existing file. The project is built under a hidden temporary name in the
    /// same folder and moved into place only when complete, never replacing a file that
    /// appeared meanwhile; on any error, or when `cancelled()` says so before the move, no file
    /// is left behind. Returns the open project and what the bundle added.
    pub fn create_from_bundle(
        path: &Path,
        label: &str,
        bundle: crate::model::Bundle,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(Self, crate::store::BundleReport)> {
        Self::create_from_bundle_with(path, label, bundle, &mut |_, _| !cancelled())
    }

    /// [`Self::create_from_bundle`], telling `progress(done, total)` of the documents and
    /// codings written; when it returns `false` the build stops and nothing is left behind.
    pub fn create_from_bundle_with(
        path: &Path,
        label: &str,
        bundle: crate::model::Bundle,
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<(Self, crate::store::BundleReport)> {
        if path.exists() {
            return Err(StoreError::Exists {
                path: path.to_owned(),
            });
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = path.with_file_name(format!(
            ".{name}.importing-{}-{}",
            std::process::id(),
            &crate::store::new_guid()[..8]
        ));
        let built = (|| -> Result<crate::store::BundleReport> {
            let mut s = Self::create(&temp)?;
            // Nothing else opens the file until it is complete, and it is thrown away if
            // anything fails: the whole project goes straight into it.
            s.store.start_building()?;
            // As `Action::AddContent`, letting the bundle go as it is written: it holds a
            // whole project.
            let applied = s.apply_as(label, |tx| {
                tx.add_bundle_owned(bundle, progress).map(Outcome::Content)
            })?;
            if !progress(1, 1) {
                return Err(StoreError::Cancelled);
            }
            s.store.finish_building()?;
            drop(s);
            let report = match applied.outcome {
                Outcome::Content(r) => r,
                _ => crate::store::BundleReport::default(),
            };
            // Into place without replacing anything: a hard link fails if the name is taken.
            match std::fs::hard_link(&temp, path) {
                Ok(()) => Ok(report),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    Err(StoreError::Exists {
                        path: path.to_owned(),
                    })
                }
                Err(_) if path.exists() => Err(StoreError::Exists {
                    path: path.to_owned(),
                }),
                Err(_) => std::fs::rename(&temp, path).map(|()| report).map_err(|e| {
                    StoreError::Invalid(format!(
                        "the new project could not be moved into place ({e}): {}",
                        path.display()
                    ))
                }),
            }
        })();
        for suffix in ["", "-wal", "-shm"] {
            let mut leftover = temp.clone().into_os_string();
            leftover.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(leftover));
        }
        let report = built?;
        // Just written, checkpointed and closed by this build: SQLite's integrity check
        // (half a second on a 10-million-word project, most of it the search index) would
        // only read back what was written.
        Ok((Self::new(Store::open_just_built(path)?)?, report))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CharRange, CodingRow, NewDocument};

    fn rows(n: usize) -> Vec<CodingRow> {
        (0..n)
            .map(|i| CodingRow {
                line: i + 2,
                doc: "P01".into(),
                code: "Trust".into(),
                start: i,
                end: i + 3,
                coder: String::new(),
                memo: String::new(),
            })
            .collect()
    }

    /// A session with document “P01” holding `text` and the code “Trust”.
    fn one_document(text: &str) -> Session {
        let mut s = Session::in_memory().unwrap();
        s.apply(&Action::AddContent {
            label: "Import".into(),
            bundle: Box::new(crate::model::Bundle {
                documents: vec![crate::model::BundleDocument {
                    doc: NewDocument {
                        name: "P01".into(),
                        text: text.into(),
                        ..NewDocument::default()
                    },
                    ..Default::default()
                }],
                codes: vec![crate::model::BundleCode {
                    path: "Trust".into(),
                    ..Default::default()
                }],
                ..Default::default()
            }),
        })
        .unwrap();
        s
    }

    #[test]
    fn an_edit_says_what_changed_and_undo_says_it_back() {
        let mut s = one_document("We trust each other here.");
        let db = s.read();
        let doc = db.require_document("P01").unwrap();
        let code = db.require_code("Trust").unwrap();
        let coder = s.coder().unwrap();
        let applied = s
            .apply(&Action::ApplyCode {
                doc,
                code,
                coder,
                range: CharRange::new(3, 8).unwrap(),
            })
            .unwrap();
        assert!(applied.changes.codings);
        assert!(!applied.changes.codebook && !applied.changes.documents);
        assert_eq!(
            applied.changes.docs.iter().copied().collect::<Vec<_>>(),
            vec![doc]
        );
        let undone = s.undo().unwrap().unwrap();
        assert_eq!(undone.label, "Apply code “Trust”");
        assert_eq!(undone.changes, applied.changes);
    }

    #[test]
    fn a_batch_of_codings_is_one_step_and_refusals_name_their_line() {
        let mut s = one_document("0123456789");
        let mut batch = rows(10); // the last two run past the end (10 chars)
        batch[2].code = "Nope".into();
        let applied = s.apply(&Action::ApplyCodings(batch)).unwrap();
        let Outcome::Codings {
            applied: n,
            refused,
        } = applied.outcome
        else {
            panic!("a batch outcome")
        };
        assert_eq!(n, 7);
        assert_eq!(
            refused.iter().map(|r| r.0).collect::<Vec<_>>(),
            vec![4, 10, 11]
        );
        assert!(refused[0].1.contains("no code “Nope”"), "{refused:?}");
        assert_eq!(s.read().codings(&Default::default()).unwrap().len(), 7);
        s.undo().unwrap();
        assert!(s.read().codings(&Default::default()).unwrap().is_empty());
    }

    // Imports: read first, then one action.
    use crate::store::StoreError;
    use std::path::{Path, PathBuf};

    fn files(dir: &Path) -> Vec<PathBuf> {
        let good = dir.join("p01.txt");
        std::fs::write(
            &good,
            "Interviewer: Hello?\nP01: Hi there.\nInterviewer: And?\nP01: Bye.\n",
        )
        .unwrap();
        let bad = dir.join("empty.txt");
        std::fs::write(&bad, "").unwrap();
        let second = dir.join("p02.md");
        std::fs::write(&second, "# Notes\n\nSome text.").unwrap();
        vec![good, bad, second]
    }

    #[test]
    fn bad_files_are_reported_and_the_rest_go_in_as_one_undo_step() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Session::in_memory().unwrap();
        let report = store
            .import_files(&files(dir.path()), Some("P01"), &mut |_, _| true)
            .unwrap();
        assert_eq!(report.imported.len(), 2);
        assert_eq!(report.failed.len(), 1);
        assert!(report.failed[0].to_string().contains("empty.txt"));
        assert_eq!(report.imported[0].turns, 4);
        let db = store.read();
        let p01 = db.require_case("P01").unwrap();
        assert_eq!(
            db.cases_of_document(report.imported[0].id).unwrap(),
            vec![p01]
        );
        // Three files given, one refused: the step names the two that went in.
        assert_eq!(store.undo().unwrap().unwrap().label, "Import 2 documents");
        assert!(store.read().documents().unwrap().is_empty());
        assert!(
            store.read().cases().unwrap().is_empty(),
            "the case created by the import goes too"
        );
    }

    #[test]
    fn a_cancelled_import_leaves_the_project_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Session::in_memory().unwrap();
        let err = store
            .import_files(&files(dir.path()), Some("P01"), &mut |done, _| done < 2)
            .unwrap_err();
        // Cancelled while reading: nothing was written at all.
        assert!(matches!(err, StoreError::Cancelled));
        assert!(store.read().documents().unwrap().is_empty());
        assert!(store.read().cases().unwrap().is_empty());
        assert_eq!(store.undo_label().unwrap(), None);
    }
}
