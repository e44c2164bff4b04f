// The pull form: what to pull and how many, the opt-in detail calls, the
// live forecast of what it costs, and the offer to resume a stopped pull.

import { h } from "../dom";
import { ENTITIES, entityName, lineItemWords } from "../entities";
import { outcomeNote } from "./results";
import { countRecords, refreshForecast, startPull, ui } from "./state";
import type { Forecast } from "../bindings/Forecast";
import { duration } from "./words";

/** A checkbox for one of the opt-in detail calls; the forecast follows it. */
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
        void refreshForecast();
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

/**
 * Under the cost: when it is only "at least" (every record, totals unknown),
 * a button that counts the records (one API call per 200 of each type) so it
 * becomes a figure; then what the count cost and when the totals were counted.
 */
function countNote(est: Forecast | null): HTMLElement | null {
  const c = ui.counting;
  const said =
    c.state === "counted"
      ? c.stopped ?? `Counted with ${c.calls} API call${c.calls === 1 ? "" : "s"}.`
      : est?.counted_at
        ? `From the records counted ${readableSince(est.counted_at)}.`
        : null;
  const offer = est !== null && est.lower_bound;
  if (!offer && said === null) return null;
  return h(
    "p",
    { class: "hint count-note", "data-test": "count-note" },
    said ? h("span", { "data-test": "count-said" }, said, " ") : null,
    offer
      ? h(
          "button",
          {
            type: "button",
            class: "secondary",
            "data-test": "count-records",
            disabled: c.state === "counting",
            onclick: () => void countRecords(),
          },
          c.state === "counting" ? "Counting…" : "Count the records for a figure (one API call per 200 records)",
        )
      : null,
  );
}

/** "3 minutes ago", "at 14:05": when the totals were counted. */
function readableSince(rfc3339: string): string {
  const minutes = Math.round((Date.now() - Date.parse(rfc3339)) / 60_000);
  if (Number.isNaN(minutes)) return "earlier";
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"} ago`;
  return `at ${new Date(rfc3339).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`;
}

export function settings(): HTMLElement {
  const o = ui.options;
  const all = o.sample === null;
  // Chosen, but outside what the connection's sign-in may read.
  const outsideSignIn = o.entities.filter((e) => !ui.canRead.includes(e));
  const est = ui.forecast;
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
              void refreshForecast();
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
            void refreshForecast();
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
            void refreshForecast();
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
            void refreshForecast();
          },
        }),
        "Everything",
      ),
    ),
    h(
      "fieldset",
      { class: "detail-choice" },
      h("legend", {}, "Extra detail (off by default, to respect Zoho's limits)"),
      detailToggle("line-items", "line_items", `Include line items (one extra API call per ${lineItemWords()})`),
      detailToggle(
        "customer-details",
        "customer_details",
        "Include customer addresses and contact persons (one extra API call per customer)",
      ),
    ),
    h(
      "p",
      { class: `forecast${overQuota ? " over" : ""}`, "data-test": "forecast", "aria-live": "polite" },
      ui.forecastError ??
        (est
          ? `${est.lower_bound ? "At least" : "About"} ${est.calls} API call${est.calls === 1 ? "" : "s"}, ${duration(est.seconds)} at Zoho's rate limit. ` +
            (est.daily_quota_left === null
              ? est.daily_quota_guess !== null
                ? `Zoho tells the daily quota left after the first call; this organization's plan usually allows about ${est.daily_quota_guess} calls a day (a guess until then).`
                : "Zoho tells the daily quota left after the first call."
              : `${est.daily_quota_left} calls left in today's quota${overQuota ? ": not enough for all of it, you will be asked before starting." : "."}`)
          : "Working out the cost…"),
    ),
    countNote(est),
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
