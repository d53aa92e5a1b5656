// Who engaged whom over the filtered period, from /v1/network; the busiest MAX_NODES are drawn.
import { ENGAGEMENT_FILTERS, getJSON, h, pick } from "./api.js";

const MAX_NODES = 40;
// Above this many matching engagements and with no dates chosen, the network covers the
// DEFAULT_DAYS up to the latest of them instead of all time.
const ALL_TIME_LIMIT = 5000;
const DEFAULT_DAYS = 90;
let simulation = null;

// The period: the dates filter, or for a large store the last DEFAULT_DAYS of the filtered
// engagements (one engagement asked for, to learn how many match and the latest date).
async function period(state) {
  if (state.from || state.to) return { params: {}, note: "" };
  const latest = await getJSON("/v1/engagements", { ...pick(state, ENGAGEMENT_FILTERS), limit: 1 });
  if (latest.total <= ALL_TIME_LIMIT || !latest.items.length) return { params: {}, note: "" };
  const to = latest.items[0].start_date;
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (DEFAULT_DAYS - 1) * 86_400_000)
    .toISOString().slice(0, 10);
  return { params: { from, to }, note: ` · the ${DEFAULT_DAYS} days to ${to} (choose dates for another period)` };
}

export async function drawNetwork(state, { onPick }) {
  const level = state.level === "country" ? "country" : "actor";
  const { params, note } = await period(state);
  const network = await getJSON("/v1/network", { ...pick(state, ENGAGEMENT_FILTERS), ...params, level });
  const nodes = network.nodes.slice(0, MAX_NODES).map((node) => ({ ...node }));
  const kept = new Set(nodes.map((node) => node.id));
  const edges = network.edges.filter((edge) => kept.has(edge.source) && kept.has(edge.target))
    .map((edge) => ({ ...edge }));
  document.querySelector("#network-count").textContent = (network.nodes.length > nodes.length
    ? `the ${nodes.length} busiest of ${network.nodes.length} ${level === "actor" ? "actors" : "countries"}`
    : `${nodes.length} ${level === "actor" ? "actors" : "countries"}, ${edges.length} links`) + note;

  const svg = d3.select("#network");
  svg.selectAll("*").remove();
  if (simulation) simulation.stop();
  const width = svg.node().clientWidth || 600;
  const height = svg.node().clientHeight || 420;
  svg.attr("viewBox", `0 0 ${width} ${height}`);
  if (!nodes.length) {
    document.querySelector("#network-legend").replaceChildren();
    svg.append("text").attr("x", width / 2).attr("y", height / 2).attr("text-anchor", "middle")
      .attr("fill", "#5a6478").text("No engagement matches these filters");
    return;
  }
  const countries = [...new Set(nodes.map((node) => node.country || "?"))];
  const colour = d3.scaleOrdinal(countries, d3.schemeTableau10);
  document.querySelector("#network-legend").replaceChildren(...(level === "actor"
    ? [h("b", {}, "Colour: the actor's country"), ...countries.slice(0, 10).map((code) => h("span", { style: `--swatch: ${colour(code)}` },
      code === "?" ? "no country" : code))]
    : []));
  const radius = d3.scaleSqrt().domain([1, d3.max(nodes, (n) => n.engagement_count) || 1]).range([5, 16]);
  const width_ = d3.scaleLinear().domain([1, d3.max(edges, (e) => e.weight) || 1]).range([1.2, 5]);

  const link = svg.append("g").selectAll("line").data(edges).join("line").attr("class", "edge")
    .attr("stroke-width", (e) => width_(e.weight));
  link.append("title").text((e) => `${e.source} – ${e.target}: ${e.weight} engagement${e.weight === 1 ? "" : "s"}`);
  const node = svg.append("g").selectAll("g").data(nodes).join("g").attr("class", "node")
    .attr("data-id", (n) => n.id).attr("data-label", (n) => n.label);
  node.append("circle").attr("r", (n) => radius(n.engagement_count))
    .attr("fill", (n) => colour(n.country || "?"));
  node.append("text").attr("x", (n) => radius(n.engagement_count) + 3).attr("y", 4)
    .attr("tabindex", 0).attr("role", "button").attr("aria-label", (n) => `Filter by ${n.label}`)
    .text((n) => n.label)
    .on("click", (_, n) => onPick(n, level))
    .on("keydown", (event, n) => { if (event.key === "Enter") onPick(n, level); });
  node.append("title").text((n) => `${n.label} (${n.country || "no country"}): ${n.engagement_count} engagements`);

  simulation = d3.forceSimulation(nodes)
    .force("link", d3.forceLink(edges).id((n) => n.id).distance(70).strength(0.5))
    .force("charge", d3.forceManyBody().strength(-220))
    .force("center", d3.forceCenter(width / 2, height / 2))
    .force("x", d3.forceX(width / 2).strength(0.06))
    .force("y", d3.forceY(height / 2).strength(0.09))
    .force("collide", d3.forceCollide((n) => radius(n.engagement_count) + 4));
  const clampX = (x) => Math.max(14, Math.min(width - 110, x));
  const clampY = (y) => Math.max(14, Math.min(height - 14, y));
  simulation.on("tick", () => {
    for (const n of nodes) {
      n.x = clampX(n.x);
      n.y = clampY(n.y);
    }
    link.attr("x1", (e) => e.source.x).attr("y1", (e) => e.source.y)
      .attr("x2", (e) => e.target.x).attr("y2", (e) => e.target.y);
    node.attr("transform", (n) => `translate(${n.x},${n.y})`);
  });
  // Settle most of the layout before the first paint, so the page does not jump about.
  simulation.stop();
  simulation.tick(200);
  simulation.restart().alpha(0.05);
  node.call(d3.drag()
    .on("start", (event, n) => { if (!event.active) simulation.alphaTarget(0.2).restart(); n.fx = n.x; n.fy = n.y; })
    .on("drag", (event, n) => { n.fx = event.x; n.fy = event.y; })
    .on("end", (event, n) => { if (!event.active) simulation.alphaTarget(0); n.fx = null; n.fy = null; }));
}
