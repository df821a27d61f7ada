"""Frozen value classes, without the dataclasses module.

``dataclasses`` imports ``inspect`` (and with it ``ast``, ``dis``, ``tokenize``…), then
generates each class's methods: together 14 of the ~48 ms a cached ``papertrack today``
took (measured with benchmarks/run.py). papertrack's value objects need only what this
gives: an ``__init__`` taking the fields in order with their defaults, ``__repr__``,
``__eq__``, ``__hash__``, ``__slots__``, immutability, pickling and :func:`replace`. Type checkers
read ``@record`` as a frozen dataclass (PEP 681).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: object) -> Callable[[Any], Any]:
        return lambda function: function


T = TypeVar("T")
_FIELDS = "__record_fields__"
_DEFAULTS = "__record_defaults__"


class FrozenInstanceError(AttributeError):
    pass


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], T]) -> T:
    """A default made fresh for each instance (a list, a dict)."""
    # A field specifier (PEP 681) is typed as returning the field's own type so that
    # `x: list[int] = field(...)` checks; what it returns is a marker @record replaces.
    return _Factory(default_factory)  # type: ignore[return-value]


def _frozen_setattr(self: object, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[T]) -> type[T]:
    """Make *cls* (annotated fields, optional defaults) a frozen value class with slots.

    Frozen, flat, no inheritance: a record may subclass a plain class (for its methods) but
    not another record, whose fields it would silently drop; and it has no
    ``__post_init__`` (nothing would call it). Both are refused with TypeError.
    """
    parents = [base.__name__ for base in cls.__mro__[1:] if _FIELDS in base.__dict__]
    if parents:
        raise TypeError(
            f"@record {cls.__name__} inherits from the record {parents[0]}: records are "
            "flat; repeat the fields or hold the other record in a field"
        )
    if "__post_init__" in cls.__dict__:
        raise TypeError(
            f"@record {cls.__name__} defines __post_init__, which @record never calls; "
            "check values in a function that builds the record"
        )
    # Own annotations only (not a base class's); inspect.get_annotations would import inspect,
    # the module this one exists to avoid. Python 3.14 may keep them behind __annotate__.
    own = cls.__dict__.get("__annotations__")  # noqa: RUF063
    if own is None:
        own = cls.__annotations__ if "__annotate__" in cls.__dict__ else {}
    names = [n for n in own if not n.startswith("_")]
    defaults = {n: cls.__dict__[n] for n in names if n in cls.__dict__}
    namespace: dict[str, Any] = {"_set": object.__setattr__}
    parameters: list[str] = []
    body: list[str] = []
    for name in names:
        default = defaults.get(name)
        if name in defaults:
            namespace[f"_d_{name}"] = default
            parameters.append(f"{name}=_d_{name}")
        else:
            parameters.append(name)
        if isinstance(default, _Factory):
            body.append(
                f"_set(self, {name!r}, _d_{name}.make() if {name} is _d_{name} else {name})"
            )
        else:
            body.append(f"_set(self, {name!r}, {name})")
    source = f"def __init__(self, {', '.join(parameters)}):\n    " + "\n    ".join(body or ["pass"])
    exec(source, namespace)

    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{type(self).__name__}({shown})"

    def values(self: Any) -> tuple[Any, ...]:
        return tuple(getattr(self, n) for n in names)

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return values(self) == values(other)

    def __hash__(self: Any) -> int:
        return hash(values(self))

    def __reduce__(self: Any) -> tuple[Any, tuple[Any, ...]]:
        # Default slot-state restore goes through __setattr__, which a frozen class refuses.
        return type(self), values(self)

    members = {
        key: value
        for key, value in cls.__dict__.items()
        if key not in names and key not in ("__dict__", "__weakref__")
    }
    members.update(
        __slots__=tuple(names),
        __init__=namespace["__init__"],
        __repr__=__repr__,
        __eq__=__eq__,
        __hash__=__hash__,
        __reduce__=__reduce__,
        __setattr__=_frozen_setattr,
        __delattr__=_frozen_delattr,
        __match_args__=tuple(names),
    )
    members[_FIELDS] = tuple(names)
    members[_DEFAULTS] = defaults
    made = type(cls.__name__, cls.__bases__, members)
    made.__qualname__ = cls.__qualname__
    made.__module__ = cls.__module__
    return made


def fields(cls: type[Any]) -> tuple[str, ...]:
    """The field names of a record class, in order."""
    names: tuple[str, ...] = getattr(cls, _FIELDS)
    return names


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of *obj* with some fields changed."""
    names: tuple[str, ...] = getattr(type(obj), _FIELDS)
    unknown = set(changes) - set(names)
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field {sorted(unknown)[0]!r}")
    return type(obj)(**{n: changes[n] if n in changes else getattr(obj, n) for n in names})


Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]
"""How a field's type goes to JSON and back: (encode, decode), each given a value not None."""


