"""`pocketstack scaling group list|show|create|set|delete|resize|events`.

A client of the autoscaling API (``docs/autoscaling.md``) with the ``OS_*`` credentials,
like the stock clients; tables as the openstack client prints them, or ``-f json``.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import click

from pocketstack.cli.scaling_client import Cloud, ScalingError, resolve, show_table

METRICS = ("loadbalancer_connections", "loadbalancer_request_rate", "http_regex", "cpu")
LIST_COLUMNS = ("id", "name", "status", "desired_size", "current_size", "min_size", "max_size",
                "last_metric")
EVENT_COLUMNS = ("created_at", "action", "from_size", "to_size", "metric", "reason")

format_option = click.option("-f", "--format", "output", type=click.Choice(["table", "json"]),
                             default="table", show_default=True, help="Output format.")


def find_group(cloud: Cloud, group: str) -> dict:
    """The group with ID ``group``, else the only one named ``group``."""
    for candidate in cloud.call("GET", "autoscaling", "/groups")["groups"]:
        if group in (candidate["id"], candidate["name"]):
            return candidate
    raise ScalingError(f"No scaling group with a name or ID of {group!r}; see "
                       "`pocketstack scaling group list`.")


def print_group(group: dict, output: str) -> None:
    if output == "json":
        click.echo(json.dumps(group, indent=2, sort_keys=True))
        return
    shown = dict(group)
    shown["servers"] = "\n".join(f"{s['name']} {s['id']} {s['status']} {s['scaling_state']}"
                                 for s in group["servers"])
    show_table([[key, shown[key]] for key in sorted(shown)], ["Field", "Value"])


@click.group()
def scaling() -> None:
    """Autoscaling groups (OS_* credentials, like the openstack client)."""


@scaling.group()
def group() -> None:
    """Create, inspect, change, resize and delete scaling groups."""


@group.command("list")
@format_option
@click.option("--all-projects", is_flag=True, help="Every project's groups (admin).")
def list_groups(output: str, all_projects: bool) -> None:
    """List scaling groups."""
    params = {"all_projects": "true"} if all_projects else {}
    found = Cloud().call("GET", "autoscaling", "/groups", params=params)["groups"]
    if output == "json":
        click.echo(json.dumps(found, indent=2, sort_keys=True))
        return
    show_table([[g[c] for c in LIST_COLUMNS] for g in found],
               [c.replace("_", " ").title().replace("Id", "ID") for c in LIST_COLUMNS])


@group.command("show")
@click.argument("name_or_id")
@format_option
def show_group(name_or_id: str, output: str) -> None:
    """Show a scaling group with its servers."""
    cloud = Cloud()
    found = find_group(cloud, name_or_id)
    print_group(cloud.call("GET", "autoscaling", f"/groups/{found['id']}")["group"], output)


def metric_options(command):
    options = [
        click.option("--metric", type=click.Choice(METRICS), help="What to follow."),
        click.option("--target", type=float, help="Metric value one server should carry."),
        click.option("--url", help="http_regex: the URL to GET."),
        click.option("--regex", help="http_regex: group 1 is the number."),
        click.option("--scale-out-cooldown", type=float, help="Seconds between scale-outs."),
        click.option("--scale-in-cooldown", type=float,
                     help="Seconds after any scaling before a scale-in."),
        click.option("--drain-timeout", type=float,
                     help="Seconds a pool member may drain before its server goes."),
        click.option("--min", "min_size", type=int, help="Fewest servers."),
        click.option("--max", "max_size", type=int, help="Most servers."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def metric_of(kind, target, url, regex) -> dict | None:
    if kind is None:
        if target is not None or url or regex:
            raise ScalingError("--target, --url and --regex need --metric.")
        return None
    if target is None:
        raise ScalingError("--metric needs --target (the value per server).")
    metric = {"type": kind, "target": target}
    if url is not None:
        metric["url"] = url
    if regex is not None:
        metric["regex"] = regex
    return metric


def policy_fields(options: dict) -> dict:
    keys = ("scale_out_cooldown", "scale_in_cooldown", "drain_timeout", "min_size", "max_size")
    return {key: options[key] for key in keys if options[key] is not None}


@group.command("create")
@click.argument("name")
@click.option("--image", required=True, help="Image name or ID.")
@click.option("--flavor", required=True, help="Flavor name or ID.")
@click.option("--network", "networks", multiple=True, help="Network name or ID (repeatable).")
@click.option("--security-group", "security_groups", multiple=True,
              help="Security group name or ID (repeatable).")
@click.option("--key-name", help="Keypair to inject.")
@click.option("--user-data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="File passed to each server as user-data.")
@click.option("--property", "properties", multiple=True, help="Server metadata KEY=VALUE.")
@metric_options
@click.option("--pool", help="Load balancer pool ID new servers join.")
@click.option("--protocol-port", type=int, default=80, show_default=True,
              help="The port members serve on.")
@click.option("--subnet", help="Subnet ID of the members' addresses.")
@format_option
def create_group(name, image, flavor, networks, security_groups, key_name, user_data,
                 properties, pool, protocol_port, subnet, output, **options) -> None:
    """Create a scaling group NAME; its servers are named NAME-<6 hex>."""
    cloud = Cloud()
    server = {"image_id": resolve(cloud, "image", image),
              "flavor_id": resolve(cloud, "flavor", flavor),
              "metadata": dict(item.split("=", 1) for item in properties)}
    if networks:
        server["networks"] = [{"uuid": resolve(cloud, "network", n)} for n in networks]
    if security_groups:
        server["security_groups"] = [{"name": g} for g in security_groups]
    if key_name:
        server["key_name"] = key_name
    if user_data:
        server["user_data"] = base64.b64encode(user_data.read_bytes()).decode()
    body = {"name": name, "server": server, "min_size": 1, "max_size": 1,
            **policy_fields(options)}
    body["max_size"] = options["max_size"] or max(body["min_size"], 1)
    metric = metric_of(options["metric"], options["target"], options["url"], options["regex"])
    if metric:
        body["metric"] = metric
    if pool:
        body["load_balancer"] = {"pool_id": pool, "protocol_port": protocol_port,
                                 "subnet_id": subnet}
    created = cloud.call("POST", "autoscaling", "/groups", expect=(201,), json={"group": body})
    print_group(created["group"], output)


@group.command("set")
@click.argument("name_or_id")
@click.option("--name", help="A new name (new servers take it).")
@metric_options
@click.option("--no-metric", is_flag=True, help="Size by hand only (resize).")
@click.option("--image", help="New servers' image.")
@click.option("--flavor", help="New servers' flavor.")
def set_group(name_or_id, name, no_metric, image, flavor, **options) -> None:
    """Change a group's bounds, metric, cooldowns or template."""
    cloud = Cloud()
    found = find_group(cloud, name_or_id)
    changes = policy_fields(options)
    if name:
        changes["name"] = name
    metric = metric_of(options["metric"], options["target"], options["url"], options["regex"])
    if metric or no_metric:
        changes["metric"] = metric
    if image or flavor:
        template = dict(found["server"])
        if image:
            template["image_id"] = resolve(cloud, "image", image)
        if flavor:
            template["flavor_id"] = resolve(cloud, "flavor", flavor)
        changes["server"] = {k: v for k, v in template.items() if v is not None}
    if not changes:
        raise ScalingError("Nothing to change; see `pocketstack scaling group set --help`.")
    cloud.call("PUT", "autoscaling", f"/groups/{found['id']}", json={"group": changes})


