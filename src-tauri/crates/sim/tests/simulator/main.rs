//! End-to-end tests of the simulator over real HTTP: each test starts its
//! own simulator on ephemeral ports and talks to it with reqwest.

mod common;
mod conformance;
mod faults;
mod limits;
mod oauth;
mod paging;
