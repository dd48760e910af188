//! The command line: the same binary as the GUI, for scripting, batch work and tests. Every
//! command opens the project, does one thing through the library (one transaction for an
//! edit) and exits; errors go to stderr with a non-zero exit and nothing half-written.
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this module's job

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;

/// Prints a line to standard output like `println!`, but a failed write (a closed pipe:
/// `weft docs P | head -1`) returns the error from the enclosing function instead of
/// panicking; `main` ends quietly on a broken pipe.
macro_rules! out {
    ($($arg:tt)*) => {
        if let Err(e) = $crate::cli::print_line(format_args!($($arg)*)) {
            return Err(e.into());
        }
    };
}

mod backup;
mod case;
mod code;
mod coding;
mod delete;
mod exchange;
mod filters;
mod history;
mod import_project;
mod lists;
mod names;
mod questions_codes;
mod questions_tables;
mod search;
mod theme;
mod write_up;

use crate::actions::Action;
use crate::analysis::ScopeFilter;
use crate::export::{self, Format};
use crate::model::MemoTarget;
use crate::session::Session;

/// Weft: qualitative coding of interview transcripts.
///
/// With no command, opens the desktop app (on PROJECT, or the last project, or the demo).
#[derive(Debug, Parser)]
#[command(name = "weft", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// Project file to open in the app.
    pub project: Option<PathBuf>,
    /// A command to run instead of the app.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// CLI commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new, empty project.
    New {
        /// The project file to create (`.weft`).
        project: PathBuf,
    },
    /// Create the demo project (interviews about peer support, coded, with a finished
    /// thematic analysis).
    Demo {
        /// The project file to create.
        project: PathBuf,
        /// Leave out the thematic analysis (themes, reviews, exemplars, the journal's phase
        /// notes): the coded transcripts only, to practise building themes.
        #[arg(long)]
        no_analysis: bool,
    },
    /// Create a project from another tool's project (REFI-QDA .qdpx); prints what came in
    /// and what was skipped.
    ImportProject {
        /// The file to import (.qdpx).
        source: PathBuf,
        /// The project file to create (`.weft`); an existing file is never replaced.
        project: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import transcripts (.txt, .md, .docx); unreadable files are reported and skipped.
    Import {
        /// The project.
        project: PathBuf,
        /// Files to import.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Assign the documents to this case (created if needed).
        #[arg(long)]
        case: Option<String>,
        /// Add a file even when the project already holds a document with the same content.
        #[arg(long)]
        allow_duplicates: bool,
        /// The file is a survey table (.csv, .xlsx, .xls, .ods): one document and one case per
        /// respondent, the other columns as case attributes.
        #[arg(long, requires = "text_columns", conflicts_with_all = ["case", "cases_from_speakers"])]
        survey: bool,
        /// With --survey: the open-text columns, comma-separated (`"Q3,Q7"`).
        #[arg(long, value_name = "COLUMNS", requires = "survey")]
        text_columns: Option<String>,
        /// With --survey: the respondent ID column (default: respondents are numbered).
        #[arg(long, value_name = "COLUMN", requires = "survey")]
        id_column: Option<String>,
        /// With --survey: the sheet of a workbook (default: the first).
        #[arg(long, requires = "survey")]
        sheet: Option<String>,
        /// Make cases from the speaker labels (the interviewer left out): an interview goes
        /// to its participant's case, a focus group's speakers to theirs; a label that names
        /// an existing case is linked to it, with a warning.
        #[arg(long)]
        cases_from_speakers: bool,
    },
    /// List documents with their size, cases and codings.
    Docs {
        /// The project.
        project: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Work with the codebook and apply codes.
    #[command(subcommand)]
    Code(CodeCommand),
    /// One coding by its id: list, remove, recode, memo.
    #[command(subcommand)]
    Coding(coding::CodingCommand),
    /// Work with cases.
    #[command(subcommand)]
    Case(CaseCommand),
    /// Set attributes of cases or documents.
    #[command(subcommand)]
    Attr(AttrCommand),
    /// Theme frequencies: segments, documents, cases, chars, words, coverage, and the same
    /// over each code's sub-codes.
    Stats {
        /// The project.
        project: PathBuf,
        /// Output format.
        #[arg(long, default_value = "md", value_parser = ["csv", "json", "md", "xlsx"])]
        format: String,
        /// Count only this coder's codings.
        #[arg(long)]
        coder: Option<String>,
        /// Count only codings of this case (repeatable).
        #[arg(long)]
        case: Vec<String>,
        /// Count only where an attribute has this value, KEY=VALUE (repeatable; all must hold).
        #[arg(long = "where", value_name = "KEY=VALUE")]
        filters: Vec<String>,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Leave out the provenance (project, date, Weft version, filters, scope) that
        /// otherwise starts the file: a header in Markdown, a `meta` object in JSON, `#`
        /// comment lines in CSV.
        #[arg(long)]
        no_meta: bool,
    },
    /// The coded segments table: one row per coding with its text.
    Segments {
        /// The project.
        project: PathBuf,
        /// Only this code (`Parent/Child`).
        #[arg(long)]
        code: Option<String>,
        /// With --code: include its sub-codes.
        #[arg(long)]
        subcodes: bool,
        /// Output format.
        #[arg(long, default_value = "csv", value_parser = ["csv", "json", "md", "xlsx"])]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Leave out the provenance (project, date, Weft version, filters, scope) that
        /// otherwise starts the file: a header in Markdown, a `meta` object in JSON, `#`
        /// comment lines in CSV.
        #[arg(long)]
        no_meta: bool,
    },
    /// Coding query: the passages where a Boolean combination of codes holds (`"Trust AND
    /// Power"`, with OR, NOT, NEAR/N and parentheses; NOT binds tighter than AND and NEAR/N,
    /// which bind tighter than OR), as the coded segments table; `--save-as` codes them.
    Query(questions_codes::QueryArgs),
    /// Co-occurrence of codes: two code × code matrices, codings of A that co-occur with B
    /// (overlap, same speaker turn, or within N characters) and documents where they do.
    Cooccur(questions_codes::CooccurArgs),
    /// A report a supervisor opens in any browser: one self-contained HTML file with the scope,
    /// the frequency table and a chart, each theme with exemplar quotes, the codebook, and
    /// what the numbers mean.
    Report {
        /// The project.
        project: PathBuf,
        /// The HTML file to write.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Only this coder's codings.
        #[arg(long)]
        coder: Option<String>,
        /// Only codings of this case (repeatable).
        #[arg(long)]
        case: Vec<String>,
        /// Only where an attribute has this value, KEY=VALUE (repeatable; all must hold).
        #[arg(long = "where", value_name = "KEY=VALUE")]
        filters: Vec<String>,
    },
    /// A code × document or code × case matrix, as counts or as 0/1 presence (for SPSS, R,
    /// Excel).
    Matrix {
        /// The project.
        project: PathBuf,
        /// The rows: codes.
        #[arg(long, default_value = "codes", value_parser = ["codes"])]
        rows: String,
        /// The columns: documents or cases.
        #[arg(long, value_parser = ["documents", "cases"])]
        cols: String,
        /// 1 where the code is applied at all, 0 elsewhere, instead of counts of codings.
        #[arg(long)]
        presence: bool,
        /// Output format.
        #[arg(long, default_value = "csv", value_parser = ["csv", "xlsx"])]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
    /// Add a note to the project journal (`weft memo P TITLE TEXT`), or list every memo
    /// (`weft memo list P`).
    Memo(lists::MemoArgs),
    /// The coders of the project.
    #[command(subcommand)]
    Coder(lists::CoderCommand),
    /// Undo the last edit made to the project (by the app or the command line).
    Undo {
        /// The project.
        project: PathBuf,
    },
    /// Redo the last undone edit.
    Redo {
        /// The project.
        project: PathBuf,
    },
    /// Delete a document or a case (undoable, unless --permanently).
    Delete {
        /// The project.
        project: PathBuf,
        /// The document to delete (with its codings, links, attribute values and memos).
        #[arg(long, conflicts_with = "case", required_unless_present = "case")]
        doc: Option<String>,
        /// The case to delete; with --permanently also the documents that belong to it alone.
        #[arg(long)]
        case: Option<String>,
        /// Remove every trace from the file, the undo history included. Cannot be undone.
        #[arg(long)]
        permanently: bool,
        /// With --permanently: remove it from the snapshots in the backups folder too.
        #[arg(long, requires = "permanently")]
        including_backups: bool,
    },
    /// The history of edits (time, action, coder; undone steps marked): an audit trail.
    History {
        /// The project.
        project: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Keep only the newest N steps (redo steps too, beyond N); the rest cannot be undone.
        #[arg(long, value_name = "N")]
        keep: Option<usize>,
        /// With --keep: trim the history to N steps after every edit from now on.
        #[arg(long, requires = "keep")]
        always: bool,
        /// Stop trimming the history after every edit (undoes --always).
        #[arg(long, conflicts_with_all = ["keep", "always"])]
        keep_all: bool,
        /// The audit trail of the analysis instead: how the codebook and the themes changed,
        /// with time, coder and journal notes (a methods appendix).
        #[arg(long, conflicts_with_all = ["keep", "always", "keep_all", "json"])]
        analytic: bool,
        /// With --analytic: md (the default) or json.
        #[arg(long, requires = "analytic", value_parser = ["md", "markdown", "json"])]
        format: Option<String>,
        /// With --analytic: write to this file instead of standard output.
        #[arg(short = 'o', long = "output", requires = "analytic")]
        output: Option<PathBuf>,
    },
    /// Make a snapshot of the project now and print its path (or list the snapshots).
    Backup {
        /// The project.
        project: PathBuf,
        /// List the snapshots instead, newest first.
        #[arg(long)]
        list: bool,
        /// Put the snapshot in this folder (with --always: every snapshot from now on).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// With --dir: make it the project's backups folder.
        #[arg(long, requires = "dir")]
        always: bool,
    },
    /// Put a snapshot in place of the project; the current file is kept beside it.
    Restore {
        /// The project.
        project: PathBuf,
        /// The snapshot file to restore.
        snapshot: PathBuf,
    },
    /// Export the whole project (REFI-QDA .qdpx) or its codebook (.qdc, CSV, Markdown).
    Export(exchange::ExportArgs),
    /// Themes: add, link codes, set status, define, review, list with counts.
    #[command(subcommand)]
    Theme(theme::ThemeCommand),
    /// The theme table papers print: theme, sub-themes, concept, definition, codes,
    /// participants and exemplar extracts (Markdown, CSV, Excel, HTML).
    ThemesTable(write_up::ThemesTableArgs),
    /// One self-contained HTML page a lecturer can grade: familiarisation notes, codebook, how
    /// the themes evolved, the thematic map, each theme with its extracts, the journal.
    Portfolio(write_up::PortfolioArgs),
    /// Search every document: words (ignoring case and accents), "phrases", prefix*, AND, OR,
    /// NOT, NEAR within speaker turns, or --regex; hits in context with document, speaker,
    /// case and position.
    Search(search::SearchArgs),
    /// Code every hit of a search as one undoable step, widened to its sentence, paragraph or
    /// speaker turn if asked; passages already coded so are left alone.
    Autocode(search::AutocodeArgs),
    /// Passages not yet coded with a code, ranked by how much they share the words of its
    /// coded extracts (BM25 over word stems; offline, the same answer every time).
    Similar(search::SimilarArgs),
    /// A crosstab of codes by the values of an attribute: each cell is what `weft stats
    /// --where KEY=VALUE` counts for the code (segments, cases or coverage), with a column
    /// for codings whose cases and document have no value.
    Crosstab(questions_tables::CrosstabArgs),
    /// Word frequencies (lowercased, stop words left out) in all the text, in some documents
    /// or in the text coded with one code; `--kwic WORD` lists a word's occurrences in
    /// context.
    Words(questions_tables::WordsArgs),
}

/// `weft code ...`
#[derive(Debug, Subcommand)]
pub enum CodeCommand {
    /// Merge a REFI-QDA codebook (.qdc) into the codebook: by GUID, then by path, never
    /// duplicating a code; one undo step.
    Import {
        /// The project.
        project: PathBuf,
        /// The codebook file (.qdc).
        codebook: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add a code; `Parent/Child` creates missing parents.
    Add {
        /// The project.
        project: PathBuf,
        /// Code path.
        path: String,
        /// Colour `#RRGGBB`.
        #[arg(long)]
        color: Option<String>,
        /// Definition, when to use, when not.
        #[arg(long)]
        description: Option<String>,
        /// Succeed (changing nothing) when the code already exists.
        #[arg(long)]
        exist_ok: bool,
    },
    /// List the codebook.
    List {
        /// The project.
        project: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Code chars [start, end) of a document (positions in Unicode characters).
    Apply(ApplyArgs),
    /// Rename a code (its last path part).
    Rename {
        /// The project.
        project: PathBuf,
        /// Code path (`Parent/Child`).
        path: String,
        /// The new name.
        name: String,
        /// A journal entry saying why (the analytic audit trail ties it to the rename).
        #[arg(long)]
        note: Option<String>,
    },
    /// Move a code under another code, or to the top level.
    Move {
        /// The project.
        project: PathBuf,
        /// Code path.
        path: String,
        /// The new parent's path.
        #[arg(long, conflicts_with = "top", required_unless_present = "top")]
        under: Option<String>,
        /// Move it to the top level.
        #[arg(long)]
        top: bool,
        /// Its position among its new siblings (0 first; default last).
        #[arg(long)]
        index: Option<usize>,
    },
    /// Merge a code into another: its codings move to TARGET and it is deleted.
    Merge {
        /// The project.
        project: PathBuf,
        /// The code to merge away.
        source: String,
        /// The code that stays.
        target: String,
        /// A journal entry saying why (the analytic audit trail ties it to the merge).
        #[arg(long)]
        note: Option<String>,
    },
    /// Split a code: a new code beside it takes over the codings named (their ids, as
    /// `coding list` prints them).
    Split {
        /// The project.
        project: PathBuf,
        /// The code to split.
        path: String,
        /// The new code's name (it goes beside the code, under the same parent).
        name: String,
        /// The codings that move to the new code (repeatable, or comma-separated).
        #[arg(long = "coding", value_delimiter = ',', required = true)]
        codings: Vec<String>,
        /// A journal entry saying why.
        #[arg(long)]
        note: Option<String>,
    },
    /// Delete a code, its sub-codes and their codings (undoable).
    Delete {
        /// The project.
        project: PathBuf,
        /// Code path.
        path: String,
    },
    /// Set a code's colour.
    Color {
        /// The project.
        project: PathBuf,
        /// Code path.
        path: String,
        /// Colour `#RRGGBB`.
        color: String,
    },
    /// Set a code's description (definition, when to use, when not).
    Describe {
        /// The project.
        project: PathBuf,
        /// Code path.
        path: String,
        /// The description (empty clears it).
        description: String,
    },
    /// Mark a coding as an exemplar (a quote that stands for its code; the report shows
    /// marked ones first), or clear the mark with `--unset`. Undoable.
    Exemplar(code::ExemplarArgs),
}

/// Arguments of `weft code apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The project.
    project: PathBuf,
    /// Apply every row of this CSV or JSON file (columns doc, code, start, end, and optional
    /// coder, memo) as one undo step; refused rows are reported by line.
    #[arg(long, conflicts_with_all = ["doc", "code", "start", "end"], required_unless_present_all = ["doc", "code", "start", "end"])]
    from: Option<PathBuf>,
    /// Document name.
    #[arg(long)]
    doc: Option<String>,
    /// Code path (`Parent/Child`); the code must exist.
    #[arg(long)]
    code: Option<String>,
    /// First character (0-based, Unicode scalar values).
    #[arg(long)]
    start: Option<usize>,
    /// One past the last character.
    #[arg(long)]
    end: Option<usize>,
    /// Coder name (added if new; default: the project's default coder).
    #[arg(long)]
    coder: Option<String>,
    /// Memo on the coded passage.
    #[arg(long)]
    memo: Option<String>,
}

/// `weft case ...`
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Add a case.
    Add {
        /// The project.
        project: PathBuf,
        /// Case name.
        name: String,
    },
    /// Assign documents to a case (created if needed).
    Assign {
        /// The project.
        project: PathBuf,
        /// Case name.
        case: String,
        /// Document names.
        #[arg(required = true)]
        docs: Vec<String>,
    },
    /// List cases with their documents, mapped speakers and memo.
    List {
        /// The project.
        project: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rename a case.
    Rename {
        /// The project.
        project: PathBuf,
        /// Case name.
        case: String,
        /// The new name.
        name: String,
    },
    /// Delete a case (its documents and codings stay; undoable).
    Delete {
        /// The project.
        project: PathBuf,
        /// Case name.
        case: String,
    },
    /// Set a case's memo (an empty memo clears it).
    Memo {
        /// The project.
        project: PathBuf,
        /// Case name.
        case: String,
        /// The memo.
        memo: String,
    },
    /// Map a focus-group speaker of a document to the case (what they say counts for it).
    Speaker {
        /// The project.
        project: PathBuf,
        /// Case name.
        case: String,
        /// The document.
        #[arg(long)]
        doc: String,
        /// The speaker label as it appears in the transcript (`P03`, `Bridget`).
        #[arg(long)]
        speaker: String,
        /// Remove the mapping instead.
        #[arg(long)]
        unmap: bool,
    },
}

/// `weft attr ...`
#[derive(Debug, Subcommand)]
pub enum AttrCommand {
    /// Set an attribute value (type inferred when the attribute is new).
    Set {
        /// The project.
        project: PathBuf,
        /// The case.
        #[arg(long, conflicts_with = "doc", required_unless_present = "doc")]
        case: Option<String>,
        /// The document.
        #[arg(long)]
        doc: Option<String>,
        /// KEY=VALUE (an empty value clears it).
        assignment: String,
    },
}

/// Opens a project for a command, telling the user once about anything opening it did.
pub(crate) fn open(path: &Path) -> Result<Session> {
    let mut session = Session::open_for_command(path)?;
    if let Some(note) = session.take_note() {
        eprintln!("note: {note}");
    }
    Ok(session)
}

/// Opens a project for a command that only reads it: nothing is written, no `-wal`/`-shm`
/// files appear, no migration runs (see [`Session::open_read_only`]).
pub(crate) fn open_read_only(path: &Path) -> Result<Session> {
    let mut session = Session::open_read_only_for_command(path)?;
    if let Some(note) = session.take_note() {
        eprintln!("note: {note}");
    }
    Ok(session)
}

/// Opens a project for a command that edits it: first makes today's automatic snapshot if
/// there is none yet (so people who only use the command line get snapshots too). A snapshot
/// that fails is reported and the edit goes on.
pub(crate) fn open_for_edit(path: &Path) -> Result<Session> {
    let session = open(path)?;
    if let Err(e) = session.daily_snapshot() {
        eprintln!("warning: today's snapshot could not be made: {e}");
    }
    Ok(session)
}

/// Writes one line to standard output, returning any error (see `out!`).
pub(crate) fn print_line(args: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Whether an error is standard output being closed under us (`| head`): the command did
/// its work, the reader just stopped listening, so `main` exits quietly with success.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// A command that did part of its work (an import where some files were refused): exits
/// with status 3 ([`exit_status`]), so scripts can tell it from success (0) and failure (1).
#[derive(Debug)]
pub struct PartlyDone(pub String);

impl std::fmt::Display for PartlyDone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PartlyDone {}

/// The exit status for a command's error: 3 when it did part of its work, 1 otherwise.
pub fn exit_status(e: &anyhow::Error) -> u8 {
    if e.downcast_ref::<PartlyDone>().is_some() {
        3
    } else {
        1
    }
}

/// The scope of `--coder`, `--case` and `--where`, each name checked.
fn scope_filter(
    session: &Session,
    coder: Option<String>,
    cases: &[String],
    wheres: &[String],
) -> Result<ScopeFilter> {
    let db = session.read();
    let mut filter = ScopeFilter::default();
    if let Some(c) = coder {
        filter.coder = Some(
            db.coder_by_name(&c)?
                .ok_or_else(|| anyhow!("there is no coder “{c}”"))?,
        );
    }
    if !cases.is_empty() {
        filter.cases = Some(
            cases
                .iter()
                .map(|c| db.require_case(c))
                .collect::<Result<_, _>>()?,
        );
    }
    filter.attrs = filters::parse_where(session, wheres)?;
    Ok(filter)
}

/// Refuses to print a workbook to the terminal: an `.xlsx` needs a file.
fn need_file(output: Option<&Path>) -> Result<()> {
    if output.is_none() {
        bail!("an .xlsx workbook needs a file to go to: add -o FILE.xlsx");
    }
    Ok(())
}

fn emit(output: Option<&Path>, bytes: &[u8], project: &Path) -> Result<()> {
    match output {
        Some(p) => Ok(export::write_export(p, bytes, Some(project))?),
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}

pub(crate) fn split_kv(s: &str) -> Result<(String, String)> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| anyhow!("expected KEY=VALUE, got “{s}”"))?;
    if k.trim().is_empty() {
        bail!("expected KEY=VALUE with a key, got “{s}”");
    }
    Ok((k.trim().to_owned(), v.trim().to_owned()))
}

#[derive(Serialize)]
struct DocRow {
    name: String,
    chars: usize,
    words: usize,
    cases: Vec<String>,
    codings: usize,
}

/// Runs a CLI command.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::New { project } => {
            Session::create(&project)?;
            out!("created {}", project.display());
        }
        Command::Demo {
            project,
            no_analysis,
        } => {
            crate::demo::create_with(&project, !no_analysis)?;
            out!("created the demo project {}", project.display());
        }
        Command::Import {
            project,
            files,
            survey: true,
            text_columns,
            id_column,
            sheet,
            ..
        } => import_survey(
            &project,
            &files,
            crate::import::survey::SurveyOptions {
                text_columns: text_columns
                    .unwrap_or_default()
                    .split(',')
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty())
                    .collect(),
                id_column,
                sheet,
            },
        )?,
        Command::Import {
            project,
            files,
            case,
            allow_duplicates,
            cases_from_speakers,
            ..
        } => import(
            &project,
            &files,
            case.as_deref(),
            allow_duplicates,
            cases_from_speakers,
        )?,
        Command::ImportProject {
            source,
            project,
            json,
        } => import_project::run(&source, &project, json)?,
        Command::Docs { project, json } => docs(&project, json)?,
        Command::Code(c) => code::run(c)?,
        Command::Coding(c) => coding::run(c)?,
        Command::Case(CaseCommand::Add { project, name }) => {
            open_for_edit(&project)?.apply(&Action::AddCase {
                name: name.clone(),
                doc: None,
            })?;
            out!("added case {name}");
        }
        Command::Case(CaseCommand::Assign {
            project,
            case,
            docs,
        }) => {
            let n = docs.len();
            let mut session = open_for_edit(&project)?;
            let docs = docs
                .iter()
                .map(|d| names::document_name(&session, d))
                .collect::<Result<_>>()?;
            session.apply(&Action::AssignCaseByName {
                case: case.clone(),
                docs,
            })?;
            out!("assigned {n} document(s) to {case}");
        }
        Command::Case(c) => case::run(c)?,
        Command::Attr(AttrCommand::Set {
            project,
            case,
            doc,
            assignment,
        }) => {
            let (key, value) = split_kv(&assignment)?;
            let mut session = open_for_edit(&project)?;
            let action = match (case, doc) {
                (Some(c), _) => Action::SetCaseAttr {
                    case: session.read().require_case(&c)?,
                    name: key.clone(),
                    value: value.clone(),
                },
                (None, Some(d)) => Action::SetDocAttr {
                    doc: session
                        .read()
                        .require_document(&names::document_name(&session, &d)?)?,
                    name: key.clone(),
                    value: value.clone(),
                },
                (None, None) => bail!("say which case (--case NAME) or document (--doc NAME)"),
            };
            session.apply(&action)?;
            out!("{key} = {value}");
        }
        Command::Stats {
            project,
            format,
            coder,
            case,
            filters,
            output,
            no_meta,
        } => {
            let session = open_read_only(&project)?;
            let db = session.read();
            let filter = scope_filter(&session, coder, &case, &filters)?;
            let format = Format::parse(&format).unwrap_or(Format::Markdown);
            if format == Format::Xlsx {
                need_file(output.as_deref())?;
            }
            let meta = (!no_meta).then_some(project.as_path());
            let bytes = export::report::frequencies_file(db, &filter, format, meta)?;
            emit(output.as_deref(), &bytes, &project)?;
        }
        Command::Segments {
            project,
            code,
            subcodes,
            format,
            output,
            no_meta,
        } => {
            let session = open_read_only(&project)?;
            let db = session.read();
            let codes = match code {
                Some(path) => {
                    let id = db.require_code(&path)?;
                    Some(if subcodes {
                        db.code_tree()?.subtree(id)
                    } else {
                        vec![id]
                    })
                }
                None => None,
            };
            let format = Format::parse(&format).unwrap_or(Format::Csv);
            if format == Format::Xlsx {
                need_file(output.as_deref())?;
            }
            let meta = (!no_meta).then_some(project.as_path());
            let bytes =
                export::segments::segments_file(db, codes, &ScopeFilter::default(), format, meta)?;
            emit(output.as_deref(), &bytes, &project)?;
        }
        Command::Query(a) => questions_codes::query(a)?,
        Command::Cooccur(a) => questions_codes::cooccur(a)?,
        Command::Report {
            project,
            output,
            coder,
            case,
            filters,
        } => {
            let session = open_read_only(&project)?;
            let filter = scope_filter(&session, coder, &case, &filters)?;
            let bytes = export::html_report::html_report_file(session.read(), &project, &filter)?;
            drop(session);
            export::write_export(&output, &bytes, Some(&project))?;
            out!("wrote {}", output.display());
            // For the Writing-up phase; a project that cannot be written is left alone.
            if let Ok(mut s) = Session::open_for_command(&project) {
                let _ = s.record_milestone(crate::model::REPORT_EXPORTED_SETTING);
            }
        }
        Command::Matrix {
            project,
            rows: _,
            cols,
            presence,
            format,
            output,
        } => {
            let session = open_read_only(&project)?;
            let across = if cols == "cases" {
                crate::analysis::matrix::Across::Cases
            } else {
                crate::analysis::matrix::Across::Documents
            };
            let m = crate::analysis::matrix::matrix(session.read(), across, presence)?;
            let bytes = if format == "xlsx" {
                need_file(output.as_deref())?;
                let meta = export::Provenance::describe_scope(
                    session.read(),
                    &project,
                    export::provenance::ReportKind::Matrix,
                    &ScopeFilter::default(),
                    None,
                )?;
                export::xlsx::matrices(std::slice::from_ref(&m), Some(&meta))?
            } else {
                m.to_csv()?
            };
            emit(output.as_deref(), &bytes, &project)?;
        }
        Command::Coder(c) => lists::coders(c)?,
        Command::Memo(lists::MemoArgs {
            list: Some(lists::MemoCommand::List { project, json }),
            ..
        }) => lists::memos(&project, json)?,
        Command::Memo(lists::MemoArgs {
            list: None,
            project: Some(project),
            title: Some(title),
            body: Some(body),
        }) => {
            let mut session = open_for_edit(&project)?;
            let coder = session.coder();
            session.apply(&Action::AddMemo {
                target: MemoTarget::Project,
                title,
                body,
                coder,
            })?;
            out!("memo added");
        }
        Command::Memo(_) => bail!("say PROJECT TITLE TEXT to add a memo, or `memo list PROJECT`"),
        Command::Undo { project } => match open_for_edit(&project)?.undo()? {
            Some(step) => out!("undid: {}", step.label),
            None => out!("nothing to undo"),
        },
        Command::Redo { project } => match open_for_edit(&project)?.redo()? {
            Some(step) => out!("redid: {}", step.label),
            None => out!("nothing to redo"),
        },
        Command::Delete {
            project,
            doc,
            case,
            permanently,
            including_backups,
        } => delete::run(
            &project,
            doc.as_deref(),
            case.as_deref(),
            permanently,
            including_backups,
        )?,
        Command::History {
            project,
            analytic,
            format,
            output,
            ..
        } if analytic => history::analytic(&project, format.as_deref(), output.as_deref())?,
        Command::History {
            project,
            json,
            keep,
            always,
            keep_all,
            ..
        } => history::run(&project, json, keep, always, keep_all)?,
        Command::Backup {
            project,
            list,
            dir,
            always,
        } => backup::run(&project, list, dir.as_deref(), always)?,
        Command::Restore { project, snapshot } => backup::restore(&project, &snapshot)?,
        Command::Export(args) => exchange::export(&args)?,
        Command::Theme(c) => theme::run(c)?,
        Command::ThemesTable(a) => write_up::themes_table(&a)?,
        Command::Portfolio(a) => write_up::portfolio(&a)?,
        Command::Search(a) => search::run_search(&a)?,
        Command::Autocode(a) => search::run_autocode(&a)?,
        Command::Similar(a) => search::run_similar(&a)?,
        Command::Crosstab(a) => questions_tables::crosstab(a)?,
        Command::Words(a) => questions_tables::words(a)?,
    }
    Ok(())
}

