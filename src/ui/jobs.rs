//! Long work off the UI thread: imports parse files on a named thread (no connection to the
//! project at all: the UI thread applies the parsed batch as one action), exports and the
//! codebook recount read through their own connection to the project file. Jobs report
//! progress through atomics, can be cancelled, and hand their result back over a channel. File
//! dialogs (rfd) also run on a thread so the window keeps drawing while one is open.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use crate::analysis::{FrequencyReport, ScopeFilter, frequencies_with};
use crate::export::{self, Format};
use crate::import::{Cancelled, ParsedBatch, read_files};
use crate::model::CodeId;
use crate::store::Store;

/// What a finished job produced.
#[derive(Debug)]
pub enum JobResult {
    /// The files of an import were parsed (nothing is written yet), or reading was cancelled.
    Import(Result<ParsedBatch, Cancelled>),
    /// An export was written to this file (or failed).
    Export(Result<PathBuf, String>),
    /// The job's thread ended without a result (it panicked): reported as what it was doing.
    Crashed(JobKind),
}

/// What a job does: decides what may run beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Reading and parsing files to import.
    Import,
    /// Writing an export.
    Export,
}

impl JobKind {
    /// What to tell the user when a job of this kind stopped without a result.
    pub fn crash_message(self) -> &'static str {
        match self {
            JobKind::Import => "the import stopped unexpectedly; nothing was added to the project",
            JobKind::Export => "the export stopped unexpectedly; no file was written",
        }
    }
}

/// A running job.
pub struct Job {
    /// What kind of work it is.
    pub kind: JobKind,
    /// What it does, for the progress bar.
    pub label: String,
    /// Steps done.
    pub done: Arc<AtomicUsize>,
    /// Steps in all.
    pub total: usize,
    /// Set to ask the job to stop.
    pub cancel: Arc<AtomicBool>,
    rx: Receiver<JobResult>,
}

impl Job {
    /// Progress in `[0, 1]`.
    pub fn fraction(&self) -> f32 {
        if self.total == 0 {
            0.0
        } else {
            self.done.load(Ordering::Relaxed) as f32 / self.total as f32
        }
    }

    /// The result, once the job has finished.
    pub fn poll(&self) -> Option<JobResult> {
        match self.rx.try_recv() {
            Ok(r) => Some(r),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(JobResult::Crashed(self.kind)),
        }
    }

