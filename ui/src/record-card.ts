// A pulled record as a card a person can read: the fields that matter for
// its record type first (for an invoice: number, customer, dates, status,
// total and balance in its currency), then its line items as a table when
// it has them, then every other field, and the record exactly as Zoho sent
// it behind "Show the raw data". A record of a shape it does not know is
// shown with the generic fields every record has, and the rest.
//
// Values come from Zoho and are hostile: they are only ever set as text
// (dom.ts). The card is a modal dialog outside the redrawn page, so redraws
// never take it away; it closes with its button or Escape and gives the
// focus back to the row it was opened from.

import { h } from "./dom";
import { entityName } from "./entities";
import { formatAmount, formatDate, statusWords } from "./format";
import type { Entity } from "./bindings/Entity";

type Kind = "text" | "date" | "money" | "status" | "number";

/** A field shown first: its label, the record's keys to read it from (the first present), how to show it. */
type KeyField = readonly [label: string, keys: readonly string[], kind: Kind];

const STATUS: KeyField = ["Status", ["status"], "status"];

const REFERENCE: KeyField = ["Reference", ["reference_number"], "text"];

/** An invoice, credit note, bill or estimate: its number, the other party, dates, status, amounts. */
function documentFields(name: string, numberKey: string, party: string, partyKey: string, due: boolean, expires = false): KeyField[] {
  return [
    [`${name} number`, [numberKey], "text"],
    [party, [partyKey], "text"],
    ["Date", ["date"], "date"],
    ...(due ? [["Due date", ["due_date"], "date"] as const] : []),
    ...(expires ? [["Expiry date", ["expiry_date"], "date"] as const] : []),
    STATUS,
    ["Total", ["total"], "money"],
    [due ? "Balance due" : "Balance", ["balance"], "money"],
    REFERENCE,
  ];
}

/** A customer or vendor, with what is owed. */
function contactFields(...owed: KeyField[]): KeyField[] {
  return [
    ["Name", ["contact_name"], "text"],
    ["Company", ["company_name"], "text"],
    ["Email", ["email"], "text"],
    ["Phone", ["phone", "mobile"], "text"],
    STATUS,
    ...owed,
  ];
}

/** A payment received or made. */
function paymentFields(party: string, partyKey: string, statusKeys: readonly string[]): KeyField[] {
  return [
    ["Payment number", ["payment_number"], "text"],
    [party, [partyKey], "text"],
    ["Date", ["date"], "date"],
    ["Amount", ["amount"], "money"],
    ["Paid by", ["payment_mode"], "text"],
    REFERENCE,
    ["Status", statusKeys, "status"],
  ];
}

const KEY_FIELDS: Record<Entity, readonly KeyField[]> = {
  invoices: documentFields("Invoice", "invoice_number", "Customer", "customer_name", true),
  creditnotes: documentFields("Credit note", "creditnote_number", "Customer", "customer_name", false),
  bills: documentFields("Bill", "bill_number", "Vendor", "vendor_name", true),
  customers: contactFields(["Owed to you", ["outstanding_receivable_amount"], "money"], ["Unused credits", ["unused_credits_receivable_amount"], "money"]),
  vendors: contactFields(["You owe", ["outstanding_payable_amount"], "money"]),
  items: [
    ["Name", ["name"], "text"],
    ["SKU", ["sku"], "text"],
    ["Rate", ["rate"], "money"],
    ["Unit", ["unit"], "text"],
    STATUS,
    ["Description", ["description"], "text"],
  ],
  chartofaccounts: [
    ["Account", ["account_name"], "text"],
    ["Code", ["account_code"], "text"],
    ["Type", ["account_type"], "status"],
    ["Active", ["is_active"], "text"],
    ["Description", ["description"], "text"],
  ],
  customerpayments: paymentFields("Customer", "customer_name", ["payment_status", "status"]),
  vendorpayments: paymentFields("Vendor", "vendor_name", ["status"]),
  estimates: documentFields("Estimate", "estimate_number", "Customer", "customer_name", false, true),
};

/** For a shape not known: the names most records have. */
const GENERIC: readonly KeyField[] = [
  ["Number", ["number", "invoice_number", "bill_number", "payment_number"], "text"],
  ["Name", ["name", "contact_name", "customer_name", "vendor_name"], "text"],
  ["Date", ["date"], "date"],
  STATUS,
  ["Total", ["total", "amount"], "money"],
];

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

