"""Domain errors raised by services, and how pages and the API answer them."""

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from marketplace.logs import log_event

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A refused request: the message is shown to the user as is (Chinese)."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    status = 400


class NotAuthenticated(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The request clashes with the current state (illegal transition, over-claim)."""

    status = 409


class TooManyRequests(DomainError):
    status = 429


HTTP_MESSAGES = {
    400: "请求有误，请检查后重试。",
    401: "请先登录。",
    403: "您没有权限执行此操作。",
    404: "您访问的页面或记录不存在。",
    405: "不支持该请求方式。",
    409: "操作与当前状态冲突。",
    413: "提交的内容过大。",
    429: "尝试次数过多，请稍后再试。",
    500: "系统出现错误，请稍后再试。我们已记录此问题。",
}


def wants_json() -> bool:
    """Tell whether the caller is the JSON API rather than a browser page."""
    return request.path.startswith("/api/")


def _answer(status: int, message: str):
    if wants_json():
        return jsonify(error=message), status
    return render_template("error.html", status=status, message=message), status


def init_error_handlers(app: Flask) -> None:
    """Answer every error in the user's language, as a page or as JSON."""

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        from marketplace.extensions import db

        db.session.rollback()
        log_event(
            "request.refused",
            logging.WARNING if error.status in (401, 403, 429) else logging.INFO,
            status=error.status,
            error=type(error).__name__,
            field=error.field,
            reason=error.message,
        )
        if isinstance(error, Forbidden):
            from marketplace.services.audit import record_refusal

            record_refusal(error.message)
        if error.field and wants_json():
            return jsonify(error=error.message, field=error.field), error.status
        return _answer(error.status, error.message)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        from marketplace.extensions import db

        db.session.rollback()  # an abort() after a change must not leave it to be committed
        status = error.code or 500
        if status == 400 and getattr(error, "description", "").startswith("The CSRF"):
            return _answer(400, "表单已过期或缺少安全令牌（CSRF），请刷新页面后重试。")
        return _answer(status, HTTP_MESSAGES.get(status, error.name))

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        log_event("request.failed", logging.ERROR, error=type(error).__name__)
        from marketplace.extensions import db

        db.session.rollback()
        return _answer(500, HTTP_MESSAGES[500])
