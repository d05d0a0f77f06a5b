// @ts-check
/**
 * Number formatting for the page's read-outs: counters with thousands
 * separators, costs with a few significant digits, rates as typed. Pure
 * functions, no DOM; any view may import them.
 */

/** Digits of a zero-padded counter, as in "Epoch 000,412". */
const COUNTER_DIGITS = 6;
/** Significant digits of a cost read-out. */
const COST_DIGITS = 3;
/** Below this magnitude a cost is shown in exponent notation. */
const TINY_COST = 1e-3;
/** Placeholder for a figure that does not apply or is missing. */
export const NO_VALUE = "–";

/**
 * A number with thousands separators and at most `digits` decimals: 10300 → "10,300".
 * @param {number | null | undefined} value
 * @param {number} [digits] decimals kept (trailing zeros dropped)
 * @returns {string}
 */
export function formatNumber(value, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/**
 * A counter padded with zeros to a fixed width, grouped by thousands: 412 → "000,412".
 * @param {number | null | undefined} value
 * @param {number} [width] digits before grouping
 * @returns {string}
 */
export function formatCounter(value, width = COUNTER_DIGITS) {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  const digits = String(Math.max(0, Math.trunc(value))).padStart(width, "0");
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * A cost with a few significant digits: 0.012345 → "0.0123", 1.5e-5 → "1.50e-5".
 * @param {number | null | undefined} value
 * @param {number} [digits] significant digits
 * @returns {string}
 */
export function formatCost(value, digits = COST_DIGITS) {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  if (value !== 0 && Math.abs(value) < TINY_COST) return value.toExponential(digits - 1).replace("e-", "e−");
  return Number(value.toPrecision(digits)).toString();
}

/**
 * A rate or other setting as a person would type it: 0.00001 → "0.00001", 3 → "3".
 * @param {number} value
 * @returns {string}
 */
export function formatRate(value) {
  if (!Number.isFinite(value)) return NO_VALUE;
  if (value === 0) return "0";
  const text = value.toFixed(10).replace(/\.?0+$/, "");
  return text === "0" ? String(value) : text;
}

/**
 * A share 0..1 as a percentage: 0.996 → "99.6%".
 * @param {number | null | undefined} value
 * @param {number} [digits] decimals
 * @returns {string}
 */
export function formatPercent(value, digits = 1) {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  return `${(value * 100).toFixed(digits)}%`;
}
