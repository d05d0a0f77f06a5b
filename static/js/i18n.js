// @ts-check
/**
 * The page's words: the message catalogue of one language (locales/*.json, i18next v4:
 * `{{name}}` placeholders, `_one`/`_other`/… plural keys chosen with Intl.PluralRules) and
 * numbers in that language's format (Intl.NumberFormat: a decimal comma in German).
 *
 * The server embeds the catalogue of the language Accept-Language asked for in the page
 * (`<script type="application/json" id="catalogue">`); another one is fetched from
 * `/api/locales/{language}` when `#lang=xx` in the address or the picker (kept in
 * localStorage) asks for it. Static words in the markup carry `data-i18n` (text) or
 * `data-i18n-title` / `data-i18n-aria-label` (attributes), so `translatePage` re-words
 * them in place when the language changes: the page, its socket and its run stay.
 *
 * The active catalogue is held here, once for the page, like `document.documentElement.lang`:
 * every view asks `t()` while it draws, and the composition root redraws them after a switch.
 */

/** The languages with a catalogue (app/i18n.py LANGUAGES, checked by a test). */
export const LANGUAGES = ["en", "de", "es"];
/** Each language's name in itself, for the picker. */
export const LANGUAGE_NAMES = { en: "English", de: "Deutsch", es: "Español" };
/** The catalogue every other one is checked against, and the fallback for a missing key. */
const DEFAULT_LANGUAGE = "en";
/** localStorage key of the language chosen with the picker. */
const STORAGE_KEY = "neuroplay.language";
/** `{{name}}` in a text. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
/** Significant digits of a fractional number inside a text (app/i18n.py SIGNIFICANT_DIGITS). */
const SIGNIFICANT_DIGITS = 3;
/** Attributes that `translatePage` re-words: data attribute → the attribute it sets. */
const ATTRIBUTES = { "data-i18n-title": "title", "data-i18n-aria-label": "aria-label",
  "data-i18n-placeholder": "placeholder" };

/** @typedef {Record<string, any>} Tree */

/** The language and its flattened messages; replaced whole by `useCatalogue`. */
const active = { language: DEFAULT_LANGUAGE, messages: /** @type {Record<string, string>} */ ({}) };

/**
 * `{"a": {"b": "text"}}` → `{"a.b": "text"}`.
 * @param {Tree} tree @param {string} [prefix] @param {Record<string, string>} [into]
 * @returns {Record<string, string>}
 */
export function flatten(tree, prefix = "", into = {}) {
  for (const [name, value] of Object.entries(tree)) {
    if (value && typeof value === "object") flatten(value, `${prefix}${name}.`, into);
    else if (typeof value === "string") into[`${prefix}${name}`] = value;
  }
  return into;
}

/** @param {string} language @param {Tree} tree */
export function useCatalogue(language, tree) {
  active.language = language;
  active.messages = flatten(tree);
  document.documentElement.lang = language;
}

/** @returns {string} the page's language */
export const currentLanguage = () => active.language;

/** @param {unknown} value @returns {string | null} a language with a catalogue, from "de", "DE" or "de-AT" */
export function normalLanguage(value) {
  if (typeof value !== "string") return null;
  const primary = value.trim().toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.includes(primary) ? primary : null;
}

/**
 * A number as the page's language writes it: whole numbers ungrouped, others to 3 significant digits.
 * @param {number} value @param {string} [language]
 */
export function formatArgument(value, language = active.language) {
  if (!Number.isFinite(value)) return String(value);
  // Whole numbers ungrouped, as a learner types them back (app/i18n.py format_number).
  const options = Number.isInteger(value) ? { useGrouping: false } : { maximumSignificantDigits: SIGNIFICANT_DIGITS };
  return new Intl.NumberFormat(language, options).format(value);
}

/**
 * The text of `key` with its arguments filled in; `count` picks the plural form.
 * A key the catalogue lacks shows as itself (a test keeps every key in every catalogue).
 * @param {string} key
 * @param {Record<string, unknown>} [args]
 * @returns {string}
 */
export function t(key, args = {}) {
  const messages = active.messages;
  let text = messages[key];
  if (text === undefined && typeof args.count === "number") {
    const category = new Intl.PluralRules(active.language).select(args.count);
    text = messages[`${key}_${category}`] ?? messages[`${key}_other`];
  }
  if (text === undefined) return key;
  return text.replace(PLACEHOLDER, (_, name) => argument(args[name]));
}

/**
 * One argument as a text: a number in the page's format, a nested text (`{key, args}`) in the
 * page's language, a list joined with ", " (app/i18n.py _argument).
 * @param {unknown} value
 * @returns {string}
 */
