//! Demo mode: the built-in Zoho Books simulator, run inside the app.
//!
//! A sales engineer (or anyone without a Zoho account) clicks through the
//! whole flow — keys, switch, connect, consent, sample pull — against
//! `zbs-sim` on 127.0.0.1, with no network. The demo profile has its own
//! database folder and keyring service, so nothing mixes with real setups.
//! The simulator listens on fixed ports when it can, so demo connections keep
//! pointing at the same addresses across restarts.

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;
use zbs_sim::{ClientSpec, SimConfig, SimHandle, Simulator, REGIONS};
use zbs_zoho::dc::DataCenters;

use crate::error::Error;

/// The first of the ports the demo simulator prefers (accounts, API per region).
pub const DEMO_PORT_BASE: u16 = 47830;

/// The made-up keys of the demo client, shown on the demo's "Add your keys"
/// step. They only open the simulator on this computer.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DemoKeys {
    pub client_id: String,
    pub client_secret: String,
}

/// The running demo simulator.
pub struct Demo {
    sim: SimHandle,
    client: ClientSpec,
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Demo")
            .field("client_id", &self.client.client_id)
            .finish_non_exhaustive()
    }
}

/// The demo's simulator settings: plausible volumes, Zoho's own limits.
pub fn demo_config(fixed_ports: bool) -> SimConfig {
    let mut cfg = SimConfig {
        records_per_entity: 240,
        ..SimConfig::default()
    };
    cfg.clients = vec![ClientSpec::generate(2024)];
    if fixed_ports {
        cfg.ports = REGIONS
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let base = DEMO_PORT_BASE + 2 * i as u16;
                ((*r).to_owned(), (base, base + 1))
            })
            .collect::<BTreeMap<_, _>>();
    }
    cfg
}

impl Demo {
    /// Starts the simulator (on its fixed ports when free, else on any).
    pub async fn start() -> Result<Demo, Error> {
        let sim = match Simulator::start(demo_config(true)).await {
            Ok(sim) => sim,
            Err(e) => {
                tracing::warn!("demo simulator could not use its usual ports ({e}); using others");
                Simulator::start(demo_config(false))
                    .await
                    .map_err(|e| Error::Demo {
                        detail: e.to_string(),
                    })?
            }
        };
        let client = sim.clients().into_iter().next().ok_or(Error::Demo {
            detail: "the simulator has no client".into(),
        })?;
        tracing::info!("demo simulator started");
        Ok(Demo { sim, client })
    }

    /// The simulator's data centers, the only ones the demo profile trusts.
    pub fn data_centers(&self) -> Result<DataCenters, Error> {
        Ok(DataCenters::from_json(
            &self.sim.endpoints_json().to_string(),
        )?)
    }

    pub fn keys(&self) -> DemoKeys {
        DemoKeys {
            client_id: self.client.client_id.clone(),
            client_secret: self.client.client_secret.clone(),
        }
    }

    pub fn sim(&self) -> &SimHandle {
        &self.sim
    }
}
