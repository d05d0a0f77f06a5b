// @ts-check
/**
 * Number formatting for every read-out on the page: figures to a few
 * significant digits with a true minus sign, counters grouped by thousands,
 * rates as a person types them, percentages and subscripts. Pure functions,
 * no DOM; a figure that is missing or not finite shows MISSING. Figures are
 * written in the page's language (i18n.js): a decimal comma and a point between
 * thousands in German and Spanish. CSV files are not written here: they keep
 * their own format.
 */
import { currentLanguage, t } from "../i18n.js";

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

/** @type {Map<string, {decimal: string, group: string}>} each language's separators, asked of Intl once */
const SEPARATORS = new Map();

/** @param {string} language @returns {{decimal: string, group: string}} */
function separators(language) {
  let found = SEPARATORS.get(language);
  if (!found) {
    const parts = new Intl.NumberFormat(language).formatToParts(12345.6);
    found = { decimal: parts.find((p) => p.type === "decimal")?.value ?? ".",
              group: parts.find((p) => p.type === "group")?.value ?? "," };
    SEPARATORS.set(language, found);
  }
  return found;
}

/**
 * A figure written with "." and "," (as JavaScript writes it) in the page's language: "0.5" → "0,5" in German.
 * @param {string} text
 */
export function localize(text) {
  const { decimal, group } = separators(currentLanguage());
  return decimal === "." ? text : text.replace(/[.,]/g, (mark) => (mark === "." ? decimal : group));
}

/** @param {number | null | undefined} value @returns {value is number} */
const isFigure = (value) => value !== null && value !== undefined && Number.isFinite(value);

/**
 * A number to `digits` significant digits with a true minus sign; null or NaN shows "—".
 * @param {number | null | undefined} value
 * @param {number} [digits]
 * @returns {string}
 */
export function formatNumber(value, digits = DEFAULT_DIGITS) {
  return isFigure(value) ? localize(plainNumber(value, digits)) : MISSING;
}

/** formatNumber's figure as JavaScript writes it ("0.5"). @param {number} value @param {number} digits */
function plainNumber(value, digits) {
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
  if (!isFigure(value)) return MISSING;
  const text = plainNumber(value, digits);
  return localize(text.includes(".") && !text.includes("e") ? text.replace(/\.?0+$/, "") : text);
}

/**
 * A share in [0, 1] as a percentage with one decimal; null shows "—".
 * @param {number | null | undefined} share
 * @returns {string}
 */
export function formatPercent(share) {
  if (!isFigure(share)) return MISSING;
  return t("format.percent", { value: localize((share * 100).toFixed(1)) });
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
  return localize(Math.trunc(value).toLocaleString("en-US"));
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
  return localize(digits.replace(/\B(?=(\d{3})+(?!\d))/g, ","));
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
  return localize(text === "0" ? String(value) : text);
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
  return localize((/^-0\.?0*$/.test(text) ? text.slice(1) : text).replace(/-/g, MINUS));
}

/**
 * A number a learner typed, in either format: "0,5" and "0.5", "1.000,5" and "1,000.5", "−2".
 * @param {string} text
 * @returns {number} NaN when it is no number
 */
export function parseNumber(text) {
  let clean = text.trim().replace(/[\u2212\u2013]/g, "-").replace(/[\s\u00a0\u202f']/g, "");
  if (!/^[-+]?[\d.,]*\d[\d.,]*(e[-+]?\d+)?$/i.test(clean)) return Number.NaN;
  const lastComma = clean.lastIndexOf(",");
  const lastDot = clean.lastIndexOf(".");
  if (lastComma >= 0 && lastDot >= 0) {
    const decimal = lastComma > lastDot ? "," : ".";
    clean = clean.split(decimal === "," ? "." : ",").join("").replace(",", ".");
  } else if (lastComma >= 0) {
    clean = clean.replace(",", ".");  // one comma is a decimal comma: learners type weights and rates, not thousands
  } else if ((clean.match(/\./g) ?? []).length > 1) {
    clean = clean.split(".").join("");
  }
  return Number(clean);
}
