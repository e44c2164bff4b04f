// Closing the window while a sample pull runs, in demo mode: the close is
// held and the window asks, with "Keep pulling" focused; keeping on lets the
// pull go on, "Stop and close" stops it cleanly (the next start offers to
// resume a pull that was stopped, with its real call count) and closes.
// With no pull running, the window closes at once with no question.

import { test } from "node:test";
import assert from "node:assert/strict";
import { appEnded, appRunning, click, dataDir, demoConnect, launch, openStep, quit, requestClose, shot, text, until } from "./lib.mjs";

const DATA_DIR = dataDir("close");

/** The pull's call count so far, from the progress line. */
async function callsSoFar(browser) {
  const m = /(\d+) API calls? so far/.exec(await text(browser, "[data-test=pull-progress]").catch(() => ""));
  return m ? Number(m[1]) : 0;
}

test("closing mid-pull asks first; Keep pulling goes on, Stop and close stops it as stopped", async () => {
  let browser = await launch(DATA_DIR);
  try {
    await demoConnect(browser);
    await (await browser.$("[data-test=pull-settings]")).waitForExist({ timeout: 10_000 });
    // Every invoice with its line items (a call each), at 20 requests a
    // minute: minutes long, so it is still running whenever the window is closed.
    await click(browser, "input[data-entity=creditnotes]");
    await click(browser, "input[data-entity=customers]");
    await click(browser, "[data-test=pull-all]");
    await click(browser, "[data-test=line-items]");
    await click(browser, "[data-test=start-pull]");
    await until(browser, async () => (await callsSoFar(browser)) >= 1, "the pull made no call", 20_000);

    // The window manager's close: held, and the question asked in place.
    await requestClose(browser);
    await (await browser.$("[data-test=close-question]")).waitForDisplayed({ timeout: 10_000 });
    const question = await text(browser, "[data-test=close-question]");
    assert.match(question, /A sample pull is still running/);
    assert.match(question, /If you close now it stops; you can resume it next time you open the app/);
    assert.ok(appRunning(), "the app is still running");
    assert.equal(await browser.execute(() => document.activeElement?.getAttribute("data-test")), "keep-pulling", "Keep pulling has the focus");
    await shot(browser, "50-close-question");

    // Keep pulling: the question goes, the pull goes on.
    const before = await callsSoFar(browser);
    await click(browser, "[data-test=keep-pulling]");
    await until(browser, async () => !(await browser.$("[data-test=close-question]").isExisting()), "the question stayed");
    await until(browser, async () => (await callsSoFar(browser)) > before, "the pull did not go on", 20_000);
    assert.ok(await browser.$("[data-test=pull-progress]").isExisting(), "still pulling");

    // Closed again: Stop and close stops the pull and closes the window.
    await requestClose(browser);
    await (await browser.$("[data-test=close-question]")).waitForDisplayed({ timeout: 10_000 });
    // The window may be gone before the driver hears back from the click.
    await click(browser, "[data-test=stop-and-close]").catch((e) => {
      if (!/invalid session|no such window/i.test(String(e))) throw e;
    });
    assert.ok(await appEnded(20_000), "the app closed after stopping the pull");
  } finally {
    await quit(browser);
  }

  // The next start: the last pull of the history is saved as stopped (not
  // running, not interrupted), with the calls it made, and offered for resuming.
  browser = await launch(DATA_DIR);
  try {
    await openStep(browser, "test");
    if (!(await browser.$("[data-test=pull-settings]").isExisting())) await click(browser, "[data-test=open-pull]");
    await (await browser.$("[data-test=resume-notice]")).waitForExist({ timeout: 10_000 });
    const notice = await text(browser, "[data-test=resume-notice]");
    const m = /The last pull was stopped after (\d+) API calls?/.exec(notice);
    assert.ok(m, `the pull shows as stopped: ${notice}`);
    assert.ok(Number(m[1]) >= 2, `with the calls it made: ${notice}`);

    // No pull running: the window closes at once, without a question.
    await requestClose(browser);
    assert.ok(await appEnded(10_000), "the app closed at once");
  } finally {
    await quit(browser);
  }
});
