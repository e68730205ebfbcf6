"""Parameter binding as PowerShell does it: names (case-insensitive, unambiguous prefixes, aliases),
positional arguments, parameter sets, mandatory checks, then pipeline input by value and by property name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hvconsole.lab.engine import errors
from hvconsole.lab.engine.cmdlet import ALL_SETS
from hvconsole.lab.engine.params import Param
from hvconsole.lab.engine.types import ConversionFailed, matches_without_conversion
from hvconsole.lab.protocol import ErrorRec, PSObj, TerminatingError

if TYPE_CHECKING:
    from hvconsole.lab.engine.cmdlet import Cmdlet


class BindingError(Exception):
    def __init__(self, record: ErrorRec) -> None:
        super().__init__(record.message)
        self.record = record


def resolve_parameter(cmd: type[Cmdlet], given: str) -> Param[Any]:
    """Exact name or alias first, then a unique prefix (of names and aliases)."""
    params = cmd.parameters()
    key = given.lstrip("-").lower()
    for param in params.values():
        if any(n.lower() == key for n in param.all_names):
            return param
    matches: dict[str, Param[Any]] = {}
    for param in params.values():
        if any(n.lower().startswith(key) for n in param.all_names):
            matches[param.name] = param
    if len(matches) == 1:
        return next(iter(matches.values()))
    suffix, activity = cmd.fqid_suffix(), cmd.command_name
    if not matches or not key:
        raise BindingError(errors.named_parameter_not_found(given.lstrip("-"), suffix, activity))
    raise BindingError(errors.ambiguous_parameter(given.lstrip("-"), sorted(matches), suffix, activity))


def convert_argument(cmd: type[Cmdlet], param: Param[Any], value: Any) -> Any:
    suffix, activity = cmd.fqid_suffix(), cmd.command_name
    if value is None and not param.ps_type.is_switch:
        if param.mandatory:
            raise BindingError(
                ErrorRec(
                    message=f"Cannot bind argument to parameter '{param.name}' because it is null.",
                    fqid=f"ParameterArgumentValidationErrorNullNotAllowed,{suffix}",
                    category="InvalidData",
                    exception_type=errors.VALIDATION_EXCEPTION,
                    activity=activity,
                )
            )
        return None
    try:
        converted = param.ps_type.convert(value)
    except ConversionFailed as failed:
        transformation = failed.transformation or cmd.is_function()
        raise BindingError(
            errors.cannot_convert(param.name, failed.message, transformation, suffix, activity)
        ) from None
    if param.validate_set is not None:
        converted = _validate_set(cmd, param, converted)
    return converted


def _validate_set(cmd: type[Cmdlet], param: Param[Any], value: Any) -> Any:
    allowed = param.validate_set or ()
    lowered = {a.lower(): a for a in allowed}
    items = value if isinstance(value, list) else [value]
    canonical = []
    for item in items:
        match = lowered.get(str(item).lower())
        if match is None:
            raise BindingError(
                errors.validate_set_failed(param.name, item, allowed, cmd.fqid_suffix(), cmd.command_name)
            )
        canonical.append(match)
    return canonical if isinstance(value, list) else canonical[0]


def candidate_sets(cmd: type[Cmdlet], bound: Sequence[str]) -> list[str]:
    """The parameter sets that contain every bound parameter (in declaration order)."""
    declared = cmd.declared
    return [s for s in cmd.parameter_sets() if all(declared[n].in_set(s) for n in bound if n in declared)]


def _missing_mandatory(cmd: type[Cmdlet], set_name: str, bound: Sequence[str], has_input: bool) -> list[str]:
    return [
        p.name
        for p in cmd.declared.values()
        if p.mandatory
        and p.in_set(set_name)
        and p.name not in bound
        and not (has_input and (p.from_pipeline or p.from_pipeline_by_name))
    ]


def choose_set(cmd: type[Cmdlet], bound: Sequence[str], has_input: bool) -> str:
    sets = candidate_sets(cmd, bound)
    if not sets:
        raise BindingError(errors.ambiguous_parameter_set(cmd.fqid_suffix(), cmd.command_name))
    if len(sets) == 1:
        return sets[0]
    satisfied = [s for s in sets if not _missing_mandatory(cmd, s, bound, has_input)]
    if cmd.default_set in satisfied:
        return cmd.default_set or ALL_SETS
    if len(satisfied) >= 1:
        return satisfied[0]  # inferred: PowerShell would report AmbiguousParameterSet when several fit
    if cmd.default_set in sets:
        return cmd.default_set or ALL_SETS
    raise BindingError(errors.ambiguous_parameter_set(cmd.fqid_suffix(), cmd.command_name))


def bind_arguments(inst: Cmdlet, arguments: Sequence[tuple[str | None, Any]]) -> None:
    """Bind the command-line (wire) arguments: named first, then positional. Raises TerminatingError."""
    cmd = type(inst)
    try:
        positional: list[Any] = []
        for name, value in arguments:
            if name is None:
                positional.append(value)
                continue
            param = resolve_parameter(cmd, name)
            if param.name in inst.bound:
                raise BindingError(
                    errors.parameter_already_bound(param.name, cmd.fqid_suffix(), cmd.command_name)
                )
            inst.bound[param.name] = convert_argument(cmd, param, value)
        for value in positional:
            slot = _next_positional(cmd, list(inst.bound))
            if slot is None:
                raise BindingError(errors.positional_not_found(value, cmd.fqid_suffix(), cmd.command_name))
            inst.bound[slot.name] = convert_argument(cmd, slot, value)
        candidate = candidate_sets(cmd, list(inst.bound))
        if not candidate:
            raise BindingError(errors.ambiguous_parameter_set(cmd.fqid_suffix(), cmd.command_name))
    except BindingError as failed:
        raise TerminatingError(failed.record) from None


def _next_positional(cmd: type[Cmdlet], bound: list[str]) -> Param[Any] | None:
    sets = candidate_sets(cmd, bound)
    default = cmd.default_set
    options = [
        p
        for p in cmd.declared.values()
        if p.position is not None and p.name not in bound and any(p.in_set(s) for s in sets)
    ]
    options.sort(key=lambda p: (p.position, not (default and p.in_set(default))))
    return options[0] if options else None


def finish_binding(inst: Cmdlet, has_input: bool) -> None:
    """Choose the parameter set and check mandatory parameters (before the first process call)."""
    cmd = type(inst)
    try:
        inst.parameter_set = choose_set(cmd, list(inst.bound), has_input)
        missing = _missing_mandatory(cmd, inst.parameter_set, list(inst.bound), has_input)
        if missing:
            raise BindingError(errors.missing_mandatory(missing, cmd.fqid_suffix(), cmd.command_name))
    except BindingError as failed:
        raise TerminatingError(failed.record) from None


def _property_of(obj: Any, names: Sequence[str]) -> tuple[bool, Any]:
    if isinstance(obj, PSObj):
        for name in names:
            sentinel = object()
            value = obj.get(name, sentinel)
            if value is not sentinel:
                return True, value
    elif isinstance(obj, dict):
        lowered = {str(k).lower(): v for k, v in obj.items()}
        for name in names:
            if name.lower() in lowered:
                return True, lowered[name.lower()]
    return False, None


def bind_pipeline_input(inst: Cmdlet, obj: Any) -> bool:
    """Bind one input object; on failure write the (non-terminating) error and return False.

    PowerShell's order: by value without conversion, by property name, by value with conversion.
    """
    cmd = type(inst)
    fixed = list(inst.bound)
    sets = candidate_sets(cmd, fixed)
    free = [p for p in cmd.declared.values() if p.name not in inst.bound and any(p.in_set(s) for s in sets)]
    attempts: list[tuple[Param[Any], Any]] = []
    for param in free:
        if param.from_pipeline and matches_without_conversion(param.ps_type, obj):
            attempts = [(param, obj)]
            break
    if not attempts:
        for param in free:
            if param.from_pipeline_by_name:
                found, value = _property_of(obj, param.all_names)
                if found:
                    attempts.append((param, value))
    if not attempts:
        attempts = [(p, obj) for p in free if p.from_pipeline][:1]
    bound_any = False
    for param, value in attempts:
        try:
            inst.bound[param.name] = convert_argument(cmd, param, value)
            bound_any = True
        except BindingError:
            continue  # PowerShell skips a property that does not convert and tries the next parameter
    try:
        if not bound_any:
            raise BindingError(errors.input_not_bound(obj, cmd.fqid_suffix(), cmd.command_name))
        inst.parameter_set = choose_set(cmd, list(inst.bound), has_input=False)
        missing = _missing_mandatory(cmd, inst.parameter_set, list(inst.bound), has_input=False)
        if missing:
            raise BindingError(errors.missing_mandatory(missing, cmd.fqid_suffix(), cmd.command_name))
    except BindingError as failed:
        inst.sink.error(failed.record)
        return False
    return True
