// Sample pulls in the window: settings with a live estimate, progress while
// it runs, then results (counts, requests per minute against the limit, the
// daily quota), a virtualised preview table per entity with a record view,
// export, and the history of pulls. State is the core's; this module draws it.

import { api, asAppError, events } from "./api";
import { h } from "./dom";
import { formatAmount, formatDate, statusWords } from "./format";
import { fitColumns, HEADERS, type Fit, type Measure, type RowTexts } from "./preview-fit";
import { closeRecordCard, openRecordCard } from "./record-card";
import { openFolderButton, saveWithDialog, savingNote, type Saving } from "./saving";
import { DEFAULT_ENTITIES, ENTITIES, entityName, isEntity } from "./entities";
import type { Host } from "./host";
import type { Entity } from "./bindings/Entity";
import type { Connection } from "./bindings/Connection";
import type { Estimate } from "./bindings/Estimate";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { ExportSaved } from "./bindings/ExportSaved";
import type { EntityProgress } from "./bindings/EntityProgress";
import type { Progress } from "./bindings/Progress";
import type { PullOptions } from "./bindings/PullOptions";
import type { PullResults } from "./bindings/PullResults";
import type { RatePoint } from "./bindings/RatePoint";
import type { RecordRow } from "./bindings/RecordRow";
import type { SortColumn } from "./bindings/SortColumn";
import type { SortDir } from "./bindings/SortDir";

const ROW_HEIGHT = 34;
const PAGE = 200;

/** What the pull asks of the window; `refreshStatus` follows a complete pull (the checklist changed). */
type PullHost = Pick<Host, "render" | "showError" | "showInfo" | "refreshStatus" | "focus">;

