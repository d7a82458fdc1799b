"""The cache's file format: whatever extraction produces comes back equal, and a file that
this user's steplint did not write, or that was damaged, is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from steplint.config import Config
from steplint.engine.cache_codec import CacheFormatError, decode, encode
from steplint.files.sources import read_source
from steplint.readers.python.parse import extract_source

from tests.conftest import FIXTURES, fast_and_full, python_source

FIXTURE_FILES = sorted(path for path in FIXTURES.rglob("*.py") if "golden" not in path.parts)


def facts_of(path: Path, text: str | None = None):
    source = read_source(path, path.name)
    if text is not None:
        source = source.with_text(text)
    return extract_source(source, "pkg.module", Config(root=path.parent))


@pytest.mark.parametrize("stride", [pytest.param(3, id="every-3rd-file"),
                                    pytest.param(1, id="every-file", marks=pytest.mark.slow)])
def test_facts_of_every_fixture_file_round_trip_equal(stride):
    assert len(FIXTURE_FILES) > 50
    rows = [(str(path), facts_of(path)) for path in FIXTURE_FILES[::stride]]
    assert decode("facts", encode("facts", tuple(rows))) == tuple(rows)


@fast_and_full(15, 60)
def test_facts_of_generated_modules_round_trip_equal(tmp_path_factory, max_examples):
    @settings(max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(source=python_source(auto_target=False))
    def check(source):
        path = tmp_path_factory.mktemp("module") / "m.py"
        path.write_text(source, encoding="utf-8")
        value = facts_of(path)
        assert decode("facts", encode("facts", value)) == value

    check()


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                    lambda inner: st.lists(inner, max_size=4).map(tuple)
                    | st.dictionaries(st.from_regex(r"[A-Za-z_]\w{0,8}", fullmatch=True), inner, max_size=4)
                    | st.frozensets(st.text(max_size=5), max_size=3)))
def test_plain_values_round_trip_equal(value):
    assert decode("facts", encode("facts", value)) == value


def test_files_not_signed_by_this_users_key_are_refused(monkeypatch, tmp_path):
    data = encode("results", ("a", 1))
    assert decode("results", data) == ("a", 1)
    with pytest.raises(CacheFormatError):
        decode("facts", data)  # signed for another purpose
    head, mac, payload = data.split(b"\n", 2)
    with pytest.raises(CacheFormatError):
        decode("results", b"\n".join((head, mac, payload.replace(b"1", b"2"))))
    with pytest.raises(CacheFormatError):
        decode("results", data[: len(data) // 2])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))
    with pytest.raises(CacheFormatError):
        decode("results", data)


def test_values_the_format_does_not_hold_are_refused_when_written():
    with pytest.raises(TypeError):
        encode("facts", (object(),))
