// Step "Add your keys": the Client ID and Secret fields, checked as they are
// typed (the core says what to fix), saving them (the secret goes to the
// system keyring), and the saved keys with Replace and Remove. In demo mode
// the simulated console's keys are shown to copy; being made up, they are
// kept in the demo's own folder, and the window says so.

import { checkKeysNow, keyCheckPanel, KEY_CHECK_ID } from "./keycheck";
import { api } from "../api";
import { copyable } from "../copy";
import { h } from "../dom";
import { STEP_TITLE, type Host, type StepScreen } from "../host";
import type { DemoKeys } from "../bindings/DemoKeys";
import type { KeyIssue } from "../bindings/KeyIssue";
import type { Status } from "../bindings/Status";

/** Where the demo keeps its keys, in the words of the saved-keys card. */
const DEMO_KEPT =
  "These keys are made up and open only the demo's simulated Zoho Books on this computer, so they are no secret: the demo keeps them, and its sign-ins, in its own folder, not in your system keyring. It runs even where no keyring is installed. Real keys always go to your system keyring.";

/** What is typed in the key fields; kept across redraws, never persisted. */
interface KeyDraft {
  clientId: string;
  clientSecret: string;
  issues: KeyIssue[];
  editing: boolean;
}

function emptyDraft(): KeyDraft {
  return { clientId: "", clientSecret: "", issues: [], editing: false };
}

export interface KeysScreen extends StepScreen {
  /** Forgets what was typed (another profile was chosen). */
  reset: () => void;
  /** The keys the simulated API console gave (demo mode), or null. */
  setDemoKeys: (keys: DemoKeys | null) => void;
}