interface PullUi {
  connection: string | null;
  /** The connected organization's currency (ISO code), for amounts. */
  currency: string | null;
  /** What the connection's sign-in may read (Zoho's granted scope). */
  canRead: readonly Entity[];
  options: PullOptions;
  estimate: Estimate | null;
  estimateError: string | null;
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

const ui: PullUi = {
  connection: null,
  currency: null,
  canRead: ENTITIES,
  options: { entities: [...DEFAULT_ENTITIES], sample: 25, line_items: false, customer_details: false },
  estimate: null,
  estimateError: null,
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

let host: PullHost | null = null;

/** The connection of the open pull as stored now (after a reconnect, say). */
export function connectionChanged(c: Connection): void {
  if (c.id === ui.connection) ui.canRead = c.can_read;
}

export function openPull(c: Connection, h0: PullHost): void {
  host = h0;
  ui.canRead = c.can_read;
  if (ui.connection !== c.id) {
    ui.connection = c.id;
    ui.currency = c.currency;
    ui.results = null;
    ui.progress = null;
    ui.exported = { state: "idle" };
    ui.outcome = null;
    ui.lastRefused = [];
    closeRecordCard();
    table.reset();
  }
  void refreshEstimate();
  void loadResults();
}

export function closePull(): void {
  ui.connection = null;
}

/**
 * After the connections changed under the window (a demo story staged or
 * ended): the pull of a connection that is gone closes, and the open one
 * forgets its last outcome and reads its figures (quota, estimate) again.
 */
export function connectionsChanged(connections: readonly Connection[]): void {
  if (!ui.connection) return;
  const c = connections.find((x) => x.id === ui.connection);
  ui.outcome = null;
  ui.lastRefused = [];
  if (!c) {
    ui.connection = null;
    ui.results = null;
    ui.estimate = null;
    ui.estimateError = null;
    ui.progress = null;
    return;
  }
  ui.canRead = c.can_read;
  void refreshEstimate();
  void loadResults();
}

/** The record types chosen in the pull form ("Test" reads one of each). */
export function chosenEntities(): Entity[] {
  return [...ui.options.entities];
}

export function pullOpenFor(): string | null {
  return ui.connection;
}

async function refreshEstimate(): Promise<void> {
  if (!ui.connection) return;
  try {
    ui.estimate = await api.estimatePull(ui.connection, ui.options);
    ui.estimateError = null;
  } catch (e) {
    ui.estimate = null;
    ui.estimateError = asAppError(e).message;
  }
  host?.render();
}

async function loadResults(): Promise<void> {
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

/** "1 call", "2 calls", "1,250 records". */
/** "a", "a and b", "a, b and c". */
function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function count(n: number, word: string): string {
  return `${n.toLocaleString()} ${word}${n === 1 ? "" : "s"}`;
}

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m < 60 ? `${m} min ${s} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

async function startPull(): Promise<void> {
  const connection = ui.connection;
  if (!connection) return;
  const est = ui.estimate;
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

// ---------- events ----------

void events.pullProgress((p) => {
  if (p.connection !== ui.connection) return;
  ui.running = true;
  ui.progress = p;
  refreshLiveFigures();
  host?.render();
});

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

void events.pullFinished((f) => {
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
  const redraws: Promise<unknown>[] = [loadResults(), refreshEstimate()];
  if (f.report?.complete && host) redraws.push(host.refreshStatus());
  // Once the page has settled: the outcome, with the results under it, in view.
  void Promise.allSettled(redraws).then(() => {
    requestAnimationFrame(() => {
      document.querySelector("[data-test=pull-outcome]")?.scrollIntoView({ block: "start" });
    });
  });
});

/** How the last pull of this window ended, shown above its results. */
function outcomeNote(): HTMLElement | null {
  const o = ui.outcome;
  if (!o || ui.running) return null;
  return h(
    "div",
    { class: `banner ${o.kind === "error" ? "error" : o.kind === "done" ? "success" : "info"}`, role: o.kind === "error" ? "alert" : "status", "data-test": "pull-outcome", "data-kind": o.kind },
    h("p", {}, o.message),
  );
}

// ---------- settings ----------

/** A checkbox for one of the opt-in detail calls; the estimate follows it. */
function detailToggle(test: string, option: "line_items" | "customer_details", label: string): HTMLElement {
  return h(
    "label",
    { class: "check" },
    h("input", {
      type: "checkbox",
      "data-test": test,
      checked: ui.options[option],
      onchange: (e: Event) => {
        ui.options[option] = (e.target as HTMLInputElement).checked;
        void refreshEstimate();
      },
    }),
    label,
  );
}

/** The last pull stopped before it finished: offer to continue it, with its choices. */
function resumeNotice(): HTMLElement | null {
  const last = ui.results?.history[0];
  if (ui.running || !last || !["interrupted", "cancelled", "paused_quota"].includes(last.state)) return null;
  const why = last.state === "interrupted" ? "was interrupted" : last.state === "cancelled" ? "was stopped" : "paused when the daily quota ran out";
  return h(
    "div",
    { class: "banner warning", "data-test": "resume-notice", role: "status" },
    h("p", {}, `The last pull ${why} after ${last.calls} API call${last.calls === 1 ? "" : "s"}. What it pulled is saved.`),
    h(
      "button",
      {
        type: "button",
        class: "primary",
        "data-test": "resume-pull",
        onclick: () => {
          ui.options = { ...last.options };
          void startPull();
        },
      },
      "Resume it",
    ),
  );
}

function settings(): HTMLElement {
  const o = ui.options;
  const all = o.sample === null;
  // Chosen, but outside what the connection's sign-in may read.
  const outsideSignIn = o.entities.filter((e) => !ui.canRead.includes(e));
  const est = ui.estimate;
  const overQuota =
    est !== null && est.daily_quota_left !== null && est.calls > est.daily_quota_left;
  return h(
    "form",
    {
      class: "panel pull-settings",
      "data-test": "pull-settings",
      onsubmit: (e: Event) => {
        e.preventDefault();
        void startPull();
      },
    },
    h("h3", {}, "Pull sample data"),
    ui.results && ui.results.counts.length > 0 ? null : outcomeNote(),
    resumeNotice(),
    h(
      "fieldset",
      { class: "entity-choice" },
      h("legend", {}, "What to pull"),
      ENTITIES.map((id) =>
        h(
          "label",
          { class: "check" },
          h("input", {
            type: "checkbox",
            "data-entity": id,
            checked: o.entities.includes(id),
            onchange: (e: Event) => {
              const on = (e.target as HTMLInputElement).checked;
              o.entities = on ? [...o.entities, id] : o.entities.filter((x) => x !== id);
              void refreshEstimate();
            },
          }),
          entityName(id),
          ui.canRead.includes(id) ? null : h("span", { class: "hint", "data-test": `needs-reconnect-${id}` }, " (reconnect to allow)"),
        ),
      ),
      outsideSignIn.length > 0
        ? h(
            "p",
            { class: "banner warning", "data-test": "outside-sign-in" },
            `This connection's sign-in does not allow reading ${outsideSignIn.map((e) => entityName(e).toLowerCase()).join(", ")}: Zoho was asked only for the record types chosen when it was connected. Click Reconnect on it above, and allow them too on Zoho's page.`,
          )
        : null,
    ),
    h(
      "fieldset",
      { class: "sample-choice" },
      h("legend", {}, "How many"),
      h(
        "label",
        { class: "check" },
        h("input", {
          type: "radio",
          name: "amount",
          checked: !all,
          onchange: () => {
            o.sample = 25;
            void refreshEstimate();
          },
        }),
        "The newest ",
        h("input", {
          type: "number",
          min: "1",
          max: "10000",
          class: "narrow",
          "aria-label": "Records per entity",
          "data-test": "sample-size",
          value: all ? 25 : o.sample ?? 25,
          disabled: all,
          onchange: (e: Event) => {
            const n = Math.max(1, Math.min(10000, Number((e.target as HTMLInputElement).value) || 25));
            o.sample = n;
            void refreshEstimate();
          },
        }),
        " of each",
      ),
      h(
        "label",
        { class: "check" },
        h("input", {
          type: "radio",
          name: "amount",
          "data-test": "pull-all",
          checked: all,
          onchange: () => {
            o.sample = null;
            void refreshEstimate();
          },
        }),
        "Everything",
      ),
    ),
    h(
      "fieldset",
      { class: "detail-choice" },
      h("legend", {}, "Extra detail (off by default, to respect Zoho's limits)"),
      detailToggle("line-items", "line_items", "Include line items (one extra API call per invoice, credit note and bill)"),
      detailToggle(
        "customer-details",
        "customer_details",
        "Include customer addresses and contact persons (one extra API call per customer)",
      ),
    ),
    h(
      "p",
      { class: `estimate${overQuota ? " over" : ""}`, "data-test": "estimate", "aria-live": "polite" },
      ui.estimateError ??
        (est
          ? `${est.lower_bound ? "At least" : "About"} ${est.calls} API call${est.calls === 1 ? "" : "s"}, ${duration(est.seconds)} at Zoho's rate limit. ` +
            (est.daily_quota_left === null
              ? est.daily_quota_guess !== null
                ? `Zoho tells the daily quota left after the first call; this organization's plan usually allows about ${est.daily_quota_guess} calls a day (a guess until then).`
                : "Zoho tells the daily quota left after the first call."
              : `${est.daily_quota_left} calls left in today's quota${overQuota ? ": not enough for all of it, you will be asked before starting." : "."}`)
          : "Working out the cost…"),
    ),
    h(
      "details",
      { class: "terms", "data-test": "terms" },
      h("summary", {}, "What are API calls, the rate limit and the daily quota?"),
      h(
        "p",
        {},
        "An API call is one request this app sends to Zoho, such as reading one page of up to 200 invoices, or one invoice's line items. Zoho lets each organization make only so many a minute (the rate limit) and so many a day (the daily quota, which starts again at midnight in the organization's time zone). Integration platforms use the same allowance, so this app keeps its pulls small and below the rate limit.",
      ),
    ),
    h(
      "div",
      { class: "row" },
      h(
        "button",
        { type: "submit", class: "primary", "data-test": "start-pull", disabled: ui.running || ui.options.entities.length === 0 },
        "Start the pull",
      ),
    ),
  );
}

