//! The project-wide search index (schema 7): SQLite FTS5 over Weft's own word tokens.
//!
//! Each document is cut into units ([`crate::model::search::units_of`]); each unit is one
//! row of `search_unit` (document, range, speaker) and one row of the contentless FTS5 table
//! `search_fts`, whose text is [`crate::text::index_text`] of the unit: one ASCII token per
//! UAX #29 word, folded. The index is derived data. It is never recorded for undo; instead
//! [`sync`] brings it in line with the `document` table at the end of every write (an import
//! adds documents, a deletion, an undo or a redo adds or removes them), in the same
//! transaction, so the index and the documents never disagree. Comparing the two id lists
//! costs well under a millisecond, so every edit pays it.

use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::{Connection, OptionalExtension, params};

use super::{Db, Result};
use crate::model::read::{ReadResult, SearchIndex};
use crate::model::search::{SearchUnit, units_of};
use crate::model::{DocId, ReadError, Turn};
use crate::text::{CharIndex, index_text};

/// Indexes the documents the index lacks and drops the ones that are gone.
pub(super) fn sync(conn: &Connection) -> Result<()> {
    let gone: Vec<i64> = conn
        .prepare_cached("SELECT doc_id FROM search_doc EXCEPT SELECT id FROM document")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for d in gone {
        drop_doc(conn, d)?;
    }
    let new: Vec<i64> = conn
        .prepare_cached("SELECT id FROM document EXCEPT SELECT doc_id FROM search_doc")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // Splitting text into words is the slow part: it runs on every core, a batch of
    // documents at a time (so a thousand transcripts never sit in memory at once), while
    // SQLite writes on this thread.
    for batch in new.chunks(BATCH) {
        let mut read = Vec::with_capacity(batch.len());
        for &d in batch {
            read.push((d, doc_text(conn, d)?));
        }
        for (d, units) in prepare_all(read) {
            write_doc(conn, d, units)?;
        }
    }
    Ok(())
}

/// Documents split into words together.
const BATCH: usize = 32;

/// A unit ready to write: range, speaker, index text, word count.
type Prepared = (usize, usize, Option<String>, String, usize);

fn doc_text(conn: &Connection, doc: i64) -> Result<(String, Vec<Turn>)> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT text, turns FROM document_text WHERE doc_id = ?1")?
        .query_row([doc], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (text, turns) = row.unwrap_or_default();
    // Turns that cannot be read leave the document searched by paragraph.
    Ok((text, serde_json::from_str(&turns).unwrap_or_default()))
}

/// The units of a document with their index text.
fn prepare(text: &str, turns: &[Turn]) -> Vec<Prepared> {
    let index = CharIndex::new(text);
    units_of(text, turns)
        .into_iter()
        .filter_map(|(start, end, speaker)| {
            let (words, n) = index_text(index.slice(text, start, end)?);
            (n > 0).then_some((start, end, speaker, words, n))
        })
        .collect()
}

