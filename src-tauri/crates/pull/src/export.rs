//! Export of a connection's stored records into a folder: per entity one
//! `<entity>.csv` (key columns, then every top-level scalar field of the raw
//! records) or `<entity>.json` (an array of the raw records). Streams rows
//! from a read-only connection of its own (WAL lets pulls continue), writes
//! to a temporary file of an unpredictable name (created new, never through
//! a link) and renames it into place, so a file is either whole or absent
//! and a failed export leaves nothing behind. An export never replaces a
//! file (or a link, or anything else) already at one of its names: it looks
//! before writing anything and refuses, naming the file, and the final
//! rename refuses too should one appear meanwhile (what this export had
//! written by then is removed). Exports are private like the
//! database: a folder the export creates is 0700, files are 0600 (Unix).
//! CSV cells keep no control characters but tab and line breaks, and cells
//! that a spreadsheet would run as a formula get a leading `'`.

use std::collections::BTreeSet;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use zbs_zoho::Entity;

use crate::engine::Puller;
use crate::store::BUSY_TIMEOUT;
use crate::types::{ExportFormat, ExportSummary, ExportedFile};
use crate::PullError;

/// The key columns that open every CSV file.
pub const KEY_COLUMNS: [&str; 10] = [
    "entity",
    "zoho_id",
    "label",
    "date",
    "total",
    "status",
    "counterparty",
    "last_modified",
    "pulled_at",
    "detail",
];

const SELECT: &str = "SELECT zoho_id, label, date, total, status, counterparty, last_modified,
    pulled_at, detail, raw FROM pull_records WHERE connection_id = ?1 AND entity = ?2
    ORDER BY date IS NULL, date DESC, zoho_id DESC, zoho_id_number DESC";

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> PullError + '_ {
    move |e| PullError::Export {
        path: path.display().to_string(),
        detail: e.to_string(),
    }
}

/// Whether a CSV cell drops `c`: control characters but tab and line
/// feed, and bidi controls (U+202E shows a name reversed in a spreadsheet).
fn dropped(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n')) || zbs_codes::is_bidi_control(c)
}

/// Text without control characters but tab and line feed, and without bidi
/// controls (a carriage return becomes a line break).
fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(dropped) {
        return text.into();
    }
    text.replace("\r\n", "\n")
        .chars()
        .filter_map(|c| match c {
            '\r' => Some('\n'),
            '\t' | '\n' => Some(c),
            c if dropped(c) => None,
            c => Some(c),
        })
        .collect::<String>()
        .into()
}

/// A CSV cell: control characters dropped, quoted when needed, formula-like
/// text defused.
fn csv_cell(text: &str) -> String {
    let text = printable(text);
    let text = text.as_ref();
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.parse::<f64>().is_err();
    let text = if risky {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\t']) || text.starts_with(' ') || text.ends_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some(String::new()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

struct Row {
    cells: [Option<String>; 9],
    raw: String,
}

fn for_each_row(
    conn: &Connection,
    connection_id: &str,
    entity: Entity,
    mut f: impl FnMut(Row) -> Result<(), PullError>,
) -> Result<(), PullError> {
    let mut stmt = conn.prepare(SELECT)?;
    let mut rows = stmt.query(rusqlite::params![connection_id, entity.name()])?;
    while let Some(r) = rows.next()? {
        let total: Option<f64> = r.get(3)?;
        let detail: bool = r.get(8)?;
        f(Row {
            cells: [
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                total.map(|t| t.to_string()),
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                Some(detail.to_string()),
            ],
            raw: r.get(9)?,
        })?;
    }
    Ok(())
}

fn write_csv(
    conn: &Connection,
    connection_id: &str,
    entity: Entity,
    out: &mut impl Write,
    path: &Path,
) -> Result<u64, PullError> {
    // Pass 1: the union of top-level scalar fields (names only).
    let mut fields = BTreeSet::new();
    for_each_row(conn, connection_id, entity, |row| {
        if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&row.raw) {
            for (k, v) in map {
                if scalar(&v).is_some() && !KEY_COLUMNS.contains(&k.as_str()) {
                    fields.insert(k);
                }
            }
        }
        Ok(())
    })?;
    let header: Vec<String> = KEY_COLUMNS
        .iter()
        .map(|s| s.to_string())
        .chain(fields.iter().cloned())
        .map(|h| csv_cell(&h))
        .collect();
    writeln!(out, "{}", header.join(",")).map_err(io_err(path))?;
    // Pass 2: the rows.
    let mut n = 0u64;
    for_each_row(conn, connection_id, entity, |row| {
        let raw: serde_json::Map<String, Value> = match serde_json::from_str(&row.raw) {
            Ok(Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        let mut line = Vec::with_capacity(header.len());
        line.push(csv_cell(entity.name()));
        for c in &row.cells {
            line.push(csv_cell(c.as_deref().unwrap_or("")));
        }
        for f in &fields {
            line.push(csv_cell(&raw.get(f).and_then(scalar).unwrap_or_default()));
        }
        writeln!(out, "{}", line.join(",")).map_err(io_err(path))?;
        n += 1;
        Ok(())
    })?;
    Ok(n)
}

fn write_json(
    conn: &Connection,
    connection_id: &str,
    entity: Entity,
    out: &mut impl Write,
    path: &Path,
) -> Result<u64, PullError> {
    out.write_all(b"[").map_err(io_err(path))?;
    let mut n = 0u64;
    for_each_row(conn, connection_id, entity, |row| {
        if n > 0 {
            out.write_all(b",").map_err(io_err(path))?;
        }
        out.write_all(b"\n").map_err(io_err(path))?;
        out.write_all(row.raw.as_bytes()).map_err(io_err(path))?;
        n += 1;
        Ok(())
    })?;
    out.write_all(b"\n]\n").map_err(io_err(path))?;
    Ok(n)
}

/// Creates `dir` (and missing parents) readable only by the person.
fn create_private_dir(dir: &Path) -> Result<(), PullError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io_err(dir))
}

fn already_there(path: &Path) -> PullError {
    PullError::ExportFileExists {
        path: path.display().to_string(),
    }
}

/// Writes one export file through `write` into a new temporary file in
/// `dir` (random name, created exclusively, mode 0600), then renames it to
/// `path`, never replacing (nor following) anything already there. On any
/// failure the temporary file is removed.
fn write_file(
    dir: &Path,
    path: &Path,
    entity: Entity,
    format: ExportFormat,
    write: impl FnOnce(&mut BufWriter<&std::fs::File>, &Path) -> Result<u64, PullError>,
) -> Result<u64, PullError> {
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", entity.name()))
        .suffix(&format!(".{}.part", format.extension()))
        .tempfile_in(dir)
        .map_err(io_err(dir))?;
    let records = {
        let mut out = BufWriter::new(tmp.as_file());
        let records = write(&mut out, tmp.path())?;
        out.flush().map_err(io_err(tmp.path()))?;
        records
    };
    tmp.as_file().sync_all().map_err(io_err(tmp.path()))?;
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            already_there(path)
        } else {
            io_err(path)(e.error)
        }
    })?;
    Ok(records)
}

