// @ts-check
/**
 * Names for things the server defines: an option's label from `hello`, and
 * how a neuron is called in a sentence. Pure functions, no DOM.
 */

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
