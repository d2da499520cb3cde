"""The wheel the package's build backend writes: the shared library and the
typing marker inside, a platform tag, and a RECORD whose hashes and sizes
match every file (what pip verifies when it installs)."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile

from pkg_helpers import REPO


def test_wheel_ships_the_library_with_a_valid_record(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-build-isolation", "--no-deps",
                    "-w", str(tmp_path), str(REPO / "bindings" / "python")], check=True, timeout=600)
    (wheel,) = tmp_path.glob("otelmetrics-*.whl")
    assert wheel.name.startswith("otelmetrics-0.1.0-py3-none-linux_")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        assert {"otelmetrics/libotelmetrics.so", "otelmetrics/py.typed", "otelmetrics/__init__.py",
                "otelmetrics/_ffi.py", "otelmetrics-0.1.0.dist-info/METADATA"} <= names
        assert not any("__pycache__" in n for n in names)
        record = z.read("otelmetrics-0.1.0.dist-info/RECORD").decode().splitlines()
        listed = {}
        for row in record:
            name, digest, size = row.rsplit(",", 2)
            listed[name] = (digest, size)
        assert set(listed) == names
        for name, (digest, size) in listed.items():
            if name.endswith("RECORD"):
                continue
            data = z.read(name)
            want = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert (digest, int(size)) == (want, len(data)), name
        library = z.read("otelmetrics/libotelmetrics.so")
        assert library == (REPO / "target" / "release" / "libotelmetrics.so").read_bytes()
        metadata = z.read("otelmetrics-0.1.0.dist-info/METADATA").decode()
        assert "Requires-Python: >=3.9" in metadata and "Name: otelmetrics" in metadata
