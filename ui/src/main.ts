// The setup checklist window. State comes from the core (`get_status`) after
// every action; this file only draws it and turns clicks into commands.

import { api, asAppError, events } from "./api";
import { h, replaceChildren } from "./dom";
import { redrawKeepingFocus } from "./focus";
import type { ErrorNotice, Host, StepScreen } from "./host";
import { beforeYouStart } from "./screens/before-you-start";
import { connect } from "./screens/connect";
import { consoleSettings } from "./screens/console-settings";
import { enable } from "./screens/enable";
import { keys } from "./screens/keys";
import { registerClient } from "./screens/register";
import { STEP_TEXT } from "./steps";
import type { Status } from "./bindings/Status";
import type { ChecklistItem } from "./bindings/ChecklistItem";

// Help is loaded when first needed, so the first screen comes up sooner.
type HelpModule = typeof import("./help");
let helpModule: HelpModule | null = null;

function loadHelp(): void {
  if (!helpModule) {
    void import("./help").then((m) => {
      helpModule = m;
      render();
    });
  }
}

interface UiState {
  status: Status | null;
  showHelp: boolean;
  welcomed: boolean;
  showWelcome: boolean;
  step: string;
  error: ErrorNotice | null;
  info: string | null;
  busy: boolean;
}

const state: UiState = {
  status: null,
  showHelp: false,
  welcomed: true,
  showWelcome: false,
  step: "before_you_start",
  error: null,
  info: null,
  busy: false,
};

const root = document.getElementById("app") as HTMLElement;

/** Runs a command, shows its error in plain words, and redraws; resolves to the error shown. */
async function act<T>(fn: () => Promise<T>, after?: (value: T) => void): Promise<ErrorNotice | null> {
  state.busy = true;
  state.error = null;
  try {
    const value = await fn();
    after?.(value);
  } catch (e) {
    state.error = asAppError(e);
  } finally {
    state.busy = false;
    render();
  }
  return state.error;
}

function setStatus(s: Status): void {
  state.status = s;
}

async function refresh(): Promise<void> {
  // The connections are asked for alongside the status, not after it.
  const connections = api.listConnections().catch(() => null);
  await act(api.boot, (b) => {
    performance.mark("zbs-boot");
    setStatus(b.status);
    state.welcomed = b.welcomed;
    state.showWelcome = !b.welcomed;
    keysScreen.setDemoKeys(b.demo_keys);
    state.step = b.status.current_step ?? "before_you_start";
    connectScreen.idle();
    if (b.connect_outcome) connectScreen.finished(b.connect_outcome);
  });
  if (!performance.getEntriesByName("zbs-render").length) performance.mark("zbs-render");
  const list = await connections;
  if (list) connectScreen.setConnections(list);
  render();
  root.setAttribute("aria-busy", "false");
}

function switchProfile(profile: "real" | "demo"): void {
  void act(
    () => api.switchProfile(profile),
    (b) => {
      setStatus(b.status);
      state.welcomed = true;
      state.showWelcome = false;
      keysScreen.setDemoKeys(b.demo_keys);
      state.step = b.status.current_step ?? "before_you_start";
      connectScreen.idle();
      keysScreen.reset();
    },
  ).then(connectScreen.loadConnections).then(render);
}

function goTo(step: string): void {
  state.step = step;
  state.error = null;
  state.info = null;
  render();
  document.getElementById("step-title")?.focus();
  void api.setCurrentStep(step).catch(() => undefined);
}

// ---------- layout ----------

function render(): void {
  redrawKeepingFocus(root, draw);
}

/** What the screens may ask of the window. */
const host: Host = {
  render,
  busy: () => state.busy,
  run: act,
  setStatus,
  refreshStatus: async () => {
    setStatus(await api.status());
    render();
  },
  setInfo: (message) => {
    state.info = message;
  },
  setError: (e) => {
    state.error = e;
  },
  showInfo: (message) => {
    state.info = message;
    state.error = null;
    render();
  },
  showError: (e) => {
    state.error = e;
    state.info = null;
    render();
  },
  focus: (id) => {
    document.getElementById(id)?.focus();
  },
};

const keysScreen = keys(host);
const connectScreen = connect(host);

/** Each checklist step's screen, by the step ids the core defines (src-tauri/crates/setup/src/checklist.rs). */
const STEPS: Record<string, StepScreen> = {
  before_you_start: beforeYouStart(host),
  register_client: registerClient(host),
  console_settings: consoleSettings(host),
  keys: keysScreen,
  enable: enable(host),
  test: connectScreen,
};

