"""ParseError as Python sees it: a ValueError whose message quotes the input and whose
.reason and .input say what failed. The binding builds the message of a str or bytes input
only when something reads the exception (str, repr, args, reason, input, __dict__,
pickling); these tests read it in every order and check that nothing differs from an
exception built eagerly, and that raising many of them leaks nothing."""
import copy
import gc
import os
import pickle
import traceback
import weakref

import pytest

import smtpcodes
from conftest import memory_growth
from smtpcodes import ParseError

NO_CODE = "no reply code or enhanced status code found in the text: "
SYNTAX = "not an SMTP reply code, enhanced status code or reply: "
RANGE = "digits outside the ranges SMTP allows: "


def raised(fn: object, *args: object, **kwargs: object) -> ParseError:
    with pytest.raises(ParseError) as info:
        fn(*args, **kwargs)  # type: ignore[operator]
    return info.value


# The message, reason and input of each way in, and reading them in several orders.
CASES = [
    (smtpcodes.parse, "hello there", NO_CODE + "'hello there'", "no-code"),
    (smtpcodes.parse, "", "empty input: ''", "empty"),
    (smtpcodes.parse, "   ", "empty input: '   '", "empty"),
    (smtpcodes.parse, b"\xff\xfe", NO_CODE + "b'\\xff\\xfe'", "no-code"),
    (smtpcodes.parse, "a\0b", NO_CODE + "'a\\x00b'", "no-code"),
    (smtpcodes.parse, "\udcff bad", NO_CODE + "'\\udcff bad'", "no-code"),
    (smtpcodes.parse, "it's \"q\"", NO_CODE + "'it\\'s \"q\"'", "no-code"),
    (smtpcodes.parse, bytearray(b"zz"), NO_CODE + "bytearray(b'zz')", "no-code"),
    (smtpcodes.lookup, "abc", SYNTAX + "'abc'", "syntax"),
    (smtpcodes.lookup, 1000, RANGE + "1000", "range"),
    (smtpcodes.lookup, "6.1.1", RANGE + "'6.1.1'", "range"),
    (smtpcodes.explain, "just some words", NO_CODE + "'just some words'", "no-code"),
    (smtpcodes.classify, b"  ", "empty input: b'  '", "empty"),
]
ORDERS = ["str", "repr", "args", "reason", "input", "dict", "pickle"]


def read(e: ParseError, what: str) -> object:
    if what == "str":
        return str(e)
    if what == "repr":
        return repr(e)
    if what == "args":
        return e.args
    if what == "reason":
        return e.reason
    if what == "input":
        return e.input
    if what == "dict":
        return dict(e.__dict__)
    return pickle.loads(pickle.dumps(e)).args


@pytest.mark.parametrize("fn,x,msg,reason", CASES)
@pytest.mark.parametrize("first", ORDERS)
def test_message_args_reason_input(fn: object, x: object, msg: str, reason: str, first: str) -> None:
    e = raised(fn, x)
    read(e, first)
    assert str(e) == msg
    assert e.args == (msg,)
    assert repr(e) == f"ParseError({msg!r})"
    assert e.reason == reason
    assert e.input is x
    assert list(e.__dict__.items()) == [("reason", reason), ("input", x)]
    assert isinstance(e, ValueError)
    assert "".join(traceback.format_exception_only(type(e), e)) == f"smtpcodes.ParseError: {msg}\n"


@pytest.mark.parametrize("fn,x,msg,reason", CASES)
def test_pickle_and_copy_round_trip(fn: object, x: object, msg: str, reason: str) -> None:
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        e = raised(fn, x)
        assert e.__reduce__() == (ParseError, (msg,), {"reason": reason, "input": x})
        back = pickle.loads(pickle.dumps(e, protocol=proto))
        assert type(back) is ParseError
        assert (back.args, str(back), repr(back), back.reason, back.input) == ((msg,), msg, repr(e), reason, x)
        assert back.__dict__ == {"reason": reason, "input": x}
    for dup in (copy.copy(raised(fn, x)), copy.deepcopy(raised(fn, x))):
        assert (dup.args, dup.reason, dup.input) == ((msg,), reason, x)
    assert pickle.loads(pickle.dumps(ParseError)) is ParseError


