// The "Create autoscaling group" dialog: a server template (the launch pickers), sizes,
// the metric with its target per server, cooldowns and an optional load balancer pool.

import { api } from "./api.js";
import * as cloud from "./cloud.js";
import { formDialog, formValues } from "./dialog.js";
import { templateChoices, templateFields, templateValues } from "./launch.js";
import { field, h, select, toast } from "./ui.js";

const METRICS = [
  ["", "None: a fixed size (resize it by hand)"],
  ["cpu", "CPU use (100 = one busy CPU)"],
  ["loadbalancer_connections", "Load balancer: connections in flight"],
  ["loadbalancer_request_rate", "Load balancer: requests per second"],
  ["http_regex", "A number read from a web page (URL + regex)"],
];
const TARGETS = { cpu: 50, loadbalancer_connections: 10, loadbalancer_request_rate: 20,
  http_regex: 10 };

const number = (name, value, attrs = {}) => h("input", { name, type: "number", value,
  required: true, ...attrs });

async function poolOptions() {
  const [pools, lbs] = await Promise.all([cloud.pools(), cloud.loadBalancers()]);
  const names = new Map(lbs.map((lb) => [lb.id, lb.name || lb.id]));
  return pools.map((p) => [p.id,
    `${names.get(p.loadbalancers[0]?.id) || "load balancer"}: ${p.name || p.id} (${p.protocol})`]);
}

// The metric select shows the URL and regex fields only for http_regex (then required).
function metricFields() {
  const metric = select("metric", METRICS, { value: "cpu" });
  const target = number("target", TARGETS.cpu, { min: 0.01, step: "any" });
  const url = h("input", { name: "url", type: "url", autocomplete: "off" });
  const regex = h("input", { name: "regex", placeholder: "BusyWorkers: (\\d+)" });
  const urlField = field("URL", url, "An http(s) address read every second (2 s timeout), " +
    "e.g. Apache's server-status?auto page.");
  const regexField = field("Regex", regex, "Its first group (…) is the number.");
  const targetField = field("Target per server", target,
    "How much one server should carry: servers = metric ÷ target, within min and max.");
  const sync = () => {
    const web = metric.value === "http_regex";
    urlField.hidden = !web;
    regexField.hidden = !web;
    url.required = web;
    regex.required = web;
    targetField.hidden = !metric.value;
    target.required = Boolean(metric.value);
    if (metric.value) target.value = TARGETS[metric.value];
  };
  metric.addEventListener("change", sync);
  sync();
  return [field("Metric", metric, "What sizes the group."), targetField, urlField, regexField];
}

function groupRequest(values) {
  const template = templateValues(values);
  const [min, max] = [Number(values.min), Number(values.max)];
  if (min > max) throw new Error("Min servers must not be more than max servers.");
  if (values.metric.startsWith("loadbalancer_") && !values.pool) {
    throw new Error("A load balancer metric needs a pool: choose one below.");
  }
  const metric = values.metric ? { type: values.metric, target: Number(values.target) } : null;
  if (values.metric === "http_regex") Object.assign(metric, { url: values.url, regex: values.regex });
  return { group: {
    name: values.name, min_size: min, max_size: max, metric,
    server: { image_id: template.image, flavor_id: template.flavor,
      networks: template.networks, security_groups: template.security_groups,
      key_name: template.key_name, user_data: template.user_data },
    scale_out_cooldown: Number(values.outCooldown), scale_in_cooldown: Number(values.inCooldown),
    load_balancer: values.pool ? { pool_id: values.pool,
      protocol_port: Number(values.memberPort) } : undefined,
  } };
}

export async function createGroupDialog(done) {
  const [choices, pools] = await Promise.all([templateChoices(), poolOptions()]);
  formDialog({
    title: "Create autoscaling group", submitLabel: "Create group", wide: true,
    intro: "Identical servers made from one template; their number follows a metric, " +
      "between min and max.",
    fields: [
      field("Name", h("input", { name: "name", required: true, maxlength: 63,
        pattern: "[A-Za-z0-9._\\-]+", autocomplete: "off", placeholder: "e.g. php" }),
      "Servers are named name-xxxxxx."),
      field("Min servers", number("min", 1, { min: 0, max: 100 })),
      field("Max servers", number("max", 3, { min: 1, max: 100 })),
      ...templateFields(choices),
      ...metricFields(),
      field("Scale-out cooldown (s)", number("outCooldown", 5, { min: 0, max: 86400 }),
        "Wait at least this long between two scale-outs."),
      field("Scale-in cooldown (s)", number("inCooldown", 30, { min: 0, max: 86400 }),
        "Wait this long after any change before removing servers."),
      field("Load balancer pool (optional)", select("pool", [["", "None"], ...pools]),
        "New servers join it once ACTIVE; removed ones are drained first."),
      field("Members' port", number("memberPort", 80, { min: 1, max: 65535 }),
        "The port the servers serve in the pool."),
    ],
    onSubmit: async (form) => {
      const request = groupRequest(formValues(form));
      await api.post("autoscaling", "/groups", request);
      toast(`Creating group ${request.group.name}: its servers appear below.`, "ok");
      done();
    },
  });
}
