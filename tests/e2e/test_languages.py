"""The page in the learner's language: German and Spanish with no English of the catalogue in view, a
refusal naming the control in German, the picker switching the page while the run goes on, plural
rules that agree with the server's, and numbers typed or shown with a decimal comma."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel import Locale
from playwright.sync_api import Browser, BrowserContext, Page, expect

from app.i18n import LANGUAGES, PLACEHOLDER, check_shipped, plural_categories, split_plural
from tests.e2e.test_class_view import FEED, STUDENT, class_message, open_view

READY = '#connection[data-state="open"]'
STEP = '[data-counter="step"]'
SERVER_MS = 10_000  # how long a server echo may take on a busy machine
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
RETURNING_USER = "localStorage.setItem('neuroplay.freePlay', '1')"  # the sandbox, without the home card
MIN_FRAGMENT = 6  # shorter pieces of an English text ("Step", "Cost") may be words of another language too
COUNTS = (*range(0, 210), 1000, 1001, 10_000, 100_000, 1_000_000, 2_000_000)


@pytest.fixture
def open_in(browser: Browser, base_url: str) -> Iterator[object]:
    """Open the page in a browser whose Accept-Language (and Intl locale) is `locale`."""
    contexts: list[BrowserContext] = []

    def opener(locale: str, path: str = "/", viewport: dict[str, int] = DESKTOP, **options: object) -> Page:
        context = browser.new_context(base_url=base_url, viewport=viewport, locale=locale,  # type: ignore[arg-type]
                                      **options)
        context.add_init_script(RETURNING_USER)
        contexts.append(context)
        page = context.new_page()
        page.goto(path)
        expect(page.locator(READY)).to_be_visible(timeout=SERVER_MS)
        return page

    yield opener
    for context in contexts:
        context.close()


def english_fragments(language: str) -> dict[str, list[str]]:
    """Per key, the pieces of its English text (between placeholders) that the language words differently."""
    found = check_shipped()
    english, own = found["en"], found[language]
    own_words = set(re.findall(r"\w+", " ".join(own.values())))  # "des Neurons" is German too
    fragments: dict[str, list[str]] = {}
    for key, text in english.items():
        base = split_plural(key)[0]
        theirs = " ".join(value for name, value in own.items() if split_plural(name)[0] == base)
        pieces = [piece.strip() for piece in PLACEHOLDER.split(text)[::2]]
        pieces = [p for p in pieces if len(p) >= MIN_FRAGMENT and re.search(r"[a-z]{3}", p) and p not in theirs
                  and not (re.fullmatch(r"\w+", p) and p in own_words)]
        if pieces:
            fragments[key] = pieces
    return fragments


def visible_text(page: Page) -> str:
    """What a person sees: the text of every element in view, and the values shown in selects."""
    return str(page.evaluate("""() => {
        const shown = [document.body.innerText];
        for (const select of document.querySelectorAll('select')) {
            if (select.offsetParent !== null && select.selectedOptions[0]) shown.push(select.selectedOptions[0].text);
        }
        return shown.join('\\n');
    }"""))


def train_a_little(page: Page) -> None:
    page.locator(".play-btn").click()
    page.wait_for_function(f"() => Number(document.querySelector('{STEP}').textContent.replace(/\\D/g, '')) > 20",
                           timeout=SERVER_MS * 3)
    page.locator(".play-btn").click()


@pytest.mark.parametrize("language", ["de", "es"])
def test_a_german_or_spanish_page_shows_no_english_of_the_catalogue(open_in: object, language: str,
                                                                    artifacts: Path) -> None:
    page = open_in(language)  # type: ignore[operator]
    assert page.evaluate("document.documentElement.lang") == language
    train_a_little(page)
    page.locator("#heatmap canvas").click()  # a point followed through one neuron: the most words at once
    page.wait_for_selector(".neuron-backward .neuron-fact", timeout=SERVER_MS)
    shown = visible_text(page)
    left = {key: [p for p in pieces if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", shown)]
            for key, pieces in english_fragments(language).items()}
    left = {key: pieces for key, pieces in left.items() if pieces}
    page.screenshot(path=artifacts / f"i18n-{language}-1280.png", full_page=True)
    assert not left, f"English on the {language} page: {left}"
    assert ("Lernrate" if language == "de" else "Tasa de aprendizaje").upper() in shown.upper()


def test_a_refusal_names_the_control_in_german(open_in: object) -> None:
    page = open_in("de-DE")  # type: ignore[operator]
    batch = page.locator('[data-field="batch_size"] input[type="number"]')
    batch.fill("100000")
    batch.dispatch_event("change")
    banner = page.locator("#banner .banner-line.is-error")
    expect(banner).to_contain_text("Batchgröße", timeout=SERVER_MS)
    expect(banner).to_contain_text("muss eine ganze Zahl von 1 bis")
    expect(banner).not_to_contain_text("must be")


# A refusal of a list where a number belongs, over a socket of the page's own, worded by the page's i18n module.
REFUSED_LIST_JS = """async () => {
  const i18n = await import('/static/js/i18n.js');
  const error = await new Promise((resolve) => {
    const socket = new WebSocket(location.origin.replace('http', 'ws') + '/ws?lang=de');
    socket.onopen = () => socket.send(JSON.stringify({type: 'configure', changes: {learning_rate: [0.1, 0.2, 0.3]}}));
    socket.onmessage = (event) => { const m = JSON.parse(event.data); if (m.type === 'error') {
      socket.close(); resolve(m); } };
  });
  return {language: i18n.currentLanguage(), worded: i18n.spoken(error, ''), message: error.message,
          got: error.args.got};
}"""


def test_a_refused_list_is_described_in_german_words_by_the_page_as_by_the_server(open_in: object) -> None:
    page = open_in("de-DE")  # type: ignore[operator]
    refused = page.evaluate(REFUSED_LIST_JS)
    assert refused["language"] == "de"
    assert refused["got"] == {"key": "error.got.list", "args": {"count": 3}}
    assert refused["worded"] == refused["message"] == \
        "muss eine Zahl von 0,00001 bis 10 sein, nicht eine Liste mit 3 Einträgen"


def test_the_picker_switches_the_language_while_the_run_goes_on(open_in: object) -> None:
    page = open_in("en-US")  # type: ignore[operator]
    expect(page.locator("#diagnosis-title")).to_have_text("Diagnosis")
    page.evaluate("window.sameDocument = true")  # gone if the page reloaded
    page.locator(".play-btn").click()
    page.wait_for_function(f"() => Number(document.querySelector('{STEP}').textContent.replace(/\\D/g, '')) > 5",
                           timeout=SERVER_MS * 3)
    before = int(re.sub(r"\D", "", page.locator(STEP).inner_text()))
    page.locator("#language-select").select_option("de")
    expect(page.locator("#diagnosis-title")).to_have_text("Diagnose", timeout=SERVER_MS)
    expect(page.locator('[data-field="learning_rate"] label')).to_have_text("Lernrate")
    expect(page.get_by_role("button", name="Schritt", exact=True)).to_be_visible()
    page.wait_for_function(  # the run was not lost: its step counter keeps counting up from where it was
        f"() => Number(document.querySelector('{STEP}').textContent.replace(/\\D/g, '')) > {before + 20}",
        timeout=SERVER_MS * 3)
    assert page.evaluate("window.sameDocument") is True
    assert page.evaluate("localStorage.getItem('neuroplay.language')") == "de"
    page.locator(".play-btn").click()  # pause, then a refusal: the server now words it in German
    batch = page.locator('[data-field="batch_size"] input[type="number"]')
    batch.fill("100000")
    batch.dispatch_event("change")
    expect(page.locator("#banner .banner-line.is-error")).to_contain_text("Batchgröße: muss eine ganze Zahl",
                                                                          timeout=SERVER_MS)
    page.locator('button.term[data-term="learning rate"]').first.click()  # the glossary came in German too
    expect(page.locator("#term-popover")).to_contain_text("Wie groß ein Schritt des Gradientenabstiegs ist")
    page.reload()  # the choice is kept in this browser
    expect(page.locator("#diagnosis-title")).to_have_text("Diagnose", timeout=SERVER_MS)


def test_a_link_with_lang_opens_the_page_in_that_language(open_in: object) -> None:
    page = open_in("en-US", "/#lang=es")  # type: ignore[operator]
    expect(page.locator("#diagnosis-title")).to_have_text("Diagnóstico", timeout=SERVER_MS)
    expect(page.locator("#language-select")).to_have_value("es")


def test_the_page_s_plural_rules_agree_with_babel(open_in: object) -> None:
    page = open_in("en-US")  # type: ignore[operator]
    for language in LANGUAGES:
        categories = page.evaluate("l => new Intl.PluralRules(l).resolvedOptions().pluralCategories", language)
        assert sorted(categories) == sorted(plural_categories(language)), language
        chosen = page.evaluate("([l, counts]) => counts.map((n) => new Intl.PluralRules(l).select(n))",
                               [language, list(COUNTS)])
        rule = Locale.parse(language).plural_form
        assert chosen == [rule(count) for count in COUNTS], language


def test_numbers_show_a_decimal_comma_in_german_and_either_mark_is_read(open_in: object) -> None:
    page = open_in("de-DE")  # type: ignore[operator]
    expect(page.locator('[data-field="learning_rate"] select option:checked')).to_have_text("0,03")
    read = page.evaluate("""async () => {
        const { parseNumber } = await import('/static/js/lib/format.js');
        return ['0,5', '0.5', '-1,25', '−1.25', '1.000,5', '1,000.5', '3', 'abc', ''].map(parseNumber);
    }""")
    assert read[:7] == [0.5, 0.5, -1.25, -1.25, 1000.5, 1000.5, 3]
    assert math.isnan(read[7]) and math.isnan(read[8])  # no number: the editor applies nothing


@pytest.mark.parametrize(("language", "viewport", "name"), [("de", DESKTOP, "1280"), ("de", PHONE, "390"),
                                                            ("es", PHONE, "390")])
def test_long_german_words_do_not_overflow(open_in: object, language: str, viewport: dict[str, int], name: str,
                                            artifacts: Path) -> None:
    is_phone = viewport is PHONE
    page = open_in(language, "/", viewport, has_touch=is_phone, is_mobile=is_phone)  # type: ignore[operator]
    expect(page.locator(STEP)).to_have_text("0", timeout=SERVER_MS)
    overflowing = page.evaluate("""() => [...document.querySelectorAll('button, label, h2, h3, .btn, select')]
        .filter((node) => node.offsetParent !== null && node.scrollWidth > node.clientWidth + 1
                && getComputedStyle(node).overflow !== 'visible')
        .map((node) => node.textContent.trim().slice(0, 40))""")
    wider = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.screenshot(path=artifacts / f"i18n-{language}-{name}.png", full_page=True)
    assert not overflowing, overflowing
    assert not wider


def test_a_lesson_link_keeps_its_language_in_the_address(open_in: object) -> None:
    page = open_in("en-US", "/#lesson=neuron&step=1&lang=de")  # type: ignore[operator]
    expect(page.locator("#diagnosis-title")).to_have_text("Diagnose", timeout=SERVER_MS)
    page.wait_for_function("() => location.hash.startsWith('#lesson=neuron&step=1')", timeout=SERVER_MS)
    assert page.evaluate("location.hash").endswith("&lang=de")
    expect(page.locator(".lesson-next")).to_have_text("Weiter", timeout=SERVER_MS)  # the panel speaks German
    expect(page.locator(".lesson-text:not(.lesson-intro)").first).to_have_attribute("lang", "de")  # the German file
    expect(page.locator(".lesson-fallback")).to_be_hidden()


def english_left(shown: str, language: str) -> dict[str, list[str]]:
    """The English catalogue texts (by key) that appear in ``shown``."""
    left = {key: [p for p in pieces if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", shown)]
            for key, pieces in english_fragments(language).items()}
    return {key: pieces for key, pieces in left.items() if pieces}


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "1280"), (PHONE, "390")])
def test_the_teacher_s_class_view_and_a_student_s_strip_in_german_show_no_english(
        page: Page, artifacts: Path, viewport: dict[str, int], name: str) -> None:
    open_view(page, viewport, "de")
    page.evaluate(FEED, class_message(6, spotlight="s2"))
    page.wait_for_selector(".tile", timeout=SERVER_MS)
    page.locator(".tile").nth(1).click()  # a selection: the bar's counts and buttons in view
    shown = visible_text(page)
    page.screenshot(path=artifacts / f"i18n-de-class-view-{name}.png", full_page=True)
    assert not english_left(shown, "de"), f"English in the German class view: {english_left(shown, 'de')}"
    assert "DEINE KLASSE" in shown.upper() and "Sortieren nach" in shown
    assert re.search(r"\d+ Schüler", shown), shown  # the aggregate's plural count
    assert "Kurz vor dem Divergieren" in shown  # a tile's diagnosis headline, from its catalogue parts


def test_a_student_s_strip_in_german_shows_no_english(page: Page) -> None:
    page.goto("/static/js/protocol.js")
    found = page.evaluate(f"async () => {{ {STUDENT.replace('LANGUAGE', 'de')} }}")
    strip = str(page.evaluate("() => document.querySelector('.student').innerText"))
    shown = "\n".join([strip, found["notice"], found["line"], found["saved"], found["alias"]])
    assert not english_left(shown, "de"), f"English in the German student strip: {english_left(shown, 'de')}"
    assert found["alias"] == "Du bist Blue Fox" and found["hand"][0] == "Meldung zurücknehmen"
    assert found["notice"] == "Deine Lehrkraft hat die Kopien gesperrt: Schau erst einmal zu."
