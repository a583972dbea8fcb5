"""Posts (岗位): each community keeps its posts; a reported member chooses one (选岗).

Choosing is race-safe like claiming a need: one conditional ``UPDATE`` takes a place only
while ``taken < places`` (checked by its row count), and a CHECK constraint keeps
``taken`` within ``places`` whatever happens, so 3n members choosing a post of n places
at the same moment leave exactly n holding it.
"""

from sqlalchemy import func, select, update

from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import Member, Post, Team, User
from marketplace.services import audit
from marketplace.services.access import (
    in_staff_community,
    require_role,
    require_staff_community,
    serves_in,
    valid_id,
    works_for,
)
from marketplace.services.fields import POST, FieldReader
from marketplace.services.members.members import member_of

DEFAULT_POSTS = [
    ("策划岗", "参与社区活动策划、议事协商"),
    ("宣传岗", "政策宣讲、文明创建宣传"),
    ("管理岗", "协助小区楼栋管理、秩序维护"),
    ("服务岗", "便民服务、代办跑腿"),
    ("帮扶岗", "结对帮扶困难群众"),
    ("调解岗", "邻里矛盾调解、法律咨询"),
    ("文体岗", "组织文体活动、节日晚会"),
    ("环境岗", "环境整治、垃圾分类督导"),
    ("治安岗", "平安巡逻、交通疏导"),
    ("助学岗", "课业辅导、四点半课堂"),
    ("医护岗", "健康义诊、助医陪诊"),
    ("应急岗", "防汛抢险、应急救援"),
]


def community_posts(community_id: int) -> list[Post]:
    """Return a community's posts in their order, with places left."""
    return list(
        db.session.scalars(
            select(Post).where(Post.community_id == community_id).order_by(Post.position, Post.id)
        )
    )


def _read_post(data, *, taken: int = 0) -> dict:
    reader = FieldReader(data)
    values = {
        "name": reader.read("name", POST["name"]),
        "description": reader.read("description", POST["description"]),
        # never fewer places than members already chose the post
        "places": reader.integer(
            "places",
            POST["places"].label,
            minimum=max(POST["places"].minimum, taken),
            maximum=POST["places"].maximum,
            required=True,
        ),
        "team_id": reader.integer("team_id", "对应服务队"),
    }
    reader.raise_if_invalid()
    return values


def _check_team(actor: User, team_id) -> None:
    if team_id is None:
        return
    team = db.session.get(Team, team_id) if valid_id(team_id) else None
    if not in_staff_community(actor, team):
        raise InvalidInput("请选择本社区的服务队。", field="team_id")


def _name_taken(community_id: int, name: str, post_id: int | None = None) -> bool:
    query = select(Post.id).where(Post.community_id == community_id, Post.name == name)
    if post_id is not None:
        query = query.where(Post.id != post_id)
    return db.session.scalar(query) is not None


def create_post(actor: User, data, community_id: int | None = None) -> Post:
    """Add a post to the staff member's community (``community_id``: the one asked for)."""
    require_role(actor, "community")
    if community_id is not None and not works_for(actor, community_id):
        raise Forbidden("只能管理本社区的岗位。")
    values = _read_post(data)
    _check_team(actor, values["team_id"])
    if _name_taken(actor.community_id, values["name"]):
        raise InvalidInput(f"本社区已有「{values['name']}」。", field="name")
    position = db.session.scalar(
        select(func.coalesce(func.max(Post.position), 0)).where(
            Post.community_id == actor.community_id
        )
    )
    post = Post(community_id=actor.community_id, position=position + 1, **values)
    db.session.add(post)
    db.session.flush()
    audit.record("post.created", actor=actor, obj=post, after=values)
    db.session.commit()
    return post


def own_post(actor: User, post_id) -> Post:
    """Return a post of the staff member's community (404 / 403 otherwise)."""
    require_role(actor, "community")
    post = db.session.get(Post, post_id) if valid_id(post_id) else None
    if post is None:
        raise NotFound("岗位不存在。")
    require_staff_community(actor, post, "只能管理本社区的岗位。")
    return post


def update_post(actor: User, post_id, data) -> Post:
    """Change a post's name, description, places (never below those taken) or team."""
    post = own_post(actor, post_id)
    values = _read_post(data, taken=post.taken)
    _check_team(actor, values["team_id"])
    if _name_taken(actor.community_id, values["name"], post.id):
        raise InvalidInput(f"本社区已有「{values['name']}」。", field="name")
    before = {key: getattr(post, key) for key in values}
    # Places are lowered only while no member took them in between (conditional UPDATE).
    changed = db.session.execute(
        update(Post)
        .where(Post.id == post.id, Post.taken <= values["places"])
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise Conflict("岗位名额不能少于已选人数，请刷新后重试。")
    audit.record("post.updated", actor=actor, obj=post, before=before, after=values)
    db.session.commit()
    db.session.refresh(post)
    return post


def choose_post(actor: User, post_id) -> Post:
    """Take a place of a post for the member (giving up their previous post)."""
    member = member_of(actor)
    post = db.session.get(Post, post_id) if valid_id(post_id) else None
    if post is None:
        raise NotFound("岗位不存在。")
    if member.community_id is None:
        raise Conflict("报到经社区确认后才能选岗。")
    if not serves_in(member, post):
        raise Forbidden("只能选择报到社区的岗位。")
    previous = member.post_id
    if previous == post.id:
        raise Conflict(f"您已选择「{post.name}」。")
    try:
        # The member's own row first: two choices by one member cannot both pass.
        moved = db.session.execute(
            update(Member)
            .where(Member.id == member.id, _same(Member.post_id, previous))
            .values(post_id=post.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            raise Conflict("您的选岗刚刚发生了变化，请刷新后重试。")
        taken = db.session.execute(
            update(Post)
            .where(Post.id == post.id, Post.taken < Post.places)
            .values(taken=Post.taken + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            raise Conflict(f"「{post.name}」名额已满，请选择其他岗位。")
        if previous is not None:
            db.session.execute(
                update(Post)
                .where(Post.id == previous, Post.taken > 0)
                .values(taken=Post.taken - 1)
                .execution_options(synchronize_session=False)
            )
        audit.record(
            "post.chosen",
            actor=actor,
            obj=member,
            before={"post_id": previous},
            after={"post_id": post.id},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(post)
    return post


def _same(column, value):
    return column.is_(None) if value is None else column == value


def post_counts(community_id: int) -> dict:
    """Return how many places a community offers and how many are taken."""
    places, taken = db.session.execute(
        select(
            func.coalesce(func.sum(Post.places), 0), func.coalesce(func.sum(Post.taken), 0)
        ).where(Post.community_id == community_id)
    ).one()
    return {"places": int(places), "taken": int(taken)}


def check_post_counts() -> list[str]:
    """Return a line for every post whose ``taken`` differs from its members."""
    held = dict(
        db.session.execute(
            select(Member.post_id, func.count())
            .where(Member.post_id.is_not(None))
            .group_by(Member.post_id)
        ).all()
    )
    return [
        f"岗位 #{post.id}「{post.name}」记录已选 {post.taken} 人，实际 {held.get(post.id, 0)} 人"
        for post in db.session.scalars(select(Post).order_by(Post.id))
        if post.taken != held.get(post.id, 0)
    ]
