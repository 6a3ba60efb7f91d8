"""Shared fixtures: the shipped pipeline (loaded once) and paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CERED = SHARED / "external" / "cered"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def nlp():
    from reflectassist.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def model_path():
    from reflectassist.pipeline import default_model_path

    return default_model_path()


@pytest.fixture
def cered():
    if not (CERED / "val.tsv").is_file():
        pytest.skip(f"CEReD not available at {CERED} (../shared is absent on user machines)")
    return CERED


def pytest_report_header(config):
    return [f"shared data: {'present' if SHARED.is_dir() else 'absent'}",
            f"REFLECTASSIST_MODEL={os.environ.get('REFLECTASSIST_MODEL', '')}"]
