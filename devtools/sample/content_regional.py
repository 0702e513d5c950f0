"""Javanese (ngoko and krama) and Sundanese templates for the demo sample.

Same format as :mod:`devtools.sample.content`: ``"<sentiment>[!]|text"`` with ``{slot}`` names
from :data:`devtools.sample.content.SLOTS`.  Written for pantau; names are invented.
"""
from __future__ import annotations

#: Javanese: mostly ngoko (everyday), some krama (polite, to elders or officials).
JV_TEMPLATES: dict[str, list[str]] = {
    "fuel_price": [
        "neg|Rega Pertalite mundhak maneh, bayaran ora mundhak-mundhak. piye iki rek {emo_neg}",
        "neg|Antri bensin ning SPBU {city} wis {mins} menit, jebul entek {emo_neg}",
        "neu|Saiki Pertalite ning {city} regane pira to? jarene {price_bbm}",
        "neu|Nyuwun pirsa, tumbas Pertalite punika sakmenika kedah ngangge aplikasi menapa?",
    ],
    "flood": [
        "neg|Banyu wis sak dengkul ning {smg_area}, motor ora iso liwat babar blas {emo_neg}",
        "neg|Omahe mbahku ning {smg_area} kebanjiran maneh, barang-barang kelem kabeh {emo_neg}",
        "neu|Sopo ngerti posko pengungsian sing paling cedhak {smg_area}? butuh panggonan bengi iki",
        "pos|Matur nuwun sanget dhumateng para relawan ingkang sampun mbiyantu warga {smg_area} {emo_pos}",
        "neu|Nyuwun pirsa, margi {road} sampun saged dipunlangkungi menapa dereng?",
        "neg|Rob karo udan barengan, {smg_area} dadi segara maneh. kapan rampunge {at_official}",
    ],
    "traffic": [
        "neg|Macet ning {road} ora obah blas wis {mins} menit, mumet aku {emo_neg}",
        "neu|{road} arah {city} padhet, ana dandanan dalan ning lajur tengen",
        "pos|Tumben {road} lancar jaya esuk iki, cepet tekan kantor {emo_pos}",
    ],
    "public_transport": [
        "pos|Numpak KRL Jogja-Solo saiki kepenak, adem tur murah {emo_pos}",
        "neg|KRL Solo telat maneh, nunggu ning stasiun nganti {mins} menit {emo_neg}",
        "neu|Bus Trans Semarang koridor {n} saiki mandheg ning endi wae to?",
    ],
    "free_meals": [
        "pos|Anakku seneng banget entuk maem gratis ning sekolah, lawuhe enak jarene {emo_pos}",
        "neg|Maem gratis ning sekolahe ponakanku telat teka, segane wis adhem {emo_neg}",
        "neu|Menu MBG dina iki ning SD cedhak omah: {menu}. cukup ora gizine?",
        "pos|Program makan bergizi gratis punika saestu mbiyantu tiyang sepuh ingkang kirang mampu {emo_pos}",
    ],
    "power_outage": [
        "neg|Listrik mati maneh ning {city}, wis {n} jam. kulkas mati kabeh {emo_neg} {at_official}",
        "pos|Listrike wis urip maneh, petugas PLN cepet tenan {emo_pos}",
        "neu|Sesuk ana pemadaman bergilir ning {city} jam {hour}, siap-siap yo lur",
    ],
    "football": [
        "pos|GOLLL! Timnas menang {score} lawan {opponent}, merinding aku lur {emo_pos}",
        "neg|Kalah maneh karo {opponent}, pertahanane bolong kabeh {emo_neg}",
        "neu|Nobar Timnas lawan {opponent} ning endi yo cah {city}? jam {hour}",
        "pos|{player} mainne apik tenan bengi iki, MOTM wis {emo_pos}",
    ],
    "rice_price": [
        "neg|Beras ning pasar {city} saiki {price_rice} sekilo, larang tenan {emo_neg}",
        "neg|Jarene panen raya, kok beras malah larang to? aneh {emo_neg}",
        "neu|Beras Bulog sing murah kuwi didol ning ngendi yo ning {city}?",
        "neu|Nyuwun pirsa, operasi pasar beras wonten {city} dipunwontenaken dinten menapa?",
    ],
    "online_gambling": [
        "neg|Tanggaku adol motor kanggo judol, anake nganti ora sekolah. ngenes tenan {emo_neg}",
        "pos|Mantep, polisi nggrebek jaringan judi online ning {city}. terusna pak {emo_pos}",
    ],
    "kendeng": [
        "neg|Gunung Kendeng kuwi sumber banyu kanggo petani Rembang, aja dirusak #SaveKendeng",
        "pos|Salut karo ibu-ibu Kendeng, tetep berjuang kanthi damai {emo_pos} #SaveKendeng",
        "neg|Sawah garing, tuk banyu mati, pabrik semen tetep mlaku. iki jenenge pembangunan? #SaveKendeng",
        "neu|Wonten ingkang pirsa kabar paling enggal babagan pabrik semen ing Rembang?",
    ],
    "tax": [
        "neg|PPN 12% nggawe kabeh rega mundhak, wong cilik saya kejepit {emo_neg}",
        "neu|PPN 12% kuwi kena ning barang apa wae to? bingung aku maca beritane",
    ],
    "local_government": [
        "neg|Ngurus KTP ning kelurahan dikon bali minggu ngarep, blangkone entek {emo_neg}",
        "pos|Ngurus akta ning Dukcapil {city} saiki cepet, setengah jam rampung {emo_pos}",
        "neu|Nyuwun pirsa, syarat damel KK enggal wonten Dukcapil {city} punapa kemawon?",
    ],
    "weather": [
        "neg|Panase {city} dina iki ora umum, kaya diobong {emo_neg}",
        "neu|Jarene BMKG udan deres ning {city} sore iki, gawa jas udan yo lur",
        "pos|Akhire udan, adem tenan {city} sore iki {emo_pos}",
    ],
    "chatter": [
        "neu|{day} ngene enake maem {food}, sapa arep melu {lol}",
        "pos|{food} cedhak kantor enak tenan, murah meneh. mantul {emo_pos}",
        "neg|Gawean numpuk, bos nambahi maneh. kesel aku {emo_neg}",
        "neu|Ngopi sik ben ora edan, mengko lanjut nyambut gawe {emo_neu}",
        "pos|Gajian! wayahe jajan {food} {lol} {emo_pos}",
        "neg|Wis {day} maneh, rasane durung prei blas {emo_neg}",
    ],
}

