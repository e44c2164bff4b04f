//! Pull measurements, one JSON document on stdout (progress on stderr).
//! Run in release mode by `benches/run.sh`:
//!
//! ```text
//! cargo run --release -p zbs-bench-pull --example pull-bench -- <what> [options]
//!   efficiency [--runs N] [--sample N]  line items of the newest N (300) invoices with the simulator
//!                                       and the client budget both at 100 requests per 10 s
//!   ingest [--runs N]                   100,000 invoices as 500 list answers: decoded, stored by Puller::ingest
//!   scale                               one 100,000-invoice pull at 100,000/1 s on both sides: time,
//!                                       calls, memory growth (one run per process, so memory is clean)
//!   preview-data <data-dir>             <data-dir>/demo/zbsetup.sqlite3 holding a 100,000-invoice pull
//!                                       of connection "bench" (what the preview benchmark opens)
//!   records <db> [--runs N]             latency of the preview query at the first and the last page
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use zbs_bench_pull::{
    bare_connection, bare_insert, bare_rows, create_db, invoice_page, reset_peak, sim_config,
    stats, status_kib, BareRow, RssSampler, SimTokens, PAGE,
};
use zbs_pull::{
    Entity, LimiterRegistry, PullOptions, PullReport, PullRequest, Puller, RateBudget, SortColumn,
    SortDir,
};
use zbs_sim::{SimHandle, Simulator};
use zbs_zoho::books::{decode_list, ListPage, RateInfo};

type Res<T> = Result<T, String>;

