"""The lab's WS-Management/PSRP endpoint: HTTPS + Basic auth + SOAP + psrpcore, one per simulated host."""

from hvconsole.lab.endpoint.certs import LabCertificateAuthority
from hvconsole.lab.endpoint.server import LabEndpoint

__all__ = ["LabCertificateAuthority", "LabEndpoint"]