/** A number from Zoho, which writes amounts as numbers or as text. */
function asNumber(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** Any value as the text a person reads. */
function plain(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return v ? "Yes" : "No";
  if (Array.isArray(v)) {
    if (v.every((x) => !isObject(x) && !Array.isArray(x))) return v.map(plain).join(", ");
    return v.length === 1 ? "1 entry (in the raw data)" : `${v.length} entries (in the raw data)`;
  }
  if (isObject(v)) {
    return Object.entries(v)
      .filter(([, x]) => !isEmpty(x))
      .map(([k, x]) => `${label(k)}: ${isObject(x) || Array.isArray(x) ? "…" : plain(x)}`)
      .join(" · ");
  }
  return "";
}

function shown(v: unknown, kind: Kind, currency: string | null): string {
  const n = asNumber(v);
  switch (kind) {
    case "money":
      return n === null ? plain(v) : formatAmount(n, currency);
    case "number":
      return n === null ? plain(v) : new Intl.NumberFormat().format(n);
    case "date":
      return typeof v === "string" ? formatDate(v) : plain(v);
    case "status":
      return typeof v === "string" ? statusWords(v) : plain(v);
    default:
      return plain(v);
  }
}

/** A Zoho field name (`payment_terms_label`) as words ("Payment terms label"). */
function label(key: string): string {
  return statusWords(key.replace(/_id$/, "_ID"));
}

function fieldList(rows: [string, string][], test: string): HTMLElement {
  return h(
    "dl",
    { class: "record-fields", "data-test": test },
    rows.map(([k, v]) => h("div", { class: "record-field" }, h("dt", {}, k), h("dd", {}, v))),
  );
}

/** The line items as a table: item, quantity, rate, amount. */
function lineItems(items: unknown[], currency: string | null): HTMLElement {
  const rows = items.filter(isObject);
  return h(
    "section",
    { class: "record-lines", "aria-labelledby": "record-lines-title" },
    h("h3", { id: "record-lines-title" }, `Line items (${rows.length})`),
    h(
      "table",
      { class: "line-items", "data-test": "record-line-items" },
      h(
        "thead",
        {},
        h("tr", {}, h("th", { scope: "col" }, "Item"), h("th", { scope: "col", class: "num" }, "Quantity"), h("th", { scope: "col", class: "num" }, "Rate"), h("th", { scope: "col", class: "num" }, "Amount")),
      ),
      h(
        "tbody",
        {},
        rows.map((li) => {
          const quantity = asNumber(li.quantity);
          const rate = asNumber(li.rate);
          const amount = asNumber(li.item_total) ?? (quantity !== null && rate !== null ? quantity * rate : null);
          const name = [li.name, li.description, li.item_id].find((x) => typeof x === "string" && x.trim() !== "");
          const unit = typeof li.unit === "string" && li.unit ? ` ${li.unit}` : "";
          return h(
            "tr",
            { "data-line-item": "" },
            h("td", {}, plain(name ?? ""), name !== li.description && typeof li.description === "string" && li.description ? h("span", { class: "hint block" }, li.description) : null),
            h("td", { class: "num" }, quantity === null ? plain(li.quantity) : `${new Intl.NumberFormat().format(quantity)}${unit}`),
            h("td", { class: "num" }, rate === null ? plain(li.rate) : formatAmount(rate, currency)),
            h("td", { class: "num" }, amount === null ? "" : formatAmount(amount, currency)),
          );
        }),
      ),
    ),
  );
}

let open: { dialog: HTMLDialogElement; returnTo: string } | null = null;

/** Closes the card and gives the focus back to its row (found again: the table may have been redrawn). */
export function closeRecordCard(): void {
  if (!open) return;
  const { dialog, returnTo } = open;
  open = null;
  dialog.close();
  dialog.remove();
  document.querySelector<HTMLElement>(returnTo)?.focus();
}

/**
 * Opens the card of `record` (as Zoho sent it) of `entity`; `fallbackCurrency`
 * is the organization's, for a record that names none; `returnTo` finds the
 * row to give the focus back to.
 */
export function openRecordCard(entity: Entity, record: unknown, fallbackCurrency: string | null, title: string, returnTo: string): void {
  closeRecordCard();
  const r: Json = isObject(record) ? record : {};
  const currency = typeof r.currency_code === "string" && r.currency_code ? r.currency_code : fallbackCurrency;
  const known = KEY_FIELDS[entity] as readonly KeyField[] | undefined;
  const used = new Set<string>(["line_items"]);
  const first: [string, string][] = [];
  for (const [name, keys, kind] of known ?? GENERIC) {
    const key = keys.find((k) => !isEmpty(r[k]));
    if (key === undefined) continue;
    used.add(key);
    first.push([name, shown(r[key], kind, currency)]);
  }
  const rest: [string, string][] = Object.entries(r)
    .filter(([k, v]) => !used.has(k) && !isEmpty(v))
    .map(([k, v]) => [label(k), plain(v)]);
  const lines = Array.isArray(r.line_items) && r.line_items.some(isObject) ? lineItems(r.line_items, currency) : null;

  const raw = h("div", { class: "record-raw" });
  const toggle = h(
    "button",
    {
      type: "button",
      class: "secondary small",
      "data-test": "show-raw",
      "aria-expanded": "false",
      onclick: () => {
        const opening = raw.childElementCount === 0;
        raw.replaceChildren(
          ...(opening ? [h("pre", { tabindex: "0", "data-test": "raw-json", "aria-label": "The record as Zoho sent it" }, JSON.stringify(record, null, 2))] : []),
        );
        toggle.setAttribute("aria-expanded", String(opening));
        toggle.textContent = opening ? "Hide the raw data" : "Show the raw data";
      },
    },
    "Show the raw data",
  );
  const dialog = h(
    "dialog",
    { class: "record-card", "data-test": "record-view", "aria-labelledby": "record-card-title" },
    h(
      "div",
      { class: "record-head" },
      h("h2", { id: "record-card-title" }, h("span", { class: "hint block" }, entityName(entity)), title),
      h("button", { type: "button", class: "secondary small", "data-test": "close-record", onclick: closeRecordCard }, "Close"),
    ),
    first.length ? fieldList(first, "record-key-fields") : h("p", { class: "hint" }, "This record has none of the usual fields; all it has is below."),
    lines,
    rest.length
      ? h("section", { class: "record-rest", "aria-labelledby": "record-rest-title" }, h("h3", { id: "record-rest-title" }, "Other fields"), fieldList(rest, "record-other-fields"))
      : null,
    h("div", { class: "row" }, toggle),
    raw,
  );
  dialog.addEventListener("cancel", (e) => {
    e.preventDefault();
    closeRecordCard();
  });
  document.body.append(dialog);
  open = { dialog, returnTo };
  dialog.showModal();
  dialog.querySelector<HTMLElement>("[data-test=close-record]")?.focus();
}
