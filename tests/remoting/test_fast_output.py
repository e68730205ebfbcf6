"""The fast output reader gives exactly what pypsrp's own deserializer gives, on output the lab writes
(generated with hypothesis), and falls back to pypsrp for shapes it does not read itself."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pypsrp.complex_objects import GenericComplexObject
from pypsrp.serializer import Serializer

from hvconsole.lab.endpoint.clixml import serialize
from hvconsole.lab.protocol import I64, U16, U32, U64, Char, PSEnum, PSObj
from hvconsole.remoting.fast_output import FastOutputSerializer


def canon(value: Any) -> Any:
    """A comparable form of what a deserializer returned."""
    if isinstance(value, GenericComplexObject):
        return (
            "obj",
            tuple(value.types),
            value.to_string,
            tuple((k, canon(v)) for k, v in value.adapted_properties.items()),
            tuple((k, canon(v)) for k, v in value.extended_properties.items()),
            tuple(canon(v) for v in value.property_sets),
        )
    if isinstance(value, list):
        return ("list", tuple(canon(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((repr(canon(k)), repr(canon(v))) for k, v in value.items())))
    return (type(value).__name__, value)


def outcome(serializer: Serializer, xml: str) -> Any:
    """What reading ``xml`` gives — or the error it raises (pypsrp itself fails on some nested shapes, e.g. a
    hashtable inside an array inside an array; the fast reader must then fail the same way)."""
    try:
        return canon(serializer.deserialize(xml))
    except Exception as error:
        return ("raised", type(error).__name__)


def both(xml: str) -> tuple[Any, Any]:
    return outcome(Serializer(), xml), outcome(FastOutputSerializer(), xml)


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    text,
    st.integers(-(2**31), 2**31 - 1),
    st.integers(0, 2**64 - 1).map(U64),
    st.integers(0, 2**16 - 1).map(U16),
    st.integers(0, 2**32 - 1).map(U32),
    st.integers(-(2**63), 2**63 - 1).map(I64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.characters(blacklist_categories=("Cs",)).map(Char),
    st.datetimes(timezones=st.just(datetime.UTC)),
    st.timedeltas(min_value=datetime.timedelta(0), max_value=datetime.timedelta(days=400)),
    st.uuids(),
    st.builds(lambda v, n: PSEnum("Microsoft.HyperV.PowerShell.VMState", v, n), st.integers(0, 40000), text),
)


def objects(children: st.SearchStrategy[Any]) -> st.SearchStrategy[PSObj]:
    return st.builds(
        PSObj,
        st.sampled_from(
            [
                ("Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Storage/MSFT_Disk",),
                ("Microsoft.HyperV.PowerShell.VirtualMachine", "System.Object"),
                ("Selected.Microsoft.HyperV.PowerShell.VirtualMachine", "System.Management.Automation.PSCustomObject", "System.Object"),
            ]
        ),
        st.dictionaries(st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,8}", fullmatch=True), children, max_size=5),
        st.one_of(st.none(), text),
        st.booleans(),
    )


values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), objects(inner), st.dictionaries(text, inner, max_size=3)),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(objects(values), values))
def test_the_fast_reader_matches_pypsrp_on_lab_output(value: Any) -> None:
    xml = serialize(value).decode("utf-8")
    slow, fast = both(xml)
    assert fast == slow


def test_a_vm_row_with_shared_type_names_and_enums() -> None:
    vm = PSObj(
        ("Microsoft.HyperV.PowerShell.VirtualMachine", "System.Object"),
        {
            "Name": "VM1",
            "State": PSEnum("Microsoft.HyperV.PowerShell.VMState", 2, "Running"),
            "MemoryAssigned": I64(2**31),
            "Uptime": datetime.timedelta(hours=5),
            "Id": uuid.uuid4(),
            "Paths": ["C:\\ClusterStorage\\Volume1", "x'; Remove-Item C:\\ #"],
        },
        to_string="VM1",
    )
    slow, fast = both(serialize([vm, vm]).decode("utf-8"))
    assert fast == slow and fast[0] == "list"


def test_shapes_it_does_not_read_fall_back_to_pypsrp() -> None:
    credential = (
        '<Obj RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCredential</T><T>System.Object</T></TN>'
        '<Props><S N="UserName">lab\\admin</S><Nil N="Password" /></Props></Obj>'
    )
    read = FastOutputSerializer().deserialize(credential)
    assert type(read).__name__ == "PSCredential" and read.username == "lab\\admin"
