"""大党委 API: a community's 兼职委员 with their posts and duties."""

from flask import jsonify

from marketplace.api import api_bp
from marketplace.auth import api_login_required, api_user
from marketplace.services.committee import committee


@api_bp.get("/communities/<int:community_id>/committee")
@api_login_required("community", "township", "reviewer")
def community_committee(community_id: int):
    found = committee.read_committee(api_user(), community_id)
    return jsonify(
        {
            "community_id": found.community.id,
            "members": [
                {
                    "id": member.id,
                    "name": member.name,
                    "origin": member.origin,
                    "origin_label": member.origin_label,
                    "post": member.post,
                    "duties": member.duties,
                    "from_unit_id": member.from_unit_id,
                    "from": member.from_label,
                    "secretary_seat": member.secretary_seat,
                    "joined_on": member.joined_on.isoformat(),
                }
                for member in found.members
            ],
            "orgs": [
                {"id": org.id, "kind": org.kind, "name": org.name, "unit_id": org.unit_id}
                for org in found.orgs
            ],
        }
    )