fn arg_value(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn arg_num(args: &[String], name: &str, default: u64) -> Res<u64> {
    match arg_value(args, name) {
        Some(v) => v.parse().map_err(|_| format!("{name} needs a number")),
        None => Ok(default),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = runtime.block_on(async {
        match args.first().map(String::as_str) {
            Some("efficiency") => {
                efficiency(
                    arg_num(&args, "--runs", 3)?,
                    arg_num(&args, "--sample", 300)?,
                )
                .await
            }
            Some("ingest") => ingest(arg_num(&args, "--runs", 3)?),
            Some("scale") => scale().await,
            Some("preview-data") => {
                let dir = args.get(1).ok_or("preview-data needs a data folder")?;
                preview_data(Path::new(dir)).await
            }
            Some("records") => {
                let db = args.get(1).ok_or("records needs a database file")?;
                records(Path::new(db), arg_num(&args, "--runs", 20)?)
            }
            _ => Err(
                "usage: pull-bench efficiency|ingest|scale|preview-data <dir>|records <db>".into(),
            ),
        }
    });
    match result {
        Ok(v) => println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default()),
        Err(e) => {
            eprintln!("pull-bench: {e}");
            std::process::exit(1);
        }
    }
}

struct Started {
    sim: Arc<SimHandle>,
    org: String,
    tokens: Arc<SimTokens>,
}

async fn start_sim(records: u64, budget: RateBudget) -> Res<Started> {
    let sim = Simulator::start(sim_config(records, (budget.requests, budget.per)))
        .await
        .map_err(|e| e.to_string())?;
    let org = sim.organizations()[0].organization_id.clone();
    let tokens = Arc::new(SimTokens::connect(&sim).await?);
    Ok(Started {
        sim: Arc::new(sim),
        org,
        tokens,
    })
}

async fn pull(
    puller: &Puller,
    connection: &str,
    s: &Started,
    options: &PullOptions,
) -> Res<(PullReport, f64)> {
    let t0 = Instant::now();
    let report = puller
        .run(PullRequest::new(
            connection,
            &s.org,
            options,
            s.tokens.clone(),
        ))
        .await
        .map_err(|e| e.to_string())?;
    let secs = t0.elapsed().as_secs_f64();
    if !report.complete {
        return Err(format!("the pull did not complete: {:?}", report.state));
    }
    Ok((report, secs))
}

/// Line items of the newest `sample` invoices at 100 requests per 10 s on both sides.
async fn efficiency(runs: u64, sample: u64) -> Res<Value> {
    let budget = RateBudget::parse("100/10s").map_err(|e| e.to_string())?;
    let allowed_per_s = f64::from(budget.requests) / budget.per.as_secs_f64();
    let mut out = Vec::new();
    for run in 1..=runs {
        let s = start_sim(sample + 100, budget).await?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let puller = Puller::new(&create_db(dir.path())?, LimiterRegistry::new(), budget)
            .map_err(|e| e.to_string())?;
        let options = PullOptions {
            entities: vec![Entity::Invoices],
            sample: Some(u32::try_from(sample).map_err(|_| "sample too large")?),
            line_items: true,
            customer_details: false,
        };
        let (report, secs) = pull(&puller, "bench", &s, &options).await?;
        let st = s.sim.stats(&s.org).ok_or("no stats")?;
        let n = report.calls;
        let sent = st.accepted.len() as u64 + st.rejected_429;
        let span = match (st.accepted.first(), st.accepted.last()) {
            (Some(a), Some(b)) => b.saturating_sub(*a).as_secs_f64(),
            _ => 0.0,
        };
        let naive_floor = n as f64 / allowed_per_s;
        let burst = u64::from(budget.burst());
        let burst_floor = n.saturating_sub(burst) as f64 / allowed_per_s;
        // The server's own rule (at most 100 in any 10 s, sliding) lets 100
        // through at once, then 100 more once the first leave the window.
        let server_floor = (n.div_ceil(u64::from(budget.requests)).saturating_sub(1)) as f64
            * budget.per.as_secs_f64();
        let r = json!({
            "run": run,
            "calls": n,
            "sentAtSimulator": sent,
            "acceptedAtSimulator": st.accepted.len(),
            "http429Client": report.http_429,
            "http429Simulator": st.rejected_429,
            "seconds": secs,
            "firstToLastAcceptedSeconds": span,
            "maxInAnyWindow": st.max_in_window(budget.per),
            "ratePerSecond": n as f64 / secs,
            "ratio": naive_floor / secs,
            "ratioBurstFloor": burst_floor / secs,
            "ratioServerFloor": server_floor / secs,
            "engineScheduleSeconds": budget.seconds_for(n),
            "ratioToEngineSchedule": budget.seconds_for(n) / secs,
            "records": report.entities.get("invoices").map(|e| e.records),
        });
        eprintln!(
            "efficiency: run {run}/{runs}: {n} calls in {secs:.2} s = {:.2}/s, ratio {:.3}, 429 {}+{}, max in 10 s {}",
            n as f64 / secs,
            naive_floor / secs,
            report.http_429,
            st.rejected_429,
            st.max_in_window(budget.per)
        );
        out.push(r);
        drop(puller);
        if let Ok(sim) = Arc::try_unwrap(s.sim) {
            sim.shutdown().await;
        }
    }
    let col = |k: &str| -> Vec<f64> { out.iter().filter_map(|r| r[k].as_f64()).collect() };
    Ok(json!({
        "budget": budget.to_string(),
        "allowedPerSecond": allowed_per_s,
        "clientBurst": budget.burst(),
        "clientEmissionIntervalSeconds": budget.emission_interval().as_secs_f64(),
        "clientWindowSeconds": budget.window().as_secs_f64(),
        "sample": sample,
        "runs": out.clone(),
        "calls": stats(&col("calls")),
        "seconds": stats(&col("seconds")),
        "ratePerSecond": stats(&col("ratePerSecond")),
        "ratio": stats(&col("ratio")),
        "ratioBurstFloor": stats(&col("ratioBurstFloor")),
        "ratioServerFloor": stats(&col("ratioServerFloor")),
        "ratioToEngineSchedule": stats(&col("ratioToEngineSchedule")),
        "http429": out.iter().map(|r| r["http429Client"].as_u64().unwrap_or(0) + r["http429Simulator"].as_u64().unwrap_or(0)).sum::<u64>(),
        "maxInAnyWindow": out.iter().filter_map(|r| r["maxInAnyWindow"].as_u64()).max(),
        "loadAverage": loadavg(),
    }))
}

/// 100,000 invoices made from the recorded Zoho answer, as 500 list answers
/// of 200 (the bytes a pull receives), decoded by the client's `decode_list`
/// (timed on its own) and then stored by the real upsert, one page per
/// transaction (timed: the ingest rate).
fn ingest(runs: u64) -> Res<Value> {
    let recorded = zbs_testkit::recorded("invoices.json");
    let template = recorded["body"]["invoices"][0].clone();
    let total = 100_000u64;
    let pages: Vec<Vec<Value>> = (0..total / PAGE)
        .map(|n| invoice_page(&template, n))
        .collect();
    let bodies: Vec<Vec<u8>> = pages
        .iter()
        .enumerate()
        .map(|(i, records)| {
            json!({
                "code": 0,
                "message": "success",
                "invoices": records,
                "page_context": { "page": i + 1, "per_page": 200, "has_more_page": i + 1 < pages.len() },
            })
            .to_string()
            .into_bytes()
        })
        .collect();
    let bytes = pages[0].iter().map(|r| r.to_string().len()).sum::<usize>() / 200;
    let mut fresh = Vec::new();
    let mut again = Vec::new();
    let mut floor = Vec::new();
    let load_before = loadavg();
    // Decoding is the client's work, timed here for context; the store's
    // rate is from decoded pages, like the floor's from prepared strings.
    let decode = || -> Res<(Vec<ListPage>, f64)> {
        let t0 = Instant::now();
        let decoded = bodies
            .iter()
            .enumerate()
            .map(|(i, body)| {
                decode_list(
                    Entity::Invoices,
                    200,
                    body,
                    i as u32 + 1,
                    200,
                    RateInfo::default(),
                )
                .map_err(|e| e.to_string())
            })
            .collect::<Res<Vec<_>>>()?;
        Ok((decoded, t0.elapsed().as_secs_f64()))
    };
    let store = |puller: &Puller, decoded: &[ListPage]| -> Res<(u64, f64)> {
        let t0 = Instant::now();
        let mut new = 0;
        for page in decoded {
            new += puller
                .ingest("bench", Entity::Invoices, &page.records, false)
                .map_err(|e| e.to_string())?;
        }
        Ok((new, t0.elapsed().as_secs_f64()))
    };
    let mut decoding = Vec::new();
    for run in 1..=runs {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let puller = Puller::new(
            &create_db(dir.path())?,
            LimiterRegistry::new(),
            RateBudget::default(),
        )
        .map_err(|e| e.to_string())?;
        let (decoded, secs_decode) = decode()?;
        let (new, secs) = store(&puller, &decoded)?;
        if new != total {
            return Err(format!("{new} new records, expected {total}"));
        }
        let (new_again, secs_again) = store(&puller, &decoded)?;
        if new_again != 0 {
            return Err(format!("{new_again} records counted new the second time"));
        }
        drop(decoded);
        eprintln!(
            "ingest: run {run}/{runs}: {:.0} new records/s, {:.0} existing records/s, decoding {:.0} records/s",
            total as f64 / secs,
            total as f64 / secs_again,
            total as f64 / secs_decode,
        );
        fresh.push(total as f64 / secs);
        again.push(total as f64 / secs_again);
        decoding.push(total as f64 / secs_decode);
        floor.push(bare_insert_rate(&pages)?);
    }
    Ok(json!({
        "records": total,
        "recordBytes": bytes,
        "perTransaction": 200,
        "newPerSecond": stats(&fresh),
        "existingPerSecond": stats(&again),
        "floorPerSecond": stats(&floor),
        "decodePerSecond": stats(&decoding),
        "ratioToFloor": ratio_of_medians(&fresh, &floor),
        "newRuns": fresh,
        "existingRuns": again,
        "floorRuns": floor,
        "loadAverage": [load_before, loadavg()],
    }))
}

fn ratio_of_medians(a: &[f64], b: &[f64]) -> Option<f64> {
    let m = |x: &[f64]| stats(x)["median"].as_f64();
    Some(m(a)? / m(b)?)
}

/// The floor of ingest: the same rows written by bare SQLite (same file
/// settings, same table and indexes, 200 per transaction) from strings
/// prepared outside the clock; what the store adds on top is reading the key
/// columns, the lookup that counts new records and the upsert clause.
fn bare_insert_rate(pages: &[Vec<Value>]) -> Res<f64> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut conn = bare_connection(dir.path())?;
    let rows: Vec<Vec<BareRow>> = pages.iter().map(|p| bare_rows(p)).collect();
    let total: usize = rows.iter().map(Vec::len).sum();
    let t0 = Instant::now();
    for page in &rows {
        bare_insert(&mut conn, page).map_err(|e| e.to_string())?;
    }
    Ok(total as f64 / t0.elapsed().as_secs_f64())
}

