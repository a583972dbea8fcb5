"""The signed-in user's notification settings: GET and PUT the same keys."""

from flask import jsonify, url_for

from marketplace.api import api_bp
from marketplace.api.common import json_body
from marketplace.auth import api_login_required, api_user
from marketplace.services.notify import preferences


def settings_json(view: dict) -> dict:
    """Return the settings as the API shows them (the calendar as its full address)."""
    return {
        "email": view["email"],
        "channels": view["channels"],
        "digest": view["digest"],
        "calendar_url": (
            url_for("calendar.feed", token=token, _external=True)
            if (token := view["calendar_token"])
            else None
        ),
    }


@api_bp.get("/me/notification-settings")
@api_login_required()
def show_notification_settings():
    return jsonify(settings_json(preferences.settings_view(api_user())))


@api_bp.put("/me/notification-settings")
@api_login_required()
def update_notification_settings():
    body = {key: value for key, value in json_body().items() if key != "calendar_url"}
    preferences.update_settings(api_user(), body)
    return jsonify(settings_json(preferences.settings_view(api_user())))