function draw(): void {
  const s = state.status;
  if (!s) {
    replaceChildren(
      root,
      h("main", { id: "main", class: "fatal" }, errorBanner() ?? h("p", {}, "Loading your setup…")),
    );
    return;
  }
  if (state.showWelcome) {
    replaceChildren(root, welcome());
    document.getElementById("welcome-title")?.focus();
    return;
  }
  const done = s.checklist.filter((i) => i.done).length;
  const total = s.checklist.length;
  const header = h(
    "header",
    { class: "topbar" },
    h("h1", {}, "Zoho Books Setup"),
    s.profile === "demo"
      ? h("span", { class: "badge demo", "data-test": "demo-badge" }, "Demo mode: simulated Zoho Books, no real data")
      : null,
    h(
      "div",
      { class: "progress", "data-test": "progress" },
      h("progress", { max: total, value: done, "aria-label": "Setup progress" }),
      h("span", {}, `${done} of ${total} steps done`),
    ),
    h(
      "button",
      {
        type: "button",
        class: "secondary small",
        "data-test": "help-button",
        "aria-expanded": state.showHelp ? "true" : "false",
        onclick: () => {
          state.showHelp = !state.showHelp;
          if (state.showHelp) loadHelp();
          render();
          if (state.showHelp) document.getElementById("help-title")?.focus();
        },
      },
      "Help",
    ),
    h(
      "button",
      {
        type: "button",
        class: "secondary small",
        "data-test": "welcome-button",
        onclick: () => {
          state.showWelcome = true;
          render();
        },
      },
      s.profile === "demo" ? "Leave demo…" : "Welcome screen",
    ),
  );
  const nav = h(
    "nav",
    { class: "steps", "aria-label": "Setup steps" },
    h(
      "ol",
      {},
      s.checklist.map((item, index) => {
        const text = STEP_TEXT[item.id];
        return h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: `step-link${item.id === state.step ? " current" : ""}${item.done ? " done" : ""}`,
              "aria-current": item.id === state.step ? "step" : null,
              "data-step": item.id,
              onclick: () => {
                goTo(item.id);
              },
            },
            h("span", { class: "marker", "aria-hidden": "true" }, item.done ? "✓" : String(index + 1)),
            h("span", {}, text?.title ?? item.id),
            h("span", { class: "visually-hidden" }, item.done ? " (done)" : " (to do)"),
          ),
        );
      }),
    ),
  );
  const main = h(
    "main",
    { id: "main", class: "card" },
    state.showHelp && helpModule
      ? helpModule.helpPanel(
          () => {
            state.showHelp = false;
            render();
          },
          () => {
            render();
          },
        )
      : null,
    banners(s),
    stepCard(s),
  );
  replaceChildren(root, header, h("div", { class: "layout" }, nav, main));
}

function welcome(): HTMLElement {
  const s = state.status;
  return h(
    "main",
    { id: "main", class: "welcome", "data-test": "welcome" },
    h("h1", { id: "welcome-title", tabindex: "-1" }, "Welcome to Zoho Books Setup"),
    h(
      "p",
      { class: "lead" },
      "This app walks you through registering your integration with Zoho, adding its keys, and testing it by connecting a Zoho Books organization and pulling a little sample data.",
    ),
    errorBanner(),
    h(
      "div",
      { class: "paths" },
      h(
        "button",
        { type: "button", class: "path primary", "data-test": "choose-real", onclick: () => { switchProfile("real"); } },
        h("strong", {}, "Set up Zoho Books"),
        h("span", {}, "Use your own Zoho account. About ten minutes."),
      ),
      h(
        "button",
        { type: "button", class: "path", "data-test": "choose-demo", onclick: () => { switchProfile("demo"); } },
        h("strong", {}, "Try the demo"),
        h("span", {}, "No Zoho account needed: everything runs against a simulated Zoho Books on this computer."),
      ),
    ),
    state.welcomed && s
      ? h(
          "button",
          {
            type: "button",
            class: "secondary",
            onclick: () => {
              state.showWelcome = false;
              render();
            },
          },
          s.profile === "demo" ? "Back to the demo" : "Back to my setup",
        )
      : null,
  );
}

function banners(s: Status): HTMLElement {
  return h(
    "div",
    { class: "banners" },
    s.keyring_problem
      ? h("div", { class: "banner error", role: "alert", "data-test": "keyring-problem" }, s.keyring_problem)
      : null,
    s.recovery_notice
      ? h(
          "div",
          { class: "banner warning", role: "alert" },
          h("p", {}, s.recovery_notice),
          h(
            "button",
            {
              type: "button",
              class: "secondary",
              onclick: () => void act(api.dismissRecoveryNotice, () => void refresh()),
            },
            "OK",
          ),
        )
      : null,
    errorBanner(),
    state.info ? h("div", { class: "banner info", role: "status", "data-test": "info" }, state.info) : null,
  );
}

function errorBanner(): HTMLElement | null {
  if (!state.error) return null;
  return h(
    "div",
    { class: "banner error", role: "alert", "data-test": "error" },
    h("p", {}, state.error.message),
    h(
      "button",
      {
        type: "button",
        class: "secondary",
        "aria-label": "Dismiss this message",
        onclick: () => {
          state.error = null;
          render();
        },
      },
      "Dismiss",
    ),
  );
}

function stepCard(s: Status): HTMLElement {
  const index = s.checklist.findIndex((i) => i.id === state.step);
  const item = s.checklist[index] ?? s.checklist[0];
  if (!item) return h("section", {});
  const text = STEP_TEXT[item.id] ?? { title: item.id, why: "" };
  const body = stepBody(s, item);
  const prev = s.checklist[index - 1];
  const next = s.checklist[index + 1];
  return h(
    "section",
    { class: "step", "data-step-card": item.id, "aria-labelledby": "step-title" },
    h("p", { class: "step-count" }, `Step ${index + 1} of ${s.checklist.length}`),
    h("h2", { id: "step-title", tabindex: "-1" }, text.title, item.done ? h("span", { class: "done-tag" }, "Done") : null),
    h("p", { class: "why" }, text.why),
    body,
    h(
      "div",
      { class: "nav-buttons" },
      prev
        ? h("button", { type: "button", class: "secondary", onclick: () => { goTo(prev.id); } }, "Back")
        : h("span", {}),
      next
        ? h("button", { type: "button", class: "primary", "data-test": "next", onclick: () => { goTo(next.id); } }, "Next")
        : null,
    ),
  );
}

function stepBody(s: Status, item: ChecklistItem): HTMLElement {
  return STEPS[item.id]?.view(s, item) ?? h("div", {});
}

// User Timing marks for the startup benchmark (benches/startup.mjs):
// zbs-script (this module runs), zbs-boot (the core answered), zbs-render
// (the first screen is drawn).
performance.mark("zbs-script");

void events.connectFinished(connectScreen.finished);

void refresh();
