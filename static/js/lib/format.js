// @ts-check
/**
 * Number formatting for every read-out on the page: figures to a few
 * significant digits with a true minus sign, counters grouped by thousands,
 * rates as a person types them, percentages and subscripts. Pure functions,
 * no DOM; a figure that is missing or not finite shows MISSING.
 */

/** Significant digits shown by default. */
const DEFAULT_DIGITS = 3;
/** Below this magnitude (and above zero) a number is written with an exponent. */
const SMALL_LIMIT = 1e-3;
/** From this magnitude up a number is written with an exponent. */
const LARGE_LIMIT = 1e5;
/** Digits of a zero-padded counter, as in "Epoch 000,412". */
const COUNTER_DIGITS = 6;
/** Shown for a figure that does not apply or is not known yet. */
export const MISSING = "—";
/** Typographic minus, so signed columns line up with the digits. */
const MINUS = "\u2212";
/** Unicode subscript digits 0–9, for names like w₁. */
const SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";

/** @param {number | null | undefined} value @returns {value is number} */
const isFigure = (value) => value !== null && value !== undefined && Number.isFinite(value);

/**
 * A number to `digits` significant digits with a true minus sign; null or NaN shows "—".
 * @param {number | null | undefined} value
 * @param {number} [digits]
 * @returns {string}
 */
export function formatNumber(value, digits = DEFAULT_DIGITS) {
  if (!isFigure(value)) return MISSING;
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
  if (!isFigure(share)) return MISSING;
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
 * A whole count grouped by thousands: 10300 → "10,300".
 * @param {number | null | undefined} value
 * @returns {string}
 */
export function formatCount(value) {
  if (!isFigure(value)) return MISSING;
  return Math.trunc(value).toLocaleString("en-US");
}

/**
 * A counter padded with zeros to a fixed width, grouped by thousands: 412 → "000,412".
 * @param {number | null | undefined} value
 * @param {number} [width] digits before grouping
 * @returns {string}
 */
export function formatCounter(value, width = COUNTER_DIGITS) {
  if (!isFigure(value)) return MISSING;
  const digits = String(Math.max(0, Math.trunc(value))).padStart(width, "0");
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * A rate or other setting as a person would type it: 0.00001 → "0.00001", 3 → "3".
 * @param {number} value
 * @returns {string}
 */
export function formatRate(value) {
  if (!Number.isFinite(value)) return MISSING;
  if (value === 0) return "0";
  const text = value.toFixed(10).replace(/\.?0+$/, "");
  return text === "0" ? String(value) : text;
}

/**
 * A number to a fixed count of decimals the server chose so that shown sums add up
 * (app/training/digits.py rounds the same way: toFixed's half away from zero); no "−0.00".
 * @param {number | null | undefined} value
 * @param {number} decimals
 * @returns {string}
 */
export function formatFixed(value, decimals) {
  if (!isFigure(value)) return MISSING;
  const text = value.toFixed(decimals);
  return (/^-0\.?0*$/.test(text) ? text.slice(1) : text).replace(/-/g, MINUS);
}
