//! # zbsetup: the command-line twin of Zoho Books Setup
//!
//! Every command is a thin front over `zbs_setup::Setup`, the same core the
//! window calls, sharing its data folder and keyring entries. Output is plain
//! text, or JSON with `--json` (shapes in docs/cli.md). Exit status: 0 on
//! success; 1 on failure, with one plain-language line on stderr saying what
//! happened and what to do; 2 on a usage error.

use std::borrow::Cow;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use std::io::IsTerminal;

use clap::{Args, CommandFactory, Parser, Subcommand};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use std::sync::atomic::Ordering;
use std::time::Duration;
use zbs_demo::Demo;
use zbs_pull::{
    CancellationToken, Entity, EntityReport, ExportFormat, HistoryRow, Progress, PullControls,
    PullOptions,
};
use zbs_setup::connect::{Connection, ConnectionState, RedirectMethod};
use zbs_setup::keycheck::KeyCheckStatus;
use zbs_setup::platform::PlatformChoice;
use zbs_setup::{CredentialsInput, OpenOptions, Profile, Setup, Status};

mod simulate;

#[derive(Parser)]
#[command(
    name = "zbsetup",
    version,
    about = "Set up and test a Zoho Books integration from the command line",
    long_about = "Set up and test a Zoho Books integration from the command line: the \
                  command-line twin of the Zoho Books Setup window, sharing its data folder \
                  and keyring entries.",
    after_long_help = AFTER_LONG_HELP
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

/// The end of `--help` and of the man page: exit status and environment.
const AFTER_LONG_HELP: &str = "\
Exit status:
  0  success
  1  failure, with one plain-language line on stderr saying what happened and what to do
  2  a usage error

Environment:
  ZBSETUP_DATA_DIR   The data folder (as --data-dir)
  ZBSETUP_ENDPOINTS  Another data-center table, such as the simulator's
  ZBSETUP_LOG        What to log on stderr (e.g. info, debug; default warn)
  NO_COLOR           When set (not empty), no colour, even on a terminal

Shell completions: `zbsetup completions bash|zsh|fish`; the manual: `man zbsetup` (or `zbsetup man`).";

