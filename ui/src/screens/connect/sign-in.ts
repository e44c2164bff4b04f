// The test step's sign-in: "Connect a test organization", the wait while
// the person signs in to Zoho in the browser (with the link to copy and what
// to do about "Invalid Redirect Uri"), and the organizations to choose from.

import { api } from "../../api";
import { copyable, copyButton } from "../../copy";
import { h } from "../../dom";
import { DEFAULT_ENTITIES } from "../../entities";
import type { Connection } from "../../bindings/Connection";
import type { DataCenterInfo } from "../../bindings/DataCenterInfo";
import type { Status } from "../../bindings/Status";
import { reveal, type ConnectContext } from "./shared";

/** The sign-in panel's title, which takes focus when the sign-in starts. */
const WAITING_TITLE = "waiting-title";

export function connectPanel(ctx: ConnectContext, s: Status): HTMLElement {
  const { host, state } = ctx;
  const flow = state.flow;
  if (flow.kind === "waiting") {
    const st = flow.started;
    // A warning is read before Zoho's page opens, not after.
    const held = st.held_for_warning;
    return h(
      "section",
      { class: "panel", "data-test": "waiting", "data-authorize-url": st.authorize_url, "aria-live": "polite" },
      h("h3", { id: WAITING_TITLE, tabindex: "-1" }, held ? "Read this before you sign in" : "Waiting for you to sign in to Zoho"),
      st.warning ? h("div", { class: "banner warning", role: "alert" }, st.warning) : null,
      h("p", { "data-test": "asking" }, st.asking),
      held
        ? h(
            "div",
            { class: "row" },
            h(
              "button",
              {
                type: "button",
                class: "primary",
                "data-test": "continue-sign-in",
                onclick: () =>
                  void host.run(api.openHeldSignIn, (opened) => {
                    state.flow = { kind: "waiting", started: { ...st, held_for_warning: false, browser_opened: opened } };
                  }),
              },
              "Continue to Zoho's sign-in",
            ),
          )
        : h(
            "p",
            {},
            st.browser_opened
              ? "Zoho's sign-in page opened in your browser. Sign in, check the permissions, and click Accept. Then come back here."
              : "Your browser did not open by itself. Copy this link into your browser, sign in, and click Accept.",
          ),
      h("p", { class: "hint" }, "Another browser? Paste the sign-in link into its address bar."),
      copyButton(st.authorize_url, "Copy the sign-in link"),
      h(
        "details",
        { class: "advanced" },
        h("summary", {}, "Details for support"),
        h("p", { class: "hint" }, "The sign-in link in full:"),
        h("code", { class: "copy-value", "data-test": "authorize-url" }, st.authorize_url),
      ),
      h(
        "div",
        { class: "hint", "data-test": "redirect-hint" },
        h(
          "p",
          {},
          "Zoho said \u201cInvalid Redirect Uri\u201d? Add this exact address under \u201cAuthorized Redirect URIs\u201d in your API console, save, and connect again:",
        ),
        copyable(st.redirect_uri, "the redirect URI"),
      ),
      h(
        "div",
        { class: "row" },
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            "data-test": "cancel-connect",
            onclick: () => void host.run(api.cancelConnect, () => { state.flow = { kind: "idle" }; }),
          },
          "Cancel",
        ),
      ),
    );
  }
  if (flow.kind === "choosing") {
    const name = `org-choice`;
    return h(
      "form",
      {
        class: "panel",
        "data-test": "org-picker",
        onsubmit: (e: Event) => {
          e.preventDefault();
          let connected: Connection | null = null;
          void host.run(
            () => api.chooseOrganization(flow.selected),
            (c) => {
              state.flow = { kind: "idle" };
              host.setInfo(`Connected ${c.organization_name}.`);
              connected = c;
            },
          ).then(async () => {
            await ctx.loadConnections();
            await host.refreshStatus();
            const c = connected;
            if (!c) return;
            // What comes next: its sample pull, open under it, with focus on its button.
            const m = await import("../../pull");
            ctx.usePull(m);
            if (m.pullOpenFor() !== c.id) m.openPull(c, host);
            host.render();
            document.querySelector("[data-test=pull-settings]")?.scrollIntoView({ block: "start" });
            document.querySelector<HTMLElement>("[data-test=start-pull]")?.focus();
          });
        },
      },
      h("h3", {}, "Choose the organization to connect"),
      h(
        "fieldset",
        { class: "choices" },
        h("legend", { class: "visually-hidden" }, "Organizations"),
        flow.choices.map((c) =>
          h(
            "label",
            { class: "choice" },
            h("input", {
              type: "radio",
              name,
              value: c.organization_id,
              "data-org": c.organization_id,
              checked: flow.selected === c.organization_id,
              onchange: () => {
                flow.selected = c.organization_id;
              },
            }),
            h(
              "span",
              {},
              h("strong", {}, c.name),
              c.is_default ? h("span", { class: "badge ok" }, "Default") : null,
              h(
                "span",
                { class: "hint block" },
                [c.plan ? `Plan: ${c.plan}` : null, c.currency ? `Currency: ${c.currency}` : null, `Data center: ${c.region_name}`]
                  .filter(Boolean)
                  .join(" · "),
              ),
              c.region_chosen
                ? null
                : h(
                    "span",
                    { class: "hint block", "data-test": "region-not-chosen" },
                    `${c.region_name} is not among the data centers you chose in \u201cBefore you start\u201d. It connects because the API console has it switched on; choose it there too, so \u201cCheck my keys\u201d asks it.`,
                  ),
              c.times_connected > 0
                ? h("span", { class: "hint block" }, `Already connected ${c.times_connected} time${c.times_connected === 1 ? "" : "s"} with this Client ID.`)
                : null,
            ),
          ),
        ),
      ),
      h("div", { class: "row" }, h("button", { type: "submit", class: "primary", "data-test": "connect-org" }, "Connect this organization")),
    );
  }
  const { apart, onlyApart, region } = signInAt(ctx, s);
  return h(
    "section",
    { class: "panel", "data-test": "connect-start" },
    h(
      "p",
      {},
      "You sign in to Zoho in your browser and allow read-only access to one organization; nothing in Zoho Books is changed.",
    ),
    apart !== null && !onlyApart
      ? h(
          "label",
          { class: "choice" },
          h("input", {
            type: "checkbox",
            id: "connect-china",
            "data-test": "connect-china",
            checked: region === apart.region,
            onchange: (e: Event) => {
              state.region = (e.target as HTMLInputElement).checked ? apart.region : null;
            },
          }),
          h("span", {}, `The Zoho account is in ${apart.name} (it signs in at ${apart.own_accounts ?? ""})`),
        )
      : null,
    h(
      "div",
      { class: "row" },
      h(
        "button",
        {
          type: "button",
          class: "primary",
          "data-test": "connect",
          disabled: host.busy(),
          onclick: () => { startConnect(ctx, region, null); },
        },
        "Connect a test organization",
      ),
    ),
  );
}

