//! # zbs-zoho: everything that talks to Zoho
//!
//! No Tauri and no storage here: the `zbs-setup` crate owns SQLite and the
//! keyring and calls into this one. Layout:
//!
//! - [`dc`]: the data-center table (built-in or `ZBSETUP_ENDPOINTS`), the only
//!   hosts ever trusted as accounts server or API domain;
//! - [`callback`]: a pure, fuzzed parser for the OAuth redirect (deep link or loopback);
//! - [`oauth`]: authorize URL with PKCE, code exchange, refresh, revoke;
//! - [`loopback`]: the one-shot `127.0.0.1` listener that receives the redirect;
//! - [`retry`]: backoff with full jitter between attempts (here and in pulls);
//! - [`books`]: the Books API v3 client, its entity list and typed records.
//!
//! Secrets (client secret, codes, tokens, PKCE verifier) are `secrecy::SecretString`
//! everywhere, so `Debug` never prints them; errors carry a stable `code()` and a
//! plain-language message, and never a secret or a response body.

pub mod books;
pub mod callback;
pub mod dc;
pub mod loopback;
pub mod oauth;
pub mod retry;

pub use books::{
    BooksClient, BooksError, Detail, Entity, ListOrder, ListPage, Organization, RateInfo, Record,
    Throttle, ZohoUser,
};
pub use callback::{
    parse_callback, parse_callback_query, Callback, CallbackError, CallbackOutcome,
};
pub use dc::{DataCenter, DataCenterError, DataCenters};
pub use loopback::{LoopbackError, LoopbackListener};
pub use oauth::{
    authorize, default_scopes, AuthorizeRequest, OAuthClient, OAuthError, PendingAuth, RetryPolicy,
    TokenSet,
};
pub use secrecy::{ExposeSecret, SecretString};