// ---------- progress ----------

/** "25 records · 26 calls", or while a page's details come in, how many are in. */
function entityCount(e: EntityProgress): string {
  // Records whose details are in count as read; they are saved with their page.
  const read = e.records + e.details_fetched;
  const saving = e.details_fetched > 0 ? ` (${e.details_fetched} being saved with their page)` : "";
  return `${count(read, "record")} read${saving} · ${count(e.calls, "call")}${e.done ? " · done" : ""}`;
}

function progressPanel(): HTMLElement {
  const p = ui.progress;
  const target = ui.options.sample;
  return h(
    "section",
    { class: "panel", "data-test": "pull-progress", "aria-live": "polite" },
    h("h3", {}, "Pulling…"),
    p?.waiting ? h("p", { class: "banner warning" }, p.waiting) : null,
    h(
      "ul",
      { class: "entity-progress" },
      (p ? Object.entries(p.entities) : ui.options.entities.map((e) => [e, undefined] as const)).map(([name, e]) =>
        h(
          "li",
          { "data-entity-progress": name },
          h("span", { class: "name" }, entityName(name)),
          // Without a known total the bar is indeterminate until the entity is done.
          e?.done
            ? h("progress", { "aria-label": `${entityName(name)} progress`, max: 1, value: 1 })
            : target
              ? h("progress", { "aria-label": `${entityName(name)} progress`, max: target, value: Math.min((e?.records ?? 0) + (e?.details_fetched ?? 0), target) })
              : h("progress", { "aria-label": `${entityName(name)} progress` }),
          h("span", { class: "count" }, e ? entityCount(e) : "waiting"),
        ),
      ),
    ),
    p
      ? h(
          "p",
          { class: "hint" },
          `${count(p.calls, "API call")} so far · ${p.requests_last_minute} of ${Math.round(p.limit_per_minute)} requests allowed per minute · ` +
            (p.eta_seconds !== null
              ? `about ${duration(p.eta_seconds)} left`
              : ui.options.sample === null
                ? "Zoho does not say how many records there are, so the time left is known only at the last page"
                : "working out the time left"),
        )
      : null,
    h(
      "div",
      { class: "row" },
      h(
        "button",
        {
          type: "button",
          class: "secondary",
          "data-test": "cancel-pull",
          onclick: () => {
            if (ui.connection) void api.cancelPull(ui.connection);
          },
        },
        "Cancel",
      ),
    ),
  );
}

