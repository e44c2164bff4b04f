// Words kept short: one sentence said, the detail behind "More" for whoever
// wants it. Whether each "More" is open is kept across redraws.

import { h } from "./dom";

const opened = new Set<string>();

/** A hint of one sentence, with `detail` behind "More"; `key` names it across redraws. */
export function hintWithMore(key: string, sentence: string, detail: string, attrs: Record<string, string> = {}): HTMLElement {
  return h(
    "div",
    { class: "hint said", ...attrs },
    h("span", {}, sentence, " "),
    h(
      "details",
      {
        class: "more",
        open: opened.has(key),
        ontoggle: (e: Event) => {
          if ((e.target as HTMLDetailsElement).open) opened.add(key);
          else opened.delete(key);
        },
      },
      h("summary", { "data-more": key }, "More"),
      h("p", {}, detail),
    ),
  );
}
