"""Hyper-V module: Set-VMProcessor (-Count, -CompatibilityForMigrationEnabled) — the "new VM" flow gives the VM
its processors with it, and processor compatibility (pain point 7) is switched on with it. Reference §9 does not
document the cmdlet: parameters from [D:Hyper-V/Set-VMProcessor], no output without -Passthru. # inferred
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.cmdlets.hyperv_vm import VMCmdlet
from hvconsole.lab.engine import Param, cmdlet, types

MAX_PROCESSORS = 240  # WS2022 generation 2 VMs (inferred)


@cmdlet
class SetVMProcessor(VMCmdlet):
    command_name = "Set-VMProcessor"
    class_name = "Microsoft.HyperV.PowerShell.Commands.SetVMProcessor"
    Name = Param(types.STRINGS, position=0, mandatory=True, sets=("Name",), aliases=("VMName",))
    Count = Param(types.INT64)
    CompatibilityForMigrationEnabled = Param(types.BOOL)

    def process(self) -> Iterator[Any]:
        for vm in list(self.targets()):
            if self.busy(vm) or not self.should_process(vm.name):
                continue
            if self.Count is not None:
                if not 1 <= self.Count <= MAX_PROCESSORS:
                    self.write_error(
                        self.hv_error(  # inferred wording
                            f"The processor count {self.Count} is not valid: use 1 to {MAX_PROCESSORS}.",
                            "InvalidParameter",
                            vm.name,
                        )
                    )
                    continue
                if vm.state != "Off" and self.Count != vm.processor_count:
                    self.write_error(
                        self.hv_error(  # §9.4 OperationFailed_InvalidState: only an Off VM changes its CPUs
                            "The operation cannot be performed while the virtual machine is in its current "
                            "state.",
                            "InvalidState",
                            vm.name,
                            category="InvalidOperation",
                        )
                    )
                    continue
                vm.processor_count = int(self.Count)
            if self.CompatibilityForMigrationEnabled is not None:
                vm.processor_compat = bool(self.CompatibilityForMigrationEnabled)
            yield from self.passthru(vm)
