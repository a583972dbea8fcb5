"""The county map page (亲民地图), open to everyone: places, facilities and pairs."""

from flask import Blueprint, render_template

from marketplace.services.pairing.county_map import county_map
from marketplace.web.pairing.county_map_chart import county_map_svg

bp = Blueprint("county_map", __name__, url_prefix="/map")


@bp.route("/")
def index():
    data = county_map()
    svg = county_map_svg(data.communities, data.units, data.facilities_by_unit, data.pairs)
    return render_template("county_map/index.html", data=data, svg=svg)
