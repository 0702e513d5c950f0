"""Near-duplicate signatures: SimHash, bands, and rates on a synthetic buzzer campaign.

Thresholds (measured values in ``transforms/logic/neardup.py``; the data here is seeded, so the
rates are deterministic, and the thresholds leave room for small changes of the generator):

* campaign pairs sharing at least one band         >= 0.95  (measured 0.99)
* campaign copies sharing a band with the original  >= 0.95  (measured 1.00)
* campaign pairs within MAX_BITS                   >= 0.95  (measured 0.99)
* organic pairs sharing a band                      <= 0.10  (measured 0.060)
* organic pairs within MAX_BITS                     <= 0.01  (measured 0.004: identical fillers)
* organic posts sharing a band with any campaign copy <= 0.15 (measured 0.085)
* the largest band bucket holds >= 30 campaign copies; no bucket holds more than 20 organic posts
"""
import itertools
import random
from collections import Counter

import pytest

from transforms.logic.neardup import (
    BANDS,
    MAX_BITS,
    bands,
    hamming,
    near_dup_for_doc,
    normalize_for_signature,
    shingles,
    signature,
    simhash,
    similar,
)

BASE = ("Program makan bergizi gratis adalah bukti nyata negara hadir untuk anak-anak Indonesia. "
        "Mari kita dukung bersama demi generasi emas yang sehat dan cerdas! #GiziMerataIndonesiaMaju")
EMOJI = ["🇮🇩", "💪", "🙏", "❤️", "👏", "🔥", "😍"]

def _typo(word, rng):
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(["sub", "drop", "double", "swap"])
    if op == "sub":
        return word[:i] + rng.choice("aeiounrst") + word[i + 1:]
    if op == "drop":
        return word[:i] + word[i + 1:]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]

def campaign(n=40, seed=7):
    rng = random.Random(seed)
    out = []
    for k in range(n):
        words = BASE.split()
        for _ in range(rng.randint(1, 3)):
            edit = rng.choice(["typo", "emoji", "swap", "mention"])
            if edit == "typo":
                j = rng.randrange(len(words))
                words[j] = _typo(words[j], rng)
            elif edit == "emoji":
                words.insert(rng.randrange(len(words) + 1), rng.choice(EMOJI))
            elif edit == "swap":
                j = rng.randrange(len(words) - 1)
                words[j], words[j + 1] = words[j + 1], words[j]
            else:
                words.insert(0, f"@akun_{rng.randrange(10**6)}")
        out.append(" ".join(words))
    return out

SUBJ = ["anakku", "ponakan gue", "adik saya", "murid-murid di sekolah kami", "anak tetangga",
        "si kecil", "anak-anak di desa kami", "teman sekelas anakku", "cucu saya", "siswa SD dekat rumah"]
FOOD = ["nasi, ayam goreng, sayur bening", "nasi, tempe bacem, sup wortel", "nasi kuning dan telur",
        "ikan bakar dan pisang", "semur daging, capcay, pepaya", "bubur kacang hijau", "roti dan susu",
        "nasi, tahu, sayur asem", "mie, bakso, jeruk"]
OPIN = ["enak banget katanya", "porsinya kurang", "katanya hambar", "lumayan bergizi", "sering telat datang",
        "habis tak bersisa", "kurang buah", "bikin anak semangat sekolah", "kadang sudah dingin"]
PLACE = ["Bogor", "Semarang", "Makassar", "Bandung", "Medan", "Kupang", "Solo", "Depok", "Palembang", "Malang"]
ASK = ["menurut kalian cukup?", "ada yang sama?", "gimana di sekolah kalian?", "semoga lancar terus",
       "tolong dievaluasi ya", "mantap lanjutkan", "", "", "wkwk", "hmm"]
TAGS = ["", "", "#MBG", "#MakanBergiziGratis", "#GiziAnak", "#GiziMerataIndonesiaMaju"]
TEMPLATES = [
    "{s} dapat makan bergizi gratis hari ini: {f}. {o}, {a} {t}",
    "menu makan bergizi gratis di {p} hari ini {f}, {o} {t}",
    "jujur program makan bergizi gratis di {p} {o}. {s} cerita menunya {f} {a} {t}",
    "kata {s}, MBG di sekolahnya {o}. tadi menunya {f} {t}",
    "{a} baru baca berita soal anggaran makan bergizi gratis di {p}, katanya per porsi {n} ribu {t}",
    "dapur MBG di {p} belum dibayar {n} bulan, kasihan ibu-ibu yang masak {a} {t}",
    "{s} pulang sekolah bilang makan siang gratis {o}. {a}",
    "makan bergizi gratis oke, tapi di {p} distribusinya {o}. {a} {t}",
    "semoga program MBG terus jalan, {s} jadi rajin sarapan. menu hari ini {f} {t}",
    "ada yang tahu jadwal makan bergizi gratis di {p}? {s} belum dapat {n} hari {t}",
]

def organic(n=200, seed=11):
    rng = random.Random(seed)
    return [rng.choice(TEMPLATES).format(s=rng.choice(SUBJ), f=rng.choice(FOOD), o=rng.choice(OPIN),
                                         p=rng.choice(PLACE), a=rng.choice(ASK), t=rng.choice(TAGS),
                                         n=rng.randint(2, 15)).strip()
            for _ in range(n)]


