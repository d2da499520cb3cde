#!/usr/bin/env python3
"""Generates the bindings' declarations of the C API from include/otelmetrics.h.

    .venv-test/bin/python tools/gen_bindings.py               # rewrite both files in place
    .venv-test/bin/python tools/gen_bindings.py --out DIR     # write them under DIR instead

writes
- bindings/python/src/otelmetrics/_ffi_generated.py: ctypes structs, unions,
  callback types, constants and every function's (restype, argtypes);
- bindings/julia/OtelMetrics/src/LibOtelMetrics.jl: the Julia `@ccall` layer.

The header is cbindgen's output; it is run through the C preprocessor (gcc -E,
so `extern "C"` guards and conditionals resolve as a C compiler sees them)
and parsed with pycparser. The system includes are replaced by a few
typedefs first: pycparser cannot read glibc's headers, and it only needs to
know that `size_t`, `uint64_t`, ... are type names (the generator maps those
names itself).

What the header cannot say is written here, once, as policy: which C calls
may wait for a Julia callback (they leave the GC free), that a `char *`
returned with a length is an address rather than a NUL-terminated string,
and how Julia stores the attribute value union. The rest of each binding
(friendly names, helpers, the library lookup) stays hand-written; the drift
test (tests/packaging/test_artifacts.py) fails when the committed files are
not what this script writes.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from pycparser import c_ast, c_parser

REPO = Path(__file__).resolve().parent.parent
HEADER = REPO / "include" / "otelmetrics.h"
PYTHON_OUT = Path("bindings/python/src/otelmetrics/_ffi_generated.py")
JULIA_OUT = Path("bindings/julia/OtelMetrics/src/LibOtelMetrics.jl")
COMMAND = "tools/gen_bindings.py"
PREFIX = "otelmetrics_"

# Stand-ins for <stdbool.h>, <stddef.h>, <stdint.h>, <string.h>: only the
# names matter (the generator maps them); the widths are those of the 64-bit
# targets the library supports.
PRELUDE = """
typedef _Bool bool;
typedef unsigned long size_t;
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long uint64_t;
typedef int int32_t;
typedef long int64_t;
"""


# ---------------------------------------------------------------- the header

@dataclass(frozen=True)
class CType:
    """A C type as the bindings need it: the base name (builtin, typedef, or
    struct/union tag), how many `*` follow it, and whether the base is const."""

    base: str
    pointers: int = 0
    const: bool = False


@dataclass
class Function:
    name: str
    returns: CType
    params: list[tuple[str, CType]]


@dataclass
class Record:
    name: str
    is_union: bool
    fields: list[tuple[str, CType]]
    doc: str = ""


@dataclass
class Header:
    constants: dict[str, int] = field(default_factory=dict)      # #define NAME <integer>, in order
    opaque: list[str] = field(default_factory=list)               # handle types
    aliases: dict[str, str] = field(default_factory=dict)         # integer typedefs: name -> C type
    records: dict[str, Record] = field(default_factory=dict)      # structs and unions with a body
    callbacks: dict[str, Function] = field(default_factory=dict)  # function pointer typedefs
    functions: dict[str, Function] = field(default_factory=dict)  # exported functions, in order


def _ctype(node) -> CType:
    pointers = 0
    while isinstance(node, c_ast.PtrDecl):
        pointers += 1
        node = node.type
    if not isinstance(node, c_ast.TypeDecl):
        raise ValueError(f"unsupported C declarator {type(node).__name__}")
    inner = node.type
    if isinstance(inner, c_ast.IdentifierType):
        base = " ".join(inner.names)
    elif isinstance(inner, (c_ast.Struct, c_ast.Union)):
        base = inner.name
    else:
        raise ValueError(f"unsupported C type {type(inner).__name__}")
    return CType(base, pointers, "const" in node.quals)


def _params(func: c_ast.FuncDecl) -> list[tuple[str, CType]]:
    params = []
    for p in func.args.params if func.args is not None else []:
        t = _ctype(p.type)
        if t == CType("void") and p.name is None:
            continue   # f(void)
        params.append((p.name, t))
    return params


def _docs(text: str) -> dict[str, str]:
    """The `/** ... */` comment cbindgen writes right before each typedef, by name."""
    docs = {}
    pattern = r"/\*\*\n((?: \*.*\n)+?) \*/\ntypedef (?:struct|union) (\w+) \{"
    for m in re.finditer(pattern, text):
        lines = [re.sub(r"^ \* ?", "", line) for line in m.group(1).splitlines()]
        docs[m.group(2)] = " ".join(" ".join(lines).split())
    return docs


def preprocess(text: str) -> str:
    without_includes = re.sub(r"^#include .*$", "", text, flags=re.M)
    return subprocess.run(["gcc", "-E", "-P", "-std=c11", "-nostdinc", "-x", "c", "-"],
                          input=PRELUDE + without_includes, capture_output=True, text=True, check=True).stdout


def parse_header(text: str) -> Header:
    ast = c_parser.CParser().parse(preprocess(text), "otelmetrics.h")
    header, docs = Header(), _docs(text)
    for m in re.finditer(r"^#define\s+(\w+)\s+(-?\d+)\s*$", text, re.M):
        header.constants[m.group(1)] = int(m.group(2))
    for node in ast.ext:
        name = getattr(node, "name", None)
        if isinstance(node, c_ast.FuncDef) or not name or not name.startswith(PREFIX):
            continue   # static inline conveniences are header-only, never exported
        if isinstance(node, c_ast.Typedef):
            t = node.type
            if isinstance(t, c_ast.PtrDecl) and isinstance(t.type, c_ast.FuncDecl):
                header.callbacks[name] = Function(name, _ctype(t.type.type), _params(t.type))
            elif isinstance(t.type, (c_ast.Struct, c_ast.Union)):
                if t.type.decls is None:
                    header.opaque.append(name)
                else:
                    fields = [(d.name, _ctype(d.type)) for d in t.type.decls]
                    header.records[name] = Record(name, isinstance(t.type, c_ast.Union), fields, docs.get(name, ""))
            else:
                header.aliases[name] = _ctype(t).base
        elif isinstance(node, c_ast.Decl) and isinstance(node.type, c_ast.FuncDecl):
            header.functions[name] = Function(name, _ctype(node.type.type), _params(node.type))
    return header


def header_version(header: Header) -> tuple[int, int, int]:
    c = header.constants
    return c["OTELMETRICS_VERSION_MAJOR"], c["OTELMETRICS_VERSION_MINOR"], c["OTELMETRICS_VERSION_PATCH"]


# ---------------------------------------------------------------- policy both bindings share

def returns_text_with_length(fn: Function) -> bool:
    """`const char *f(size_t *len)`: the text has a length and may hold NUL, so
    it is read by address and length, never as a NUL-terminated string."""
    return fn.returns.base == "char" and fn.returns.pointers == 1 and \
        any(t == CType("size_t", 1) for _, t in fn.params)


# C functions that may wait for the library's export thread while it runs a
# Julia callback: flush and shutdown; freeing an observable instrument or a
# registration (waits for a running call); creating meters, instruments and
# registrations (the SDK's pipeline lock is held while callbacks run). Julia
# makes these calls GC-safe, or a callback needing a collection would wait
# for this thread forever. The Julia checker's gc-safe check holds the same
# list for hand-written ccalls.
MAY_WAIT_FOR_CALLBACKS = re.compile(r"^otelmetrics_(provider_force_flush|provider_shutdown|provider_get_meter|"
                                    r"meter_create_\w+|meter_register_callback|callback_registration_\w+|"
                                    r"observable_\w+_free)$")


# ---------------------------------------------------------------- Python

PY_SCALARS = {"uint8_t": "c_uint8", "uint16_t": "c_uint16", "uint32_t": "c_uint32", "uint64_t": "c_uint64",
              "int32_t": "c_int32", "int64_t": "c_int64", "size_t": "c_size_t", "double": "c_double",
              "bool": "c_bool"}


def _py_value(header: Header, t: CType) -> str:
    """A C type by value: scalar, integer typedef, struct/union or callback."""
    if t.base in PY_SCALARS:
        return PY_SCALARS[t.base]
    if t.base in header.aliases or t.base in header.records or t.base in header.callbacks:
        return t.base
    raise ValueError(f"no ctypes type for {t}")


def _py_type(header: Header, t: CType, is_field: bool = False) -> str:
    if t.pointers == 0:
        return "None" if t.base == "void" else _py_value(header, t)
    if t.pointers == 2:
        return "POINTER(c_void_p)"   # out-parameters of handles and strings, arrays of handles
    if t.base in header.opaque or t.base == "void":
        return "c_void_p"            # handles are addresses: ctypes' default int would truncate them
    if t.base == "char":
        # A field's text is assigned from bytes (c_char_p); a string handed
        # back to the library (otelmetrics_string_free) is passed by address.
        return "c_char_p" if is_field else "c_void_p"
    return f"POINTER({_py_value(header, t)})"


def _py_return(header: Header, fn: Function) -> str:
    if fn.returns.base == "char" and fn.returns.pointers == 1:
        return "c_void_p" if returns_text_with_length(fn) else "c_char_p"
    return _py_type(header, fn.returns)


CTYPES_NAMES = ["CFUNCTYPE", "POINTER", "Structure", "Union", "c_bool", "c_char_p", "c_double", "c_int32", "c_int64",
                "c_size_t", "c_uint8", "c_uint16", "c_uint32", "c_uint64", "c_void_p"]


def python_module(header: Header) -> str:
    out = [f'''"""ctypes declarations of include/otelmetrics.h.