// ---------- results ----------

const SVG = "http://www.w3.org/2000/svg";
function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** The fewest minutes the chart spans, so a short pull still draws wide bars. */
const CHART_MIN_MINUTES = 5;

/** The minutes worth drawing: from the first with a request (at least the last few). */
export function chartPoints(points: RatePoint[]): RatePoint[] {
  const first = points.findIndex((p) => p.requests > 0);
  const from = first < 0 ? points.length - CHART_MIN_MINUTES : Math.min(first, points.length - CHART_MIN_MINUTES);
  return points.slice(Math.max(0, from));
}

/**
 * Below this many requests (a sample of the three default record types takes
 * three), a sentence says what a chart could not: a few slivers under the
 * limit line.
 */
const CHART_MIN_REQUESTS = 6;

/** The requests per minute in words, for a pull too small to draw. */
function rateSentence(pts: readonly RatePoint[], requests: number, busiest: number, limit: number): HTMLElement {
  const minutes = pts.filter((p) => p.requests > 0).length;
  const share = limit > 0 ? Math.round((busiest / limit) * 100) : 0;
  return h(
    "figure",
    { class: "rate", "data-test": "rate-chart", "data-few": "true" },
    h("figcaption", {}, h("strong", {}, "Requests per minute")),
    h(
      "p",
      { class: "chart-summary", "data-test": "rate-summary" },
      requests === 0
        ? `No requests in the last ${pts.length} minutes.`
        : `${count(requests, "request")} ${minutes <= 1 ? "in one minute" : `over ${minutes} minutes`}, at most ${busiest} a minute: ${share}% of Zoho's limit of ${limit} a minute.`,
    ),
  );
}

