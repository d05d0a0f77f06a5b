// @ts-check
/**
 * The teacher's mosaic: one tile per student from the latest binary `class` message, sorted as the
 * teacher chose, and the selection bar above it. Pressing a tile selects it (or unselects it);
 * one selected own copy can be spotlighted (the class watches it), 2–4 compared side by side.
 * "Back to my run" ends a spotlight. Tiles are kept per student, so a tile keeps its place in the
 * page (and its focus) while its figures change.
 */
import { CLASS_VIEW, commands } from "../../protocol.js";
import { button, el } from "../controls/dom.js";
import { createTile, sortTiles } from "./tiles.js";
import { sampleMap } from "./thumbs.js";
import { CLASS_KEY, CLASS_TEXT } from "./strings.js";

/** Fewest and most runs a comparison shows (docs/protocol.md, `compare`). */
const COMPARE_MIN = 2;
const COMPARE_MAX = CLASS_VIEW.maxCompared;
/** The sort choices, in the select's order. */
const SORTS = [["status", CLASS_KEY.sortStatus], ["accuracy", CLASS_KEY.sortAccuracy],
  ["params", CLASS_KEY.sortParams], ["alias", CLASS_KEY.sortAlias]];

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {import("./tiles.js").Tile} Tile
 */

/**
 * Which of the selected students may be spotlighted or compared: own copies only, in selection order.
 * @param {Tile[]} tiles @param {string[]} selected
 * @returns {string[]}
 */
export function selectedForks(tiles, selected) {
  const forked = new Set(tiles.filter((tile) => tile.mode === "forked").map((tile) => tile.student));
  return selected.filter((student) => forked.has(student));
}

