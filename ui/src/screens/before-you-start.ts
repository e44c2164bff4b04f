// Step "Before you start": a Zoho account, and the data centers the
// customers use (saved in the core as they are ticked).

import { hintWithMore } from "../more";
import { api } from "../api";
import { h } from "../dom";
import type { Host, StepScreen } from "../host";
import { platformChooser } from "./platform";
import { linkButton, ticks } from "./ticks";

export function beforeYouStart(host: Host): StepScreen {
  return {
    view: (s, item) => {
      const regions = h(
        "fieldset",
        { class: "regions", "data-test": "regions" },
        h("legend", {}, "Where are your customers' Zoho Books accounts?"),
        hintWithMore(
          "regions",
          `This app works with all ${countWord(s.data_centers.length)}: choose every one where your customers' organizations are.`,
          "Zoho keeps each account in one data center. Your integration platform may accept only some of them (Codat, for one, officially supports the United States and the United Kingdom only).",
        ),
        s.data_centers.map((dc) => {
          const id = `region-${dc.region}`;
          return h(
            "div",
            { class: "region" },
            h("input", {
              type: "checkbox",
              id,
              "data-region": dc.region,
              checked: s.regions.includes(dc.region),
              onchange: (e: Event) => {
                const on = (e.target as HTMLInputElement).checked;
                const next = on ? [...s.regions, dc.region] : s.regions.filter((r) => r !== dc.region);
                void host.run(() => api.setRegions(next), host.setStatus);
              },
            }),
            h(
              "label",
              { for: id },
              `${dc.name} (${dc.region.toUpperCase()})`,
            ),
          );
        }),
      );
      return h(
        "div",
        {},
        ticks(host, item, {
          zoho_account: h(
            "p",
            { class: "sub" },
            "No account yet? ",
            linkButton(host, "Create a Zoho account", "zoho_signup", null),
          ),
          choose_regions: regions,
        }),
        platformChooser(host, s),
      );
    },
  };
}

const COUNT_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

/** A count as a word up to twelve ("ten"), then in figures. */
function countWord(n: number): string {
  return COUNT_WORDS[n] ?? String(n);
}
