// @ts-check
/**
 * Pinned runs: "Pin this run" keeps the current run's cost curve on the server (up to four), and
 * each pinned run gets a chip under the chart, in its dashed line's colour, labelled by the
 * settings in which it differs from the current ones ("relu, lr 0.03"), with a button to unpin
 * it. The chart (chart.js) draws the curves; this module only labels and sends commands.
 */
import { commands } from "../../protocol.js";
import { CLASS_COLORS, rgb } from "../../lib/colors.js";
import { el } from "./caption.js";
import { keyed, t } from "../../i18n.js";

/** Short names of the settings a label mentions; a setting not named here is shown by its name. */
const SHORT = { learning_rate: "pins.lr", hidden_layers: "pins.layers", batch_size: "pins.batch",
  regularization_rate: "pins.lambda", data_seed: "pins.data_seed", output_activation: "pins.output" };
/** Settings whose value alone says what it is ("relu", "adam"). */
const BARE = ["activation", "optimizer", "dataset", "cost", "init", "regularization"];

/** The colour of the pinned run at `index` (the palette's class colours, in order). @param {number} index */
export function pinColor(index) {
  return rgb(CLASS_COLORS[(index + 2) % CLASS_COLORS.length]);
}

/**
 * What a pinned run's settings change from the current ones, in a few words.
 * @param {Record<string, any>} pinned @param {Record<string, any>} current
 */
export function pinLabel(pinned, current) {
  const parts = [];
  for (const [name, value] of Object.entries(pinned)) {
    if (JSON.stringify(value) === JSON.stringify(current?.[name])) continue;
    const shown = Array.isArray(value) ? value.join(",") || t("pins.none") : String(value);
    const short = SHORT[/** @type {keyof typeof SHORT} */ (name)];
    parts.push(BARE.includes(name) ? shown : `${short ? t(short) : name} ${shown}`);
  }
  return parts.join(", ") || t("pins.same");
}

/**
 * @param {HTMLElement} element
 * @param {{store: any, send: (command: import("../../protocol.js").Command) => boolean}} context
 */
export function createPinsView(element, { send }) {
  const pin = keyed(el("button", "btn pin-btn"), "pins.pin");
  pin.setAttribute("data-i18n-title", "pins.pin_title");
  pin.title = t("pins.pin_title");
  pin.addEventListener("click", () => send(commands.pin()));
  const chips = el("div", "pin-chips");
  element.append(pin, chips);

  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      if (state.pins === previous.pins && state.session === previous.session && state.language === previous.language) {
        return;
      }
      pin.toggleAttribute("disabled", (state.pins?.length ?? 0) >= 4 || state.hello?.role === "follower");
      chips.replaceChildren(...(state.pins ?? []).map((/** @type {any} */ pinned, /** @type {number} */ index) => {
        const chip = el("span", "pin-chip");
        chip.dataset.pin = String(pinned.id);
        const key = el("span", "pin-key");
        key.style.borderColor = pinColor(index);
        const label = pinLabel(pinned.config, state.session?.config);
        const close = el("button", "pin-unpin", "×");
        close.setAttribute("aria-label", t("pins.unpin", { label }));
        close.addEventListener("click", () => send(commands.unpin(pinned.id)));
        chip.append(key, el("span", "pin-label", label), close);
        return chip;
      }));
    },
  };
}
