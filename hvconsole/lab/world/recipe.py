"""Scenarios built by replaying the classic recipe through the lab's own cmdlets, in process.

``prepared``: the end state of the storage stages — storage box renamed STOR1, promoted to the DC of lab.local,
iSCSI Target Server with a 1 GB quorum LUN and a 60 GB data LUN mapped to one target; the two nodes HV1/HV2
joined to the domain with Hyper-V and Failover Clustering (with tools), firewall rules for iSCSI/cluster/live
migration, MSiSCSI automatic, logged in persistently, both LUNs initialized GPT + NTFS on HV1 (the others see
them offline).
``clustered``: ``prepared`` plus ``New-Cluster`` (CLUSTER1 at 10.20.0.50, the smallest disk as witness), the
data disk as CSV Volume1 and both nodes' default VM/VHD paths on it.

Every change goes through ``CommandCall``s run by a ``Runspace`` on the host, and reboots advance the lab clock
and run the boot hooks (``World.finish_reboot``), so the state is exactly what the cmdlets produce.
"""

from __future__ import annotations

from typing import Any

from hvconsole.lab.engine import Runspace, Session
from hvconsole.lab.protocol import CommandCall, Credential, ErrorRec, SecureText, TerminatingError
from hvconsole.lab.world.model import Host, World

DOMAIN = "lab.local"
CLUSTER_NAME = "CLUSTER1"
CLUSTER_ADDRESS = "10.20.0.50"
GiB = 1024**3
NAMES = {"storage": "STOR1", "node1": "HV1", "node2": "HV2"}
DSRM = SecureText("Recipe-Dsrm-Passw0rd!")


class RecipeFailed(RuntimeError):
    pass


class _Sink:
    def __init__(self) -> None:
        self.outputs: list[Any] = []
        self.errors: list[ErrorRec] = []
        self.stopping = False

    def output(self, obj: Any) -> None:
        self.outputs.append(obj)

    def error(self, record: ErrorRec) -> None:
        self.errors.append(record)

    def warning(self, message: str) -> None:
        pass

    def verbose(self, message: str) -> None:
        pass

    def progress(self, *args: Any, **kwargs: Any) -> None:
        pass


def call(name: str, *positional: Any, **named: Any) -> CommandCall:
    params: list[tuple[str | None, Any]] = [(None, v) for v in positional]
    params += [(k, v) for k, v in named.items()]
    return CommandCall(name, tuple(params))


def run(world: World, host: Host, *calls: CommandCall) -> list[Any]:
    sink = _Sink()
    try:
        Runspace(Session(world=world, host=host)).invoke(list(calls), None, sink)
    except TerminatingError as failed:
        raise RecipeFailed(f"{host.name}: {calls[0].name}: {failed.record.message}") from None
    if sink.errors:
        raise RecipeFailed(f"{host.name}: {calls[0].name}: {sink.errors[0].message}")
    return sink.outputs


def reboot(world: World, host: Host) -> None:
    run(world, host, call("Restart-Computer", Force=True))
    world.lab_time += 90.0
    world.finish_reboot(host)


def ipv4(host: Host, adapter: int = 0) -> str:
    return next(a.address for a in host.adapters[adapter].addresses if a.family == "IPv4")