    fn spawn(
        kind: JobKind,
        label: String,
        total: usize,
        repaint: impl Fn() + Send + 'static,
        work: impl FnOnce(&AtomicUsize, &AtomicBool) -> JobResult + Send + 'static,
    ) -> Result<Self, String> {
        let (tx, rx) = channel();
        let done = Arc::new(AtomicUsize::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (d, c) = (done.clone(), cancel.clone());
        std::thread::Builder::new()
            .name(format!("weft-job: {label}"))
            .spawn(move || {
                let result = work(&d, &c);
                let _ = tx.send(result);
                repaint();
            })
            .map_err(|e| format!("cannot start background work: {e}"))?;
        Ok(Self {
            kind,
            label,
            done,
            total,
            cancel,
            rx,
        })
    }

    /// Reads and parses `files` on a thread. It never touches the project: the app applies
    /// the parsed batch when the job is done.
    pub fn import(
        files: Vec<PathBuf>,
        repaint: impl Fn() + Send + Sync + 'static,
    ) -> Result<Self, String> {
        // A dropped folder stands for the transcripts in it: count those for the progress bar.
        let files = crate::import::expand_folders(&files);
        let total = files.len();
        let repaint = Arc::new(repaint);
        let r2 = repaint.clone();
        Self::spawn(
            JobKind::Import,
            format!("Importing {total} file(s)"),
            total,
            move || r2(),
            move |done, cancel| {
                JobResult::Import(read_files(&files, &mut |i, _| {
                    done.store(i, Ordering::Relaxed);
                    repaint();
                    !cancel.load(Ordering::Relaxed)
                }))
            },
        )
    }

    /// Writes the frequency report of the project at `project` to `out` on a thread, with
    /// its provenance first when `meta`.
    pub fn export_frequencies(
        project: PathBuf,
        filter: ScopeFilter,
        format: Format,
        out: PathBuf,
        meta: bool,
        repaint: impl Fn() + Send + 'static,
    ) -> Result<Self, String> {
        let source = project.clone();
        Self::export(
            "Exporting frequencies",
            project,
            format,
            out,
            repaint,
            move |store, f| {
                Ok(export::report::frequencies_file(
                    store.db(),
                    &filter,
                    f,
                    meta.then_some(source.as_path()),
                )?)
            },
        )
    }

    /// Writes coded segments of the project at `project` to `out` on a thread, with their
    /// provenance first when `meta`.
    pub fn export_segments(
        project: PathBuf,
        codes: Option<Vec<CodeId>>,
        filter: ScopeFilter,
        format: Format,
        out: PathBuf,
        meta: bool,
        repaint: impl Fn() + Send + 'static,
    ) -> Result<Self, String> {
        let source = project.clone();
        Self::export(
            "Exporting coded segments",
            project,
            format,
            out,
            repaint,
            move |store, f| {
                Ok(export::segments::segments_file(
                    store.db(),
                    codes,
                    &filter,
                    f,
                    meta.then_some(source.as_path()),
                )?)
            },
        )
    }

    /// Writes the whole project as REFI-QDA (`.qdpx`) or its codebook (`.qdc`) to `out` on a
    /// thread, with progress (per document) and Cancel.
    pub fn export_exchange(
        project: PathBuf,
        kind: ExchangeExport,
        out: PathBuf,
        repaint: impl Fn() + Send + Sync + 'static,
    ) -> Result<Self, String> {
        // Progress in thousandths: the number of documents is known only on the thread.
        const STEPS: usize = 1000;
        let repaint = Arc::new(repaint);
        let r2 = repaint.clone();
        Self::spawn(
            JobKind::Export,
            kind.label().into(),
            STEPS,
            move || r2(),
            move |done, cancel| {
                let run = || -> anyhow::Result<PathBuf> {
                    let store = Store::open_reader(&project)?;
                    let db = store.db();
                    export::write_export_with(&out, Some(&project), |file| match kind {
                        ExchangeExport::Qdpx | ExchangeExport::QdpxNvivo => {
                            export::qdpx::write_qdpx(
                                &db,
                                file,
                                &export::qdpx::QdpxOptions {
                                    offsets: if kind == ExchangeExport::QdpxNvivo {
                                        export::qdpx::Offsets::Utf16
                                    } else {
                                        export::qdpx::Offsets::Codepoints
                                    },
                                },
                                &mut |i, n| {
                                    done.store(i * STEPS / n.max(1), Ordering::Relaxed);
                                    repaint();
                                    !cancel.load(Ordering::Relaxed)
                                },
                            )
                            .map(drop)
                        }
                        ExchangeExport::Qdc => {
                            export::codebook::write_qdc(&db, std::io::BufWriter::new(file))
                                .map(drop)
                        }
                        ExchangeExport::Matrix { .. }
                        | ExchangeExport::CaseTable
                        | ExchangeExport::Report
                        | ExchangeExport::ThemesTable
                        | ExchangeExport::AuditTrail
                        | ExchangeExport::Portfolio
                        | ExchangeExport::MapSvg
                        | ExchangeExport::MapPng => {
                            use std::io::Write;
                            let bytes = spreadsheet(&db, &project, kind, &out)?;
                            file.write_all(&bytes).map_err(|e| {
                                export::ExportError::Exchange(format!("could not write: {e}"))
                            })
                        }
                    })?;
                    cancelled(cancel)?;
                    done.store(STEPS, Ordering::Relaxed);
                    Ok(out)
                };
                JobResult::Export(run().map_err(|e| format!("{e:#}")))
            },
        )
    }

    /// An export on a thread: its own connection to `project`, `produce` makes the bytes in
    /// the format the file name asks for, and they are written atomically unless cancelled.
    fn export(
        label: &str,
        project: PathBuf,
        format: Format,
        out: PathBuf,
        repaint: impl Fn() + Send + 'static,
        produce: impl FnOnce(&Store, Format) -> anyhow::Result<Vec<u8>> + Send + 'static,
    ) -> Result<Self, String> {
        Self::spawn(
            JobKind::Export,
            label.into(),
            1,
            repaint,
            move |done, cancel| {
                let run = || -> anyhow::Result<PathBuf> {
                    let store = Store::open_reader(&project)?;
                    let bytes = produce(&store, format_of(&out, format))?;
                    cancelled(cancel)?;
                    export::write_export(&out, &bytes, Some(&project))?;
                    done.store(1, Ordering::Relaxed);
                    Ok(out)
                };
                JobResult::Export(run().map_err(|e| format!("{e:#}")))
            },
        )
    }
}

/// The codebook counts (segments and cases per code, own and with sub-codes), recounted on a
/// thread with its own read connection to the project file. Asking while a count runs asks
/// for exactly one more after it: requests are coalesced.
pub struct Recounter {
    ask: Sender<u64>,
    rx: Receiver<(u64, Result<FrequencyReport, String>)>,
    asked: u64,
    answered: u64,
}

impl Recounter {
    /// Starts the counting thread on `project` (it waits for [`Recounter::ask`]).
    pub fn start(project: PathBuf, repaint: impl Fn() + Send + 'static) -> Result<Self, String> {
        let (ask, asks) = channel::<u64>();
        let (tx, rx) = channel();
        std::thread::Builder::new()
            .name("weft-recount".into())
            .spawn(move || {
                let mut store = None;
                while let Ok(mut generation) = asks.recv() {
                    // Everything asked for meanwhile is answered by this one count.
                    while let Ok(g) = asks.try_recv() {
                        generation = generation.max(g);
                    }
                    if store.is_none() {
                        match Store::open_reader(&project) {
                            Ok(s) => store = Some(s),
                            Err(e) => {
                                let _ = tx.send((
                                    generation,
                                    Err(format!("cannot count the codes: {e}")),
                                ));
                                repaint();
                                return;
                            }
                        }
                    }
                    let Some(s) = &store else { return };
                    let report = frequencies_with(s.db(), &ScopeFilter::default(), false)
                        .map_err(|e| format!("cannot count the codes: {e}"));
                    if tx.send((generation, report)).is_err() {
                        return;
                    }
                    repaint();
                }
            })
            .map_err(|e| format!("cannot start counting the codes: {e}"))?;
        Ok(Self {
            ask,
            rx,
            asked: 0,
            answered: 0,
        })
    }

