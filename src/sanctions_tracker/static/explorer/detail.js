// The detail panel: one record as its JSON URL answers it, its sources with their quotes, and
// its versions from the public change feed.
import {
  formatDate, getJSON, h, humanize, recordUrl, setOpenRecord,
} from "./api.js";

const panel = () => document.querySelector("#detail");
let opened = 0;
let returnFocus = null;

function markSelected(key) {
  for (const item of document.querySelectorAll("#timeline > li.selected")) item.classList.remove("selected");
  if (key === null) return;
  for (const item of document.querySelectorAll("#timeline > li")) {
    if (item.dataset.key === key) item.classList.add("selected");
  }
}

export function closeDetail() {
  const aside = panel();
  if (aside.hidden) return;
  aside.hidden = true;
  markSelected(null);
  setOpenRecord(null);
  if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
}

export async function openDetail(type, key) {
  const id = ++opened;
  const aside = panel();
  const body = document.querySelector("#detail-body");
  if (aside.hidden) returnFocus = document.activeElement;
  aside.hidden = false;
  aside.dataset.type = type;
  aside.dataset.key = key;
  aside.dataset.loaded = "false";
  document.querySelector("#detail-title").textContent = "Loading…";
  body.replaceChildren();
  setOpenRecord(`${type}:${key}`);
  markSelected(key);
  aside.focus();
  const url = recordUrl(type, key);
  let record;
  try {
    record = await getJSON(url);
  } catch (error) {
    if (id !== opened) return;
    document.querySelector("#detail-title").textContent = "Not available";
    body.replaceChildren(h("p", { class: "status error" }, error.message));
    return;
  }
  if (id !== opened) return;
  document.querySelector("#detail-title").textContent = record.title;
  const sources = h("ul", { class: "sources" });
  body.replaceChildren(
    h("p", {}, h("a", { href: url, class: "json" }, "Raw JSON"), " · ",
      h("code", {}, record.key)),
    record.summary ? h("p", { class: "summary" }, record.summary) : null,
    h("dl", {}, ...(type === "engagement" ? engagementFields(record) : roundFields(record))),
    h("h3", {}, `Sources (${record.sources.length})`),
    sources,
    h("h3", {}, "History"),
    historyBlock(type, record),
  );
  await fillSources(sources, record.sources);
  if (id === opened) aside.dataset.loaded = "true";
}

function row(label, ...value) {
  const shown = value.flat().filter((part) => part !== null && part !== undefined && part !== "");
  if (!shown.length) return [];
  return [h("dt", {}, label), h("dd", {}, ...shown)];
}

function recordLink(type, ref) {
  return h("button", {
    type: "button", class: "linkish", onclick: () => openDetail(type, ref.key),
  }, ref.name);
}

function joinNodes(nodes) {
  return nodes.flatMap((node, index) => (index ? [", ", node] : [node]));
}

function span(record) {
  const start = formatDate(record.start_date);
  const end = record.end_date && record.end_date !== record.start_date
    ? ` – ${formatDate(record.end_date)}` : "";
  const precision = record.date_precision !== "day" ? ` (to the ${record.date_precision})` : "";
  return `${start}${end}${precision}`;
}

function engagementFields(record) {
  const place = record.location
    ? [record.location.city, record.location.country].filter(Boolean).join(", ") : "";
  return [
    ...row("Kind", humanize(record.kind)),
    ...row("Status", humanize(record.status)),
    ...row("When", span(record)),
    ...row("Where", place),
    ...row("Countries", record.countries.join(", ")),
    ...row("Participants", record.participants
      .map((p) => `${p.actor.name} (${humanize(p.role)})`).join("; ")),
    ...row("Organizations", record.organizations.map((o) => o.name).join("; ")),
    ...row("Topics", record.topics.map(humanize).join(", ")),
    ...row("Sectors", record.sectors.map((s) => s.name).join(", ")),
    ...row("Rounds", joinNodes(record.sanctions_rounds.map((r) => recordLink("sanctions_round", r)))),
    ...row("Trip", record.parent ? recordLink("engagement", record.parent) : null),
    ...row(`Legs (${record.legs.length})`, joinNodes(record.legs.map((leg) => recordLink("engagement", leg)))),
  ];
}

