"""Loading turns the garbage collector off and back on, also when the load fails (issue 17):
a failed load must not leave a process without its collector, nor turn on one a user had off."""

from __future__ import annotations

import gc

import pytest

import mockkit


def test_a_failing_load_restores_the_collector(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"info": {"name": "x", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/'
                      'collection.json"}, "item": [{"request": 42}]}')
    assert gc.isenabled()
    with pytest.raises(mockkit.CollectionError):
        mockkit.MockEngine(str(broken))
    assert gc.isenabled()
    with pytest.raises(mockkit.CollectionError):
        mockkit.MockEngine(str(tmp_path / "missing.json"))
    assert gc.isenabled()


def test_a_collector_the_user_turned_off_stays_off():
    gc.disable()
    try:
        mockkit.MockEngine({"info": {"name": "x"}, "item": []})
        assert not gc.isenabled()
    finally:
        gc.enable()
