// The saved keys: the Client ID, where the secret is kept, the switch to a
// localhost redirect when the core suggests it, the check with Zoho, and
// Replace or Remove.

import { keyCheckPanel } from "../keycheck";
import { api } from "../../api";
import { h } from "../../dom";
import { hintWithMore } from "../../more";
import type { Host } from "../../host";
import type { Status } from "../../bindings/Status";

/** Where the demo keeps its keys, in the words of the saved-keys card. */
const DEMO_KEPT =
  "These keys are made up and open only the demo's simulated Zoho Books, so the demo keeps them in its own folder, not in your system keyring.";

export function savedKeys(host: Host, s: Status, replace: () => void): HTMLElement {
  const demo = s.profile === "demo";
  return h(
    "div",
    { class: "saved-keys", "data-test": "saved-keys" },
    h(
      "dl",
      {},
      h("dt", {}, "Client ID"),
      h("dd", { "data-test": "saved-client-id" }, s.client_id ?? ""),
      h("dt", {}, "Client Secret"),
      h("dd", { "data-test": "saved-secret-mask" }, s.secret_mask ?? (demo ? "kept in the demo's folder" : "stored in your system keyring")),
    ),
    demo
      ? hintWithMore(
          "demo-keys-kept",
          DEMO_KEPT,
          "So the demo runs even where no keyring is installed. Real keys always go to your system keyring.",
          { "data-test": "secret-kept" },
        )
      : h("p", { class: "hint", "data-test": "secret-kept" }, "The Client Secret is kept in your system keyring; this app never shows it again."),
    s.redirect_notice !== null
      ? h(
          "div",
          { class: "notice", role: "status", "data-test": "redirect-notice" },
          h("p", {}, s.redirect_notice),
          h(
            "button",
            {
              type: "button",
              class: "secondary",
              "data-test": "switch-to-localhost",
              onclick: () => void host.run(() => api.setRedirectMethod("localhost"), host.setStatus),
            },
            "Switch to localhost",
          ),
        )
      : null,
    keyCheckPanel(host, s),
    h(
      "div",
      { class: "row" },
      h("button", { type: "button", class: "secondary", "data-test": "replace-keys", onclick: replace }, "Replace keys"),
      h(
        "button",
        {
          type: "button",
          class: "danger",
          "data-test": "remove-keys",
          onclick: () => {
            if (window.confirm("Remove the Client ID and Client Secret? The integration will be switched off.")) {
              void host.run(api.clearCredentials, host.setStatus);
            }
          },
        },
        "Remove keys",
      ),
    ),
  );
}
