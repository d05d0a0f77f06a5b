// @ts-check
/**
 * The Data panel: the dataset chooser grouped by problem type, the sliders
 * for classes, training share, noise, batch size and points (sent on
 * `change`), the data seed with Regenerate, and the custom-data uploader.
 * Ranges and defaults come from `hello.fields`.
 */
import { commands } from "../../protocol.js";
import { button, el, problemLabel, seedControl, slider } from "./dom.js";
import { createCsvUpload } from "./csv.js";
import { markLabel, termButton } from "./terms.js";

/** Name of the dataset made of uploaded points. */
const CUSTOM_DATASET = "custom";
/** The batch-size slider's upper end, as in TensorFlow Playground; the number box goes further. */
const BATCH_SLIDER_MAX = 30;
/** Slider steps per setting (1 when not listed). */
const SLIDER_STEPS = /** @type {Record<string, number>} */ ({ points: 10, train_percent: 5 });
/** Sliders in the order shown. */
const SLIDER_FIELDS = ["classes", "train_percent", "noise", "batch_size", "points"];
/** Settings that mean nothing for uploaded points. */
const GENERATOR_FIELDS = ["noise", "points", "classes"];
/** The concept each slider's label names (a glossary id); "points" names none. */
const SLIDER_TERMS = /** @type {Record<string, string>} */ ({
  classes: "class", train_percent: "training data", noise: "noise", batch_size: "batch size",
});

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {import("./dom.js").Slider} Slider
 */

/**
 * @param {HTMLElement} element the #data-controls slot
 * @param {{store: any, send: (command: import("../../protocol.js").Command) => boolean}} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createDataPanel(element, context) {
  const { send } = context;
  const configure = (/** @type {Record<string, unknown>} */ changes) => send(commands.configure(changes));
  const chooser = el("div", { class: "dataset-chooser", "data-field": "dataset", role: "group",
    "aria-label": "Dataset" });
  const customButton = el("button", { type: "button", class: "dataset-btn", text: "Uploaded points",
    title: "Your own points, from Upload CSV", "aria-pressed": "true", hidden: true });
  const csv = createCsvUpload(context);
  const sliderBox = el("div", { class: "sliders" });
  const batchNumber = el("input", { type: "number", class: "number-input", step: 1,
    "aria-label": "Batch size (any size)" });
  batchNumber.addEventListener("change", () => {
    if (Number.isFinite(batchNumber.valueAsNumber)) configure({ batch_size: batchNumber.valueAsNumber });
  });
  const regenerate = button("Regenerate", "New points: a new data seed, then reset",
    () => send(commands.regenerateData()));
  const seed = seedControl("data_seed", "Data seed", configure, regenerate);
  markLabel(seed.root, "seed");
  element.append(chooser, sliderBox, seed.root,
    el("div", { class: "custom-data" }, [
      el("h3", { class: "group-title", text: "Your data" }), customButton, csv.root,
    ]));

  /** @type {Record<string, Slider>} */
  let sliders = {};
  /** @type {Map<string, HTMLButtonElement>} */
  const datasetButtons = new Map();

  /** @param {any} hello */
  function build(hello) {
    datasetButtons.clear();
    const groups = Object.keys(hello.problems).map((problem) => {
      const buttons = hello.options.dataset.filter((/** @type {any} */ d) => d.problem === problem)
        .map((/** @type {any} */ d) => {
          const node = button(d.label, d.description, () => configure({ dataset: d.name }), "dataset-btn");
          node.setAttribute("aria-pressed", "false");
          node.dataset.dataset = d.name;
          datasetButtons.set(d.name, node);
          return node;
        });
      return el("div", { class: "dataset-group" }, [
        el("h3", { class: "group-title" }, [termButton(problem, problemLabel(problem))]), el("div", { class: "dataset-row" }, buttons)]);
    });
    chooser.title = hello.fields.dataset.help;
    chooser.replaceChildren(...groups);

    sliders = {};
    for (const name of SLIDER_FIELDS) {
      const spec = hello.fields[name];
      if (!spec) continue;
      const isBatch = name === "batch_size";
      sliders[name] = slider(name, spec.label, spec, {
        step: SLIDER_STEPS[name],
        max: isBatch ? Math.min(BATCH_SLIDER_MAX, spec.maximum) : undefined,
        onCommit: (value) => configure({ [name]: value }),
      });
      if (SLIDER_TERMS[name]) markLabel(sliders[name].root, SLIDER_TERMS[name]);
    }
    const batch = hello.fields.batch_size;
    batchNumber.min = String(batch.minimum ?? 1);
    batchNumber.max = String(batch.maximum);
    batchNumber.title = `Any batch size up to ${batch.maximum}`;
    sliders.batch_size?.root.append(batchNumber);
    sliders.batch_size?.input.addEventListener("input", () => { batchNumber.value = sliders.batch_size.input.value; });
    sliderBox.replaceChildren(...Object.values(sliders).map((s) => s.root));
    seed.describe(hello.fields.data_seed);
  }

  /** @param {any} session */
  function show(session) {
    const config = session.config;
    const isCustom = config.dataset === CUSTOM_DATASET;
    for (const [name, node] of datasetButtons) node.setAttribute("aria-pressed", String(name === config.dataset));
    customButton.hidden = !isCustom;
    for (const [name, s] of Object.entries(sliders)) {
      s.set(config[name]);
      s.input.disabled = isCustom && GENERATOR_FIELDS.includes(name);
    }
    sliders.classes?.root.classList.toggle("is-off", session.problem !== "multiclass" || isCustom);
    batchNumber.value = String(config.batch_size);
    seed.show(config.data_seed);
  }

  return {
    render(state, previous) {
      if (!state.hello) return;
      if (state.hello !== previous.hello) build(state.hello);
      const isEcho = state.session !== previous.session || state.error !== previous.error;
      if (state.session && (isEcho || state.hello !== previous.hello)) show(state.session);
      csv.render(state, previous);
    },
  };
}
