// @ts-check
/**
 * Custom data: read a CSV file of `x1,x2,label` lines (an optional header
 * line first) in the browser and send the rows with `set_data`, as the
 * problem type chosen next to the button. The server checks ranges and
 * labels; its refusal arrives as `state.error`.
 */
import { commands } from "../../protocol.js";
import { el, field, filePicker, problemChoices, setChoices, showChoice } from "./dom.js";

/** Columns each data line must have. */
const COLUMNS = 3;
/** Lines starting with this are comments. */
const COMMENT = "#";

/**
 * @typedef {import("../../messages.js").State} State
 * @typedef {(text: string, kind?: "error" | "info") => void} Notify
 */

/**
 * Rows of numbers from CSV text; throws an Error naming the first bad line.
 * @param {string} text
 * @param {number} maxRows
 * @returns {number[][]}
 */
export function parseCsv(text, maxRows) {
  /** @type {number[][]} */
  const rows = [];
  let isFirstLine = true;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith(COMMENT)) continue;
    const cells = line.split(/[,;\t]/).map((cell) => cell.trim());
    const values = cells.map((cell) => (cell === "" ? NaN : Number(cell)));
    const isNumeric = values.every(Number.isFinite);
    const isHeader = isFirstLine && !isNumeric;
    isFirstLine = false;
    if (isHeader) continue;
    if (cells.length !== COLUMNS || !isNumeric) {
      throw new Error(`line ${i + 1}: expected ${COLUMNS} numbers x1,x2,label, got "${truncate(line)}"`);
    }
    rows.push(values);
    if (rows.length > maxRows) throw new Error(`at most ${maxRows} points, the file has more`);
  }
  if (rows.length === 0) throw new Error("no data lines found (expected x1,x2,label per line)");
  return rows;
}

/** @param {string} text */
const truncate = (text) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/**
 * @param {{send: (command: import("../../protocol.js").Command) => boolean, store: any, notify?: Notify}} context
 * @returns {{root: HTMLElement, render: (state: State, previous: State) => void}}
 */
export function createCsvUpload({ send, store, notify = () => {} }) {
  const problem = el("select");
  const problemField = field("custom_problem", "Points are", problem,
    "How to read the third column: a class (0/1, or 0…k−1) or a number from −1 to 1 to predict.");

  /** @param {File} file */
  async function upload(file) {
    const hello = store.get().hello;
    if (!hello) return;
    try {
      const rows = parseCsv(await file.text(), hello.limits.max_custom_points);
      // Success shows as the echoed dataset; a refusal arrives as state.error.
      send(commands.setData(problem.value, rows, null));
    } catch (error) {
      notify(`${file.name}: ${error instanceof Error ? error.message : String(error)}`, "error");
    }
  }

  const picker = filePicker("Upload CSV…", "A .csv file with one point per line: x1,x2,label (a header line is fine)",
    ".csv,text/csv,text/plain", upload);
  const root = el("div", { class: "csv-upload", "data-field": "custom_data" }, [problemField, picker,
    el("p", { class: "hint", text: "One point per line: x1,x2,label" })]);

  return {
    root,
    render(state, previous) {
      if (state.hello && state.hello !== previous.hello) {
        setChoices(problem, problemChoices(state.hello));
      }
      if (state.session && state.session.problem !== previous.session?.problem) {
        showChoice(problem, state.session.problem);
      }
    },
  };
}