def dict_codec(
    cls: type[T],
    codecs: Mapping[str, Codec],
    *,
    computed: Mapping[str, str | None] = {},
) -> tuple[Callable[[T], dict[str, Any]], Callable[[Mapping[str, Any]], T]]:
    """``to_dict`` and ``from_dict`` for a record class, generated from its field list, so a
    new field cannot be forgotten in one of them.

    *codecs* maps a field's type (the first name of its annotation: ``datetime`` for
    ``datetime | None``, ``tuple`` for ``tuple[str, ...]``) to its JSON form; other values
    go as they are. *computed* adds read-only attributes to the dict, each after the field
    it names (None: at the end); ``from_dict`` ignores them. A missing or null value, or an
    empty list for a tuple, reads back as the field's default; a field without one is
    required (KeyError).
    """
    names = fields(cls)
    annotations = _annotations(cls)
    defaults: dict[str, Any] = getattr(cls, _DEFAULTS)
    by_type = {kind: encode for kind, (encode, _) in codecs.items()}

    def plain(value: Any) -> Any:
        # A computed attribute has no annotation to go by: its value's type says.
        encode = by_type.get(type(value).__name__)
        return value if value is None or encode is None else encode(value)

    namespace: dict[str, Any] = {"_cls": cls, "_plain": plain}
    order: list[str] = []
    for name in names:
        order.append(name)
        order.extend(c for c, after in computed.items() if after == name)
    order.extend(c for c, after in computed.items() if after is None)
    encoded: list[str] = []
    reads: list[str] = []
    arguments: list[str] = []
    for name in order:
        if name not in names:
            encoded.append(f"{name!r}: _plain(self.{name})")
            continue
        kind = re.split(r"[\[ |]", annotations[name].strip(), maxsplit=1)[0]
        codec = codecs.get(kind)
        value = f"self.{name}"
        if codec is not None:
            namespace[f"_e_{name}"], namespace[f"_r_{name}"] = codec
            value = f"(_e_{name}({value}) if {value} is not None else None)"
        encoded.append(f"{name!r}: {value}")
        arguments.append(f"{name}=f_{name}")
        decode = f"_r_{name}(v)" if codec else "v"
        if name not in defaults:
            reads.append(f"v = data[{name!r}]; f_{name} = {decode}")
            continue
        namespace[f"_d_{name}"] = defaults[name]
        fallback = f"_d_{name}.make()" if isinstance(defaults[name], _Factory) else f"_d_{name}"
        # An empty list reads as a tuple's default too: ("hf",) for a paper's sources.
        missing = "not v" if kind == "tuple" else "v is None"
        reads.append(f"v = get({name!r}); f_{name} = {fallback} if {missing} else {decode}")
    source = (
        "def to_dict(self):\n    return {" + ", ".join(encoded) + "}\n"
        "def from_dict(data):\n    get = data.get\n    "
        + "\n    ".join(reads)
        + "\n    return _cls("
        + ", ".join(arguments)
        + ")\n"
    )
    exec(source, namespace)
    return namespace["to_dict"], namespace["from_dict"]


def _annotations(cls: type[Any]) -> dict[str, str]:
    own = cls.__dict__.get("__annotations__")  # noqa: RUF063
    if own is None:
        own = cls.__annotations__
    return {name: str(value) for name, value in own.items()}
