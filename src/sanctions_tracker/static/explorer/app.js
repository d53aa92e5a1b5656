// The explorer: filters, timeline (cursor pages), and the panels that follow the filters.
import {
  ENGAGEMENT_FILTERS, FILTERS, formatDate, getJSON, h, humanize, pick, readState, RECORD_PATHS, recordUrl,
  writeState,
} from "./api.js";
import { closeDetail, openDetail } from "./detail.js";
import { drawMap } from "./map.js";
import { drawNetwork } from "./network.js";
import { drawCoordination } from "./coordination.js";

const PAGE_SIZE = 50;
const $ = (selector) => document.querySelector(selector);

let state = readState();
let nextCursor = null;
let loadId = 0;

function setStatus(text, isError = false) {
  const status = $("#status");
  status.textContent = text;
  status.classList.toggle("error", isError);
}

// Without a kind, the timeline stream; with one, the engagement list (rounds have no kind).
function timelineRequest(cursor) {
  const common = { limit: PAGE_SIZE, cursor };
  if (state.kind) {
    if (state.type === "sanctions_round") return null;
    return { path: "/v1/engagements", params: { ...pick(state, ENGAGEMENT_FILTERS), ...common } };
  }
  return {
    path: "/v1/timeline",
    params: { ...pick(state, ["q", "type", "country", "actor", "sector", "from", "to"]), ...common },
  };
}

function itemType(item) {
  return item.type || "engagement";
}

function timelineItem(item) {
  const type = itemType(item);
  const date = item.date || item.start_date || item.announced_on;
  const url = recordUrl(type, item.key);
  const isTrip = type === "engagement" && item.kind === "trip";
  const badge = type === "engagement" ? humanize(item.kind) : "sanctions round";
  const who = type === "engagement"
    ? item.participants.map((p) => p.actor.name).join(", ")
    : `${item.imposed_by.join(", ")} → ${item.targets.join(", ")}`;
  const where = type === "engagement" && item.location
    ? [item.location.city, item.location.country].filter(Boolean).join(", ") : "";
  const open = new URLSearchParams(window.location.search).get("open");
  const selected = open === `${type}:${item.key}` ? " selected" : "";
  return h("li", { class: `item ${type}${selected}`, "data-key": item.key, "data-type": type },
    h("time", { datetime: date }, formatDate(date)),
    h("div", {},
      h("span", { class: `badge ${isTrip ? "trip" : type}` }, badge),
      h("button", {
        type: "button", class: "title",
        onclick: () => openDetail(type, item.key),
      }, item.title)),
    h("div", { class: "meta" },
      who, where ? ` · ${where}` : "",
      item.countries && item.countries.length ? ` · ${item.countries.join(", ")}` : "",
      item.parent ? ` · leg of a trip` : "",
      h("a", { href: url, class: "json", "aria-label": `JSON of ${item.title}` }, "JSON")));
}

async function loadTimeline({ append = false } = {}) {
  const request = timelineRequest(append ? nextCursor : undefined);
  const list = $("#timeline");
  const more = $("#more");
  if (!append) list.replaceChildren();
  if (request === null) {
    $("#timeline-count").textContent = "0 items (sanctions rounds have no kind)";
    more.hidden = true;
    return;
  }
  const page = await getJSON(request.path, request.params);
  for (const item of page.items) list.append(timelineItem(item));
  nextCursor = page.next_cursor;
  more.hidden = !nextCursor;
  const shown = list.children.length;
  $("#timeline-count").textContent =
    `${page.total.toLocaleString("en")} items${page.total > shown ? `, ${shown} shown` : ""}`;
  list.dataset.total = page.total;
}

