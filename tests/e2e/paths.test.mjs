// The two paths a person walks, counted in clicks as a person would click:
// from first launch to sample data on the screen, in demo mode and in a
// real setup (against a Zoho stand-in, `zbsetup simulate`, in place of
// Zoho; what is done in Zoho's API console itself is not counted, the
// Accept on Zoho's consent page is). The window is followed as it leads:
// each step's card, its sub-steps ticked, then Next. A paste is one click
// (into the field) and the keyboard's paste. Prints `demo path: N clicks`
// and `real path: N clicks`; the real path walked again with the keyboard
// only prints `keyboard path: N keys`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  click, launch, paste, quit, shot, text, texts, tick, until, dataDir, acceptConsent, startStandIn,
  focused, untilInView, untilStepTitleFocused,
} from "./lib.mjs";

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

/**
 * Keys pressed, each counted once: Tab to the next control, Space or Enter
 * on it, a paste (Ctrl+V) into the focused field, and Enter on Zoho's
 * consent page (outside the window).
 */
function keyboard(browser) {
  let n = 0;
  const press = async (key) => {
    n++;
    await browser.keys([key]);
  };
  const isFocused = (selector) => browser.execute((sel) => document.activeElement?.matches(sel) ?? false, selector);
  return {
    press,
    /** Tabs until the focus is on what `selector` finds (at most `most` Tabs). */
    tabTo: async (selector, most = 30) => {
      for (let i = 0; i <= most; i++) {
        if (await isFocused(selector)) return;
        if (i < most) await press("Tab");
      }
      throw new Error(`${most} Tabs did not reach ${selector} (focus on ${await focused(browser)})`);
    },
    /** Pastes into the focused field (one key: Ctrl+V). */
    paste: async (selector, value) => {
      assert.ok(await isFocused(selector), `${selector} has no focus to paste into (focus on ${await focused(browser)})`);
      n++;
      await paste(browser, selector, value);
    },
    elsewhere: () => {
      n++;
    },
    get keys() {
      return n;
    },
  };
}

