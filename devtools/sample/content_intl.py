"""English, Malay and code-mixed Indonesian-English templates for the demo sample.

Same format as :mod:`devtools.sample.content`.  Written for pantau; names are invented.
"""
from __future__ import annotations

EN_TEMPLATES: dict[str, list[str]] = {
    "fuel_price": [
        "neg|Fuel prices up again in {city}. My commute just got way more expensive {emo_neg}",
        "neu|Anyone know the current Pertalite price in {city}? Heard it's {price_bbm} now",
        "neu!|Indonesia Adjusts Non-Subsidised Fuel Prices||Pertamina adjusted prices of "
        "non-subsidised fuel this week, while subsidised Pertalite stays at {price_bbm} per litre.",
    ],
    "flood": [
        "neg|Flooding again in {jkt_area}, water is waist deep and the street is closed {emo_neg}",
        "neu|Heads up: {jkt_area} is flooded, avoid the area if you can",
        "pos|Huge respect to the volunteers evacuating families in {jkt_area} since dawn {emo_pos}",
        "neu!|Floods Inundate Parts of Jakarta After Heavy Rain||Several neighbourhoods in Jakarta, "
        "including {jkt_area}, were inundated after hours of heavy rain, the disaster agency said.",
    ],
    "traffic": [
        "neg|Stuck on {road} for {mins} minutes and we've moved maybe 200 metres {emo_neg}",
        "pos|{road} was surprisingly empty this morning, made it to the office in 15 minutes",
        "neu|Jakarta traffic tip: the odd-even rule on {road} is back from {day}",
    ],
    "public_transport": [
        "pos|The MRT from {mrt_station} to {mrt_station2} is honestly world class. Clean, cool, on time {emo_pos}",
        "neg|KRL delayed again at {station}, platform packed like sardines {emo_neg}",
        "pos|TransJakarta is so underrated, 3500 rupiah to cross the city {emo_pos}",
    ],
    "free_meals": [
        "neu|How is the free school meals programme going in {city}? Seeing mixed reports",
        "neg|Reports of students falling ill after free school meals in {city}. Food safety needs work",
        "pos|My nephew actually looks forward to school lunch now, the free meal programme helps {emo_pos}",
    ],
    "power_outage": [
        "neg|Power out in {city} for {n} hours now. No fan, no wifi, no sleep {emo_neg}",
        "neu|Scheduled blackout in parts of {city} at {hour}, check the PLN app for your area",
    ],
    "football": [
        "pos|What a win for Indonesia! {score} against {opponent}, the stadium was shaking {emo_pos}",
        "neg|Tough loss to {opponent}. The defence needs serious work {emo_neg}",
        "neu|Indonesia vs {opponent} kicks off at {hour} WIB. Where is everyone watching?",
    ],
    "rice_price": [
        "neg|Rice at the market in {city} is now {price_rice} a kilo. That hurts families {emo_neg}",
        "neu!|Rice Prices Climb in Indonesia as Supply Tightens||Medium-grade rice prices rose in "
        "several provinces, prompting Bulog to hold market operations in {city}.",
    ],
    "online_gambling": [
        "neg|Online gambling ads are everywhere in comment sections. How is this still allowed?",
        "pos|Good to see police dismantling an online gambling ring in {city} {emo_pos}",
    ],
    "kendeng": [
        "neu|Reading about the Kendeng farmers and the cement plant in Rembang. Water rights matter #SaveKendeng",
        "pos|The women of Kendeng protesting peacefully for years is incredible #SaveKendeng",
    ],
    "ikn": [
        "neu|Anyone visited IKN recently? Curious how far the construction has come",
        "neg|Billions for a new capital while {city} still floods every rainy season {emo_neg}",
        "pos|Drone shots of Nusantara look impressive, hope it really becomes a green city",
    ],
    "tax": [
        "neg|VAT going to 12% right when groceries are already expensive {emo_neg}",
        "neu|So which goods does the 12% VAT actually apply to? The news is confusing",
    ],
    "customer_service": [
        "neg|{at_bank} my transfer has been stuck since yesterday and support keeps sending template replies",
        "pos|Shoutout to {at_shop} for sorting out my refund in a day {emo_pos}",
    ],
    "data_leak": [
        "neg|Another leak, {big} records this time. Our ID numbers are basically public now {emo_neg}",
        "neu|How do you even check if your data was in the latest leak?",
    ],
    "weather": [
        "neu|BMKG warns of heavy rain and lightning in {province} this afternoon, stay safe",
        "neg|It is brutally hot in {city} today {emo_neg}",
        "pos|Finally some rain in {city}, the air feels so much better {emo_pos}",
    ],
    "chatter": [
        "pos|Had the best {food} of my life in {city} today {emo_pos}",
        "neu|Rainy season in Indonesia means grabbing {food} and staying in",
        "neg|Monday again and the inbox is already on fire {emo_neg}",
        "neu|Any good coworking spots in {city}? Need decent wifi",
    ],
}

