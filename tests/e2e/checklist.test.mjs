// A person goes through the whole setup checklist in the real window, makes
// the usual pasting mistakes, fixes them as the messages say, switches the
// integration on, quits, relaunches and finds everything as they left it;
// the secret is in the Secret Service and nowhere on disk. Zoho is a
// stand-in (`zbsetup simulate`): saving the keys asks it whether it knows
// them, and nothing here ever reaches the real Zoho.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  click, selected, launch, shot, text, until, openStep, tick, paste,
  secretToolLookup, filesContaining, dataDir, quit, choosePath, clientSecretEntry, startStandIn,
} from "./lib.mjs";

const DATA_DIR = dataDir("checklist");

test("a first-time setup, start to finish, survives a restart", async () => {
  const endpoints = join(process.env.DESKTOP_TMP, "checklist-endpoints.json");
  const standIn = await startStandIn([], endpoints);
  try {
    await setUpAndRelaunch(["--data-dir", DATA_DIR, "--endpoints", endpoints], standIn);
  } finally {
    await standIn.stop();
  }
});

async function setUpAndRelaunch(args, { id: CLIENT_ID, secret: SECRET }) {
  assert.ok(CLIENT_ID && SECRET, "the stand-in printed its keys");
  let browser = await launch(DATA_DIR, args);
  try {
    // First run: the welcome screen offers the real setup and the demo.
    assert.match(await text(browser, "[data-test=welcome]"), /Try the demo/);
    await shot(browser, "00-welcome");
    await choosePath(browser, "real");
    // Fresh start: nothing done, first step open.
    assert.match(await text(browser, "[data-test=progress]"), /0 of 6 steps done/);
    assert.equal(await (await browser.$("[data-step-card]")).getAttribute("data-step-card"), "before_you_start");
    await shot(browser, "01-before-you-start");

    // Before you start: account, regions (US and UK are pre-selected), and EU added.
    await tick(browser, "before_you_start.zoho_account");
    const us = await browser.$("input[data-region=us]");
    const uk = await browser.$("input[data-region=uk]");
    assert.ok(await us.isSelected(), "US is chosen by default");
    assert.ok(await uk.isSelected(), "UK is chosen by default");
    // All ten read as equally usable: no "Supported" / "Available" badges
    // that would make the others look doubtful.
    const regions = await text(browser, "[data-test=regions]");
    assert.match(regions, /This app works with all ten/);
    assert.doesNotMatch(regions, /\b(Supported|Available)\b/);
    assert.equal((await browser.$$("[data-test=regions] input[type=checkbox]")).length, 10);
    await click(browser, "input[data-region=eu]");
    await until(browser, async () => (await browser.$("input[data-region=eu]")).isSelected(), "EU not chosen");
    await tick(browser, "before_you_start.choose_regions");
    await click(browser, "[data-test=next]");

    // Register the application: every sub-step, the API console link, the redirect URI to copy.
    await (await browser.$('[data-step-card="register_client"]')).waitForExist();
    await click(browser, "button[data-link=api_console]");
    await until(browser, () => existsSync(process.env.OPENED_URLS), "the API console was not opened in the browser");
    assert.match(readFileSync(process.env.OPENED_URLS, "utf8"), /^https:\/\/api-console\.zoho\.com\//m);
    assert.equal(
      await text(browser, "[data-test=redirect-uris] code"),
      "http://localhost:47823/oauth/callback",
    );
    await click(browser, "[data-test=redirect-uris] button.copy");
    await until(browser, async () => /Copied|Selected/.test(await text(browser, "[data-test=redirect-uris] .copy-feedback")), "no copy feedback");
    for (const sub of ["open_console", "add_client", "server_based", "client_name", "redirect_uris", "create"]) {
      await tick(browser, `register_client.${sub}`);
    }
    await shot(browser, "02-register-client");
    assert.match(await text(browser, "[data-test=progress]"), /2 of 6 steps done/);
    await click(browser, "[data-test=next]");

    // Settings tab in the console.
    await (await browser.$('[data-step-card="console_settings"]')).waitForExist();
    assert.match(await text(browser, '[data-step-card="console_settings"]'), /United States, United Kingdom, Europe/);
    await tick(browser, "console_settings.enable_regions");
    await tick(browser, "console_settings.same_credentials");
    await shot(browser, "03-console-settings");
    await click(browser, "[data-test=next]");

    // Add your keys: messy pastes first, each with the message saying what to fix.
    await (await browser.$('[data-step-card="keys"]')).waitForExist();
    await paste(browser, "#client-id", `Client ID: ${CLIENT_ID}`);
    await until(browser, async () => /Remove the label/.test(await text(browser, "[data-test=client_id-issues]")), "no label hint");
    await paste(browser, "#client-secret", `${SECRET.slice(0, 10)} ${SECRET.slice(10)}`);
    await until(browser, async () => /has a space in it/.test(await text(browser, "[data-test=client_secret-issues]")), "no space hint");
    await shot(browser, "04-keys-messy");
    // Saving now is refused, and nothing is stored.
    await click(browser, "[data-test=save-keys]");
    await (await browser.$("[data-test=error]")).waitForExist();
    assert.match(await text(browser, "[data-test=error]"), /Remove the label/);
    assert.equal(secretToolLookup("zoho-books-setup", clientSecretEntry(DATA_DIR)), "");
    // The ID pasted into the secret field is caught too.
    await paste(browser, "#client-secret", CLIENT_ID);
    await until(browser, async () => /looks like the Client ID/.test(await text(browser, "[data-test=client_secret-issues]")), "no swap hint");
    // Corrected as the messages say (surrounding whitespace is fine: it is trimmed).
    await paste(browser, "#client-id", `  ${CLIENT_ID}\n`);
    await paste(browser, "#client-secret", `${SECRET}\n`);
    await until(browser, async () => (await text(browser, "[data-test=client_id-issues]")) === "", "hints remain on the ID");
    // The refused save's banner went with its cause.
    await until(browser, async () => !(await browser.$("[data-test=error]").isExisting()), "the refused save's banner stayed after the fix");
    await click(browser, "[data-test=save-keys]");
    await (await browser.$("[data-test=saved-keys]")).waitForExist({ timeout: 15_000 });
    assert.equal(await text(browser, "[data-test=saved-client-id]"), CLIENT_ID);
    const mask = await text(browser, "[data-test=saved-secret-mask]");
    assert.ok(mask.endsWith(SECRET.slice(-4)), `mask ${mask} shows the last four characters`);
    assert.ok(!mask.includes(SECRET.slice(0, 8)), "the mask hides the secret");
    const page = await browser.getPageSource();
    assert.ok(!page.includes(SECRET), "the secret is not in the page after saving");
    // Saving asked each chosen data center (the stand-in's) at once.
    await (await browser.$("[data-test=key-check-rows]")).waitForExist({ timeout: 15_000 });
    for (const r of ["us", "uk", "eu"]) assert.match(await text(browser, `[data-region-check=${r}]`), /Accepts the keys/);
    await shot(browser, "05-keys-saved");
    await click(browser, "[data-test=next]");

    // Enable the integration.
    await (await browser.$('[data-step-card="enable"]')).waitForExist();
    const toggle = await browser.$("#enable-switch");
    assert.equal(await toggle.getAttribute("aria-checked"), "false");
    await toggle.click();
    await until(browser, async () => (await browser.$("#enable-switch").getAttribute("aria-checked")) === "true", "switch did not turn on");
    await shot(browser, "06-enabled");
    await click(browser, "[data-test=next]");
    await (await browser.$('[data-step-card="test"]')).waitForExist();
    assert.match(await text(browser, "[data-test=progress]"), /5 of 6 steps done/);
    await shot(browser, "07-test");

    // Help: the common failures with their fixes, and diagnostics without secrets.
    await click(browser, "[data-test=help-button]");
    await (await browser.$("[data-test=help]")).waitForExist();
    assert.match(await text(browser, "[data-test=help]"), /invalid_client/);
    await click(browser, "[data-test=diagnostics]");
    await (await browser.$("[data-test=diagnostics-report]")).waitForExist({ timeout: 10_000 });
    const report = await (await browser.$("[data-test=diagnostics-report] code")).getProperty("textContent");
    assert.match(report, /Zoho Books Setup \d/);
    assert.match(report, /Client Secret stored: yes/);
    assert.ok(!report.includes(SECRET), "no secret in the diagnostics");
    await shot(browser, "09-help");
  } finally {
    await quit(browser);
  }

  // The secret went to the Secret Service, and nowhere on disk.
  assert.equal(secretToolLookup("zoho-books-setup", clientSecretEntry(DATA_DIR)).trim(), SECRET);
  assert.deepEqual(filesContaining(DATA_DIR, SECRET), [], "the secret is in no file of the data folder (database, WAL, logs)");
  assert.ok(existsSync(join(DATA_DIR, "zbsetup.sqlite3")), "the settings database exists");

  // Relaunch: everything as it was left, reopened at the step last open.
  browser = await launch(DATA_DIR, args);
  try {
    assert.equal(await (await browser.$("[data-step-card]")).getAttribute("data-step-card"), "test");
    assert.match(await text(browser, "[data-test=progress]"), /5 of 6 steps done/);
    await openStep(browser, "keys");
    assert.equal(await text(browser, "[data-test=saved-client-id]"), CLIENT_ID);
    assert.ok((await text(browser, "[data-test=saved-secret-mask]")).endsWith(SECRET.slice(-4)));
    await openStep(browser, "enable");
    assert.equal(await (await browser.$("#enable-switch")).getAttribute("aria-checked"), "true");
    await openStep(browser, "before_you_start");
    assert.ok(await selected(browser, "input[data-region=eu]"), "EU still chosen");
    await shot(browser, "08-after-relaunch");
  } finally {
    await quit(browser);
  }
}