# ---------------------------------------------------------------- pure functions

def test_normalization_strips_urls_mentions_numbers_emoji_punctuation():
    assert normalize_for_signature("RT @budi_99: Harga BBM NAIIIK 10%!!! 😡 https://t.co/x #TolakBBM") == \
        ["rt", "harga", "bbm", "naik", "tolakbbm"]
    assert normalize_for_signature("Kafé, anak2") == ["kafe", "anak"]


def test_signature_shape_and_determinism():
    sig = signature("Program makan bergizi gratis untuk anak Indonesia")
    assert set(sig) == {"simhash", "bands", "cluster"} and sig["cluster"] is None
    assert len(sig["simhash"]) == 16 and int(sig["simhash"], 16) >= 0
    assert len(sig["bands"]) == BANDS and len(set(k.split(":")[0] for k in sig["bands"])) == BANDS
    assert sig == signature("Program makan bergizi gratis untuk anak Indonesia")
    # the same fingerprint whatever the emoji, mentions, numbers and case
    assert signature("@x PROGRAM makan bergizi gratis 2025 untuk anak Indonesia 🇮🇩")["simhash"] == sig["simhash"]
    assert signature("🙏 123 !!") is None and signature("") is None


def test_bands_cover_all_64_bits():
    value = 0x0123456789ABCDEF
    keys = bands(value)
    bits = "".join(format(int(k.split(":")[1], 16), f"0{w}b")
                   for k, w in zip(keys, [11, 11, 11, 11, 10, 10]))
    assert int(bits, 2) == value
    assert bands(f"{value:016x}") == keys
    assert [k.split(":")[0] for k in bands(value, 4)] == ["0", "1", "2", "3"]


def test_hamming_and_similar():
    assert hamming(0, 0) == 0 and hamming("ffffffffffffffff", 0) == 64 and hamming(0b1011, 0b0001) == 2
    assert similar("00000000000000ff", "0000000000000000", 8)
    assert not similar("00000000000001ff", "0000000000000000", 8)
    assert similar(1, 3, 1) and not similar(1, 2, 0)


def test_simhash_of_empty_and_weights():
    assert simhash(Counter()) == 0
    f = shingles(["banjir"])
    assert simhash(f) == simhash(list(f.elements()))


def test_pigeonhole_any_pair_within_five_bits_shares_a_band():
    rng = random.Random(1)
    for _ in range(500):
        a = rng.getrandbits(64)
        b = a
        for bit in rng.sample(range(64), rng.randint(0, BANDS - 1)):
            b ^= 1 << bit
        assert set(bands(a)) & set(bands(b))


def test_doc_signature_uses_text_clean():
    doc = {"text_clean": "Banjir lagi di Kemang", "title": "Headline"}
    assert near_dup_for_doc(doc) == signature("Banjir lagi di Kemang")


# ---------------------------------------------------------------- rates on synthetic data

def _share(a, b):
    return bool(set(a["bands"]) & set(b["bands"]))


@pytest.fixture(scope="module")
def sigs():
    return [signature(t) for t in campaign()], [signature(t) for t in organic()], signature(BASE)


def test_campaign_copies_are_small_edits():
    copies = campaign()
    assert len(set(copies)) == 40 and BASE not in copies


def test_campaign_lands_in_shared_bands(sigs):
    camp, _, base = sigs
    pairs = list(itertools.combinations(camp, 2))
    assert sum(_share(a, b) for a, b in pairs) / len(pairs) >= 0.95
    assert sum(_share(base, c) for c in camp) / len(camp) >= 0.95
    assert sum(similar(a["simhash"], b["simhash"], MAX_BITS) for a, b in pairs) / len(pairs) >= 0.95


def test_organic_posts_rarely_do(sigs):
    camp, org, _ = sigs
    pairs = list(itertools.combinations(org, 2))
    assert sum(_share(a, b) for a, b in pairs) / len(pairs) <= 0.10
    assert sum(similar(a["simhash"], b["simhash"], MAX_BITS) for a, b in pairs) / len(pairs) <= 0.01
    assert sum(any(_share(o, c) for c in camp) for o in org) / len(org) <= 0.15


def test_band_buckets_separate_the_campaign(sigs):
    """What the monitoring job sees when it groups by ``near_dup.bands``."""
    camp, org, _ = sigs
    campaign_count, organic_count = Counter(), Counter()
    for s in camp:
        campaign_count.update(s["bands"])
    for s in org:
        organic_count.update(s["bands"])
    assert max(campaign_count.values()) >= 30
    assert max(organic_count.values()) <= 20


def test_fingerprints_are_stable_across_implementations():
    # values of the first (per-bit shift) implementation: documents indexed before a speed-up keep
    # matching new ones only if the fingerprint of a text never changes
    assert signature("Banjir lagi di Semarang, warga mengungsi ke masjid #BanjirSemarang")["simhash"] == "25657da631b50b89"
    assert signature("Kenaikan harga BBM bikin rakyat kecil makin susah 😡")["simhash"] == "2d154f1be77248c6"
