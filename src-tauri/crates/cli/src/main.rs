//! # zbsetup: the command-line twin of Zoho Books Setup
//!
//! Every command is a thin front over `zbs_setup::Setup`, the same core the
//! window calls, sharing its data folder and keyring entries. Output is plain
//! text, or JSON with `--json` (shapes in INTERFACES.md). Exit status: 0 on
//! success; 1 on failure, with one plain-language line on stderr saying what
//! happened and what to do; 2 on a usage error.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;
use serde::Serialize;
use zbs_setup::{CredentialsInput, OpenOptions, Profile, Setup, Status};

#[derive(Parser)]
#[command(
    name = "zbsetup",
    version,
    about = "Set up and test a Zoho Books integration from the command line"
)]
struct Cli {
    /// Folder for the settings database and logs (default: ZBSETUP_DATA_DIR, else the OS's app-data folder).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Use the demo profile (the simulated Zoho Books), kept apart from real keys and data.
    #[arg(long, global = true)]
    demo: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Checklist progress, keys (never the secret), switch, regions, redirect URIs, connections.
    Status,
    /// Save or remove the Client ID and Client Secret.
    #[command(subcommand)]
    Credentials(CredentialsCommand),
    /// The data centers enabled for this client.
    #[command(subcommand)]
    Regions(RegionsCommand),
    /// Switch the integration on (needs saved keys).
    Enable,
    /// Switch the integration off.
    Disable,
}

#[derive(Subcommand)]
enum CredentialsCommand {
    /// Check and save the keys: the ID in the settings file, the secret in the OS keyring.
    Set(SetCredentials),
    /// Remove both keys and switch the integration off.
    Clear,
}

#[derive(Args)]
struct SetCredentials {
    /// The Client ID from the API console's "Client Secret" tab.
    #[arg(long, value_name = "ID")]
    client_id: String,
    /// Read the Client Secret from standard input (so it stays out of the shell history).
    #[arg(long)]
    client_secret_stdin: bool,
}

#[derive(Subcommand)]
enum RegionsCommand {
    /// Set the regions, comma-separated: us,uk,eu,in,au,jp,ca,sa,ae,cn.
    Set {
        #[arg(value_name = "REGIONS")]
        regions: String,
    },
}

/// A failure to report: one line on stderr, exit status 1.
struct Failure(String);

impl From<zbs_setup::Error> for Failure {
    fn from(e: zbs_setup::Error) -> Self {
        Failure(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("zbsetup: {message}");
            ExitCode::from(1)
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ZBSETUP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn open(cli: &Cli) -> Result<Setup, Failure> {
    let profile = if cli.demo {
        Profile::Demo
    } else {
        Profile::Real
    };
    Ok(Setup::open(OpenOptions {
        data_dir: cli.data_dir.clone(),
        profile,
        data_centers: None,
    })?)
}

fn run(cli: &Cli) -> Result<(), Failure> {
    let setup = open(cli)?;
    match &cli.command {
        Command::Status => print_status(cli, &setup.status()?),
        Command::Credentials(CredentialsCommand::Set(args)) => {
            let secret = if args.client_secret_stdin {
                let mut text = String::new();
                std::io::stdin().read_to_string(&mut text).map_err(|e| {
                    Failure(format!(
                        "could not read the Client Secret from standard input: {e}"
                    ))
                })?;
                SecretString::from(text)
            } else {
                return Err(Failure(
                    "give the Client Secret on standard input with --client-secret-stdin, e.g. \
                     `zbsetup credentials set --client-id ID --client-secret-stdin < secret.txt`"
                        .into(),
                ));
            };
            let outcome = setup.save_credentials(CredentialsInput {
                client_id: args.client_id.clone(),
                client_secret: Some(secret),
            })?;
            for w in &outcome.warnings {
                eprintln!("zbsetup: note: {}", w.message);
            }
            print_status(cli, &outcome.status)
        }
        Command::Credentials(CredentialsCommand::Clear) => {
            print_status(cli, &setup.clear_credentials()?)
        }
        Command::Regions(RegionsCommand::Set { regions }) => {
            let list: Vec<String> = regions.split(',').map(str::to_owned).collect();
            print_status(cli, &setup.set_regions(&list)?)
        }
        Command::Enable => print_status(cli, &setup.set_enabled(true)?),
        Command::Disable => print_status(cli, &setup.set_enabled(false)?),
    }
}

fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure(e.to_string()))?;
    println!("{text}");
    Ok(())
}

fn print_status(cli: &Cli, s: &Status) -> Result<(), Failure> {
    if cli.json {
        return print_json(s);
    }
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    println!(
        "Profile:        {}",
        if s.profile == Profile::Demo {
            "demo (simulated Zoho Books)"
        } else {
            "real"
        }
    );
    println!(
        "Client ID:      {}",
        s.client_id.as_deref().unwrap_or("(not saved)")
    );
    println!(
        "Client Secret:  {}",
        match (&s.secret_mask, s.secret_stored) {
            (Some(mask), _) => format!("{mask} (in the system keyring)"),
            (None, true) => "stored in the system keyring".into(),
            (None, false) => "(not saved)".into(),
        }
    );
    println!("Enabled:        {}", yes_no(s.enabled));
    println!("Regions:        {}", s.regions.join(", "));
    for uri in &s.redirect_uris {
        println!("Redirect URI:   {uri}");
    }
    println!("Connections:    {}", s.connections);
    let done = s.checklist.iter().filter(|i| i.done).count();
    println!("Checklist:      {done} of {} steps done", s.checklist.len());
    for item in &s.checklist {
        println!("  [{}] {}", if item.done { "x" } else { " " }, item.id);
    }
    if let Some(problem) = &s.keyring_problem {
        println!("Keyring:        {problem}");
    }
    if let Some(notice) = &s.recovery_notice {
        println!("Notice:         {notice}");
    }
    Ok(())
}
