// Step "Test your integration": connect a test organization (sign in to
// Zoho in the browser, then choose the organization), the connected
// organizations with Test, Rename, Reconnect and Disconnect, and each one's
// sample pull (pull.ts, loaded when first needed).

import { api, asAppError } from "../api";
import { copyable, copyButton } from "../copy";
import { h } from "../dom";
import type { Host, StepScreen } from "../host";
import { handoffCard } from "./platform";
import type { Connection } from "../bindings/Connection";
import type { ConnectionTest } from "../bindings/ConnectionTest";
import { DEFAULT_ENTITIES, entityName } from "../entities";
import type { Finished } from "../bindings/Finished";
import type { OrganizationChoice } from "../bindings/OrganizationChoice";
import type { Started } from "../bindings/Started";
import type { Status } from "../bindings/Status";

// The pull is loaded when first needed, so the first screen comes up sooner.
type PullModule = typeof import("../pull");
let pullModule: PullModule | null = null;

/** Where a sign-in is: idle, waiting for the browser, or choosing an organization. */
type ConnectFlow =
  | { kind: "idle" }
  | { kind: "waiting"; started: Started }
  | { kind: "choosing"; choices: OrganizationChoice[]; selected: string | null };

interface ConnectState {
  connections: Connection[];
  flow: ConnectFlow;
  /** The data center chosen to start the sign-in at (null: the first one). */
  region: string | null;
  /** Each connection's last "Test", shown beside its buttons. */
  tests: Record<string, { running: boolean; result: ConnectionTest | null }>;
}

export interface ConnectScreen extends StepScreen {
  /** Forgets a sign-in under way (the window started, or another profile was chosen). */
  idle: () => void;
  /** A sign-in ended: the connect-finished event, or one that ended before the window listened. */
  finished: (f: Finished) => void;
  /** Asks the core for the connections again; a failure goes to the error banner (no redraw). */
  loadConnections: () => Promise<void>;
  /** Takes the connections the window asked for itself. */
  setConnections: (connections: Connection[]) => void;
  /** Forgets each connection's last "Test" (the demo's story changed what Zoho answers). */
  forgetTests: () => void;
}

/** The sign-in panel's title, which takes focus when the sign-in starts. */
const WAITING_TITLE = "waiting-title";

