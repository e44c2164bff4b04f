// The record types a pull can fetch, with the words people use for them.
// The names are the core's (bindings/Entity.ts, generated from Rust): the
// `satisfies` below fails the build when one is missing here or unknown.

import type { Entity } from "./bindings/Entity";

/** Each record type's name for people, in the order the pull form lists them. */
const LABELS = {
  invoices: "Invoices",
  creditnotes: "Credit notes",
  customers: "Customers",
  vendors: "Vendors",
  bills: "Bills",
  items: "Items",
  chartofaccounts: "Chart of accounts",
  customerpayments: "Customer payments",
  vendorpayments: "Vendor payments",
} as const satisfies Record<Entity, string>;

/** Every record type, in the order the pull form lists them. */
export const ENTITIES: readonly Entity[] = Object.keys(LABELS) as Entity[];

/** What a sample pull reads unless the person chooses otherwise (the core's default selection). */
export const DEFAULT_ENTITIES: readonly Entity[] = ["invoices", "creditnotes", "customers"];

export function isEntity(name: string): name is Entity {
  return (ENTITIES as readonly string[]).includes(name);
}

/** The name people use for a record type (the core's name if it is not one). */
export function entityName(name: string): string {
  return isEntity(name) ? LABELS[name] : name;
}
