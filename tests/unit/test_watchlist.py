"""Watchlist queries: parser, matcher, YAML errors with line numbers, the bundled example file."""
import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from transforms.logic.watchlist import (
    QueryError,
    Watchlist,
    WatchlistError,
    load_watchlist,
    parse_query,
    tokenize,
)
from transforms.stages.normalize import normalize_post

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "watchlists" / "issues.yaml"
SAMPLE = ROOT / "deploy" / "sample" / "posts.jsonl"


def one(query, **fields):
    """A watchlist with a single issue 'T'."""
    entry = {"name": "T", "query": query, **fields}
    lines = ["issues:", f"  - name: {entry.pop('name')}"]
    lines += [f"    {k}: {json.dumps(v)}" for k, v in entry.items()]
    return Watchlist.from_yaml("\n".join(lines) + "\n")


def hits(query, text, **kwargs):
    filters = {k: kwargs.pop(k) for k in ("languages", "platforms") if k in kwargs}
    return one(query, **filters).match(text, **kwargs) == ["T"]


# ---------------------------------------------------------------- pure parsing and matching

def test_tokens_are_folded_whole_words_without_urls_and_mentions():
    assert tokenize("Kafé NAIK lagi!! https://x.co/banjir @banjir_info #Banjir") == \
        ["kafe", "naik", "lagi", "banjir"]


@pytest.mark.parametrize("query,text,expected", [
    ("banjir", "Banjir lagi di Kemang", True),
    ("banjir", "kebanjiran lagi", False),                      # whole tokens only
    ("banjir*", "kebanjiran lagi", False),
    ("banjir*", "BANJIRNYA sudah surut", True),                 # prefix
    ('"pabrik semen"', "Pabrik   semen di Rembang", True),      # phrase, white space free
    ('"pabrik semen"', "semen pabrik", False),                  # phrase keeps order
    ('"pabrik semen"', "pabrik baru, semen naik", False),       # ... and adjacency
    ("pabrik semen", "semen pabrik", True),                     # adjacency means AND
    ("cafe", "Ngopi di café dulu", True),                       # accent folding
    ("ppn 12%", "PPN 12% berlaku", True),
    ("covid-19", "kasus covid 19 naik", True),                  # split term = phrase
])
def test_terms(query, text, expected):
    assert hits(query, text) is expected


def test_precedence_not_over_and_over_or():
    q = "a b OR c -d"  # = (a AND b) OR (c AND NOT d)
    assert hits(q, "a b")
    assert hits(q, "a b d")          # the left side does not care about d
    assert hits(q, "c")
    assert not hits(q, "c d")
    assert not hits(q, "a d")
    assert hits("(a OR b) c", "b c") and not hits("a OR b c", "c")
    assert hits("a AND (b OR c) AND NOT d", "a c") and not hits("a AND (b OR c) AND NOT d", "a c d")
    assert hits("kopi -(susu OR gula)", "kopi hitam") and not hits("kopi -(susu OR gula)", "kopi gula")


def test_lower_case_operators_are_words():
    assert hits("rock and roll", "rock and roll") and not hits("rock and roll", "rock roll")


def test_hashtags_match_the_post_hashtags_and_the_text():
    assert hits("#SaveKendeng", "tolak tambang", hashtags=["savekendeng"])
    assert hits("#SaveKendeng", "tolak tambang #SAVEKENDENG")
    assert not hits("#SaveKendeng", "save kendeng")             # a hashtag atom needs the hashtag
    assert hits("kendeng", "#Kendeng lestari")                  # a word sees a hashtag's word
    assert hits("#banjir*", "x", hashtags=["BanjirJakarta"]) and not hits("#banjir*", "x", hashtags=["infobanjir"])


def test_accounts_match_mentions_or_the_author():
    assert hits("@komdigi", "iklan slot lagi", mentions=["komdigi"])
    assert hits("@KomDigi", "ini rilis resmi", author_handle="komdigi")
    assert not hits("@komdigi", "komdigi kemana")               # the word is not the account
    assert not hits("komdigi", "tolong @komdigi")               # a mention is not a word


