// Step "Test your integration", as a sequence of parts (connect/sequence.ts):
// connect a test organization (sign in to Zoho in the browser, then choose
// the organization: connect/sign-in.ts), test it (connect/connections.ts,
// with the connected organizations), pull a sample (pull.ts, loaded when
// first needed), and hand on to the platform.

import { api, asAppError } from "../api";
import { h } from "../dom";
import type { Host, StepScreen } from "../host";
import type { Connection } from "../bindings/Connection";
import type { Finished } from "../bindings/Finished";
import type { Status } from "../bindings/Status";
import { reveal, type ConnectContext, type ConnectState, type PullModule } from "./connect/shared";
import { sequence } from "./connect/sequence";

let pullModule: PullModule | null = null;

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

export function connect(host: Host): ConnectScreen {
  const state: ConnectState = {
    connections: [],
    flow: { kind: "idle" },
    region: null,
    tests: {},
    chosen: null,
    another: false,
    menu: null,
    pulled: {},
  };
  const ctx: ConnectContext = {
    host,
    state,
    pull: () => pullModule,
    usePull: (m) => {
      pullModule = m;
    },
    loadConnections: () => loadConnections(),
  };

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
    return h("div", { class: "test" }, ...sequence(ctx, s));
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
      state.another = false;
    },
    finished,
    loadConnections,
    setConnections: (connections) => {
      state.connections = connections;
    },
    forgetTests: () => {
      state.tests = {};
      state.pulled = {};
    },
  };
}