    /// Asks for a fresh count (of the project as committed now).
    pub fn ask(&mut self) {
        self.asked += 1;
        if self.ask.send(self.asked).is_err() {
            self.answered = self.asked;
        }
    }

    /// Whether a count is asked for or running.
    pub fn busy(&self) -> bool {
        self.answered < self.asked
    }

    /// The newest finished count, if one arrived since the last call.
    pub fn poll(&mut self) -> Option<Result<FrequencyReport, String>> {
        let mut newest = None;
        loop {
            match self.rx.try_recv() {
                Ok((generation, r)) => {
                    self.answered = self.answered.max(generation);
                    newest = Some(r);
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.answered = self.asked;
                    break;
                }
            }
        }
        newest
    }
}

/// The export format a file name asks for (`fallback` when its extension says nothing).
pub fn format_of(path: &std::path::Path, fallback: Format) -> Format {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(Format::parse)
        .unwrap_or(fallback)
}

fn cancelled(cancel: &AtomicBool) -> anyhow::Result<()> {
    if cancel.load(Ordering::Relaxed) {
        anyhow::bail!("export cancelled; nothing was written");
    }
    Ok(())
}

/// The bytes of an export made whole in memory: a workbook, a page, the map.
fn spreadsheet(
    db: &crate::store::Db<'_>,
    project: &std::path::Path,
    kind: ExchangeExport,
    out: &std::path::Path,
) -> Result<Vec<u8>, export::ExportError> {
    use crate::analysis::matrix::{Across, case_table, matrix};
    let filter = ScopeFilter::default();
    let meta = |report| export::Provenance::describe_scope(db, project, report, &filter, None);
    match kind {
        ExchangeExport::Report => export::html_report::html_report_file(db, project, &filter),
        ExchangeExport::ThemesTable => {
            // The format the chosen file name asks for; a page for a browser otherwise.
            let format = out
                .extension()
                .and_then(|e| export::themes_table::TableFormat::parse(&e.to_string_lossy()))
                .unwrap_or(export::themes_table::TableFormat::Html);
            export::themes_table::themes_table_file(db, format, Some(project))
        }
        ExchangeExport::AuditTrail => {
            let trail = export::audit::audit_trail(db, project)?;
            if out
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            {
                export::json_bytes(&trail)
            } else {
                Ok(trail.to_markdown(true).into_bytes())
            }
        }
        ExchangeExport::Portfolio => Ok(export::portfolio::portfolio(db, project)?.into_bytes()),
        ExchangeExport::MapSvg => Ok(export::map_svg::map_svg(db)?.into_bytes()),
        ExchangeExport::MapPng => export::map_svg::map_png(db),
        ExchangeExport::Matrix { cases } => {
            let across = if cases {
                Across::Cases
            } else {
                Across::Documents
            };
            let counts = matrix(db, across, false)?;
            let presence = counts.to_presence();
            let meta = meta(export::provenance::ReportKind::Matrix)?;
            export::xlsx::matrices(&[counts, presence], Some(&meta))
        }
        _ => {
            let meta = meta(export::provenance::ReportKind::Cases)?;
            export::xlsx::classification(&case_table(db)?, Some(&meta))
        }
    }
}

/// The REFI-QDA and spreadsheet exports of File ▸ Export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeExport {
    /// The whole project (`.qdpx`).
    Qdpx,
    /// The whole project with positions in UTF-16 units, as NVivo reads them.
    QdpxNvivo,
    /// The codebook (`.qdc`).
    Qdc,
    /// The code × document (or, with `cases`, code × case) matrix as a workbook: counts and
    /// 0/1 presence.
    Matrix {
        /// Cases across rather than documents.
        cases: bool,
    },
    /// The case attribute table (the classification sheet) as a workbook.
    CaseTable,
    /// The HTML report (one self-contained file for any browser).
    Report,
    /// The theme table (format by the file's extension: .html, .md, .csv, .xlsx, .json).
    ThemesTable,
    /// The audit trail of the analysis as Markdown (or JSON, by the extension).
    AuditTrail,
    /// The teaching portfolio (one self-contained HTML page).
    Portfolio,
    /// The thematic map as SVG.
    MapSvg,
    /// The thematic map as PNG.
    MapPng,
}

