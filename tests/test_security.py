"""Model files are loaded only if their checksum matches and every type is allowed."""

from __future__ import annotations

import json
import shutil

import pytest

from reflectassist.textmodel import ModelFileError, load_models, save_models


def test_tampered_model_file_is_refused(model_path, tmp_path):
    src = model_path / "reflectassist_depth"
    dst = tmp_path / "depth"
    shutil.copytree(src, dst)
    target = next(dst.glob("*.skops"))
    data = bytearray(target.read_bytes())
    data[-10] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum"):
        load_models(dst)


class Evil:
    """A type that is not on the allow-list."""


def test_disallowed_type_is_refused_even_with_valid_checksum(tmp_path):
    import skops.io as sio

    from reflectassist.textmodel import sha256

    folder = tmp_path / "m"
    folder.mkdir()
    sio.dump({"x": Evil()}, folder / "evil.skops")
    (folder / "models.json").write_text(json.dumps({"meta": {}, "files": {"evil": {
        "file": "evil.skops", "sha256": sha256(folder / "evil.skops")}}}))
    with pytest.raises(ModelFileError, match="not allowed"):
        load_models(folder)


def test_round_trip_of_an_sklearn_model(tmp_path):
    from sklearn.linear_model import LogisticRegression

    m = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    save_models({"m": m}, tmp_path)
    loaded, _ = load_models(tmp_path)
    assert loaded["m"].predict([[2.5]])[0] == 1


def test_function_smuggled_through_builtins_is_refused(tmp_path):
    """A FunctionTransformer that would call builtins.exec must never load."""
    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    from reflectassist.textmodel import sha256

    folder = tmp_path / "m"
    folder.mkdir()
    sio.dump(FunctionTransformer(func=exec), folder / "evil.skops")
    (folder / "models.json").write_text(json.dumps({"meta": {}, "files": {"evil": {
        "file": "evil.skops", "sha256": sha256(folder / "evil.skops")}}}))
    with pytest.raises(ModelFileError, match="not allowed"):
        load_models(folder)


def test_index_cannot_point_outside_its_folder(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "models.json").write_text(json.dumps({"meta": {}, "files": {"x": {
        "file": "../x.skops", "sha256": "0" * 64}}}))
    with pytest.raises(ModelFileError, match="outside"):
        load_models(tmp_path / "m")
