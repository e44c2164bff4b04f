// A pull's results: how it ended, the counts, the requests per minute
// against Zoho's limit (a chart, or a sentence for a few calls), today's
// API calls, the preview (preview.ts), export and the history of pulls.

import { api } from "../api";
import { h } from "../dom";
import { entityName } from "../entities";
import { openFolderButton, saveWithDialog, savingNote } from "../saving";
import { preview } from "./preview";
import { redraw, ui } from "./state";
import { count } from "./words";
import type { Entity } from "../bindings/Entity";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { PullResults } from "../bindings/PullResults";
import type { RatePoint } from "../bindings/RatePoint";

/** How the last pull of this window ended, shown above its results. */
export function outcomeNote(): HTMLElement | null {
  const o = ui.outcome;
  if (!o || ui.running) return null;
  return h(
    "div",
    { class: `banner ${o.kind === "error" ? "error" : o.kind === "done" ? "success" : "info"}`, role: o.kind === "error" ? "alert" : "status", "data-test": "pull-outcome", "data-kind": o.kind },
    h("p", {}, o.message),
  );
}

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

export function results(): HTMLElement | null {
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
                  redraw();
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
