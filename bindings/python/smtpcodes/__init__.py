"""smtpcodes: SMTP reply codes (RFC 5321) and enhanced status codes (RFC 3463) explained.

    >>> import smtpcodes
    >>> smtpcodes.lookup(550) == 550
    True
    >>> smtpcodes.parse("550 5.1.1 User unknown").status_code
    <Code 5.1.1 'Bad destination mailbox address'>
    >>> smtpcodes.classify("452 4.2.2 Mailbox full")
    <Classification mailboxfull temporary soft>

`python -m smtpcodes` runs the command line (the same C code as the
`smtpcodes` binary).

Everything is implemented by the C core (csrc/) through the extension module
smtpcodes._smtpcodes; this package re-exports it. See API.md for the contract.
"""
from ._smtpcodes import (
    DATA_VERSION,
    Bounce,
    BounceRecipient,
    Classification,
    Code,
    Comparison,
    Explanation,
    LogRecord,
    ParseError,
    Reply,
    Tag,
    __version__,
    classify,
    classify_many,
    codes,
    compare,
    explain,
    is_valid_reply,
    languages,
    lookup,
    lookup_tag,
    parse,
    parse_bounce,
    parse_log,
    providers,
    reason_info,
    reasons,
    replies_for,
    search,
    table,
    tags,
)
from ._columns import Column, Columns, classify_columns

__all__ = [
    "Column",
    "Columns",
    "classify_columns",
    "DATA_VERSION",
    "Bounce",
    "BounceRecipient",
    "Classification",
    "Code",
    "Comparison",
    "Explanation",
    "LogRecord",
    "ParseError",
    "Reply",
    "Tag",
    "__version__",
    "classify",
    "classify_many",
    "codes",
    "compare",
    "explain",
    "is_valid_reply",
    "languages",
    "lookup",
    "lookup_tag",
    "parse",
    "parse_bounce",
    "parse_log",
    "providers",
    "reason_info",
    "reasons",
    "replies_for",
    "search",
    "table",
    "tags",
]


def _parse_bounce_lang(message: bytes, lang: str) -> Bounce:
    """Unpickle a Bounce: parse_bounce(message, lang=lang)."""
    return parse_bounce(message, lang=lang)
