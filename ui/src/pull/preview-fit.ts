// The preview's columns, fitted to the width the table has, so that no cell
// is cut and nothing scrolls sideways: the record's number, its date, status
// and amount are always shown in full, each column as wide as its widest
// value; the customer's or vendor's name takes what is left and gives way
// first, on two lines. When even that is too narrow (a small window), each
// row stacks: number and amount, then the name, then date and status.

/** How the rows are laid out: in columns, or stacked on a narrow table. */
export interface Fit {
  mode: "columns" | "stacked";
  /** The columns' widths (CSS grid-template-columns), in columns mode. */
  template: string;
  /** Each row's height in pixels (the preview is virtualised: all rows are as tall). */
  rowHeight: number;
}

/** One row's texts, as the preview shows them. */
export interface RowTexts {
  label: string;
  date: string;
  name: string;
  status: string;
  total: string;
}

/** How the page measures text: a string's width in pixels, plain or bold. */
export type Measure = (text: string, bold?: boolean) => number;

/** The sizes the fit works with, in pixels. */
export interface Metrics {
  /** A cell's padding, left and right together. */
  pad: number;
  /** One line of text. */
  line: number;
  /** A row's padding, top and bottom together. */
  rowPad: number;
}

/** The column headers, in the order the cells come. */
export const HEADERS: Record<keyof RowTexts, string> = {
  label: "Number / name",
  date: "Date",
  name: "Customer / vendor",
  status: "Status",
  total: "Total",
};

/** The sort mark a header carries when the table is sorted by it. */
const SORT_MARK = " ▼";

/** How many lines `text` takes in `width` pixels, broken between words as the page does. */
export function linesFor(text: string, width: number, measure: Measure): number {
  if (!text) return 1;
  const words = text.split(/\s+/).filter(Boolean);
  const space = measure(" ");
  let lines = 1;
  let used = 0;
  for (const word of words) {
    const w = measure(word);
    // A word wider than the line is broken inside it (overflow-wrap: anywhere).
    if (w > width) {
      const parts = Math.ceil(w / Math.max(1, width));
      lines += (used > 0 ? 1 : 0) + parts - 1;
      used = w - (parts - 1) * width;
      continue;
    }
    if (used === 0) used = w;
    else if (used + space + w <= width) used += space + w;
    else {
      lines += 1;
      used = w;
    }
  }
  return lines;
}

/**
 * Fits the rows loaded so far into `available` pixels. The number, date and
 * amount columns are as wide as their widest value; the status column too,
 * or when that leaves the name too little, as its widest word (a status
 * then takes two lines). A header may wrap between its words. The name
 * takes what is left, on at most two lines; else the rows stack.
 */
export function fitColumns(rows: readonly RowTexts[], available: number, measure: Measure, m: Metrics): Fit {
  const slack = 4;
  const words = (text: string, bold = false): number => Math.max(0, ...text.split(/\s+/).map((w) => measure(w, bold)));
  const header = (key: keyof RowTexts): number => words(HEADERS[key], true) + measure(SORT_MARK, true);
  const column = (width: number): number => Math.ceil(width) + m.pad + slack;
  const widest = (key: keyof RowTexts): number => column(Math.max(header(key), ...rows.map((r) => measure(r[key]))));
  const label = widest("label");
  const date = widest("date");
  const total = widest("total");
  const statusFull = widest("status");
  const statusWords = column(Math.max(header("status"), ...rows.map((r) => words(r.status))));
  // The name column is worth keeping while it holds its header's words, each on a line.
  const nameFloor = column(words(HEADERS.name, true));
  for (const status of statusFull === statusWords ? [statusFull] : [statusFull, statusWords]) {
    const nameWidth = available - label - date - status - total;
    if (nameWidth < nameFloor) continue;
    const lines = Math.max(
      1,
      ...rows.map((r) => linesFor(r.name, nameWidth - m.pad - slack, measure)),
      ...rows.map((r) => linesFor(r.status, status - m.pad - slack, measure)),
    );
    if (lines <= 2) {
      return {
        mode: "columns",
        template: `${label}px ${date}px minmax(0, 1fr) ${status}px ${total}px`,
        rowHeight: Math.ceil(lines * m.line + m.rowPad),
      };
    }
  }
  const nameLines = Math.max(1, ...rows.map((r) => linesFor(r.name, available - m.pad - slack, measure)));
  return { mode: "stacked", template: "", rowHeight: Math.ceil((2 + nameLines) * m.line + m.rowPad) };
}
