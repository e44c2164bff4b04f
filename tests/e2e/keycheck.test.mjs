// The keys are checked with Zoho as soon as they are saved, against a Zoho
// stand-in (`zbsetup simulate`): the real window, real profile. A secret
// with its last characters missing is refused at every chosen data center,
// named with the fix, right after Save, and the keys step is not done; the
// whole secret is accepted everywhere, without a click on "Check my keys".
// Then Europe, switched off in the stand-in's console, is chosen too: it is
// refused, named, with the fix in the console's Settings tab.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { choosePath, click, dataDir, launch, openStep, paste, quit, shot, text, until, startStandIn } from "./lib.mjs";

/** Whether the checklist shows the keys step as done. */
async function keysStepDone(browser) {
  return (await browser.$("button[data-step=keys]").getAttribute("class")).split(/\s+/).includes("done");
}

test("saving keys checks them with each data center; a wrong secret leaves the step open, named per data center", async () => {
  const dir = dataDir("keycheck");
  const endpoints = join(process.env.DESKTOP_TMP, "keycheck-endpoints.json");
  const standIn = await startStandIn(["--data-centers", "us,uk"], endpoints);
  let browser;
  try {
    const { id, secret } = standIn;
    assert.ok(id && secret, "the stand-in printed its keys");
    browser = await launch(dir, ["--data-dir", dir, "--endpoints", endpoints]);
    await choosePath(browser, "real");
    const row = (r) => text(browser, `[data-region-check=${r}]`);

    // The real profile offers only addresses Zoho's console registers: no app link.
    await openStep(browser, "register_client");
    await browser.execute(() => {
      document.querySelector("details.advanced")?.setAttribute("open", "");
    });
    assert.equal(await (await browser.$("input[data-method=localhost]")).isExisting(), true);
    assert.equal(await (await browser.$("input[data-method=deep_link]")).isExisting(), false, "the app link Zoho refuses is offered");

    // A secret missing its last 12 characters: said as it is typed, then
    // refused at US and UK right after Save, read together as a wrong secret.
    await openStep(browser, "keys");
    await paste(browser, "#client-id", id);
    await paste(browser, "#client-secret", secret.slice(0, -12));
    await until(browser, async () => /cut short/.test(await text(browser, "[data-test=client_secret-issues]").catch(() => "")), "the short secret was not pointed out as typed", 10_000);
    // Whether the window says it is asking Zoho while it does (the stand-in answers fast).
    await browser.execute(() => {
      window.__sawChecking = "";
      new MutationObserver(() => {
        const running = document.querySelector("[data-test=key-check-running]");
        if (running) window.__sawChecking = running.textContent;
      }).observe(document.body, { childList: true, subtree: true });
    });
    await click(browser, "[data-test=save-keys]");
    await (await browser.$("[data-test=saved-keys]")).waitForExist({ timeout: 15_000 });
    await (await browser.$("[data-test=key-check-rows]")).waitForExist({ timeout: 15_000 });
    assert.equal(await browser.execute(() => window.__sawChecking), "Checking your keys with Zoho…");
    for (const r of ["us", "uk"]) {
      const answer = await row(r);
      assert.match(answer, /Does not accept the keys/, `${r}: ${answer}`);
      // Every data center refuses: the keys are wrong, not the Settings tab.
      assert.match(answer, /Client Secret is wrong/, `${r} names the cause: ${answer}`);
      assert.match(answer, /copy the Client Secret again, all of it/, `${r} names the fix: ${answer}`);
      assert.doesNotMatch(answer, /Settings tab/, `${r} sends the admin to the console's settings: ${answer}`);
    }
    assert.match(await row("us"), /United States/);
    assert.match(await row("uk"), /United Kingdom/);
    // Said as a problem, in the error banner, never in the colours of success.
    assert.match(await text(browser, "[data-test=error]"), /no data center you chose accepts them, so the Client ID or the Client Secret is wrong/);
    assert.equal(await (await browser.$("[data-test=info]")).isExisting(), false, "a refusal shown as information");
    await until(browser, async () => !(await keysStepDone(browser)), "the keys step looks done with a refused secret");
    // The focus stayed in the keys step (where the form was), not on Help.
    const focused = await browser.execute(() => document.activeElement?.closest("[data-step-card]")?.getAttribute("data-step-card") ?? document.activeElement?.getAttribute("data-test") ?? document.activeElement?.tagName);
    assert.equal(focused, "keys", `focus after saving: ${focused}`);
    await (await browser.$("[data-test=key-check-rows]")).scrollIntoView();
    await shot(browser, "32-keys-refused-after-save");

    // The whole secret: accepted at US and UK without a click on "Check my keys".
    await click(browser, "[data-test=replace-keys]");
    await paste(browser, "#client-secret", secret);
    await click(browser, "[data-test=save-keys]");
    await until(browser, async () => /Accepts the keys/.test(await row("us").catch(() => "")), "US did not accept the whole secret", 15_000);
    assert.match(await row("uk"), /Accepts the keys/);
    assert.match(await text(browser, "[data-test=info]"), /every data center you chose accepts these keys/);
    await until(browser, () => keysStepDone(browser), "the keys step is not done with accepted keys");

    // Europe chosen too, but switched off in the console: refused, named, with the fix.
    await openStep(browser, "before_you_start");
    await click(browser, "input[data-region=eu]");
    await until(browser, async () => (await browser.$("input[data-region=eu]")).isSelected(), "EU not chosen");
    await openStep(browser, "keys");
    await click(browser, "[data-test=check-keys]");
    await until(browser, async () => (await browser.$("[data-region-check=eu]")).isExisting(), "Europe was not asked", 15_000);
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
