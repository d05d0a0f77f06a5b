// @ts-check
/**
 * The teacher's class view as the page keeps it: the binary `class` message carries only what changed
 * since the last one (every student's id in `order`, the changed fields of changed tiles, the changed
 * thumbnails; `full` marks one that carries everything), so the tiles and thumbnails are merged here
 * into the whole picture the views draw. Pure: no DOM.
 */
import { unpackThumb } from "./protocol.js";

/**
 * @typedef {{student: string, [field: string]: any}} Tile
 * @typedef {{code: string, tiles: Tile[], thumbs: Record<string, Uint8Array>, aggregate: any,
 *            spotlight: string|null, is_paused: boolean, is_locked: boolean}} ClassView
 */

/**
 * How many classes a tile's run tells apart: its output layer's width when above 1 (a multi-class run,
 * whose thumbnail holds class indices), else 2 (binary, or regression: the thumbnail is the output's scale).
 * @param {Tile} tile
 * @returns {number}
 */
export const tileClasses = (tile) => Math.max(2, Number(tile.shape?.at(-1) ?? 1));

/** @param {Tile} tile @returns {boolean} whether the tile's thumbnail holds classes */
const isClasses = (tile) => tileClasses(tile) > 2;

/**
 * The class view after `message`: tiles in the server's order, each the previous tile with the changed
 * fields put over it (a student who left is gone), and thumbnails unpacked where new ones came.
 * @param {ClassView | null} previous
 * @param {import("./protocol.js").BinaryMessage} message
 * @returns {ClassView}
 */
export function mergeClass(previous, message) {
  const header = message.header;
  const base = header.full || !previous ? null : previous;
  /** @type {Record<string, Tile>} */
  const known = {};
  for (const tile of base?.tiles ?? []) known[tile.student] = tile;
  /** @type {Record<string, Tile>} */
  const changed = {};
  for (const delta of header.tiles ?? []) changed[delta.student] = delta;
  const order = /** @type {string[]} */ (header.order ?? []);
  const tiles = order.map((student) => (changed[student] ? { ...known[student], ...changed[student] }
    : known[student] ?? { student }));
  /** @type {Record<string, Uint8Array>} */
  const thumbs = {};
  for (const student of order) if (base?.thumbs[student]) thumbs[student] = base.thumbs[student];
  const named = /** @type {string[]} */ (header.thumb_students ?? []);
  const packed = /** @type {Uint8Array | undefined} */ (message.arrays.thumbs);
  if (packed && named.length) {
    const per = Math.floor(packed.length / named.length);
    named.forEach((student, i) => {
      const tile = tiles.find((one) => one.student === student);
      thumbs[student] = unpackThumb(packed.subarray(i * per, (i + 1) * per), tile ? isClasses(tile) : false);
    });
  }
  return { code: header.code, tiles, thumbs, aggregate: header.aggregate, spotlight: header.spotlight ?? null,
           is_paused: Boolean(header.is_paused), is_locked: Boolean(header.is_locked) };
}
