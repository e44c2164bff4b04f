//! What people expect of a command-line tool: `--version`, shell completions
//! and a manual page from the same definitions as `--help`, and colour only
//! on a terminal, never with `NO_COLOR`. None of these touches the data
//! folder or the keyring.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_zbsetup");

/// Runs `zbsetup ARGS` with a private home and data folder (never created).
fn run_in(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("ZBSETUP_DATA_DIR", home.join("zbsetup-data"))
        .env_remove("ZBSETUP_LOG")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("zbsetup runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn nothing_created(home: &Path) {
    let left: Vec<_> = std::fs::read_dir(home).unwrap().flatten().collect();
    assert!(left.is_empty(), "created {left:?}");
}

/// The commands `--help` lists, each of which completions and the manual name.
const COMMANDS: &[&str] = &[
    "status",
    "diagnostics",
    "credentials",
    "regions",
    "connect",
    "pull",
    "export",
    "simulate",
    "check-keys",
    "handoff",
    "completions",
];

#[test]
fn version_prints_the_package_version() {
    let home = tempfile::tempdir().unwrap();
    for flag in ["--version", "-V"] {
        let out = run_in(home.path(), &[flag], &[]);
        assert!(out.status.success(), "{out:?}");
        assert_eq!(
            text(&out.stdout),
            format!("zbsetup {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
    nothing_created(home.path());
}

#[test]
fn completions_for_bash_zsh_and_fish_name_every_command() {
    let home = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "complete -F _zbsetup"),
        ("zsh", "#compdef zbsetup"),
        ("fish", "complete -c zbsetup"),
    ] {
        let out = run_in(home.path(), &["completions", shell], &[]);
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(script.contains(marker), "{shell}: no {marker:?}");
        for command in COMMANDS {
            assert!(script.contains(command), "{shell}: lacks {command}");
        }
        for option in ["data-dir", "json", "demo", "entities", "max-calls"] {
            assert!(script.contains(option), "{shell}: lacks --{option}");
        }
        assert!(out.stderr.is_empty(), "{shell}: {}", text(&out.stderr));
    }
    nothing_created(home.path());
}

#[test]
fn completions_of_an_unknown_shell_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let out = run_in(home.path(), &["completions", "tcsh"], &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(text(&out.stderr).contains("bash"), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
}

#[test]
fn bash_completion_script_loads_and_completes_commands() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("zbsetup.bash");
    let out = run_in(home.path(), &["completions", "bash"], &[]);
    std::fs::write(&file, &out.stdout).unwrap();
    // What bash does on `zbsetup chec<TAB>`.
    let probe = format!(
        "source {}; COMP_WORDS=(zbsetup chec); COMP_CWORD=1; COMP_LINE='zbsetup chec'; COMP_POINT=12; _zbsetup zbsetup chec zbsetup; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        file.display()
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &probe])
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "check-keys", "{out:?}");
}

#[test]
fn the_man_page_is_built_from_the_same_definitions() {
    let home = tempfile::tempdir().unwrap();
    let out = run_in(home.path(), &["man"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = text(&out.stdout);
    assert!(page.contains(".TH zbsetup 1"), "{page}");
    assert!(
        page.contains(&format!("zbsetup {}", env!("CARGO_PKG_VERSION"))),
        "{page}"
    );
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        ".SH SUBCOMMANDS",
        ".SH \"EXIT STATUS\"",
        ".SH ENVIRONMENT",
        "NO_COLOR",
    ] {
        assert!(page.contains(section), "lacks {section}");
    }
    for command in COMMANDS {
        assert!(
            page.contains(&format!("zbsetup\\-{}", command.replace('-', "\\-"))),
            "lacks {command}"
        );
    }
    // Each command's help text is the one `--help` prints.
    let help = run_in(home.path(), &["--help"], &[]);
    let help = text(&help.stdout);
    assert!(help.contains("Ask each chosen data center whether it accepts the saved keys"));
    assert!(page.contains("Ask each chosen data center whether it accepts the saved keys"));
    nothing_created(home.path());
}

#[test]
fn man_out_dir_writes_a_page_per_command() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        home.path(),
        &["man", "--out-dir", dir.path().to_str().unwrap()],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let main = std::fs::read_to_string(dir.path().join("zbsetup.1")).unwrap();
    assert_eq!(main, text(&run_in(home.path(), &["man"], &[]).stdout));
    for command in COMMANDS {
        let page = dir.path().join(format!("zbsetup-{command}.1"));
        let page = std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{page:?}: {e}"));
        assert!(page.contains(&format!(".TH zbsetup-{command} 1")), "{page}");
    }
    assert!(dir.path().join("zbsetup-credentials-set.1").exists());
    assert!(!dir.path().join("zbsetup-help.1").exists());
    nothing_created(home.path());
}

