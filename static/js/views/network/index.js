// @ts-check
/**
 * The network view: every neuron as a thumbnail of its output over the
 * plane, every link coloured by the sign and sized by the size of its weight
 * (or, with "Show gradients", of the last step's gradient), layer headers to
 * reshape the network, feature toggles for the inputs, a live tooltip, and an
 * inline editor for single weights and biases.
 *
 * It draws only what the server sends: the shape comes from `session`, the
 * numbers and maps from `frame`. Reshaping and edits go out as commands and
 * appear once the server echoes them. Drawing is coalesced to one per
 * animation frame. Geometry, painting, hit tests, words, the DOM around the
 * canvas, what the pointer points at and chooses (pointing.js) and the
 * keyboard walk (keyboard.js) live in the other modules here. The CSS custom
 * property `--canvas-label-scale` (projector mode) makes labels and squares larger.
 */
import { commands } from "../../protocol.js";
import { sizeCanvas, watchSize } from "../../lib/canvas.js";
import { computeLayout } from "./layout.js";
import { frameFits, frameOffsets, gradientScale } from "./frame.js";
import { drawNetwork } from "./draw.js";
import { describe, showTooltip } from "./tooltip.js";
import { openEditor, parameterOf } from "./editor.js";
import { createSlowStep } from "./slow-step.js";
import { createSheet, sheetContent } from "./sheet.js";
import { createPointing } from "./pointing.js";
import { KEYBOARD_HELP, anchor, createKeyboardWalk } from "./keyboard.js";
import { t } from "../../i18n.js";
import {
  NEW_LAYER_SIZE, createBar, createLegend, make, renderHeaders, renderInputs, renderNeuronButtons,
} from "./controls.js";

/**
 * @typedef {import("./draw.js").Hit} Hit
 * @typedef {import("../../messages.js").State} State
 */

/** The CSS custom property that scales the drawing (projector mode). */
const SCALE_PROPERTY = "--canvas-label-scale";
/** CSS custom properties (unitless px) that fit the drawing to a finger or a wall; unset means the defaults. */
const MIN_THUMB_PROPERTY = "--network-min-thumb";
const HEADER_PROPERTY = "--network-header-height";
const AREA_PROPERTY = "--network-area-scale";
/** A finger: a tap opens the neuron sheet (its map large, the edit one step further) instead of the editor. */
const COARSE_POINTER = "(pointer: coarse)";

/**
 * @param {HTMLElement} element
 * @param {{store: {get: () => State, update: (patch: Partial<State>) => void},
 *   send: (command: import("../../protocol.js").Command) => void, basePath: string}} context
 */
