// The setup checklist window. State comes from the core (`get_status`) after
// every action; this file only draws it and turns clicks into commands.

import { api, asAppError, type AppError } from "./api";
import { copyable } from "./copy";
import { h, replaceChildren } from "./dom";
import { SAME_CREDENTIALS_WHY, STEP_TEXT, SUBSTEP_TEXT } from "./steps";
import type { Status } from "./bindings/Status";
import type { ChecklistItem } from "./bindings/ChecklistItem";
import type { KeyIssue } from "./bindings/KeyIssue";

interface UiState {
  status: Status | null;
  step: string;
  error: AppError | null;
  info: string | null;
  /** What is typed in the key fields; kept across redraws, never persisted. */
  keyDraft: { clientId: string; clientSecret: string; issues: KeyIssue[]; editing: boolean };
  busy: boolean;
}

const state: UiState = {
  status: null,
  step: "before_you_start",
  error: null,
  info: null,
  keyDraft: { clientId: "", clientSecret: "", issues: [], editing: false },
  busy: false,
};

const root = document.getElementById("app") as HTMLElement;

/** Runs a command, shows its error in plain words, and redraws. */
async function act<T>(fn: () => Promise<T>, after?: (value: T) => void): Promise<void> {
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
}

function setStatus(s: Status): void {
  state.status = s;
}