/// The 1-minute load average (the machine is shared).
fn loadavg() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

const SCALE_RECORDS: u64 = 100_000;

/// A full pull of 100,000 invoices with a budget that never binds, into `db`.
async fn scale_pull(db: &Path, connection: &str) -> Res<(Value, Started)> {
    let budget = RateBudget::parse("100000/1s").map_err(|e| e.to_string())?;
    let s = start_sim(SCALE_RECORDS, budget).await?;
    let puller = Puller::new(db, LimiterRegistry::new(), budget).map_err(|e| e.to_string())?;
    let options = PullOptions {
        entities: vec![Entity::Invoices],
        sample: None,
        line_items: false,
        customer_details: false,
    };
    // Settle: everything the pull needs before it starts is in place.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_before = status_kib("VmRSS");
    let peak_reset = reset_peak();
    let sampler = RssSampler::start(Duration::from_millis(2));
    let (report, secs) = pull(&puller, connection, &s, &options).await?;
    let (sampled_peak, samples) = sampler.finish();
    let hwm = status_kib("VmHWM");
    let rss_after = status_kib("VmRSS");
    let peak = if peak_reset {
        sampled_peak.max(hwm)
    } else {
        sampled_peak
    };
    let st = s.sim.stats(&s.org).ok_or("no stats")?;
    let zoho = RateBudget::default();
    let records = report.entities.get("invoices").map_or(0, |e| e.records);
    let minimum_calls = SCALE_RECORDS.div_ceil(zbs_sim::MAX_PER_PAGE);
    let v = json!({
        "records": records,
        "calls": report.calls,
        "minimumCalls": minimum_calls,
        "callsRatio": report.calls as f64 / minimum_calls as f64,
        "http429": report.http_429 + st.rejected_429,
        "seconds": secs,
        "recordsPerSecond": records as f64 / secs,
        "rssBeforeKiB": rss_before,
        "rssPeakKiB": peak,
        "rssAfterKiB": rss_after,
        "peakGrowthKiB": peak.saturating_sub(rss_before),
        "hwmResetWorked": peak_reset,
        "rssSamples": samples,
        "zohoBudget": zoho.to_string(),
        "zohoFloorSeconds": minimum_calls as f64 * zoho.per.as_secs_f64() / f64::from(zoho.requests),
        "zohoEngineScheduleSeconds": zoho.seconds_for(report.calls),
        "loadAverage": loadavg(),
    });
    eprintln!(
        "scale: {records} records, {} calls in {secs:.2} s; RSS {} → peak {} KiB (+{:.1} MiB)",
        report.calls,
        rss_before,
        peak,
        peak.saturating_sub(rss_before) as f64 / 1024.0
    );
    Ok((v, s))
}

