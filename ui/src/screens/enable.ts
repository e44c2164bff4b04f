// Step "Switch the integration on": the switch, once the keys are saved.

import { api } from "../api";
import { h } from "../dom";
import type { Host, StepScreen } from "../host";

export function enable(host: Host): StepScreen {
  return {
    view: (s) => {
      const keysSaved = s.client_id !== null && s.secret_stored;
      const toggle = h(
        "button",
        {
          type: "button",
          role: "switch",
          class: `switch${s.enabled ? " on" : ""}`,
          id: "enable-switch",
          "aria-checked": s.enabled ? "true" : "false",
          "aria-describedby": "enable-help",
          disabled: !keysSaved,
          onclick: () => void host.run(() => api.setEnabled(!s.enabled), host.setStatus),
        },
        h("span", { class: "knob", "aria-hidden": "true" }),
        h("span", { class: "switch-label" }, s.enabled ? "On" : "Off"),
      );
      return h(
        "div",
        { class: "enable" },
        h("div", { class: "row" }, h("label", { for: "enable-switch" }, "Zoho Books integration"), toggle),
        h(
          "p",
          { class: "hint", id: "enable-help" },
          keysSaved
            ? s.enabled
              ? "The integration is on. You can switch it off at any time."
              : "You can switch it on now, or later when you are ready. Connecting needs it on."
            : "Save your keys in the previous step first; then you can switch the integration on.",
        ),
      );
    },
  };
}
