// @ts-check
/**
 * One student's tile in the teacher's class view, and how tiles sort. A tile is a button (keyboard
 * and touch alike) that selects the run for the spotlight or a comparison; it shows the alias (and,
 * off the projector, the name the student typed), following or own copy, the lesson step and goal,
 * the status, a live boundary thumbnail, test accuracy (or R²), epoch, shape and parameter count,
 * the diagnosis' headline and a raised hand. Tile fields: docs/protocol.md, `class`.
 */
import { formatCount, formatNumber, formatPercent } from "../../lib/format.js";
import { el } from "../controls/dom.js";
import { paintMap } from "./thumbs.js";
import { tileClasses } from "../../class-tiles.js";
import { CLASS_KEY, CLASS_TEXT } from "./strings.js";
import { sayParts, t } from "../../i18n.js";

/**
 * @typedef {{student: string, alias: string, name: string|null, mode: "following"|"forked",
 *   status: "idle"|"running"|"paused"|"diverged", epoch: number|null, test_accuracy: number|null,
 *   test_cost: number|null, metric: "accuracy"|"r2"|null, shape: number[]|null, params: number|null,
 *   n_classes?: number,
 *   headline: string|null, headline_said?: {key: string, args?: Record<string, unknown>}[] | null,
 *   hand: boolean, lesson_step: number|null, goal: "working"|"met"|"failed"|null,
 *   updated_s_ago: number}} Tile
 * @typedef {"status"|"accuracy"|"params"|"alias"} SortKey
 */

/** A training copy whose last tile is this old (seconds) says so: its tab may be closed or its machine asleep. */
const STALE_S = 10;
/** Status keys, most in need of the teacher first: the order of "Sort by status". */
export const STATUS_ORDER = ["diverged", "failed", "idle", "paused", "training", "met", "following"];

/** @param {Tile} tile @returns {string} one of STATUS_ORDER: what the tile's status line says */
export function statusKey(tile) {
  if (tile.mode === "following") return "following";
  if (tile.status === "diverged") return "diverged";
  if (tile.goal === "met") return "met";
  if (tile.goal === "failed") return "failed";
  return tile.status === "running" ? "training" : tile.status;
}

/** The catalogue key of the words for each status key. */
const STATUS_KEY = /** @type {Record<string, string>} */ ({
  diverged: CLASS_KEY.statusDiverged, failed: CLASS_KEY.statusGoalFailed, idle: CLASS_KEY.statusIdle,
  paused: CLASS_KEY.statusPaused, training: CLASS_KEY.statusTraining, met: CLASS_KEY.statusGoalMet,
  following: CLASS_KEY.following,
});

/**
 * Tiles in the order `key` asks for: hands up first, then the key (accuracy and parameters from the
 * highest; a run with no accuracy yet last), then alias, so the order is stable between updates.
 * @param {Tile[]} tiles
 * @param {SortKey} key
 * @returns {Tile[]}
 */
export function sortTiles(tiles, key) {
  /** @param {Tile} a @param {Tile} b */
  const byKey = (a, b) => {
    if (key === "status") return STATUS_ORDER.indexOf(statusKey(a)) - STATUS_ORDER.indexOf(statusKey(b));
    if (key === "accuracy") return (b.test_accuracy ?? -Infinity) - (a.test_accuracy ?? -Infinity) || 0;
    if (key === "params") return (b.params ?? -1) - (a.params ?? -1);
    return 0;
  };
  return [...tiles].sort((a, b) => Number(b.hand) - Number(a.hand) || byKey(a, b)
    || a.alias.localeCompare(b.alias) || a.student.localeCompare(b.student));
}

/** @param {Tile} tile @returns {string} the figure a tile shows large: accuracy in %, or R² */
export const tileFigure = (tile) => (tile.metric === "r2" ? formatNumber(tile.test_accuracy)
  : formatPercent(tile.test_accuracy));

/** @param {number[] | null} shape @returns {string} "2-4-2-1" */
export const shapeText = (shape) => (shape ?? []).join("-");

