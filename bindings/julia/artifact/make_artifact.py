#!/usr/bin/env python3
"""Makes the Julia artifact of the library: a tarball in the layout of a JLL
package (what BinaryBuilder produces) and its Artifacts.toml entry.

    python3 bindings/julia/artifact/make_artifact.py --out DIR \\
        [--prefix PREFIX] [--url URL] [--artifacts-toml PATH] [--depot DEPOT]

- The library comes from a C install (``tools/install-c.sh``: cargo-c,
  stripped, versioned links). ``--prefix`` names one already made; without
  it this script makes one in a temporary directory.
- ``DIR/OtelMetrics.v<version>.<triplet>.tar.gz`` holds exactly
  ``lib/libotelmetrics.so*`` (the file and its soname and dev links),
  ``include/otelmetrics.h`` and ``share/licenses/OtelMetrics/LICENSE``; the
  shared library's debug info goes beside the tarball, not into it.
- The entry names the tarball's tree by ``git-tree-sha1`` (the hash Pkg
  computes of the unpacked directory: git's tree hash, empty directories left
  out) and the file by ``sha256``; with ``--url`` (where the release will
  publish the tarball) it gets a ``download`` section, so Pkg fetches it on
  install. It is printed, and written to ``--artifacts-toml`` when given
  (replacing that file: the package has one artifact).
- ``--depot DEPOT`` unpacks the tree as ``DEPOT/artifacts/<git-tree-sha1>``,
  where Julia looks for installed artifacts: a way to use a local build
  through the artifact before anything is published.

The tarball is reproducible for given files: sorted entries, owner 0, time 0.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
ARTIFACT = "libotelmetrics"
PACKAGE = "OtelMetrics"


def crate_version() -> str:
    return re.search(r'^version = "([^"]+)"', (REPO / "Cargo.toml").read_text(), re.M).group(1)


def triplet() -> tuple[str, dict]:
    """BinaryBuilder's platform triplet of this machine and the Artifacts.toml keys for it."""
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower(), platform.machine())
    libc = "musl" if "musl" in (platform.libc_ver()[0] or "").lower() else "glibc"
    return f"{arch}-linux-{'gnu' if libc == 'glibc' else 'musl'}", {"arch": arch, "libc": libc, "os": "linux"}


# ------------------------------------------------------------------ the tree

def find_libdir(prefix: Path) -> Path:
    for candidate in sorted(prefix.glob("lib*/**/libotelmetrics.so")) + sorted(prefix.glob("lib*/libotelmetrics.so")):
        return candidate.parent
    raise SystemExit(f"no lib*/libotelmetrics.so under {prefix}: is it a C install (tools/install-c.sh)?")


def build_tree(prefix: Path, tree: Path, debug_out: Path) -> None:
    """Copies the JLL layout out of a C install; the debug file goes to debug_out."""
    libdir = find_libdir(prefix)
    (tree / "lib").mkdir(parents=True)
    for entry in sorted(libdir.glob("libotelmetrics.so*")):
        if entry.name.endswith(".debug"):
            shutil.copy2(entry, debug_out / entry.name)
        elif entry.is_symlink():
            os.symlink(os.readlink(entry), tree / "lib" / entry.name)
        else:
            shutil.copy2(entry, tree / "lib" / entry.name)
    (tree / "include").mkdir()
    shutil.copy2(prefix / "include" / "otelmetrics.h", tree / "include" / "otelmetrics.h")
    licenses = tree / "share" / "licenses" / PACKAGE
    licenses.mkdir(parents=True)
    shutil.copy2(REPO / "LICENSE", licenses / "LICENSE")


def write_tarball(tree: Path, path: Path) -> None:
    """Sorted entries, numeric owner 0, mtime 0, gzip without a timestamp."""
    def normalize(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mtime = 0
        return info

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in sorted(tree.rglob("*"), key=lambda p: p.relative_to(tree).as_posix()):
            tar.add(entry, arcname=entry.relative_to(tree).as_posix(), recursive=False, filter=normalize)
    with open(path, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as gz:
        gz.write(raw.getvalue())


# ------------------------------------------------------------------ hashes

def git_tree_sha1(directory: Path) -> str:
    """The tree hash Pkg gives an unpacked artifact (Pkg.GitTools.tree_hash):
    git's object hashes, symlinks by their target, executables 100755,
    directories without files left out."""
    entries = []
    for child in directory.iterdir():
        if child.is_symlink():
            mode, digest = "120000", _git_object("blob", os.readlink(child).encode())
        elif child.is_dir():
            sub = git_tree_sha1(child)
            if sub is None:
                continue
            mode, digest = "40000", sub
        else:
            executable = os.stat(child).st_mode & 0o100
            mode, digest = ("100755" if executable else "100644"), _git_object("blob", child.read_bytes())
        # git orders a directory as if its name ended in "/"
        entries.append((child.name + ("/" if mode == "40000" else ""), mode, child.name, digest))
    if not entries:
        return None
    body = b"".join(f"{mode} {name}".encode() + b"\0" + bytes.fromhex(digest)
                    for _, mode, name, digest in sorted(entries))
    return _git_object("tree", body)


def _git_object(kind: str, body: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(body)}".encode() + b"\0" + body).hexdigest()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ Artifacts.toml

def artifacts_entry(tree_sha1: str, sha256: str, keys: dict, url: str | None) -> str:
    lines = [f"[[{ARTIFACT}]]"]
    lines += [f'{key} = "{value}"' for key, value in sorted({**keys, "git-tree-sha1": tree_sha1}.items())]
    if url:
        lines += ["", f"    [[{ARTIFACT}.download]]", f'    sha256 = "{sha256}"', f'    url = "{url}"']
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for the tarball and the debug file")
    parser.add_argument("--prefix", type=Path, help="an existing C install (default: make one)")
    parser.add_argument("--url", help="where the tarball will be downloaded from (adds the download section)")
    parser.add_argument("--artifacts-toml", type=Path, help="write the entry to this Artifacts.toml")
    parser.add_argument("--depot", type=Path, help="also unpack into DEPOT/artifacts/<git-tree-sha1>")
    args = parser.parse_args(argv)

    args.out.mkdir(parents=True, exist_ok=True)
    name, keys = triplet()
    tarball = args.out / f"{PACKAGE}.v{crate_version()}.{name}.tar.gz"
    with tempfile.TemporaryDirectory() as tmp:
        prefix = args.prefix
        if prefix is None:
            prefix = Path(tmp) / "prefix"
            subprocess.run(["bash", str(REPO / "tools" / "install-c.sh"), f"--prefix={prefix}"], check=True)
        tree = Path(tmp) / "tree"
        build_tree(prefix.resolve(), tree, args.out)
        write_tarball(tree, tarball)
        tree_sha1 = git_tree_sha1(tree)
        if args.depot:
            installed = args.depot / "artifacts" / tree_sha1
            if not installed.exists():
                shutil.copytree(tree, installed, symlinks=True)
    entry = artifacts_entry(tree_sha1, sha256_of(tarball), keys, args.url)
    if args.artifacts_toml:
        args.artifacts_toml.write_text(entry)
    print(f"# {tarball}\n{entry}", end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
