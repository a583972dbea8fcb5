"""Personal API tokens: issue, look up, list, revoke; they die with the password.

Only a token's SHA-256 digest is stored. A token stops working when it is revoked (by
its owner on /account/tokens, by an administrator, or with ``flask users
revoke-token``), when it expires (``API_TOKEN_DAYS`` after issue), when its owner's
password changes and when the account is disabled.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from marketplace.database import writing
from marketplace.errors import Forbidden, NotFound
from marketplace.extensions import db
from marketplace.models import ApiToken, User
from marketplace.models._common import utcnow
from marketplace.services import audit
from marketplace.services.access import can_manage_token, valid_id
from marketplace.services.fields import ACCOUNT

LAST_USE_PRECISION = timedelta(minutes=1)  # record a use at most once a minute


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(user: User, label: str = "") -> str:
    """Create a personal API token and return it; only its digest is stored."""
    token = "mp_" + secrets.token_urlsafe(32)
    label = (label or "").strip()[: ACCOUNT["token_label"].max_length]
    days = current_app.config["API_TOKEN_DAYS"]
    expires_at = utcnow() + timedelta(days=days) if days else None
    db.session.add(
        ApiToken(user=user, token_digest=_digest(token), label=label, expires_at=expires_at)
    )
    audit.record("api_token.issued", actor=user, obj=user, detail=label[:100])
    db.session.commit()
    return token


def _aware(moment):
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def user_for_api_token(token: str) -> User | None:
    """Return the active user owning a live ``token`` (and note its use), or None."""
    if not token:
        return None
    now = utcnow()
    api_token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_digest == _digest(token),
            ApiToken.revoked_at.is_(None),
            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
        )
    )
    if api_token is None or not api_token.user.active:
        return None
    last_used = _aware(api_token.last_used_at)
    if last_used is None or now - last_used >= LAST_USE_PRECISION:
        token_id, user_id = api_token.id, api_token.user_id
        with writing():  # a GET through the API records the use in a short write
            db.session.execute(
                update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
            )
        return db.session.get(User, user_id)
    return api_token.user


def tokens_of(user: User) -> list[ApiToken]:
    """Return the user's tokens, newest first (live and dead, for the token page)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def is_live(token: ApiToken) -> bool:
    """Tell whether ``token`` still works (not revoked, not expired)."""
    expires = _aware(token.expires_at)
    return token.revoked_at is None and (expires is None or expires > utcnow())


def revoke_all(user: User, reason: str) -> int:
    """Revoke every live token of ``user`` (password change, disable); no commit."""
    revoked = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if revoked:
        audit.record("api_token.revoked", obj=user, detail=f"{reason}: {revoked}")
    return revoked


def revoke_token(actor: User | None, token_id: int) -> ApiToken:
    """Revoke one token: its owner or an administrator (None: the command line)."""
    token = db.session.get(ApiToken, token_id) if valid_id(token_id) else None
    if token is None:
        raise NotFound("令牌不存在。")
    if actor is not None and not can_manage_token(actor, token):
        raise Forbidden("只能吊销自己的令牌。")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token.revoked", actor=actor, obj=token.user, detail=f"#{token.id}")
    db.session.commit()
    return token
