// @ts-check
/**
 * The teacher's Class view: a "Class" button in the tools toolbar while presenting opens a panel with
 * the pacing toolbar, the mosaic of students' tiles (mosaic.js), the aggregate (aggregate.js) and
 * compared runs (compare.js). Opening it sends `watch_class {"on": true}` (again after a reconnection,
 * whose socket starts with it off), closing it `{"on": false}`. While open, the page's own run folds
 * away (body class `is-class-view`, static/css/mosaic.css); the transport stays in the top bar.
 * In projector mode the mosaic shows aliases only, never the names students typed.
 */
import { commands } from "../../protocol.js";
import { button, el } from "../controls/dom.js";
import { isPresenting } from "./presenter.js";
import { createMosaic } from "./mosaic.js";
import { createPacing } from "./pacing.js";
import { createAggregate } from "./aggregate.js";
import { createCompare } from "./compare.js";
import { CLASS_KEY } from "./strings.js";

/** On <body> while the class view is open. */
const CLASS_VIEW_CLASS = "is-class-view";

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {{store: any, send: (command: import("../../protocol.js").Command) => boolean}} Context
 */

/** @param {State} state @returns {boolean} whether this page should be receiving the class's tiles */
const isWatching = (state) => isPresenting(state) && state.ui.classOpen && state.connection === "open";

/**
 * @param {HTMLElement} toolbar the #tools toolbar, for the Class button
 * @param {HTMLElement} slot the #classroom slot, where the panel goes
 * @param {Context} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createClassView(toolbar, slot, context) {
  const { store, send } = context;
  const toggle = button(CLASS_KEY.classButton, CLASS_KEY.classButtonHelp, () => {
    const ui = store.get().ui;
    store.update({ ui: { ...ui, classOpen: !ui.classOpen, classSelected: [] } });
  }, "btn class-toggle");
  toggle.setAttribute("aria-pressed", "false");
  toggle.setAttribute("aria-controls", "class-view");
  toggle.dataset.classroom = "";
  toggle.hidden = true;
  toolbar.prepend(toggle);

  const head = el("div", { class: "class-head" }, [el("h2", { i18n: CLASS_KEY.panelLabel })]);
  const main = el("div", { class: "class-main" });
  const side = el("div", { class: "class-side" });
  const panel = el("section", { class: "class-view", id: "class-view", i18nLabel: CLASS_KEY.panelLabel,
                                hidden: true }, [head, el("div", { class: "class-body" }, [main, side])]);
  slot.append(panel);
  const parts = [createPacing(head, context), createMosaic(main, context), createAggregate(side),
    createCompare(side, context)];

  return {
    render(state, previous) {
      // The class ended (on this connection: a reconnection's room comes after its hello): the view closes.
      const hasEnded = isPresenting(previous) && !isPresenting(state) && state.hello === previous.hello;
      if (state.ui.classOpen && (hasEnded || state.hello?.role === "follower")) {
        store.update({ ui: { ...state.ui, classOpen: false, classSelected: [] } });
        return;
      }
      const isOn = isWatching(state);
      const wasOn = isWatching(previous);
      if (isOn && (!wasOn || state.hello !== previous.hello)) send(commands.watchClass(true));
      else if (!isOn && wasOn && isPresenting(state) && state.connection === "open") send(commands.watchClass(false));
      // Tiles from before are not shown as live: the next `full` message brings them back.
      if (!isOn && state.classView) store.update({ classView: null, comparison: null });
      toggle.hidden = !isPresenting(state);
      toggle.setAttribute("aria-pressed", String(state.ui.classOpen));
      panel.hidden = !state.ui.classOpen;
      document.body.classList.toggle(CLASS_VIEW_CLASS, state.ui.classOpen);
      if (state.ui.classOpen || previous.ui.classOpen) for (const part of parts) part.render(state, previous);
    },
  };
}