async fn scale() -> Res<Value> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let db = create_db(dir.path())?;
    let (v, _s) = scale_pull(&db, "bench").await?;
    Ok(v)
}

/// The demo profile's database with connection "bench" and a 100,000-invoice pull.
async fn preview_data(data_dir: &Path) -> Res<Value> {
    let demo: PathBuf = data_dir.join("demo");
    std::fs::create_dir_all(&demo).map_err(|e| e.to_string())?;
    let db = demo.join("zbsetup.sqlite3");
    if db.exists() {
        return Err(format!("{} exists already", db.display()));
    }
    create_db(&demo)?;
    let (v, s) = scale_pull(&db, "bench").await?;
    let org = s
        .sim
        .organizations()
        .into_iter()
        .find(|o| o.organization_id == s.org)
        .ok_or("no organization")?;
    let conn = rusqlite::Connection::open(&db).map_err(|e| e.to_string())?;
    conn.execute(
        "INSERT INTO connections (id, organization_id, organization_name, region,
             accounts_server, api_domain, plan, currency, state, connected_at)
         VALUES ('bench', ?1, ?2, 'us', ?3, ?4, 'Professional', ?5, 'ok', '2025-01-01T00:00:00Z')",
        rusqlite::params![
            org.organization_id,
            org.name,
            s.sim.accounts_url("us").unwrap_or_default(),
            s.sim.api_url("us").unwrap_or_default(),
            org.currency_code,
        ],
    )
    .map_err(|e| e.to_string())?;
    // The switch is on (the "Test your integration" step shows connections
    // only then); no keys are needed to read stored results.
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('enabled', 'true')",
        [],
    )
    .map_err(|e| e.to_string())?;
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .map_err(|e| e.to_string())?;
    Ok(json!({ "db": db, "pull": v }))
}

/// The preview's query (200 rows, newest first) at the first and the last page.
fn records(db: &Path, runs: u64) -> Res<Value> {
    let puller = Puller::new(db, LimiterRegistry::new(), RateBudget::default())
        .map_err(|e| e.to_string())?;
    let total = puller
        .records(
            "bench",
            Entity::Invoices,
            0,
            1,
            SortColumn::Date,
            SortDir::Desc,
            None,
        )
        .map_err(|e| e.to_string())?
        .total;
    let last = total.saturating_sub(200);
    let mut out = serde_json::Map::new();
    for (name, offset) in [("first", 0), ("last", last)] {
        let mut ms = Vec::new();
        for _ in 0..runs {
            let t0 = Instant::now();
            let page = puller
                .records(
                    "bench",
                    Entity::Invoices,
                    offset,
                    200,
                    SortColumn::Date,
                    SortDir::Desc,
                    None,
                )
                .map_err(|e| e.to_string())?;
            ms.push(t0.elapsed().as_secs_f64() * 1000.0);
            if page.rows.is_empty() {
                return Err(format!("no rows at offset {offset}"));
            }
        }
        out.insert(name.into(), json!({ "offset": offset, "ms": stats(&ms) }));
    }
    out.insert("total".into(), json!(total));
    Ok(Value::Object(out))
}
