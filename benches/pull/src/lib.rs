//! Support for the pull measurements (`examples/pull_bench.rs`, run by
//! `benches/run.sh`): a migrated SQLite file, the in-process simulator with a
//! real sign-in for tokens, and reading this process's memory from `/proc`.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub use zbs_testkit::{create_db, sim_config, SimTokens};

/// Records per page in the ingest measurements (Zoho's largest page).
pub const PAGE: u64 = 200;

/// Invoice page `n`: 200 copies of a recorded invoice with their own ids,
/// numbers and totals (ids from `n * 200`).
pub fn invoice_page(template: &serde_json::Value, n: u64) -> Vec<serde_json::Value> {
    (0..PAGE)
        .map(|i| {
            let mut r = template.clone();
            let k = n * PAGE + i;
            r["invoice_id"] = serde_json::Value::String(format!("4600000000{k:08}"));
            r["invoice_number"] = serde_json::Value::String(format!("INV-{k:06}"));
            r["total"] = serde_json::Value::from(k as f64 * 1.25);
            r
        })
        .collect()
}

/// One row of the ingest floor: id, number and JSON text, made before any
/// clock starts.
pub type BareRow = (String, String, String);

/// The floor's rows of a page of invoices.
pub fn bare_rows(page: &[serde_json::Value]) -> Vec<BareRow> {
    page.iter()
        .map(|r| {
            (
                r["invoice_id"].as_str().unwrap_or_default().to_owned(),
                r["invoice_number"].as_str().unwrap_or_default().to_owned(),
                r.to_string(),
            )
        })
        .collect()
}

/// A fresh migrated file in `dir` opened as the floor of ingest writes it:
/// bare SQLite, `synchronous = NORMAL` as the app sets it.
pub fn bare_connection(dir: &Path) -> Result<rusqlite::Connection, String> {
    let conn = rusqlite::Connection::open(create_db(dir)?).map_err(|e| e.to_string())?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(|e| e.to_string())?;
    Ok(conn)
}

/// The floor of the store's upsert: a page of rows written by a prepared
/// `INSERT` into the same table, in one transaction.
pub fn bare_insert(conn: &mut rusqlite::Connection, rows: &[BareRow]) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO pull_records (connection_id, entity, zoho_id, label, pulled_at, pull_id, raw)
             VALUES ('bench', 'invoices', ?1, ?2, '2025-01-01T00:00:00Z', 0, ?3)",
        )?;
        for (id, label, raw) in rows {
            stmt.execute(rusqlite::params![id, label, raw])?;
        }
    }
    tx.commit()
}

/// A `kB` field of `/proc/self/status` (`VmRSS`, `VmHWM`), in KiB.
pub fn status_kib(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| {
            let rest = l.strip_prefix(key)?.strip_prefix(':')?;
            rest.trim().strip_suffix("kB")?.trim().parse().ok()
        })
        .unwrap_or(0)
}

/// Resets `VmHWM` to the current RSS (Linux: `5` into `clear_refs`).
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Samples `VmRSS` every `every` until stopped; keeps the highest.
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    samples: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl RssSampler {
    pub fn start(every: Duration) -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(status_kib("VmRSS")));
        let samples = Arc::new(AtomicU64::new(0));
        let thread = {
            let (stop, peak, samples) = (stop.clone(), peak.clone(), samples.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(status_kib("VmRSS"), Ordering::Relaxed);
                    samples.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(every);
                }
            })
        };
        RssSampler {
            stop,
            peak,
            samples,
            thread: Some(thread),
        }
    }

    /// (highest VmRSS seen in KiB, samples taken).
    pub fn finish(mut self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.peak.fetch_max(status_kib("VmRSS"), Ordering::Relaxed);
        (
            self.peak.load(Ordering::Relaxed),
            self.samples.load(Ordering::Relaxed),
        )
    }
}

/// min / median / max of some figures, as JSON.
pub fn stats(xs: &[f64]) -> serde_json::Value {
    let mut s: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return serde_json::Value::Null;
    }
    let m = s.len() / 2;
    let median = if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    };
    serde_json::json!({ "min": s[0], "median": median, "max": s[s.len() - 1], "n": s.len() })
}
