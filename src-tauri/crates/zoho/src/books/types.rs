//! Typed views of Books API v3 records: organizations, each entity's list row
//! and detail, and the list envelope.
//!
//! Zoho's records carry a hundred-odd fields whose presence and type vary by
//! plan and country, so these structs type only the key columns (id, number or
//! name, date, amounts, status, counterparty, `last_modified_time`), every one
//! optional and read leniently: a number may arrive as a string, an empty
//! string means absent, and an unexpected type is treated as absent rather than
//! failing the whole record. The raw JSON stays authoritative: list and detail
//! calls in [`super::BooksClient`] return it untouched. Amounts are `f64` for
//! display only.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Values that can be read leniently from any JSON value.
pub trait Lenient: Sized {
    fn from_json(v: Value) -> Option<Self>;
}

impl Lenient for String {
    fn from_json(v: Value) -> Option<Self> {
        match v {
            Value::String(s) if !s.is_empty() => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

impl Lenient for f64 {
    fn from_json(v: Value) -> Option<Self> {
        match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok().filter(|f: &f64| f.is_finite()),
            _ => None,
        }
    }
}

impl Lenient for bool {
    fn from_json(v: Value) -> Option<Self> {
        match v {
            Value::Bool(b) => Some(b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }
}

impl Lenient for u32 {
    fn from_json(v: Value) -> Option<Self> {
        match v {
            Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// `deserialize_with` for `Option<T: Lenient>` fields.
pub fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Lenient,
{
    Ok(T::from_json(Value::deserialize(d)?))
}

macro_rules! record {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            $(
                $(#[$fm])*
                #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
        }
    };
}

/// `page_context` of a list response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageContext {
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub page: Option<u32>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub per_page: Option<u32>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub has_more_page: Option<bool>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub report_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub sort_column: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub sort_order: Option<String>,
}

/// `{"code": 0, "message": "success", "<key>": [...], "page_context": {...}}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Envelope {
    pub code: i64,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub page_context: Option<PageContext>,
    /// Everything else: the resource key and its records.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// A Zoho Books organization (`GET /organizations`). `extra` keeps every
/// other field as Zoho sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    #[serde(deserialize_with = "required_string")]
    pub organization_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_default_org: Option<bool>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub contact_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub email: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub currency_code: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub country_code: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub time_zone: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub plan_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub portal_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_created_date: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn required_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    String::from_json(Value::deserialize(d)?)
        .ok_or_else(|| serde::de::Error::custom("expected a non-empty string or number"))
}

record!(
    /// A line of an invoice, credit note or bill (detail calls only).
    LineItem {
        line_item_id: String,
        item_id: String,
        name: String,
        description: String,
        quantity: f64,
        rate: f64,
        item_total: f64,
        account_id: String,
        account_name: String,
    }
);

record!(
    /// An address block (detail calls only).
    Address {
        attention: String,
        address: String,
        street2: String,
        city: String,
        state: String,
        zip: String,
        zipcode: String,
        country: String,
        phone: String,
    }
);

record!(
    /// A contact person of a customer or vendor (detail calls only).
    ContactPerson {
        contact_person_id: String,
        first_name: String,
        last_name: String,
        email: String,
        phone: String,
        mobile: String,
        is_primary_contact: bool,
    }
);

record!(
    /// `/invoices` list row.
    Invoice {
        invoice_id: String,
        invoice_number: String,
        date: String,
        due_date: String,
        status: String,
        customer_id: String,
        customer_name: String,
        currency_code: String,
        total: f64,
        balance: f64,
        last_modified_time: String,
    }
);

record!(
    /// `/creditnotes` list row.
    CreditNote {
        creditnote_id: String,
        creditnote_number: String,
        date: String,
        status: String,
        customer_id: String,
        customer_name: String,
        currency_code: String,
        total: f64,
        balance: f64,
        last_modified_time: String,
    }
);

record!(
    /// `/contacts` list row (customers and vendors alike).
    Contact {
        contact_id: String,
        contact_name: String,
        company_name: String,
        contact_type: String,
        status: String,
        email: String,
        currency_code: String,
        outstanding_receivable_amount: f64,
        outstanding_payable_amount: f64,
        last_modified_time: String,
    }
);

record!(
    /// `/bills` list row.
    Bill {
        bill_id: String,
        bill_number: String,
        date: String,
        due_date: String,
        status: String,
        vendor_id: String,
        vendor_name: String,
        currency_code: String,
        total: f64,
        balance: f64,
        last_modified_time: String,
    }
);

record!(
    /// `/items` list row.
    Item {
        item_id: String,
        name: String,
        sku: String,
        status: String,
        item_type: String,
        rate: f64,
        purchase_rate: f64,
        last_modified_time: String,
    }
);

record!(
    /// `/chartofaccounts` list row.
    Account {
        account_id: String,
        account_name: String,
        account_code: String,
        account_type: String,
        is_active: bool,
        status: String,
        parent_account_id: String,
        last_modified_time: String,
    }
);

record!(
    /// `/customerpayments` list row.
    CustomerPayment {
        payment_id: String,
        payment_number: String,
        date: String,
        customer_id: String,
        customer_name: String,
        invoice_numbers: String,
        payment_status: String,
        amount: f64,
        unused_amount: f64,
        last_modified_time: String,
    }
);

record!(
    /// `/vendorpayments` list row.
    VendorPayment {
        payment_id: String,
        payment_number: String,
        date: String,
        status: String,
        vendor_id: String,
        vendor_name: String,
        bill_numbers: String,
        amount: f64,
        balance: f64,
        last_modified_time: String,
    }
);

/// `GET /invoices/{id}` → `invoice`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoiceDetail {
    #[serde(flatten)]
    pub invoice: Invoice,
    #[serde(default)]
    pub line_items: Vec<LineItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
}

/// `GET /creditnotes/{id}` → `creditnote`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreditNoteDetail {
    #[serde(flatten)]
    pub creditnote: CreditNote,
    #[serde(default)]
    pub line_items: Vec<LineItem>,
}

/// `GET /contacts/{id}` → `contact`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactDetail {
    #[serde(flatten)]
    pub contact: Contact,
    #[serde(default)]
    pub contact_persons: Vec<ContactPerson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    #[serde(default)]
    pub addresses: Vec<Address>,
}

/// `GET /bills/{id}` → `bill`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BillDetail {
    #[serde(flatten)]
    pub bill: Bill,
    #[serde(default)]
    pub line_items: Vec<LineItem>,
}

/// `GET /items/{id}` → `item`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemDetail {
    #[serde(flatten)]
    pub item: Item,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
}