#[derive(Subcommand)]
enum Command {
    /// Checklist progress, keys (never the secret), switch, regions, redirect URIs, connections.
    Status,
    /// The support report (what the window's Help gives), with no secret or token in it.
    Diagnostics,
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
    /// Connect a Zoho Books organization: prints the sign-in link, opens the browser, waits for the redirect.
    Connect(ConnectArgs),
    /// List the connected organizations.
    Connections,
    /// Revoke a connection at Zoho, then forget it here.
    Disconnect {
        /// The connection's ID (see `zbsetup connections`).
        id: String,
        /// Forget it here even if Zoho cannot be reached to revoke it.
        #[arg(long)]
        force: bool,
    },
    /// Pull sample data from a connection, throttled to Zoho's limits.
    Pull(PullArgs),
    /// A connection's latest pulls, newest first: state, records and calls per entity.
    Pulls {
        /// The connection's ID (see `zbsetup connections`).
        id: String,
    },
    /// Write a connection's pulled records to files.
    Export {
        /// The connection's ID (see `zbsetup connections`).
        id: String,
        /// File format.
        #[arg(long, value_parser = ["csv", "json"])]
        format: String,
        /// Folder to write into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Run the Zoho Books simulator on 127.0.0.1 until interrupted.
    Simulate(SimulateArgs),
    /// Where the keys will be used: an integration platform (its callback is registered beside the app's redirect URI) or only this app.
    #[command(subcommand)]
    Platform(PlatformCommand),
    /// Ask each chosen data center whether it accepts the saved keys (no sign-in needed); exit 1 when any does not.
    CheckKeys,
    /// Test a connection now: the keys, the sign-in and one record of each record type; exit 1 when anything fails.
    Test {
        /// The connection's ID (see `zbsetup connections`).
        id: String,
        /// Record types to read one record of, comma-separated.
        #[arg(long, value_name = "a,b,..", help = entities_help("Record types to read one record of"))]
        entities: Option<String>,
    },
    /// Save the test report (an HTML page that prints to PDF; no secret in it).
    Report {
        /// Folder to save it in (default: your Downloads folder).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Mark a checklist item done in Zoho's API console by hand, as the window's boxes do, e.g. `register_client.redirect_uris` once the redirect URIs are added (the hand-off is ready only then); --undo unmarks it.
    Tick {
        /// The item: a step, or step.sub-step (see `zbsetup --json status`).
        item: String,
        /// Unmark it.
        #[arg(long)]
        undo: bool,
    },
    /// What to paste into the platform once the test passed (the Client Secret only with --show-secret, never in JSON).
    Handoff {
        /// Also print the Client Secret (from the keyring). Not allowed with --json.
        #[arg(long)]
        show_secret: bool,
    },
    /// Print the completion script of a shell, e.g. `zbsetup completions bash > ~/.local/share/bash-completion/completions/zbsetup`.
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff, for `man`), e.g. `zbsetup man > zbsetup.1`.
    Man {
        /// Instead, write zbsetup.1 and a page per command (zbsetup-status.1, ...) into DIR.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum PlatformCommand {
    /// Choose the platform: `codat`, `none` (only this app), or any other name with --callback.
    Set {
        /// The platform's name (`codat`, `none`, or the name your customers know).
        name: String,
        /// The platform's callback (redirect) URI, from its setup guide (https only).
        #[arg(long, value_name = "URI")]
        callback: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::terminal_safe;

    #[test]
    fn the_command_definitions_are_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        use super::colour;
        assert!(colour(true, None));
        assert!(colour(true, Some("".into())));
        assert!(!colour(true, Some("1".into())));
        assert!(!colour(false, None));
        assert!(!colour(false, Some("1".into())));
    }

    #[test]
    fn terminal_safe_escapes_what_a_terminal_would_act_on() {
        assert_eq!(terminal_safe("Acme Ltd — Ünïcode"), "Acme Ltd — Ünïcode");
        assert_eq!(
            terminal_safe("a\u{1b}]0;t\u{7}b\nc\u{202e}d\u{0}\u{9b}"),
            "a\\u{1b}]0;t\\u{7}b\\u{a}c\\u{202e}d\\u{0}\\u{9b}"
        );
        assert_eq!(
            terminal_safe("x\u{2066}y\u{2028}z\u{feff}"),
            "x\\u{2066}y\\u{2028}z\\u{feff}"
        );
    }
}

#[derive(Args)]
struct PullArgs {
    /// The connection's ID (see `zbsetup connections`).
    id: String,
    /// Record types to pull, comma-separated.
    #[arg(long, value_name = "a,b,..", help = entities_help("Record types to pull"))]
    entities: Option<String>,
    /// Newest N records per entity.
    #[arg(long, value_name = "N", conflicts_with = "all")]
    sample: Option<u32>,
    /// Every record.
    #[arg(long)]
    all: bool,
    /// Include line items (one extra call per record that has them).
    #[arg(long, help = format!("Include line items (one extra call per {})", Entity::line_item_words()))]
    line_items: bool,
    /// Include customer addresses and contact persons (one extra call per customer).
    #[arg(long)]
    customer_details: bool,
    /// Print the forecast of API calls and time, and stop.
    #[arg(long)]
    dry_run: bool,
    /// Count the records first (one API call per 200 records of each type,
    /// nothing else read), so the forecast is a figure rather than "at
    /// least"; the totals are kept for a day, for the window too.
    #[arg(long)]
    count: bool,
    /// Stop after this many API calls (default: the forecast plus a quarter,
    /// at least 20 more, when the forecast is not a lower bound).
    #[arg(long, value_name = "N")]
    max_calls: Option<u64>,
}

#[derive(Args)]
struct ConnectArgs {
    /// The organization's data center; only `cn` changes where the sign-in starts (every other one starts at accounts.zoho.com, and Zoho sends the person on).
    #[arg(long, value_name = "R")]
    region: Option<String>,
    /// Organization to connect (default: Zoho's default organization).
    #[arg(long, value_name = "ORG_ID")]
    org: Option<String>,
    /// Only print the sign-in link; do not open a browser.
    #[arg(long)]
    no_browser: bool,
    /// Seconds to wait for the sign-in to come back.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    timeout: u64,
    /// Renew this connection instead of adding one.
    #[arg(long, value_name = "ID")]
    reconnect: Option<String>,
    /// Record types the connection will read, comma-separated: Zoho is asked
    /// only for these (plus settings, to list organizations), like the
    /// window. A reconnect keeps what the connection could read.
    #[arg(
        long,
        value_name = "a,b,..",
        help = entities_help("Record types the connection will read (Zoho is asked only for these, plus settings, to list organizations, like the window; a reconnect keeps what the connection could read)")
    )]
    entities: Option<String>,
}

