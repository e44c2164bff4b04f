// Step "Register the application in Zoho": the API console's sub-steps, the
// redirect URI to paste, and how Zoho sends people back to the app.

import { api } from "../api";
import { h } from "../dom";
import type { Host, StepScreen } from "../host";
import type { Status } from "../bindings/Status";
import { redirectUris } from "./platform";
import { linkButton, ticks } from "./ticks";

function firstRegion(s: Status): string | null {
  return s.regions[0] ?? null;
}

function redirectMethodChooser(host: Host, s: Status): HTMLElement {
  const current = s.redirect_method;
  const option = (method: "loopback" | "deep_link", label: string, hint: string): HTMLElement =>
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
    { class: "advanced", open: current !== "loopback" },
    h("summary", {}, "How Zoho sends people back to this app"),
    h(
      "fieldset",
      { class: "choices" },
      h("legend", { class: "visually-hidden" }, "Redirect method"),
      option("loopback", "This computer (recommended)", "Works with Server-based Applications. The app listens on 127.0.0.1 while you sign in."),
      option(
        "deep_link",
        "App link (zbsetup://)",
        "For Zoho's desktop or mobile client types, or when your company hosts the forwarding page in docs/forward.html.",
      ),
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