impl ExchangeExport {
    /// What the progress bar says.
    pub fn label(self) -> &'static str {
        match self {
            Self::Qdpx | Self::QdpxNvivo => "Exporting the REFI-QDA project",
            Self::Qdc => "Exporting the codebook",
            Self::Matrix { .. } => "Exporting the matrix",
            Self::CaseTable => "Exporting the case attributes",
            Self::Report => "Writing the report",
            Self::ThemesTable => "Writing the theme table",
            Self::AuditTrail => "Writing the audit trail",
            Self::Portfolio => "Writing the portfolio",
            Self::MapSvg | Self::MapPng => "Exporting the thematic map",
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Qdpx | Self::QdpxNvivo => "qdpx",
            Self::Qdc => "qdc",
            Self::Matrix { .. } | Self::CaseTable => "xlsx",
            Self::Report | Self::ThemesTable | Self::Portfolio => "html",
            Self::AuditTrail => "md",
            Self::MapSvg => "svg",
            Self::MapPng => "png",
        }
    }

    /// The default file name, without the extension.
    pub fn stem(self) -> &'static str {
        match self {
            Self::Qdpx | Self::QdpxNvivo => "project",
            Self::Qdc => "codebook",
            Self::Matrix { cases: false } => "code-by-document",
            Self::Matrix { cases: true } => "code-by-case",
            Self::CaseTable => "cases",
            Self::Report => "report",
            Self::ThemesTable => "themes",
            Self::AuditTrail => "audit-trail",
            Self::Portfolio => "portfolio",
            Self::MapSvg | Self::MapPng => "thematic-map",
        }
    }
}

