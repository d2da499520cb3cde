"""The checks. Each takes the `Inputs` and returns the problems it found
(an empty list means the check passed); `run_all` runs every one.

What each check proves, and what it cannot, is in bindings/julia/check/README.md.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

from . import julia_source as js
from .header import CType, Header
from .layout import c_layouts
from .types import JuliaContext, expected, matches, struct_layout

# C functions of Julia's own runtime a binding may call without a library:
# entering and leaving the GC-safe state around a blocking call (Julia < 1.12).
LIBJULIA_ALLOWED = {"jl_gc_safe_enter", "jl_gc_safe_leave"}

# Calls that turn a Julia object into a raw pointer the GC knows nothing about.
POINTER_DERIVATIONS = {"pointer", "pointer_from_objref", "unsafe_convert"}
ROOTED_PRAGMA = "# rooted:"


@dataclass
class Problem:
    check: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: [{self.check}] {self.message}"


@dataclass
class Inputs:
    files: list[js.SourceFile]
    header: Header
    header_path: Path
    exports: set[str]

    @property
    def context(self) -> JuliaContext:
        return JuliaContext(js.const_aliases(self.files), js.structs(self.files))


def _where(f: js.SourceFile, node) -> str:
    return f"{f.path}:{f.line(node)}"


# ---- 1. every file parses ----

def check_parse(inputs: Inputs) -> list[Problem]:
    return [Problem("parse", f"{f.path}:{line}", what) for f in inputs.files for line, what in js.parse_errors(f)]


# ---- 2. every ccall names a declared, exported function with the right types ----

def check_ccalls(inputs: Inputs) -> list[Problem]:
    problems, ctx, header = [], inputs.context, inputs.header
    for call in js.ccalls(inputs.files):
        say = lambda msg: problems.append(Problem("ccall", call.where, f"{call.function}: {msg}"))  # noqa: E731, B023
        if call.library is None and call.function in LIBJULIA_ALLOWED:
            continue
        c = header.functions.get(call.function)
        if call.file.generated:
            # A generated wrapper has the header's name and arity by construction. That
            # the library exports it, and that the generator's C-to-Julia type mapping
            # agrees with the table below (a second, independent statement of it), it
            # cannot know: those are still checked.
            if c is None or len(call.args) != len(c.params):
                say("generated, but not as the header declares it: rerun tools/gen_bindings.py")
                continue
        elif c is None:
            say("not declared in the header")
            continue
        if call.function not in inputs.exports:
            say("declared in the header but not exported by the built library")
        if len(call.args) != len(c.params):
            say(f"{len(call.args)} arguments, the header declares {len(c.params)}")
            continue
        for i, ((_expr, jtype), (pname, ctype)) in enumerate(zip(call.args, c.params), 1):
            if not matches(header, ctx, ctype, jtype, "argument"):
                say(f"argument {i} ({pname}) is `{ctype}` in C, declared `{jtype}` here; "
                    f"expected {expected(header, ctype, 'argument')}")
        if not matches(header, ctx, c.returns, call.returns, "return"):
            say(f"returns `{c.returns}` in C, declared `{call.returns}` here; "
                f"expected {expected(header, c.returns, 'return')}")
    return problems


def check_constants(inputs: Inputs) -> list[Problem]:
    """Julia constants named like the header's #defines have their values."""
    problems = []
    for name, f, node, value in js.const_integers([f for f in inputs.files if not f.generated]):
        if name in inputs.header.constants and inputs.header.constants[name] != value:
            problems.append(Problem("ccall", _where(f, node),
                                    f"{name} is {value} here, {inputs.header.constants[name]} in the header"))
    return problems


# ---- 3. (removed) every header function is wrapped ----
# LibOtelMetrics.jl is generated with one wrapper per header function, so the
# coverage check and its not-wrapped table have nothing left to find.


# ---- 4. struct mirrors match the C layout ----

def _used_records(header: Header) -> set[str]:
    used = set()
    for f in header.functions.values():
        for t in [f.returns, *(p for _, p in f.params)]:
            if t.base in header.records:
                used.add(t.base)
    # a record inside a used record is used too
    changed = True
    while changed:
        changed = False
        for name in list(used):
            for _, ft in header.records[name].fields:
                if ft.base in header.records and ft.base not in used:
                    used.add(ft.base)
                    changed = True
    return used


