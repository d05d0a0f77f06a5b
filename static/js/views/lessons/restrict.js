// @ts-check
/**
 * What a lesson step allows on the page: `hide` goes through the page's own hide list (the one a
 * `hide=` link fills, so the same elements disappear), `lock` disables every control inside an
 * element whose `data-field` it names, and an unanswered question disables the training buttons.
 * The server refuses the same things; this only keeps the page from offering them.
 */

/** Controls that a lock or the question disables. */
const CONTROLS = "button, select, input, textarea";
/** Marks the controls this module disabled, so it only ever enables those again. */
const MARK = "lessonLocked";

/**
 * @param {{store: any}} context
 * @param {HTMLElement} transport the training toolbar, whose buttons wait for the answer
 */
export function createRestrict({ store }, transport) {
  /** @type {string[] | null} the hide list before the lesson, given back when it ends */
  let hiddenBefore = null;

  /** @param {any} lesson */
  function setHidden(lesson) {
    const ui = store.get().ui;
    if (lesson && hiddenBefore === null) hiddenBefore = ui.hidden;
    const hidden = lesson ? lesson.hide : hiddenBefore ?? ui.hidden;
    if (!lesson) hiddenBefore = null;
    if (JSON.stringify(hidden) !== JSON.stringify(ui.hidden)) store.update({ ui: { ...ui, hidden } });
  }

  /** @param {any} lesson */
  function lockControls(lesson) {
    const locked = new Set();
    for (const name of lesson?.lock ?? []) {
      for (const node of document.querySelectorAll(`[data-field="${CSS.escape(name)}"]`)) {
        for (const control of node.querySelectorAll(CONTROLS)) locked.add(control);
      }
    }
    if (lesson?.ask && lesson.ask.chosen === null) {
      for (const control of transport.querySelectorAll("button")) locked.add(control);
    }
    for (const node of document.querySelectorAll(CONTROLS)) {
      const control = /** @type {HTMLButtonElement} */ (node);
      if (locked.has(control) && !control.disabled) {
        control.disabled = true;
        control.dataset[MARK] = "";
      } else if (!locked.has(control) && MARK in control.dataset) {
        control.disabled = false;
        delete control.dataset[MARK];
      }
    }
  }

  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      if (state.lesson !== previous.lesson) setHidden(state.lesson);
      if (state.lesson || previous.lesson) queueMicrotask(() => lockControls(store.get().lesson));
    },
  };
}
