// @ts-check
/**
 * The rewind scrubber under the chart: a slider over the epochs of this run whose checkpoints
 * the server keeps (`frame.header.checkpoints`), the memory they take, and the epoch shown.
 * Letting go of the slider sends `rewind`; the server restores the nearest kept checkpoint at or
 * before that epoch and pauses there, and the page shows what it sends back.
 */
import { commands } from "../../protocol.js";
import { el } from "./caption.js";
import { formatCount } from "../../lib/format.js";

/** Bytes per KiB and MiB, for the memory readout. */
const KIB = 1024;
const MIB = 1024 * 1024;

/** @param {number} bytes */
function formatBytes(bytes) {
  return bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : `${Math.round(bytes / KIB)} KiB`;
}

/**
 * @param {HTMLElement} element
 * @param {{store: any, send: (command: import("../../protocol.js").Command) => boolean}} context
 */
export function createRewindView(element, { send }) {
  const label = el("label", "rewind-label");
  label.textContent = "Rewind to epoch";
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

  slider.addEventListener("input", () => {
    isDragging = true;
    readout.textContent = formatCount(Number(slider.value));
  });
  slider.addEventListener("change", () => {
    isDragging = false;
    send(commands.rewind(Number(slider.value)));
  });

  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      if (state.frame === previous.frame || !state.frame) return;
      const kept = state.frame.header.checkpoints;
      if (!kept) return;
      const epochs = kept.epochs;
      slider.min = String(epochs[0] ?? 0);
      slider.max = String(Math.max(epochs[epochs.length - 1] ?? 0, state.frame.header.epoch));
      slider.disabled = state.hello?.role === "follower" || state.session?.status === "diverged";
      if (!isDragging) {
        slider.value = String(state.frame.header.epoch);
        readout.textContent = formatCount(state.frame.header.epoch);
      }
      memory.textContent = `${epochs.length} checkpoint${epochs.length === 1 ? "" : "s"} · ${formatBytes(kept.bytes)} of ${formatBytes(kept.max_bytes)}`;
      element.dataset.epochs = epochs.join(",");
    },
  };
}