fn import(
    project: &Path,
    files: &[PathBuf],
    case: Option<&str>,
    allow_duplicates: bool,
    cases_from_speakers: bool,
) -> Result<()> {
    let mut session = open_for_edit(project)?;
    let (report, links) = if cases_from_speakers {
        if case.is_some() {
            bail!("say either --case or --cases-from-speakers, not both");
        }
        session.import_files_with_cases_from_speakers(files, allow_duplicates, &mut |_, _| true)?
    } else if allow_duplicates {
        let r = session.import_files_allowing_duplicates(files, case, &mut |_, _| true)?;
        (r, Vec::new())
    } else {
        (
            session.import_files(files, case, &mut |_, _| true)?,
            Vec::new(),
        )
    };
    for e in &report.failed {
        eprintln!("skipped: {e}");
    }
    for (path, name) in &report.duplicates {
        eprintln!(
            "skipped, as the project already holds the same content as “{name}” (add \
             --allow-duplicates to import it again): {}",
            path.display()
        );
    }
    for d in &report.imported {
        out!(
            "imported {} ({}, {} turns): {}",
            d.name,
            d.encoding,
            d.turns,
            d.path.display()
        );
        for w in &d.warnings {
            eprintln!("warning: {w}");
        }
    }
    if cases_from_speakers {
        print_speaker_links(&links)?;
    }
    if !report.failed.is_empty() {
        // Files, not arguments: a folder stands for the transcripts in it.
        let n = report.imported.len();
        let of = n + report.failed.len() + report.duplicates.len();
        return Err(PartlyDone(format!(
            "imported {n} of {of} files ({n} of {of} imported; the others were skipped, as listed above)"
        ))
        .into());
    }
    Ok(())
}

