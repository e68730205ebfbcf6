"""CimCmdlets: Invoke-CimMethod and New-CimInstance over the simulated CIM classes.

Modules register methods with ``@cim_method(namespace, class, method)``; a handler gets the cmdlet, the
instance's properties (None for a static call by -ClassName) and the -Arguments hashtable, and returns the
out-parameters (``ReturnValue`` included) or raises ``CimFailure`` for a provider error (a CimException whose
FQID is ``HRESULT 0x...``, reference §0.2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from hvconsole.lab.cmdlets.cimcmdlets import CIM_CLASSES
from hvconsole.lab.engine import Cmdlet, Param, cmdlet, errors, types
from hvconsole.lab.engine.objects import CIM_INSTANCE, cim_object, dotnet_object
from hvconsole.lab.protocol import PSObj

CimMethod = Callable[[Cmdlet, dict[str, Any] | None, dict[str, Any]], dict[str, Any]]
CIM_METHODS: dict[tuple[str, str, str], CimMethod] = {}
CREATABLE: set[tuple[str, str]] = set()  # (namespace, class) lower-case that New-CimInstance may create


class CimFailure(Exception):
    def __init__(self, hresult: int, message: str) -> None:
        super().__init__(message)
        self.hresult = hresult
        self.message = message


def cim_method(namespace: str, class_name: str, method: str) -> Callable[[CimMethod], CimMethod]:
    def register(handler: CimMethod) -> CimMethod:
        CIM_METHODS[(namespace.lower(), class_name.lower(), method.lower())] = handler
        return handler

    return register


def cim_creatable(namespace: str, class_name: str) -> None:
    CREATABLE.add((namespace.lower(), class_name.lower()))


def _namespace_and_class(instance: PSObj) -> tuple[str, str]:
    first = instance.type_names[0] if instance.type_names else ""
    _, _, qualified = first.partition("#")
    namespace, _, name = qualified.rpartition("/")
    return namespace, name


@cmdlet
class InvokeCimMethod(Cmdlet):
    command_name = "Invoke-CimMethod"
    module_name = "CimCmdlets"
    class_name = "Microsoft.Management.Infrastructure.CimCmdlets.InvokeCimMethodCommand"
    default_set = "ClassNameComputerSet"
    supports_should_process = True

    ClassName = Param(types.STRING, position=0, mandatory=True, sets=("ClassNameComputerSet",))
    InputObject = Param(
        types.ObjectType(CIM_INSTANCE, [CIM_INSTANCE]),
        mandatory=True,
        from_pipeline=True,
        sets=("CimInstanceComputerSet",),
        aliases=("CimInstance",),
    )
    Namespace = Param(types.STRING, sets=("ClassNameComputerSet",))
    MethodName = Param(types.STRING, position=2, mandatory=True, aliases=("Name",))
    Arguments = Param(types.OBJECT, position=1)
    ComputerName = Param(types.STRINGS, aliases=("CN", "ServerName"))
    OperationTimeoutSec = Param(types.UINT32, aliases=("OT",))

    def process(self) -> Iterator[Any]:
        if self.parameter_set == "CimInstanceComputerSet":
            namespace, name = _namespace_and_class(self.InputObject)
            instance: dict[str, Any] | None = dict(self.InputObject.properties)
        else:
            namespace, name, instance = (
                (self.Namespace or "root/cimv2").replace("\\", "/"),
                self.ClassName,
                None,
            )
        arguments = self.Arguments if isinstance(self.Arguments, dict) else {}
        handler = CIM_METHODS.get((namespace.lower(), name.lower(), self.MethodName.lower()))
        if handler is None:
            known_class = (namespace.lower(), name.lower()) in CIM_CLASSES or (
                namespace.lower(),
                name.lower(),
            ) in CREATABLE
            message, code = (
                ("Method not found ", "0x8004102e") if known_class else ("Invalid class ", "0x80041010")
            )
            self.write_error(
                self._cim_error(message, code, f"{namespace}:{name}")
            )  # inferred texts (WBEM codes)
            return
        if not self.should_process(f"{name}", self.MethodName):
            return
        try:
            out = handler(self, instance, {str(k): v for k, v in arguments.items()})
        except CimFailure as failure:
            self.write_error(
                self._cim_error(failure.message, f"0x{failure.hresult:08x}", f"{namespace}:{name}")
            )
            return
        yield dotnet_object(("Microsoft.Management.Infrastructure.CimMethodResult",), out)

    def _cim_error(self, message: str, code: str, target: str) -> Any:
        return self.make_error(
            message,
            f"HRESULT {code}",
            category="NotSpecified",
            exception_type=errors.CIM_EXCEPTION,
            reason="CimException",
            target_name=target,
            target_type="String",
        )


@cmdlet
class NewCimInstance(Cmdlet):
    command_name = "New-CimInstance"
    module_name = "CimCmdlets"
    class_name = "Microsoft.Management.Infrastructure.CimCmdlets.NewCimInstanceCommand"
    default_set = "ClassNameComputerSet"
    supports_should_process = True

    ClassName = Param(types.STRING, position=0, mandatory=True)
    Namespace = Param(types.STRING)
    Property = Param(types.OBJECT, position=1, aliases=("Arguments",))
    Key = Param(types.STRINGS)
    ClientOnly = Param(types.SWITCH, aliases=("Local",))
    ComputerName = Param(types.STRINGS, aliases=("CN", "ServerName"))

    def process(self) -> Iterator[Any]:
        namespace = (self.Namespace or "root/cimv2").replace("\\", "/")
        if (namespace.lower(), self.ClassName.lower()) not in CREATABLE:
            self.write_error(
                self.make_error(
                    "Not supported ",
                    "HRESULT 0x8004100c",
                    exception_type=errors.CIM_EXCEPTION,
                    reason="CimException",
                    target_name=f"{namespace}:{self.ClassName}",
                    target_type="String",
                )
            )  # inferred: WBEM_E_NOT_SUPPORTED for classes whose provider cannot create instances
            return
        properties = dict(self.Property) if isinstance(self.Property, dict) else {}
        yield cim_object(namespace, self.ClassName, properties, to_string=self.ClassName)