def prepare(world: World) -> None:
    import hvconsole.lab.cmdlets  # noqa: F401  (registers the cmdlets)

    storage, nodes = world.hosts[0], world.hosts[1:3]
    credential = Credential(
        f"{DOMAIN.split('.')[0].upper()}\\{world.admin_username}", SecureText(world.admin_password)
    )
    run(world, storage, call("Rename-Computer", NewName=NAMES["storage"], Force=True))
    run(
        world,
        storage,
        call(
            "Install-WindowsFeature",
            Name=["AD-Domain-Services", "FS-iSCSITarget-Server"],
            IncludeManagementTools=True,
        ),
    )
    reboot(world, storage)
    run(
        world,
        storage,
        call("Install-ADDSForest", DomainName=DOMAIN, SafeModeAdministratorPassword=DSRM, Force=True),
    )
    world.lab_time += 300.0
    world.finish_reboot(storage)
    run(
        world,
        storage,
        call(
            "New-NetFirewallRule",
            Name="hvconsole-iSCSI-Target-In-TCP-3260",
            DisplayName="iSCSI Target (TCP-In 3260)",
            Protocol="TCP",
            LocalPort=["3260"],
        ),
    )
    dc = ipv4(storage)
    for node in nodes:
        run(world, node, call("Set-DnsClientServerAddress", InterfaceAlias="Ethernet", ServerAddresses=[dc]))
        run(world, node, call("Rename-Computer", NewName=NAMES[node.id], Force=True))
        reboot(world, node)
        run(world, node, call("Add-Computer", DomainName=DOMAIN, Credential=credential))
        run(
            world,
            node,
            call(
                "Install-WindowsFeature", Name=["Hyper-V", "Failover-Clustering"], IncludeManagementTools=True
            ),
        )
        for rule, port, protocol in (
            ("Cluster-In-TCP-3343", "3343", "TCP"),
            ("Cluster-In-UDP-3343", "3343", "UDP"),
            ("LiveMigration-In-TCP-6600", "6600", "TCP"),
        ):
            run(
                world,
                node,
                call(
                    "New-NetFirewallRule",
                    Name=f"hvconsole-{rule}",
                    DisplayName=rule,
                    Protocol=protocol,
                    LocalPort=[port],
                ),
            )
        run(world, node, call("Set-Service", Name="MSiSCSI", StartupType="Automatic"))
        run(world, node, call("Start-Service", Name=["MSiSCSI"]))
        reboot(world, node)
    folder = "C:\\iSCSIVirtualDisks"
    run(world, storage, call("New-IscsiVirtualDisk", Path=f"{folder}\\Quorum.vhdx", SizeBytes=1 * GiB))
    run(world, storage, call("New-IscsiVirtualDisk", Path=f"{folder}\\Data.vhdx", SizeBytes=20 * GiB))
    run(
        world,
        storage,
        call(
            "New-IscsiServerTarget", TargetName="Cluster", InitiatorIds=[f"DNSName:{n.fqdn}" for n in nodes]
        ),
    )
    for name in ("Quorum", "Data"):
        run(
            world,
            storage,
            call("Add-IscsiVirtualDiskTargetMapping", TargetName="Cluster", Path=f"{folder}\\{name}.vhdx"),
        )
    portal = ipv4(storage, 1)
    for node in nodes:
        run(world, node, call("New-IscsiTargetPortal", TargetPortalAddress=portal))
        target = next(o.get("NodeAddress") for o in run(world, node, call("Get-IscsiTarget")))
        run(world, node, call("Connect-IscsiTarget", NodeAddress=target, IsPersistent=True))
    first = nodes[0]
    luns = sorted(
        (o for o in run(world, first, call("Get-Disk")) if o.get("BusType") == 9),
        key=lambda o: int(o.get("Size")),
    )
    for lun, label in zip(luns, ("Quorum", "Data"), strict=True):
        number = int(lun.get("Number"))
        run(world, first, call("Set-Disk", Number=number, IsOffline=False))
        run(world, first, call("Set-Disk", Number=number, IsReadOnly=False))
        run(world, first, call("Initialize-Disk", Number=number, PartitionStyle="GPT"))
        run(
            world,
            first,
            call("New-Partition", DiskNumber=number, UseMaximumSize=True, AssignDriveLetter=True),
            call("Format-Volume", FileSystem="NTFS", NewFileSystemLabel=label, Confirm=False),
        )


def cluster(world: World) -> None:
    first, second = world.hosts[1], world.hosts[2]
    made = Session(world=world, host=first)
    del made
    run(
        world,
        first,
        call(
            "New-Cluster", Name=CLUSTER_NAME, Node=[first.name, second.name], StaticAddress=[CLUSTER_ADDRESS]
        ),
    )
    data = next(
        o.get("Name")
        for o in run(world, first, call("Get-ClusterResource"))
        if o.get("ResourceType").get("Name") == "Physical Disk"
        and o.get("OwnerGroup") is not None
        and str(o.get("OwnerGroup").get("Name")) == "Available Storage"
    )
    run(world, first, call("Add-ClusterSharedVolume", Name=data))
    for node in (first, second):
        run(
            world,
            node,
            call(
                "Set-VMHost",
                VirtualMachinePath="C:\\ClusterStorage\\Volume1\\VMs",
                VirtualHardDiskPath="C:\\ClusterStorage\\Volume1\\VHDs",
            ),
        )


def build(world: World, scenario: str) -> World:
    """Replay the recipe up to ``scenario`` on a fresh classic world."""
    prepare(world)
    if scenario == "clustered":
        cluster(world)
    world.scenario = scenario
    return world
