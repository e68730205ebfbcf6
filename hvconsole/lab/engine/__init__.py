"""PowerShell command semantics for the simulated hosts.

The endpoint hands ``Runspace.invoke`` a list of ``CommandCall``s; the engine splits them into statements,
finds each cmdlet in the registry (``CommandNotFoundException`` when it does not exist on this host), binds
the arguments exactly as PowerShell would (names case-insensitive, unambiguous prefixes, aliases, positional
arguments, switches, arrays, ValidateSet, parameter sets, mandatory parameters, common parameters), then
streams objects through the commands (pipeline input by value and by property name) and writes what comes
out to the ``PipelineSink``. A binding failure or ``TerminatingError`` fails the pipeline; non-terminating
errors follow ``-ErrorAction`` (Stop turns the first one into a terminating error).

Adding a cmdlet
---------------
Put it in ``hvconsole/lab/cmdlets/<windows module>.py`` (every module there is imported by
``hvconsole/lab/cmdlets/__init__.py``)::

    from hvconsole.lab.engine import Cmdlet, Param, cmdlet, types

    @cmdlet
    class GetService(Cmdlet):
        command_name = "Get-Service"
        module_name = "Microsoft.PowerShell.Management"
        class_name = "Microsoft.PowerShell.Commands.GetServiceCommand"   # None for CDXML cmdlets
        default_set = "Default"

        Name = Param(types.STRINGS, position=0, aliases=("ServiceName",), sets=("Default",),
                     from_pipeline=True, from_pipeline_by_name=True)
        DisplayName = Param(types.STRINGS, sets=("DisplayName",), mandatory=True)
        StartupType = Param(types.STRING, validate_set=("Automatic", "Manual", "Disabled"))

        def process(self):
            for service in self.host.services.values():
                if matches_any(service.name, self.Name):
                    yield service_object(service)
            ...
            self.write_error(self.make_error("Cannot find any service ...", "NoServiceFoundForGivenName",
                                             category="ObjectNotFound", exception_type="..."))

* Parameters are ``Param`` class attributes named as in PowerShell; reading ``self.Name`` gives the
  converted value (``default`` when not bound). ``self.was_bound("Name")`` is $PSBoundParameters.ContainsKey.
  Types live in ``engine.types`` (STRING, STRINGS, INT32, UINT32, UINT64, BOOL, SWITCH, CHAR, SECURESTRING,
  CREDENTIAL, ArrayOf(t), EnumType(name, members), ObjectType(name, accepted type names)).
* ``begin``/``process``/``end`` are generators (or return iterables) of output objects: plain values or
  ``PSObj`` (build them with ``objects.cim_object``/``dotnet_object``/``note_object``). ``process`` runs once
  without pipeline input, else once per input object. ``self.parameter_set`` names the resolved set.
* Errors: ``self.write_error(record)`` (non-terminating, honours -ErrorAction), ``self.throw(record)``
  (terminating), ``self.make_error(message, error_id, ...)`` builds a record with the right FQID suffix
  (``class_name`` or, for CDXML cmdlets, the command name), ``self.not_found(cim_class, prop, value)`` is
  the CDXML not-found error of reference §0.2. ``self.write_warning``/``write_verbose``/``write_progress``.
* ``supports_should_process = True`` adds -WhatIf/-Confirm; call ``self.should_process(target, action)``
  before a change. ``confirm_impact = "High"`` cmdlets fail (cannot prompt remotely) unless -Confirm:$false.
* ``requires_feature = "Hyper-V-PowerShell"`` makes the cmdlet exist only once that feature is installed.
* The simulated machine: ``self.host`` (``world.model.Host``) and ``self.world``; the world lock is held while
  a pipeline runs.
"""

from hvconsole.lab.engine import errors, objects, types
from hvconsole.lab.engine.cmdlet import ALL_SETS, REGISTRY, Cmdlet, CmdletRegistry, cmdlet
from hvconsole.lab.engine.params import Param
from hvconsole.lab.engine.session import Runspace, Session

__all__ = [
    "ALL_SETS",
    "REGISTRY",
    "Cmdlet",
    "CmdletRegistry",
    "Param",
    "Runspace",
    "Session",
    "cmdlet",
    "errors",
    "objects",
    "types",
]
