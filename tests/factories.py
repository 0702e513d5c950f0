"""Shared test data."""

POST_V2 = {
    "platform": "x", "post_id": "1", "author": {"id": "a1", "handle": "budi", "display_name": "Budi",
                                                "followers": 10, "verified": False},
    "text": "Harga cabai naik lagi", "title": "Pasar", "created_at": 1764000000000,
    "collected_at": 1764000001000, "url": None, "reply_to": None, "repost_of": None, "quote_of": None,
    "engagement": {"likes": 1, "replies": 2, "reposts": 3, "quotes": 0, "views": None},
    "hashtags": ["cabai"], "mentions": [], "urls": [], "geo": {"lat": -6.2, "lon": 106.8, "place": "Jakarta",
                                                            "country_code": "ID"},
    "lang_hint": "in", "extras": {"device": "android"},
}