/// [`prepare`] for many documents, on as many threads as there are cores.
fn prepare_all(docs: Vec<(i64, (String, Vec<Turn>))>) -> Vec<(i64, Vec<Prepared>)> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(docs.len())
        .max(1);
    if threads == 1 {
        return docs
            .into_iter()
            .map(|(d, (text, turns))| (d, prepare(&text, &turns)))
            .collect();
    }
    let per = docs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = docs
            .chunks(per)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(d, (text, turns))| (*d, prepare(text, turns)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Indexes a document again (its text changed: a focus group redacted by a permanent
/// deletion).
pub(super) fn reindex(conn: &Connection, doc: i64) -> Result<()> {
    drop_doc(conn, doc)?;
    index_doc(conn, doc)
}

/// Rewrites the index so that no trace of removed units stays in its pages (FTS5 otherwise
/// keeps deleted entries until segments merge). A permanent deletion runs it.
pub(super) fn optimize(conn: &Connection) -> Result<()> {
    conn.execute(
        "INSERT INTO search_fts (search_fts) VALUES ('optimize')",
        [],
    )?;
    Ok(())
}

fn drop_doc(conn: &Connection, doc: i64) -> Result<()> {
    // A document's units have consecutive ids, recorded in `search_doc` (no index on
    // `search_unit.doc_id` is kept: it would cost a tenth of the index's size).
    let span: Option<(Option<i64>, Option<i64>)> = conn
        .prepare_cached("SELECT first_unit, last_unit FROM search_doc WHERE doc_id = ?1")?
        .query_row([doc], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((Some(first), Some(last))) = span {
        let mut fts = conn.prepare_cached("DELETE FROM search_fts WHERE rowid = ?1")?;
        for id in first..=last {
            fts.execute([id])?;
        }
        conn.prepare_cached("DELETE FROM search_unit WHERE id BETWEEN ?1 AND ?2")?
            .execute([first, last])?;
    }
    conn.prepare_cached("DELETE FROM search_doc WHERE doc_id = ?1")?
        .execute([doc])?;
    Ok(())
}

fn index_doc(conn: &Connection, doc: i64) -> Result<()> {
    let (text, turns) = doc_text(conn, doc)?;
    write_doc(conn, doc, prepare(&text, &turns))
}

fn write_doc(conn: &Connection, doc: i64, units: Vec<Prepared>) -> Result<()> {
    let mut unit = conn.prepare_cached(
        "INSERT INTO search_unit (doc_id, start_char, end_char, speaker, words)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut fts = conn.prepare_cached("INSERT INTO search_fts (rowid, words) VALUES (?1, ?2)")?;
    let (mut first, mut last) = (None, None);
    for (start, end, speaker, words, n) in units {
        unit.execute(params![doc, start as i64, end as i64, speaker, n as i64])?;
        let id = conn.last_insert_rowid();
        fts.execute(params![id, words])?;
        first.get_or_insert(id);
        last = Some(id);
    }
    conn.prepare_cached(
        "INSERT INTO search_doc (doc_id, first_unit, last_unit) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![doc, first, last])?;
    Ok(())
}

impl Db<'_> {
    /// The ids of the units whose words satisfy `fts` (FTS5 syntax over index tokens).
    pub fn search_matching_units(&self, fts: &str) -> Result<Vec<i64>> {
        let mut stmt = self
            .0
            .prepare_cached("SELECT rowid FROM search_fts WHERE search_fts MATCH ?1")?;
        let rows = stmt.query_map([fts], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Each indexed document with its first and last unit id.
    pub fn search_unit_spans(&self) -> Result<Vec<(DocId, i64, i64)>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT doc_id, first_unit, last_unit FROM search_doc
              WHERE first_unit IS NOT NULL ORDER BY first_unit",
        )?;
        let rows = stmt.query_map([], |r| Ok((DocId(r.get(0)?), r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The search units of one document, in text order.
    pub fn search_units(&self, doc: DocId) -> Result<Vec<SearchUnit>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT u.id, u.doc_id, u.start_char, u.end_char, u.speaker
               FROM search_doc d JOIN search_unit u ON u.id BETWEEN d.first_unit AND d.last_unit
              WHERE d.doc_id = ?1 ORDER BY u.id",
        )?;
        let rows = stmt.query_map([doc.0], |r| {
            Ok(SearchUnit {
                id: r.get(0)?,
                doc: DocId(r.get(1)?),
                start: r.get::<_, i64>(2)? as usize,
                end: r.get::<_, i64>(3)? as usize,
                speaker: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every occurrence of a token (or of every token it begins, when `prefix`) as
    /// `(unit id, word position)`, sorted. SQLite packs them into one value
    /// ([`Pack`]), which is several times faster than a row each.
    pub fn search_token_instances(&self, token: &str, prefix: bool) -> Result<Vec<(i64, u32)>> {
        let blob = self.aggregate_instances("weft_pack(doc, offset)", token, prefix)?;
        let mut out: Vec<(i64, u32)> = blob
            .chunks_exact(12)
            .map(|c| {
                let (d, o) = c.split_at(8);
                (
                    i64::from_le_bytes(d.try_into().unwrap_or([0; 8])),
                    u32::from_le_bytes(o.try_into().unwrap_or([0; 4])),
                )
            })
            .collect();
        if prefix {
            // Several tokens: each sorted, not all together.
            out.sort_unstable();
        }
        Ok(out)
    }

    /// How often a token (or the tokens it begins) occurs in each unit: `(unit id, count)`,
    /// by unit.
    pub fn search_token_tally(&self, token: &str, prefix: bool) -> Result<Vec<(i64, u32)>> {
        let blob = self.aggregate_instances("weft_pack(doc, 0)", token, prefix)?;
        let mut out: Vec<(i64, u32)> = Vec::new();
        for c in blob.chunks_exact(12) {
            let d = i64::from_le_bytes(c[..8].try_into().unwrap_or([0; 8]));
            match out.last_mut() {
                Some(last) if last.0 == d => last.1 += 1,
                _ => out.push((d, 1)),
            }
        }
        if prefix {
            out.sort_unstable();
            out.dedup_by(|b, a| {
                if a.0 == b.0 {
                    a.1 += b.1;
                    true
                } else {
                    false
                }
            });
        }
        Ok(out)
    }

    /// Runs `SELECT <aggregate> FROM search_vocab WHERE term ...`, registering Weft's
    /// aggregate on this connection the first time it is missing.
    fn aggregate_instances(&self, aggregate: &str, token: &str, prefix: bool) -> Result<Vec<u8>> {
        let sql = if prefix {
            format!("SELECT {aggregate} FROM search_vocab WHERE term >= ?1 AND term < ?2")
        } else {
            format!("SELECT {aggregate} FROM search_vocab WHERE term = ?1 AND ?2 IS NOT NULL")
        };
        let upper = format!("{token}{{");
        let run = || -> rusqlite::Result<Option<Vec<u8>>> {
            self.0
                .prepare_cached(&sql)?
                .query_row([token, upper.as_str()], |r| r.get(0))
        };
        let blob = match run() {
            Err(e) if e.to_string().contains("no such function") => {
                register_functions(self.0)?;
                run()?
            }
            other => other?,
        };
        Ok(blob.unwrap_or_default())
    }
}

impl Db<'_> {
    /// Every token of the index with the number of units it occurs in.
    pub fn search_vocabulary(&self) -> Result<Vec<(String, u64)>> {
        let mut stmt = self
            .0
            .prepare_cached("SELECT term, doc FROM search_terms")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every unit's id and number of words, in id order.
    pub fn search_unit_lengths(&self) -> Result<Vec<(i64, u32)>> {
        let mut stmt = self
            .0
            .prepare_cached("SELECT id, words FROM search_unit ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u32)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Db<'_> {
    /// Occurrences of a token (or of every token it begins, when `prefix`) in the index.
    pub fn search_token_count(&self, token: &str, prefix: bool) -> Result<u64> {
        let n: i64 = if prefix {
            let upper = format!("{token}{{");
            self.0
                .prepare_cached(
                    "SELECT coalesce(sum(cnt), 0) FROM search_terms WHERE term >= ?1 AND term < ?2",
                )?
                .query_row([token, upper.as_str()], |r| r.get(0))?
        } else {
            self.0
                .prepare_cached("SELECT coalesce(sum(cnt), 0) FROM search_terms WHERE term = ?1")?
                .query_row([token], |r| r.get(0))?
        };
        Ok(n.max(0) as u64)
    }
}

/// `weft_pack(a, b)`: the rows' `(a as i64, b as u32)`, little-endian, 12 bytes each, in row
/// order, as one blob.
struct Pack;

impl Aggregate<Vec<u8>, Option<Vec<u8>>> for Pack {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Vec<u8>> {
        Ok(Vec::new())
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Vec<u8>) -> rusqlite::Result<()> {
        let a: i64 = ctx.get(0)?;
        let b: i64 = ctx.get(1)?;
        acc.extend_from_slice(&a.to_le_bytes());
        acc.extend_from_slice(&(b.clamp(0, i64::from(u32::MAX)) as u32).to_le_bytes());
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<Vec<u8>>,
    ) -> rusqlite::Result<Option<Vec<u8>>> {
        Ok(acc)
    }
}

fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_aggregate_function(
        "weft_pack",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        Pack,
    )
}

impl Db<'_> {
    /// [`Self::search_token_tally`] of each token. On a project file with several tokens,
    /// half of them are read on a second, read-only connection in a second thread: reading
    /// occurrences is most of the work of "find passages like these", and machines have two
    /// cores or more.
    pub fn search_token_tallies(&self, tokens: &[String]) -> Result<Vec<Vec<(i64, u32)>>> {
        let path = self
            .0
            .path()
            .filter(|p| !p.is_empty())
            .map(std::path::PathBuf::from);
        let parallel =
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get) > 1;
        let (Some(path), true, true) = (path, parallel, tokens.len() > 1) else {
            return tokens
                .iter()
                .map(|t| self.search_token_tally(t, false))
                .collect();
        };
        let half = tokens.len() / 2;
        let (theirs, ours) = tokens.split_at(half);
        std::thread::scope(|scope| {
            let other = scope.spawn(move || -> Option<Vec<Vec<(i64, u32)>>> {
                // A file that cannot take a second reader (read-only media) is read on the
                // first connection instead.
                let conn = super::open_connection(
                    &path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .ok()?;
                let db = Db(&conn);
                theirs
                    .iter()
                    .map(|t| db.search_token_tally(t, false))
                    .collect::<Result<_>>()
                    .ok()
            });
            let mine: Result<Vec<Vec<(i64, u32)>>> = ours
                .iter()
                .map(|t| self.search_token_tally(t, false))
                .collect();
            let theirs = match other.join() {
                Ok(Some(r)) => r,
                // The second reader could not do its half: read it here.
                _ => tokens[..half]
                    .iter()
                    .map(|t| self.search_token_tally(t, false))
                    .collect::<Result<_>>()?,
            };
            let mut all = theirs;
            all.extend(mine?);
            Ok(all)
        })
    }
}

impl SearchIndex for Db<'_> {
    fn token_tallies(&self, tokens: &[String]) -> ReadResult<Vec<Vec<(i64, u32)>>> {
        self.search_token_tallies(tokens).map_err(ReadError::new)
    }
    fn token_tally(&self, token: &str, prefix: bool) -> ReadResult<Vec<(i64, u32)>> {
        self.search_token_tally(token, prefix)
            .map_err(ReadError::new)
    }
    fn token_count(&self, token: &str, prefix: bool) -> ReadResult<u64> {
        self.search_token_count(token, prefix)
            .map_err(ReadError::new)
    }
    fn vocabulary(&self) -> ReadResult<Vec<(String, u64)>> {
        self.search_vocabulary().map_err(ReadError::new)
    }
    fn unit_lengths(&self) -> ReadResult<Vec<(i64, u32)>> {
        self.search_unit_lengths().map_err(ReadError::new)
    }
    fn matching_units(&self, fts: &str) -> ReadResult<Vec<i64>> {
        self.search_matching_units(fts).map_err(ReadError::new)
    }
    fn unit_spans(&self) -> ReadResult<Vec<(DocId, i64, i64)>> {
        self.search_unit_spans().map_err(ReadError::new)
    }
    fn units(&self, doc: DocId) -> ReadResult<Vec<SearchUnit>> {
        self.search_units(doc).map_err(ReadError::new)
    }
    fn token_instances(&self, token: &str, prefix: bool) -> ReadResult<Vec<(i64, u32)>> {
        self.search_token_instances(token, prefix)
            .map_err(ReadError::new)
    }
}
