// @ts-check
/**
 * The classroom: presenting a run (presenter.js), following one on a
 * /join/CODE page (follower.js, and join.js when the code is wrong), the
 * follower's read-only controls (readonly.js) and projector mode
 * (projector.js). This module only puts the parts in their slots. It must
 * render after the views whose controls it makes read-only.
 */
import { createPresenter } from "./presenter.js";
import { createFollower } from "./follower.js";
import { createJoin } from "./join.js";
import { createReadOnly } from "./readonly.js";
import { createProjector } from "./projector.js";

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {{tools: HTMLElement, classroom: HTMLElement, corner: HTMLElement, controlled: HTMLElement[]}} Slots
 * @typedef {{store: any, send: (command: import("../../protocol.js").Command) => boolean, basePath: string,
 *            route: import("../../route.js").Route, reconnect: () => void}} Context
 */

/**
 * @param {Slots} slots `controlled`: the slots whose controls a follower may not use
 * @param {Context} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createClassroomView(slots, context) {
  const parts = [
    createPresenter(slots.tools, slots.classroom, context),
    createFollower(slots.classroom, context),
    createJoin(slots.classroom, slots.tools, context),
    createProjector(slots.tools, slots.corner, context),
    createReadOnly(slots.controlled),
  ];
  return {
    render(state, previous) {
      for (const part of parts) part.render(state, previous);
    },
  };
}