def test_huge_input_is_cut_in_the_message() -> None:
    for x in ("x" * 1_000_000, b"y" * 1_000_000, "é" * 100_000):
        e = raised(smtpcodes.parse, x)
        msg = str(e)
        assert msg == NO_CODE + repr(x)[:60] + "..."
        assert e.args == (msg,)
        assert e.input is x
        assert len(pickle.dumps(e)) > len(x)  # the input travels whole


def test_message_quotes_the_input_as_it_was_at_the_raise() -> None:
    buf = bytearray(b"nope")
    e = raised(smtpcodes.parse, buf)
    buf[:] = b"changed"
    assert str(e) == NO_CODE + "bytearray(b'nope')"

    calls = []

    class Loud(str):
        def __repr__(self) -> str:
            calls.append(1)
            return "Loud!"

    e = raised(smtpcodes.parse, Loud("nope"))
    assert calls == [1]  # at the raise, not later
    assert str(e) == NO_CODE + "Loud!" and type(e.input) is Loud and calls == [1]

    e = raised(smtpcodes.parse, "nope")
    e.input = "other"
    assert str(e) == NO_CODE + "'nope'" and e.input == "other"


def test_assignments_before_the_message_is_read() -> None:
    e = raised(smtpcodes.parse, "nope")
    e.args = ("changed",)
    assert (str(e), repr(e), e.args, e.reason, e.input) == ("changed", "ParseError('changed')", ("changed",),
                                                            "no-code", "nope")
    e = raised(smtpcodes.parse, "nope")
    e.reason = "mine"
    assert (str(e), e.reason) == (NO_CODE + "'nope'", "mine")
    e = raised(smtpcodes.parse, "nope")
    del e.reason
    assert not hasattr(e, "reason") and e.__dict__ == {"input": "nope"}
    with pytest.raises(AttributeError, match="'ParseError' object has no attribute 'reason'"):
        del e.reason
    e = raised(smtpcodes.parse, "nope")
    e.add_note("note")
    e.extra = 5  # type: ignore[attr-defined]
    assert list(e.__dict__) == ["reason", "input", "__notes__", "extra"]
    back = pickle.loads(pickle.dumps(e))
    assert (back.__notes__, back.extra, back.reason, str(back)) == (["note"], 5, "no-code", NO_CODE + "'nope'")
    e = raised(smtpcodes.parse, "nope")
    e.__init__("again")  # type: ignore[misc]
    assert (e.args, e.reason, e.input) == (("again",), "no-code", "nope")
    e = raised(smtpcodes.parse, "nope")
    with pytest.raises(TypeError):
        del e.args
    e.__dict__ = {"a": 1}
    assert (e.__dict__, str(e)) == ({"a": 1}, NO_CODE + "'nope'")


def test_made_in_python_is_an_ordinary_exception() -> None:
    e = ParseError("mine")
    assert (str(e), repr(e), e.args, e.__reduce__()) == ("mine", "ParseError('mine')", ("mine",),
                                                         (ParseError, ("mine",)))
    with pytest.raises(AttributeError, match="'ParseError' object has no attribute 'reason'"):
        e.reason
    with pytest.raises(AttributeError, match="'ParseError' object has no attribute 'input'"):
        e.input
    e.reason = "r"
    assert e.__reduce__() == (ParseError, ("mine",), {"reason": "r"})
    assert (str(ParseError()), ParseError().args, ParseError(1, 2).args, str(ParseError(1, 2))) == ("", (), (1, 2),
                                                                                                 "(1, 2)")
    # a lookalike of the private pending args is just args
    assert ParseError(ParseError, "x", -3).args == (ParseError, "x", -3)


