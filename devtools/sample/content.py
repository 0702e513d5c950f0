"""Slot data and Indonesian templates for the bundled demo sample (``devtools.sample.posts``).

Everything here was written for pantau; person names are invented, institutions and places are
real.  Brands in customer-service complaints are invented too.

Template strings are ``"<sentiment>[!]|text"`` where sentiment is ``pos``/``neu``/``neg`` and a
``!`` marks formal register (used for news and official accounts, never slang-noised).  A formal
template may carry a headline: ``"neu!|Headline||body"``.  ``{slot}`` names refer to
:data:`SLOTS` (the same slot name gets the same value within one post; ``{name2}``-style
numbered copies give a second, different value).
"""
from __future__ import annotations

#: city -> (lat, lon) of the city centre; used for geo and for the {city} slot.
CITY_COORDS: dict[str, tuple[float, float]] = {
    "Jakarta": (-6.2088, 106.8456), "Surabaya": (-7.2575, 112.7521),
    "Bandung": (-6.9175, 107.6191), "Semarang": (-6.9667, 110.4167),
    "Yogyakarta": (-7.7956, 110.3695), "Medan": (3.5952, 98.6722),
    "Makassar": (-5.1477, 119.4327), "Denpasar": (-8.6705, 115.2126),
    "Palembang": (-2.9761, 104.7754), "Balikpapan": (-1.2379, 116.8529),
    "Rembang": (-6.7083, 111.3417), "Solo": (-7.5755, 110.8243),
    "Bogor": (-6.5971, 106.8060), "Depok": (-6.4025, 106.7942),
    "Bekasi": (-6.2383, 106.9756), "Tangerang": (-6.1783, 106.6319),
    "Malang": (-7.9666, 112.6326), "Pontianak": (-0.0263, 109.3425),
    "Manado": (1.4748, 124.8421), "Tasikmalaya": (-7.3274, 108.2207),
    "Garut": (-7.2279, 107.9087), "Pekanbaru": (0.5071, 101.4478),
    "Batam": (1.0456, 104.0305), "Pati": (-6.7559, 111.0380),
    "Kudus": (-6.8048, 110.8405), "Samarinda": (-0.5022, 117.1536),
}

#: home cities of authors by the language they mostly write.
HOME_CITIES: dict[str, list[str]] = {
    "id": ["Jakarta", "Jakarta", "Jakarta", "Bekasi", "Depok", "Tangerang", "Bogor", "Surabaya",
           "Medan", "Makassar", "Palembang", "Denpasar", "Balikpapan", "Pontianak", "Manado",
           "Semarang", "Bandung", "Samarinda"],
    "jv": ["Semarang", "Semarang", "Solo", "Yogyakarta", "Surabaya", "Malang", "Rembang", "Pati",
           "Kudus"],
    "su": ["Bandung", "Bandung", "Bogor", "Tasikmalaya", "Garut"],
    "en": ["Jakarta", "Jakarta", "Denpasar", "Bandung", "Surabaya", "Yogyakarta"],
    "ms": ["Pekanbaru", "Batam", "Pontianak", "Medan"],
    "id-en": ["Jakarta", "Jakarta", "Tangerang", "Bandung", "Surabaya", "Depok"],
}

