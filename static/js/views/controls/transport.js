// @ts-check
/**
 * The transport bar: Play/Pause (following `session.status`), Step one batch,
 * Step one epoch, Reset, New weights, the epoch and step counters from the
 * latest frame, the training speed, and the keyboard shortcuts.
 */
import { commands } from "../../protocol.js";
import { formatCount, formatCounter } from "../../lib/format.js";
import { button, el, field, setChoices, showChoice } from "./dom.js";
import { termButton } from "./terms.js";

/** Keyboard shortcuts, shown in the buttons' titles. */
const KEYS = { playPause: " ", step: "ArrowRight", reset: "r" };
/** The counters' term buttons' names: "Step" alone would be a second button named like Step. */
const COUNTER_NAMES = { epoch: "What is an epoch?", step: "What is a step?" };
/**
 * Elements that keep their own keys: text fields, selects and sliders. Anything else with
 * focus (a button, a checkbox, a dataset choice) lets Space, → and r work the run.
 */
const TYPING_TARGETS = "input:not([type=button], [type=submit], [type=reset], [type=checkbox], [type=radio], "
  + "[type=file]), select, textarea, [contenteditable]:not([contenteditable='false'])";
/** Elements that Space would press or toggle on its own; the shortcut takes Space from them. */
const PRESSABLE = "button, input, summary, [role=button]";

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {{store: any, send: (command: import("../../protocol.js").Command) => boolean}} Context
 */

/** @param {any} speed @returns {string} */
const speedKey = (speed) => `${speed.unit}:${speed.count}`;

/**
 * @param {HTMLElement} element the #transport toolbar
 * @param {Context} context
 * @returns {{render: (state: State, previous: State) => void}}
 */
export function createTransport(element, { store, send }) {
  const isRunning = () => store.get().session?.status === "running";
  const togglePlay = () => {
    const session = store.get().session;
    if (!session || session.status === "diverged") return;
    send(session.status === "running" ? commands.pause() : commands.play());
  };
  const stepBatch = () => { if (!isRunning()) send(commands.step("batch", 1)); };

  const playIcon = el("span", { class: "play-icon", "aria-hidden": "true" });
  const play = button("", "Play (Space)", togglePlay, "play-btn");
  play.append(playIcon);
  play.setAttribute("aria-label", "Play");
  const step = button("Step", "Train on one batch (→)", stepBatch);
  const slowStep = button("Slow step", "Train on one batch in slow motion: forward, backward, update",
    () => { if (!isRunning()) send(commands.slowStep()); });
  const stepEpoch = button("Step epoch", "Train until the end of this epoch",
    () => send(commands.step("epoch", 1)));
  const reset = button("Reset", "Same starting weights, same data, counters to zero (R)",
    () => send(commands.reset()));
  const newWeights = button("New weights", "Draw new starting weights (a new weight seed) and reset",
    () => send(commands.newWeights()));

  const epoch = el("output", { class: "counter-value", "data-counter": "epoch", text: formatCounter(0) });
  const steps = el("output", { class: "counter-value", "data-counter": "step", text: "0" });
  const counters = el("div", { class: "counters", "aria-live": "off" }, [
    el("span", { class: "counter" }, [el("span", { class: "counter-label" }, [termButton("epoch", "Epoch", undefined, COUNTER_NAMES.epoch)]), epoch]),
    el("span", { class: "counter" }, [el("span", { class: "counter-label" }, [termButton("step", "Step", undefined, COUNTER_NAMES.step)]), steps]),
  ]);

  const speed = el("select");
  speed.addEventListener("change", () => {
    const [unit, count] = speed.value.split(":");
    send(commands.setSpeed(/** @type {"batch"|"epoch"} */ (unit), Number(count)));
  });
  const speedField = field("speed", "Speed", speed, "How much training happens between two pictures.");

  element.append(play, el("div", { class: "btn-group" }, [step, slowStep, stepEpoch, reset, newWeights]), counters, speedField);

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = /** @type {Element | null} */ (event.target);
    if (target instanceof Element && target.closest(TYPING_TARGETS)) return;
    if (event.key === KEYS.playPause) {
      event.preventDefault();  // no click on the focused button, no page scroll
      if (!event.repeat) togglePlay();
    } else if (event.key === KEYS.step) {
      event.preventDefault();
      stepBatch();
    } else if (event.key.toLowerCase() === KEYS.reset && !event.repeat) {
      send(commands.reset());
    }
  });

  // A button clicks on Space's keyup; it must not press the focused button after the shortcut ran.
  document.addEventListener("keyup", (event) => {
    const target = /** @type {Element | null} */ (event.target);
    if (event.key !== KEYS.playPause || !(target instanceof Element)) return;
    if (target.closest(PRESSABLE) && !target.closest(TYPING_TARGETS)) event.preventDefault();
  });

  /** @param {any} session @param {boolean} isOpen */
  function drawStatus(session, isOpen) {
    if (!isOpen) session = null;
    const running = session?.status === "running";
    const diverged = session?.status === "diverged";
    const label = running ? "Pause" : "Play";
    play.setAttribute("aria-label", label);
    play.title = `${label} (Space)`;
    play.classList.toggle("is-running", running);
    play.disabled = !session || diverged;
    step.disabled = stepEpoch.disabled = slowStep.disabled = !session || running || diverged;
    reset.disabled = newWeights.disabled = !session;
  }

  return {
    render(state, previous) {
      if (state.hello !== previous.hello && state.hello) {
        setChoices(speed, state.hello.options.speed.map((/** @type {any} */ s) => ({
          value: speedKey(s), label: s.label,
        })));
      }
      if (state.session !== previous.session || state.connection !== previous.connection) {
        drawStatus(state.session, state.connection === "open");
        if (state.session) showChoice(speed, speedKey(state.session.speed));
      }
      const phase = state.ui.slowPhase;
      if ((state.frame !== previous.frame || phase !== previous.ui.slowPhase) && state.frame) {
        // A slow step's replay counts its step when it reaches the update, not when the frame arrives.
        const isBefore = state.slowStep && (phase === "forward" || phase === "backward");
        const counters = isBefore ? state.slowStep : state.frame.header;
        epoch.value = formatCounter(counters.epoch);
        steps.value = formatCount(counters.step);
      }
    },
  };
}