/**
 * Where the sign-in starts. Zoho starts every sign-in at accounts.zoho.com
 * and sends the person on to their own data center; only a data center with
 * its own accounts (China's) signs in elsewhere, chosen with a checkbox when
 * it is not the only one.
 */
function signInAt(ctx: ConnectContext, s: Status): { apart: DataCenterInfo | null; onlyApart: boolean; region: string | null } {
  const apart = s.data_centers.find((dc) => dc.own_accounts !== null && s.regions.includes(dc.region)) ?? null;
  const onlyApart = apart !== null && s.regions.length === 1;
  const region = apart !== null && (onlyApart || ctx.state.region === apart.region) ? apart.region : null;
  return { apart, onlyApart, region };
}

/** "Connect another": the sign-in starts at once, unless where it starts is to be chosen first. */
export function connectAnother(ctx: ConnectContext, s: Status): void {
  const { apart, onlyApart, region } = signInAt(ctx, s);
  if (apart !== null && !onlyApart) {
    ctx.state.another = true;
    ctx.host.render();
    reveal("[data-test=connect-start]");
    return;
  }
  startConnect(ctx, region, null);
}

/** Starts a sign-in that asks Zoho for the record types of the sample pull only. */
export function startConnect(ctx: ConnectContext, region: string | null, reconnect: string | null): void {
  const { host, state } = ctx;
  const entities = ctx.pull()?.chosenEntities() ?? [...DEFAULT_ENTITIES];
  void host.run(
    () => api.startConnect(region, reconnect, entities),
    (started) => {
      state.flow = { kind: "waiting", started };
      state.another = false;
    },
  ).then(() => {
    if (state.flow.kind !== "waiting") return;
    reveal("[data-test=waiting]");
    document.getElementById(WAITING_TITLE)?.focus({ preventScroll: true });
  });
}
