// The record types a pull can fetch, with the words people use for them.
// Everything here comes from the core's one list of record types
// (src-tauri/crates/zoho/src/books/entity.rs): the `Entity` union and
// ENTITY_FACTS are generated from it when the tests run.

import type { Entity } from "./bindings/Entity";
import { ENTITY_FACTS } from "./bindings/entityFacts";

/** Every record type, in the order the pull form lists them. */
export const ENTITIES: readonly Entity[] = Object.keys(ENTITY_FACTS) as Entity[];

/** What a sample pull reads unless the person chooses otherwise (the core's default selection). */
export const DEFAULT_ENTITIES: readonly Entity[] = ENTITIES.filter((e) => ENTITY_FACTS[e].sample);

export function isEntity(name: string): name is Entity {
  return (ENTITIES as readonly string[]).includes(name);
}

/** The name people use for a record type (the core's name if it is not one). */
export function entityName(name: string): string {
  if (!isEntity(name)) return name;
  const label = ENTITY_FACTS[name].label;
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** The record types with line items, one of each as people say it ("invoice, credit note and bill"). */
export function lineItemWords(): string {
  const ones: string[] = ENTITIES.filter((e) => ENTITY_FACTS[e].detail === "line_items").map((e) => ENTITY_FACTS[e].one);
  const last = ones.pop();
  return ones.length === 0 ? (last ?? "") : `${ones.join(", ")} and ${last}`;
}
