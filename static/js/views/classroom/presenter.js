// @ts-check
/**
 * Presenting a run to a class: the Present button (in the tools toolbar),
 * then a panel with the join code, the follower link, its QR code, how many
 * are watching and End class. The code and secret the server answers with
 * are kept for this tab, so a presenter whose run expired gets the same code
 * back for the new run. While presenting, the hovered neuron is sent as
 * `highlight` so the class sees what the presenter points at.
 */
import { commands } from "../../protocol.js";
import { latestEvery } from "../../lib/throttle.js";
import { presenting } from "../../session-id.js";
import { button, el } from "../controls/dom.js";
import { t } from "../../i18n.js";

/** Shortest time between two `highlight` commands (at most 10 a second). */
const HIGHLIGHT_INTERVAL_MS = 100;
/** Host names that only this machine can reach. */
const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]", "::1"];
/** Said when the class this tab presented could not be reopened (the server forgot it, e.g. after a restart). */
const REOPEN_FAILED = (/** @type {string} */ code) => t("class.present.reopen_failed", { code });
/** Said under the link when phones could not open it. */
const LOOPBACK_HINT = "class.present.loopback";

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {{store: any, send: (command: import("../../protocol.js").Command) => boolean, basePath: string,
 *            route: import("../../route.js").Route}} Context
 */

/** @param {string} url @returns {boolean} */
function isLoopback(url) {
  try {
    return LOOPBACK_HOSTS.includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** @param {State} state @returns {boolean} this socket owns a run whose class is open */
export const isPresenting = (state) => state.hello?.role === "owner" && !!state.room?.is_open;

/**
 * End class: forget this tab's class and close it (the presenter panel and the projector's corner each have one).
 * @param {(command: import("../../protocol.js").Command) => boolean} send
 */
export function endClassButton(send) {
  const end = button("class.present.end", "class.present.end_help",
    () => {
      presenting.write(null);
      send(commands.endClass());
    });
  end.dataset.classroom = "";
  return end;
}

/** @param {any} room @returns {string} */
export const watchingText = (room) => t("class.present.watching", { count: room.followers });

/**
 * @param {HTMLElement} toolbar the #tools toolbar, for the Present button
 * @param {HTMLElement} slot where the presenter panel goes
 * @param {Context} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createPresenter(toolbar, slot, { store, send, basePath, route }) {
  /** Open a room, or reopen the class this tab presented (same code) for the run it has now. */
  const openRoom = () => {
    const stored = presenting.read();
    send(commands.present(stored?.code ?? null, stored?.secret ?? null));
  };
  const present = button("class.present.button", "class.present.button_help",
    openRoom);
  present.dataset.classroom = "";
  toolbar.prepend(present);

  const code = el("strong", { class: "join-code", "data-room-code": "" });
  const link = el("a", { class: "join-link", target: "_blank", rel: "noopener" });
  const qr = el("img", { class: "join-qr", alt: t("class.present.qr"), width: 132, height: 132 });
  const watching = el("p", { class: "watching", "data-watching": "", "aria-live": "polite" });
  const hint = el("p", { class: "loopback-hint", i18n: LOOPBACK_HINT, hidden: true });
  const end = endClassButton(send);
  const panel = el("section", { class: "presenter", i18nLabel: "class.present.label", hidden: true }, [
    qr,
    el("div", { class: "presenter-text" }, [
      el("p", { class: "presenter-code" }, [el("span", { i18n: "class.present.code" }), " ", code]),
      el("p", { class: "presenter-link" }, [el("span", { i18n: "class.present.link" }), " ", link]),
      hint,
      el("div", { class: "presenter-row" }, [watching, end]),
    ]),
  ]);
  slot.append(panel);

  const highlight = latestEvery(HIGHLIGHT_INTERVAL_MS, (/** @type {[number, number] | null} */ neuron) =>
    send(commands.highlight(neuron ? neuron[0] : null, neuron ? neuron[1] : null)), null);
  let isReopenPending = false;

  /** @param {any} room */
  function fill(room) {
    code.textContent = room.code;
    link.href = `${basePath}${room.join_path}`;
    link.textContent = room.join_url;
    qr.src = `${basePath}${room.qr_path}`;
    watching.textContent = watchingText(room);
    hint.hidden = !(LOOPBACK_HOSTS.includes(location.hostname) && isLoopback(room.join_url));
  }

  return {
    render(state, previous) {
      // A resume answers with no secret: the one kept from the class's opening stays.
      if (state.presenting !== previous.presenting && state.presenting?.secret) presenting.write(state.presenting);
      if (state.error !== previous.error && state.error?.command === "present" && state.error.field === "secret") {
        const stale = presenting.read();
        presenting.write(null); // refused: never sent again; a fresh class instead, and the presenter is told
        if (stale) {
          store.update({ notice: { topic: "class_reopen", message: REOPEN_FAILED(stale.code), at: Date.now() } });
          send(commands.present(null, null));
        }
      }
      if (state.notice !== previous.notice && state.notice?.topic === "class_moved") presenting.write(null);
      if (state.hello !== previous.hello) {
        highlight.reset(null);
        // A class whose run expired or was lost (a restart, a dead training process) is reopened, same code.
        isReopenPending = ["expired", "lost"].includes(state.arrival?.resume ?? "") && presenting.read() !== null;
      }
      if (isReopenPending && state.session && state.session !== previous.session) {
        isReopenPending = false;
        openRoom();
      }
      const isShown = isPresenting(state);
      // A fork is a student's copy while the class goes on: the student is in a class, not presenting one.
      present.hidden = state.hello?.role === "follower" || route.mode() === "fork" || isShown;
      present.disabled = state.connection !== "open";
      panel.hidden = !isShown;
      if (isShown && (state.room !== previous.room || !isPresenting(previous) || state.language !== previous.language)) {
        fill(state.room);
      }
      if (isShown && state.ui.hoverNeuron !== previous.ui.hoverNeuron) highlight.push(state.ui.hoverNeuron);
      else if (!isShown && isPresenting(previous)) highlight.reset(null);
    },
  };
}
