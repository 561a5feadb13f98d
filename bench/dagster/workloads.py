# Not part of the Rust workspace: the Dagster side of bench/scripts/compare_dagster.sh.
"""The larder-bench workloads, in Dagster 1.7.2, printing the same JSON fields."""
import json
import os
import sys
import tempfile
import time

import dagster as dg


def chain(n):
    assets = []

    @dg.asset(name="a0")
    def a0():
        return 0

    assets.append(a0)
    for i in range(1, n):
        def body(prev):
            return prev + 1

        assets.append(dg.asset(name=f"a{i}", ins={"prev": dg.AssetIn(key=f"a{i - 1}")})(body))
    return assets


def run_chain(n, io):
    assets = chain(n)
    with tempfile.TemporaryDirectory() as d:
        start = time.perf_counter()
        if io == "mem":
            result = dg.materialize_to_memory(assets)
        else:
            result = dg.materialize(assets, resources={"io_manager": dg.FilesystemIOManager(base_dir=d)})
        elapsed = time.perf_counter() - start
    assert result.success
    return {"impl": "dagster", "impl_version": dg.__version__, "workload": f"chain_{io}", "n": n,
            "materialize_s": elapsed, "per_asset_s": elapsed / n, "n_events": len(result.all_events)}


def chain_mp_job():
    """A chain of ops on the multiprocess executor (module level: the
    executor reconstructs it in each child process)."""
    n = int(os.environ.get("LARDER_BENCH_N", "100"))

    @dg.op
    def start():
        return 0

    @dg.op
    def step(prev):
        return prev + 1

    @dg.job(
        executor_def=dg.multiprocess_executor.configured({"max_concurrent": 4}),
        resource_defs={"io_manager": dg.fs_io_manager},
    )
    def chain_mp():
        value = start()
        for i in range(1, n):
            value = step.alias(f"step_{i}")(value)

    return chain_mp


def run_chain_mp(n):
    os.environ["LARDER_BENCH_N"] = str(n)
    with tempfile.TemporaryDirectory() as d:
        with dg.DagsterInstance.local_temp(tempdir=d) as instance:
            start = time.perf_counter()
            result = dg.execute_job(dg.reconstructable(chain_mp_job), instance=instance)
            elapsed = time.perf_counter() - start
            assert result.success
            n_events = len(result.all_events)
    return {"impl": "dagster", "impl_version": dg.__version__, "workload": "chain_multiprocess", "n": n,
            "materialize_s": elapsed, "per_asset_s": elapsed / n, "n_events": n_events}


def run_one_asset():
    @dg.asset
    def one():
        return [1, 2, 3]

    with tempfile.TemporaryDirectory() as d:
        start = time.perf_counter()
        result = dg.materialize([one], resources={"io_manager": dg.FilesystemIOManager(base_dir=d)})
        elapsed = time.perf_counter() - start
    return {"impl": "dagster", "workload": "one_asset", "n": 1, "materialize_s": elapsed, "per_asset_s": elapsed}


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "chain":
        print(json.dumps(run_chain(int(sys.argv[2]), sys.argv[3])))
    elif what == "chain_mp":
        print(json.dumps(run_chain_mp(int(sys.argv[2]))))
    elif what == "one_asset":
        print(json.dumps(run_one_asset()))
