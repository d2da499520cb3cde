"""The real package passes every check, and the checks really look at it."""

import pytest
from jlcheck import julia_source as js
from jlcheck.checks import CHECKS
from jlcheck.repo import LOW_LEVEL_MODULE


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_real_package_passes(repo, check):
    problems = CHECKS[check](repo)
    assert problems == [], "\n".join(map(str, problems))


def test_every_julia_file_of_the_binding_and_examples_is_checked(repo):
    names = {f.path.name for f in repo.files}
    assert {"LibOtelMetrics.jl", "OtelMetrics.jl", "runtests.jl", "seed_otlp.jl", "seed_prometheus.jl"} <= names
    assert not any("fixtures" in f.path.parts for f in repo.files)


def test_every_header_function_is_wrapped_by_exactly_one_ccall(repo):
    # The low-level module is generated one to one from the header.
    wrapped = [c.function for c in js.ccalls(js.load([LOW_LEVEL_MODULE])) if c.function.startswith("otelmetrics_")]
    assert sorted(wrapped) == sorted(repo.header.functions)


def test_only_the_generated_module_is_exempt_from_the_generated_checks(repo):
    # The exemptions (ccall types, constants, mirror fields, gc-safe) must not reach hand-written code.
    assert [f.path.name for f in repo.files if f.generated] == ["LibOtelMetrics.jl"]


def test_the_header_and_the_library_agree(repo):
    # The ccall check relies on both; a drift here would be the core's bug, not the binding's.
    assert set(repo.header.functions) == repo.exports


def test_every_struct_the_api_passes_is_mirrored(repo):
    structs = js.structs(repo.files)
    for name in ("otelmetrics_str", "otelmetrics_array", "otelmetrics_value", "otelmetrics_attribute"):
        assert name in structs and not structs[name].mutable


def test_the_calls_check_sees_the_packages_direct_wrapper_calls(repo):
    # Not vacuous: the high-level code calls most wrappers by their C names.
    called = set()
    for f in repo.files:
        for node in js.walk(f.tree.root_node):
            if node.type == "call_expression" and js.callee_name(f, node) in repo.header.functions \
                    and js.enclosing_ccall(node) is None and "LibOtelMetrics.jl" not in f.path.name:
                called.add(js.callee_name(f, node))
    assert len(called) >= 50, sorted(called)   # 58 today; the instruments go through c_api tables


def test_the_gc_safe_list_names_real_functions(repo):
    from jlcheck.checks import MAY_WAIT_FOR_CALLBACKS
    names = [n for n in repo.header.functions if MAY_WAIT_FOR_CALLBACKS.match(n)]
    assert {"otelmetrics_provider_shutdown", "otelmetrics_provider_force_flush",
            "otelmetrics_observable_gauge_f64_free", "otelmetrics_meter_create_counter_u64",
            "otelmetrics_callback_registration_unregister"} <= set(names)
    assert len(names) == 2 + 1 + 16 + 1 + 2 + 7
