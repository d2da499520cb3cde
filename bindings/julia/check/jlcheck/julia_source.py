"""The Julia side of the checks: what the `.jl` files say, read with
tree-sitter-julia (Julia itself cannot run on these machines).

Everything here is syntax: names are compared as written (a module prefix
such as `L.` or `LibOtelMetrics.` is dropped), and `const X = <type>`
aliases are followed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import tree_sitter as ts
import tree_sitter_julia

JULIA_LANGUAGE = ts.Language(tree_sitter_julia.language())


@dataclass(frozen=True)
class JType:
    """A Julia type expression as a tree: `Ptr{Ptr{otelmetrics_meter}}` is
    JType("Ptr", (JType("Ptr", (JType("otelmetrics_meter"),)),))."""

    name: str
    params: tuple["JType", ...] = ()

    def __str__(self) -> str:
        return self.name + ("{" + ", ".join(map(str, self.params)) + "}" if self.params else "")


@dataclass
class SourceFile:
    path: Path
    src: bytes
    tree: ts.Tree

    def text(self, node) -> str:
        return self.src[node.start_byte:node.end_byte].decode()

    def line(self, node) -> int:
        return node.start_point.row + 1

    def line_text(self, node) -> str:
        lines = self.src.decode().splitlines()
        row = node.start_point.row
        return lines[row] if row < len(lines) else ""


@dataclass
class CCall:
    file: SourceFile
    node: object
    function: str
    library: str | None                      # None: no library (the process itself / libjulia)
    args: list[tuple[object, JType | None]]  # (Julia argument expression node, declared type)
    returns: JType | None

    @property
    def where(self) -> str:
        return f"{self.file.path}:{self.file.line(self.node)}"


@dataclass
class StructDef:
    file: SourceFile
    node: object
    name: str
    mutable: bool
    fields: list[tuple[str, JType | None]] = field(default_factory=list)


def parse_file(path: Path) -> SourceFile:
    src = Path(path).read_bytes()
    return SourceFile(Path(path), src, ts.Parser(JULIA_LANGUAGE).parse(src))


@lru_cache(maxsize=None)
def _cached(path: str, mtime: float) -> SourceFile:
    return parse_file(Path(path))


def load(paths) -> list[SourceFile]:
    return [_cached(str(p), Path(p).stat().st_mtime) for p in paths]


def walk(node):
    yield node
    for child in node.children:
        yield from walk(child)


def last_identifier(f: SourceFile, node) -> str:
    """`L.otelmetrics_str` -> `otelmetrics_str`; `Base.unsafe_convert` -> `unsafe_convert`."""
    if node.type == "field_expression":
        return last_identifier(f, node.children[-1])
    return f.text(node)


def type_of(f: SourceFile, node) -> JType | None:
    if node is None:
        return None
    if node.type in ("identifier", "field_expression"):
        return JType(last_identifier(f, node))
    if node.type == "parametrized_type_expression":
        name = last_identifier(f, node.children[0])
        curly = node.children[-1]
        params = tuple(type_of(f, c) for c in curly.named_children)
        return JType(name, tuple(p for p in params if p is not None)) if all(params) else None
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return type_of(f, node.named_children[0])
    return None


def macro_name(f: SourceFile, node) -> str | None:
    """`@ccall` for `@ccall ...`, `@preserve` for `GC.@preserve ...`."""
    if node.type != "macrocall_expression":
        return None
    for child in node.children:
        if child.type == "macro_identifier":
            return f.text(child)
    return None


def macro_arguments(node) -> list:
    for child in node.children:
        if child.type in ("macro_argument_list", "argument_list"):
            return [c for c in child.named_children]
    return []


def callee_name(f: SourceFile, call) -> str | None:
    callee = call.children[0]
    if callee.type in ("identifier", "field_expression"):
        return last_identifier(f, callee)
    if callee.type == "parametrized_type_expression":   # Counter{Int}("x", m)
        return last_identifier(f, callee.children[0])
    return None


def call_arguments(call) -> list:
    """Positional arguments of a call_expression (keywords after `;` excluded)."""
    args = []
    for child in call.children[1].children if call.child_count > 1 else []:
        if child.type == ";":
            break
        if child.is_named and child.type != "named_argument":
            args.append(child)
    return args


def _typed_parts(f: SourceFile, node):
    """(expression, declared type) of `x::T`."""
    if node.type == "typed_expression":
        return node.named_children[0], type_of(f, node.named_children[-1])
    return node, None


def _ccall_macro(f: SourceFile, node) -> CCall | None:
    args = [a for a in macro_arguments(node) if a.type != "assignment"]   # options such as gc_safe=true
    if not args:
        return None
    signature = args[-1]
    returns = None
    if signature.type == "typed_expression":
        call, returns = signature.named_children[0], type_of(f, signature.named_children[-1])
    else:
        call, returns = signature, JType("Cvoid")
    if call.type != "call_expression":
        return None
    callee = call.children[0]
    if callee.type == "field_expression":
        library, function = f.text(callee.children[0]), last_identifier(f, callee.children[-1])
    else:
        library, function = None, f.text(callee)
    params = [_typed_parts(f, a) for a in call_arguments(call)]
    return CCall(f, node, function, library, params, returns)


def _ccall_function(f: SourceFile, node) -> CCall | None:
    args = call_arguments(node)
    if len(args) < 3:
        return None
    target, returns, types = args[0], type_of(f, args[1]), args[2]
    if target.type == "tuple_expression":
        parts = target.named_children
        function = f.text(parts[0]).lstrip(":")
        library = f.text(parts[1]) if len(parts) > 1 else None
    elif target.type == "quote_expression":
        function, library = f.text(target).lstrip(":"), None
    else:
        return None
    declared = [type_of(f, t) for t in types.named_children] if types.type == "tuple_expression" else []
    values = args[3:]
    params = list(zip(values, declared)) if len(values) == len(declared) else \
        [(values[i] if i < len(values) else None, t) for i, t in enumerate(declared)]
    return CCall(f, node, function, library, params, returns)


def ccalls(files) -> list[CCall]:
    found = []
    for f in files:
        for node in walk(f.tree.root_node):
            call = None
            if macro_name(f, node) == "@ccall":
                call = _ccall_macro(f, node)
            elif node.type == "call_expression" and callee_name(f, node) == "ccall" and \
                    node.children[0].type == "identifier":
                call = _ccall_function(f, node)
            if call is not None:
                found.append(call)
    return found


def structs(files) -> dict[str, StructDef]:
    found = {}
    for f in files:
        for node in walk(f.tree.root_node):
            if node.type != "struct_definition":
                continue
            head = next(c for c in node.children if c.type == "type_head")
            name_node = head.named_children[0]
            while name_node.type in ("parametrized_type_expression", "binary_expression", "where_expression"):
                name_node = name_node.children[0]
            name = last_identifier(f, name_node)
            mutable = any(c.type == "mutable" for c in node.children)
            fields = []
            for c in node.named_children:
                if c.type == "typed_expression":
                    fields.append((f.text(c.named_children[0]), type_of(f, c.named_children[-1])))
                elif c.type == "identifier" and c is not name_node:
                    fields.append((f.text(c), JType("Any")))
            found.setdefault(name, StructDef(f, node, name, mutable, fields))
    return found


def const_aliases(files) -> dict[str, JType]:
    """`const X = <type expression>` (e.g. `const otelmetrics_status = UInt32`)."""
    aliases = {}
    for f in files:
        for node in walk(f.tree.root_node):
            if node.type == "const_statement":
                assignment = next((c for c in node.named_children if c.type == "assignment"), None)
                if assignment is None:
                    continue
                lhs, rhs = assignment.named_children[0], assignment.named_children[-1]
                t = type_of(f, rhs)
                if lhs.type == "identifier" and t is not None:
                    aliases[f.text(lhs)] = t
    return aliases


def const_integers(files) -> list[tuple[str, SourceFile, object, int]]:
    """Every `const NAME = 3` or `const NAME = UInt32(3)`: (name, file, node, value)."""
    found = []
    for f in files:
        for node in walk(f.tree.root_node):
            if node.type != "const_statement":
                continue
            assignment = next((c for c in node.named_children if c.type == "assignment"), None)
            if assignment is None:
                continue
            lhs, rhs = assignment.named_children[0], assignment.named_children[-1]
            if rhs.type == "call_expression" and len(call_arguments(rhs)) == 1:
                rhs = call_arguments(rhs)[0]
            if lhs.type == "identifier" and rhs.type == "integer_literal":
                found.append((f.text(lhs), f, node, int(f.text(rhs).replace("_", ""), 0)))
    return found


FUNCTION_BODIES = ("function_definition", "arrow_function_expression", "do_clause")


def is_short_function(node) -> bool:
    """`f(x) = ...` (an assignment whose left side is a call or a where clause)."""
    if node.type != "assignment":
        return False
    lhs = node.named_children[0]
    while lhs.type in ("where_expression", "typed_expression"):
        lhs = lhs.named_children[0]
    return lhs.type == "call_expression"


def function_name_of(f: SourceFile, node) -> str | None:
    if node.type == "function_definition":
        sig = next((c for c in node.children if c.type == "signature"), None)
        target = sig.named_children[0] if sig is not None and sig.named_children else None
    elif is_short_function(node):
        target = node.named_children[0]
    else:
        return None
    while target is not None and target.type in ("where_expression", "typed_expression"):
        target = target.named_children[0]
    if target is None or target.type != "call_expression":
        return None
    callee = target.children[0]
    if callee.type in ("identifier", "field_expression"):
        return last_identifier(f, callee)
    return None


def enclosing_function(node):
    parent = node.parent
    while parent is not None:
        if parent.type in FUNCTION_BODIES or is_short_function(parent):
            return parent
        parent = parent.parent
    return None


def top_level_functions(files) -> set[str]:
    """Names of functions defined outside any other function body."""
    names = set()
    for f in files:
        for node in walk(f.tree.root_node):
            if node.type == "function_definition" or is_short_function(node):
                if enclosing_function(node) is None:
                    name = function_name_of(f, node)
                    if name:
                        names.add(name)
    return names


@dataclass
class CFunctionUse:
    """One `@cfunction(f, R, (T1, T2))`."""

    file: SourceFile
    node: object
    target: object                   # the first argument's node
    returns: JType | None
    params: list[JType | None]


def cfunction_uses(files) -> list[CFunctionUse]:
    uses = []
    for f in files:
        for node in walk(f.tree.root_node):
            if macro_name(f, node) != "@cfunction":
                continue
            args = macro_arguments(node)
            if len(args) < 3:
                continue
            types = args[2]
            params = [type_of(f, t) for t in types.named_children] if types.type == "tuple_expression" else [None]
            uses.append(CFunctionUse(f, node, args[0], type_of(f, args[1]), params))
    return uses


@dataclass
class Signature:
    file: SourceFile
    node: object
    params: list[JType | None]       # declared types (None: untyped)
    returns: JType | None


def _signature_call(node):
    """(call_expression, return type node) of a function definition's head."""
    if node.type == "function_definition":
        head = next((c for c in node.children if c.type == "signature"), None)
        head = head.named_children[0] if head is not None and head.named_children else None
    else:
        head = node.named_children[0]
    rtype = None
    while head is not None and head.type in ("typed_expression", "where_expression"):
        if head.type == "typed_expression":
            rtype = head.named_children[-1]
        head = head.named_children[0]
    return (head, rtype) if head is not None and head.type == "call_expression" else (None, None)


