// The two paths a person walks, counted in clicks as a person would click:
// from first launch to sample data on the screen, in demo mode and in a
// real setup (against a Zoho stand-in, `zbsetup simulate`, in place of
// Zoho; what is done in Zoho's API console itself is not counted, the
// Accept on Zoho's consent page is). The window is followed as it leads:
// each step's card, its sub-steps ticked, then Next. A paste is one click
// (into the field) and the keyboard's paste. Prints `demo path: N clicks`
// and `real path: N clicks`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { click, launch, paste, quit, shot, text, texts, tick, until, dataDir, acceptConsent, startStandIn } from "./lib.mjs";

/** Clicks, ticks and pastes, each counted once. */
function counted(browser) {
  let n = 0;
  return {
    click: async (selector) => {
      n++;
      await click(browser, selector);
    },
    tick: async (item) => {
      n++;
      await tick(browser, item);
    },
    paste: async (selector, value) => {
      n++;
      await paste(browser, selector, value);
    },
    /** A click outside the window (Accept on Zoho's consent page). */
    elsewhere: () => {
      n++;
    },
    get clicks() {
      return n;
    },
  };
}

/** Follows the checklist from the step on screen to sample data. */
async function walk(browser, person, keys) {
  for (let guard = 0; guard < 12; guard++) {
    const card = await browser.$("[data-step-card]");
    await card.waitForExist({ timeout: 10_000 });
    const step = await card.getAttribute("data-step-card");
    for (const box of await browser.$$(`[data-step-card="${step}"] input[data-tick]`)) {
      if (!(await box.isSelected())) await person.tick(await box.getAttribute("data-tick"));
    }
    if (step === "keys") {
      if (!(await browser.$("[data-test=saved-keys]").isExisting())) {
        // The demo offers its made-up keys with one click; real ones are pasted.
        if (await browser.$("[data-test=use-demo-keys]").isExisting()) {
          await person.click("[data-test=use-demo-keys]");
        } else {
          const { id, secret } = await keys();
          await person.paste("#client-id", id);
          await person.paste("#client-secret", secret);
          await person.click("[data-test=save-keys]");
        }
        await (await browser.$("[data-test=saved-keys]")).waitForExist({ timeout: 15_000 });
      }
    }
    if (step === "enable" && (await browser.$("#enable-switch").getAttribute("aria-checked")) !== "true") {
      await person.click("#enable-switch");
      await until(browser, async () => (await browser.$("#enable-switch").getAttribute("aria-checked")) === "true", "not switched on");
    }
    if (step === "test") break;
    await person.click("[data-test=next]");
    await until(browser, async () => (await browser.$("[data-step-card]").getAttribute("data-step-card")) !== step, `Next did not leave ${step}`);
  }
  await person.click("[data-test=connect]");
  await (await browser.$("[data-test=waiting]")).waitForExist({ timeout: 10_000 });
  person.elsewhere();
  const location = await acceptConsent(await (await browser.$("[data-test=waiting]")).getAttribute("data-authorize-url"));
  await fetch(location);
  await (await browser.$("[data-test=org-picker]")).waitForExist({ timeout: 15_000 });
  await person.click("[data-test=connect-org]");
  // The new connection's sample pull opens by itself; a person opens it only if not.
  await until(browser, async () => (await browser.$("[data-test=connections]")).isExisting(), "no connection listed", 15_000);
  await browser.pause(500);
  if (!(await browser.$("[data-test=start-pull]").isExisting())) await person.click("[data-test=open-pull]");
  await person.click("[data-test=start-pull]");
  await until(browser, async () => /Pull complete/.test(await text(browser, "main")), "no sample data", 60_000);
}

test("the demo path, first launch to sample data", async () => {
  const browser = await launch(dataDir("path-demo"));
  try {
    const person = counted(browser);
    await (await browser.$("[data-test=welcome]")).waitForExist({ timeout: 10_000 });
    await person.click("[data-test=choose-demo]");
    await walk(browser, person, async () => {
      await browser.$("[data-test=demo-keys] code").waitForExist({ timeout: 10_000 });
      const [id, secret] = await texts(browser, "[data-test=demo-keys] code");
      return { id, secret };
    });
    await shot(browser, "40-demo-path-done");
    process.stderr.write(`demo path: ${person.clicks} clicks\n`);
    assert.ok(person.clicks > 0 && person.clicks <= 15, `the demo path takes ${person.clicks} clicks (goal: at most 15)`);
  } finally {
    await quit(browser);
  }
});

test("the real path, first launch to sample data (a Zoho stand-in in place of Zoho)", async () => {
  const dir = dataDir("path-real");
  const endpoints = join(process.env.DESKTOP_TMP, "path-real-endpoints.json");
  const standIn = await startStandIn(["--records", "60"], endpoints);
  let browser;
  try {
    const { id, secret } = standIn;
    assert.ok(id && secret, "the stand-in printed its keys");
    browser = await launch(dir, ["--data-dir", dir, "--endpoints", endpoints]);
    const person = counted(browser);
    await (await browser.$("[data-test=welcome]")).waitForExist({ timeout: 10_000 });
    await person.click("[data-test=choose-real]");
    await walk(browser, person, async () => ({ id, secret }));
    await shot(browser, "41-real-path-done");
    process.stderr.write(`real path: ${person.clicks} clicks\n`);
    assert.ok(person.clicks > 0 && person.clicks <= 25, `the real path takes ${person.clicks} clicks (goal: at most 25)`);
  } finally {
    if (browser) await quit(browser);
    await standIn.stop();
  }
});
