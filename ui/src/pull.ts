// Sample pulls in the window: settings with a live forecast, progress while
// it runs, then results (counts, requests per minute against the limit, the
// daily quota), a virtualised preview table per entity with a record view,
// export, and the history of pulls. State is the core's; the modules under
// pull/ draw it: state.ts (the state and the calls to the core), form.ts,
// progress.ts, results.ts and preview.ts (one panel each).

import { h } from "./dom";
import { settings } from "./pull/form";
import { progressPanel } from "./pull/progress";
import { results } from "./pull/results";
import { ui } from "./pull/state";

export { chosenEntities, closePull, connectionChanged, connectionsChanged, openPull, pulledRecords, pullOpenFor } from "./pull/state";

/** The pull area of a connection. */
export function pullArea(): HTMLElement | null {
  if (!ui.connection) return null;
  return h("div", { class: "pull", "data-test": "pull-area" }, ui.running ? progressPanel() : settings(), results());
}