// Counts per month from the statistics endpoints, never from the items themselves.
async function loadHistogram() {
  const engagementFilters = pick(state, ENGAGEMENT_FILTERS);
  const wantEngagements = state.type !== "sanctions_round";
  const wantRounds = state.type !== "engagement" && !state.kind && !state.actor;
  const roundFilters = pick(state, ["q", "sector", "from", "to"]);
  const asks = [];
  asks.push(wantEngagements
    ? getJSON("/v1/stats/engagements", { ...engagementFilters, group_by: "month" })
    : Promise.resolve({ buckets: [] }));
  if (!wantRounds) {
    asks.push(Promise.resolve({ buckets: [] }));
  } else if (state.country) {
    // The timeline keeps rounds imposed by or targeting the country; a round never does both,
    // so the two counts add up.
    asks.push(Promise.all([
      getJSON("/v1/stats/sanctions-rounds", { ...roundFilters, imposed_by: state.country, group_by: "month" }),
      getJSON("/v1/stats/sanctions-rounds", { ...roundFilters, target: state.country, group_by: "month" }),
    ]).then(([a, b]) => ({ buckets: [...a.buckets, ...b.buckets] })));
  } else {
    asks.push(getJSON("/v1/stats/sanctions-rounds", { ...roundFilters, group_by: "month" }));
  }
  const [engagements, rounds] = await Promise.all(asks);
  const months = new Map();
  const add = (buckets, type) => {
    for (const bucket of buckets) {
      const month = bucket.key.month;
      const counts = months.get(month) || { month, engagement: 0, sanctions_round: 0 };
      counts[type] += bucket.count;
      months.set(month, counts);
    }
  };
  add(engagements.buckets, "engagement");
  add(rounds.buckets, "sanctions_round");
  drawHistogram([...months.values()].sort((a, b) => a.month.localeCompare(b.month)));
}

function drawHistogram(rows) {
  const svg = d3.select("#histogram");
  svg.selectAll("*").remove();
  const width = svg.node().clientWidth || 400;
  const height = 90;
  const margin = { top: 6, right: 6, bottom: 18, left: 40 };
  svg.attr("viewBox", `0 0 ${width} ${height}`);
  if (!rows.length) {
    svg.append("text").attr("x", width / 2).attr("y", height / 2).attr("text-anchor", "middle")
      .attr("fill", "#5a6478").text("Nothing matches these filters");
    return;
  }
  const parse = d3.utcParse("%Y-%m");
  const keys = ["engagement", "sanctions_round"];
  const stacked = d3.stack().keys(keys)(rows);
  const x = d3.scaleBand().domain(rows.map((r) => r.month)).range([margin.left, width - margin.right])
    .padding(0.15);
  const y = d3.scaleLinear()
    .domain([0, d3.max(rows, (r) => r.engagement + r.sanctions_round) || 1]).nice()
    .range([height - margin.bottom, margin.top]);
  const colour = { engagement: "#1f77b4", sanctions_round: "#c0392b" };
  svg.append("g").selectAll("g").data(stacked).join("g").attr("fill", (s) => colour[s.key])
    .selectAll("rect").data((s) => s).join("rect")
    .attr("x", (d) => x(d.data.month)).attr("width", x.bandwidth())
    .attr("y", (d) => y(d[1])).attr("height", (d) => y(d[0]) - y(d[1]))
    .append("title").text((d) => `${d.data.month}: ${d.data.engagement} engagements, `
      + `${d.data.sanctions_round} sanctions rounds`);
  const every = Math.max(1, Math.ceil(rows.length / Math.max(1, Math.floor(width / 70))));
  svg.append("g").attr("transform", `translate(0,${height - margin.bottom})`)
    .call(d3.axisBottom(x).tickValues(rows.map((r) => r.month).filter((_, i) => i % every === 0))
      .tickFormat((m) => d3.utcFormat("%b %Y")(parse(m))).tickSizeOuter(0))
    .call((g) => g.selectAll("text").attr("font-size", 10));
  svg.append("g").attr("transform", `translate(${margin.left},0)`)
    .call(d3.axisLeft(y).ticks(3).tickSizeOuter(0))
    .call((g) => g.selectAll("text").attr("font-size", 10));
}

async function fillChoices() {
  const [engagementFacets, roundFacets, sectors] = await Promise.all([
    getJSON("/v1/engagements", { limit: 0, facets: ["kind", "country", "actor"] }),
    getJSON("/v1/sanctions-rounds", { limit: 0, facets: ["target", "imposed_by"] }),
    getJSON("/v1/sectors", { limit: 500 }),
  ]);
  const kind = $("#f-kind");
  for (const value of engagementFacets.facets.kind) {
    kind.append(h("option", { value: value.value }, `${humanize(value.value)} (${value.count})`));
  }
  const countries = new Map();
  for (const facet of [engagementFacets.facets.country, roundFacets.facets.imposed_by,
    roundFacets.facets.target]) {
    for (const value of facet) countries.set(value.value, (countries.get(value.value) || 0) + value.count);
  }
  $("#countries").replaceChildren(...[...countries].sort((a, b) => b[1] - a[1]).slice(0, 300)
    .map(([code]) => h("option", { value: code })));
  $("#actors").replaceChildren(...engagementFacets.facets.actor.slice(0, 300)
    .map((value) => h("option", { value: value.value }, value.label)));
  $("#targets").replaceChildren(...roundFacets.facets.target
    .map((value) => h("option", { value: value.value }, `${value.count} rounds`)));
  const sector = $("#f-sector");
  for (const item of [...sectors.items].sort((a, b) => a.name.localeCompare(b.name))) {
    sector.append(h("option", { value: item.key }, item.parent ? `${item.parent.name} › ${item.name}` : item.name));
  }
  showStateInForm();
}

