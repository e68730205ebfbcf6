from __future__ import annotations

import time
from pathlib import Path

from hvconsole.lab.world.runtime import LabRuntime


def test_reboot_takes_the_endpoint_away_and_back(tmp_path: Path) -> None:
    runtime = LabRuntime(tmp_path / "state.json", speed=200.0, bind="127.0.0.41", seed=5)
    runtime.start()
    try:
        assert runtime.world is not None
        served = runtime.served[1]
        runtime.world.request_reboot(served.host, 60.0)  # 0.3 s real at speed 200
        deadline = time.monotonic() + 5
        while served.endpoint.running and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not served.endpoint.running and served.host.power == "Rebooting"
        while not served.endpoint.running and time.monotonic() < deadline:
            time.sleep(0.01)
        assert served.endpoint.running and served.host.power == "Running"
    finally:
        runtime.stop()