SLOTS: dict[str, list[str]] = {
    "city": ["Jakarta", "Surabaya", "Bandung", "Semarang", "Medan", "Makassar", "Palembang",
             "Yogyakarta", "Denpasar", "Bekasi", "Depok", "Bogor", "Tangerang", "Malang", "Solo"],
    "jkt_area": ["Kemang", "Cawang", "Grogol", "Kampung Melayu", "Pluit", "Cipinang Melayu",
                 "Bukit Duri", "Kelapa Gading", "Cempaka Putih", "Jatinegara", "Pesanggrahan",
                 "Rawajati", "Kebon Pala", "Tegal Alur", "Cilandak"],
    "smg_area": ["Kaligawe", "Genuk", "Tanjung Mas", "Tlogosari", "Pedurungan", "Mangkang",
                 "Terboyo", "Bandarharjo", "Muktiharjo", "Sawah Besar"],
    "station": ["Manggarai", "Tanah Abang", "Bekasi", "Bogor", "Depok Baru", "Citayam", "Duri",
                "Sudirman", "Jatinegara", "Rangkasbitung", "Serpong", "Cikarang", "Pasar Minggu"],
    "mrt_station": ["Lebak Bulus", "Blok M", "Bundaran HI", "Dukuh Atas", "Fatmawati",
                    "Senayan", "Istora", "Cipete Raya", "Haji Nawi", "Setiabudi"],
    "tj_route": ["koridor 1", "koridor 9", "koridor 13", "koridor 6", "rute 1P", "koridor 3",
                 "rute 4F", "koridor 10"],
    "road": ["Tol Cikampek", "Jalan Sudirman", "Gatot Subroto", "Daan Mogot", "Tol Dalam Kota",
             "Jalan Raya Bogor", "Pantura", "TB Simatupang", "Jalan Kaligawe", "Margonda",
             "Tol JORR", "Jalan Fatmawati", "Casablanca", "Jalan Panjang"],
    "name": ["Dimas", "Rina", "Bayu", "Sari", "Agus", "Putri", "Fajar", "Wulan", "Yudi", "Nita",
             "Rudi", "Lestari", "Hendra", "Ayu", "Bima", "Citra", "Eko", "Dewi", "Galih", "Intan"],
    "opponent": ["Vietnam", "Thailand", "Malaysia", "Jepang", "Arab Saudi", "Australia",
                 "Filipina", "Bahrain", "China", "Irak"],
    "player": ["Bagas Wicaksono", "Rendra Pratama", "Yoga Saputra", "Ilham Maulana",
               "Kevin Hartono", "Stefan de Groot", "Arif Nugraha", "Dani Setiawan"],
    "score": ["2-1", "1-0", "3-1", "2-0", "4-0", "3-2", "2-0", "1-0"],
    "price_bbm": ["Rp10.000", "Rp10.200", "Rp10.500", "Rp11.000", "Rp12.800", "Rp13.500"],
    "price_rice": ["Rp14.500", "Rp15.000", "Rp15.800", "Rp16.200", "Rp17.000", "Rp18.500"],
    "hour": ["06.30", "07.15", "07.40", "08.05", "16.50", "17.45", "18.20", "19.10", "21.00",
             "05.45"],
    "mins": ["20", "30", "40", "45", "50", "90"],
    "n": ["2", "3", "4", "5", "6", "7", "8"],
    "big": ["1,2 juta", "3,4 juta", "6 juta", "12 juta", "34 juta", "279 ribu", "850 ribu"],
    "ministry": ["Kemenkeu", "Kemenkes", "Kemenhub", "Komdigi", "Kementerian ESDM", "Bapanas",
                 "Kemendagri", "Kementerian PUPR"],
    "province": ["Jawa Tengah", "Jawa Barat", "DKI Jakarta", "Jawa Timur", "Banten",
                 "Kalimantan Timur", "Sumatera Utara", "Sulawesi Selatan", "Bali"],
    "menu": ["nasi, ayam goreng, tumis buncis, jeruk", "nasi kuning, telur balado, sayur, susu",
             "nasi, ikan bakar, sayur bening, pisang", "nasi, tempe bacem, sup wortel, semangka",
             "nasi, semur daging, capcay, pepaya", "nasi, lele goreng, lalapan, melon"],
    "food": ["seblak", "bakso", "mie ayam", "nasi padang", "martabak", "es teh", "gorengan",
             "soto", "nasi goreng", "pecel lele", "ketoprak", "bubur ayam", "sate", "cilok"],
    "when": ["subuh", "jam 3 pagi", "kemarin", "semalam", "tadi pagi", "pagi", "kemarin sore",
             "jam 10"],
    "day": ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"],
    "emo_pos": ["😍", "🔥", "👍", "🥰", "😁", "🙏", "💪", "👏", "🤩", "❤️"],
    "emo_neg": ["😭", "😡", "🤬", "😤", "🙄", "😩", "💀", "😒", "🥲", "😞"],
    "emo_neu": ["🤔", "😅", "📌", "👀", "🫠", "🙂", "📢"],
    "lol": ["wkwk", "wkwkwk", "wkwkwkwk", "awokawok", "xixixi", "hahaha", "wkwkwk 😂"],
    "exc": ["anjir", "anjay", "buset", "astaga", "ya ampun", "gila", "waduh", "lah"],
    "telco": ["SinyalKita|sinyalkita_care", "Telkonet|telkonet_cs", "NusaFiber|nusafiber_id"],
    "bank": ["Bank Nusa Raya|banknusaraya", "BankMaju|bankmaju_care",
             "Bank Sejahtera|banksejahtera_cs"],
    "shop": ["Belanjain|belanjain_id", "TokoKilat|tokokilat_care", "PasarDigi|pasardigi_cs"],
    "ojol": ["ojol", "abang ojol", "driver ojol", "kurir paket"],
    "link": ["https://bit.ly/3xInfoPublik", "https://s.id/laporwarga", "https://bit.ly/cekBansos24",
             "https://s.id/infobanjir"],
}

