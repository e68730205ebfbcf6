"""Windows activation over CIM: SoftwareLicensingService (InstallProductKey) and SoftwareLicensingProduct
(LicenseStatus, PartialProductKey, Activate), which SConfig's "Windows activation" and slmgr use.

Lab decisions (# inferred): a key is accepted when it has the 5×5 shape; the KMS client (GVLK) keys cannot
activate because the lab has no KMS host (0xC004F074), any other key activates (no internet check).
"""

from __future__ import annotations

import re
from typing import Any

from hvconsole.lab.cmdlets.cimcmdlets import cim_class
from hvconsole.lab.cmdlets.cimmethods import CimFailure, cim_method
from hvconsole.lab.engine import Cmdlet
from hvconsole.lab.protocol import U32
from hvconsole.lab.world.model import Host, World
from hvconsole.lab.world.settings import DEFAULT_KEY_PARTIAL, WINDOWS_APPLICATION_ID

_KEY = re.compile(r"^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$")
# KMS client setup keys (Microsoft-published GVLKs) by their last group: 2022 Datacenter / Standard, 2019 DC
GVLK_PARTIALS = {DEFAULT_KEY_PARTIAL, "8XDDG", "6XBNX"}
SL_E_INVALID_PRODUCT_KEY = 0xC004F050
SL_E_NO_KMS = 0xC004F074
GRACE_MINUTES = 180 * 24 * 60


@cim_class("root/cimv2", "SoftwareLicensingService", ("Version",))
def _service(world: World, host: Host) -> list[dict[str, Any]]:
    return [
        {
            "Version": "10.0.20348.1",
            "KeyManagementServiceMachine": None,
            "IsKeyManagementServiceMachine": U32(0),
        }
    ]


@cim_class("root/cimv2", "SoftwareLicensingProduct", ("ID",))
def _products(world: World, host: Host) -> list[dict[str, Any]]:
    s = host.settings
    windows = {
        "ID": "ef6cfc9f-8c5d-44ac-9aad-de6a2ea0ae03",
        "Name": "Windows(R), ServerDatacenter edition",
        "Description": f"Windows(R) Operating System, {s.product_key_channel} channel",
        "ApplicationID": WINDOWS_APPLICATION_ID,
        "PartialProductKey": s.partial_product_key,
        "ProductKeyChannel": s.product_key_channel,
        "LicenseStatus": U32(s.license_status),
        "GracePeriodRemaining": U32(0 if s.license_status == 1 else GRACE_MINUTES),
    }
    other = {  # an edition that is not installed: listed without a key, as on Windows
        "ID": "b5e5c8a2-9a27-4bd7-9b2e-2f4d4c1a0c11",
        "Name": "Windows(R), ServerStandard edition",
        "Description": "Windows(R) Operating System, VOLUME_KMSCLIENT channel",
        "ApplicationID": WINDOWS_APPLICATION_ID,
        "PartialProductKey": None,
        "ProductKeyChannel": None,
        "LicenseStatus": U32(0),
        "GracePeriodRemaining": U32(0),
    }
    return [windows, other]


@cim_method("root/cimv2", "SoftwareLicensingService", "InstallProductKey")
def _install_key(
    cmdlet: Cmdlet, instance: dict[str, Any] | None, arguments: dict[str, Any]
) -> dict[str, Any]:
    key = str(arguments.get("ProductKey") or "").strip().upper()
    if not _KEY.match(key):
        raise CimFailure(
            SL_E_INVALID_PRODUCT_KEY,
            "The Software Licensing Service reported that the product key is invalid.",
        )
    settings = cmdlet.host.settings
    settings.partial_product_key = key[-5:]
    gvlk = settings.partial_product_key in GVLK_PARTIALS
    settings.product_key_channel = "Volume:GVLK" if gvlk else "Retail"
    settings.license_status = (
        2 if gvlk else 5
    )  # inferred: a new retail key waits for activation (Notification)
    return {"ReturnValue": U32(0)}


@cim_method("root/cimv2", "SoftwareLicensingProduct", "Activate")
def _activate(cmdlet: Cmdlet, instance: dict[str, Any] | None, arguments: dict[str, Any]) -> dict[str, Any]:
    settings = cmdlet.host.settings
    if instance is not None and not instance.get("PartialProductKey"):
        raise CimFailure(
            0xC004F014, "The Software Licensing Service reported that the product key is not available."
        )
    if settings.partial_product_key in GVLK_PARTIALS:
        raise CimFailure(
            SL_E_NO_KMS,
            "The Software Licensing Service reported that the computer could not be activated. No Key Management "
            "Service (KMS) could be contacted. Please see the Application Event Log for additional information.",
        )
    settings.license_status = 1
    return {"ReturnValue": U32(0)}