function roundFields(record) {
  return [
    ...row("Status", humanize(record.status)),
    ...row("Announced", formatDate(record.announced_on)),
    ...row("In force from", formatDate(record.effective_on)),
    ...row("Imposed by", record.imposed_by.join(", ")),
    ...row("Targets", record.targets.join(", ")),
    ...row("Measures", record.measures.map(humanize).join(", ")),
    ...row("Sectors", record.sectors.map((s) => s.name).join(", ")),
    ...row("Legal basis", record.legal_basis),
    ...row("Designations", record.designations === null ? null : String(record.designations)),
  ];
}

// A citation names its source; the source's own record has the publisher, date and link.
async function fillSources(list, citations) {
  if (!citations.length) {
    list.append(h("li", { class: "muted" }, "No source recorded."));
    return;
  }
  const sources = await Promise.all(citations.map((citation) =>
    getJSON(`/v1/sources/${encodeURIComponent(citation.source.key)}`).catch(() => null)));
  citations.forEach((citation, index) => {
    const source = sources[index];
    const title = source && source.url
      ? h("a", { href: source.url, rel: "noopener noreferrer", target: "_blank" }, citation.source.name)
      : h("strong", {}, citation.source.name);
    const about = source
      ? [source.publisher, formatDate(source.published_on), humanize(source.kind)].filter(Boolean).join(" · ")
      : "";
    list.append(h("li", { class: "source", "data-source": citation.source.key },
      title,
      about ? h("div", { class: "muted" }, about, " · ",
        h("a", { href: `/v1/sources/${encodeURIComponent(citation.source.key)}` }, "JSON")) : null,
      citation.quote ? h("blockquote", {}, `“${citation.quote}”`) : null));
  });
}

// The bundle's name of each record type, as the change feed's `type` takes it.
const FEED_TYPES = { engagement: "engagements", sanctions_round: "sanctions_rounds" };

// What a version changed: the top-level fields whose values differ from the version before.
function changedFields(previous, entry) {
  if (!previous || !previous.record || !entry.record) return "";
  const names = Object.keys({ ...previous.record, ...entry.record })
    .filter((name) => JSON.stringify(previous.record[name]) !== JSON.stringify(entry.record[name]));
  return names.length ? `: ${names.join(", ")}` : "";
}

// The record's versions from the public change feed (`/v1/changes?type=...&id=...`), which
// anyone who may read the record may read; the audit history with writers needs an admin key.
function historyBlock(type, record) {
  const box = h("div", { class: "history" }, h("p", { class: "muted" }, "Loading the history…"));
  const feed = "/v1/changes";
  const params = { type: FEED_TYPES[type], id: record.id, limit: 100 };
  getJSON(feed, params).then((page) => {
    const items = page.items.map((entry, index) => h("li", { "data-version": entry.version },
      `${new Date(entry.at).toLocaleString("en-GB", { timeZone: "UTC" })} UTC: version `,
      `${entry.version}, ${humanize(entry.action)}d via ${entry.via}`,
      changedFields(page.items[index - 1], entry)));
    box.replaceChildren(
      h("ol", { class: "versions" }, ...items),
      page.next_cursor
        ? h("p", { class: "muted" }, `The first ${items.length} of ${page.total} versions; `,
          h("a", { href: `${feed}?type=${params.type}&id=${record.id}`, class: "json" }, "all as JSON"))
        : h("p", {}, h("a", { href: `${feed}?type=${params.type}&id=${record.id}`, class: "json" },
          "History as JSON")));
  }).catch((error) => {
    box.replaceChildren(h("p", { class: "muted" }, `The history could not be read (${error.message}).`));
  });
  return box;
}