/**
 * Requests per minute against Zoho's limit. The bars and the limit line are
 * drawn (SVG stretched to the width); every word and number is page text at
 * the page's own size, so nothing shrinks with the window.
 */
function rateChart(r: PullResults): HTMLElement {
  const pts = chartPoints(r.series.points);
  const limit = Math.round(r.series.limit_per_minute);
  const busiest = Math.max(0, ...pts.map((p) => p.requests));
  const requests = pts.reduce((n, p) => n + p.requests, 0);
  if (requests < CHART_MIN_REQUESTS) return rateSentence(pts, requests, busiest, limit);
  const max = Math.max(limit * 1.15, busiest, 1);
  const w = 100 * pts.length;
  const ht = 100;
  const y = (v: number): number => ht - (v / max) * ht;
  const minute = (ms: number): string => new Date(ms).toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" });
  const chart = svg("svg", { viewBox: `0 0 ${w} ${ht}`, preserveAspectRatio: "none", class: "chart", "aria-hidden": "true" });
  pts.forEach((p, i) => {
    const top = y(p.requests);
    const bar = svg("rect", { x: i * 100 + 12, y: top, width: 76, height: ht - top, class: "bar" });
    bar.append(svg("title", {}, `${minute(p.minute_ms)}: ${p.requests} request${p.requests === 1 ? "" : "s"}`));
    chart.append(bar);
  });
  chart.append(svg("line", { x1: 0, x2: w, y1: y(limit), y2: y(limit), class: "limit", "vector-effect": "non-scaling-stroke" }));
  const first = pts[0];
  const share = limit > 0 ? Math.round((busiest / limit) * 100) : 0;
  return h(
    "figure",
    { class: "rate", "data-test": "rate-chart" },
    h(
      "figcaption",
      {},
      h("strong", {}, "Requests per minute"),
      ` (bars) against Zoho's limit of ${limit} a minute (dashed line).`,
    ),
    h(
      "div",
      {
        class: "chart-frame",
        role: "img",
        "aria-label": `Requests per minute over the last ${pts.length} minutes: at most ${busiest}, against Zoho's limit of ${limit} a minute`,
      },
      chart,
    ),
    h(
      "div",
      { class: "chart-axis", "aria-hidden": "true" },
      h("span", {}, first ? minute(first.minute_ms) : ""),
      h("span", {}, "now"),
    ),
    h(
      "p",
      { class: "chart-summary", "data-test": "rate-summary" },
      busiest === 0
        ? `No requests in the last ${pts.length} minutes.`
        : `Busiest minute: ${busiest} request${busiest === 1 ? "" : "s"}, ${share}% of Zoho's limit.`,
    ),
  );
}

/**
 * When the daily quota resets, in the person's time and the organization's.
 * Zoho resets it at midnight in the organization's time zone, so that
 * zone's offset from UTC is what the reset time says it is.
 */
export function resetText(resetsAt: string): string {
  const at = new Date(resetsAt);
  if (Number.isNaN(at.getTime())) return "Resets at midnight in the organization's time zone.";
  const minutes = at.getUTCHours() * 60 + at.getUTCMinutes();
  let offset = -minutes;
  if (offset <= -12 * 60) offset += 24 * 60;
  const sign = offset < 0 ? "−" : "+";
  const abs = Math.abs(offset);
  const zone = `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  const local = at.toLocaleString(undefined, { weekday: "short", hour: "numeric", minute: "2-digit" });
  return `Resets at midnight in the organization's time zone (${zone}): ${local} your time.`;
}

/** The requests-per-minute chart and today's API calls (live while a pull runs). */
function figures(r: PullResults): HTMLElement {
  const q = r.quota;
  return h(
    "div",
    { class: "result-grid" },
    rateChart(r),
    h(
      "div",
      { class: "quota", "data-test": "quota" },
      h("h4", {}, "Today's API calls"),
      q && q.daily_limit !== null
        ? h(
            "div",
            {},
            h("progress", { max: q.daily_limit, value: q.used ?? 0, "aria-label": "Daily API calls used" }),
            h("p", { "data-test": "quota-used" }, `${(q.used ?? 0).toLocaleString()} of ${q.daily_limit.toLocaleString()} used · ${q.remaining?.toLocaleString() ?? "?"} left`),
            q.resets_at ? h("p", { class: "hint", "data-test": "quota-reset" }, resetText(q.resets_at)) : null,
          )
        : h("p", { class: "hint" }, "Zoho has not reported the daily quota yet."),
    ),
  );
}

