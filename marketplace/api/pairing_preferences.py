"""A community's pairing preferences: read them, replace them."""

from flask import jsonify

from marketplace.api import api_bp
from marketplace.api.common import json_body
from marketplace.auth import api_login_required, api_user
from marketplace.errors import InvalidInput
from marketplace.services.pairing import pairing_preferences


@api_bp.get("/pairing-preferences")
@api_login_required("community")
def get_preferences():
    rows = pairing_preferences.community_preferences(api_user().community_id)
    return jsonify(pairing_preferences.preferences_to_json(rows))


@api_bp.post("/pairing-preferences")
@api_login_required("community")
def set_preferences():
    data = json_body()
    keep, gain = data.get("keep", []), data.get("gain", [])
    if not isinstance(keep, list) or not isinstance(gain, list):
        raise InvalidInput("keep 和 gain 必须是单位编号的列表。")
    rows = pairing_preferences.set_preferences(api_user(), keep, gain)
    return jsonify(pairing_preferences.preferences_to_json(rows))