#: Sundanese: mostly loma (everyday), a few lemes (polite) lines.
SU_TEMPLATES: dict[str, list[str]] = {
    "fuel_price": [
        "neg|Harga Pertalite naék deui, gajih mah teu naék-naék. kumaha atuh {emo_neg}",
        "neg|Ngantri bénsin di SPBU {city} geus {mins} menit, béak deui {emo_neg}",
        "neu|Ayeuna Pertalite di {city} sabaraha? cenah {price_bbm} nya",
    ],
    "flood": [
        "neg|Banjir deui di Dayeuhkolot, cai geus saluhur dada {emo_neg}",
        "neg|Imah di Baleendah kabanjiran deui, barang-barang teu kaburu diangkat {emo_neg}",
        "pos|Hatur nuhun ka para relawan anu tos ngabantosan warga {emo_pos}",
        "neu|Aya nu terang posko pangungsian pangdeukeutna ka Dayeuhkolot?",
    ],
    "traffic": [
        "neg|Macét parah di Pasteur, geus {mins} menit teu maju-maju euy {emo_neg}",
        "neg|Ti Cileunyi ka Buahbatu dua jam, kolot di jalan {emo_neg}",
        "pos|Tumben Dago lancar isuk-isuk, mani bungah {emo_pos}",
        "neu|Jalan ka Lembang padet pisan malem Minggu, mending ngaliwat jalan séjén",
    ],
    "public_transport": [
        "pos|Naék kareta cepat ka Jakarta ayeuna gancang pisan, resep {emo_pos}",
        "neg|KRL Bogor telat deui, ngadagoan di {station} nepi ka {mins} menit {emo_neg}",
        "neu|Aya nu terang jadwal Trans Metro Pasundan ti Leuwipanjang?",
    ],
    "free_meals": [
        "pos|Budak kuring bungah pisan meunang dahar gratis di sakola, lauk-pauk na ngeunah {emo_pos}",
        "neg|Dahar gratis di sakola telat datang, sanguna geus tiis {emo_neg}",
        "neu|Menu MBG poé ieu di SD caket bumi: {menu}. cekap teu gizina?",
    ],
    "power_outage": [
        "neg|Pareum deui listrik di {city}, geus {n} jam. kulkas pareum kabéh {emo_neg} {at_official}",
        "pos|Listrik tos hurung deui, petugas PLN gancang pisan {emo_pos}",
    ],
    "football": [
        "pos|GOLLL! Timnas meunang {score} ngalawan {opponent}, merinding euy {emo_pos}",
        "neg|Éléh deui ka {opponent}, pertahanan bolong kabéh {emo_neg}",
        "neu|Nobar Timnas di mana yeuh barudak {city}? jam {hour}",
    ],
    "rice_price": [
        "neg|Béas di pasar {city} ayeuna {price_rice} sakilo, mahal pisan {emo_neg}",
        "neu|Béas Bulog nu murah dijual di mana nya di {city}?",
        "neg|Cenah panén raya, naha béas kalah mahal? aneh {emo_neg}",
    ],
    "online_gambling": [
        "neg|Tatangga ngajual motor pikeun judol, budakna nepi ka teu sakola {emo_neg}",
        "neu|Kumaha carana ngalaporkeun akun nu promosi judi online?",
    ],
    "local_government": [
        "neg|Nyieun KTP di kelurahan dititah balik minggu hareup, blangko béak {emo_neg}",
        "pos|Ngurus akta di Disdukcapil {city} ayeuna gancang, satengah jam réngsé {emo_pos}",
        "neu|Punten, sarat ngadamel KK énggal di Disdukcapil {city} naon waé?",
    ],
    "data_leak": [
        "neg|Data {big} warga bocor deui? NIK urang kawas barang obral {emo_neg}",
        "neu|Kumaha carana mariksa data urang kaasup nu bocor atawa henteu?",
    ],
    "weather": [
        "neu|Cenah BMKG hujan gedé di Bandung soré ieu, bawa jas hujan nya {emo_neu}",
        "neg|Angin tarik pisan di {city}, tangkal rubuh nutupan jalan {emo_neg}",
        "pos|Tungtungna hujan, tiis pisan {city} soré ieu {emo_pos}",
    ],
    "chatter": [
        "neu|Poé {day} kieu mah enakna dahar {food}, saha nu rék ngiringan {lol}",
        "pos|{food} caket kantor ngeunah pisan, murah deui. mantul {emo_pos}",
        "neg|Pagawéan numpuk, bos nambahan deui. cape pisan {emo_neg}",
        "neu|Ngopi heula ambéh waras, engké deui digawé {emo_neu}",
        "pos|Gajian! waktuna jajan {food} {lol} {emo_pos}",
        "neg|Geus {day} deui waé, can libur-libur {emo_neg}",
    ],
}