@group.command("resize")
@click.argument("name_or_id")
@click.argument("desired_size", type=int)
def resize_group(name_or_id: str, desired_size: int) -> None:
    """Set a group's size by hand (the metric resumes after the cooldowns)."""
    cloud = Cloud()
    found = find_group(cloud, name_or_id)
    cloud.call("POST", "autoscaling", f"/groups/{found['id']}/resize", expect=(202,),
               json={"desired_size": desired_size})


@group.command("delete")
@click.argument("names_or_ids", nargs=-1, required=True)
def delete_group(names_or_ids: tuple[str, ...]) -> None:
    """Delete groups: their servers drain and go, then the groups."""
    cloud = Cloud()
    for name_or_id in names_or_ids:
        found = find_group(cloud, name_or_id)
        cloud.call("DELETE", "autoscaling", f"/groups/{found['id']}", expect=(204,))


@group.command("events")
@click.argument("name_or_id")
@click.option("--limit", type=int, default=20, show_default=True, help="How many, newest first.")
@format_option
def group_events(name_or_id: str, limit: int, output: str) -> None:
    """What a group decided and did, newest first, with the reasons."""
    cloud = Cloud()
    found = find_group(cloud, name_or_id)
    events = cloud.call("GET", "autoscaling", f"/groups/{found['id']}/events",
                        params={"limit": limit})["events"]
    if output == "json":
        click.echo(json.dumps(events, indent=2, sort_keys=True))
        return
    show_table([[e[c] for c in EVENT_COLUMNS] for e in events],
               [c.replace("_", " ").title() for c in EVENT_COLUMNS])
