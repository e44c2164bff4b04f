// Hostile input at the running window: forged, malformed, oversized and
// non-UTF-8 app links handed over by second instances; an access-denied
// answer carrying markup; and calls the webview is not allowed to make.
// The window keeps working, shows text as text, and navigates nowhere.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { click, selected, launch, shot, text, until, openStep, paste, quit, choosePath, dataDir, APP, demoKeysAndSwitch, texts } from "./lib.mjs";

const DATA_DIR = dataDir("hostile");

/** Starts a second instance with these arguments; it must hand over and exit. */
function secondInstance(args) {
  return spawnSync(APP, args, { timeout: 30_000, env: process.env });
}

async function stillHealthy(browser) {
  assert.match(await browser.getUrl(), /^(tauri|http):\/\/(localhost|tauri\.localhost)/, "the window did not navigate away");
  assert.ok(await (await browser.$("[data-step-card]")).isExisting(), "the checklist is still shown");
  const status = await browser.executeAsync((done) => {
    window.__TAURI_INTERNALS__.invoke("get_status").then((s) => done(s.profile), (e) => done(`error ${JSON.stringify(e)}`));
  });
  assert.equal(status, "demo", "the running instance still answers");
}

test("hostile links, markup in errors, and forbidden calls leave the window unharmed", async () => {
  const browser = await launch(DATA_DIR);
  try {
    await choosePath(browser, "demo");
    const hostile = [
      "javascript:alert(1)",
      "file:///etc/passwd",
      "zbsetup://evil.example/callback?code=a&state=b",
      "zbsetup://oauth/other?code=a&state=b",
      "ZBSETUP://OAUTH/callback?code=a&state=b",
      "zbsetup://%6fauth/callback?code=a&state=b",
      "zbsetup://oauth/callback?code=a&code=b&state=c",
      "zbsetup://oauth/callback?code=%FF&state=%ZZ",
      `zbsetup://oauth/callback?code=${"a".repeat(64 * 1024)}&state=s`,
    ];
    for (const link of hostile) {
      const r = secondInstance([link]);
      assert.equal(r.error, undefined, `${link.slice(0, 60)}: ${r.error}`);
      assert.equal(r.status, 0, `the second instance exits (${link.slice(0, 60)})`);
      await stillHealthy(browser);
    }
    // Extra arguments beside the link, and a non-UTF-8 argument.
    assert.equal(secondInstance(["--unexpected", "zbsetup://oauth/callback?code=x&state=y"]).status, 0);
    const nonUtf8 = spawnSync("bash", ["-c", `"$0" "$(printf 'zbsetup://oauth/callback?code=\\xff\\xfe&state=\\xc3')"`, APP], {
      timeout: 30_000,
      env: process.env,
    });
    assert.equal(nonUtf8.status, 0, "a non-UTF-8 argument does not crash the second instance");
    await stillHealthy(browser);
    // A 2 MiB argument cannot even be passed to a program: the OS refuses it.
    const huge = secondInstance([`zbsetup://oauth/callback?code=${"a".repeat(2 * 1024 * 1024)}&state=s`]);
    assert.equal(huge.error?.code, "E2BIG");
    await stillHealthy(browser);
    // Whatever was shown about those links is plain text.
    const banners = await texts(browser, "[data-test=error]");
    for (const b of banners) assert.doesNotMatch(b, /<script|javascript:/i);
    await shot(browser, "30-hostile-links");

    // Access denied, with markup in Zoho's description: shown as text only.
    await demoKeysAndSwitch(browser);
    await openStep(browser, "test");
    await click(browser, "[data-test=connect]");
    await (await browser.$("[data-test=waiting]")).waitForExist({ timeout: 10_000 });
    const authorize = new URL(await (await browser.$("[data-test=waiting]")).getAttribute("data-authorize-url"));
    const state = authorize.searchParams.get("state");
    const markup = `<img src=x onerror="document.title='pwned'"><b id=injected>bold</b>`;
    const denied = `zbsetup://oauth/callback?error=access_denied&error_description=${encodeURIComponent(markup)}&state=${encodeURIComponent(state)}`;
    // Delivered to the loopback listener, which answers with an escaped page...
    const port = 47823;
    const page = await fetch(`http://127.0.0.1:${port}/oauth/callback?${new URL(denied).search.slice(1)}`);
    const body = await page.text();
    assert.ok(!body.includes("<b id=injected>"), "the listener's page escapes Zoho's words");
    await (await browser.$("[data-test=error]")).waitForExist({ timeout: 10_000 });
    const message = await text(browser, "[data-test=error]");
    assert.match(message, /choose Accept/);
    assert.ok(message.includes("<b id=injected>bold</b>"), `shown as text: ${message}`);
    assert.equal(await browser.$("#injected").isExisting(), false, "no element was created from it");
    assert.notEqual(await browser.getTitle(), "pwned");
    await shot(browser, "31-access-denied");
    // A random other path on the listener: 404 (it already closed after the answer, or answers 404).
    const other = await fetch(`http://127.0.0.1:${port}/etc/passwd`).then((r) => r.status, () => "closed");
    assert.ok(other === 404 || other === "closed", `other path: ${other}`);

    // The webview can call only what the capabilities grant.
    const forbidden = await browser.executeAsync((done) => {
      const tries = [
        ["plugin:opener|open_url", { url: "file:///etc/passwd" }],
        ["plugin:opener|open_path", { path: "/etc/passwd" }],
        ["plugin:deep-link|register", { protocol: "http" }],
        ["plugin:fs|read_text_file", { path: "/etc/passwd" }],
        ["plugin:shell|execute", { program: "sh", args: ["-c", "id"] }],
      ];
      Promise.all(
        tries.map(([cmd, args]) =>
          window.__TAURI_INTERNALS__.invoke(cmd, args).then(() => `${cmd}: allowed`, () => `${cmd}: refused`),
        ),
      ).then(done);
    });
    for (const r of forbidden) assert.match(r, /refused$/, r);
    assert.ok(!existsSync(process.env.OPENED_URLS) || !readFileSync(process.env.OPENED_URLS, "utf8").includes("file:"), "nothing opened a file: URL");
    await stillHealthy(browser);
  } finally {
    await quit(browser);
  }
});
