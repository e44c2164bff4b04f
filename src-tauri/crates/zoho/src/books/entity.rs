//! The record types a pull reads, each declared once in the `entities!`
//! list below: the enum [`Entity`], [`Entity::ALL`], every fact the client,
//! the pull, the sign-in and the window need about a type, and the "unknown
//! record type" message all come from that list. The window's labels and
//! defaults are generated from it too (`ui/src/bindings/entityFacts.ts`,
//! written when the tests run), and `zbsetup`'s help lists its names.
//!
//! To add a record type: add one entry here (its names are Zoho's, from
//! `tests/fixtures/zoho-recorded`), then its key columns
//! (`zbs-pull`'s `columns.rs`) and its card fields (`ui/src/record-card.ts`);
//! the compiler and the type-check point at both. A `scope` is the module of
//! Zoho's scope `ZohoBooks.<module>.READ`: `invoices`, `creditnotes`,
//! `bills`, `estimates`, `contacts` and `settings` are in Zoho's scope docs;
//! `accountants`, `customerpayments` and `vendorpayments` are unverified (no
//! primary source found). The simulator keeps its
//! own list (it must not learn Zoho from the client); a test checks that it
//! serves every type declared here, at the same paths and keys.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use zbs_codes::Code;

/// What a record's own detail call adds to its list row, if the person asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Detail {
    /// Nothing worth a call per record.
    None,
    /// Line items, which only the detail call has (`--line-items`).
    LineItems,
    /// Addresses and contact persons (`--customer-details`).
    CustomerDetails,
}

macro_rules! entities {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident {
            name: $name:literal,
            label: $label:literal,
            one: $one:literal,
            path: $path:literal,
            list_key: $list_key:literal,
            detail_key: $detail_key:literal,
            id_field: $id_field:literal,
            scope: $scope:literal,
            contact_type: $contact:expr,
            detail: $detail:ident,
            sample: $sample:literal,
        }
    )+) => {
        /// A record type that can be pulled (the window's `Entity` union is
        /// generated from it; its names are an external interface: CLI, exports).
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            ts_rs::TS,
        )]
        #[ts(export)]
        pub enum Entity {
            $( $(#[doc = $doc])+ #[serde(rename = $name)] $variant, )+
        }

        impl Entity {
            /// Every record type, in display order.
            pub const ALL: &'static [Entity] = &[$(Entity::$variant),+];

            /// Every record type's facts, in display order.
            const FACTS: &'static [Facts] = &[$(Facts {
                name: $name,
                label: $label,
                one: $one,
                path: $path,
                list_key: $list_key,
                detail_key: $detail_key,
                id_field: $id_field,
                scope_module: $scope,
                contact_type: $contact,
                detail: Detail::$detail,
                sample: $sample,
            }),+];
        }
    };
}

/// One record type's facts (one entry of the `entities!` list).
struct Facts {
    name: &'static str,
    label: &'static str,
    one: &'static str,
    path: &'static str,
    list_key: &'static str,
    detail_key: &'static str,
    id_field: &'static str,
    scope_module: &'static str,
    contact_type: Option<&'static str>,
    detail: Detail,
    sample: bool,
}

