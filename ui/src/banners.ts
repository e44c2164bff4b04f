// The error banner: a failed command's message, shown as text, with Dismiss.

import { h } from "./dom";
import type { ErrorNotice } from "./host";

export function errorBanner(error: ErrorNotice | null, dismiss: () => void): HTMLElement | null {
  if (!error) return null;
  return h(
    "div",
    { class: "banner error", role: "alert", "data-test": "error" },
    h("p", {}, error.message),
    h(
      "button",
      {
        type: "button",
        class: "secondary",
        "aria-label": "Dismiss this message",
        onclick: dismiss,
      },
      "Dismiss",
    ),
  );
}
