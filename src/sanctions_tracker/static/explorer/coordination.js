// Coordination for one target: its sanctions rounds by imposing jurisdiction over time, each
// with the engagements of the window before it, and who followed whom (/v1/coordination).
import { ApiError, formatDate, getJSON, h } from "./api.js";

const ROUND_LIMIT = 100;
const ENGAGEMENT_LIMIT = 10;
const DEFAULT_DAYS = 365;

// With no dates chosen and more rounds than a chart holds, the chart covers the DEFAULT_DAYS up
// to the latest round on the target (the tables always summarise every round).
async function period(state, target) {
  if (state.from || state.to) return { from: state.from, to: state.to };
  const latest = await getJSON("/v1/sanctions-rounds", { target, limit: 1 });
  if (latest.total <= ROUND_LIMIT || !latest.items.length) return {};
  const to = latest.items[0].announced_on;
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (DEFAULT_DAYS - 1) * 86_400_000)
    .toISOString().slice(0, 10);
  return { from, to };
}

export async function drawCoordination(state, { onOpen }) {
  const chart = document.querySelector("#coordination-chart");
  const target = (state.target || "RU").toUpperCase();
  const window_ = state.window || "14";
  let answer;
  let dates = {};
  try {
    dates = await period(state, target);
    answer = await getJSON("/v1/coordination", {
      target, window: window_, ...dates, limit: ROUND_LIMIT, engagement_limit: ENGAGEMENT_LIMIT,
    });
  } catch (error) {
    chart.dataset.state = "unavailable";
    const missing = error instanceof ApiError && error.status === 404 && !error.problem?.errors;
    chart.replaceChildren(h("p", { class: "empty" }, missing
      ? "No coordination data: this server has no /v1/coordination endpoint yet."
      : `No coordination data: ${error.message}`));
    tables([], []);
    return;
  }
  chart.dataset.state = "ready";
  chart.dataset.target = target;
  chart.dataset.rounds = answer.rounds.length;
  if (!answer.rounds.length) {
    chart.replaceChildren(h("p", { class: "empty" }, `No sanctions round on ${target} in this period.`));
  } else {
    chart.replaceChildren();
    drawChart(chart, answer, onOpen);
    const total = answer.total ?? answer.rounds.length;
    const chosen = dates.from && !state.from ? ` from ${dates.from} to ${dates.to}` : "";
    if (chosen || answer.next_cursor) {
      chart.append(h("p", { class: "muted" },
        `${answer.rounds.length} of ${total.toLocaleString("en")} rounds on ${target}${chosen} `
        + "are drawn; choose dates for another period."));
    }
  }
  tables(answer.jurisdictions, answer.pairs);
}

