//! `zbsetup simulate`: the Zoho Books simulator on 127.0.0.1 until interrupted.
//!
//! It writes the endpoints file for `ZBSETUP_ENDPOINTS` and registers a client
//! (the one given, or a made-up one whose Client ID and Secret it prints) with
//! the loopback and deep-link redirect URIs allowed.

use std::time::Duration;

use zbs_sim::{ClientSpec, SimConfig, Simulator};

use crate::{Failure, SimulateArgs};

/// Parses `<requests>/<seconds>s`, e.g. `100/60s`.
pub fn parse_rate(text: &str) -> Result<(u32, Duration), Failure> {
    let bad = || {
        Failure(format!(
            "the rate \"{text}\" is not of the form <requests>/<seconds>s, e.g. 100/60s"
        ))
    };
    let (n, per) = text.trim().split_once('/').ok_or_else(bad)?;
    let secs = per.strip_suffix('s').unwrap_or(per);
    let n: u32 = n.parse().map_err(|_| bad())?;
    let secs: u64 = secs.parse().map_err(|_| bad())?;
    if n == 0 || secs == 0 {
        return Err(bad());
    }
    Ok((n, Duration::from_secs(secs)))
}

pub async fn run(args: &SimulateArgs) -> Result<(), Failure> {
    let mut cfg = SimConfig {
        seed: args.seed,
        records_per_entity: args.records,
        rate_limit: parse_rate(&args.rate)?,
        daily_quota: args.daily,
        ..SimConfig::default()
    };
    let client = match &args.client_id {
        Some(id) => {
            let secret = crate::read_secret(std::io::stdin())?;
            ClientSpec {
                client_id: id.trim().to_owned(),
                client_secret: secret.trim().to_owned(),
                client_name: "Zoho Books Setup (simulated)".into(),
                redirect_uris: ClientSpec::default_redirect_uris(),
            }
        }
        None => ClientSpec::generate(args.seed),
    };
    cfg.clients = vec![client.clone()];
    let sim = Simulator::start(cfg)
        .await
        .map_err(|e| Failure(format!("the simulator could not start: {e}")))?;
    if let Some(path) = &args.endpoints_out {
        sim.write_endpoints_file(path)
            .map_err(|e| Failure(format!("could not write {}: {e}", path.display())))?;
        println!("endpoints: {}", path.display());
    }
    for (region, ep) in sim.endpoints() {
        println!("{region}: accounts {} api {}", ep.accounts, ep.api);
    }
    if args.client_id.is_none() {
        println!("client_id: {}", client.client_id);
        println!("client_secret: {}", client.client_secret);
    }
    println!("Simulating Zoho Books; press Ctrl+C to stop.");
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure(format!("could not wait for Ctrl+C: {e}")))?;
    sim.shutdown().await;
    Ok(())
}