/// What a file dialog is for.
#[derive(Debug, Clone, PartialEq)]
pub enum DialogPurpose {
    /// Open a project.
    OpenProject,
    /// Create a new project.
    NewProject,
    /// Import documents.
    Import,
    /// Import a survey table.
    ImportSurvey,
    /// Export the frequency report, by default in this format.
    ExportFrequencies(ScopeFilter, Format),
    /// Export coded segments, by default in this format.
    ExportSegments(Option<Vec<CodeId>>, ScopeFilter, Format),
    /// Export the project or its codebook as REFI-QDA.
    ExportExchange(ExchangeExport),
    /// Save the answer a view holds (search hits, ...) under this file name; the bytes wait
    /// in the app until a path is chosen.
    SaveResult(String),
}

impl DialogPurpose {
    /// Title of the dialog.
    pub fn title(&self) -> &'static str {
        match self {
            Self::OpenProject => "Open project",
            Self::NewProject => "New project",
            Self::Import => "Import documents",
            Self::ImportSurvey => "Import survey",
            Self::ExportFrequencies(..) => "Export frequencies",
            Self::ExportSegments(..) => "Export coded segments",
            Self::ExportExchange(ExchangeExport::Qdpx | ExchangeExport::QdpxNvivo) => {
                "Export REFI-QDA project"
            }
            Self::ExportExchange(ExchangeExport::Qdc) => "Export codebook",
            Self::ExportExchange(ExchangeExport::Matrix { .. }) => "Export matrix",
            Self::ExportExchange(ExchangeExport::CaseTable) => "Export case attributes",
            Self::ExportExchange(ExchangeExport::Report) => "Export report",
            Self::ExportExchange(ExchangeExport::ThemesTable) => "Export theme table",
            Self::ExportExchange(ExchangeExport::AuditTrail) => "Export audit trail",
            Self::ExportExchange(ExchangeExport::Portfolio) => "Export teaching portfolio",
            Self::ExportExchange(ExchangeExport::MapSvg | ExchangeExport::MapPng) => {
                "Export thematic map"
            }
            Self::SaveResult(_) => "Export",
        }
    }

    /// Whether it chooses a file to write.
    pub fn saves(&self) -> bool {
        matches!(
            self,
            Self::NewProject
                | Self::ExportFrequencies(..)
                | Self::ExportSegments(..)
                | Self::ExportExchange(_)
                | Self::SaveResult(_)
        )
    }

    /// A sensible default file name.
    pub fn default_name(&self) -> String {
        match self {
            Self::NewProject => "project.weft".into(),
            Self::ExportFrequencies(_, f) => format!("frequencies.{}", f.extension()),
            Self::ExportSegments(_, _, f) => format!("coded-segments.{}", f.extension()),
            Self::ExportExchange(k) => format!("{}.{}", k.stem(), k.extension()),
            Self::SaveResult(name) => name.clone(),
            _ => String::new(),
        }
    }

    /// The format an export writes when the file name does not say.
    pub fn format(&self) -> Format {
        match self {
            Self::ExportFrequencies(_, f) | Self::ExportSegments(_, _, f) => *f,
            _ => Format::Csv,
        }
    }
}

/// A native file dialog running on its own thread.
pub struct NativeDialog {
    /// What it is for.
    pub purpose: DialogPurpose,
    rx: Receiver<Vec<PathBuf>>,
    opened: std::time::Instant,
}

