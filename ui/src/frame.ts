// The checklist around the open step: the top bar (progress, Help, the
// welcome screen), the list of steps, the banners, and the step's card with
// its title, "why", the step screen's body, and Back / Next. The help panel
// is loaded when first opened, so the first screen comes up sooner.

import { api } from "./api";
import { h } from "./dom";
import { STEP_TITLE, type Host, type StepScreen } from "./host";
import { STEP_TEXT } from "./steps";
import { storiesArea, storiesButton } from "./stories";
import type { ChecklistItem } from "./bindings/ChecklistItem";
import type { Status } from "./bindings/Status";
import type { StepId } from "./bindings/StepId";

type HelpModule = typeof import("./help");
let helpModule: HelpModule | null = null;

/** What the frame asks of the window, beyond what a screen may. */
export interface FrameHost extends Host {
  /** The open step's id. */
  step: () => StepId;
  /** Opens a step (clearing the banners) and remembers it in the core. */
  goTo: (step: StepId) => void;
  /** Shows the welcome screen. */
  showWelcome: () => void;
  /** Starts again from the core's state (after the recovery notice is read). */
  refresh: () => Promise<void>;
  /** Asks the core for the status and the connections again (a demo story changed them). */
  reload: () => Promise<void>;
  /** The info banner's message, if any. */
  info: () => string | null;
  /** The error banner, if there is an error to show. */
  errorBanner: () => HTMLElement | null;
  /** The control whose action the messages answer (a selector), if it was in the step. */
  anchor: () => string | null;
}

/**
 * Where a message goes: under the line of the control that caused it, so
 * nothing above it, the control included, moves; never inside a list.
 * Null when that control is gone (the messages then go to the top).
 */
function besideControl(card: HTMLElement, anchor: string | null): Element | null {
  const control = anchor ? card.querySelector(anchor) : null;
  let line = control?.closest(".row, .part-line, .field, .choice, p, form, section") ?? null;
  while (line?.parentElement && ["UL", "OL", "DL", "LABEL", "FIELDSET"].includes(line.parentElement.tagName)) line = line.parentElement;
  return line && card.contains(line) && line !== card ? line : null;
}