#[derive(Args)]
struct SimulateArgs {
    /// Write the endpoints file for ZBSETUP_ENDPOINTS here.
    #[arg(long, value_name = "FILE")]
    endpoints_out: Option<PathBuf>,
    /// Records per entity and organization.
    #[arg(long, value_name = "N", default_value_t = 50)]
    records: u64,
    /// Seed of the data generator.
    #[arg(long, value_name = "S", default_value_t = 42)]
    seed: u64,
    /// Request budget per organization, as <requests>/<seconds>s.
    #[arg(long, value_name = "R/Ss", default_value = "100/60s")]
    rate: String,
    /// Daily API-call quota per organization (default: by plan).
    #[arg(long, value_name = "N")]
    daily: Option<u32>,
    /// Register this Client ID (with --client-secret-stdin) instead of a made-up one.
    #[arg(long, value_name = "ID", requires = "client_secret_stdin")]
    client_id: Option<String>,
    /// Read the Client Secret of --client-id from standard input.
    #[arg(long, requires = "client_id")]
    client_secret_stdin: bool,
    /// The data centers switched on for the client in the (simulated) console's Settings tab, comma-separated (default: all).
    #[arg(long, value_name = "a,b,..")]
    data_centers: Option<String>,
}

#[derive(Subcommand)]
enum CredentialsCommand {
    /// Check and save the keys: the ID in the settings file, the secret in the OS keyring.
    Set(SetCredentials),
    /// Remove both keys and switch the integration off.
    Clear,
    /// After moving the data folder: use the Client Secret saved at its old place.
    CarryOver,
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
    tracing::debug!(version = env!("CARGO_PKG_VERSION"), "zbsetup started");
    // Printed from the command definitions alone: nothing opened or created.
    match &cli.command {
        Command::Completions { shell } => return print_completions(*shell),
        Command::Man { out_dir } => return man_pages(out_dir.as_deref()),
        _ => {}
    }
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("zbsetup: {}", terminal_safe(&message));
            ExitCode::from(1)
        }
    }
}

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls, DEL,
/// bidi embeddings, overrides, isolates and marks, line and paragraph
/// separators, and other invisible format characters.
fn unsafe_for_terminal(c: char) -> bool {
    zbs_codes::unsafe_to_show(c)
}

/// Text from outside (names and messages from Zoho, what was typed) made
/// safe to print in text mode: every character that could move the cursor,
/// change the terminal, reorder the line or start a new one is shown as a
/// visible escape such as `\u{202e}`. JSON output needs none of this.
fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_for_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_for_terminal(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Writes `zbsetup`'s completion script for `shell` to stdout.
fn print_completions(shell: clap_complete::Shell) -> ExitCode {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "zbsetup", &mut script);
    write_stdout(&script, "the completion script")
}

/// Writes `bytes` to stdout; a reader that stopped early (`| head`) is no failure.
fn write_stdout(bytes: &[u8], what: &str) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zbsetup: {what} could not be written: {e}");
            ExitCode::from(1)
        }
    }
}

/// The manual page's date: fixed, so that a build is reproducible.
const MAN_PAGE_DATE: &str = "2026-12";

/// The main page's sections beyond the options and commands (roff).
const MAN_EXTRA_SECTIONS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
Success.
.TP
\fB1\fR
Failure, with one plain\-language line on standard error saying what happened and what to do.
.TP
\fB2\fR
A usage error.
.SH ENVIRONMENT
.TP
\fBZBSETUP_DATA_DIR\fR
The data folder (as \fB\-\-data\-dir\fR); the window uses the same one.
.TP
\fBZBSETUP_ENDPOINTS\fR
Another data\-center table, such as the one \fBzbsetup simulate \-\-endpoints\-out\fR writes.
.TP
\fBZBSETUP_LOG\fR
What to log on standard error (e.g. \fIinfo\fR, \fIdebug\fR; default \fIwarn\fR).
.TP
\fBNO_COLOR\fR
When set to anything but the empty string, no colour, even on a terminal. Colour is used only on a terminal.
.SH FILES
The settings database and logs are in the data folder: \fI$XDG_DATA_HOME/zoho\-books\-setup\fR (usually \fI~/.local/share/zoho\-books\-setup\fR); the Client Secret and tokens are in the desktop keyring (Secret Service).
.SH "SEE ALSO"
The window, \fBzoho\-books\-setup\fR (started from the desktop's menu; \fBzoho\-books\-setup \-\-help\fR), and the README of Zoho Books Setup.
"#;

/// The main manual page: the options and commands from the same definitions
/// as `--help`, then exit status, environment and files.
fn main_man_page() -> std::io::Result<Vec<u8>> {
    // The exit status and environment are sections of their own here, not
    // the end of `--help`.
    let command = Cli::command()
        .after_long_help(None::<&str>)
        .disable_help_subcommand(true);
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .date(MAN_PAGE_DATE)
        .render(&mut page)?;
    let mut page = String::from_utf8(page).map_err(std::io::Error::other)?;
    let at = page.find(".SH VERSION").unwrap_or(page.len());
    page.insert_str(at, MAN_EXTRA_SECTIONS);
    Ok(page.into_bytes())
}

/// Prints the main manual page, or with `out_dir` writes it there as
/// `zbsetup.1` with a page per command (`zbsetup-status.1`, ...).
fn man_pages(out_dir: Option<&std::path::Path>) -> ExitCode {
    let Some(dir) = out_dir else {
        return match main_man_page() {
            Ok(page) => write_stdout(&page, "the manual page"),
            Err(e) => {
                eprintln!("zbsetup: the manual page could not be written: {e}");
                ExitCode::from(1)
            }
        };
    };
    fn pages_of(command: clap::Command, dir: &std::path::Path) -> std::io::Result<()> {
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            pages_of(sub.clone(), dir)?;
        }
        clap_mangen::Man::new(command)
            .date(MAN_PAGE_DATE)
            .source(concat!("zbsetup ", env!("CARGO_PKG_VERSION")))
            .generate_to(dir)?;
        Ok(())
    }
    let written = std::fs::create_dir_all(dir).and_then(|()| {
        let mut command = Cli::command().disable_help_subcommand(true);
        command.build();
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            pages_of(sub.clone(), dir)?;
        }
        std::fs::write(dir.join("zbsetup.1"), main_man_page()?)
    });
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "zbsetup: the manual pages could not be written to {}: {e}",
                terminal_safe(&dir.display().to_string())
            );
            ExitCode::from(1)
        }
    }
}

