// The help panel: the failures people actually hit, each with its fix, and
// "Copy diagnostics" (a report without secrets) for support.

import { api, asAppError } from "./api";
import { copyable } from "./copy";
import { h } from "./dom";

const TROUBLES: [string, string, string][] = [
  [
    "wrong-data-center",
    "Zoho says the Client ID or Secret is wrong (invalid_client)",
    "Check both keys on the API console's Client Secret tab. If they are right, the organization is in a data center that is not switched on: open the console's Settings tab, switch on that data center, and tick “Use the same OAuth credentials for all data centers”.",
  ],
  [
    "too-slow",
    "“The sign-in took too long or was used twice” (invalid_code)",
    "Zoho's sign-in answer is valid for about two minutes and only once. Start the connection again and click Accept without waiting.",
  ],
  [
    "twenty",
    "An older connection stopped working after a new one",
    "Zoho keeps 20 sign-ins per user and client; the 21st silently cancels the oldest. Disconnect connections you no longer use, then Reconnect the one that stopped.",
  ],
  [
    "quota",
    "The pull stopped: daily quota used up",
    "Each Zoho Books plan allows a number of API calls per organization per day (1,000 on the free plan). The pull is saved: start it again after the time shown, or pull fewer records or without line items.",
  ],
  [
    "keyring",
    "“Could not reach your system keyring” or the keyring is locked",
    "The Client Secret and sign-in tokens are kept only in your system keyring. Unlock it (your desktop may be showing a password prompt), or start it (GNOME Keyring or KWallet on Linux), then try again.",
  ],
  [
    "port",
    "“Port 47823 is already in use”",
    "Something else listens on the sign-in port: often another window of this app, or a zbsetup connect, still waiting for a sign-in. Finish or close it, or close the program using the port, then connect again.",
  ],
  [
    "browser",
    "The browser did not open",
    "Copy the link shown under “Waiting for you to sign in” into your browser. The sign-in still comes back to this app.",
  ],
];

/** The id of the panel's title, which takes focus when the panel is opened. */
export const HELP_TITLE = "help-title";

let report: string | null = null;
let problem: string | null = null;

export function helpPanel(close: () => void, rerender: () => void): HTMLElement {
  return h(
    "aside",
    { class: "help panel", "data-test": "help", "aria-labelledby": HELP_TITLE },
    h(
      "div",
      { class: "row" },
      h("h2", { id: HELP_TITLE, tabindex: "-1" }, "Help and troubleshooting"),
      h("button", { type: "button", class: "secondary small", onclick: close }, "Close help"),
    ),
    h(
      "ul",
      { class: "troubles" },
      TROUBLES.map(([id, title, fix]) =>
        h("li", { "data-trouble": id }, h("details", {}, h("summary", {}, title), h("p", {}, fix))),
      ),
    ),
    h("h3", {}, "Diagnostics for support"),
    h(
      "p",
      { class: "hint" },
      "A report of versions, settings, data centers, connections and recent problems. It never contains your Client Secret or tokens.",
    ),
    h(
      "button",
      {
        type: "button",
        class: "secondary",
        "data-test": "diagnostics",
        onclick: () =>
          void api
            .diagnostics()
            .then((text) => {
              report = text;
              problem = null;
            })
            .catch((e: unknown) => {
              problem = asAppError(e).message;
            })
            .finally(rerender),
      },
      "Show diagnostics",
    ),
    problem ? h("p", { class: "banner error", role: "alert" }, problem) : null,
    report ? h("div", { "data-test": "diagnostics-report" }, copyable(report, "the diagnostics")) : null,
  );
}
