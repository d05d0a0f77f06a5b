// @ts-check
/**
 * The class view's words (the teacher's mosaic, spotlight, compare, the aggregate, pacing, and the
 * student's side: hand, name, the class's banners) as catalogue keys (locales/*.json `class.*`).
 * `CLASS_KEY` names the key of each fixed text, for elements that keep their key and are re-worded
 * in place on a change of language (`i18n`, `i18nTitle`, `i18nLabel`, `button`); `CLASS_TEXT`
 * gives the same texts in the page's language at the moment they are read, and functions for the
 * sentences that carry numbers or names (plural keys where a count is shown).
 */
import { t } from "../../i18n.js";

export const CLASS_KEY = {
  // the teacher's toggle and panel
  classButton: "class.button",
  classButtonHelp: "class.button_help",
  panelLabel: "class.panel",
  waiting: "class.waiting",
  empty: "class.empty",
  sortLabel: "class.sort.label",
  sortStatus: "class.sort.status",
  sortAccuracy: "class.sort.accuracy",
  sortParams: "class.sort.params",
  sortAlias: "class.sort.alias",
  // a tile
  following: "class.tile.following",
  forked: "class.tile.forked",
  statusTraining: "class.tile.training",
  statusPaused: "class.tile.paused",
  statusIdle: "class.tile.idle",
  statusDiverged: "class.tile.diverged",
  statusGoalMet: "class.tile.goal_met",
  statusGoalFailed: "class.tile.goal_failed",
  hand: "class.tile.hand",
  accuracy: "class.tile.accuracy",
  r2: "class.tile.r2",
  tileHelp: "class.tile.help",
  spotlit: "class.tile.spotlit",
  // selection, spotlight, compare
  selectionLabel: "class.select.label",
  spotlight: "class.spotlight",
  spotlightHelp: "class.spotlight_help",
  compare: "class.compare",
  compareHelp: "class.compare_help",
  clearSelection: "class.clear",
  backToMyRun: "class.back_to_mine",
  backToMyRunHelp: "class.back_to_mine_help",
  compareTitle: "class.compare_title",
  compareClose: "class.compare_close",
  compareCurve: "class.compare_curve",
  onlyForked: "class.only_forked",
  // the aggregate
  aggregateLabel: "class.aggregate.label",
  // pacing
  pacingLabel: "class.pace.label",
  pauseAll: "class.pace.pause",
  pauseAllHelp: "class.pace.pause_help",
  resumeAll: "class.pace.resume",
  resumeAllHelp: "class.pace.resume_help",
  bringBack: "class.pace.bring_back",
  bringBackHelp: "class.pace.bring_back_help",
  push: "class.pace.push",
  pushLesson: "class.pace.push_lesson",
  pushHelp: "class.pace.push_help",
  lock: "class.pace.lock",
  lockHelp: "class.pace.lock_help",
  unlock: "class.pace.unlock",
  unlockHelp: "class.pace.unlock_help",
  // the student's side
  raiseHand: "class.student.raise_hand",
  lowerHand: "class.student.lower_hand",
  raiseHandHelp: "class.student.raise_hand_help",
  nameLabel: "class.student.name_label",
  nameNote: "class.student.name_note",
  nameSave: "class.student.name_save",
  pausedLine: "class.student.paused",
  lockedLine: "class.student.locked",
  watchingNote: "class.student.watching_note",
};

/** @typedef {{[name in keyof typeof CLASS_KEY]: string}} FixedTexts */

/** Each fixed text of `CLASS_KEY` in the page's language, read when it is drawn. */
const fixed = /** @type {FixedTexts} */ (Object.defineProperties({}, Object.fromEntries(
  Object.entries(CLASS_KEY).map(([name, key]) => [name, { get: () => t(key), enumerable: true }]))));

export const CLASS_TEXT = Object.assign(fixed, {
  epoch: (/** @type {string} */ epoch) => t("class.tile.epoch", { epoch }),
  params: (/** @type {number} */ count) => t("class.tile.params", { count }),
  lessonStep: (/** @type {number} */ step) => t("class.tile.step", { step: step + 1 }),
  stale: (/** @type {number} */ seconds) => t("class.tile.stale", { seconds }),
  selected: (/** @type {number} */ count) => (count === 0 ? t("class.select.none") : t("class.select.some", { count })),
  spotlightOn: (/** @type {string} */ alias) => t("class.spotlight_on", { alias }),
  compareLabel: (/** @type {string} */ alias) => t("class.compare_label", { alias }),
  histogramLabel: (/** @type {boolean} */ isR2) =>
    t(isR2 ? "class.aggregate.histogram_r2" : "class.aggregate.histogram_accuracy"),
  histogramBar: (/** @type {string} */ range, /** @type {number} */ count) => t("class.aggregate.bar", { range, count }),
  students: (/** @type {number} */ count) => t("class.aggregate.students", { count }),
  forkedCount: (/** @type {number} */ count) => t("class.aggregate.forked", { count }),
  followingCount: (/** @type {number} */ count) => t("class.aggregate.following", { count }),
  divergedCount: (/** @type {number} */ count) => t("class.aggregate.diverged", { count }),
  goalMetCount: (/** @type {number} */ count) => t("class.aggregate.goal_met", { count }),
  handsCount: (/** @type {number} */ count) => t("class.aggregate.hands", { count }),
  youAre: (/** @type {string} */ alias) => t("class.student.you_are", { alias }),
  nameSummary: (/** @type {string} */ name) => (name ? t("class.student.name_summary", { name }) : t("class.student.name_add")),
  nameSaved: (/** @type {string} */ name) => (name ? t("class.student.name_saved", { name }) : t("class.student.alias_only")),
  watching: (/** @type {string} */ alias) => t("class.student.watching", { alias }),
  classResults: (/** @type {number} */ met, /** @type {number} */ count) => t("class.results", { met, count }),
  classResultsDetail: (/** @type {number} */ working, /** @type {number} */ failed) =>
    t("class.results_detail", { working, failed }),
});

/** The catalogue key of each class notice topic's banner, when the server's notice carries no key. */
export const NOTICE_KEY = /** @type {Record<string, string>} */ ({
  class_paused: "class.notice.class_paused",
  class_resumed: "class.notice.class_resumed",
  class_pushed: "class.notice.class_pushed",
  class_locked: "class.notice.class_locked",
  class_unlocked: "class.notice.class_unlocked",
  back_to_class: "class.notice.back_to_class",
});
