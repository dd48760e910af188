//! Themes and the thematic-analysis workflow: themes linked to codes, level-1 review marks,
//! positions on the thematic map, the analytic audit trail and reading progress.
//!
//! Links and review marks go when their theme, code or coding goes (`ON DELETE CASCADE`); the
//! cascade's deletions are recorded for undo like any other, so undoing the deletion brings
//! them back.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Row, params};

use super::{Db, Result, StoreError, Tx, new_guid, now};
use crate::model::{
    AnalyticEvent, CodeId, CodingId, Color, EventKind, Reading, ReviewMark, Subject, Theme,
    ThemeId, ThemeStatus, Verdict,
};

const THEME_COLUMNS: &str = "id, guid, parent_id, name, concept, definition, boundaries, status, color, sort_order, created_at";

fn theme_from_row(r: &Row<'_>) -> rusqlite::Result<Theme> {
    let status: String = r.get(7)?;
    let color: String = r.get(8)?;
    Ok(Theme {
        id: ThemeId(r.get(0)?),
        guid: r.get(1)?,
        parent: r.get::<_, Option<i64>>(2)?.map(ThemeId),
        name: r.get(3)?,
        concept: r.get(4)?,
        definition: r.get(5)?,
        boundaries: r.get(6)?,
        status: ThemeStatus::parse(&status).unwrap_or(ThemeStatus::Candidate),
        color: Color::parse(&color).unwrap_or(Color::palette(0)),
        sort_order: r.get(9)?,
        created_at: r.get(10)?,
        codes: Vec::new(),
    })
}

fn check_theme_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("a theme needs a name".into()));
    }
    Ok(name)
}