GENERATED by {COMMAND} from the header: do not edit by hand. Regenerate with
`.venv-test/bin/python {COMMAND}`. Hand-written additions (friendly names,
helpers) live in _ffi.py, which imports this module.
"""

from __future__ import annotations

{{imports}}
from typing import Any, Dict, List, Tuple

# The header these declarations were generated from (OTELMETRICS_VERSION_*).
HEADER_VERSION = {header_version(header)!r}
''']
    out.append("# ---- Constants (#define), without the OTELMETRICS_ prefix ----")
    for name, value in header.constants.items():
        if not name.startswith("OTELMETRICS_VERSION_"):
            out.append(f"{name.removeprefix('OTELMETRICS_')} = {value}")
    out.append("\n# ---- Integer typedefs ----")
    for name, base in header.aliases.items():
        out.append(f"{name} = {PY_SCALARS[base]}")
    out.append("\n# ---- Structs and unions ----")
    for rec in header.records.values():
        fields = ", ".join(f'("{n}", {_py_type(header, t, is_field=True)})' for n, t in rec.fields)
        doc = '    """' + "\n    ".join(textwrap.wrap(rec.doc, 96)) + '"""\n\n' if rec.doc else ""
        out.append(f"\nclass {rec.name}({'Union' if rec.is_union else 'Structure'}):\n{doc}"
                   f"    _fields_ = [{fields}]\n")
    out.append("\n# ---- Callback types ----")
    for cb in header.callbacks.values():
        args = ", ".join([_py_type(header, cb.returns)] + [_py_type(header, t) for _, t in cb.params])
        out.append(f"{cb.name} = CFUNCTYPE({args})")
    out.append("\n# ---- Functions: name -> (restype, argtypes), in the header's order ----")
    out.append("DECLARATIONS: Dict[str, Tuple[Any, List[Any]]] = {")
    for fn in header.functions.values():
        args = ", ".join(_py_type(header, t) for _, t in fn.params)
        out.append(f'    "{fn.name}": ({_py_return(header, fn)}, [{args}]),')
    out.append("}")
    text = "\n".join(out) + "\n"
    # Import exactly the ctypes names the declarations use (no unused imports for the linters).
    used = sorted({n for n in CTYPES_NAMES if re.search(rf"\b{n}\b", text)}, key=CTYPES_NAMES.index)
    imports = "from ctypes import (" + "\n                    ".join(textwrap.wrap(", ".join(used), 96)) + ")"
    return text.replace("{imports}", imports, 1)


# ---------------------------------------------------------------- Julia

JL_SCALARS = {"uint8_t": "UInt8", "uint16_t": "UInt16", "uint32_t": "UInt32", "uint64_t": "UInt64",
              "int32_t": "Int32", "int64_t": "Int64", "size_t": "Csize_t", "double": "Cdouble", "bool": "Bool",
              "void": "Cvoid", "char": "UInt8"}
JL_KEYWORDS = {"baremodule", "begin", "break", "catch", "const", "continue", "do", "else", "elseif", "end",
               "export", "false", "finally", "for", "function", "global", "if", "import", "let", "local", "macro",
               "module", "quote", "return", "struct", "true", "try", "using", "while"}

# 64-bit sizes and alignments of what a struct mirror may hold.
C_SIZES = {"uint8_t": 1, "bool": 1, "uint16_t": 2, "uint32_t": 4, "int32_t": 4, "uint64_t": 8, "int64_t": 8,
           "size_t": 8, "double": 8}


def _jl_type(header: Header, t: CType) -> str:
    if t.pointers == 0:
        if t.base in header.callbacks:
            return "Ptr{Cvoid}"      # function pointers come from @cfunction
        if t.base in JL_SCALARS:
            return JL_SCALARS[t.base]
        if t.base in header.aliases or t.base in header.records:
            return t.base
        raise ValueError(f"no Julia type for {t}")
    inner = _jl_type(header, CType(t.base, t.pointers - 1)) if t.base not in header.opaque or t.pointers > 1 \
        else t.base
    return f"Ptr{{{inner}}}"


def _size_align(header: Header, t: CType) -> tuple[int, int]:
    if t.pointers or t.base in header.callbacks:
        return 8, 8
    if t.base in header.aliases:
        return _size_align(header, CType(header.aliases[t.base]))
    if t.base in header.records:
        rec = header.records[t.base]
        parts = [_size_align(header, ft) for _, ft in rec.fields]
        align = max(a for _, a in parts)
        if rec.is_union:
            size = max(s for s, _ in parts)
        else:
            size = 0
            for s, a in parts:
                size = (size + a - 1) // a * a + s
        return (size + align - 1) // align * align, align
    return C_SIZES[t.base], C_SIZES[t.base]


def _jl_doc(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$")


JULIA_HEAD = '''# GENERATED by {command} from include/otelmetrics.h: do not edit by hand.
# Regenerate with `.venv-test/bin/python {command}`; the hand-written parts
# (library lookup, @gc_safe, the union's constructors) are templates there.
"""
    LibOtelMetrics

