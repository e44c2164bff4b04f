// Every redraw replaces the page, so keyboard focus is handed back to "the
// same" control afterwards. A control is recognised by its id, else by its
// first data- attribute with a value: a screen makes a control keep focus
// across redraws by giving it one of those, and this module knows none of
// them by name.

/** A selector that finds the focused control again after a redraw, if it has one. */
export function focusKey(el: Element | null): string | null {
  if (!(el instanceof HTMLElement) || el === document.body) return null;
  if (el.id) return `[id="${CSS.escape(el.id)}"]`;
  for (const attr of el.getAttributeNames()) {
    if (!attr.startsWith("data-")) continue;
    const v = el.getAttribute(attr);
    if (v) return `[${attr}="${CSS.escape(v)}"]`;
  }
  return null;
}

/** Where the caret is in a text field, to put it back after a redraw (null: not a text field). */
function caretOf(el: Element | null): [number, number, "forward" | "backward" | "none"] | null {
  if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) return null;
  const { selectionStart, selectionEnd, selectionDirection } = el;
  return selectionStart === null || selectionEnd === null ? null : [selectionStart, selectionEnd, selectionDirection ?? "none"];
}

/**
 * Redraws `root` with `draw`, then gives focus back to the control that had
 * it, with the caret where it was in a text field (a redraw while typing).
 * When that control is gone (a form replaced by its answer), focus goes to
 * the element with the id `fallback` (the open step's title), without
 * scrolling: never to the page's start, where the next Tab would reach the
 * top bar.
 */
export function redrawKeepingFocus(root: HTMLElement, draw: () => void, fallback?: string): void {
  const had = document.activeElement;
  const key = focusKey(had);
  const inRoot = had instanceof HTMLElement && had !== document.body && root.contains(had);
  const caret = caretOf(had);
  draw();
  const again = key ? root.querySelector(key) : null;
  if (again instanceof HTMLElement) again.focus({ preventScroll: true });
  if (caret && (again instanceof HTMLInputElement || again instanceof HTMLTextAreaElement)) {
    try {
      again.setSelectionRange(...caret);
    } catch {
      // A field of a kind without a caret (a number field in some engines).
    }
  }
  // Focus elsewhere (a dialog over the page) is left where it is.
  if (!inRoot || (again !== null && document.activeElement === again)) return;
  if (fallback) document.getElementById(fallback)?.focus({ preventScroll: true });
}
