"""Rate-limit counters shared by every process: one row per throttled key."""

from sqlalchemy import CheckConstraint, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db


class ThrottleCounter(db.Model):
    """Attempts under one key (``login:…``, ``booking:…``) in its current window.

    Times are seconds since the epoch (floats compare the same on both databases).
    ``blocked_until`` is used by back-off throttles: no attempt is counted before it.
    """

    __tablename__ = "throttle_counter"
    __table_args__ = (CheckConstraint("count >= 0", name="count_not_negative"),)

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    window_started: Mapped[float] = mapped_column(Float)
    blocked_until: Mapped[float] = mapped_column(Float, default=0.0)