export function keys(host: Host): KeysScreen {
  let draft = emptyDraft();
  let demoKeys: DemoKeys | null = null;
  let checkTimer: number | undefined;
  /** The error banner shows this screen's refused save (its key issues). */
  let saveRefused = false;

  function issueList(field: "client_id" | "client_secret"): HTMLElement {
    const issues = draft.issues.filter((i) => i.field === field);
    return h(
      "ul",
      { class: "field-issues", id: `${field}-issues`, "aria-live": "polite", "data-test": `${field}-issues` },
      issues.map((i) => h("li", { class: i.severity, "data-code": i.code }, i.message)),
    );
  }

  function scheduleCheck(): void {
    window.clearTimeout(checkTimer);
    checkTimer = window.setTimeout(() => {
      const d = draft;
      if (!d.clientId && !d.clientSecret) return;
      void api
        .checkKeys({ client_id: d.clientId, client_secret: d.clientSecret })
        .then((issues) => {
          // Before anything is typed in one field, don't nag about it being empty.
          d.issues = issues.filter(
            (i) =>
              !(i.code === "empty" && ((i.field === "client_id" && !d.clientId) || (i.field === "client_secret" && !d.clientSecret))),
          );
          for (const field of ["client_id", "client_secret"] as const) {
            document.getElementById(`${field}-issues`)?.replaceWith(issueList(field));
          }
          // A refused save's banner goes once what it named is fixed.
          if (saveRefused && !d.issues.some((i) => i.severity === "error")) {
            saveRefused = false;
            host.setError(null);
            host.render();
          }
        })
        .catch(() => undefined);
    }, 250);
  }

  function view(s: Status): HTMLElement {
    const d = draft;
    const saved = s.client_id !== null && s.secret_stored;
    const demo = s.profile === "demo";
    if (saved && !d.editing) {
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
        h("p", { class: "hint", "data-test": "secret-kept" }, demo ? DEMO_KEPT : "The Client Secret is kept in your system keyring; this app never shows it again."),
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
          h(
            "button",
            {
              type: "button",
              class: "secondary",
              "data-test": "replace-keys",
              onclick: () => {
                d.editing = true;
                d.clientId = s.client_id ?? "";
                d.clientSecret = "";
                d.issues = [];
                host.render();
              },
            },
            "Replace keys",
          ),
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
    const idInput = h("input", {
      id: "client-id",
      type: "text",
      autocomplete: "off",
      spellcheck: "false",
      "aria-describedby": "client_id-issues client-id-help",
      value: d.clientId,
      oninput: (e: Event) => {
        d.clientId = (e.target as HTMLInputElement).value;
        scheduleCheck();
      },
    });
    const secretInput = h("input", {
      id: "client-secret",
      type: "password",
      autocomplete: "off",
      spellcheck: "false",
      "aria-describedby": "client_secret-issues client-secret-help",
      value: d.clientSecret,
      oninput: (e: Event) => {
        d.clientSecret = (e.target as HTMLInputElement).value;
        scheduleCheck();
      },
    });
    /** Saves the keys (checked by the core first) and says what happened. */
    function save(clientId: string, clientSecret: string): void {
      let warnings = "";
      void host
        .run(
          () => api.saveCredentials({ client_id: clientId, client_secret: clientSecret }),
          (outcome) => {
            host.setStatus(outcome.status);
            d.clientSecret = "";
            d.editing = false;
            d.issues = outcome.warnings;
            warnings = outcome.warnings.map((w) => w.message).join(" ");
            host.setInfo(
              outcome.warnings.length
                ? `Saved. ${outcome.warnings.map((w) => w.message).join(" ")}`
                : outcome.status.profile === "demo"
                  ? "Saved in the demo's own folder."
                  : "Saved. Your Client Secret is now in your system keyring.",
            );
          },
        )
        .then((error) => {
          saveRefused = Boolean(error?.issues.length);
          if (error?.issues.length) {
            d.issues = error.issues;
            host.render();
          }
          if (error) return;
          // The form that had the focus is gone: its place is the check's.
          const had = document.activeElement;
          if (!had || had === document.body || had.id === STEP_TITLE) host.focus(KEY_CHECK_ID);
          checkKeysNow(host, { warnings });
        });
    }
    const keysOfDemo = demoKeys;
    const demoCard =
      keysOfDemo && s.profile === "demo"
        ? h(
            "aside",
            { class: "demo-keys", "data-test": "demo-keys" },
            h("h3", {}, "Demo keys"),
            h(
              "p",
              { class: "hint" },
              "In the demo, the simulated API console gave you these. They are made up and only open the simulated Zoho Books on this computer. Use them with one click, or copy each into its field below as you would real keys.",
            ),
            h("p", { class: "label" }, "Client ID"),
            copyable(keysOfDemo.client_id, "the demo Client ID"),
            h("p", { class: "label" }, "Client Secret"),
            copyable(keysOfDemo.client_secret, "the demo Client Secret"),
            h(
              "div",
              { class: "row" },
              h(
                "button",
                {
                  type: "button",
                  class: "primary",
                  "data-test": "use-demo-keys",
                  onclick: () => { save(keysOfDemo.client_id, keysOfDemo.client_secret); },
                },
                "Use these keys",
              ),
            ),
          )
        : null;
    const form = h(
      "form",
      {
        class: "keys-form",
        "data-test": "keys-form",
        onsubmit: (e: Event) => {
          e.preventDefault();
          save(d.clientId, d.clientSecret);
        },
      },
      h(
        "div",
        { class: "field" },
        h("label", { for: "client-id" }, "Client ID"),
        h("p", { class: "hint", id: "client-id-help" }, "Zoho sometimes calls it the Application ID. It starts with 1000."),
        idInput,
        issueList("client_id"),
      ),
      h(
        "div",
        { class: "field" },
        h("label", { for: "client-secret" }, "Client Secret"),
        h(
          "p",
          { class: "hint", id: "client-secret-help" },
          demo
            ? "Zoho sometimes calls it the Application Secret. Real ones are kept in your system keyring, never in a file; the demo's made-up one is kept in the demo's folder."
            : "Zoho sometimes calls it the Application Secret. It is kept in your system keyring, never in a file.",
        ),
        secretInput,
        issueList("client_secret"),
      ),
      h(
        "div",
        { class: "row" },
        h("button", { type: "submit", class: "primary", "data-test": "save-keys", disabled: host.busy() }, "Save keys"),
        d.editing
          ? h(
              "button",
              {
                type: "button",
                class: "secondary",
                onclick: () => {
                  d.editing = false;
                  d.clientSecret = "";
                  d.issues = [];
                  host.render();
                },
              },
              "Cancel",
            )
          : null,
      ),
    );
    return h("div", {}, demoCard, form);
  }

  return {
    view,
    reset: () => {
      draft = emptyDraft();
    },
    setDemoKeys: (k) => {
      demoKeys = k;
    },
  };
}
