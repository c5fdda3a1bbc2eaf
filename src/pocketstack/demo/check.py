"""`pocketstack demo webgame [--check] [--keep]`: deploy, check, tear down, report.

``--check`` plays the game once (a player, two scores, the top ten), verifies that the
replica holds what the primary wrote, puts a bounded load on the floating IP, and times
how long the group takes from the load step to a new PHP server answering, then waits for
the group to come back to its minimum once the load stops. The last line printed is one
JSON object; the exit status is 0 only when every expectation held.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import httpx

from pocketstack.demo.client import CloudClient, DemoError, wait_for
from pocketstack.demo.load import Load, LoadResult
from pocketstack.demo.teardown import Teardown
from pocketstack.demo.webgame import Deployer, GroupShape, Webgame


@dataclass(frozen=True)
class LoadShape:
    concurrency: int = 40
    duration: float = 40.0
    think: float = 0.2


def play(site: str) -> None:
    """A player, two scores and the top ten through the load balancer."""
    with httpx.Client(timeout=10) as http:
        player = expect(http.post(f"{site}/players", json={"name": f"p{time.time_ns()}"}), 201)
        for score in (10, 30):
            expect(http.post(f"{site}/scores", json={
                "player_id": player["player"]["id"], "score": score}), 201)
        top = expect(http.get(f"{site}/top"), 200)["top"]
    if {"name": player["player"]["name"], "score": 30} not in top:
        raise DemoError(f"the top ten lacks the new player's best score: {top}")


def expect(response: httpx.Response, status: int) -> dict:
    if response.status_code != status:
        raise DemoError(f"{response.request.method} {response.request.url} answered "
                        f"{response.status_code}, not {status}: {response.text[:200]}")
    return response.json()


def replication_ok(site: str, timeout: float = 30) -> bool:
    """True once the replica's counts equal the primary's (through GET /replication)."""
    def same() -> bool:
        try:
            counts = httpx.get(f"{site}/replication", timeout=5).json()
        except (httpx.HTTPError, ValueError):
            return False
        return counts["primary"]["players"] > 0 and counts["primary"] == counts["replica"]
    try:
        return wait_for(same, timeout, "the replica to catch up", interval=0.3)
    except DemoError:
        return False


def group_size(cloud: CloudClient, group_id: str) -> int:
    group = cloud.get("autoscaling", f"/groups/{group_id}")["group"]
    return sum(1 for server in group["servers"] if server["status"] == "ACTIVE")


def measure(cloud: CloudClient, game: Webgame, shape: GroupShape, load_shape: LoadShape,
            say) -> dict:
    site = f"http://{game.floating_ip}"
    group_id = game.ids["group"]
    wait_for(lambda: game_answers(site), 240, f"the game to answer at {site}")
    play(site)
    replicated = replication_ok(site)
    say(f"played once; replication {'ok' if replicated else 'NOT ok'}")
    before = first_servers(site)
    load = Load(f"{site}/top", load_shape.concurrency, load_shape.duration, load_shape.think)
    say(f"load: {load_shape.concurrency} clients for {load_shape.duration:g} s on {site}/top")
    load.start()
    most = size = group_size(cloud, group_id)
    while load.thread.is_alive():
        most = max(most, size := group_size(cloud, group_id))
        say(f"  {time.monotonic() - load.started:5.1f} s: {size} PHP servers, "
            f"{load.result.requests} requests, {load.result.failed} failed")
        load.thread.join(2)
    result = load.join()
    say("load over; waiting for scale-in")
    timeout = shape.scale_in_cooldown + shape.drain_timeout + 120
    try:
        wait_for(lambda: group_size(cloud, group_id) <= shape.min_size, timeout,
                 f"the group back at {shape.min_size} server(s)", interval=1)
    except DemoError as error:
        say(str(error))
    return report(result, before, most, group_size(cloud, group_id), replicated)


def game_answers(site: str) -> bool:
    try:
        return httpx.get(f"{site}/top", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def first_servers(site: str) -> set[str]:
    """The PHP servers answering before the load (round robin: a few tries see all)."""
    with httpx.Client(timeout=5) as http:
        return {http.get(f"{site}/top").headers.get("x-served-by", "") for _ in range(8)}


def report(result: LoadResult, before: set[str], most: int, after: int,
           replicated: bool) -> dict:
    new = [offset for host, offset in result.first_seen.items() if host not in before]
    return {"scale_out_seconds": round(min(new), 2) if new else None,
            "max_php_servers": max(most, len(result.first_seen)),
            "min_php_servers_after": after, "requests": result.requests,
            "failed_requests": result.failed, "replication_ok": replicated}


def held(figures: dict, shape: GroupShape) -> list[str]:
    """The expectations that did not hold (empty: all did)."""
    broken = []
    if figures.get("scale_out_seconds") is None:
        broken.append("no new PHP server answered during the load")
    if figures.get("max_php_servers", 0) <= shape.min_size:
        broken.append("the group never grew")
    if figures.get("min_php_servers_after") != shape.min_size:
        broken.append(f"the group did not come back to {shape.min_size}")
    if not figures.get("requests") or figures.get("failed_requests"):
        broken.append(f"{figures.get('failed_requests')} of {figures.get('requests')} "
                      "requests failed")
    if not figures.get("replication_ok"):
        broken.append("the replica did not catch up with the primary")
    if figures.get("teardown_failures"):
        broken.append("teardown left: " + "; ".join(figures["teardown_failures"]))
    return broken


def run(check: bool, keep: bool, say, shape: GroupShape | None = None,
        load_shape: LoadShape | None = None) -> int:
    shape, load_shape = shape or GroupShape(), load_shape or LoadShape()
    cloud = CloudClient()
    teardown = Teardown(say)
    figures: dict = {}
    finished = False
    try:
        cloud.login()
        game = Deployer(cloud, teardown, say).deploy(shape)
        say(f"the game answers at http://{game.floating_ip}/top once a PHP server is up")
        if check:
            figures = measure(cloud, game, shape, load_shape, say)
        finished = True
    except DemoError as error:
        figures["error"] = str(error)
    finally:
        if keep and finished:
            say(f"kept {len(teardown.steps)} resources (--keep); delete them by name "
                "(webgame-*) when done")
        else:
            figures["teardown_failures"] = teardown.run()
        cloud.close()
    if check or "error" in figures:
        broken = [figures["error"]] if "error" in figures else held(figures, shape)
        for reason in broken:
            say(f"FAILED: {reason}")
        print(json.dumps(figures), flush=True)
        return 1 if broken else 0
    return 0
