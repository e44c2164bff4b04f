// Step "Choose data centers in Zoho": which data centers to switch on in the
// API console's Settings tab, and the shared-credentials tick.

import { h } from "../dom";
import type { Host, StepScreen } from "../host";
import { SAME_CREDENTIALS_WHY } from "../steps";
import { ticks } from "./ticks";

export function consoleSettings(host: Host): StepScreen {
  return {
    view: (s, item) => {
      const names = s.data_centers.filter((dc) => s.regions.includes(dc.region)).map((dc) => dc.name);
      return ticks(host, item, {
        enable_regions: h(
          "p",
          { class: "sub" },
          names.length > 0 ? `Switch on: ${names.join(", ")}.` : "Choose your data centers in the first step.",
        ),
        same_credentials: h("p", { class: "sub hint" }, SAME_CREDENTIALS_WHY),
      });
    },
  };
}
