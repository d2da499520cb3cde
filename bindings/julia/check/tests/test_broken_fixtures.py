"""Each check fails on a fixture broken for it, naming the mistake."""

import pytest

CASES = [
    # (fixture, check, what the problem must say, options)
    ("parse_error.jl", "parse", "syntax error", {}),
    ("ccall_undeclared.jl", "ccall", "otelmetrics_counter_u64_increment: not declared in the header", {}),
    ("ccall_not_exported.jl", "ccall", "not exported by the built library", {"header": "unbuilt.h"}),
    ("ccall_arity.jl", "ccall", "3 arguments, the header declares 4", {}),
    ("ccall_size_t.jl", "ccall", "argument 2 (count) is `size_t ` in C, declared `Cint`", {}),
    ("ccall_wrong_handle.jl", "ccall", "argument 1 (instrument)", {}),
    ("ccall_wrong_handle.jl", "ccall", "otelmetrics_meter_free: argument 1 (meter)", {}),
    ("ccall_struct_by_pointer.jl", "ccall", "argument 2 (name)", {}),
    ("ccall_out_param.jl", "ccall", "argument 1 (out)", {}),
    ("ccall_return.jl", "ccall", "otelmetrics_provider_builder_enable_in_memory_reader: returns", {}),
    ("ccall_return.jl", "ccall", "otelmetrics_version: returns", {}),
    ("ccall_callback_type.jl", "ccall", "argument 1 (hook)", {}),
    ("ccall_unknown_runtime.jl", "ccall", "exit: not declared in the header", {}),
    ("constants_wrong.jl", "ccall", "OTELMETRICS_STATUS_SHUTDOWN is 9 here, 8 in the header", {}),
    # Generated files are exempt only from what generation guarantees.
    ("generated_not_exported.jl", "ccall", "not exported by the built library", {"header": "unbuilt.h"}),
    ("generated_layout_narrow.jl", "layout", "field len is `size_t ` in C, `UInt32` here", {"with_package": False}),
    ("layout_swapped.jl", "layout", "fields ['len', 'ptr'] do not match C's ['ptr', 'len']", {"with_package": False}),
    ("layout_swapped.jl", "layout", "field ptr at offset 8 in Julia, 0 in C", {"with_package": False}),
    ("layout_narrow.jl", "layout", "field len is `size_t ` in C, `UInt32` here", {"with_package": False}),
    ("layout_narrow.jl", "layout", "size/alignment 16/8 in Julia, 16/8", {"with_package": False, "absent": True}),
    ("layout_mutable.jl", "layout", "otelmetrics_str is a mutable struct", {"with_package": False}),
    ("layout_union_small.jl", "layout", "size/alignment 8/8 in Julia, 16/8 in C", {"with_package": False}),
    ("layout_missing_field.jl", "layout", "fields ['key', 'value'] do not match C's ['key', 'value_type', 'value']",
     {"with_package": False}),
    ("layout_missing_field.jl", "layout", "size/alignment 32/8 in Julia, 40/8 in C", {"with_package": False}),
    ("calls_wrong.jl", "calls", "calls_wrong.jl:3: [calls] `Ref{Ptr{Cvoid}}`", {}),
    ("calls_wrong.jl", "calls", "otelmetrics_view_new: out is `otelmetrics_view **` in C, given a `Ref{Ptr{otelmetrics_meter}}`",
     {}),
    ("calls_wrong.jl", "calls", "otelmetrics_view_free: called with 2 arguments, the C function takes 1", {}),
    ("callbacks_wrong.jl", "callbacks", "callbacks_wrong.jl:3: [callbacks] @cfunction signature Cvoid "
     "(Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}) matches none of the header's callback types", {}),
    ("callbacks_wrong.jl", "callbacks", "diagnose declares argument 2 as `Ptr{UInt8}`, the @cfunction passes "
     "`otelmetrics_str`", {}),
    ("callbacks_wrong.jl", "callbacks", "release returns `Int32`, the @cfunction expects `Cvoid`", {}),
    ("gc_unsafe_shutdown.jl", "gc-safe", "otelmetrics_provider_shutdown may wait for a running callback", {}),
    ("lint_length.jl", "lint-length", "lint_length.jl:2: [lint-length] otelmetrics_str: `length(` for the byte count len",
     {}),
    ("lint_length.jl", "lint-length", "lint_length.jl:4: [lint-length]", {}),
    ("lint_cstring.jl", "lint-cstring", "otelmetrics_str.ptr is a Cstring", {"with_package": False}),
    ("lint_cfunction_interpolated.jl", "lint-cfunction", "@cfunction of a closure (`$callback`)", {}),
    ("lint_cfunction_local.jl", "lint-cfunction", "@cfunction of `report`, which is not a top-level function", {}),
    ("lint_cfunction_anonymous.jl", "lint-cfunction", "@cfunction of an anonymous function", {}),
    ("lint_preserve_missing.jl", "lint-preserve", "`pointer(name)` is not inside `GC.@preserve name`", {}),
    ("lint_preserve_wrong_object.jl", "lint-preserve", "`pointer_from_objref(state)` is not inside `GC.@preserve state`",
     {}),
    ("lint_preserve_wrong_object.jl", "lint-preserve", "GC.@preserve of `buf.attrs`: only plain variables", {}),
    ("lint_preserve_temporary.jl", "lint-preserve", "`c_view(String(name))` points into a temporary", {}),
]


@pytest.mark.parametrize("fixture, check, message, options", CASES,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_check_fails_on_broken_fixture(fixture_problems, fixture, check, message, options):
    options = dict(options)
    absent = options.pop("absent", False)
    problems = fixture_problems(fixture, check, **options)
    found = [str(p) for p in problems if message in str(p)]
    if absent:
        # the narrow length is padded back to 16 bytes: size alone would not catch it, the type does
        assert not found, found
        assert problems, "the check should still fail on this fixture"
    else:
        assert found, f"no problem mentioning {message!r}; got:\n" + "\n".join(map(str, problems))


def test_every_check_has_a_failing_fixture():
    from jlcheck.checks import CHECKS
    assert {c[1] for c in CASES} == set(CHECKS)


@pytest.mark.parametrize("check", ["parse", "ccall", "calls", "callbacks", "gc-safe", "lint-length", "lint-cstring",
                                   "lint-cfunction", "lint-preserve"])
def test_correct_fixture_passes(fixture_problems, check):
    assert fixture_problems("good_wrapper.jl", check) == []