async function refresh(): Promise<void> {
  await act(api.status, (s) => {
    setStatus(s);
    state.step = s.current_step ?? "before_you_start";
  });
  root.setAttribute("aria-busy", "false");
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
  const s = state.status;
  if (!s) {
    replaceChildren(
      root,
      h("main", { id: "main", class: "fatal" }, errorBanner() ?? h("p", {}, "Loading your setup…")),
    );
    return;
  }
  const done = s.checklist.filter((i) => i.done).length;
  const total = s.checklist.length;
  const header = h(
    "header",
    { class: "topbar" },
    h("h1", {}, "Zoho Books Setup"),
    s.profile === "demo" ? h("span", { class: "badge demo" }, "Demo mode: simulated Zoho Books") : null,
    h(
      "div",
      { class: "progress", "data-test": "progress" },
      h("progress", { max: total, value: done, "aria-label": "Setup progress" }),
      h("span", {}, `${done} of ${total} steps done`),
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
    banners(s),
    stepCard(s),
  );
  replaceChildren(root, header, h("div", { class: "layout" }, nav, main));
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
    state.info ? h("div", { class: "banner info", role: "status" }, state.info) : null,
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
  switch (item.id) {
    case "before_you_start":
      return beforeYouStart(s, item);
    case "register_client":
      return registerClient(s, item);
    case "console_settings":
      return consoleSettings(s, item);
    case "keys":
      return keysStep(s);
    case "enable":
      return enableStep(s);
    case "test":
      return testStep(s);
    default:
      return h("div", {});
  }
}

// ---------- sub-step ticks ----------

function tick(stepId: string, sub: string, done: boolean, extra?: HTMLElement | null): HTMLElement {
  const id = `${stepId}.${sub}`;
  const box = h("input", {
    type: "checkbox",
    id: `tick-${id}`,
    "data-tick": id,
    checked: done,
    onchange: (e: Event) => {
      const checked = (e.target as HTMLInputElement).checked;
      void act(() => api.setStep(id, checked), setStatus);
    },
  });
  return h(
    "li",
    { class: `tick${done ? " ticked" : ""}` },
    h("div", { class: "tick-row" }, box, h("label", { for: `tick-${id}` }, SUBSTEP_TEXT[id] ?? id)),
    extra ?? null,
  );
}

function ticks(item: ChecklistItem, extras: Record<string, HTMLElement | null> = {}): HTMLElement {
  return h(
    "ol",
    { class: "ticks" },
    item.substeps.map((sub) => tick(item.id, sub.id, sub.done, extras[sub.id] ?? null)),
  );
}

function linkButton(label: string, link: "zoho_signup" | "api_console", region: string | null): HTMLElement {
  return h(
    "button",
    {
      type: "button",
      class: "secondary",
      "data-link": link,
      onclick: () =>
        void act(
          () => api.openLink(link, region),
          (url) => {
            state.info = `Opened ${url} in your browser.`;
          },
        ),
    },
    label,
    h("span", { class: "visually-hidden" }, " (opens in your browser)"),
    " ↗",
  );
}

// ---------- the steps ----------

function beforeYouStart(s: Status, item: ChecklistItem): HTMLElement {
  const regions = h(
    "fieldset",
    { class: "regions", "data-test": "regions" },
    h("legend", {}, "Where are your customers' Zoho Books accounts?"),
    h(
      "p",
      { class: "hint" },
      "Zoho keeps each account in one data center. US and UK are the ones the integration supports officially; the others are available too.",
    ),
    s.data_centers.map((dc) => {
      const id = `region-${dc.region}`;
      return h(
        "div",
        { class: "region" },
        h("input", {
          type: "checkbox",
          id,
          "data-region": dc.region,
          checked: s.regions.includes(dc.region),
          onchange: (e: Event) => {
            const on = (e.target as HTMLInputElement).checked;
            const next = on ? [...s.regions, dc.region] : s.regions.filter((r) => r !== dc.region);
            void act(() => api.setRegions(next), setStatus);
          },
        }),
        h(
          "label",
          { for: id },
          `${dc.name} (${dc.region.toUpperCase()})`,
          dc.supported ? h("span", { class: "badge ok" }, "Supported") : h("span", { class: "badge" }, "Available"),
        ),
      );
    }),
  );
  return h(
    "div",
    {},
    ticks(item, {
      zoho_account: h(
        "p",
        { class: "sub" },
        "No account yet? ",
        linkButton("Create a Zoho account", "zoho_signup", null),
      ),
      choose_regions: regions,
    }),
  );
}

function firstRegion(s: Status): string | null {
  return s.regions[0] ?? null;
}

function registerClient(s: Status, item: ChecklistItem): HTMLElement {
  return ticks(item, {
    open_console: h("p", { class: "sub" }, linkButton("Open the API console", "api_console", firstRegion(s))),
    redirect_uris: h(
      "div",
      { class: "sub", "data-test": "redirect-uris" },
      s.redirect_uris.map((uri) => copyable(uri, "the redirect URI")),
    ),
  });
}

function consoleSettings(s: Status, item: ChecklistItem): HTMLElement {
  const names = s.data_centers.filter((dc) => s.regions.includes(dc.region)).map((dc) => dc.name);
  return ticks(item, {
    enable_regions: h(
      "p",
      { class: "sub" },
      names.length > 0 ? `Switch on: ${names.join(", ")}.` : "Choose your data centers in the first step.",
    ),
    same_credentials: h("p", { class: "sub hint" }, SAME_CREDENTIALS_WHY),
  });
}

function issueList(field: "client_id" | "client_secret"): HTMLElement {
  const issues = state.keyDraft.issues.filter((i) => i.field === field);
  return h(
    "ul",
    { class: "field-issues", id: `${field}-issues`, "aria-live": "polite", "data-test": `${field}-issues` },
    issues.map((i) => h("li", { class: i.severity, "data-code": i.code }, i.message)),
  );
}

let checkTimer: number | undefined;
function scheduleCheck(): void {
  window.clearTimeout(checkTimer);
  checkTimer = window.setTimeout(() => {
    const d = state.keyDraft;
    if (!d.clientId && !d.clientSecret) return;
    void api
      .checkKeys({ client_id: d.clientId, client_secret: d.clientSecret })
      .then((issues) => {
        // Before anything is typed in one field, don't nag about it being empty.
        d.issues = issues.filter(
          (i) =>
            !(i.code === "empty" && ((i.field === "client_id" && !d.clientId) || (i.field === "client_secret" && !d.clientSecret))),
        );
        for (const field of ["client_id", "client_secret"] as const) {
          document.getElementById(`${field}-issues`)?.replaceWith(issueList(field));
        }
      })
      .catch(() => undefined);
  }, 250);
}

function keysStep(s: Status): HTMLElement {
  const d = state.keyDraft;
  const saved = s.client_id !== null && s.secret_stored;
  if (saved && !d.editing) {
    return h(
      "div",
      { class: "saved-keys", "data-test": "saved-keys" },
      h(
        "dl",
        {},
        h("dt", {}, "Client ID"),
        h("dd", { "data-test": "saved-client-id" }, s.client_id ?? ""),
        h("dt", {}, "Client Secret"),
        h("dd", { "data-test": "saved-secret-mask" }, s.secret_mask ?? "stored in your system keyring"),
      ),
      h("p", { class: "hint" }, "The Client Secret is kept in your system keyring; this app never shows it again."),
      h(
        "div",
        { class: "row" },
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            "data-test": "replace-keys",
            onclick: () => {
              d.editing = true;
              d.clientId = s.client_id ?? "";
              d.clientSecret = "";
              d.issues = [];
              render();
            },
          },
          "Replace keys",
        ),
        h(
          "button",
          {
            type: "button",
            class: "danger",
            "data-test": "remove-keys",
            onclick: () => {
              if (window.confirm("Remove the Client ID and Client Secret? The integration will be switched off.")) {
                void act(api.clearCredentials, setStatus);
              }
            },
          },
          "Remove keys",
        ),
      ),
    );
  }
  const idInput = h("input", {
    id: "client-id",
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "client_id-issues client-id-help",
    value: d.clientId,
    oninput: (e: Event) => {
      d.clientId = (e.target as HTMLInputElement).value;
      scheduleCheck();
    },
  });
  const secretInput = h("input", {
    id: "client-secret",
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "client_secret-issues client-secret-help",
    value: d.clientSecret,
    oninput: (e: Event) => {
      d.clientSecret = (e.target as HTMLInputElement).value;
      scheduleCheck();
    },
  });
  const form = h(
    "form",
    {
      class: "keys-form",
      "data-test": "keys-form",
      onsubmit: (e: Event) => {
        e.preventDefault();
        void act(
          () => api.saveCredentials({ client_id: d.clientId, client_secret: d.clientSecret }),
          (outcome) => {
            setStatus(outcome.status);
            d.clientSecret = "";
            d.editing = false;
            d.issues = outcome.warnings;
            state.info = outcome.warnings.length
              ? `Saved. ${outcome.warnings.map((w) => w.message).join(" ")}`
              : "Saved. Your Client Secret is now in your system keyring.";
          },
        ).then(() => {
          if (state.error?.issues.length) {
            d.issues = state.error.issues;
            render();
          }
        });
      },
    },
    h(
      "div",
      { class: "field" },
      h("label", { for: "client-id" }, "Client ID"),
      h("p", { class: "hint", id: "client-id-help" }, "Zoho sometimes calls it the Application ID. It starts with 1000."),
      idInput,
      issueList("client_id"),
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "client-secret" }, "Client Secret"),
      h("p", { class: "hint", id: "client-secret-help" }, "Zoho sometimes calls it the Application Secret. It is kept in your system keyring, never in a file."),
      secretInput,
      issueList("client_secret"),
    ),
    h(
      "div",
      { class: "row" },
      h("button", { type: "submit", class: "primary", "data-test": "save-keys", disabled: state.busy }, "Save keys"),
      d.editing
        ? h(
            "button",
            {
              type: "button",
              class: "secondary",
              onclick: () => {
                d.editing = false;
                d.clientSecret = "";
                d.issues = [];
                render();
              },
            },
            "Cancel",
          )
        : null,
    ),
  );
  return form;
}

