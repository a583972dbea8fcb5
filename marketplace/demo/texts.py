"""Varied, realistic texts and dates for the demo county, so it reads as real.

Needs read as a community worker would write them (a 网格员's visit, a 议事会, a 12345
hotline pattern, last year's activity), not one sentence with the name swapped; service
titles never say 服务 twice; history is spread over the past year; rooms open on
evenings and weekends too. Every choice comes from the builder's seeded ``random``.
"""

import random
from datetime import date, datetime, time, timedelta

from marketplace import clock
from marketplace.models.listings import ALL_WEEKDAYS, WORKDAYS

WEEKEND = (1 << 5) | (1 << 6)

ESTATES = [
    "幸福里小区", "锦绣花园", "阳光小区", "纺织厂宿舍", "供电局家属院", "桂花苑", "丽景湾",
    "和平新村", "东方花园", "建材厂宿舍", "翠竹园", "滨江名苑", "粮食局小区", "教师公寓",
]  # fmt: skip
GROUPS = [
    "独居和空巢老人", "双职工家庭", "残疾人家庭", "外来务工人员", "低保和困难家庭",
    "中小学生家长", "新入住的年轻住户", "退休老党员",
]  # fmt: skip
WHEN = ["周六上午", "工作日晚上", "每月第一个周日", "寒暑假期间", "周末下午", "节假日前后"]
PARTNERS = ["县人民医院", "县司法局", "县一中", "县税务局", "县供电公司", "县图书馆"]

NEED_STORIES = [
    "网格员{grid}入户走访时发现，{estate}的{group}对「{topic}」需求比较集中，"
    "社区计划安排在{when}，共需{quantity}{measure}，希望驻区单位帮忙。",
    "{estate}是老旧小区，{group}占比高，{topic}一直是居民议事会上提得最多的事之一。"
    "社区已协调好场地，缺少专业力量。",
    "近三个月 12345 热线收到本社区关于{topic}的反映 {count} 次，社区想借助驻区单位的力量"
    "把这件事做实，预计需要{quantity}{measure}。",
    "去年{season}社区和{partner}一起做过{topic}，居民反响不错，今年想继续办，"
    "还差{quantity}{measure}的支持。",
    "社区党委会议研究决定开展「{topic}」，由第{grid_no}网格牵头，时间初步定在{when}，"
    "请有相关专长的单位认领。",
    "按照街道今年的重点工作安排，社区要在 {month} 月底前完成{topic}。"
    "目前社区工作人员只有 {staff} 名，人手明显不够。",
    "{group}多次向社区反映{topic}的困难，{estate}楼栋长也做了摸排，"
    "涉及 {count} 户，需要{quantity}{measure}。",
    "「{topic}」是社区今年“我为群众办实事”清单上的一项，居民代表会上已通过，"
    "欢迎驻区单位党组织和在职党员参与。",
]
SEASONS = ["春节前", "五一前后", "暑假", "国庆期间", "重阳节", "冬季"]
TITLE_SHAPES = ["{title}", "{title}", "{estate}{title}", "{title}（{when}）", "{title}"]

SERVICE_TITLES = [
    "{service}（{unit}）",
    "{unit}{service}",
    "{service}进社区",
    "{unit}党员{service}",
]
SERVICE_STORIES = [
    "{unit}在职党员志愿者每月可提供{service}，可按社区需求预约时间。",
    "由{unit}党支部组织专业骨干上门开展{service}，每次需提前一周与联系人确认。",
    "{unit}与多个社区长期合作开展{service}，可根据居民人数调整安排。",
    "{unit}可在工作日晚上或周末开展{service}，适合双职工家庭集中的小区。",
]
CLAIM_NOTES = [
    "单位认领，安排在职党员落实。",
    "支部已开会研究，由两名业务骨干牵头。",
    "先认领一部分，其余视人手再定。",
    "与社区联系人电话沟通过，时间可以配合。",
]
PROGRESS_NOTES = [
    "已完成第一阶段工作。",
    "第一次活动已开展，到场居民二十多人。",
    "已与楼栋长对接名单，正在分批上门。",
    "材料和人员已到位，按计划推进。",
]
DONE_NOTES = [
    "全部完成，居民反映良好。",
    "已按约定完成，社区已验收。",
    "活动结束，照片和签到表已交社区。",
]
COMMENTS = [
    "服务认真负责，居民满意。",
    "准备充分，老人们很喜欢。",
    "响应快，下次还想请他们来。",
    "人员准时到位，效果很好。",
]

ROOM_HOURS = [
    # (weekdays, opens, closes, weight): most rooms follow office hours; some stay open
    # in the evening, at weekends or every day, as the seeds' "错时开放" asks.
    (WORKDAYS, time(8, 30), time(17, 30), 6),
    (WORKDAYS, time(8, 30), time(21, 0), 2),
    (ALL_WEEKDAYS, time(9, 0), time(21, 0), 2),
    (WEEKEND, time(9, 0), time(17, 0), 1),
    (WORKDAYS | WEEKEND, time(14, 0), time(21, 30), 1),
]


def service_phrase(type_name: str) -> str:
    """Return a service type as a noun phrase, adding 服务 only when it is missing."""
    return type_name if type_name.endswith("服务") else f"{type_name}服务"


def need_texts(rng: random.Random, community: str, title: str, quantity: int, measure: str):
    """Return (title, description) of a demo need."""
    estate = rng.choice(ESTATES)
    values = {
        "estate": estate,
        "topic": title,
        "group": rng.choice(GROUPS),
        "when": rng.choice(WHEN),
        "quantity": quantity,
        "measure": measure,
        "grid": rng.choice("张王李刘陈杨黄周吴") + rng.choice(["姐", "师傅", "老师"]),
        "grid_no": rng.randint(1, 9),
        "count": rng.randint(6, 40),
        "season": rng.choice(SEASONS),
        "partner": rng.choice(PARTNERS),
        "month": rng.randint(3, 12),
        "staff": rng.randint(5, 9),
        "community": community,
    }
    shaped = rng.choice(TITLE_SHAPES).format(title=title, estate=estate, when=values["when"])
    return shaped[:100], rng.choice(NEED_STORIES).format(**values)


def service_texts(rng: random.Random, unit: str, type_name: str) -> tuple[str, str]:
    """Return (title, description) of a demo service offer."""
    title = rng.choice(SERVICE_TITLES).format(service=type_name, unit=unit)
    story = rng.choice(SERVICE_STORIES).format(unit=unit, service=service_phrase(type_name))
    return title[:100], story


def room_hours(rng: random.Random) -> tuple[int, time, time]:
    """Return (weekday mask, opens, closes) for a meeting or activity room."""
    weights = [entry[3] for entry in ROOM_HOURS]
    weekdays, opens, closes, _weight = rng.choices(ROOM_HOURS, weights=weights)[0]
    return weekdays, opens, closes


def past_moment(rng: random.Random, *, days: int = 360, after: datetime | None = None):
    """Return a UTC moment in the past year (after ``after`` when given), office hours."""
    now = clock.utcnow()
    earliest = after or now - timedelta(days=days)
    span = max(1.0, (now - earliest).total_seconds())
    moment = earliest + timedelta(seconds=rng.uniform(0, span) * (0.6 if after else 1.0))
    return min(moment, now)


def need_window(rng: random.Random, created: datetime) -> tuple[date, date]:
    """Return (starts_on, ends_on): from when it was posted to a date still ahead."""
    starts = clock.local(created).date()
    today = clock.today()
    return starts, max(starts + timedelta(days=rng.choice([60, 90, 180])), today) + timedelta(
        days=rng.randint(10, 120)
    )
