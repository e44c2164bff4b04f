// A sample pull's state and its calls to the core: the open connection, the
// form's choices and their forecast, the run's progress and how it ended,
// the results and the preview's loaded rows. The panels (form.ts,
// progress.ts, results.ts, preview.ts) draw it; `listen` subscribes to the
// pull's events, once, when a pull is first opened (never on import).

import { api, asAppError, events, type AppError } from "../api";
import { closeRecordCard } from "../record-card";
import type { Saving } from "../saving";
import { DEFAULT_ENTITIES, ENTITIES, entityName, isEntity } from "../entities";
import type { Host } from "../host";
import type { Fit } from "./preview-fit";
import { count, duration, listWords } from "./words";
import type { Entity } from "../bindings/Entity";
import type { Connection } from "../bindings/Connection";
import type { Forecast } from "../bindings/Forecast";
import type { ExportSaved } from "../bindings/ExportSaved";
import type { PullFinished } from "../bindings/PullFinished";
import type { Progress } from "../bindings/Progress";
import type { PullOptions } from "../bindings/PullOptions";
import type { PullResults } from "../bindings/PullResults";
import type { RecordRow } from "../bindings/RecordRow";
import type { SortColumn } from "../bindings/SortColumn";
import type { SortDir } from "../bindings/SortDir";

/** What the pull asks of the window; `refreshStatus` follows a complete pull (the checklist changed). */
export type PullHost = Pick<Host, "render" | "showError" | "showInfo" | "refreshStatus" | "focus">;

interface PullUi {
  connection: string | null;
  /** The connected organization's currency (ISO code), for amounts. */
  currency: string | null;
  /** What the connection's sign-in may read (Zoho's granted scope). */
  canRead: readonly Entity[];
  options: PullOptions;
  forecast: Forecast | null;
  forecastError: string | null;
  /** "Count the records": running, or what the last count said. */
  counting: { state: "idle" } | { state: "counting" } | { state: "counted"; calls: number; stopped: string | null };
  running: boolean;
  progress: Progress | null;
  results: PullResults | null;
  entity: Entity;
  sort: SortColumn;
  dir: SortDir;
  search: string;
  /** How the last pull ended (shown above the results until the next one starts). */
  outcome: { kind: "done" | "info" | "error"; message: string } | null;
  /** Record types Zoho refused in the last pull: their counts are an earlier pull's. */
  lastRefused: readonly Entity[];
  /** The last export: saved, cancelled in the dialog, failed, or the dialog still open. */
  exported: Saving<ExportSaved>;
  scrollTop: number;
}

export const ui: PullUi = {
  connection: null,
  currency: null,
  canRead: ENTITIES,
  options: { entities: [...DEFAULT_ENTITIES], sample: 25, line_items: false, customer_details: false },
  forecast: null,
  forecastError: null,
  counting: { state: "idle" },
  running: false,
  progress: null,
  results: null,
  entity: "invoices",
  sort: "date",
  dir: "desc",
  search: "",
  exported: { state: "idle" },
  outcome: null,
  lastRefused: [],
  scrollTop: 0,
};

/** The preview's rows loaded so far (pages of PAGE), and how they fit the table's width. */
export const table = {
  total: 0,
  pages: new Map<number, RecordRow[]>(),
  loading: new Set<number>(),
  /** How the rows loaded so far fit the table's width, and for which width and pages. */
  fit: null as Fit | null,
  fitFor: "",
  reset(): void {
    ui.scrollTop = 0;
    this.total = 0;
    this.pages.clear();
    this.loading.clear();
    this.fit = null;
    this.fitFor = "";
  },
};

let host: PullHost | null = null;

/** Redraws the window (once a pull was opened). */
export function redraw(): void {
  host?.render();
}

/** Shows an error in the window's banner. */
export function showError(e: AppError): void {
  host?.showError(e);
}

/** The connection of the open pull as stored now (after a reconnect, say). */
export function connectionChanged(c: Connection): void {
  if (c.id === ui.connection) ui.canRead = c.can_read;
}

export function openPull(c: Connection, h0: PullHost): void {
  host = h0;
  listen();
  ui.canRead = c.can_read;
  if (ui.connection !== c.id) {
    ui.connection = c.id;
    ui.currency = c.currency;
    ui.results = null;
    ui.progress = null;
    ui.exported = { state: "idle" };
    ui.counting = { state: "idle" };
    ui.outcome = null;
    ui.lastRefused = [];
    closeRecordCard();
    table.reset();
  }
  void refreshForecast();
  void loadResults();
}

export function closePull(): void {
  ui.connection = null;
}

/**
 * After the connections changed under the window (a demo story staged or
 * ended): the pull of a connection that is gone closes, and the open one
 * forgets its last outcome and reads its figures (quota, forecast) again.
 */
export function connectionsChanged(connections: readonly Connection[]): void {
  if (!ui.connection) return;
  const c = connections.find((x) => x.id === ui.connection);
  ui.outcome = null;
  ui.lastRefused = [];
  if (!c) {
    ui.connection = null;
    ui.results = null;
    ui.forecast = null;
    ui.forecastError = null;
    ui.progress = null;
    return;
  }
  ui.canRead = c.can_read;
  void refreshForecast();
  void loadResults();
}

/** The record types chosen in the pull form ("Test" reads one of each). */
export function chosenEntities(): Entity[] {
  return [...ui.options.entities];
}

/** The records the open connection's pulls brought so far (null: none open, or not read yet). */
export function pulledRecords(): number | null {
  if (!ui.connection || !ui.results) return null;
  return ui.results.counts.reduce((n, c) => n + c.records, 0);
}