/// Whether to colour what goes to a stream: only a terminal, and never when
/// `NO_COLOR` is set to anything but the empty string (no-color.org).
fn colour(is_terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    is_terminal && no_color.is_none_or(|v| v.is_empty())
}

fn init_logging() {
    // Standard error carries the command's own answer (one plain line on a
    // failure, progress while it pulls): log lines only when asked for with
    // ZBSETUP_LOG, so they never mix into it.
    let filter = tracing_subscriber::EnvFilter::try_from_env("ZBSETUP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour(
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR"),
        ))
        .init();
}

/// The profile the command works on, and the demo simulator it needs (kept
/// running, in this process or the window's, for as long as the command runs).
fn open(cli: &Cli, rt: &tokio::runtime::Runtime) -> Result<(Setup, Option<Demo>), Failure> {
    if cli.demo {
        let demo = rt.block_on(Demo::start_or_attach())?;
        let setup = demo.open(cli.data_dir.clone())?;
        return Ok((setup, Some(demo)));
    }
    let setup = Setup::open(OpenOptions {
        data_dir: cli.data_dir.clone(),
        profile: Profile::Real,
        data_centers: None,
        keyring_service: None,
    })?;
    Ok((setup, None))
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("could not start: {e}")))
}

fn run(cli: &Cli) -> Result<(), Failure> {
    let rt = runtime()?;
    if let Command::Simulate(args) = &cli.command {
        return rt.block_on(simulate::run(args));
    }
    let (setup, _demo) = open(cli, &rt)?;
    match &cli.command {
        Command::Status => print_status(cli, &setup.status()?),
        Command::Diagnostics => {
            // The window's report, from the same core call, of this version.
            let report = rt.block_on(setup.diagnostics_asking_zoho(env!("CARGO_PKG_VERSION")))?;
            if cli.json {
                print_json(&serde_json::json!({ "report": report }))
            } else {
                print!("{report}");
                Ok(())
            }
        }
        Command::Credentials(CredentialsCommand::Set(args)) => {
            let secret = if args.client_secret_stdin {
                SecretString::from(read_secret(std::io::stdin())?)
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
                eprintln!("zbsetup: note: {}", terminal_safe(&w.message));
            }
            print_status(cli, &outcome.status)
        }
        Command::Credentials(CredentialsCommand::CarryOver) => {
            print_status(cli, &setup.carry_over_secret()?)
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
        Command::Connect(args) => rt.block_on(connect(cli, &setup, args)),
        Command::Connections => print_connections(cli, &setup.connections()?),
        Command::Disconnect { id, force } => {
            rt.block_on(setup.disconnect(id, *force))?;
            if cli.json {
                print_json(&serde_json::json!({ "disconnected": id }))
            } else {
                println!("Disconnected {}.", terminal_safe(id));
                Ok(())
            }
        }
        Command::Pull(args) => rt.block_on(pull(cli, setup, args)),
        Command::Pulls { id } => print_pulls(cli, &setup.pull_results(id)?.history),
        Command::Export { id, format, out } => {
            let format: ExportFormat = format.parse().map_err(zbs_setup::Error::from)?;
            let summary = setup.export_pull(id, format, out)?;
            if cli.json {
                return print_json(&summary);
            }
            for f in &summary.files {
                println!("{}", serde_json::to_string(f).unwrap_or_default());
            }
            Ok(())
        }
        Command::Platform(PlatformCommand::Set { name, callback }) => {
            let choice = platform_choice(name, callback.as_deref())?;
            print_status(cli, &setup.set_platform(choice)?)
        }
        Command::Tick { item, undo } => print_status(cli, &setup.set_step(item, !*undo)?),
        Command::Handoff { show_secret } => print_handoff(cli, &setup, *show_secret),
        Command::CheckKeys => {
            let check = rt.block_on(setup.check_keys_with_zoho())?;
            if cli.json {
                print_json(&check)?;
            } else {
                for d in &check.data_centers {
                    let mark = match d.status {
                        KeyCheckStatus::Ok => "ok",
                        KeyCheckStatus::Refused => "REFUSED",
                        KeyCheckStatus::Unreachable => "not reached",
                    };
                    println!("{:<3} {:<12} {}", d.region.to_uppercase(), mark, d.message);
                    if let Some(fix) = &d.fix {
                        println!("                 Fix: {fix}");
                    }
                }
            }
            if check.all_ok() {
                Ok(())
            } else {
                Err(Failure(
                    "not every chosen data center accepts these keys; see the fix above each one"
                        .into(),
                ))
            }
        }
        Command::Test { id, entities } => {
            let entities = match entities {
                Some(list) => parse_entities(list)?,
                None => Vec::new(),
            };
            let test = rt.block_on(setup.test_connection(id, &entities))?;
            if cli.json {
                print_json(&test)?;
            } else {
                println!("{}", terminal_safe(&test.message));
                for m in &test.modules {
                    let mark = if m.ok { "ok" } else { "REFUSED" };
                    println!(
                        "  {:<18} {:<8} {}",
                        m.entity.name(),
                        mark,
                        terminal_safe(&m.message)
                    );
                }
            }
            if test.ok {
                Ok(())
            } else {
                Err(Failure(
                    "the test did not pass; see above for what to do".into(),
                ))
            }
        }
        Command::Report { out } => {
            let saved = match out {
                Some(dir) => setup.save_test_report(dir)?,
                None => setup.save_test_report_to_downloads()?,
            };
            if cli.json {
                print_json(&saved)
            } else {
                println!("Test report saved: {}", saved.path);
                Ok(())
            }
        }
        Command::Simulate(_) => unreachable!("handled above"),
        Command::Completions { .. } | Command::Man { .. } => unreachable!("answered in main"),
    }
}

/// Reads the Client Secret from standard input, refusing one far longer than
/// any Zoho secret (`yes | zbsetup ...` is refused, not read forever). Room is
/// left for a line ending and stray spaces, which the key check trims.
fn read_secret(input: impl Read) -> Result<String, Failure> {
    let limit = zbs_setup::validate::MAX_KEY_LEN + 16;
    let mut text = String::new();
    input
        .take(limit as u64 + 1)
        .read_to_string(&mut text)
        .map_err(|e| {
            Failure(format!(
                "could not read the Client Secret from standard input: {e}"
            ))
        })?;
    if text.len() > limit {
        return Err(Failure(format!(
            "the Client Secret on standard input is longer than {} characters, far longer than \
             a Zoho Client Secret (about 40): give only the Client Secret, e.g. `zbsetup \
             credentials set --client-id ID --client-secret-stdin < secret.txt`",
            zbs_setup::validate::MAX_KEY_LEN
        )));
    }
    Ok(text)
}

/// The help of an `--entities` option: what it chooses, then every record
/// type's name and the default (from the one list of record types).
fn entities_help(what: &str) -> String {
    let default: Vec<&str> = Entity::default_selection()
        .iter()
        .map(|e| e.name())
        .collect();
    format!(
        "{what}, comma-separated, of: {} (default: {})",
        Entity::names(),
        default.join(",")
    )
}

/// A comma-separated list of entity names.
fn parse_entities(list: &str) -> Result<Vec<Entity>, Failure> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<Entity>().map_err(|e| Failure(e.to_string())))
        .collect()
}

