"""Finding and checking the shared library: the packaged copy by default,
OTELMETRICS_LIB when set, and clear import errors for a missing library or
one of another version."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import otelmetrics

from pkg_helpers import REPO


def import_with(env_lib: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, OTELMETRICS_LIB=env_lib)
    return subprocess.run([sys.executable, "-c", "import otelmetrics; print(otelmetrics.LIBRARY_PATH)"],
                          env=env, capture_output=True, text=True, timeout=60)


def test_installed_package_uses_its_own_copy_of_the_library():
    assert Path(otelmetrics.LIBRARY_PATH).parent == Path(otelmetrics.__file__).parent
    assert otelmetrics.LIBRARY_VERSION == "0.1.0"
    assert (Path(otelmetrics.__file__).parent / "py.typed").is_file()


def test_otelmetrics_lib_overrides_the_packaged_copy():
    dev_build = REPO / "target" / "release" / "libotelmetrics.so"
    r = import_with(str(dev_build))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(dev_build)


def test_missing_library_is_a_clear_import_error(tmp_path):
    r = import_with(str(tmp_path / "nowhere.so"))
    assert r.returncode != 0
    assert "ImportError" in r.stderr and "nowhere.so" in r.stderr and "OTELMETRICS_LIB" in r.stderr


def test_library_of_another_version_is_refused(tmp_path):
    src = tmp_path / "fake.c"
    src.write_text('const char *otelmetrics_version(void) { return "9.4.2"; }\n')
    lib = tmp_path / "libfake.so"
    subprocess.run(["cc", "-shared", "-fPIC", str(src), "-o", str(lib)], check=True)
    r = import_with(str(lib))
    assert r.returncode != 0
    assert "LibraryVersionError" in r.stderr and "'9.4.2'" in r.stderr and "0.1.0" in r.stderr
