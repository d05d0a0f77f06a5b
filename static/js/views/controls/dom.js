// @ts-check
/**
 * Small DOM builders shared by the control panels: elements, labelled
 * fields tied to a config setting (`data-field`), selects whose options come
 * from `hello`, and sliders with a live read-out that commit on `change`.
 * Labels, button texts and titles are catalogue keys (locales/*.json): the
 * element shows the text and keeps the key (`data-i18n`, `data-i18n-title`), so
 * a change of language re-words it in place (i18n.js translatePage).
 */
import { optionText, t } from "../../i18n.js";

/** Prefix of the ids these builders give to controls, so labels can point at them. */
const ID_PREFIX = "ctl-";

/**
 * @typedef {{value: string, label: string, title?: string}} Choice
 * @typedef {{
 *   root: HTMLElement, input: HTMLInputElement, readout: HTMLOutputElement,
 *   set: (value: number) => void, setRange: (min: number, max: number) => void,
 * }} Slider
 */

/**
 * An element with attributes, properties and children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [props] `class`, `text`, `data-*`/`aria-*` attributes, or properties;
 *   `i18n`, `i18nTitle`, `i18nLabel`: catalogue keys of the text, the title and the aria-label
 * @param {(Node | string | null | false)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "i18n") {
      node.setAttribute("data-i18n", value);
      node.textContent = t(value);
    } else if (key === "i18nTitle") {
      node.setAttribute("data-i18n-title", value);
      node.title = t(value);
    } else if (key === "i18nLabel") {
      node.setAttribute("data-i18n-aria-label", value);
      node.setAttribute("aria-label", t(value));
    }
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "role" || key === "for") {
      node.setAttribute(key, String(value));
    } else /** @type {any} */ (node)[key] = value;
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** @param {string} name @returns {string} a page-unique id for the control of a setting */
export function controlId(name) {
  return `${ID_PREFIX}${name}`;
}

/**
 * A labelled control: `<div class="ctl" data-field=name><label>…</label>control</div>`.
 * @param {string} name config setting (or a UI name) for `data-field` and the id
 * @param {string} label catalogue key of the short visible label
 * @param {HTMLElement} control
 * @param {string} [help] tooltip
 * @param {(Node | null)[]} [extra] appended after the control
 * @returns {HTMLDivElement}
 */
export function field(name, label, control, help = "", extra = []) {
  control.id = controlId(name);
  if (help) control.title = help;
  const wrapper = el("div", { class: "ctl", "data-field": name, title: help || undefined }, [
    el("label", { for: control.id, i18n: label }),
    control,
    ...extra,
  ]);
  return wrapper;
}

/**
 * Fill a select with choices, rebuilding only when the list changed.
 * @param {HTMLSelectElement} select
 * @param {Choice[]} choices
 */
export function setChoices(select, choices) {
  const key = JSON.stringify(choices);
  if (select.dataset.choices === key) return;
  select.dataset.choices = key;
  select.replaceChildren(...choices.map((c) => el("option", { value: c.value, text: c.label, title: c.title })));
}

/**
 * Show a value in a select; a value missing from its list is added (marked as such).
 * @param {HTMLSelectElement} select
 * @param {string} value
 */
export function showChoice(select, value) {
  if (![...select.options].some((option) => option.value === value)) {
    select.append(el("option", { value, text: value, class: "is-extra" }));
  }
  select.value = value;
}

/**
 * A range input with a read-out that sends on `change` and shows the value live on `input`.
 * @param {string} name config setting
 * @param {string} label
 * @param {{minimum?: number, maximum?: number, default?: number, help?: string}} spec hello.fields[name]
 * @param {{step?: number, max?: number, format?: (value: number) => string,
 *          onCommit: (value: number) => void}} options
 * @returns {Slider}
 */
export function slider(name, label, spec, options) {
  const format = options.format ?? String;
  const input = el("input", { type: "range", step: options.step ?? 1 });
  const readout = el("output", { class: "readout" });
  const root = field(name, label, input, helpWithDefault(spec, format), [readout]);
  root.classList.add("ctl-slider");
  readout.htmlFor.add(input.id);
  const setRange = (/** @type {number} */ min, /** @type {number} */ max) => {
    input.min = String(min);
    input.max = String(max);
  };
  setRange(spec.minimum ?? 0, options.max ?? spec.maximum ?? 0);
  const set = (/** @type {number} */ value) => {
    input.value = String(value);
    readout.value = format(value);
  };
  input.addEventListener("input", () => { readout.value = format(Number(input.value)); });
  input.addEventListener("change", () => options.onCommit(Number(input.value)));
  // A double click puts the default back.
  input.addEventListener("dblclick", () => {
    if (spec.default !== undefined) options.onCommit(spec.default);
  });
  return { root, input, readout, set, setRange };
}