#: slot -> the other slot whose ``a|b`` value it takes the second half of.
LINKED_SLOTS: dict[str, str] = {"at_telco": "telco", "at_bank": "bank", "at_shop": "shop"}

#: @handles a post about a topic may address (real institutional accounts or invented brands).
TOPIC_MENTIONS: dict[str, list[str]] = {
    "fuel_price": ["pertamina", "KementerianESDM"],
    "flood": ["BNPB_Indonesia", "DKIJakarta", "humaspemkotsmg"],
    "traffic": ["TMCPoldaMetro", "DivHumas_Polri"],
    "public_transport": ["CommuterLine", "mrtjakarta", "PT_Transjakarta", "KAI121"],
    "free_meals": ["BGN_RI"],
    "power_outage": ["pln_123"],
    "football": ["PSSI", "TimnasIndonesia"],
    "rice_price": ["Bulog_RI", "BapanasRI"],
    "online_gambling": ["DivHumas_Polri", "komdigi"],
    "kendeng": ["KLHK_RI"],
    "ikn": ["IKN_id"],
    "tax": ["DitjenPajakRI", "KemenkeuRI"],
    "customer_service": [],
    "local_government": ["DKIJakarta", "humaspemkotsmg", "LAPOR1708"],
    "data_leak": ["komdigi", "BSSN_RI"],
    "weather": ["infoBMKG"],
    "chatter": [],
}

#: hashtags people add to posts on a topic (without '#').
TOPIC_HASHTAGS: dict[str, list[str]] = {
    "fuel_price": ["BBMNaik", "Pertalite", "HargaBBM", "TolakKenaikanBBM"],
    "flood": ["BanjirJakarta", "BanjirSemarang", "Banjir", "InfoBanjir", "PrayForSemarang"],
    "traffic": ["Macet", "InfoLantas", "MacetJakarta", "LaluLintas"],
    "public_transport": ["KRL", "CommuterLine", "MRTJakarta", "TransJakarta", "AnakKereta"],
    "free_meals": ["MakanBergiziGratis", "MBG", "GiziAnak"],
    "power_outage": ["PLN", "MatiLampu", "PadamListrik"],
    "football": ["TimnasDay", "GarudaMendunia", "TimnasIndonesia", "KitaGaruda"],
    "rice_price": ["HargaBeras", "Beras", "Sembako"],
    "online_gambling": ["JudiOnline", "BerantasJudol", "StopJudol"],
    "kendeng": ["SaveKendeng", "TolakPabrikSemen", "KendengLestari"],
    "ikn": ["IKN", "IbuKotaNusantara", "IKNNusantara"],
    "tax": ["PPN12Persen", "TolakPPN12", "Pajak"],
    "customer_service": ["Komplain", "PelayananBuruk", "CSLemot"],
    "local_government": ["PelayananPublik", "LaporWarga", "PemdaResponsif"],
    "data_leak": ["KebocoranData", "DataPribadi", "PDPBukanMimpi"],
    "weather": ["InfoBMKG", "CuacaHariIni", "PeringatanDini"],
    "chatter": ["SeninLagi", "Kuliner", "Random", "CurhatDong", "Jumatan"],
}

