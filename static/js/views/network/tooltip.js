// @ts-check
/**
 * Words for what the pointer is over: the tooltip lines for a neuron, an
 * input or a link, read from the latest frame so they update while the
 * network trains, and the names the inline editor and buttons use.
 */
import { biasAt, weightAt } from "./frame.js";
import { optionText, t } from "../../i18n.js";
import { localize } from "../../lib/format.js";

/** Distance from the cursor to the tooltip's corner, CSS px. */
const TOOLTIP_OFFSET = 14;
/** Decimals shown for weights and biases. */
const VALUE_DECIMALS = 3;
/** Significant digits shown for gradients (they are often tiny). */
const GRADIENT_DIGITS = 3;
/** Said instead of "click to …" on a follower's page, where nothing on the network can be changed. */
export const READ_ONLY_ACTION = "tooltip.read_only";

/**
 * @typedef {import("./draw.js").Hit} Hit
 * @typedef {{layout: import("./layout.js").Layout, offsets: import("./frame.js").Offsets,
 *   frame: any, session: any, hello: any, showGradients: boolean,
 *   isReadOnly?: boolean}} Context
 */

/** @param {number} value */
export function formatValue(value) {
  return Number.isFinite(value) ? localize(value.toFixed(VALUE_DECIMALS)) : String(value);
}

/** @param {number} value */
function formatGradient(value) {
  if (value === 0) return "0";
  return Number.isFinite(value) ? value.toPrecision(GRADIENT_DIGITS) : String(value);
}

/**
 * The label of an option (activation, feature) from hello, or its name.
 * @param {any} hello
 * @param {string} list
 * @param {string} name
 */
export function optionLabel(hello, list, name) {
  const option = (hello?.options?.[list] || []).find((/** @type {any} */ entry) => entry.name === name);
  return option ? optionText(option) || name : name;
}

/**
 * How people call neuron `index` of `layer`: a feature label, "layer 1, neuron 2" or "output".
 * @param {any} session
 * @param {any} hello
 * @param {number} layer
 * @param {number} index
 */
export function neuronName(session, hello, layer, index) {
  const sizes = session.sizes;
  if (layer === 0) return optionLabel(hello, "features", session.config.features[index]);
  if (layer === sizes.length - 1) return sizes[layer] > 1 ? t("names.output_short_number", { n: index + 1 }) : t("names.output_short");
  return t("names.layer_neuron", { layer, n: index + 1 });
}

/** @param {string} text */
const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The name of a link, e.g. "X₁ → layer 1, neuron 2".
 * @param {any} session @param {any} hello
 * @param {number} layer @param {number} source @param {number} target
 */
export function linkName(session, hello, layer, source, target) {
  return `${neuronName(session, hello, layer, source)} → ${neuronName(session, hello, layer + 1, target)}`;
}

/**
 * Tooltip lines for a hit, from the current frame.
 * @param {Hit} hit
 * @param {Context} context
 * @returns {string[]}
 */
export function describe(hit, context) {
  const lines = describeParts(hit, context);
  // The last line says what a click does; a follower's click does nothing, and the page says why.
  return context.isReadOnly ? [...lines.slice(0, -1), t(READ_ONLY_ACTION)] : lines;
}

/** @param {Hit} hit @param {Context} context @returns {string[]} */
function describeParts(hit, context) {
  const { layout, offsets, frame, session, hello, showGradients } = context;
  if (hit.kind === "input") {
    const slot = layout.inputs[hit.slot];
    return [t("tooltip.not_used", { name: slot.label }), t("tooltip.add_input")];
  }
  if (hit.kind === "link") {
    const { layer, source, target } = hit;
    const weight = weightAt(frame.arrays.weights, offsets, layout.sizes, layer, source, target);
    const lines = [`w = ${formatValue(weight)} (${linkName(session, hello, layer, source, target)})`];
    if (showGradients) {
      const gradient = weightAt(frame.arrays.weight_grads, offsets, layout.sizes, layer, source, target);
      lines.push(`∂C/∂w = ${formatGradient(gradient)}`);
    }
    lines.push(t("tooltip.edit"));
    return lines;
  }
  const { layer, index } = hit;
  const name = capitalise(neuronName(session, hello, layer, index));
  if (layer === 0) {
    const range = frame.header.map_ranges?.[0]?.[index];
    const lines = [t("tooltip.input", { name })];
    if (range) lines.push(t("tooltip.range", { low: formatValue(range[0]), high: formatValue(range[1]) }));
    lines.push(t("tooltip.stop_using"));
    return lines;
  }
  const list = layer === layout.sizes.length - 1 ? "output_activation" : "activation";
  const activation = optionLabel(hello, list, session.activations[layer - 1]);
  const lines = [`${name} · ${activation}`, `${t("tooltip.bias")} = ${formatValue(biasAt(frame.arrays.biases, offsets, layer, index))}`];
  if (showGradients) lines.push(`∂C/∂b = ${formatGradient(biasAt(frame.arrays.bias_grads, offsets, layer, index))}`);
  lines.push(t("tooltip.edit_bias"));
  return lines;
}

/**
 * Show lines in the tooltip element near (clientX, clientY), kept inside the window.
 * @param {HTMLElement} tooltip a `.tooltip`
 * @param {string[]} lines
 * @param {number} clientX @param {number} clientY
 */
export function showTooltip(tooltip, lines, clientX, clientY) {
  tooltip.replaceChildren(...lines.map((line) => {
    const row = document.createElement("div");
    row.textContent = line;
    return row;
  }));
  tooltip.hidden = false;
  const box = tooltip.getBoundingClientRect();
  const left = Math.min(clientX + TOOLTIP_OFFSET, window.innerWidth - box.width - 4);
  const top = clientY + TOOLTIP_OFFSET + box.height > window.innerHeight
    ? clientY - TOOLTIP_OFFSET - box.height
    : clientY + TOOLTIP_OFFSET;
  tooltip.style.left = `${Math.max(4, left)}px`;
  tooltip.style.top = `${Math.max(4, top)}px`;
}
