// The test step as a sequence: connect an organization, test it, pull a
// sample, hand on. Each part is one line: its number (a tick once done), its
// title, its result or what to do, and its one button; what it holds opens
// under that line while it is to be done and folds away once it is done
// (the pull's results stay until hidden). Once the step is done, a line at
// the top says so and leads to the last part: what to paste into the
// platform, what was checked, and the report.

import { h, type Child } from "../../dom";
import { entityName } from "../../entities";
import type { Status } from "../../bindings/Status";
import { HANDOFF_TITLE, handoffCard } from "../platform";
import { connectionsList, test, testResult, timeOf } from "./connections";
import { subject, type ConnectContext } from "./shared";
import { connectAnother, connectPanel } from "./sign-in";

type PartId = "connect" | "test" | "pull" | "handoff";

interface Part {
  id: PartId;
  title: string;
  /** The result, one line, once done; null while not. */
  result: string | null;
  /** What to do, said while it is the next part. */
  todo: string;
  /** Shown on the line under the result or what to do (the connections, the test's answer). */
  shown?: Child;
  /** Whether `shown` says the result itself (its text is then not said twice). */
  resultShown?: boolean;
  /** The part's one button, on its line. */
  action: Child;
  /** What opens under the line. */
  body: Child[];
}

function button(attrs: Record<string, string | boolean | null>, label: string, onclick: () => void): HTMLElement {
  return h("button", { type: "button", ...attrs, onclick }, label);
}

/** "invoices, credit notes and contacts". */
function listed(names: string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1] ?? ""}` : (names[0] ?? "");
}

export function sequence(ctx: ConnectContext, s: Status): HTMLElement[] {
  const { host, state } = ctx;
  const c = subject(ctx);
  const usable = c !== null && c.state !== "needs_reconnect";
  const pull = ctx.pull();
  const pullOpen = c !== null && pull?.pullOpenFor() === c.id;
  const t = c ? state.tests[c.id] : undefined;
  const passed = t?.result?.ok === true ? t.result : null;
  const records = pullOpen ? pull.pulledRecords() : null;
  if (c && records !== null && records > 0) state.pulled[c.id] = records;
  const pulled = c ? (state.pulled[c.id] ?? null) : null;
  const tested = s.checklist.some((i) => i.id === "test" && i.done);
  const where = s.platform.callback ? s.platform.name : "your integration platform";
  const signingIn = state.flow.kind !== "idle" || state.another;
  const parts: Part[] = [
    {
      id: "connect",
      title: "Connect an organization",
      result: usable ? `${c.label ?? c.organization_name}, ${c.region.toUpperCase()} data center` : null,
      todo: "Sign in to Zoho in your browser and choose a test organization.",
      action:
        usable && !signingIn
          ? button({ class: "secondary small", "data-test": "connect", disabled: host.busy() }, "Connect another", () => { connectAnother(ctx, s); })
          : null,
      shown: connectionsList(ctx),
      resultShown: true,
      body: [!usable || signingIn ? connectPanel(ctx, s) : null],
    },
    {
      id: "test",
      title: "Test it",
      result: passed ? `Passed at ${timeOf(passed.checked_at)}` : null,
      todo: "Zoho is asked for one record of each type.",
      action: c
        ? button(
            {
              class: passed ? "secondary small" : "primary",
              "data-test": "test-connection",
              // Not disabled while it runs: the button keeps the keyboard's focus.
              "aria-disabled": t?.running === true ? "true" : null,
            },
            passed ? "Test again" : "Test",
            () => { test(ctx, c); },
          )
        : null,
      shown: passed && c ? testResult(state, c.id) : null,
      body: [c && !passed ? testResult(state, c.id) : null],
    },
    {
      id: "pull",
      title: "Pull a sample",
      result: pulled !== null ? `${pulled.toLocaleString()} records pulled` : null,
      todo: "A few records of each type, within Zoho's limits.",
      action: c
        ? button(
            { class: pullOpen || pulled !== null ? "secondary small" : "primary", "data-test": "open-pull", disabled: !usable },
            pullOpen ? "Hide sample data" : pulled !== null ? "Show sample data" : "Pull sample data",
            () => {
              if (!pull) return;
              if (pullOpen) pull.closePull();
              else pull.openPull(c, host);
              host.render();
            },
          )
        : null,
      body: [pullOpen ? pull.pullArea() : null],
    },
    {
      id: "handoff",
      title: `Hand on to ${where}`,
      result: tested ? "What to paste, what was checked, and the report" : null,
      todo: `Once tested, the keys are ready for ${where}.`,
      action: null,
      body: [tested ? handoffCard(host, s, checkedSentence(ctx)) : null],
    },
  ];
  const next = parts.find((p) => p.result === null)?.id ?? null;
  const list = h(
    "ol",
    { class: "sequence", "data-test": "sequence", "aria-label": "Testing, part by part" },
    parts.map((p, i) => {
      const done = p.result !== null;
      const body = p.body.filter((b) => b !== null && b !== undefined && b !== false);
      return h(
        "li",
        { "data-substep": p.id, "data-state": done ? "done" : p.id === next ? "current" : "todo", "aria-current": p.id === next ? "step" : null },
        h(
          "div",
          { class: "part-line" },
          h("span", { class: "marker", "aria-hidden": "true" }, done ? "✓" : String(i + 1)),
          h(
            "div",
            { class: "sequence-text" },
            h("h3", {}, p.title),
            h("span", { class: "visually-hidden" }, done ? " (done)" : " (to do)"),
            done && p.resultShown ? null : h("span", { class: "block hint" }, done ? p.result : p.id === next ? p.todo : ""),
            p.shown,
          ),
          p.action,
        ),
        body.length > 0 ? h("div", { class: "part-body" }, ...body) : null,
      );
    }),
  );
  return [tested ? allSet(where) : null, list].filter((e): e is HTMLElement => e !== null);
}

/** The line at the top once the step is done. */
function allSet(where: string): HTMLElement {
  return h(
    "div",
    { class: "all-set", "data-test": "all-set", role: "status" },
    h("span", { class: "marker", "aria-hidden": "true" }, "✓"),
    h("span", {}, h("strong", {}, "You're all set. "), `The keys work; they are ready for ${where}.`),
    button({ class: "primary small", "data-test": "sequence-handoff" }, "Show what to paste", () => {
      const title = document.getElementById(HANDOFF_TITLE);
      title?.closest("section")?.scrollIntoView({ block: "start" });
      title?.focus({ preventScroll: true });
    }),
  );
}

/** What the test checked, in one sentence, for the last part. */
function checkedSentence(ctx: ConnectContext): string {
  const c = subject(ctx);
  const t = c ? ctx.state.tests[c.id]?.result : null;
  const read = t?.ok ? listed(t.modules.map((m) => entityName(m.entity).toLowerCase())) : null;
  const pulled = c ? ctx.state.pulled[c.id] : undefined;
  const who = c ? `${c.label ?? c.organization_name} signed in` : "An organization signed in";
  return [
    `Checked: Zoho accepted the keys; ${who}`,
    read ? `, and ${read} could be read` : "",
    pulled ? `; ${pulled.toLocaleString()} records were pulled` : "",
    ".",
  ].join("");
}
