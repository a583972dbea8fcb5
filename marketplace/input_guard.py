"""Refuse unusable input before any view sees it, in one place for pages and API.

Control characters (NUL above all: PostgreSQL cannot store it in text and answers with an
error) and lone UTF-16 surrogates are refused in every query argument, form field and JSON
string, keys included; line breaks and tabs are allowed in submitted text only. JSON bodies
are parsed strictly: no ``NaN``/``Infinity``, no number that overflows to infinity, and a
body nested too deeply for the parser is a 400, not a crash.
"""

import json
import re

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider

from marketplace.errors import InvalidInput

CONTROL_MESSAGE = "输入中含有不允许的控制字符，请删除后重试。"
# Anything below space except tab, newline and carriage return; DEL; lone surrogates.
_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Names, query arguments and single-line values: no line breaks either.
_IN_LINE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
MAX_JSON_DEPTH = 32


def has_control(text: str, *, multiline: bool = True) -> bool:
    """Tell whether ``text`` holds a character no field of this product accepts."""
    return bool((_IN_TEXT if multiline else _IN_LINE).search(text))


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return number


def _depth(value, limit: int) -> int:
    """Return how deeply ``value`` nests, stopping past ``limit``."""
    stack, deepest = [(value, 1)], 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            break
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return deepest


def _nests_deeper_than(raw, limit: int) -> bool:
    """Tell, without parsing, whether JSON text nests arrays/objects deeper than ``limit``.

    Checked before ``json.loads`` so that hostile nesting never reaches the C decoder's
    recursion: on CPython 3.11.7 a RecursionError raised there leaves the interpreter's
    recursion counter off, and a later ``ast``/``compile`` call fails.
    """
    text = raw.decode("latin-1") if isinstance(raw, bytes | bytearray) else raw
    if text.count("[") + text.count("{") <= limit:
        return False
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, reading strictly (see the module docstring)."""

    ensure_ascii = False  # the API speaks Chinese: send it as UTF-8, not \\uXXXX

    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_constant", _refuse_constant)
        kwargs.setdefault("parse_float", _finite_float)
        if _nests_deeper_than(s, MAX_JSON_DEPTH):
            raise ValueError("JSON nested too deeply")
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        if _depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise ValueError("JSON nested too deeply")
        return value


def _strings(value):
    """Yield every string in a parsed JSON value, keys included."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


# Multipart overhead allowed above the largest attachment (boundaries, field headers).
UPLOAD_OVERHEAD = 64 * 1024


def accepts_upload(view):
    """Mark a view that takes one attachment: its body may be that large (else 413)."""
    view.accepts_upload = True
    return view


def _allow_upload_size(endpoint: str | None, values) -> None:
    """Raise this request's body limit to one attachment where the view takes uploads.

    The app-wide ``MAX_CONTENT_LENGTH`` stays small for every other form. This runs as a
    URL value preprocessor, before every ``before_request`` (CSRF reads the form), so a
    larger upload is answered 413.
    """
    view = current_app.view_functions.get(endpoint or "")
    if getattr(view, "accepts_upload", False):
        limit = current_app.config["ATTACHMENT_MAX_BYTES"] + UPLOAD_OVERHEAD
        request.max_content_length = limit


def check_request_input() -> None:
    """Refuse the request (400) when any of its input holds a control character."""
    for key, value in request.args.items(multi=True):
        if has_control(key, multiline=False) or has_control(value, multiline=False):
            raise InvalidInput(CONTROL_MESSAGE, field=key)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    for key, value in request.form.items(multi=True):
        if has_control(key, multiline=False) or has_control(value):
            raise InvalidInput(CONTROL_MESSAGE, field=key)
    if request.is_json:
        body = request.get_json(silent=True)  # cached; a broken body is refused by the view
        if any(has_control(text) for text in _strings(body)):
            raise InvalidInput(CONTROL_MESSAGE)


def init_input_guard(app: Flask) -> None:
    """Install the strict JSON reader, the upload size and the control-character check."""
    app.json = StrictJSONProvider(app)
    app.url_value_preprocessor(_allow_upload_size)
    app.before_request(check_request_input)