fn pull_options(args: &PullArgs) -> Result<PullOptions, Failure> {
    let mut options = PullOptions::default();
    if let Some(list) = &args.entities {
        options.entities = parse_entities(list)?;
    }
    if args.all {
        options.sample = None;
    } else if let Some(n) = args.sample {
        options.sample = Some(n);
    }
    options.line_items = args.line_items;
    options.customer_details = args.customer_details;
    Ok(options)
}

async fn pull(cli: &Cli, setup: Setup, args: &PullArgs) -> Result<(), Failure> {
    let options = pull_options(args)?;
    let setup = std::sync::Arc::new(setup);
    if args.count {
        let counted = setup
            .count_records(&args.id, &options, CancellationToken::new())
            .await?;
        if !cli.json {
            let totals: Vec<String> = counted
                .totals
                .iter()
                .map(|t| {
                    let at_least = if t.complete { "" } else { "at least " };
                    format!("{at_least}{} {}", t.records, t.entity.label())
                })
                .collect();
            eprintln!(
                "Counted with {} API call{}: {}.",
                counted.calls,
                if counted.calls == 1 { "" } else { "s" },
                if totals.is_empty() {
                    "nothing".to_owned()
                } else {
                    totals.join(", ")
                }
            );
        }
        if let Some(why) = &counted.stopped {
            eprintln!("zbsetup: {}", terminal_safe(why));
        }
    }
    if args.dry_run {
        let forecast = setup.forecast_pull(&args.id, &options)?;
        if cli.json {
            return print_json(&forecast);
        }
        println!(
            "About {}{} API calls{}, {:.0} s at the rate limit; daily quota left: {}.",
            if forecast.lower_bound {
                "at least "
            } else {
                ""
            },
            forecast.calls,
            if forecast.lower_bound && forecast.counted_at.is_none() {
                " (--count counts the records first, for a figure)"
            } else {
                ""
            },
            forecast.seconds,
            match (forecast.daily_quota_left, forecast.daily_quota_guess) {
                (Some(n), _) => n.to_string(),
                (None, Some(g)) => format!(
                    "not reported by Zoho yet (the organization's plan usually allows {g} a day: \
                     a guess)"
                ),
                (None, None) => "not reported by Zoho yet".into(),
            }
        );
        return Ok(());
    }
    // Never more calls than the forecast plus a margin without being asked.
    let max_calls = match args.max_calls {
        Some(n) => Some(n),
        None => {
            let e = setup.forecast_pull(&args.id, &options)?;
            (!e.lower_bound).then(|| e.calls + (e.calls / 4).max(20))
        }
    };
    let interrupted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let cancel = CancellationToken::new();
    let (on_ctrl_c, stopped) = (cancel.clone(), interrupted.clone());
    tokio::spawn(async move {
        if stop_signal().await {
            eprintln!(
                "zbsetup: stopping; the pull is saved and continues where it left off next time."
            );
            stopped.store(true, Ordering::SeqCst);
            on_ctrl_c.cancel();
        }
    });
    let quiet = cli.json;
    // At a terminal the line is redrawn when it changes; into a file or a
    // pipe a new line is written when it changed, at most every few seconds.
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let shown = std::sync::Mutex::new((String::new(), None::<std::time::Instant>));
    let progress = move |p: Progress| {
        if quiet {
            return;
        }
        let records: u64 = p.entities.values().map(|e| e.records).sum();
        let line = format!(
            "{records} records, {} calls, {}/{:.0} requests per minute{}",
            p.calls,
            p.requests_last_minute,
            p.limit_per_minute,
            p.waiting
                .as_deref()
                .map(|w| format!(" ({})", terminal_safe(w)))
                .unwrap_or_default()
        );
        let mut shown = shown.lock().unwrap_or_else(|e| e.into_inner());
        if shown.0 == line {
            return;
        }
        if terminal {
            eprint!("\r{line}        ");
        } else {
            if shown.1.is_some_and(|at| at.elapsed() < PROGRESS_LINE_EVERY) {
                return;
            }
            eprintln!("{line}");
            shown.1 = Some(std::time::Instant::now());
        }
        shown.0 = line;
    };
    // The limit is the engine's: the call past it is never sent.
    let controls = PullControls::default()
        .progress(progress)
        .cancel(cancel)
        .at_most(max_calls);
    let result = setup.pull(&args.id, &options, controls).await;
    if !quiet && terminal {
        eprintln!();
    }
    let report = match result {
        Err(e)
            if e.code() == zbs_codes::Code::Cancelled
                && max_calls.is_some()
                && !interrupted.load(Ordering::SeqCst) =>
        {
            let n = max_calls.unwrap_or_default();
            let why = if args.max_calls.is_some() {
                "the limit given with --max-calls"
            } else {
                "the most it may use without asking: the forecast plus a margin"
            };
            let calls = if n == 1 { "call" } else { "calls" };
            return Err(Failure(format!(
                "The pull stopped after {n} API {calls}, {why}. What was pulled is saved: to \
                 continue, run the same command again with --max-calls set higher."
            )));
        }
        other => other?,
    };
    if cli.json {
        return print_json(&report);
    }
    for (name, e) in &report.entities {
        let refused = if report.not_permitted.iter().any(|r| r.name() == name) {
            " (refused by Zoho to this user)"
        } else {
            ""
        };
        println!("{}{refused}", entity_line(name, e));
    }
    if let Some(message) = &report.message {
        println!("{}", terminal_safe(message));
    }
    println!(
        "{} calls in {:.1} s, {} answered \"too many requests\"; {}",
        report.calls,
        report.seconds,
        report.http_429,
        if report.complete {
            "complete."
        } else {
            "not complete: run the same command again to continue."
        }
    );
    Ok(())
}

