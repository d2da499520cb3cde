"""The C install (``bash tools/install-c.sh --prefix=DIR``: cargo-c's
``cargo cinstall`` plus stripping) gives what C and C++ projects expect of a
library in a prefix, and programs built out of tree against it, with
pkg-config (shared and static), with CMake's find_package and with a C++
compiler, run.

The prefix is a temporary directory; nothing here reads the build tree
except the examples' sources and the committed header to compare with."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = re.search(r'^version = "([^"]+)"', (ROOT / "Cargo.toml").read_text(), re.M).group(1)
MAJOR, MINOR, PATCH = VERSION.split(".")
# semver's ABI version of a 0.x release is major.minor (cargo-c's soname rule)
SONAME = f"libotelmetrics.so.{MAJOR}" if MAJOR != "0" else f"libotelmetrics.so.0.{MINOR}"
QUICKSTART = ROOT / "examples" / "c" / "quickstart.c"

CPP_PROGRAM = r"""
#include <cstdio>
#include <string>
#include "otelmetrics.h"

// Records through the C API from C++ and reads the result back as OTLP JSON.
int main() {
  otelmetrics_provider_builder *b = nullptr;
  if (otelmetrics_provider_builder_new(&b) != OTELMETRICS_STATUS_OK) return 2;
  otelmetrics_provider_builder_add_exporter(b, OTELMETRICS_EXPORTER_NONE);
  otelmetrics_provider_builder_enable_in_memory_reader(b);
  otelmetrics_provider *p = nullptr;
  if (otelmetrics_provider_builder_build(b, &p) != OTELMETRICS_STATUS_OK) return 3;
  otelmetrics_provider_builder_free(b);
  otelmetrics_meter *m = nullptr;
  otelmetrics_provider_get_meter(p, OTELMETRICS_STR("cpp"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), nullptr, 0, &m);
  otelmetrics_counter_u64 *c = nullptr;
  otelmetrics_meter_create_counter_u64(m, OTELMETRICS_STR("cpp_counter"), OTELMETRICS_STR(""), OTELMETRICS_STR(""), &c);
  otelmetrics_attribute attrs[] = {otelmetrics_attr_string("lang", "c++")};
  otelmetrics_counter_u64_add(c, 41, attrs, 1);
  otelmetrics_counter_u64_add(c, 1, attrs, 1);
  char *json = nullptr;
  size_t len = 0;
  if (otelmetrics_provider_read_json(p, &json, &len) != OTELMETRICS_STATUS_OK) return 4;
  std::string text(json, len);
  otelmetrics_string_free(json);
  std::printf("%s\n", text.c_str());
  otelmetrics_provider_shutdown(p, 5000);
  otelmetrics_counter_u64_free(c);
  otelmetrics_meter_free(m);
  otelmetrics_provider_free(p);
  return 0;
}
"""


def libdir(prefix: Path) -> Path:
    """cargo-c's default libdir: lib/<multiarch> on Debian-like systems, else lib."""
    (found,) = {p.parent for p in prefix.glob("lib*/**/libotelmetrics.so")}
    return found


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "LD_LIBRARY_PATH", "PKG_CONFIG"))}
    env.update(extra)
    return env


def run(cmd, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=600, **kw)
    assert r.returncode == 0, f"{cmd}\n{r.stdout}\n{r.stderr}"
    return r


def pkg_config(prefix: Path, *args: str) -> list[str]:
    env = clean_env(PKG_CONFIG_PATH=str(libdir(prefix) / "pkgconfig"))
    return run(["pkg-config", *args, "otelmetrics"], env=env).stdout.split()


def debuglink(library: Path, scratch: Path) -> tuple[str, int]:
    """The .gnu_debuglink section: the debug file's name (NUL-padded to 4
    bytes) and the CRC-32 of that file's contents, which gdb checks."""
    dumped = scratch.with_suffix(".section")
    run(["objcopy", "--dump-section", f".gnu_debuglink={dumped}", library, scratch])
    data = dumped.read_bytes()
    name = data[:data.index(b"\0")].decode()
    return name, struct.unpack("<I", data[-4:])[0]


def dynamic_section(path: Path) -> str:
    return run(["readelf", "-d", path]).stdout


def assert_quickstart_ran(exe: Path, **env: str) -> None:
    r = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60, env=clean_env(**env))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "fruit_counter" in r.stdout, r.stdout


