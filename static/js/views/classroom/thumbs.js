// @ts-check
/**
 * Small boundary pictures for the teacher's class view: a tile's 16×16 thumbnail and a compared
 * run's 32×32 boundary, both the server's uint8 output encoding (the frame's `output` map,
 * downsampled), painted through the one palette's boundary table, as the big output plane paints
 * its grid (views/output/plane.js). The canvas holds one pixel per cell; CSS scales it smoothly.
 */
import { BOUNDARY_TABLE, classCell } from "../../lib/colors.js";

/**
 * RGBA pixels for a size × size uint8 map through a 256-entry colour table.
 * @param {Uint8Array} cells size² bytes, row 0 at the top
 * @param {Uint8ClampedArray} [table] 256 × RGBA
 * @returns {Uint8ClampedArray} size² × 4
 */
export function mapPixels(cells, table = BOUNDARY_TABLE) {
  const pixels = new Uint8ClampedArray(cells.length * 4);
  for (let i = 0; i < cells.length; i++) {
    const t = cells[i] * 4;
    pixels[i * 4] = table[t];
    pixels[i * 4 + 1] = table[t + 1];
    pixels[i * 4 + 2] = table[t + 2];
    pixels[i * 4 + 3] = table[t + 3];
  }
  return pixels;
}

/**
 * A grid × grid map sampled down to size × size, each cell the nearest original cell (as the server
 * samples a fork's output for its tile): a following student's tile shows the class's own run so.
 * @param {Uint8Array} output grid² bytes
 * @param {number} grid
 * @param {number} size
 * @returns {Uint8Array} size² bytes
 */
export function sampleMap(output, grid, size) {
  const picks = Array.from({ length: size }, (_, k) => Math.floor(((k + 0.5) * grid) / size));
  const cells = new Uint8Array(size * size);
  picks.forEach((row, y) => picks.forEach((column, x) => { cells[y * size + x] = output[row * grid + column]; }));
  return cells;
}

/**
 * The `index`-th of `count` square maps packed one after another in `array`.
 * @param {Uint8Array} array count × size² bytes
 * @param {number} index
 * @param {number} count
 * @returns {{cells: Uint8Array, size: number}}
 */
export function mapAt(array, index, count) {
  const length = count > 0 ? Math.floor(array.length / count) : 0;
  const size = Math.round(Math.sqrt(length));
  return { cells: array.subarray(index * length, index * length + size * size), size };
}

/**
 * RGBA pixels for a multi-class map: each cell's class colour, as the output plane shows it discretised.
 * @param {Uint8Array} cells class indices
 * @param {number} nClasses
 * @returns {Uint8ClampedArray}
 */
export function classPixels(cells, nClasses) {
  const pixels = new Uint8ClampedArray(cells.length * 4);
  for (let i = 0; i < cells.length; i++) pixels.set([...classCell(cells[i], 1, nClasses, true), 255], i * 4);
  return pixels;
}

/**
 * Paint a square uint8 map into a canvas (one pixel per cell); a map of a new size resizes the canvas.
 * @param {HTMLCanvasElement} canvas
 * @param {Uint8Array} cells
 * @param {number} size
 * @param {number} [nClasses] more than 2: the cells are classes
 */
export function paintMap(canvas, cells, size, nClasses = 2) {
  if (size < 1 || cells.length !== size * size) return;
  if (canvas.width !== size || canvas.height !== size) canvas.width = canvas.height = size;
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  const pixels = nClasses > 2 ? classPixels(cells, nClasses) : mapPixels(cells);
  context.putImageData(new ImageData(pixels, size, size), 0, 0);
  canvas.dataset.painted = String(Number(canvas.dataset.painted ?? 0) + 1);
}
