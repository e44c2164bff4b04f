// Typed calls into the core through the Tauri shell, and the events it sends.
// The types come from the Rust sources (ts-rs), so the two sides cannot drift
// apart unnoticed. This is the only module that may call `invoke` or `listen`
// (a lint rule keeps it so): every command of `generate_handler!` in
// src-tauri/src/lib.rs is here once, its arguments named as the Rust
// parameters in camelCase (src-tauri/src/commands.rs).

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { Status } from "./bindings/Status";
import type { StepId } from "./bindings/StepId";
import type { KeyIssue } from "./bindings/KeyIssue";
import type { SaveOutcome } from "./bindings/SaveOutcome";
import type { CredentialsInput } from "./bindings/CredentialsInput";
import type { Link } from "./bindings/Link";
import type { Boot } from "./bindings/Boot";
import type { Profile } from "./bindings/Profile";
import type { Started } from "./bindings/Started";
import type { Connection } from "./bindings/Connection";
import type { ConnectionTest } from "./bindings/ConnectionTest";
import type { RedirectMethod } from "./bindings/RedirectMethod";
import type { Forecast } from "./bindings/Forecast";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { ExportSaved } from "./bindings/ExportSaved";
import type { Finished } from "./bindings/Finished";
import type { Progress } from "./bindings/Progress";
import type { PullFinished } from "./bindings/PullFinished";
import type { PullOptions } from "./bindings/PullOptions";
import type { RecordCount } from "./bindings/RecordCount";
import type { PullResults } from "./bindings/PullResults";
import type { RecordPage } from "./bindings/RecordPage";
import type { SortColumn } from "./bindings/SortColumn";
import type { SortDir } from "./bindings/SortDir";
import type { Code } from "./bindings/Code";
import type { Handoff } from "./bindings/Handoff";
import type { PlatformChoice } from "./bindings/PlatformChoice";
import type { SecretCopied } from "./bindings/SecretCopied";
import type { SavedReport } from "./bindings/SavedReport";
import type { KeyCheck } from "./bindings/KeyCheck";
import type { Entity } from "./bindings/Entity";
import type { DemoStory } from "./bindings/DemoStory";
import type { StagedStory } from "./bindings/StagedStory";

/** A failed command, as the shell serialises it. */
export interface AppError {
  code: Code;
  message: string;
  issues: KeyIssue[];
}

export function asAppError(e: unknown): AppError {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    const err = e as Partial<AppError>;
    return {
      code: String(err.code) as Code,
      message: String(err.message),
      issues: Array.isArray(err.issues) ? err.issues : [],
    };
  }
  return { code: "internal", message: String(e), issues: [] };
}

