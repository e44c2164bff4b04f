//! The window's command line, run as a person would run the built binary:
//! `--help` and `--version` print and exit 0 without starting anything, and
//! without a display the app says so in one plain line and exits 1. None of
//! them creates a file (no logs folder, no data folder) in the home folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_zoho-books-setup");

/// A private home with its own XDG folders, all inside one temp folder.
struct Home {
    root: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        Home {
            root: tempfile::tempdir().expect("temp home"),
        }
    }

    fn path(&self) -> &Path {
        self.root.path()
    }

    /// Runs the app with this home, no display and none of the app's own
    /// settings from the caller's environment.
    fn run(&self, args: &[&str]) -> Output {
        let home = self.path();
        Command::new(BIN)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("RUST_BACKTRACE", "1")
            .output()
            .expect("run zoho-books-setup")
    }

    /// Every file or folder under the home (it was created empty).
    fn contents(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("read home").flatten() {
                found.push(entry.path());
                if entry.path().is_dir() {
                    walk(&entry.path(), found);
                }
            }
        }
        let mut found = Vec::new();
        walk(self.path(), &mut found);
        found
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_prints_the_options_and_exits() {
    for flag in ["--help", "-h"] {
        let home = Home::new();
        let out = home.run(&[flag]);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{flag}: {out:?}");
        assert!(stdout.starts_with("Zoho Books Setup "), "{flag}: {stdout}");
        for option in [
            "Usage: zoho-books-setup",
            "--demo",
            "--data-dir",
            "--version",
            "zbsetup://",
        ] {
            assert!(
                stdout.contains(option),
                "{flag}: help lacks {option}: {stdout}"
            );
        }
        assert!(out.stderr.is_empty(), "{flag}: {}", text(&out.stderr));
        assert!(
            home.contents().is_empty(),
            "{flag} created {:?}",
            home.contents()
        );
    }
}

#[test]
fn version_prints_the_package_version_and_exits() {
    for flag in ["--version", "-V"] {
        let home = Home::new();
        let out = home.run(&[flag]);
        assert_eq!(out.status.code(), Some(0), "{flag}: {out:?}");
        assert_eq!(
            text(&out.stdout),
            format!("zoho-books-setup {}\n", env!("CARGO_PKG_VERSION"))
        );
        assert!(out.stderr.is_empty(), "{flag}: {}", text(&out.stderr));
        assert!(
            home.contents().is_empty(),
            "{flag} created {:?}",
            home.contents()
        );
    }
}

#[test]
fn help_wins_over_other_options_but_not_as_their_value() {
    let home = Home::new();
    let out = home.run(&["--demo", "--help"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(text(&out.stdout).contains("Usage:"));
    // `--data-dir --help` names a folder called --help: the app tries to
    // start, and (no display here) stops at once.
    let out = home.run(&["--data-dir", "--help"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(home.contents().is_empty(), "created {:?}", home.contents());
}

#[cfg(target_os = "linux")]
#[test]
fn without_a_display_one_plain_line_exit_1_and_nothing_created() {
    for args in [
        &[][..],
        &["--demo"][..],
        &["zbsetup://oauth/callback?code=x&state=y"][..],
    ] {
        let home = Home::new();
        let out = home.run(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
        assert_eq!(stderr.lines().count(), 1, "{args:?}: one line: {stderr}");
        assert!(stderr.contains("no display"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            !stderr.contains('\u{1b}'),
            "{args:?}: plain text: {stderr:?}"
        );
        assert!(
            home.contents().is_empty(),
            "{args:?} created {:?}",
            home.contents()
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn an_empty_display_variable_is_no_display() {
    let home = Home::new();
    let out = Command::new(BIN)
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("DISPLAY", "")
        .env("WAYLAND_DISPLAY", "")
        .output()
        .expect("run zoho-books-setup");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(text(&out.stderr).contains("no display"));
    assert!(home.contents().is_empty(), "created {:?}", home.contents());
}
