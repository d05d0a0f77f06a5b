// @ts-check
/**
 * Composition root: build the store, open the socket, create the views and
 * wire them together. No drawing and no model logic here.
 */
import { createStore } from "./store.js";
import { connect } from "./socket.js";
import { initialState, onBinary, onMessage } from "./messages.js";
import { applyTheme } from "./lib/colors.js";
import { createControlsView } from "./views/controls/index.js";
import { createNetworkView } from "./views/network/index.js";
import { createHeatmapView } from "./views/output/heatmap.js";
import { createChartView } from "./views/output/chart.js";
import { createMetricsView } from "./views/output/metrics.js";
import { createNeuronView } from "./views/output/neuron.js";
import { createDiagnosisView } from "./views/output/diagnosis.js";

applyTheme();
const basePath = document.body.dataset.basePath || "";
const scheme = location.protocol === "https:" ? "wss:" : "ws:";
const store = createStore(initialState());

const socket = connect(`${scheme}//${location.host}${basePath}/ws`, {
  onOpen: () => store.update({ connection: "open" }),
  onClose: () => store.update({ connection: "closed" }),
  onMessage: (message) => store.update((state) => onMessage(state, message)),
  onBinary: (message) => store.update((state) => onBinary(state, message)),
});

/** @param {import("./protocol.js").Command} command */
const send = (command) => socket.send(command);
/** @param {string} id */
const slot = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const context = { store, send, basePath };

const views = [
  createControlsView(
    { transport: slot("transport"), hyper: slot("hyper"), tools: slot("tools"), data: slot("data-controls"),
      advanced: slot("advanced"), banner: slot("banner"), connection: slot("connection") },
    context,
  ),
  createNetworkView(slot("network"), context),
  createMetricsView(slot("metrics"), context),
  createChartView(slot("chart"), context),
  createHeatmapView(slot("heatmap"), context),
  createNeuronView(slot("neuron-math"), context),
  createDiagnosisView(slot("diagnosis"), context),
];

/**
 * Redraw every view once per batch of state changes (one microtask), with the state before it.
 * @param {ReturnType<typeof createStore>} source
 * @param {{render: (state: any, previous: any) => void}[]} targets
 */
function renderOnChange(source, targets) {
  let isScheduled = false;
  let previous = source.get();
  source.subscribe(() => {
    if (isScheduled) return;
    isScheduled = true;
    queueMicrotask(() => {
      isScheduled = false;
      const state = source.get();
      for (const view of targets) view.render(state, previous);
      previous = state;
    });
  });
}

renderOnChange(store, views);
