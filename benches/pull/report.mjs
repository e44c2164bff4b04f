// Fills the pull sections of BENCHMARKS.md ("Pull efficiency", "Ingest",
// "Scale (100,000 records)", "Preview (100,000 rows)") from the raw figures
// benches/run.sh leaves in target/bench/, after benches/report.mjs has
// written the rest of the file. Each section replaces the one of the same
// title, up to the next "## " heading; nothing else in the file changes but
// one summary line of these goals under the startup summary.
//
// With --quick: only the pull efficiency (target/bench/pull-efficiency.json),
// printed, exiting 1 when the ratio is under BENCH_PULL_QUICK_BOUND (0.85)
// or any request got HTTP 429.
//
// Inputs: pull-efficiency.json, pull-ingest.json, pull-scale-<n>.json,
// preview-records.json, preview-data.json (all from
// `pull-bench`, benches/pull/examples/pull_bench.rs) and preview.json
// (benches/preview.mjs).

import { readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = process.env.BENCH_OUT ?? join(root, "target/bench");
const quick = process.argv.includes("--quick");
const QUICK_BOUND = Number(process.env.BENCH_PULL_QUICK_BOUND ?? 0.85);
const GOALS = { ratio: 0.97, ingest: 50_000, growthMB: 20 };

const read = (name) => (existsSync(join(OUT, name)) ? JSON.parse(readFileSync(join(OUT, name), "utf8")) : null);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stats = (xs) => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs), n: xs.length });
const tri = (s, f) => `${f(s.min)} / ${f(s.median)} / ${f(s.max)}`;
const n0 = (v) => Math.round(v).toLocaleString("en-US");
const d1 = (v) => v.toFixed(1);
const d2 = (v) => v.toFixed(2);
const d3 = (v) => v.toFixed(3);
const ms = (v) => `${v.toFixed(0)} ms`;
const secs = (v) => `${v.toFixed(2)} s`;
const mb = (kib) => (kib * 1024) / 1e6;

const eff = read("pull-efficiency.json");

function efficiencyVerdicts(e) {
  const ratioOk = e.ratio.min >= GOALS.ratio;
  const medianOk = e.ratio.median >= GOALS.ratio;
  return {
    ratio: ratioOk
      ? `**meets** the goal (≥ ${GOALS.ratio}) in every run`
      : medianOk
        ? `**MISSES** the goal (≥ ${GOALS.ratio}) in some runs (median meets it)`
        : `**MISSES** the goal (≥ ${GOALS.ratio}): the median is ${d3(e.ratio.median)}, ${((1 - e.ratio.median / GOALS.ratio) * 100).toFixed(1)} % short`,
    r429: e.http429 === 0 ? "**meets** the goal (0)" : `**MISSES** the goal (0): ${e.http429}`,
    window: e.maxInAnyWindow <= 100 ? `**meets** (≤ 100)` : `**MISSES** (≤ 100): ${e.maxInAnyWindow}`,
  };
}

if (quick) {
  if (!eff) {
    console.log("pull efficiency: no figures (target/bench/pull-efficiency.json)");
    process.exit(1);
  }
  const bad = [];
  if (!(eff.ratio.min >= QUICK_BOUND)) bad.push(`ratio ${d3(eff.ratio.min)} < ${QUICK_BOUND}`);
  if (eff.http429 !== 0) bad.push(`${eff.http429} responses with HTTP 429`);
  if (!(eff.maxInAnyWindow <= 100)) bad.push(`${eff.maxInAnyWindow} requests in one 10 s window`);
  const text = [
    `Pull efficiency (${eff.runs.length} run${eff.runs.length === 1 ? "" : "s"}, line items of ${eff.sample} invoices at ${eff.budget} on both sides):`,
    `  ${tri(eff.calls, n0)} calls in ${tri(eff.seconds, secs)}; achieved/allowed ${tri(eff.ratio, d3)} (goal ≥ ${GOALS.ratio}); ` +
      `${eff.http429} × HTTP 429; at most ${eff.maxInAnyWindow} requests in any 10 s window at the simulator`,
    bad.length ? `REGRESSION: ${bad.join("; ")}` : `OK: ratio ≥ ${QUICK_BOUND}, no 429, no window over 100`,
  ].join("\n");
  writeFileSync(join(OUT, "quick-pull.md"), text + "\n");
  console.log(text);
  process.exit(bad.length ? 1 : 0);
}

const sections = {};
const missed = [];
const met = [];

