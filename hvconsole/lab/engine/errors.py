"""ErrorRecords exactly as PowerShell words them (binding, lookup, CIM not-found)."""

from __future__ import annotations

from typing import Any

from hvconsole.lab.engine.types import render_value
from hvconsole.lab.protocol import ErrorRec

BINDING_EXCEPTION = "System.Management.Automation.ParameterBindingException"
VALIDATION_EXCEPTION = "System.Management.Automation.ParameterBindingValidationException"
ARGUMENT_TRANSFORMATION_EXCEPTION = (
    "System.Management.Automation.ParameterBindingArgumentTransformationException"
)
CIM_JOB_EXCEPTION = "Microsoft.PowerShell.Cmdletization.Cim.CimJobException"
CIM_EXCEPTION = "Microsoft.Management.Infrastructure.CimException"


def command_not_found(name: str) -> ErrorRec:
    return ErrorRec(
        message=(
            f"The term '{name}' is not recognized as the name of a cmdlet, function, script file, or operable "
            "program. Check the spelling of the name, or if a path was included, verify that the path is correct "
            "and try again."
        ),
        fqid="CommandNotFoundException",
        category="ObjectNotFound",
        exception_type="System.Management.Automation.CommandNotFoundException",
        target_name=name,
        target_type="String",
        target=name,
    )


def script_refused() -> ErrorRec:
    # The lab only runs structured commands (architecture rule 1); real Windows would run the script.
    return ErrorRec(
        message="The lab accepts only commands with parameters, not script text (hvconsole architecture rule 1).",
        fqid="ScriptsNotSupportedInLab",
        category="PermissionDenied",
        exception_type="System.Management.Automation.PSNotSupportedException",
    )


def _binding(
    message: str,
    error_id: str,
    suffix: str,
    activity: str,
    category: str = "InvalidArgument",
    exception_type: str = BINDING_EXCEPTION,
    target: Any = None,
) -> ErrorRec:
    return ErrorRec(
        message=message,
        fqid=f"{error_id},{suffix}",
        category=category,
        exception_type=exception_type,
        activity=activity,
        target=target,
    )


def named_parameter_not_found(name: str, suffix: str, activity: str) -> ErrorRec:
    return _binding(
        f"A parameter cannot be found that matches parameter name '{name}'.",
        "NamedParameterNotFound",
        suffix,
        activity,
    )


def ambiguous_parameter(name: str, matches: list[str], suffix: str, activity: str) -> ErrorRec:
    listed = " ".join(f"-{m}" for m in matches)
    return _binding(
        f"Parameter cannot be processed because the parameter name '{name}' is ambiguous. Possible matches "
        f"include: {listed}.",
        "AmbiguousParameter",
        suffix,
        activity,
    )


def parameter_already_bound(name: str, suffix: str, activity: str) -> ErrorRec:
    return _binding(
        f"Cannot bind parameter because parameter '{name}' is specified more than once. To provide multiple "
        'values to parameters that can accept multiple values, use the array syntax. For example, "-parameter '
        'value1,value2,value3".',
        "ParameterAlreadyBound",
        suffix,
        activity,
    )


def positional_not_found(value: Any, suffix: str, activity: str) -> ErrorRec:
    return _binding(
        f"A positional parameter cannot be found that accepts argument '{render_value(value)}'.",
        "PositionalParameterNotFound",
        suffix,
        activity,
    )


def missing_argument(name: str, type_name: str, suffix: str, activity: str) -> ErrorRec:
    return _binding(
        f"Missing an argument for parameter '{name}'. Specify a parameter of type '{type_name}' and try again.",
        "MissingArgument",
        suffix,
        activity,
    )


def cannot_convert(name: str, inner: str, transformation: bool, suffix: str, activity: str) -> ErrorRec:
    if transformation:
        return _binding(
            f"Cannot process argument transformation on parameter '{name}'. {inner}",
            "ParameterArgumentTransformationError",
            suffix,
            activity,
            exception_type=ARGUMENT_TRANSFORMATION_EXCEPTION,
        )
    return _binding(
        f"Cannot bind parameter '{name}'. {inner}", "CannotConvertArgumentNoMessage", suffix, activity
    )


def validate_set_failed(
    name: str, value: Any, allowed: tuple[str, ...], suffix: str, activity: str
) -> ErrorRec:
    return _binding(
        f"Cannot validate argument on parameter '{name}'. The argument \"{render_value(value)}\" does not belong "
        f'to the set "{",".join(allowed)}" specified by the ValidateSet attribute. Supply an argument that is '
        "in the set and then try the command again.",
        "ParameterArgumentValidationError",
        suffix,
        activity,
        category="InvalidData",
        exception_type=VALIDATION_EXCEPTION,
    )


def missing_mandatory(names: list[str], suffix: str, activity: str) -> ErrorRec:
    return _binding(
        f"Cannot process command because of one or more missing mandatory parameters: {' '.join(names)}.",
        "MissingMandatoryParameter",
        suffix,
        activity,
    )


def ambiguous_parameter_set(suffix: str, activity: str) -> ErrorRec:
    return _binding(
        "Parameter set cannot be resolved using the specified named parameters.",
        "AmbiguousParameterSet",
        suffix,
        activity,
    )


def input_not_bound(obj: Any, suffix: str, activity: str) -> ErrorRec:
    return _binding(
        "The input object cannot be bound to any parameters for the command either because the command does not "
        "take pipeline input or the input and its properties do not match any of the parameters that take "
        "pipeline input.",
        "InputObjectNotBound",
        suffix,
        activity,
        target=obj,
    )


def cim_not_found(cim_class: str, prop: str, value: Any, command: str) -> ErrorRec:
    """Reference §0.2: key parameter with no match (note the two spaces before "Verify")."""
    text = render_value(value)
    return ErrorRec(
        message=(
            f"No {cim_class} objects found with property '{prop}' equal to '{text}'.  Verify the value of the "
            "property and retry."
        ),
        fqid=f"CmdletizationQuery_NotFound_{prop},{command}",
        category="ObjectNotFound",
        exception_type=CIM_JOB_EXCEPTION,
        activity=command,
        reason="CimJobException",
        target_name=text,
        target_type=type(value).__name__ if not isinstance(value, str) else "String",
        target=value,
    )


def action_preference_stop(message: str, preference: str, suffix: str, activity: str) -> ErrorRec:
    return ErrorRec(
        message=(
            f'The running command stopped because the preference variable "{preference}" or common parameter is '
            f"set to Stop: {message}"
        ),
        fqid=f"ActionPreferenceStop,{suffix}",
        category="OperationStopped",
        exception_type="System.Management.Automation.ActionPreferenceStopException",
        activity=activity,
    )


def cannot_prompt(message: str, suffix: str, activity: str) -> ErrorRec:
    # inferred: a remote pipeline without an interactive host cannot ask for confirmation
    return ErrorRec(
        message=(
            "A command that prompts the user failed because the host program or the command type does not support "
            "user interaction. The host was attempting to request confirmation with the following message: "
            f"{message}"
        ),
        fqid=f"HostException,{suffix}",
        category="NotImplemented",
        exception_type="System.Management.Automation.Host.HostException",
        activity=activity,
    )