/** The real path with the keyboard only: each control reached with Tab, pressed with Space or Enter. */
async function keyboardWalk(browser, person, { id, secret }) {
  await browser.execute(() => document.getElementById("welcome-title")?.focus());
  await person.tabTo("[data-test=choose-real]");
  await person.press("Enter");
  for (let guard = 0; guard < 12; guard++) {
    const card = await browser.$("[data-step-card]");
    await card.waitForExist({ timeout: 10_000 });
    const step = await card.getAttribute("data-step-card");
    await untilStepTitleFocused(browser, step);
    for (const box of await browser.$$(`[data-step-card="${step}"] input[data-tick]`)) {
      const item = await box.getAttribute("data-tick");
      const selector = `input[data-tick="${item}"]`;
      await person.tabTo(selector);
      await person.press(" ");
      await until(browser, async () => (await browser.$(selector).parentElement().parentElement().getAttribute("class")).includes("ticked"), `${item} not ticked`);
      await until(browser, async () => (await focused(browser)) === `#tick-${item}`, `the focus left ${item} when it was ticked`);
    }
    if (step === "keys") {
      await person.tabTo("#client-id");
      await person.paste("#client-id", id);
      await person.tabTo("#client-secret");
      await person.paste("#client-secret", secret);
      await person.tabTo("[data-test=save-keys]");
      await person.press("Enter");
      await (await browser.$("[data-test=saved-keys]")).waitForExist({ timeout: 15_000 });
      await (await browser.$("[data-test=key-check-rows]")).waitForExist({ timeout: 15_000 });
    }
    if (step === "enable") {
      await person.tabTo("#enable-switch");
      await person.press(" ");
      await until(browser, async () => (await browser.$("#enable-switch").getAttribute("aria-checked")) === "true", "not switched on");
    }
    if (step === "test") break;
    await person.tabTo("[data-test=next]");
    await person.press("Enter");
    await until(browser, async () => (await browser.$("[data-step-card]").getAttribute("data-step-card")) !== step, `Next did not leave ${step}`);
  }
  await person.tabTo("[data-test=connect]");
  await person.press("Enter");
  await (await browser.$("[data-test=waiting]")).waitForExist({ timeout: 10_000 });
  person.elsewhere();
  await fetch(await acceptConsent(await (await browser.$("[data-test=waiting]")).getAttribute("data-authorize-url")));
  await (await browser.$("[data-test=org-picker]")).waitForExist({ timeout: 15_000 });
  await until(browser, async () => /data-org/.test(await focused(browser)), "the focus is not on the organizations after signing in");
  await person.tabTo("[data-test=connect-org]");
  await person.press("Enter");
  await until(browser, async () => (await focused(browser)) === "[data-test=start-pull]", "Start the pull has no focus after connecting", 15_000);
  await person.press("Enter");
  await until(browser, async () => /Pull complete/.test(await text(browser, "main")), "no sample data", 60_000);
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
    // The next step opens at its top, its title in view with the focus.
    await untilStepTitleFocused(browser, await (await browser.$("[data-step-card]")).getAttribute("data-step-card"));
  }
  await person.click("[data-test=connect]");
  await (await browser.$("[data-test=waiting]")).waitForExist({ timeout: 10_000 });
  await untilInView(browser, "[data-test=waiting]", "the sign-in panel");
  person.elsewhere();
  const location = await acceptConsent(await (await browser.$("[data-test=waiting]")).getAttribute("data-authorize-url"));
  await fetch(location);
  await (await browser.$("[data-test=org-picker]")).waitForExist({ timeout: 15_000 });
  await untilInView(browser, "[data-test=org-picker]", "the organizations to choose from");
  await person.click("[data-test=connect-org]");
  // The new connection's sample pull opens by itself; a person opens it only if not.
  await until(browser, async () => (await browser.$("[data-test=connections]")).isExisting(), "no connection listed", 15_000);
  await browser.pause(500);
  if (!(await browser.$("[data-test=start-pull]").isExisting())) await person.click("[data-test=open-pull]");
  await untilInView(browser, "[data-test=start-pull]", "Start the pull");
  await person.click("[data-test=start-pull]");
  await until(browser, async () => /Pull complete/.test(await text(browser, "main")), "no sample data", 60_000);
  await untilInView(browser, "[data-test=pull-outcome]", "the pull's headline");
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
    assert.ok(person.clicks > 0 && person.clicks <= 9, `the demo path takes ${person.clicks} clicks (goal: at most 9)`);
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
    assert.ok(person.clicks > 0 && person.clicks <= 24, `the real path takes ${person.clicks} clicks (goal: at most 24)`);
  } finally {
    if (browser) await quit(browser);
    await standIn.stop();
  }
});

test("the real path with the keyboard only, first launch to sample data (a Zoho stand-in in place of Zoho)", async () => {
  const dir = dataDir("path-keyboard");
  const endpoints = join(process.env.DESKTOP_TMP, "path-keyboard-endpoints.json");
  const standIn = await startStandIn(["--records", "60"], endpoints);
  let browser;
  try {
    assert.ok(standIn.id && standIn.secret, "the stand-in printed its keys");
    browser = await launch(dir, ["--data-dir", dir, "--endpoints", endpoints]);
    const person = keyboard(browser);
    await (await browser.$("[data-test=welcome]")).waitForExist({ timeout: 10_000 });
    await keyboardWalk(browser, person, standIn);
    await shot(browser, "42-keyboard-path-done");
    process.stderr.write(`keyboard path: ${person.keys} keys\n`);
    assert.ok(person.keys > 0 && person.keys <= 80, `the keyboard path takes ${person.keys} keys (goal: at most 80)`);
  } finally {
    if (browser) await quit(browser);
    await standIn.stop();
  }
});