/**
 * @param {(student: string) => void} onPress the tile was pressed (click, tap, Enter or Space)
 * @returns {{root: HTMLButtonElement, update: (tile: Tile,
 *            thumb: {cells: Uint8Array, size: number, nClasses?: number} | null,
 *            look: {isSelected: boolean, isSpotlit: boolean, showName: boolean}) => void}}
 */
export function createTile(onPress) {
  const alias = el("strong", { class: "tile-alias" });
  const name = el("span", { class: "tile-name" });
  const hand = el("span", { class: "tile-hand", i18n: CLASS_KEY.hand });
  const spot = el("span", { class: "tile-spot", i18n: CLASS_KEY.spotlit });
  const thumb = el("canvas", { class: "tile-thumb", width: 16, height: 16, "aria-hidden": "true" });
  const figure = el("span", { class: "tile-figure", "data-figure": "" });
  const figureName = el("span", { class: "tile-figure-name" });
  const status = el("span", { class: "tile-status" });
  const mode = el("span", { class: "tile-mode" });
  const lesson = el("span", { class: "tile-lesson" });
  const epoch = el("span", { class: "tile-epoch" });
  const shape = el("span", { class: "tile-shape" });
  const headline = el("span", { class: "tile-headline" });
  const stale = el("span", { class: "tile-stale" });
  const figures = el("span", { class: "tile-figures" }, [figure, figureName, epoch]);
  const body = el("span", { class: "tile-body" }, [thumb, figures]);
  const root = el("button", { type: "button", class: "tile", "aria-pressed": "false", i18nTitle: CLASS_KEY.tileHelp }, [
    el("span", { class: "tile-head" }, [alias, name, hand, spot]),
    body,
    el("span", { class: "tile-line" }, [mode, status, lesson]),
    shape, headline, stale,
  ]);
  let student = "";
  root.addEventListener("click", () => onPress(student));

  return {
    root,
    update(tile, picture, look) {
      student = tile.student;
      const key = statusKey(tile);
      alias.textContent = tile.alias;
      name.textContent = look.showName && tile.name ? tile.name : "";
      name.hidden = !name.textContent;
      hand.hidden = !tile.hand;
      spot.hidden = !look.isSpotlit;
      const isForked = tile.mode === "forked";  // a following student's run is the class's: no figures
      figures.hidden = !isForked;
      body.hidden = !picture;
      figure.textContent = tileFigure(tile);
      figureName.textContent = tile.metric === "r2" ? CLASS_TEXT.r2 : CLASS_TEXT.accuracy;
      epoch.textContent = CLASS_TEXT.epoch(formatCount(tile.epoch));
      epoch.hidden = tile.epoch === null || tile.epoch === undefined;
      mode.textContent = tile.mode === "forked" ? CLASS_TEXT.forked : "";
      mode.hidden = tile.mode !== "forked";
      status.textContent = key in STATUS_KEY ? t(STATUS_KEY[key]) : key;
      lesson.hidden = tile.lesson_step === null || tile.lesson_step === undefined;
      if (!lesson.hidden) lesson.textContent = CLASS_TEXT.lessonStep(/** @type {number} */ (tile.lesson_step));
      shape.hidden = !tile.shape || tile.params === null || tile.params === undefined;
      if (!shape.hidden) shape.textContent = `${shapeText(tile.shape)} · ${CLASS_TEXT.params(Number(tile.params))}`;
      headline.textContent = sayParts(tile.headline_said ?? undefined, tile.headline ?? "");
      headline.hidden = !tile.headline;
      const age = Number(tile.updated_s_ago ?? 0);
      // Only a training copy should be heard from: a paused or idle one sends no frames, so no tiles.
      stale.hidden = !isForked || tile.status !== "running" || age < STALE_S;
      if (!stale.hidden) stale.textContent = CLASS_TEXT.stale(age);
      if (picture) paintMap(thumb, picture.cells, picture.size, picture.nClasses ?? tileClasses(tile));
      root.setAttribute("aria-pressed", String(look.isSelected));
      Object.assign(root.dataset, { student: tile.student, status: key, mode: tile.mode,
                                    accuracy: String(tile.test_accuracy ?? ""), hand: String(tile.hand) });
    },
  };
}
