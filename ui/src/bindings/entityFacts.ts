// Generated from src-tauri/crates/zoho/src/books/entity.rs (the `entities!` list) when the tests run. Do not edit.

import type { Detail } from "./Detail";
import type { Entity } from "./Entity";

/** Each record type's facts the window needs, in display order. */
export const ENTITY_FACTS = {
  invoices: { label: "invoices", one: "invoice", sample: true, detail: "line_items" },
  creditnotes: { label: "credit notes", one: "credit note", sample: true, detail: "line_items" },
  customers: { label: "customers", one: "customer", sample: true, detail: "customer_details" },
  vendors: { label: "vendors", one: "vendor", sample: false, detail: "none" },
  bills: { label: "bills", one: "bill", sample: false, detail: "line_items" },
  items: { label: "items", one: "item", sample: false, detail: "none" },
  chartofaccounts: { label: "chart of accounts", one: "account", sample: false, detail: "none" },
  customerpayments: { label: "customer payments", one: "customer payment", sample: false, detail: "none" },
  vendorpayments: { label: "vendor payments", one: "vendor payment", sample: false, detail: "none" },
  estimates: { label: "estimates", one: "estimate", sample: false, detail: "line_items" },
} as const satisfies Record<Entity, { label: string; one: string; sample: boolean; detail: Detail }>;
