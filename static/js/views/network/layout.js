// @ts-check
/**
 * Geometry of the network drawing: where every column, neuron square, bias
 * marker and link sits, in CSS pixels of the network canvas. Pure functions
 * of the network's shape and the available width; nothing here reads a frame.
 *
 * Columns run left to right: the input column (one slot per feature the
 * server offers, active or not), each hidden layer, the output layer. Links
 * are cubic curves from the right middle of a source square to the left
 * middle of a target square, with both control points at the horizontal
 * middle, so x grows monotonically along them.
 */

/** Width of the feature labels left of the input squares. */
const LABEL_WIDTH = 62;
/** Height of the layer headers above the neurons (count, −/+ buttons, activation). */
const HEADER_HEIGHT = 74;
/** Header height when columns are narrow and "N neurons" takes two lines. */
const COMPACT_HEADER_HEIGHT = 88;
/** Column step below which headers go compact, CSS px. */
const COMPACT_STEP = 84;
/** Empty space under the last row. */
const BOTTOM_PAD = 8;
/** Height of the row under the neurons that shows each weight layer's mean |dC/dw|. */
const GRADIENT_ROW = 18;
/** Empty space right of the output column, room for the hover outline. */
const RIGHT_PAD = 8;
/** Thumbnail side limits, CSS px: small nets get the largest, wide or deep nets shrink. */
const MAX_THUMB = 44;
const MIN_THUMB = 16;
/** Thumbnail side as a share of the distance between columns. */
const THUMB_PER_COLUMN = 0.42;
/** Narrowest distance between columns before the panel scrolls sideways (headers must fit). */
const MIN_COLUMN_STEP = 54;
/** Tallest the neuron area may grow before thumbnails shrink, CSS px. */
const MAX_NEURON_AREA = 460;
/** Vertical gap between squares as a share of the square, and its minimum in px. */
const ROW_GAP_SHARE = 0.28;
const MIN_ROW_GAP = 5;
/** Bias marker side as a share of the square, and its minimum in px. */
const BIAS_SHARE = 0.22;
const MIN_BIAS = 4;
/** Widest a link may be drawn, px, and the share of a row it may take in dense nets. */
const MAX_LINK_WIDTH = 6;
const LINK_WIDTH_PER_ROW = 0.25;

/**
 * @typedef {{x: number, y: number}} Point
 * @typedef {{name: string, label: string, isActive: boolean, x: number, y: number}} InputSlot
 * @typedef {{
 *   width: number, height: number, thumb: number, rowStep: number, colStep: number,
 *   biasSize: number, maxLinkWidth: number, labelWidth: number, isCompact: boolean, gradientY: number,
 *   scale: number,
 *   sizes: number[], columnX: number[], neurons: Point[][], inputs: InputSlot[],
 * }} Layout
 */

/**
 * Lay the network out in a box `width` CSS px wide (wider when it must scroll).
 * @param {{name: string, label: string}[]} features every feature the server offers, in its order
 * @param {string[]} activeFeatures the active ones, in the order of the input layer
 * @param {number[]} sizes neurons per layer, inputs first
 * @param {number} width available CSS px
 * @param {number} [scale] how much larger labels, headers and squares may be (projector mode)
 * @param {{minThumb?: number, headerHeight?: number, areaScale?: number}} [fit] a touch screen's
 *   larger squares and headers (44 px targets), and how much taller than the default the neuron area
 *   may grow (projector mode: the page must fit the screen)
 * @returns {Layout}
 */
