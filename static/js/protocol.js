// @ts-check
/**
 * The browser's mirror of app/live/protocol.py and app/live/encoder.py: message names,
 * the protocol version, command builders and the one binary decoder.
 * See docs/protocol.md. A test checks these names against the Python side.
 */

export const PROTOCOL_VERSION = 2;

/** Server → client message types. */
export const SERVER_MESSAGES = [
  "hello", "session", "dataset", "history", "frame", "error", "presenting", "room", "forked", "notice", "slow_step",
  "pins", "lessons", "lesson", "lesson_progress", "class", "comparison", "class_state", "language",
];

/** What a `notice` message is about (its `topic`). */
export const NOTICE_TOPICS = [
  "class_link", "class_moved", "run_discarded", "lesson_lost", "busy", "class_paused", "class_resumed",
  "class_pushed", "class_locked", "class_unlocked", "back_to_class",
];

/** A teacher's `pace` actions. */
export const PACE_ACTIONS = ["pause_all", "resume_all", "bring_back", "push", "lock", "unlock"];

/** The class view's sizes: a tile's thumbnail (4 bits a cell, two cells a byte), a compared run. */
export const CLASS_VIEW = { thumbSize: 16, thumbBytes: 128, compareSize: 32, curvePoints: 100, maxCompared: 4 };

/** A lesson language (`start_lesson`, `list_lessons`): two lower-case letters; a lesson without that file comes in English. */
export const LANGUAGE_PATTERN = "^[a-z]{2}$";

/** Client → server command types. */
export const COMMAND_TYPES = [
  "configure", "play", "pause", "reset", "new_weights", "regenerate_data", "step",
  "set_speed", "select_neuron", "select_sample", "edit_weight", "set_data",
  "present", "end_class", "highlight", "fork", "slow_step", "rewind", "pin", "unpin",
  "list_lessons", "start_lesson", "go_to_step", "answer", "show_hint", "leave_lesson", "set_pace", "set_language",
  "view", "set_name", "raise_hand", "watch_class", "spotlight", "compare", "pace",
];

/** Arrays a frame may leave out (the page keeps its last ones): the output plane while the page is hidden,
 * the neuron maps between the frames that recompute them (docs/protocol.md, `view`). */
const KEPT_ARRAYS = ["output", "output_confidence", "selected_map", "neuron_maps"];

/**
 * @typedef {{name: string, dtype: "float32"|"float16"|"uint32"|"uint8", offset: number, length: number}} ArrayEntry
 * @typedef {{type: string, arrays: ArrayEntry[], [key: string]: any}} BinaryHeader
 * @typedef {{header: BinaryHeader, arrays: Record<string, Float32Array|Uint32Array|Uint8Array>}} BinaryMessage
 * @typedef {{type: string, [key: string]: any}} Command
 */

/** Command builders: the only place the page spells a command. */
export const commands = {
  /** @param {Record<string, unknown>} changes */
  configure: (changes) => ({ type: "configure", changes }),
  play: () => ({ type: "play" }),
  pause: () => ({ type: "pause" }),
  reset: () => ({ type: "reset" }),
  newWeights: () => ({ type: "new_weights" }),
  regenerateData: () => ({ type: "regenerate_data" }),
  /** @param {"batch"|"epoch"} unit @param {number} count */
  step: (unit = "batch", count = 1) => ({ type: "step", unit, count }),
  /** @param {"batch"|"epoch"} unit @param {number} count */
  setSpeed: (unit, count) => ({ type: "set_speed", unit, count }),
  /** @param {number|null} layer @param {number|null} index */
  selectNeuron: (layer, index) => ({ type: "select_neuron", layer, index }),
  /** @param {"train"|"test"|"point"|null} part @param {number|null} index @param {[number, number]|null} point */
  selectSample: (part, index = null, point = null) => ({ type: "select_sample", part, index, point }),
  /** @param {number} layer @param {number|null} source @param {number} target @param {number} value */
  editWeight: (layer, source, target, value) => ({ type: "edit_weight", layer, source, target, value }),
  /** @param {string} problem @param {number[][]} rows @param {number|null} classes */
  setData: (problem, rows, classes = null) => ({ type: "set_data", problem, rows, classes }),
  /** @param {string|null} code @param {string|null} secret to reopen a class whose run was lost */
  present: (code = null, secret = null) => (code ? { type: "present", code, secret } : { type: "present" }),
  endClass: () => ({ type: "end_class" }),
  /** @param {number|null} layer @param {number|null} index */
  highlight: (layer, index) => ({ type: "highlight", layer, index }),
  fork: () => ({ type: "fork" }),
  /** @param {string} language en, de or es: the language of the server's words on this socket */
  setLanguage: (language) => ({ type: "set_language", language }),
  slowStep: () => ({ type: "slow_step" }),
  /** @param {number} epoch */
  rewind: (epoch) => ({ type: "rewind", epoch }),
  pin: () => ({ type: "pin" }),
  /** @param {number} pin the pinned run's id */
  unpin: (pin) => ({ type: "unpin", pin }),
  /** @param {string} [language] two letters: the outlines in this language where a lesson has it (the socket's when left out) */
  listLessons: (language) => ({ type: "list_lessons", language }),
  /**
   * @param {string} lesson the lesson's id @param {number} step 0-based @param {string} [language] two letters (the socket's language when left out)
   * @param {[number, number] | null} pace the steps the learner may move within (a class's fork), or null
   */
  startLesson: (lesson, step = 0, language = undefined, pace = null) =>
    ({ type: "start_lesson", lesson, step, language, pace }),
  /** @param {number} step 0-based; any step (Next and Skip alike) */
  goToStep: (step) => ({ type: "go_to_step", step }),
  /** @param {number} choice the index of the chosen answer */
  answer: (choice) => ({ type: "answer", choice }),
  showHint: () => ({ type: "show_hint" }),
  leaveLesson: () => ({ type: "leave_lesson" }),
  /** @param {[number, number] | null} pace steps first..last (0-based) students may move within; null: teacher-paced */
  setPace: (pace) => ({ type: "set_pace", pace }),
  /** @param {boolean} visible the page is in view @param {boolean} maps the neuron maps are on screen */
  view: (visible, maps) => ({ type: "view", visible, maps }),
  /** @param {string} name a student's display name, 1-24 characters; "" clears it (the teacher sees it, no one else) */
  setName: (name) => ({ type: "set_name", name }),
  /** @param {boolean} raised */
  raiseHand: (raised) => ({ type: "raise_hand", raised }),
  /** @param {boolean} on the presenter's binary `class` message, about once a second */
  watchClass: (on) => ({ type: "watch_class", on }),
  /** @param {string|null} student a forked student's id ("s7"), or null for the presenter's own run */
  spotlight: (student) => ({ type: "spotlight", student }),
  /** @param {string[]} students 2 to 4 forked students' ids */
  compare: (students) => ({ type: "compare", students }),
  /** @param {"pause_all"|"resume_all"|"bring_back"|"push"|"lock"|"unlock"} action */
  pace: (action) => ({ type: "pace", action }),
};

