"""Views are rendered by orjson; what it refuses falls back to the standard encoder, and
both give the same JSON."""

import json

from pocketstack.api.common import FastJSONResponse


def test_same_json_as_the_standard_encoder():
    body = {"name": "srv-é", "ids": [1, 2.5, None, True], "nested": {"a": {"b": []}}}
    assert json.loads(FastJSONResponse(body).body) == body


def test_values_orjson_refuses_fall_back():
    body = {"big": 2**70, 3: "int key"}
    assert json.loads(FastJSONResponse(body).body) == {"big": 2**70, "3": "int key"}
