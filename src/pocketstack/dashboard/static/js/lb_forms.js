// Load balancer forms: create one with its listener, pool, health check and members (each
// step once the previous change is applied: Octavia refuses changes meanwhile), add a
// listener or members later, put a floating IP on its address.

import { api } from "./api.js";
import * as cloud from "./cloud.js";
import { formDialog, formValues } from "./dialog.js";
import { checkboxes, field, h, select, sleep, toast } from "./ui.js";

const post = (path, body) => api.post("load-balancer", path, body);

const ALGORITHMS = [
  ["ROUND_ROBIN", "Round robin: each server in turn"],
  ["LEAST_CONNECTIONS", "Least connections: the least busy server"],
  ["SOURCE_IP", "Source IP: a client always reaches the same server"],
];
const MONITORS = [
  ["HTTP", "HTTP: a GET of a path answers 200"],
  ["TCP", "TCP: the port accepts connections"],
  ["", "None: every member gets traffic"],
];

// Resolves with the load balancer once its last change is applied (ACTIVE).
export async function settled(lbId, timeout = 180_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const { loadbalancer: lb } = await api.get("load-balancer", `/loadbalancers/${lbId}`);
    if (lb.provisioning_status === "ACTIVE") return lb;
    if (lb.provisioning_status === "ERROR") {
      throw new Error(`Load balancer ${lb.name || lb.id} is in ERROR: delete it and try again.`);
    }
    if (Date.now() > deadline) {
      throw new Error(`Load balancer ${lb.name || lb.id} is still ` +
        `${lb.provisioning_status}; look at it again on the load balancers page.`);
    }
    await sleep(400);
  }
}

// An <ol> of steps shown while a multi-step change runs: busy, done or failed.
function progressList() {
  const list = h("ol", { class: "progress-steps", "aria-live": "polite", hidden: true });
  return {
    list,
    start(label) {
      list.hidden = false;
      const item = h("li", { class: "busy" }, label);
      list.append(item);
      return (state) => { item.className = state; };
    },
  };
}

// One step: create (once, even when the form is sent again after a failure), then wait
// until the load balancer applied it. `made` remembers what exists across attempts.
async function step(progress, made, key, label, create) {
  if (made.done.has(key)) return made[key];
  const mark = progress.start(label);
  try {
    made[key] ??= await create();
    await settled(made.lb);
    made.done.add(key);
    mark("done");
    return made[key];
  } catch (error) {
    mark("failed");
    throw error;
  }
}

function memberChecks(candidates, subnetId) {
  const items = candidates.filter((c) => !subnetId || c.subnet === subnetId);
  return checkboxes("Members", "members", items.map((c) =>
    [`${c.subnet}|${c.address}|${c.server}`, c.label]), () => false,
  "The servers that get the traffic (you can add more later).");
}

function listenerFields(candidates, subnetId) {
  const protocol = select("protocol", [["HTTP", "HTTP"], ["TCP", "TCP"]], { value: "HTTP" });
  const monitor = select("monitor", MONITORS, { value: "HTTP" });
  protocol.addEventListener("change", () => { monitor.value = protocol.value; });
  const port = h("input", { name: "port", type: "number", min: 1, max: 65535, value: 80,
    required: true });
  const memberPort = h("input", { name: "memberPort", type: "number", min: 1, max: 65535,
    value: 80, required: true });
  port.addEventListener("input", () => { memberPort.value = port.value; });
  const members = h("div", { class: "span" }, memberChecks(candidates, subnetId));
  return {
    members,
    fields: [
      field("Protocol", protocol, "HTTP understands requests; TCP passes bytes through."),
      field("Port", port, "Where clients connect, e.g. 80."),
      field("Algorithm", select("algorithm", ALGORITHMS, { value: "ROUND_ROBIN" })),
      field("Health check", monitor, "Members that fail it get no traffic until they pass."),
      field("Health check path", h("input", { name: "path", value: "/", pattern: "/.*" }),
        "For HTTP checks."),
      field("Members' port", memberPort, "The port the servers listen on."),
      members,
    ],
  };
}

async function buildListener(values, made, progress, name) {
  const protocol = values.protocol;
  const listener = await step(progress, made, "listener", `Listener ${protocol} ${values.port}`,
    async () => (await post("/listeners", { listener: { loadbalancer_id: made.lb,
      name: `${name}-${protocol.toLowerCase()}-${values.port}`, protocol,
      protocol_port: Number(values.port) } })).listener.id);
  const pool = await step(progress, made, "pool", "Pool of servers", async () =>
    (await post("/pools", { pool: { listener_id: listener, name: `${name}-pool`, protocol,
      lb_algorithm: values.algorithm } })).pool.id);
  if (values.monitor) {
    await step(progress, made, "monitor", `${values.monitor} health check`, async () =>
      (await post("/healthmonitors", { healthmonitor: { pool_id: pool, type: values.monitor,
        delay: 5, timeout: 3, max_retries: 3,
        url_path: values.monitor === "HTTP" ? values.path || "/" : undefined } }))
        .healthmonitor.id);
  }
  await addMembers(values.members || [], Number(values.memberPort), pool, made, progress);
}

