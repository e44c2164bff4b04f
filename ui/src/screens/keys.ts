// Step "Add your keys", drawn from its state like every step: the key fields
// with what the core says to fix as they are typed (keys/form.ts), saving
// them (the secret goes to the system keyring), and the saved keys with the
// check with Zoho, Replace and Remove (keys/saved.ts). In demo mode the
// simulated console's keys are offered to use; being made up, they are kept
// in the demo's own folder, and the window says so.

import { checkKeysNow, KEY_CHECK_ID } from "./keycheck";
import { demoCard, emptyDraft, keysForm, type KeyFormActions } from "./keys/form";
import { savedKeys } from "./keys/saved";
import { api } from "../api";
import { h } from "../dom";
import { STEP_TITLE, type Host, type StepScreen } from "../host";
import type { DemoKeys } from "../bindings/DemoKeys";
import type { Status } from "../bindings/Status";

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

  /** Asks the core what to fix in what is typed, a moment after the typing stops, and redraws. */
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
          // A refused save's banner goes once what it named is fixed.
          if (saveRefused && !d.issues.some((i) => i.severity === "error")) {
            saveRefused = false;
            host.setError(null);
          }
          host.render();
        })
        .catch(() => undefined);
    }, 250);
  }

  /** Saves the keys (checked by the core first) and says what happened. */
  function save(clientId: string, clientSecret: string): void {
    const d = draft;
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
              ? `Saved. ${warnings}`
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

  const actions: KeyFormActions = {
    typed: scheduleCheck,
    save,
    cancel: () => {
      draft.editing = false;
      draft.clientSecret = "";
      draft.issues = [];
      host.render();
    },
  };

  function view(s: Status): HTMLElement {
    const d = draft;
    if (s.client_id !== null && s.secret_stored && !d.editing) {
      return savedKeys(host, s, () => {
        d.editing = true;
        d.clientId = s.client_id ?? "";
        d.clientSecret = "";
        d.issues = [];
        host.render();
      });
    }
    return h("div", {}, demoCard(demoKeys, s, actions), keysForm(host, s, d, actions));
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
