"""Identity hardening: failed-login throttling, short-lived tokens, no password in any log."""

from __future__ import annotations

import logging
import time

import pytest
from starlette.testclient import TestClient

from pocketstack.config import Settings
from pocketstack.services.identity.throttle import WINDOW, LoginGuard, LoginThrottle
from pocketstack.wiring import assemble
from tests.conftest import issue_token
from tests.unit.identity.conftest import V3, password_body


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(deployment) -> Clock:
    """The identity app's throttle (5 failures, 300 s lockout) on a clock the test moves."""
    clock = Clock()
    identity = next(route.app for route in deployment.app.routes
                    if getattr(route, "path", "") == "/identity")
    identity.state.login_throttle = LoginThrottle(5, 300, clock=clock)
    return clock


def login(client, name: str, password: str):
    return client.post(f"{V3}/auth/tokens", json=password_body(name, password))


def test_five_failures_lock_the_user_out_even_with_the_right_password(client, make_user, clock):
    make_user("victim", password="right-pw")
    assert {login(client, "victim", "wrong").status_code for _ in range(5)} == {401}

    locked = login(client, "victim", "right-pw")

    assert locked.status_code == 401
    assert "Too many failed login attempts" in locked.json()["error"]["message"]
    clock.now += 301
    assert login(client, "victim", "right-pw").status_code == 201


def test_lockout_does_not_check_the_password(client, make_user, clock, monkeypatch):
    make_user("victim", password="right-pw")
    for _ in range(5):
        login(client, "victim", "wrong")
    checked = []
    monkeypatch.setattr("pocketstack.services.identity.auth.verify_password",
                        lambda *args: checked.append(args) or True)
    assert login(client, "victim", "right-pw").status_code == 401
    assert checked == []


def test_a_success_resets_the_count_and_other_users_are_untouched(client, make_user, clock,
                                                                  deployment):
    make_user("victim", password="right-pw")
    for _ in range(4):
        login(client, "victim", "wrong")
    assert login(client, "victim", "right-pw").status_code == 201
    for _ in range(4):
        login(client, "victim", "wrong")
    assert login(client, "victim", "right-pw").status_code == 201
    for _ in range(5):
        login(client, "victim", "wrong")
    assert login(client, "victim", "right-pw").status_code == 401
    assert login(client, "demo", deployment.accounts["demo"].password).status_code == 201


def test_unknown_users_lock_out_like_known_ones(client, clock):
    for _ in range(5):
        assert login(client, "ghost", "wrong").status_code == 401
    assert "Too many failed" in login(client, "ghost", "any").json()["error"]["message"]


def test_password_change_guesses_count_as_failed_logins(client, make_user, clock):
    user, _api = make_user("victim", password="right-pw")
    change = {"user": {"original_password": "guess", "password": "mine-now"}}
    for _ in range(5):
        assert client.post(f"{V3}/users/{user['id']}/password", json=change).status_code == 401
    change["user"]["original_password"] = "right-pw"
    assert client.post(f"{V3}/users/{user['id']}/password", json=change).status_code == 401
    assert login(client, "victim", "right-pw").status_code == 401


def test_throttle_counts_failures_within_the_window_per_address():
    clock = Clock()
    throttle = LoginThrottle(limit=3, lockout=10, clock=clock)
    here, there = LoginGuard(throttle, "10.0.0.1"), LoginGuard(throttle, "10.0.0.2")
    for _ in range(2):
        assert not here.verify("u1", lambda: False)
        clock.now += WINDOW  # failures spread beyond the window never add up
    for _ in range(3):
        here.verify("u1", lambda: False)
    with pytest.raises(Exception, match="Too many failed"):
        here.verify("u1", lambda: True)
    assert there.verify("u1", lambda: True), "another address is not locked out"
    clock.now += 11
    assert here.verify("u1", lambda: True)


