"""IscsiTarget module (reference §4): iSCSI virtual disks, server targets and their LUN mappings.

Not CIM cmdlets: .NET objects of ``Microsoft.Iscsi.Target.Commands``; failures are ``IscsiCmdException``,
and "not found" from the Get- cmdlets is an error, not empty output (§4 intro). The exact texts of these
errors were not captured (§12.2): the Win32 texts used below are ``# inferred``.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import dotnet_object, like
from hvconsole.lab.protocol import U32, U64, PSEnum, PSObj
from hvconsole.lab.world import iscsi
from hvconsole.lab.world.iscsi_state import LunMapping, ServerTargetData, VirtualDiskData
from hvconsole.lab.world.model import Host, World

NS = "Microsoft.Iscsi.Target.Commands"
CMD_EXCEPTION = f"{NS}.IscsiCmdException"
FQDN_WARNING = (
    "One or more InitiatorId parameters may be invalid. Ensure you enter the primary FQDN for an InitiatorId "
    "specified by a DNS name."
)  # reference §4.2 [T-VL]
TARGET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,199}")  # inferred: what an IQN's last part allows


def _enum(kind: str, name: str, value: int) -> PSEnum:
    return PSEnum(f"{NS}.{kind}", value, name)  # inferred enum type names and values


def _status(connected: bool) -> PSEnum:
    return _enum("IscsiStatus", "Connected" if connected else "NotConnected", 1 if connected else 0)


def vdisk_connected(world: World, server: Host, vdisk: VirtualDiskData) -> bool:
    return any(
        iscsi.sessions_on(world, server, t)
        for t in server.iscsi.target.targets
        if any(m.path.lower() == vdisk.path.lower() for m in t.luns)
    )


def vdisk_object(world: World, server: Host, vdisk: VirtualDiskData) -> PSObj:
    return dotnet_object(
        (f"{NS}.IscsiVirtualDisk",),
        {
            "ClusterGroupName": "",
            "ComputerName": iscsi.computer_fqdn(server),
            "Description": vdisk.description,
            "DiskType": _enum(
                "VirtualDiskType", "Fixed" if vdisk.fixed else "Dynamic", 2 if vdisk.fixed else 3
            ),
            "HostVolumeId": vdisk.host_volume_id,
            "LocalMountDeviceId": "",
            "OriginalPath": "",
            "ParentPath": "",
            "Path": vdisk.path,
            "SerialNumber": vdisk.serial,
            "Size": U64(vdisk.size),
            "SnapshotIds": None,
            "Status": _status(vdisk_connected(world, server, vdisk)),
            "VirtualDiskIndex": U32(vdisk.index),
        },
        to_string=vdisk.path,
    )


def target_object(world: World, server: Host, target: ServerTargetData) -> PSObj:
    sessions = iscsi.sessions_on(world, server, target)
    ids = [
        dotnet_object(
            (f"{NS}.InitiatorId",), {"Method": e.partition(":")[0], "Value": e.partition(":")[2]}, to_string=e
        )
        for e in target.initiator_ids
    ]
    luns = [
        dotnet_object(
            (f"{NS}.LunMapping",),
            {"TargetName": target.name, "Path": m.path, "Lun": m.lun},
            to_string=f'TargetName:{target.name};VHD:"{m.path}";LUN:{m.lun}',
        )
        for m in sorted(target.luns, key=lambda m: m.lun)
    ]
    session_objects = [
        dotnet_object(
            (f"{NS}.Session",),  # inferred property names
            {
                "InitiatorIqn": iscsi.initiator_iqn(h),
                "SessionIdentifier": s.session_id,
                "TargetSideIdentifier": s.target_side_id,
            },
            to_string=iscsi.initiator_iqn(h),
        )
        for h, s in sessions
    ]
    return dotnet_object(
        (f"{NS}.IscsiServerTarget",),
        {
            "ChapUserName": "",
            "ClusterGroupName": "",
            "ComputerName": iscsi.computer_fqdn(server),
            "Description": target.description,
            "EnableChap": False,
            "EnableReverseChap": False,
            "EnforceIdleTimeoutDetection": True,
            "FirstBurstLength": 65536,
            "IdleDuration": "PT0S",
            "InitiatorIds": ids,
            "LastLogin": None,
            "LunMappings": luns,
            "MaxBurstLength": 262144,
            "MaxReceiveDataSegmentLength": 65536,
            "ReceiveBufferCount": 10,
            "ReverseChapUserName": "",
            "Sessions": session_objects,
            "Status": _status(bool(sessions)),
            "TargetIqn": target.iqn,
            "TargetName": target.name,
        },
        to_string=target.iqn,
    )


class _TargetCmdlet(Cmdlet):
    module_name = "IscsiTarget"
    requires_feature = iscsi.TARGET_FEATURE
    ComputerName = Param(types.STRING)
    Credential = Param(types.CREDENTIAL)

    @property
    def state(self) -> Any:
        return self.host.iscsi.target

    def failure(self, message: str, category: str = "InvalidOperation", target: Any = None) -> Any:
        return self.make_error(
            message,
            CMD_EXCEPTION,
            category=category,
            exception_type=CMD_EXCEPTION,
            reason="IscsiCmdException",
            target=target,
        )

    def target_named(self, name: str, report: bool = True) -> ServerTargetData | None:
        found = next((t for t in self.state.targets if t.name.lower() == name.lower()), None)
        if found is None and report:
            self.write_error(
                self.failure(f"The target {name} does not exist.", "ObjectNotFound", name)
            )  # inferred
        return found

    def vdisk_at(self, path: str, report: bool = True) -> VirtualDiskData | None:
        found = iscsi.virtual_disk(self.host, path)
        if found is None and report:
            self.write_error(
                self.failure(f"The virtual disk {path} does not exist.", "ObjectNotFound", path)
            )  # inferred
        return found


@cmdlet
class NewIscsiVirtualDisk(_TargetCmdlet):
    command_name = "New-IscsiVirtualDisk"
    class_name = f"{NS}.NewIscsiVirtualDisk"
    default_set = "Device"
    Path = Param(types.STRING, position=0, mandatory=True, aliases=("DevicePath",))
    SizeBytes = Param(types.UINT64, position=1, aliases=("Size",))
    UseFixed = Param(types.SWITCH)
    Description = Param(types.STRING)
    DoNotClearData = Param(types.SWITCH)
    LogicalSectorSizeBytes = Param(types.UINT32)
    PhysicalSectorSizeBytes = Param(types.UINT32)
    BlockSizeBytes = Param(types.UINT32)

    def process(self) -> Iterator[Any]:
        path = self.Path
        if not path.lower().endswith(".vhdx"):
            self.throw(self.failure("The file extension must be .vhdx.", "InvalidArgument", path))  # inferred
        if not self.SizeBytes:
            self.throw(
                self.failure(
                    "The parameter SizeBytes is required and must be greater than 0.", "InvalidArgument", path
                )
            )  # inferred
        where = iscsi.volume_for(self.world, self.host, path)
        if where is None:  # Win32 3 (inferred): the drive does not exist or holds no volume
            self.throw(self.failure("The system cannot find the path specified.", "ObjectNotFound", path))
        assert where is not None
        if (
            path.lower() in self.state.files
        ):  # reference §4.1: the file exists → error; Win32 80 text inferred
            self.throw(self.failure("The file exists.", "ResourceExists", path))
        volume = where[1].volume
        assert volume is not None
        taken = int(self.SizeBytes) if self.UseFixed else iscsi.DYNAMIC_FILE_BYTES
        if taken > volume.size_remaining:  # Win32 112 (inferred)
            self.throw(self.failure("There is not enough space on the disk.", "LimitsExceeded", path))
        if not self.should_process(path, "New"):
            return
        self.world.rng_counter += 1
        digest = hashlib.sha256(f"{self.world.seed}-{self.world.rng_counter}-{path}".encode()).digest()
        serial = str(uuid.UUID(bytes=digest[:16], version=4)).upper()
        vdisk = VirtualDiskData(
            path=path,
            size=int(self.SizeBytes),
            fixed=bool(self.UseFixed),
            serial=serial,
            index=700_000_000 + self.state.next_index,
            host_volume_id="{" + volume.id.upper() + "}",
            description=self.Description or "",
            disk_id=f"iscsi-{serial.lower()}",
        )
        self.state.next_index += 1
        volume.size_remaining -= taken
        self.state.files[path.lower()] = taken
        self.state.virtual_disks.append(vdisk)
        self.world.disks[vdisk.disk_id] = iscsi.lun_disk(self.world, self.host, vdisk)
        yield vdisk_object(self.world, self.host, vdisk)


@cmdlet
class GetIscsiVirtualDisk(_TargetCmdlet):
    command_name = "Get-IscsiVirtualDisk"
    class_name = f"{NS}.GetIscsiVirtualDisk"
    Path = Param(types.STRING, position=0, from_pipeline_by_name=True, aliases=("DevicePath",))
    TargetName = Param(types.STRING)

    def process(self) -> Iterator[Any]:
        disks = list(self.state.virtual_disks)
        if self.Path is not None:
            disks = [d for d in disks if like(d.path, self.Path)]
            if not disks:
                self.vdisk_at(self.Path)
        if self.TargetName is not None:
            target = self.target_named(self.TargetName)
            paths = {m.path.lower() for m in target.luns} if target else set()
            disks = [d for d in disks if d.path.lower() in paths]
        yield from (vdisk_object(self.world, self.host, d) for d in disks)


@cmdlet
class RemoveIscsiVirtualDisk(_TargetCmdlet):
    command_name = "Remove-IscsiVirtualDisk"
    class_name = f"{NS}.RemoveIscsiVirtualDisk"
    supports_should_process = True
    Path = Param(
        types.STRING, position=0, mandatory=True, from_pipeline_by_name=True, aliases=("DevicePath",)
    )

    def process(self) -> Iterator[Any]:
        vdisk = self.vdisk_at(self.Path)
        if vdisk is None:
            return iter(())
        if any(m.path.lower() == vdisk.path.lower() for t in self.state.targets for m in t.luns):
            self.throw(
                self.failure(
                    f"The virtual disk {vdisk.path} is assigned to a target. Remove the mapping first.",
                    "InvalidOperation",
                    vdisk.path,
                )
            )  # inferred
        if self.should_process(vdisk.path, "Remove"):
            # the VHDX file stays on the volume (Remove- only forgets it; Import-IscsiVirtualDisk re-adds it)
            self.state.virtual_disks.remove(vdisk)
        return iter(())


@cmdlet
class NewIscsiServerTarget(_TargetCmdlet):
    command_name = "New-IscsiServerTarget"
    class_name = f"{NS}.NewIscsiServerTarget"
    TargetName = Param(types.STRING, position=0, mandatory=True)
    InitiatorIds = Param(types.STRINGS, position=1, aliases=("InitiatorId",))
    ClusterGroupName = Param(types.STRING)
    Description = Param(types.STRING)

    def initiator_ids(self) -> list[str]:
        out = []
        for text in self.InitiatorIds or []:
            normal = iscsi.normalize_initiator_id(text)
            if normal is None:  # inferred wording (the binder's conversion to InitiatorId fails)
                self.throw(
                    self.make_error(
                        f"Cannot process argument transformation on parameter 'InitiatorIds'. Cannot convert value "
                        f'"{text}" to type "{NS}.InitiatorId". Error: "The InitiatorId format must be '
                        'IdType:Value (IQN, DNSName, IPAddress, IPv6Address or MACAddress)."',
                        "ParameterArgumentTransformationError",
                        "InvalidData",
                        "System.Management.Automation.ParameterBindingArgumentTransformationException",
                    )
                )
            out.append(str(normal))
        if any(i.startswith("DnsName:") and "." not in i for i in out):
            self.write_warning(FQDN_WARNING)
        return out

    def process(self) -> Iterator[Any]:
        name = self.TargetName
        if not TARGET_NAME.fullmatch(name):
            self.throw(
                self.failure(f"The target name {name} is not valid.", "InvalidArgument", name)
            )  # inferred
        if self.target_named(name, report=False):
            self.throw(
                self.failure(f"The target {name} already exists.", "ResourceExists", name)
            )  # §11 inferred
        ids = self.initiator_ids()
        target = ServerTargetData(
            name=name,
            iqn=iscsi.target_iqn(self.host, name),
            initiator_ids=ids,
            description=self.Description or "",
        )
        self.state.targets.append(target)
        yield target_object(self.world, self.host, target)


@cmdlet
class GetIscsiServerTarget(_TargetCmdlet):
    command_name = "Get-IscsiServerTarget"
    class_name = f"{NS}.GetIscsiServerTarget"
    TargetName = Param(types.STRING, position=0, from_pipeline_by_name=True)
    Path = Param(types.STRING)
    InitiatorId = Param(types.STRING)

    def process(self) -> Iterator[Any]:
        targets = list(self.state.targets)
        if self.TargetName is not None:
            targets = [t for t in targets if like(t.name, self.TargetName)]
            if not targets:
                self.target_named(self.TargetName)
        if self.Path is not None:
            targets = [t for t in targets if any(m.path.lower() == self.Path.lower() for m in t.luns)]
        if self.InitiatorId is not None:
            wanted = (iscsi.normalize_initiator_id(self.InitiatorId) or "").lower()
            targets = [t for t in targets if wanted in [i.lower() for i in t.initiator_ids]]
        yield from (target_object(self.world, self.host, t) for t in targets)


@cmdlet
class SetIscsiServerTarget(NewIscsiServerTarget):
    command_name = "Set-IscsiServerTarget"
    class_name = f"{NS}.SetIscsiServerTarget"
    TargetName = Param(types.STRING, position=0, mandatory=True, from_pipeline_by_name=True)
    PassThru = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        target = self.target_named(self.TargetName)
        if target is None:
            return
        if self.was_bound("InitiatorIds"):
            target.initiator_ids = self.initiator_ids()
        if self.Description is not None:
            target.description = self.Description
        if self.PassThru:
            yield target_object(self.world, self.host, target)


@cmdlet
class RemoveIscsiServerTarget(_TargetCmdlet):
    command_name = "Remove-IscsiServerTarget"
    class_name = f"{NS}.RemoveIscsiServerTarget"
    supports_should_process = True
    TargetName = Param(types.STRING, position=0, mandatory=True, from_pipeline_by_name=True)

    def process(self) -> Iterator[Any]:
        target = self.target_named(self.TargetName)
        if target is None:
            return iter(())
        if iscsi.sessions_on(self.world, self.host, target):  # inferred: connected initiators block removal
            self.throw(
                self.failure(f"The target {target.name} has active sessions.", "ResourceBusy", target.name)
            )
        if self.should_process(target.name, "Remove"):
            self.state.targets.remove(target)
        return iter(())


class _Mapping(_TargetCmdlet):
    TargetName = Param(types.STRING, position=0, mandatory=True, from_pipeline_by_name=True)
    Path = Param(
        types.STRING, position=1, mandatory=True, from_pipeline_by_name=True, aliases=("DevicePath",)
    )


@cmdlet
class AddIscsiVirtualDiskTargetMapping(_Mapping):
    command_name = "Add-IscsiVirtualDiskTargetMapping"
    class_name = f"{NS}.AddIscsiVirtualDiskTargetMapping"
    Lun = Param(types.INT32)

    def process(self) -> Iterator[Any]:
        target, vdisk = self.target_named(self.TargetName), self.vdisk_at(self.Path)
        if target is None or vdisk is None:
            return iter(())
        used = {m.lun for m in target.luns}
        if any(m.path.lower() == vdisk.path.lower() for m in target.luns):  # §4.3 inferred
            self.throw(
                self.failure(
                    f"The virtual disk {vdisk.path} is already mapped to the target {target.name}.",
                    "ResourceExists",
                    vdisk.path,
                )
            )
        lun = self.Lun if self.was_bound("Lun") else min(set(range(len(used) + 1)) - used)
        if lun in used or lun < 0:
            self.throw(self.failure(f"The LUN {lun} is already in use.", "ResourceExists", lun))  # inferred
        target.luns.append(LunMapping(path=vdisk.path, lun=lun))
        for initiator, session in iscsi.sessions_on(
            self.world, self.host, target
        ):  # inferred: appears at once
            iscsi.attach_lun(self.world, initiator, vdisk.disk_id, lun)
            session.disks.append(vdisk.disk_id)
        return iter(())


@cmdlet
class RemoveIscsiVirtualDiskTargetMapping(_Mapping):
    command_name = "Remove-IscsiVirtualDiskTargetMapping"
    class_name = f"{NS}.RemoveIscsiVirtualDiskTargetMapping"
    supports_should_process = True

    def process(self) -> Iterator[Any]:
        target = self.target_named(self.TargetName)
        if target is None:
            return iter(())
        mapping = next((m for m in target.luns if m.path.lower() == self.Path.lower()), None)
        if mapping is None:
            self.write_error(
                self.failure(
                    f"The virtual disk {self.Path} is not mapped to the target {target.name}.",
                    "ObjectNotFound",
                    self.Path,
                )
            )  # inferred
            return iter(())
        if self.should_process(f"{target.name}: {mapping.path}", "Remove"):
            target.luns.remove(mapping)
            vdisk = iscsi.virtual_disk(self.host, mapping.path)
            for initiator, session in iscsi.sessions_on(self.world, self.host, target):
                if vdisk is not None and vdisk.disk_id in session.disks:
                    iscsi.detach_lun(self.world, initiator, vdisk.disk_id)
                    session.disks.remove(vdisk.disk_id)
        return iter(())
