// The preview of the pulled records: a virtualised table per record type,
// sorted and searched by the core, its columns fitted to the table's width
// (preview-fit.ts); a row opens the record as a card.

import { api, asAppError } from "../api";
import { h } from "../dom";
import { entityName, isEntity } from "../entities";
import { formatAmount, formatDate, statusWords } from "../format";
import { openRecordCard } from "../record-card";
import { fitColumns, HEADERS, type Measure, type RowTexts } from "./preview-fit";
import { redraw, showError, table, ui } from "./state";
import type { PullResults } from "../bindings/PullResults";
import type { RecordRow } from "../bindings/RecordRow";
import type { SortColumn } from "../bindings/SortColumn";

const ROW_HEIGHT = 34;
const PAGE = 200;

/** A row's texts as its cells show them. */
function rowTexts(row: RecordRow): RowTexts {
  return {
    label: row.label ?? row.zoho_id,
    date: formatDate(row.date),
    name: row.counterparty ?? "",
    status: statusWords(row.status),
    total: row.total === null ? "" : formatAmount(row.total, ui.currency),
  };
}

let measuring: CanvasRenderingContext2D | null = null;

/** Measures text in the font `el` is drawn in (and its bold, for the headers). */
function measureIn(el: HTMLElement): Measure {
  const cs = getComputedStyle(el);
  measuring ??= document.createElement("canvas").getContext("2d");
  const ctx = measuring;
  const font = (weight: string): string => `${cs.fontStyle} ${weight} ${cs.fontSize} ${cs.fontFamily}`;
  return (text, bold) => {
    if (!ctx) return text.length * parseFloat(cs.fontSize);
    ctx.font = font(bold ? "600" : cs.fontWeight);
    return ctx.measureText(text).width;
  };
}

/** Fits the columns to the table's width (again when the width or the loaded rows changed). */
function refit(): void {
  if (!viewport || !tableEl) return;
  const width = viewport.clientWidth;
  const key = `${width}:${[...table.pages.keys()].join(",")}`;
  if (!table.fit || table.fitFor !== key) {
    const cs = getComputedStyle(viewport);
    const size = parseFloat(cs.fontSize);
    table.fit = fitColumns([...table.pages.values()].flat().map(rowTexts), width, measureIn(viewport), {
      pad: 1.0 * size,
      line: parseFloat(cs.lineHeight) || 1.5 * size,
      rowPad: 10,
    });
    table.fitFor = key;
  }
  const fit = table.fit;
  tableEl.classList.toggle("stacked", fit.mode === "stacked");
  if (fit.template) tableEl.style.setProperty("--columns", fit.template);
  // The header lines up with the rows beside the viewport's scroll bar.
  tableEl.style.setProperty("--gutter", `${Math.max(0, viewport.offsetWidth - viewport.clientWidth)}px`);
}

async function loadPage(page: number): Promise<void> {
  if (!ui.connection || table.pages.has(page) || table.loading.has(page)) return;
  table.loading.add(page);
  try {
    const res = await api.pullRecords(ui.connection, ui.entity, page * PAGE, PAGE, ui.sort, ui.dir, ui.search || null);
    table.total = res.total;
    table.pages.set(page, res.rows);
  } catch (e) {
    showError(asAppError(e));
  } finally {
    table.loading.delete(page);
  }
  paintRows();
}

let viewport: HTMLElement | null = null;
let rowsLayer: HTMLElement | null = null;
let spacer: HTMLElement | null = null;
let tableEl: HTMLElement | null = null;
/** Fits the columns again when the table's width changes (the window was resized). */
let resized: ResizeObserver | null = null;

function paintRows(): void {
  if (!viewport || !rowsLayer || !spacer) return;
  refit();
  const rowHeight = table.fit?.rowHeight ?? ROW_HEIGHT;
  spacer.style.height = `${table.total * rowHeight}px`;
  const first = Math.floor(viewport.scrollTop / rowHeight);
  const count = Math.ceil(viewport.clientHeight / rowHeight) + 4;
  const rows: HTMLElement[] = [];
  for (let i = first; i < Math.min(first + count, table.total || first + 1); i++) {
    const page = Math.floor(i / PAGE);
    const row = table.pages.get(page)?.[i % PAGE];
    if (!row) {
      void loadPage(page);
      continue;
    }
    const t = rowTexts(row);
    const el = h(
        "div",
        {
          class: "trow",
          role: "row",
          tabindex: "0",
          "aria-rowindex": i + 2,
          "data-row": row.zoho_id,
          onclick: () => void openRecord(row),
          onkeydown: (e: Event) => {
            if ((e as KeyboardEvent).key === "Enter") void openRecord(row);
          },
        },
        h("span", { role: "cell", class: "label" }, t.label),
        h("span", { role: "cell", class: "date", title: row.date ?? "" }, t.date),
        h("span", { role: "cell", class: "name" }, t.name),
        h("span", { role: "cell", class: "status" }, t.status),
        h("span", { role: "cell", class: "num" }, t.total),
      );
    // Set through the CSSOM: the strict CSP refuses style attributes.
    el.style.top = `${i * rowHeight}px`;
    el.style.height = `${rowHeight}px`;
    rows.push(el);
  }
  // A row with the keyboard's focus keeps it when the rows are drawn again (scrolled, resized).
  const had = document.activeElement;
  const focusedRow = had instanceof HTMLElement && rowsLayer.contains(had) ? had.dataset.row : undefined;
  rowsLayer.replaceChildren(...rows);
  if (focusedRow !== undefined) rowsLayer.querySelector<HTMLElement>(`[data-row="${CSS.escape(focusedRow)}"]`)?.focus({ preventScroll: true });
  const label = document.getElementById("preview-count");
  if (label) label.textContent = `${table.total} record${table.total === 1 ? "" : "s"}`;
}