export function createNetworkView(element, { store, send }) {
  const bar = createBar(element, { onLayers: changeLayerCount, onGradients: setGradients });
  const scroll = make("div", { class: "network-scroll" });
  const stage = make("div", { class: "network-stage" });
  const canvas = /** @type {HTMLCanvasElement} */ (make("canvas", {
    class: "network-canvas", role: "application", tabindex: "0", "aria-roledescription": t("network.diagram"),
    "aria-label": t("network.label", { help: t(KEYBOARD_HELP) }),
  }));
  const announcer = make("div", { class: "visually-hidden network-announcer", role: "status" });
  const headers = make("div", { class: "network-headers" });
  // hide=features keeps the labels in view, inert (views/controls/link.js)
  const inputs = make("div", { class: "network-inputs", "data-field": "features", "data-hide": "lock", role: "group",
                               "aria-label": t("network.input_features"),
                               "data-i18n-aria-label": "network.input_features" });
  const neuronButtons = make("div", { class: "network-neurons" });
  stage.append(canvas, headers, inputs, neuronButtons);
  scroll.append(stage);
  const caption = make("div", { class: "slow-caption", role: "status", "aria-live": "polite" });
  caption.hidden = true;
  element.append(caption, scroll);
  // The replay's phase is UI state: the step counter and the output plane follow it.
  const slow = createSlowStep(caption, canvas, () => scheduleDraw(),
                              (slowPhase) => store.update({ ui: { ...store.get().ui, slowPhase } }));
  const legend = createLegend(element);
  const tooltip = make("div", { class: "tooltip network-tooltip", role: "tooltip" });
  tooltip.hidden = true;
  element.append(tooltip, announcer);
  const sheet = createSheet(element, {
    onAction: (hit) => {
      const layout = view.layout;
      if (layout) activate(hit, null, ...anchor(layout, hit));
    },
    onClose: () => pointing.point(null),
  });
  const isCoarse = matchMedia(COARSE_POINTER);

  /** Everything this view remembers between renders. */
  const view = {
    /** @type {import("./layout.js").Layout | null} */ layout: null,
    /** @type {import("./frame.js").Offsets | null} */ offsets: null,
    /** @type {CanvasRenderingContext2D | null} */ context: null,
    layoutKey: "",
    width: scroll.clientWidth,
    scale: 1,
    /** @type {{minThumb?: number, headerHeight?: number, areaScale?: number}} */ fit: {},
    /** @type {(() => void) | null} */ closeEditor: null,
    isDrawScheduled: false,
  };

  const pointing = createPointing(canvas, {
    store, send, getLayout: () => view.layout, isBusy: () => Boolean(view.closeEditor || sheet.hit),
    onPoint: (hit, clientX, clientY, isSame) => {
      const { frame } = store.get();
      if (!hit || !frame || !view.layout || !frameFits(frame, view.layout.sizes)) tooltip.hidden = true;
      else showTooltip(tooltip, describe(hit, tooltipContext()), clientX, clientY);
      if (!isSame) scheduleDraw();
    },
    onClick: (hit, event) => {
      if (hit && isCoarse.matches) {
        // A finger: show what was tapped (the server sends the neuron's map), edit only from the sheet.
        view.closeEditor?.();
        pointing.point(hit);
        tooltip.hidden = true;
        fillSheet(hit);
      } else if (hit) {
        const box = canvas.getBoundingClientRect();
        activate(hit, null, event.clientX - box.left, event.clientY - box.top);
      }
    },
  });

  const keyboard = createKeyboardWalk(canvas, {
    getLayout: () => view.layout,
    onEnter: (item, x, y) => activate(item, canvas, x, y),
    onPoint: (item, x, y) => {
      // as if the pointer were on it, and said in words
      const box = canvas.getBoundingClientRect();
      pointing.point(item, box.left + x, box.top + y);
      const { frame } = store.get();
      if (view.layout && frame && frameFits(frame, view.layout.sizes)) {
        announcer.textContent = describe(item, tooltipContext()).slice(0, -1).join("; ");
      }
    },
    // Enter moves focus to the editor before it is recorded as open: keep pointing at its parameter.
    onLeave: () => { if (!view.closeEditor) pointing.point(null); },
  });

  watchSize(scroll, (width) => {
    if (Math.abs(width - view.width) < 1) return;
    view.width = width;
    render(store.get(), store.get());
  });

  /** @param {State} state */
  function relayout(state) {
    const { hello, session } = state;
    view.closeEditor?.();
    pointing.keep(session.sizes);
    sheet.hide();
    pointing.point(null);
    const layout = computeLayout(hello.options.features, session.config.features, session.sizes, view.width,
      view.scale, view.fit);
    view.layout = layout;
    view.offsets = frameOffsets(session.sizes);
    keyboard.reset(layout.sizes);
    stage.style.width = `${layout.width}px`;
    stage.style.height = `${layout.height}px`;
    view.context = sizeCanvas(canvas, layout.width, layout.height);
    renderHeaders(headers, layout, session, hello, configure);
    renderInputs(inputs, layout, toggleFeature);
    renderNeuronButtons(neuronButtons, layout, session, hello, {
      onFocus: (layer, index, node) => {
        const box = node.getBoundingClientRect();
        pointing.point({ kind: "neuron", layer, index }, box.right, box.top);
      },
      onBlur: () => { if (!view.closeEditor) pointing.point(null); },
      onActivate: (layer, index, node) => activate({ kind: "neuron", layer, index }, node),
    });
  }

  function scheduleDraw() {
    if (view.isDrawScheduled) return;
    view.isDrawScheduled = true;
    requestAnimationFrame(() => {
      view.isDrawScheduled = false;
      draw();
    });
  }

  function draw() {
    const { frame, ui, session } = store.get();
    const { layout, offsets, context } = view;
    if (!layout || !offsets || !context || !frame || !frameFits(frame, layout.sizes)) return;
    const started = performance.now();
    if (slow.isPlaying()) return slow.draw(context, layout, frame, offsets);
    const scale = ui.showGradients ? gradientScale(frame) : 0;
    drawNetwork(context, layout, frame, offsets, {
      showGradients: ui.showGradients, gradientScale: scale, hover: pointing.hover,
      // The presenter's highlight is what a follower's class points at.
      selected: ui.hoverNeuron || session?.highlight || session?.selected_neuron || null,
    });
    canvas.dataset.drawMs = (performance.now() - started).toFixed(2);
    canvas.dataset.sizes = layout.sizes.join(",");
    canvas.dataset.mode = ui.showGradients ? "gradients" : "weights";
    canvas.dataset.gradNorms = (frame.header.grad_norms ?? []).join(",");
    legend.update(ui.showGradients, scale);
    if (sheet.hit) fillSheet(sheet.hit);
    else if (pointing.hover && !view.closeEditor) {
      showTooltip(tooltip, describe(pointing.hover, tooltipContext()), pointing.pointer.x, pointing.pointer.y);
    }
  }

  /** @param {Hit} hit show it in the neuron sheet, from the current frame */
  function fillSheet(hit) {
    const context = tooltipContext();
    const { frame, session, hello } = store.get();
    if (!frame || !frameFits(frame, context.layout.sizes)) return;
    sheet.show(hit, sheetContent(hit, { lines: describe(hit, context), frame, session, hello, offsets: context.offsets,
                                        layout: context.layout, isReadOnly: context.isReadOnly }));
  }

  function tooltipContext() {
    const { frame, session, hello, ui } = store.get();
    const layout = /** @type {import("./layout.js").Layout} */ (view.layout);
    const offsets = /** @type {import("./frame.js").Offsets} */ (view.offsets);
    return { layout, offsets, frame, session, hello, showGradients: ui.showGradients,
             isReadOnly: hello?.role === "follower" };
  }

  /**
   * Click (or Enter) on something: toggle an input, or open the editor for a bias or weight.
   * @param {Hit} hit
   * @param {HTMLElement | null} returnFocus the element to focus after editing (keyboard use)
   * @param {number} [x] where to open the editor, canvas coordinates
   * @param {number} [y]
   */
  function activate(hit, returnFocus, x, y) {
    const { session, hello, frame } = store.get();
    const layout = view.layout;
    if (hello?.role === "follower") return; // a class's run is the presenter's to change
    if (!layout || !view.offsets || !frame || !frameFits(frame, layout.sizes)) return;
    const isLocked = store.get().ui.hidden.includes("features");  // a lesson link fixed the inputs
    if (hit.kind === "input") return isLocked ? undefined : toggleFeature(layout.inputs[hit.slot].name);
    if (hit.kind === "neuron" && hit.layer === 0) {
      return isLocked ? undefined : toggleFeature(session.config.features[hit.index]);
    }
    view.closeEditor?.();
    const { layer, source, target, value, label } = parameterOf(hit, { frame, session, hello, offsets: view.offsets,
                                                                          sizes: layout.sizes });
    const neuron = hit.kind === "neuron" ? layout.neurons[hit.layer][hit.index] : null;
    const left = x ?? (neuron ? neuron.x + layout.thumb / 2 : 0);
    const top = y ?? (neuron ? neuron.y + layout.thumb / 2 : 0);
    tooltip.hidden = true;
    view.closeEditor = openEditor(stage, {
      x: left, y: top, value, label,
      onApply: (typed) => send(commands.editWeight(layer, source, target, typed)),
      onClose: () => {
        view.closeEditor = null;
        returnFocus?.focus();
      },
    });
  }

  /** @param {Record<string, unknown>} changes */
  function configure(changes) {
    send(commands.configure(changes));
  }

  /** @param {string} name */
  function toggleFeature(name) {
    const features = store.get().session.config.features;
    configure({ features: features.includes(name) ? features.filter((/** @type {string} */ f) => f !== name) : [...features, name] });
  }

  /** @param {number} delta +1 adds a layer of NEW_LAYER_SIZE at the end, −1 removes the last */
  function changeLayerCount(delta) {
    const layers = store.get().session.config.hidden_layers;
    configure({ hidden_layers: delta > 0 ? [...layers, NEW_LAYER_SIZE] : layers.slice(0, -1) });
  }

  /** @param {boolean} isOn */
  function setGradients(isOn) {
    store.update({ ui: { ...store.get().ui, showGradients: isOn } });
  }

  /**
   * @param {State} state
   * @param {State} previous
   */
  function render(state, previous) {
    const { hello, session } = state;
    if (!hello || !session) return;
    // Projector mode changes the scale once the page has its new look: look again after that.
    if (state.ui.projector !== previous.ui.projector) requestAnimationFrame(() => render(store.get(), store.get()));
    const config = session.config;
    const style = getComputedStyle(element);
    const read = (/** @type {string} */ name) => Number(style.getPropertyValue(name)) || undefined;
    view.scale = read(SCALE_PROPERTY) || 1;
    view.fit = { minThumb: read(MIN_THUMB_PROPERTY), headerHeight: read(HEADER_PROPERTY), areaScale: read(AREA_PROPERTY) };
    const key = JSON.stringify([session.sizes, config.features, config.hidden_layers, config.activation,
      config.layer_activations, session.activations, view.width, view.scale, view.fit, state.language]);
    if (state.language !== previous.language) {
      canvas.setAttribute("aria-roledescription", t("network.diagram"));
      canvas.setAttribute("aria-label", t("network.label", { help: t(KEYBOARD_HELP) }));
    }
    const isNewLayout = key !== view.layoutKey;
    if (isNewLayout) {
      view.layoutKey = key;
      relayout(state);
    }
    if (isNewLayout || session !== previous.session || state.ui.showGradients !== previous.ui.showGradients) {
      bar.update(session, hello, state.ui.showGradients);
    }
    if (state.slowStep !== previous.slowStep && state.slowStep) slow.play(state.slowStep);
    if (isNewLayout || state.frame !== previous.frame || state.ui !== previous.ui
        || session.selected_neuron !== previous.session?.selected_neuron
        || session.highlight !== previous.session?.highlight) scheduleDraw();
  }

  return { render };
}
