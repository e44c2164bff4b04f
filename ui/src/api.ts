// Typed calls into the core through the Tauri shell. The types come from the
// Rust sources (ts-rs), so the two sides cannot drift apart unnoticed.

import { invoke } from "@tauri-apps/api/core";
import type { Status } from "./bindings/Status";
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
import type { Code } from "./bindings/Code";

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
  status: () => invoke<Status>("get_status"),
  checkKeys: (input: CredentialsInput) => invoke<KeyIssue[]>("check_keys", { input }),
  saveCredentials: (input: CredentialsInput) => invoke<SaveOutcome>("save_credentials", { input }),
  clearCredentials: () => invoke<Status>("clear_credentials"),
  setRegions: (regions: string[]) => invoke<Status>("set_regions", { regions }),
  setEnabled: (on: boolean) => invoke<Status>("set_enabled", { on }),
  setStep: (item: string, done: boolean) => invoke<Status>("set_step", { item, done }),
  setCurrentStep: (step: string) => invoke<null>("set_current_step", { step }),
  dismissRecoveryNotice: () => invoke<null>("dismiss_recovery_notice"),
  openLink: (link: Link, region: string | null) => invoke<string>("open_link", { link, region }),
  setRedirectMethod: (method: RedirectMethod) => invoke<Status>("set_redirect_method", { method }),
  startConnect: (region: string | null, reconnect: string | null) =>
    invoke<Started>("start_connect", { region, reconnect }),
  cancelConnect: () => invoke<null>("cancel_connect"),
  chooseOrganization: (organizationId: string | null) =>
    invoke<Connection>("choose_organization", { organizationId }),
  listConnections: () => invoke<Connection[]>("list_connections"),
  renameConnection: (id: string, label: string) => invoke<Connection>("rename_connection", { id, label }),
  testConnection: (id: string) => invoke<ConnectionTest>("test_connection", { id }),
  disconnect: (id: string, force: boolean) => invoke<null>("disconnect", { id, force }),
};
