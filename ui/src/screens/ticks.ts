// Parts the checklist steps share: the list of sub-steps a person ticks (each
// saved in the core at once), and buttons that open a Zoho page in the browser.

import { api } from "../api";
import { h } from "../dom";
import type { Host } from "../host";
import { SUBSTEP_TEXT } from "../steps";
import type { ChecklistItem } from "../bindings/ChecklistItem";
import type { StepId } from "../bindings/StepId";
import type { SubStepId } from "../bindings/SubStepId";

function tick(host: Host, stepId: StepId, sub: SubStepId, done: boolean, fixed: boolean, extra?: HTMLElement | null): HTMLElement {
  const id = `${stepId}.${sub}`;
  const box = h("input", {
    type: "checkbox",
    id: `tick-${id}`,
    "data-tick": id,
    checked: done,
    disabled: fixed,
    onchange: (e: Event) => {
      const checked = (e.target as HTMLInputElement).checked;
      void host.run(() => api.setStep(id, checked), host.setStatus);
    },
  });
  return h(
    "li",
    { class: `tick${done ? " ticked" : ""}` },
    h("div", { class: "tick-row" }, box, h("label", { for: `tick-${id}` }, SUBSTEP_TEXT[sub])),
    extra ?? null,
  );
}

/** The step's sub-steps, each with what to do; `extras` go under the sub-step of that id. */
export function ticks(host: Host, item: ChecklistItem, extras: Partial<Record<SubStepId, HTMLElement | null>> = {}): HTMLElement {
  const list = h(
    "ol",
    { class: "ticks" },
    item.substeps.map((sub) => tick(host, item.id, sub.id, sub.done, item.done_for_you, extras[sub.id] ?? null)),
  );
  if (!item.done_for_you) return list;
  return h(
    "div",
    {},
    h(
      "p",
      { class: "banner info", "data-test": "done-for-you" },
      "In the demo, Zoho's stand-in already has this done for you, so you can go on. In a real setup you do these in Zoho's API console and tick each one.",
    ),
    list,
  );
}

export function linkButton(host: Host, label: string, link: "zoho_signup" | "api_console", region: string | null): HTMLElement {
  return h(
    "button",
    {
      type: "button",
      class: "secondary",
      "data-link": link,
      onclick: () =>
        void host.run(
          () => api.openLink(link, region),
          (url) => {
            host.setInfo(`Opened ${url} in your browser.`);
          },
        ),
    },
    label,
    h("span", { class: "visually-hidden" }, " (opens in your browser)"),
    " ↗",
  );
}
