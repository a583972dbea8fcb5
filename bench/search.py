"""Benchmark the search index against SQLite FTS5 on the same synthetic listings.

    python bench/search.py            # 100,000 listings, 300 queries
    python bench/search.py --quick    # 20,000 listings, 100 queries

Prints, for Whoosh + jieba (the app's own index code) and for SQLite FTS5 fed the same
jieba-segmented text: build time, index size, median and 95th-percentile latency of a
first results page (20 hits, total, facet counts for kind/category/township), and the
recall on a fixed set of query/expected pairs, and the substring recall: of the listings
whose text contains one of ``SUBSTRING_QUERIES``, the share the query finds.
Deterministic (fixed seed).
"""

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketplace import search
from marketplace.demo import names
from marketplace.search.analyzer import index_tokens, initialise, query_words
from marketplace.search.query import fast_index, match
from marketplace.search.schema import FACET_FIELDS
from marketplace.search.synonyms import Synonyms, parse

SEED = 20261122
KINDS = ("need", "facility", "service", "unit", "community")
KIND_WEIGHTS = (30, 10, 55, 3, 2)
FILLERS = ("居民", "志愿者", "党员", "每月", "周末", "预约", "免费", "开放",
           "服务", "活动", "老人", "儿童", "家庭", "困难", "社区", "单位")  # fmt: skip
# query -> title of a planted listing it must find (recall; two-character words included)
RECALL_CASES = [
    ("停车", "县医院院内免费停车位"), ("会议室", "县委办公室共享会议室"),
    ("法律", "司法局法律咨询进社区"), ("儿童", "留守儿童结对关爱"),
    ("垃圾分类", "垃圾分类入户宣传"), ("音响", "广场舞比赛灯光音响设备"),
    ("课堂", "四点半课堂辅导老师"), ("社保", "社保政策咨询服务"),
    ("义诊", "老年人健康义诊"), ("运动场", "标准田径运动场"),
    ("消防 检查", "高层住宅消防安全检查"), ("心理", "青少年心理疏导"),
    ("医保 办理", "城乡居民医保办理指导"), ("助餐", "老年助餐志愿服务"),
    ("篮球", "室外篮球场"), ("诈骗", "防范电信诈骗宣传"),
]  # fmt: skip


# substring recall: every listing whose text contains the query must be found
SUBSTRING_QUERIES = ["社区", "助餐", "停车", "会议", "法律", "居民", "志愿", "老年", "服务", "活动",
                     "医院", "儿童", "党员", "维修", "中心", "街道"]  # fmt: skip
SYNONYMS = Synonyms(
    parse(resources.files("marketplace.data").joinpath("search_synonyms.txt").read_text())
)


def taxonomy():
    data = json.loads(resources.files("marketplace.data").joinpath("taxonomy.json").read_text())
    return [(c["name"], t["name"]) for c in data["categories"] for t in c["types"]]


def generate(count: int, rng: random.Random) -> list[dict]:
    """Return ``count`` synthetic listings built from the taxonomy and demo names."""
    types = taxonomy()
    townships = [(t[0], [c[0] for c in t[2]]) for t in names.TOWNSHIPS]
    units = [u[0] for u in names.UNITS]
    need_titles = [title for title, _measure in names.NEED_TITLES.values()]
    facility_words = [(kind, w) for kind, words in names.FACILITY_NAMES.items() for w in words]
    documents = []
    for number in range(1, count + 1):
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        category, type_name = rng.choice(types)
        township, communities = rng.choice(townships)
        community = rng.choice(communities)
        owner = rng.choice(units)
        filler = "".join(rng.sample(FILLERS, 4))
        capacity, free = None, None
        if kind == "need":
            title = f"{community}{rng.choice(need_titles)}"
            owner = community
            body = f"{community}{filler}，需要{type_name}，请驻区单位认领。"
            capacity = rng.randint(1, 20)
        elif kind == "facility":
            _fk, word = rng.choice(facility_words)
            title = f"{owner}{word}"
            body = f"{owner}向社区和居民开放的{word}，{filler}，请提前预约。"
            category, capacity, free = (
                "场地设施",
                rng.choice([10, 20, 30, 60, 200]),
                rng.random() < 0.8,
            )
        elif kind == "service":
            title = f"{type_name}（{owner}）"
            body = f"{owner}在职党员志愿者提供{type_name}服务，{filler}。"
            capacity = rng.choice([1, 2, 4, 8])
        elif kind == "unit":
            title, body, category = (
                f"{owner}{number}",
                f"{filler}，党员 {rng.randint(5, 90)} 名",
                "",
            )
        else:
            title, body, category = (
                f"{community}{number}",
                f"{rng.randint(900, 4000)} 户，{filler}",
                "",
            )
        documents.append(
            {"key": f"{kind}:{number}", "kind": kind, "id": number, "title": title, "body": body,
             "category": category, "type": type_name, "township": township,
             "community": community, "owner": owner, "address": f"{township}人民路{number}号",
             "capacity": capacity, "free": free, "url": f"/x/{number}"}
        )  # fmt: skip
    for number, (_query, title) in enumerate(RECALL_CASES, start=count + 1):
        documents.append(
            {"key": f"service:{number}", "kind": "service", "id": number, "title": title,
             "body": "固定的召回测试条目。", "category": "综合服务", "type": "",
             "township": "城关镇", "community": "", "owner": "县委办公室", "address": "",
             "capacity": None, "free": None, "url": f"/x/{number}"}
        )  # fmt: skip
    return documents