export function checklistFrame(host: FrameHost, steps: Readonly<Record<StepId, StepScreen>>): { view: (s: Status) => Node[] } {
  let showHelp = false;

  function loadHelp(): void {
    if (!helpModule) {
      void import("./help").then((m) => {
        helpModule = m;
        host.render();
      });
    }
  }

  /** Opens a step at its top, with focus on its title (never scrolled to where the last one was left). */
  function goTo(step: StepId): void {
    host.goTo(step);
    // The window's top, or on a narrow window (the step list above the step) the step's top.
    const card = document.querySelector("[data-step-card]");
    const top = card ? card.getBoundingClientRect().top + window.scrollY : 0;
    window.scrollTo({ top: top + 160 > window.innerHeight ? top - 8 : 0, left: 0 });
    document.getElementById(STEP_TITLE)?.focus({ preventScroll: true });
  }

  /** Arrow keys move between the steps of the list (one Tab stop), Enter or Space opens one. */
  function stepListKeys(e: KeyboardEvent): void {
    const links = [...document.querySelectorAll<HTMLButtonElement>("nav.steps button.step-link")];
    const at = links.findIndex((b) => b === document.activeElement);
    if (at < 0) return;
    const to =
      e.key === "ArrowDown" ? Math.min(at + 1, links.length - 1)
      : e.key === "ArrowUp" ? Math.max(at - 1, 0)
      : e.key === "Home" ? 0
      : e.key === "End" ? links.length - 1
      : null;
    if (to === null) return;
    e.preventDefault();
    links.forEach((b, i) => {
      b.setAttribute("tabindex", i === to ? "0" : "-1");
    });
    links[to]?.focus();
  }

  function view(s: Status): Node[] {
    const done = s.checklist.filter((i) => i.done).length;
    const total = s.checklist.length;
    const header = h(
      "header",
      { class: "topbar" },
      h("h1", {}, "Zoho Books Setup"),
      s.profile === "demo"
        ? h("span", { class: "badge demo", "data-test": "demo-badge" }, "Demo mode: simulated Zoho Books, no real data")
        : null,
      storiesButton(host, s),
      h(
        "div",
        { class: "progress", "data-test": "progress" },
        h("progress", { max: total, value: done, "aria-label": "Setup progress" }),
        h("span", {}, `${done} of ${total} steps done`),
      ),
      h(
        "button",
        {
          type: "button",
          class: "secondary small",
          "data-test": "help-button",
          "aria-expanded": showHelp ? "true" : "false",
          onclick: () => {
            showHelp = !showHelp;
            if (showHelp) loadHelp();
            host.render();
            if (showHelp && helpModule) host.focus(helpModule.HELP_TITLE);
          },
        },
        "Help",
      ),
      h(
        "button",
        {
          type: "button",
          class: "secondary small",
          "data-test": "welcome-button",
          onclick: host.showWelcome,
        },
        s.profile === "demo" ? "Leave demo…" : "Welcome screen",
      ),
    );
    const nav = h(
      "nav",
      { class: "steps", "aria-label": "Setup steps" },
      h(
        "ol",
        { onkeydown: (e: Event) => { stepListKeys(e as KeyboardEvent); } },
        s.checklist.map((item, index) => {
          const text = STEP_TEXT[item.id];
          return h(
            "li",
            {},
            h(
              "button",
              {
                type: "button",
                class: `step-link${item.id === host.step() ? " current" : ""}${item.done ? " done" : ""}`,
                "aria-current": item.id === host.step() ? "step" : null,
                // One Tab stop for the whole list: the open step's (arrow keys reach the others).
                tabindex: item.id === host.step() ? "0" : "-1",
                "data-step": item.id,
                onclick: () => {
                  goTo(item.id);
                },
              },
              h("span", { class: "marker", "aria-hidden": "true" }, item.done ? "✓" : String(index + 1)),
              h("span", {}, text.title),
              h("span", { class: "visually-hidden" }, item.done ? " (done)" : " (to do)"),
            ),
          );
        }),
      ),
    );
    const card = stepCard(s);
    const said = messages();
    const line = said ? besideControl(card, host.anchor()) : null;
    if (said && line) line.after(said);
    const main = h(
      "main",
      { id: "main", class: "card" },
      showHelp && helpModule
        ? helpModule.helpPanel(
            () => {
              showHelp = false;
              host.render();
            },
            () => {
              host.render();
            },
          )
        : null,
      banners(s),
      line ? null : said,
      storiesArea(host, s),
      card,
    );
    const skip = h(
      "button",
      {
        type: "button",
        class: "skip-link",
        "data-test": "skip-to-step",
        onclick: () => document.getElementById(STEP_TITLE)?.focus(),
      },
      "Skip to the step",
    );
    return [skip, header, h("div", { class: "layout" }, nav, main)];
  }

  /** What stays said while it holds: no keyring, a recovered settings file. */
  function banners(s: Status): HTMLElement {
    return h(
      "div",
      { class: "banners" },
      s.keyring_problem
        ? h("div", { class: "banner error", role: "alert", "data-test": "keyring-problem" }, s.keyring_problem)
        : null,
      s.recovery_notice
        ? h(
            "div",
            { class: "banner warning", role: "alert" },
            h("p", {}, s.recovery_notice),
            h(
              "button",
              {
                type: "button",
                class: "secondary",
                onclick: () => void host.run(api.dismissRecoveryNotice, () => void host.refresh()),
              },
              "OK",
            ),
          )
        : null,
    );
  }

  /** What the last action said: its error, or what it did. */
  function messages(): HTMLElement | null {
    const info = host.info();
    const error = host.errorBanner();
    if (!error && !info) return null;
    return h(
      "div",
      { class: "banners messages", "data-test": "messages" },
      error,
      info ? h("div", { class: "banner info", role: "status", "data-test": "info" }, info) : null,
    );
  }

  function stepCard(s: Status): HTMLElement {
    const index = s.checklist.findIndex((i) => i.id === host.step());
    const item = s.checklist[index] ?? s.checklist[0];
    if (!item) return h("section", {});
    const text = STEP_TEXT[item.id];
    const body = stepBody(s, item);
    const prev = s.checklist[index - 1];
    const next = s.checklist[index + 1];
    return h(
      "section",
      { class: "step", "data-step-card": item.id, "aria-labelledby": STEP_TITLE },
      h("p", { class: "step-count" }, `Step ${index + 1} of ${s.checklist.length}`),
      h("h2", { id: STEP_TITLE, tabindex: "-1" }, text.title, item.done ? h("span", { class: "done-tag" }, "Done") : null),
      h("p", { class: "why" }, text.why),
      body,
      h(
        "div",
        { class: "nav-buttons" },
        prev
          ? h("button", { type: "button", class: "secondary", onclick: () => { goTo(prev.id); } }, "Back")
          : h("span", {}),
        next
          ? h("button", { type: "button", class: "primary", "data-test": "next", onclick: () => { goTo(next.id); } }, "Next")
          : null,
      ),
    );
  }

  function stepBody(s: Status, item: ChecklistItem): HTMLElement {
    return steps[item.id].view(s, item);
  }

  return { view };
}
