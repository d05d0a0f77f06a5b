// @ts-check
/**
 * The lesson panel: the step list, the step's text (HTML rendered on the server, raw HTML refused
 * there), the question to answer before Play, the goal's live progress, hints one at a time, the
 * explanation once the goal is met, and Next (enabled when the goal is met) beside Skip.
 */
import { commands } from "../../protocol.js";
import { el } from "../controls/dom.js";
import { termButton } from "../controls/terms.js";
import { LESSON_WORD, TEXT } from "./strings.js";
import { keyed } from "../../i18n.js";
import { CLASS_TEXT } from "../classroom/strings.js";

/**
 * Put the server's HTML (Markdown rendered with raw HTML refused) into an element: parsed into an inert
 * document, then its nodes moved in; scripts never run and no markup is assigned as a string.
 * @param {HTMLElement} element @param {string} html
 */
function setHtml(element, html) {
  const parsed = new DOMParser().parseFromString(html, "text/html");
  element.replaceChildren(...parsed.body.childNodes);
}

/**
 * A language's name in that language ("de" → "Deutsch"), or the code itself where the browser cannot say.
 * @param {string} code two letters
 */
export function languageName(code) {
  try {
    return new Intl.DisplayNames([code], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * @param {HTMLElement} element the panel's slot
 * @param {{send: (command: any) => boolean}} context
 */
export function createPanel(element, { send }) {
  element.hidden = true;
  const title = el("h2", { class: "lesson-title" });
  const fallback = el("p", { class: "lesson-note lesson-fallback" });  // the lesson is not in the language asked for
  const steps = el("ol", { class: "lesson-steps", i18nLabel: LESSON_WORD.stepList });
  const counter = el("p", { class: "lesson-counter" });
  const intro = el("div", { class: "lesson-text lesson-intro" });
  const text = el("div", { class: "lesson-text" });
  const terms = el("div", { class: "lesson-terms", role: "group", i18nLabel: LESSON_WORD.terms });
  const ask = el("fieldset", { class: "lesson-ask" });
  const progress = el("p", { class: "lesson-progress", role: "status", "aria-live": "polite" });
  const results = el("p", { class: "lesson-class-results", "aria-live": "polite", hidden: true });
  const hints = el("div", { class: "lesson-hints" });
  const explain = el("div", { class: "lesson-explain" });
  const hint = el("button", { class: "btn", type: "button", i18n: LESSON_WORD.hint });
  const next = el("button", { class: "btn btn-primary lesson-next", type: "button", i18n: LESSON_WORD.next });
  const skip = el("button", { class: "btn", type: "button", i18n: LESSON_WORD.skip });
  const leave = el("button", { class: "btn lesson-leave", type: "button", i18n: LESSON_WORD.leave });
  /** @type {any} */
  let lesson = null;
  hint.addEventListener("click", () => send(commands.showHint()));
  next.addEventListener("click", () => lesson && (lesson.is_last ? send(commands.leaveLesson())
    : send(commands.goToStep(lesson.step + 1))));
  skip.addEventListener("click", () => lesson && send(commands.goToStep(lesson.step + 1)));
  leave.addEventListener("click", () => send(commands.leaveLesson()));
  const paced = el("input", { type: "checkbox" });
  const pacing = el("label", { class: "lesson-pacing" }, [paced, " ", el("span", { i18n: LESSON_WORD.studentPaced })]);
  paced.addEventListener("change", () => lesson && send(commands.setPace(
    paced.checked ? [lesson.step, lesson.steps.length - 1] : null)));
  const pacedNote = el("p", { class: "lesson-note" });
  const actions = el("div", { class: "lesson-actions" }, [pacing, hint, skip, next]);
  element.append(
    el("div", { class: "lesson-head" }, [title, leave]), fallback, steps, terms, intro, counter, text, ask, progress,
    results, hints, explain, pacedNote, actions,
  );

  /** @param {any} state */
  function drawSteps(state) {
    steps.replaceChildren(...state.steps.map((/** @type {string} */ name, /** @type {number} */ i) => {
      const go = el("button", { type: "button", class: "lesson-step-link", text: `${i + 1}. ${name}`,
                                "aria-current": i === state.step ? "step" : undefined });
      if (state.done.includes(i)) go.append(el("span", { class: "lesson-done", text: ` ✓ ${TEXT.done}` }));
      go.addEventListener("click", () => send(commands.goToStep(i)));
      return el("li", {}, [go]);
    }));
  }

  /**
   * The lesson's concepts as term buttons: pressing one (tap, click, Enter or Space) opens the page's
   * definition popover (views/controls/terms.js), with the definition in the lesson's language.
   * @param {{term: string, definition: string}[]} concepts
   */
  function drawTerms(concepts) {
    terms.replaceChildren(...concepts.filter((c) => c.definition).map((concept) => {
      const term = termButton(concept.term.toLowerCase(), concept.term, undefined, undefined, concept.definition);
      term.classList.add("lesson-term");
      return term;
    }));
  }

  /** @param {any} question @param {boolean} isFollower the class's question is the presenter's to answer */
  function drawAsk(question, isFollower) {
    ask.hidden = !question;
    if (!question) return ask.replaceChildren();
    const legend = el("legend", { text: question.question });
    const choices = question.choices.map((/** @type {string} */ choice, /** @type {number} */ i) => {
      const input = el("input", { type: "radio", name: "lesson-ask", value: String(i),
                                  checked: question.chosen === i, disabled: question.chosen !== null || isFollower });
      input.addEventListener("change", () => send(commands.answer(i)));
      const mark = question.answer === i ? ` ← ${TEXT.rightAnswer}` : "";
      return el("label", { class: "lesson-choice" }, [input, ` ${choice}${mark}`]);
    });
    const note = question.chosen === null && !isFollower ? el("p", { class: "lesson-note", i18n: LESSON_WORD.answerFirst }) : null;
    ask.replaceChildren(legend, ...choices, note ?? "");
  }

  /** @param {any} goal */
  function drawProgress(goal) {
    progress.hidden = !goal;
    if (!goal) return;
    const head = goal.is_met ? `${TEXT.goalMet}: ` : `${TEXT.goal}: `;
    progress.textContent = head + goal.text + (goal.is_out_of_budget ? `. ${TEXT.outOfBudget}` : "");
    progress.classList.toggle("is-met", goal.is_met);
  }

  /** @param {{step: number, working: number, met: number, failed: number} | null} counts the presenter's class */
  function drawResults(counts) {
    results.hidden = !counts || counts.step !== lesson?.step;
    if (!counts || results.hidden) return;
    const total = counts.working + counts.met + counts.failed;
    results.textContent = `${CLASS_TEXT.classResults(counts.met, total)} (${
      CLASS_TEXT.classResultsDetail(counts.working, counts.failed)})`;
    Object.assign(results.dataset, { met: String(counts.met), total: String(total) });
  }

  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      const isReworded = state.language !== previous.language;
      if (state.lessonProgress !== previous.lessonProgress || isReworded) drawProgress(state.lessonProgress);
      if (state.classResults !== previous.classResults || state.lesson !== previous.lesson || isReworded) {
        lesson = state.lesson;
        drawResults(state.classResults);
      }
      if (state.lesson === previous.lesson && state.presenting === previous.presenting && !isReworded) return;
      lesson = state.lesson;
      element.hidden = !lesson;
      if (!lesson) return;
      title.textContent = lesson.title;
      const asked = lesson.requested_language ?? lesson.language;
      fallback.hidden = asked === lesson.language;
      const shown = languageName(lesson.language);
      fallback.textContent = fallback.hidden ? "" : TEXT.notTranslated(languageName(asked), shown);
      for (const part of [title, intro, text, hints, explain, terms]) part.lang = lesson.language;  // not the page's
      counter.textContent = `${TEXT.stepOf(lesson.step + 1, lesson.steps.length)}: ${lesson.steps[lesson.step]}`;
      drawSteps(lesson);
      const isOther = lesson.id !== previous.lesson?.id || lesson.language !== previous.lesson?.language;
      if (isOther) drawTerms(lesson.concepts ?? []);
      setHtml(intro, lesson.step === 0 ? lesson.intro ?? "" : "");  // the lesson's words before its first step
      intro.hidden = !intro.childNodes.length;
      setHtml(text, lesson.html);
      const isFollower = state.hello?.role === "follower";  // the teacher moves the class
      drawAsk(lesson.ask, isFollower);
      setHtml(hints, lesson.hints.join(""));
      hint.hidden = lesson.hints_left === 0;
      setHtml(explain, lesson.explain);
      explain.hidden = !lesson.explain;
      next.disabled = !lesson.can_advance;
      keyed(next, lesson.is_last ? LESSON_WORD.finish : LESSON_WORD.next);
      skip.hidden = lesson.is_last;
      actions.hidden = leave.hidden = isFollower;
      pacing.hidden = !state.presenting;  // only a presenter sets the class's pace
      paced.checked = Boolean(lesson.pace);
      pacedNote.hidden = !(isFollower && lesson.pace);
      if (lesson.pace) pacedNote.textContent = TEXT.pacedNote(lesson.pace[0] + 1, lesson.pace[1] + 1);
      for (const link of steps.querySelectorAll("button")) /** @type {HTMLButtonElement} */ (link).disabled = isFollower;
      if (!lesson.has_goal) drawProgress(null);
    },
  };
}
