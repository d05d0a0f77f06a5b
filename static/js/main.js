// @ts-check
/**
 * Composition root: build the store, open the socket, create the views and
 * wire them together. No drawing and no model logic here.
 */
import { createStore } from "./store.js";
import { connect } from "./socket.js";
import { createRoute } from "./route.js";
import { FINAL_CLOSE_CODES, initialState, onBinary, onClose, onMessage } from "./messages.js";
import { applyTheme } from "./lib/colors.js";
import { createControlsView } from "./views/controls/index.js";
import { createNetworkView } from "./views/network/index.js";
import { createHeatmapView } from "./views/output/heatmap.js";
import { createChartView } from "./views/output/chart.js";
import { createMetricsView } from "./views/output/metrics.js";
import { createNeuronView } from "./views/output/neuron.js";
import { createClassroomView } from "./views/classroom/index.js";
import { isAllowed } from "./views/classroom/readonly.js";
import { createDiagnosisView } from "./views/output/diagnosis.js";
import { createRewindView } from "./views/output/rewind.js";
import { createPinsView } from "./views/output/pins.js";
import { createLessonsView } from "./views/lessons/index.js";
import { createDockView } from "./views/output/dock.js";
import { createTermsView } from "./views/controls/terms.js";

applyTheme();
const basePath = document.body.dataset.basePath || "";
const route = createRoute(document.body.dataset.room || "", basePath, location);
const store = createStore(initialState());

const socket = connect(route.url, {
  onOpen: () => store.update({ connection: "open", closeCode: null }),
  onClose: (code) => store.update(onClose(code)),
  onMessage: (message) => {
    store.update((state) => onMessage(state, message));
    if (route.observe(message)) socket.reconnect();
  },
  onBinary: (message) => store.update((state) => onBinary(state, message)),
  onStall: () => store.update({ connection: "closed" }),
  isExpectingFrames: () => store.get().session?.status === "running",
}, FINAL_CLOSE_CODES);

/** @param {import("./protocol.js").Command} command */
const send = (command) => isAllowed(store.get(), command) && socket.send(command);
/** @param {string} id */
const slot = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const context = { store, send, basePath, route, reconnect: () => socket.reconnect() };

const views = [
  createControlsView(
    { transport: slot("transport"), hyper: slot("hyper"), tools: slot("tools"), data: slot("data-controls"),
      advanced: slot("advanced"), banner: slot("banner"), connection: slot("connection") },
    context,
  ),
  createNetworkView(slot("network"), context),
  createMetricsView(slot("metrics"), context),
  createChartView(slot("chart"), context),
  createPinsView(slot("pins"), context),
  createRewindView(slot("rewind"), context),
  createHeatmapView(slot("heatmap"), context),
  createNeuronView(slot("neuron-math"), context),
  createDockView(/** @type {HTMLElement} */ (slot("neuron-math").closest(".panel-neuron")), slot("network")),
  createClassroomView(
    { tools: slot("tools"), classroom: slot("classroom"), corner: slot("corner"),
      controlled: ["transport", "hyper", "tools", "data-controls", "advanced", "network"].map(slot) },
    context,
  ),
  createDiagnosisView(slot("diagnosis"), context),
  createTermsView(document.body),
  createLessonsView(
    { start: slot("lesson-start"), entry: slot("lessons-entry"), panel: slot("lesson"), transport: slot("transport") },
    context,
  ),
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
