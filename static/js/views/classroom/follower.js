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
import { t } from "../../i18n.js";

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
  const tryIt = button("class.follow.try_it", "class.follow.try_it_help",
    () => {
      tryIt.disabled = true;
      send(commands.fork());
    });
  const myCopy = button("class.follow.my_copy", "class.follow.my_copy_help", () => {
    route.backToFork();
    reconnect();
  });
  const back = button("class.follow.back", "class.follow.back_help", () => {
    route.follow();
    reconnect();
  });
  const ownRun = el("a", { class: "btn", href: `${basePath}/`, i18n: "class.follow.own_run" });
  for (const node of [tryIt, back, myCopy]) node.dataset.classroom = "";
  const actions = el("div", { class: "follow-actions" }, [tryIt, myCopy, back, ownRun]);
  const bar = el("section", { class: "follower", i18nLabel: "class.button", "aria-live": "polite", hidden: true },
    [el("div", { class: "follow-text" }, [line, note]), actions]);
  slot.append(bar);

  /** @param {State} state @returns {{line: string, note: string, actions: HTMLElement[]}} */
  function describe(state) {
    const code = state.room?.code ?? route.room.toUpperCase();
    if (route.mode() === "fork") {
      return { line: t("class.follow.fork_line", { code }), note: t("class.follow.fork_note"),
               actions: [back] };
    }
    const room = state.room;
    if (!room || state.hello?.role !== "follower") return { line: t("class.follow.joining", { code }), note: "", actions: [] };
    if (!room.is_open && room.presenter === "lost") {
      return { line: t("class.follow.lost"), actions: [ownRun], note: t("class.follow.lost_note", { code }) };
    }
    if (!room.is_open) {
      return { line: t("class.follow.ended"), note: t("class.follow.ended_note", { code }),
               actions: route.hasFork() ? [myCopy, ownRun] : [ownRun] };
    }
    if (room.spotlight) {
      return { line: t("class.follow.watching", { line: CLASS_TEXT.watching(room.spotlight.alias), code }), note: CLASS_TEXT.watchingNote,
               actions: route.hasFork() ? [myCopy] : [tryIt] };
    }
    const note = room.presenter === "reconnecting" ? t("class.follow.reconnecting")
      : t(route.hasFork() ? "class.follow.note_copy" : "class.follow.note");
    return { line: t("class.follow.following", { code, count: room.followers }), note,
             actions: route.hasFork() ? [myCopy] : [tryIt] };
  }

  return {
    render(state, previous) {
      if (!route.room) return;
      const isFailed = state.connection === "stopped" || state.error?.field === "room";
      bar.hidden = isFailed && route.mode() === "follow";
      if (state.room === previous.room && state.hello === previous.hello && state.connection === previous.connection
          && state.error === previous.error && state.language === previous.language) return;
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
