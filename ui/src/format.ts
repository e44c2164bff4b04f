// How the window writes what Zoho sends: amounts with their currency, dates
// and statuses in words, in the person's locale. Used by the preview table
// (pull/preview.ts) and the record card (record-card.ts).

/**
 * The locale amounts and dates are written in: the person's, unless the system gave
 * none (the "C" or POSIX locale, whose numbers have no thousands separators
 * and a space after the currency sign: "$ 10671.27"); then English.
 */
export function displayLocale(): string | undefined {
  const resolved = new Intl.NumberFormat().resolvedOptions().locale;
  return /posix|^und\b|^c$/i.test(resolved) ? "en-US" : undefined;
}

/** An amount in the organization's currency, with thousands separators, in the person's number format. */
export function formatAmount(amount: number, currency: string | null): string {
  const locale = displayLocale();
  if (currency) {
    try {
      return new Intl.NumberFormat(locale, { style: "currency", currency }).format(amount);
    } catch {
      // Not an ISO currency code: the number, with the code after it.
    }
  }
  const n = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount);
  return currency ? `${n} ${currency}` : n;
}

/** A Zoho date (YYYY-MM-DD) in the person's locale, in full; anything else as it came. */
export function formatDate(date: string | null): string {
  const m = date ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date) : null;
  if (!m) return date ?? "";
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(d.getTime()) ? (date ?? "") : d.toLocaleDateString(displayLocale(), { dateStyle: "medium" });
}

/** Zoho's status (`partially_paid`) as words ("Partially paid"). */
export function statusWords(status: string | null): string {
  if (!status) return "";
  const words = status.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
