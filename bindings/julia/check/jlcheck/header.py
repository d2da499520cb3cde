"""The C side of the checks: what `include/otelmetrics.h` declares.

The header is run through the real C preprocessor first (`gcc -E`), so the
`extern "C"` guards and macros are resolved exactly as a C compiler sees
them, then parsed with tree-sitter-c. Only declarations whose names start
with `otelmetrics_` are kept; `static inline` helpers are header-only
conveniences (not exported) and are left out.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import tree_sitter as ts
import tree_sitter_c

PREFIX = "otelmetrics_"
C_LANGUAGE = ts.Language(tree_sitter_c.language())


@dataclass(frozen=True)
class CType:
    """A C type reduced to what the mapping needs: the base name after the
    `struct`/`union` keyword (or a typedef name), how many `*` follow it,
    and whether the base was spelled with `const` (informational)."""

    base: str
    pointers: int = 0
    const: bool = False

    def __str__(self) -> str:
        return ("const " if self.const else "") + self.base + " " + "*" * self.pointers


@dataclass
class CFunction:
    name: str
    returns: CType
    params: list[tuple[str, CType]]


@dataclass
class CRecord:
    """A struct or union with a body (one the bindings may mirror)."""

    name: str
    is_union: bool
    fields: list[tuple[str, CType]]


@dataclass
class Header:
    functions: dict[str, CFunction] = field(default_factory=dict)
    records: dict[str, CRecord] = field(default_factory=dict)
    opaque: set[str] = field(default_factory=set)
    # typedef name -> the C type it names (integer aliases such as otelmetrics_status)
    aliases: dict[str, CType] = field(default_factory=dict)
    # callback typedef name -> its signature (name, return type, parameters)
    function_pointers: dict[str, CFunction] = field(default_factory=dict)
    # #define NAME <integer> from the raw header text
    constants: dict[str, int] = field(default_factory=dict)


def _text(src: bytes, node) -> str:
    return src[node.start_byte:node.end_byte].decode()


def _type_of(src: bytes, decl) -> tuple[CType, str | None, bool]:
    """(type, declared name, whether the declarator declares a function or
    function pointer) of a parameter, field, declaration or typedef node."""
    spec = decl.child_by_field_name("type")
    if spec is not None and spec.type in ("struct_specifier", "union_specifier"):
        tag = spec.child_by_field_name("name")
        base = _text(src, tag) if tag is not None else "?"
    else:
        base = _text(src, spec) if spec is not None else "?"
    const = any(c.type == "type_qualifier" and _text(src, c) == "const" for c in decl.children)
    pointers, name, is_function = 0, None, False
    inner = decl.child_by_field_name("declarator")
    while inner is not None:
        if inner.type == "pointer_declarator":
            if not is_function:
                pointers += 1
            inner = inner.child_by_field_name("declarator")
        elif inner.type == "function_declarator":
            is_function = True
            inner = inner.child_by_field_name("declarator")
        elif inner.type == "parenthesized_declarator":
            inner = inner.named_children[0]
        elif inner.type in ("identifier", "field_identifier", "type_identifier"):
            name = _text(src, inner)
            break
        else:
            break
    return CType(base, pointers, const), name, is_function


def _function_declarator(decl):
    """The function_declarator of a function declaration (its return type
    may add pointer declarators around it)."""
    inner = decl.child_by_field_name("declarator")
    while inner is not None and inner.type == "pointer_declarator":
        inner = inner.child_by_field_name("declarator")
    return inner if inner is not None and inner.type == "function_declarator" else None


def _record(src: bytes, spec, is_union: bool) -> CRecord | None:
    body = spec.child_by_field_name("body")
    name = spec.child_by_field_name("name")
    if body is None or name is None:
        return None
    fields = []
    for f in body.named_children:
        if f.type == "field_declaration":
            ctype, fname, _ = _type_of(src, f)
            fields.append((fname, ctype))
    return CRecord(_text(src, name), is_union, fields)


def _parameters(src: bytes, node) -> list[tuple[str, CType]]:
    """The parameters of the (first) function declarator at or under `node`."""
    fdecl = node if node.type == "function_declarator" else next(
        (n for n in _descendants(node) if n.type == "function_declarator"), None)
    params = []
    for p in fdecl.child_by_field_name("parameters").named_children:
        if p.type != "parameter_declaration":
            continue
        ptype, pname, _ = _type_of(src, p)
        if ptype.base == "void" and ptype.pointers == 0 and pname is None:
            continue  # f(void)
        params.append((pname or f"arg{len(params)}", ptype))
    return params


def _descendants(node):
    for child in node.children:
        yield child
        yield from _descendants(child)


def parse_header_source(preprocessed: bytes, raw: str = "") -> Header:
    tree = ts.Parser(C_LANGUAGE).parse(preprocessed)
    if tree.root_node.has_error:
        raise ValueError("the preprocessed header does not parse as C")
    header = Header()
    for node in tree.root_node.children:
        if node.type == "type_definition":
            spec = node.child_by_field_name("type")
            ctype, name, is_function = _type_of(preprocessed, node)
            if name is None or not name.startswith(PREFIX):
                continue
            if is_function:
                header.function_pointers[name] = CFunction(name, ctype, _parameters(preprocessed, node))
            elif spec.type in ("struct_specifier", "union_specifier"):
                rec = _record(preprocessed, spec, spec.type == "union_specifier")
                if rec is not None:
                    header.records[rec.name] = rec
                else:
                    header.opaque.add(name)
            else:
                header.aliases[name] = ctype
        elif node.type == "declaration":
            if any(c.type == "storage_class_specifier" for c in node.children):
                continue  # static inline helpers: header-only, not exported
            ctype, name, is_function = _type_of(preprocessed, node)
            fdecl = _function_declarator(node)
            if name is None or not name.startswith(PREFIX) or fdecl is None:
                continue
            header.functions[name] = CFunction(name, ctype, _parameters(preprocessed, fdecl))
    for m in re.finditer(r"^#define\s+(OTELMETRICS_\w+)\s+(-?\d+)\s*$", raw, re.MULTILINE):
        header.constants[m.group(1)] = int(m.group(2))
    return header


@lru_cache(maxsize=None)
def load_header(path: Path) -> Header:
    pre = subprocess.run(["gcc", "-E", "-P", "-std=c11", str(path)], capture_output=True, check=True).stdout
    return parse_header_source(pre, Path(path).read_text())


def exported_symbols(library: Path) -> set[str]:
    """Functions the built library really exports (`nm -D --defined-only`)."""
    out = subprocess.run(["nm", "-D", "--defined-only", str(library)], capture_output=True, text=True,
                         check=True).stdout
    return {parts[2] for parts in (line.split() for line in out.splitlines())
            if len(parts) == 3 and parts[1] in "TtWw" and parts[2].startswith(PREFIX)}