/// How often a pull's progress is written when stderr is not a terminal.
const PROGRESS_LINE_EVERY: Duration = Duration::from_secs(5);

/// "invoices: 43 records, 3 calls. 7 records had no id and were not stored."
fn entity_line(name: &str, e: &EntityReport) -> String {
    let without_id = match e.without_id {
        0 => String::new(),
        1 => ". 1 record had no id and was not stored.".to_owned(),
        n => format!(". {n} records had no id and were not stored."),
    };
    format!(
        "{name}: {} records, {} calls{without_id}",
        e.records, e.calls
    )
}

/// The pull history, newest first.
fn print_pulls(cli: &Cli, history: &[HistoryRow]) -> Result<(), Failure> {
    if cli.json {
        return print_json(&history);
    }
    if history.is_empty() {
        println!("No pulls yet.");
    }
    for h in history {
        println!(
            "Pull {}: {}, started {}; {} calls in {:.1} s.",
            h.id,
            h.state.as_str(),
            h.started_at,
            h.calls,
            h.seconds
        );
        for (name, e) in &h.entities {
            println!("  {}", entity_line(name, e));
        }
        if let Some(message) = &h.message {
            println!("  {}", terminal_safe(message));
        }
    }
    Ok(())
}

/// Waits for Ctrl-C or (Unix) SIGTERM, the signal a service manager or
/// `kill` sends; true once one came. Either stops a pull the same way:
/// cancelled, saved, marked so in the history, exit status 1.
async fn stop_signal() -> bool {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                r = tokio::signal::ctrl_c() => r.is_ok(),
                r = term.recv() => r.is_some(),
            };
        }
    }
    tokio::signal::ctrl_c().await.is_ok()
}