function enableStep(s: Status): HTMLElement {
  const keysSaved = s.client_id !== null && s.secret_stored;
  const toggle = h(
    "button",
    {
      type: "button",
      role: "switch",
      class: `switch${s.enabled ? " on" : ""}`,
      id: "enable-switch",
      "aria-checked": s.enabled ? "true" : "false",
      "aria-describedby": "enable-help",
      disabled: !keysSaved,
      onclick: () => void act(() => api.setEnabled(!s.enabled), setStatus),
    },
    h("span", { class: "knob", "aria-hidden": "true" }),
    h("span", { class: "switch-label" }, s.enabled ? "On" : "Off"),
  );
  return h(
    "div",
    { class: "enable" },
    h("div", { class: "row" }, h("label", { for: "enable-switch" }, "Zoho Books integration"), toggle),
    h(
      "p",
      { class: "hint", id: "enable-help" },
      keysSaved
        ? s.enabled
          ? "The integration is on. You can switch it off at any time."
          : "You can switch it on now, or later when you are ready. Connecting needs it on."
        : "Save your keys in the previous step first; then you can switch the integration on.",
    ),
  );
}

function testStep(s: Status): HTMLElement {
  return h(
    "div",
    {},
    h(
      "p",
      {},
      s.enabled
        ? "Connect a test Zoho Books organization and pull sample data to check that everything works."
        : "Switch the integration on first (previous step).",
    ),
    h("p", { class: "hint" }, `Connections so far: ${s.connections}.`),
  );
}

void refresh();
