// @ts-check
/**
 * The update of one neuron's weights and bias, as a table with the server's
 * numbers (`trace.neuron.backward.update`): one row per incoming weight, then
 * the bias; columns for the gradient dC/dw = dC/dz · aᵢ, the L1 or L2 term,
 * the optimiser's state (momentum's velocity, Adam's running means and their
 * bias-corrected values) and the step. The optimiser really steps on a
 * mini-batch's mean gradient; the note above the table says that these are
 * the numbers one step on this point alone would give. Nothing is computed
 * here: every cell is a number the server sent.
 */
import { el } from "./caption.js";
import { currentLanguage, t } from "../../i18n.js";
import { formatFixed, formatNumber, formatRate, subscript } from "../../lib/format.js";

/** Significant digits in the update table's other columns. */
const DIGITS = 3;
/** Columns shown to the decimals the server chose per parameter, so that now + Δ = after as shown. */
const FIXED = new Set(["value", "step", "new_value"]);

/**
 * @typedef {{key: string, head: string, title: string}} Column
 * @typedef {{key: string, table: HTMLElement, cells: HTMLElement[][], columns: Column[]}} Built
 */

/** @param {any} update @returns {Column[]} the columns this optimiser and regulariser need */
function columnsFor(update) {
  /** @type {Column[]} */
  const columns = [
    { key: "value", head: t("update.now"), title: t("update.now_title") },
    { key: "grad", head: "dC/d·", title: t("update.grad_title") },
  ];
  if (update.regularization !== "none") {
    const head = update.regularization === "l1" ? "λ·sign(w)" : "λ·w";
    columns.push({ key: "penalty", head, title: t("update.penalty_title", { name: update.regularization.toUpperCase() }) },
                 { key: "total", head: "g", title: t("update.total_title") });
  }
  if (update.optimizer === "momentum") {
    columns.push({ key: "velocity", head: "v", title: t("update.velocity_title") },
                 { key: "new_velocity", head: "v′", title: `v′ = ${update.momentum} · v + g` });
  } else if (update.optimizer === "adam") {
    columns.push({ key: "new_mean", head: "m′", title: `m′ = ${update.beta1} · m + ${1 - update.beta1} · g` },
                 { key: "new_square_mean", head: "v′", title: `v′ = ${update.beta2} · v + ${formatNumber(1 - update.beta2)} · g²` },
                 { key: "mean_hat", head: "m̂", title: `m̂ = m′ / (1 − ${update.beta1}^${update.t})` },
                 { key: "square_mean_hat", head: "v̂", title: `v̂ = v′ / (1 − ${update.beta2}^${update.t})` });
  }
  columns.push({ key: "step", head: t("update.change"), title: stepFormula(update) },
               { key: "new_value", head: t("update.after"), title: t("update.after_title") });
  return columns;
}

/** @param {any} update */
function stepFormula(update) {
  if (update.optimizer === "momentum") return "−η · v′";
  if (update.optimizer === "adam") return `−η · m̂ / (√v̂ + ${update.epsilon})`;
  return update.regularization === "none" ? "−η · dC/d·" : "−η · g";
}

/** @param {any} update @param {number} batchSize @returns {string} */
export function updateNote(update, batchSize) {
  const rule = stepFormula(update).replace("−η", `−${formatRate(update.learning_rate)}`);
  const batch = batchSize > 1 ? t("update.batch_mean", { count: batchSize }) : t("update.batch_single");
  return t("update.note", { rule, batch, step: update.t });
}

/** @param {any} update @returns {string} the shape of the table: rebuild when it changes */
function shapeKey(update) {
  return JSON.stringify([update.optimizer, update.regularization, update.params.length, currentLanguage()]);
}

/** @param {any} update @returns {Built} */
function build(update) {
  const columns = columnsFor(update);
  const table = el("table", "neuron-table neuron-update");
  table.append(el("caption", "visually-hidden", t("update.caption")));
  const head = el("tr");
  for (const column of [{ head: "", title: "" }, ...columns]) {
    const th = el("th", "neuron-right", column.head);
    th.setAttribute("scope", "col");
    if (column.title) th.title = column.title;
    head.append(th);
  }
  const thead = el("thead");
  thead.append(head);
  const body = el("tbody");
  const cells = update.params.map((/** @type {any} */ param, /** @type {number} */ i) => {
    const row = el("tr");
    const name = el("th", "neuron-name", param.name === "b" ? "b" : `w${subscript(i)}`);
    name.setAttribute("scope", "row");
    row.append(name);
    const values = columns.map((column) => {
      const td = el("td", "neuron-value");
      td.dataset.term = `update-${column.key}-${i}`;
      row.append(td);
      return td;
    });
    body.append(row);
    return values;
  });
  table.append(thead, body);
  return { key: shapeKey(update), table, cells, columns };
}

/**
 * Show `update` in `box`, rebuilding the table only when its shape changed.
 * @param {HTMLElement} box @param {Built | null} built @param {any} update
 * @returns {Built}
 */
export function renderUpdate(box, built, update) {
  if (!built || built.key !== shapeKey(update)) {
    built = build(update);
    box.replaceChildren(built.table);
  }
  const { cells, columns } = built;
  update.params.forEach((/** @type {any} */ param, /** @type {number} */ i) => {
    columns.forEach((column, k) => {
      let text = FIXED.has(column.key) ? formatFixed(param[column.key], param.decimals)
        : formatNumber(param[column.key], DIGITS);
      if (column.key === "new_value" && param.is_exact === false) text = `≈ ${text}`;  // now + Δ is off by rounding
      if (cells[i][k].textContent !== text) cells[i][k].textContent = text;
    });
  });
  return built;
}
