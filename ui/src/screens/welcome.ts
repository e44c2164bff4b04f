// The welcome screen: the real setup or the demo, and the way back to the
// checklist for someone who has been there before.

import { h } from "../dom";
import type { Profile } from "../bindings/Profile";
import type { Status } from "../bindings/Status";

export interface WelcomeHost {
  /** Whether the checklist was shown before (then the way back is offered). */
  welcomed: () => boolean;
  /** Starts the real setup or the demo. */
  choose: (profile: Profile) => void;
  /** Back to the checklist. */
  back: () => void;
  /** The error banner, if there is an error to show. */
  errorBanner: () => HTMLElement | null;
}

export interface WelcomeScreen {
  view: (s: Status) => HTMLElement;
  /** The element (by id) that takes focus whenever the screen is drawn. */
  focus: string;
}

export function welcome(host: WelcomeHost): WelcomeScreen {
  return {
    focus: "welcome-title",
    view: (s) =>
      h(
        "main",
        { id: "main", class: "welcome", "data-test": "welcome" },
        h("h1", { id: "welcome-title", tabindex: "-1" }, "Welcome to Zoho Books Setup"),
        h(
          "p",
          { class: "lead" },
          "This app walks you through registering your integration with Zoho, adding its keys, and testing it by connecting a Zoho Books organization and pulling a little sample data.",
        ),
        host.errorBanner(),
        h(
          "div",
          { class: "paths" },
          h(
            "button",
            { type: "button", class: "path primary", "data-test": "choose-real", onclick: () => { host.choose("real"); } },
            h("strong", {}, "Set up Zoho Books"),
            h("span", {}, "Use your own Zoho account. About ten minutes."),
          ),
          h(
            "button",
            { type: "button", class: "path", "data-test": "choose-demo", onclick: () => { host.choose("demo"); } },
            h("strong", {}, "Try the demo"),
            h("span", {}, "No Zoho account needed: everything runs against a simulated Zoho Books on this computer."),
          ),
        ),
        host.welcomed()
          ? h(
              "button",
              {
                type: "button",
                class: "secondary",
                onclick: host.back,
              },
              s.profile === "demo" ? "Back to the demo" : "Back to my setup",
            )
          : null,
      ),
  };
}