def test_language_and_platform_filters():
    assert hits("banjir", "banjir", languages=["jv"], language="jv")
    assert not hits("banjir", "banjir", languages=["jv"], language="id")
    assert not hits("banjir", "banjir", languages=["jv"])       # unknown language: no match
    assert hits("banjir", "banjir", platforms=["x", "tiktok"], platform="TikTok")
    assert not hits("banjir", "banjir", platforms=["x"], platform="news")
    assert hits("banjir", "banjir", languages=["in"], language="id")  # deprecated alias


@pytest.mark.parametrize("query,message", [
    ("", "empty query"),
    ("(banjir OR banjir*", "'(' is never closed"),
    ("banjir)", "')' without a matching '('"),
    ("banjir AND", "dangling AND"),
    ("AND banjir", "dangling AND"),
    ("banjir OR", "dangling OR"),
    ("banjir AND OR jakarta", "dangling AND"),
    ('"pabrik semen', "unterminated quote"),
    ('""', "empty phrase"),
    ("()", "empty parentheses"),
    ("NOT banjir", "none of its terms"),
    ("-banjir -jakarta", "none of its terms"),
    ("b*", "too short"),
    ("@", "invalid account"),
])
def test_invalid_queries(query, message):
    with pytest.raises(QueryError, match=re.escape(message) if message != "empty query" else "^empty query$"):
        parse_query(query)


def test_error_positions_point_into_the_query():
    with pytest.raises(QueryError) as e:
        parse_query("banjir AND (jakarta OR")
    assert e.value.position == 21


# ---------------------------------------------------------------- the file: line numbers

