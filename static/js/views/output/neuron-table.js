// @ts-check
/**
 * The worked example of one neuron's forward pass, as a table laid out like
 * a sum on paper: one row per input (activation × weight → product), then
 * Σ, + b, z and a under the products column. Built once per shape; the
 * numbers are rewritten in place on every frame.
 */
import { el } from "./caption.js";
import { t } from "../../i18n.js";
import { formatFixed, subscript } from "../../lib/format.js";
import { optionLabel } from "../../lib/labels.js";

/** Said under the sums when no precision makes the rounded terms add up exactly. */
export const ROUNDING_NOTE = "neuron.rounding";

/**
 * @typedef {{inputs: HTMLElement[], weights: HTMLElement[], products: HTMLElement[],
 *            weighted_sum: HTMLElement, bias: HTMLElement, z: HTMLElement, a: HTMLElement,
 *            names: HTMLElement[], note: HTMLElement}} Slots
 */

/**
 * Where input i of a neuron in `layer` comes from, in words.
 * @param {any} hello @param {any} session @param {number} layer @param {number} i
 */
function sourceName(hello, session, layer, i) {
  if (layer === 1) {
    const feature = session?.config?.features?.[i];
    return feature ? optionLabel(hello, "features", feature) : t("names.input", { name: i + 1 });
  }
  return t("names.layer_neuron", { layer: layer - 1, n: i + 1 });
}

/**
 * How the activation is written in the last row: "tanh(z)", "z" for linear.
 * @param {string} activation
 */
export function activationFormula(activation) {
  if (activation === "linear") return "z";
  if (activation === "softmax") return "softmax(z)ₖ";
  return `${activation}(z)`;
}

/** @param {string} text @param {string} [className] */
function cell(text, className = "") {
  return el("td", className, text);
}

/** @param {string} term */
function valueCell(term) {
  const td = el("td", "neuron-value");
  td.dataset.term = term;
  return td;
}

/**
 * Build the table for a neuron with `count` inputs; returns it and the cells to fill.
 * @param {any} hello @param {any} session
 * @param {{layer: number, inputs: number[], activation: string}} neuron
 * @returns {{table: HTMLElement, slots: Slots}}
 */
export function buildNeuronTable(hello, session, neuron) {
  const table = el("table", "neuron-table");
  table.append(el("caption", "visually-hidden", t("neuron.table_caption")));
  const head = el("tr");
  for (const [text, className] of [[t("neuron.from"), ""], [t("neuron.activation_a"), "neuron-span2"], ["", ""],
                                   [t("neuron.weight_w"), "neuron-span2"], ["", ""], ["wᵢ × aᵢ", "neuron-right"]]) {
    const th = el("th", className, text);
    th.setAttribute("scope", "col");
    if (className === "neuron-span2") th.setAttribute("colspan", "2");
    head.append(th);
  }
  const thead = el("thead");
  thead.append(head);
  const body = el("tbody");
  /** @type {Slots} */
  const slots = { inputs: [], weights: [], products: [], weighted_sum: valueCell("weighted_sum"),
                  bias: valueCell("bias"), z: valueCell("z"), a: valueCell("a"), names: [],
                  note: el("p", "neuron-note", "") };
  neuron.inputs.forEach((_, i) => {
    const row = el("tr");
    const source = el("th", "neuron-source", sourceName(hello, session, neuron.layer, i));
    source.setAttribute("scope", "row");
    const input = valueCell(`input-${i}`);
    const weight = valueCell(`weight-${i}`);
    const product = valueCell(`product-${i}`);
    row.append(source, cell(`a${subscript(i)} =`, "neuron-name"), input, cell("×", "neuron-op"),
               cell(`w${subscript(i)} =`, "neuron-name"), weight, cell("→", "neuron-op"), product);
    slots.inputs.push(input);
    slots.weights.push(weight);
    slots.products.push(product);
    body.append(row);
  });
  const totals = el("tbody", "neuron-totals");
  const formula = activationFormula(neuron.activation);
  for (const [label, text, slot, className] of /** @type {const} */ ([
    [t("neuron.sum"), "Σ wᵢaᵢ =", slots.weighted_sum, "neuron-sum"],
    [t("neuron.bias"), "+ b =", slots.bias, ""],
    [t("neuron.weighted_input"), "z = Σ wᵢaᵢ + b =", slots.z, "neuron-z"],
    [t("neuron.output"), `a = ${formula} =`, slots.a, "neuron-a"],
  ])) {
    const row = el("tr", className);
    const th = el("th", "neuron-source", label);
    th.setAttribute("scope", "row");
    const name = cell(text, "neuron-name neuron-total-name");
    name.setAttribute("colspan", "6");
    row.append(th, name, slot);
    totals.append(row);
    slots.names.push(name);
  }
  slots.note.hidden = true;
  slots.note.setAttribute("data-term", "rounding-note");
  table.append(thead, body, totals);
  return { table, slots };
}

/**
 * Write the neuron's numbers into the table's cells, to the decimals the server chose so that
 * the shown products add up to the shown Σ and the shown Σ and b to the shown z.
 * @param {Slots} slots
 * @param {{inputs: number[], weights: number[], products: number[], weighted_sum: number,
 *          bias: number, z: number, a: number, decimals: number, is_exact: boolean}} neuron
 */
export function fillNeuronTable(slots, neuron) {
  /** @param {HTMLElement} node @param {number} value */
  const put = (node, value) => {
    const text = formatFixed(value, neuron.decimals);
    if (node.textContent !== text) node.textContent = text;
  };
  const sign = neuron.is_exact ? "=" : "≈";
  for (const name of [slots.names[0], slots.names[2]]) {  // Σ and z are the totals
    const text = `${(name.textContent ?? "").replace(/[=≈]$/, "")}${sign}`;
    if (name.textContent !== text) name.textContent = text;
  }
  slots.note.hidden = neuron.is_exact;
  if (!neuron.is_exact && slots.note.textContent !== t(ROUNDING_NOTE)) slots.note.textContent = t(ROUNDING_NOTE);
  neuron.inputs.forEach((value, i) => put(slots.inputs[i], value));
  neuron.weights.forEach((value, i) => put(slots.weights[i], value));
  neuron.products.forEach((value, i) => put(slots.products[i], value));
  put(slots.weighted_sum, neuron.weighted_sum);
  put(slots.bias, neuron.bias);
  put(slots.z, neuron.z);
  put(slots.a, neuron.a);
}
