// Where the keys will be used (asked in "Before you start"), the two
// redirect URIs the registration step then asks for, and the hand-off card
// shown once the test passed: what to paste into the platform, under its own
// labels. The Client Secret is never shown: "Copy the Client Secret" has the
// core put it on the clipboard straight from the keyring, for a short while.

import { hintWithMore } from "../more";
import { api, asAppError } from "../api";
import { copyable } from "../copy";
import { h } from "../dom";
import { openFolderButton, saveWithDialog, savingNote, type Saving } from "../saving";
import type { SavedReport } from "../bindings/SavedReport";
import type { Host } from "../host";
import type { Handoff } from "../bindings/Handoff";
import type { PlatformChoice } from "../bindings/PlatformChoice";
import type { Status } from "../bindings/Status";

type Kind = PlatformChoice["kind"];

interface PlatformDraft {
  /** The option picked but not saved yet ("other" needs a name and callback first). */
  picked: Kind | null;
  name: string;
  callback: string;
}

const draft: PlatformDraft = { picked: null, name: "", callback: "" };
/** Whether the option being picked was clicked with the pointer (arrow keys only move between the options). */
let pickedWithPointer = false;

function option(host: Host, s: Status, kind: Kind, label: string, hint: string): HTMLElement {
  const current = draft.picked ?? s.platform.choice.kind;
  return h(
    "label",
    { class: "choice" },
    h("input", {
      type: "radio",
      name: "platform",
      value: kind,
      "data-platform": kind,
      checked: current === kind,
      onclick: (e: Event) => {
        // A click comes before the change; an arrow key's has no pointer detail.
        pickedWithPointer = (e as MouseEvent).detail > 0;
      },
      onchange: () => {
        draft.picked = kind;
        if (kind === "other") {
          host.render();
          // Clicked: on to its name. Reached with an arrow key: focus stays in the options.
          if (pickedWithPointer) host.focus("platform-name");
          pickedWithPointer = false;
          return;
        }
        void host.run(() => api.setPlatform({ kind }), (st) => {
          draft.picked = null;
          host.setStatus(st);
        });
      },
    }),
    h("span", {}, h("strong", {}, label), h("span", { class: "hint block" }, hint)),
  );
}

function otherFields(host: Host, s: Status): HTMLElement | null {
  const current = draft.picked ?? s.platform.choice.kind;
  if (current !== "other") return null;
  const saved = s.platform.choice.kind === "other" ? s.platform.choice : null;
  if (!draft.name && saved) draft.name = saved.name;
  if (!draft.callback && saved) draft.callback = saved.callback;
  const save = (): void => {
    void host.run(
      () => api.setPlatform({ kind: "other", name: draft.name, callback: draft.callback }),
      (st) => {
        draft.picked = null;
        host.setStatus(st);
        host.setInfo(`Saved: the registration step now lists ${st.platform.name}'s callback beside this app's.`);
      },
    );
  };
  return h(
    "div",
    { class: "platform-other", "data-test": "platform-other" },
    h("label", { for: "platform-name" }, "The platform's name"),
    h("input", {
      id: "platform-name",
      type: "text",
      autocomplete: "off",
      value: draft.name,
      oninput: (e: Event) => {
        draft.name = (e.target as HTMLInputElement).value;
      },
    }),
    h("label", { for: "platform-callback" }, "Its callback (redirect) URI, from its setup guide"),
    h("input", {
      id: "platform-callback",
      type: "url",
      autocomplete: "off",
      spellcheck: "false",
      placeholder: "https://platform.example/oauth/callback",
      value: draft.callback,
      oninput: (e: Event) => {
        draft.callback = (e.target as HTMLInputElement).value;
      },
    }),
    h("button", { type: "button", "data-test": "platform-save", onclick: save }, "Save the platform"),
  );
}

/** "Where will these keys be used?": a platform, with its callback, or only this app. */
export function platformChooser(host: Host, s: Status): HTMLElement {
  return h(
    "fieldset",
    { class: "choices platform", "data-test": "platform" },
    h("legend", {}, "Where will these keys be used?"),
    hintWithMore(
      "platform",
      "Register one Zoho application for both your platform and this app.",
      "Your customers connect through your integration platform: with one application for both, what you test here is exactly what your customers will use.",
    ),
    option(host, s, "codat", "Codat", "Its callback is https://zohobooks.codat.io/oauth/callback."),
    option(host, s, "other", "Another integration platform", "You type its name and paste the callback URI from its setup guide."),
    option(host, s, "only_this_app", "Only this app", "Just trying Zoho Books out: no platform's callback to register."),
    otherFields(host, s),
  );
}

/** The registration step's redirect URIs: each with a copy button, and why both. */
export function redirectUris(s: Status): HTMLElement {
  const platform = s.platform.callback ? s.platform.name : null;
  return h(
    "div",
    { "data-test": "redirect-uris" },
    platform
      ? h(
          "p",
          { class: "hint", "data-test": "why-both" },
          `Add both addresses, each in its own "Authorized Redirect URIs" field: paste the first into the field, click + beside it, and paste the second into the new field. The first lets this app test the keys, the second lets ${platform} connect your customers with the same keys.`,
        )
      : null,
    s.redirect_uris.map((uri, i) =>
      copyable(uri, i === 0 ? "the redirect URI of this app" : `the redirect URI of ${platform ?? "the platform"}`),
    ),
  );
}

