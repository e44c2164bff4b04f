// What the test step's parts share: the sign-in's flow, the connections
// and their tests, and the pull module once loaded.

import type { Host } from "../../host";
import type { Connection } from "../../bindings/Connection";
import type { ConnectionTest } from "../../bindings/ConnectionTest";
import type { OrganizationChoice } from "../../bindings/OrganizationChoice";
import type { Started } from "../../bindings/Started";

/** The pull, loaded when first needed, so the first screen comes up sooner. */
export type PullModule = typeof import("../../pull");

/** Where a sign-in is: idle, waiting for the browser, or choosing an organization. */
export type ConnectFlow =
  | { kind: "idle" }
  | { kind: "waiting"; started: Started }
  | { kind: "choosing"; choices: OrganizationChoice[]; selected: string | null };

export interface ConnectState {
  connections: Connection[];
  flow: ConnectFlow;
  /** The data center chosen to start the sign-in at (null: the first one). */
  region: string | null;
  /** Each connection's last "Test", shown beside its buttons. */
  tests: Record<string, { running: boolean; result: ConnectionTest | null }>;
  /** The connection chosen for the test and the pull (null: the first that needs no reconnecting). */
  chosen: string | null;
  /** "Connect another" asked where the sign-in starts: the start panel shows again. */
  another: boolean;
  /** The connection whose "More" is open. */
  menu: string | null;
  /** The records the last pull of a connection brought, kept while its pull is hidden. */
  pulled: Record<string, number>;
}

/** The step's state and what its parts may ask of it. */
export interface ConnectContext {
  host: Host;
  state: ConnectState;
  /** The pull module, once loaded. */
  pull: () => PullModule | null;
  /** Keeps the pull module loaded by a part. */
  usePull: (m: PullModule) => void;
  /** Asks the core for the connections again. */
  loadConnections: () => Promise<void>;
}

/**
 * The connection the test and the pull use: the one whose pull is open, else
 * the one chosen, else the first that needs no reconnecting.
 */
export function subject(ctx: ConnectContext): Connection | null {
  const { connections, chosen } = ctx.state;
  const open = ctx.pull()?.pullOpenFor() ?? null;
  return (
    connections.find((c) => c.id === open) ??
    connections.find((c) => c.id === chosen) ??
    connections.find((c) => c.state !== "needs_reconnect") ??
    connections[0] ??
    null
  );
}

/** Brings an outcome into view beside what caused it (after the redraw that drew it). */
export function reveal(selector: string): void {
  document.querySelector(selector)?.scrollIntoView({ block: "nearest" });
}
