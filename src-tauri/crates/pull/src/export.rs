//! Export of a connection's stored records into a folder: per entity one
//! `<entity>.csv` (key columns, then every top-level scalar field of the raw
//! records) or `<entity>.json` (an array of the raw records). Streams rows
//! from a read-only connection of its own (WAL lets pulls continue), writes
//! to a temporary name and renames, so a file is either whole or absent.
//! CSV cells that a spreadsheet would run as a formula get a leading `'`.

use std::collections::BTreeSet;
use std::fs::File;
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
    ORDER BY date IS NULL, date DESC, zoho_id DESC";

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> PullError + '_ {
    move |e| PullError::Export {
        path: path.display().to_string(),
        detail: e.to_string(),
    }
}

/// A CSV cell: quoted when needed; formula-like text defused.
fn csv_cell(text: &str) -> String {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.parse::<f64>().is_err();
    let text = if risky {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ') {
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
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
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
        // One snapshot for every file.
        conn.execute_batch("BEGIN")?;
        let mut files = Vec::new();
        for entity in chosen {
            let path: PathBuf = dir.join(format!("{}.{}", entity.name(), format.extension()));
            let tmp = dir.join(format!(".{}.{}.part", entity.name(), format.extension()));
            let file = File::create(&tmp).map_err(io_err(&tmp))?;
            let mut out = BufWriter::new(file);
            let records = match format {
                ExportFormat::Csv => write_csv(&conn, connection_id, entity, &mut out, &tmp),
                ExportFormat::Json => write_json(&conn, connection_id, entity, &mut out, &tmp),
            };
            let records = match records {
                Ok(n) => n,
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(e);
                }
            };
            out.flush().map_err(io_err(&tmp))?;
            out.get_ref().sync_all().map_err(io_err(&tmp))?;
            drop(out);
            std::fs::rename(&tmp, &path).map_err(io_err(&path))?;
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
    }
}
