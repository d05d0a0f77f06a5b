// @ts-check
/**
 * A small confusion matrix as an accessible table: rows are the true class,
 * columns the predicted class, each cell shaded by its share of the largest
 * count. The table is rebuilt only when the number of classes changes; counts
 * are written into the existing cells on every frame.
 */
import { POSITIVE, rgb } from "../../lib/colors.js";
import { classSwatch, el } from "./caption.js";
import { t } from "../../i18n.js";

/** Strongest cell shading (opacity of the accent colour at the largest count): at most this light,
 * the counts in ink keep a contrast above 4.5:1 on every cell (WCAG AA). */
const MAX_SHADE = 0.7;

/**
 * @param {HTMLElement} element where the table goes
 * @returns {{update: (confusion: number[][] | null | undefined) => void}}
 */
export function createConfusionTable(element) {
  let builtFor = 0;
  /** @type {HTMLTableCellElement[][]} */
  let cells = [];

  /** @param {number} nClasses */
  function build(nClasses) {
    const table = el("table", "confusion");
    const caption = el("caption", "visually-hidden", t("confusion.caption"));
    const head = el("thead");
    const headRow = el("tr");
    const corner = el("td", "confusion-corner");
    headRow.append(corner);
    for (let k = 0; k < nClasses; k++) headRow.append(classHeader(k, nClasses, "col"));
    head.append(headRow);
    const body = el("tbody");
    cells = [];
    for (let row = 0; row < nClasses; row++) {
      const tr = el("tr");
      tr.append(classHeader(row, nClasses, "row"));
      const rowCells = [];
      for (let column = 0; column < nClasses; column++) {
        const td = /** @type {HTMLTableCellElement} */ (el("td", row === column ? "confusion-hit" : "confusion-miss"));
        rowCells.push(td);
        tr.append(td);
      }
      cells.push(rowCells);
      body.append(tr);
    }
    table.append(caption, head, body);
    element.replaceChildren(table);
    builtFor = nClasses;
  }

  /** @param {number} k @param {number} nClasses @param {"row"|"col"} scope */
  function classHeader(k, nClasses, scope) {
    const th = el("th", "confusion-class");
    th.setAttribute("scope", scope);
    th.append(classSwatch(k, nClasses), el("span", "", String(k)));
    th.setAttribute("aria-label", t(scope === "row" ? "confusion.true_class" : "confusion.predicted_class", { k }));
    return th;
  }

  return {
    update(confusion) {
      const nClasses = confusion?.length ?? 0;
      if (!confusion || nClasses < 2) {
        element.replaceChildren();
        builtFor = 0;
        return;
      }
      if (builtFor !== nClasses) build(nClasses);
      const peak = Math.max(1, ...confusion.flat());
      confusion.forEach((row, r) => row.forEach((count, c) => {
        const cell = cells[r]?.[c];
        if (!cell) return;
        const shade = (count / peak) * MAX_SHADE;
        if (cell.textContent !== String(count)) cell.textContent = String(count);
        cell.style.background = count ? rgb(POSITIVE, shade) : "";
      }));
    },
  };
}
