// Demo stories for sales engineers, in the real window: from the top bar's
// "Demo stories", each story's button stages it on the demo's simulator and
// opens the screen where it plays, with what the customer would see; each
// plays as the product handles it, and "End the story" brings the normal
// demo back.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { acceptConsent, click, dataDir, demoConnect, launch, quit, shot, text, texts, until } from "./lib.mjs";

const DATA_DIR = dataDir("stories");

/** Opens the panel and starts `story`; waits for its caption on the step it plays on. */
async function startStory(browser, story, step) {
  if (!(await browser.$("[data-test=stories]").isExisting())) await click(browser, "[data-test=stories-button]");
  await click(browser, `[data-test=stories] [data-story=${story}]`);
  await until(
    browser,
    async () => (await browser.$(`[data-test=story-caption][data-story=${story}]`).isExisting()) && (await browser.$(`[data-step-card=${step}]`).isExisting()),
    `${story} did not start on ${step}`,
    60_000,
  );
  const caption = await text(browser, "[data-test=story-caption]");
  assert.match(caption, /What your customer would see:/);
  return caption;
}

async function endStory(browser) {
  await click(browser, "[data-test=end-story]");
  await until(browser, async () => !(await browser.$("[data-test=story-caption]").isExisting()), "the story did not end", 30_000);
  await until(browser, async () => /back on the normal demo/.test(await text(browser, "[data-test=info]").catch(() => "")), "no word that the story ended", 30_000);
  await assertNormalDemo(browser);
}

/** Every panel as the normal demo shows it: nothing the story left behind. */
async function assertNormalDemo(browser) {
  // No test result from the story (a red "did not pass" least of all).
  assert.equal(await (await browser.$("[data-test=test-result]")).isExisting(), false, "a test result from the story stayed");
  // No pull outcome from the story.
  assert.equal(await (await browser.$("[data-test=pull-outcome]")).isExisting(), false, "the story's pull outcome stayed");
  // The quota and the forecast are not the story's "none left".
  await until(browser, async () => !/ 0 left/.test(await text(browser, "[data-test=quota-used]").catch(() => "")), "the quota still says none is left", 15_000);
  assert.doesNotMatch(await text(browser, "[data-test=forecast]").catch(() => ""), /^0 calls left/);
  // The pull form belongs to a connection that is listed.
  const open = await browser.execute(() => document.querySelector("[data-test=pull-settings]")?.closest("[data-connection]")?.getAttribute("data-connection") ?? null);
  if (open) assert.ok(await (await browser.$(`[data-connection="${open}"]`)).isExisting(), "the pull form is tied to a connection that is gone");
  assert.doesNotMatch(await text(browser, "main"), /There is no connection/);
}