def test_tokens_expire_after_the_configured_ttl(tmp_path):
    deployment = assemble(Settings(data_dir=tmp_path / "d", port=18874, driver="fake",
                                   token_ttl_seconds=1), start_agent=False)
    try:
        client = TestClient(deployment.app, raise_server_exceptions=False)
        token = issue_token(client, "demo", deployment.accounts["demo"].password, "demo")
        headers = {"X-Auth-Token": token}
        assert client.get(f"{V3}/auth/catalog", headers=headers).status_code == 200
        time.sleep(1.2)
        assert client.get(f"{V3}/auth/catalog", headers=headers).status_code == 401
        assert client.get(f"{V3}/auth/tokens", headers={
            "X-Auth-Token": issue_token(client, "demo", deployment.accounts["demo"].password,
                                        "demo"), "X-Subject-Token": token}).status_code == 404
    finally:
        deployment.cloud.db.dispose()


def test_no_password_reaches_any_log(client, admin, caplog, deployment):
    secrets = ["Create-Secret-1", "Changed-Secret-2", "Wrong-Secret-3", "Reset-Secret-4"]
    caplog.set_level(logging.DEBUG)  # everything, SQL statements and parameters included
    sql = logging.getLogger("sqlalchemy.engine")
    level = sql.level
    sql.setLevel(logging.DEBUG)
    try:
        user = admin.post(f"{V3}/users", json={"user": {
            "name": "logged", "password": secrets[0]}}).json()["user"]
        member = admin.get(f"{V3}/roles?name=member").json()["roles"][0]["id"]
        admin.put(f"{V3}/projects/{deployment.accounts['demo'].project_id}/users/"
                  f"{user['id']}/roles/{member}")
        assert login(client, "logged", secrets[0]).status_code == 201
        assert client.post(f"{V3}/users/{user['id']}/password", json={"user": {
            "original_password": secrets[0], "password": secrets[1]}}).status_code == 204
        assert login(client, "logged", secrets[2]).status_code == 401
        admin.patch(f"{V3}/users/{user['id']}", json={"user": {"password": secrets[3]}})
        assert login(client, "logged", secrets[3]).status_code == 201
    finally:
        sql.setLevel(level)
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert "INSERT INTO" in logged or "UPDATE" in logged, "SQL logging was captured"
    assert [s for s in secrets if s in logged] == []


def test_parallel_attempts_are_counted_before_their_password_is_checked():
    throttle = LoginThrottle(limit=3, lockout=10, clock=Clock())
    key = ("u1", "10.0.0.1")
    for _ in range(3):  # three requests in flight: none has failed yet
        throttle.check(key)
    with pytest.raises(Exception, match="Too many failed"):
        throttle.check(key)
    throttle.succeeded(key)  # one in flight had the right password
    throttle.check(key)


def test_a_full_throttle_evicts_unlocked_records_never_lockouts(monkeypatch):
    monkeypatch.setattr("pocketstack.services.identity.throttle.MAX_KEYS", 20)
    clock = Clock()
    throttle = LoginThrottle(limit=2, lockout=1000, clock=clock)
    locked = LoginGuard(throttle, "10.0.0.1")
    for _ in range(2):
        locked.verify("victim", lambda: False)
    for number in range(200):  # a spray of made-up names, all within the window
        clock.now += 0.01
        LoginGuard(throttle, "10.0.0.2").verify(f"ghost{number}", lambda: False)
    with pytest.raises(Exception, match="Too many failed"):
        locked.verify("victim", lambda: True)
    assert len(throttle._records) <= 20
    assert ("ghost199", "10.0.0.2") in throttle._records  # the newest are kept
    assert ("ghost0", "10.0.0.2") not in throttle._records


def test_the_server_never_takes_the_client_address_from_a_header(tmp_path):
    from pocketstack.cli.serve import server_config

    config = server_config(object(), Settings(data_dir=tmp_path / "d", port=18951))
    assert config.proxy_headers is False
    config.load()
    assert "ProxyHeadersMiddleware" not in type(config.loaded_app).__name__
