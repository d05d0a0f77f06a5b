// @ts-check
/**
 * The DOM around the network canvas: the bar with the hidden-layer count
 * and the gradients toggle, one header per column (neuron count with −/+,
 * activation), the feature toggles of the input column, focusable neuron
 * buttons for keyboard use, and the legend. Controls show what the server
 * echoed in `session`; they only call back, never change anything locally.
 */
import { diverging, rgb } from "../../lib/colors.js";
import { sizeCanvas } from "../../lib/canvas.js";
import { neuronName, optionLabel } from "./tooltip.js";
import { currentLanguage, optionText, t } from "../../i18n.js";
import { localize } from "../../lib/format.js";
import { termButton, withTerms } from "../controls/terms.js";

/** Neurons in a hidden layer added with "+ layer". */
export const NEW_LAYER_SIZE = 4;
/** Legend colour strip, CSS px. */
const LEGEND_WIDTH = 120;
const LEGEND_HEIGHT = 10;
/** Gap kept between neighbouring column headers, CSS px. */
const HEADER_GAP = 6;
/** Widest a column header gets, CSS px. */
const MAX_HEADER_WIDTH = 130;
/** Words around the network's term buttons: the gradients toggle and the legend. */
const WORDS = {
  show: "network.show_gradients", gradients: "network.gradients", weightAndBias: "network.weight_and_bias",
  weight: "network.weight", bias: "network.bias", gradient: "network.gradient", scaled: "network.gradient_scaled",
};
/** How the network is read and changed, under it. */
const LEGEND_HINT = "network.legend_hint";
/** The same on a follower's page. */
const READ_ONLY_HINT = "network.read_only_hint";

/**
 * @typedef {import("./layout.js").Layout} Layout
 * @typedef {(changes: Record<string, unknown>) => void} Configure
 */

/**
 * @param {string} tag
 * @param {Record<string, string>} [attributes]
 * @param {string} [text]
 */