export const api = {
  boot: () => invoke<Boot>("boot"),
  switchProfile: (profile: Profile) => invoke<Boot>("switch_profile", { profile }),
  /** Stages a demo story on the demo's simulator (demo mode only). */
  stageDemoStory: (story: DemoStory) => invoke<StagedStory>("stage_demo_story", { story }),
  /** Ends the demo story running: back to the normal demo. */
  endDemoStory: () => invoke<null>("end_demo_story"),
  status: () => invoke<Status>("get_status"),
  checkKeys: (input: CredentialsInput) => invoke<KeyIssue[]>("check_keys", { input }),
  saveCredentials: (input: CredentialsInput) => invoke<SaveOutcome>("save_credentials", { input }),
  clearCredentials: () => invoke<Status>("clear_credentials"),
  setRegions: (regions: string[]) => invoke<Status>("set_regions", { regions }),
  setEnabled: (on: boolean) => invoke<Status>("set_enabled", { on }),
  setStep: (item: string, done: boolean) => invoke<Status>("set_step", { item, done }),
  setCurrentStep: (step: StepId) => invoke<null>("set_current_step", { step }),
  dismissRecoveryNotice: () => invoke<null>("dismiss_recovery_notice"),
  openLink: (link: Link, region: string | null) => invoke<string>("open_link", { link, region }),
  setRedirectMethod: (method: RedirectMethod) => invoke<Status>("set_redirect_method", { method }),
  /** Starts a sign-in asking Zoho to allow reading `entities` (and settings). */
  startConnect: (region: string | null, reconnect: string | null, entities: Entity[]) =>
    invoke<Started>("start_connect", { region, reconnect, entities }),
  /** Opens the consent page of a sign-in held until its warning was read. */
  openHeldSignIn: () => invoke<boolean>("open_held_sign_in"),
  cancelConnect: () => invoke<null>("cancel_connect"),
  chooseOrganization: (organizationId: string | null) =>
    invoke<Connection>("choose_organization", { organizationId }),
  listConnections: () => invoke<Connection[]>("list_connections"),
  renameConnection: (id: string, label: string) => invoke<Connection>("rename_connection", { id, label }),
  testConnection: (id: string, entities: Entity[]) => invoke<ConnectionTest>("test_connection", { id, entities }),
  disconnect: (id: string, force: boolean) => invoke<null>("disconnect", { id, force }),
  forecastPull: (connectionId: string, options: PullOptions) =>
    invoke<Forecast>("forecast_pull", { connectionId, options }),
  /** Counts the records of the chosen types (one API call per 200 of each), so the forecast is a figure. */
  countRecords: (connectionId: string, options: PullOptions) =>
    invoke<RecordCount>("count_records", { connectionId, options }),
  startPull: (connectionId: string, options: PullOptions) => invoke<null>("start_pull", { connectionId, options }),
  cancelPull: (connectionId: string) => invoke<null>("cancel_pull", { connectionId }),
  /** Stops every running pull, waits until each has saved where it stopped, and closes the window. */
  stopPullsAndClose: () => invoke<null>("stop_pulls_and_close"),
  pullResults: (connectionId: string) => invoke<PullResults>("pull_results", { connectionId }),
  pullRecords: (
    connectionId: string,
    entity: Entity,
    offset: number,
    limit: number,
    sort: SortColumn,
    dir: SortDir,
    search: string | null,
  ) => invoke<RecordPage>("pull_records", { connectionId, entity, offset, limit, sort, dir, search }),
  /** The record as Zoho sent it (`null` if it is not stored). */
  pullRecord: (connectionId: string, entity: Entity, zohoId: string) =>
    invoke<unknown>("pull_record", { connectionId, entity, zohoId }),
  /** Asks where to save (the system's save dialog), then exports there; `null`: cancelled. */
  exportPull: (connectionId: string, format: ExportFormat) =>
    invoke<ExportSaved | null>("export_pull", { connectionId, format }),
  /** Opens a folder this window saved into, in the file manager. */
  openSavedFolder: (folder: string) => invoke<null>("open_saved_folder", { folder }),
  diagnostics: () => invoke<string>("diagnostics"),
  setPlatform: (choice: PlatformChoice) => invoke<Status>("set_platform", { choice }),
  handoff: () => invoke<Handoff>("handoff"),
  /** Copies the Client Secret from the keyring to the clipboard (it never reaches the window). */
  copyClientSecret: () => invoke<SecretCopied>("copy_client_secret"),
  /** Asks each chosen data center whether it accepts the saved keys. */
  checkKeysWithZoho: () => invoke<KeyCheck>("check_keys_with_zoho"),
  /** Asks where to save the test report (the system's save dialog), then saves it; `null`: cancelled. */
  saveTestReport: () => invoke<SavedReport | null>("save_test_report"),
};

/** The events the shell sends (src-tauri/src/connect.rs and pull.rs). */
export const events = {
  /** A sign-in ended: organizations to choose from, or an error. */
  connectFinished: (fn: (f: Finished) => void): Promise<UnlistenFn> =>
    listen<Finished>("connect-finished", (e) => {
      fn(e.payload);
    }),
  /** A pull moved on: at each stored page and every ~200 ms. */
  pullProgress: (fn: (p: Progress) => void): Promise<UnlistenFn> =>
    listen<Progress>("pull-progress", (e) => {
      fn(e.payload);
    }),
  /** The person closed the window while a pull runs: the close is held until they answer. */
  closeQuestion: (fn: () => void): Promise<UnlistenFn> =>
    listen<null>("close-question", () => {
      fn();
    }),
  /** A pull ended: its report, or an error. */
  pullFinished: (fn: (f: PullFinished) => void): Promise<UnlistenFn> =>
    listen<PullFinished>("pull-finished", (e) => {
      fn(e.payload);
    }),
};
