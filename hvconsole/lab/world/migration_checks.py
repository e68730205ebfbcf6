"""The compatibility checks a migration runs at the end of its setup phase (pain point 7, reference §9.9).

The ids come from anchors.md pain point 7; the exact texts were not captured (reference §12), so the wording
below is inferred in the shape of the real Hyper-V messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hvconsole.lab.world.model import Host, World
    from hvconsole.lab.world.vms import VM

SWITCH_MISSING = 21125
PROCESSOR = 24004
ISO_UNREACHABLE = 0xC03A0014
TOO_MANY = 21501
SHARED_PREFIXES = ("c:\\clusterstorage\\", "\\\\")  # a CSV path or a UNC share is reachable from every node


def reachable_everywhere(path: str) -> bool:
    return path.lower().startswith(SHARED_PREFIXES)


def destination_problem(
    world: World, source: Host, destination: Host, vm: VM, kind: str
) -> tuple[int, str] | None:
    """Why ``vm`` cannot run on ``destination`` (None: it can)."""
    if vm.switch_name and not any(
        s.name.lower() == vm.switch_name.lower() for s in destination.hyperv.switches
    ):
        return SWITCH_MISSING, (  # inferred wording (21125, then 21502 on the source)
            f"'{vm.name}' could not find Ethernet switch '{vm.switch_name}' on '{destination.name}'. "
            f"(Virtual machine ID {vm.id})"
        )
    if kind == "Live" and not vm.processor_compat and source.hyperv.cpu_model != destination.hyperv.cpu_model:
        return PROCESSOR, (
            f"The virtual machine '{vm.name}' is using processor-specific features not supported on physical "
            f"computer '{destination.name}'. To allow for migration of this virtual machine to physical "
            "computers with different processors, modify the virtual machine settings to limit the processor "
            "features used by the virtual machine."
        )
    for iso in vm.dvd_drives:
        if iso and not reachable_everywhere(iso):
            return ISO_UNREACHABLE, (  # inferred wording around the code from pain point 7
                f"'{vm.name}': Failed to open attachment '{iso}'. Error: 'The system cannot find the path "
                f"specified.' (0xC03A0014). (Virtual machine ID {vm.id})"
            )
    return None


def too_many_message(vm: VM, host: Host) -> str:
    return (  # inferred wording around 21501 (pain point 7)
        f"Migration of '{vm.name}' failed: the host '{host.name}' is already performing the maximum number of "
        f"simultaneous live migrations ({host.hyperv.max_migrations}). (Virtual machine ID {vm.id})"
    )