/// `import --survey`: one table, one document and case per respondent.
fn import_survey(
    project: &Path,
    files: &[PathBuf],
    opts: crate::import::survey::SurveyOptions,
) -> Result<()> {
    let [file] = files else {
        bail!("give one survey table at a time with --survey");
    };
    let mut session = open_for_edit(project)?;
    let (survey, docs) = session.import_survey(file, &opts)?;
    out!(
        "imported {} respondent(s) from {} as documents and cases",
        survey.respondents,
        file.display()
    );
    for (name, kind) in &survey.attributes {
        out!("attribute {name} ({})", kind.as_str());
    }
    if survey.empty_rows > 0 {
        eprintln!(
            "note: {} row(s) had no answer in the chosen columns and were left out",
            survey.empty_rows
        );
    }
    if let (Some((_, first)), Some((_, last))) = (docs.first(), docs.last()) {
        out!("documents: {first} … {last}");
    }
    Ok(())
}

/// `import --cases-from-speakers`: one line per link the import made, and a warning for each
/// label that matched an existing case.
fn print_speaker_links(links: &[crate::actions::SpeakerProposal]) -> Result<()> {
    if links.is_empty() {
        out!("no participant speaker labels found; no cases made");
        return Ok(());
    }
    for p in links {
        let what = if p.whole_document {
            format!("document “{}”", p.doc_name)
        } else {
            format!("speaker “{}” in “{}”", p.speaker, p.doc_name)
        };
        match &p.existing {
            Some((_, case)) => {
                eprintln!(
                    "warning: the speaker label “{}” matches the existing case “{case}”; \
                     linking to it",
                    p.speaker
                );
                out!("case {case} (existing): {what}");
            }
            None => out!("case {} (new): {what}", p.speaker),
        }
    }
    Ok(())
}

