"""NetSecurity module: Get/Enable/Disable/New/Remove-NetFirewallRule (reference §1.8).

Enum-valued CIM properties go over the wire as their raw numbers, as deserialized CIM objects show them
(reference §0.2): Enabled 1 True / 2 False (a string-backed enum, not a bool), Direction 1 Inbound /
2 Outbound, Action 2 Allow / 4 Block, Profile bit mask (0 Any, 1 Domain, 2 Private, 4 Public).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types
from hvconsole.lab.engine.objects import cim_object, has_wildcards, like
from hvconsole.lab.protocol import U16, PSObj
from hvconsole.lab.world.model import FirewallRule

NAMESPACE = "ROOT/StandardCimv2"
RULE_TYPE = f"Microsoft.Management.Infrastructure.CimInstance#{NAMESPACE}/MSFT_NetFirewallRule"
DIRECTION = {"Inbound": 1, "Outbound": 2}
ACTION = {"NotConfigured": 0, "Allow": 2, "Block": 4}
PROFILE = {"Any": 0, "Domain": 1, "Private": 2, "Public": 4}
TRUE_FALSE = ("True", "False")


def _profile_mask(profile: str) -> int:
    return sum(PROFILE.get(p.strip(), 0) for p in profile.split(","))


def firewall_rule_object(rule: FirewallRule) -> PSObj:
    return cim_object(
        NAMESPACE,
        "MSFT_NetFirewallRule",
        {
            "Name": rule.name,
            "InstanceID": rule.name,
            "ID": rule.name,
            "DisplayName": rule.display_name,
            "Description": "",
            "DisplayGroup": rule.group or None,
            "Group": rule.group or None,  # inferred: built-ins hold an indirect string "@FirewallAPI.dll,-N"
            "Enabled": U16(1 if rule.enabled else 2),
            "Profile": U16(_profile_mask(rule.profile)),
            "Platform": [],
            "Direction": U16(DIRECTION.get(rule.direction, 1)),
            "Action": U16(ACTION.get(rule.action, 2)),
            "EdgeTraversalPolicy": U16(0),  # Block
            "LooseSourceMapping": False,
            "LocalOnlyMapping": False,
            "Owner": None,
            "PrimaryStatus": U16(1),  # OK
            "Status": "The rule was parsed successfully from the store. (65536)",
            "EnforcementStatus": [U16(0)],  # NotApplicable (inferred value)
            "PolicyStoreSource": "PersistentStore",
            "PolicyStoreSourceType": U16(1),  # Local
            "RemoteDynamicKeywordAddresses": [],
            "ElementName": rule.display_name,
        },
        to_string=f'MSFT_NetFirewallRule (CreationClassName = "MSFT|FW|FirewallRule|{rule.name}", '
        'PolicyRuleName = "", SystemCreationClassName = "", SystemName = "")',  # inferred
    )


class RuleQuery(Cmdlet):
    """The shared key parameters; ``selected()`` applies them with the §0.2 not-found pattern."""

    module_name = "NetSecurity"
    default_set = "GetAll"

    Name = Param(types.STRINGS, position=0, aliases=("ID",), sets=("ByName",), mandatory=True)
    DisplayName = Param(types.STRINGS, sets=("ByDisplayName",), mandatory=True)
    DisplayGroup = Param(types.STRINGS, sets=("ByQuery",))
    Group = Param(types.STRINGS, sets=("ByQuery",))
    Enabled = Param(types.STRINGS, sets=("ByQuery",), validate_set=TRUE_FALSE)
    Direction = Param(types.STRINGS, sets=("ByQuery",), validate_set=tuple(DIRECTION))
    Action = Param(types.STRINGS, sets=("ByQuery",), validate_set=tuple(ACTION))
    PolicyStore = Param(types.STRING)
    InputObject = Param(
        types.ArrayOf(types.ObjectType("CimInstance[]", [RULE_TYPE])),
        sets=("InputObject",),
        mandatory=True,
        from_pipeline=True,
    )

    def selected(self) -> list[FirewallRule]:
        rules = list(self.host.firewall_rules)
        if self.InputObject:
            names = {str(o.get("Name")).lower() for o in self.InputObject}
            return [r for r in rules if r.name.lower() in names]
        keys = (
            ("Name", self.Name, lambda r: r.name),
            ("DisplayName", self.DisplayName, lambda r: r.display_name),
            ("DisplayGroup", self.DisplayGroup, lambda r: r.group),
            ("Group", self.Group, lambda r: r.group),
        )
        for prop, values, read in keys:
            if not values:
                continue
            for value in values:
                if not any(like(read(r), value) for r in rules) and not has_wildcards(value):
                    self.not_found("MSFT_NetFirewallRule", prop, value)
            rules = [r for r in rules if any(like(read(r), v) for v in values)]
        if self.Enabled:
            rules = [r for r in rules if ("True" if r.enabled else "False") in self.Enabled]
        if self.Direction:
            rules = [r for r in rules if r.direction in self.Direction]
        if self.Action:
            rules = [r for r in rules if r.action in self.Action]
        return rules


@cmdlet
class GetNetFirewallRule(RuleQuery):
    command_name = "Get-NetFirewallRule"

    All = Param(types.SWITCH, sets=("GetAll",))

    def process(self) -> Iterator[Any]:
        yield from (firewall_rule_object(r) for r in self.selected())


class SwitchRules(RuleQuery):
    supports_should_process = True
    default_set = "ByName"
    turn_on: bool = True

    PassThru = Param(types.SWITCH)

    def process(self) -> Iterator[Any]:
        for rule in self.selected():
            # enabling an enabled rule (or the reverse) is a silent no-op (reference §1.8, inferred)
            if rule.enabled != self.turn_on and self.should_process(rule.display_name, self.command_name):
                rule.enabled = self.turn_on
            if self.PassThru:
                yield firewall_rule_object(rule)


@cmdlet
class EnableNetFirewallRule(SwitchRules):
    command_name = "Enable-NetFirewallRule"
    turn_on = True


@cmdlet
class DisableNetFirewallRule(SwitchRules):
    command_name = "Disable-NetFirewallRule"
    turn_on = False


@cmdlet
class RemoveNetFirewallRule(RuleQuery):
    command_name = "Remove-NetFirewallRule"
    supports_should_process = True
    default_set = "ByName"

    def process(self) -> Iterator[Any]:
        for rule in self.selected():
            if self.should_process(rule.display_name, "Delete"):
                self.host.firewall_rules = [r for r in self.host.firewall_rules if r is not rule]
        return iter(())


@cmdlet
class NewNetFirewallRule(Cmdlet):
    command_name = "New-NetFirewallRule"
    module_name = "NetSecurity"
    supports_should_process = True

    DisplayName = Param(types.STRING, mandatory=True)
    Name = Param(types.STRING, aliases=("ID",))
    Description = Param(types.STRING)
    Group = Param(types.STRING)
    Enabled = Param(types.STRING, validate_set=TRUE_FALSE, default="True")
    Profile = Param(types.STRINGS, validate_set=tuple(PROFILE))
    Direction = Param(types.STRING, validate_set=tuple(DIRECTION), default="Inbound")
    Action = Param(types.STRING, validate_set=tuple(ACTION), default="Allow")
    Protocol = Param(types.STRING, default="Any")
    LocalPort = Param(types.STRINGS)
    RemoteAddress = Param(types.STRINGS)
    PolicyStore = Param(types.STRING)

    def process(self) -> Iterator[Any]:
        name = self.Name if self.Name is not None else "{" + str(uuid.uuid4()) + "}"
        if any(r.name.lower() == name.lower() for r in self.host.firewall_rules):
            # index id 29398818315 (reference §1.8); FQID and category inferred (ERROR_ALREADY_EXISTS)
            self.write_error(
                self.make_error(
                    "Cannot create a file when that file already exists.",
                    "Windows System Error 183",
                    category="ResourceExists",
                    exception_type="Microsoft.Management.Infrastructure.CimException",
                    reason="CimException",
                    target_name="MSFT_NetFirewallRule",
                )
            )
            return
        if not self.should_process(self.DisplayName, "Create"):
            return
        rule = FirewallRule(
            name=name,
            display_name=self.DisplayName,
            group=self.Group or "",
            enabled=self.Enabled == "True",
            direction=self.Direction,
            action=self.Action,
            profile=",".join(self.Profile or ["Any"]),
            protocol=self.Protocol,
            local_port=",".join(self.LocalPort or ["Any"]),
        )
        self.host.firewall_rules.append(rule)
        yield firewall_rule_object(rule)
