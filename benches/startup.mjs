// Startup time and memory of the app against a bare Tauri window (the floor).
//
// Run by benches/run.sh inside the private session (display, session bus,
// gnome-keyring, tauri-driver). Both release builds are launched alternately
// through WebDriver (the end-to-end tests' startSession, tests/e2e/lib.mjs), BENCH_RUNS times each after one warm-up launch of each
// that is not counted. For every launch:
//
//   ready     time from just before the new-session request until the page's
//             marker exists (app: [data-test=welcome] or [data-step-card];
//             floor: [data-test=baseline-ready]), polled with no pause;
//   load      the page's load event (navigation timing, performance.timeOrigin
//             + loadEventEnd) measured from the same instant;
//   spawned   when the app process started (from /proc), from the same instant;
//   rss, pss  resident memory summed over the app process and every
//             descendant (WebKitWebProcess, WebKitNetworkProcess, ...) once
//             idle (BENCH_IDLE_MS after ready, default 2000), from
//             /proc/<pid>/status (VmRSS) and /proc/<pid>/smaps_rollup (Pss);
//             with BENCH_SMAPS=1 also each process's resident memory per
//             mapping (libraries, [heap], [anon], ...), to see where it goes.
//
// Every app launch gets a fresh, empty data folder (ZBSETUP_DATA_DIR, set for
// tauri-driver by the driver script and emptied here before each launch).
// Writes the figures as JSON to BENCH_OUT/startup.json.

import { readFileSync, readdirSync, readlinkSync, rmSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSession } from "../tests/e2e/lib.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 2000);
const OUT = process.env.BENCH_OUT;
const DATA_DIR = process.env.ZBSETUP_DATA_DIR;
if (!OUT || !DATA_DIR || !process.env.WEBDRIVER_PORT) {
  throw new Error("run through benches/run.sh (BENCH_OUT, ZBSETUP_DATA_DIR, WEBDRIVER_PORT unset)");
}

const sides = {
  app: {
    binary: process.env.BENCH_APP,
    marker: "[data-test=welcome], [data-step-card]",
    before: () => {
      rmSync(DATA_DIR, { recursive: true, force: true });
      mkdirSync(DATA_DIR, { recursive: true });
    },
  },
  baseline: {
    binary: process.env.BENCH_BASELINE,
    marker: "[data-test=baseline-ready]",
    before: () => {},
  },
};

const CLK_TCK = 100; // USER_HZ on Linux
// Boot time to the hundredth of a second (btime in /proc/stat is whole seconds).
const bootEpochMs = Date.now() - Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]) * 1000;

function procStat(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = s.slice(s.lastIndexOf(")") + 2).split(" ");
  return { ppid: Number(fields[1]), starttime: Number(fields[19]) };
}

