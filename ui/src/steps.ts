// The words of the checklist: a title, a "why" and the sub-steps of each step,
// keyed by the ids the core defines (src-tauri/crates/setup/src/checklist.rs):
// the maps are `Record`s of the generated unions, so a step or sub-step
// without its words fails the type-check.

import type { StepId } from "./bindings/StepId";
import type { SubStepId } from "./bindings/SubStepId";

export interface StepText {
  title: string;
  why: string;
}

export const STEP_TEXT: Readonly<Record<StepId, StepText>> = {
  before_you_start: {
    title: "Before you start",
    why: "You will register your integration with Zoho once. It takes about ten minutes and needs a Zoho account.",
  },
  register_client: {
    title: "Register the application in Zoho",
    why: "Zoho only lets an integration read Books data once it is registered in Zoho's API console. Registering gives you a Client ID and a Client Secret.",
  },
  console_settings: {
    title: "Choose data centers in Zoho",
    why: "Zoho keeps each customer's data in one data center. Your registration must be switched on for every data center your customers use.",
  },
  keys: {
    title: "Add your keys",
    why: "The Client ID and Client Secret prove to Zoho that connection requests come from your integration.",
  },
  enable: {
    title: "Switch the integration on",
    why: "While the integration is off, nobody can connect a Zoho Books organization with it.",
  },
  test: {
    title: "Test your integration",
    why: "Connect a test organization and pull a little sample data before you send connection links to customers.",
  },
};

/** The sub-steps a person ticks, with what to do. */
export const SUBSTEP_TEXT: Readonly<Record<SubStepId, string>> = {
  zoho_account: "I have a Zoho account I can sign in with.",
  choose_regions: "I have chosen the data centers my customers use (below).",
  open_console: "Open Zoho's API console and sign in.",
  add_client:
    "Click ADD CLIENT. (If you have never registered an application before, the button is called GET STARTED.)",
  server_based: "Choose the client type Server-based Applications.",
  client_name:
    "Client Name: type your company or product name (your customers see it when Zoho asks them to allow the connection). Homepage URL: type your company's website address.",
  redirect_uris:
    "Authorized Redirect URIs: paste the first address below into this field, exactly as shown. For each further address, click + beside the field and paste it into the new field. This is where Zoho sends people back after they allow the connection.",
  create:
    "Click CREATE, then open the Client Secret tab. It shows the Client ID and Client Secret you will paste in the “Add your keys” step.",
  enable_regions:
    "In the API console, open the Settings tab and switch on each data center listed below.",
  same_credentials:
    "Tick “Use the same OAuth credentials for all data centers”. It saves by itself.",
};

export const SAME_CREDENTIALS_WHY =
  "Why: with this ticked, customers in every data center can connect with the one Client ID and Secret you add in the next step.";
