// The setup checklist window. State comes from the core (`get_status`) after
// every action; this file only draws it and turns clicks into commands.

import { api, asAppError, events } from "./api";
import { copyable } from "./copy";
import { h, replaceChildren } from "./dom";
import { redrawKeepingFocus } from "./focus";
import type { ErrorNotice, Host, StepScreen } from "./host";
import { beforeYouStart } from "./screens/before-you-start";
import { consoleSettings } from "./screens/console-settings";
import { enable } from "./screens/enable";
import { keys } from "./screens/keys";
import { registerClient } from "./screens/register";
import { STEP_TEXT } from "./steps";
import type { Status } from "./bindings/Status";
import type { ChecklistItem } from "./bindings/ChecklistItem";
import type { Connection } from "./bindings/Connection";
import type { OrganizationChoice } from "./bindings/OrganizationChoice";
import type { Started } from "./bindings/Started";
import type { Finished } from "./bindings/Finished";

// Pulls and help are loaded when first needed, so the first screen comes up sooner.
type PullModule = typeof import("./pull");
type HelpModule = typeof import("./help");
let pullModule: PullModule | null = null;
let helpModule: HelpModule | null = null;

function loadPull(): void {
  if (!pullModule) {
    void import("./pull").then((m) => {
      pullModule = m;
      render();
    });
  }
}

function loadHelp(): void {
  if (!helpModule) {
    void import("./help").then((m) => {
      helpModule = m;
      render();
    });
  }
}

/** Where a sign-in is: idle, waiting for the browser, or choosing an organization. */
type ConnectFlow =
  | { kind: "idle" }
  | { kind: "waiting"; started: Started }
  | { kind: "choosing"; choices: OrganizationChoice[]; selected: string | null };

interface UiState {
  status: Status | null;
  showHelp: boolean;
  welcomed: boolean;
  showWelcome: boolean;
  connections: Connection[];
  flow: ConnectFlow;
  region: string | null;
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
  connections: [],
  flow: { kind: "idle" },
  region: null,
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

async function loadConnections(): Promise<void> {
  try {
    state.connections = await api.listConnections();
  } catch (e) {
    state.error = asAppError(e);
  }
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
    state.flow = { kind: "idle" };
    if (b.connect_outcome) connectFinished(b.connect_outcome);
  });
  if (!performance.getEntriesByName("zbs-render").length) performance.mark("zbs-render");
  state.connections = (await connections) ?? state.connections;
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
      state.flow = { kind: "idle" };
      keysScreen.reset();
    },
  ).then(loadConnections).then(render);
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

/** Each checklist step's screen, by the step ids the core defines (src-tauri/crates/setup/src/checklist.rs). */
const STEPS: Record<string, StepScreen> = {
  before_you_start: beforeYouStart(host),
  register_client: registerClient(host),
  console_settings: consoleSettings(host),
  keys: keysScreen,
  enable: enable(host),
  test: { view: (s) => testStep(s) },
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

function testStep(s: Status): HTMLElement {
  if (!s.enabled) {
    return h("p", { "data-test": "test-disabled" }, "Switch the integration on first (previous step); then you can connect a test organization here.");
  }
  loadPull();
  return h("div", { class: "test" }, connectPanel(s), connectionsList(), pullModule?.pullArea() ?? null);
}

function connectPanel(s: Status): HTMLElement {
  const flow = state.flow;
  if (flow.kind === "waiting") {
    const st = flow.started;
    return h(
      "section",
      { class: "panel", "data-test": "waiting", "aria-live": "polite" },
      h("h3", {}, "Waiting for you to sign in to Zoho"),
      st.warning ? h("div", { class: "banner warning", role: "alert" }, st.warning) : null,
      h(
        "p",
        {},
        st.browser_opened
          ? "Zoho's sign-in page opened in your browser. Sign in, check the permissions, and click Accept. Then come back here."
          : "Your browser did not open by itself. Copy this link into your browser, sign in, and click Accept.",
      ),
      h("p", { class: "hint" }, "If the browser did not open, or you want to use another browser, copy the link:"),
      copyable(st.authorize_url, "the sign-in link"),
      h(
        "div",
        { class: "row" },
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            "data-test": "cancel-connect",
            onclick: () => void act(api.cancelConnect, () => { state.flow = { kind: "idle" }; }),
          },
          "Cancel",
        ),
      ),
    );
  }
  if (flow.kind === "choosing") {
    const name = `org-choice`;
    return h(
      "form",
      {
        class: "panel",
        "data-test": "org-picker",
        onsubmit: (e: Event) => {
          e.preventDefault();
          void act(
            () => api.chooseOrganization(flow.selected),
            (c) => {
              state.flow = { kind: "idle" };
              state.info = `Connected ${c.organization_name}.`;
            },
          ).then(async () => {
            await loadConnections();
            setStatus(await api.status());
            render();
          });
        },
      },
      h("h3", {}, "Choose the organization to connect"),
      h(
        "fieldset",
        { class: "choices" },
        h("legend", { class: "visually-hidden" }, "Organizations"),
        flow.choices.map((c) =>
          h(
            "label",
            { class: "choice" },
            h("input", {
              type: "radio",
              name,
              value: c.organization_id,
              "data-org": c.organization_id,
              checked: flow.selected === c.organization_id,
              onchange: () => {
                flow.selected = c.organization_id;
              },
            }),
            h(
              "span",
              {},
              h("strong", {}, c.name),
              c.is_default ? h("span", { class: "badge ok" }, "Default") : null,
              h(
                "span",
                { class: "hint block" },
                [c.plan ? `Plan: ${c.plan}` : null, c.currency ? `Currency: ${c.currency}` : null, `Data center: ${c.region_name}`]
                  .filter(Boolean)
                  .join(" · "),
              ),
              c.times_connected > 0
                ? h("span", { class: "hint block" }, `Already connected ${c.times_connected} time${c.times_connected === 1 ? "" : "s"} with this Client ID.`)
                : null,
            ),
          ),
        ),
      ),
      h("div", { class: "row" }, h("button", { type: "submit", class: "primary", "data-test": "connect-org" }, "Connect this organization")),
    );
  }
  const regions = s.data_centers.filter((dc) => s.regions.includes(dc.region));
  const region = state.region ?? regions[0]?.region ?? null;
  return h(
    "section",
    { class: "panel", "data-test": "connect-start" },
    h("h3", {}, "Connect a test organization"),
    h(
      "p",
      {},
      "You will sign in to Zoho in your browser and allow read-only access to one Zoho Books organization. Nothing is changed in Zoho Books.",
    ),
    regions.length > 1
      ? h(
          "div",
          { class: "field" },
          h("label", { for: "connect-region" }, "Start the sign-in at"),
          h(
            "select",
            {
              id: "connect-region",
              onchange: (e: Event) => {
                state.region = (e.target as HTMLSelectElement).value;
              },
            },
            regions.map((dc) => h("option", { value: dc.region, selected: dc.region === region }, dc.name)),
          ),
          h("p", { class: "hint" }, "Zoho sends you on to your organization's own data center if it is elsewhere."),
        )
      : null,
    h(
      "div",
      { class: "row" },
      h(
        "button",
        {
          type: "button",
          class: "primary",
          "data-test": "connect",
          disabled: state.busy,
          onclick: () => { startConnect(region, null); },
        },
        "Connect a test organization",
      ),
    ),
  );
}