#: Malay (Malaysian and Riau usage).
MS_TEMPLATES: dict[str, list[str]] = {
    "football": [
        "neu|Perlawanan Malaysia lawan Indonesia malam ni mesti panas, siapa nak menang?",
        "pos|Tahniah Indonesia, main cantik betul malam tadi {emo_pos}",
        "neg|Penyokong bergaduh lagi lepas perlawanan, memalukan betul {emo_neg}",
    ],
    "weather": [
        "neg|Jerebu dah mula masuk {city}, mata pedih, tekak perit {emo_neg}",
        "neu|Hujan lebat petang ni, hati-hati memandu semua",
    ],
    "fuel_price": [
        "neu|Harga minyak kat Indonesia naik lagi ke? kawan-kawan sana mengeluh",
        "neg|Minyak naik, barang dapur pun naik. penat betul {emo_neg}",
    ],
    "online_gambling": [
        "neg|Iklan judi dalam talian penuh kat media sosial, tolong la ambil tindakan",
    ],
    "chatter": [
        "pos|Sedap gila {food} kat {city} ni, memang berbaloi {emo_pos}",
        "neu|Cuti hujung minggu ni nak pergi mana ya? ada cadangan?",
        "neg|Kerja bertimbun, bos tambah lagi. letih sangat {emo_neg}",
    ],
    "data_leak": [
        "neg|Data peribadi bocor lagi, mana keselamatan siber kita ni {emo_neg}",
    ],
    "customer_service": [
        "neg|Dah tiga hari mesej {at_shop} tak berbalas, parcel pun tak sampai {emo_neg}",
    ],
}

#: Code-mixed Indonesian-English (Jaksel style).
MIX_TEMPLATES: dict[str, list[str]] = {
    "fuel_price": [
        "neg|Jujurly BBM naik terus tuh bikin budget bulanan gue berantakan, literally semua naik {emo_neg}",
        "neu|Harga Pertalite sekarang {price_bbm}, which is lumayan jauh dari tahun lalu sih",
    ],
    "flood": [
        "neg|Literally tiap ujan dikit {jkt_area} langsung banjir, so tired of this {emo_neg}",
        "pos|Respect buat volunteers yg evakuasi warga {jkt_area}, you guys are amazing {emo_pos}",
    ],
    "traffic": [
        "neg|Commute lewat {road} tuh literally ngabisin energi, {mins} menit stuck {emo_neg}",
        "neu|Basically kalo mau aman, berangkat sebelum {hour} biar gak kena macet {road}",
    ],
    "public_transport": [
        "pos|MRT tuh honestly the best thing about Jakarta, clean banget and on time {emo_pos}",
        "neg|KRL delay lagi di {station}, which is udah ketiga kalinya minggu ini {emo_neg}",
    ],
    "free_meals": [
        "neu|Program makan bergizi gratis ini concept-nya bagus, tapi execution-nya masih perlu di-improve",
    ],
    "power_outage": [
        "neg|Mati lampu pas meeting online, so embarrassing, literally ilang dari call {emo_neg}",
    ],
    "football": [
        "pos|Timnas menang {score}, I'm literally crying rn {emo_pos}",
        "neg|Honestly kecewa sama performa timnas lawan {opponent}, no offense {emo_neg}",
    ],
    "tax": [
        "neg|PPN 12% tuh impact-nya ke daily spending kerasa banget, jujurly {emo_neg}",
    ],
    "customer_service": [
        "neg|{at_telco} please deh, udah follow up 3x, literally gak ada update {emo_neg}",
        "pos|CS {bank} fast response banget, problem solved dalam sejam {emo_pos}",
    ],
    "data_leak": [
        "neg|Data leak lagi? at this point privacy di Indonesia tuh cuma konsep {emo_neg}",
    ],
    "chatter": [
        "neu|Weekend plan: healing tipis2 makan {food} terus rebahan {lol}",
        "pos|{food} di sini worth it banget, which is harganya masih masuk akal {emo_pos}",
        "neg|Overthinking jam 2 pagi, which is not healthy at all {emo_neg}",
        "neu|Anyway, ada yg punya rekomendasi cafe buat WFC di {city}?",
    ],
    "ikn": [
        "neu|Penasaran sama IKN, is it actually ready buat dihuni atau masih construction site?",
    ],
}
