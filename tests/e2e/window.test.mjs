// A calm window, measured in the DOM at the default size (1080 x 760) and at
// 500 x 600, in demo mode: each step opens at its top with focus on its
// title; a keyboard reaches a step's first control within two Tabs of the
// step list; arrow keys move between radio options only; the switch's knob
// moves when it is on; each outcome (the sign-in panel, the organizations to
// choose from, the pull's headline, the test result) is in view after the
// click that caused it; the sample's preview shows every cell in full
// without scrolling sideways; a pull of a few calls says its rate in words;
// the test step shows its parts (connect, test, pull, hand on) as they are
// done, and the last one leads to the hand-off card.
// (Named to run after checklist.test.mjs: a sign-in opened here would
// already be in the file of opened links that test reads.)

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  acceptConsent, click, choosePath, dataDir, demoKeysAndSwitch, focused, launch, onFirstControl, openStep,
  previewFit, quit, resize, shot, text, until, untilInView, untilStepTitleFocused,
} from "./lib.mjs";

const STEPS = ["before_you_start", "register_client", "console_settings", "keys", "enable", "test"];

/** From the step list, each step opens with arrow keys and Enter, and its first control is at most two Tabs on. */
async function stepListToContent(browser, size) {
  for (const [i, step] of STEPS.entries()) {
    // The open step's link is the list's one Tab stop.
    await browser.execute(() => document.querySelector("nav.steps button[tabindex='0']")?.focus());
    await browser.keys([i === 0 ? "Home" : "ArrowDown"]);
    if (i > 0) {
      // Arrow keys moved from the open step (the previous one) to this one.
      assert.equal(await focused(browser), `[data-step=${step}]`, `${size}: ArrowDown reached ${step}`);
    }
    await browser.keys(["Enter"]);
    await untilStepTitleFocused(browser, step);
    await browser.execute(() => document.querySelector("nav.steps button[tabindex='0']")?.focus());
    let tabs = 0;
    while (!(await onFirstControl(browser)) && tabs < 2) {
      await browser.keys(["Tab"]);
      tabs++;
    }
    assert.ok(await onFirstControl(browser), `${size}: ${step}'s first control is not within two Tabs of the step list (focus on ${await focused(browser)})`);
  }
}

/** The test step's parts and their states, "connect:done test:current ...". */
async function sequenceStates(browser) {
  return browser.execute(() => [...document.querySelectorAll("[data-test=sequence] > li")].map((li) => `${li.dataset.substep}:${li.dataset.state}`).join(" "));
}

/** From the first step, each "Next" opens the next step at its top, its title focused. */
async function nextThroughSteps(browser, size) {
  await openStep(browser, STEPS[0]);
  await untilStepTitleFocused(browser, STEPS[0]);
  for (const step of STEPS.slice(1)) {
    await click(browser, "[data-test=next]");
    await untilStepTitleFocused(browser, step);
  }
  assert.ok(size);
}