function startConnect(region: string | null, reconnect: string | null): void {
  void act(
    () => api.startConnect(region, reconnect),
    (started) => {
      state.flow = { kind: "waiting", started };
    },
  );
}

function connectionsList(): HTMLElement | null {
  if (state.connections.length === 0) return null;
  return h(
    "section",
    { class: "panel", "data-test": "connections" },
    h("h3", {}, "Connected organizations"),
    h(
      "ul",
      { class: "connections" },
      state.connections.map((c) =>
        h(
          "li",
          { class: "connection", "data-connection": c.id },
          h(
            "div",
            {},
            h("strong", { "data-test": "connection-name" }, c.label ?? c.organization_name),
            c.state === "needs_reconnect"
              ? h("span", { class: "badge warn", "data-test": "needs-reconnect" }, "Needs reconnecting")
              : h("span", { class: "badge ok" }, "Connected"),
            h(
              "span",
              { class: "hint block" },
              `${c.organization_name} · ${c.region.toUpperCase()} data center · connected ${new Date(c.connected_at).toLocaleString()}`,
            ),
          ),
          h(
            "div",
            { class: "row" },
            h(
              "button",
              {
                type: "button",
                class: pullModule?.pullOpenFor() === c.id ? "secondary" : "primary",
                "data-test": "open-pull",
                disabled: c.state === "needs_reconnect",
                onclick: () => {
                  if (!pullModule) return;
                  if (pullModule.pullOpenFor() === c.id) pullModule.closePull();
                  else pullModule.openPull(c, host);
                  render();
                },
              },
              pullModule?.pullOpenFor() === c.id ? "Hide sample data" : "Pull sample data",
            ),
            h(
              "button",
              {
                type: "button",
                class: "secondary",
                "data-test": "test-connection",
                onclick: () =>
                  void act(
                    () => api.testConnection(c.id),
                    (r) => {
                      if (r.ok) state.info = r.message;
                      else state.error = { code: null, message: r.message, issues: [] };
                    },
                  ).then(loadConnections).then(render),
              },
              "Test",
            ),
            h(
              "button",
              {
                type: "button",
                class: "secondary",
                onclick: () => {
                  const label = window.prompt("Name this connection", c.label ?? c.organization_name);
                  if (label !== null) {
                    void act(() => api.renameConnection(c.id, label)).then(loadConnections).then(render);
                  }
                },
              },
              "Rename",
            ),
            h(
              "button",
              {
                type: "button",
                class: c.state === "needs_reconnect" ? "primary" : "secondary",
                "data-test": "reconnect",
                onclick: () => { startConnect(null, c.id); },
              },
              "Reconnect",
            ),
            h(
              "button",
              {
                type: "button",
                class: "danger",
                "data-test": "disconnect",
                onclick: () => {
                  if (!window.confirm(`Disconnect ${c.organization_name}? Zoho will be told to cancel this connection.`)) return;
                  void act(() => api.disconnect(c.id, false))
                    .then(async () => {
                      if (state.error?.code === "revoke_failed" && window.confirm(`${state.error.message}\n\nForget it here anyway?`)) {
                        await act(() => api.disconnect(c.id, true));
                      }
                    })
                    .then(loadConnections)
                    .then(async () => {
                      setStatus(await api.status());
                      render();
                    });
                },
              },
              "Disconnect",
            ),
          ),
        ),
      ),
    ),
  );
}

function connectFinished(f: Finished): void {
  if (f.error) {
    state.error = asAppError(f.error);
    state.flow = { kind: "idle" };
  } else if (f.choices) {
    const preferred = f.choices.find((c) => c.is_default) ?? f.choices[0];
    state.flow = { kind: "choosing", choices: f.choices, selected: preferred?.organization_id ?? null };
    state.error = null;
  }
  render();
}

// User Timing marks for the startup benchmark (benches/startup.mjs):
// zbs-script (this module runs), zbs-boot (the core answered), zbs-render
// (the first screen is drawn).
performance.mark("zbs-script");

void events.connectFinished(connectFinished);

void refresh();
