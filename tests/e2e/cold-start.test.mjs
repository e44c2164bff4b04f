// An app link that arrives while the app is not running (cold start): the
// app starts, the link reaches the handler, and since no sign-in was started
// in this run, the window says to start again instead of doing anything.

import { test } from "node:test";
import assert from "node:assert/strict";
import { click, selected, launch, shot, text, quit } from "./lib.mjs";

test("a sign-in link on a cold start asks to start the connection again", async () => {
  // The link is the only argument, as the desktop entry passes it (%u).
  const browser = await launch(null, ["zbsetup://oauth/callback?code=1000.abc&state=leftover-from-another-run"]);
  try {
    await (await browser.$("[data-test=error]")).waitForExist({ timeout: 15_000 });
    assert.match(await text(browser, "[data-test=error]"), /No sign-in is waiting for an answer\. Start the connection again\./);
    await shot(browser, "32-cold-start-link");
  } finally {
    await quit(browser);
  }
});