def make_queries(count: int, rng: random.Random) -> list[str]:
    vocabulary = sorted(
        {w for _c, t in taxonomy() for w in query_words(t) if len(w) > 1}
        | {w for t, _m in names.NEED_TITLES.values() for w in query_words(t) if len(w) > 1}
        | {"停车", "会议室", "法律", "活动室", "运动场", "音响", "志愿者", "老人", "儿童"}
    )
    return [" ".join(rng.sample(vocabulary, rng.choice((1, 1, 2, 2, 3)))) for _ in range(count)]


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def timed(function, queries) -> list[float]:
    latencies = []
    for text in queries:
        started = time.perf_counter()
        function(text)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def percentile(values, fraction) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# --- Whoosh + jieba: the application's own index code -----------------------------------


def whoosh_build(root: Path, documents) -> None:
    search.build_generation(root, documents)


def whoosh_page(root: Path, text: str) -> None:
    search.run_search(search.searcher(root), text, page=1, per_page=20, synonyms=SYNONYMS)


def whoosh_mask(root: Path, text: str):
    return match(fast_index(search.searcher(root)), text, SYNONYMS)[0]


def whoosh_finds(root: Path, text: str, key: str) -> bool:
    searcher = search.searcher(root)
    return bool(whoosh_mask(root, text)[searcher.document_number(key=key)])


def substring_recall(documents, finds) -> float:
    """Fraction of (query, listing containing it) pairs that ``finds(query)`` returns."""
    wanted = found = 0
    for query in SUBSTRING_QUERIES:
        containing = {d["key"] for d in documents if query in searchable_text(d)}
        wanted += len(containing)
        found += len(containing & finds(query))
    return found / wanted


def searchable_text(d: dict) -> str:
    names = ("title", "body", "owner", "category", "type", "township", "community")
    return " ".join(str(d.get(name) or "") for name in names)


# --- SQLite FTS5 fed jieba-segmented text (the strong peer) ------------------------------


def segmented(text: str) -> str:
    return " ".join(word for word, _s, _e in index_tokens(text))


def fts_build(path: Path, documents) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE doc (rowid INTEGER PRIMARY KEY, key TEXT UNIQUE, kind TEXT, category TEXT,"
        " township TEXT, title TEXT, body TEXT);"
        "CREATE VIRTUAL TABLE fts USING fts5(title, tags, owner, body, content='',"
        " tokenize='unicode61');"
    )
    rows, texts = [], []
    for rowid, d in enumerate(documents, start=1):
        rows.append(
            (rowid, d["key"], d["kind"], d["category"], d["township"], d["title"], d["body"])
        )
        tags = " ".join(str(d.get(n) or "") for n in ("category", "type", "township", "community"))
        texts.append((rowid, segmented(d["title"]), segmented(tags), segmented(d["owner"]),
                      segmented(d["body"])))  # fmt: skip
    connection.executemany("INSERT INTO doc VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    connection.executemany(
        "INSERT INTO fts (rowid, title, tags, owner, body) VALUES (?,?,?,?,?)", texts
    )
    connection.commit()
    return connection


def fts_match(text: str) -> str:
    return " AND ".join('"' + w.replace('"', "") + '"' for w in query_words(text)) or '""'


