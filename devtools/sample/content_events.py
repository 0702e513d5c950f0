"""Scenario texts for the demo sample: the coordinated campaign, the organic flood spike, and
account vocabulary (invented outlets, info accounts and personal names).

Written for pantau.  Outlets, brands, people and the campaign hashtag are invented.
"""
from __future__ import annotations

#: the invented hashtag of the coordinated ("buzzer") campaign.
CAMPAIGN_HASHTAG = "GiziMerataIndonesiaMaju"

#: the campaign text: one sentence skeleton, each slot with small variants (edits).
CAMPAIGN_TEMPLATE = "{open} makan bergizi gratis {proof} negara hadir untuk {kids} {region}. {call} {emo} #" + CAMPAIGN_HASHTAG
CAMPAIGN_SLOTS: dict[str, list[str]] = {
    "open": ["Program", "Program", "Program", "Progam", "Programnya"],
    "proof": ["bukti nyata", "bukti nyata", "adalah bukti nyata", "bukti nyata bahwa", "bukti"],
    "kids": ["anak-anak", "anak-anak", "anak2", "generasi muda", "anak anak"],
    "region": ["Indonesia", "Indonesia", "di seluruh Indonesia", "bangsa", "Indonesia!"],
    "call": ["Mari kita dukung bersama!", "Mari kita dukung bersama!", "Ayo dukung bersama!",
             "Mari dukung bersama!!", "Kita dukung penuh!", "Mari kita kawal bersama!"],
    "emo": ["🇮🇩", "🇮🇩🙏", "💪🇮🇩", "🙏", "🇮🇩🇮🇩", ""],
}

#: the organic spike: a levee breach and flood in Semarang, early morning.
SPIKE_PLACE = "Semarang"
SPIKE_TEMPLATES: dict[str, list[str]] = {
    "id": [
        "neg|Tanggul jebol di {smg_area}, air masuk rumah cepet bgt. tolong doain kami {emo_neg}",
        "neg|Semarang banjir parah pagi ini, {smg_area} udh kayak lautan {emo_neg}",
        "neg|Baru bangun air udh selutut di dalem rumah. {smg_area} tenggelam {emo_neg}",
        "neu|Jalan Kaligawe gak bisa dilewatin sama sekali, truk aja mogok. cari jalur lain",
        "neu|Info banjir Semarang: {smg_area} tergenang 60-100 cm, hindari dulu ya #BanjirSemarang",
        "neg|{exc} airnya naik terus, motor tetangga udh hanyut di {smg_area}",
        "neu|Butuh perahu karet di {smg_area}, ada lansia belum dievakuasi. mohon RT",
        "neu|Yg mau kirim bantuan buat warga {smg_area}, posko di masjid deket kelurahan",
        "neg|Kereta dari Semarang Tawang dibatalin karena rel kerendem. mudik gagal {emo_neg}",
        "neg|Ortu di {smg_area} gak bisa dihubungi dari subuh, listrik mati, hp lowbat. panik bgt",
        "pos|Tim SAR udh sampe {smg_area}, warga mulai dievakuasi. makasih banyak {emo_pos}",
        "neu|Live dari {smg_area}: air belum surut, hujan masih turun #PrayForSemarang",
        "neg|Tiap tahun banjir, tiap tahun janji. Semarang capek {emo_neg} {at_official}",
        "neu|Pantauan pagi ini: Banjir Kanal Timur meluap, {smg_area} dan sekitarnya terendam",
        "neg|Sekolah di {smg_area} diliburkan, ruang kelas kerendam sampe meja {emo_neg}",
        "pos|Warga {smg_area} gotong royong bikin dapur umum, solidaritasnya luar biasa {emo_pos}",
        "neu|Tol Semarang-Demak ditutup sementara karena genangan, putar balik lewat kota",
        "neg|Pabrik di {smg_area} berhenti produksi, karyawan disuruh pulang. air masuk gudang",
        "neu!|Tanggul Jebol, Ribuan Rumah di Semarang Terendam||Tanggul sungai di Semarang jebol "
        "menjelang subuh sehingga ribuan rumah di {smg_area} dan sekitarnya terendam. BPBD Kota "
        "Semarang mengevakuasi warga ke posko.",
        "neu!|Jalur Pantura Semarang Lumpuh Akibat Banjir||Banjir setinggi 70 sentimeter memutus "
        "jalur Pantura di Kaligawe, Semarang. Polisi mengalihkan kendaraan ke jalan tol.",
    ],
    "jv": [
        "neg|Tanggule jebol ning {smg_area}, banyune mlebu omah cepet banget. donga ne yo {emo_neg}",
        "neg|Semarang banjir gedhe esuk iki, {smg_area} wis kaya segara {emo_neg}",
        "neu|Dalan Kaligawe ora iso diliwati babar blas, truk wae mogok",
        "neu|Butuh prau karet ning {smg_area}, isih ana simbah durung dievakuasi. tulung RT",
        "pos|Tim SAR wis tekan {smg_area}, warga wiwit dievakuasi. matur nuwun {emo_pos}",
        "neg|Tangi turu banyu wis sak dengkul ning njero omah. {smg_area} kelem {emo_neg}",
        "neu|Nyuwun donganipun, griya kula ing {smg_area} kebanjiran. sedaya kulawarga wilujeng",
    ],
    "en": [
        "neg|Levee breach in Semarang this morning, whole neighbourhoods under water {emo_neg}",
        "neu|Semarang flooding: {smg_area} under a metre of water, Pantura road closed #BanjirSemarang",
        "pos|Rescue teams reached {smg_area}, families are being evacuated now",
    ],
    "id-en": [
        "neg|Semarang banjir parah, literally rumah temen gue di {smg_area} tenggelam {emo_neg}",
        "neu|Please share: butuh evacuation boat di {smg_area}, ada elderly yg stuck #PrayForSemarang",
    ],
}