test("demo stories: each stages on the simulator, plays in the customer's words, and ends back on the normal demo", async () => {
  const browser = await launch(DATA_DIR);
  try {
    await demoConnect(browser);
    await until(browser, async () => (await texts(browser, "[data-test=connection-name]")).length === 1, "the demo's connection is not listed");

    // The panel: one button per story, each with what the customer will see.
    await click(browser, "[data-test=stories-button]");
    await (await browser.$("[data-test=stories]")).waitForExist({ timeout: 5000 });
    const buttons = await texts(browser, "[data-test=stories] [data-story]");
    assert.equal(buttons.length, 5, `five stories: ${buttons}`);
    assert.match(await text(browser, "[data-test=stories]"), /accounts\.zoho\.com/);
    await shot(browser, "40-demo-stories");

    // 1. A customer in Europe: the sign-in starts at the US accounts server
    // and the organization comes back from Europe, where it is connected.
    let caption = await startStory(browser, "other_data_center", "test");
    assert.match(caption, /accounts\.zoho\.com/);
    assert.match(caption, /Europe is not among the data centers chosen in “Before you start”/);
    // The demo's browser shows the simulator's address; the caption says what a customer's shows.
    assert.match(caption, /your customer's shows accounts\.zoho\.com, then accounts\.zoho\.eu/);
    await click(browser, "[data-test=connect]");
    await (await browser.$("[data-test=waiting]")).waitForExist({ timeout: 10_000 });
    const url = await (await browser.$("[data-test=waiting]")).getAttribute("data-authorize-url");
    await fetch(await acceptConsent(url));
    await (await browser.$("[data-test=org-picker]")).waitForExist({ timeout: 15_000 });
    assert.match(await text(browser, "[data-test=org-picker]"), /Data center: Europe/);
    // Organizations in Europe keep their books in euros, not the US demo's dollars.
    assert.match(await text(browser, "[data-test=org-picker]"), /Currency: EUR/);
    assert.doesNotMatch(await text(browser, "[data-test=org-picker]"), /Currency: USD/);
    assert.match(await text(browser, "[data-test=region-not-chosen]"), /Europe is not among the data centers you chose/);
    await shot(browser, "41-story-europe");
    await click(browser, "[data-test=connect-org]");
    await until(browser, async () => /EU data center/.test(await text(browser, "[data-test=connections]")), "not connected in Europe", 15_000);
    await endStory(browser);
    await until(browser, async () => !/EU data center/.test(await text(browser, "[data-test=connections]")), "the European connection stayed");

    // 2. A data center switched off in the console: the key check names it, with the fix.
    caption = await startStory(browser, "data_center_off", "keys");
    assert.match(caption, /United Kingdom/);
    await until(browser, async () => /Does not accept the keys/.test(await text(browser, "[data-region-check=uk]")), "the UK does not refuse", 15_000);
    assert.match(await text(browser, "[data-region-check=uk]"), /Settings tab/);
    assert.match(await text(browser, "[data-region-check=us]"), /Accepts the keys/);
    await shot(browser, "42-story-data-center-off");
    await endStory(browser);
    await until(browser, async () => /Accepts the keys/.test(await text(browser, "[data-region-check=uk]")), "the UK still refuses after the story", 15_000);

    // 3. The daily quota runs out mid-pull: paused on Zoho's words, the
    // reset at the organization's midnight, continued after the story.
    caption = await startStory(browser, "daily_quota", "test");
    assert.match(caption, /One API call is left|Only one API call is left/i);
    await (await browser.$("[data-test=pull-settings]")).waitForExist({ timeout: 10_000 });
    await click(browser, "[data-test=start-pull]");
    await until(browser, async () => /daily limit/.test(await text(browser, "[data-test=pull-outcome]").catch(() => "")), "the pull did not pause on the daily limit", 30_000);
    await until(browser, async () => /paused when the daily quota ran out/.test(await text(browser, "[data-test=resume-notice]").catch(() => "")), "no offer to resume", 15_000);
    assert.match(await text(browser, "[data-test=quota-reset]"), /^Resets at midnight in the organization's time zone/);
    await shot(browser, "43-story-daily-quota");
    await endStory(browser);
    // Ending the story forgot Zoho's "nothing left", so nothing should ask;
    // were the window to ask, the person would say yes.
    await browser.execute(() => {
      window.confirm = () => true;
    });
    await click(browser, "[data-test=resume-pull]");
    await until(browser, async () => /Pull complete/.test(await text(browser, "main")), "the pull did not continue", 60_000);

    // 4. A Zoho user whose role does not allow credit notes: Test names it with the fix.
    caption = await startStory(browser, "module_refused", "test");
    assert.match(caption, /credit notes/);
    await click(browser, "[data-test=test-connection]");
    await until(browser, async () => (await browser.$("[data-test=test-result][data-ok=false]").isExisting()), "the test did not fail", 20_000);
    const refused = await text(browser, "[data-test=test-result] [data-entity=creditnotes]");
    assert.match(refused, /Credit notes/);
    assert.match(refused, /role/);
    assert.match(await text(browser, "[data-test=test-result] [data-entity=invoices]"), /✓/);
    await shot(browser, "44-story-module-refused");
    // A pull then says in its headline which type was refused, never "Pull complete".
    if (!(await browser.$("[data-test=start-pull]").isExisting())) await click(browser, "[data-test=open-pull]");
    await click(browser, "[data-test=start-pull]");
    await until(browser, async () => /refused/.test(await text(browser, "[data-test=pull-outcome]").catch(() => "")), "the pull's headline does not name the refused type", 60_000);
    const headline = await text(browser, "[data-test=pull-outcome]");
    assert.match(headline, /^Pulled invoices and customers; credit notes were refused: /, headline);
    assert.doesNotMatch(headline, /Pull complete/);
    assert.equal(await (await browser.$("[data-test=pull-outcome]")).getAttribute("data-kind"), "error");
    // The credit notes counted are an earlier pull's, and say so.
    assert.match(await text(browser, "[data-count=creditnotes]"), /from an earlier pull/);
    await shot(browser, "44b-story-module-refused-pull");
    await endStory(browser);
    await click(browser, "[data-test=test-connection]");
    await until(browser, async () => (await browser.$("[data-test=test-result][data-ok=true]").isExisting()), "the test does not pass after the story", 20_000);

    // 5. Too many sign-ins: the warning names the connection Zoho would drop.
    caption = await startStory(browser, "too_many_sign_ins", "test");
    assert.match(caption, /19 connections/);
    await until(browser, async () => (await texts(browser, "[data-test=connection-name]")).length === 19, "19 connections not listed", 15_000);
    await click(browser, "[data-test=connect]");
    await (await browser.$("[data-test=waiting] .banner.warning")).waitForExist({ timeout: 10_000 });
    const warning = await text(browser, "[data-test=waiting] .banner.warning");
    // The warning is read before Zoho's page opens: nothing opened yet, and a button continues.
    const authorize = await (await browser.$("[data-test=waiting]")).getAttribute("data-authorize-url");
    const opened = () => (existsSync(process.env.OPENED_URLS) ? readFileSync(process.env.OPENED_URLS, "utf8") : "");
    assert.ok(!opened().includes(authorize), "the browser opened over the warning");
    assert.equal(await (await browser.$("[data-test=continue-sign-in]")).isExisting(), true, "no way on after the warning");
    assert.match(warning, /19 connections here/);
    assert.match(warning, /last that fits/);
    assert.match(warning, /"Harbour Lane Trading Ltd"/);
    await shot(browser, "45-story-too-many-sign-ins");
    await click(browser, "[data-test=cancel-connect]");
    // Cancelled: the held consent page is gone, whatever asks for it later.
    const reopened = await browser.executeAsync((done) => {
      window.__TAURI_INTERNALS__.invoke("open_held_sign_in").then(done, () => done("error"));
    });
    assert.equal(reopened, false, "a cancelled sign-in's consent page could still open");
    assert.ok(!opened().includes(authorize), "the cancelled sign-in's consent page opened");
    await endStory(browser);
    await until(browser, async () => (await texts(browser, "[data-test=connection-name]")).length === 1, "the story's connections stayed", 15_000);
  } finally {
    await quit(browser);
  }
});
