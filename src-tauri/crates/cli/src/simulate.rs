//! `zbsetup simulate`: the Zoho Books simulator on 127.0.0.1 until interrupted.
//!
//! It writes the endpoints file for `ZBSETUP_ENDPOINTS` and registers a client
//! (the one given, or a made-up one whose Client ID and Secret it prints) with
//! the loopback and deep-link redirect URIs allowed.

use zbs_pull::RateBudget;
use zbs_sim::{ClientSpec, SimConfig, Simulator};

use crate::{Failure, SimulateArgs};

pub async fn run(args: &SimulateArgs) -> Result<(), Failure> {
    let mut cfg = SimConfig {
        seed: args.seed,
        records_per_entity: args.records,
        rate_limit: {
            // The same `<requests>/<seconds>s` form as ZBSETUP_RATE_LIMIT.
            let budget = RateBudget::parse(&args.rate).map_err(|e| Failure(e.to_string()))?;
            (budget.requests, budget.per)
        },
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
                ..ClientSpec::generate(args.seed)
            }
        }
        None => ClientSpec::generate(args.seed),
    };
    let mut client = client;
    if let Some(list) = &args.data_centers {
        let on: Vec<String> = list
            .split(',')
            .map(|r| r.trim().to_ascii_lowercase())
            .filter(|r| !r.is_empty())
            .collect();
        if let Some(bad) = on.iter().find(|r| !zbs_sim::REGIONS.contains(&r.as_str())) {
            return Err(Failure(format!(
                "unknown data center {bad:?}; use {}",
                zbs_sim::REGIONS.join(", ")
            )));
        }
        client.data_centers = Some(on);
    }
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