fn docs(project: &Path, json: bool) -> Result<()> {
    let session = open_read_only(project)?;
    let db = session.read();
    let links = db.case_links()?;
    let mut per_doc = std::collections::HashMap::new();
    for s in db.coding_spans()? {
        *per_doc.entry(s.doc).or_insert(0usize) += 1;
    }
    let rows: Vec<DocRow> = db
        .documents()?
        .into_iter()
        .map(|d| {
            let mut cases: Vec<String> = links
                .doc_cases
                .get(&d.id)
                .into_iter()
                .flatten()
                .chain(
                    links
                        .speaker_cases
                        .iter()
                        .filter(|((doc, _), _)| *doc == d.id)
                        .map(|(_, c)| c),
                )
                .filter_map(|c| links.case_names.get(c).cloned())
                .collect();
            cases.sort();
            cases.dedup();
            DocRow {
                codings: per_doc.get(&d.id).copied().unwrap_or(0),
                name: d.name,
                chars: d.char_len,
                words: d.word_count,
                cases,
            }
        })
        .collect();
    if json {
        out!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        out!(
            "{:<32} {:>9} {:>8} {:>8}  cases",
            "document",
            "chars",
            "words",
            "codings"
        );
        for r in rows {
            out!(
                "{:<32} {:>9} {:>8} {:>8}  {}",
                r.name,
                r.chars,
                r.words,
                r.codings,
                r.cases.join(", ")
            );
        }
    }
    Ok(())
}
