// @ts-check
/**
 * Keeps the network in view when the "Inside one neuron" panel docks (a
 * point is traced, e.g. by "Show a training point" far down the page): the
 * page shrinks as the panel leaves its place, so the window is brought back
 * to the network the panel explains. The docking itself is CSS
 * (static/css/output.css, `.panel-neuron.is-docked`); this module only
 * scrolls, and only when the panel has just docked.
 */

/** The class views/output/neuron.js sets on the panel while a point is traced. */
const DOCKED_CLASS = "is-docked";

/**
 * @typedef {import("../../messages.js").State} State
 */

/**
 * @param {HTMLElement} panel the .panel-neuron section
 * @param {HTMLElement} network the network panel to keep in view
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createDockView(panel, network) {
  let wasDocked = false;
  return {
    render() {
      const isDocked = panel.classList.contains(DOCKED_CLASS) && getComputedStyle(panel).position === "fixed";
      if (isDocked && !wasDocked) {
        // After the layout settles: the panel is out of the flow from the next frame on.
        requestAnimationFrame(() => {
          const box = network.getBoundingClientRect();
          if (box.top < 0 || box.top > innerHeight / 2) (network.closest(".panel") ?? network).scrollIntoView({ block: "start" });
        });
      }
      wasDocked = isDocked;
    },
  };
}
