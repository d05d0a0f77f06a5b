// @ts-check
/**
 * The page's one palette. A diverging orange → light grey → blue scale for
 * every signed quantity (neuron outputs, weights, the binary boundary), and
 * Okabe–Ito class colours for multi-class data; both stay distinguishable
 * with the common colour-vision deficiencies. Nothing else in the page names
 * a colour; CSS reads the same values from custom properties set here.
 */

/** @typedef {[number, number, number]} RGB */

/** @type {RGB} */ export const NEGATIVE = [230, 119, 32]; // orange: negative values, class 0 of two
/** @type {RGB} */ export const NEUTRAL = [236, 238, 240]; // light grey: zero
/** @type {RGB} */ export const POSITIVE = [17, 112, 184]; // blue: positive values, class 1 of two

/** Multi-class colours (Okabe–Ito), class 0 first. @type {RGB[]} */
export const CLASS_COLORS = [
  [0, 114, 178], // blue
  [230, 159, 0], // orange
  [0, 158, 115], // bluish green
  [213, 94, 0], // vermilion
  [204, 121, 167], // reddish purple
  [86, 180, 233], // sky blue
];

/**
 * How far the output plane's colours go towards the full class colour (TensorFlow Playground
 * paints its boundary pale too): the points, in full colour, stay readable on any region.
 */
export const BOUNDARY_STRENGTH = 0.5;

/** Interface colours, exported to CSS custom properties by `applyTheme`. */
export const THEME = {
  "--ink": "#1f2933", // text
  "--muted": "#616e7c", // secondary text
  "--paper": "#ffffff", // panels
  "--canvas": "#f4f5f7", // page background
  "--line": "#d9dde3", // borders
  "--accent": rgb(POSITIVE), // focus rings, primary buttons, the test-cost line
  "--warn": "#b3261e", // divergence and errors
  "--ok": "#2e7d32", // a live connection
  "--negative": rgb(NEGATIVE),
  "--positive": rgb(POSITIVE),
};

/** @param {RGB} color @param {number} [alpha] */
export function rgb(color, alpha = 1) {
  return alpha >= 1 ? `rgb(${color.join(",")})` : `rgba(${color.join(",")},${alpha})`;
}

/** @param {RGB} a @param {RGB} b @param {number} t 0..1 @returns {RGB} */
function mix(a, b, t) {
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * t));
}

/**
 * Colour of a value on the diverging scale; value in [-1, 1] (clipped).
 * @param {number} value
 * @returns {RGB}
 */
export function diverging(value) {
  const v = Math.max(-1, Math.min(1, Number.isFinite(value) ? value : 0));
  return v < 0 ? mix(NEUTRAL, NEGATIVE, -v) : mix(NEUTRAL, POSITIVE, v);
}

/**
 * 256 RGBA entries: byte q (0..255 over a map's [lo, hi]) → diverging colour, centre at 127.5.
 * @returns {Uint8ClampedArray}
 */
function buildDivergingTable() {
  const table = new Uint8ClampedArray(256 * 4);
  for (let q = 0; q < 256; q++) {
    const [r, g, b] = diverging(q / 127.5 - 1);
    table.set([r, g, b, 255], q * 4);
  }
  return table;
}

/** Lookup table for uint8 maps on the diverging scale. */
export const DIVERGING_TABLE = buildDivergingTable();

/**
 * The diverging table faded to BOUNDARY_STRENGTH, for the big output plane under the points.
 * @returns {Uint8ClampedArray}
 */
function buildBoundaryTable() {
  const table = new Uint8ClampedArray(256 * 4);
  for (let q = 0; q < 256; q++) {
    const [r, g, b] = diverging((q / 127.5 - 1) * BOUNDARY_STRENGTH);
    table.set([r, g, b, 255], q * 4);
  }
  return table;
}

/** Lookup table for the output plane (the boundary, or a neuron's map shown there). */
export const BOUNDARY_TABLE = buildBoundaryTable();

/**
 * Table for a binary boundary shown discretised: below the middle orange, above blue.
 * @returns {Uint8ClampedArray}
 */
function buildDiscreteTable() {
  const table = new Uint8ClampedArray(256 * 4);
  for (let q = 0; q < 256; q++) {
    const [r, g, b] = mix(NEUTRAL, q < 128 ? NEGATIVE : POSITIVE, BOUNDARY_STRENGTH);
    table.set([r, g, b, 255], q * 4);
  }
  return table;
}

/** Lookup table for a discretised binary output. */
export const DISCRETE_TABLE = buildDiscreteTable();

/**
 * Colour of a class label: the scale's ends for two classes, Okabe–Ito beyond.
 * @param {number} label
 * @param {number} nClasses
 * @returns {RGB}
 */
export function classColor(label, nClasses) {
  if (nClasses <= 2) return label >= 1 ? POSITIVE : NEGATIVE;
  return CLASS_COLORS[label % CLASS_COLORS.length];
}

/**
 * Multi-class output cell: the class colour faded towards neutral as confidence drops to 1/k.
 * @param {number} label class index
 * @param {number} confidence 0..1 probability of that class
 * @param {number} nClasses
 * @param {boolean} isDiscrete full colour regardless of confidence
 * @returns {RGB}
 */
export function classCell(label, confidence, nClasses, isDiscrete) {
  const floor = 1 / nClasses;
  const t = BOUNDARY_STRENGTH * (isDiscrete ? 1 : Math.max(0, (confidence - floor) / (1 - floor)));
  return mix(NEUTRAL, classColor(label, nClasses), t);
}

/** Put THEME into CSS custom properties on the document root. */
export function applyTheme() {
  for (const [name, value] of Object.entries(THEME)) document.documentElement.style.setProperty(name, value);
}
