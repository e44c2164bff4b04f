//! One pull per Zoho organization on this computer, whatever the data
//! folder: Zoho's limit of requests a minute is the organization's, so a
//! `zbsetup pull` from a second data folder connected to the same
//! organization is refused while the first runs, and succeeds after. The
//! same organization id at another simulator (another API domain) is
//! another organization and pulls at once. Run under `tests/session.sh`.

use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use zbs_codes::Code;
use zbs_pull::{Entity, PullControls, PullOptions};
use zbs_sim::Entity as SimEntity;

mod common;
use common::connected::{count, roomy_sim, Connected};

/// Zoho's default organization of the simulator (every simulator has it).
const ORG: &str = "775501234";
const ROUNDS: usize = 20;

/// A simulator whose default organization has `invoices` invoices, each
/// answer `latency` late: a pull of all of them takes a while.
async fn slow_sim(invoices: u64, latency: Duration) -> Connected {
    let c = Connected::start(roomy_sim(10)).await;
    c.sim
        .set_record_count(ORG, SimEntity::Invoices, invoices)
        .unwrap();
    c.sim.faults().set_latency(latency);
    c
}

/// A data folder `name` under the simulator's root, connected to [`ORG`].
async fn folder(c: &Connected, name: &str) -> (std::path::PathBuf, String) {
    let dir = c.root.path().join(name);
    c.prepare(&dir);
    let id = c.connect(&dir, Some(ORG)).await;
    (dir, id)
}

/// `zbsetup pull ID --all --entities invoices`, started, not waited for.
fn start_full_pull(c: &Connected, dir: &Path, id: &str) -> Child {
    c.quick_zbsetup(dir)
        .args(["pull", id, "--all", "--entities", "invoices"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// `zbsetup pull ID --sample 5 --entities invoices`, to its end.
fn sample_pull(c: &Connected, dir: &Path, id: &str) -> Output {
    c.quick_zbsetup(dir)
        .args(["pull", id, "--sample", "5", "--entities", "invoices"])
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Waits (at most 10 s) until the folder's connection has a running pull.
fn wait_running(dir: &Path, id: &str) -> Result<(), String> {
    let running = "SELECT COUNT(*) FROM pulls WHERE connection_id = ?1 AND state = 'running'";
    let deadline = Instant::now() + Duration::from_secs(10);
    while count(dir, running, id) == 0 {
        if Instant::now() > deadline {
            return Err("the first pull never started".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Ends `child` if it is still running and says how it ended.
fn finish(mut child: Child) -> Output {
    if child.try_wait().ok().flatten().is_none() {
        let _ = child.kill();
    }
    child.wait_with_output().unwrap()
}

/// One round: a full pull in `a`; meanwhile a pull in `b` (a process, and
/// this process through the same core) is refused naming `a`; after `a`
/// ends, `b` pulls.
async fn refused_then_allowed(
    c: &Connected,
    (a, id_a): (&Path, &str),
    (b, id_b): (&Path, &str),
    b_core: &Arc<zbs_setup::Setup>,
) -> Result<(), String> {
    let first = start_full_pull(c, a, id_a);
    if let Err(e) = wait_running(a, id_a) {
        finish(first);
        return Err(e);
    }
    let refused = sample_pull(c, b, id_b);
    let options = PullOptions {
        entities: vec![Entity::Invoices],
        sample: Some(5),
        ..PullOptions::default()
    };
    let in_core = b_core.pull(id_b, &options, PullControls::default()).await;
    let mut child = first;
    let a_was_running = child.try_wait().unwrap().is_none();
    let stderr = text(&refused.stderr);
    let mut wrong = Vec::new();
    if refused.status.code() != Some(1)
        || !stderr.contains("already running on this computer")
        || !stderr.contains(&a.display().to_string())
        || !stderr.contains("wait for that pull to finish")
    {
        wrong.push(format!(
            "the second folder's pull was not refused as expected (exit {:?}): {}",
            refused.status.code(),
            stderr.trim()
        ));
    }
    match &in_core {
        Err(e) if e.code() == Code::AlreadyRunningElsewhere => {}
        Err(e) => wrong.push(format!("the core refused with {}: {e}", e.code())),
        Ok(_) => wrong.push("the core's pull of the second folder ran".into()),
    }
    if !a_was_running {
        wrong.push("the first pull ended before the second was tried".into());
    }
    let done = child.wait_with_output().unwrap();
    if !done.status.success() {
        wrong.push(format!("the first pull failed: {}", text(&done.stderr)));
    }
    let after = sample_pull(c, b, id_b);
    if !after.status.success() {
        wrong.push(format!(
            "the second folder could not pull after the first ended: {}",
            text(&after.stderr)
        ));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("; "))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_data_folder_is_refused_while_the_organization_pulls_then_pulls() {
    let c = slow_sim(4_000, Duration::from_millis(80)).await;
    let (a, id_a) = folder(&c, "a").await;
    let (b, id_b) = folder(&c, "b").await;
    let b_core = Arc::new(c.setup(&b));
    let started = Instant::now();
    let mut passed = 0;
    for round in 0..ROUNDS {
        match refused_then_allowed(&c, (&a, &id_a), (&b, &id_b), &b_core).await {
            Ok(()) => passed += 1,
            Err(e) => eprintln!("round {round}: {e}"),
        }
    }
    eprintln!(
        "refused then allowed: {passed} of {ROUNDS} passed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(passed, ROUNDS, "{passed} of {ROUNDS} passed");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_organization_id_at_two_simulators_pulls_at_once() {
    let one = slow_sim(4_000, Duration::from_millis(80)).await;
    let two = slow_sim(10, Duration::ZERO).await;
    let (a, id_a) = folder(&one, "a").await;
    let (b, id_b) = folder(&two, "b").await;
    let rounds = 5;
    let mut passed = 0;
    for round in 0..rounds {
        let first = start_full_pull(&one, &a, &id_a);
        if let Err(e) = wait_running(&a, &id_a) {
            eprintln!("round {round}: {e}");
            finish(first);
            continue;
        }
        let other = sample_pull(&two, &b, &id_b);
        let mut child = first;
        let a_was_running = child.try_wait().unwrap().is_none();
        let done = child.wait_with_output().unwrap();
        if other.status.success() && a_was_running && done.status.success() {
            passed += 1;
        } else {
            eprintln!(
                "round {round}: second simulator's pull exit {:?} ({}), first still running \
                 then: {a_was_running}, first pull exit {:?} ({})",
                other.status.code(),
                text(&other.stderr).trim(),
                done.status.code(),
                text(&done.stderr).trim()
            );
        }
    }
    eprintln!("two simulators at once: {passed} of {rounds} passed");
    assert_eq!(passed, rounds, "{passed} of {rounds} passed");
}