async function addMembers(chosen, port, pool, made, progress) {
  for (const value of chosen) {
    const [subnet, address, server] = value.split("|");
    await step(progress, made, `member ${address}`, `Member ${server} (${address}:${port})`,
      async () => (await post(`/pools/${pool}/members`, { member: { name: server, address,
        protocol_port: port, subnet_id: subnet } })).member.id);
  }
}

const RESUME = " Fix what it says and press the button again: it carries on from this step.";

function resumable(progress, run) {
  return async (form) => {
    try {
      await run(formValues(form));
    } catch (error) {
      throw new Error(progress.list.hidden ? error.message : error.message + RESUME);
    }
  };
}

function subnetOptions(subnets, networks) {
  const names = new Map(networks.map((n) => [n.id, n]));
  return subnets.filter((s) => !names.get(s.network_id)?.["router:external"]).map((s) =>
    [s.id, `${names.get(s.network_id)?.name || "network"}: ${s.name || "subnet"} (${s.cidr})`]);
}

export async function createLoadBalancerDialog(done) {
  const [subnets, networks, candidates] = await Promise.all([cloud.subnets(), cloud.networks(),
    cloud.instanceAddresses()]);
  const options = subnetOptions(subnets, networks);
  const subnet = select("subnet", options, { value: options[0]?.[0], required: true });
  const listener = listenerFields(candidates, subnet.value);
  subnet.addEventListener("change", () =>
    listener.members.replaceChildren(memberChecks(candidates, subnet.value)));
  const progress = progressList();
  const made = { done: new Set() };
  formDialog({
    title: "Create load balancer", submitLabel: "Create load balancer", wide: true,
    intro: "One address that spreads connections over several servers and skips those " +
      "failing their health check.",
    fields: [
      field("Name", h("input", { name: "name", required: true, maxlength: 255,
        autocomplete: "off", placeholder: "e.g. web" })),
      field("Subnet", subnet, "Its address is taken from this subnet."),
      ...listener.fields, progress.list],
    onSubmit: resumable(progress, async (values) => {
      await step(progress, made, "lb", `Load balancer ${values.name}`, async () =>
        (await post("/loadbalancers", { loadbalancer: { name: values.name,
          vip_subnet_id: values.subnet } })).loadbalancer.id);
      await buildListener(values, made, progress, values.name);
      toast(`Load balancer ${values.name} is ready.`, "ok");
      done();
    }),
  });
}

export async function addListenerDialog(lb, done) {
  const candidates = await cloud.instanceAddresses();
  const listener = listenerFields(candidates, lb.vip_subnet_id);
  const progress = progressList();
  const made = { lb: lb.id, done: new Set() };
  formDialog({
    title: `Add a listener to ${lb.name}`, submitLabel: "Add listener", wide: true,
    fields: [...listener.fields, progress.list],
    onSubmit: resumable(progress, async (values) => {
      await buildListener(values, made, progress, lb.name || "lb");
      toast(`${lb.name} listens on ${values.protocol} ${values.port}.`, "ok");
      done();
    }),
  });
}

export async function addMembersDialog(lb, pool, port, done) {
  const taken = new Set(pool.members.map((m) => m.address));
  const candidates = (await cloud.instanceAddresses()).filter((c) => !taken.has(c.address));
  const progress = progressList();
  const made = { lb: lb.id, done: new Set() };
  formDialog({
    title: `Add members to ${pool.name || "the pool"}`, submitLabel: "Add members",
    fields: [memberChecks(candidates),
      field("Members' port", h("input", { name: "memberPort", type: "number", min: 1,
        max: 65535, value: port, required: true })), progress.list],
    onSubmit: resumable(progress, async (values) => {
      if (!values.members?.length) throw new Error("Choose at least one server.");
      await addMembers(values.members, Number(values.memberPort), pool.id, made, progress);
      toast(`Added ${values.members.length} member(s) to ${lb.name}.`, "ok");
      done();
    }),
  });
}

// A floating IP on the load balancer's address: a free one, or a new one allocated now.
export async function vipFloatingIpDialog(lb, done) {
  const [ips, networks] = await Promise.all([cloud.floatingIps(), cloud.networks()]);
  const free = ips.filter((ip) => !ip.port_id).map((ip) =>
    [ip.id, `${ip.floating_ip_address} (allocated, unused)`]);
  const fresh = networks.filter((n) => n["router:external"]).map((n) =>
    [`new:${n.id}`, `A new address from ${n.name}`]);
  formDialog({
    title: `Floating IP for ${lb.name}`, submitLabel: "Associate",
    intro: `Clients outside reach ${lb.vip_address} at this public address. Its network ` +
      "needs a router with an external gateway.",
    fields: [field("Address", select("ip", [...free, ...fresh], { required: true }))],
    onSubmit: async (form) => {
      const { ip } = formValues(form);
      const floatingip = { port_id: lb.vip_port_id };
      const { floatingip: made } = ip.startsWith("new:")
        ? await api.post("network", "/floatingips", { floatingip: { ...floatingip,
          floating_network_id: ip.slice(4) } })
        : await api.put("network", `/floatingips/${ip}`, { floatingip });
      toast(`${made.floating_ip_address} now reaches ${lb.name}.`, "ok");
      done();
    },
  });
}
