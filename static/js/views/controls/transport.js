// @ts-check
/**
 * The transport bar: Play/Pause (following `session.status`), Step one batch,
 * Step one epoch, Reset, New weights, the epoch and step counters from the
 * latest frame, the training speed, and the keyboard shortcuts.
 */
import { commands } from "../../protocol.js";
import { formatCount, formatCounter } from "../../lib/format.js";
import { button, el, field, setChoices, showChoice } from "./dom.js";
import { t } from "../../i18n.js";
import { termButton } from "./terms.js";

/** Keyboard shortcuts, shown in the buttons' titles. */
const KEYS = { playPause: " ", step: "ArrowRight", reset: "r" };
/** The counters' term buttons' names: "Step" alone would be a second button named like Step. */
const COUNTER_NAMES = { epoch: "transport.what_epoch", step: "transport.what_step" };
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
  const play = button("", "transport.play_title", togglePlay, "play-btn");
  play.append(playIcon);
  play.setAttribute("aria-label", t("transport.play"));
  const step = button("transport.step", "transport.step_title", stepBatch);
  const slowStep = button("transport.slow_step", "transport.slow_step_title",
    () => { if (!isRunning()) send(commands.slowStep()); });
  const stepEpoch = button("transport.step_epoch", "transport.step_epoch_title",
    () => send(commands.step("epoch", 1)));
  const reset = button("transport.reset", "transport.reset_title",
    () => send(commands.reset()));
  const newWeights = button("transport.new_weights", "transport.new_weights_title",
    () => send(commands.newWeights()));

  const epoch = el("output", { class: "counter-value", "data-counter": "epoch", text: formatCounter(0) });
  const steps = el("output", { class: "counter-value", "data-counter": "step", text: "0" });
  const counters = el("div", { class: "counters", "aria-live": "off" }, [
    el("span", { class: "counter" }, [el("span", { class: "counter-label" }, [
      termButton("epoch", { key: "transport.epoch" }, undefined, { key: COUNTER_NAMES.epoch })]), epoch]),
    el("span", { class: "counter" }, [el("span", { class: "counter-label" }, [
      termButton("step", { key: "transport.steps" }, undefined, { key: COUNTER_NAMES.step })]), steps]),
  ]);

  const speed = el("select");
  speed.addEventListener("change", () => {
    const [unit, count] = speed.value.split(":");
    send(commands.setSpeed(/** @type {"batch"|"epoch"} */ (unit), Number(count)));
  });
  const speedField = field("speed", "transport.speed", speed);
  speedField.setAttribute("data-i18n-title", "transport.speed_help");
  speedField.title = speed.title = t("transport.speed_help");

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
    play.setAttribute("aria-label", t(running ? "transport.pause" : "transport.play"));
    play.title = t(running ? "transport.pause_title" : "transport.play_title");
    play.setAttribute("data-i18n-title", running ? "transport.pause_title" : "transport.play_title");
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
      if (state.session !== previous.session || state.connection !== previous.connection
          || state.language !== previous.language) {
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