entities! {
    /// Sales invoices.
    Invoices {
        name: "invoices",
        label: "invoices",
        one: "invoice",
        path: "/invoices",
        list_key: "invoices",
        detail_key: "invoice",
        id_field: "invoice_id",
        scope: "invoices",
        contact_type: None,
        detail: LineItems,
        sample: true,
    }
    /// Credit notes given to customers.
    CreditNotes {
        name: "creditnotes",
        label: "credit notes",
        one: "credit note",
        path: "/creditnotes",
        list_key: "creditnotes",
        detail_key: "creditnote",
        id_field: "creditnote_id",
        scope: "creditnotes",
        contact_type: None,
        detail: LineItems,
        sample: true,
    }
    /// Contacts of type customer (Zoho files contacts under `contacts`).
    Customers {
        name: "customers",
        label: "customers",
        one: "customer",
        path: "/contacts",
        list_key: "contacts",
        detail_key: "contact",
        id_field: "contact_id",
        scope: "contacts",
        contact_type: Some("customer"),
        detail: CustomerDetails,
        sample: true,
    }
    /// Contacts of type vendor.
    Vendors {
        name: "vendors",
        label: "vendors",
        one: "vendor",
        path: "/contacts",
        list_key: "contacts",
        detail_key: "contact",
        id_field: "contact_id",
        scope: "contacts",
        contact_type: Some("vendor"),
        detail: None,
        sample: false,
    }
    /// Bills from vendors.
    Bills {
        name: "bills",
        label: "bills",
        one: "bill",
        path: "/bills",
        list_key: "bills",
        detail_key: "bill",
        id_field: "bill_id",
        scope: "bills",
        contact_type: None,
        detail: LineItems,
        sample: false,
    }
    /// Goods and services (Zoho files items under `settings`).
    Items {
        name: "items",
        label: "items",
        one: "item",
        path: "/items",
        list_key: "items",
        detail_key: "item",
        id_field: "item_id",
        scope: "settings",
        contact_type: None,
        detail: None,
        sample: false,
    }
    /// The chart of accounts (Zoho files it under `accountants`).
    ChartOfAccounts {
        name: "chartofaccounts",
        label: "chart of accounts",
        one: "account",
        path: "/chartofaccounts",
        list_key: "chartofaccounts",
        detail_key: "chart_of_account",
        id_field: "account_id",
        scope: "accountants",
        contact_type: None,
        detail: None,
        sample: false,
    }
    /// Payments received from customers.
    CustomerPayments {
        name: "customerpayments",
        label: "customer payments",
        one: "customer payment",
        path: "/customerpayments",
        list_key: "customerpayments",
        detail_key: "payment",
        id_field: "payment_id",
        scope: "customerpayments",
        contact_type: None,
        detail: None,
        sample: false,
    }
    /// Payments made to vendors.
    VendorPayments {
        name: "vendorpayments",
        label: "vendor payments",
        one: "vendor payment",
        path: "/vendorpayments",
        list_key: "vendorpayments",
        detail_key: "vendorpayment",
        id_field: "payment_id",
        scope: "vendorpayments",
        contact_type: None,
        detail: None,
        sample: false,
    }
    /// Quotes sent to customers before an invoice (Zoho calls them estimates).
    Estimates {
        name: "estimates",
        label: "estimates",
        one: "estimate",
        path: "/estimates",
        list_key: "estimates",
        detail_key: "estimate",
        id_field: "estimate_id",
        scope: "estimates",
        contact_type: None,
        detail: LineItems,
        sample: false,
    }
}