export function connect(host: Host): ConnectScreen {
  const state: ConnectState = { connections: [], flow: { kind: "idle" }, region: null, tests: {} };

  /** The outcome of the last "Test" of a connection, next to its button. */
  function testResult(id: string): HTMLElement | null {
    const t = state.tests[id];
    if (!t) return null;
    if (t.running) {
      return h("p", { class: "test-result running", "data-test": "test-result", role: "status" }, "Testing: asking Zoho now…");
    }
    const r = t.result;
    if (!r) return null;
    return h(
      "div",
      { class: `test-result ${r.ok ? "ok" : "failed"}`, "data-test": "test-result", "data-ok": String(r.ok), role: "status" },
      h("p", {}, h("strong", {}, r.ok ? "Test passed. " : "Test did not pass. "), r.message),
      r.modules.length > 0
        ? h(
            "ul",
            { class: "modules" },
            r.modules.map((m) =>
              h(
                "li",
                { "data-entity": m.entity, "data-ok": String(m.ok) },
                h("strong", {}, `${m.ok ? "✓" : "✗"} ${entityName(m.entity)}`),
                m.ok ? null : h("span", { class: "block" }, m.message),
              ),
            ),
          )
        : null,
      h("p", { class: "hint" }, `Asked Zoho at ${new Date(r.checked_at).toLocaleTimeString()}: the keys, the sign-in and one record of each type.`),
    );
  }

  /** Brings an outcome into view beside what caused it (after the redraw that drew it). */
  function reveal(selector: string): void {
    document.querySelector(selector)?.scrollIntoView({ block: "nearest" });
  }

  function test(c: Connection): void {
    if (state.tests[c.id]?.running) return;
    state.tests[c.id] = { running: true, result: null };
    host.render();
    const result = `[data-connection="${CSS.escape(c.id)}"] [data-test=test-result]`;
    reveal(result);
    const entities = pullModule?.chosenEntities() ?? [];
    void host
      .run(
        () => api.testConnection(c.id, entities),
        (r) => {
          state.tests[c.id] = { running: false, result: r };
        },
      )
      .then((error) => {
        if (error) state.tests[c.id] = { running: false, result: null };
      })
      .then(loadConnections)
      .then(() => {
        host.render();
        reveal(result);
      });
  }

  function loadPull(): void {
    if (!pullModule) {
      void import("../pull").then((m) => {
        pullModule = m;
        host.render();
      });
    }
  }

  async function loadConnections(): Promise<void> {
    try {
      state.connections = await api.listConnections();
      // A reconnect may have changed what the open pull's connection can read.
      for (const c of state.connections) pullModule?.connectionChanged(c);
    } catch (e) {
      host.setError(asAppError(e));
    }
  }

  function view(s: Status): HTMLElement {
    if (!s.enabled) {
      return h("p", { "data-test": "test-disabled" }, "Switch the integration on first (previous step); then you can connect a test organization here.");
    }
    loadPull();
    return h("div", { class: "test" }, connectPanel(s), connectionsList(), pullModule?.pullArea() ?? null, handoffCard(host, s));
  }

  function connectPanel(s: Status): HTMLElement {
    const flow = state.flow;
    if (flow.kind === "waiting") {
      const st = flow.started;
      // A warning is read before Zoho's page opens, not after.
      const held = st.held_for_warning;
      return h(
        "section",
        { class: "panel", "data-test": "waiting", "data-authorize-url": st.authorize_url, "aria-live": "polite" },
        h("h3", { id: WAITING_TITLE, tabindex: "-1" }, held ? "Read this before you sign in" : "Waiting for you to sign in to Zoho"),
        st.warning ? h("div", { class: "banner warning", role: "alert" }, st.warning) : null,
        h("p", { "data-test": "asking" }, st.asking),
        held
          ? h(
              "div",
              { class: "row" },
              h(
                "button",
                {
                  type: "button",
                  class: "primary",
                  "data-test": "continue-sign-in",
                  onclick: () =>
                    void host.run(api.openHeldSignIn, (opened) => {
                      state.flow = { kind: "waiting", started: { ...st, held_for_warning: false, browser_opened: opened } };
                    }),
                },
                "Continue to Zoho's sign-in",
              ),
            )
          : h(
              "p",
              {},
              st.browser_opened
                ? "Zoho's sign-in page opened in your browser. Sign in, check the permissions, and click Accept. Then come back here."
                : "Your browser did not open by itself. Copy this link into your browser, sign in, and click Accept.",
            ),
        h("p", { class: "hint" }, "If the browser did not open, or you want to use another browser, copy the sign-in link and paste it into the browser's address bar."),
        copyButton(st.authorize_url, "Copy the sign-in link"),
        h(
          "details",
          { class: "advanced" },
          h("summary", {}, "Details for support"),
          h("p", { class: "hint" }, "The sign-in link in full:"),
          h("code", { class: "copy-value", "data-test": "authorize-url" }, st.authorize_url),
        ),
        h(
          "div",
          { class: "hint", "data-test": "redirect-hint" },
          h(
            "p",
            {},
            "Zoho showed \u201cInvalid Redirect Uri\u201d instead of asking you to accept? Then your API console does not list this exact address. Add it under \u201cAuthorized Redirect URIs\u201d (letter for letter), save, and connect again:",
          ),
          copyable(st.redirect_uri, "the redirect URI"),
        ),
        h(
          "div",
          { class: "row" },
          h(
            "button",
            {
              type: "button",
              class: "secondary",
              "data-test": "cancel-connect",
              onclick: () => void host.run(api.cancelConnect, () => { state.flow = { kind: "idle" }; }),
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
            let connected: Connection | null = null;
            void host.run(
              () => api.chooseOrganization(flow.selected),
              (c) => {
                state.flow = { kind: "idle" };
                host.setInfo(`Connected ${c.organization_name}.`);
                connected = c;
              },
            ).then(async () => {
              await loadConnections();
              await host.refreshStatus();
              const c = connected;
              if (!c) return;
              // What comes next: its sample pull, open under it, with focus on its button.
              const m = await import("../pull");
              pullModule = m;
              if (m.pullOpenFor() !== c.id) m.openPull(c, host);
              host.render();
              document.querySelector("[data-test=pull-settings]")?.scrollIntoView({ block: "start" });
              document.querySelector<HTMLElement>("[data-test=start-pull]")?.focus();
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
                c.region_chosen
                  ? null
                  : h(
                      "span",
                      { class: "hint block", "data-test": "region-not-chosen" },
                      `${c.region_name} is not among the data centers you chose in \u201cBefore you start\u201d. It connects because the API console has it switched on; choose it there too, so \u201cCheck my keys\u201d asks it.`,
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
    // Zoho starts every sign-in at accounts.zoho.com and sends the person on
    // to their own data center; only China's accounts sign in elsewhere.
    const china = s.regions.includes("cn");
    const onlyChina = china && s.regions.length === 1;
    const region = onlyChina || (china && state.region === "cn") ? "cn" : null;
    return h(
      "section",
      { class: "panel", "data-test": "connect-start" },
      h("h3", {}, "Connect a test organization"),
      h(
        "p",
        {},
        "You will sign in to Zoho in your browser and allow read-only access to one Zoho Books organization. Nothing is changed in Zoho Books. Zoho finds your organization's data center by itself.",
      ),
      china && !onlyChina
        ? h(
            "label",
            { class: "choice" },
            h("input", {
              type: "checkbox",
              id: "connect-china",
              "data-test": "connect-china",
              checked: region === "cn",
              onchange: (e: Event) => {
                state.region = (e.target as HTMLInputElement).checked ? "cn" : null;
              },
            }),
            h("span", {}, "The Zoho account is in China (it signs in at zoho.com.cn)"),
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
            disabled: host.busy(),
            onclick: () => { startConnect(region, null); },
          },
          "Connect a test organization",
        ),
      ),
    );
  }

  /** Starts a sign-in that asks Zoho for the record types of the sample pull only. */
  function startConnect(region: string | null, reconnect: string | null): void {
    const entities = pullModule?.chosenEntities() ?? [...DEFAULT_ENTITIES];
    void host.run(
      () => api.startConnect(region, reconnect, entities),
      (started) => {
        state.flow = { kind: "waiting", started };
      },
    ).then(() => {
      if (state.flow.kind !== "waiting") return;
      reveal("[data-test=waiting]");
      document.getElementById(WAITING_TITLE)?.focus({ preventScroll: true });
    });
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
                    host.render();
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
                  // Not disabled while it runs: the button keeps the keyboard's focus.
                  "aria-disabled": state.tests[c.id]?.running === true ? "true" : null,
                  onclick: () => { test(c); },
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
                      void host.run(() => api.renameConnection(c.id, label)).then(loadConnections).then(host.render);
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
                    void host.run(() => api.disconnect(c.id, false))
                      .then(async (error) => {
                        if (error?.code === "revoke_failed" && window.confirm(`${error.message}\n\nForget it here anyway?`)) {
                          await host.run(() => api.disconnect(c.id, true));
                        }
                      })
                      .then(loadConnections)
                      .then(host.refreshStatus);
                  },
                },
                "Disconnect",
              ),
            ),
            testResult(c.id),
          ),
        ),
      ),
    );
  }

  function finished(f: Finished): void {
    if (f.error) {
      host.setError(asAppError(f.error));
      state.flow = { kind: "idle" };
    } else if (f.choices) {
      const preferred = f.choices.find((c) => c.is_default) ?? f.choices[0];
      state.flow = { kind: "choosing", choices: f.choices, selected: preferred?.organization_id ?? null };
      host.setError(null);
    }
    host.render();
    // The organizations to choose from, in view where the sign-in was started, focus on the one chosen.
    if (f.choices) {
      reveal("[data-test=org-picker]");
      document.querySelector<HTMLElement>("[data-test=org-picker] input:checked")?.focus({ preventScroll: true });
    }
  }

  return {
    view,
    idle: () => {
      state.flow = { kind: "idle" };
    },
    finished,
    loadConnections,
    setConnections: (connections) => {
      state.connections = connections;
    },
    forgetTests: () => {
      state.tests = {};
    },
  };
}
