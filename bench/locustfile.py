"""Locust users for bench/load.py: residents search, unit secretaries log in and claim.

Run through ``bench/load.py``, which prepares the database, the API tokens and the
server, and checks the invariants afterwards.
"""

import json
import os
import random
import re

from locust import HttpUser, between, task

TOKENS = json.loads(os.environ.get("LOAD_TOKENS", "{}"))
QUERIES = ["停车", "会议室", "法律咨询", "养老", "志愿服务", "运动场", "助学", "环境整治", "义诊"]
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Resident(HttpUser):
    """Anonymous: the home page, searches and the facility finder."""

    weight = 2
    wait_time = between(0.5, 2)

    @task(3)
    def search(self):
        self.client.get(f"/api/v1/search?q={random.choice(QUERIES)}", name="/api/v1/search")

    @task(1)
    def search_page(self):
        self.client.get(f"/search?q={random.choice(QUERIES)}", name="/search")

    @task(1)
    def home(self):
        self.client.get("/")

    @task(1)
    def facilities(self):
        self.client.get("/facilities?kind=meeting_room", name="/facilities")


class UnitSecretary(HttpUser):
    """A unit's secretary: logs in on the page, browses needs, claims through the API."""

    weight = 1
    wait_time = between(0.5, 2)

    def on_start(self):
        self.username = random.choice(sorted(TOKENS))
        self.headers = {"Authorization": f"Bearer {TOKENS[self.username]}"}
        page = self.client.get("/login").text
        token = CSRF.search(page).group(1)
        self.client.post(
            "/login",
            data={"username": self.username, "password": "demo-pass", "csrf_token": token},
            name="/login",
        )

    @task(2)
    def browse(self):
        self.client.get("/unit/", name="/unit/")

    @task(3)
    def claim(self):
        needs = self.client.get(
            "/api/v1/needs?status=open&per_page=50", headers=self.headers, name="/api/v1/needs"
        ).json()["results"]
        if not needs:
            return
        need = random.choice(needs)
        with self.client.post(
            f"/api/v1/needs/{need['id']}/claims",
            json={"quantity": random.randint(1, 3)},
            headers=self.headers,
            name="/api/v1/needs/[id]/claims",
            catch_response=True,
        ) as response:
            if response.status_code in (201, 409):  # 409: already claimed, or too little left
                response.success()