/**
 * A setting's help text (in the page's language) with its default appended.
 * @param {{default?: unknown, help?: string, key?: string}} spec
 * @param {(value: any) => string} format
 */
export function helpWithDefault(spec, format = String) {
  const help = optionText(spec, "help");
  return spec.default === undefined ? help : `${help} ${t("control.default", { value: format(spec.default) })}`;
}

/**
 * A button with text, tooltip and click handler.
 * @param {string} text catalogue key
 * @param {string} title catalogue key
 * @param {() => void} onClick
 * @param {string} [className]
 * @returns {HTMLButtonElement}
 */
export function button(text, title, onClick, className = "btn") {
  const node = el("button", { type: "button", class: className, i18n: text || undefined, i18nTitle: title });
  node.addEventListener("click", onClick);
  return node;
}

/**
 * A file picker that looks like a button: a label wrapping a hidden file input.
 * @param {string} text catalogue key
 * @param {string} title catalogue key
 * @param {string} accept
 * @param {(file: File) => void} onFile
 * @returns {HTMLLabelElement}
 */
export function filePicker(text, title, accept, onFile) {
  const input = el("input", { type: "file", accept, class: "visually-hidden" });
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    input.value = "";
    if (file) onFile(file);
  });
  return el("label", { class: "btn file-btn", i18nTitle: title }, [el("span", { i18n: text }), input]);
}

/** Catalogue keys of the problem types' names (the server names them; these only label them). */
export const PROBLEM_LABELS = /** @type {Record<string, string>} */ ({
  binary: "problem.binary",
  multiclass: "problem.multiclass",
  regression: "problem.regression",
});

/** @param {string} problem @returns {string} */
export const problemLabel = (problem) => (PROBLEM_LABELS[problem] ? t(PROBLEM_LABELS[problem]) : problem);

/** @param {any} hello @returns {Choice[]} one choice per problem type the server knows */
export const problemChoices = (hello) =>
  Object.keys(hello.problems).map((name) => ({ value: name, label: problemLabel(name) }));

/**
 * A labelled select for one config setting; choosing sends `configure` and
 * the select then shows what the server echoes.
 * @param {string} name config setting
 * @param {string} label catalogue key
 * @param {(changes: Record<string, unknown>) => void} configure
 * @param {(value: string) => unknown} [parse] select value → setting value
 * @returns {{root: HTMLDivElement, select: HTMLSelectElement,
 *            fill: (choices: Choice[], help?: string) => void, show: (value: unknown) => void}}
 */
export function configSelect(name, label, configure, parse = (value) => value) {
  const select = el("select");
  const root = field(name, label, select);
  select.addEventListener("change", () => configure({ [name]: parse(select.value) }));
  return {
    root,
    select,
    fill(choices, help) {
      setChoices(select, choices);
      if (help !== undefined) root.title = select.title = help;
    },
    show: (value) => showChoice(select, String(value)),
  };
}

/**
 * A seed: a whole-number input sent on `change`, with a button beside it (new seed and reset).
 * @param {string} name config field
 * @param {string} label
 * @param {(changes: Record<string, unknown>) => void} configure
 * @param {HTMLButtonElement} action
 * @returns {{root: HTMLDivElement, describe: (spec: any) => void, show: (value: number) => void}}
 */
export function seedControl(name, label, configure, action) {
  const input = el("input", { type: "number", class: "number-input seed-input", step: 1 });
  input.addEventListener("change", () => {
    if (Number.isFinite(input.valueAsNumber)) configure({ [name]: input.valueAsNumber });
  });
  const root = field(name, label, input, "", [action]);
  root.classList.add("ctl-seed");
  return {
    root,
    describe(spec) {
      input.min = String(spec.minimum ?? 0);
      input.max = String(spec.maximum);
      root.title = input.title = helpWithDefault(spec);
    },
    show: (value) => { input.value = String(value); },
  };
}
