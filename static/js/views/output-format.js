// @ts-check
/**
 * Number and label formatting for the output views (metrics, chart, heatmap
 * readout, neuron arithmetic). Pure functions: no DOM, no state.
 */

/** Significant digits shown by default. */
const DEFAULT_DIGITS = 3;
/** Below this magnitude (and above zero) a number is written with an exponent. */
const SMALL_LIMIT = 1e-3;
/** From this magnitude up a number is written with an exponent. */
const LARGE_LIMIT = 1e5;
/** Shown for a figure that does not apply or is not known yet. */
export const MISSING = "—";
/** Typographic minus, so signed columns line up with the digits. */
const MINUS = "\u2212";
/** Unicode subscript digits 0–9, for names like w₁. */
const SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";

/**
 * A number to `digits` significant digits with a true minus sign; null or NaN shows "—".
 * @param {number | null | undefined} value
 * @param {number} [digits]
 * @returns {string}
 */
export function formatNumber(value, digits = DEFAULT_DIGITS) {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  if (value === 0) return "0";
  const size = Math.abs(value);
  let text;
  if (size < SMALL_LIMIT || size >= LARGE_LIMIT) {
    const [mantissa, exponent] = value.toExponential(digits - 1).split("e");
    text = `${mantissa}e${Number(exponent)}`;
  } else {
    text = value.toPrecision(digits);
    if (text.includes("e")) text = String(Number(text));
  }
  return text.replace(/-/g, MINUS);
}

/**
 * Like formatNumber, without trailing zeros: for axis ticks ("6", "0.4", "−1").
 * @param {number | null | undefined} value
 * @param {number} [digits]
 * @returns {string}
 */
export function formatTick(value, digits = DEFAULT_DIGITS) {
  const text = formatNumber(value, digits);
  return text.includes(".") && !text.includes("e") ? text.replace(/\.?0+$/, "") : text;
}

/**
 * A share in [0, 1] as a percentage with one decimal; null shows "—".
 * @param {number | null | undefined} share
 * @returns {string}
 */
export function formatPercent(share) {
  if (share === null || share === undefined || !Number.isFinite(share)) return MISSING;
  return `${(share * 100).toFixed(1)}%`;
}

/**
 * A 1-based position written as a subscript: 0 → "₁", 11 → "₁₂".
 * @param {number} index 0-based
 * @returns {string}
 */
export function subscript(index) {
  return String(index + 1).split("").map((digit) => SUBSCRIPTS[Number(digit)]).join("");
}

/**
 * Look up the label of an option in hello.options[kind]; falls back to the name.
 * @param {any} hello
 * @param {string} kind e.g. "activation", "cost", "features"
 * @param {string} name
 * @returns {string}
 */
export function optionLabel(hello, kind, name) {
  const list = hello?.options?.[kind];
  const found = Array.isArray(list) ? list.find((option) => option.name === name) : null;
  return found?.label ?? name;
}

/**
 * How a neuron is named in sentences: "neuron 2 of layer 1", "output neuron 1", "input X₁".
 * @param {any} hello
 * @param {any} session
 * @param {number} layer counted from the input layer (0)
 * @param {number} index 0-based
 * @returns {string}
 */
export function neuronName(hello, session, layer, index) {
  const sizes = session?.sizes ?? [];
  if (layer === 0) {
    const feature = session?.config?.features?.[index];
    return `input ${feature ? optionLabel(hello, "features", feature) : index + 1}`;
  }
  if (layer === sizes.length - 1) {
    if (session?.problem === "multiclass") return `the output neuron of class ${index}`;
    return sizes[layer] > 1 ? `output neuron ${index + 1}` : "the output neuron";
  }
  return `neuron ${index + 1} of layer ${layer}`;
}
