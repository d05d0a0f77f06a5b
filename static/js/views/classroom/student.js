// @ts-check
/**
 * A student's side of the class view, on a /join/CODE page (following) and on its fork (own copy):
 * the alias the server gave ("You are Blue Fox"), a raise/lower hand button, an optional name
 * "shown to your teacher only", and a line that stays while the teacher has paused the class or
 * locked the copies (each class notice also shows in the banner, controls/status.js). On a paused
 * class the training buttons of the copy are disabled; on "bring everyone back" the copy's page
 * returns to following the class. All of it follows the socket's own `class_state`.
 */
import { commands } from "../../protocol.js";
import { el } from "../controls/dom.js";
import { CLASS_KEY, CLASS_TEXT, NOTICE_KEY } from "./strings.js";
import { keyed, t } from "../../i18n.js";

/** Longest display name the server takes (docs/protocol.md, `set_name`). */
const NAME_MAX_LENGTH = 24;
/** The transport's buttons that train (Play, Step, Slow step, Step epoch): refused while the class is paused. */
const TRAINING_BUTTONS = ".play-btn, .btn-group > button:nth-child(-n+3)";
/** Marks the buttons this module disabled, so it only ever enables those again. */
const MARK = "classPaused";

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {{store: any, send: (command: import("../../protocol.js").Command) => boolean,
 *            route: import("../../route.js").Route, reconnect: () => void}} Context
 */

/**
 * @param {HTMLElement} slot the #classroom slot
 * @param {HTMLElement} transport the training toolbar
 * @param {Context} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createStudent(slot, transport, { store, send, route, reconnect }) {
  const who = el("p", { class: "student-alias", "data-alias": "" });
  const hand = el("button", { type: "button", class: "btn student-hand", "aria-pressed": "false",
                              i18nTitle: CLASS_KEY.raiseHandHelp, "data-classroom": "" });
  hand.addEventListener("click", () => send(commands.raiseHand(!store.get().classState?.hand)));
  const input = el("input", { type: "text", id: "student-name", class: "student-name-input", autocomplete: "off",
                              maxLength: NAME_MAX_LENGTH, "data-classroom": "" });
  const saved = el("span", { class: "student-name-saved", "aria-live": "polite" });
  const form = el("form", { class: "student-name" }, [
    el("label", { for: "student-name" }, [el("span", { i18n: CLASS_KEY.nameLabel }), " ",
      el("span", { class: "student-name-note" }, ["(", el("span", { i18n: CLASS_KEY.nameNote }), ")"])]),
    input, el("button", { type: "submit", class: "btn", i18n: CLASS_KEY.nameSave, "data-classroom": "" }), saved,
  ]);
  // Folded by default: the strip stays one line on a phone, the run's picture first.
  const summary = el("summary", { class: "student-name-summary" });
  const nameBox = el("details", { class: "student-name-box" }, [summary, form]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(commands.setName(input.value.trim()));
  });
  const line = el("p", { class: "student-class-line", role: "status" });
  const strip = el("section", { class: "student", i18nLabel: CLASS_KEY.panelLabel, hidden: true },
    [el("div", { class: "student-row" }, [who, hand, nameBox]), line]);
  slot.append(strip);
  /** When the last `back_to_class` notice that was obeyed arrived (its banner text is filled in later). */
  let handledAt = 0;

  /** @param {boolean} isPaused disable (or give back) the copy's training buttons */
  function holdTraining(isPaused) {
    for (const node of transport.querySelectorAll(TRAINING_BUTTONS)) {
      const control = /** @type {HTMLButtonElement} */ (node);
      if (isPaused && !control.disabled) {
        control.disabled = true;
        control.dataset[MARK] = "";
      } else if (!isPaused && MARK in control.dataset) {
        control.disabled = false;
        delete control.dataset[MARK];
      }
    }
  }

  /** @param {any} mine this socket's class_state */
  function draw(mine) {
    who.textContent = CLASS_TEXT.youAre(mine.alias);
    keyed(hand, mine.hand ? CLASS_KEY.lowerHand : CLASS_KEY.raiseHand);
    hand.setAttribute("aria-pressed", String(Boolean(mine.hand)));
    hand.classList.toggle("is-raised", Boolean(mine.hand));
    if (document.activeElement !== input) input.value = mine.name ?? "";
    saved.textContent = CLASS_TEXT.nameSaved(mine.name ?? "");
    summary.textContent = CLASS_TEXT.nameSummary(mine.name ?? "");
    const lines = [mine.is_paused ? CLASS_TEXT.pausedLine : "", mine.is_locked ? CLASS_TEXT.lockedLine : ""];
    line.textContent = lines.filter(Boolean).join(" ");
    line.hidden = !line.textContent;
    strip.dataset.paused = String(mine.is_paused);
    strip.dataset.locked = String(mine.is_locked);
  }

  return {
    render(state, previous) {
      if (!route.room) return;
      const mine = state.classState;
      strip.hidden = !mine || state.connection === "stopped";
      if (mine && (mine !== previous.classState || state.language !== previous.language)) draw(mine);
      const isPausedCopy = Boolean(mine?.is_paused) && state.hello?.role === "owner";
      // The transport gives its buttons back on each new session; this runs after it.
      if (isPausedCopy || previous.classState?.is_paused) holdTraining(isPausedCopy);
      const notice = state.notice;
      if (notice && notice !== previous.notice && notice.topic in NOTICE_KEY && !notice.message) {
        store.update({ notice: { ...notice, message: t(NOTICE_KEY[notice.topic]) } });
      }
      if (notice && notice.at !== handledAt && notice.topic === "back_to_class" && route.mode() === "fork") {
        handledAt = notice.at;
        route.follow();
        reconnect();
      }
    },
  };
}