/**
 * @param {HTMLElement} slot the class panel
 * @param {{store: any, send: (command: import("../../protocol.js").Command) => boolean}} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createMosaic(slot, { store, send }) {
  /** @param {Partial<import("../../messages.js").UiState>} patch */
  const setUi = (patch) => store.update({ ui: { ...store.get().ui, ...patch } });

  const sort = el("select", { id: "class-sort" },
    SORTS.map(([value, key]) => el("option", { value, i18n: key })));
  sort.addEventListener("change", () => setUi({ classSort: /** @type {any} */ (sort.value) }));
  const chosen = el("p", { class: "class-chosen", "aria-live": "polite" });
  const spotlight = button(CLASS_KEY.spotlight, CLASS_KEY.spotlightHelp, () => {
    const [student] = selectedForks(tiles(), store.get().ui.classSelected);
    if (student) send(commands.spotlight(student));
    setUi({ classSelected: [] });
  }, "btn btn-primary");
  const compare = button(CLASS_KEY.compare, CLASS_KEY.compareHelp, () => {
    send(commands.compare(selectedForks(tiles(), store.get().ui.classSelected)));
  });
  const clear = button(CLASS_KEY.clearSelection, "", () => setUi({ classSelected: [] }));
  const back = button(CLASS_KEY.backToMyRun, CLASS_KEY.backToMyRunHelp, () => send(commands.spotlight(null)),
    "btn btn-primary class-back");
  const spotLine = el("p", { class: "class-spotlight", "aria-live": "polite" });
  const bar = el("div", { class: "class-bar", role: "toolbar", i18nLabel: CLASS_KEY.selectionLabel }, [
    el("label", { class: "class-sort", for: "class-sort" }, [el("span", { i18n: CLASS_KEY.sortLabel }), " ", sort]),
    chosen, spotlight, compare, clear, spotLine, back,
  ]);
  const note = el("p", { class: "class-empty" });
  const grid = el("div", { class: "class-grid", "data-tiles": "0" });
  slot.append(bar, note, grid);

  /** @type {Map<string, ReturnType<typeof createTile>>} */
  const shown = new Map();
  /** @returns {Tile[]} */
  const tiles = () => store.get().classView?.tiles ?? [];

  /** @param {string} student */
  function toggle(student) {
    const selected = store.get().ui.classSelected;
    setUi({ classSelected: selected.includes(student) ? selected.filter((s) => s !== student)
      : [...selected, student].slice(-COMPARE_MAX) });
  }

  /** @type {[any, {cells: Uint8Array, size: number, nClasses: number} | null]} the last frame and its thumbnail */
  let classThumb = [null, null];
  /** @param {State} state @returns {{cells: Uint8Array, size: number, nClasses: number} | null} */
  function classRunThumb(state) {
    const frame = state.frame;
    if (classThumb[0] !== frame) {
      const output = /** @type {Uint8Array | undefined} */ (frame?.arrays.output);
      const size = CLASS_VIEW.thumbSize;
      classThumb = [frame, output ? { cells: sampleMap(output, frame?.header.grid_size, size), size,
                                      nClasses: frame?.arrays.output_confidence ? state.session?.n_classes ?? 3 : 2 }
        : null];
    }
    return classThumb[1];
  }

  /** @param {State} state */
  function drawTiles(state) {
    const message = state.classView;
    const all = /** @type {Tile[]} */ (message?.tiles ?? []);
    const thumbs = message?.thumbs ?? {};
    const spotlit = message?.spotlight ?? null;
    const look = { showName: !state.ui.projector, spotlit };
    const present = new Set(all.map((tile) => tile.student));
    for (const [student, tile] of shown) {
      if (!present.has(student)) {
        tile.root.remove();
        shown.delete(student);
      }
    }
    const ordered = sortTiles(all, state.ui.classSort).map((tile) => {
      let view = shown.get(tile.student);
      if (!view) {
        view = createTile(toggle);
        shown.set(tile.student, view);
      }
      const cells = thumbs[tile.student];
      // A following student watches the class's run: its tile shows that run's boundary.
      const picture = cells ? { cells, size: Math.round(Math.sqrt(cells.length)) }
        : tile.mode === "following" ? classRunThumb(state) : null;
      view.update(tile, picture, {
        isSelected: state.ui.classSelected.includes(tile.student), isSpotlit: tile.student === look.spotlit,
        showName: look.showName });
      return view.root;
    });
    // Re-append only when the order changed: moving the focused tile would lose the keyboard's place.
    const isSameOrder = ordered.length === grid.children.length && ordered.every((node, i) => grid.children[i] === node);
    if (!isSameOrder) grid.replaceChildren(...ordered);
    grid.dataset.tiles = String(all.length);
    note.hidden = Boolean(message) && all.length > 0;
    note.textContent = message ? CLASS_TEXT.empty : CLASS_TEXT.waiting;
  }

  /** @param {State} state */
  function drawBar(state) {
    const all = tiles();
    const forks = selectedForks(all, state.ui.classSelected);
    const count = state.ui.classSelected.length;
    chosen.textContent = count > forks.length ? CLASS_TEXT.onlyForked : CLASS_TEXT.selected(count);
    spotlight.disabled = forks.length !== 1 || count !== 1;
    compare.disabled = forks.length < COMPARE_MIN || forks.length > COMPARE_MAX || count !== forks.length;
    clear.hidden = count === 0;
    const spotlit = state.classView?.spotlight ?? null;
    const alias = all.find((tile) => tile.student === spotlit)?.alias;
    back.hidden = spotLine.hidden = !spotlit;
    if (spotlit) spotLine.textContent = CLASS_TEXT.spotlightOn(alias ?? spotlit);
    sort.value = state.ui.classSort;
  }

  return {
    render(state, previous) {
      const isChanged = state.classView !== previous.classView || state.ui.classSort !== previous.ui.classSort
        || state.ui.classSelected !== previous.ui.classSelected || state.ui.projector !== previous.ui.projector
        || state.language !== previous.language;
      if (!isChanged) return;
      // A selected student who left the class is no longer selected.
      const present = new Set(tiles().map((tile) => tile.student));
      if (state.classView && state.ui.classSelected.some((student) => !present.has(student))) {
        setUi({ classSelected: state.ui.classSelected.filter((student) => present.has(student)) });
        return;
      }
      drawTiles(state);
      drawBar(state);
    },
  };
}