def check_layout(inputs: Inputs) -> list[Problem]:
    problems, ctx, header = [], inputs.context, inputs.header
    c = c_layouts(header, inputs.header_path)
    for name in sorted(header.records):
        rec, jl = header.records[name], ctx.structs.get(name)
        say = lambda msg, where=None: problems.append(Problem("layout", where or name, msg))  # noqa: E731, B023
        if jl is None:
            if name in _used_records(header):
                say(f"the header's {'union' if rec.is_union else 'struct'} {name} has no Julia mirror")
            continue
        where = _where(jl.file, jl.node)
        problems += _mirror_fields(header, ctx, rec, jl, where)
        try:
            size, align, offsets = struct_layout(ctx, jl)
        except KeyError as e:
            say(f"cannot lay out the mirror: {e.args[0]}", where)
            continue
        # Sizes and offsets follow from the Julia types chosen for the C ones:
        # generation does not prove those, the C compiler's numbers do.
        want = c[name]
        if (size, align) != (want.size, want.align):
            say(f"size/alignment {size}/{align} in Julia, {want.size}/{want.align} in C", where)
        if not rec.is_union:
            for fname, off in want.offsets.items():
                if fname in offsets and offsets[fname] != off:
                    say(f"field {fname} at offset {offsets[fname]} in Julia, {off} in C", where)
    return problems


def _mirror_fields(header: Header, ctx, rec, jl, where: str) -> list[Problem]:
    """A mirror is immutable and has C's field names, order and types. A generated
    mirror has the first two by construction; its field types come from the
    generator's mapping, which the type table checks independently."""
    problems = []
    if not jl.file.generated and jl.mutable:
        problems.append(Problem("layout", where, f"{rec.name} is a mutable struct: C passes and embeds it by "
                                                 f"value, mirror it with an immutable struct"))
    if rec.is_union:
        return problems   # Julia stores a union as words: only its size and alignment can be compared
    if not jl.file.generated:
        jnames, cnames = [n for n, _ in jl.fields], [n for n, _ in rec.fields]
        if jnames != cnames:
            problems.append(Problem("layout", where, f"fields {jnames} do not match C's {cnames} (names and order)"))
    for (fname, jt), (cname, ct) in zip(jl.fields, rec.fields):
        if fname == cname and not matches(header, ctx, ct, jt, "field"):
            problems.append(Problem("layout", where, f"field {fname} is `{ct}` in C, `{jt}` here; "
                                                     f"expected {expected(header, ct, 'field')}"))
    return problems


# ---- 5. calls of the low-level wrappers from the rest of the package ----

def _is_signature(node) -> bool:
    """`f(a, b)` in `f(a, b) = ...` or `function f(a, b)` is a definition, not a call."""
    parent, child = node.parent, node
    while parent is not None and parent.type in ("typed_expression", "where_expression"):
        parent, child = parent.parent, parent
    if parent is not None and parent.type == "signature":
        return True
    return parent is not None and parent.type == "assignment" and parent.named_children[0] == child


def _outermost_function(node):
    outer, fn = None, js.enclosing_function(node)
    while fn is not None:
        outer, fn = fn, js.enclosing_function(fn)
    return outer


def _ref_type(f: js.SourceFile, arg) -> object:
    """T of `Ref{T}(...)`, or None."""
    if arg.type == "call_expression" and arg.children[0].type == "parametrized_type_expression":
        t = js.type_of(f, arg.children[0])
        if t is not None and t.name == "Ref" and len(t.params) == 1:
            return t.params[0]
    return None


def _ref_type_of_argument(f: js.SourceFile, arg, scope) -> object:
    """T when the argument is `Ref{T}(...)` or a local assigned from one in the same function."""
    direct = _ref_type(f, arg)
    if direct is not None or arg.type != "identifier" or scope is None:
        return direct
    name = f.text(arg)
    for node in js.walk(scope):
        if node.type == "assignment" and node.named_children[0].type == "identifier" and \
                f.text(node.named_children[0]) == name:
            t = _ref_type(f, node.named_children[-1])
            if t is not None:
                return t
    return None