class Sub(ParseError):
    def __str__(self) -> str:
        return "sub: " + super().__str__()


class WithOSError(ParseError, OSError):  # not a layout of its own: combines as a Python class did
    pass


class _PlainValueError(ValueError):
    pass


class OSErrorLast(_PlainValueError, OSError):  # what the bases after ParseError give
    pass


def test_subclasses_and_type() -> None:
    s = Sub("m")
    s.reason = "q"
    assert (str(s), repr(s), s.reason) == ("sub: m", "Sub('m')", "q")
    back = pickle.loads(pickle.dumps(s))
    assert (type(back), back.args, back.reason) == (Sub, ("m",), "q")
    w = WithOSError(2, "x")
    assert isinstance(w, OSError) and isinstance(w, ValueError) and w.args == (2, "x")
    # the bases after ParseError answer, as they did for the Python class
    assert (str(w), repr(w), w.__reduce__()) == (str(OSErrorLast(2, "x")), "WithOSError(2, 'x')",
                                                 (WithOSError, (2, "x")))
    w.reason = "r"
    assert (w.reason, pickle.loads(pickle.dumps(w)).reason) == ("r", "r")
    assert ParseError.__mro__[1:] == ValueError.__mro__
    assert (ParseError.__module__, ParseError.__qualname__) == ("smtpcodes", "ParseError")
    assert ParseError.__doc__ and ParseError.__doc__.startswith("Malformed input")
    with pytest.raises(ValueError):
        smtpcodes.parse("nope")


def test_weak_references_and_cycles() -> None:
    e = raised(smtpcodes.parse, "nope")
    w = weakref.ref(e)
    assert w() is e and e.__weakref__ is w
    e.me = e  # type: ignore[attr-defined]
    del e
    gc.collect()
    assert w() is None
    e = raised(smtpcodes.parse, b"nope")
    w = weakref.ref(e)
    del e
    gc.collect()  # the traceback keeps a frame of raised() that holds it
    assert w() is None


def test_context_and_cause() -> None:
    with pytest.raises(KeyError) as info:
        try:
            smtpcodes.parse("nope")
        except ParseError as e:
            raise KeyError("k") from e
    assert str(info.value.__cause__) == NO_CODE + "'nope'"
    with pytest.raises(ParseError) as pinfo:
        try:
            raise KeyError("z")
        except KeyError:
            smtpcodes.parse("nope")
    assert repr(pinfo.value.__context__) == "KeyError('z')"


def test_classify_many_error_is_the_message() -> None:
    lines: list[str | bytes] = ["   ", b"", "\n"]
    for line, c in zip(lines, smtpcodes.classify_many(lines)):
        assert c.error == str(raised(smtpcodes.classify, line)) and c.error.startswith("empty input: ")


_INPUTS: list[object] = ["hello there", b"no code here", "", bytearray(b"zz"), "x" * 500, "6.1.1"]


def _raise_unread() -> None:
    for x in _INPUTS:
        try:
            smtpcodes.parse(x)  # type: ignore[arg-type]
        except ParseError:
            pass
    try:
        smtpcodes.lookup("abc")
    except ParseError:
        pass


def _raise_and_read() -> None:
    for x in _INPUTS[:3]:
        try:
            smtpcodes.parse(x)  # type: ignore[arg-type]
        except ParseError as e:
            str(e), e.reason, e.input, e.args
            pickle.loads(pickle.dumps(e))
            e.add_note("n")


def test_no_memory_growth_over_100k_raises() -> None:
    # memory_growth runs fn 3n times: 7 raises a run, n = 5000 gives 105,000
    n = int(os.environ.get("SMTPCODES_LEAK_ITERATIONS", "20000")) // 4
    grown = memory_growth(_raise_unread, n)
    assert grown < 16 * 1024, f"{grown} bytes after {7 * n} raises"
    grown = memory_growth(_raise_and_read, n // 5)
    assert grown < 16 * 1024, f"{grown} bytes after {3 * n // 5} raises read"