function pidsOf(binary) {
  const found = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/exe`) === binary) found.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** The process and all its descendants. */
function tree(pid) {
  const children = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const { ppid } = procStat(name);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      // gone
    }
  }
  const all = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift();
    all.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return all;
}

function kib(text, key) {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

/** Resident KiB per mapping (file name, [heap], [anon], ...), largest first. */
function mappings(pid) {
  const by = new Map();
  let name = "";
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      name = head[1].split("/").pop() || "[anon]";
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) by.set(name, (by.get(name) ?? 0) + Number(rss[1]));
  }
  return Object.fromEntries([...by].sort((a, b) => b[1] - a[1]).slice(0, 15));
}

function memory(pid) {
  let rss = 0;
  let pss = 0;
  const processes = [];
  for (const p of tree(pid)) {
    try {
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      const name = /^Name:\s+(.*)$/m.exec(status)[1];
      const r = kib(status, "VmRSS");
      let s = 0;
      try {
        s = kib(readFileSync(`/proc/${p}/smaps_rollup`, "utf8"), "Pss");
      } catch {
        // no smaps_rollup (old kernel): PSS unknown
      }
      rss += r;
      pss += s;
      processes.push({
        name,
        rssKiB: r,
        pssKiB: s,
        threads: kib(status.replace(/^Threads:\s+(\d+)$/m, "Threads: $1 kB"), "Threads"),
        ...(process.env.BENCH_SMAPS ? { mappings: mappings(p) } : {}),
      });
    } catch {
      // gone
    }
  }
  return { rssKiB: rss, pssKiB: pss, processes };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function launch(sideName) {
  const side = sides[sideName];
  side.before();
  const epoch0 = Date.now();
  const t0 = performance.now();
  const browser = await startSession(undefined, { application: side.binary, logLevel: "error" });
  const tSession = performance.now();
  let tReady;
  let polls = 0;
  for (;;) {
    polls++;
    const found = await browser.findElements("css selector", side.marker);
    if (found.length > 0) {
      tReady = performance.now();
      break;
    }
    if (performance.now() - t0 > 30_000) throw new Error(`${sideName}: the page never showed ${side.marker}`);
  }
  const timing = await browser.execute(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    return {
      firstContentfulPaint: fcp ? fcp.startTime : null,
      timeOrigin: performance.timeOrigin,
      domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
      loadEventEnd: nav ? nav.loadEventEnd : null,
      // The app's own marks (ui/src/main.ts); the floor has none.
      marks: Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, m.startTime])),
    };
  });
  // The process this launch started (one clock tick of slack): never another run's.
  const started = (p) => bootEpochMs + (procStat(p).starttime * 1000) / CLK_TCK;
  const ours = pidsOf(side.binary)
    .map((p) => ({ p, at: started(p) }))
    .filter(({ at }) => at >= epoch0 - 30)
    .sort((x, y) => y.at - x.at);
  if (!ours.length) throw new Error(`${sideName}: no process started by this launch runs ${side.binary}`);
  const { p: pid, at: spawnedEpoch } = ours[0];
  await sleep(IDLE_MS);
  const mem = memory(pid);
  try {
    await browser.deleteSession();
  } catch (e) {
    console.error(`${sideName}: closing the window failed: ${e}`);
  }
  const alive = () => pidsOf(side.binary).includes(pid);
  for (let i = 0; i < 50 && alive(); i++) await sleep(100);
  if (alive()) {
    console.error(`${sideName}: still running 5 s after the session ended; killing ${pid}`);
    process.kill(pid, "SIGKILL");
  }
  await sleep(300);
  const sinceEpoch0 = (ms) => (ms == null ? null : ms - epoch0);
  return {
    readyMs: tReady - t0,
    polls,
    pollMs: (tReady - tSession) / polls,
    sessionMs: tSession - t0,
    spawnedMs: sinceEpoch0(spawnedEpoch),
    domContentLoadedMs: timing.domContentLoaded ? sinceEpoch0(timing.timeOrigin + timing.domContentLoaded) : null,
    loadMs: timing.loadEventEnd ? sinceEpoch0(timing.timeOrigin + timing.loadEventEnd) : null,
    paintMs: timing.firstContentfulPaint ? sinceEpoch0(timing.timeOrigin + timing.firstContentfulPaint) : null,
    marksMs: Object.fromEntries(
      Object.entries(timing.marks ?? {}).map(([name, at]) => [name, Math.round(sinceEpoch0(timing.timeOrigin + at))]),
    ),
    ...mem,
  };
}

const results = { runs: RUNS, idleMs: IDLE_MS, app: [], baseline: [] };
console.log(`startup: warm-up launch of each side (not counted)`);
await launch("app");
await launch("baseline");
for (let i = 0; i < RUNS; i++) {
  // Alternate, and alternate which side goes first, so neither always follows the other.
  const order = i % 2 === 0 ? ["app", "baseline"] : ["baseline", "app"];
  for (const side of order) {
    const r = await launch(side);
    results[side].push(r);
    console.log(
      `startup: run ${i + 1}/${RUNS} ${side.padEnd(8)} ready ${r.readyMs.toFixed(0)} ms` +
        ` (session ${r.sessionMs.toFixed(0)} ms, load event ${r.loadMs?.toFixed(0) ?? "?"} ms,` +
        ` first paint ${r.paintMs?.toFixed(0) ?? "?"} ms, ${r.polls} polls` +
        Object.entries(r.marksMs).map(([name, ms]) => `, ${name} ${ms} ms`).join("") +
        ")" +
        `, RSS ${(r.rssKiB / 1024).toFixed(1)} MiB, PSS ${(r.pssKiB / 1024).toFixed(1)} MiB` +
        ` [${r.processes.map((p) => `${p.name} ${(p.rssKiB / 1024).toFixed(0)}`).join(", ")}]`,
    );
  }
}
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, "startup.json"), JSON.stringify(results, null, 2));
