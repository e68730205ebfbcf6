"""Install-/Uninstall-WindowsFeature (reference §3.1): results, restart states, idempotency, reboot."""

from __future__ import annotations

from hvconsole.lab.engine import Session
from hvconsole.lab.world.scenario import build_world
from tests.lab.engine.harness import cmd, run


def test_hyper_v_is_pending_until_restart_and_clustering_is_not() -> None:
    world = build_world(seed=4, now=1_700_000_000.0)
    node = Session(world=world, host=world.hosts[1])
    assert run(node, cmd("Get-VM")).failure is not None
    result = run(
        node,
        cmd("Install-WindowsFeature", Name=["Hyper-V", "Failover-Clustering"], IncludeManagementTools=True),
    )
    (op,) = result.output
    assert op.type_names[0] == "Microsoft.Windows.ServerManager.Commands.FeatureOperationResult"
    assert op.get("Success") is True and op.get("RestartNeeded").name == "Yes"
    assert op.get("ExitCode").name == "SuccessRestartRequired"
    names = [f.get("Id") for f in op.get("FeatureResult")]
    assert "Hyper-V" in names and "RSAT-Clustering-PowerShell" in names
    assert result.sink.warnings == ["You must restart this server to finish the installation process."]
    host = world.hosts[1]
    assert host.feature_state("Hyper-V") == "InstallPending"
    assert host.feature_state("Failover-Clustering") == "Installed"
    states = {
        o.get("Name"): o.get("InstallState").name
        for o in run(node, cmd("Get-WindowsFeature", Name=["Hyper-V"])).output
    }
    assert states == {"Hyper-V": "InstallPending"}
    again = run(
        node,
        cmd("Install-WindowsFeature", Name=["Hyper-V", "Failover-Clustering"], IncludeManagementTools=True),
    )
    assert (
        again.output[0].get("ExitCode").name == "NoChangeNeeded"
        and again.output[0].get("FeatureResult") == []
    )
    world.finish_reboot(host)
    assert host.feature_state("Hyper-V") == "Installed" and host.service("vmms") is not None


def test_no_restart_roles_and_removal() -> None:
    world = build_world(seed=4, now=1_700_000_000.0)
    storage = Session(world=world, host=world.hosts[0])
    op = run(
        storage, cmd("Install-WindowsFeature", Name=["FS-iSCSITarget-Server"], IncludeManagementTools=True)
    ).output[0]
    assert (op.get("RestartNeeded").name, op.get("ExitCode").name) == ("No", "Success")
    assert [f.get("DisplayName") for f in op.get("FeatureResult")] == ["iSCSI Target Server"]
    removed = run(storage, cmd("Uninstall-WindowsFeature", Name=["FS-iSCSITarget-Server"])).output[0]
    assert removed.get("ExitCode").name == "Success"
    assert world.hosts[0].feature_state("FS-iSCSITarget-Server") == "Available"
    unknown = run(storage, cmd("Install-WindowsFeature", Name=["Filover-Clustering"]))
    assert unknown.failure is not None and "Filover-Clustering" in unknown.failure.message
