// @ts-check
/**
 * The rewind scrubber under the chart: a slider over the epochs of this run whose checkpoints
 * the server keeps (`frame.header.checkpoints`), the memory they take, and the epoch shown.
 * Letting go of the slider sends `rewind`; the server restores the nearest kept checkpoint at or
 * before that epoch and pauses there, and the page shows what it sends back. The slider has a
 * row of its own, as wide as the chart above it; while it is dragged the readout shows the
 * checkpoint's epoch it will land on (a look-up in the server's list, no arithmetic).
 */
import { commands } from "../../protocol.js";
import { el } from "./caption.js";
import { formatCount, localize } from "../../lib/format.js";
import { keyed, t } from "../../i18n.js";

/** Bytes per KiB and MiB, for the memory readout. */
const KIB = 1024;
const MIB = 1024 * 1024;

/** @param {number} bytes */
function formatBytes(bytes) {
  return bytes >= MIB ? `${localize((bytes / MIB).toFixed(1))} MiB` : `${Math.round(bytes / KIB)} KiB`;
}

/**
 * The kept epoch a rewind to `epoch` lands on: the last one at or before it (else the first).
 * @param {number[]} epochs ascending
 * @param {number} epoch
 */
export function landingEpoch(epochs, epoch) {
  let landing = epochs[0] ?? 0;
  for (const kept of epochs) if (kept <= epoch) landing = kept;
  return landing;
}

/**
 * @param {HTMLElement} element
 * @param {{store: any, send: (command: import("../../protocol.js").Command) => boolean}} context
 */
export function createRewindView(element, { send }) {
  const label = el("label", "rewind-label");
  keyed(label, "rewind.label");
  const slider = /** @type {HTMLInputElement} */ (document.createElement("input"));
  slider.type = "range";
  slider.className = "rewind-slider";
  slider.id = "rewind-epoch";
  slider.min = slider.max = slider.value = "0";
  label.htmlFor = slider.id;
  const readout = el("output", "rewind-readout");
  readout.setAttribute("for", slider.id);
  const memory = el("span", "rewind-memory");
  element.append(label, slider, readout, memory);
  let isDragging = false;
  /** @type {number[]} the epochs the server keeps */
  let kept = [];

  slider.addEventListener("input", () => {
    isDragging = true;
    const landing = landingEpoch(kept, Number(slider.value));
    readout.textContent = formatCount(landing);
    readout.dataset.landing = String(landing);
  });
  slider.addEventListener("change", () => {
    isDragging = false;
    send(commands.rewind(Number(slider.value)));
  });

  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      if (state.frame === previous.frame || !state.frame) return;
      const checkpoints = state.frame.header.checkpoints;
      if (!checkpoints) return;
      const epochs = checkpoints.epochs;
      kept = epochs;
      slider.min = String(epochs[0] ?? 0);
      slider.max = String(Math.max(epochs[epochs.length - 1] ?? 0, state.frame.header.epoch));
      slider.disabled = state.hello?.role === "follower" || state.session?.status === "diverged";
      if (!isDragging) {
        slider.value = String(state.frame.header.epoch);
        readout.textContent = formatCount(state.frame.header.epoch);
      }
      memory.textContent = t("rewind.memory", { count: epochs.length, used: formatBytes(checkpoints.bytes),
                                                 most: formatBytes(checkpoints.max_bytes) });
      element.dataset.epochs = epochs.join(",");
    },
  };
}