# ------------------------------------------------------------------ what is installed

def test_prefix_holds_the_versioned_shared_library_chain(c_prefix):
    lib = libdir(c_prefix)
    real = lib / f"libotelmetrics.so.{VERSION}"
    assert real.is_file() and not real.is_symlink()
    assert (lib / SONAME).is_symlink() and os.readlink(lib / SONAME) == real.name
    assert (lib / "libotelmetrics.so").is_symlink()
    assert (lib / "libotelmetrics.so").resolve() == real.resolve()


def test_prefix_holds_static_library_header_pkg_config_and_cmake_package(c_prefix):
    lib = libdir(c_prefix)
    assert (lib / "libotelmetrics.a").is_file()
    assert (c_prefix / "include" / "otelmetrics.h").read_text() == (ROOT / "include" / "otelmetrics.h").read_text()
    pc = (lib / "pkgconfig" / "otelmetrics.pc").read_text()
    assert f"Version: {VERSION}" in pc
    cmake = c_prefix / "share" / "cmake" / "otelmetrics"
    assert (cmake / "otelmetrics-config.cmake").is_file()
    assert f'set(PACKAGE_VERSION "{VERSION}")' in (cmake / "otelmetrics-config-version.cmake").read_text()


def test_installed_library_has_its_soname_and_no_rpath(c_prefix):
    dynamic = dynamic_section(libdir(c_prefix) / f"libotelmetrics.so.{VERSION}")
    assert f"Library soname: [{SONAME}]" in dynamic
    assert "RPATH" not in dynamic and "RUNPATH" not in dynamic


def test_installed_library_names_no_build_tree_path(c_prefix):
    root = str(ROOT).encode()
    for name in (f"libotelmetrics.so.{VERSION}", "libotelmetrics.a"):
        data = (libdir(c_prefix) / name).read_bytes()
        assert root not in data, f"{name} contains the build tree's path {ROOT}"
    pc = (libdir(c_prefix) / "pkgconfig" / "otelmetrics.pc").read_text()
    assert str(ROOT) not in pc and "target/" not in pc


def test_installed_libraries_are_stripped_with_debug_info_beside(c_prefix, tmp_path):
    lib = libdir(c_prefix)
    real = lib / f"libotelmetrics.so.{VERSION}"
    debug = lib / f"{real.name}.debug"
    sections = run(["readelf", "-S", "-W", real]).stdout
    assert ".debug_info" not in sections and ".symtab" not in sections
    assert ".gnu_debuglink" in sections
    assert debuglink(real, tmp_path / "library-copy") == (debug.name, zlib.crc32(debug.read_bytes()))
    assert ".debug_line" in run(["readelf", "-S", "-W", debug]).stdout
    assert ".debug_info" not in run(["readelf", "-S", "-W", lib / "libotelmetrics.a"]).stdout


def test_pkg_config_private_libs_are_rustcs_native_static_libs(c_prefix):
    """Libs.private is what rustc prints for a staticlib on this target
    (asked of rustc here, for a one-line staticlib), not a list of our own."""
    private = set(pkg_config(c_prefix, "--static", "--libs")) - set(pkg_config(c_prefix, "--libs"))
    crate = Path(c_prefix).parent / "native-static-libs"
    crate.mkdir(exist_ok=True)
    (crate / "lib.rs").write_text("#[no_mangle] pub extern \"C\" fn f() -> u32 { std::thread::available_parallelism().map_or(1, |n| n.get() as u32) }\n")
    r = run(["rustc", "--crate-type", "staticlib", "--print", "native-static-libs", "-o", crate / "libx.a", crate / "lib.rs"])
    printed = re.search(r"native-static-libs: (.*)", r.stderr).group(1).split()
    assert set(printed) <= private, (printed, private)


# ------------------------------------------------------------------ programs built against it

def test_pkg_config_shared_build_runs_from_the_prefix(c_prefix, tmp_path):
    exe = tmp_path / "quickstart"
    run(["cc", QUICKSTART, *pkg_config(c_prefix, "--cflags", "--libs"), "-o", exe])
    assert f"Shared library: [{SONAME}]" in dynamic_section(exe)
    assert_quickstart_ran(exe, LD_LIBRARY_PATH=str(libdir(c_prefix)))


