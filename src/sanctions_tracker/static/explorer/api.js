// Reading the public JSON API, the page's state in the query string, and a small DOM helper.

export const FILTERS = ["q", "type", "kind", "country", "actor", "sector", "from", "to"];
export const ENGAGEMENT_FILTERS = ["q", "kind", "country", "actor", "sector", "from", "to"];

export class ApiError extends Error {
  constructor(status, problem, url) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.url = url;
  }
}

// The answer's JSON, or an ApiError carrying the problem document the API sent.
export async function getJSON(path, params = {}) {
  const url = withParams(path, params);
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) throw new ApiError(response.status, body, url);
  return body;
}

export function withParams(path, params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    for (const one of Array.isArray(value) ? value : [value]) search.append(name, one);
  }
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

// The page's state: filters and view options, read from and written to the query string so
// that a filtered view can be linked.
export function readState() {
  const search = new URLSearchParams(window.location.search);
  const state = {};
  for (const [name, value] of search) if (value !== "" && name !== "open") state[name] = value;
  return state;
}

export function setOpenRecord(value) {
  const search = new URLSearchParams(window.location.search);
  if (value) search.set("open", value);
  else search.delete("open");
  const query = search.toString();
  window.history.replaceState(null, "", query ? `${window.location.pathname}?${query}` : window.location.pathname);
}

// The record open in the detail panel (`open`) is the detail panel's to set; it stays as it is.
export function writeState(state, { replace = false } = {}) {
  const open = new URLSearchParams(window.location.search).get("open");
  const url = withParams(window.location.pathname, { ...state, open });
  if (url === window.location.pathname + window.location.search) return;
  if (replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
}

export function pick(state, names) {
  const out = {};
  for (const name of names) if (state[name]) out[name] = state[name];
  return out;
}

export const RECORD_PATHS = {
  engagement: "/v1/engagements",
  sanctions_round: "/v1/sanctions-rounds",
};

export function recordUrl(type, key) {
  return `${RECORD_PATHS[type]}/${encodeURIComponent(key)}`;
}

// h("a", {href: "/x", class: "y"}, "text", child): an element; strings become text nodes.
export function h(tag, attributes = {}, ...children) {
  const svg = ["svg", "g", "circle", "line", "path", "text", "rect", "title"].includes(tag);
  const element = svg
    ? document.createElementNS("http://www.w3.org/2000/svg", tag)
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    // Through the CSSOM: the page's Content-Security-Policy refuses style attributes.
    else if (name === "style") element.style.cssText = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function formatDate(iso) {
  if (!iso) return "";
  const date = new Date(`${iso}T00:00:00Z`);
  return date.toLocaleDateString("en-GB", {
    day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
  });
}

export function humanize(value) {
  return String(value ?? "").replaceAll("_", " ");
}
