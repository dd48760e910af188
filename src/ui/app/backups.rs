//! Backups and permanent deletion, the GUI side: today's snapshot made in the background after
//! a project opens, File ▸ Back up now, the window that offers to restore the newest good
//! snapshot when a project file is damaged, and the confirmation before a document or case is
//! deleted for good. The work itself lives in `store::backup` and `Session`; nothing here
//! waits for a snapshot on the UI thread.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::thread::JoinHandle;

use egui::RichText;

use super::WeftApp;
use crate::session::{Purge, Session};
use crate::store::backup::{self, Snapshot};

/// A snapshot being made on a thread.
pub(super) enum BackupTask {
    /// Today's automatic snapshot (`None` when it already existed).
    Daily(JoinHandle<backup::Result<Option<Snapshot>>>),
    /// A snapshot the user asked for.
    Manual(Receiver<Result<Snapshot, String>>),
}

/// A project file that failed to open because it is damaged.
pub(super) struct Damaged {
    path: PathBuf,
    reason: String,
    snapshot: Option<Snapshot>,
    backups: PathBuf,
}

/// The confirmation of a permanent deletion.
pub(super) struct PurgeConfirm {
    what: Purge,
    name: String,
    codings: usize,
    snapshots: usize,
    also_backups: bool,
}

impl WeftApp {
    /// Makes today's snapshot of `project` on a thread (the backups folder beside it).
    pub(super) fn start_daily_snapshot(&mut self, project: &Path) {
        if self.session.as_ref().is_some_and(Session::is_read_only) {
            return; // nothing changes in a project open read-only
        }
        let dir = backup::backups_dir(project, None);
        match backup::spawn_daily_snapshot(project.to_owned(), dir, backup::DEFAULT_KEEP_DAYS) {
            Ok(handle) => self.backups.push(BackupTask::Daily(handle)),
            Err(e) => self.error(format!("today's backup could not start: {e}")),
        }
    }

    /// File ▸ Back up now: a snapshot of the open project on a thread, then a toast.
    pub(super) fn back_up_now(&mut self) {
        let Some(project) = self.view.path.clone() else {
            return self.notice("An in-memory project has no file to back up");
        };
        let dir = backup::backups_dir(&project, None);
        let (tx, rx) = channel();
        let ctx = self.ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("weft-backup-now".into())
            .spawn(move || {
                let r = backup::snapshot_now(&project, &dir).map_err(|e| e.to_string());
                let _ = tx.send(r);
                if let Some(c) = ctx {
                    c.request_repaint();
                }
            });
        match spawned {
            Ok(_) => self.backups.push(BackupTask::Manual(rx)),
            Err(e) => self.error(format!("the backup could not start: {e}")),
        }
    }

    /// Turns finished snapshots into toasts.
    pub(super) fn poll_backups(&mut self) {
        let mut messages: Vec<(bool, String)> = Vec::new();
        let tasks = std::mem::take(&mut self.backups);
        for task in tasks {
            match task {
                BackupTask::Daily(h) if h.is_finished() => match h.join() {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => messages.push((true, format!("today's backup failed: {e}"))),
                    Err(_) => messages.push((true, "today's backup stopped unexpectedly".into())),
                },
                BackupTask::Manual(rx) => match rx.try_recv() {
                    Ok(Ok(s)) => {
                        messages.push((false, format!("Backed up to {}", s.path.display())))
                    }
                    Ok(Err(e)) => messages.push((true, format!("the backup failed: {e}"))),
                    Err(TryRecvError::Empty) => self.backups.push(BackupTask::Manual(rx)),
                    Err(TryRecvError::Disconnected) => {
                        messages.push((true, "the backup stopped unexpectedly".into()))
                    }
                },
                other => self.backups.push(other),
            }
        }
        for (error, m) in messages {
            if error { self.error(m) } else { self.notice(m) }
        }
    }

