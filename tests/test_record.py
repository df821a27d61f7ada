"""The @record value classes behave like frozen dataclasses where papertrack relies on it."""

from __future__ import annotations

import copy
import pickle

import pytest

from papertrack.record import FrozenInstanceError, field, record, replace


@record
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)

    def norm(self) -> int:
        return abs(self.x) + abs(self.y)


@record
class Other:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)


def test_init_positional_keyword_and_defaults() -> None:
    assert Point(1, 2).y == 2
    assert Point(x=3).y == 0
    assert Point(1, y=5).norm() == 6
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, z=2)  # type: ignore[call-arg]


def test_factory_default_is_fresh_per_instance() -> None:
    a, b = Point(1), Point(2)
    a.tags.append("x")
    assert b.tags == []
    given: list[str] = ["kept"]
    assert Point(1, tags=given).tags is given


def test_equality_and_hash_by_value_and_class() -> None:
    assert Point(1, 2) == Point(1, 2)
    assert Point(1, 2) != Point(2, 1)
    assert Point(1, 2) != Other(1, 2)  # type: ignore[comparison-overlap]
    assert hash(Other(1, 2, ())) == hash(Other(1, 2, ()))  # type: ignore[arg-type]
    assert len({Other(1, 2, ()), Other(1, 2, ()), Other(2, 1, ())}) == 2  # type: ignore[arg-type]


def test_frozen_and_slotted() -> None:
    p = Point(1)
    with pytest.raises(FrozenInstanceError):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del p.x
    with pytest.raises((AttributeError, TypeError)):
        p.z = 1  # type: ignore[attr-defined]
    assert not hasattr(p, "__dict__")
    assert isinstance(FrozenInstanceError("x"), AttributeError)


def test_repr_names_every_field() -> None:
    assert repr(Point(1, 2)) == "Point(x=1, y=2, tags=[])"


def test_replace_changes_only_named_fields() -> None:
    p = Point(1, 2, ["t"])
    q = replace(p, y=7)
    assert q == Point(1, 7, ["t"]) and p.y == 2
    with pytest.raises(TypeError, match="no field 'nope'"):
        replace(p, nope=1)


def test_match_args_and_class_identity() -> None:
    match Point(4, 5):
        case Point(x, y):
            assert (x, y) == (4, 5)
    assert Point.__name__ == "Point" and Point.__module__ == __name__
    assert Point.__qualname__ == "Point"


def test_papertrack_values_pickle_and_compare() -> None:
    from papertrack.models import Paper

    paper = Paper(id="2401.00001", title="t", authors=("A",))
    assert pickle.loads(pickle.dumps(paper)) == paper
    assert copy.deepcopy(paper) == paper and copy.copy(paper) == paper
    assert replace(paper, title="u").title == "u"


def test_a_record_cannot_inherit_another_record_or_define_post_init() -> None:
    with pytest.raises(TypeError, match="inherits from the record Point"):

        @record
        class Point3(Point):
            z: int = 0

    with pytest.raises(TypeError, match="__post_init__"):

        @record
        class Checked:
            x: int

            def __post_init__(self) -> None:
                pass

    class Plain:
        def shout(self) -> str:
            return "hi"

    @record
    class WithMethods(Plain):
        x: int

    assert WithMethods(1).shout() == "hi"


def test_dict_codec_round_trips_every_field_and_fills_defaults() -> None:
    from datetime import date

    from papertrack.record import dict_codec

    @record
    class Dated:
        name: str
        when: date | None = None
        tags: tuple[str, ...] = ("x",)
        notes: list[str] = field(default_factory=list)

        @property
        def shout(self) -> str:
            return self.name.upper()

        @property
        def later(self) -> date | None:
            return self.when.replace(year=2027) if self.when else None

    to_dict, from_dict = dict_codec(
        Dated,
        {"date": (date.isoformat, date.fromisoformat), "tuple": (list, tuple)},
        computed={"shout": "name", "later": None},
    )
    value = Dated("a", date(2026, 12, 2), ("p", "q"), ["n"])
    assert to_dict(value) == {
        "name": "a",
        "shout": "A",
        "when": "2026-12-02",
        "tags": ["p", "q"],
        "notes": ["n"],
        "later": "2027-12-02",
    }
    assert from_dict(to_dict(value)) == value
    bare = from_dict({"name": "b", "tags": [], "when": None})
    assert bare == Dated("b") and bare.notes is not from_dict({"name": "c"}).notes
    with pytest.raises(KeyError):
        from_dict({"when": "2026-12-02"})
