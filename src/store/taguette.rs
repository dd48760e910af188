//! Reading a Taguette project database (the SQLite file Taguette's "Export project" gives):
//! opened read-only, never written, and handed back as plain rows for
//! `crate::import::taguette` to turn into a bundle. The schema is Taguette's own, from its
//! public Alembic migrations; a revision this code does not know is refused.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

pub use crate::model::taguette::*;

/// Reads a Taguette database at `path`, read-only.
pub fn read_rows(path: &Path) -> Result<TaguetteRows, TaguetteDbError> {
    let sql = |e: rusqlite::Error| TaguetteDbError::Sql {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let not = |reason: &str| TaguetteDbError::NotTaguette {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|_| not("SQLite cannot open it"))?;
    // An untrusted file: no triggers or views run code of the file's choosing.
    conn.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA query_only = ON;")
        .map_err(|_| not("it is not an SQLite database"))?;
    let has_table = |name: &str| -> Result<bool, TaguetteDbError> {
        conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [name],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
        .map_err(|_| not("it is not an SQLite database"))
    };
    for table in [
        "projects",
        "documents",
        "tags",
        "highlights",
        "highlight_tags",
        "commands",
    ] {
        if !has_table(table)? {
            return Err(not(&format!("it has no `{table}` table")));
        }
    }
    if !has_table("alembic_version")? {
        return Err(not("it has no schema version (`alembic_version`)"));
    }
    let revision: String = conn
        .query_row("SELECT version_num FROM alembic_version", [], |r| r.get(0))
        .map_err(|_| not("its schema version is missing"))?;
    if !KNOWN_REVISIONS.contains(&revision.as_str()) {
        return Err(TaguetteDbError::UnknownVersion {
            path: path.to_owned(),
            revision,
        });
    }
    let mut rows = TaguetteRows {
        revision,
        ..TaguetteRows::default()
    };
    let mut st = conn
        .prepare("SELECT id, name, description FROM projects ORDER BY id")
        .map_err(sql)?;
    rows.projects = st
        .query_map([], |r| {
            Ok(TgProject {
                id: r.get(0)?,
                name: r.get(1)?,
                description: r.get(2)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(sql)?;
    let mut st = conn
        .prepare(
            "SELECT id, project_id, name, description, filename, CAST(created AS TEXT), contents
             FROM documents ORDER BY id",
        )
        .map_err(sql)?;
    rows.documents = st
        .query_map([], |r| {
            Ok(TgDocument {
                id: r.get(0)?,
                project_id: r.get(1)?,
                name: r.get(2)?,
                description: r.get(3)?,
                filename: r.get(4)?,
                created: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                contents: r.get(6)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(sql)?;
    let mut st = conn
        .prepare("SELECT id, project_id, path, description FROM tags ORDER BY id")
        .map_err(sql)?;
    rows.tags = st
        .query_map([], |r| {
            Ok(TgTag {
                id: r.get(0)?,
                project_id: r.get(1)?,
                path: r.get(2)?,
                description: r.get(3)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(sql)?;
    let mut st = conn
        .prepare(
            "SELECT id, document_id, start_offset, end_offset, snippet FROM highlights ORDER BY id",
        )
        .map_err(sql)?;
    rows.highlights = st
        .query_map([], |r| {
            Ok(TgHighlight {
                id: r.get(0)?,
                document_id: r.get(1)?,
                start_offset: r.get(2)?,
                end_offset: r.get(3)?,
                snippet: r.get(4)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(sql)?;
    let mut st = conn
        .prepare("SELECT highlight_id, tag_id FROM highlight_tags ORDER BY highlight_id, tag_id")
        .map_err(sql)?;
    rows.highlight_tags = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(Iterator::collect)
        .map_err(sql)?;
    let mut st = conn
        .prepare(
            "SELECT id, CAST(date AS TEXT), user_login, document_id, payload FROM commands ORDER BY id",
        )
        .map_err(sql)?;
    rows.commands = st
        .query_map([], |r| {
            Ok(TgCommand {
                id: r.get(0)?,
                date: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                user_login: r.get(2)?,
                document_id: r.get(3)?,
                payload: r.get(4)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(sql)?;
    Ok(rows)
}

/// The tables of Taguette's schema at revision `63d7ca28fc0c` (from its migrations), as
/// SQLite creates them: for test fixtures.
#[doc(hidden)]
pub const FIXTURE_SCHEMA: &str = r#"
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
CREATE TABLE users (login VARCHAR(30) NOT NULL PRIMARY KEY, created DATETIME NOT NULL,
    hashed_password VARCHAR(192), password_set_date DATETIME, language VARCHAR(10),
    email VARCHAR(256), email_sent DATETIME);
CREATE TABLE projects (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, name VARCHAR(200) NOT NULL,
    description TEXT NOT NULL, created DATETIME NOT NULL);
CREATE TABLE project_members (project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_login VARCHAR(30) NOT NULL REFERENCES users(login), privileges VARCHAR(10) NOT NULL,
    PRIMARY KEY (project_id, user_login));
CREATE TABLE documents (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, name VARCHAR(200) NOT NULL,
    description TEXT NOT NULL, filename VARCHAR(200) NOT NULL, created DATETIME NOT NULL,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    text_direction VARCHAR(13) NOT NULL, contents TEXT NOT NULL);
CREATE TABLE commands (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, date DATETIME NOT NULL,
    user_login VARCHAR(30) NOT NULL REFERENCES users(login), project_id INTEGER NOT NULL
    REFERENCES projects(id) ON DELETE CASCADE, document_id INTEGER, payload TEXT NOT NULL);
CREATE TABLE highlights (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL, snippet TEXT NOT NULL);
CREATE TABLE tags (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    path VARCHAR(200) NOT NULL, description TEXT NOT NULL,
    parent_id INTEGER REFERENCES tags(id) ON DELETE CASCADE, UNIQUE (project_id, path));
CREATE TABLE highlight_tags (highlight_id INTEGER NOT NULL REFERENCES highlights(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE, PRIMARY KEY (highlight_id, tag_id));
"#;

/// Writes a small Taguette database at `path` for tests: the schema above at `revision`, and
/// `rows` (projects, documents, tags, highlights, highlight tags, commands; users are made
/// from the commands' logins).
#[doc(hidden)]
pub fn write_fixture(path: &Path, revision: &str, rows: &TaguetteRows) -> Result<(), String> {
    let run = || -> rusqlite::Result<()> {
        let mut conn = Connection::open(path)?;
        let tx = conn.transaction()?;
        tx.execute_batch(FIXTURE_SCHEMA)?;
        tx.execute("INSERT INTO alembic_version VALUES (?1)", [revision])?;
        for p in &rows.projects {
            tx.execute(
                "INSERT INTO projects VALUES (?1, ?2, ?3, '2024-01-01 10:00:00')",
                rusqlite::params![p.id, p.name, p.description],
            )?;
        }
        for c in &rows.commands {
            tx.execute(
                "INSERT OR IGNORE INTO users (login, created) VALUES (?1, '2024-01-01 10:00:00')",
                [&c.user_login],
            )?;
        }
        for d in &rows.documents {
            tx.execute(
                "INSERT INTO documents VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'LEFT_TO_RIGHT', ?7)",
                rusqlite::params![
                    d.id,
                    d.name,
                    d.description,
                    d.filename,
                    d.created,
                    d.project_id,
                    d.contents
                ],
            )?;
        }
        for t in &rows.tags {
            tx.execute(
                "INSERT INTO tags (id, project_id, path, description) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![t.id, t.project_id, t.path, t.description],
            )?;
        }
        for h in &rows.highlights {
            tx.execute(
                "INSERT INTO highlights VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![h.id, h.document_id, h.start_offset, h.end_offset, h.snippet],
            )?;
        }
        for (h, t) in &rows.highlight_tags {
            tx.execute("INSERT INTO highlight_tags VALUES (?1, ?2)", [h, t])?;
        }
        for c in &rows.commands {
            tx.execute(
                "INSERT INTO commands VALUES (?1, ?2, ?3, 1, ?4, ?5)",
                rusqlite::params![c.id, c.date, c.user_login, c.document_id, c.payload],
            )?;
        }
        tx.commit()
    };
    run().map_err(|e| e.to_string())
}