function results(): HTMLElement | null {
  const r = ui.results;
  if (!r) return null;
  // A first pull: nothing to show yet but the figures that follow it.
  if (r.counts.length === 0) {
    return ui.running ? h("section", { class: "panel results", "data-test": "pull-live" }, h("h3", {}, "While it pulls"), figures(r)) : null;
  }
  return h(
    "section",
    { class: "panel results", "data-test": "pull-results" },
    h("h3", {}, "Results"),
    outcomeNote(),
    h(
      "ul",
      { class: "counts", "data-test": "counts" },
      r.counts.map((c) =>
        h(
          "li",
          { "data-count": c.entity },
          h("strong", {}, String(c.records)),
          ` ${entityName(c.entity)}`,
          ui.lastRefused.includes(c.entity as Entity) ? h("span", { class: "hint" }, " (from an earlier pull: refused this time)") : null,
        ),
      ),
    ),
    figures(r),
    preview(r),
    h(
      "div",
      { class: "row" },
      (["csv", "json"] as ExportFormat[]).map((format) =>
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            "data-test": `export-${format}`,
            disabled: ui.exported.state === "asking",
            onclick: () => {
              const connection = ui.connection;
              if (!connection) return;
              void saveWithDialog(
                () => api.exportPull(connection, format),
                (s) => {
                  ui.exported = s;
                  host?.render();
                },
                "exported",
              );
            },
          },
          `Export ${format.toUpperCase()}`,
        ),
      ),
    ),
    savingNote(ui.exported, {
      test: "exported",
      asking: "Choose where to save the export in the window that opened, and name its folder.",
      cancelled: "Not exported: no place was chosen.",
      saved: (e) =>
        h(
          "div",
          {},
          h(
            "p",
            {},
            `Exported ${e.export.files.length} file${e.export.files.length === 1 ? "" : "s"} into the folder `,
            h("code", { "data-test": "export-folder" }, e.folder),
            ":",
          ),
          h(
            "ul",
            {},
            e.export.files.map((f) =>
              h("li", {}, h("code", {}, f.path.split(/[\\/]/).pop() ?? f.path), ` (${f.records.toLocaleString()} records)`),
            ),
          ),
          openFolderButton(e.folder, "export-open-folder"),
        ),
    }),
    history(r),
  );
}

function history(r: PullResults): HTMLElement {
  const words: Record<string, string> = {
    running: "running",
    completed: "complete",
    cancelled: "cancelled (saved, can continue)",
    failed: "failed",
    paused_quota: "paused: daily quota used up",
    needs_reconnect: "stopped: reconnect needed",
    interrupted: "interrupted (saved, can continue)",
  };
  return h(
    "details",
    { class: "history", "data-test": "history" },
    h("summary", {}, `History (${r.history.length} pull${r.history.length === 1 ? "" : "s"})`),
    h(
      "ul",
      {},
      r.history.map((row) =>
        h(
          "li",
          {},
          `${new Date(row.started_at).toLocaleString()}: ${words[row.state] ?? row.state}, ${row.calls} calls` +
            (row.http_429 ? `, ${row.http_429} × "too many requests"` : "") +
            (row.message ? ` — ${row.message}` : ""),
        ),
      ),
    ),
  );
}

// ---------- the virtualised preview ----------

