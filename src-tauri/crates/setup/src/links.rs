//! The web pages the checklist opens in the person's browser.
//!
//! The window never passes a URL of its own to the opener: it names one of
//! these links, and this module turns the name into an address. That keeps
//! the webview from opening anything else.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zbs_zoho::dc::DataCenters;

/// A page the checklist may open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Link {
    /// Zoho's sign-up page, for someone without an account.
    ZohoSignup,
    /// Zoho's API console, where the application is registered.
    ApiConsole,
}

/// The address of a link; the API console is the one of `region`'s data center.
pub fn url(link: Link, data_centers: &DataCenters, region: Option<&str>) -> String {
    match link {
        Link::ZohoSignup => "https://www.zoho.com/books/signup/".to_owned(),
        Link::ApiConsole => {
            let dc = region.and_then(|r| data_centers.get(r));
            match dc.and_then(|dc| dc.accounts.host_str().map(str::to_owned)) {
                Some(host) if host.starts_with("accounts.") && !data_centers.is_custom() => {
                    format!("https://api-console.{}/", &host["accounts.".len()..])
                }
                _ => "https://api-console.zoho.com/".to_owned(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_follows_the_data_center() {
        let dcs = DataCenters::builtin();
        assert_eq!(
            url(Link::ApiConsole, &dcs, Some("eu")),
            "https://api-console.zoho.eu/"
        );
        assert_eq!(
            url(Link::ApiConsole, &dcs, Some("us")),
            "https://api-console.zoho.com/"
        );
        assert_eq!(
            url(Link::ApiConsole, &dcs, Some("ca")),
            "https://api-console.zohocloud.ca/"
        );
        assert_eq!(
            url(Link::ApiConsole, &dcs, None),
            "https://api-console.zoho.com/"
        );
    }
}
