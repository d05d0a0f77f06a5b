// @ts-check
/**
 * The diagnosis feed: what the server's diagnosis (`frame.header.diagnoses`,
 * app/training/diagnosis.py) notices in the run, in plain words, with its
 * evidence, a suggestion and, where one helps, a button that sends the
 * suggested change as an ordinary `configure` command, followed by `reset`
 * when the action asks for a fresh start (`action.reset`). The page judges
 * nothing itself; it only shows the findings it is sent, causes first.
 * The feed scrolls inside a box of fixed height (static/css/output.css), so a
 * card that comes or goes never moves the controls around it.
 */
import { commands } from "../../protocol.js";
import { el } from "./caption.js";
import { termButton } from "../controls/terms.js";

/** Shown while the server notices nothing wrong. */
const ALL_CLEAR = "Nothing wrong noticed so far. Problems such as a diverging cost, a plateau, dead or "
  + "saturated neurons and overfitting are reported here as the network trains.";

/** The concept each kind of finding is about (a glossary id), shown as a term button on its card. */
const FINDING_TERMS = /** @type {Record<string, string>} */ ({
  diverged: "divergence", diverging: "divergence", rate_too_high: "learning rate", vanishing: "vanishing gradient",
  identical: "symmetry", dead_relu: "dead relu", saturated: "saturation", plateau: "plateau", overfitting: "overfitting",
});

/**
 * @param {HTMLElement} element
 * @param {{store: any, send: (command: any) => void}} context
 */
export function createDiagnosisView(element, { send }) {
  element.classList.add("diagnosis");
  element.tabIndex = 0;  // the box scrolls: keyboard users reach every card
  element.setAttribute("role", "region");
  element.setAttribute("aria-labelledby", "diagnosis-title");
  const clear = el("p", "diagnosis-clear", ALL_CLEAR);
  const feed = el("ul", "diagnosis-feed");
  feed.setAttribute("aria-live", "polite");
  element.append(clear, feed);
  let shownKey = "";

  /**
   * @param {any} finding @param {boolean} canAct a follower watches: the presenter's run takes no changes
   * @param {Record<string, {term: string}>} glossary
   */
  function card(finding, canAct, glossary) {
    const item = el("li", "diagnosis-item");
    item.dataset.kind = finding.kind;
    item.append(el("strong", "diagnosis-title", finding.title));
    const concept = glossary[FINDING_TERMS[finding.kind]];
    if (concept) item.append(" ", termButton(FINDING_TERMS[finding.kind], concept.term));
    if (finding.action && canAct) {  // under the title: in view without scrolling the feed's box
      const apply = el("button", "diagnosis-action", finding.action.label);
      apply.setAttribute("type", "button");
      apply.addEventListener("click", () => {
        send(commands.configure(finding.action.changes));
        if (finding.action.reset) send(commands.reset());
      });
      item.append(apply);
    }
    item.append(el("p", "diagnosis-evidence", finding.evidence), el("p", "diagnosis-suggestion", finding.suggestion));
    return item;
  }

  return {
    /** @param {any} state @param {any} previous */
    render(state, previous) {
      if (state.frame === previous.frame) return;
      const findings = state.frame?.header.diagnoses ?? [];
      const canAct = state.hello?.role !== "follower";
      const key = JSON.stringify([findings, canAct]);
      if (key === shownKey) return;
      shownKey = key;
      clear.hidden = findings.length > 0;
      feed.replaceChildren(...findings.map((/** @type {any} */ finding) => card(finding, canAct, state.hello?.glossary ?? {})));
      element.dataset.kinds = findings.map((/** @type {any} */ f) => f.kind).join(",");
    },
  };
}