async fn connect(cli: &Cli, setup: &Setup, args: &ConnectArgs) -> Result<(), Failure> {
    if setup.redirect_method()? == RedirectMethod::DeepLink {
        return Err(Failure(
            "zbsetup connect receives the sign-in at http://localhost (or 127.0.0.1); this setup \
             uses the app link instead. Choose \"This computer\" in the app's registration step, \
             or connect from the app"
                .into(),
        ));
    }
    let entities = match &args.entities {
        Some(list) => parse_entities(list)?,
        None => Entity::default_selection(),
    };
    let sign_in = setup.begin_sign_in_to_read(
        args.region.as_deref(),
        args.reconnect.as_deref(),
        &entities,
    )?;
    eprintln!("{}", terminal_safe(&sign_in.start.asking));
    if let Some(warning) = &sign_in.start.warning {
        eprintln!("zbsetup: warning: {}", terminal_safe(warning));
    }
    eprintln!("authorize: {}", sign_in.start.authorize_url);
    if !args.no_browser && opener::open_browser(&sign_in.start.authorize_url).is_err() {
        eprintln!("zbsetup: the browser did not open; open the link above yourself.");
    }
    eprintln!(
        "Waiting for the sign-in to come back (up to {} s)...",
        args.timeout
    );
    let choices = setup
        .wait_sign_in(sign_in, Duration::from_secs(args.timeout))
        .await?;
    let chosen = setup.choose_organization(args.org.as_deref());
    if chosen.is_err() {
        // Nothing will be kept from this sign-in: Zoho is told so.
        setup.cancel_connect();
    }
    setup.revoke_discarded().await;
    let connection = chosen.map_err(|e| {
        let known: Vec<String> = choices
            .iter()
            .map(|c| format!("{} ({})", c.organization_id, terminal_safe(&c.name)))
            .collect();
        Failure(format!("{e} Organizations: {}.", known.join(", ")))
    })?;
    if cli.json {
        print_json(&connection)
    } else {
        println!(
            "Connected {} ({}) in the {} data center as {}.",
            terminal_safe(&connection.organization_name),
            terminal_safe(&connection.organization_id),
            terminal_safe(&connection.region.to_uppercase()),
            terminal_safe(&connection.id)
        );
        Ok(())
    }
}

