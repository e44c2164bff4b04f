// Stand-in, written by hand until ts-rs generates this file from the Rust
// `Entity` (src-tauri/crates/zoho/src/books/mod.rs); the generated file replaces it.

/**
 * A record type that can be pulled.
 */
export type Entity = "invoices" | "creditnotes" | "customers" | "vendors" | "bills" | "items" | "chartofaccounts" | "customerpayments" | "vendorpayments";
