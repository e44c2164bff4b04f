// Demo stories (demo mode only): the "Demo stories" button in the top bar
// opens a panel with one button per rehearsed story; one click stages it on
// the demo's simulator (the core's zbs-demo) and opens the screen where it
// plays, with a caption of what the customer would see there. "End the
// story" puts the simulator back on the happy path. The stories and the one
// running come with the boot (the core keeps them), so a relaunch or a
// switch back to the demo shows the same.

import { api } from "./api";
import { h } from "./dom";
import type { Host } from "./host";
import type { StagedStory } from "./bindings/StagedStory";
import type { Status } from "./bindings/Status";
import type { StepId } from "./bindings/StepId";
import type { StoryInfo } from "./bindings/StoryInfo";

/** What the stories ask of the window, beyond what a screen may. */
export interface StoryHost extends Host {
  /** Opens a checklist step. */
  goTo: (step: StepId) => void;
  /** Asks the core for the status and the connections again (a story changed them). */
  reload: () => Promise<void>;
}

/** The id of the caption, which takes focus when a story starts. */
const CAPTION_ID = "story-caption";
/** The id of the panel's title, which takes focus when it opens. */
const PANEL_TITLE = "stories-title";

let stories: StoryInfo[] = [];
let running: StagedStory | null = null;
let open = false;

/** Takes the boot's stories and the one running (none outside demo mode). */
export function setStories(list: StoryInfo[], story: StagedStory | null): void {
  stories = list;
  running = story;
  if (list.length === 0) open = false;
}

/** The top bar's "Demo stories" button, in demo mode. */
export function storiesButton(host: StoryHost, s: Status): HTMLElement | null {
  if (s.profile !== "demo" || stories.length === 0) return null;
  return h(
    "button",
    {
      type: "button",
      class: "secondary small",
      "data-test": "stories-button",
      "aria-expanded": open ? "true" : "false",
      onclick: () => {
        open = !open;
        host.render();
        if (open) host.focus(PANEL_TITLE);
      },
    },
    "Demo stories",
  );
}

/** The panel of stories when open, and the running story's caption. */
export function storiesArea(host: StoryHost, s: Status): HTMLElement | null {
  if (s.profile !== "demo") return null;
  const panel = open ? storiesPanel(host) : null;
  const caption = running ? storyCaption(host, running) : null;
  return panel || caption ? h("div", { class: "stories-area" }, panel, caption) : null;
}

function storiesPanel(host: StoryHost): HTMLElement {
  return h(
    "section",
    { class: "panel stories", "data-test": "stories", "aria-labelledby": PANEL_TITLE },
    h("h2", { id: PANEL_TITLE, tabindex: "-1" }, "Demo stories"),
    h(
      "p",
      { class: "hint" },
      "Each story sets up one situation a customer may meet and opens the screen where it shows; End the story to go back.",
    ),
    h(
      "ul",
      { class: "story-list" },
      stories.map((st) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: running?.story === st.story ? "primary" : "secondary",
              "data-story": st.story,
              disabled: host.busy(),
              onclick: () => {
                stage(host, st);
              },
            },
            st.title,
          ),
          h("p", { class: "hint" }, st.description),
        ),
      ),
    ),
    h(
      "div",
      { class: "row" },
      h(
        "button",
        {
          type: "button",
          class: "secondary",
          "data-test": "close-stories",
          onclick: () => {
            open = false;
            host.render();
          },
        },
        "Close",
      ),
    ),
  );
}

function storyCaption(host: StoryHost, st: StagedStory): HTMLElement {
  return h(
    "section",
    { class: "story-caption", id: CAPTION_ID, tabindex: "-1", "data-test": "story-caption", "data-story": st.story, "aria-labelledby": "story-caption-title" },
    h("h2", { id: "story-caption-title" }, `Demo story: ${st.title}`),
    h("p", {}, h("strong", {}, "What your customer would see: "), st.caption),
    h(
      "div",
      { class: "row" },
      h(
        "button",
        {
          type: "button",
          class: "secondary",
          "data-test": "end-story",
          disabled: host.busy(),
          onclick: () => {
            end(host);
          },
        },
        "End the story",
      ),
    ),
  );
}

function stage(host: StoryHost, st: StoryInfo): void {
  host.showInfo(`Setting up \u201c${st.title}\u201d on the simulated Zoho Books…`);
  let staged: StagedStory | null = null;
  void host
    .run(
      () => api.stageDemoStory(st.story),
      (value) => {
        staged = value;
        running = value;
        open = false;
      },
    )
    .then(async (error) => {
      if (error || !staged) return;
      const story: StagedStory = staged;
      await host.reload();
      host.goTo(story.step);
      if (story.connection) await openPullOf(host, story.connection);
      host.focus(CAPTION_ID);
    });
}

/** Opens the sample pull of the connection a story plays on. */
async function openPullOf(host: StoryHost, id: string): Promise<void> {
  const [pull, connections] = await Promise.all([import("./pull"), api.listConnections()]);
  const c = connections.find((x) => x.id === id);
  if (c && pull.pullOpenFor() !== id) pull.openPull(c, host);
  host.render();
}

function end(host: StoryHost): void {
  void host
    .run(api.endDemoStory, () => {
      running = null;
    })
    .then(async (error) => {
      if (error) return;
      await host.reload();
      host.showInfo("The story ended: the simulated Zoho Books is back on the normal demo.");
    });
}