/**
 * A frame with the arrays it left out taken from an earlier frame of the same shape (same layer sizes,
 * grid and thumbnail sizes, selected neuron); an array is never taken from a frame of another shape.
 * @param {BinaryMessage} frame
 * @param {BinaryMessage | null} earlier
 * @returns {BinaryMessage}
 */
export function keepArrays(frame, earlier) {
  if (!earlier || earlier.header.type !== "frame") return frame;
  const a = frame.header, b = earlier.header;
  const isSameShape = a.grid_size === b.grid_size && a.thumb_size === b.thumb_size &&
    String(a.sizes) === String(b.sizes) && String(a.selected) === String(b.selected);
  if (!isSameShape) return frame;
  const missing = KEPT_ARRAYS.filter((name) => !(name in frame.arrays) && name in earlier.arrays);
  if (!missing.length) return frame;
  const arrays = { ...frame.arrays };
  for (const name of missing) arrays[name] = earlier.arrays[name];
  return { header: frame.header, arrays };
}

/**
 * IEEE half floats to float32 (browsers without Float16Array).
 * @param {Uint16Array} bits
 * @returns {Float32Array}
 */
export function halfToFloat(bits) {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) out[i] = sign * 2 ** -14 * (fraction / 1024);
    else if (exponent === 31) out[i] = fraction ? NaN : sign * Infinity;
    else out[i] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  return out;
}

/**
 * Decode a binary envelope: uint32 header length, JSON header, padding to 4, aligned arrays.
 * float16 arrays come back as Float32Array.
 * @param {ArrayBuffer} buffer
 * @returns {BinaryMessage}
 */
export function decodeBinary(buffer) {
  const headerLength = new DataView(buffer).getUint32(0, true);
  const headerBytes = new Uint8Array(buffer, 4, headerLength);
  /** @type {BinaryHeader} */
  const header = JSON.parse(new TextDecoder().decode(headerBytes));
  const payload = Math.ceil((4 + headerLength) / 4) * 4;
  /** @type {Record<string, Float32Array|Uint32Array|Uint8Array>} */
  const arrays = {};
  for (const entry of header.arrays) {
    const start = payload + entry.offset;
    if (entry.dtype === "float32") arrays[entry.name] = new Float32Array(buffer, start, entry.length);
    else if (entry.dtype === "uint8") arrays[entry.name] = new Uint8Array(buffer, start, entry.length);
    else if (entry.dtype === "uint32") arrays[entry.name] = new Uint32Array(buffer, start, entry.length);
    else arrays[entry.name] = halfToFloat(new Uint16Array(buffer, start, entry.length));
  }
  return { header, arrays };
}

/**
 * A tile's thumbnail of the binary `class` message: 4-bit levels, two cells a byte, high nibble first,
 * back to the frame's own uint8 scale (level v → 17·v) or, for a multi-class run, to class indices.
 * @param {Uint8Array} packed cells / 2 bytes
 * @param {boolean} isClasses the cells are classes (a multi-class run)
 * @returns {Uint8Array} cells
 */
export function unpackThumb(packed, isClasses) {
  const cells = new Uint8Array(packed.length * 2);
  const scale = isClasses ? 1 : 17;
  for (let i = 0; i < packed.length; i++) {
    cells[2 * i] = (packed[i] >> 4) * scale;
    cells[2 * i + 1] = (packed[i] & 15) * scale;
  }
  return cells;
}