def check_wrapper_calls(inputs: Inputs) -> list[Problem]:
    """Where the package calls a wrapper by its C name (`L.otelmetrics_meter_free(h)`),
    the call passes as many arguments as the C function takes, and a `Ref{T}`
    out-parameter holds exactly the C pointee type (ccall converts no Ref:
    a `Ref{Ptr{Cvoid}}` for a `otelmetrics_meter **` fails at run time)."""
    problems, header, ctx = [], inputs.header, inputs.context
    for f in inputs.files:
        for node in js.walk(f.tree.root_node):
            if node.type != "call_expression":
                continue
            t = _ref_type(f, node)
            if t is not None and ctx.resolve(t) == js.JType("Ptr", (js.JType("Cvoid"),)) or \
                    t is not None and ctx.resolve(t) == js.JType("Ptr", (js.JType("Nothing"),)):
                problems.append(Problem("calls", _where(f, node), "`Ref{Ptr{Cvoid}}`: no C function here takes "
                                        "`void **`; an out-parameter is `Ref{Ptr{T}}` of the handle's own type"))
                continue
            name = js.callee_name(f, node)
            fn = header.functions.get(name)
            if fn is None or _is_signature(node) or js.enclosing_ccall(node) is not None:
                continue
            args = js.call_arguments(node)
            if any(a.type == "splat_expression" for a in args):
                continue
            if len(args) != len(fn.params):
                problems.append(Problem("calls", _where(f, node),
                                        f"{name}: called with {len(args)} arguments, the C function takes {len(fn.params)}"))
                continue
            scope = _outermost_function(node)
            for arg, (pname, ctype) in zip(args, fn.params):
                rt = _ref_type_of_argument(f, arg, scope)
                if rt is None or ctype.pointers == 0:
                    continue
                inner = CType(ctype.base, ctype.pointers - 1, ctype.const)
                if not matches(header, ctx, inner, rt, "pointee"):
                    problems.append(Problem("calls", _where(f, node),
                                            f"{name}: {pname} is `{ctype}` in C, given a `Ref{{{rt}}}`"))
    return problems


# ---- 6. callbacks: @cfunction signatures ----

def check_callbacks(inputs: Inputs) -> list[Problem]:
    """Every `@cfunction` has the signature of one of the header's callback
    types (a wrong one corrupts the stack when the library calls it), and the
    Julia function it names declares those same types."""
    problems, header, ctx = [], inputs.header, inputs.context
    signatures = js.top_level_signatures(inputs.files)
    for use in js.cfunction_uses(inputs.files):
        where = _where(use.file, use.node)
        fits = [fp.name for fp in header.function_pointers.values()
                if len(fp.params) == len(use.params)
                and matches(header, ctx, fp.returns, use.returns, "field")
                and all(matches(header, ctx, ct, jt, "field") for (_, ct), jt in zip(fp.params, use.params))]
        if not fits:
            shown = f"{use.returns} ({', '.join(map(str, use.params))})"
            problems.append(Problem("callbacks", where, f"@cfunction signature {shown} matches none of the header's "
                                    f"callback types ({', '.join(sorted(header.function_pointers))})"))
        if use.target.type not in ("identifier", "field_expression"):
            continue   # closures are lint-cfunction's business
        name = js.last_identifier(use.file, use.target)
        for sig in signatures.get(name, []):
            if len(sig.params) != len(use.params):
                continue   # another method; Julia picks by arity
            for i, (declared, wanted) in enumerate(zip(sig.params, use.params), 1):
                if declared is not None and wanted is not None and ctx.resolve(declared) != ctx.resolve(wanted):
                    problems.append(Problem("callbacks", where, f"{name} declares argument {i} as `{declared}`, "
                                            f"the @cfunction passes `{wanted}`"))
            if sig.returns is not None and use.returns is not None and \
                    ctx.resolve(sig.returns) != ctx.resolve(use.returns):
                problems.append(Problem("callbacks", where, f"{name} returns `{sig.returns}`, "
                                        f"the @cfunction expects `{use.returns}`"))
    return problems


# ---- 7. blocking calls leave the GC free ----

