// Step "Register the application in Zoho": the API console's sub-steps, the
// redirect URI to paste, and how Zoho sends people back to the app.

import { api } from "../api";
import { h } from "../dom";
import type { Host, StepScreen } from "../host";
import type { RedirectMethod } from "../bindings/RedirectMethod";
import type { Status } from "../bindings/Status";
import { redirectUris } from "./platform";
import { linkButton, ticks } from "./ticks";

function firstRegion(s: Status): string | null {
  return s.regions[0] ?? null;
}

function redirectMethodChooser(host: Host, s: Status): HTMLElement {
  const current = s.redirect_method;
  const option = (method: RedirectMethod, label: string, hint: string): HTMLElement =>
    h(
      "label",
      { class: "choice" },
      h("input", {
        type: "radio",
        name: "redirect-method",
        value: method,
        "data-method": method,
        checked: current === method,
        onchange: () => void host.run(() => api.setRedirectMethod(method), host.setStatus),
      }),
      h("span", {}, h("strong", {}, label), h("span", { class: "hint block" }, hint)),
    );
  return h(
    "details",
    { class: "advanced", open: current !== "localhost" },
    h("summary", {}, "Other addresses Zoho can send people back to"),
    h(
      "fieldset",
      { class: "choices" },
      h("legend", { class: "visually-hidden" }, "Where Zoho sends people back to"),
      option(
        "localhost",
        "This computer, by name (recommended)",
        "The address Zoho accepts for apps like this one. While you sign in, the app waits for Zoho's answer on this computer only.",
      ),
      option(
        "loopback",
        "This computer, by number (127.0.0.1)",
        "Choose this only if your API console already lists the 127.0.0.1 address. Zoho has been reported to refuse it for some clients.",
      ),
      // Zoho's console refuses it, so it is offered only where it works: the demo's stand-in.
      s.profile === "demo" || current === "deep_link"
        ? option(
            "deep_link",
            "App link (zbsetup://)",
            "Zoho's API console refuses this one: it accepts only addresses that start with http:// or https://. Only the demo's stand-in for Zoho takes it.",
          )
        : null,
    ),
  );
}

export function registerClient(host: Host): StepScreen {
  return {
    view: (s, item) =>
      ticks(host, item, {
        open_console: h("p", { class: "sub" }, linkButton(host, "Open the API console", "api_console", firstRegion(s))),
        redirect_uris: h(
          "div",
          { class: "sub" },
          redirectUris(s),
          redirectMethodChooser(host, s),
        ),
      }),
  };
}