#: Indonesian (informal and formal) templates per topic.
ID_TEMPLATES: dict[str, list[str]] = {
    "fuel_price": [
        "neg|Pertalite naik lagi jadi {price_bbm}?? gaji gak naik2 tapi bensin naik terus {emo_neg}",
        "neg|{exc}, isi full tank sekarang bisa buat makan 3 hari. BBM naik bgt parah",
        "neg|Antre di SPBU {city} udh {mins} menit, Pertalite kosong lagi. capek bgt {emo_neg}",
        "neg|Yg bilang BBM naik cuma dikit coba deh jadi {ojol} sehari aja {emo_neg}",
        "neu|Ada yg tau harga Pertalite di {city} sekarang brp? katanya udh {price_bbm} ya",
        "neu|Mulai besok pake aplikasi buat beli Pertalite ya gaes, jgn lupa daftar dulu {at_official}",
        "pos|Alhamdulillah Pertamax malah turun dikit bulan ini, lumayan buat anak2 kos {emo_pos}",
        "pos|Kalo subsidinya beneran tepat sasaran sih aku dukung, asal transparan {emo_pos}",
        "neu!|Pemerintah Sesuaikan Harga BBM Nonsubsidi||Pertamina menyesuaikan harga BBM "
        "nonsubsidi mulai pekan ini. Harga Pertalite di {province} tetap {price_bbm} per liter, "
        "sementara Pertamax disesuaikan mengikuti harga minyak dunia.",
        "neg!|Antrean Kendaraan Mengular di SPBU {city}||Antrean kendaraan terlihat di sejumlah "
        "SPBU di {city} sejak dini hari setelah pasokan Pertalite terlambat datang. Warga mengeluhkan "
        "waktu tunggu hingga {mins} menit.",
    ],
    "flood": [
        "neg|Banjir lagi di {jkt_area}, air udh sepinggang. motor gak bisa lewat sama sekali {emo_neg}",
        "neg|Tiap hujan {mins} menit doang {jkt_area} langsung tenggelam. kapan beresnya sih {at_official}",
        "neg|Rumah ortu di {smg_area} kebanjiran lagi, barang2 gak sempet diangkat {emo_neg}",
        "neu|Info: jalan di {jkt_area} tergenang sekitar 40 cm, yg mau lewat mending cari jalur lain",
        "neu|Ada yg tau posko pengungsian terdekat di {smg_area}? keluarga butuh tempat malam ini",
        "pos|Salut sama relawan yg dari {when} bantu evakuasi warga {jkt_area}, kalian keren {emo_pos}",
        "pos|Pompa air di {jkt_area} akhirnya jalan, air cepet surut. makasih petugas {emo_pos}",
        "neg|Udah {day} aja masih banjir, anak2 gak bisa sekolah, dapur terendam {emo_neg}",
        "neu!|Banjir Rendam Permukiman di {jkt_area}||Hujan deras sejak dini hari membuat permukiman "
        "di {jkt_area} terendam setinggi 50 hingga 80 sentimeter. BPBD DKI Jakarta mencatat "
        "{n} RT terdampak dan warga mulai mengungsi.",
        "neu!|Air Rob dan Hujan Deras, Jalan Kaligawe Semarang Lumpuh||Genangan setinggi lutut "
        "orang dewasa menutup Jalan Kaligawe, Semarang. Pemkot Semarang mengerahkan pompa portabel "
        "dan mengimbau pengendara memutar lewat jalur tol.",
    ],
    "traffic": [
        "neg|Macet parah di {road}, udh {mins} menit gak gerak sama sekali {emo_neg}",
        "neg|{exc} {road} jam {hour} kayak parkiran raksasa. telat ngantor lagi deh",
        "neg|Pulang kerja lewat {road} makan waktu 2 jam, tua di jalan beneran {emo_neg}",
        "neu|{road} arah {city} padat merayap ya, ada perbaikan jalan di lajur kanan",
        "neu|Ganjil genap di {road} berlaku lagi mulai {day}, jgn sampe kena tilang",
        "pos|Tumben {road} lancar jaya pagi ini, 15 menit doang nyampe kantor {emo_pos}",
        "neg|Lampu merah di {road} mati dari {when}, semua saling serobot. polisi mana nih {at_official}",
        "neu!|Kepadatan Lalu Lintas di {road} Meningkat||Kepadatan kendaraan terpantau di {road} "
        "pada jam sibuk pagi. Polda Metro Jaya menerapkan rekayasa lalu lintas dan mengimbau "
        "pengendara menggunakan jalur alternatif.",
    ],
    "public_transport": [
        "neg|KRL dari {station} telat {mins} menit lagi, penumpang numpuk kayak ikan pepes {emo_neg}",
        "neg|Gangguan sinyal di {station} lagi?? tiap pagi gini terus {at_official}",
        "pos|MRT emang juara sih, dari {mrt_station} ke {mrt_station2} cuma bentar, adem pula {emo_pos}",
        "pos|Naik TransJakarta {tj_route} sekarang bisnya baru2, bersih bgt {emo_pos}",
        "neg|Nunggu TransJakarta {tj_route} hampir {mins} menit, halte penuh sesak {emo_neg}",
        "neu|Buat yg naik KRL, transit {station} lagi dialihkan ke peron sebelah ya",
        "neu|Tarif KRL katanya mau pake NIK ya? ada yg udh baca aturannya?",
        "pos|Anak kereta {station} hari ini aman, dapet duduk pula. rezeki {lol}",
        "neu!|KAI Commuter Tambah Perjalanan KRL||KAI Commuter menambah perjalanan KRL lintas "
        "{station} mulai pekan depan untuk mengurai kepadatan penumpang pada jam sibuk.",
        "pos!|Penumpang MRT Jakarta Tembus Rekor Harian||PT MRT Jakarta mencatat jumlah penumpang "
        "harian tertinggi sepanjang tahun. Stasiun {mrt_station} dan Dukuh Atas menjadi yang "
        "tersibuk.",
    ],
    "free_meals": [
        "pos|Anakku seneng bgt dapet makan bergizi gratis di sekolah, menunya {menu} {emo_pos}",
        "pos|Program makan bergizi gratis di SD deket rumah jalan lancar, ibu2 kantin ikut kerja {emo_pos}",
        "neg|Makan gratis di sekolah ponakan telat dateng, nasinya udh dingin & basi {emo_neg}",
        "neg|Dengar2 ada siswa keracunan abis makan MBG di {city}. tolong diawasi bener2 {at_official}",
        "neu|Menu MBG hari ini di sekolah adek: {menu}. menurut kalian udh cukup gizinya?",
        "neu|Anggaran makan bergizi gratis per anak berapa sih sebenernya? ada yg tau?",
        "neg|Dapur MBG di {city} katanya belum dibayar berbulan2, kasian yg masak {emo_neg}",
        "pos!|Makan Bergizi Gratis Jangkau Sekolah di {province}||Badan Gizi Nasional menyatakan "
        "program Makan Bergizi Gratis telah menjangkau ribuan sekolah di {province}. Menu disusun "
        "ahli gizi dengan bahan pangan lokal.",
        "neg!|Puluhan Siswa di {city} Diduga Keracunan Menu MBG||Puluhan siswa sekolah dasar di "
        "{city} dilarikan ke puskesmas setelah menyantap menu makan bergizi gratis. Dinas Kesehatan "
        "mengambil sampel makanan untuk diuji.",
    ],
    "power_outage": [
        "neg|Mati lampu lagi di {city}, udh {n} jam. kulkas, wifi, semua mati {emo_neg} {at_official}",
        "neg|PLN tolong dong, tiap malem listrik byar pet di {jkt_area}. anak mau belajar {emo_neg}",
        "neg|Lagi kerja deadline tiba2 padam, laptop lowbat. {exc} {emo_neg}",
        "neu|Ada pemadaman bergilir di {city} hari ini jam {hour}, cek jadwalnya di aplikasi PLN",
        "pos|Listrik udh nyala lagi, petugas PLN gercep bgt malem2 naik tiang {emo_pos}",
        "neu|Token listrik 100rb sekarang dapet berapa kWh ya? kok cepet abis",
        "neg!|Pemadaman Listrik Landa Sebagian {province}||PLN menyebut gangguan pada jaringan "
        "transmisi menyebabkan pemadaman di sebagian wilayah {province} sejak {day} malam. Petugas "
        "masih melakukan pemulihan bertahap.",
    ],
    "football": [
        "pos|GOLLL!!! Timnas menang {score} lawan {opponent}, merinding bangeeet {emo_pos}",
        "pos|{player} main gila sih malem ini, MOTM fix {emo_pos} #TimnasDay",
        "neg|Kalah lagi lawan {opponent}, lini belakang kita bolong bgt {emo_neg}",
        "neg|Pelatihnya harus dievaluasi sih, rotasi pemain aneh bgt lawan {opponent}",
        "neu|Timnas vs {opponent} kick off jam {hour} WIB ya, nobar di mana nih warga {city}?",
        "pos|Nobar di {city} rame bgt, satu kampung teriak pas gol {lol} {emo_pos}",
        "neu|Tiket timnas lawan {opponent} udh war belum? katanya abis dalam {mins} menit",
        "pos!|Timnas Indonesia Tundukkan {opponent}||Timnas Indonesia menang {score} atas "
        "{opponent} di Stadion Utama Gelora Bung Karno. Gol penentu dicetak {player} pada babak "
        "kedua.",
    ],
}

