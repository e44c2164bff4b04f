// Saving through the system's save dialog (exports and the test report):
// what the window says while the dialog is open, after a cancel, a failure
// or a save, beside the button clicked; and "Open the folder".

import { api, asAppError } from "./api";
import { h } from "./dom";

/** Where one save stands. */
export type Saving<T> =
  | { state: "idle" }
  | { state: "asking" }
  | { state: "cancelled" }
  | { state: "failed"; message: string }
  | { state: "saved"; value: T };

/** Runs a save that opens the system's dialog, reporting each stage to
 * `show`; the outcome is brought into view (the note `data-test=test`). */
export async function saveWithDialog<T>(
  save: () => Promise<T | null>,
  show: (s: Saving<T>) => void,
  test: string,
): Promise<void> {
  show({ state: "asking" });
  let outcome: Saving<T>;
  try {
    const value = await save();
    outcome = value === null ? { state: "cancelled" } : { state: "saved", value };
  } catch (e) {
    outcome = { state: "failed", message: asAppError(e).message };
  }
  show(outcome);
  requestAnimationFrame(() => {
    document.querySelector(`[data-test="${test}"]`)?.scrollIntoView({ block: "nearest" });
  });
}

/** The words for each stage, and the view of a saved one. */
export interface SavingWords<T> {
  /** The `data-test` of the note. */
  test: string;
  asking: string;
  cancelled: string;
  saved: (value: T) => HTMLElement;
}

/** The note beside the save button: nothing before the first click. */
export function savingNote<T>(s: Saving<T>, words: SavingWords<T>): HTMLElement | null {
  switch (s.state) {
    case "idle":
      return null;
    case "asking":
      return h("p", { class: "hint", role: "status", "data-test": words.test, "data-state": "asking" }, words.asking);
    case "cancelled":
      return h("p", { class: "hint", role: "status", "data-test": words.test, "data-state": "cancelled" }, words.cancelled);
    case "failed":
      return h("div", { class: "banner error", role: "alert", "data-test": words.test, "data-state": "failed" }, h("p", {}, s.message));
    case "saved":
      return h("div", { class: "banner info", role: "status", "data-test": words.test, "data-state": "saved" }, words.saved(s.value));
  }
}

/** "Open the folder": the folder in the file manager, with what happened beside it. */
export function openFolderButton(folder: string, test: string): HTMLElement {
  const feedback = h("span", { class: "copy-feedback", role: "status", "aria-live": "polite", "data-test": `${test}-feedback` });
  const button = h(
    "button",
    {
      type: "button",
      class: "secondary",
      "data-test": test,
      onclick: () => {
        feedback.textContent = "";
        api
          .openSavedFolder(folder)
          .then(() => {
            feedback.textContent = "Opened in your file manager.";
          })
          .catch((e: unknown) => {
            feedback.textContent = asAppError(e).message;
          });
      },
    },
    "Open the folder",
  );
  return h("div", { class: "row" }, button, feedback);
}
