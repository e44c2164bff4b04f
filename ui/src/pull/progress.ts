// A running pull: each record type's progress, the calls so far against
// the rate limit, the time left, and Cancel.

import { api } from "../api";
import { h } from "../dom";
import { entityName } from "../entities";
import { ui } from "./state";
import { count, duration } from "./words";
import type { EntityProgress } from "../bindings/EntityProgress";

/** "25 records · 26 calls", or while a page's details come in, how many are in. */
function entityCount(e: EntityProgress): string {
  // Records whose details are in count as read; they are saved with their page.
  const read = e.records + e.details_fetched;
  const saving = e.details_fetched > 0 ? ` (${e.details_fetched} being saved with their page)` : "";
  return `${count(read, "record")} read${saving} · ${count(e.calls, "call")}${e.done ? " · done" : ""}`;
}

export function progressPanel(): HTMLElement {
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