ID_TEMPLATES.update({
    "rice_price": [
        "neg|Beras medium di pasar {city} udh {price_rice} sekilo, emak2 pada ngeluh {emo_neg}",
        "neg|Harga beras naik terus, gaji segitu2 aja. mau makan apa kita {emo_neg}",
        "neu|Beras SPHP dari Bulog ada di pasar mana aja ya di {city}? butuh info",
        "pos|Operasi pasar di kelurahan tadi lumayan, beras {price_rice} dapet 5 kilo {emo_pos}",
        "neg|Katanya panen raya tapi kok beras malah mahal? aneh bgt {at_official}",
        "neu|Warung deket rumah jual beras {price_rice}/kg, di {city} segitu juga gak?",
        "neu!|Bulog Gelar Operasi Pasar di {city}||Perum Bulog menggelar operasi pasar beras di "
        "{city} untuk menahan kenaikan harga. Beras medium dijual di bawah harga eceran tertinggi.",
        "neg!|Harga Beras di {province} Tembus {price_rice} per Kilogram||Harga beras medium di "
        "sejumlah pasar tradisional {province} naik dalam dua pekan terakhir. Pedagang menyebut "
        "pasokan dari penggilingan berkurang.",
    ],
    "online_gambling": [
        "neg|Temen kantor abis 80 juta gara2 judol, sekarang ngutang sana sini. stop judol guys {emo_neg}",
        "neg|Iklan slot masih nongol di mana2, katanya udh diberantas {at_official}",
        "neu|Kenapa sih situs judi online gak abis2? diblokir satu muncul sepuluh",
        "pos|Mantul, Polri bongkar jaringan judi online di {city}. lanjutkan pak {emo_pos}",
        "neg|Tetangga jual motor buat depo judol, anaknya sampe gak sekolah. miris bgt",
        "neu|Ada yg tau cara lapor akun yg promosi judi online? banyak bgt di kolom komentar",
        "pos!|Polri Ungkap Jaringan Judi Online Beromzet Miliaran||Bareskrim Polri menangkap "
        "{n} tersangka pengelola situs judi online di {city}. Polisi menyita rekening dengan "
        "saldo miliaran rupiah.",
        "neu!|Komdigi Blokir Ribuan Situs Judi Online Sepekan||Kementerian Komunikasi dan Digital "
        "memutus akses ribuan situs dan konten judi online dalam sepekan terakhir serta meminta "
        "platform lebih aktif menurunkan iklan.",
    ],
    "kendeng": [
        "neg|Ibu2 Kendeng udh bertahun2 berjuang jaga air, kok masih aja ditambang {emo_neg} #SaveKendeng",
        "neg|Mata air di pegunungan Kendeng itu hidup petani Rembang. jgn dirusak #SaveKendeng",
        "neu|Ada yg ngikutin kasus pabrik semen di Rembang? statusnya sekarang gimana ya",
        "pos|Salut sama petani Kendeng, konsisten dan damai. semangat terus {emo_pos} #KendengLestari",
        "neu|Thread: kronologi konflik pabrik semen Rembang dari awal sampe putusan MA {emo_neu}",
        "neg|Katanya pembangunan, tapi petani kehilangan sawah. Kendeng bukan tambang #TolakPabrikSemen",
        "neu!|Warga Kendeng Kembali Gelar Aksi di Semarang||Puluhan warga dari pegunungan Kendeng "
        "menggelar aksi damai di depan kantor Gubernur Jawa Tengah, menuntut kajian lingkungan "
        "hidup strategis dijalankan.",
    ],
    "ikn": [
        "neu|IKN sekarang progresnya udh sampe mana sih? ada yg baru dari sana?",
        "pos|Liat video IKN dari atas, keren juga ya gedung2nya {emo_pos}",
        "neg|Duit triliunan buat IKN, jalan di kampung masih bolong2 {emo_neg}",
        "neg|IKN kok sepi bgt ya, katanya ASN mau pindah tahun ini {emo_neu}",
        "neu|Dari Balikpapan ke IKN sekarang berapa jam? mau main ke sana",
        "pos|Bangga sih punya ibu kota baru, semoga beneran jadi kota hijau {emo_pos} #IKN",
        "neu!|Otorita IKN Percepat Pembangunan Kawasan Inti||Otorita Ibu Kota Nusantara menyatakan "
        "pembangunan kawasan inti pusat pemerintahan terus berjalan dan menargetkan pemindahan "
        "ASN secara bertahap.",
    ],
    "tax": [
        "neg|PPN 12% bikin semua naik, rakyat kecil makin kejepit {emo_neg} #TolakPPN12",
        "neg|Beli kopi aja kena pajak lebih gede sekarang. {exc} {emo_neg}",
        "neu|Jadi PPN 12% itu kena ke barang apa aja sih? bingung baca beritanya",
        "neu|Lapor SPT tahun ini lewat Coretax ya? ada yg udh coba {at_official}",
        "pos|Kalo pajaknya beneran balik ke sekolah dan puskesmas sih gapapa {emo_pos}",
        "neg|Coretax error mulu pas mau bikin faktur, deadline udh deket {emo_neg} {at_official}",
        "neu!|Pemerintah Tegaskan PPN 12 Persen untuk Barang Mewah||Kementerian Keuangan "
        "menegaskan tarif PPN 12 persen hanya berlaku untuk barang dan jasa tertentu, sementara "
        "kebutuhan pokok tetap dibebaskan.",
    ],
    "customer_service": [
        "neg|{at_telco} sinyal ilang dari {when}, udh komplain 3x gak ada solusi {emo_neg}",
        "neg|Transfer ke rekening sendiri nyangkut dari {when}, CS {bank} cuma nyuruh nunggu {emo_neg} {at_bank}",
        "neg|Paket dari {shop} ketahan di gudang {city} seminggu, status gak gerak2 {at_shop}",
        "neg|Refund di {shop} dijanjiin 3 hari kerja, ini udh 2 minggu {emo_neg}",
        "pos|Makasih {at_telco} masalah tagihan beres dalam sehari, CS-nya ramah {emo_pos}",
        "neu|{at_bank} min, nomor tiket saya sudah diproses belum ya? cek DM",
        "neg|Chat CS {shop} dijawab bot terus, mau ngomong sama manusia susah bgt {emo_neg}",
        "pos|Kurir {shop} hari ini baik bgt, paket dianter sampe depan pintu pas ujan {emo_pos}",
    ],
    "local_government": [
        "neg|Bikin KTP di kelurahan disuruh balik minggu depan, blangko habis lagi {emo_neg}",
        "pos|Urus akta kelahiran di Dukcapil {city} sekarang bisa online, cepet bgt {emo_pos}",
        "neg|Jalan depan rumah di {city} bolong2 udh setahun, lapor gak ditanggepin {at_official}",
        "neu|Ada yg tau syarat bikin KK baru di Dukcapil {city}? mau pisah KK",
        "pos|Pemprov DKI gercep, laporan sampah numpuk di {jkt_area} langsung diangkut {emo_pos}",
        "neg|Lampu jalan di {jkt_area} mati sebulan, rawan begal {emo_neg} {at_official}",
        "neu|Pengumuman: pelayanan Samsat keliling di {city} buka {day} jam {hour}",
        "pos!|Pemkot {city} Luncurkan Layanan Aduan Warga 24 Jam||Pemerintah Kota {city} "
        "meluncurkan kanal aduan warga yang bisa diakses 24 jam. Laporan ditargetkan ditindaklanjuti "
        "dalam tiga hari kerja.",
    ],
    "data_leak": [
        "neg|Data {big} warga bocor lagi?? NIK kita udh kayak barang obral {emo_neg}",
        "neg|Tiap minggu ada aja telpon pinjol nyebut nama lengkap gue. data dari mana coba {emo_neg}",
        "neu|Cara cek data kita ikut bocor atau gak gimana ya? ada situsnya?",
        "neg|Katanya server pusat data aman, ternyata bocor juga. {at_official}",
        "neu|Tips: jgn kirim foto KTP sembarangan, pake watermark tujuan {emo_neu}",
        "pos|Akhirnya UU PDP mulai ditegakkan, semoga ada sanksi nyata {emo_pos}",
        "neu!|BSSN Selidiki Dugaan Kebocoran {big} Data Penduduk||Badan Siber dan Sandi Negara "
        "menyelidiki klaim peretas yang menjual {big} data penduduk di forum daring. Komdigi "
        "meminta instansi terkait melakukan audit.",
    ],
    "weather": [
        "neu|Kata BMKG hujan lebat di {city} sore ini, siapin jas hujan guys {emo_neu}",
        "neg|Panas bgt di {city} hari ini, kayak dipanggang {emo_neg}",
        "neu|Peringatan dini BMKG: hujan disertai petir di {province} jam {hour}-{hour2}",
        "pos|Akhirnya ujan juga, adem bgt {city} sore ini {emo_pos}",
        "neg|Angin kenceng bgt di {city}, pohon tumbang nutup jalan {emo_neg}",
        "neu|Musim hujan udh mulai ya? tiap sore {city} pasti gerimis",
        "neu!|BMKG Keluarkan Peringatan Dini Cuaca Ekstrem||BMKG mengeluarkan peringatan dini "
        "hujan lebat disertai angin kencang untuk wilayah {province} pada {day} hingga dua hari "
        "ke depan. Warga diminta waspada banjir dan longsor.",
    ],
    "chatter": [
        "neu|{day} gini enaknya makan {food} sih, siapa mau nemenin {lol}",
        "pos|{food} deket kantor enak bgt, murah pula. mantul {emo_pos}",
        "neg|Udah {day} lagi aja, capek bgt belum libur2 {emo_neg}",
        "neu|Gabut bgt, ada rekomendasi series baru gak? {emo_neu}",
        "pos|Gajian! waktunya jajan {food} {lol} {emo_pos}",
        "neg|Pesen {food} lewat ojol nyampe udh dingin, kecewa {emo_neg}",
        "neu|Yg lagi di {city} ada rekomendasi {food} enak gak?",
        "pos|Anak2 kos patungan beli {food}, kenyang bareng2 {lol}",
        "neg|Kerjaan numpuk, atasan nambahin lagi, {exc} parah bangeeet",
        "neu|Ngopi dulu biar waras, abis itu lanjut kerja {emo_neu}",
    ],
})
