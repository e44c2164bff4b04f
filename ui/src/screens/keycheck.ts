// "Check my keys": asks each chosen data center whether it accepts the saved
// keys, without a sign-in, and shows a row per data center with what to fix
// in the API console. What it shows is always the answer of the click that
// asked; it is forgotten when the keys or the profile change.

import { api } from "../api";
import { h } from "../dom";
import type { Host } from "../host";
import type { KeyCheck } from "../bindings/KeyCheck";
import type { KeyCheckStatus } from "../bindings/KeyCheckStatus";

const WORDS: Record<KeyCheckStatus, string> = {
  ok: "Accepts the keys",
  refused: "Does not accept the keys",
  unreachable: "Could not be asked",
};

let last: KeyCheck | null = null;

export function resetKeyCheck(): void {
  last = null;
}

export function keyCheckPanel(host: Host): HTMLElement {
  const check = (): void => {
    void host.run(api.checkKeysWithZoho, (r) => {
      last = r;
    });
  };
  return h(
    "section",
    { class: "key-check", "data-test": "key-check", "aria-labelledby": "key-check-title" },
    h("h3", { id: "key-check-title" }, "Check my keys with Zoho"),
    h(
      "p",
      { class: "hint" },
      "Asks each data center you chose whether it knows these keys, without signing in, so a data center that is not switched on shows now rather than in a customer's first connection.",
    ),
    h("button", { type: "button", class: "secondary", "data-test": "check-keys", onclick: check }, last ? "Check again" : "Check my keys"),
    last
      ? h(
          "table",
          { class: "key-check-rows", "data-test": "key-check-rows" },
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Data center"), h("th", { scope: "col" }, "Answer"), h("th", { scope: "col" }, "What to do"))),
          h(
            "tbody",
            {},
            last.data_centers.map((d) =>
              h(
                "tr",
                { "data-region-check": d.region, class: d.status },
                h("td", {}, d.name),
                h("td", {}, h("strong", {}, WORDS[d.status]), h("span", { class: "hint block" }, d.message)),
                h("td", {}, d.fix ?? (d.status === "ok" ? "Nothing." : "Check again in a while.")),
              ),
            ),
          ),
        )
      : null,
  );
}