def test_pkg_config_static_build_runs_without_the_shared_library(c_prefix, tmp_path):
    exe = tmp_path / "quickstart-static"
    # the README's command: pkg-config --cflags --static --libs, -lotelmetrics made -l:libotelmetrics.a
    flags = ["-l:libotelmetrics.a" if f == "-lotelmetrics" else f
             for f in pkg_config(c_prefix, "--cflags", "--static", "--libs")]
    run(["cc", QUICKSTART, *flags, "-o", exe])
    assert "libotelmetrics" not in dynamic_section(exe)
    assert_quickstart_ran(exe)


def test_cpp_program_builds_and_runs_against_the_prefix(c_prefix, tmp_path):
    src = tmp_path / "app.cpp"
    src.write_text(CPP_PROGRAM)
    exe = tmp_path / "app"
    run(["c++", "-std=c++17", "-Wall", "-Werror", src, *pkg_config(c_prefix, "--cflags", "--libs"), "-o", exe])
    r = run([exe], env=clean_env(LD_LIBRARY_PATH=str(libdir(c_prefix))))
    assert '"cpp_counter"' in r.stdout and '"asInt":"42"' in r.stdout.replace(" ", ""), r.stdout


CMAKE_PROJECT = """
cmake_minimum_required(VERSION 3.16)
project(uses_otelmetrics C CXX)
find_package(otelmetrics {version} CONFIG REQUIRED)
add_executable(quickstart quickstart.c)
target_link_libraries(quickstart PRIVATE otelmetrics::otelmetrics)
add_executable(quickstart_static quickstart.c)
target_link_libraries(quickstart_static PRIVATE otelmetrics::otelmetrics_static)
add_executable(app app.cpp)
set_property(TARGET app PROPERTY CXX_STANDARD 17)
target_link_libraries(app PRIVATE otelmetrics::otelmetrics)
"""


@pytest.fixture(scope="module")
def cmake_build(c_prefix, tmp_path_factory) -> Path:
    assert shutil.which("cmake"), "cmake is not installed: tests/peers/install-tools.sh installs it"
    src = tmp_path_factory.mktemp("cmake-src")
    (src / "CMakeLists.txt").write_text(CMAKE_PROJECT.format(version=f"{MAJOR}.{MINOR}"))
    shutil.copy(QUICKSTART, src / "quickstart.c")
    (src / "app.cpp").write_text(CPP_PROGRAM)
    build = tmp_path_factory.mktemp("cmake-build")
    run(["cmake", "-S", src, "-B", build, f"-DCMAKE_PREFIX_PATH={c_prefix}"], env=clean_env())
    run(["cmake", "--build", build], env=clean_env())
    return build


def test_cmake_find_package_shared_target_runs(cmake_build, c_prefix):
    assert f"Shared library: [{SONAME}]" in dynamic_section(cmake_build / "quickstart")
    assert_quickstart_ran(cmake_build / "quickstart", LD_LIBRARY_PATH=str(libdir(c_prefix)))
    r = run([cmake_build / "app"], env=clean_env(LD_LIBRARY_PATH=str(libdir(c_prefix))))
    assert '"cpp_counter"' in r.stdout


def test_cmake_find_package_static_target_runs_without_the_shared_library(cmake_build):
    exe = cmake_build / "quickstart_static"
    assert "libotelmetrics" not in dynamic_section(exe)
    assert_quickstart_ran(exe)


def test_cmake_refuses_an_incompatible_version(c_prefix, tmp_path):
    """The version file is checked: asking for the next minor (a different ABI
    while the major version is 0) or the next major fails."""
    wanted = f"{MAJOR}.{int(MINOR) + 1}" if MAJOR == "0" else f"{int(MAJOR) + 1}.0"
    (tmp_path / "CMakeLists.txt").write_text(
        f"cmake_minimum_required(VERSION 3.16)\nproject(p C)\nfind_package(otelmetrics {wanted} CONFIG REQUIRED)\n")
    r = subprocess.run(["cmake", "-S", str(tmp_path), "-B", str(tmp_path / "b"), f"-DCMAKE_PREFIX_PATH={c_prefix}"],
                       capture_output=True, text=True, timeout=120, env=clean_env())
    assert r.returncode != 0
    assert VERSION in r.stderr, r.stderr
