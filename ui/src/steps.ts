// The words of the checklist: a title, a "why" and the sub-steps of each step,
// keyed by the ids the core defines (src-tauri/crates/setup/src/checklist.rs).

export interface StepText {
  title: string;
  why: string;
}

export const STEP_TEXT: Record<string, StepText> = {
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
export const SUBSTEP_TEXT: Record<string, string> = {
  "before_you_start.zoho_account": "I have a Zoho account I can sign in with.",
  "before_you_start.choose_regions": "I have chosen the data centers my customers use (below).",
  "register_client.open_console": "Open Zoho's API console and sign in.",
  "register_client.add_client":
    "Click ADD CLIENT. (If you have never registered an application before, the button is called GET STARTED.)",
  "register_client.server_based": "Choose the client type Server-based Applications.",
  "register_client.client_name":
    "Client Name: type your company or product name (your customers see it when Zoho asks them to allow the connection). Homepage URL: type your company's website address.",
  "register_client.redirect_uris":
    "Authorized Redirect URIs: paste the first address below into this field, exactly as shown. For each further address, click + beside the field and paste it into the new field. This is where Zoho sends people back after they allow the connection.",
  "register_client.create":
    "Click CREATE, then open the Client Secret tab. It shows the Client ID and Client Secret you will paste in the “Add your keys” step.",
  "console_settings.enable_regions":
    "In the API console, open the Settings tab and switch on each data center listed below.",
  "console_settings.same_credentials":
    "Tick “Use the same OAuth credentials for all data centers”. It saves by itself.",
};

export const SAME_CREDENTIALS_WHY =
  "Why: with this ticked, customers in every data center can connect with the one Client ID and Secret you add in the next step.";