    /// When opening `path` failed because the file is damaged, opens the restore window and
    /// says so (`true`); other failures (missing, not a Weft file, too new) are left to the
    /// caller.
    pub(super) fn offer_restore(&mut self, path: &Path, message: &str) -> bool {
        let lower = message.to_lowercase();
        let said_damaged = lower.contains("damaged") || lower.contains("malformed");
        let check = if path.is_file() {
            backup::check_file(path)
        } else {
            Ok(())
        };
        if !said_damaged && check.is_ok() {
            return false;
        }
        let reason = check.err().unwrap_or_else(|| message.to_owned());
        // Name the file in full, whatever form it was given in.
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
        let path = path.as_path();
        let backups = backup::backups_dir(path, None);
        self.damaged = Some(Damaged {
            snapshot: backup::newest_good_snapshot(path, &backups),
            path: path.to_owned(),
            reason,
            backups,
        });
        true
    }

    /// The window offering to restore a damaged project from its newest good snapshot.
    pub(super) fn damaged_ui(&mut self, ctx: &egui::Context) {
        let Some(d) = &self.damaged else { return };
        let mut close = false;
        let mut restore = None;
        let name = d
            .path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = d
            .path
            .file_stem()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let folder = d
            .path
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        egui::Modal::new(egui::Id::unique("damaged-project")).show(ctx, |ui| {
            ui.set_max_width(560.0);
            ui.heading("This project file is damaged");
            ui.label(format!(
                "“{name}” cannot be opened: part of the file is unreadable."
            ));
            ui.weak(d.path.display().to_string());
            ui.collapsing("Details", |ui| ui.weak(&d.reason));
            ui.add_space(6.0);
            match &d.snapshot {
                Some(s) => {
                    ui.label(format!(
                        "A good snapshot from {} was found in the backups folder. Restoring it \
                         replaces the project with that copy: changes made after it are lost.",
                        s.created
                    ));
                    ui.add_space(4.0);
                    ui.label(format!(
                        "The damaged file is never overwritten: it is moved aside to \
                         “{stem}.before-restore-<date and time>.weft” in {folder}."
                    ));
                }
                None => {
                    ui.label(format!(
                        "No good snapshot of this project was found in {}. The damaged file has \
                         not been changed.",
                        d.backups.display()
                    ));
                }
            }
            ui.add_space(10.0);
            ui.horizontal(|ui| {
                if let Some(s) = &d.snapshot
                    && ui
                        .button(RichText::new(format!(
                            "Restore the newest good snapshot ({})",
                            s.created
                        )))
                        .clicked()
                {
                    restore = Some(s.path.clone());
                }
                if ui.button("Close").clicked() {
                    close = true;
                }
            });
        });
        if let Some(snapshot) = restore
            && let Some(d) = self.damaged.take()
        {
            match backup::restore(&d.path, &snapshot) {
                Ok(aside) => {
                    self.open_project(&d.path);
                    match aside {
                        Some(a) => self.notice(format!(
                            "Restored; the damaged file was kept as {}",
                            a.display()
                        )),
                        None => self.notice("Restored the snapshot"),
                    }
                }
                Err(e) => self.error(format!("the snapshot could not be restored: {e}")),
            }
        } else if close {
            self.damaged = None;
        }
    }

    /// Opens the confirmation for deleting `what` permanently.
    pub(super) fn ask_purge(&mut self, what: Purge) {
        let (name, codings) = match what {
            Purge::Document(doc) => (
                self.view
                    .document(doc)
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
                self.view.doc_codings.get(&doc).copied().unwrap_or(0),
            ),
            Purge::Case(case) => {
                let codings = self
                    .view
                    .links
                    .doc_cases
                    .iter()
                    .filter(|(_, cases)| cases.contains(&case))
                    .map(|(d, _)| self.view.doc_codings.get(d).copied().unwrap_or(0))
                    .sum();
                (self.view.case_name(case).to_owned(), codings)
            }
        };
        let snapshots = self
            .view
            .path
            .as_ref()
            .map(|p| backup::list_snapshots(p, &backup::backups_dir(p, None)).len())
            .unwrap_or(0);
        self.purge = Some(PurgeConfirm {
            what,
            name,
            codings,
            snapshots,
            also_backups: false,
        });
    }

