"""``pantau report`` on the hand-checked dataset (tests/integration/kibana_dataset.py) in a real
ES-API server: the brief for banjir-jakarta over D2 (24h) against D1 as the previous period."""
from __future__ import annotations

import base64
import re

import pytest

from pipelines import report
from tests.integration import kibana_dataset as ds

pytestmark = pytest.mark.integration
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def indices(es_url):
    return ds.load(es_url)


def make(es_url, indices, tmp_path, issue=ds.BANJIR, *extra) -> str:
    out = tmp_path / f"{issue}.html"
    assert report.main(["--issue", issue, "--since", "24h", "--until", str(ds.END), "--es_url", es_url,
                        "--alias", indices["posts"], "--alerts_index", indices["alerts"],
                        "--coordination_index", indices["coordination"], "--out", str(out), *extra]) == 0
    assert out.exists()
    return out.read_text(encoding="utf-8")


def card(page: str, metric: str) -> tuple[str, str]:
    m = re.search(rf'data-metric="{metric}".*?class="value">([^<]*)</div><div class="delta[^"]*">([^<]*)<', page)
    assert m, metric
    return m.group(1), m.group(2)


def assert_self_contained(page: str) -> None:
    assert not re.search(r'(?:src|href)\s*=\s*["\']?\s*(?:https?:)?//', page, re.I)
    assert "<link" not in page and "<script" not in page and "@import" not in page and "url(" not in page


def test_brief_in_indonesian_has_the_right_numbers(es_url, indices, tmp_path):
    page = make(es_url, indices, tmp_path)
    assert_self_contained(page)
    assert "Ringkasan Isu" in page and ds.BANJIR in page and 'lang="id"' in page
    assert "25 Nov 2026 00:00 – 26 Nov 2026 00:00 WIB (24 jam terakhir)" in page
    # D2: posts 9-14; D1: posts 1, 2, 3, 4, 7
    assert card(page, "posts") == ("6", "▲ 20% vs 5")
    assert card(page, "authors") == ("6", "▲ 50% vs 4")
    assert card(page, "reach") == ("51.500", "sama vs 51.500")
    assert card(page, "negative") == ("66,7%", "▲ 6,7 poin vs 60,0%")  # 4 of 6 vs 3 of 5
    charts = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(charts) >= 3
    for b64 in charts:
        assert base64.b64decode(b64).startswith(PNG)
    # the top KOL (influence 10, 1 post) and the top post are kompascom's
    kols = page.split("Akun paling berpengaruh (KOL)")[1]
    assert re.search(r"<td>@kompascom</td><td class=\"n\">10,0</td>", kols)
    assert kols.index("@kompascom") < kols.index("@budi_santoso") < kols.index("@warga_jkt")
    assert page.split("Unggahan paling berpengaruh")[1].split('class="who">')[1].startswith("@kompascom")
    # three alerts for banjir-jakarta on D2, not the harga-bbm one of D1
    alerts = page.split("<h2>Peringatan</h2>")[1].split("<h2>")[0]
    assert alerts.count("<tr>") == 4  # header + 3
    assert "Lonjakan volume" in alerts and "Lonjakan sentimen negatif" in alerts and "Indikasi koordinasi" in alerts
    # the coordinated cluster c-77 of three accounts, with the monitor's members; not c-12 (harga-bbm)
    coordination = page.split("Indikasi aktivitas terkoordinasi")[1]
    assert "c-77" in coordination and "@akun_b, @akun_c, @akun_d" in coordination and "c-12" not in coordination
    assert "<td>jakarta</td><td class=\"n\">7</td>" in page  # post 9 mentions Jakarta twice
    assert "Tidak ada unggahan" not in page


def test_brief_in_english(es_url, indices, tmp_path):
    page = make(es_url, indices, tmp_path, ds.BANJIR, "--lang", "en")
    assert_self_contained(page)
    assert "Issue Brief" in page and 'lang="en"' in page and "last 24 hours" in page
    assert card(page, "reach") == ("51,500", "same vs 51,500")
    assert card(page, "negative") == ("66.7%", "▲ 6.7 points vs 60.0%")


def test_brief_without_data_says_so(es_url, indices, tmp_path):
    page = make(es_url, indices, tmp_path, "isu-tanpa-data")
    assert_self_contained(page)
    assert "Tidak ada unggahan tentang isu ini pada periode ini." in page
    assert card(page, "posts")[0] == "0" and card(page, "negative")[0] == "–"


def test_brief_tolerates_missing_alert_and_coordination_indices(es_url, indices, tmp_path):
    out = tmp_path / "b.html"
    assert report.main(["--issue", ds.BANJIR, "--until", str(ds.END), "--es_url", es_url, "--alias",
                        indices["posts"], "--alerts_index", "no-such-alerts", "--coordination_index",
                        "no-such-coordination", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert card(page, "posts")[0] == "6" and "c-77" in page  # clusters come from the posts themselves


def test_unreachable_elasticsearch_is_a_clear_error(tmp_path, capsys):
    assert report.main(["--issue", "x", "--es_url", "http://127.0.0.1:9", "--out", str(tmp_path / "b.html")]) == 1
    assert "cannot read" in capsys.readouterr().err