impl Entity {
    /// Every entity, in display order.
    pub fn all() -> &'static [Entity] {
        Entity::ALL
    }

    fn facts(self) -> &'static Facts {
        &Entity::FACTS[self as usize]
    }

    /// What `pull` reads unless told otherwise.
    pub fn default_selection() -> Vec<Entity> {
        Entity::ALL
            .iter()
            .copied()
            .filter(|e| e.facts().sample)
            .collect()
    }

    /// The external name (`"invoices"`, `"chartofaccounts"`, ...).
    pub fn name(self) -> &'static str {
        self.facts().name
    }

    /// The name a person reads (`"credit notes"`, `"chart of accounts"`).
    pub fn label(self) -> &'static str {
        self.facts().label
    }

    /// The OAuth scope module that grants reading this entity: Zoho files
    /// customers and vendors under `contacts`, items under `settings`, and
    /// the chart of accounts under `accountants`.
    pub fn scope_module(self) -> &'static str {
        self.facts().scope_module
    }

    /// API path below `/books/v3` (customers and vendors are both `/contacts`).
    pub fn path(self) -> &'static str {
        self.facts().path
    }

    /// Key of the record array in a list answer.
    pub fn list_key(self) -> &'static str {
        self.facts().list_key
    }

    /// Key of the record object in a detail answer.
    pub fn detail_key(self) -> &'static str {
        self.facts().detail_key
    }

    /// The record's id field.
    pub fn id_field(self) -> &'static str {
        self.facts().id_field
    }

    /// What the record's detail call adds, if the person asks for it.
    pub fn detail(self) -> Detail {
        self.facts().detail
    }

    /// True when line items come only from the detail call.
    pub fn has_line_items(self) -> bool {
        self.detail() == Detail::LineItems
    }

    /// `contact_type` of the contacts this entity covers.
    pub fn contact_type(self) -> Option<&'static str> {
        self.facts().contact_type
    }

    /// The record's id (string or number), if present.
    pub fn record_id(self, record: &Value) -> Option<String> {
        match record.get(self.id_field())? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// Every name, comma-separated (`"invoices, creditnotes, ..."`).
    pub fn names() -> &'static str {
        static NAMES: OnceLock<String> = OnceLock::new();
        NAMES.get_or_init(|| {
            Entity::ALL
                .iter()
                .map(|e| e.name())
                .collect::<Vec<_>>()
                .join(", ")
        })
    }

    /// One record of this type, as a person says it (`"credit note"`).
    pub fn one(self) -> &'static str {
        self.facts().one
    }

    /// The record types with line items, as a person reads them
    /// (`"invoice, credit note, bill and estimate"`).
    pub fn line_item_words() -> String {
        let ones: Vec<&str> = Entity::ALL
            .iter()
            .filter(|e| e.has_line_items())
            .map(|e| e.one())
            .collect();
        match ones.as_slice() {
            [] => String::new(),
            [one] => (*one).to_owned(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        }
    }

    /// The TypeScript module the window reads its record types from (each
    /// one's name, label and whether a sample reads it by default), in
    /// display order. Written to `ui/src/bindings/entityFacts.ts` by a test.
    pub fn typescript_facts() -> String {
        let mut out = String::from(
            "// Generated from src-tauri/crates/zoho/src/books/entity.rs (the `entities!` list) when the tests run. Do not edit.\n\nimport type { Detail } from \"./Detail\";\nimport type { Entity } from \"./Entity\";\n\n/** Each record type's facts the window needs, in display order. */\nexport const ENTITY_FACTS = {\n",
        );
        for e in Entity::ALL {
            let detail = serde_json::to_string(&e.detail()).unwrap_or_default();
            out.push_str(&format!(
                "  {}: {{ label: {:?}, one: {:?}, sample: {}, detail: {detail} }},\n",
                e.name(),
                e.label(),
                e.one(),
                e.facts().sample,
            ));
        }
        out.push_str("} as const satisfies Record<Entity, { label: string; one: string; sample: boolean; detail: Detail }>;\n");
        out
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An entity name that is not one of [`Entity::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{name}\" is not a record type Zoho Books Setup can pull. Choose from: {}.",
    Entity::names()
)]
pub struct UnknownEntity {
    pub name: String,
}

impl UnknownEntity {
    /// Stable code for the UI and scripts.
    pub fn code(&self) -> Code {
        Code::UnknownEntity
    }
}

impl FromStr for Entity {
    type Err = UnknownEntity;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Entity::ALL
            .iter()
            .copied()
            .find(|e| e.name() == s)
            .ok_or_else(|| UnknownEntity {
                name: s.chars().take(40).collect(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_type_has_its_facts_in_order() {
        assert_eq!(Entity::ALL.len(), Entity::FACTS.len());
        for (i, e) in Entity::ALL.iter().enumerate() {
            assert_eq!(*e as usize, i, "{e:?} is listed in its declared place");
            let f = e.facts();
            assert_eq!(
                serde_json::to_value(e).ok(),
                Some(Value::String(f.name.into()))
            );
            assert!(f.path.starts_with('/'), "{e:?}");
            assert!(!f.label.is_empty() && !f.one.is_empty(), "{e:?}");
            assert!(!f.detail_key.is_empty() && !f.id_field.is_empty(), "{e:?}");
            assert_eq!(f.contact_type.is_some(), f.path == "/contacts", "{e:?}");
        }
    }

    /// Writes the window's record-type facts beside ts-rs's bindings (CI
    /// fails when the committed copy is stale).
    #[test]
    fn export_typescript_facts() {
        let dir = std::env::var("TS_RS_EXPORT_DIR").unwrap_or_else(|_| "bindings".into());
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../..")
            .join(dir);
        let file = dir.join("entityFacts.ts");
        let text = Entity::typescript_facts();
        if std::fs::read_to_string(&file).ok().as_deref() != Some(text.as_str()) {
            std::fs::create_dir_all(&dir).expect("bindings folder");
            std::fs::write(&file, text).expect("writes entityFacts.ts");
        }
    }
}
