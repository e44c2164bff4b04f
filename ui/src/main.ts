// The window: starts it, keeps what is shown (the core's status, the open
// step, the banners), and routes to the welcome screen or the checklist with
// the open step's screen. State comes from the core after every action; the
// screens (screens/*.ts) draw it and turn clicks into commands through their
// host (host.ts).

import { resetHandoff } from "./screens/platform";
import { resetKeyCheck } from "./screens/keycheck";
import { api, asAppError, events } from "./api";
import { errorBanner } from "./banners";
import { askBeforeClosing, pullEndedWhileAsking } from "./close-question";
import { h, replaceChildren } from "./dom";
import { focusKey, redrawKeepingFocus } from "./focus";
import { checklistFrame } from "./frame";
import { setStories } from "./stories";
import { STEP_TITLE, type ErrorNotice, type Host, type StepScreen } from "./host";
import { beforeYouStart } from "./screens/before-you-start";
import { connect } from "./screens/connect";
import { consoleSettings } from "./screens/console-settings";
import { enable } from "./screens/enable";
import { keys } from "./screens/keys";
import { registerClient } from "./screens/register";
import { welcome } from "./screens/welcome";
import type { Profile } from "./bindings/Profile";
import type { Status } from "./bindings/Status";
import type { StepId } from "./bindings/StepId";

interface UiState {
  status: Status | null;
  welcomed: boolean;
  showWelcome: boolean;
  step: StepId;
  error: ErrorNotice | null;
  info: string | null;
  /** The control (a selector) of the step whose action the messages answer. */
  anchor: string | null;
  busy: boolean;
}

const state: UiState = {
  status: null,
  welcomed: true,
  showWelcome: false,
  step: "before_you_start",
  error: null,
  info: null,
  anchor: null,
  busy: false,
};

const root = document.getElementById("app") as HTMLElement;

/** Runs a command, shows its error in plain words, and redraws; resolves to the error shown. */
async function act<T>(fn: () => Promise<T>, after?: (value: T) => void): Promise<ErrorNotice | null> {
  state.busy = true;
  state.error = null;
  try {
    const value = await fn();
    after?.(value);
  } catch (e) {
    state.error = asAppError(e);
    anchorHere();
  } finally {
    state.busy = false;
    render();
  }
  return state.error;
}

/** What the message being set answers: the step's control that has the focus (clicked or pressed), if any. */
function anchorHere(): void {
  const active = document.activeElement;
  state.anchor = active?.closest("[data-step-card]") ? focusKey(active) : null;
}

function setStatus(s: Status): void {
  state.status = s;
}

async function refresh(): Promise<void> {
  // The connections are asked for alongside the status, not after it.
  const connections = api.listConnections().catch(() => null);
  await act(api.boot, (b) => {
    performance.mark("zbs-boot");
    setStatus(b.status);
    state.welcomed = b.welcomed;
    state.showWelcome = !b.welcomed;
    keysScreen.setDemoKeys(b.demo_keys);
    setStories(b.demo_stories, b.demo_story);
    state.step = b.status.current_step ?? "before_you_start";
    connectScreen.idle();
    if (b.connect_outcome) connectScreen.finished(b.connect_outcome);
  });
  if (!performance.getEntriesByName("zbs-render").length) performance.mark("zbs-render");
  const list = await connections;
  if (list) connectScreen.setConnections(list);
  render();
  root.setAttribute("aria-busy", "false");
}

function switchProfile(profile: Profile): void {
  void act(
    () => api.switchProfile(profile),
    (b) => {
      setStatus(b.status);
      state.welcomed = true;
      state.showWelcome = false;
      keysScreen.setDemoKeys(b.demo_keys);
      setStories(b.demo_stories, b.demo_story);
      state.step = b.status.current_step ?? "before_you_start";
      connectScreen.idle();
      keysScreen.reset();
      resetHandoff();
      resetKeyCheck();
    },
  ).then(connectScreen.loadConnections).then(render);
}

function goTo(step: StepId): void {
  state.step = step;
  state.error = null;
  state.info = null;
  state.anchor = null;
  render();
  void api.setCurrentStep(step).catch(() => undefined);
}

function render(): void {
  redrawKeepingFocus(root, draw, STEP_TITLE);
}

function currentErrorBanner(): HTMLElement | null {
  // A keyring failure the status already reports is said once, by the frame.
  if (state.error && state.error.message === state.status?.keyring_problem) return null;
  return errorBanner(state.error, () => {
    state.error = null;
    render();
  });
}

/** What the screens may ask of the window. */
const host: Host = {
  render,
  busy: () => state.busy,
  run: act,
  setStatus,
  refreshStatus: async () => {
    setStatus(await api.status());
    render();
  },
  setInfo: (message) => {
    state.info = message;
    anchorHere();
  },
  setError: (e) => {
    state.error = e;
    if (e) anchorHere();
  },
  showInfo: (message) => {
    anchorHere();
    state.info = message;
    state.error = null;
    render();
  },
  showError: (e) => {
    anchorHere();
    state.error = e;
    state.info = null;
    render();
  },
  focus: (id) => {
    document.getElementById(id)?.focus();
  },
};

// ---------- the screens ----------

const keysScreen = keys(host);
const connectScreen = connect(host);

/** Each checklist step's screen, by the step ids the core defines (src-tauri/crates/setup/src/checklist.rs). */
const STEPS: Readonly<Record<StepId, StepScreen>> = {
  before_you_start: beforeYouStart(host),
  register_client: registerClient(host),
  console_settings: consoleSettings(host),
  keys: keysScreen,
  enable: enable(host),
  test: connectScreen,
};

const welcomeScreen = welcome({
  welcomed: () => state.welcomed,
  choose: switchProfile,
  back: () => {
    state.showWelcome = false;
    render();
  },
  errorBanner: currentErrorBanner,
});

const checklist = checklistFrame(
  {
    ...host,
    step: () => state.step,
    goTo,
    showWelcome: () => {
      state.showWelcome = true;
      render();
    },
    refresh,
    reload: async () => {
      connectScreen.idle();
      // What the last story showed is not what Zoho answers now.
      connectScreen.forgetTests();
      await connectScreen.loadConnections();
      const pull = await import("./pull");
      pull.connectionsChanged(await api.listConnections());
      await host.refreshStatus();
    },
    info: () => state.info,
    errorBanner: currentErrorBanner,
    anchor: () => state.anchor,
  },
  STEPS,
);

/** Draws what is to be shown: loading (or why it failed), the welcome screen, or the checklist. */
function draw(): void {
  const s = state.status;
  if (!s) {
    replaceChildren(
      root,
      h("main", { id: "main", class: "fatal" }, currentErrorBanner() ?? h("p", {}, "Loading your setup…")),
    );
    return;
  }
  if (state.showWelcome) {
    replaceChildren(root, welcomeScreen.view(s));
    host.focus(welcomeScreen.focus);
    return;
  }
  replaceChildren(root, ...checklist.view(s));
}

// User Timing marks for the startup benchmark (benches/startup.mjs):
// zbs-script (this module runs), zbs-boot (the core answered), zbs-render
// (the first screen is drawn).
performance.mark("zbs-script");

void events.connectFinished(connectScreen.finished);
void events.closeQuestion(askBeforeClosing);
void events.pullFinished((f) => {
  if (!f.others_running) pullEndedWhileAsking();
});

void refresh();
