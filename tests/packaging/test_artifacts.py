"""The library's artifacts match their sources: the committed header is what
cbindgen generates now, generated Rust is up to date, the header compiles
cleanly as C and C++, the shared library exports only prefixed symbols and
has a soname, and the pkg-config file links a working program."""

import os
import pathlib
import re
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIB = ROOT / "target" / "release" / "libotelmetrics.so"
HEADER = ROOT / "include" / "otelmetrics.h"


def run(*cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, **kw)


def test_header_is_what_cbindgen_generates(tmp_path):
    cbindgen = shutil.which("cbindgen") or str(pathlib.Path.home() / ".cargo/bin/cbindgen")
    version = run(cbindgen, "--version").stdout.strip()
    assert version == "cbindgen 0.29.2", f"pinned cbindgen expected, got {version!r}"
    out = tmp_path / "otelmetrics.h"
    r = run(cbindgen, "--quiet", "--config", "cbindgen.toml", "--crate", "otelmetrics", "--output", str(out), ".")
    assert r.returncode == 0, r.stderr
    assert out.read_text() == HEADER.read_text(), "include/otelmetrics.h is stale: regenerate it with cbindgen"


def test_generated_instrument_functions_are_up_to_date():
    r = run("python3", "tools/gen_instruments_api.py", "--check")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("std", ["c99", "c11"])
def test_header_compiles_as_strict_c(std):
    src = '#include "otelmetrics.h"\nint main(void) { return (int)otelmetrics_str_from_cstr("x").len - 1; }\n'
    r = run("gcc", f"-std={std}", "-Wall", "-Wextra", "-Werror", "-pedantic", "-Iinclude", "-x", "c", "-fsyntax-only", "-", input=src)
    assert r.returncode == 0, r.stderr


def test_header_can_be_included_twice():
    # A header included from two of a program's own headers must not
    # redefine its inline conveniences.
    src = '#include "otelmetrics.h"\n#include "otelmetrics.h"\nint main(void) { return (int)otelmetrics_str_from_cstr("x").len - 1; }\n'
    for lang, compiler in (("c", "gcc"), ("c++", "g++")):
        r = run(compiler, "-Wall", "-Wextra", "-Werror", "-Iinclude", "-x", lang, "-fsyntax-only", "-", input=src)
        assert r.returncode == 0, r.stderr


def test_header_compiles_as_cpp17():
    src = '#include "otelmetrics.h"\nint main() { otelmetrics_str s = OTELMETRICS_STR("ab"); return (int)s.len - 2; }\n'
    r = run("g++", "-std=c++17", "-Wall", "-Wextra", "-Werror", "-pedantic", "-Iinclude", "-x", "c++", "-fsyntax-only", "-", input=src)
    assert r.returncode == 0, r.stderr


def test_every_header_function_is_documented():
    text = HEADER.read_text()
    undocumented = []
    for m in re.finditer(r"\n((?:const )?[a-z_0-9]+ \*?)(otelmetrics_[a-z0-9_]+)\(", text):
        before = text[: m.start() + 1].rstrip()
        if not before.endswith("*/"):
            undocumented.append(m.group(2))
    assert not undocumented, f"functions without a doc comment: {undocumented}"


def test_shared_library_exports_only_prefixed_symbols_and_has_a_soname():
    nm = run("nm", "-D", "--defined-only", str(LIB))
    assert nm.returncode == 0, nm.stderr
    names = [line.split()[-1] for line in nm.stdout.splitlines() if line.split()[1] in "TDBRtdbr"]
    stray = [n for n in names if not n.startswith("otelmetrics_") and n not in ("_init", "_fini", "_edata", "_end", "__bss_start")]
    assert not stray, f"unprefixed exports: {stray[:10]}"
    assert len(names) > 100
    soname = run("readelf", "-d", str(LIB)).stdout
    assert "Library soname: [libotelmetrics.so.0]" in soname


def test_header_declares_exactly_the_exported_functions():
    declared = set(re.findall(r"\b(otelmetrics_[a-z0-9_]+)\(", HEADER.read_text()))
    inline_helpers = set(re.findall(r"static inline \w+ (otelmetrics_[a-z0-9_]+)\(", HEADER.read_text()))
    nm = run("nm", "-D", "--defined-only", str(LIB)).stdout
    exported = {line.split()[-1] for line in nm.splitlines() if line.split()[-1].startswith("otelmetrics_")}
    assert exported == declared - inline_helpers


def test_pkg_config_file_links_and_runs_a_program(tmp_path):
    if not shutil.which("pkg-config"):
        pytest.skip("pkg-config is not installed")
    env = dict(os.environ, PKG_CONFIG_PATH=str(ROOT / "target" / "release"))
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "otelmetrics"], env=env, capture_output=True, text=True)
    assert flags.returncode == 0, flags.stderr
    src = tmp_path / "v.c"
    src.write_text('#include <string.h>\n#include "otelmetrics.h"\nint main(void){return strcmp(otelmetrics_version(), OTELMETRICS_VERSION);}\n')
    exe = tmp_path / "v"
    r = subprocess.run(["cc", str(src), "-o", str(exe), *flags.stdout.split()], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert subprocess.run([str(exe)]).returncode == 0, "runtime version differs from the header's"
