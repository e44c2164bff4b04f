// Demo mode, end to end in the real window: choose the demo, paste the demo
// keys, switch on, connect through an app link delivered by a second
// instance, then through the loopback listener; relaunch and the
// connections are still there and still work. The demo's made-up keys and
// sign-ins are kept in its own folder, never in the keyring.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  click, selected, launch, shot, text, until, openStep, paste, quit, choosePath,
  filesContaining, filesUnder, secretToolSearch, APP, dataDir, acceptConsent, demoKeysAndSwitch,
} from "./lib.mjs";

/** The last sign-in page the app opened "in the browser". */
function lastOpened() {
  const lines = readFileSync(process.env.OPENED_URLS, "utf8").trim().split("\n");
  return lines[lines.length - 1];
}

async function connectAndAccept(browser) {
  const before = existsSync(process.env.OPENED_URLS) ? readFileSync(process.env.OPENED_URLS, "utf8") : "";
  await click(browser, "[data-test=connect]");
  await (await browser.$("[data-test=waiting]")).waitForExist({ timeout: 10_000 });
  await until(browser, () => existsSync(process.env.OPENED_URLS) && readFileSync(process.env.OPENED_URLS, "utf8") !== before, "the sign-in page was not opened in the browser");
  const authorizeUrl = lastOpened();
  assert.match(authorizeUrl, /\/oauth\/v2\/auth\?/);
  assert.match(authorizeUrl, /code_challenge_method=S256/);
  assert.match(authorizeUrl, /access_type=offline/);
  // Zoho is asked for what the sample pull's three record types need, and
  // settings: 4 scopes, not 8; the window says which, and why, in words.
  assert.deepEqual(new URL(authorizeUrl).searchParams.get("scope").split(","), [
    "ZohoBooks.settings.READ", "ZohoBooks.invoices.READ", "ZohoBooks.creditnotes.READ", "ZohoBooks.contacts.READ",
  ]);
  assert.match(
    await text(browser, "[data-test=asking]"),
    /^Zoho will ask you to allow reading invoices, credit notes, and contacts \(customers and vendors\), for the record types you chose, and settings, to list your organizations and see who signed in\./,
  );
  // The same link is there to copy, in case no browser opened; the raw link
  // with its technical parts only behind "Details for support".
  assert.equal(await (await browser.$("[data-test=waiting]")).getAttribute("data-authorize-url"), authorizeUrl);
  const shown = await browser.execute(() => {
    const el = document.querySelector("[data-test=authorize-url]");
    const details = el?.closest("details");
    return el !== null && (details === null || details === undefined || details.open);
  });
  assert.equal(shown, false, "the raw sign-in link is not on screen until Details is opened");
  assert.equal(await (await browser.$("[data-test=authorize-url]")).getProperty("textContent"), authorizeUrl);
  // What to do when Zoho shows "Invalid Redirect Uri", with the exact URI.
  const hint = await text(browser, "[data-test=redirect-hint]");
  assert.match(hint, /Invalid Redirect Uri/);
  assert.equal(await text(browser, "[data-test=redirect-hint] code"), new URL(authorizeUrl).searchParams.get("redirect_uri"));
  return acceptConsent(authorizeUrl);
}

async function pickDefaultOrganization(browser) {
  await (await browser.$("[data-test=org-picker]")).waitForExist({ timeout: 15_000 });
  const picker = await text(browser, "[data-test=org-picker]");
  assert.match(picker, /Harbour Lane Trading Ltd/);
  assert.match(picker, /Default/);
  assert.match(picker, /Data center: United States/);
  await shot(browser, "12-demo-pick-organization");
  await click(browser, "[data-test=connect-org]");
}

const DATA_DIR = dataDir("connect");

/** The sign-ins the demo keeps in its own folder, one file each. */
function demoRefreshTokens() {
  return filesUnder(join(DATA_DIR, "demo", "made-up-keys")).filter((f) => /refresh-token_[0-9a-f]+$/.test(f));
}