def _generator():
    """tools/gen_bindings.py, whose policy the hand-written ccalls must follow too."""
    path = Path(__file__).resolve().parents[4] / "tools" / "gen_bindings.py"
    spec = importlib.util.spec_from_file_location("gen_bindings", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module   # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


# C functions that may wait for the library's export thread while it runs a
# Julia callback (flush, shutdown, freeing observables and registrations,
# creating meters, instruments and registrations): one list, the generator's,
# which makes the generated wrappers GC-safe; this check holds every other
# ccall (examples, hand-written code) to it.
MAY_WAIT_FOR_CALLBACKS = _generator().MAY_WAIT_FOR_CALLBACKS


def _gc_safe(f: js.SourceFile, call: js.CCall) -> bool:
    node = call.node
    if js.macro_name(f, node) == "@ccall" and any(
            a.type == "assignment" and f.text(a).replace(" ", "") == "gc_safe=true" for a in js.macro_arguments(node)):
        return True
    parent = node.parent
    while parent is not None and parent.type in ("macro_argument_list", "argument_list"):
        parent = parent.parent
    return parent is not None and js.macro_name(f, parent) == "@gc_safe"


def check_gc_safe(inputs: Inputs) -> list[Problem]:
    return [Problem("gc-safe", call.where, f"{call.function} may wait for a running callback: make the call with "
                    f"`gc_safe=true` (Julia 1.12+) or through `@gc_safe`")
            for call in js.ccalls([f for f in inputs.files if not f.generated])
            if MAY_WAIT_FOR_CALLBACKS.match(call.function) and not _gc_safe(call.file, call)]


# ---- 8. lints for known mistakes ----

def _byte_pairs(params: list[tuple[str, CType]]) -> list[int]:
    """Indexes of size_t parameters/fields that give the byte length of the
    char/uint8_t pointer right before them (a string or byte buffer)."""
    return [i for i in range(1, len(params))
            if params[i][1].base == "size_t" and params[i][1].pointers == 0
            and params[i - 1][1].pointers == 1 and params[i - 1][1].base in ("char", "uint8_t")]


def _calls_length(f: js.SourceFile, node) -> bool:
    return node is not None and any(n.type == "call_expression" and js.callee_name(f, n) == "length"
                                    for n in js.walk(node))


def lint_byte_lengths(inputs: Inputs) -> list[Problem]:
    """`length(s)` counts characters, not bytes: wrong for any non-ASCII string."""
    problems, header = [], inputs.header
    pairs_of = {name: _byte_pairs(rec.fields) for name, rec in header.records.items() if not rec.is_union}
    pairs_of.update({name: _byte_pairs(fn.params) for name, fn in header.functions.items()})
    for call in js.ccalls(inputs.files):
        fn = header.functions.get(call.function)
        if fn is None:
            continue
        for i in _byte_pairs(fn.params):
            if i < len(call.args) and _calls_length(call.file, call.args[i][0]):
                problems.append(Problem("lint-length", call.where, f"{call.function}: `length(` for the byte count "
                                        f"{fn.params[i][0]}; use `sizeof`"))
    for f in inputs.files:
        for node in js.walk(f.tree.root_node):
            if node.type != "call_expression":
                continue
            name = js.callee_name(f, node)
            if name not in pairs_of or js.enclosing_ccall(node) is not None:
                continue
            args = js.call_arguments(node)
            params = header.records[name].fields if name in header.records else header.functions[name].params
            for i in pairs_of[name]:
                if i < len(args) and _calls_length(f, args[i]):
                    problems.append(Problem("lint-length", _where(f, node), f"{name}: `length(` for the byte count "
                                            f"{params[i][0]}; use `sizeof`"))
    return problems


def lint_cstring(inputs: Inputs) -> list[Problem]:
    """`Cstring` stops at the first NUL (and Julia refuses strings holding
    one): wrong for text that travels with its length."""
    problems, header, ctx = [], inputs.header, inputs.context
    for name, jl in ctx.structs.items():
        if name in header.records:
            for fname, jt in jl.fields:
                if jt is not None and ctx.resolve(jt).name == "Cstring":
                    problems.append(Problem("lint-cstring", _where(jl.file, jl.node),
                                            f"{name}.{fname} is a Cstring: this field's text has a length and may "
                                            f"hold NUL; use Ptr{{UInt8}}"))
    for call in js.ccalls(inputs.files):
        fn = header.functions.get(call.function)
        if fn is None:
            continue
        for i in _byte_pairs(fn.params):
            jt = call.args[i - 1][1] if i - 1 < len(call.args) else None
            if jt is not None and ctx.resolve(jt).name == "Cstring":
                problems.append(Problem("lint-cstring", call.where, f"{call.function}: {fn.params[i - 1][0]} is passed "
                                        f"as Cstring but comes with a length (may hold NUL); use Ptr{{UInt8}}"))
    return problems


def lint_cfunction_closures(inputs: Inputs) -> list[Problem]:
    """`@cfunction` needs a top-level function: a closure (`$f`) needs
    runtime trampolines some platforms lack, and a local function would
    capture variables the library knows nothing about."""
    problems = []
    top_level = js.top_level_functions(inputs.files)
    for f in inputs.files:
        for node in js.walk(f.tree.root_node):
            if js.macro_name(f, node) != "@cfunction":
                continue
            args = js.macro_arguments(node)
            if not args:
                continue
            target = args[0]
            if target.type == "interpolation_expression":
                problems.append(Problem("lint-cfunction", _where(f, node),
                                        f"@cfunction of a closure (`{f.text(target)}`); use a top-level function and "
                                        f"pass state as user data"))
            elif target.type in ("identifier", "field_expression"):
                name = js.last_identifier(f, target)
                if name not in top_level:
                    problems.append(Problem("lint-cfunction", _where(f, node),
                                            f"@cfunction of `{name}`, which is not a top-level function"))
            else:
                problems.append(Problem("lint-cfunction", _where(f, node),
                                        f"@cfunction of an anonymous function (`{f.text(target)[:40]}`)"))
    return problems


def _pointer_helpers(files) -> set[str]:
    """Short functions that return a pointer derived from one of their
    parameters (like `c_str(s) = otelmetrics_str(pointer(s), sizeof(s))`):
    calling one derives a pointer from its argument, so the caller must
    preserve that argument."""
    helpers = set()
    for f in files:
        for node in js.walk(f.tree.root_node):
            if not js.is_short_function(node):
                continue
            lhs = node.named_children[0]
            while lhs.type in ("where_expression", "typed_expression"):
                lhs = lhs.named_children[0]
            params = {f.text(a.named_children[0] if a.type == "typed_expression" else a)
                      for a in js.call_arguments(lhs)}
            for inner in js.walk(node.named_children[-1]):
                if inner.type == "call_expression" and js.callee_name(f, inner) in POINTER_DERIVATIONS:
                    root = _root_argument(f, inner)
                    if root is not None and f.text(root) in params:
                        helpers.add(js.function_name_of(f, node))
    return helpers


def _root_argument(f, call):
    args = js.call_arguments(call)
    if js.callee_name(f, call) == "unsafe_convert":
        return args[1] if len(args) > 1 else None
    return args[0] if args else None


def _base_name(f, node) -> str | None:
    while node.type == "field_expression":
        node = node.children[0]
    return f.text(node) if node.type == "identifier" else None


def _preserved_at(f, node, name: str) -> bool:
    parent, child = node.parent, node
    while parent is not None:
        if parent.type == "macro_argument_list" and js.macro_name(f, parent.parent) == "@preserve":
            args = parent.named_children
            if args and child == args[-1] and name in {f.text(a) for a in args[:-1]}:
                return True
        parent, child = parent.parent, parent
    return False


def lint_gc_preserve(inputs: Inputs) -> list[Problem]:
    """Best effort: a raw pointer taken from a Julia object (`pointer`,
    `pointer_from_objref`, `unsafe_convert`, or a helper that returns one)
    is only valid while the object lives; the object must be named by an
    enclosing `GC.@preserve`, or the line must say where it is kept with a
    `# rooted: <where>` comment. Pointers to temporaries are always wrong."""
    problems = []
    helpers = _pointer_helpers(inputs.files)
    derivations = POINTER_DERIVATIONS | helpers
    for f in inputs.files:
        for node in js.walk(f.tree.root_node):
            if js.macro_name(f, node) == "@preserve":
                for arg in js.macro_arguments(node)[:-1]:
                    # the macro itself refuses anything else at load time ($x: code generated in a quote)
                    if arg.type not in ("identifier", "interpolation_expression"):
                        problems.append(Problem("lint-preserve", _where(f, node),
                                                f"GC.@preserve of `{f.text(arg)}`: only plain variables can be "
                                                f"preserved (bind it to a local first)"))
            if node.type != "call_expression" or js.callee_name(f, node) not in derivations:
                continue
            fn = js.enclosing_function(node)
            if fn is not None and js.function_name_of(f, fn) in helpers:
                continue   # the helper hands the duty to its callers
            if ROOTED_PRAGMA in f.line_text(node):
                continue
            root = _root_argument(f, node)
            call_text = f.text(node)[:60]
            if root is None:
                continue
            name = _base_name(f, root)
            if name is None:
                problems.append(Problem("lint-preserve", _where(f, node),
                                        f"`{call_text}` points into a temporary that nothing keeps alive"))
            elif not _preserved_at(f, node, name):
                problems.append(Problem("lint-preserve", _where(f, node),
                                        f"`{call_text}` is not inside `GC.@preserve {name}` "
                                        f"(nor marked `{ROOTED_PRAGMA} <where it is kept>`)"))
    return problems


CHECKS = {
    "parse": check_parse,
    "ccall": lambda i: check_ccalls(i) + check_constants(i),
    "layout": check_layout,
    "calls": check_wrapper_calls,
    "callbacks": check_callbacks,
    "gc-safe": check_gc_safe,
    "lint-length": lint_byte_lengths,
    "lint-cstring": lint_cstring,
    "lint-cfunction": lint_cfunction_closures,
    "lint-preserve": lint_gc_preserve,
}


def run_all(inputs: Inputs) -> dict[str, list[Problem]]:
    return {name: check(inputs) for name, check in CHECKS.items()}
