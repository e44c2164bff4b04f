// Messages move nothing under the pointer, at 1080 x 760 and at 500 x 600:
// a click is made at a recorded place (a refused save of the keys, a test
// that does not pass), and once its message shows, the element that was
// under that place before is still there, under the same place. (Every
// redraw replaces the page: the element is found again by its id or its
// first data- attribute with a value, as the window finds the focus again.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { choosePath, click, dataDir, demoConnect, launch, openStep, paste, quit, resize, shot, text, until } from "./lib.mjs";

const SIZES = [[1080, 760], [500, 600]];

/**
 * Brings `selector` to `top` pixels below the window's top, names the
 * element under its middle, and clicks that place with the pointer; returns
 * the place and the element's name (a selector).
 */
async function clickAtRecordedPlace(browser, selector, top) {
  const place = await browser.execute(
    (sel, at) => {
      const el = document.querySelector(sel);
      window.scrollBy(0, el.getBoundingClientRect().top - at);
      const r = el.getBoundingClientRect();
      const x = Math.round(r.left + r.width / 2);
      const y = Math.round(r.top + r.height / 2);
      const under = document.elementFromPoint(x, y);
      if (!under) return { x, y, under: null };
      const data = under.getAttributeNames().find((a) => a.startsWith("data-") && under.getAttribute(a));
      const name = under.id ? `#${CSS.escape(under.id)}` : data ? `[${data}="${CSS.escape(under.getAttribute(data))}"]` : null;
      return { x, y, under: name };
    },
    selector,
    top,
  );
  assert.ok(place.under, `nothing with a name under ${selector}`);
  await browser.action("pointer").move({ x: place.x, y: place.y, origin: "viewport" }).down().up().perform();
  return place;
}

/** Whether the element marked before the click still holds the recorded place. */
async function stillUnder(browser, { x, y, under }) {
  return browser.execute(
    (px, py, name) => {
      const el = document.querySelector(name);
      if (!el) return { there: false, why: "the element under the pointer is gone" };
      const r = el.getBoundingClientRect();
      const there = r.left <= px && px <= r.right && r.top <= py && py <= r.bottom;
      return { there, why: `${el.tagName} at ${Math.round(r.left)},${Math.round(r.top)} to ${Math.round(r.right)},${Math.round(r.bottom)}` };
    },
    x,
    y,
    under,
  );
}

test("a refused save of the keys moves nothing under the pointer", async () => {
  const browser = await launch(dataDir("messages-keys"));
  try {
    await choosePath(browser, "real");
    await openStep(browser, "keys");
    await paste(browser, "#client-id", "Client ID: 1000.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123");
    await paste(browser, "#client-secret", "0123456789abcdef0123456789abcdef0123456789");
    await until(browser, async () => /Remove the label/.test(await text(browser, "[data-test=client_id-issues]")), "no label hint");
    for (const [w, ht] of SIZES) {
      await resize(browser, w, ht);
      const place = await clickAtRecordedPlace(browser, "[data-test=save-keys]", Math.round(ht / 3));
      await (await browser.$("[data-test=error]")).waitForExist({ timeout: 10_000 });
      assert.match(await text(browser, "[data-test=error]"), /Remove the label/);
      const after = await stillUnder(browser, place);
      assert.ok(after.there, `${w}x${ht}: the refused save moved what was under the pointer (${place.under}): ${after.why}`);
      // The message is beside the button that caused it, in view.
      const near = await browser.execute(() => {
        const m = document.querySelector("[data-test=error]").getBoundingClientRect();
        const b = document.querySelector("[data-test=save-keys]").getBoundingClientRect();
        return { below: m.top >= b.bottom - 1, gap: Math.round(m.top - b.bottom), inView: m.top < window.innerHeight };
      });
      assert.ok(near.below && near.gap < 60 && near.inView, `${w}x${ht}: the message is not under the button: ${JSON.stringify(near)}`);
      await shot(browser, `60-message-keys-refused-${w}x${ht}`, { thisSizeOnly: true });
      await click(browser, "[data-test=error] button");
      await until(browser, async () => !(await browser.$("[data-test=error]").isExisting()), "the message was not dismissed");
    }
  } finally {
    await quit(browser);
  }
});

test("a test that does not pass moves nothing under the pointer", async () => {
  const browser = await launch(dataDir("messages-test"));
  try {
    await demoConnect(browser);
    // A Zoho user whose role does not allow credit notes.
    await click(browser, "[data-test=stories-button]");
    await click(browser, "[data-test=stories] [data-story=module_refused]");
    await until(browser, async () => (await browser.$("[data-test=story-caption][data-story=module_refused]").isExisting()) && (await browser.$("[data-step-card=test]").isExisting()), "the story did not start", 60_000);
    for (const [w, ht] of SIZES) {
      await resize(browser, w, ht);
      // A result already shown (the first size's) is told apart from the new one.
      await browser.execute(() => document.querySelector("[data-test=test-result]")?.setAttribute("data-old", ""));
      const place = await clickAtRecordedPlace(browser, "[data-test=test-connection]", Math.round(ht / 5));
      await until(browser, async () => (await browser.$("[data-test=test-result][data-ok=false]:not([data-old])").isExisting()), "the test did not fail", 20_000);
      const after = await stillUnder(browser, place);
      assert.ok(after.there, `${w}x${ht}: the test's outcome moved what was under the pointer (${place.under}): ${after.why}`);
      await shot(browser, `61-message-test-failed-${w}x${ht}`, { thisSizeOnly: true });
    }
  } finally {
    await quit(browser);
  }
});
