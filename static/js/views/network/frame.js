// @ts-check
/**
 * Reading one frame's parameter arrays by network position. A frame packs
 * weights weight layer after weight layer, each (d_l × d_{l+1}) row-major;
 * biases (and their gradients) layer 1 first; neuron maps every neuron of
 * every layer, inputs first. These helpers turn (layer, source, target)
 * into those offsets, once per layout.
 */

/**
 * @typedef {{
 *   weightStart: number[], biasStart: number[], mapStart: number[],
 * }} Offsets  weightStart[l]: first weight of weight layer l; biasStart[L], mapStart[L]: first entry of neuron layer L
 */

/**
 * @param {number[]} sizes neurons per layer, inputs first
 * @returns {Offsets}
 */
export function frameOffsets(sizes) {
  const weightStart = [];
  const biasStart = [0];
  const mapStart = [];
  let weights = 0;
  let biases = 0;
  let neurons = 0;
  for (let layer = 0; layer < sizes.length; layer++) {
    mapStart.push(neurons);
    neurons += sizes[layer];
    if (layer < sizes.length - 1) {
      weightStart.push(weights);
      weights += sizes[layer] * sizes[layer + 1];
    }
    if (layer > 0) {
      biasStart[layer] = biases;
      biases += sizes[layer];
    }
  }
  return { weightStart, biasStart, mapStart };
}

/**
 * Whether a frame's arrays describe a network of these sizes (a frame may lag a reshaping command).
 * @param {any} frame
 * @param {number[]} sizes
 */
export function frameFits(frame, sizes) {
  const frameSizes = frame?.header?.sizes;
  return Array.isArray(frameSizes) && frameSizes.length === sizes.length && frameSizes.every((n, k) => n === sizes[k]);
}

/**
 * Weight (or its gradient) of link source → target leaving layer `layer`.
 * @param {Float32Array} array weights or weight_grads
 * @param {Offsets} offsets
 * @param {number[]} sizes
 * @param {number} layer @param {number} source @param {number} target
 */
export function weightAt(array, offsets, sizes, layer, source, target) {
  return array[offsets.weightStart[layer] + source * sizes[layer + 1] + target];
}

/**
 * Bias (or its gradient) of neuron `index` of layer `layer` (≥ 1).
 * @param {Float32Array} array biases or bias_grads
 * @param {Offsets} offsets
 * @param {number} layer @param {number} index
 */
export function biasAt(array, offsets, layer, index) {
  return array[offsets.biasStart[layer] + index];
}

/**
 * The largest |gradient| in this frame, weights and biases together, so both share one scale.
 * Zero when nothing has been trained yet.
 * @param {any} frame
 */
export function gradientScale(frame) {
  let largest = 0;
  for (const name of ["weight_grads", "bias_grads"]) {
    const array = frame.arrays[name];
    if (!array) continue;
    for (let k = 0; k < array.length; k++) {
      const size = Math.abs(array[k]);
      if (size > largest && Number.isFinite(size)) largest = size;
    }
  }
  return largest;
}

/**
 * One neuron's thumbnail bytes (thumb_size² of them) inside neuron_maps.
 * @param {any} frame
 * @param {Offsets} offsets
 * @param {number} layer @param {number} index
 * @returns {Uint8Array}
 */
export function mapOf(frame, offsets, layer, index) {
  const size = frame.header.thumb_size;
  const maps = /** @type {Uint8Array} */ (frame.arrays.neuron_maps);
  const start = (offsets.mapStart[layer] + index) * size * size;
  return maps.subarray(start, start + size * size);
}