async function openRecord(row: RecordRow): Promise<void> {
  if (!ui.connection) return;
  const entity = ui.entity;
  try {
    const record = await api.pullRecord(ui.connection, entity, row.zoho_id);
    openRecordCard(entity, record, ui.currency, row.label ?? row.zoho_id, `.trow[data-row="${CSS.escape(row.zoho_id)}"]`);
  } catch (e) {
    showError(asAppError(e));
  }
}

let searchTimer: number | undefined;

export function preview(r: PullResults): HTMLElement {
  const columns: [SortColumn, string][] = [
    ["label", HEADERS.label],
    ["date", HEADERS.date],
    ["counterparty", HEADERS.name],
    ["status", HEADERS.status],
    ["total", HEADERS.total],
  ];
  viewport = h("div", {
    class: "tviewport",
    "data-test": "preview-viewport",
    onscroll: (e: Event) => {
      ui.scrollTop = (e.target as HTMLElement).scrollTop;
      paintRows();
    },
  });
  spacer = h("div", { class: "tspacer" });
  rowsLayer = h("div", { class: "trows", role: "rowgroup" });
  viewport.append(spacer, rowsLayer);
  resized?.disconnect();
  resized = new ResizeObserver(() => {
    paintRows();
  });
  resized.observe(viewport);
  window.setTimeout(() => {
    // A redraw keeps the reader's place in the table.
    if (viewport && ui.scrollTop > 0) viewport.scrollTop = ui.scrollTop;
    paintRows();
  }, 0);
  return h(
    "div",
    { class: "preview", "data-test": "preview" },
    h(
      "div",
      { class: "row" },
      h(
        "label",
        { for: "preview-entity" },
        "Show ",
        h(
          "select",
          {
            id: "preview-entity",
            onchange: (e: Event) => {
              const entity = (e.target as HTMLSelectElement).value;
              if (isEntity(entity)) ui.entity = entity;
                        table.reset();
              redraw();
            },
          },
          r.counts.map((c) => h("option", { value: c.entity, selected: c.entity === ui.entity }, entityName(c.entity))),
        ),
      ),
      h("input", {
        type: "search",
        placeholder: "Search number, name, status…",
        "aria-label": "Search the records",
        "data-test": "preview-search",
        value: ui.search,
        oninput: (e: Event) => {
          ui.search = (e.target as HTMLInputElement).value;
          window.clearTimeout(searchTimer);
          searchTimer = window.setTimeout(() => {
            table.reset();
            void loadPage(0);
          }, 200);
        },
      }),
      h("span", { id: "preview-count", class: "hint", "aria-live": "polite" }),
    ),
    (tableEl = h(
      "div",
      { class: "ttable", role: "table", "aria-label": `${entityName(ui.entity)} pulled` },
      h(
        "div",
        { class: "thead", role: "row", "aria-rowindex": 1 },
        columns.map(([col, label]) =>
          h(
            "div",
            {
              role: "columnheader",
              "data-col": col,
              "aria-sort": ui.sort === col ? (ui.dir === "asc" ? "ascending" : "descending") : "none",
            },
            h(
            "button",
            {
              type: "button",
              class: col === "total" ? "num" : "",
              "data-sort": col,
              onclick: () => {
                if (ui.sort === col) ui.dir = ui.dir === "asc" ? "desc" : "asc";
                else {
                  ui.sort = col;
                  ui.dir = col === "label" || col === "counterparty" ? "asc" : "desc";
                }
                table.reset();
                redraw();
              },
            },
            label,
            ui.sort === col ? (ui.dir === "asc" ? " ▲" : " ▼") : "",
          ),
          ),
        ),
      ),
      viewport,
    )),
  );
}
