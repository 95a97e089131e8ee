"""Fixtures: the plugins directory of the build tree (EHR_PLUGINS_DIR, default build/dev/plugins)
and a fresh host data directory per test. The library comes from EHR_HOST_LIBRARY (see README)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
os.environ.setdefault("EHR_HOST_LIBRARY", str(ROOT / "build/dev/host-sdk/libehr_host.so"))

import ehr_host  # noqa: E402

from practice import STAFF, Practice  # noqa: E402

PLUGINS = Path(os.environ.get("EHR_PLUGINS_DIR", ROOT / "build/dev/plugins"))


@pytest.fixture
def roles(tmp_path):
    with ehr_host.RoleStore(tmp_path, lambda: STAFF) as store:
        store.seed([("admin", "manage_users")])
        yield store


@pytest.fixture
def practice(roles):
    return Practice(roles)


@pytest.fixture
def manager(tmp_path, practice):
    with ehr_host.PluginManager(PLUGINS, tmp_path, practice, start_new_disabled=True) as m:
        yield m
