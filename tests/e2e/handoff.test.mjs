// One Zoho client for the test and for production: the person says the keys
// are for Codat, the registration step asks for both redirect URIs (this
// app's and Codat's, each with a copy button, and says why), and once a
// test pull passed the hand-off card lists what Codat asks for under Codat's
// own labels, and saves a test report. "Copy the Application Secret" puts the secret on the system
// clipboard (read here with xclip, as another program would) and takes it
// off again after its timeout; the card itself never shows it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { answerSaveDialog, clientSecretEntry, click, launch, shot, text, until, openStep, quit, choosePath, dataDir, acceptConsent, demoKeysAndSwitch, filesContaining } from "./lib.mjs";

const DATA_DIR = dataDir("handoff");
const CODAT = "https://zohobooks.codat.io/oauth/callback";

function clipboard() {
  try {
    return execFileSync("xclip", ["-o", "-selection", "clipboard"], { timeout: 5_000, encoding: "utf8" });
  } catch {
    return ""; // nothing on the clipboard
  }
}

test("keys for Codat: both redirect URIs, then a hand-off card whose secret copy is cleared", async () => {
  const browser = await launch(DATA_DIR);
  try {
    await choosePath(browser, "demo");
    await openStep(browser, "before_you_start");
    await click(browser, "input[data-platform=codat]");
    await openStep(browser, "register_client");
    await until(browser, async () => (await browser.$$("[data-test=redirect-uris] code")).length === 2, "the platform's URI is not listed");
    const uris = await browser.$$("[data-test=redirect-uris] code");
    assert.match(await uris[0].getText(), /^http:\/\/localhost:\d+\/oauth\/callback$/);
    assert.equal(await uris[1].getText(), CODAT);
    assert.match(await text(browser, "[data-test=why-both]"), /both addresses.*Codat/s);
    // As Zoho's console takes them: one field each, the second added with +.
    assert.match(await text(browser, "[data-test=why-both]"), /each in its own "Authorized Redirect URIs" field.*click \+ beside it/s);
    assert.doesNotMatch(await text(browser, "[data-test=why-both]"), /one per line/);
    assert.equal((await browser.$$("[data-test=redirect-uris] button.copy")).length, 2, "a copy button for each URI");
    await shot(browser, "30-register-both-uris");

    const { secret } = await demoKeysAndSwitch(browser);
    // "Check my keys": every chosen data center asked, without a sign-in.
    await openStep(browser, "keys");
    await click(browser, "[data-test=check-keys]");
    await (await browser.$("[data-test=key-check-rows]")).waitForExist({ timeout: 15_000 });
    const rows = await browser.$$("[data-test=key-check-rows] tbody tr");
    assert.ok(rows.length >= 2, `a row per chosen data center (${rows.length})`);
    for (const r of rows) assert.match(await r.getText(), /Accepts the keys/);
    assert.match(await text(browser, "[data-region-check=us]"), /United States/);
    // Every data center that accepted the keys, by name, for the hand-off card.
    const accepted = [];
    for (const r of rows) accepted.push((await r.$("td")).getText());
    const acceptedNames = await Promise.all(accepted);
    await shot(browser, "32-check-keys");
    await openStep(browser, "test");
    await click(browser, "[data-test=connect]");
    await (await browser.$("[data-test=waiting]")).waitForExist({ timeout: 10_000 });
    const location = await acceptConsent(await (await browser.$("[data-test=waiting]")).getAttribute("data-authorize-url"));
    await fetch(location);
    await (await browser.$("[data-test=org-picker]")).waitForExist({ timeout: 15_000 });
    await click(browser, "[data-test=connect-org]");
    // The new connection's sample pull opens by itself.
    await (await browser.$("[data-test=pull-settings]")).waitForExist({ timeout: 10_000 });
    await click(browser, "[data-test=start-pull]");
    await until(browser, async () => /Pull complete/.test(await text(browser, "main")), "the test pull did not complete", 60_000);

    // The hand-off card, in Codat's words, without the secret.
    await (await browser.$("[data-test=handoff] [data-test=copy-secret]")).waitForExist({ timeout: 15_000 });
    const card = await text(browser, "[data-test=handoff]");
    assert.match(card, /Ready for Codat/);
    assert.match(card, /Application ID/);
    assert.match(card, /Application Secret/);
    assert.match(card, /Enabled/);
    // The card agrees with the key check: every data center that accepted the keys.
    const cardDcs = await text(browser, "[data-test=handoff-data-centers]");
    for (const name of acceptedNames) assert.ok(cardDcs.includes(name), `${name} accepted the keys, the card says ${cardDcs}`);
    // The permissions Zoho granted the sign-in (the sample's record types and settings), not every scope.
    const scopes = (await text(browser, "[data-test=handoff-scopes]")).split(", ").sort();
    assert.deepEqual(scopes, ["ZohoBooks.contacts.READ", "ZohoBooks.creditnotes.READ", "ZohoBooks.invoices.READ", "ZohoBooks.settings.READ"]);
    assert.ok(!card.includes(secret), "the card never shows the secret");
    await (await browser.$("[data-test=handoff]")).scrollIntoView();
    await shot(browser, "31-handoff");

    // A deliberate copy: on the clipboard for a short while, then gone.
    await click(browser, "[data-test=copy-secret]");
    await until(browser, async () => /taken off the clipboard in (\d+) seconds/.test(await text(browser, "[data-test=copy-secret-feedback]")), "no copy feedback");
    const seconds = Number(/in (\d+) seconds/.exec(await text(browser, "[data-test=copy-secret-feedback]"))[1]);
    assert.ok(seconds > 0 && seconds <= 60, `cleared after ${seconds} s`);
    await until(browser, async () => clipboard() === secret, "the secret is not on the clipboard", 5_000);
    const copiedAt = Date.now();
    await until(browser, async () => clipboard() !== secret, "the secret stayed on the clipboard", (seconds + 10) * 1000);
    const cleared = (Date.now() - copiedAt) / 1000;
    assert.ok(cleared >= seconds - 2, `cleared after ${cleared.toFixed(1)} s, before its ${seconds} s`);
    console.log(`# the copied secret left the clipboard after ${cleared.toFixed(1)} s (promised ${seconds} s)`);
    // The note no longer says to paste it now.
    await until(browser, async () => /taken off the clipboard again/.test(await text(browser, "[data-test=copy-secret-feedback]")), "the copy note still says to paste now", 5_000);
    assert.doesNotMatch(await text(browser, "[data-test=copy-secret-feedback]"), /paste it into .* now/);

    // The test report to hand on: the platform and its callback, no secret.
    // The system's save dialog asks where; the person picks a folder of their own.
    const saved = join(process.env.DESKTOP_TMP, "reports for the team", "Codat setup check.html");
    mkdirSync(dirname(saved), { recursive: true });
    await click(browser, "[data-test=save-report]");
    await answerSaveDialog("Save the test report", saved);
    await until(browser, async () => /Saved as /.test(await text(browser, "[data-test=report-saved]")), "the report was not saved", 20_000);
    assert.equal(await text(browser, "[data-test=report-path]"), saved);
    await shot(browser, "32-handoff-report-saved");
    await click(browser, "[data-test=report-open-folder]");
    await until(browser, async () => readFileSync(process.env.OPENED_URLS, "utf8").includes(dirname(saved)), "the folder was not opened");
    const report = readFileSync(saved, "utf8");
    assert.match(report, /Used by<\/th><td>Codat/);
    assert.ok(report.includes(CODAT), "the platform's callback is in the report");
    // The report agrees with the key check, names data centers and record types in words, and dates for people.
    const reportDcs = /Keys accepted at<\/th><td>([^<]*)</.exec(report)[1];
    for (const name of acceptedNames) assert.ok(reportDcs.includes(name), `${name} missing from the report's ${reportDcs}`);
    assert.match(report, /Sample data pulled<\/th><td>\d+ invoices, \d+ credit notes, \d+ customers/);
    assert.doesNotMatch(report, /Sample data pulled<\/th><td>[^<]*creditnotes/);
    assert.doesNotMatch(report, /\d{2}:\d{2}:\d{2}\.\d+Z/, "a raw timestamp in the report");
    assert.match(report, /Application ID/);
    assert.ok(!report.includes(secret), "no secret in the report");
    assert.equal(statSync(saved).mode & 0o077, 0, "the report is readable only by its owner");

    // Nothing in the data folder (settings file, logs) or the report's folder
    // holds the secret but the demo's own entry for its made-up one.
    assert.deepEqual(
      filesContaining(DATA_DIR, secret).map((f) => f.slice(DATA_DIR.length)),
      [`/demo/made-up-keys/${clientSecretEntry(join(DATA_DIR, "demo")).replace(":", "_")}`],
      "the secret is in another file",
    );
    assert.deepEqual(filesContaining(dirname(saved), secret), [], "the secret is beside the report");
  } finally {
    await quit(browser);
  }
});