    /// The confirmation window of a permanent deletion; the GUI asks once.
    pub(super) fn purge_ui(&mut self, ctx: &egui::Context) {
        let Some(p) = &mut self.purge else { return };
        let mut confirmed = None;
        let mut cancel = false;
        egui::Modal::new(egui::Id::unique("delete-permanently")).show(ctx, |ui| {
            ui.set_max_width(520.0);
            let (kind, gone) = match p.what {
                Purge::Document(_) => (
                    "document",
                    format!(
                        "The document “{}” goes, with its text and {}, its memo and attribute values.",
                        p.name,
                        crate::ui::scope_bar::plural(p.codings, "coding", "codings")
                    ),
                ),
                Purge::Case(_) => (
                    "case",
                    format!(
                        "The case “{}” goes, with its memo and attribute values, and the documents \
                         that belong to it alone (with their codings, up to {}).",
                        p.name,
                        crate::ui::scope_bar::plural(p.codings, "coding", "codings")
                    ),
                ),
            };
            ui.heading(format!("Delete this {kind} permanently?"));
            ui.add_space(4.0);
            ui.label(gone);
            ui.add_space(4.0);
            ui.label(
                RichText::new(
                    "This cannot be undone: it leaves the project file for good, and the undo \
                     history that holds it is cleared.",
                )
                .strong(),
            );
            ui.add_space(6.0);
            if p.snapshots > 0 {
                ui.label(if p.snapshots == 1 {
                    "1 snapshot in the backups folder still holds it.".to_owned()
                } else {
                    format!(
                        "{} snapshots in the backups folder still hold it.",
                        p.snapshots
                    )
                });
                ui.checkbox(&mut p.also_backups, "Also remove it from the backups");
            } else {
                ui.weak("No snapshot in the backups folder holds it.");
            }
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                if ui
                    .button(RichText::new("Delete permanently").color(ui.visuals().error_fg_color))
                    .clicked()
                {
                    confirmed = Some((p.what, p.also_backups));
                }
                if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                    cancel = true;
                }
            });
        });
        if cancel {
            self.purge = None;
        }
        let Some((what, also)) = confirmed else {
            return;
        };
        self.purge = None;
        let Some(session) = &mut self.session else {
            return;
        };
        match session.delete_permanently(what, also) {
            Ok(report) => {
                self.reload();
                let mut gone: Vec<String> = report
                    .documents
                    .iter()
                    .chain(&report.cases)
                    .map(|n| format!("“{n}”"))
                    .collect();
                if gone.is_empty() {
                    gone.push("nothing".into());
                }
                let mut msg = format!(
                    "Deleted permanently: {} ({}).",
                    gone.join(", "),
                    crate::ui::scope_bar::plural(report.codings, "coding", "codings")
                );
                if !report.snapshots_holding.is_empty() {
                    msg.push_str(&format!(
                        " {} still hold it.",
                        crate::ui::scope_bar::plural(
                            report.snapshots_holding.len(),
                            "snapshot",
                            "snapshots"
                        )
                    ));
                }
                self.notice(msg);
            }
            Err(e) => {
                // A deletion whose file clearing was blocked has happened all the same (its
                // message says so): show the project as it is now.
                let still_there = match what {
                    Purge::Document(d) => session.read().document(d).is_ok(),
                    Purge::Case(c) => session
                        .read()
                        .cases()
                        .is_ok_and(|cs| cs.iter().any(|x| x.id == c)),
                };
                self.reload();
                if still_there {
                    self.error(format!("nothing was deleted: {e}"));
                } else {
                    self.error(e.to_string());
                }
            }
        }
    }
}