// ---- pull efficiency
if (eff) {
  const v = efficiencyVerdicts(eff);
  (eff.ratio.median >= GOALS.ratio ? met : missed).push(
    `pull efficiency ${d3(eff.ratio.median)} (goal ≥ ${GOALS.ratio})`,
  );
  (eff.http429 === 0 ? met : missed).push(`${eff.http429} × HTTP 429 (goal 0)`);
  const r0 = eff.runs[0];
  const tau = eff.clientEmissionIntervalSeconds;
  const designRate = 1 / tau;
  sections["Pull efficiency"] = `A quota-bound pull against the in-process simulator: line items of the
newest ${eff.sample} invoices (\`PullOptions { entities: [Invoices], sample: Some(${eff.sample}),
line_items: true }\`: ${r0.calls - eff.sample} list page(s) + ${eff.sample} detail calls), the simulator
(sliding window) and the client (\`RateBudget\` \`${eff.budget}\`) both at 100 requests per
10 s, the engine's default settings (4 in flight, page size 200), a fresh
simulator, database and limiter each run, ${eff.runs.length} runs
(\`pull-bench efficiency\`, benches/pull). Elapsed time is \`Puller::run\` from
call to return; requests and 429s are counted both by the engine (its report)
and at the simulator (accepted + refused).

**How "allowed" is computed.** The allowed rate is the budget itself,
100 / 10 s = ${eff.allowedPerSecond} requests/s, and the floor for N calls is **N / (10 per s)**
(${r0.calls} calls → ${d1(r0.calls / eff.allowedPerSecond)} s); the ratio is (calls ÷ elapsed) ÷ ${eff.allowedPerSecond}
= floor ÷ elapsed. The first ${eff.clientBurst} requests go out at once (the client's
burst), so two other floors are shown for context: (N − burst) / rate, which
credits the burst (stricter), and what the server's own rule allows — at most
100 in any sliding 10 s, i.e. ⌈N/100⌉ − 1 full windows (${d1((Math.ceil(r0.calls / 100) - 1) * 10)} s for ${r0.calls} calls). The
last column compares the elapsed time with the engine's own schedule
(\`RateBudget::seconds_for\`: burst ${eff.clientBurst}, then one request every
τ = W/(n + 1 − b) = ${d1(eff.clientWindowSeconds)} s / ${100 + 1 - eff.clientBurst} = ${(tau * 1000).toFixed(1)} ms).

| figure | min / median / max (${eff.runs.length} runs) | goal |
|---|---|---|
| calls | ${tri(eff.calls, n0)} | |
| elapsed | ${tri(eff.seconds, secs)} | floor ${d1(r0.calls / eff.allowedPerSecond)} s (N / 10 per s) |
| achieved rate | ${tri(eff.ratePerSecond, (x) => `${d2(x)}/s`)} | allowed ${eff.allowedPerSecond}/s |
| **achieved / allowed** (floor N/rate ÷ elapsed) | ${tri(eff.ratio, d3)} | ${v.ratio} |
| same, floor (N − burst)/rate | ${tri(eff.ratioBurstFloor, d3)} | context |
| same, floor of the server's sliding window | ${tri(eff.ratioServerFloor, d3)} | context |
| elapsed against the engine's own schedule | ${tri(eff.ratioToEngineSchedule, d3)} | context |
| HTTP 429 (all runs, engine + simulator) | ${eff.http429} | ${v.r429} |
| most accepted requests in any 10 s window, at the simulator | ${eff.maxInAnyWindow} (per run: ${eff.runs.map((r) => r.maxInAnyWindow).join(", ")}) | ${v.window} |

${
  eff.ratio.median >= GOALS.ratio
    ? ""
    : `**Why it misses, and what would close the gap.** The engine keeps its own
schedule to within ${d1((1 - eff.ratioToEngineSchedule.median) * 100)} % (last context row), so the shortfall is the pacing
rule, not the machinery: the limiter sends one request every
τ = (T + margin) / (n + 1 − burst) = ${(tau * 1000).toFixed(1)} ms, i.e. ${d2(designRate)}/s sustained
(${d3(designRate / eff.allowedPerSecond)} of the budget), because (a) it reserves a 5 % margin of the window
(0.5 s of 10 s) for clock and network jitter, and (b) the burst of ${eff.clientBurst} is paid
for by a longer interval (the proof in \`limiter.rs\` that no window can hold
more than n). Over ${r0.calls} calls the burst gives back a little, hence ≈ ${d3(eff.ratio.median)}. Changing
\`zbs-pull\`'s \`RateBudget\` to a burst of 1 (τ = W/n, same proof) and a fixed
small margin (e.g. 150 ms instead of 5 %) gives τ = 101.5 ms and an expected
ratio of about 0.99 at 100/10 s (≈ 0.997 at Zoho's 100/60 s), still with no
window over 100; the simulator's window count above is the check to keep.`
}`;
}

// ---- ingest
const ing = read("pull-ingest.json");
if (ing) {
  const ok = ing.newPerSecond.median >= GOALS.ingest;
  (ok ? met : missed).push(`ingest ${n0(ing.newPerSecond.median)} records/s (goal ≥ ${n0(GOALS.ingest)})`);
  const load = ing.loadAverage?.map((x) => x.toFixed(1)).join(" → ");
  sections["Ingest"] = `Records per second into SQLite through the real store code
(\`Puller::ingest\`: key columns read from each record, its JSON text kept
as Zoho sent it, upsert on (connection, entity, id) with one lookup of the
page's ids, one transaction per 200-record page, WAL with
\`synchronous = NORMAL\` as the app opens it), release build,
${ing.records.toLocaleString("en-US")} invoices made from the recorded Zoho
answer (~${n0(ing.recordBytes)} bytes of JSON each) into a fresh file each
run, ${ing.newRuns.length} runs (\`pull-bench ingest\`). The input is what a
pull hands the store: ${n0(ing.records / 200)} list answers of 200, as bytes, decoded by the
client's \`decode_list\` before the clock starts (decoding is timed on its
own, below). The floor is bare SQLite on the same table, indexes and
settings: a prepared \`INSERT\` of the same rows from strings made before
the clock starts (so it leaves out what the store adds: reading the key
columns, the lookup that counts new records, and the upsert clause with its
ten more columns). 1-minute load average of the machine before → after: ${load}.

| figure | min / median / max | goal |
|---|---|---|
| **new records** | ${tri(ing.newPerSecond, (x) => `${n0(x)}/s`)} | ${ok ? `**meets** the goal (≥ ${n0(GOALS.ingest)}/s) at the median${ing.newPerSecond.min < GOALS.ingest ? `; the slowest of the ${ing.newRuns.length} runs (${n0(ing.newPerSecond.min)}/s) was under it` : ", and in every run"}` : `**MISSES** the goal (≥ ${n0(GOALS.ingest)}/s) by ${((1 - ing.newPerSecond.median / GOALS.ingest) * 100).toFixed(0)} %`} |
| the same records again (upsert of existing rows) | ${tri(ing.existingPerSecond, (x) => `${n0(x)}/s`)} | context |
| floor: bare SQLite insert of the same rows | ${tri(ing.floorPerSecond, (x) => `${n0(x)}/s`)} | |
| store ÷ floor (medians) | ${d2(ing.ratioToFloor)} | context |
${ing.decodePerSecond ? `| decoding the same answers (\`decode_list\`: bytes → records) | ${tri(ing.decodePerSecond, (x) => `${n0(x)}/s`)} | context |\n` : ""}
Each record's text is stored as it arrived (\`zbs_zoho::Record\`), not
serialised again from the parsed value (that cost about as much as the insert
itself), and a page's ids are looked up in one query through the unique key,
not one query per record.${
    ing.decodePerSecond
      ? ` Decoding (parsing every record into a \`serde_json::Value\` for its key
columns) ran at ${d2(ing.decodePerSecond.median / ing.newPerSecond.median)}× the store's rate (medians): ${
          ing.decodePerSecond.median < ing.newPerSecond.median ? "it costs more per record than storing it" : "it costs less per record than storing it"
        }; the decode micro-benchmarks (above) follow it.`
      : ""
  }${
    ok
      ? ""
      : `

**Why it misses, and what would close the gap.** The store does ${d2(ing.ratioToFloor)}× the
bare insert's rate here, with the floor at ${n0(ing.floorPerSecond.median)}/s; the 1-minute load average
around these runs (${load}) says how busy the 2 cores were.`
  }
`;
}

// ---- scale
const scaleFiles = existsSync(OUT) ? readdirSync(OUT).filter((f) => /^pull-scale-\d+\.json$/.test(f)).sort() : [];
const scale = scaleFiles.map((f) => read(f));
if (scale.length) {
  const growth = stats(scale.map((s) => mb(s.peakGrowthKiB)));
  const seconds = stats(scale.map((s) => s.seconds));
  const calls = stats(scale.map((s) => s.calls));
  const rate = stats(scale.map((s) => s.recordsPerSecond));
  const r0 = scale[0];
  const ok = growth.max < GOALS.growthMB;
  (ok ? met : missed).push(`peak memory growth ${d1(growth.max)} MB at 100,000 records (goal < ${GOALS.growthMB} MB)`);
  const zohoSchedule = stats(scale.map((s) => s.zohoEngineScheduleSeconds));
  sections["Scale (100,000 records)"] = `A full pull (\`sample: None\`) of ${n0(r0.records)} invoices from the in-process simulator
(100,000 invoices), with the simulator and the client both at 100,000
requests per second so that the engine, not the budget, is measured; default
engine settings (page size 200, 4 in flight). One pull per process, ${scale.length} processes
(\`pull-bench scale\`), so memory starts clean each time. Memory: VmRSS of
the process just before \`Puller::run\` against the highest VmRSS during it
(sampled every 2 ms by a thread, and VmHWM after resetting it through
\`/proc/self/clear_refs\` before the pull). The simulator runs in the same
process, so its share (generating and serialising the pages) is counted too:
the engine's own growth is at most this.

| figure | min / median / max (${scale.length} runs) | goal / floor |
|---|---|---|
| records stored | ${scale.map((s) => n0(s.records)).join(", ")} | ${n0(100000)} |
| **peak RSS growth during the pull** | ${tri(growth, (x) => `${d1(x)} MB`)} | ${ok ? `**meets** the goal (< ${GOALS.growthMB} MB)` : `**MISSES** the goal (< ${GOALS.growthMB} MB)`} |
| RSS before → peak (median run) | ${d1(mb(median(scale.map((s) => s.rssBeforeKiB))))} MB → ${d1(mb(median(scale.map((s) => s.rssPeakKiB))))} MB | |
| calls | ${tri(calls, n0)} | minimum ${r0.minimumCalls} (pages of 200) |
| calls ÷ minimum | ${tri(stats(scale.map((s) => s.callsRatio)), d3)} | 1.000 |
| HTTP 429 | ${scale.reduce((a, s) => a + s.http429, 0)} | |
| engine's own time at 100,000/s | ${tri(seconds, secs)} | |
| records/s through the whole engine (HTTP, decode, store) | ${tri(rate, (x) => `${n0(x)}/s`)} | |
| Zoho's floor for the minimum calls (${r0.minimumCalls} at ${r0.zohoBudget}) | ${d1(r0.zohoFloorSeconds)} s (${d1(r0.zohoFloorSeconds / 60)} min) | floor |
| engine's own time ÷ Zoho's floor | ${tri(stats(scale.map((s) => s.seconds / s.zohoFloorSeconds)), d3)} | the engine is not the limit |
| the engine's schedule at ${r0.zohoBudget} for its calls (computed, not run) | ${tri(zohoSchedule, (x) => `${d1(x)} s`)} | ratio to floor ${d3(r0.zohoFloorSeconds / zohoSchedule.median)} (see Pull efficiency) |

The one call over the minimum is by design: a pull of everything that read
more than one page reads page 1 (newest first) again at the end, for records
added while it pulled (\`Phase::Rescan\` in \`engine.rs\`).
At Zoho's budget a pull of this size is bound by the budget (≈ ${d1(zohoSchedule.median / 60)} min at the
engine's pace) and the engine's own work (≈ ${d1(seconds.median)} s) fits inside it ${n0(r0.zohoFloorSeconds / seconds.median)} times over.`;
}

// ---- preview
const pv = read("preview.json");
const rec = read("preview-records.json");
if (pv || rec) {
  const rows = [];
  let text = "";
  if (pv) {
    const col = (pick) => stats(pv.launches.map(pick));
    const warm = (pick) => stats(pv.launches.flatMap((l) => l.warm.map(pick)));
    const openCold = col((l) => l.cold.open.paintedMs);
    const scrollCold = col((l) => l.cold.scroll.paintedMs);
    rows.push(
      `| open → first row in the DOM, first open after launch | ${tri(col((l) => l.cold.open.inDomMs), ms)} | |`,
      `| **open → first row painted** (first open after launch) | ${tri(openCold, ms)} | ${rec ? `core query ${ms(rec.first.ms.median)} → ${d1(openCold.median / rec.first.ms.median)}×` : ""} |`,
      `| open → first row painted, again in the same window (${pv.warmPerRun} × per launch) | ${tri(warm((w) => w.open.paintedMs), ms)} | |`,
      `| scroll to the end → last row in the DOM (first time) | ${tri(col((l) => l.cold.scroll.inDomMs), ms)} | |`,
      `| **scroll to the end → last row painted** (first time) | ${tri(scrollCold, ms)} | ${rec ? `core query ${ms(rec.last.ms.median)} → ${d1(scrollCold.median / rec.last.ms.median)}×` : ""} |`,
      `| scroll to the end → last row painted, again in the same window | ${tri(warm((w) => w.scroll.paintedMs), ms)} | |`,
      `| rows in the DOM at the end (virtualised) | ${pv.launches.map((l) => l.cold.rowsInDom).join(", ")} | |`,
    );
    text = `The results table with ${n0(pv.expected)} rows in the real webview (release app,
WebKitGTK through tauri-driver, Xvfb, as for startup). The data folder's
demo profile holds a real ${n0(pv.expected)}-invoice pull of the connection \`bench\`
(\`pull-bench preview-data\`: the scale pull above into
\`<data>/demo/zbsetup.sqlite3\`, plus the connection row); each of ${pv.runs} launches gets a
fresh copy with \`--data-dir\`, chooses the demo on the welcome screen, opens
"Test the connection", and then measures inside the page with
\`performance.now()\` (via \`browser.executeAsync\`, so no WebDriver round trip
is in the figures): from clicking "Pull sample data" until the first \`.trow\`
is in the DOM and until two animation frames later (the frame that paints
it); and from setting the viewport's \`scrollTop\` to its \`scrollHeight\`
until the row with \`aria-rowindex\` ${n0(pv.expected + 1)} is in the DOM, and painted. Opening
runs \`pull_results\` (counts, chart, history) and the first \`pull_records\`
page; the end needs the page at offset ${n0(pv.expected - 200)}. "Again" closes and reopens the
table in the same window (${pv.warmPerRun} times per launch): the table starts empty, SQLite is warm.
No goal is set for these; the floor is the core's own query
(\`Puller::records\`, 200 rows newest first, measured directly in Rust, no IPC
or drawing${rec ? `, ${rec.first.ms.n} times each` : ""}).`;
  } else {
    text = `The webview measurement did not run (target/bench/preview.json is missing);
only the core's query over ${n0(rec.total)} rows is reported.`;
  }
  if (rec) {
    rows.push(
      `| floor: \`Puller::records\` at offset 0 (200 rows) | ${tri(rec.first.ms, ms)} | |`,
      `| floor: \`Puller::records\` at offset ${n0(rec.last.offset)} (200 rows) | ${tri(rec.last.ms, ms)} | |`,
    );
  }
  let share = "";
  if (pv && rec) {
    const open = median(pv.launches.map((l) => l.cold.open.paintedMs));
    const end = median(pv.launches.map((l) => l.cold.scroll.paintedMs));
    share = `The core's query alone is ${((rec.first.ms.median / open) * 100).toFixed(0)} % of the time to the first row and ${((rec.last.ms.median / end) * 100).toFixed(0)} % of the
time to the last (medians). `;
  }
  sections["Preview (100,000 rows)"] = `${text}

| figure | min / median / max | ratio to the core query (medians) |
|---|---|---|
${rows.join("\n")}

${share}The query sorts all ${n0(rec?.total ?? 100000)} rows by date for every 200-row page
(there is no index on the sort columns, and the \`OFFSET\` walk makes the last
page slower than the first); an index on \`(connection_id, entity, date)\`
(and on each sortable column, or keyset paging) would make both pages a few
milliseconds. The rest is IPC (200 rows as JSON), on opening the
\`pull_results\` call (counts, chart, history over the same rows), and
drawing.`;
}

// ---- write
const path = join(root, "BENCHMARKS.md");
let md = readFileSync(path, "utf8");
for (const [title, body] of Object.entries(sections)) {
  const head = `## ${title}\n`;
  const at = md.indexOf(head);
  if (at < 0) {
    md = `${md.trimEnd()}\n\n${head}\n${body.trim()}\n`;
    continue;
  }
  const next = md.indexOf("\n## ", at + head.length);
  const end = next < 0 ? md.length : next + 1;
  md = `${md.slice(0, at)}${head}\n${body.trim()}\n${next < 0 ? "" : "\n"}${md.slice(end)}`;
}
const summary = missed.length
  ? `**Pull goals missed:** ${missed.join("; ")}.${met.length ? ` Met: ${met.join("; ")}.` : ""}`
  : `All pull goals met: ${met.join("; ")}.`;
md = md.replace(/\n\*\*Pull goals missed:\*\*[^\n]*\n|\nAll pull goals met:[^\n]*\n/, "\n");
const where = md.indexOf("\n## Where and when");
if (where >= 0 && (missed.length || met.length)) md = `${md.slice(0, where)}\n${summary}\n${md.slice(where)}`;
writeFileSync(path, md);
for (const title of Object.keys(sections)) console.log(`BENCHMARKS.md: ${title} written`);
console.log(summary);
