// A pulled record opens as a card a person can read, in demo mode: an
// invoice pulled with its line items shows its number, customer, dates,
// status in words and amounts with the currency first, then its line items
// as a table, then the other fields; the raw JSON only behind "Show the raw
// data". It closes with its button and with Escape, giving the focus back
// to its row, and at 500 x 600 no text of it is cut off.

import { test } from "node:test";
import assert from "node:assert/strict";
import { click, dataDir, demoConnect, launch, quit, shot, text, texts, until } from "./lib.mjs";

/** Elements of the card whose text is cut (wider than their box), headings broken mid-word, and whether the card leaves the window. */
function cutInCard(browser) {
  return browser.execute(() => {
    const card = document.querySelector("[data-test=record-view]");
    const box = card.getBoundingClientRect();
    const cut = [...card.querySelectorAll("*")]
      .filter((e) => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
      .map((e) => `${e.tagName}.${e.className}: ${e.textContent.slice(0, 60)}`);
    // A one-word heading on two lines was broken mid-word.
    const broken = [...card.querySelectorAll("th")]
      .filter((th) => {
        const range = document.createRange();
        range.selectNodeContents(th);
        return !/\s/.test(th.textContent.trim()) && range.getClientRects().length > 1;
      })
      .map((th) => th.textContent);
    return { cut, broken, outside: box.left < 0 || box.right > window.innerWidth + 1 || box.bottom > window.innerHeight + 1 };
  });
}

/** The card's fields under `selector`, in order, as [label, value] pairs. */
function fieldList(browser, selector) {
  return browser.execute(
    (sel) => [...document.querySelectorAll(`${sel} .record-field`)].map((f) => [f.querySelector("dt").textContent, f.querySelector("dd").textContent]),
    selector,
  );
}

/** The same as { label: value }. */
async function fields(browser, selector) {
  return Object.fromEntries(await fieldList(browser, selector));
}

const MONEY = /^\$\s?[\d,]+\.\d{2}$/;

test("a record opens as a readable card: key fields, line items, raw data behind a toggle; fits 500 x 600", async () => {
  const browser = await launch(dataDir("record"));
  try {
    await demoConnect(browser);
    await (await browser.$("[data-test=pull-settings]")).waitForExist({ timeout: 10_000 });
    // Three invoices with their line items: one list call and three detail calls.
    await click(browser, "input[data-entity=creditnotes]");
    await click(browser, "input[data-entity=customers]");
    await browser.execute(() => {
      const n = document.querySelector("[data-test=sample-size]");
      n.value = "3";
      n.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await click(browser, "[data-test=line-items]");
    await until(browser, async () => /About 4 API calls/.test(await text(browser, "[data-test=forecast]")), "no forecast of 4 calls");
    await click(browser, "[data-test=start-pull]");
    await until(browser, async () => /Pull complete: 3 records/.test(await text(browser, "main")), "the pull did not complete", 60_000);

    const row = await browser.$(".trow");
    await row.waitForExist({ timeout: 10_000 });
    const id = await row.getAttribute("data-row");
    const number = await (await browser.$(".trow span")).getProperty("textContent");
    assert.match(number, /^INV-\d+$/);
    await click(browser, `.trow[data-row="${id}"]`);
    await (await browser.$("[data-test=record-view]")).waitForDisplayed({ timeout: 10_000 });

    // First the fields that matter, as a person reads them.
    const key = await fields(browser, "[data-test=record-key-fields]");
    assert.deepEqual((await fieldList(browser, "[data-test=record-key-fields]")).map(([k]) => k).slice(0, 7), ["Invoice number", "Customer", "Date", "Due date", "Status", "Total", "Balance due"]);
    assert.equal(key["Invoice number"], number);
    assert.ok(key.Customer.trim(), "the customer named");
    for (const d of ["Date", "Due date"]) assert.doesNotMatch(key[d], /^\d{4}-\d{2}-\d{2}$/, `a date for people: ${key[d]}`);
    assert.match(key.Status, /^[A-Z][a-z]+( [a-z]+)*$/, `the status as words: ${key.Status}`);
    assert.match(key.Total, MONEY, `the total with its currency: ${key.Total}`);
    assert.match(key["Balance due"], MONEY);
    // Then the line items as a table, each with its amount.
    const lines = await texts(browser, "[data-test=record-line-items] tbody tr");
    assert.ok(lines.length > 0, "line items shown");
    for (const l of lines) assert.match(l, /\$\s?[\d,]+\.\d{2}\s*$/, `a line with its amount: ${l}`);
    assert.deepEqual(await texts(browser, "[data-test=record-line-items] th"), ["Item", "Quantity", "Rate", "Amount"]);
    // Then the rest, in words.
    assert.ok("Invoice ID" in (await fields(browser, "[data-test=record-other-fields]")), "the other fields, named in words");
    await shot(browser, "24-record-card");
    // The raw JSON only after the toggle.
    assert.ok(!(await browser.$("[data-test=raw-json]").isExisting()), "no raw JSON before the toggle");
    assert.doesNotMatch(await text(browser, "[data-test=record-view]"), /"invoice_id"/);
    await click(browser, "[data-test=show-raw]");
    const raw = await text(browser, "[data-test=raw-json]");
    assert.match(raw, /"invoice_id"/);
    assert.match(raw, /"line_items"/);

    // Escape closes it; the focus is back on the row.
    await browser.keys(["Escape"]);
    await until(browser, async () => !(await browser.$("[data-test=record-view]").isExisting()), "Escape did not close the card");
    assert.equal(await browser.execute(() => document.activeElement?.getAttribute("data-row")), id, "the focus is back on the row");

    // At 500 x 600: the whole card in the window, no text cut, raw data open too.
    await browser.setWindowSize(500, 600);
    await browser.keys(["Enter"]);
    await (await browser.$("[data-test=record-view]")).waitForDisplayed({ timeout: 10_000 });
    await shot(browser, "25-record-card-500");
    await click(browser, "[data-test=show-raw]");
    const fit = await cutInCard(browser);
    assert.deepEqual(fit, { cut: [], broken: [], outside: false }, `the card at 500 x 600: ${JSON.stringify(fit)}`);
    await click(browser, "[data-test=close-record]");
    await until(browser, async () => !(await browser.$("[data-test=record-view]").isExisting()), "Close did not close the card");
    assert.equal(await browser.execute(() => document.activeElement?.getAttribute("data-row")), id, "the focus is back on the row");
  } finally {
    await quit(browser);
  }
});
