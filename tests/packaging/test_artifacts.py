"""The library's artifacts match their sources: the committed header is what
cbindgen generates now, generated Rust is up to date, the header compiles
cleanly as C and C++, the shared library exports only prefixed symbols, and
the development build is usable from the checkout as the README says.
(The install -- soname chain, pkg-config, CMake -- is test_c_install.py.)"""

import os
import pathlib
import re
import shutil
import subprocess
import sys

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


# Both bindings' declarations of the C API are generated from the header; a
# hand edit or a header change without regenerating makes the binding lie
# about the ABI (wrong argument types crash, they do not fail cleanly).
GENERATED_BINDINGS = ["bindings/python/src/otelmetrics/_ffi_generated.py",
                      "bindings/julia/OtelMetrics/src/LibOtelMetrics.jl"]


@pytest.mark.parametrize("path", GENERATED_BINDINGS)
def test_bindings_are_what_gen_bindings_generates(tmp_path, path):
    # sys.executable: the test venv's interpreter, which has the pinned pycparser.
    r = run(sys.executable, "tools/gen_bindings.py", "--out", str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    fresh, committed = (tmp_path / path).read_text(), (ROOT / path).read_text()
    assert fresh == committed, f"{path} is stale or edited by hand: regenerate it with " \
                               f"`.venv-test/bin/python tools/gen_bindings.py` (it is generated from include/otelmetrics.h)"


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


def test_shared_library_exports_only_prefixed_symbols():
    nm = run("nm", "-D", "--defined-only", str(LIB))
    assert nm.returncode == 0, nm.stderr
    names = [line.split()[-1] for line in nm.stdout.splitlines() if line.split()[1] in "TDBRtdbr"]
    stray = [n for n in names if not n.startswith("otelmetrics_") and n not in ("_init", "_fini", "_edata", "_end", "__bss_start")]
    assert not stray, f"unprefixed exports: {stray[:10]}"
    assert len(names) > 100


def test_development_build_has_no_soname_and_build_writes_nothing_beside_it():
    """A plain `cargo build` gives a library without a soname, so a program
    linked against target/release needs exactly that file (no soname links
    to keep beside it); the soname is given at install time by cargo-c. The
    build script writes only into OUT_DIR: no pkg-config file or links in
    target/release."""
    assert "SONAME" not in run("readelf", "-d", str(LIB)).stdout
    release = LIB.parent
    assert not (release / "otelmetrics.pc").exists()
    assert not list(release.glob("libotelmetrics.so.*"))


def test_readme_quick_start_links_against_the_checkout(tmp_path):
    """The README's quick start: cc ... -Ltarget/release -lotelmetrics -Wl,-rpath; runs from the checkout."""
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"cargo build --release && (cc examples/c/quickstart\.c [^\n]*?) && \./quickstart", readme)
    assert command, "the README's quick start command changed: update this test"
    exe = tmp_path / "quickstart"
    cc = command.group(1).replace('"$PWD', f'"{ROOT}').replace("-o quickstart", f"-o {exe}")
    r = subprocess.run(["bash", "-c", cc], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_") and k != "LD_LIBRARY_PATH"}
    out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0 and "fruit_counter" in out.stdout, out.stdout + out.stderr


def test_header_declares_exactly_the_exported_functions():
    declared = set(re.findall(r"\b(otelmetrics_[a-z0-9_]+)\(", HEADER.read_text()))
    inline_helpers = set(re.findall(r"static inline \w+ (otelmetrics_[a-z0-9_]+)\(", HEADER.read_text()))
    nm = run("nm", "-D", "--defined-only", str(LIB)).stdout
    exported = {line.split()[-1] for line in nm.splitlines() if line.split()[-1].startswith("otelmetrics_")}
    assert exported == declared - inline_helpers
