"""What the simulated people do (locust): the main read paths of the workplace and the API,
and two writes — a case transition and a risk score. Each user keeps a steady pace
(`constant_throughput`), so the offered rate is users × KZREG_LOAD_PACE requests per
second whatever the latency. The run's fixtures (tokens, session cookies, case ids) come
from the JSON file named by KZREG_LOAD_FIXTURES, written by `benchmarks/load/run.py`."""

from __future__ import annotations

import json
import os
import random
import time
from itertools import count

from locust import FastHttpUser, constant_throughput, events, tag, task

FIXTURES = json.loads(open(os.environ["KZREG_LOAD_FIXTURES"], encoding="utf-8").read())
PACE = float(os.environ.get("KZREG_LOAD_PACE", "5"))
NOTES = count()


def bearer(user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {FIXTURES['tokens'][user]}"}


def session(user: str) -> dict[str, str]:
    return {"Cookie": f"kzreg_session={FIXTURES['cookies'][user]}"}


class Reader(FastHttpUser):
    """Officers and businesses reading: pages with a session cookie, the API with a token."""

    wait_time = constant_throughput(PACE)
    weight = int(os.environ.get("KZREG_LOAD_READERS_WEIGHT", "10"))

    @tag("read", "page")
    @task(3)
    def dashboard(self) -> None:
        self.client.get("/", headers=session("industry"), name="page: dashboard")

    @tag("read", "page")
    @task(2)
    def room_lists(self) -> None:
        user, path = random.choice(FIXTURES["room_pages"])
        self.client.get(path, headers=session(user), name="page: room list")

    @tag("read", "page")
    @task(2)
    def case_page(self) -> None:
        user, path = random.choice(FIXTURES["case_pages"])
        self.client.get(path, headers=session(user), name="page: a case")

    @tag("read", "api")
    @task(3)
    def api_cases(self) -> None:
        self.client.get("/api/cases", headers=bearer("industry"), name="api: GET /api/cases")

    @tag("read", "api")
    @task(2)
    def api_lists(self) -> None:
        user, path = random.choice(FIXTURES["api_lists"])
        self.client.get(path, headers=bearer(user), name="api: room lists")


class Writer(FastHttpUser):
    """Officers moving cases and scoring subjects."""

    wait_time = constant_throughput(PACE)
    weight = int(os.environ.get("KZREG_LOAD_WRITERS_WEIGHT", "1"))

    @tag("write")
    @task(1)
    def transition(self) -> None:
        case_id = random.choice(FIXTURES["note_cases"])
        self.client.post(f"/api/cases/{case_id}/transitions/note",
                         json={"text": f"note {next(NOTES)}"}, headers=bearer("industry"),
                         name="api: POST a transition")

    @tag("write")
    @task(1)
    def risk_score(self) -> None:
        self.client.post("/api/risk/score", json=FIXTURES["score_rows"],
                         headers=bearer("inspector"), name="api: POST /api/risk/score")


# -- every request's latency, for percentiles over reads and writes (run.py reads them) ---
SAMPLES: list[tuple[int, str, float, int]] = []   # (unix second, name, ms, ok)


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None,
            **_kw) -> None:
    SAMPLES.append((int(time.time()), name, round(response_time, 2), exception is None))


@events.quitting.add_listener
def _dump(environment, **_kw) -> None:
    path = os.environ.get("KZREG_LOAD_SAMPLES")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(SAMPLES, out)