/** The hand-off card's title (the test step's sequence brings it into view). */
export const HANDOFF_TITLE = "handoff-title";

interface HandoffState {
  handoff: Handoff | null;
  loading: boolean;
  copied: string | null;
  /** The last "Save a test report". */
  report: Saving<SavedReport>;
}

const card: HandoffState = { handoff: null, loading: false, copied: null, report: { state: "idle" } };
/** Changes the copy note once the secret has left the clipboard. */
let clearedTimer: number | undefined;

/** The hand-off card, once "Test your integration" passed, with what was checked. */
export function handoffCard(host: Host, s: Status, checked: string): HTMLElement | null {
  const tested = s.checklist.some((i) => i.id === "test" && i.done);
  if (!tested) return null;
  if (!card.handoff && !card.loading) {
    card.loading = true;
    void api
      .handoff()
      .then((x) => {
        card.handoff = x;
      })
      .catch((e: unknown) => {
        host.setError(asAppError(e));
      })
      .finally(() => {
        card.loading = false;
        host.render();
      });
  }
  const x = card.handoff;
  if (!x) return h("section", { class: "handoff", "data-test": "handoff", "aria-busy": "true" }, h("p", {}, "Preparing the hand-off…"));
  const labels = x.platform.labels;
  const where = x.platform.callback ? x.platform.name : "your integration platform";
  const copySecret = (): void => {
    card.copied = null;
    window.clearTimeout(clearedTimer);
    void host.run(api.copyClientSecret, (r) => {
      card.copied = `Copied. It is taken off the clipboard in ${r.clears_after_seconds} seconds: paste it into ${where} now.`;
      // Once it has left the clipboard, the note says so instead of "paste it now".
      clearedTimer = window.setTimeout(() => {
        card.copied = `It was taken off the clipboard again. Copy it again if you still need to paste it into ${where}.`;
        host.render();
      }, Number(r.clears_after_seconds) * 1000);
    });
  };
  return h(
    "section",
    { class: "handoff", "data-test": "handoff", "aria-labelledby": HANDOFF_TITLE },
    h("h3", { id: HANDOFF_TITLE, tabindex: "-1", "data-ready": String(x.ready) }, x.ready ? `Ready for ${where}` : `Not ready for ${where} yet`),
    x.not_ready
      ? h("p", { class: "banner warning", role: "status", "data-test": "handoff-not-ready" }, x.not_ready)
      : null,
    x.ready ? h("p", { "data-test": "handoff-checked" }, checked) : null,
    h(
      "p",
      { class: "next" },
      x.ready
        ? [h("strong", {}, "Next: "), `enter these keys in ${where}'s Zoho Books settings, under these names, and save a test report for your records.`]
        : `Once that is done, enter these keys in ${where}'s Zoho Books settings, under these names:`,
    ),
    h(
      "dl",
      { class: "handoff-fields" },
      h("dt", {}, labels.client_id),
      h("dd", { "data-test": "handoff-client-id" }, x.client_id ? copyable(x.client_id, labels.client_id) : "Not saved"),
      h("dt", {}, labels.client_secret),
      h(
        "dd",
        {},
        h("span", { class: "mask" }, x.secret_mask ?? "Not saved"),
        " ",
        h("button", { type: "button", class: "secondary", "data-test": "copy-secret", onclick: copySecret }, `Copy the ${labels.client_secret}`),
        h("span", { class: "copy-feedback block", role: "status", "aria-live": "polite", "data-test": "copy-secret-feedback" }, card.copied ?? ""),
      ),
      h("dt", {}, labels.enabled),
      h("dd", {}, "Switch it on."),
      h("dt", {}, "Keys accepted at"),
      h(
        "dd",
        { "data-test": "handoff-data-centers" },
        x.accepted_data_centers.length
          ? x.accepted_data_centers.map((r) => s.data_centers.find((d) => d.region === r)?.name ?? r.toUpperCase()).join(", ")
          : "No data center yet",
      ),
      h("dt", {}, "Permissions granted"),
      h(
        "dd",
        { class: "scopes", "data-test": "handoff-scopes" },
        x.scopes.length
          ? x.scopes.flatMap((scope, i) => [i > 0 ? ", " : null, h("span", { class: "scope" }, scope)])
          : "None yet: connect an organization",
      ),
    ),
    h(
      "div",
      { class: "report" },
      h(
        "button",
        {
          type: "button",
          class: "secondary",
          "data-test": "save-report",
          disabled: card.report.state === "asking",
          onclick: () => {
            void saveWithDialog(
              api.saveTestReport,
              (r) => {
                card.report = r;
                host.render();
              },
              "report-saved",
            );
          },
        },
        "Save a test report",
      ),
      savingNote(card.report, {
        test: "report-saved",
        asking: "Choose where to save the report in the window that opened.",
        cancelled: "Not saved: no place was chosen.",
        saved: (r) =>
          h(
            "div",
            {},
            h("p", {}, "Saved as ", h("code", { "data-test": "report-path" }, r.path), ". Open it in a browser to print it or save it as a PDF."),
            openFolderButton(r.folder, "report-open-folder"),
          ),
      }),
    ),
  );
}

/** Forgets what the card loaded (the keys or the profile changed). */
export function resetHandoff(): void {
  card.handoff = null;
  card.copied = null;
  card.report = { state: "idle" };
  draft.picked = null;
  draft.name = "";
  draft.callback = "";
}
