"""Party members: registration, 报到, posts, service records, checklist and points."""

from flask import jsonify, request

from marketplace.api import api_bp
from marketplace.api.common import json_body
from marketplace.auth import api_login_required, api_user
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.models import Community, Member, Post, ServiceRecord
from marketplace.services.access import valid_id
from marketplace.services.members import (
    checklist,
    member_stats,
    members,
    points,
    posts,
    service_records,
)
from marketplace.services.oversight.oversight_calendar import check_year


def post_json(post: Post) -> dict:
    return {
        "id": post.id,
        "community_id": post.community_id,
        "name": post.name,
        "description": post.description,
        "places": post.places,
        "taken": post.taken,
        "places_left": post.places_left,
        "team_id": post.team_id,
    }


def record_json(record: ServiceRecord) -> dict:
    return {
        "id": record.id,
        "member_id": record.member_id,
        "community_id": record.community_id,
        "kind": record.kind,
        "date": record.served_on.isoformat(),
        "hours": record.hours,
        "summary": record.summary,
        "status": record.status,
        "need_id": record.need_id,
        "activity_id": record.activity_id,
    }


def checklist_json(items) -> list[dict]:
    return [
        {
            "key": item.key,
            "label": item.label,
            "done": item.done,
            "evidence": [
                {
                    "label": e.label,
                    "date": e.on.isoformat() if e.on else None,
                    "kind": e.kind,
                    "record_id": e.record_id,
                }
                for e in item.evidence
            ],
        }
        for item in items
    ]


@api_bp.get("/me")
@api_login_required()
def me():
    user = api_user()
    member = members.member_or_none(user)
    return jsonify(
        id=user.id,
        username=user.username,
        name=user.name,
        role=user.role,
        community_id=user.community_id,
        unit_id=user.unit_id,
        township_id=user.township_id,
        member_id=member.id if member else None,
    )


@api_bp.post("/members")
@api_login_required("unit")
def register_member():
    member, password = members.register_member(api_user(), json_body())
    return jsonify(id=member.id, username=member.user.username, initial_password=password), 201


@api_bp.get("/members/me")
@api_login_required("member")
def my_member():
    member = members.member_of(api_user())
    year = members.county_now().year
    return jsonify(
        id=member.id,
        name=member.name,
        unit={"id": member.unit_id, "name": member.unit.name},
        community=(
            {"id": member.community_id, "name": member.community.name} if member.community else None
        ),
        report=_report_json(members.live_report(member)),
        post=({"id": member.post_id, "name": member.post.name} if member.post else None),
        team=(
            {"id": member.team_id, "name": member.team.name, "role": member.team_role}
            if member.team
            else None
        ),
        year=year,
        checklist=checklist_json(checklist.for_member(member.id, year)),
        points=member.points_balance,
    )


def _report_json(entry) -> dict | None:
    if entry is None:
        return None
    return {"id": entry.id, "community_id": entry.community_id, "status": entry.status}


@api_bp.post("/members/me/report")
@api_login_required("member")
def report():
    entry = members.report(api_user(), json_body())
    return jsonify(id=entry.id, status=entry.status, community_id=entry.community_id), 201


@api_bp.post("/member-reports/<int:report_id>/confirm")
@api_login_required("community")
def confirm_report(report_id: int):
    entry = members.confirm_report(api_user(), report_id)
    return jsonify(id=entry.id, status=entry.status)


@api_bp.post("/member-reports/<int:report_id>/return")
@api_login_required("community")
def return_report(report_id: int):
    entry = members.return_report(api_user(), report_id, json_body().get("reason"))
    return jsonify(id=entry.id, status=entry.status)


@api_bp.get("/communities/<int:community_id>/posts")
@api_login_required()
def community_posts(community_id: int):
    if not valid_id(community_id) or db.session.get(Community, community_id) is None:
        raise NotFound("社区不存在。")
    return jsonify(results=[post_json(post) for post in posts.community_posts(community_id)])


@api_bp.post("/communities/<int:community_id>/posts")
@api_login_required("community")
def create_post(community_id: int):
    post = posts.create_post(api_user(), json_body(), community_id=community_id)
    return jsonify(post_json(post)), 201


@api_bp.post("/posts/<int:post_id>/choose")
@api_login_required("member")
def choose_post(post_id: int):
    return jsonify(post_json(posts.choose_post(api_user(), post_id))), 201


@api_bp.post("/service-records")
@api_login_required("member")
def log_service():
    return jsonify(record_json(service_records.log_service(api_user(), json_body()))), 201


@api_bp.post("/service-records/<int:record_id>/confirm")
@api_login_required("community")
def confirm_service(record_id: int):
    return jsonify(record_json(service_records.confirm_service(api_user(), record_id)))


@api_bp.get("/members/me/points")
@api_login_required("member")
def my_points():
    member: Member = members.member_of(api_user())
    return jsonify(
        balance=member.points_balance,
        entries=[
            {
                "id": entry.id,
                "amount": entry.amount,
                "source": entry.source_kind,
                "source_label": entry.source_label,
                "source_id": entry.source_id,
                "reason": entry.reason,
                "balance_after": entry.balance_after,
                "created_at": entry.created_at.isoformat(),
            }
            for entry in points.entries(member, limit=500)
        ],
    )


@api_bp.get("/member-rates")
@api_login_required("reviewer", "township")
def member_rates():
    year = check_year(request.args.get("year"))
    rows = member_stats.overseen_unit_rates(api_user(), year)
    return jsonify(year=year, units=[member_stats.rates_json(row) for row in rows])