def fts_page(connection: sqlite3.Connection, text: str) -> None:
    match = fts_match(text)
    connection.execute(
        "SELECT doc.key, doc.title, doc.body FROM fts JOIN doc ON doc.rowid = fts.rowid"
        " WHERE fts MATCH ? ORDER BY bm25(fts, 3.0, 1.5, 1.2, 1.0) LIMIT 20",
        (match,),
    ).fetchall()
    connection.execute("DROP TABLE IF EXISTS temp.hits")
    connection.execute(
        "CREATE TEMP TABLE hits AS SELECT rowid FROM fts WHERE fts MATCH ?", (match,)
    )
    connection.execute("SELECT count(*) FROM hits").fetchone()
    for name in FACET_FIELDS:
        connection.execute(
            f"SELECT doc.{name}, count(*) FROM hits JOIN doc ON doc.rowid = hits.rowid"
            f" GROUP BY doc.{name}"
        ).fetchall()


def fts_finds(connection: sqlite3.Connection, text: str, key: str) -> bool:
    row = connection.execute(
        "SELECT 1 FROM fts JOIN doc ON doc.rowid = fts.rowid WHERE fts MATCH ? AND doc.key = ?",
        (fts_match(text), key),
    ).fetchone()
    return row is not None


def fts_keys(connection: sqlite3.Connection, text: str) -> set[str]:
    rows = connection.execute(
        "SELECT doc.key FROM fts JOIN doc ON doc.rowid = fts.rowid WHERE fts MATCH ?",
        (fts_match(text),),
    )
    return {row[0] for row in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="20,000 listings, 100 queries")
    args = parser.parse_args()
    if args.quick:
        args.listings, args.queries = 20_000, 100
    rng = random.Random(SEED)
    initialise()
    documents = generate(args.listings, rng)
    queries = make_queries(args.queries, rng)
    planted = {title: d["key"] for d in documents[-len(RECALL_CASES) :] for title in [d["title"]]}
    workdir = Path(tempfile.mkdtemp(prefix="search-bench-"))
    try:
        print(f"{len(documents):,} listings, {len(queries)} queries (1-3 words), seed {SEED}")
        figures = {}
        started = time.perf_counter()
        whoosh_build(workdir / "whoosh", documents)
        build = time.perf_counter() - started
        root = workdir / "whoosh"
        whoosh_page(root, "停车")  # open the searcher once, as a running server has
        latencies = timed(lambda text: whoosh_page(root, text), queries)
        recall = sum(whoosh_finds(root, q, planted[t]) for q, t in RECALL_CASES) / len(RECALL_CASES)
        searcher = search.searcher(root)
        keys = [searcher.stored_fields(n)["key"] for n in range(searcher.doc_count_all())]

        def whoosh_keys(query):
            return {keys[n] for n in whoosh_mask(root, query).nonzero()[0]}

        substring = substring_recall(documents, whoosh_keys)
        figures["Whoosh + jieba"] = (build, folder_size(root), latencies, recall, substring)

        started = time.perf_counter()
        connection = fts_build(workdir / "fts.db", documents)
        build = time.perf_counter() - started
        fts_page(connection, "停车")
        latencies = timed(lambda text: fts_page(connection, text), queries)
        recall = sum(fts_finds(connection, q, planted[t]) for q, t in RECALL_CASES) / len(
            RECALL_CASES
        )
        substring = substring_recall(documents, lambda q: fts_keys(connection, q))
        connection.close()
        figures["FTS5 + jieba"] = (
            build,
            folder_size(workdir) - folder_size(root),
            latencies,
            recall,
            substring,
        )

        print(
            f"{'engine':<16}{'build s':>9}{'size MB':>9}{'p50 ms':>9}{'p95 ms':>9}{'recall':>8}"
            f"{'substr':>8}"
        )
        for engine, (build, size, latencies, recall, substring) in figures.items():
            print(
                f"{engine:<16}{build:>9.1f}{size / 1e6:>9.1f}{statistics.median(latencies):>9.1f}"
                f"{percentile(latencies, 0.95):>9.1f}{recall:>8.0%}{substring:>8.1%}"
            )
        whoosh_p95 = percentile(figures["Whoosh + jieba"][2], 0.95)
        fts_p95 = percentile(figures["FTS5 + jieba"][2], 0.95)
        print(f"p95 ratio Whoosh / FTS5: {whoosh_p95 / fts_p95:.2f}")
        print("(first page: 20 hits, total and facet counts for " + ", ".join(FACET_FIELDS) + ")")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
