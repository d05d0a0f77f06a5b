// @ts-check
/**
 * The classroom: presenting a run (presenter.js), following one on a
 * /join/CODE page (follower.js, and join.js when the code is wrong), the
 * follower's read-only controls (readonly.js), projector mode
 * (projector.js), the teacher's Class view (classview.js: the mosaic of
 * students' runs, spotlight, compare, the aggregate and pacing) and the
 * student's side of it (student.js: alias, hand, name, the class's state).
 * This module only puts the parts in their slots. It must render after the
 * views whose controls it makes read-only.
 */
import { createPresenter } from "./presenter.js";
import { createFollower } from "./follower.js";
import { createJoin } from "./join.js";
import { createReadOnly } from "./readonly.js";
import { createProjector } from "./projector.js";
import { createClassView } from "./classview.js";
import { createStudent } from "./student.js";

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {{tools: HTMLElement, classroom: HTMLElement, corner: HTMLElement, transport: HTMLElement,
 *            controlled: HTMLElement[]}} Slots
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
    createClassView(slots.tools, slots.classroom, context),
    createStudent(slots.classroom, slots.transport, context),
    createReadOnly(slots.controlled),
  ];
  return {
    render(state, previous) {
      for (const part of parts) part.render(state, previous);
    },
  };
}
