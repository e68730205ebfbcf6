"""Pipeline latency over a real LabEndpoint (HTTPS + Basic on loopback) with pypsrp as the client.

Run from the repository root:  python -m bench.bench_pipeline_latency
"""

from __future__ import annotations

import datetime
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from hvconsole.lab.endpoint import LabCertificateAuthority, LabEndpoint
from hvconsole.lab.endpoint.clixml import serialize
from hvconsole.lab.protocol import U64, CommandCall, PipelineSink, PSEnum, PSObj
from hvconsole.remoting.fast_output import use_fast_output

USER = "bench"
PASSWORD = "bench-password"


def ten_property_object(index: int) -> PSObj:
    return PSObj(
        ("Microsoft.Management.Infrastructure.CimInstance#ROOT/Bench/Bench_Item", "System.Object"),
        {
            "Index": index,
            "Name": f"item-{index}",
            "Description": "a <bench> object & friends",
            "Size": U64(2**40 + index),
            "Enabled": True,
            "Status": PSEnum("Bench.Status", 2, "Up"),
            "When": datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
            "Ratio": 0.25,
            "Owner": "LAB\\admin",
            "Tags": ["a", "b"],
        },
        to_string=f"item-{index}",
    )


class BenchRunspace:
    def invoke(
        self, commands: list[CommandCall], input_objects: list[Any] | None, sink: PipelineSink
    ) -> None:
        for call in commands:
            count = int(dict(call.parameters).get("Count", 0) or 0)
            if count:
                for index in range(count):
                    sink.output(ten_property_object(index))
            else:
                sink.output(PSObj(("Bench.Small", "System.Object"), {"Name": "a", "Value": 1}))


class BenchHost:
    name = "BENCH"

    def check_credentials(self, username: str, password: str) -> bool:
        return (username, password) == (USER, PASSWORD)

    def open_runspace(self, username: str) -> BenchRunspace:
        return BenchRunspace()


def _timings(action: Callable[[], None], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        ca = LabCertificateAuthority.load_or_create(folder)
        cert, key = ca.issue("127.0.0.1", ["bench"], folder)
        endpoint = LabEndpoint(BenchHost(), "127.0.0.1", 0, cert, key)
        endpoint.start()
        try:
            wsman = WSMan(
                "127.0.0.1",
                port=endpoint.port,
                ssl=True,
                auth="basic",
                username=USER,
                password=PASSWORD,
                cert_validation=str(ca.cert_path),
            )
            with RunspacePool(wsman) as pool:

                def kept_open() -> None:
                    with PowerShell(pool) as ps:
                        ps.add_cmdlet("Get-Small")
                        ps.invoke()

                for _ in range(20):
                    kept_open()
                kept_median, kept_p90 = _timings(kept_open, 200)

                def large(count: int) -> float:  # uses whichever pool is open (bound at call time)
                    started = time.perf_counter()
                    with PowerShell(pool) as ps:
                        ps.add_cmdlet("Get-Many").add_parameter("Count", count)
                        output = ps.invoke()
                    assert len(output) == count
                    return time.perf_counter() - started

                thousand = large(1000)
                ten_thousand = large(10000)

            with RunspacePool(wsman) as pool:  # the same, read as hvconsole's sessions read output
                use_fast_output(pool)
                fast_thousand = large(1000)
                fast_ten_thousand = large(10000)

            def new_pool() -> None:
                with RunspacePool(wsman) as fresh, PowerShell(fresh) as ps:
                    ps.add_cmdlet("Get-Small")
                    ps.invoke()

            new_median, new_p90 = _timings(new_pool, 50)

            def new_connection() -> None:
                fresh_wsman = WSMan(
                    "127.0.0.1",
                    port=endpoint.port,
                    ssl=True,
                    auth="basic",
                    username=USER,
                    password=PASSWORD,
                    cert_validation=str(ca.cert_path),
                )
                with fresh_wsman, RunspacePool(fresh_wsman) as fresh, PowerShell(fresh) as ps:
                    ps.add_cmdlet("Get-Small")
                    ps.invoke()

            conn_median, conn_p90 = _timings(new_connection, 30)
        finally:
            endpoint.stop()

    started = time.perf_counter()
    for index in range(10000):
        serialize(ten_property_object(index))
    serialize_seconds = time.perf_counter() - started

    print(f"pipeline on kept-open pool: median {kept_median:.1f} ms p90 {kept_p90:.1f} ms (target <= 10 ms)")
    print(f"pipeline on a new pool per command: median {new_median:.1f} ms p90 {new_p90:.1f} ms")
    print(
        f"pipeline on a new connection + new pool per command: median {conn_median:.1f} ms p90 {conn_p90:.1f} ms"
    )
    print(
        f"kept-open pool is {new_median / kept_median:.1f}x faster than a new pool per command (target >= 3x)"
    )
    print(
        f"kept-open pool is {conn_median / kept_median:.1f}x faster than a new connection + pool per command"
    )
    print(f"1,000 ten-property objects returned in {thousand * 1000:.0f} ms (pypsrp's reader)")
    print(f"10,000 ten-property objects returned in {ten_thousand * 1000:.0f} ms (pypsrp's reader)")
    print(
        f"1,000 ten-property objects returned in {fast_thousand * 1000:.0f} ms with hvconsole's output reader "
        f"({thousand / fast_thousand:.1f}x faster)"
    )
    print(
        f"10,000 ten-property objects returned in {fast_ten_thousand * 1000:.0f} ms with hvconsole's output reader "
        f"({ten_thousand / fast_ten_thousand:.1f}x faster)"
    )
    print(f"endpoint-side CLIXML for 10,000 objects: {serialize_seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
