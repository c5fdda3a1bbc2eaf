// The same-origin OpenStack APIs, called with the session's token.
// Every failure becomes an ApiError whose message is the API's own words.

import { session } from "./session.js";

const BASES = {
  identity: "/identity/v3",
  compute: "/compute/v2.1",
  image: "/image/v2",
  network: "/network/v2.0",
  "load-balancer": "/load-balancer/v2/lbaas",
  autoscaling: "/autoscaling/v1",
  dashboard: "/dashboard/api",
};
export const COMPUTE_VERSION = "2.79";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// The message inside any service's error envelope: Nova {"badRequest": {"message"}},
// Neutron {"NeutronError": {"message"}}, Keystone {"error": {"message"}}, Glance {"message"}.
export function messageOf(body, fallback) {
  if (body && typeof body === "object") {
    if (typeof body.message === "string") return body.message;
    for (const value of Object.values(body)) {
      if (value && typeof value.message === "string") return value.message;
    }
  }
  if (typeof body === "string" && body.trim()) return body.trim().slice(0, 300);
  return fallback;
}

function headersFor(service, extra, token) {
  const headers = { Accept: "application/json", ...extra };
  if (token) headers["X-Auth-Token"] = token;
  if (service === "compute") {
    headers["OpenStack-API-Version"] = `compute ${COMPUTE_VERSION}`;
    headers["X-OpenStack-Nova-API-Version"] = COMPUTE_VERSION;
  }
  return headers;
}

async function parse(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// fetch() one API call. options: body (JSON), headers, token (override), raw (Response).
export async function call(service, method, path, options = {}) {
  const token = options.token ?? session.token;
  const init = { method, headers: headersFor(service, options.headers, token) };
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    init.headers["Content-Type"] = options.contentType || "application/json";
  }
  let response;
  try {
    response = await fetch(BASES[service] + path, init);
  } catch (error) {
    throw new ApiError(0, `The cloud did not answer (${error.message}). Is it running?`);
  }
  if (options.raw && response.ok) return response;
  const body = await parse(response);
  if (!response.ok) {
    if (response.status === 401 && token && !options.noExpire) session.expired();
    throw new ApiError(response.status, messageOf(body, `${response.status} ${response.statusText}`));
  }
  return options.withHeaders ? { body, headers: response.headers } : body;
}

export const api = {
  get: (service, path, options) => call(service, "GET", path, options),
  post: (service, path, body, options = {}) => call(service, "POST", path, { ...options, body }),
  put: (service, path, body, options = {}) => call(service, "PUT", path, { ...options, body }),
  patch: (service, path, body, options = {}) => call(service, "PATCH", path, { ...options, body }),
  del: (service, path, options) => call(service, "DELETE", path, options),
};

// The whole collection, following Glance's `next` links.
export async function list(service, path, key) {
  let body = await api.get(service, path);
  const items = [...(body[key] || [])];
  while (service === "image" && body.next && items.length < 5000) {
    body = await api.get(service, body.next.replace(/^\/v2/, ""));
    items.push(...(body[key] || []));
  }
  return items;
}

// PUT a file with upload progress (fetch() cannot report it): onProgress(sent, total).
export function upload(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", BASES.image + path);
    request.setRequestHeader("X-Auth-Token", session.token);
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.upload.onprogress = (event) => onProgress(event.loaded, event.total || file.size);
    request.onerror = () => reject(new ApiError(0, "The upload was interrupted."));
    request.onload = () => {
      if (request.status < 300) return resolve();
      let body = request.responseText;
      try { body = JSON.parse(body); } catch { /* plain text */ }
      reject(new ApiError(request.status, messageOf(body, `Upload failed (${request.status}).`)));
    };
    request.send(file);
  });
}