impl Db<'_> {
    /// Every theme with its linked codes, in no particular order (see
    /// [`crate::model::theme_order`]).
    pub fn themes(&self) -> Result<Vec<Theme>> {
        let mut st = self
            .0
            .prepare_cached(&format!("SELECT {THEME_COLUMNS} FROM theme"))?;
        let mut themes: Vec<Theme> = st
            .query_map([], theme_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        let index: HashMap<ThemeId, usize> =
            themes.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
        let mut links = self.0.prepare_cached(
            "SELECT theme_id, code_id FROM theme_code ORDER BY linked_at, code_id",
        )?;
        let mut rows = links.query([])?;
        while let Some(r) = rows.next()? {
            if let Some(&i) = index.get(&ThemeId(r.get(0)?)) {
                themes[i].codes.push(CodeId(r.get(1)?));
            }
        }
        Ok(themes)
    }

    /// One theme with its linked codes.
    pub fn theme(&self, id: ThemeId) -> Result<Theme> {
        let mut t = self
            .0
            .query_row(
                &format!("SELECT {THEME_COLUMNS} FROM theme WHERE id = ?1"),
                [id.0],
                theme_from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                kind: "theme",
                name: format!("#{id}"),
            })?;
        let mut st = self.0.prepare_cached(
            "SELECT code_id FROM theme_code WHERE theme_id = ?1 ORDER BY linked_at, code_id",
        )?;
        t.codes = st
            .query_map([id.0], |r| r.get(0).map(CodeId))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(t)
    }

    /// The theme named `name`: exactly, or else ignoring letter case when that finds one.
    pub fn theme_by_name(&self, name: &str) -> Result<Option<ThemeId>> {
        let name = name.trim();
        let exact: Option<i64> = self
            .0
            .query_row("SELECT id FROM theme WHERE name = ?1", [name], |r| r.get(0))
            .optional()?;
        if let Some(id) = exact {
            return Ok(Some(ThemeId(id)));
        }
        let mut st = self
            .0
            .prepare_cached("SELECT id FROM theme WHERE lower(name) = lower(?1)")?;
        let ids: Vec<i64> = st
            .query_map([name], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(match ids.as_slice() {
            [one] => Some(ThemeId(*one)),
            _ => None,
        })
    }

    /// The theme named `name`, or a not-found error.
    pub fn require_theme(&self, name: &str) -> Result<ThemeId> {
        self.theme_by_name(name)?
            .ok_or_else(|| StoreError::NotFound {
                kind: "theme",
                name: name.trim().to_owned(),
            })
    }

    /// Every level-1 review mark.
    pub fn review_marks(&self) -> Result<Vec<ReviewMark>> {
        let mut st = self
            .0
            .prepare_cached("SELECT theme_id, coding_id, verdict, at FROM theme_review")?;
        let rows = st.query_map([], |r| {
            let verdict: String = r.get(2)?;
            Ok(ReviewMark {
                theme: ThemeId(r.get(0)?),
                coding: CodingId(r.get(1)?),
                verdict: Verdict::parse(&verdict).unwrap_or(Verdict::Fits),
                at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Saved positions on the thematic map, by node (a theme's or a code's GUID).
    pub fn map_positions(&self) -> Result<HashMap<String, (f32, f32)>> {
        let mut st = self
            .0
            .prepare_cached("SELECT node, x, y FROM map_position")?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                (r.get::<_, f64>(1)? as f32, r.get::<_, f64>(2)? as f32),
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The analytic audit trail, oldest first.
    pub fn analytic_events(&self) -> Result<Vec<AnalyticEvent>> {
        let mut st = self.0.prepare_cached(
            "SELECT id, at, coder, kind, subject, guid, name, detail, note
             FROM analytic_event ORDER BY id",
        )?;
        let rows = st.query_map([], |r| {
            let kind: String = r.get(3)?;
            let subject: String = r.get(4)?;
            Ok(AnalyticEvent {
                id: r.get(0)?,
                at: r.get(1)?,
                coder: r.get(2)?,
                kind: EventKind::parse(&kind).unwrap_or(EventKind::Defined),
                subject: Subject::parse(&subject).unwrap_or(Subject::Code),
                guid: r.get(5)?,
                name: r.get(6)?,
                detail: r.get(7)?,
                note: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The newest audit-trail entry's id (0 when there is none).
    pub fn max_event_id(&self) -> Result<i64> {
        Ok(self
            .0
            .query_row("SELECT coalesce(max(id), 0) FROM analytic_event", [], |r| {
                r.get(0)
            })?)
    }

    /// A memo's GUID.
    pub fn memo_guid(&self, memo: crate::model::MemoId) -> Result<String> {
        self.0
            .query_row("SELECT guid FROM memo WHERE id = ?1", [memo.0], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                kind: "memo",
                name: format!("#{memo}"),
            })
    }

    /// How far each document was read.
    pub fn readings(&self) -> Result<Vec<Reading>> {
        let mut st = self
            .0
            .prepare_cached("SELECT doc_guid, opened_at, furthest, finished_at FROM reading")?;
        let rows = st.query_map([], |r| {
            Ok(Reading {
                doc_guid: r.get(0)?,
                opened_at: r.get(1)?,
                furthest: usize::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                finished_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The coder the step being recorded is attributed to, else the project's default coder.
    fn acting_coder(&self) -> Result<String> {
        let from_step: Option<String> = self
            .0
            .query_row(
                "SELECT coder FROM undo_step WHERE id = (SELECT max(step) FROM temp.undo_ctx)",
                [],
                |r| r.get(0),
            )
            .optional()
            .ok()
            .flatten();
        if let Some(c) = from_step.filter(|c| !c.is_empty()) {
            return Ok(c);
        }
        Ok(match self.default_coder()? {
            Some(c) => self.coder_name(c)?,
            None => String::new(),
        })
    }
}

impl Tx<'_> {
    /// Adds a theme (a candidate), keeping `guid` when given.
    pub fn add_theme(
        &self,
        name: &str,
        parent: Option<ThemeId>,
        color: Option<Color>,
        guid: Option<&str>,
    ) -> Result<ThemeId> {
        let name = check_theme_name(name)?;
        if let Some(p) = parent {
            self.theme(p)?;
        }
        if self.theme_by_name(name)?.is_some() {
            return Err(StoreError::Invalid(format!(
                "there is already a theme “{name}”"
            )));
        }
        let order: i64 = self.conn().query_row(
            "SELECT coalesce(max(sort_order) + 1, 0) FROM theme WHERE coalesce(parent_id, 0) = ?1",
            [parent.map_or(0, |p| p.0)],
            |r| r.get(0),
        )?;
        let total: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM theme", [], |r| r.get(0))?;
        let color = color.unwrap_or_else(|| Color::palette(usize::try_from(total).unwrap_or(0)));
        self.conn().execute(
            "INSERT INTO theme (guid, parent_id, name, color, sort_order, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                guid.map_or_else(new_guid, str::to_owned),
                parent.map(|p| p.0),
                name,
                color.to_hex(),
                order,
                now()
            ],
        )?;
        Ok(ThemeId(self.conn().last_insert_rowid()))
    }

    /// Renames a theme.
    pub fn rename_theme(&self, id: ThemeId, name: &str) -> Result<()> {
        let name = check_theme_name(name)?;
        self.theme(id)?;
        if let Some(other) = self.theme_by_name(name)?
            && other != id
        {
            return Err(StoreError::Invalid(format!(
                "there is already a theme “{name}”"
            )));
        }
        self.conn().execute(
            "UPDATE theme SET name = ?1 WHERE id = ?2",
            params![name, id.0],
        )?;
        Ok(())
    }

    /// Sets a theme's concept, definition and boundaries (`None` leaves one as it is).
    pub fn set_theme_text(
        &self,
        id: ThemeId,
        concept: Option<&str>,
        definition: Option<&str>,
        boundaries: Option<&str>,
    ) -> Result<()> {
        self.theme(id)?;
        self.conn().execute(
            "UPDATE theme SET concept = coalesce(?1, concept),
                              definition = coalesce(?2, definition),
                              boundaries = coalesce(?3, boundaries)
             WHERE id = ?4",
            params![
                concept.map(str::trim),
                definition.map(str::trim),
                boundaries.map(str::trim),
                id.0
            ],
        )?;
        Ok(())
    }

    /// Sets a theme's status.
    pub fn set_theme_status(&self, id: ThemeId, status: ThemeStatus) -> Result<()> {
        self.theme(id)?;
        self.conn().execute(
            "UPDATE theme SET status = ?1 WHERE id = ?2",
            params![status.as_str(), id.0],
        )?;
        Ok(())
    }

    /// Sets a theme's colour.
    pub fn set_theme_color(&self, id: ThemeId, color: Color) -> Result<()> {
        self.theme(id)?;
        self.conn().execute(
            "UPDATE theme SET color = ?1 WHERE id = ?2",
            params![color.to_hex(), id.0],
        )?;
        Ok(())
    }

    /// Makes a theme a sub-theme of `parent` (or a top-level theme). Refused when `parent` is
    /// the theme itself or one of its sub-themes.
    pub fn set_theme_parent(&self, id: ThemeId, parent: Option<ThemeId>) -> Result<()> {
        let theme = self.theme(id)?;
        if let Some(p) = parent {
            let mut cur = Some(p);
            while let Some(c) = cur {
                if c == id {
                    return Err(StoreError::Invalid(format!(
                        "“{}” cannot become a sub-theme of itself or of its own sub-theme",
                        theme.name
                    )));
                }
                cur = self.theme(c)?.parent;
            }
        }
        let order: i64 = self.conn().query_row(
            "SELECT coalesce(max(sort_order) + 1, 0) FROM theme WHERE coalesce(parent_id, 0) = ?1",
            [parent.map_or(0, |p| p.0)],
            |r| r.get(0),
        )?;
        self.conn().execute(
            "UPDATE theme SET parent_id = ?1, sort_order = ?2 WHERE id = ?3",
            params![parent.map(|p| p.0), order, id.0],
        )?;
        Ok(())
    }

    /// Deletes a theme; its sub-themes move up to its parent. Codes and codings stay.
    pub fn delete_theme(&self, id: ThemeId) -> Result<()> {
        let theme = self.theme(id)?;
        self.conn().execute(
            "UPDATE theme SET parent_id = ?1 WHERE parent_id = ?2",
            params![theme.parent.map(|p| p.0), id.0],
        )?;
        self.conn()
            .execute("DELETE FROM map_position WHERE node = ?1", [&theme.guid])?;
        self.conn()
            .execute("DELETE FROM theme WHERE id = ?1", [id.0])?;
        Ok(())
    }

    /// Links a code to a theme; returns false when it already was.
    pub fn link_code(&self, theme: ThemeId, code: CodeId) -> Result<bool> {
        self.theme(theme)?;
        self.code(code)?;
        Ok(self.conn().execute(
            "INSERT OR IGNORE INTO theme_code (theme_id, code_id, linked_at) VALUES (?1, ?2, ?3)",
            params![theme.0, code.0, now()],
        )? > 0)
    }

    /// Unlinks a code from a theme; returns false when it was not linked.
    pub fn unlink_code(&self, theme: ThemeId, code: CodeId) -> Result<bool> {
        Ok(self.conn().execute(
            "DELETE FROM theme_code WHERE theme_id = ?1 AND code_id = ?2",
            params![theme.0, code.0],
        )? > 0)
    }

    /// Moves every link of code `from` to code `to` (a merge), without duplicates.
    pub fn move_theme_links(&self, from: CodeId, to: CodeId) -> Result<()> {
        self.conn().execute(
            "INSERT OR IGNORE INTO theme_code (theme_id, code_id, linked_at)
             SELECT theme_id, ?2, linked_at FROM theme_code WHERE code_id = ?1",
            params![from.0, to.0],
        )?;
        self.conn()
            .execute("DELETE FROM theme_code WHERE code_id = ?1", [from.0])?;
        Ok(())
    }

    /// Marks an extract in the level-1 review of a theme (`None` clears the mark).
    pub fn set_review(
        &self,
        theme: ThemeId,
        coding: CodingId,
        verdict: Option<Verdict>,
    ) -> Result<()> {
        self.theme(theme)?;
        self.coding(coding)?;
        match verdict {
            Some(v) => self.conn().execute(
                "INSERT INTO theme_review (theme_id, coding_id, verdict, at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (theme_id, coding_id) DO UPDATE SET verdict = excluded.verdict,
                   at = excluded.at WHERE verdict IS NOT excluded.verdict",
                params![theme.0, coding.0, v.as_str(), now()],
            )?,
            None => self.conn().execute(
                "DELETE FROM theme_review WHERE theme_id = ?1 AND coding_id = ?2",
                params![theme.0, coding.0],
            )?,
        };
        Ok(())
    }

    /// Saves where a node (a theme's or a code's GUID) sits on the thematic map.
    pub fn set_map_position(&self, node: &str, x: f32, y: f32) -> Result<()> {
        if !x.is_finite() || !y.is_finite() {
            return Err(StoreError::Invalid(
                "a position on the map must be a finite number".into(),
            ));
        }
        self.conn().execute(
            "INSERT INTO map_position (node, x, y) VALUES (?1, ?2, ?3)
             ON CONFLICT (node) DO UPDATE SET x = excluded.x, y = excluded.y",
            params![node, f64::from(x), f64::from(y)],
        )?;
        Ok(())
    }

    /// Adds an entry to the analytic audit trail, attributed to the acting coder.
    pub fn record_event(
        &self,
        kind: EventKind,
        subject: Subject,
        guid: &str,
        name: &str,
        detail: &str,
        note: Option<&str>,
    ) -> Result<()> {
        let coder = self.acting_coder()?;
        self.conn().execute(
            "INSERT INTO analytic_event (at, coder, kind, subject, guid, name, detail, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                now(),
                coder,
                kind.as_str(),
                subject.as_str(),
                guid,
                name,
                detail,
                note
            ],
        )?;
        Ok(())
    }

    /// Ties the journal entry `note` to the audit-trail entries made after entry `after`.
    pub fn attach_note(&self, after: i64, note: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE analytic_event SET note = ?1 WHERE id > ?2",
            params![note, after],
        )?;
        Ok(())
    }

    /// Records that a document was shown up to char `furthest`, and read to its end when
    /// `finished`. Progress only grows. Not an edit: run it outside the undo history.
    pub fn record_reading(&self, doc_guid: &str, furthest: usize, finished: bool) -> Result<()> {
        let t = now();
        self.conn().execute(
            "INSERT INTO reading (doc_guid, opened_at, furthest, finished_at)
             VALUES (?1, ?2, ?3, CASE WHEN ?4 THEN ?2 END)
             ON CONFLICT (doc_guid) DO UPDATE SET
               furthest = max(furthest, excluded.furthest),
               finished_at = coalesce(finished_at, excluded.finished_at)",
            params![
                doc_guid,
                t,
                i64::try_from(furthest).unwrap_or(i64::MAX),
                finished
            ],
        )?;
        Ok(())
    }

    /// Sets the phase of thematic analysis (1-6) a journal entry reflects on, or clears it.
    pub fn set_memo_phase(&self, memo: crate::model::MemoId, phase: Option<u8>) -> Result<()> {
        if let Some(p) = phase
            && !(1..=6).contains(&p)
        {
            return Err(StoreError::Invalid(format!(
                "there are six phases of thematic analysis; {p} is not one of them"
            )));
        }
        let n = self.conn().execute(
            "UPDATE memo SET phase = ?1 WHERE id = ?2 AND kind = 'project'",
            params![phase, memo.0],
        )?;
        if n == 0 {
            return Err(StoreError::Invalid(
                "only journal entries can be linked to a phase".into(),
            ));
        }
        Ok(())
    }
}
