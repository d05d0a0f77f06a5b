// @ts-check
/**
 * Following a class on a /join/CODE page: a line that says whose run this is
 * and how many watch it, what happened when the presenter is away or the
 * class ended, "Try it myself" (a private copy of the class's run, a fork)
 * and, on the fork, "Back to class". The socket's address comes from the
 * route; switching between the class and the fork is a reconnection.
 */
import { commands } from "../../protocol.js";
import { button, el } from "../controls/dom.js";
import { CLASS_TEXT } from "./strings.js";

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {{store: any, send: (command: import("../../protocol.js").Command) => boolean, basePath: string,
 *            route: import("../../route.js").Route, reconnect: () => void}} Context
 */

/**
 * @param {HTMLElement} slot where the class bar goes
 * @param {Context} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createFollower(slot, { send, basePath, route, reconnect }) {
  const line = el("p", { class: "follow-line", "data-follow": "" });
  const note = el("p", { class: "follow-note" });
  const tryIt = button("Try it myself", "Train your own copy of the class's run, from where it is now",
    () => {
      tryIt.disabled = true;
      send(commands.fork());
    });
  const myCopy = button("Back to my copy", "Open the copy you made earlier, where you left it", () => {
    route.backToFork();
    reconnect();
  });
  const back = button("Back to class", "Leave your copy and watch the class again", () => {
    route.follow();
    reconnect();
  });
  const ownRun = el("a", { class: "btn", href: `${basePath}/`, text: "Start your own run" });
  for (const node of [tryIt, back, myCopy]) node.dataset.classroom = "";
  const actions = el("div", { class: "follow-actions" }, [tryIt, myCopy, back, ownRun]);
  const bar = el("section", { class: "follower", "aria-label": "Class", "aria-live": "polite", hidden: true },
    [el("div", { class: "follow-text" }, [line, note]), actions]);
  slot.append(bar);

  /** @param {State} state @returns {{line: string, note: string, actions: HTMLElement[]}} */
  function describe(state) {
    const code = state.room?.code ?? route.room.toUpperCase();
    if (route.mode() === "fork") {
      return { line: `Your own copy of class ${code}`, note: "Only you see this run; the class goes on without it.",
               actions: [back] };
    }
    const room = state.room;
    if (!room || state.hello?.role !== "follower") return { line: `Joining class ${code}…`, note: "", actions: [] };
    if (!room.is_open && room.presenter === "lost") {
      return { line: "The class's run was lost on the server", actions: [ownRun],
               note: `The presenter must present again (class ${code}); any copy you made is yours to keep.` };
    }
    if (!room.is_open) {
      return { line: "The class has ended", note: `Class ${code} is closed; any copy you made is yours to keep.`,
               actions: route.hasFork() ? [myCopy, ownRun] : [ownRun] };
    }
    if (room.spotlight) {
      return { line: `${CLASS_TEXT.watching(room.spotlight.alias)} · class ${code}`, note: CLASS_TEXT.watchingNote,
               actions: route.hasFork() ? [myCopy] : [tryIt] };
    }
    const note = room.presenter === "reconnecting" ? "The presenter is reconnecting…"
      : route.hasFork() ? "The controls are the presenter's: watch, or press Back to my copy to train yours again."
        : "The controls are the presenter's: watch, or press Try it myself to train your own copy.";
    return { line: `Following class ${code} · ${room.followers} watching`, note,
             actions: route.hasFork() ? [myCopy] : [tryIt] };
  }

  return {
    render(state, previous) {
      if (!route.room) return;
      const isFailed = state.connection === "stopped" || state.error?.field === "room";
      bar.hidden = isFailed && route.mode() === "follow";
      if (state.room === previous.room && state.hello === previous.hello && state.connection === previous.connection
          && state.error === previous.error) return;
      const shown = describe(state);
      line.textContent = shown.line;
      note.textContent = shown.note;
      note.classList.toggle("is-away", state.room?.presenter === "reconnecting");
      for (const node of [tryIt, myCopy, back, ownRun]) node.hidden = !shown.actions.includes(node);
      if (state.hello !== previous.hello || state.connection !== previous.connection) {
        tryIt.disabled = state.connection !== "open";
      }
      if (state.error !== previous.error && state.error?.command === "fork") tryIt.disabled = false;
    },
  };
}
