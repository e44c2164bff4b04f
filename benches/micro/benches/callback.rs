//! The OAuth callback parser (`zbs_zoho::callback::parse_callback`) on the
//! links it meets, against the floor of `url::Url::parse` plus collecting the
//! query pairs of the same deep link (what any URL-based parser would do):
//!
//! - `deep_link`: a granted `zbsetup://oauth/callback?code&state&location&accounts-server`;
//! - `loopback`: the same answer at `http://127.0.0.1:47823/oauth/callback`;
//! - `denied`: an `error=access_denied` answer with a description;
//! - `hostile_long`: a link just under the length cap with a repeated
//!   parameter, refused.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use zbs_zoho::callback::parse_callback;

const QUERY: &str = "state=2f1c0e9a7b6d4c3e8f0a1b2c3d4e5f60&code=1000.4f2a6c8e0b1d3f5a7c9e1b3d5f7a9c1e.8d6b4f2a0c8e6b4d2f0a8c6e4b2d0f8a&location=eu&accounts-server=https%3A%2F%2Faccounts.zoho.eu";

fn callback(c: &mut Criterion) {
    let deep = format!("zbsetup://oauth/callback?{QUERY}");
    let loopback = format!("http://127.0.0.1:47823/oauth/callback?{QUERY}");
    let denied = "zbsetup://oauth/callback?state=2f1c0e9a7b6d4c3e8f0a1b2c3d4e5f60&error=access_denied&error_description=The%20user%20denied%20access%20to%20%3Cb%3Ethe%20app%3C%2Fb%3E".to_owned();
    let mut hostile = format!("zbsetup://oauth/callback?{QUERY}&code=again");
    while hostile.len() + 8 < zbs_zoho::callback::MAX_CALLBACK_LEN {
        hostile.push_str("&x=yyyy");
    }
    assert!(parse_callback(&deep).is_ok());
    assert!(parse_callback(&loopback).is_ok());
    assert!(parse_callback(&denied).is_ok());
    assert!(parse_callback(&hostile).is_err());

    let mut g = c.benchmark_group("callback");
    g.bench_function("url_parse", |b| {
        b.iter(|| {
            let u = url::Url::parse(black_box(&deep)).unwrap();
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect::<Vec<_>>()
        })
    });
    g.bench_function("deep_link", |b| b.iter(|| parse_callback(black_box(&deep))));
    g.bench_function("loopback", |b| {
        b.iter(|| parse_callback(black_box(&loopback)))
    });
    g.bench_function("denied", |b| b.iter(|| parse_callback(black_box(&denied))));
    g.bench_function("hostile_long", |b| {
        b.iter(|| parse_callback(black_box(&hostile)))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = zbs_bench::config();
    targets = callback
}
criterion_main!(benches);
