// @ts-check
/**
 * The controls: every button, select and slider that turns into a command,
 * each showing what the server echoes. This module only puts the parts in
 * their slots: the transport bar, the training settings, share and save, the
 * Data panel, the Model panel, the banner and connection state, and the
 * link in the address bar.
 */
import { createTransport } from "./transport.js";
import { createHyper } from "./hyper.js";
import { createTools } from "./tools.js";
import { createDataPanel } from "./data.js";
import { createModelPanel } from "./model.js";
import { createStatus } from "./status.js";
import { createLink } from "./link.js";

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {{transport: HTMLElement, hyper: HTMLElement, tools: HTMLElement, data: HTMLElement,
 *            advanced: HTMLElement, banner: HTMLElement, connection: HTMLElement}} Slots
 * @typedef {{store: any, send: (command: import("../../protocol.js").Command) => boolean, basePath: string,
 *            route: import("../../route.js").Route, reconnect: () => void}} Context
 */

/**
 * @param {Slots} slots
 * @param {Context} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createControlsView(slots, context) {
  const status = createStatus(slots.banner, slots.connection, context);
  const withNotify = { ...context, notify: status.notify };
  const parts = [
    status,
    createTransport(slots.transport, withNotify),
    createHyper(slots.hyper, withNotify),
    createTools(slots.tools, withNotify),
    createDataPanel(slots.data, withNotify),
    createModelPanel(slots.advanced, withNotify),
    createLink(withNotify),
  ];
  return {
    render(state, previous) {
      for (const part of parts) part.render(state, previous);
    },
  };
}