fn platform_choice(name: &str, callback: Option<&str>) -> Result<PlatformChoice, Failure> {
    let lower = name.trim().to_ascii_lowercase();
    match (lower.as_str(), callback) {
        ("none" | "only-this-app", None) => Ok(PlatformChoice::OnlyThisApp),
        ("codat", None) => Ok(PlatformChoice::Codat),
        ("none" | "only-this-app" | "codat", Some(_)) => Err(Failure(format!(
            "{name} needs no --callback: leave it out (Codat's callback is built in)."
        ))),
        (_, Some(callback)) => Ok(PlatformChoice::Other {
            name: name.to_owned(),
            callback: callback.to_owned(),
        }),
        (_, None) => Err(Failure(format!(
            "give the callback URI of {name} from its setup guide: `zbsetup platform set \"{name}\" --callback https://...`"
        ))),
    }
}

fn print_handoff(cli: &Cli, setup: &Setup, show_secret: bool) -> Result<(), Failure> {
    if cli.json && show_secret {
        return Err(Failure(
            "the Client Secret is never written as JSON; leave out --show-secret (or --json)"
                .into(),
        ));
    }
    let h = setup.handoff()?;
    if cli.json {
        return print_json(&h);
    }
    let labels = &h.platform.labels;
    if h.platform.callback.is_none() {
        println!("Keys used only by this app (choose a platform with `zbsetup platform set`).");
    } else {
        println!("Paste these into {}:", h.platform.name);
    }
    println!(
        "  {}: {}",
        labels.client_id,
        h.client_id.as_deref().unwrap_or("(not saved)")
    );
    if show_secret {
        match setup.client_secret()? {
            Some(secret) => println!("  {}: {}", labels.client_secret, secret.expose_secret()),
            None => println!("  {}: (not saved)", labels.client_secret),
        }
    } else {
        println!(
            "  {}: {} (add --show-secret to print it)",
            labels.client_secret,
            h.secret_mask.as_deref().unwrap_or("(not saved)")
        );
    }
    println!("  {}: on", labels.enabled);
    for uri in &h.redirect_uris {
        println!("Redirect URI:   {uri}");
    }
    println!(
        "Accepted at:    {}",
        if h.accepted_data_centers.is_empty() {
            "(no data center yet: test the integration first)".to_owned()
        } else {
            h.accepted_data_centers
                .iter()
                .map(|r| r.to_uppercase())
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    println!("Scopes:         {}", h.scopes.join(","));
    match &h.not_ready {
        None => println!("Ready to hand on."),
        Some(why) if !h.tested => println!(
            "Not ready: {} (a test pull: `zbsetup pull ID`)",
            terminal_safe(why)
        ),
        Some(why) => println!("Not ready: {}", terminal_safe(why)),
    }
    Ok(())
}

fn print_connections(cli: &Cli, list: &[Connection]) -> Result<(), Failure> {
    if cli.json {
        return print_json(&list);
    }
    if list.is_empty() {
        println!("No connections yet. Connect one with `zbsetup connect`.");
    }
    for c in list {
        let state = match c.state {
            ConnectionState::Ok => "connected",
            ConnectionState::NeedsReconnect => "needs reconnecting",
        };
        println!(
            "{}  {} ({})  {}  {}  since {}",
            terminal_safe(&c.id),
            terminal_safe(c.label.as_deref().unwrap_or(&c.organization_name)),
            terminal_safe(&c.organization_id),
            terminal_safe(&c.region.to_uppercase()),
            state,
            terminal_safe(&c.connected_at)
        );
    }
    Ok(())
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
        terminal_safe(s.client_id.as_deref().unwrap_or("(not saved)"))
    );
    println!(
        "Client Secret:  {}",
        match (&s.secret_mask, s.secret_stored, s.profile) {
            (Some(mask), _, Profile::Demo) => format!("{mask} (made up, in the demo's folder)"),
            (Some(mask), _, Profile::Real) => format!("{mask} (in the system keyring)"),
            (None, true, Profile::Demo) => "in the demo's folder".into(),
            (None, true, Profile::Real) => "stored in the system keyring".into(),
            (None, false, _) => "(not saved)".into(),
        }
    );
    println!("Enabled:        {}", yes_no(s.enabled));
    println!("Regions:        {}", s.regions.join(", "));
    println!("Platform:       {}", terminal_safe(&s.platform.name));
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
    if let Some(notice) = &s.redirect_notice {
        println!("Redirect:       {notice} (The window's \"Add your keys\" step has the switch.)");
    }
    Ok(())
}