#: invented news outlets: (display name, handle, domain, followers, lang).
OUTLETS: list[tuple[str, str, str, int, str]] = [
    ("Kabar Nusantara", "kabarnusantara", "kabarnusantara.co.id", 4_800_000, "id"),
    ("Lintas Warta", "lintaswarta", "lintaswarta.id", 2_300_000, "id"),
    ("Detak Kota", "detakkota", "detakkota.com", 1_150_000, "id"),
    ("Suara Publik", "suarapublik", "suarapublik.id", 640_000, "id"),
    ("Warta Jateng Raya", "wartajatengraya", "wartajatengraya.com", 210_000, "id"),
    ("Archipelago Daily", "archipelagodaily", "archipelagodaily.com", 1_300_000, "en"),
]

#: verified non-news accounts on social platforms: (platform, display, handle, followers, lang).
VERIFIED: list[tuple[str, str, str, int, str]] = [
    ("x", "Kabar Nusantara", "KabarNusantaraID", 3_900_000, "id"),
    ("x", "Lintas Warta", "LintasWartaID", 1_700_000, "id"),
    ("x", "Info Lalu Lintas Jabodetabek", "InfoLantasJBD", 1_050_000, "id"),
    ("x", "Archipelago Daily", "ArchipelagoDly", 880_000, "en"),
    ("instagram", "Detak Kota", "detakkota.official", 2_100_000, "id"),
    ("tiktok", "Kabar Nusantara", "kabarnusantara.tv", 1_400_000, "id"),
    ("youtube", "Kabar Nusantara TV", "KabarNusantaraTV", 5_200_000, "id"),
    ("facebook", "Info Cuaca & Bencana Nusantara", "infocuacanusantara", 1_250_000, "id"),
    ("x", "Pusat Info Banjir Jateng", "InfoBanjirJateng", 185_000, "id"),
]

FIRST_NAMES: list[str] = [
    "Adi", "Agung", "Aldi", "Anisa", "Arief", "Bagus", "Bella", "Budi", "Cahya", "Dani", "Desi",
    "Dinda", "Eka", "Elsa", "Fadli", "Farah", "Gilang", "Hana", "Hilman", "Indah", "Irfan",
    "Joko", "Kartika", "Laras", "Lukman", "Maya", "Nanda", "Nur", "Oki", "Puji", "Raka", "Rani",
    "Reza", "Sinta", "Surya", "Tari", "Teguh", "Tika", "Umar", "Vina", "Wahyu", "Yanti",
    "Yoga", "Zaki", "Asep", "Ujang", "Euis", "Cecep", "Neng", "Slamet", "Sri", "Paijo", "Tejo",
    "Ningsih", "Nadia", "Aiman", "Syafiq", "Hafiz", "Aisyah", "Kevin", "Jessica", "Michael",
]
LAST_NAMES: list[str] = [
    "Pratama", "Saputra", "Wijaya", "Lestari", "Hidayat", "Nugroho", "Kusuma", "Santoso",
    "Siregar", "Harahap", "Simanjuntak", "Wibowo", "Rahmawati", "Permana", "Gunawan", "Setiadi",
    "Hakim", "Maulana", "Susanto", "Purnomo", "Sembiring", "Lubis", "Tanoto", "Halim",
]
HANDLE_WORDS: list[str] = [
    "anak", "senja", "kopi", "rebahan", "warga", "si", "mas", "mbak", "bang", "kang", "teh",
    "ngopi", "jalan", "kucing", "mie", "receh", "bucin", "gabut", "real", "official",
]
#: display/handle stems for the campaign accounts (generic, patriotic, numbered).
CAMPAIGN_HANDLE_STEMS: list[str] = [
    "nusantara_maju", "garuda_muda", "rakyat_bersatu", "indonesia_hebat", "suara_rakyat",
    "pejuang_nkri", "merah_putih", "bangsa_kuat", "warga_peduli", "generasi_emas",
]

#: extra first names typical for a language (added to FIRST_NAMES for authors of that language).
NAMES_BY_LANG: dict[str, list[str]] = {
    "jv": ["Slamet", "Sri", "Paijo", "Tejo", "Ningsih", "Wagiman", "Sumarni", "Bambang", "Tri"],
    "su": ["Asep", "Ujang", "Euis", "Cecep", "Neng", "Dadang", "Iis", "Encep", "Yayan"],
    "ms": ["Aiman", "Syafiq", "Hafiz", "Aisyah", "Nurul", "Amirul", "Farhana", "Zulkifli"],
    "en": ["Tom", "Sarah", "Lukas", "Emma", "Daniel", "Olivia", "Kevin", "Jessica", "Michael"],
}