function showStateInForm() {
  const form = $("#filters");
  for (const name of FILTERS) form.elements[name].value = state[name] || "";
  $("#n-level").value = state.level || "actor";
  $("#c-target").value = state.target || "RU";
  $("#c-window").value = state.window || "14";
}

function stateFromForm() {
  const form = $("#filters");
  const next = { ...state };
  for (const name of FILTERS) {
    const value = form.elements[name].value.trim();
    if (value) next[name] = value;
    else delete next[name];
  }
  return next;
}

// A panel's work; its failure is answered with the panel's name and the API's message.
async function guarded(label, work) {
  try {
    await work();
    return null;
  } catch (error) {
    return { label, message: error.message };
  }
}

// One panel redrawn on its own: its failure goes to the status line.
async function redraw(label, work) {
  const failure = await guarded(label, work);
  if (failure) setStatus(`${failure.label}: ${failure.message}`, true);
}

async function refresh() {
  const id = ++loadId;
  setStatus("Loading…");
  document.body.dataset.ready = "false";
  const results = await Promise.all([
    guarded("Timeline", () => loadTimeline()),
    guarded("Histogram", loadHistogram),
    guarded("Map", () => drawMap(state, { onOpen: openDetail })),
    guarded("Network", () => drawNetwork(state, { onPick: filterByNode })),
    guarded("Coordination", () => drawCoordination(state, { onOpen: openDetail })),
  ]);
  if (id !== loadId) return;
  const failures = results.filter(Boolean);
  const messages = [...new Set(failures.map((failure) => failure.message))];
  if (failures.length === 0) setStatus(describeFilters());
  else if (messages.length === 1 && failures.length > 1) {
    setStatus(`The API refused these filters: ${messages[0]}`, true);
  } else {
    setStatus(failures.map((failure) => `${failure.label}: ${failure.message}`).join(" · "), true);
  }
  document.body.dataset.ready = "true";
}

function describeFilters() {
  const parts = FILTERS.filter((name) => state[name]).map((name) => `${name} = ${state[name]}`);
  return parts.length ? `Filtered by ${parts.join(", ")}.` : "All records; use the filters to narrow.";
}

function filterByNode(node, level) {
  state = { ...state, [level === "country" ? "country" : "actor"]: node.id };
  writeState(state);
  showStateInForm();
  refresh();
}

function restoreDetail() {
  const open = new URLSearchParams(window.location.search).get("open");
  if (!open) return;
  const [type, ...key] = open.split(":");
  if (type in RECORD_PATHS && key.length) openDetail(type, key.join(":"));
}

function wire() {
  $("#filters").addEventListener("submit", (event) => {
    event.preventDefault();
    state = stateFromForm();
    writeState(state);
    refresh();
  });
  $("#reset").addEventListener("click", () => {
    state = pick(state, ["level", "target", "window"]);
    writeState(state);
    showStateInForm();
    refresh();
  });
  $("#more").addEventListener("click", () => redraw("Timeline", () => loadTimeline({ append: true })));
  $("#n-level").addEventListener("change", (event) => {
    state = { ...state, level: event.target.value };
    writeState(state, { replace: true });
    redraw("Network", () => drawNetwork(state, { onPick: filterByNode }));
  });
  $("#coordination-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state = {
      ...state,
      target: $("#c-target").value.trim().toUpperCase() || "RU",
      window: $("#c-window").value || "14",
    };
    writeState(state, { replace: true });
    redraw("Coordination", () => drawCoordination(state, { onOpen: openDetail }));
  });
  $("#detail-close").addEventListener("click", closeDetail);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeDetail();
  });
  window.addEventListener("popstate", () => {
    state = readState();
    showStateInForm();
    refresh();
    restoreDetail();
  });
}

wire();
showStateInForm();
redraw("Choices", fillChoices);
refresh();
restoreDetail();
