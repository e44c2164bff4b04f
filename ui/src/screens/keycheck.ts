// "Check my keys": asks each chosen data center whether it accepts the saved
// keys, without a sign-in, and shows a row per data center with what to fix
// in the API console. It runs by itself as soon as keys are saved
// (`checkKeysNow`), and again on "Check again". The answer is the core's
// (the status carries the last one, forgotten when the keys or the data
// centers change; while a data center refuses the keys, the keys step is not
// done); this module only knows whether a check is under way.

import { hintWithMore } from "../more";
import { api } from "../api";
import { h } from "../dom";
import type { Host } from "../host";
import type { KeyCheck } from "../bindings/KeyCheck";
import type { KeyCheckStatus } from "../bindings/KeyCheckStatus";
import type { Status } from "../bindings/Status";

const WORDS: Record<KeyCheckStatus, string> = {
  ok: "Accepts the keys",
  refused: "Does not accept the keys",
  unreachable: "Could not reach Zoho",
};

/** The id of the panel, which takes focus when saving replaced the form. */
export const KEY_CHECK_ID = "key-check";

let checking = false;

export function resetKeyCheck(): void {
  checking = false;
}

/** What the banner says once the check after a save has answered. */
function verdict(r: KeyCheck): string {
  const refused = r.data_centers.filter((d) => d.status === "refused").map((d) => d.name);
  const unreachable = r.data_centers.filter((d) => d.status === "unreachable").map((d) => d.name);
  // Zoho refuses a wrong key and a data center switched off alike: read together.
  if (r.keys_wrong) return "The keys were saved, but no data center you chose accepts them, so the Client ID or the Client Secret is wrong. Copy the Client Secret again from Zoho's API console, all of it, then choose Replace keys.";
  if (refused.length) return `The keys were saved, but ${refused.join(", ")} ${refused.length === 1 ? "does" : "do"} not accept them while others do: switch ${refused.length === 1 ? "it" : "them"} on in the console's Settings tab, as shown below.`;
  if (unreachable.length) return `Saved. ${unreachable.join(", ")} could not be reached to check the keys; check again when you are online.`;
  return "Saved, and every data center you chose accepts these keys.";
}

/** Asks Zoho now; after a save (`saved`: the save's own warnings, if any)
 * the info banner also says what it found. */
export function checkKeysNow(host: Host, saved?: { warnings: string }): void {
  if (checking) return;
  checking = true;
  host.render();
  void host
    .run(api.checkKeysWithZoho, (r) => {
      if (!saved) return;
      const said = `${verdict(r)}${saved.warnings ? ` ${saved.warnings}` : ""}`;
      // A refusal is a problem to fix: never in the colours of success.
      if (r.data_centers.some((d) => d.status === "refused")) host.showError({ code: null, message: said, issues: [] });
      else host.setInfo(said);
    })
    .then(async () => {
      checking = false;
      // The keys step may have changed (a data center refused): the status says.
      await host.refreshStatus().catch(() => {
        host.render();
      });
    });
}

export function keyCheckPanel(host: Host, s: Status): HTMLElement {
  const last = checking ? null : s.key_check;
  return h(
    "section",
    { class: "key-check", id: KEY_CHECK_ID, tabindex: "-1", "data-test": "key-check", "aria-labelledby": "key-check-title" },
    h("h3", { id: "key-check-title" }, "Check my keys with Zoho"),
    hintWithMore(
      "key-check",
      "Each data center you chose is asked whether it knows the keys, without signing in.",
      "It runs as soon as the keys are saved, so a data center that is not switched on in the console shows now rather than in a customer's first connection.",
    ),
    checking
      ? h("p", { class: "checking", role: "status", "data-test": "key-check-running" }, "Checking your keys with Zoho…")
      : null,
    h(
      "button",
      {
        type: "button",
        class: "secondary",
        "data-test": "check-keys",
        disabled: checking,
        onclick: () => {
          checkKeysNow(host);
        },
      },
      last ? "Check again" : "Check my keys",
    ),
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