#[test]
fn the_man_page_renders_without_warnings() {
    let Ok(probe) = Command::new("man").arg("--version").output() else {
        eprintln!("skipped: man is not installed");
        return;
    };
    if !probe.status.success() {
        eprintln!("skipped: man is not usable here");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("zbsetup.1");
    std::fs::write(&file, run_in(home.path(), &["man"], &[]).stdout).unwrap();
    let out = Command::new("man")
        .args(["--warnings", "-l"])
        .arg(&file)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let shown = text(&out.stdout);
    assert!(shown.contains("EXIT STATUS"), "{shown}");
    assert!(shown.contains("check-keys"), "{shown}");
    assert!(out.stderr.is_empty(), "man warned: {}", text(&out.stderr));
}

/// Runs `zbsetup ARGS` on a terminal (a pseudo-terminal from util-linux's
/// `script`) and returns what the terminal showed.
fn on_a_terminal(home: &Path, args: &str, env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &format!("{BIN} {args}"), "/dev/null"])
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("ZBSETUP_DATA_DIR", home.join("zbsetup-data"))
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("script (util-linux) gives a terminal");
    text(&out.stdout)
}

const ESC: char = '\u{1b}';

#[test]
fn no_colour_when_stderr_is_not_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    // A log line on stderr.
    let out = run_in(
        home.path(),
        &["completions", "bash"],
        &[("ZBSETUP_LOG", "debug")],
    );
    let err = text(&out.stderr);
    assert!(err.contains("zbsetup started"), "{err}");
    assert!(!err.contains(ESC), "colour in a pipe: {err:?}");
    // A usage error.
    let out = run_in(home.path(), &["--no-such-option"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("--no-such-option"), "{err}");
    assert!(!err.contains(ESC), "colour in a pipe: {err:?}");
}

#[test]
fn colour_on_a_terminal_unless_no_color_is_set() {
    let home = tempfile::tempdir().unwrap();
    let log = on_a_terminal(
        home.path(),
        "completions bash >/dev/null",
        &[("ZBSETUP_LOG", "debug")],
    );
    assert!(log.contains("zbsetup started"), "{log:?}");
    assert!(log.contains(ESC), "no colour on a terminal: {log:?}");
    let usage = on_a_terminal(home.path(), "--no-such-option", &[]);
    assert!(usage.contains("--no-such-option"), "{usage:?}");
    assert!(usage.contains(ESC), "no colour on a terminal: {usage:?}");

    for no_color in ["1", "true"] {
        let log = on_a_terminal(
            home.path(),
            "completions bash >/dev/null",
            &[("ZBSETUP_LOG", "debug"), ("NO_COLOR", no_color)],
        );
        assert!(log.contains("zbsetup started"), "{log:?}");
        assert!(!log.contains(ESC), "colour despite NO_COLOR: {log:?}");
        let usage = on_a_terminal(home.path(), "--no-such-option", &[("NO_COLOR", no_color)]);
        assert!(usage.contains("--no-such-option"), "{usage:?}");
        assert!(!usage.contains(ESC), "colour despite NO_COLOR: {usage:?}");
    }
    // An empty NO_COLOR is unset (no-color.org).
    let log = on_a_terminal(
        home.path(),
        "completions bash >/dev/null",
        &[("ZBSETUP_LOG", "debug"), ("NO_COLOR", "")],
    );
    assert!(log.contains(ESC), "{log:?}");
}
