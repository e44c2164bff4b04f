// The question the window asks when the person closes it while a sample pull
// runs (the shell holds the close and sends `close-question`, see
// src-tauri/src/pull.rs): keep pulling, or stop the pull and close. It is a
// modal dialog of its own, outside the redrawn page, so the progress the
// pull keeps drawing never takes it away or moves its focus.

import { api, asAppError } from "./api";
import { h } from "./dom";

let dialog: HTMLDialogElement | null = null;

function close(): void {
  dialog?.close();
  dialog?.remove();
  dialog = null;
}

/** Shows the question (once, however often the window is closed meanwhile). */
export function askBeforeClosing(): void {
  if (dialog) {
    dialog.querySelector<HTMLElement>("[data-test=keep-pulling]")?.focus();
    return;
  }
  const problem = h("p", { class: "banner error", role: "alert", "data-test": "close-error", hidden: true });
  const keep = h(
    "button",
    { type: "button", class: "primary", "data-test": "keep-pulling", onclick: close },
    "Keep pulling",
  );
  const stop = h(
    "button",
    {
      type: "button",
      class: "secondary",
      "data-test": "stop-and-close",
      onclick: () => {
        stop.disabled = true;
        keep.disabled = true;
        stop.textContent = "Stopping the pull…";
        problem.hidden = true;
        api.stopPullsAndClose().catch((e: unknown) => {
          stop.disabled = false;
          keep.disabled = false;
          stop.textContent = "Stop and close";
          problem.textContent = `The window could not close: ${asAppError(e).message}`;
          problem.hidden = false;
        });
      },
    },
    "Stop and close",
  );
  dialog = h(
    "dialog",
    { class: "close-question", "data-test": "close-question", "aria-labelledby": "close-question-title" },
    h("h2", { id: "close-question-title" }, "A sample pull is still running"),
    h("p", { "data-test": "close-question-text" }, "If you close now it stops; you can resume it next time you open the app. What it pulled so far is saved."),
    problem,
    h("div", { class: "row" }, keep, stop),
  );
  // Escape answers as "Keep pulling" does.
  dialog.addEventListener("cancel", (e) => {
    e.preventDefault();
    if (!keep.disabled) close();
  });
  document.body.append(dialog);
  dialog.showModal();
  keep.focus();
}

/** The pull ended while the question was asked: it says so, and closing now stops nothing. */
export function pullEndedWhileAsking(): void {
  if (!dialog) return;
  const title = dialog.querySelector("#close-question-title");
  const words = dialog.querySelector("[data-test=close-question-text]");
  const keep = dialog.querySelector("[data-test=keep-pulling]");
  const stop = dialog.querySelector<HTMLButtonElement>("[data-test=stop-and-close]");
  if (title) title.textContent = "The sample pull has ended";
  if (words) words.textContent = "Its results are saved. You can close the window now, or stay to look at them.";
  if (keep) keep.textContent = "Stay";
  if (stop && !stop.disabled) stop.textContent = "Close";
}
