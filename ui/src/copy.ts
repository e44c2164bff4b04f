// Copy buttons: the clipboard API where the webview allows it, else the
// selection-based fallback, else the text is selected for Ctrl+C.

import { h } from "./dom";

async function writeClipboard(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h("textarea", { "aria-hidden": "true", class: "offscreen" });
    area.value = text;
    document.body.append(area);
    area.select();
    let ok = false;
    try {
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}

/** A value shown in full with a copy button beside it. */
/** A button that copies `text` without showing it, with feedback beside it. */
export function copyButton(text: string, label: string): HTMLElement {
  const feedback = h("span", { class: "copy-feedback", role: "status", "aria-live": "polite" });
  const button = h(
    "button",
    {
      type: "button",
      class: "secondary copy",
      onclick: () => {
        void writeClipboard(text).then((ok) => {
          feedback.textContent = ok ? "Copied" : "Could not copy: open “Details for support” below and copy the link from there";
          window.setTimeout(() => {
            feedback.textContent = "";
          }, 4000);
        });
      },
    },
    label,
  );
  return h("div", { class: "copy-row" }, button, feedback);
}

export function copyable(text: string, label: string): HTMLElement {
  const code = h("code", { class: "copy-value", tabindex: "0" }, text);
  const feedback = h("span", { class: "copy-feedback", role: "status", "aria-live": "polite" });
  const button = h(
    "button",
    {
      type: "button",
      class: "secondary copy",
      "aria-label": `Copy ${label}`,
      onclick: () => {
        void writeClipboard(text).then((ok) => {
          if (ok) {
            feedback.textContent = "Copied";
          } else {
            const range = document.createRange();
            range.selectNodeContents(code);
            const sel = window.getSelection();
            sel?.removeAllRanges();
            sel?.addRange(range);
            feedback.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy";
          }
          window.setTimeout(() => {
            feedback.textContent = "";
          }, 4000);
        });
      },
    },
    "Copy",
  );
  return h("div", { class: "copy-row" }, code, button, feedback);
}
