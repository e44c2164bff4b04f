// The test step's connected organizations: one line each, the one the test
// and the pull use marked, the rest of what can be done with one (use it,
// Rename, Reconnect, Disconnect) behind its "More"; and the test of the one
// in use, its outcome under the button that started it.

import { api } from "../../api";
import { h } from "../../dom";
import { entityName } from "../../entities";
import type { Connection } from "../../bindings/Connection";
import { reveal, subject, type ConnectContext, type ConnectState } from "./shared";
import { startConnect } from "./sign-in";

/** Where the test's outcome is drawn (the test part of the sequence). */
export const TEST_RESULT = "[data-substep=test] [data-test=test-result]";

/** The time of day of a check, "20:01". */
export function timeOf(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" });
}

/** The outcome of the last "Test" of a connection: one line when it passed, each record type when not. */
export function testResult(state: ConnectState, id: string): HTMLElement | null {
  const t = state.tests[id];
  if (!t) return null;
  if (t.running) {
    return h("p", { class: "test-result running", "data-test": "test-result", role: "status" }, "Testing: asking Zoho now…");
  }
  const r = t.result;
  if (!r) return null;
  const modules = h(
    "ul",
    { class: `modules${r.ok ? " inline" : ""}` },
    r.modules.map((m) =>
      h(
        "li",
        { "data-entity": m.entity, "data-ok": String(m.ok) },
        h("strong", {}, `${m.ok ? "✓" : "✗"} ${entityName(m.entity)}`),
        m.ok ? null : h("span", { class: "block" }, m.message),
      ),
    ),
  );
  if (r.ok) {
    return h(
      "div",
      { class: "test-result ok compact", "data-test": "test-result", "data-ok": "true", role: "status" },
      h("span", {}, r.message, " "),
      r.modules.length > 0 ? modules : null,
    );
  }
  return h(
    "div",
    { class: "test-result failed", "data-test": "test-result", "data-ok": "false", role: "status" },
    h("p", {}, h("strong", {}, "Test did not pass. "), r.message),
    r.modules.length > 0 ? modules : null,
    h("p", { class: "hint" }, `Asked Zoho at ${timeOf(r.checked_at)}: the keys, the sign-in and one record of each type.`),
  );
}

/** Tests the connection in use: Zoho is asked for one record of each chosen type. */
export function test(ctx: ConnectContext, c: Connection): void {
  const { host, state } = ctx;
  if (state.tests[c.id]?.running) return;
  state.tests[c.id] = { running: true, result: null };
  host.render();
  reveal(TEST_RESULT);
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
      reveal(TEST_RESULT);
    });
}

/** Makes `c` the connection the test and the pull use (its pull opens if one was open). */
function use(ctx: ConnectContext, c: Connection): void {
  const { host, state } = ctx;
  state.chosen = c.id;
  state.menu = null;
  const pull = ctx.pull();
  if (pull?.pullOpenFor()) pull.openPull(c, host);
  host.render();
}

function menuButton(label: string, attrs: Record<string, string>, onclick: () => void): HTMLElement {
  return h("button", { type: "button", class: "secondary small", ...attrs, onclick }, label);
}

/** A connection's "More": use it, Rename, Reconnect, Disconnect. */
function more(ctx: ConnectContext, c: Connection, inUse: boolean): HTMLElement {
  const { host, state } = ctx;
  const name = c.label ?? c.organization_name;
  return h(
    "details",
    {
      class: "menu",
      open: state.menu === c.id,
      ontoggle: (e: Event) => {
        const open = (e.target as HTMLDetailsElement).open;
        if (open) state.menu = c.id;
        else if (state.menu === c.id) state.menu = null;
      },
      // Escape closes it, the focus back on its "More".
      onkeydown: (e: Event) => {
        if ((e as KeyboardEvent).key !== "Escape" || state.menu !== c.id) return;
        state.menu = null;
        host.render();
        document.querySelector<HTMLElement>(`[data-more="${CSS.escape(c.id)}"]`)?.focus();
      },
    },
    h("summary", { "data-more": c.id, "aria-label": `More for ${name}` }, "More"),
    h(
      "div",
      { class: "menu-items" },
      inUse || c.state === "needs_reconnect"
        ? null
        : menuButton("Use for the test and pull", { "data-test": "use-connection" }, () => { use(ctx, c); }),
      menuButton("Rename", {}, () => {
        const label = window.prompt("Name this connection", name);
        if (label !== null) {
          void host.run(() => api.renameConnection(c.id, label)).then(ctx.loadConnections).then(host.render);
        }
      }),
      c.state === "needs_reconnect"
        ? null
        : menuButton("Reconnect", { "data-test": "reconnect" }, () => { startConnect(ctx, null, c.id); }),
      h(
        "button",
        {
          type: "button",
          class: "danger small",
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
  );
}

/** The connected organizations, one line each. */
export function connectionsList(ctx: ConnectContext): HTMLElement | null {
  const { state } = ctx;
  if (state.connections.length === 0) return null;
  const inUse = subject(ctx);
  return h(
    "ul",
    { class: "connections", "data-test": "connections", "aria-label": "Connected organizations" },
    state.connections.map((c) =>
      h(
        "li",
        { class: "connection", "data-connection": c.id, "data-in-use": c === inUse ? "true" : null },
        h(
          "span",
          { class: "connection-line" },
          h("strong", { "data-test": "connection-name" }, c.label ?? c.organization_name),
          h(
            "span",
            { class: "hint" },
            ` · ${c.label ? `${c.organization_name} · ` : ""}${c.region.toUpperCase()} data center`,
          ),
          c.state === "needs_reconnect"
            ? h("span", { class: "badge warn", "data-test": "needs-reconnect" }, "Needs reconnecting")
            : c === inUse && state.connections.length > 1
              ? h("span", { class: "badge ok" }, "In use")
              : null,
        ),
        c.state === "needs_reconnect"
          ? h(
              "button",
              { type: "button", class: "primary small", "data-test": "reconnect", onclick: () => { startConnect(ctx, null, c.id); } },
              "Reconnect",
            )
          : null,
        more(ctx, c, c === inUse),
      ),
    ),
  );
}