/// `GET /chartofaccounts/{id}` → `chart_of_account`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountDetail {
    #[serde(flatten)]
    pub account: Account,
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub closing_balance: Option<f64>,
}

/// `GET /customerpayments/{id}` → `payment`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerPaymentDetail {
    #[serde(flatten)]
    pub payment: CustomerPayment,
    /// The invoices this payment settles, as Zoho sent them.
    #[serde(default)]
    pub invoices: Vec<Value>,
}

/// `GET /vendorpayments/{id}` → `vendorpayment`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VendorPaymentDetail {
    #[serde(flatten)]
    pub payment: VendorPayment,
    /// The bills this payment settles, as Zoho sent them.
    #[serde(default)]
    pub bills: Vec<Value>,
}

record!(
    /// `/estimates` row.
    Estimate {
        estimate_id: String,
        estimate_number: String,
        date: String,
        status: String,
        customer_name: String,
        total: f64,
        last_modified_time: String,
    }
);

record!(
    /// `/expenses` row.
    Expense {
        expense_id: String,
        date: String,
        account_name: String,
        status: String,
        vendor_name: String,
        total: f64,
        last_modified_time: String,
    }
);

record!(
    /// `/journals` row.
    Journal {
        journal_id: String,
        entry_number: String,
        journal_date: String,
        status: String,
        total: f64,
        last_modified_time: String,
    }
);

record!(
    /// `/purchaseorders` row.
    PurchaseOrder {
        purchaseorder_id: String,
        purchaseorder_number: String,
        date: String,
        status: String,
        vendor_name: String,
        total: f64,
        last_modified_time: String,
    }
);

record!(
    /// `/bankaccounts` row.
    BankAccount {
        account_id: String,
        account_name: String,
        account_type: String,
        bank_name: String,
        currency_code: String,
        balance: f64,
        is_active: bool,
    }
);

record!(
    /// `/settings/currencies` row.
    Currency {
        currency_id: String,
        currency_code: String,
        currency_name: String,
        currency_symbol: String,
        is_base_currency: bool,
        exchange_rate: f64,
    }
);

record!(
    /// `/settings/taxes` row.
    Tax {
        tax_id: String,
        tax_name: String,
        tax_percentage: f64,
        tax_type: String,
    }
);
