"""Re-tagging decisions without a server: which documents change, the progress line, and which
pipeline instance re-tags after a watchlist reload."""
from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.options import PantauOptions, retag_on_reload
from transforms.analyst.retag import RetagReport, new_issues
from transforms.logic.watchlist import Watchlist

WATCHLIST = Watchlist.from_yaml("issues:\n  - name: Harga Cabai\n    query: cabai\n"
                                "  - name: Banjir\n    query: banjir\n")


def test_new_issues_only_when_they_differ():
    doc = {"text": "banjir dan harga cabai", "issues": ["Banjir"], "platform": "x"}
    assert sorted(new_issues(doc, WATCHLIST)) == ["Banjir", "Harga Cabai"]
    assert new_issues({**doc, "issues": ["Harga Cabai", "Banjir"]}, WATCHLIST) is None  # order ignored
    assert new_issues({"text": "cuaca cerah", "issues": ["Dihapus"]}, WATCHLIST) == []  # issue removed


def test_progress_line():
    report = RetagReport(0, 1, checked=500, changed=12, conflicts=1, added={"Harga Cabai": 12},
                         removed={"Lama": 2}, seconds=1.25)
    assert report.line() == ("retag: 500 posts checked, 12 re-tagged, 1 conflicts retried, 0 failed; "
                             "Harga Cabai +12; Lama -2 (1.2s)")


def test_only_instance_zero_retags_after_a_reload():
    opts = PipelineOptions(["--es_url=http://es:9200"]).view_as(PantauOptions)
    kwargs = retag_on_reload(opts)
    assert kwargs["retag_window_s"] == 7 * 24 * 3600 and kwargs["retag_es"].url == "http://es:9200"
    assert retag_on_reload(PipelineOptions(["--instance_index=1", "--instance_count=2"])
                           .view_as(PantauOptions)) == {}
    assert retag_on_reload(PipelineOptions(["--retag_on_reload_s=0"]).view_as(PantauOptions)) == {}
    assert retag_on_reload(PipelineOptions(["--watchlist=none"]).view_as(PantauOptions)) == {}


def test_retag_reads_every_field_the_matcher_reads():
    """A document cut down to MATCH_FIELDS gets the same issues as the whole document."""
    from transforms.analyst.retag import MATCH_FIELDS
    wl = Watchlist.from_yaml("issues:\n  - name: Sunda\n    query: banjir\n    languages: [su]\n"
                             "  - name: Akun\n    query: '@bpbd'\n  - name: Tagar\n    query: '#cabai'\n")
    doc = {"text": "banjir", "text_clean": "banjir", "title": "", "lang_hint": "su", "language": None,
           "author": {"handle": "bpbd", "id": "1"}, "hashtags": ["cabai"], "mentions": [], "platform": "x",
           "text_normalized": "banjir", "engagement": {"likes": 1}, "raw": "{}"}
    top = {f.split(".")[0] for f in MATCH_FIELDS}
    cut = {k: v for k, v in doc.items() if k in top}
    assert wl.match_doc(cut) == wl.match_doc(doc) == ["Sunda", "Akun", "Tagar"]
