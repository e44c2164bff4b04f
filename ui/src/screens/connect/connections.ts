// The test step's connected organizations: each with its sample pull,
// Test (its result beside the button, brought into view), Rename, Reconnect
// and Disconnect.

import { api } from "../../api";
import { h } from "../../dom";
import { entityName } from "../../entities";
import type { Connection } from "../../bindings/Connection";
import { reveal, type ConnectContext, type ConnectState } from "./shared";
import { startConnect } from "./sign-in";

/** The outcome of the last "Test" of a connection, next to its button. */
function testResult(state: ConnectState, id: string): HTMLElement | null {
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

function test(ctx: ConnectContext, c: Connection): void {
  const { host, state } = ctx;
  if (state.tests[c.id]?.running) return;
  state.tests[c.id] = { running: true, result: null };
  host.render();
  const result = `[data-connection="${CSS.escape(c.id)}"] [data-test=test-result]`;
  reveal(result);
  const entities = ctx.pull()?.chosenEntities() ?? [];
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
    .then(ctx.loadConnections)
    .then(() => {
      host.render();
      reveal(result);
    });
}

export function connectionsList(ctx: ConnectContext): HTMLElement | null {
  const { host, state } = ctx;
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
                class: ctx.pull()?.pullOpenFor() === c.id ? "secondary" : "primary",
                "data-test": "open-pull",
                disabled: c.state === "needs_reconnect",
                onclick: () => {
                  const pull = ctx.pull();
                  if (!pull) return;
                  if (pull.pullOpenFor() === c.id) pull.closePull();
                  else pull.openPull(c, host);
                  host.render();
                },
              },
              ctx.pull()?.pullOpenFor() === c.id ? "Hide sample data" : "Pull sample data",
            ),
            h(
              "button",
              {
                type: "button",
                class: "secondary",
                "data-test": "test-connection",
                // Not disabled while it runs: the button keeps the keyboard's focus.
                "aria-disabled": state.tests[c.id]?.running === true ? "true" : null,
                onclick: () => { test(ctx, c); },
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
                    void host.run(() => api.renameConnection(c.id, label)).then(ctx.loadConnections).then(host.render);
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
                onclick: () => { startConnect(ctx, null, c.id); },
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
                    .then(ctx.loadConnections)
                    .then(host.refreshStatus);
                },
              },
              "Disconnect",
            ),
          ),
          testResult(state, c.id),
        ),
      ),
    ),
  );
}
