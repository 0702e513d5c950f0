"""The review page (``pantau review``) in a real browser: Debian's chromium driven by selenium
through chromium-driver, against a real ES-API server (noida-db). A correction made on the page
is in the reviews index and on the post, survives a replay of the post, is exported, and shows
in ``pantau evaluate --reviews``."""
from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.request

import pytest
from elasticsearch import helpers

from pipelines.review import evaluate_main
from tests.integration.helpers import unique
from tests.integration.test_monitor import post
from transforms.analyst.review import ReviewServer, reviews
from transforms.io.es_sink import EsConfig, bulk_action, install_template

pytestmark = pytest.mark.integration


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    driver_path, chromium = shutil.which("chromedriver"), shutil.which("chromium")
    if not driver_path or not chromium:
        pytest.fail("install Debian's chromium and chromium-driver (deploy/install.sh does it)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def submit(browser, form, expected: str) -> str:
    """Click the form's save button; the message of the page the click loads, once it holds
    ``expected`` (or whatever it holds after 30 s).

    While chromium swaps documents, an element of the old page can still be found (and then
    fails with "does not belong to the document"), so the message is read again until the new
    page's message is there."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    form.find_element(By.NAME, "save").click()
    seen = {"text": ""}

    def message(driver) -> bool:
        try:
            seen["text"] = driver.find_element(By.ID, "message").text
        except WebDriverException:  # no such element yet, stale, or a node of the old document
            return False
        return expected in seen["text"]
    try:
        WebDriverWait(browser, 30).until(message)
    except WebDriverException:  # TimeoutException: the assert shows what the page said
        pass
    return seen["text"]


@pytest.fixture
def page(es_url):
    prefix = unique("review")
    es = EsConfig(url=es_url, index_prefix=prefix, alias=prefix)
    client = es.client()
    install_template(client, es)
    now = int(time.time() * 1000)
    docs = []
    for i, (text, score) in enumerate([("mantap, banjir lagi di depan rumah", 0.41),
                                       ("banjir sudah surut, terima kasih relawan", 0.93),
                                       ("air naik pelan-pelan di gang", 0.55)]):
        d = post(f"x:v{i}", now - i * 60_000, issues=["Banjir"], text=text)
        d["entities"] = [{"text": "banjir", "label": "PER", "canonical": "banjir", "start": text.find("banjir"),
                          "end": text.find("banjir") + 6, "source": "model"}] if i == 0 else []
        d["sentiment"] = {"label": "positive" if i == 0 else "neutral", "score": score,
                          "positive": score, "neutral": 0.0, "negative": 1 - score}
        docs.append(d)
    helpers.bulk(client, [bulk_action(d, es) for d in docs])
    client.indices.refresh(index=prefix)
    reviews_index = unique("reviews")
    server = ReviewServer(("127.0.0.1", 0), client, prefix, 20, reviews_index)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", es, client, docs, reviews_index
    finally:
        server.shutdown()
        client.close()


def test_a_correction_on_the_page_is_stored_survives_a_replay_and_is_evaluated(browser, page, capsys,
                                                                                   tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    def load(locator) -> None:  # a click that submits a form: wait for the next page's element
        WebDriverWait(browser, 30).until(ec.presence_of_element_located(locator))

    url, es, client, docs, reviews_index = page
    browser.get(url + "/")
    Select(browser.find_element(By.NAME, "issue")).select_by_visible_text("Banjir")
    browser.find_element(By.NAME, "reviewer").send_keys("ani")
    browser.find_element(By.ID, "pick").click()
    load((By.CSS_SELECTOR, "form.post"))
    forms = browser.find_elements(By.CSS_SELECTOR, "form.post")
    # least sure first: 0.41, 0.55, 0.93
    assert [f.get_attribute("data-doc") for f in forms] == ["x:v0", "x:v2", "x:v1"]
    first = forms[0]
    assert "mantap, banjir lagi" in first.text and "yakin 41%" in first.text
    first.find_element(By.CSS_SELECTOR, "input[name=sentiment][value=negative]").click()
    Select(first.find_element(By.NAME, "entity_0")).select_by_value("none")  # "banjir" is no person
    assert "Tersimpan: x:v0" in submit(browser, first, "Tersimpan: x:v0")
    # the reviewed post leaves the queue
    assert [f.get_attribute("data-doc") for f in browser.find_elements(By.CSS_SELECTOR, "form.post")] \
        == ["x:v2", "x:v1"]

    (stored,) = list(reviews(client, reviews_index))
    assert stored["reviewer"] == "ani" and stored["corrected"]["sentiment"] == "negative"
    assert stored["model"]["sentiment"] == "positive" and stored["issue"] == "Banjir"
    assert stored["corrected"]["entities"] == [] and stored["model"]["entities"][0]["label"] == "PER"

    def on_post() -> dict:
        client.indices.refresh(index=es.alias)
        return client.search(index=es.alias, query={"term": {"doc_id": "x:v0"}})["hits"]["hits"][0]["_source"]
    assert on_post()["review"]["sentiment"] == "negative" and on_post()["review"]["reviewer"] == "ani"

    # a replay of the same collection (re-enrichment from the topic) is refused: the correction stays
    ok, errors = helpers.bulk(client, [bulk_action(docs[0], es)], raise_on_error=False)
    assert ok == 0 and errors[0]["index"]["status"] == 409
    assert on_post()["review"]["sentiment"] == "negative"

    # export and evaluation
    exported = [json.loads(line) for line in
                urllib.request.urlopen(url + "/export.jsonl").read().decode().splitlines()]
    assert exported == [{"text": "mantap, banjir lagi di depan rumah", "label": "negative",
                         "lang": exported[0]["lang"], "doc_id": "x:v0", "reviewer": "ani", "register": "x"}]
    from pipelines.review import main as review_main
    capsys.readouterr()
    out = tmp_path / "koreksi.jsonl"
    assert review_main(["--es_url", es.url, "--es_alias", es.alias, "--reviews_index", reviews_index,
                        "--export", str(out), "--export_entities", str(tmp_path / "entitas.jsonl")]) == 0
    assert [json.loads(line)["label"] for line in out.read_text().splitlines()] == ["negative"]
    assert json.loads((tmp_path / "entitas.jsonl").read_text())["entities"] == []
    capsys.readouterr()
    assert evaluate_main(["--reviews", "--es_url", es.url, "--es_alias", es.alias,
                          "--reviews_index", reviews_index]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["reviews"] == 1
    assert report["as_indexed"]["sentiment"] == {"n": 1, "accuracy": 0.0}
    assert report["as_indexed"]["entities"] == {"n": 1, "accuracy": 0.0}
    assert report["current_models"]["sentiment"]["n"] == 1
    # per platform (the post's register) and per language, so analysts see where to correct more
    assert report["current_models"]["sentiment"]["per_register"]["x"]["n"] == 1
    assert sum(v["n"] for v in report["current_models"]["sentiment"]["per_language"].values()) == 1


def test_an_entity_the_model_missed_is_added_on_the_page_and_exported(browser, page, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    url, es, client, docs, reviews_index = page
    browser.get(url + "/?issue=Banjir&reviewer=budi")
    form = next(f for f in browser.find_elements(By.CSS_SELECTOR, "form.post")
                if f.get_attribute("data-doc") == "x:v2")  # "air naik pelan-pelan di gang": no entity
    form.find_element(By.NAME, "add_text").send_keys("gang")
    Select(form.find_element(By.NAME, "add_label")).select_by_value("LOC")
    assert "Tersimpan: x:v2" in submit(browser, form, "Tersimpan: x:v2")

    (stored,) = list(reviews(client, reviews_index))
    assert stored["reviewer"] == "budi" and stored["model"]["entities"] == []
    assert stored["corrected"]["entities"] == [{"start": 24, "end": 28, "text": "gang", "label": "LOC"}]
    client.indices.refresh(index=es.alias)
    on_post = client.search(index=es.alias, query={"term": {"doc_id": "x:v2"}})["hits"]["hits"][0]["_source"]
    assert on_post["review"]["entities"][0]["label"] == "LOC"

    # a span that is not in the text is refused with a message, and nothing is stored
    form = next(f for f in browser.find_elements(By.CSS_SELECTOR, "form.post")
                if f.get_attribute("data-doc") == "x:v1")
    form.find_element(By.NAME, "add_text").send_keys("Semarang")
    assert "Tidak tersimpan" in submit(browser, form, "Tidak tersimpan")
    assert len(list(reviews(client, reviews_index))) == 1

    from pipelines.review import main as review_main
    out = tmp_path / "entitas.jsonl"
    assert review_main(["--es_url", es.url, "--es_alias", es.alias, "--reviews_index", reviews_index,
                        "--export_entities", str(out)]) == 0
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert row == {"text": "air naik pelan-pelan di gang", "doc_id": "x:v2",
                   "entities": [{"start": 24, "end": 28, "label": "LOC"}]}


def test_the_map_of_a_post_follows_an_entity_correction(page):
    """Without the browser: ``save`` recomputes ``places_mentioned`` and the ``mention_location``
    points the Kibana map draws, so a corrected place moves the post on the map."""
    from transforms.analyst.review import Correction, save
    _, es, client, _, reviews_index = page
    text = "Banjir di Jateng, warga Demak mengungsi"
    doc = post("x:map1", int(time.time() * 1000), issues=["Banjir"], text=text)
    doc["entities"] = [{"text": "Jateng", "label": "LOC", "canonical": "Jawa Tengah", "start": 10, "end": 16,
                        "source": "gazetteer"}]
    doc["places_mentioned"] = []  # as if the model had not located it
    helpers.bulk(client, [bulk_action(doc, es)])
    save(client, es.alias, Correction("x:map1", "citra", added_entities=(("Demak", "LOC"),)), index=reviews_index)
    client.indices.refresh(index=es.alias)
    on_post = client.search(index=es.alias, query={"term": {"doc_id": "x:map1"}})["hits"]["hits"][0]["_source"]
    assert [p["name"] for p in on_post["places_mentioned"]] == ["Jawa Tengah", "Demak"]
    assert on_post["mention_location"] == [{"lat": p["lat"], "lon": p["lon"]} for p in on_post["places_mentioned"]]
    # the points are geo_points to the index: a distance query around Demak finds the post
    demak = on_post["places_mentioned"][1]
    hits = client.search(index=es.alias, query={"geo_distance": {
        "distance": "5km", "mention_location": {"lat": demak["lat"], "lon": demak["lon"]}}})["hits"]["hits"]
    assert [h["_source"]["doc_id"] for h in hits] == ["x:map1"]
