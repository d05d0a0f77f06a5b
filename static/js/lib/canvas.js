// @ts-check
/**
 * Canvas plumbing shared by the views: HiDPI sizing, resize tracking and
 * painting a server-computed uint8 map through a colour table.
 */

/**
 * Size a canvas's backing store to its CSS box times the device pixel ratio.
 * Returns the 2-D context scaled so drawing uses CSS pixels.
 * @param {HTMLCanvasElement} canvas
 * @param {number} width CSS pixels
 * @param {number} height CSS pixels
 * @returns {CanvasRenderingContext2D}
 */
export function sizeCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * ratio));
  const h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return context;
}

/**
 * Call `onResize(width, height)` whenever the element's content box changes size.
 * @param {Element} element
 * @param {(width: number, height: number) => void} onResize
 */
export function watchSize(element, onResize) {
  const observer = new ResizeObserver((entries) => {
    const box = entries[entries.length - 1].contentRect;
    onResize(box.width, box.height);
  });
  observer.observe(element);
  return observer;
}

/** Offscreen canvases by side length, reused for every map of that size. */
const scratch = new Map();

/**
 * @param {number} size
 * @returns {{canvas: HTMLCanvasElement, context: CanvasRenderingContext2D, image: ImageData}}
 */
function scratchFor(size) {
  let entry = scratch.get(size);
  if (!entry) {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    entry = { canvas, context, image: context.createImageData(size, size) };
    scratch.set(size, entry);
  }
  return entry;
}

/**
 * Paint a size × size uint8 map (row 0 at the top) through a 256-entry RGBA table,
 * scaled smoothly into the rectangle (x, y, width, height) of `context`.
 * @param {CanvasRenderingContext2D} context
 * @param {Uint8Array} bytes size² cells
 * @param {number} size
 * @param {Uint8ClampedArray} table 256 × RGBA
 * @param {number} x @param {number} y @param {number} width @param {number} height
 * @param {boolean} [isSmooth] interpolate between cells (false: crisp cells)
 */
export function drawMap(context, bytes, size, table, x, y, width, height, isSmooth = true) {
  const { canvas, context: small, image } = scratchFor(size);
  const pixels = image.data;
  for (let i = 0; i < size * size; i++) {
    const t = bytes[i] * 4;
    const p = i * 4;
    pixels[p] = table[t];
    pixels[p + 1] = table[t + 1];
    pixels[p + 2] = table[t + 2];
    pixels[p + 3] = table[t + 3];
  }
  small.putImageData(image, 0, 0);
  context.imageSmoothingEnabled = isSmooth;
  context.imageSmoothingQuality = "high";
  context.drawImage(canvas, x, y, width, height);
}

/**
 * Paint a size × size map whose colour per cell comes from a function.
 * @param {CanvasRenderingContext2D} context
 * @param {number} size
 * @param {(cell: number) => [number, number, number]} colorOf
 * @param {number} x @param {number} y @param {number} width @param {number} height
 * @param {boolean} [isSmooth]
 */
export function drawCells(context, size, colorOf, x, y, width, height, isSmooth = true) {
  const { canvas, context: small, image } = scratchFor(size);
  const pixels = image.data;
  for (let i = 0; i < size * size; i++) {
    const [r, g, b] = colorOf(i);
    pixels.set([r, g, b, 255], i * 4);
  }
  small.putImageData(image, 0, 0);
  context.imageSmoothingEnabled = isSmooth;
  context.drawImage(canvas, x, y, width, height);
}
