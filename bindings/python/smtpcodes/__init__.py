"""smtpcodes: SMTP reply codes (RFC 5321) and enhanced status codes (RFC 3463) explained.

    >>> import smtpcodes
    >>> smtpcodes.lookup(550) == 550
    True
    >>> smtpcodes.parse("550 5.1.1 User unknown").status_code
    <Code 5.1.1 'Bad destination mailbox address'>

Everything is implemented by the C core (csrc/) through the extension module
smtpcodes._smtpcodes; this package re-exports it. See API.md for the contract.
"""
from ._smtpcodes import (
    DATA_VERSION,
    Code,
    Comparison,
    Explanation,
    ParseError,
    Reply,
    __version__,
    codes,
    compare,
    explain,
    is_valid_reply,
    languages,
    lookup,
    parse,
    replies_for,
    search,
    table,
)

# classify() and classify_many() join this list with the classification issue.
__all__ = [
    "DATA_VERSION",
    "Code",
    "Comparison",
    "Explanation",
    "ParseError",
    "Reply",
    "__version__",
    "codes",
    "compare",
    "explain",
    "is_valid_reply",
    "languages",
    "lookup",
    "parse",
    "replies_for",
    "search",
    "table",
]
