// @ts-check
/**
 * The neuron sheet, for a finger: tapping a neuron (or a link) on a touch
 * screen does not edit it at once, as a click does, but opens this sheet at
 * the bottom of the window. It shows the neuron's map large, its figures (the
 * tooltip's lines) and one labelled action a step further ("Edit the bias of
 * layer 1, neuron 2", "Stop using X₁"), or on a follower's page why there is
 * none. It draws what the network view hands it; it sends nothing itself.
 */
import { DIVERGING_TABLE } from "../../lib/colors.js";
import { drawMap, sizeCanvas } from "../../lib/canvas.js";
import { make } from "./controls.js";
import { mapOf } from "./frame.js";
import { READ_ONLY_ACTION, linkName, neuronName } from "./tooltip.js";
import { t } from "../../i18n.js";

/** Side of the large map, CSS px, at most (and at most this share of the window's width). */
const MAP_SIDE = 240;
const MAP_SHARE = 0.6;
/** The close button's name. */
const CLOSE_LABEL = "sheet.close";

/**
 * @typedef {import("./draw.js").Hit} Hit
 * @typedef {{bytes: Uint8Array, size: number} | null} MapImage
 */

/**
 * @param {HTMLElement} parent where the sheet lives (it is fixed to the window)
 * @param {{onAction: (hit: Hit) => void, onClose: () => void}} handlers
 */
export function createSheet(parent, { onAction, onClose }) {
  const title = make("h3", { class: "neuron-sheet-title" });
  const close = make("button", { type: "button", class: "btn neuron-sheet-close", "aria-label": t(CLOSE_LABEL),
                                 "data-i18n-aria-label": CLOSE_LABEL }, "×");
  const canvas = /** @type {HTMLCanvasElement} */ (make("canvas", { class: "neuron-sheet-map", role: "img" }));
  const lines = make("div", { class: "neuron-sheet-lines" });
  const action = make("button", { type: "button", class: "btn btn-primary neuron-sheet-action" });
  const reason = make("p", { class: "neuron-sheet-reason" });
  const sheet = make("section", { class: "neuron-sheet", role: "dialog", "aria-labelledby": "neuron-sheet-title" });
  title.id = "neuron-sheet-title";
  sheet.append(make("div", { class: "neuron-sheet-head" }), canvas, lines, action, reason);
  /** @type {HTMLElement} */ (sheet.firstChild).append(title, close);
  sheet.hidden = true;
  parent.append(sheet);

  /** @type {Hit | null} */
  let shown = null;
  close.addEventListener("click", () => hide());
  sheet.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.preventDefault();  // the page's own Escape (clear the traced point) stays out of it
    hide();
  });
  action.addEventListener("click", () => {
    const hit = shown;
    hide();
    if (hit) onAction(hit);
  });

  function hide() {
    if (!shown) return;
    shown = null;
    sheet.hidden = true;
    onClose();
  }

  return {
    /** @returns {Hit | null} what the sheet shows */
    get hit() { return shown; },
    hide,
    /**
     * Show (or refresh) the sheet for `hit`.
     * @param {Hit} hit
     * @param {{name: string, lines: string[], map: MapImage, action: string | null, reason: string}} content
     *   `action`: the labelled step further, or null when there is none (then `reason` says why)
     */
    show(hit, content) {
      const isNew = shown === null;
      shown = hit;
      sheet.hidden = false;
      title.textContent = content.name;
      lines.replaceChildren(...content.lines.map((line) => make("p", {}, line)));
      action.hidden = content.action === null;
      action.textContent = content.action ?? "";
      reason.hidden = content.action !== null;
      reason.textContent = content.reason;
      canvas.hidden = content.map === null;
      canvas.setAttribute("aria-label", t("sheet.map", { name: content.name }));
      if (content.map) {
        const side = Math.round(Math.min(MAP_SIDE, window.innerWidth * MAP_SHARE));
        const context = sizeCanvas(canvas, side, side);
        drawMap(context, content.map.bytes, content.map.size, DIVERGING_TABLE, 0, 0, side, side);
        canvas.dataset.mapSize = String(content.map.size);
      }
      if (isNew) close.focus();
    },
  };
}

/**
 * What the sheet shows for `hit`: the name, the tooltip's figures, the largest map the frame has
 * (the selected neuron's full grid once the server sends it, its thumbnail until then) and the action.
 * @param {Hit} hit
 * @param {{lines: string[], frame: any, session: any, hello: any, offsets: import("./frame.js").Offsets,
 *          layout: import("./layout.js").Layout, isReadOnly: boolean}} context `lines`: the tooltip's
 */
export function sheetContent(hit, { lines, frame, session, hello, offsets, layout, isReadOnly }) {
  const figures = lines.slice(0, -1);  // the last line says what a click does: the button says it here
  if (hit.kind === "input") {
    const label = layout.inputs[hit.slot].label;
    return { name: label, lines: figures, map: null, action: isReadOnly ? null : t("sheet.use_input", { name: label }),
             reason: t(READ_ONLY_ACTION) };
  }
  if (hit.kind === "link") {
    const name = t("sheet.the_weight", { name: linkName(session, hello, hit.layer, hit.source, hit.target) });
    return { name, lines: figures, map: null, action: isReadOnly ? null : t("sheet.edit_weight"),
             reason: t(READ_ONLY_ACTION) };
  }
  const name = neuronName(session, hello, hit.layer, hit.index);
  const selected = frame.header.selected;
  const isSelected = selected && selected[0] === hit.layer && selected[1] === hit.index && frame.arrays.selected_map;
  const map = isSelected ? { bytes: frame.arrays.selected_map, size: frame.header.grid_size }
    : { bytes: mapOf(frame, offsets, hit.layer, hit.index), size: frame.header.thumb_size };
  const action = t(hit.layer === 0 ? "sheet.stop_input" : "sheet.edit_bias", { name });
  return { name: name.charAt(0).toUpperCase() + name.slice(1), lines: figures, map,
           action: isReadOnly ? null : action, reason: t(READ_ONLY_ACTION) };
}
