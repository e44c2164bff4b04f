// A computer with no keyring at all: the app runs in a desktop session whose
// bus has no Secret Service (none is installed there). The demo works all the
// way through, keeping its made-up keys and sign-ins in its own folder, and
// says so. The real profile refuses to keep a Client Secret anywhere else:
// it says so once, in plain words with the steps to get a keyring, and loses
// nothing that was typed.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { once } from "node:events";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  APP, click, dataDir, demoConnect, filesContaining, filesUnder, launch, openStep, paste, quit, shot, text, until,
  choosePath,
} from "./lib.mjs";

const DATA_DIR = dataDir("no-keyring");
const REAL_ID = "1000.NOKEYRINGTESTCLIENT00000000000";
const REAL_SECRET = "9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddccbb";

/** A session bus of its own with no service files: nothing can start a keyring on it. */
async function busWithoutKeyring() {
  const dir = join(process.env.DESKTOP_TMP, "bus-without-keyring");
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, "session.conf");
  writeFileSync(
    conf,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=${dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  );
  const bus = spawn("dbus-daemon", ["--config-file", conf, "--nofork", "--nopidfile", "--print-address=1"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [address] = await once(createInterface({ input: bus.stdout }), "line");
  // The app is started by this script, on that bus, with no keyring's address.
  const starter = join(dir, "start-app");
  writeFileSync(
    starter,
    `#!/bin/sh\nexport DBUS_SESSION_BUS_ADDRESS='${address}'\nunset GNOME_KEYRING_CONTROL\nexec '${APP}' "$@"\n`,
  );
  chmodSync(starter, 0o755);
  return { address, starter, stop: () => bus.kill() };
}

test("no keyring: the demo runs on its own folder; the real profile says how to get a keyring", async () => {
  const bus = await busWithoutKeyring();
  try {
    // As on the computer in question: asking for the Secret Service fails.
    const probe = spawnSync("secret-tool", ["search", "service", "zoho-books-setup"], {
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus.address },
      encoding: "utf8",
      timeout: 20_000,
    });
    assert.notEqual(probe.status, 0, "no keyring answers on this bus");
    assert.match(probe.stderr, /org\.freedesktop\.secrets/);

    const browser = await launch(DATA_DIR, ["--data-dir", DATA_DIR], { application: bus.starter });
    try {
      // The demo, all the way to a tested connection, without a keyring.
      await demoConnect(browser);
      assert.equal(await (await browser.$("[data-test=keyring-problem]")).isExisting(), false, "no keyring warning in the demo");
      await openStep(browser, "keys");
      assert.match(await text(browser, "[data-test=secret-kept]"), /made up.*not in your system keyring/s);
      await shot(browser, "70-no-keyring-demo-keys");
      await openStep(browser, "test");
      await click(browser, "[data-test=test-connection]");
      await until(
        browser,
        async () => (await (await browser.$("[data-test=test-result]")).getAttribute("data-ok")) !== null,
        "no test result",
        20_000,
      );
      assert.equal(
        await (await browser.$("[data-test=test-result]")).getAttribute("data-ok"),
        "true",
        await text(browser, "[data-test=test-result]"),
      );
      const kept = filesUnder(join(DATA_DIR, "demo", "made-up-keys")).map((f) => f.split("/").pop());
      assert.ok(kept.some((f) => f.startsWith("client-secret_")), kept.join(", "));
      assert.ok(kept.some((f) => f.startsWith("refresh-token_")), kept.join(", "));

      // The real profile: the secret has nowhere to go, and the window says so.
      await click(browser, "[data-test=welcome-button]");
      await choosePath(browser, "real");
      await openStep(browser, "keys");
      await paste(browser, "#client-id", REAL_ID);
      await paste(browser, "#client-secret", REAL_SECRET);
      await click(browser, "[data-test=save-keys]");
      await until(browser, async () => /no keyring is running/.test(await text(browser, "body")), "no message about the keyring", 20_000);
      const body = await text(browser, "body");
      assert.equal(body.split("no keyring is running").length - 1, 1, `said once:\n${body}`);
      assert.match(body, /gnome-keyring/);
      assert.match(body, /sign out of your desktop and back in/);
      assert.doesNotMatch(body, /DBus|D-Bus|freedesktop|\.service files/, "no developer words");
      // Nothing typed is lost, and nothing was saved.
      assert.equal(await (await browser.$("#client-id")).getValue(), REAL_ID);
      assert.equal(await (await browser.$("#client-secret")).getValue(), REAL_SECRET);
      assert.equal(await (await browser.$("[data-test=saved-keys]")).isExisting(), false);
      assert.doesNotMatch(await (await browser.$('button[data-step="keys"]')).getAttribute("class"), /\bdone\b/);
      await shot(browser, "71-no-keyring-real-keys");
    } finally {
      await quit(browser);
    }
    assert.deepEqual(filesContaining(DATA_DIR, REAL_SECRET), [], "the real secret is in no file");
  } finally {
    bus.stop();
  }
});
