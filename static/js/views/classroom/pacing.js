// @ts-check
/**
 * The teacher's pacing toolbar in the class view: pause everyone / resume, bring everyone back to
 * the class's run, push the presenter's settings (or, with a lesson open, its step) into every own
 * copy, lock / unlock the copies. Each button sends `pace`; which of a pair shows follows what the
 * latest `class` message says (`is_paused`, `is_locked`), never a local flag.
 */
import { commands } from "../../protocol.js";
import { button, el } from "../controls/dom.js";
import { CLASS_KEY } from "./strings.js";
import { keyed } from "../../i18n.js";

/**
 * @typedef {import("../../messages.js").State} State
 */

/**
 * @param {HTMLElement} slot the class panel
 * @param {{send: (command: import("../../protocol.js").Command) => boolean}} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createPacing(slot, { send }) {
  /** @param {string} text @param {string} help @param {Parameters<typeof commands.pace>[0]} action */
  const pace = (text, help, action) => button(text, help, () => send(commands.pace(action)));
  const pause = pace(CLASS_KEY.pauseAll, CLASS_KEY.pauseAllHelp, "pause_all");
  const resume = pace(CLASS_KEY.resumeAll, CLASS_KEY.resumeAllHelp, "resume_all");
  const back = pace(CLASS_KEY.bringBack, CLASS_KEY.bringBackHelp, "bring_back");
  const push = pace(CLASS_KEY.push, CLASS_KEY.pushHelp, "push");
  const lock = pace(CLASS_KEY.lock, CLASS_KEY.lockHelp, "lock");
  const unlock = pace(CLASS_KEY.unlock, CLASS_KEY.unlockHelp, "unlock");
  resume.classList.add("btn-primary");
  unlock.classList.add("btn-primary");
  const bar = el("div", { class: "class-pacing", role: "toolbar", i18nLabel: CLASS_KEY.pacingLabel },
    [pause, resume, back, push, lock, unlock]);
  slot.append(bar);

  return {
    render(state, previous) {
      if (state.classView === previous.classView && state.lesson === previous.lesson) return;
      const view = state.classView;
      bar.hidden = !view;
      if (!view) return;
      pause.hidden = view.is_paused;
      resume.hidden = !view.is_paused;
      lock.hidden = view.is_locked;
      unlock.hidden = !view.is_locked;
      keyed(push, state.lesson ? CLASS_KEY.pushLesson : CLASS_KEY.push);
      bar.dataset.paused = String(view.is_paused);
      bar.dataset.locked = String(view.is_locked);
    },
  };
}
