"""The course's data as data (issue 30, item 1): every entry of the packaged table is
complete in what can be known (a source, a place, a proof) and says plainly what was not
recorded; Keras' checksum is the one Keras itself records; a broken table is one line."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from dlcheck.errors import UserError
from dlcheck.lessondata.table import (
    NOT_RECORDED,
    PROOF_KINDS,
    ROOTS,
    SOURCE_KINDS,
    load_table,
    parse_table,
)
from dlcheck.userfiles import packaged_toml

LESSON_FILES = {
    "weather_prediction_dataset_light.csv",
    "train_images.npy",
    "test_images.npy",
    "train_labels.npy",
    "test_labels.npy",
    "penguins.csv",
    "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5",
}


def test_the_table_lists_every_file_the_lesson_needs() -> None:
    table = load_table()
    assert {f.name for f in table.files} == LESSON_FILES
    for course in ("tensorflow", "torch"):
        assert {f.name for f in table.for_course(course)} == LESSON_FILES


def test_every_entry_is_complete_where_it_can_be_known() -> None:
    raw, _ = packaged_toml("lessondata", "files.toml")
    for entry, f in zip(raw["file"], load_table().files):
        # a source, a place and a proof, always
        assert f.source.kind in SOURCE_KINDS and f.source.url.startswith("https://"), f.id
        assert f.place.root in ROOTS and f.place.path.endswith(f.name), f.id
        assert f.proof.kind in PROOF_KINDS, f.id
        assert f.title and f.episodes and f.md5_source, f.id
        if f.source.kind == "zenodo":
            assert f.source.record and f.source.key == f.name and f.source.api, f.id
            assert f.source.api.endswith(f"/api/records/{f.source.record}")
            assert f.source.url == f"{f.source.api}/files/{f.source.key}/content"
        # size and md5: a value, or the plain words that none was recorded
        assert entry["size"] == "unknown" or isinstance(entry["size"], int), f.id
        assert entry["md5"] == NOT_RECORDED or re.fullmatch(r"[0-9a-f]{32}", entry["md5"]), f.id
        if f.md5 is None:
            assert entry["md5"] == NOT_RECORDED
        # a proof states something: npy a dtype and shape, csv its columns and rows
        if f.proof.kind == "npy":
            assert f.proof.dtype and f.proof.shape, f.id
        if f.proof.kind == "csv":
            assert f.proof.columns and f.proof.rows and f.proof.first and f.proof.last, f.id


def test_the_lessons_own_figures_are_the_proofs() -> None:
    """Episode 3: (3654, 91), DATE ... TOURS_temp_max; episode 4: (878, 64, 64, 3) and (878,);
    episode 2: 344 penguins, 7 columns."""
    t = load_table()
    weather = t.get("weather")
    assert weather and (weather.proof.rows, weather.proof.columns) == (3654, 91)
    assert weather.proof.first[:2] == ("DATE", "MONTH") and weather.proof.last == "TOURS_temp_max"
    images = t.get("train-images")
    assert images and images.proof.shape == (878, 64, 64, 3) and images.proof.dtype == "int32"
    labels = t.get("train-labels")
    assert labels and labels.proof.shape == (878,) and labels.proof.same_length_as == "train-images"
    penguins = t.get("penguins")
    assert penguins and (penguins.proof.rows, penguins.proof.columns) == (344, 7)
    dollar = [f for f in t.files if f.name.endswith(".npy")]
    assert all(f.place.path.startswith("data/dataset_dollarstreet/") for f in dollar)


def test_the_weights_md5_is_the_one_keras_records() -> None:
    """The md5 comes from Keras' own source (keras/src/applications/densenet.py), read here
    from the installed Keras without importing it."""
    spec = importlib.util.find_spec("keras")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("keras not installed")
    source = Path(list(spec.submodule_search_locations)[0]) / "src/applications/densenet.py"
    text = source.read_text(encoding="utf-8")
    name = "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"
    found = re.search(
        re.escape(name) + r'",\s*\w+,\s*cache_subdir="models",\s*file_hash="(\w+)"', text
    )
    assert found, "Keras no longer records the notop weights' hash where it did"
    weights = load_table().get("densenet121")
    assert weights and weights.md5 == found.group(1)
    assert weights.source.url.endswith("/keras-applications/densenet/" + name)


def _entry(**change: object) -> dict[str, object]:
    raw, _ = packaged_toml("lessondata", "files.toml")
    entry = dict(raw["file"][0])
    entry.update(change)
    return {"file": [entry]}


@pytest.mark.parametrize(
    "change,words",
    [
        ({"md5": "abc"}, "'md5' must be 32 hex digits"),
        ({"size": -1}, "'size' must be a number of bytes"),
        ({"place": {"root": "data", "path": "../x.csv"}}, "must be relative"),
        ({"place": {"root": "elsewhere", "path": "x.csv"}}, "place root"),
        ({"source": {"kind": "zenodo", "url": "http://x/y"}}, "must be https"),
        ({"proof": {"kind": "pickle"}}, "proof kind"),
        ({"courses": ["jax"]}, "'courses'"),
    ],
)
def test_a_broken_entry_is_one_line(change: dict[str, object], words: str) -> None:
    with pytest.raises(UserError) as err:
        parse_table(_entry(**change), "files.toml")
    assert words in str(err.value) and "\n" not in str(err.value)
