"""The region tree (county → township → community) and the resident units."""

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._common import enum_check

TOWNSHIP_KINDS = {"town": "镇", "street": "街道", "township": "乡"}
UNIT_KINDS = {
    "government": "党政机关",
    "enterprise": "企业",
    "institution": "事业单位",
    "social_org": "社会组织",
}


class County(db.Model):
    __tablename__ = "county"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)

    townships: Mapped[list["Township"]] = relationship(back_populates="county")


class Township(db.Model):
    __tablename__ = "township"
    __table_args__ = (
        UniqueConstraint("county_id", "name", name="uq_township_county_name"),
        CheckConstraint(enum_check("kind", TOWNSHIP_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20), default="street")

    county: Mapped[County] = relationship(back_populates="townships")
    communities: Mapped[list["Community"]] = relationship(back_populates="township")


class Community(db.Model):
    __tablename__ = "community"
    __table_args__ = (
        UniqueConstraint("township_id", "name", name="uq_community_township_name"),
        CheckConstraint("households >= 0", name="households_non_negative"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[float] = mapped_column(default=0.0)
    longitude: Mapped[float] = mapped_column(default=0.0)
    households: Mapped[int] = mapped_column(default=0)
    contact_name: Mapped[str] = mapped_column(String(40), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")

    township: Mapped[Township] = relationship(back_populates="communities")


class Unit(db.Model):
    __tablename__ = "unit"
    __table_args__ = (
        UniqueConstraint("county_id", "name", name="uq_unit_county_name"),
        CheckConstraint(enum_check("kind", UNIT_KINDS), name="kind"),
        CheckConstraint("party_members >= 0", name="party_members_non_negative"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), index=True)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("township.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[float] = mapped_column(default=0.0)
    longitude: Mapped[float] = mapped_column(default=0.0)
    party_members: Mapped[int] = mapped_column(default=0)
    contact_name: Mapped[str] = mapped_column(String(40), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")

    township: Mapped[Township | None] = relationship()

    @property
    def kind_label(self) -> str:
        return UNIT_KINDS.get(self.kind, self.kind)