impl NativeDialog {
    /// Whether this system can show a native dialog (an XDG desktop portal on the session bus,
    /// or zenity). Without one, rfd returns nothing, so the app asks for a path instead.
    pub fn available() -> bool {
        if cfg!(not(target_os = "linux")) {
            return true;
        }
        let has_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
        let has_zenity = std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("zenity").is_file()));
        has_bus || has_zenity
    }

    /// Opens the dialog on a thread.
    pub fn open(
        purpose: DialogPurpose,
        start_dir: Option<PathBuf>,
        repaint: impl Fn() + Send + 'static,
    ) -> Result<Self, String> {
        let (tx, rx) = channel();
        let p = purpose.clone();
        std::thread::Builder::new()
            .name("weft-file-dialog".into())
            .spawn(move || {
                let mut d = rfd::FileDialog::new().set_title(p.title());
                if let Some(dir) = start_dir {
                    d = d.set_directory(dir);
                }
                let picked: Vec<PathBuf> = match &p {
                    DialogPurpose::OpenProject => d
                        .add_filter("Weft project", &["weft"])
                        .pick_file()
                        .into_iter()
                        .collect(),
                    DialogPurpose::Import => d
                        .add_filter("Transcripts", crate::import::SUPPORTED_EXTENSIONS)
                        .pick_files()
                        .unwrap_or_default(),
                    DialogPurpose::ImportSurvey => d
                        .add_filter("Survey tables", &["csv", "xlsx", "xlsm", "xls", "ods"])
                        .pick_file()
                        .into_iter()
                        .collect(),
                    DialogPurpose::NewProject => d
                        .add_filter("Weft project", &["weft"])
                        .set_file_name(p.default_name())
                        .save_file()
                        .into_iter()
                        .collect(),
                    DialogPurpose::ExportExchange(k) => d
                        .add_filter(k.extension().to_uppercase(), &[k.extension()])
                        .set_file_name(p.default_name())
                        .save_file()
                        .into_iter()
                        .collect(),
                    DialogPurpose::SaveResult(name) => {
                        let ext = name.rsplit_once('.').map_or("csv", |x| x.1).to_owned();
                        d.add_filter(ext.to_uppercase(), &[ext.as_str()])
                            .set_file_name(name)
                            .save_file()
                            .into_iter()
                            .collect()
                    }
                    DialogPurpose::ExportFrequencies(..) | DialogPurpose::ExportSegments(..) => {
                        let mut formats = vec![p.format(), Format::Csv, Format::Json];
                        if matches!(p, DialogPurpose::ExportFrequencies(..)) {
                            formats.push(Format::Markdown);
                        }
                        formats.push(Format::Xlsx);
                        formats.dedup();
                        for (i, f) in formats.iter().enumerate() {
                            if !formats[..i].contains(f) {
                                d = d.add_filter(f.extension().to_uppercase(), &[f.extension()]);
                            }
                        }
                        d.set_file_name(p.default_name())
                            .save_file()
                            .into_iter()
                            .collect()
                    }
                };
                let _ = tx.send(picked);
                repaint();
            })
            .map_err(|e| format!("cannot open a file dialog: {e}"))?;
        Ok(Self {
            purpose,
            rx,
            opened: std::time::Instant::now(),
        })
    }

    /// How long ago the dialog was opened (an empty answer within a fraction of a second
    /// means no dialog service answered, not that the user cancelled).
    pub fn age(&self) -> std::time::Duration {
        self.opened.elapsed()
    }

    /// The chosen paths once the dialog closed (empty when cancelled).
    pub fn poll(&self) -> Option<Vec<PathBuf>> {
        match self.rx.try_recv() {
            Ok(p) => Some(p),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Vec::new()),
        }
    }
}

/// File ▸ Import project…: a new project made from another tool's project on a thread (parse,
/// build under a temporary name, move into place); the app opens it when done. It never
/// touches the project that is open.
pub struct ProjectImportJob {
    /// Sources read so far.
    pub done: Arc<AtomicUsize>,
    /// Sources in all (known once the project XML is read).
    pub total: Arc<AtomicUsize>,
    /// Set to ask the job to stop; nothing is left behind.
    pub cancel: Arc<AtomicBool>,
    rx: Receiver<Result<(PathBuf, String), String>>,
}

impl ProjectImportJob {
    /// Starts importing `source` into the new project `target`.
    pub fn start(
        source: PathBuf,
        target: PathBuf,
        repaint: impl Fn() + Send + 'static,
    ) -> Result<Self, String> {
        let (tx, rx) = channel();
        let done = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (d, t, c) = (done.clone(), total.clone(), cancel.clone());
        std::thread::Builder::new()
            .name("weft-job: import project".into())
            .spawn(move || {
                let result = import_project(&source, &target, &d, &t, &c);
                let _ = tx.send(result.map(|report| (target, report)));
                repaint();
            })
            .map_err(|e| format!("cannot start background work: {e}"))?;
        Ok(Self {
            done,
            total,
            cancel,
            rx,
        })
    }

    /// Progress in `[0, 1]`.
    pub fn fraction(&self) -> f32 {
        let total = self.total.load(Ordering::Relaxed);
        if total == 0 {
            0.0
        } else {
            self.done.load(Ordering::Relaxed) as f32 / total as f32
        }
    }