The C API of `include/otelmetrics.h`, one Julia function per C function,
same names, same argument order, no logic: each is a single `@ccall`.
`OtelMetrics` builds the Julia API on top of this module; use it directly
only for what the high-level API does not offer.

Conventions that hold for every wrapper:
- handles are `Ptr{{T}}` to the empty `mutable struct T end` of the same C
  name (never dereferenced in Julia, only passed back);
- `T **out` parameters are `Ptr{{Ptr{{T}}}}`: pass a `Ref{{Ptr{{T}}}}()`;
- strings are `otelmetrics_str` values whose `ptr` points into a Julia
  `String`; the caller keeps that string alive with `GC.@preserve` for the
  duration of the call (the library copies what it keeps);
- function pointers (callbacks) are `Ptr{{Cvoid}}` from `@cfunction`.
"""
module LibOtelMetrics

using Libdl: dlext
using Artifacts: artifact_exists, artifact_hash, artifact_path
using Preferences: load_preference

const PACKAGE_UUID = Base.UUID("d69a867d-94f2-4cb1-9369-d954771cbc08")   # Project.toml's uuid
const ARTIFACTS_TOML = normpath(joinpath(@__DIR__, "..", "Artifacts.toml"))
const LIBRARY_FILE = "libotelmetrics." * dlext

"""
The shared library, the first of (see the package README):
1. the `OTELMETRICS_LIB` environment variable (a path);
2. the `libotelmetrics` preference of this package (Preferences.jl, a path:
   `set_preferences!(OtelMetrics, "libotelmetrics" => path)`);
