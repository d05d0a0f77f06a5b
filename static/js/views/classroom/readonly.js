// @ts-check
/**
 * A follower's page is read-only: the server refuses every command of a
 * follower but `fork`, `set_name` and `raise_hand`, so the page does not send them, and every control
 * that would send one is disabled (and says so to assistive technology).
 * The stylesheet (static/css/classroom.css) does not show those controls at
 * all, but for the input labels of the network, which also name the inputs:
 * they stay, disabled, and say why. Controls that only change how this page
 * looks (the gradients toggle, focusing a neuron to read it, the
 * classroom's own buttons) stay live. A student's own copy is read-only the
 * same way while the teacher has locked the copies, and may not train while
 * the teacher has paused the class.
 */
import { t } from "../../i18n.js";

/** The only commands a follower may send (docs/protocol.md, Classrooms). */
const FOLLOWER_COMMANDS = ["fork", "set_language", "set_name", "raise_hand"];
/** The only commands a student's copy may send while the teacher has locked the copies. */
const LOCKED_COMMANDS = ["set_language", "set_name", "raise_hand"];
/** Commands a student's copy may not send while the teacher has paused the class. */
const PAUSED_COMMANDS = ["play", "step", "slow_step"];
/** Controls of the run, inside the read-only slots. */
const CONTROLS = "button, select, input, textarea";
/** Controls that only change this page's view. */
const VIEW_ONLY = ".network-neuron, .network-toggle input, [data-classroom], .term";
/** Disabled controls that stay in view (they are labels too); every other one is not shown. */
const KEPT_IN_VIEW = ".network-feature";
/** What a disabled control that stays in view says when pointed at (catalogue key). */
export const READ_ONLY_REASON = "class.read_only";
/** On <body> while following: the stylesheet folds the settings away on a phone. */
const FOLLOWER_CLASS = "is-follower";
/** Marks the controls this module disabled, so it only ever enables those again. */
const MARK = "readOnly";

/**
 * @typedef {import("../../messages.js").State} State
 */

/** @param {State} state @returns {boolean} */
export const isFollowing = (state) => state.hello?.role === "follower";

/** @param {State} state @returns {boolean} a student's own copy while the teacher locked the copies */
export const isLockedCopy = (state) => state.hello?.role === "owner" && Boolean(state.classState?.is_locked);

/** @param {State} state @returns {boolean} whether the run's controls are read-only on this page */
const isReadOnlyPage = (state) => isFollowing(state) || isLockedCopy(state);

/**
 * Whether the page may send `command` now.
 * @param {State} state
 * @param {import("../../protocol.js").Command} command
 */
export function isAllowed(state, command) {
  if (isFollowing(state)) return FOLLOWER_COMMANDS.includes(command.type);
  if (isLockedCopy(state)) return LOCKED_COMMANDS.includes(command.type);
  return !(state.classState?.is_paused && PAUSED_COMMANDS.includes(command.type));
}

/**
 * @param {HTMLElement[]} roots the slots whose controls steer the run
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createReadOnly(roots) {
  /** @param {boolean} isReadOnly */
  function apply(isReadOnly) {
    document.body.classList.toggle(FOLLOWER_CLASS, isReadOnly);
    for (const root of roots) {
      for (const node of root.querySelectorAll(CONTROLS)) {
        const control = /** @type {HTMLButtonElement} */ (node);
        if (isReadOnly && !control.matches(VIEW_ONLY)) {
          control.disabled = true;
          control.setAttribute("aria-disabled", "true");
          control.dataset[MARK] = "";
          control.closest("label")?.classList.add("is-disabled");
          if (control.matches(KEPT_IN_VIEW)) control.title = t(READ_ONLY_REASON);
        } else if (!isReadOnly && MARK in control.dataset) {
          control.disabled = false;
          control.removeAttribute("aria-disabled");
          delete control.dataset[MARK];
          control.closest("label")?.classList.remove("is-disabled");
          if (control.title === t(READ_ONLY_REASON)) control.removeAttribute("title");
        }
      }
    }
  }

  return {
    render(state, previous) {
      const isReadOnly = isReadOnlyPage(state);
      // Views rebuild and re-enable their controls on these changes; this runs after them.
      if (isReadOnly !== isReadOnlyPage(previous) || (isReadOnly && (state.session !== previous.session
          || state.hello !== previous.hello || state.connection !== previous.connection
          || state.error !== previous.error))) apply(isReadOnly);
    },
  };
}