    /// `(new project, report as text)` or the error, once finished.
    pub fn poll(&self) -> Option<Result<(PathBuf, String), String>> {
        match self.rx.try_recv() {
            Ok(r) => Some(r),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(
                "the import stopped unexpectedly; no project was created".to_owned(),
            )),
        }
    }
}

/// The work of a [`ProjectImportJob`]: the report as text, or one sentence naming the file.
fn import_project(
    source: &std::path::Path,
    target: &std::path::Path,
    done: &AtomicUsize,
    total: &AtomicUsize,
    cancel: &AtomicBool,
) -> Result<String, String> {
    let stop = || cancel.load(Ordering::Relaxed);
    let (_, report) = crate::session::Session::import_project(
        source,
        target,
        &mut |i, n| {
            done.store(i, Ordering::Relaxed);
            total.store(n, Ordering::Relaxed);
            !cancel.load(Ordering::Relaxed)
        },
        &stop,
    )?;
    Ok(report.to_text())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Waits for a job's result.
    fn result_of(job: &Job) -> JobResult {
        for _ in 0..500 {
            if let Some(r) = job.poll() {
                return r;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the job never finished");
    }

    #[test]
    fn a_crashed_import_is_reported_as_an_import() {
        #[allow(clippy::panic)] // the crash under test
        let job = Job::spawn(
            JobKind::Import,
            "crash".into(),
            1,
            || {},
            |_, _| panic!("a parser bug"),
        )
        .unwrap();
        match result_of(&job) {
            JobResult::Crashed(kind) => {
                assert_eq!(kind, JobKind::Import);
                assert!(kind.crash_message().contains("import"));
                assert!(!kind.crash_message().contains("export"));
            }
            other => panic!("expected a crashed import, got {other:?}"),
        }
        let job = Job::spawn(
            JobKind::Export,
            "crash".into(),
            1,
            || {},
            |_, _| panic!("an encoder bug"),
        )
        .unwrap();
        assert!(matches!(
            result_of(&job),
            JobResult::Crashed(JobKind::Export)
        ));
    }

    #[test]
    fn refi_qda_exports_run_as_jobs() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("demo.weft");
        drop(crate::demo::create(&project).unwrap());
        for kind in [
            ExchangeExport::Qdpx,
            ExchangeExport::QdpxNvivo,
            ExchangeExport::Qdc,
            ExchangeExport::Matrix { cases: false },
            ExchangeExport::Matrix { cases: true },
            ExchangeExport::CaseTable,
            ExchangeExport::Report,
            ExchangeExport::ThemesTable,
            ExchangeExport::AuditTrail,
            ExchangeExport::Portfolio,
        ] {
            let out = dir
                .path()
                .join(format!("{}.{}", kind.stem(), kind.extension()));
            let job = Job::export_exchange(project.clone(), kind, out.clone(), || {}).unwrap();
            match result_of(&job) {
                JobResult::Export(Ok(p)) => assert_eq!(p, out),
                other => panic!("expected the export, got {other:?}"),
            }
            assert!((job.fraction() - 1.0).abs() < 1e-6);
            let head = std::fs::read(&out).unwrap();
            match kind {
                ExchangeExport::Qdc => assert!(head.starts_with(b"<?xml")),
                ExchangeExport::Report
                | ExchangeExport::ThemesTable
                | ExchangeExport::Portfolio => {
                    assert!(head.starts_with(b"<!DOCTYPE html>"));
                }
                ExchangeExport::AuditTrail => assert!(head.starts_with(b"# Audit trail")),
                // The zips: a REFI-QDA project, an Excel workbook.
                _ => assert!(head.starts_with(b"PK")),
            }
        }
        // Refused onto the project itself, which stays as it was.
        let before = std::fs::read(&project).unwrap();
        let job = Job::export_exchange(
            project.clone(),
            ExchangeExport::Qdpx,
            project.clone(),
            || {},
        )
        .unwrap();
        assert!(matches!(result_of(&job), JobResult::Export(Err(e)) if e.contains("project file")));
        assert_eq!(std::fs::read(&project).unwrap(), before);
    }
}
