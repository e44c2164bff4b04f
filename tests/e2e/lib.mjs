// Helpers shared by the end-to-end tests: start the real app through
// tauri-driver, find things the way a person sees them, save screenshots.

import { createHash } from "node:crypto";
import { remote } from "webdriverio";
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { readFileSync, existsSync, readdirSync, statSync, writeFileSync, mkdirSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

export const APP = process.env.APP;
export const OUT = process.env.E2E_OUT;

/** A data folder of its own for each test file (kept across relaunches). */
export function dataDir(name) {
  return join(process.env.DESKTOP_TMP, `data-${name}`);
}

/** Starts the app in a fresh WebDriver session and waits for the checklist
 * or the welcome screen. `application` may be a script that starts the app
 * in another environment (it must `exec` it). */
export async function launch(dir, args = ["--data-dir", dir], { application = APP } = {}) {
  try {
    return await launchOnce(args, application);
  } catch (e) {
    // On a loaded machine the driver can give up on a slow start and start the
    // app again, which then finds the first one: clear both and try once more.
    console.error(`starting the app failed once (${e}); trying again`);
    if (appRunning()) execFileSync("pkill", ["-KILL", "-f", APP]);
    await new Promise((r) => setTimeout(r, 1000));
    return launchOnce(args, application);
  }
}

/** A new WebDriver session through tauri-driver that starts `application`
 * (default: APP) with `args` (none when undefined). Returns as soon as the
 * driver has started it, without waiting for the page: the benchmarks time
 * what follows. */
export async function startSession(args, { application = APP, logLevel = "warn" } = {}) {
  return remote({
    hostname: "127.0.0.1",
    port: Number(process.env.WEBDRIVER_PORT),
    logLevel,
    connectionRetryTimeout: 60_000,
    capabilities: {
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": args === undefined ? { application } : { application, args },
    },
  });
}

async function launchOnce(args, application) {
  const browser = await startSession(args, { application });
  await browser.setTimeout({ implicit: 0 });
  await browser.waitUntil(
    async () => (await browser.$("[data-step-card]").isExisting()) || (await browser.$("[data-test=welcome]").isExisting()),
    { timeout: 20_000, timeoutMsg: "the window never showed the checklist or the welcome screen" },
  );
  return browser;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Saves a screenshot of the window, and checks it with axe-core: the report
 * goes to target/e2e/axe/, and any serious or critical violation fails.
 * The picture is taken from the display (ImageMagick's import), as a person
 * sees it, once the page has painted twice: WebKitWebDriver's own
 * screenshot hangs with the renderer the app uses. */
/**
 * Screenshots the window as it is, then at 500 x 600 (the smallest size the
 * app supports), each checked with axe-core; the window gets its size back.
 * `{ thisSizeOnly: true }` for a test that walks the sizes itself.
 */
export async function shot(browser, name, { thisSizeOnly = false } = {}) {
  const rect = await browser.getWindowRect();
  await shotAtThisSize(browser, name);
  if (thisSizeOnly || (rect.width <= 500 && rect.height <= 600)) return;
  await browser.setWindowRect(null, null, 500, 600);
  await browser.waitUntil(async () => (await browser.execute(() => window.innerWidth)) <= 500, {
    timeout: 5_000,
    timeoutMsg: `the window did not shrink to 500 x 600 for ${name}`,
  });
  try {
    await shotAtThisSize(browser, `${name}-500x600`);
  } finally {
    await browser.setWindowRect(null, null, rect.width, rect.height);
    await browser.waitUntil(async () => (await browser.execute(() => window.innerWidth)) > 500, { timeout: 5_000 });
    await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  }
}

async function shotAtThisSize(browser, name) {
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  const { x, y, width, height } = await browser.getWindowRect();
  execFileSync("import", [
    "-display", process.env.DISPLAY,
    "-window", "root",
    "-crop", `${width}x${height}+${Math.max(0, x)}+${Math.max(0, y)}`,
    "+repage",
    join(OUT, "screenshots", `${name}.png`),
  ]);
  // The axe source travels as the driver's script itself: the page's CSP
  // (no eval) stays in force for the app, and the driver may still run it.
  const result = await browser.executeAsync(`${AXE_SOURCE}
    ;const done = arguments[arguments.length - 1];
    window.axe
      .run(document, { resultTypes: ["violations"] })
      .then((r) => done({
        rules_passed: r.passes.length,
        violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) })),
      }))
      .catch((e) => done({ error: String(e) }));`);
  mkdirSync(join(OUT, "axe"), { recursive: true });
  writeFileSync(join(OUT, "axe", `${name}.json`), JSON.stringify(result, null, 2));
  if (result.error || !Array.isArray(result.violations)) throw new Error(`axe-core could not run on ${name}: ${result.error}`);
  if (result.rules_passed < 5) throw new Error(`axe-core checked almost nothing on ${name}`);
  const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (serious.length > 0) {
    throw new Error(`accessibility problems on ${name}: ${JSON.stringify(serious, null, 1)}`);
  }
}

/** The window redraws after every change, so an element found a moment ago
 * can be replaced before it is used: such actions are tried again. */
async function retrying(fn, tries = 5) {
  let last;
  for (let i = 0; i < tries; i++) {
    try {
      return await fn();
    } catch (e) {
      last = e;
      if (!/stale|no such element|not interactable|detached/i.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw last;
}

export async function text(browser, selector) {
  return retrying(async () => (await browser.$(selector)).getText());
}

/** The text of every element `selector` finds, read again if the window redrew. */
export async function texts(browser, selector) {
  return retrying(async () => browser.$$(selector).map((e) => e.getText()));
}

/** Clicks what `selector` finds once it exists, trying again if it was redrawn. */
export async function click(browser, selector, timeout = 10_000) {
  await retrying(() => browser.$(selector).waitForExist({ timeout }));
  return retrying(async () => (await browser.$(selector)).click());
}

/** Whether a checkbox or radio is selected, read again if it was redrawn. */
export async function selected(browser, selector) {
  return retrying(async () => (await browser.$(selector)).isSelected());
}

/** Waits until `fn` returns a truthy value, polling. */
export async function until(browser, fn, message, timeout = 10_000) {
  await browser.waitUntil(fn, { timeout, interval: 100, timeoutMsg: message });
}

/** Opens a step from the step list. The list is redrawn after every change
 * of state, so a click can land on a button being replaced (as a person's
 * would): when the step has not opened, click once more. */
export async function openStep(browser, id) {
  const card = `[data-step-card="${id}"]`;
  for (let attempt = 1; ; attempt++) {
    await click(browser, `button[data-step="${id}"]`);
    try {
      await (await browser.$(card)).waitForExist({ timeout: 5000 });
      return;
    } catch (e) {
      if (attempt === 2) throw e;
    }
  }
}

/** Ticks a sub-step and waits until the core has saved it (the list is
 * redrawn after every change, so a click can land on a replaced element:
 * try again then). */
export async function tick(browser, item) {
  const selector = `input[data-tick="${item}"]`;
  const saved = async () =>
    (await browser.$(selector).parentElement().parentElement().getAttribute("class")).includes("ticked");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const box = await browser.$(selector);
      await box.waitForExist({ timeout: 5000 });
      if (!(await box.isSelected())) await box.click();
      await browser.waitUntil(saved, { timeout: 4000, interval: 100 });
      return;
    } catch {
      // redrawn under the click: look again
    }
  }
  throw new Error(`${item} not ticked`);
}

/** Replaces a field's content the way a person pastes over it. */
export async function paste(browser, selector, value) {
  await browser.$(selector).waitForExist({ timeout: 10_000 });
  await browser.execute(
    (sel, v) => {
      const el = document.querySelector(sel);
      el.value = v;
      el.dispatchEvent(new Event("input", { bubbles: true }));
    },
    selector,
    value,
  );
}

/** The keyring entry of a data folder's Client Secret: `client-secret:` and
 * the first 8 bytes, in hex, of the SHA-256 of the folder's real path (as
 * the core names it, so each data folder keeps its own). */
export function clientSecretEntry(dir) {
  const digest = createHash("sha256").update(realpathSync(dir)).digest("hex");
  return `client-secret:${digest.slice(0, 16)}`;
}

/** What the Secret Service holds for a keyring service, via secret-tool. */
export function secretToolSearch(service) {
  try {
    return execFileSync("secret-tool", ["search", "--all", "--unlock", "service", service], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    return `${e.stdout ?? ""}${e.stderr ?? ""}`;
  }
}

export function secretToolLookup(service, user) {
  try {
    return execFileSync("secret-tool", ["lookup", "service", service, "username", user], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch {
    return "";
  }
}

/** Every file under a folder, recursively. */
export function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** The files under `dir` whose bytes contain `needle`. */
export function filesContaining(dir, needle) {
  return filesUnder(dir).filter((f) => readFileSync(f).includes(Buffer.from(needle)));
}

/** Ends the session (closing the app) and makes sure the app is gone, so
 * the next launch is not taken for a second instance; a failure here never
 * hides the test's own. */
export async function quit(browser) {
  try {
    await browser.deleteSession();
  } catch (e) {
    console.error(`closing the app failed: ${e}`);
  }
  for (let i = 0; i < 50 && appRunning(); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (appRunning()) {
    execFileSync("pkill", ["-KILL", "-f", APP]);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Whether the app's process is still running. */
export function appRunning() {
  try {
    execFileSync("pgrep", ["-f", APP], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** On the welcome screen, picks a path: "real" (own Zoho account) or "demo". */
export async function choosePath(browser, path) {
  await (await browser.$("[data-test=welcome]")).waitForExist({ timeout: 10_000 });
  await click(browser, `[data-test=choose-${path}]`);
  await (await browser.$("[data-step-card]")).waitForExist({ timeout: 20_000 });
}

/** The person on the simulator's consent page: clicks Accept; returns where
 * the simulator redirects the browser (the app's link or loopback address). */
export async function acceptConsent(authorizeUrl) {
  const page = await fetch(authorizeUrl);
  if (page.status !== 200) throw new Error(`the consent page answered ${page.status}`);
  const html = await page.text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1];
  if (!/Accept/.test(html) || !requestId) throw new Error("the consent page has no Accept form");
  const decision = await fetch(new URL("/oauth/v2/auth/decision", authorizeUrl), {
    method: "POST",
    body: new URLSearchParams({ request_id: requestId, decision: "accept" }),
    redirect: "manual",
  });
  if (decision.status !== 302) throw new Error(`the decision answered ${decision.status}, not a redirect`);
  return decision.headers.get("location");
}

/** In demo mode: pastes the demo keys, saves them and switches the integration on. */
export async function demoKeysAndSwitch(browser) {
  await openStep(browser, "keys");
  await browser.$("[data-test=demo-keys] code").waitForExist({ timeout: 10_000 });
  const [id, secret] = await texts(browser, "[data-test=demo-keys] code");
  await paste(browser, "#client-id", id);
  await paste(browser, "#client-secret", secret);
  await click(browser, "[data-test=save-keys]");
  await browser.$("[data-test=saved-keys]").waitForExist({ timeout: 15_000 });
  await openStep(browser, "enable");
  await click(browser, "#enable-switch");
  await until(browser, async () => (await browser.$("#enable-switch").getAttribute("aria-checked")) === "true", "not switched on");
  return { id, secret };
}

/** In demo mode, from the welcome screen: keys, switch, a connected test
 * organization; its sample pull opens by itself. */
export async function demoConnect(browser) {
  await choosePath(browser, "demo");
  await demoKeysAndSwitch(browser);
  await openStep(browser, "test");
  await click(browser, "[data-test=connect]");
  await (await browser.$("[data-test=waiting]")).waitForExist({ timeout: 10_000 });
  const url = await (await browser.$("[data-test=waiting]")).getAttribute("data-authorize-url");
  const location = await acceptConsent(url);
  await fetch(location);
  await (await browser.$("[data-test=org-picker]")).waitForExist({ timeout: 15_000 });
  await click(browser, "[data-test=connect-org]");
  await (await browser.$("[data-test=open-pull]")).waitForExist({ timeout: 10_000 });
}

/** Closes the window as the window manager does (its close button, Alt+F4):
 * Tauri's close request, which the app may hold (CloseRequested). Returns
 * at once; the window answers in its own time. */
export async function requestClose(browser) {
  // Asked a moment later, so the driver has its answer before the window may go.
  await browser.execute(() => {
    setTimeout(() => void window.__TAURI_INTERNALS__.invoke("plugin:window|close", { label: "main" }), 100);
  });
}

/** Waits until the app's process has ended; false if it still runs after `timeout` ms. */
export async function appEnded(timeout = 20_000) {
  for (let waited = 0; waited < timeout && appRunning(); waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return !appRunning();
}

/**
 * Starts a Zoho stand-in (`zbsetup simulate` with `args`) that writes its
 * endpoints file to `endpoints`; resolves once it serves, with the keys of
 * the client it made up. `stop()` ends it.
 */
export async function startStandIn(args, endpoints) {
  const sim = spawn(process.env.ZBSETUP_BIN, ["simulate", ...args, "--endpoints-out", endpoints], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let id = "";
  let secret = "";
  for await (const line of createInterface({ input: sim.stdout })) {
    id = line.startsWith("client_id: ") ? line.slice(11) : id;
    secret = line.startsWith("client_secret: ") ? line.slice(15) : secret;
    if (line.startsWith("Simulating")) break;
  }
  return {
    id,
    secret,
    stop: async () => {
      sim.kill("SIGINT");
      await once(sim, "exit");
    },
  };
}

/** The system's save dialog (GTK's, a window of its own on the display),
 * answered as a person does with the keyboard: waits for the window titled
 * `title`, then types `path` as the name (a whole path is taken as the
 * place too) and presses Enter; or, with `path` null, presses Escape. */
export async function answerSaveDialog(title, path) {
  const xdotool = (...args) => execFileSync("xdotool", args, { encoding: "utf8", timeout: 20_000 }).trim();
  const id = xdotool("search", "--sync", "--onlyvisible", "--name", `^${title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`).split("\n")[0];
  // The dialog takes keys once it has drawn and focused its name field.
  await new Promise((r) => setTimeout(r, 700));
  xdotool("windowfocus", "--sync", id);
  if (path === null) {
    xdotool("key", "--clearmodifiers", "Escape");
  } else {
    xdotool("key", "--clearmodifiers", "ctrl+a");
    xdotool("type", "--clearmodifiers", "--delay", "10", path);
    await new Promise((r) => setTimeout(r, 300));
    xdotool("key", "--clearmodifiers", "Return");
  }
}

/**
 * Where an element is against the window: `inView` when its top is on
 * screen and so is its bottom (or, taller than the window, its top is at
 * the window's top). Null when nothing matches.
 */
export async function placeOf(browser, selector) {
  return browser.execute((sel) => {
    const el = document.querySelector(sel);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    const h = window.innerHeight;
    const inView = r.height > 0 && r.top >= -1 && (r.bottom <= h + 1 || (r.height > h && r.top <= 1));
    return { top: Math.round(r.top), bottom: Math.round(r.bottom), height: window.innerHeight, inView };
  }, selector);
}

/** Waits until what `selector` finds is in the window's view. */
export async function untilInView(browser, selector, what, timeout = 10_000) {
  let last = null;
  await browser
    .waitUntil(async () => (last = await placeOf(browser, selector))?.inView === true, { timeout, interval: 100 })
    .catch(() => {
      throw new Error(`${what} is not in view: ${JSON.stringify(last)}`);
    });
}

/** What has the keyboard's focus, in a few words (for messages and checks). */
export async function focused(browser) {
  return browser.execute(() => {
    const a = document.activeElement;
    if (!a || a === document.body) return "body";
    const test = a.getAttribute("data-test");
    const data = [...a.attributes].find((x) => x.name.startsWith("data-") && x.value);
    return a.id ? `#${a.id}` : test ? `[data-test=${test}]` : data ? `[${data.name}=${data.value}]` : a.tagName.toLowerCase();
  });
}

/** The open step's title has the focus and is in view (as a step opens). */
export async function untilStepTitleFocused(browser, step) {
  let last = null;
  await browser
    .waitUntil(
      async () => {
        last = await browser.execute(() => {
          const t = document.getElementById("step-title");
          const r = t?.getBoundingClientRect();
          return {
            step: document.querySelector("[data-step-card]")?.getAttribute("data-step-card"),
            focused: document.activeElement === t,
            top: r ? Math.round(r.top) : null,
            bottom: r ? Math.round(r.bottom) : null,
            height: window.innerHeight,
          };
        });
        return last.step === step && last.focused && last.top >= 0 && last.bottom <= last.height;
      },
      { timeout: 10_000, interval: 100 },
    )
    .catch(() => {
      throw new Error(`the title of ${step} is not focused and in view: ${JSON.stringify(last)}`);
    });
}

/** Whether the focus is on the open step's first control (the first a Tab reaches in its card). */
export async function onFirstControl(browser) {
  return browser.execute(() => {
    const card = document.querySelector("[data-step-card]");
    if (!card) return false;
    const first = [...card.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]")].find((e) => {
      if (e.disabled || e.tabIndex < 0 || e.getClientRects().length === 0) return false;
      // In a radio group only the chosen option (or the first) is a Tab stop.
      if (e.type === "radio" && !e.checked) {
        const group = [...card.querySelectorAll(`input[type=radio][name="${CSS.escape(e.name)}"]`)];
        return !group.some((o) => o.checked) && group[0] === e;
      }
      return true;
    });
    return first !== undefined && document.activeElement === first;
  });
}

/**
 * The preview's cells (and headers) whose text does not fit their box, and
 * how far the page and the table would scroll sideways.
 */
export async function previewFit(browser) {
  return browser.execute(() => {
    const cells = [...document.querySelectorAll(".ttable .trow span, .ttable .thead button")];
    const cut = cells
      .filter((e) => e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight + 1)
      .map((e) => ({ text: e.textContent, w: [e.scrollWidth, e.clientWidth], h: [e.scrollHeight, e.clientHeight] }));
    const page = document.scrollingElement;
    const table = document.querySelector(".ttable");
    return {
      cells: cells.length,
      cut: cut.slice(0, 5),
      pageSideways: page.scrollWidth - page.clientWidth,
      tableSideways: table ? table.scrollWidth - table.clientWidth : null,
      amounts: [...document.querySelectorAll(".ttable .trow span.num")].map((e) => e.textContent),
    };
  });
}

/** Resizes the window and waits until the page has its new width and has painted. */
export async function resize(browser, width, height) {
  await browser.setWindowRect(null, null, width, height);
  await browser.waitUntil(async () => Math.abs((await browser.execute(() => window.innerWidth)) - width) <= 20, {
    timeout: 5_000,
    timeoutMsg: `the window did not take ${width} x ${height}`,
  });
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
}