const table = {
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

/** A row's texts as its cells show them. */
function rowTexts(row: RecordRow): RowTexts {
  return {
    label: row.label ?? row.zoho_id,
    date: formatDate(row.date),
    name: row.counterparty ?? "",
    status: statusWords(row.status),
    total: row.total === null ? "" : formatAmount(row.total, ui.currency),
  };
}

let measuring: CanvasRenderingContext2D | null = null;

/** Measures text in the font `el` is drawn in (and its bold, for the headers). */
function measureIn(el: HTMLElement): Measure {
  const cs = getComputedStyle(el);
  measuring ??= document.createElement("canvas").getContext("2d");
  const ctx = measuring;
  const font = (weight: string): string => `${cs.fontStyle} ${weight} ${cs.fontSize} ${cs.fontFamily}`;
  return (text, bold) => {
    if (!ctx) return text.length * parseFloat(cs.fontSize);
    ctx.font = font(bold ? "600" : cs.fontWeight);
    return ctx.measureText(text).width;
  };
}

/** Fits the columns to the table's width (again when the width or the loaded rows changed). */
function refit(): void {
  if (!viewport || !tableEl) return;
  const width = viewport.clientWidth;
  const key = `${width}:${[...table.pages.keys()].join(",")}`;
  if (!table.fit || table.fitFor !== key) {
    const cs = getComputedStyle(viewport);
    const size = parseFloat(cs.fontSize);
    table.fit = fitColumns([...table.pages.values()].flat().map(rowTexts), width, measureIn(viewport), {
      pad: 1.0 * size,
      line: parseFloat(cs.lineHeight) || 1.5 * size,
      rowPad: 10,
    });
    table.fitFor = key;
  }
  const fit = table.fit;
  tableEl.classList.toggle("stacked", fit.mode === "stacked");
  if (fit.template) tableEl.style.setProperty("--columns", fit.template);
  // The header lines up with the rows beside the viewport's scroll bar.
  tableEl.style.setProperty("--gutter", `${Math.max(0, viewport.offsetWidth - viewport.clientWidth)}px`);
}

async function loadPage(page: number): Promise<void> {
  if (!ui.connection || table.pages.has(page) || table.loading.has(page)) return;
  table.loading.add(page);
  try {
    const res = await api.pullRecords(ui.connection, ui.entity, page * PAGE, PAGE, ui.sort, ui.dir, ui.search || null);
    table.total = res.total;
    table.pages.set(page, res.rows);
  } catch (e) {
    host?.showError(asAppError(e));
  } finally {
    table.loading.delete(page);
  }
  paintRows();
}

let viewport: HTMLElement | null = null;
let rowsLayer: HTMLElement | null = null;
let spacer: HTMLElement | null = null;
let tableEl: HTMLElement | null = null;
/** Fits the columns again when the table's width changes (the window was resized). */
let resized: ResizeObserver | null = null;

function paintRows(): void {
  if (!viewport || !rowsLayer || !spacer) return;
  refit();
  const rowHeight = table.fit?.rowHeight ?? ROW_HEIGHT;
  spacer.style.height = `${table.total * rowHeight}px`;
  const first = Math.floor(viewport.scrollTop / rowHeight);
  const count = Math.ceil(viewport.clientHeight / rowHeight) + 4;
  const rows: HTMLElement[] = [];
  for (let i = first; i < Math.min(first + count, table.total || first + 1); i++) {
    const page = Math.floor(i / PAGE);
    const row = table.pages.get(page)?.[i % PAGE];
    if (!row) {
      void loadPage(page);
      continue;
    }
    const t = rowTexts(row);
    const el = h(
        "div",
        {
          class: "trow",
          role: "row",
          tabindex: "0",
          "aria-rowindex": i + 2,
          "data-row": row.zoho_id,
          onclick: () => void openRecord(row),
          onkeydown: (e: Event) => {
            if ((e as KeyboardEvent).key === "Enter") void openRecord(row);
          },
        },
        h("span", { role: "cell", class: "label" }, t.label),
        h("span", { role: "cell", class: "date", title: row.date ?? "" }, t.date),
        h("span", { role: "cell", class: "name" }, t.name),
        h("span", { role: "cell", class: "status" }, t.status),
        h("span", { role: "cell", class: "num" }, t.total),
      );
    // Set through the CSSOM: the strict CSP refuses style attributes.
    el.style.top = `${i * rowHeight}px`;
    el.style.height = `${rowHeight}px`;
    rows.push(el);
  }
  rowsLayer.replaceChildren(...rows);
  const label = document.getElementById("preview-count");
  if (label) label.textContent = `${table.total} record${table.total === 1 ? "" : "s"}`;
}

async function openRecord(row: RecordRow): Promise<void> {
  if (!ui.connection) return;
  const entity = ui.entity;
  try {
    const record = await api.pullRecord(ui.connection, entity, row.zoho_id);
    openRecordCard(entity, record, ui.currency, row.label ?? row.zoho_id, `.trow[data-row="${CSS.escape(row.zoho_id)}"]`);
  } catch (e) {
    host?.showError(asAppError(e));
  }
}

let searchTimer: number | undefined;

function preview(r: PullResults): HTMLElement {
  const columns: [SortColumn, string][] = [
    ["label", HEADERS.label],
    ["date", HEADERS.date],
    ["counterparty", HEADERS.name],
    ["status", HEADERS.status],
    ["total", HEADERS.total],
  ];
  viewport = h("div", {
    class: "tviewport",
    "data-test": "preview-viewport",
    onscroll: (e: Event) => {
      ui.scrollTop = (e.target as HTMLElement).scrollTop;
      paintRows();
    },
  });
  spacer = h("div", { class: "tspacer" });
  rowsLayer = h("div", { class: "trows", role: "rowgroup" });
  viewport.append(spacer, rowsLayer);
  resized?.disconnect();
  resized = new ResizeObserver(() => {
    paintRows();
  });
  resized.observe(viewport);
  window.setTimeout(() => {
    // A redraw keeps the reader's place in the table.
    if (viewport && ui.scrollTop > 0) viewport.scrollTop = ui.scrollTop;
    paintRows();
  }, 0);
  return h(
    "div",
    { class: "preview", "data-test": "preview" },
    h(
      "div",
      { class: "row" },
      h(
        "label",
        { for: "preview-entity" },
        "Show ",
        h(
          "select",
          {
            id: "preview-entity",
            onchange: (e: Event) => {
              const entity = (e.target as HTMLSelectElement).value;
              if (isEntity(entity)) ui.entity = entity;
                        table.reset();
              host?.render();
            },
          },
          r.counts.map((c) => h("option", { value: c.entity, selected: c.entity === ui.entity }, entityName(c.entity))),
        ),
      ),
      h("input", {
        type: "search",
        placeholder: "Search number, name, status…",
        "aria-label": "Search the records",
        "data-test": "preview-search",
        value: ui.search,
        oninput: (e: Event) => {
          ui.search = (e.target as HTMLInputElement).value;
          window.clearTimeout(searchTimer);
          searchTimer = window.setTimeout(() => {
            table.reset();
            void loadPage(0);
          }, 200);
        },
      }),
      h("span", { id: "preview-count", class: "hint", "aria-live": "polite" }),
    ),
    (tableEl = h(
      "div",
      { class: "ttable", role: "table", "aria-label": `${entityName(ui.entity)} pulled` },
      h(
        "div",
        { class: "thead", role: "row", "aria-rowindex": 1 },
        columns.map(([col, label]) =>
          h(
            "div",
            {
              role: "columnheader",
              "data-col": col,
              "aria-sort": ui.sort === col ? (ui.dir === "asc" ? "ascending" : "descending") : "none",
            },
            h(
            "button",
            {
              type: "button",
              class: col === "total" ? "num" : "",
              "data-sort": col,
              onclick: () => {
                if (ui.sort === col) ui.dir = ui.dir === "asc" ? "desc" : "asc";
                else {
                  ui.sort = col;
                  ui.dir = col === "label" || col === "counterparty" ? "asc" : "desc";
                }
                table.reset();
                host?.render();
              },
            },
            label,
            ui.sort === col ? (ui.dir === "asc" ? " ▲" : " ▼") : "",
          ),
          ),
        ),
      ),
      viewport,
    )),
  );
}

/** The pull area of a connection. */
export function pullArea(): HTMLElement | null {
  if (!ui.connection) return null;
  return h("div", { class: "pull", "data-test": "pull-area" }, ui.running ? progressPanel() : settings(), results());
}