export function make(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

/**
 * The bar above the network: "− 2 hidden layers +" and "Show gradients".
 * @param {HTMLElement} parent
 * @param {{onLayers: (delta: number) => void, onGradients: (isOn: boolean) => void}} handlers
 */
export function createBar(parent, handlers) {
  const bar = make("div", { class: "network-bar" });
  const layers = make("div", { class: "network-layers", "data-field": "hidden_layers" });
  const remove = make("button", { type: "button", class: "network-step", "aria-label": t("network.remove_layer"),
                                  "data-i18n-aria-label": "network.remove_layer" }, "−");
  const count = termButton("hidden layer", "");
  count.classList.add("network-layers-count");
  const add = make("button", { type: "button", class: "network-step", "aria-label": t("network.add_layer"),
                               "data-i18n-aria-label": "network.add_layer" }, "+");
  layers.append(remove, make("span", { "aria-live": "polite" }), add);
  /** @type {HTMLElement} */ (layers.children[1]).append(count);
  const toggle = make("label", { class: "network-toggle" });
  const box = /** @type {HTMLInputElement} */ (make("input", { type: "checkbox" }));
  // The word is a term button: pressing it explains gradients, it does not tick the box.
  const gradients = termButton("gradient", { key: WORDS.gradients });
  const words = make("span");
  toggle.append(box, " ", words);
  bar.append(layers, toggle);
  parent.append(bar);
  remove.addEventListener("click", () => handlers.onLayers(-1));
  add.addEventListener("click", () => handlers.onLayers(1));
  box.addEventListener("change", () => handlers.onGradients(box.checked));
  return {
    /** @param {any} session @param {any} hello @param {boolean} showGradients */
    update(session, hello, showGradients) {
      const hidden = session.config.hidden_layers.length;
      const field = hello.fields.hidden_layers;
      count.textContent = t("network.hidden_layers", { count: hidden });
      if (words.dataset.language !== currentLanguage()) {  // "Show gradients", the term where the language puts it
        words.dataset.language = currentLanguage();
        words.replaceChildren(...withTerms(WORDS.show, { gradients }));
      }
      /** @type {HTMLButtonElement} */ (remove).disabled = hidden <= 0;
      /** @type {HTMLButtonElement} */ (add).disabled = hidden >= field.max_length;
      box.checked = showGradients;
    },
  };
}

/**
 * Column headers: "Input", "N neurons" with −/+ and an activation select per hidden layer, "Output".
 * @param {HTMLElement} container
 * @param {Layout} layout
 * @param {any} session
 * @param {any} hello
 * @param {Configure} configure
 */
export function renderHeaders(container, layout, session, hello, configure) {
  const { config, sizes } = session;
  const field = hello.fields.hidden_layers;
  const width = Math.min(MAX_HEADER_WIDTH, layout.colStep - HEADER_GAP);
  /** @param {number} layer @param {string} className */
  const column = (layer, className) => {
    const centre = layout.columnX[layer] + layout.thumb / 2;
    const node = make("div", { class: `network-column ${className}` });
    node.style.left = `${Math.round(centre - width / 2)}px`;
    node.style.width = `${Math.round(width)}px`;
    return node;
  };
  const input = column(0, "network-column-input");
  input.append(columnTitle(termButton("input layer", { key: "network.input" })));
  input.style.left = "0px";
  input.style.width = `${layout.columnX[0] + layout.thumb}px`;
  const headers = [input];
  config.hidden_layers.forEach((/** @type {number} */ count, /** @type {number} */ k) => {
    const layer = k + 1;
    const node = column(layer, "network-column-hidden");
    node.dataset.field = "hidden_layers";
    node.dataset.layer = String(layer);
    const label = termButton("neuron", { key: "network.neurons", args: { count } });
    label.classList.add("network-column-count");
    const buttons = make("div", { class: "network-column-buttons" });
    /** @param {number} delta @param {string} text @param {string} name */
    const stepper = (delta, text, name) => {
      const button = /** @type {HTMLButtonElement} */ (make("button", { type: "button", class: "network-step", "aria-label": name }, text));
      const next = count + delta;
      button.disabled = next < field.minimum || next > field.maximum;
      button.addEventListener("click", () => {
        configure({ hidden_layers: config.hidden_layers.map((/** @type {number} */ n, /** @type {number} */ j) => (j === k ? next : n)) });
      });
      return button;
    };
    buttons.append(stepper(-1, "−", t("network.remove_neuron", { layer })),
      stepper(1, "+", t("network.add_neuron", { layer })));
    node.append(label, buttons, activationSelect(layer, session, hello, configure));
    headers.push(node);
  });
  const output = column(sizes.length - 1, "network-column-output");
  output.append(columnTitle(termButton("output layer", { key: "network.output" })));
  // Flush right, so a title wider than its column stays inside the stage.
  output.style.left = "";
  output.style.right = "0px";
  headers.push(output);
  container.classList.toggle("is-compact", layout.isCompact);
  container.replaceChildren(...headers);
}

/** @param {HTMLElement} title a term button @returns {HTMLElement} the same, styled as a column's title */
function columnTitle(title) {
  title.classList.add("network-column-title");
  return title;
}

/**
 * A select for one hidden layer's activation; the empty value keeps the shared one.
 * @param {number} layer
 * @param {any} session
 * @param {any} hello
 * @param {Configure} configure
 */
function activationSelect(layer, session, hello, configure) {
  const { config } = session;
  const select = /** @type {HTMLSelectElement} */ (make("select", {
    class: "network-activation", "data-field": "layer_activations", "aria-label": t("network.layer_activation", { layer }),
  }));
  // Closed, the select shows the layer's activation; an override is marked by its style.
  const shared = make("optgroup", { label: t("network.shared") });
  shared.append(make("option", { value: "" }, optionLabel(hello, "activation", config.activation)));
  const overrides = make("optgroup", { label: t("network.this_layer") });
  for (const option of hello.options.activation) overrides.append(make("option", { value: option.name }, optionText(option)));
  select.append(shared, overrides);
  select.value = config.layer_activations?.[layer - 1] || "";
  select.classList.toggle("is-override", select.value !== "");
  select.title = select.value ? t("network.own_activation", { layer }) : t("network.shared_activation");
  select.addEventListener("change", () => {
    const list = config.hidden_layers.map((/** @type {number} */ _, /** @type {number} */ j) =>
      (j === layer - 1 ? select.value || null : config.layer_activations?.[j] ?? null));
    configure({ layer_activations: list.every((/** @type {any} */ entry) => entry === null) ? [] : list });
  });
  return select;
}

/**
 * One toggle per feature, left of its input square: pressed when the feature feeds the network.
 * @param {HTMLElement} container
 * @param {Layout} layout
 * @param {(name: string) => void} onToggle
 */
export function renderInputs(container, layout, onToggle) {
  container.replaceChildren(...layout.inputs.map((slot) => {
    const button = make("button", {
      type: "button", class: "network-feature", "data-feature": slot.name, "aria-pressed": String(slot.isActive),
      title: t(slot.isActive ? "sheet.stop_input" : "sheet.use_input", { name: slot.label }),
    }, slot.label);
    button.style.top = `${slot.y}px`;
    button.style.height = `${layout.thumb}px`;
    button.style.width = `${layout.labelWidth - HEADER_GAP}px`;
    button.addEventListener("click", () => onToggle(slot.name));
    return button;
  }));
}

/**
 * Invisible buttons over the hidden and output neurons, so the keyboard can reach them:
 * focus acts as hover, Enter opens the bias editor.
 * @param {HTMLElement} container
 * @param {Layout} layout
 * @param {any} session
 * @param {any} hello
 * @param {{onFocus: (layer: number, index: number, node: HTMLElement) => void, onBlur: () => void,
 *   onActivate: (layer: number, index: number, node: HTMLElement) => void}} handlers
 */
export function renderNeuronButtons(container, layout, session, hello, handlers) {
  const buttons = [];
  for (let layer = 0; layer < layout.neurons.length; layer++) {
    layout.neurons[layer].forEach((neuron, index) => {
      const name = neuronName(session, hello, layer, index);
      const button = make("button", {
        type: "button", class: "network-neuron", "data-layer": String(layer), "data-index": String(index),
        "aria-label": layer === 0 ? t("tooltip.input", { name }) : t("network.neuron_label", { name }),
      });
      Object.assign(button.style, {
        left: `${neuron.x}px`, top: `${neuron.y}px`, width: `${layout.thumb}px`, height: `${layout.thumb}px`,
      });
      if (layer === 0) button.tabIndex = -1;
      button.addEventListener("focus", () => handlers.onFocus(layer, index, button));
      button.addEventListener("blur", handlers.onBlur);
      button.addEventListener("click", () => handlers.onActivate(layer, index, button));
      buttons.push(button);
    });
  }
  container.replaceChildren(...buttons);
}

/**
 * The legend under the network: the colour scale and what thickness means.
 * @param {HTMLElement} parent
 */
export function createLegend(parent) {
  const legend = make("div", { class: "network-legend" });
  const scale = make("span", { class: "network-legend-scale" });
  const strip = /** @type {HTMLCanvasElement} */ (make("canvas", { "aria-hidden": "true" }));
  const low = make("span", {}, "−1");
  const high = make("span", {}, "+1");
  scale.append(low, strip, high);
  const quantity = make("span", { class: "network-legend-text" });
  const weight = termButton("weight", { key: WORDS.weight });
  const bias = termButton("bias", { key: WORDS.bias });
  const gradient = termButton("gradient", { key: WORDS.gradient });
  let shown = "";
  const thickness = make("span", { class: "network-legend-text" });
  const hint = make("span", { class: "network-legend-hint", "data-i18n": LEGEND_HINT }, t(LEGEND_HINT));
  // A follower cannot edit: the stylesheet shows this one instead on a follower's page.
  const readOnlyHint = make("span", { class: "network-legend-hint network-legend-hint-read-only",
                                      "data-i18n": READ_ONLY_HINT }, t(READ_ONLY_HINT));
  legend.append(scale, quantity, thickness, hint, readOnlyHint);
  parent.append(legend);
  const context = sizeCanvas(strip, LEGEND_WIDTH, LEGEND_HEIGHT);
  for (let x = 0; x < LEGEND_WIDTH; x++) {
    context.fillStyle = rgb(diverging((x / (LEGEND_WIDTH - 1)) * 2 - 1));
    context.fillRect(x, 0, 1, LEGEND_HEIGHT);
  }
  const api = {
    /** @param {boolean} showGradients @param {number} gradientScale */
    update(showGradients, gradientScale) {
      const scale = gradientScale ? localize(gradientScale.toPrecision(2)) : "0";
      const key = JSON.stringify([showGradients, showGradients && scale, currentLanguage()]);
      if (key !== shown) {  // the same term buttons each time, so an open definition stays open
        shown = key;
        quantity.replaceChildren(...(showGradients ? withTerms(WORDS.scaled, { gradient }, { scale })
          : withTerms(WORDS.weightAndBias, { weight, bias })));
      }
      thickness.textContent = t(showGradients ? "network.thickness_gradient" : "network.thickness_weight");
      legend.dataset.mode = showGradients ? "gradients" : "weights";
    },
  };
  // Worded from the start: filled only at the first drawn frame, its row of term buttons would push the
  // page down under a finger that was about to tap a neuron.
  api.update(false, 0);
  return api;
}