export function computeLayout(features, activeFeatures, sizes, width, scale = 1, fit = {}) {
  const nColumns = sizes.length;
  const rows = Math.max(features.length, ...sizes.slice(1));
  const labelWidth = Math.round(LABEL_WIDTH * scale);
  const minStep = MIN_COLUMN_STEP * scale;
  // First guess of the column step, before the square's own width is known.
  const guess = Math.max(minStep, (width - labelWidth - RIGHT_PAD) / (nColumns - 1 + THUMB_PER_COLUMN));
  const byHeight = (MAX_NEURON_AREA * (fit.areaScale ?? scale)) / rows / (1 + ROW_GAP_SHARE);
  const minThumb = Math.max(MIN_THUMB, fit.minThumb ?? 0);
  const thumb = Math.round(clamp(Math.min(guess * THUMB_PER_COLUMN, byHeight), minThumb,
                                 Math.max(minThumb, MAX_THUMB * scale)));
  const rowStep = thumb + Math.max(MIN_ROW_GAP, Math.round(thumb * ROW_GAP_SHARE));
  const area = rows * rowStep;
  // Spread the columns over the whole width: the last square ends at the right edge.
  const step = Math.max(minStep, (width - labelWidth - RIGHT_PAD - thumb) / Math.max(1, nColumns - 1));
  const columnX = sizes.map((_, layer) => Math.round(labelWidth + layer * step));
  const isCompact = step < COMPACT_STEP * scale;
  const header = fit.headerHeight ? fit.headerHeight + (isCompact ? COMPACT_HEADER_HEIGHT - HEADER_HEIGHT : 0)
    : (isCompact ? COMPACT_HEADER_HEIGHT : HEADER_HEIGHT);
  const top = Math.round(header * scale);
  /** @param {number} count @param {number} index */
  const rowY = (count, index) => Math.round(top + (area - count * rowStep) / 2 + index * rowStep + (rowStep - thumb) / 2);

  const inputs = features.map((feature, slot) => ({
    name: feature.name,
    label: feature.label,
    isActive: activeFeatures.includes(feature.name),
    x: columnX[0],
    y: rowY(features.length, slot),
  }));
  /** @type {Point[][]} */
  const neurons = sizes.map((count, layer) => {
    if (layer === 0) {
      return activeFeatures.map((name) => {
        const slot = inputs.find((input) => input.name === name);
        return { x: columnX[0], y: slot ? slot.y : rowY(count, 0) };
      });
    }
    return Array.from({ length: count }, (_, index) => ({ x: columnX[layer], y: rowY(count, index) }));
  });
  return {
    width: Math.ceil(columnX[nColumns - 1] + thumb + RIGHT_PAD),
    height: Math.ceil(top + area + BOTTOM_PAD + GRADIENT_ROW * scale),
    gradientY: Math.ceil(top + area + BOTTOM_PAD + (GRADIENT_ROW * scale) / 2),
    scale,
    thumb,
    rowStep,
    colStep: step,
    biasSize: Math.max(MIN_BIAS, Math.round(thumb * BIAS_SHARE)),
    maxLinkWidth: clamp(rowStep * LINK_WIDTH_PER_ROW, 1.5, MAX_LINK_WIDTH),
    labelWidth,
    isCompact,
    sizes,
    columnX,
    neurons,
    inputs,
  };
}

/**
 * The curve of link source → target leaving layer `layer`: start, shared control x, end.
 * @param {Layout} layout
 * @param {number} layer the source layer
 * @param {number} source
 * @param {number} target
 * @returns {[number, number, number, number, number]} x0, y0, xm, x1, y1
 */
export function linkCurve(layout, layer, source, target) {
  const from = layout.neurons[layer][source];
  const to = layout.neurons[layer + 1][target];
  const half = layout.thumb / 2;
  const x0 = from.x + layout.thumb;
  const x1 = to.x;
  return [x0, from.y + half, (x0 + x1) / 2, x1, to.y + half];
}

/**
 * The rectangle of a bias marker: at the lower left of its square, just outside it.
 * @param {Layout} layout
 * @param {Point} neuron
 * @returns {[number, number, number, number]} x, y, width, height
 */
export function biasRect(layout, neuron) {
  const side = layout.biasSize;
  return [neuron.x - side - 1, neuron.y + layout.thumb - side, side, side];
}

/** @param {number} value @param {number} low @param {number} high */
export function clamp(value, low, high) {
  return Math.max(low, Math.min(high, value));
}