export function pullOpenFor(): string | null {
  return ui.connection;
}

export async function refreshForecast(): Promise<void> {
  if (!ui.connection) return;
  try {
    ui.forecast = await api.forecastPull(ui.connection, ui.options);
    ui.forecastError = null;
  } catch (e) {
    ui.forecast = null;
    ui.forecastError = asAppError(e).message;
  }
  host?.render();
}

/** Counts the chosen record types in the organization, then works the cost out again from the totals. */
export async function countRecords(): Promise<void> {
  const connection = ui.connection;
  if (!connection || ui.counting.state === "counting") return;
  ui.counting = { state: "counting" };
  host?.render();
  try {
    const counted = await api.countRecords(connection, ui.options);
    ui.counting = { state: "counted", calls: counted.calls, stopped: counted.stopped };
  } catch (e) {
    ui.counting = { state: "counted", calls: 0, stopped: asAppError(e).message };
  }
  await refreshForecast();
  void loadResults();
}

export async function loadResults(): Promise<void> {
  if (!ui.connection) return;
  try {
    ui.results = await api.pullResults(ui.connection);
    const first = ui.results.counts.find((c) => c.entity === ui.entity) ?? ui.results.counts[0];
    if (first && isEntity(first.entity)) ui.entity = first.entity;
    table.reset();
  } catch (e) {
    host?.showError(asAppError(e));
  }
  host?.render();
}

export async function startPull(): Promise<void> {
  const connection = ui.connection;
  if (!connection) return;
  const est = ui.forecast;
  if (est?.daily_quota_left !== null && est?.daily_quota_left !== undefined && est.calls > est.daily_quota_left) {
    const ok = window.confirm(
      `This pull needs about ${est.calls} API calls, but Zoho allows only ${est.daily_quota_left} more today for this organization. It will stop when the quota runs out and can continue tomorrow. Start anyway?`,
    );
    if (!ok) return;
  }
  try {
    ui.running = true;
    ui.progress = null;
    ui.outcome = null;
    host?.render();
    await api.startPull(connection, ui.options);
  } catch (e) {
    ui.running = false;
    host?.showError(asAppError(e));
  }
}

let listening = false;

/** Follows the pulls' progress and ends (once, from the first pull opened). */
function listen(): void {
  if (listening) return;
  listening = true;
  void events.pullProgress(onProgress);
  void events.pullFinished(onFinished);
}

function onProgress(p: Progress): void {
  if (p.connection !== ui.connection) return;
  ui.running = true;
  ui.progress = p;
  refreshLiveFigures();
  host?.render();
}

/** How often, at most, the figures beside a running pull are read again. */
const LIVE_EVERY_MS = 2000;
let liveAt = 0;

/**
 * While a pull runs, today's API calls and the requests-per-minute chart
 * follow it (read again from what the pull stored, every couple of
 * seconds); the counts and the preview wait for the pull's end.
 */
function refreshLiveFigures(): void {
  const connection = ui.connection;
  if (!connection || !ui.results || Date.now() - liveAt < LIVE_EVERY_MS) return;
  liveAt = Date.now();
  void api
    .pullResults(connection)
    .then((fresh) => {
      if (ui.connection !== connection || !ui.results) return;
      ui.results = { ...ui.results, quota: fresh.quota, series: fresh.series };
      host?.render();
    })
    .catch(() => undefined);
}

function onFinished(f: PullFinished): void {
  if (f.connection !== ui.connection) return;
  ui.running = false;
  if (f.error?.code === "cancelled") {
    ui.outcome = { kind: "info", message: f.error.message };
  } else if (f.error) {
    ui.outcome = { kind: "error", message: asAppError(f.error).message };
  } else if (f.report) {
    const r = f.report;
    const records = Object.values(r.entities).reduce((n, e) => n + (e?.records ?? 0), 0);
    // Where Zoho would not list a record type in the order asked for, what that means.
    const notes = Object.values(r.entities)
      .map((e) => e?.order_note)
      .filter((n): n is string => typeof n === "string" && n.length > 0);
    const refused = r.not_permitted;
    // A record type Zoho refused is said in the headline: the pull is not complete for it.
    const headline =
      r.complete && refused.length > 0
        ? `Pulled ${listWords(ENTITIES.filter((e) => e in r.entities && !refused.includes(e)).map((e) => entityName(e).toLowerCase()))}; ${listWords(refused.map((e) => entityName(e).toLowerCase()))} ${refused.length === 1 && refused[0] === "chartofaccounts" ? "was" : "were"} refused: ${(r.message ?? "").replace(/^The other record types were pulled\. /, "")}`
        : r.complete
          ? `Pull complete: ${count(records, "record")} in ${count(r.calls, "API call")} (${duration(r.seconds)}).`
          : `Pull stopped after ${count(records, "record")}. It is saved: start it again to continue where it left off.`;
    ui.outcome = {
      kind: r.complete && refused.length === 0 ? "done" : r.complete ? "error" : "info",
      message: headline + (notes.length > 0 ? ` ${notes.join(" ")}` : ""),
    };
    ui.lastRefused = [...refused];
  }
  const redraws: Promise<unknown>[] = [loadResults(), refreshForecast()];
  if (f.report?.complete && host) redraws.push(host.refreshStatus());
  // Once the page has settled: the outcome, with the results under it, in view.
  void Promise.allSettled(redraws).then(() => {
    requestAnimationFrame(() => {
      document.querySelector("[data-test=pull-outcome]")?.scrollIntoView({ block: "start" });
    });
  });
}
