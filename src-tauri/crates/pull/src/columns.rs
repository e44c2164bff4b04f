//! The key columns of a record: what the store keeps beside the record's
//! JSON for the preview (sorting, search) and export, read from the record
//! the way Zoho shapes each entity.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;
use zbs_zoho::books::types::{
    Account, Bill, Contact, CreditNote, CustomerPayment, Estimate, Invoice, Item, VendorPayment,
};
use zbs_zoho::{BooksError, Entity};

/// The columns every entity has in some form. Stored as columns of
/// `pull_records` and shown in the preview ([`crate::RecordRow`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct KeyColumns {
    pub zoho_id: String,
    /// Number or name (`INV-000123`, `Acme Ltd`).
    pub label: Option<String>,
    pub date: Option<String>,
    pub total: Option<f64>,
    pub status: Option<String>,
    /// Customer or vendor name.
    pub counterparty: Option<String>,
    pub last_modified: Option<String>,
}

/// A record read as zbs-zoho's typed struct `T`.
fn de<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, BooksError> {
    T::deserialize(v).map_err(|_| BooksError::Decode {
        reason: "a record is not a JSON object of the expected shape",
    })
}

impl KeyColumns {
    /// The key columns of a list row or detail record of `entity`, read
    /// through zbs-zoho's typed structs (lenient about numbers and strings).
    pub fn read(entity: Entity, record: &Value) -> Result<KeyColumns, BooksError> {
        let zoho_id = entity.record_id(record).ok_or(BooksError::Decode {
            reason: "a record has no id",
        })?;
        if let Some(columns) = Self::read_document(entity, record, &zoho_id)? {
            return Ok(columns);
        }
        Ok(match entity {
            Entity::Customers | Entity::Vendors => {
                let r: Contact = de(record)?;
                KeyColumns {
                    label: r.contact_name,
                    // What the contact owes, or is owed.
                    total: if entity == Entity::Customers {
                        r.outstanding_receivable_amount
                    } else {
                        r.outstanding_payable_amount
                    },
                    status: r.status,
                    counterparty: r.company_name,
                    last_modified: r.last_modified_time,
                    ..KeyColumns::new(zoho_id)
                }
            }
            Entity::Items => {
                let r: Item = de(record)?;
                KeyColumns {
                    label: r.name,
                    total: r.rate,
                    status: r.status,
                    last_modified: r.last_modified_time,
                    ..KeyColumns::new(zoho_id)
                }
            }
            Entity::ChartOfAccounts => {
                let r: Account = de(record)?;
                KeyColumns {
                    label: r.account_name,
                    status: r.status.or(r
                        .is_active
                        .map(|a| if a { "active" } else { "inactive" }.to_owned())),
                    last_modified: r.last_modified_time,
                    ..KeyColumns::new(zoho_id)
                }
            }
            // Documents are read above.
            _ => KeyColumns::new(zoho_id),
        })
    }

    /// The columns of a document (invoice, credit note, bill, estimate,
    /// payment): number, date, amount, status, the other party; `None` for
    /// a record type that is not a document.
    fn read_document(
        entity: Entity,
        record: &Value,
        zoho_id: &str,
    ) -> Result<Option<KeyColumns>, BooksError> {
        let document = |label, date, total, status, counterparty, last_modified| KeyColumns {
            zoho_id: zoho_id.to_owned(),
            label,
            date,
            total,
            status,
            counterparty,
            last_modified,
        };
        Ok(Some(match entity {
            Entity::Invoices => {
                let r: Invoice = de(record)?;
                document(
                    r.invoice_number,
                    r.date,
                    r.total,
                    r.status,
                    r.customer_name,
                    r.last_modified_time,
                )
            }
            Entity::CreditNotes => {
                let r: CreditNote = de(record)?;
                document(
                    r.creditnote_number,
                    r.date,
                    r.total,
                    r.status,
                    r.customer_name,
                    r.last_modified_time,
                )
            }
            Entity::Bills => {
                let r: Bill = de(record)?;
                document(
                    r.bill_number,
                    r.date,
                    r.total,
                    r.status,
                    r.vendor_name,
                    r.last_modified_time,
                )
            }
            Entity::Estimates => {
                let r: Estimate = de(record)?;
                document(
                    r.estimate_number,
                    r.date,
                    r.total,
                    r.status,
                    r.customer_name,
                    r.last_modified_time,
                )
            }
            Entity::CustomerPayments => {
                let r: CustomerPayment = de(record)?;
                document(
                    r.payment_number,
                    r.date,
                    r.amount,
                    r.payment_status,
                    r.customer_name,
                    r.last_modified_time,
                )
            }
            Entity::VendorPayments => {
                let r: VendorPayment = de(record)?;
                document(
                    r.payment_number,
                    r.date,
                    r.amount,
                    r.status,
                    r.vendor_name,
                    r.last_modified_time,
                )
            }
            Entity::Customers | Entity::Vendors | Entity::Items | Entity::ChartOfAccounts => {
                return Ok(None)
            }
        }))
    }

    /// A record's key columns with only its id.
    fn new(zoho_id: String) -> KeyColumns {
        KeyColumns {
            zoho_id,
            ..KeyColumns::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RecordRow;

    #[test]
    fn a_preview_row_serialises_flat_in_its_order() {
        let row = RecordRow {
            entity: "invoices".into(),
            columns: KeyColumns {
                zoho_id: "460000000012345".into(),
                label: Some("INV-000001".into()),
                date: Some("2025-01-02".into()),
                total: Some(598.5),
                status: None,
                counterparty: Some("Acme Corp".into()),
                last_modified: None,
            },
            pulled_at: "2025-01-03T04:05:06Z".into(),
            detail: true,
        };
        let text = serde_json::to_string(&row).expect("serialises");
        assert_eq!(
            text,
            r#"{"entity":"invoices","zoho_id":"460000000012345","label":"INV-000001","date":"2025-01-02","total":598.5,"status":null,"counterparty":"Acme Corp","last_modified":null,"pulled_at":"2025-01-03T04:05:06Z","detail":true}"#
        );
        assert_eq!(
            serde_json::from_str::<RecordRow>(&text).expect("reads back"),
            row
        );
    }
}
