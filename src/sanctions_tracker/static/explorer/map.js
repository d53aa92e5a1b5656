// The map: the world outline served by this service, the located engagements of the current
// filters (the latest MAP_LIMIT of them), and trips drawn leg by leg in order.
import { ENGAGEMENT_FILTERS, formatDate, getJSON, pick } from "./api.js";

const MAP_LIMIT = 200;
const MAX_LABELS = 25;
const WORLD_URL = "/static/vendor/world-atlas/countries-110m.json";
let world = null;

async function loadWorld() {
  if (!world) {
    const topology = await getJSON(WORLD_URL);
    world = topojson.feature(topology, topology.objects.countries);
  }
  return world;
}

function located(engagement) {
  const location = engagement.location;
  return location && location.latitude !== null && location.longitude !== null;
}

function day(iso) {
  return Date.parse(`${iso}T00:00:00Z`);
}

// A leg's place in its trip: the middle of its date span (a leg known only to the week spans
// the week), then the order the API lists the trip's legs in.
export function orderLegs(legs) {
  const middle = (leg) => (day(leg.start_date) + day(leg.end_date || leg.start_date)) / 2;
  return [...legs].sort((a, b) => middle(a) - middle(b) || a.id - b.id);
}

export async function drawMap(state, { onOpen }) {
  const [outline, page] = await Promise.all([
    loadWorld(),
    getJSON("/v1/engagements", { ...pick(state, ENGAGEMENT_FILTERS), limit: MAP_LIMIT }),
  ]);
  const points = page.items.filter(located);
  const trips = d3.groups(points.filter((e) => e.parent), (e) => e.parent.key)
    .map(([key, legs]) => ({ key, name: legs[0].parent.name, legs: orderLegs(legs) }))
    .filter((trip) => trip.legs.length > 1);
  const inTrip = new Set(trips.flatMap((trip) => trip.legs.map((leg) => leg.key)));
  const singles = points.filter((e) => !inTrip.has(e.key));

  const scope = page.total > page.items.length
    ? `of the latest ${page.items.length} (of ${page.total.toLocaleString("en")} matching)`
    : `of ${page.total.toLocaleString("en")} matching`;
  document.querySelector("#map-count").textContent = `${points.length} engagements ${scope} `
    + `have a place · ${trips.length} trip${trips.length === 1 ? "" : "s"}`;

  const svg = d3.select("#map");
  svg.selectAll("*").remove();
  const width = svg.node().clientWidth || 600;
  const height = svg.node().clientHeight || 420;
  svg.attr("viewBox", `0 0 ${width} ${height}`);
  svg.append("defs").append("marker").attr("id", "arrow").attr("viewBox", "0 0 10 10")
    .attr("refX", 15).attr("refY", 5).attr("markerWidth", 7).attr("markerHeight", 7)
    .attr("orient", "auto-start-reverse")
    .append("path").attr("d", "M0,0L10,5L0,10z").attr("fill", "#b35900");

  const projection = d3.geoNaturalEarth1();
  const focus = points.length
    ? { type: "MultiPoint", coordinates: padded(points.map((e) => [e.location.longitude, e.location.latitude])) }
    : { type: "Sphere" };
  projection.fitExtent([[24, 24], [width - 70, height - 24]], focus);
  const base = { scale: projection.scale(), translate: projection.translate() };
  const path = d3.geoPath(projection);

  svg.append("path").attr("class", "sphere").datum({ type: "Sphere" });
  const land = svg.append("g").selectAll("path").data(outline.features).join("path")
    .attr("class", "land");
  land.append("title").text((f) => f.properties.name);

  const tripLayer = svg.append("g").attr("class", "trips");
  const lines = tripLayer.selectAll("g.trip").data(trips).join("g").attr("class", "trip")
    .attr("data-trip", (trip) => trip.key).attr("data-legs", (trip) => trip.legs.length);
  const segments = lines.selectAll("path").data((trip) => d3.pairs(trip.legs)).join("path")
    .attr("class", "leg-line").attr("marker-end", "url(#arrow)");
  segments.append("title").text(([a, b]) => `${a.location.city} → ${b.location.city}`);

  const pointLayer = svg.append("g");
  const dots = pointLayer.selectAll("circle").data(singles).join("circle")
    .attr("class", "point").attr("r", 5).attr("data-key", (e) => e.key)
    .attr("tabindex", 0).attr("role", "button")
    .attr("aria-label", (e) => `${e.title}, ${e.location.city || e.location.country}`)
    .on("click", (_, e) => onOpen("engagement", e.key))
    .on("keydown", (event, e) => { if (event.key === "Enter") onOpen("engagement", e.key); });
  dots.append("title").text((e) => `${formatDate(e.start_date)} · ${e.title}`);

  const legs = tripLayer.selectAll("g.leg-group")
    .data(trips.flatMap((trip) => trip.legs.map((leg, index) => ({ trip, leg, order: index + 1 }))))
    .join("g").attr("class", "leg-group")
    .attr("data-trip", (d) => d.trip.key).attr("data-key", (d) => d.leg.key)
    .attr("data-leg-order", (d) => d.order).attr("data-city", (d) => d.leg.location.city || "")
    .attr("tabindex", 0).attr("role", "button")
    .attr("aria-label", (d) => `Leg ${d.order} of ${d.trip.name}: ${d.leg.location.city || d.leg.title}`)
    .on("click", (_, d) => onOpen("engagement", d.leg.key))
    .on("keydown", (event, d) => { if (event.key === "Enter") onOpen("engagement", d.leg.key); });
  legs.append("circle").attr("class", "leg").attr("r", 8);
  legs.append("text").attr("class", "leg-number").text((d) => d.order);
  legs.append("title").text((d) => `Leg ${d.order} of ${d.trip.name}: ${d.leg.title}`);

  // Names for the trips' legs, and for single places while they are few enough to read.
  const labelled = [...(singles.length <= MAX_LABELS ? singles : []), ...trips.flatMap((trip) => trip.legs)];
  const labels = pointLayer.selectAll("text").data(labelled).join("text").attr("class", "place")
    .text((e) => e.location.city || "");

  const at = (e) => projection([e.location.longitude, e.location.latitude]);
  function render() {
    svg.select(".sphere").attr("d", path);
    land.attr("d", path);
    segments.attr("d", ([a, b]) => {
      const [x1, y1] = at(a);
      const [x2, y2] = at(b);
      const bend = 0.18;
      const cx = (x1 + x2) / 2 - (y2 - y1) * bend;
      const cy = (y1 + y2) / 2 + (x2 - x1) * bend;
      return `M${x1},${y1}Q${cx},${cy} ${x2},${y2}`;
    });
    dots.attr("cx", (e) => at(e)[0]).attr("cy", (e) => at(e)[1]);
    legs.attr("transform", (d) => `translate(${at(d.leg)})`);
    labels.attr("x", (e) => at(e)[0] + 10).attr("y", (e) => at(e)[1] - 8);
  }
  render();

  svg.call(d3.zoom().scaleExtent([0.3, 40]).on("zoom", (event) => {
    const t = event.transform;
    projection.scale(base.scale * t.k)
      .translate([base.translate[0] * t.k + t.x, base.translate[1] * t.k + t.y]);
    render();
  }));
}

// Points spread by a few degrees, so that one place or a few close ones still show their region.
function padded(coordinates) {
  const [minX, maxX] = d3.extent(coordinates, (c) => c[0]);
  const [minY, maxY] = d3.extent(coordinates, (c) => c[1]);
  const padX = Math.max(4, (maxX - minX) * 0.12);
  const padY = Math.max(3, (maxY - minY) * 0.12);
  return [[minX - padX, minY - padY], [maxX + padX, maxY + padY], ...coordinates];
}