impl Puller {
    /// Writes a connection's records (all entities it has, or `entities`)
    /// into `dir`, one file per entity.
    pub fn export(
        &self,
        connection_id: &str,
        format: ExportFormat,
        dir: &Path,
        entities: Option<&[Entity]>,
    ) -> Result<ExportSummary, PullError> {
        self.export_named(connection_id, format, dir, entities, &|e| {
            e.name().to_owned()
        })
    }

    /// [`Puller::export`] with each file named `name(entity)` and the
    /// format's extension (the window dates them).
    pub fn export_named(
        &self,
        connection_id: &str,
        format: ExportFormat,
        dir: &Path,
        entities: Option<&[Entity]>,
        name: &dyn Fn(Entity) -> String,
    ) -> Result<ExportSummary, PullError> {
        create_private_dir(dir)?;
        let conn = Connection::open_with_flags(
            self.db.path(),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let chosen: Vec<Entity> = match entities {
            Some(list) => list.to_vec(),
            None => self
                .counts(connection_id)?
                .iter()
                .filter_map(|c| c.entity.parse().ok())
                .collect(),
        };
        let targets: Vec<(Entity, PathBuf)> = chosen
            .into_iter()
            .map(|e| (e, dir.join(format!("{}.{}", name(e), format.extension()))))
            .collect();
        // Nothing already there is replaced: look before writing anything.
        if let Some((_, taken)) = targets
            .iter()
            .find(|(_, path)| std::fs::symlink_metadata(path).is_ok())
        {
            return Err(already_there(taken));
        }
        // One snapshot for every file.
        conn.execute_batch("BEGIN")?;
        let mut files: Vec<ExportedFile> = Vec::new();
        for (entity, path) in targets {
            let written = write_file(dir, &path, entity, format, |out, tmp| match format {
                ExportFormat::Csv => write_csv(&conn, connection_id, entity, out, tmp),
                ExportFormat::Json => write_json(&conn, connection_id, entity, out, tmp),
            });
            let records = match written {
                Ok(records) => records,
                Err(e) => {
                    // All or nothing: what this export wrote goes too.
                    for f in &files {
                        let _ = std::fs::remove_file(&f.path);
                    }
                    return Err(e);
                }
            };
            files.push(ExportedFile {
                entity: entity.name().to_owned(),
                path: path.display().to_string(),
                records,
            });
        }
        conn.execute_batch("COMMIT")?;
        Ok(ExportSummary { format, files })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_cell("=1+2"), "'=1+2");
        assert_eq!(csv_cell("-12.5"), "-12.5");
        assert_eq!(csv_cell("@cmd"), "'@cmd");
        assert_eq!(csv_cell("a\u{1b}[2Jb\u{0}\u{7}c\u{9b}"), "a[2Jbc");
        assert_eq!(csv_cell("one\r\ntwo\rthree"), "\"one\ntwo\nthree\"");
        assert_eq!(csv_cell("a\tb"), "\"a\tb\"");
        assert_eq!(csv_cell("Acme\u{202e}gnp.exe"), "Acmegnp.exe");
        assert_eq!(csv_cell("\u{2066}x\u{2069}\u{200f}"), "x");
    }
}
