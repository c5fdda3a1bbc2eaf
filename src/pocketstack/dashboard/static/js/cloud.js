// Reads shared by several pages, in the shapes the pages want.

import { api, list } from "./api.js";
import { session } from "./session.js";

export const servers = () => list("compute", "/servers/detail", "servers");
export const flavors = () => list("compute", "/flavors/detail", "flavors");
export const keypairs = async () =>
  (await list("compute", "/os-keypairs", "keypairs")).map((item) => item.keypair);
export const images = () => list("image", "/images", "images");
export const networks = () => list("network", "/networks", "networks");
export const subnets = () => list("network", "/subnets", "subnets");
export const ports = (query = "") => list("network", `/ports${query}`, "ports");
export const routers = () => list("network", "/routers", "routers");
export const securityGroups = () =>
  list("network", `/security-groups?project_id=${session.project.id}`, "security_groups");
export const floatingIps = () => list("network", "/floatingips", "floatingips");
export const server = async (id) => (await api.get("compute", `/servers/${id}`)).server;

export function byId(items) {
  return new Map(items.map((item) => [item.id, item]));
}

// [{network, addr, type}] of a server's addresses.
export function addressesOf(server) {
  return Object.entries(server.addresses || {}).flatMap(([network, entries]) =>
    entries.map((entry) => ({ network, addr: entry.addr, type: entry["OS-EXT-IPS:type"] })));
}

export function flavorLabel(flavor) {
  if (!flavor) return "–";
  const name = flavor.original_name || flavor.name || flavor.id;
  return `${name} (${flavor.vcpus} vCPU, ${flavor.ram} MiB)`;
}

export const isServerBusy = (s) => Boolean(s["OS-EXT-STS:task_state"]) ||
  ["BUILD", "REBOOT", "HARD_REBOOT", "DELETING"].includes(s.status);

const lbaas = async (path, key) => (await api.get("load-balancer", path))[key];
export const loadBalancers = () => lbaas("/loadbalancers", "loadbalancers");
export const pools = () => lbaas("/pools", "pools");

// Instances' addresses that can be a pool member or take a floating IP:
// [{server, port, subnet, address, label}], optionally only those on `subnetId`.
export async function instanceAddresses(subnetId) {
  const [serverList, portList] = await Promise.all([servers(),
    ports("?device_owner=compute:nova")]);
  const names = new Map(serverList.map((s) => [s.id, s.name]));
  return portList.filter((p) => names.has(p.device_id)).flatMap((p) => p.fixed_ips
    .filter((ip) => !subnetId || ip.subnet_id === subnetId)
    .map((ip) => ({ server: names.get(p.device_id), port: p.id, subnet: ip.subnet_id,
      address: ip.ip_address, label: `${names.get(p.device_id)} — ${ip.ip_address}` })))
    .sort((a, b) => a.label.localeCompare(b.label));
}
