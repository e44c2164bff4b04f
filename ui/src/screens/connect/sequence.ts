// The test step's sequence at a glance: connect an organization, test it,
// pull a sample, hand on. Each finished part is one line with its result,
// the next one says what to do, and the last one, once the step is done,
// leads to what to paste into the platform.

import { h } from "../../dom";
import type { Status } from "../../bindings/Status";
import { HANDOFF_TITLE } from "../platform";
import type { ConnectContext } from "./shared";

interface Part {
  id: "connect" | "test" | "pull" | "handoff";
  title: string;
  /** The result, one line, once done; null while not. */
  result: string | null;
  /** What to do, said while it is the next part. */
  todo: string;
}

export function sequence(ctx: ConnectContext, s: Status): HTMLElement {
  const { state } = ctx;
  const connected = state.connections.find((c) => c.state !== "needs_reconnect") ?? null;
  const passed = Object.values(state.tests)
    .map((t) => t.result)
    .find((r) => r?.ok === true);
  const tested = s.checklist.some((i) => i.id === "test" && i.done);
  const pulled = ctx.pull()?.pulledRecords() ?? null;
  const where = s.platform.callback ? s.platform.name : "your integration platform";
  const parts: Part[] = [
    {
      id: "connect",
      title: "Connect an organization",
      result: connected ? `${connected.label ?? connected.organization_name}, ${connected.region.toUpperCase()} data center` : null,
      todo: "Sign in to Zoho in your browser and choose a test organization.",
    },
    {
      id: "test",
      title: "Test it",
      result: passed ? `Passed at ${new Date(passed.checked_at).toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" })}` : null,
      todo: "Click Test on the connection: Zoho is asked for one record of each type.",
    },
    {
      id: "pull",
      title: "Pull a sample",
      result: pulled !== null && pulled > 0 ? `${pulled.toLocaleString()} records pulled` : null,
      todo: "Start the pull below: a few records of each type, within Zoho's limits.",
    },
    {
      id: "handoff",
      title: `Hand on to ${where}`,
      result: tested ? `Ready for ${where}` : null,
      todo: `Once tested, the keys are ready for ${where}.`,
    },
  ];
  const next = parts.find((p) => p.result === null)?.id ?? null;
  return h(
    "ol",
    { class: "sequence", "data-test": "sequence", "aria-label": "Testing, part by part" },
    parts.map((p, i) => {
      const done = p.result !== null;
      return h(
        "li",
        { "data-substep": p.id, "data-state": done ? "done" : p.id === next ? "current" : "todo", "aria-current": p.id === next ? "step" : null },
        h("span", { class: "marker", "aria-hidden": "true" }, done ? "✓" : String(i + 1)),
        h(
          "span",
          { class: "sequence-text" },
          h("strong", {}, p.title),
          h("span", { class: "visually-hidden" }, done ? " (done)" : " (to do)"),
          h("span", { class: "block hint" }, done ? p.result : p.id === next ? p.todo : ""),
          p.id === "handoff" && done
            ? h(
                "button",
                {
                  type: "button",
                  class: "secondary small",
                  "data-test": "sequence-handoff",
                  onclick: () => {
                    const title = document.getElementById(HANDOFF_TITLE);
                    title?.closest("section")?.scrollIntoView({ block: "start" });
                    title?.focus({ preventScroll: true });
                  },
                },
                "Show what to paste",
              )
            : null,
        ),
      );
    }),
  );
}
