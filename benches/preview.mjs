// The results preview with 100,000 rows in the real webview.
//
// Run by benches/run.sh inside the private session (display, session bus,
// gnome-keyring, tauri-driver; see tests/desktop.sh). BENCH_PREVIEW_DATA is
// a data folder whose demo profile (demo/zbsetup.sqlite3) holds a pull of
// 100,000 invoices for the connection "bench" (made by
// `pull-bench preview-data`). Each of BENCH_RUNS launches gets a fresh copy
// of it (so every launch starts from the welcome screen and a cold page
// cache in the app), chooses the demo, opens "Test the connection", and then
// measures inside the page with performance.now():
//
//   open     from clicking "Pull sample data" on the connection until the
//            first row (.trow) is in the DOM, and until the frame after it
//            (requestAnimationFrame twice: the frame that paints it);
//   scroll   from setting the viewport's scrollTop to its scrollHeight until
//            the last row (aria-rowindex = total + 1) is in the DOM, and the
//            frame after it.
//
// Then the same twice more in the same window (Hide, Pull sample data again:
// the table starts empty each time; the SQLite file is warm) as "warm".
// Writes BENCH_OUT/preview.json.

import { execFileSync } from "node:child_process";
import { rmSync, mkdirSync, cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSession } from "../tests/e2e/lib.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WARM = Number(process.env.BENCH_PREVIEW_WARM ?? 2);
const OUT = process.env.BENCH_OUT;
const SOURCE = process.env.BENCH_PREVIEW_DATA;
const APP = process.env.BENCH_APP;
const TMP = process.env.DESKTOP_TMP;
if (!OUT || !SOURCE || !APP || !TMP || !process.env.WEBDRIVER_PORT) {
  throw new Error("run through benches/run.sh (BENCH_OUT, BENCH_PREVIEW_DATA, BENCH_APP, DESKTOP_TMP, WEBDRIVER_PORT unset)");
}
const EXPECTED = Number(process.env.BENCH_PREVIEW_ROWS ?? 100000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(browser, selector, timeout = 30_000) {
  const t0 = Date.now();
  for (;;) {
    if ((await browser.findElements("css selector", selector)).length > 0) return;
    if (Date.now() - t0 > timeout) throw new Error(`preview: ${selector} never appeared`);
    await sleep(50);
  }
}

/** Clicks in the page (not through WebDriver, so the clock starts at the click). */
async function clickInPage(browser, selector) {
  const ok = await browser.execute((sel) => {
    const el = document.querySelector(sel);
    if (!el) return false;
    el.click();
    return true;
  }, selector);
  if (!ok) throw new Error(`preview: nothing to click at ${selector}`);
}

// Both measurements run inside the page: start, act, then watch the DOM on
// every mutation and animation frame until the target exists.
const MEASURE = `
  const [action, target, done] = arguments;
  const t0 = performance.now();
  let inDom = null;
  const finish = (r) => { observer.disconnect(); clearTimeout(timer); done(r); };
  const check = () => {
    if (inDom !== null || !document.querySelector(target)) return;
    inDom = performance.now();
    requestAnimationFrame(() => requestAnimationFrame(() => finish({ inDomMs: inDom - t0, paintedMs: performance.now() - t0 })));
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, { childList: true, subtree: true, attributes: true });
  const timer = setTimeout(() => finish({ error: "timed out waiting for " + target }), 60000);
  if (action === "open") {
    document.querySelector("[data-test=open-pull]").click();
  } else {
    const v = document.querySelector("[data-test=preview-viewport]");
    v.scrollTop = v.scrollHeight;
  }
  check();
`;

async function measure(browser, action, target) {
  const r = await browser.executeAsync(MEASURE, action, target);
  if (r.error) throw new Error(`preview: ${action}: ${r.error}`);
  return r;
}

async function openAndScroll(browser) {
  const open = await measure(browser, "open", ".trow");
  const count = await browser.execute(() => document.getElementById("preview-count")?.textContent ?? "");
  const total = Number((/^(\d+)/.exec(count) ?? [, "NaN"])[1]);
  if (total !== EXPECTED) throw new Error(`preview: the table says "${count}", expected ${EXPECTED} records`);
  const scroll = await measure(browser, "scroll", `.trow[aria-rowindex="${total + 1}"]`);
  const rowsInDom = await browser.execute(() => document.querySelectorAll(".trow").length);
  return { open, scroll, total, rowsInDom };
}

async function launch(run) {
  const dir = join(TMP, `preview-${run}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(SOURCE, dir, { recursive: true });
  const browser = await startSession(["--data-dir", dir], { application: APP, logLevel: "error" });
  try {
    await waitFor(browser, "[data-test=welcome], [data-step-card]");
    if ((await browser.findElements("css selector", "[data-test=choose-demo]")).length > 0) {
      await clickInPage(browser, "[data-test=choose-demo]");
    }
    await waitFor(browser, "[data-step-card]");
    await waitFor(browser, 'button[data-step="test"]');
    await clickInPage(browser, 'button[data-step="test"]');
    await waitFor(browser, "[data-test=open-pull]");
    await sleep(500); // let the window settle (demo simulator, status)
    const cold = await openAndScroll(browser);
    const warm = [];
    for (let i = 0; i < WARM; i++) {
      await clickInPage(browser, "[data-test=open-pull]"); // Hide
      await browser.waitUntil(
        async () => (await browser.findElements("css selector", "[data-test=preview-viewport]")).length === 0,
        { timeout: 10_000, interval: 50, timeoutMsg: "preview: the table did not close" },
      );
      await sleep(300);
      warm.push(await openAndScroll(browser));
    }
    return { cold, warm };
  } catch (e) {
    // What the window showed, for the log.
    try {
      // From the display: WebKitWebDriver's screenshot hangs with the app's renderer.
      execFileSync("import", ["-display", process.env.DISPLAY, "-window", "root", join(OUT, `preview-failure-${run}.png`)]);
      const main = await browser.execute(() => document.body.innerText.slice(0, 2000));
      console.error(`preview: the window said:\n${main}`);
    } catch {
      // no window left
    }
    throw e;
  } finally {
    try {
      await browser.deleteSession();
    } catch (e) {
      console.error(`preview: closing the window failed: ${e}`);
    }
    await sleep(1000);
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = { runs: RUNS, warmPerRun: WARM, expected: EXPECTED, launches: [] };
for (let i = 0; i < RUNS; i++) {
  const r = await launch(i);
  results.launches.push(r);
  const f = (m) => `${m.inDomMs.toFixed(0)}/${m.paintedMs.toFixed(0)} ms`;
  console.log(
    `preview: run ${i + 1}/${RUNS}: open → first row ${f(r.cold.open)} (in DOM/painted), scroll → last row ${f(r.cold.scroll)}` +
      `; warm: ${r.warm.map((w) => `open ${f(w.open)}, scroll ${f(w.scroll)}`).join("; ")}`,
  );
}
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, "preview.json"), JSON.stringify(results, null, 2));