test("demo mode: keys, switch, connect by app link and by loopback, relaunch", async () => {
  const tokensBefore = demoRefreshTokens();
  let browser = await launch(DATA_DIR);
  try {
    await choosePath(browser, "demo");
    assert.match(await text(browser, "[data-test=demo-badge]"), /Demo mode/);

    // The demo's keys, pasted like real ones.
    const { id } = await demoKeysAndSwitch(browser);
    assert.match(id, /^1000\.[A-Z0-9]{30}$/);
    await openStep(browser, "keys");
    await shot(browser, "10-demo-keys");

    // The app link: Zoho's answer arrives through a second instance of the app.
    await openStep(browser, "register_client");
    await browser.execute(() => {
      document.querySelector("details.advanced")?.setAttribute("open", "");
    });
    await click(browser, "input[data-method=deep_link]");
    await until(browser, async () => (await text(browser, "[data-test=redirect-uris] code")) === "zbsetup://oauth/callback", "redirect URI did not change");
    await openStep(browser, "test");
    await shot(browser, "11-demo-connect");
    const deepLink = await connectAndAccept(browser);
    assert.match(deepLink, /^zbsetup:\/\/oauth\/callback\?/);
    const second = spawnSync(APP, [deepLink], { timeout: 30_000, env: process.env });
    assert.equal(second.status, 0, "the second instance hands the link over and exits");
    await pickDefaultOrganization(browser);
    await until(browser, async () => /Harbour Lane Trading Ltd/.test(await text(browser, "[data-test=connections]")), "connection not listed");

    // The loopback listener at the default address: the browser is sent to localhost.
    await openStep(browser, "register_client");
    await browser.execute(() => {
      document.querySelector("details.advanced")?.setAttribute("open", "");
    });
    await click(browser, "input[data-method=localhost]");
    await until(browser, async () => /^http:\/\/localhost:47823\/oauth\/callback$/.test(await text(browser, "[data-test=redirect-uris] code")), "redirect URI did not change back");
    await openStep(browser, "test");
    const loopback = await connectAndAccept(browser);
    assert.match(loopback, /^http:\/\/localhost:47823\/oauth\/callback\?/);
    const landing = await fetch(loopback);
    assert.equal(landing.status, 200);
    assert.match(await landing.text(), /return to Zoho Books Setup/i);
    await (await browser.$("[data-test=org-picker]")).waitForExist({ timeout: 15_000 });
    await click(browser, "[data-org='775501987']");
    await click(browser, "[data-test=connect-org]");
    await until(browser, async () => /Harbour Lane Services Ltd/.test(await text(browser, "[data-test=connections]")), "second connection not listed");
    await click(browser, "[data-test=test-connection]");
    // The outcome shows beside the button clicked, with each record type read.
    await until(browser, async () => /the connection works/.test(await text(browser, "[data-substep=test] [data-test=test-result]")), "test did not pass");
    assert.equal(await (await browser.$("[data-test=test-result]")).getAttribute("data-ok"), "true");
    assert.match(await text(browser, "[data-test=test-result]"), /Invoices/);
    await shot(browser, "13-demo-connected");
  } finally {
    await quit(browser);
  }

  // The demo's sign-ins are made up: kept in its own folder, one private
  // file each, and nowhere in the person's keyring or in the settings file.
  const kept = demoRefreshTokens();
  assert.equal(kept.length - tokensBefore.length, 2, kept.join("\n"));
  const token = readFileSync(kept[0], "utf8");
  assert.ok(token.length > 10, "a refresh token of the demo's simulator");
  assert.equal(statSync(kept[0]).mode & 0o077, 0, "readable by the user only");
  assert.deepEqual(
    filesContaining(DATA_DIR, token).filter((f) => !f.includes("made-up-keys")),
    [],
    "the demo's sign-in is in no other file",
  );
  assert.doesNotMatch(secretToolSearch("zoho-books-setup-demo"), /refresh-token/, "nothing of the demo's in the keyring");
  assert.ok(!secretToolSearch("zoho-books-setup").includes(token), "nor under the real profile's service");

  // Relaunch: demo mode again, both connections still there.
  browser = await launch(DATA_DIR);
  try {
    assert.match(await text(browser, "[data-test=demo-badge]"), /Demo mode/);
    await openStep(browser, "test");
    const list = await text(browser, "[data-test=connections]");
    assert.match(list, /Harbour Lane Trading Ltd/);
    assert.match(list, /Harbour Lane Services Ltd/);
    // And they still work: the demo's stand-in for Zoho remembers its sign-ins.
    await click(browser, "[data-test=test-connection]");
    await until(browser, async () => (await (await browser.$("[data-test=test-result]")).getAttribute("data-ok")) !== null, "no test result", 20_000);
    assert.equal(await (await browser.$("[data-test=test-result]")).getAttribute("data-ok"), "true", await text(browser, "[data-test=test-result]"));
    await shot(browser, "14-demo-after-relaunch");
  } finally {
    await quit(browser);
  }
});
