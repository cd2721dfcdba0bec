"""Shared set-up of the correction tests: a returned demo interview, and a local channel server.

The channel server stands in for Telegram's Bot API and a JSON webhook receiver over real HTTP
on 127.0.0.1; each path can be told to fail or to hang before it answers.
"""

import datetime as dt
import hashlib
import json
import random
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from demo.data import build_form
from demo.data.submissions import generate_submission
from surveys.models import Enumerator, FormVersion, KoboForm, Submission
from tests import factories
from validation.engine.validate import validate_submission

REMIT = "employment/remit_share"
TELEGRAM_TOKEN = "123456:test-bot"
WEBHOOK_SECRET = "s3cret"
# The Enumerator's interview date; a fixed clock keeps the skip logic reproducible.
INTERVIEW_DAY = dt.date(2024, 2, 10)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    answered: int | None = None  # the HTTP status sent back; None while hung or dropped


@dataclass
class ChannelServer:
    """Records every request; `plan[path_prefix]` lists what to do with the next ones."""

    requests: list[Received] = field(default_factory=list)
    plan: dict[str, list[str]] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.httpd is not None
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def delivered(self, prefix: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.path.startswith(prefix) and r.answered == 200]

    def seen(self, prefix: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.path.startswith(prefix)]

    def _next_action(self, path: str) -> str:
        with self.lock:
            for prefix, actions in self.plan.items():
                if path.startswith(prefix) and actions:
                    return actions.pop(0)
        return "ok"

    def start(self) -> "ChannelServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                record = Received(self.path, dict(self.headers.items()), body)
                with server.lock:
                    server.requests.append(record)
                action = server._next_action(self.path)
                if action == "hang":
                    server.release.wait(60)
                    return  # drop the connection without an answer
                status = {"ok": 200, "fail": 500, "reject": 400}[action]
                reply = {"ok": status == 200, "result": {"message_id": len(server.requests)}}
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                record.answered = status

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()


def demo_answers(seed: int = 5, /, **overrides: str) -> dict[str, Any]:
    """A demo interview that sends money home, with a share over 100 % (breaks a constraint)."""
    rng = random.Random(seed)
    while True:
        data = generate_submission(
            rng,
            enumerator="enum01",
            district_code="KZ-ALA-BOS",
            violations=["constraint"],
            interview_date=INTERVIEW_DAY,
        )
        # 25-50 %: the band the tests' corrected shares (30, 40) fall in.
        if data.get(REMIT) == "140" and data.get("employment/remit_share_band") == "25_50":
            break
    data.update(overrides)
    return data


def demo_version(form: KoboForm, uid: str = "vDemo2") -> FormVersion:
    content = build_form.load_content("v2")
    return FormVersion.objects.create(
        form=form,
        version_uid=uid,
        content=content,
        content_hash=hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest(),
    )


@dataclass
class World:
    form: KoboForm
    version: FormVersion
    supervisor: Any
    enumerator: Enumerator
    other: Enumerator  # an enumerator of another team
    submission: Submission


def build(*, kobo_id: int = 4101) -> World:
    """One flagged interview of enumerator 'enum01' (team A) on the demo form."""
    sup = factories.supervisor(username="sup_a", email="sup_a@example.org")
    sup_b = factories.supervisor(username="sup_b", email="sup_b@example.org")
    team = factories.TeamFactory.create(name="Almaty A", supervisor=sup)
    team_b = factories.TeamFactory.create(name="Almaty B", supervisor=sup_b)
    enumerator = factories.EnumeratorFactory.create(
        kobo_username="enum01", team=team, telegram_chat_id="777001"
    )
    user = factories.user_of(enumerator)
    user.email = "enum01@example.org"
    user.save(update_fields=["email"])
    other = factories.EnumeratorFactory.create(kobo_username="enum02", team=team_b)
    form = factories.KoboFormFactory.create(asset_uid="aMTMkzR3demo2024")
    version = demo_version(form)
    submission = add_submission(form, version, enumerator, kobo_id=kobo_id)
    return World(form, version, sup, enumerator, other, submission)


def add_submission(
    form: KoboForm, version: FormVersion, enumerator: Enumerator, *, kobo_id: int, **answers: str
) -> Submission:
    data = demo_answers(**answers)
    submission: Submission = factories.SubmissionFactory.create(
        form=form,
        kobo_id=kobo_id,
        version=version,
        version_uid=version.version_uid,
        data=data,
        enumerator=enumerator,
        submitted_by=enumerator.kobo_username,
    )
    validate_submission(
        submission=Submission.objects.select_related("form", "version").get(pk=submission.pk)
    )
    Submission.objects.filter(pk=submission.pk).update(needs_validation=False)
    submission.refresh_from_db()
    return submission


def new_version(submission: Submission, **changes: str) -> Submission:
    """What a sync does when the enumerator saved an edit in Enketo: new instanceID, re-check."""
    data = {**submission.data, **changes}
    Submission.objects.filter(pk=submission.pk).update(
        data=data,
        instance_id=f"uuid:{random.Random(json.dumps(data, sort_keys=True)).getrandbits(64):x}",
        content_hash=hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest(),
        changed_since_review=True,
    )
    fresh = Submission.objects.select_related("form", "version").get(pk=submission.pk)
    validate_submission(submission=fresh)
    Submission.objects.filter(pk=submission.pk).update(needs_validation=False)
    fresh.refresh_from_db()
    return fresh
