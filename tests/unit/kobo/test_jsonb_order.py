"""JsonbOrder (bulk_insert), the sync's digest-and-encode (same document, same digest), its GC."""

import gc
import json
from typing import Any

import orjson
import pytest

from surveys.bulk_insert import EncodedJson, JsonbOrder
from surveys.sync import _digest_and_encode, _fewer_collections, _stdlib_hash, content_hash

_DOC: dict[str, Any] = {
    "_id": 7,
    "start": "2026-03-02T10:02:11.204+05:00",
    "respondent/name": "Айгерим, é, 😀",
    "z": "1",
    "é": "2 bytes",  # one character, two bytes: after every 1-byte key
    "profile/children": [
        {"profile/children/child_sex": "female", "profile/children/child_age": "6"},
        {"profile/children/child_age": "9"},
    ],
    "_validation_status": {"uid": "validation_status_approved", "by_whom": "sup"},
    "_attachments": [],
    "_geolocation": [43.238, 76.945],
    "empty": "",
    "none": None,
}


def _keys(encoded: bytes) -> list[str]:
    return [key for key, _ in json.loads(encoded, object_pairs_hook=list)]


def test_keys_come_in_jsonb_order_and_the_document_is_unchanged() -> None:
    encoded = JsonbOrder().encode(_DOC)
    assert isinstance(encoded, EncodedJson)
    assert orjson.loads(bytes(encoded)) == _DOC
    keys = _keys(encoded)
    assert keys == sorted(_DOC, key=lambda k: (len(k.encode()), k.encode()))
    assert keys[:3] == ["z", "é", "_id"]


def test_keys_first_seen_in_a_later_document_take_their_place() -> None:
    order = JsonbOrder()
    order.encode({"bb": "1", "a": "1"})
    encoded = order.encode({"ccc": "1", "a": "1", "d": "1"})
    assert _keys(encoded) == ["a", "d", "ccc"]
    # A document with only some of the known keys keeps just those.
    assert _keys(order.encode({"ccc": "1", "bb": "2"})) == ["bb", "ccc"]


def test_what_orjson_refuses_is_written_by_the_stdlib() -> None:
    encoded = JsonbOrder().encode({"huge": 2**70, "a": "x"})
    assert json.loads(encoded) == {"huge": 2**70, "a": "x"}


def test_the_digest_is_content_hash_whatever_the_order_it_was_encoded_in() -> None:
    order = JsonbOrder()
    for doc in (_DOC, {**_DOC, "huge": 2**70}, {"a": "1"}, {}):
        digest, encoded = _digest_and_encode(doc, order)
        assert digest == content_hash(doc)
        assert json.loads(encoded) == doc
    # Volatile keys are in the document but not in its digest.
    digest, encoded = _digest_and_encode({"a": "1", "_tags": ["x"]}, order)
    assert digest == content_hash({"a": "1"}) == _stdlib_hash({"a": "1"})
    assert json.loads(encoded) == {"a": "1", "_tags": ["x"]}


def test_the_collector_thresholds_come_back_after_a_sync_even_a_failed_one() -> None:
    before = gc.get_threshold()
    during: list[int] = []

    def failing_sync() -> None:
        with _fewer_collections():
            during.append(gc.get_threshold()[0])
            raise RuntimeError("the sync failed")

    with pytest.raises(RuntimeError):
        failing_sync()
    assert during[0] >= 100_000
    assert gc.get_threshold() == before
