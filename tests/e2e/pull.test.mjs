// Sample pulls in the real window, in demo mode: choose what to pull, see the
// forecast, start, watch the progress, cancel, continue where it stopped, see
// the results, open a record, export.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { answerSaveDialog, click, selected, launch, shot, text, until, paste, quit, dataDir, demoConnect, previewFit, resize } from "./lib.mjs";

const DATA_DIR = dataDir("pull");
const EXPORT_DIALOG = "Export the pulled records: name the new folder for the files";

test("pull sample data: forecast, progress, cancel, continue, results, record, export", async () => {
  const browser = await launch(DATA_DIR);
  try {
    await demoConnect(browser);
    // The new connection's sample pull opens by itself.
    await (await browser.$("[data-test=pull-settings]")).waitForExist({ timeout: 10_000 });

    // Reduced by default: three entities, 25 each, no extra detail; one call each.
    for (const e of ["invoices", "creditnotes", "customers"]) {
      assert.ok(await selected(browser, `input[data-entity=${e}]`), `${e} chosen by default`);
    }
    assert.ok(!(await selected(browser, "input[data-entity=vendors]")));
    assert.ok(!(await selected(browser, "[data-test=line-items]")));
    await until(browser, async () => /About 3 API calls/.test(await text(browser, "[data-test=forecast]")), "no forecast of 3 calls");
    // The terms, explained once, in place.
    await click(browser, "[data-test=terms] summary");
    assert.match(await text(browser, "[data-test=terms]"), /An API call is one request this app sends to Zoho.*\(the rate limit\).*\(the daily quota/s);
    // The sign-in allowed what the sample needs: vendors (contacts) yes,
    // bills no, and a chosen bills says so beside the box, with the fix.
    assert.ok(!(await browser.$("[data-test=needs-reconnect-vendors]").isExisting()));
    assert.ok(await browser.$("[data-test=needs-reconnect-bills]").isExisting(), "bills are outside the sign-in");
    await click(browser, "input[data-entity=bills]");
    await until(browser, async () => /does not allow reading bills.*Reconnect/.test(await text(browser, "[data-test=outside-sign-in]").catch(() => "")), "no word about bills");
    await click(browser, "input[data-entity=bills]");
    await until(browser, async () => !(await browser.$("[data-test=outside-sign-in]").isExisting()), "the word stayed after unticking");
    // Line items cost one call per record, and the forecast says so.
    await click(browser, "[data-test=line-items]");
    await until(browser, async () => /About 53 API calls/.test(await text(browser, "[data-test=forecast]")), "line items not in the forecast");
    await click(browser, "[data-test=line-items]");

    // Everything of the three: 6 pages, long enough at 20 requests a minute
    // to watch the figures move and cancel midway.
    await click(browser, "[data-test=pull-all]");
    await until(browser, async () => /at least/i.test(await text(browser, "[data-test=forecast]")), "no lower-bound forecast");
    await shot(browser, "20-pull-settings");
    // "At least" is no help: counting the records (one call per 200) makes it a figure.
    await click(browser, "[data-test=count-records]");
    await until(browser, async () => /^About \d+ API calls/.test(await text(browser, "[data-test=forecast]")), "the count did not make the forecast a figure", 60_000);
    assert.match(await text(browser, "[data-test=count-said]"), /^Counted with \d+ API calls\./);
    assert.equal(await browser.$("[data-test=count-records]").isExisting(), false, "the count is still offered");
    const forecastCalls = Number(/^About (\d+) API calls/.exec(await text(browser, "[data-test=forecast]"))[1]);
    await shot(browser, "20b-pull-settings-counted");
    await click(browser, "[data-test=start-pull]");
    await (await browser.$("[data-test=pull-progress]")).waitForExist({ timeout: 10_000 });
    await until(browser, async () => /[1-9]\d* records/.test(await text(browser, "[data-entity-progress=invoices]")), "no progress", 20_000);
    assert.match(await text(browser, "[data-test=pull-progress]"), /requests allowed per minute/);
    // Today's API calls follow the running pull (they used to stand still until it ended).
    const usedNow = async () => Number((/^([\d,]+) of/.exec(await text(browser, "[data-test=quota-used]")) ?? ["", "-1"])[1].replace(/,/g, ""));
    const usedAtStart = await usedNow();
    await until(
      browser,
      async () => (await usedNow()) > usedAtStart && (await browser.$("[data-test=pull-progress]").isExisting()),
      "today's API calls stood still during the pull",
      30_000,
    );
    await shot(browser, "21-pull-progress");
    await click(browser, "[data-test=cancel-pull]");
    await until(browser, async () => /stopped|saved/i.test(await text(browser, "[data-test=pull-outcome]").catch(() => "")), "cancel not confirmed", 20_000);
    await (await browser.$("[data-test=pull-settings]")).waitForExist({ timeout: 10_000 });
    await click(browser, "[data-test=history]");
    assert.match(await text(browser, "[data-test=history]"), /cancelled/);

    // The stopped pull is offered for resuming, beside the form; it continues, and completes.
    assert.match(await text(browser, "[data-test=resume-notice]"), /was stopped after \d+ API calls?\. What it pulled is saved/);
    await click(browser, "[data-test=resume-pull]");
    await until(browser, async () => /Pull complete: 720 records/.test(await text(browser, "main")), "pull did not complete", 90_000);
    // The counted forecast holds: the calls made are the forecast's, and at
    // most one more per record type (a page in flight when it was stopped).
    const made = Number(/Pull complete: 720 records in (\d+) API calls/.exec(await text(browser, "main"))[1]);
    assert.ok(made >= forecastCalls && made <= forecastCalls + 3, `forecast ${forecastCalls} calls, made ${made}`);
    // The outcome shows where the progress was, at the head of the results,
    // and is brought into view with them.
    assert.match(await text(browser, "[data-test=pull-results] [data-test=pull-outcome]"), /^Pull complete: 720 records in \d+ API calls/);
    await until(
      browser,
      () =>
        browser.execute(() => {
          const r = document.querySelector("[data-test=pull-outcome]")?.getBoundingClientRect();
          return r !== undefined && r.top >= -1 && r.bottom <= window.innerHeight + 1;
        }),
      `the outcome is out of view: ${JSON.stringify(await browser.execute(() => {
        const el = document.querySelector("[data-test=pull-outcome]");
        const r = el?.getBoundingClientRect();
        return { top: r?.top, bottom: r?.bottom, h: window.innerHeight, y: window.scrollY, parent: el?.parentElement?.getAttribute("data-test") };
      }))}`,
    );
    assert.match(await text(browser, "[data-count=invoices]"), /^240 Invoices/);
    assert.match(await text(browser, "[data-test=progress]"), /6 of 6 steps done|steps done/);
    assert.match(await text(browser, "[data-test=quota]"), /of 5000 used/);
    // The reset: at the organization's midnight (its UTC offset follows from
    // Zoho's reset time), shown in the person's time.
    assert.match(
      await text(browser, "[data-test=quota-reset]"),
      /^Resets at midnight in the organization's time zone \(UTC[−+]\d\d:\d\d\): .+ your time\.$/,
    );
    await shot(browser, "22-pull-results");

    // The chart reads at a glance: its words are page text at the page's
    // size, and a pull of a few minutes draws wide bars, at both sizes.
    const summary = await text(browser, "[data-test=rate-summary]");
    const busiest = Number(/^Busiest minute: (\d+) requests?, \d+% of Zoho's limit\.$/.exec(summary)?.[1]);
    assert.ok(busiest > 0 && busiest <= 20, `at most Zoho's 20 a minute here: ${summary}`);
    for (const size of [null, { width: 500, height: 600 }]) {
      if (size) await browser.setWindowSize(size.width, size.height);
      const m = await browser.execute(() => {
        const px = (sel) => Math.min(...[...document.querySelectorAll(sel)].map((e) => parseFloat(getComputedStyle(e).fontSize)));
        const bars = [...document.querySelectorAll("[data-test=rate-chart] .bar")].map((b) => b.getBoundingClientRect());
        return {
          text: px("[data-test=rate-chart] figcaption, [data-test=rate-chart] .chart-axis span, [data-test=rate-summary]"),
          svgText: document.querySelectorAll("[data-test=rate-chart] svg text").length,
          widest: Math.max(...bars.map((b) => b.width)),
          tallest: Math.max(...bars.map((b) => b.height)),
          frame: document.querySelector("[data-test=rate-chart] .chart-frame").getBoundingClientRect().height,
        };
      });
      const at = size ? "500 px" : "the default size";
      assert.ok(m.text >= 13, `chart words at ${m.text}px at ${at}`);
      assert.equal(m.svgText, 0, "no words drawn into the picture, where they shrink with it");
      assert.ok(m.widest >= 12, `bars ${m.widest.toFixed(1)}px wide at ${at}`);
      // The busiest bar stands as high as its share of the scale (Zoho's limit and a margin).
      const expected = (busiest / Math.max(20 * 1.15, busiest)) * m.frame;
      assert.ok(Math.abs(m.tallest - expected) <= 2, `the busiest bar ${m.tallest.toFixed(1)}px tall, not ${expected.toFixed(1)}, at ${at}`);
      assert.ok(m.frame >= 100, `a chart ${m.frame}px tall at ${at}`);
    }
    await browser.setWindowSize(1080, 760);

    // The preview: sorted, searchable, a record opens.
    const first = await browser.$(".trow");
    await first.waitForExist({ timeout: 10_000 });
    await click(browser, "button[data-sort=total]");
    await until(browser, async () => (await browser.$("[data-col=total]").getAttribute("aria-sort")) === "descending", "not sorted");
    await (await browser.$(".trow")).waitForExist({ timeout: 10_000 });
    const label = await (await browser.$(".trow span")).getProperty("textContent");
    assert.match(label, /^INV-\d+$/, "the first row shows an invoice number");
    // Amounts with the organization's currency and thousands separators,
    // dates in full, statuses as words, and no cell cut off (the name, the
    // date, the amount...): at the window's size and at 500 px, and nothing
    // to scroll sideways at the window's size.
    const cells = () =>
      browser.execute(() =>
        [...document.querySelectorAll(".trow")].map((r) => {
          const c = [...r.querySelectorAll("span")];
          const cut = (e) => e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight + 1;
          return { date: c[1].textContent, status: c[3].textContent, amount: c[4].textContent, cut: c.some(cut) };
        }),
      );
    for (const size of [null, { width: 500, height: 600 }]) {
      if (size) await resize(browser, size.width, size.height);
      await until(browser, async () => (await cells()).every((r) => !r.cut), `cells cut off at ${size ? "500 px" : "the default size"}: ${JSON.stringify((await cells()).filter((r) => r.cut).slice(0, 3))}`);
      const rows = await cells();
      assert.ok(rows.length > 0);
      for (const r of rows) {
        assert.match(r.amount, /\$|USD/, `an amount with its currency: ${r.amount}`);
        assert.doesNotMatch(r.amount, /\d{4}|\$ /, `an amount with thousands separators: ${r.amount}`);
        assert.doesNotMatch(r.date, /^\d{4}-\d{2}-\d{2}$/, `a date for people: ${r.date}`);
        assert.doesNotMatch(r.status, /_/, `a status in words: ${r.status}`);
      }
      const fit = await previewFit(browser);
      assert.deepEqual(fit.cut, [], `headers or cells cut off: ${JSON.stringify(fit)}`);
      if (!size) assert.equal(fit.pageSideways + fit.tableSideways, 0, `sideways scrolling at the default size: ${JSON.stringify(fit)}`);
    }
    await browser.setWindowSize(1080, 760);
    await paste(browser, "[data-test=preview-search]", label);
    await until(browser, async () => /^1 record$/.test(await text(browser, "#preview-count")), "search did not narrow to one", 10_000);
    await click(browser, ".trow");
    await (await browser.$("[data-test=record-view]")).waitForDisplayed({ timeout: 10_000 });
    assert.match(await text(browser, "[data-test=record-key-fields]"), new RegExp(label));
    assert.ok(!(await browser.$("[data-test=record-line-items]").isExisting()), "reduced pull: no line items");
    await click(browser, "[data-test=show-raw]");
    assert.match(await text(browser, "[data-test=raw-json]"), /"invoice_id"/);
    assert.doesNotMatch(await text(browser, "[data-test=raw-json]"), /"line_items"/, "reduced pull: no line items");
    await shot(browser, "23-pull-record");
    await click(browser, "[data-test=close-record]");
    await until(browser, async () => !(await browser.$("[data-test=record-view]").isExisting()), "the record stayed open");

    // Export CSV: the system's save dialog asks where, suggesting a dated
    // folder name; cancelling it exports nothing, and says so.
    await click(browser, "[data-test=export-csv]");
    await until(browser, async () => (await (await browser.$("[data-test=exported]")).getAttribute("data-state")) === "asking", "no word while the dialog is open");
    await answerSaveDialog(EXPORT_DIALOG, null);
    await until(browser, async () => (await (await browser.$("[data-test=exported]")).getAttribute("data-state")) === "cancelled", "the cancel was not said");
    assert.match(await text(browser, "[data-test=exported]"), /Not exported/);
    // Then for real, into a folder the person names.
    const chosen = join(process.env.DESKTOP_TMP, "chosen place", `Harbour Lane export ${Date.now()}`);
    mkdirSync(dirname(chosen), { recursive: true });
    await click(browser, "[data-test=export-csv]");
    await answerSaveDialog(EXPORT_DIALOG, chosen);
    await until(browser, async () => (await (await browser.$("[data-test=exported]")).getAttribute("data-state")) === "saved", "not exported", 20_000);
    assert.equal(await text(browser, "[data-test=export-folder]"), chosen);
    const day = new Date().toISOString().slice(0, 10);
    const invoices = join(chosen, `invoices ${day}.csv`);
    assert.ok(existsSync(invoices), `${invoices} exists: ${readdirSync(chosen).join(", ")}`);
    assert.equal(readFileSync(invoices, "utf8").trim().split("\n").length, 241, "header and 240 invoices");
    assert.match(await text(browser, "[data-test=exported]"), new RegExp(`invoices ${day}\\.csv \\(240 records\\)`));
    await shot(browser, "24-pull-exported");
    // "Open the folder" opens that folder in the file manager.
    await click(browser, "[data-test=export-open-folder]");
    await until(browser, async () => /Opened/.test(await text(browser, "[data-test=export-open-folder-feedback]")), "the folder was not opened");
    await until(browser, async () => readFileSync(process.env.OPENED_URLS, "utf8").includes(chosen), "the file manager was not asked to show the folder");
  } finally {
    await quit(browser);
  }
});
