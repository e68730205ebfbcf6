"""ADDSDeployment module: Install-ADDSForest (reference §2.5). The module exists once AD-Domain-Services is
installed (§3.2), so before that the cmdlet is not found, as on Windows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, errors, types
from hvconsole.lab.engine.objects import dotnet_object
from hvconsole.lab.protocol import PSObj
from hvconsole.lab.world import domain

RESULT_TYPE = "Microsoft.DirectoryServices.Deployment.Types.ADDSDeploymentResult"  # inferred namespace
PROMOTION_LAB_SECONDS = 90.0  # inferred: creating the forest and the DNS zone
MODES = ("Win2008", "Win2008R2", "Win2012", "Win2012R2", "WinThreshold", "Win2025", "Default")
CONFIRM = (
    "The target server will be configured as a domain controller and restarted when this operation is complete. "
    "Do you want to continue with this operation?"
)
DELEGATION_WARNING = (
    "A delegation for this DNS server cannot be created because the authoritative parent zone cannot be found or "
    "it does not run Windows DNS server. If you are integrating with an existing DNS infrastructure, you should "
    "manually create a delegation to this DNS server in the parent zone to ensure reliable name resolution from "
    'outside the domain "{0}". Otherwise, no action is required.'
)
PREREQUISITES = (
    "Verification of prerequisites for Domain Controller promotion failed. {0}"  # inferred wording
)


def deployment_result(message: str, context: str, reboot_required: bool, status: str) -> PSObj:
    return dotnet_object(
        (RESULT_TYPE,),
        {"Message": message, "Context": context, "RebootRequired": reboot_required, "Status": status},
        to_string=RESULT_TYPE,
    )


def complex_enough(password: str) -> bool:
    """Windows' default complexity (inferred for the DSRM password): 8+ characters, 3 of 4 character kinds."""
    kinds = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    return len(password) >= 8 and sum(kinds) >= 3


@cmdlet
class InstallADDSForest(Cmdlet):
    command_name = "Install-ADDSForest"
    module_name = "ADDSDeployment"
    class_name = "Microsoft.DirectoryServices.Deployment.PowerShell.Commands.InstallADDSForestCommand"
    supports_should_process = True
    requires_feature = "AD-Domain-Services"

    DomainName = Param(types.STRING, mandatory=True)
    DomainNetbiosName = Param(types.STRING)
    SafeModeAdministratorPassword = Param(types.SECURESTRING, mandatory=True)
    InstallDns = Param(types.SWITCH, default=True)
    CreateDnsDelegation = Param(types.SWITCH)
    ForestMode = Param(types.STRING, validate_set=MODES)
    DomainMode = Param(types.STRING, validate_set=MODES)
    DatabasePath = Param(types.STRING)
    LogPath = Param(types.STRING)
    SysvolPath = Param(types.STRING)
    NoRebootOnCompletion = Param(types.SWITCH)
    NoDnsOnNetwork = Param(types.SWITCH)
    SkipPreChecks = Param(types.SWITCH)
    SkipAutoConfigureDns = Param(types.SWITCH)
    Force = Param(types.SWITCH)

    def prerequisite(self, reason: str, number: int) -> None:
        self.throw(
            self.make_error(
                PREREQUISITES.format(reason),
                f"Test.VerifyDcPromoCore.DCPromo.General.{number}",
                category="NotSpecified",
                exception_type="Microsoft.DirectoryServices.Deployment.DCPromoExecutionException",
            )
        )

    def process(self) -> Iterator[Any]:
        name = self.DomainName.rstrip(".")
        netbios = (self.DomainNetbiosName or name.split(".")[0]).upper()
        if self.host.domain_role >= 4 or self.host.pending.get("forest"):
            self.prerequisite("This computer is already a domain controller.", 74)  # §11: 2nd call (inferred)
        if self.host.domain is not None:
            self.prerequisite("The computer is joined to a domain; use Install-ADDSDomainController.", 53)
        if not domain.domain_name_valid(name):
            self.prerequisite(f"The domain name '{name}' is not a valid DNS domain name.", 9)
        if len(netbios) > 15 or not domain.computer_name_valid(netbios):
            self.prerequisite(f"The NetBIOS domain name '{netbios}' is not valid.", 10)
        if domain.find_domain(self.world, name) or domain.find_domain(self.world, netbios):
            self.prerequisite(f"The domain name '{name}' is already in use on the network.", 11)
        if not complex_enough(self.SafeModeAdministratorPassword.value):
            self.prerequisite(
                "The Directory Services Restore Mode Administrator password does not meet the complexity "
                "requirements.",
                77,
            )
        if not self.Force and self.bound.get("Confirm") is not False:
            self.throw(errors.cannot_prompt(CONFIRM, self.fqid_suffix(), self.command_name))
        if self.bound.get("WhatIf"):
            self.should_process(self.host.name, "Install-ADDSForest")
            return
        activity = "Active Directory Domain Services Configuration"  # inferred progress texts
        for percent, status in ((10, "Validating environment and user input"), (50, "Creating the forest")):
            self.write_progress(activity, status, percent)
            domain.pass_lab_time(self.world, self.session.lock, PROMOTION_LAB_SECONDS / 2)
        self.write_progress(activity, "Completed", 100, completed=True)
        if self.InstallDns and not self.CreateDnsDelegation:
            self.write_warning(DELEGATION_WARNING.format(name))
        self.host.pending["forest"] = {"name": name.lower(), "netbios": netbios, "dns": bool(self.InstallDns)}
        if self.NoRebootOnCompletion:  # inferred: the result asks for the restart
            yield deployment_result(
                "You must restart this computer to complete the operation.",
                "DCPromo.General.4",
                True,
                "Success",
            )
            return
        yield deployment_result("Operation completed successfully", "DCPromo.General.3", False, "Success")
        domain.restart(self.world, self.host)  # §2.5: reboots by itself