function argument(value) {
  if (typeof value === "number") return formatArgument(value);
  if (Array.isArray(value)) return value.map(argument).join(", ");
  if (value && typeof value === "object" && "key" in value) {
    const said = /** @type {{key: string, args?: Record<string, unknown>}} */ (value);
    return t(said.key, said.args ?? {});
  }
  return String(value ?? "");
}

/**
 * A server-made text in the page's language: its `key` and `args` when the catalogue has the key,
 * else the text the server sent.
 * @param {{key?: string | null, args?: Record<string, unknown> | null}} said
 * @param {string} fallback
 */
export function spoken(said, fallback) {
  if (!said.key) return fallback;
  const text = t(said.key, said.args ?? {});
  return text === said.key ? fallback : text;
}

/**
 * Re-word every marked element under `root` in the active language.
 * @param {ParentNode} root
 */
export function translatePage(root) {
  for (const node of root.querySelectorAll("[data-i18n]")) {
    const args = /** @type {HTMLElement} */ (node).dataset.i18nArgs;
    node.textContent = t(/** @type {string} */ (node.getAttribute("data-i18n")), args ? JSON.parse(args) : {});
  }
  for (const [source, target] of Object.entries(ATTRIBUTES)) {
    for (const node of root.querySelectorAll(`[${source}]`)) {
      node.setAttribute(target, t(/** @type {string} */ (node.getAttribute(source))));
    }
  }
}

/**
 * The language the page should speak: `#lang=xx` in the address, else the picker's choice, else the server's.
 * @param {string} hash location.hash
 * @param {string} served the language of the embedded catalogue (Accept-Language)
 */
export function chooseLanguage(hash, served) {
  const fromLink = normalLanguage(new URLSearchParams(hash.replace(/^#/, "")).get("lang"));
  if (fromLink) return fromLink;
  let stored = null;
  try {
    stored = normalLanguage(localStorage.getItem(STORAGE_KEY));
  } catch {
    stored = null;  // storage refused (private mode): the server's choice stands
  }
  return stored ?? served;
}

/** @param {string} language the picker's choice, kept for this browser */
export function rememberLanguage(language) {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // storage refused: the choice holds for this page only
  }
}

/**
 * A language's catalogue from the server.
 * @param {string} basePath
 * @param {string} language
 * @returns {Promise<Tree>}
 */
export async function fetchCatalogue(basePath, language) {
  const response = await fetch(`${basePath}/api/locales/${language}`);
  if (!response.ok) throw new Error(`${language}: HTTP ${response.status}`);
  return response.json();
}


/**
 * Speak the language the page should: the embedded catalogue when it is the one, else the chosen one
 * fetched (the embedded one stays if that fails). Re-words the markup.
 * @param {string} basePath
 * @returns {Promise<string>} the language now spoken
 */
export async function startLanguage(basePath) {
  const embedded = document.getElementById("catalogue");
  const served = normalLanguage(document.body.dataset.language) ?? DEFAULT_LANGUAGE;
  useCatalogue(served, embedded ? JSON.parse(embedded.textContent || "{}") : {});
  const wanted = chooseLanguage(location.hash, served);
  if (wanted !== served) {
    try {
      useCatalogue(wanted, await fetchCatalogue(basePath, wanted));
    } catch {
      // the served catalogue stays: a page in the browser's language beats no page
    }
  }
  translatePage(document);
  return active.language;
}

/**
 * The words of an entry of `hello` (a setting in `fields`, an option in `options`) in the page's
 * language: its catalogue `key` (+ `.label` / `.help` / `.description`; a speed is one plural text),
 * else the text the server sent.
 * @param {{key?: string, unit?: string, count?: number, [part: string]: any} | undefined} entry
 * @param {string} [part]
 * @returns {string}
 */
export function optionText(entry, part = "label") {
  if (!entry) return "";
  if (!entry.key) return String(entry[part] ?? "");
  if (entry.unit !== undefined) return t(entry.key, { count: entry.count });
  const key = `${entry.key}.${part}`;
  const text = t(key);
  return text === key ? String(entry[part] ?? "") : text;
}

/**
 * Give `node` the text of `key` and keep the key on it, so a change of language re-words it.
 * @template {Element} N
 * @param {N} node @param {string} key @param {Record<string, unknown>} [args]
 * @returns {N}
 */
export function keyed(node, key, args) {
  node.setAttribute("data-i18n", key);
  if (args) node.setAttribute("data-i18n-args", JSON.stringify(args));
  node.textContent = t(key, args);
  return node;
}

/**
 * A server-made text sent as parts (`[{key, args}, …]`, joined as they are) in the page's
 * language, or the server's own text when it sent no parts.
 * @param {{key: string, args?: Record<string, unknown>}[] | undefined} parts
 * @param {string} fallback
 */
export function sayParts(parts, fallback) {
  if (!Array.isArray(parts) || parts.length === 0) return fallback;
  return parts.map((part) => spoken(part, "")).join("");
}