test("a calm window: steps open at their top, keyboard paths are short, outcomes show where they were caused", async () => {
  const browser = await launch(dataDir("window"));
  try {
    await resize(browser, 1080, 760);
    await choosePath(browser, "demo");

    // Before you start: arrow keys move between the platforms only; "Another
    // integration platform" reached with Up keeps the focus on it.
    await openStep(browser, "before_you_start");
    await browser.execute(() => document.querySelector("input[data-platform=codat]")?.focus());
    await browser.keys(["ArrowDown"]);
    await until(browser, async () => (await focused(browser)) === "[data-platform=other]", "ArrowDown did not reach the other platform");
    await browser.keys(["ArrowDown"]);
    await until(browser, async () => (await focused(browser)) === "[data-platform=only_this_app]", "ArrowDown did not reach Only this app");
    await browser.keys(["ArrowUp"]);
    await until(browser, async () => (await focused(browser)) === "[data-platform=other]", "ArrowUp did not reach the other platform");
    await browser.pause(300);
    assert.equal(await focused(browser), "[data-platform=other]", "Up onto Another integration platform moved the focus into its name field");
    await browser.keys(["ArrowUp"]);
    await until(browser, async () => (await focused(browser)) === "[data-platform=codat]", "ArrowUp did not reach Codat");
    await until(browser, async () => !(await browser.$("[data-test=platform-other]").isExisting()), "Codat was not chosen again");

    for (const [w, ht] of [[1080, 760], [500, 600]]) {
      await resize(browser, w, ht);
      await nextThroughSteps(browser, `${w}x${ht}`);
      await stepListToContent(browser, `${w}x${ht}`);
    }
    await resize(browser, 1080, 760);

    // The switch's knob moves to the right when it is on.
    await demoKeysAndSwitch(browser);
    const knob = await browser.execute(() => {
      const s = document.getElementById("enable-switch");
      return { knob: s.querySelector(".knob").getBoundingClientRect().left, label: s.querySelector(".switch-label").getBoundingClientRect().left };
    });
    assert.ok(knob.knob > knob.label, `the knob stays left when on: ${JSON.stringify(knob)}`);
    await shot(browser, "50-calm-switch-on");

    // At 500 x 600: connect, choose, pull and test, each outcome in view.
    await resize(browser, 500, 600);
    await openStep(browser, "test");
    // The step's parts at a glance: connecting comes first.
    assert.equal(await sequenceStates(browser), "connect:current test:todo pull:todo handoff:todo");
    await click(browser, "[data-test=connect]");
    await untilInView(browser, "[data-test=waiting]", "the sign-in panel");
    const url = await (await browser.$("[data-test=waiting]")).getAttribute("data-authorize-url");
    await fetch(await acceptConsent(url));
    await (await browser.$("[data-test=org-picker]")).waitForExist({ timeout: 15_000 });
    await untilInView(browser, "[data-test=org-picker]", "the organizations to choose from");
    await until(browser, async () => /data-org/.test(await focused(browser)), `the focus is not on the organizations after signing in: ${await focused(browser)}`);
    await shot(browser, "51-calm-org-picker");
    await click(browser, "[data-test=connect-org]");
    await until(browser, async () => (await focused(browser)) === "[data-test=start-pull]", `after connecting, the focus is on ${await focused(browser)}, not Start the pull`, 15_000);
    await untilInView(browser, "[data-test=start-pull]", "Start the pull");
    await click(browser, "[data-test=start-pull]");
    await until(browser, async () => /Pull complete/.test(await text(browser, "[data-test=pull-outcome]").catch(() => "")), "the pull did not complete", 60_000);
    await untilInView(browser, "[data-test=pull-outcome]", "the pull's headline");
    // Three calls draw no chart: a sentence says it.
    assert.ok(await browser.$("[data-test=rate-chart][data-few]").isExisting(), "a chart of three requests");
    assert.match(await text(browser, "[data-test=rate-summary]"), /^3 requests (in one minute|over 2 minutes), at most [1-3] a minute: \d+% of Zoho's limit of \d+ a minute\.$/);
    await shot(browser, "52-calm-pull-results");
    const small = await previewFit(browser);
    assert.ok(small.cells > 5, "the preview has rows");
    assert.deepEqual(small.cut, [], `cells cut at 500 x 600: ${JSON.stringify(small)}`);
    await click(browser, "[data-test=test-connection]");
    await until(browser, async () => (await browser.$("[data-test=test-result][data-ok]").isExisting()), "no test result", 30_000);
    await untilInView(browser, "[data-test=test-result]", "the test result at 500 x 600");
    assert.equal(await focused(browser), "[data-test=test-connection]", "the focus stays on Test");
    // Each part done is one line with its result; the last leads to what to paste.
    await until(browser, async () => (await sequenceStates(browser)) === "connect:done test:done pull:done handoff:done", `the parts are not all done: ${await sequenceStates(browser)}`, 15_000);
    assert.match(await text(browser, "[data-substep=pull]"), /75 records pulled/);
    assert.match(await text(browser, "[data-substep=test]"), /Passed at/);
    await (await browser.$("[data-test=sequence]")).scrollIntoView();
    await shot(browser, "54-calm-sequence-done");
    await click(browser, "[data-test=sequence-handoff]");
    await until(browser, async () => (await focused(browser)) === "#handoff-title", `Show what to paste left the focus on ${await focused(browser)}`);
    await untilInView(browser, "#handoff-title", "the hand-off card's title");
    // The hand-off's permissions: each scope on one line, never broken inside.
    await (await browser.$("[data-test=handoff-scopes] .scope")).waitForExist({ timeout: 10_000 });
    const scopes = await browser.execute(() =>
      [...document.querySelectorAll("[data-test=handoff-scopes] .scope")].map((s) => ({ name: s.textContent, lines: s.getClientRects().length, right: s.getBoundingClientRect().right, edge: s.parentElement.getBoundingClientRect().right })),
    );
    for (const s of scopes) {
      assert.equal(s.lines, 1, `${s.name} is broken across lines`);
      assert.ok(s.right <= s.edge + 1, `${s.name} runs out of its box: ${JSON.stringify(s)}`);
    }
    await (await browser.$("[data-test=handoff]")).scrollIntoView();
    await shot(browser, "53-calm-handoff");

    // At 1080 x 760: the preview in full, nothing to scroll sideways, the step list beside it.
    await resize(browser, 1080, 760);
    await (await browser.$("[data-test=preview]")).scrollIntoView();
    await until(browser, async () => (await previewFit(browser)).cut.length === 0, `cells cut at 1080 x 760: ${JSON.stringify(await previewFit(browser))}`);
    const wide = await previewFit(browser);
    assert.equal(wide.pageSideways, 0, "the page scrolls sideways");
    assert.equal(wide.tableSideways, 0, "the table scrolls sideways");
    assert.equal(await browser.execute(() => document.querySelector(".ttable").classList.contains("stacked")), false, "the preview stacks its rows at 1080 x 760");
    for (const a of wide.amounts) assert.doesNotMatch(a, /\d{4}|\$ /, `an amount without thousands separators: ${a}`);
    const nav = await browser.execute(() => {
      const r = document.querySelector("nav.steps").getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, height: window.innerHeight };
    });
    assert.ok(nav.top < nav.height && nav.bottom > 0, `the step list scrolled away: ${JSON.stringify(nav)}`);
    // A test and a pull again: each outcome in view at this size too.
    await click(browser, "[data-test=test-connection]");
    await until(browser, async () => /Testing/.test(await text(browser, "[data-test=test-result]").catch(() => "")) || (await browser.$("[data-test=test-result][data-ok]").isExisting()), "no test under way");
    await until(browser, async () => (await browser.$("[data-test=test-result][data-ok]").isExisting()), "no test result", 30_000);
    await untilInView(browser, "[data-test=test-result]", "the test result at 1080 x 760");
    const pulls = async () => Number(/\((\d+) pulls?\)/.exec(await text(browser, "[data-test=history] summary").catch(() => ""))?.[1] ?? 0);
    const before = await pulls();
    await click(browser, "[data-test=start-pull]");
    await until(browser, async () => (await pulls()) > before && /Pull complete/.test(await text(browser, "[data-test=pull-outcome]").catch(() => "")), "the second pull did not complete", 60_000);
    await untilInView(browser, "[data-test=pull-outcome]", "the second pull's headline");
    await browser.execute(() => window.scrollTo(0, 0));
    await shot(browser, "55-calm-test-step");
  } finally {
    await quit(browser);
  }
});
