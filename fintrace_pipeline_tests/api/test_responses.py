"""Splicing stored JSON text into response bodies."""

import json

import pytest

from fintrace_pipeline.api.responses import RawJSON, dumps, merge_object


def test_raw_json_is_emitted_verbatim_inside_normal_values():
    body = dumps({"a": 1, "b": RawJSON('{"x": [1, 2]}'), "c": [RawJSON(None), {"d": "é"}]})
    assert body == '{"a":1,"b":{"x": [1, 2]},"c":[null,{"d":"é"}]}'
    assert json.loads(body)["b"] == {"x": [1, 2]}


def test_merge_object_adds_keys_last_so_they_win():
    stored = RawJSON('{"threshold": 70, "model_metrics": "old"}')
    merged = merge_object(stored, {"model_metrics": RawJSON('{"auc": 1}')})
    assert json.loads(merged.text) == {"threshold": 70, "model_metrics": {"auc": 1}}
    assert json.loads(merge_object(RawJSON(None), {"a": 1}).text) == {"a": 1}
    assert json.loads(merge_object(RawJSON(" {} "), {"a": 1}).text) == {"a": 1}
    with pytest.raises(ValueError):
        merge_object(RawJSON("[1]"), {"a": 1})
