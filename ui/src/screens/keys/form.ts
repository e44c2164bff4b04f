// The key fields: the Client ID and Secret with what the core says to fix
// as they are typed, Save (and Cancel when replacing saved keys); in demo
// mode, above them, the simulated console's keys to use with one click.

import { copyable } from "../../copy";
import { h } from "../../dom";
import type { Host } from "../../host";
import type { DemoKeys } from "../../bindings/DemoKeys";
import type { KeyIssue } from "../../bindings/KeyIssue";
import type { Status } from "../../bindings/Status";

/** What is typed in the key fields; kept across redraws, never persisted. */
export interface KeyDraft {
  clientId: string;
  clientSecret: string;
  issues: KeyIssue[];
  editing: boolean;
}

export function emptyDraft(): KeyDraft {
  return { clientId: "", clientSecret: "", issues: [], editing: false };
}

/** What the form asks of the screen. */
export interface KeyFormActions {
  /** A field changed: check what is typed. */
  typed: () => void;
  save: (clientId: string, clientSecret: string) => void;
  /** Back to the saved keys, forgetting what was typed. */
  cancel: () => void;
}

function issueList(d: KeyDraft, field: "client_id" | "client_secret"): HTMLElement {
  const issues = d.issues.filter((i) => i.field === field);
  return h(
    "ul",
    { class: "field-issues", id: `${field}-issues`, "aria-live": "polite", "data-test": `${field}-issues` },
    issues.map((i) => h("li", { class: i.severity, "data-code": i.code }, i.message)),
  );
}

/** The demo's made-up keys, to use with one click or to copy like real ones. */
export function demoCard(keys: DemoKeys | null, s: Status, actions: KeyFormActions): HTMLElement | null {
  if (!keys || s.profile !== "demo") return null;
  return h(
    "aside",
    { class: "demo-keys", "data-test": "demo-keys" },
    h("h3", {}, "Demo keys"),
    h("p", { class: "hint" }, "The simulated API console gave you these made-up keys: use them with one click, or copy each into its field below."),
    h("p", { class: "label" }, "Client ID"),
    copyable(keys.client_id, "the demo Client ID"),
    h("p", { class: "label" }, "Client Secret"),
    copyable(keys.client_secret, "the demo Client Secret"),
    h(
      "div",
      { class: "row" },
      h(
        "button",
        {
          type: "button",
          class: "primary",
          "data-test": "use-demo-keys",
          onclick: () => { actions.save(keys.client_id, keys.client_secret); },
        },
        "Use these keys",
      ),
    ),
  );
}

function field(
  d: KeyDraft,
  name: "client_id" | "client_secret",
  label: string,
  help: string,
  input: Record<string, string>,
  actions: KeyFormActions,
): HTMLElement {
  const id = name === "client_id" ? "client-id" : "client-secret";
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h("p", { class: "hint", id: `${id}-help` }, help),
    h("input", {
      id,
      autocomplete: "off",
      spellcheck: "false",
      "aria-describedby": `${name}-issues ${id}-help`,
      value: name === "client_id" ? d.clientId : d.clientSecret,
      ...input,
      oninput: (e: Event) => {
        const value = (e.target as HTMLInputElement).value;
        if (name === "client_id") d.clientId = value;
        else d.clientSecret = value;
        actions.typed();
      },
    }),
    issueList(d, name),
  );
}

export function keysForm(host: Host, s: Status, d: KeyDraft, actions: KeyFormActions): HTMLElement {
  return h(
    "form",
    {
      class: "keys-form",
      "data-test": "keys-form",
      onsubmit: (e: Event) => {
        e.preventDefault();
        actions.save(d.clientId, d.clientSecret);
      },
    },
    field(d, "client_id", "Client ID", "Zoho sometimes calls it the Application ID. It starts with 1000.", { type: "text" }, actions),
    field(
      d,
      "client_secret",
      "Client Secret",
      s.profile === "demo"
        ? "Zoho sometimes calls it the Application Secret. The demo keeps its made-up one in its own folder."
        : "Zoho sometimes calls it the Application Secret. It is kept in your system keyring, never in a file.",
      { type: "password" },
      actions,
    ),
    h(
      "div",
      { class: "row" },
      h("button", { type: "submit", class: "primary", "data-test": "save-keys", disabled: host.busy() }, "Save keys"),
      d.editing ? h("button", { type: "button", class: "secondary", onclick: actions.cancel }, "Cancel") : null,
    ),
  );
}