def test_errors_name_file_line_and_issue(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(
        "issues:\n"
        "  - name: Banjir\n"
        "    query: banjir\n"
        "\n"
        "  - name: Semen Rembang\n"
        "    description: konflik pabrik semen\n"
        "    query: '(\"semen\" AND rembang OR #SaveKendeng'\n"
    )
    with pytest.raises(WatchlistError) as e:
        load_watchlist(path)
    message = str(e.value)
    assert message.startswith(f"{path}:7: issue 'Semen Rembang': invalid query")
    assert "'(' is never closed" in message


@pytest.mark.parametrize("body,line,fragment", [
    ("  - name: A\n    query: a\n  - name: B\n    query: ''\n", 4, "issue 'B': empty query"),
    ("  - name: A\n    query: a\n  - name: B\n", 3, "issue 'B': empty query"),
    ("  - name: A\n    query: a AND\n", 2, "dangling AND"),
    ("  - name: A\n    query: a\n    languages: [id, jawa]\n", 3, "unknown language code 'jawa'"),
    ("  - name: A\n    query: a\n  - name: a\n    query: b\n", 3, "duplicate name (first defined on line 2"),
    ("  - name: A\n    query: a\n    langauges: [id]\n", 3, "unknown key 'langauges'"),
    ("  - query: a\n", 1, "'name' is required"),
    ("  - name: A\n    query: ppn OR #TolakPPN12\n", 2, "' #' starts a comment"),
])
def test_file_errors(body, line, fragment):
    with pytest.raises(WatchlistError) as e:
        Watchlist.from_yaml("issues:\n" + body, "w.yaml")
    assert str(e.value).startswith(f"w.yaml:{line + 1}:") and fragment in str(e.value), str(e.value)


def test_yaml_syntax_error_and_wrong_top_level():
    with pytest.raises(WatchlistError, match=r"^w.yaml:4: not valid YAML.*starts on line 3"):
        Watchlist.from_yaml("issues:\n  - name: A\n    query: [unclosed\n", "w.yaml")
    with pytest.raises(WatchlistError, match="'issues' list"):
        Watchlist.from_yaml("- name: A\n", "w.yaml")


def test_reloading_the_file_changes_the_tagging_without_code(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("issues:\n  - name: Banjir\n    query: banjir\n")
    assert load_watchlist(path).match("banjir lagi") == ["Banjir"]
    path.write_text("issues:\n  - name: Banjir\n    query: banjir -lagi\n  - name: Lagi\n    query: lagi\n")
    assert load_watchlist(path).match("banjir lagi") == ["Lagi"]


# ---------------------------------------------------------------- many issues, one pass

def test_only_issues_whose_atoms_fired_are_evaluated_and_results_match_brute_force():
    import random

    from transforms.logic.watchlist import evaluate, fold
    rng = random.Random(3)
    vocab = [f"w{i}" for i in range(60)]
    entries = []
    for k in range(300):
        terms = [rng.choice(vocab) for _ in range(3)]
        shape = k % 5
        q = [f"{terms[0]} {terms[1]}", f"{terms[0]} OR {terms[1]} -{terms[2]}",
             f'"{terms[0]} {terms[1]}" OR #{terms[2]}', f"({terms[0]} OR {terms[1][:2]}*) {terms[2]}",
             f"@{terms[0]} OR {terms[1]} {terms[2]}"][shape]
        entries.append(f"  - name: i{k}\n    query: '{q}'\n")
    wl = Watchlist.from_yaml("issues:\n" + "".join(entries))
    for _ in range(300):
        words = [rng.choice(vocab) for _ in range(rng.randint(1, 12))]
        tags, mentions = {rng.choice(vocab)}, [rng.choice(vocab)]
        got = wl.match(" ".join(words), hashtags=tags, mentions=mentions)
        tokens = tokenize(" ".join(words))

        def present(atom):
            kind, value = atom
            if kind == "w":
                return value in tokens
            if kind == "w*":
                return any(t.startswith(value) for t in tokens)
            if kind == "p":
                n = len(value)
                return any(tuple(tokens[i:i + n]) == value for i in range(len(tokens)))
            if kind == "#":
                return value in {fold(t) for t in tags}
            return value in {fold(m) for m in mentions}
        expected = [i.name for i in wl.issues if evaluate(i.expr, present)]
        assert got == expected


# ---------------------------------------------------------------- the bundled example

def _sample_docs():
    def ms(s):
        return int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() * 1000)
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        post = json.loads(line)
        post.update(created_at=ms(post["created_at"]), collected_at=ms(post["collected_at"]))
        yield normalize_post(post, line.encode())


def test_example_file_parses():
    wl = load_watchlist(EXAMPLE)
    assert len(wl) >= 12
    assert {"Banjir", "Semen Rembang", "Judi Online", "Kampanye #GiziMerataIndonesiaMaju"} <= set(wl.names)


def test_example_file_tags_the_sample_plausibly():
    wl = load_watchlist(EXAMPLE)
    docs = list(_sample_docs())
    tagged = [(d, wl.match_doc(d)) for d in docs]
    campaign = [issues for d, issues in tagged if "gizimerataindonesiamaju" in d["hashtags"]]
    assert len(campaign) >= 50
    assert all("Kampanye #GiziMerataIndonesiaMaju" in i and "Makan Bergizi Gratis" in i for i in campaign)
    counts = {name: sum(name in i for _, i in tagged) for name in wl.names}
    assert all(n >= 10 for name, n in counts.items() if name != "Keluhan PLN berbahasa Jawa"), counts
    assert 0.4 < sum(bool(i) for _, i in tagged) / len(docs) < 0.8  # chit-chat stays untagged
    by_text = {d["text_clean"]: i for d, i in tagged}
    for text, issue in [
        ("Sawah garing, tuk banyu mati, pabrik semen tetep mlaku. iki jenenge pembangunan? #SaveKendeng 🤣",
         "Semen Rembang"),
        ("Iklan slot masih nongol di mana2, katanya udh diberantas @komdigi #StopJudol #JudiOnline",
         "Judi Online"),
        ("PPN 12% bikin semua naik, rakyat kecil makin kejepit 🙄 #TolakPPN12", "PPN 12%"),
    ]:
        assert issue in by_text[text]
    # precision spot checks: words inside other words and unrelated posts do not match
    assert all("Semen Rembang" not in i for d, i in tagged if "sementara" in d["text_clean"].lower()
               and "semen " not in d["text_clean"].lower())
    assert all(not i for d, i in tagged if d["text_clean"].startswith("Gajian! waktunya jajan"))


def test_language_filter_in_the_example_uses_language_code():
    wl = load_watchlist(EXAMPLE)
    doc = {"text_clean": "Listrik mati maneh ning Surabaya, wis 6 jam", "platform": "x",
           "hashtags": [], "mentions": [], "author": {"handle": "a"}}
    assert "Keluhan PLN berbahasa Jawa" in wl.match_doc(dict(doc, language={"code": "jv"}))
    assert "Keluhan PLN berbahasa Jawa" not in wl.match_doc(dict(doc, language={"code": "id"}))
