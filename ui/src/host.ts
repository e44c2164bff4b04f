// The contract between the window (main.ts) and its screens: what a screen
// may ask of the window (redraws, running a command, the status, the info and
// error banners, focus), and what the window asks of a checklist step. A
// screen draws from the status and its own state, and changes the rest of the
// window only through its host.

import type { AppError } from "./api";
import type { Code } from "./bindings/Code";
import type { ChecklistItem } from "./bindings/ChecklistItem";
import type { Status } from "./bindings/Status";

/** The id of the open step's title: it takes focus when a step opens, and when the control that had focus is gone. */
export const STEP_TITLE = "step-title";

/** What the error banner shows: a command's error, or (code null) a failure the window found itself. */
export type ErrorNotice = Omit<AppError, "code"> & { code: Code | null };

export interface Host {
  /** Redraws the window; keyboard focus stays on the control that had it (see focus.ts). */
  render: () => void;
  /** Whether a command started with `run` is under way. */
  busy: () => boolean;
  /**
   * Runs a command: clears the error banner, calls `after` with the answer,
   * shows the error if it failed, and redraws. Resolves to the error banner's
   * notice afterwards (null when there is none).
   */
  run: <T>(fn: () => Promise<T>, after?: (value: T) => void) => Promise<ErrorNotice | null>;
  /** Takes the core's new status (drawn at the next redraw). */
  setStatus: (s: Status) => void;
  /** Asks the core for its status and redraws. */
  refreshStatus: () => Promise<void>;
  /** Sets the info banner, drawn at the next redraw (e.g. the one `run` does). */
  setInfo: (message: string) => void;
  /** Sets the error banner, drawn at the next redraw. */
  setError: (e: ErrorNotice | null) => void;
  /** Shows an info banner instead of the error banner, and redraws. */
  showInfo: (message: string) => void;
  /** Shows an error banner instead of the info banner, and redraws. */
  showError: (e: ErrorNotice) => void;
  /** Moves keyboard focus to the element with this id (call it after a redraw). */
  focus: (id: string) => void;
}

/** A checklist step's body, drawn under the step's title and "why" (see STEPS in main.ts). */
export interface StepScreen {
  view: (s: Status, item: ChecklistItem) => HTMLElement;
}