function drawChart(container, answer, onOpen) {
  const parse = (iso) => new Date(`${iso}T00:00:00Z`);
  const rows = [...new Set(answer.rounds.flatMap((round) => round.imposed_by))];
  const counts = d3.rollup(answer.rounds.flatMap((r) => r.imposed_by), (v) => v.length, (c) => c);
  rows.sort((a, b) => counts.get(b) - counts.get(a) || a.localeCompare(b));
  const marks = answer.rounds.flatMap((round) => round.imposed_by.map((jurisdiction) => ({ round, jurisdiction })));
  const dates = [
    ...answer.rounds.map((r) => parse(r.announced_on)),
    ...answer.rounds.flatMap((r) => r.preceding_engagements.map((e) => parse(e.start_on))),
  ];
  const width = container.clientWidth || 1000;
  const rowHeight = 34;
  const margin = { top: 10, right: 20, bottom: 26, left: 60 };
  const height = margin.top + margin.bottom + rows.length * rowHeight;
  const x = d3.scaleUtc().domain(d3.extent(dates)).nice().range([margin.left, width - margin.right]);
  const y = d3.scalePoint().domain(rows).range([margin.top + rowHeight / 2, height - margin.bottom - rowHeight / 2]);
  const svg = d3.select(container).append("svg").attr("viewBox", `0 0 ${width} ${height}`)
    .attr("height", height).attr("role", "img")
    .attr("aria-label", `Sanctions rounds on ${answer.target} by jurisdiction over time`);
  svg.append("g").selectAll("line").data(rows).join("line").attr("class", "row-line")
    .attr("x1", margin.left).attr("x2", width - margin.right).attr("y1", y).attr("y2", y);
  svg.append("g").selectAll("text").data(rows).join("text").attr("class", "row-label")
    .attr("x", margin.left - 10).attr("y", y).attr("dy", "0.32em").attr("text-anchor", "end").text((r) => r);
  svg.append("g").attr("transform", `translate(0,${height - margin.bottom})`)
    .call(d3.axisBottom(x).ticks(Math.max(2, Math.floor(width / 110))).tickSizeOuter(0));

  const leads = marks.flatMap((mark) => mark.round.preceding_engagements.map((engagement) => ({ ...mark, engagement })));
  const lead = svg.append("g").selectAll("g").data(leads).join("g");
  lead.append("line").attr("class", "lead")
    .attr("x1", (d) => x(parse(d.engagement.start_on))).attr("y1", (d) => y(d.jurisdiction) - 11)
    .attr("x2", (d) => x(parse(d.round.announced_on))).attr("y2", (d) => y(d.jurisdiction));
  lead.append("rect").attr("class", "preceding").attr("width", 7).attr("height", 7)
    .attr("transform", (d) => `translate(${x(parse(d.engagement.start_on))},${y(d.jurisdiction) - 11}) rotate(45) translate(-3.5,-3.5)`)
    .attr("data-key", (d) => d.engagement.key)
    .on("click", (_, d) => onOpen("engagement", d.engagement.key))
    .append("title").text((d) => `${formatDate(d.engagement.start_on)} · ${d.engagement.title} `
      + `(${d.engagement.lead_days} days before${d.engagement.names_round ? ", names the round" : ""})`);

  svg.append("g").selectAll("circle").data(marks).join("circle").attr("class", "round")
    .attr("cx", (d) => x(parse(d.round.announced_on))).attr("cy", (d) => y(d.jurisdiction))
    .attr("r", (d) => 5 + Math.min(5, d.round.preceding_engagement_count))
    .attr("data-key", (d) => d.round.key).attr("data-jurisdiction", (d) => d.jurisdiction)
    .attr("tabindex", 0).attr("role", "button").attr("aria-label", (d) => d.round.title)
    .on("click", (_, d) => onOpen("sanctions_round", d.round.key))
    .on("keydown", (event, d) => { if (event.key === "Enter") onOpen("sanctions_round", d.round.key); })
    .append("title").text((d) => `${formatDate(d.round.announced_on)} · ${d.round.title} · `
      + `${d.round.preceding_engagement_count} engagements in the window before`);
}

function tables(jurisdictions, pairs) {
  const number = (value) => (value === null || value === undefined ? "–" : String(value));
  const share = (value) => (value === null || value === undefined ? "–" : `${Math.round(value * 100)} %`);
  document.querySelector("#c-jurisdictions").replaceChildren(
    h("caption", {}, "Jurisdictions"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Jurisdiction"),
      h("th", { scope: "col", class: "num" }, "Rounds"),
      h("th", { scope: "col", class: "num" }, "Preceded by engagements"),
      h("th", { scope: "col", class: "num" }, "Median lead (days)"))),
    h("tbody", {}, ...jurisdictions.map((j) => h("tr", {},
      h("td", {}, j.jurisdiction), h("td", { class: "num" }, number(j.rounds)),
      h("td", { class: "num" }, `${number(j.preceded)} (${share(j.preceded_share)})`),
      h("td", { class: "num" }, number(j.median_lead_days))))));
  document.querySelector("#c-pairs").replaceChildren(
    h("caption", {}, pairs.length > 15 ? "Who followed whom (the first 15 pairs)" : "Who followed whom"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Leader"), h("th", { scope: "col" }, "Follower"),
      h("th", { scope: "col", class: "num" }, "Times followed"),
      h("th", { scope: "col", class: "num" }, "Median lag (days)"),
      h("th", { scope: "col" }, "Shared sectors"))),
    h("tbody", {}, ...pairs.slice(0, 15).map((p) => h("tr", {},
      h("td", {}, p.leader), h("td", {}, p.follower),
      h("td", { class: "num" }, `${number(p.times)} of ${number(p.leader_rounds)}`),
      h("td", { class: "num" }, number(p.median_lag_days)),
      h("td", {}, p.shared_sectors.slice(0, 4).map((s) => `${s.sector} (${s.count})`).join(", "))))));
}