3. the `libotelmetrics` artifact of `Artifacts.toml`, installed by Pkg (the
   tarball `bindings/julia/artifact/make_artifact.py` makes);
4. the repository's development build (`cargo build --release`), for a
   `Pkg.develop` of a checkout.
Fixed when the package is precompiled; a changed preference recompiles it,
and a changed `OTELMETRICS_LIB` is noticed by `OtelMetrics.__init__`.
"""
function find_library()
    from_env = get(ENV, "OTELMETRICS_LIB", "")
    isempty(from_env) || return from_env
    preferred = load_preference(PACKAGE_UUID, "libotelmetrics", "")
    isempty(preferred) || return preferred
    if isfile(ARTIFACTS_TOML)
        hash = artifact_hash("libotelmetrics", ARTIFACTS_TOML)
        if hash !== nothing && artifact_exists(hash)
            return joinpath(artifact_path(hash), "lib", LIBRARY_FILE)
        end
    end
    return normpath(joinpath(@__DIR__, "..", "..", "..", "..", "target", "release", LIBRARY_FILE))
end

const libotelmetrics = find_library()
'''

# After the constants: the version rule both bindings apply at load time.
JULIA_VERSION_RULE = '''
"""
    is_compatible_version(v::VersionNumber)

The version rule of both bindings (Python's loader applies the same): a
library is usable when its major.minor equals the header's
`OTELMETRICS_VERSION_MAJOR`.`OTELMETRICS_VERSION_MINOR`, as the soname says;
any patch level is.
"""
is_compatible_version(v::VersionNumber) =
    (v.major, v.minor) == (OTELMETRICS_VERSION_MAJOR, OTELMETRICS_VERSION_MINOR)
'''

# Julia has no unions: the C union `otelmetrics_value` is stored as words,
# and these constructors write each member the way C lays it out. They are
# written for exactly these members; `_check_value_union` fails generation
# when the header's union changes, so they are revisited then.
VALUE_UNION_MEMBERS = [("string", "otelmetrics_str"), ("boolean", "uint8_t"), ("int64", "int64_t"),
                       ("float64", "double"), ("array", "otelmetrics_array")]
VALUE_UNION_CONSTRUCTORS = '''
otelmetrics_value(s::otelmetrics_str) = otelmetrics_value(UInt64(UInt(s.ptr)), UInt64(s.len))
otelmetrics_value(a::otelmetrics_array) = otelmetrics_value(UInt64(UInt(a.ptr)), UInt64(a.len))
otelmetrics_value(b::Bool) = otelmetrics_value(UInt64(b), UInt64(0))
otelmetrics_value(i::Int64) = otelmetrics_value(reinterpret(UInt64, i), UInt64(0))
otelmetrics_value(x::Float64) = otelmetrics_value(reinterpret(UInt64, x), UInt64(0))
'''

JULIA_GC_SAFE = '''
"""
    @gc_safe @ccall lib.f(args...)::R

Makes a blocking `@ccall` without holding the garbage collector: the
library's export thread may be running a Julia callback (observable
instruments, the diagnostic hook) that needs a collection while this
thread waits for it. That is the case for `force_flush` and `shutdown`,
for freeing an observable instrument or a callback registration (they
wait for a running call), and for creating meters, instruments and
registrations (they take the SDK's pipeline lock, which a collection holds
while it runs the callbacks). Recording does not wait for callbacks and
stays a plain `@ccall`. Julia 1.12 and later do this in the ccall
itself (`gc_safe=true`). Older versions get the same effect by hand: every
argument is converted to its C value first, then the thread enters the
GC-safe state for exactly the C call (nothing in that window allocates,
throws or touches a Julia object).
"""
macro gc_safe(call)
    (call isa Expr && call.head === :macrocall && call.args[1] === Symbol("@ccall")) ||
        error("@gc_safe expects an @ccall expression")
    typed = call.args[end]                      # f(a::T, ...)::R
    @static if VERSION >= v"1.12"
        return esc(Expr(:macrocall, Symbol("@ccall"), call.args[2], :(gc_safe = true), typed))
    else
        target, rettype = typed.args
        kept, converts, unsafe_converts, raw_args = Any[], Any[], Any[], Any[]
        for arg in target.args[2:end]
            value, ctype = arg.args
            keep, raw = gensym(string(value)), gensym(string(value))
            push!(kept, keep)
            push!(converts, :($keep = Base.cconvert($ctype, $value)))
            push!(unsafe_converts, :($raw = Base.unsafe_convert($ctype, $keep)))   # rooted: every cconvert result is in the GC.@preserve below
            push!(raw_args, :($raw::$ctype))
        end
        inner = Expr(:macrocall, Symbol("@ccall"), call.args[2],
                     Expr(:(::), Expr(:call, target.args[1], raw_args...), rettype))
        return esc(quote
            $(converts...)
            GC.@preserve $(kept...) begin
                $(unsafe_converts...)
                local gc_state = ccall(:jl_gc_safe_enter, Int8, ())
                local result = $inner
                ccall(:jl_gc_safe_leave, Cvoid, (Int8,), gc_state)
                result
            end
        end)
    end
end
'''


def _check_value_union(header: Header) -> None:
    members = [(n, t.base) for n, t in header.records["otelmetrics_value"].fields]
    if members != VALUE_UNION_MEMBERS:
        raise SystemExit(f"{COMMAND}: otelmetrics_value's members are now {members}: update VALUE_UNION_MEMBERS "
                         f"and the Julia constructors written for them")


def julia_module(header: Header) -> str:
    if set(header.aliases.values()) != {"uint32_t"}:
        # The tag constants below are typed UInt32 because every enumeration typedef is uint32_t.
        raise SystemExit(f"{COMMAND}: an integer typedef is not uint32_t: type the constants by their typedef")
    _check_value_union(header)
    out = [JULIA_HEAD.format(command=COMMAND)]
    out.append("# ---- Integer types named by the header (all uint32_t) ----")
    out += [f"const {name} = {JL_SCALARS[base]}" for name, base in header.aliases.items()]
    out.append("\n# ---- Constants (#define in the header) ----")
    for name, value in header.constants.items():
        # Version parts are plain integers (a VersionNumber's); tags are the uint32_t typedefs' values.
        typed = str(value) if "_VERSION_" in name or not name.startswith("OTELMETRICS_") else f"UInt32({value})"
        out.append(f"const {name} = {typed}")
    out.append(JULIA_VERSION_RULE)
    out.append("# ---- Opaque handle types: only ever behind a Ptr ----")
    out += [f"mutable struct {name} end" for name in header.opaque]
    out.append("\n# ---- Struct mirrors (layout checked against the C compiler by bindings/julia/check) ----")
    for rec in header.records.values():
        doc = rec.doc
        if rec.is_union:
            size, align = _size_align(header, CType(rec.name))
            doc += (f" Julia has no unions: this is its storage, {size} bytes aligned like its largest members "
                    f"({align}), and the constructors below write each member into the leading bytes the way "
                    f"C does (little-endian x86_64/aarch64: a `uint8_t` member is the low byte of the first word).")
        out.append('\n"""\n' + "\n".join(textwrap.wrap(_jl_doc(doc), 76)) + '\n"""')
        out.append(f"struct {rec.name}")
        if rec.is_union:
            # Julia has no unions: the storage, as many aligned words as the union's size.
            out += [f"    word{i + 1}::UInt{align * 8}" for i in range(size // align)]
        else:
            out += [f"    {n}::{_jl_type(header, t)}" for n, t in rec.fields]
        out.append("end")
        if rec.name == "otelmetrics_value":
            out.append(VALUE_UNION_CONSTRUCTORS.rstrip("\n"))
    out.append(JULIA_GC_SAFE)
    out.append("# ---- Functions, in the header's order ----")
    for fn in header.functions.values():
        names = [n + "_" if n in JL_KEYWORDS else n for n, _ in fn.params]
        typed = ", ".join(f"{n}::{_jl_type(header, t)}" for n, (_, t) in zip(names, fn.params))
        gc_safe = "@gc_safe " if MAY_WAIT_FOR_CALLBACKS.match(fn.name) else ""
        out.append(f"\n{fn.name}({', '.join(names)}) =\n    {gc_safe}@ccall libotelmetrics.{fn.name}({typed})"
                   f"::{_jl_type(header, fn.returns)}")
    out.append("\nend # module LibOtelMetrics")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- entry point

def generate(header_path: Path = HEADER) -> dict[Path, str]:
    """The generated files' text, by path relative to the repository."""
    header = parse_header(header_path.read_text())
    return {PYTHON_OUT: python_module(header), JULIA_OUT: julia_module(header)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO, help="root to write the files under (default: the repo)")
    args = parser.parse_args(argv)
    for rel, text in generate().items():
        path = args.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
