// @ts-check
/**
 * Custom data: read a CSV file of `x1,x2,label` lines (an optional header
 * line first) in the browser and send the rows with `set_data`, as the
 * problem type chosen next to the button. The server checks ranges and
 * labels; its refusal arrives as `state.error`. Either refusal shows beside
 * the button, rows counted from 1 (and the file's line when they differ).
 */
import { commands } from "../../protocol.js";
import { el, field, filePicker, problemChoices, setChoices, showChoice } from "./dom.js";
import { errorText } from "./status.js";
import { spoken, t } from "../../i18n.js";

/** Columns each data line must have. */
const COLUMNS = 3;
/** Lines starting with this are comments. */
const COMMENT = "#";
/** The server's refusals of a row carry its number in `args.row` (from 1). */
const ROW_ARGUMENT = "row";

/**
 * @typedef {import("../../messages.js").State} State
 */

/**
 * Rows of numbers from CSV text; throws an Error naming the first bad row and line.
 * @param {string} text
 * @param {number} maxRows
 * @param {number[]} [lineOf] filled with each row's line in the file, from 1
 * @returns {number[][]}
 */
export function parseCsv(text, maxRows, lineOf = []) {
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
      const where = rows.length + 1 === i + 1 ? t("csv.row", { row: i + 1 })
        : t("csv.row_line", { row: rows.length + 1, line: i + 1 });
      throw new Error(t("csv.bad_row", { where, columns: COLUMNS, got: truncate(line) }));
    }
    rows.push(values);
    lineOf.push(i + 1);
    if (rows.length > maxRows) throw new Error(t("csv.over_limit", { max: maxRows }));
  }
  if (rows.length === 0) throw new Error(t("csv.empty"));
  return rows;
}

/** @param {string} text */
const truncate = (text) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/**
 * @param {{send: (command: import("../../protocol.js").Command) => boolean, store: any}} context
 * @returns {{root: HTMLElement, render: (state: State, previous: State) => void}}
 */
export function createCsvUpload({ send, store }) {
  const problem = el("select");
  const problemField = field("custom_problem", "csv.points_are", problem);
  problemField.setAttribute("data-i18n-title", "csv.points_are_help");
  problemField.title = problem.title = t("csv.points_are_help");

  const message = el("p", { class: "csv-error", role: "alert" });
  message.hidden = true;
  /** The uploaded file's name and each row's line, to say where a refused row is. */
  let sent = { name: "", lineOf: /** @type {number[]} */ ([]) };

  /** @param {string} text an empty text hides the message */
  function showError(text) {
    message.textContent = text;
    message.hidden = !text;
  }

  /** @param {File} file */
  async function upload(file) {
    const hello = store.get().hello;
    if (!hello) return;
    showError("");
    try {
      /** @type {number[]} */
      const lineOf = [];
      const rows = parseCsv(await file.text(), hello.limits.max_custom_points, lineOf);
      sent = { name: file.name, lineOf };
      // Success shows as the echoed dataset; a refusal arrives as state.error.
      send(commands.setData(problem.value, rows, null));
    } catch (error) {
      const text = `${file.name}: ${error instanceof Error ? error.message : String(error)}`;
      showError(text);
    }
  }

  /**
   * The server's refusal of the rows, with the file's line where it differs from the row.
   * @param {{message: string, key?: string|null, args?: any}} error
   */
  function refusal(error) {
    const row = Number(error.args?.[ROW_ARGUMENT]);
    const line = sent.lineOf[row - 1];
    // "row 5 (line 7 of the file): …": the file's line goes right after the row's number
    const args = line && line !== row ? { ...error.args, [ROW_ARGUMENT]: `${row} ${t("csv.line_of_file", { line })}` }
      : error.args;
    const file = sent.name ? `${sent.name}: ` : "";
    const said = spoken({ key: error.key, args }, error.message);
    return `${file}${said}`;
  }

  const picker = filePicker("csv.upload", "csv.upload_title", ".csv,text/csv,text/plain", upload);
  const root = el("div", { class: "csv-upload", "data-field": "custom_data" }, [problemField, picker,
    el("p", { class: "hint", i18n: "csv.hint" }), message]);

  return {
    root,
    render(state, previous) {
      if (state.hello && (state.hello !== previous.hello || state.language !== previous.language)) {
        setChoices(problem, problemChoices(state.hello));
      }
      if (state.session && state.session.problem !== previous.session?.problem) {
        showChoice(problem, state.session.problem);
      }
      const error = state.error;
      if (error !== previous.error && error?.command === "set_data") {
        showError(error.field === "rows" ? refusal(error) : errorText(state.hello, error));
      }
      else if (state.dataset !== previous.dataset && state.dataset) showError("");
    },
  };
}