def top_level_signatures(files) -> dict[str, list[Signature]]:
    """Methods of top-level functions, with their declared argument and return types."""
    found: dict[str, list[Signature]] = {}
    for f in files:
        for node in walk(f.tree.root_node):
            if not (node.type == "function_definition" or is_short_function(node)) or enclosing_function(node):
                continue
            call, rtype = _signature_call(node)
            name = function_name_of(f, node)
            if call is None or name is None:
                continue
            params = [type_of(f, a.named_children[-1]) if a.type == "typed_expression" else None
                      for a in call_arguments(call)]
            found.setdefault(name, []).append(Signature(f, node, params, type_of(f, rtype) if rtype else None))
    return found


def enclosing_ccall(node):
    """The `@ccall`/`ccall` expression `node` is part of, if any."""
    parent = node.parent
    while parent is not None:
        if parent.type == "macrocall_expression":
            ident = next((c for c in parent.children if c.type == "macro_identifier"), None)
            if ident is not None and ident.text == b"@ccall":
                return parent
        if parent.type == "call_expression" and parent.children[0].type == "identifier" and \
                parent.children[0].text == b"ccall":
            return parent
        parent = parent.parent
    return None


def parse_errors(f: SourceFile) -> list[tuple[int, str]]:
    return [(n.start_point.row + 1, "missing " + n.type if n.is_missing else "syntax error")
            for n in walk(f.tree.root_node) if n.type == "ERROR" or n.is_missing]
