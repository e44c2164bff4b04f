// "Check my keys" against a Zoho stand-in (`zbsetup simulate`) whose API
// console has Europe switched off for the client: the real window, real
// profile. US and UK accept the keys; Europe is refused, named, with the
// fix in the console's Settings tab.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { choosePath, click, dataDir, launch, openStep, paste, quit, shot, text, until, startStandIn } from "./lib.mjs";

test("check my keys: a row per data center, one switched off in the console named with its fix", async () => {
  const dir = dataDir("keycheck");
  const endpoints = join(process.env.DESKTOP_TMP, "keycheck-endpoints.json");
  const standIn = await startStandIn(["--data-centers", "us,uk"], endpoints);
  let browser;
  try {
    const { id, secret } = standIn;
    assert.ok(id && secret, "the stand-in printed its keys");
    browser = await launch(dir, ["--data-dir", dir, "--endpoints", endpoints]);
    await choosePath(browser, "real");
    // US and UK are chosen by default; Europe too.
    await click(browser, "input[data-region=eu]");
    await until(browser, async () => (await browser.$("input[data-region=eu]")).isSelected(), "EU not chosen");
    await openStep(browser, "keys");
    await paste(browser, "#client-id", id);
    await paste(browser, "#client-secret", secret);
    await click(browser, "[data-test=save-keys]");
    await (await browser.$("[data-test=saved-keys]")).waitForExist({ timeout: 15_000 });
    await click(browser, "[data-test=check-keys]");
    await (await browser.$("[data-test=key-check-rows]")).waitForExist({ timeout: 15_000 });
    const row = (r) => text(browser, `[data-region-check=${r}]`);
    assert.match(await row("us"), /Accepts the keys/);
    assert.match(await row("uk"), /Accepts the keys/);
    const eu = await row("eu");
    assert.match(eu, /Europe/);
    assert.match(eu, /Does not accept the keys/);
    assert.match(eu, /Settings tab/);
    assert.match(eu, /switch on Europe/);
    await (await browser.$("[data-test=key-check-rows]")).scrollIntoView();
    await shot(browser, "33-check-keys-one-off");
  } finally {
    if (browser) await quit(browser);
    await standIn.stop();
  }
});
