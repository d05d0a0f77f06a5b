// @ts-check
/**
 * Names for things the server defines: an option's label from `hello`, and
 * how a neuron is called in a sentence, in the page's language. Pure functions, no DOM.
 */
import { optionText, t } from "../i18n.js";

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
  return found ? optionText(found) || name : name;
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
    return t("names.input", { name: feature ? optionLabel(hello, "features", feature) : index + 1 });
  }
  if (layer === sizes.length - 1) {
    if (session?.problem === "multiclass") return t("names.output_of_class", { k: index });
    return sizes[layer] > 1 ? t("names.output_number", { n: index + 1 }) : t("names.the_output");
  }
  return t("names.neuron_of_layer", { n: index + 1, layer });
}
