"""The C-to-Julia type table: which Julia spellings are correct for a C type.

One table for every check (ccall arguments and returns, struct mirror
fields). Julia types are compared after following `const` aliases and
dropping module prefixes; the C side after following the header's integer
typedefs.
"""

from __future__ import annotations

from dataclasses import dataclass

from .header import CType, Header
from .julia_source import JType

# C scalar -> the Julia names that are exactly that type on x86_64/aarch64 Linux.
SCALARS: dict[str, set[str]] = {
    "uint8_t": {"UInt8", "Cuchar"},
    "int8_t": {"Int8"},
    "uint16_t": {"UInt16", "Cushort"},
    "int16_t": {"Int16", "Cshort"},
    "uint32_t": {"UInt32", "Cuint"},
    "int32_t": {"Int32", "Cint"},
    "uint64_t": {"UInt64", "Culonglong"},
    "int64_t": {"Int64", "Clonglong"},
    # size_t is spelled Csize_t: UInt64 would be right on 64-bit Linux only by accident.
    "size_t": {"Csize_t"},
    "double": {"Float64", "Cdouble"},
    "float": {"Float32", "Cfloat"},
    "bool": {"Bool"},
    "_Bool": {"Bool"},   # what the preprocessor makes of stdbool's `bool`
    "void": {"Cvoid", "Nothing"},
    # char data: bytes (a `char` pointee); Cstring is handled separately
    "char": {"UInt8", "Cchar", "Int8", "Cuchar"},
}

@dataclass
class JuliaContext:
    aliases: dict[str, JType]          # const X = T in the package
    structs: dict[str, object]         # struct name -> StructDef

    def resolve(self, t: JType, depth: int = 0) -> JType:
        if depth > 20:
            return t
        if not t.params and t.name in self.aliases and t.name not in self.structs:
            return self.resolve(self.aliases[t.name], depth + 1)
        return JType(t.name, tuple(self.resolve(p, depth + 1) for p in t.params))


def describe(c: CType) -> str:
    return str(c).strip()


def c_scalar(header: Header, c: CType) -> str | None:
    """The scalar a non-pointer C type comes down to (following integer typedefs)."""
    base = c.base
    seen = 0
    while base in header.aliases and seen < 10:
        alias = header.aliases[base]
        if alias.pointers:
            return None
        base, seen = alias.base, seen + 1
    return base if base in SCALARS else None


def expected(header: Header, c: CType, position: str) -> str:
    """A human description of what the table accepts, for messages."""
    return " or ".join(_spellings(header, c, position))


def _spellings(header: Header, c: CType, position: str) -> list[str]:
    if c.pointers == 0:
        if c.base in header.function_pointers:
            return ["Ptr{Cvoid} (a C function pointer, from @cfunction)"]
        if c.base in header.records:
            return [c.base + " (the immutable struct mirror, by value)"]
        if c.base in header.opaque:
            return [c.base + " (an empty struct)", "Cvoid"]
        scalar = c_scalar(header, c)
        return sorted(SCALARS.get(scalar, {"?"}))
    inner = CType(c.base, c.pointers - 1, c.const)
    inner_spellings = ["Cvoid"] if inner.pointers == 0 and inner.base == "void" else \
        [s.split(" (")[0] for s in _spellings(header, inner, "pointee")]
    by_ref = position == "argument" and not (inner.pointers == 0 and inner.base in header.opaque)
    wrappers = ["Ptr", "Ref"] if by_ref else ["Ptr"]
    return [f"{w}{{{s}}}" for w in wrappers for s in inner_spellings]


def matches(header: Header, ctx: JuliaContext, c: CType, j: JType | None, position: str) -> bool:
    """Does Julia type `j` correctly stand for C type `c`? `position` is
    "argument", "return", "field" or "pointee" (Ref only for arguments)."""
    if j is None:
        return False
    j = ctx.resolve(j)
    if c.pointers == 0:
        if c.base in header.function_pointers:
            return j == JType("Ptr", (JType("Cvoid"),)) or j == JType("Ptr", (JType("Nothing"),))
        if c.base in header.records:
            return j.name == c.base and not j.params and c.base in ctx.structs
        if c.base in header.opaque:
            # only as a pointee: the empty Julia struct of the same name, or Cvoid
            return position == "pointee" and (j.name in ("Cvoid", "Nothing") or (j.name == c.base and c.base in ctx.structs))
        scalar = c_scalar(header, c)
        if scalar is None or j.params:
            return False
        return _same_scalar(j.name, scalar)
    if j.name == "Cstring" and not j.params:
        return c.pointers == 1 and c.base == "char"   # NUL-terminated text; lints decide where it is unsafe
    if j.name == "Ptr" or (j.name == "Ref" and position == "argument"):
        if len(j.params) != 1:
            return False
        inner = CType(c.base, c.pointers - 1, c.const)
        if j.name == "Ref" and inner.pointers == 0 and inner.base in header.opaque:
            return False   # Ref{T} would pass the address of a Julia-allocated T: a handle is a Ptr
        if inner.pointers == 0 and inner.base == "void":   # void *: untyped memory, Ptr{Cvoid} only
            return j.name == "Ptr" and ctx.resolve(j.params[0]).name in ("Cvoid", "Nothing")
        return matches(header, ctx, inner, j.params[0], "pointee")
    return False


def _same_scalar(julia_name: str, scalar: str) -> bool:
    return julia_name in SCALARS[scalar]


# ---- Layout of a Julia struct with C alignment rules ----

JULIA_SIZES = {"UInt8": 1, "Int8": 1, "Bool": 1, "Cuchar": 1, "Cchar": 1,
               "UInt16": 2, "Int16": 2, "Cushort": 2, "Cshort": 2,
               "UInt32": 4, "Int32": 4, "Float32": 4, "Cuint": 4, "Cint": 4, "Cfloat": 4,
               "UInt64": 8, "Int64": 8, "Float64": 8, "Csize_t": 8, "Int": 8, "UInt": 8, "Cdouble": 8,
               "Culonglong": 8, "Clonglong": 8, "Cstring": 8, "Ptr": 8}


def size_align(ctx: JuliaContext, t: JType, depth: int = 0) -> tuple[int, int]:
    """(size, alignment) of an isbits Julia type laid out as C would lay it out."""
    t = ctx.resolve(t)
    if t.name in JULIA_SIZES:
        n = JULIA_SIZES[t.name]
        return n, n
    if t.name == "NTuple" and len(t.params) == 2 and t.params[0].name.isdigit():
        size, align = size_align(ctx, t.params[1], depth + 1)
        return size * int(t.params[0].name), align
    if t.name in ctx.structs and depth < 10:
        return struct_layout(ctx, ctx.structs[t.name], depth + 1)[:2]
    raise KeyError(f"no C layout for Julia type {t}")


def struct_layout(ctx: JuliaContext, struct, depth: int = 0) -> tuple[int, int, dict[str, int]]:
    """(size, alignment, field offsets) of a Julia struct mirror."""
    offset, align, offsets = 0, 1, {}
    for name, ftype in struct.fields:
        if ftype is None:
            raise KeyError(f"field {name} has no type")
        size, falign = size_align(ctx, ftype, depth)
        offset = (offset + falign - 1) // falign * falign
        offsets[name] = offset
        offset += size
        align = max(align, falign)
    size = (offset + align - 1) // align * align
    return size, align, offsets
