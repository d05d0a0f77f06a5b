// @ts-check
/**
 * The experiment as a link: the settings that differ from the defaults live
 * in location.hash, e.g. `#dataset=spiral&hidden_layers=8,8,4&learning_rate=0.01`.
 * Lists are comma-separated, an empty list is an empty value, a `null` entry
 * of a list is spelled `null`. `hide=noise,learning_rate` names controls a
 * lesson link hides, and `projector=1` opens the page in projector mode. Values are typed with `hello.fields[name].kind`; the
 * server checks ranges. Pure functions, no DOM.
 */

/** Hash key that lists hidden controls; it is not a setting. */
export const HIDE_KEY = "hide";
/** The keys of a lesson link (`#lesson=neuron&step=2`), which are no settings. */
export const LESSON_KEYS = ["lesson", "step"];
/** Hash key of the page's language (`lang=de`, read by i18n.js); it is not a setting. */
export const LANGUAGE_KEY = "lang";
/** Hash key that turns projector mode on (`projector=1`); it is not a setting. */
export const PROJECTOR_KEY = "projector";
/** How a null entry of a list is written. */
const NULL_TOKEN = "null";

/**
 * @typedef {{kind: string, [key: string]: any}} FieldSpec
 * @typedef {{changes: Record<string, unknown>, hidden: string[], projector: boolean, unknown: string[]}} ParsedHash
 */

/**
 * decodeURIComponent that keeps malformed escapes as they are.
 * @param {string} text
 */
function decode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** @param {unknown} a @param {unknown} b */
const isSame = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The settings of `config` that differ from `defaults`.
 * @param {Record<string, unknown>} config
 * @param {Record<string, unknown>} defaults
 * @returns {Record<string, unknown>}
 */
export function configChanges(config, defaults) {
  /** @type {Record<string, unknown>} */
  const changes = {};
  for (const [name, value] of Object.entries(config)) {
    if (!isSame(value, defaults[name])) changes[name] = value;
  }
  return changes;
}

/** @param {unknown} value @returns {string} */
function writeValue(value) {
  if (Array.isArray(value)) {
    return value.map((item) => (item === null ? NULL_TOKEN : encodeURIComponent(String(item)))).join(",");
  }
  return encodeURIComponent(String(value));
}

/**
 * The hash for a configuration: only what differs from the defaults, then `hide`, then `projector`.
 * @param {Record<string, unknown>} config
 * @param {Record<string, unknown>} defaults
 * @param {string[]} hidden
 * @param {boolean} projector
 * @returns {string} "" or "#key=value&…"
 */
export function buildHash(config, defaults, hidden = [], projector = false) {
  const parts = Object.entries(configChanges(config, defaults)).map(([name, value]) => `${name}=${writeValue(value)}`);
  if (hidden.length) parts.push(`${HIDE_KEY}=${writeValue(hidden)}`);
  if (projector) parts.push(`${PROJECTOR_KEY}=1`);
  return parts.length ? `#${parts.join("&")}` : "";
}

/**
 * A number if the text is one, else the text itself so the server can name the field.
 * @param {string} text
 * @returns {number | string}
 */
function toNumber(text) {
  const number = Number(text);
  return text.trim() !== "" && Number.isFinite(number) ? number : text;
}

/** @param {string} text @returns {string[]} */
function splitList(text) {
  return text === "" ? [] : text.split(",").map((item) => decode(item.trim()));
}

/**
 * A hash value typed by its field's kind.
 * @param {FieldSpec} spec
 * @param {string} raw still URI-encoded
 * @returns {unknown}
 */
export function readValue(spec, raw) {
  switch (spec.kind) {
    case "int":
    case "float":
      return toNumber(decode(raw));
    case "int_list":
      return splitList(raw).map(toNumber);
    case "choice_list":
      return splitList(raw);
    case "choice_or_null_list":
      return splitList(raw).map((item) => (item === NULL_TOKEN || item === "" ? null : item));
    default:
      return decode(raw);
  }
}

/**
 * Settings, hidden controls, projector mode and unknown keys from a hash.
 * @param {string} hash location.hash, with or without "#"
 * @param {Record<string, FieldSpec>} fields hello.fields
 * @returns {ParsedHash}
 */
export function parseHash(hash, fields) {
  /** @type {ParsedHash} */
  const parsed = { changes: {}, hidden: [], projector: false, unknown: [] };
  const body = hash.replace(/^#/, "");
  if (!body) return parsed;
  for (const part of body.split("&")) {
    if (!part) continue;
    const cut = part.indexOf("=");
    const key = decode(cut < 0 ? part : part.slice(0, cut));
    const raw = cut < 0 ? "" : part.slice(cut + 1);
    if (LESSON_KEYS.includes(key) || key === LANGUAGE_KEY) continue;  // read by views/lessons/ and i18n.js
    if (key === HIDE_KEY) parsed.hidden = splitList(raw).filter(Boolean);
    else if (key === PROJECTOR_KEY) parsed.projector = raw !== "0" && raw !== "false";
    else if (Object.hasOwn(fields, key)) parsed.changes[key] = readValue(fields[key], raw);
    else parsed.unknown.push(key);
  }
  return parsed;
}
