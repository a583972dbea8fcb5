"""User accounts, roles and personal API tokens."""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._common import enum_check, utcnow
from marketplace.models.places import Community, Township, Unit

ROLES = {
    "community": "社区工作人员",
    "unit": "单位党组织书记",
    "reviewer": "组织部审核员",
    "admin": "系统管理员",
    "member": "在职党员",
    "township": "乡镇（街道）工作人员",
    "dispatcher": "志愿服务调度员",
}


def new_session_token() -> str:
    """Return a fresh random token that identifies a user's live sessions."""
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(enum_check("role", ROLES), name="role"),
        CheckConstraint(
            "role != 'community' OR community_id IS NOT NULL", name="community_role_bound"
        ),
        CheckConstraint("role != 'unit' OR unit_id IS NOT NULL", name="unit_role_bound"),
        CheckConstraint(
            "role != 'township' OR township_id IS NOT NULL", name="township_role_bound"
        ),
        # UNIT01 and unit01 are one login (services/accounts.normalise_username); the
        # database refuses the second spelling too, whatever wrote it.
        Index("uq_user_account_username_lower", text("lower(username)"), unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("township.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Flask-Login identifies sessions by this token, not the primary key, so rotating
    # it (logout, password change, disable) kills every captured session cookie.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    community: Mapped[Community | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    township: Mapped[Township | None] = relationship()

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def name(self) -> str:
        return self.display_name or self.username


class ApiToken(db.Model):
    """A personal API token; only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
