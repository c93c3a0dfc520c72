import { trustMetrics, trustMetricsSeries } from "./api.js";
import { LANGUAGES, LOCALES, MONTHS, TEXT } from "./i18n.js";

const NATION = "MVD";
const SUPPRESSED_MARK = "n<5";
const EMPTY_MARK = "–";
const YEARS_OFFERED = 5;
const SERIES_MONTHS = 24;

/** How each figure is written; `path` is its name in suppressedFields. */
const FIGURES = {
  complaintsReceived: { kind: "count" },
  complaintsPer100Officers: { kind: "per100" },
  sustainRate: { kind: "rate" },
  medianDaysToClose: { kind: "days" },
  closedWithinDeadlineRate: { kind: "rate" },
  openCases: { kind: "count" },
  overdueCases: { kind: "count" },
  commendations: { kind: "count" },
  satisfaction: { kind: "rating", path: "satisfaction.averageRating" },
};
const TABLE_FIELDS = [
  "complaintsReceived",
  "complaintsPer100Officers",
  "sustainRate",
  "overdueCases",
];
const CHARTED = ["complaintsReceived", "sustainRate", "medianDaysToClose"];
const CHART_COLOURS = {
  complaintsReceived: "#1d5fa8",
  sustainRate: "#b3541e",
  medianDaysToClose: "#2f7d4f",
};

const $ = (id) => document.getElementById(id);
const main = document.querySelector("main");

const pad = (n) => String(n).padStart(2, "0");
/** First day of the month `offset` months from (year, month), as YYYY-MM-DD. */
const monthStart = (year, month, offset = 0) => {
  const d = new Date(Date.UTC(year, month + offset, 1));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-01`;
};

const today = new Date();
const lastCompleteYear = today.getFullYear() - 1;
const params = new URLSearchParams(location.search);

function initialLanguage() {
  const asked = params.get("lang");
  if (LANGUAGES.includes(asked)) return asked;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const lang = String(tag).slice(0, 2).toLowerCase();
    if (LANGUAGES.includes(lang)) return lang;
  }
  return "kk";
}

const state = {
  lang: initialLanguage(),
  year: (() => {
    const asked = Number(params.get("year"));
    return asked <= lastCompleteYear && asked > lastCompleteYear - YEARS_OFFERED
      ? asked
      : lastCompleteYear;
  })(),
  region: params.get("region") ?? "",
  nation: null,
  selected: null,
  series: null,
  charts: [],
};

const t = (key, values = {}) =>
  TEXT[state.lang][key].replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));

const formats = {};
function formatter(kind) {
  const key = `${state.lang}:${kind}`;
  if (!formats[key]) {
    const options = {
      count: { maximumFractionDigits: 0 },
      per100: { minimumFractionDigits: 1, maximumFractionDigits: 1 },
      rate: { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 },
      days: { maximumFractionDigits: 1 },
      rating: { minimumFractionDigits: 1, maximumFractionDigits: 2 },
      axisRate: { style: "percent", maximumFractionDigits: 0 },
    }[kind];
    formats[key] = new Intl.NumberFormat(LOCALES[state.lang], options);
  }
  return formats[key];
}

const valueOf = (metrics, field) =>
  field === "satisfaction" ? metrics.satisfaction.averageRating : metrics[field];
const isSuppressed = (metrics, field) =>
  metrics.suppressedFields.includes(FIGURES[field].path ?? field);

/**
 * Writes one figure into a cell: the formatted number with the raw one in data-value, the suppression
 * mark (class and data-suppressed) when the API hid it, or a dash when there is nothing to compute.
 */
function fill(cell, metrics, field) {
  cell.classList.remove("suppressed", "empty");
  delete cell.dataset.suppressed;
  cell.removeAttribute("title");
  cell.dataset.field = field;
  const value = valueOf(metrics, field);
  if (isSuppressed(metrics, field)) {
    cell.textContent = SUPPRESSED_MARK;
    cell.classList.add("suppressed");
    cell.dataset.suppressed = "true";
    cell.dataset.value = "";
    cell.title = t("legendSuppressed");
  } else if (value === null || value === undefined) {
    cell.textContent = EMPTY_MARK;
    cell.classList.add("empty");
    cell.dataset.value = "";
    cell.title = t("legendEmpty");
  } else {
    cell.textContent = formatter(FIGURES[field].kind).format(value);
    cell.dataset.value = String(value);
  }
}

function renderFigures(list, metrics, prefix) {
  list.replaceChildren();
  if (!metrics) return;
  list.dataset.from = metrics.from;
  list.dataset.to = metrics.to;
  list.dataset.unit = metrics.unit.code;
  for (const field of Object.keys(FIGURES)) {
    const item = document.createElement("div");
    item.className = "figure";
    const term = document.createElement("dt");
    term.textContent = t(field);
    const value = document.createElement("dd");
    value.dataset.testid = `${prefix}-${field}`;
    fill(value, metrics, field);
    item.append(term, value);
    if (field === "satisfaction" && metrics.satisfaction.responses !== null) {
      const note = document.createElement("dd");
      note.className = "note";
      note.textContent = t("responses", {
        n: formatter("count").format(metrics.satisfaction.responses),
      });
      item.append(note);
    }
    list.append(item);
  }
}

function renderUnits() {
  const parent = state.selected ?? state.nation;
  $("units-title").textContent = state.selected
    ? t("districtsOf", { unit: state.selected.unit.name })
    : t("regionsOf");
  const body = $("units").tBodies[0];
  body.replaceChildren();
  if (!parent) return;
  $("units").dataset.unit = parent.unit.code;
  for (const child of parent.children) {
    const row = body.insertRow();
    row.dataset.unit = child.unit.code;
    const name = document.createElement("th");
    name.scope = "row";
    name.textContent = child.unit.name;
    row.append(name);
    for (const field of TABLE_FIELDS) fill(row.insertCell(), child, field);
  }
  $("selected").hidden = !state.selected;
  renderFigures($("selected"), state.selected, "selected");
}

function renderRegionPicker() {
  const select = $("region");
  const options = [new Option(t("wholeCountry"), "")];
  for (const region of state.nation?.children ?? []) {
    options.push(new Option(region.unit.name, region.unit.code));
  }
  select.replaceChildren(...options);
  select.value = state.region;
}

function renderYearPicker() {
  const select = $("year");
  const years = Array.from({ length: YEARS_OFFERED }, (_, i) => lastCompleteYear - i);
  select.replaceChildren(...years.map((y) => new Option(String(y), String(y))));
  select.value = String(state.year);
}

/** "Dec 2025" for a YYYY-MM-DD day; `short` writes the year in two digits (chart axes). */
const monthLabel = (day, short = false) =>
  `${MONTHS[state.lang][Number(day.slice(5, 7)) - 1]} ${short ? day.slice(2, 4) : day.slice(0, 4)}`;

function renderSeriesTable() {
  const body = $("series").tBodies[0];
  body.replaceChildren();
  for (const point of state.series?.points ?? []) {
    const row = body.insertRow();
    row.dataset.from = point.from;
    const month = document.createElement("th");
    month.scope = "row";
    month.textContent = monthLabel(point.from);
    row.append(month);
    for (const field of CHARTED) fill(row.insertCell(), point, field);
  }
}

function renderCharts() {
  for (const chart of state.charts) chart.destroy();
  state.charts = [];
  const box = $("charts");
  box.replaceChildren();
  const series = state.series;
  $("series-title").textContent = series ? t("seriesTitle", { unit: series.name }) : "";
  if (!series) return;
  box.dataset.unit = series.code;
  // Months by position, labelled from the points' own dates: no time zone can move a month.
  const xs = series.points.map((_, i) => i);
  const halfYears = xs.filter((i) => i % 6 === 0);
  const figures = CHARTED.map((field) => {
    const figure = document.createElement("figure");
    figure.dataset.testid = `chart-${field}`;
    const caption = document.createElement("figcaption");
    caption.textContent = t(field);
    figure.append(caption);
    return figure;
  });
  // All in the grid first, so that each is measured at its share of the row (uPlot draws to a fixed size).
  box.append(...figures);
  for (const [i, field] of CHARTED.entries()) {
    const figure = figures[i];
    const width = Math.max(240, figure.clientWidth);
    const kind = FIGURES[field].kind;
    const format = formatter(kind);
    const axisFormat = kind === "rate" ? formatter("axisRate") : format;
    const ys = series.points.map((p) => (isSuppressed(p, field) ? null : p[field]));
    const chart = new globalThis.uPlot(
      {
        width,
        height: 200,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: { time: false, range: [-0.5, xs.length - 0.5] },
          // Rates stay within 0-100 %; the rest start at zero.
          y: { range: (_, _min, max) => [0, kind === "rate" ? 1 : (max || 1) * 1.1] },
        },
        series: [
          {},
          {
            label: t(field),
            stroke: CHART_COLOURS[field],
            width: 2,
            points: { show: true, size: 5 },
            value: (_, v) => (v === null ? SUPPRESSED_MARK : format.format(v)),
          },
        ],
        axes: [
          {
            splits: () => halfYears,
            values: (_, ticks) => ticks.map((i) => monthLabel(series.points[i].from, true)),
          },
          { size: 56, values: (_, ticks) => ticks.map((v) => axisFormat.format(v)) },
        ],
      },
      [xs, ys],
      figure,
    );
    state.charts.push(chart);
  }
}

function renderText() {
  document.documentElement.lang = state.lang;
  document.title = t("title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const button of $("languages").querySelectorAll("button")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
  }
}

function render() {
  renderText();
  renderYearPicker();
  renderRegionPicker();
  renderFigures($("nation"), state.nation, "nation");
  renderUnits();
  renderSeriesTable();
  renderCharts();
}

function rememberInUrl() {
  const url = new URL(location.href);
  url.searchParams.set("lang", state.lang);
  url.searchParams.set("year", String(state.year));
  if (state.region) url.searchParams.set("region", state.region);
  else url.searchParams.delete("region");
  history.replaceState(null, "", url);
}

/** Each load takes a ticket; an answer that arrives after a newer load started is dropped. */
let latest = 0;
async function load() {
  const ticket = ++latest;
  main.setAttribute("aria-busy", "true");
  $("status").textContent = t("loading");
  const year = { from: `${state.year}-01-01`, to: `${state.year + 1}-01-01` };
  const series = {
    from: monthStart(today.getFullYear(), today.getMonth(), -SERIES_MONTHS),
    to: monthStart(today.getFullYear(), today.getMonth()),
  };
  try {
    const nation =
      state.nation?.from === year.from
        ? state.nation
        : await trustMetrics(NATION, year.from, year.to);
    if (!nation.children.some((c) => c.unit.code === state.region)) state.region = "";
    const scope = state.region || NATION;
    const [selected, points] = await Promise.all([
      state.region ? trustMetrics(scope, year.from, year.to) : null,
      state.series?.code === scope
        ? state.series.points
        : trustMetricsSeries(scope, series.from, series.to),
    ]);
    if (ticket !== latest) return;
    const name = selected?.unit.name ?? nation.unit.name;
    Object.assign(state, { nation, selected, series: { code: scope, name, points } });
    $("status").textContent = "";
    rememberInUrl();
    render();
  } catch (error) {
    if (ticket !== latest) return;
    $("status").textContent = t("failed");
    console.error(error);
  } finally {
    if (ticket === latest) main.setAttribute("aria-busy", "false");
  }
}

$("languages").addEventListener("click", (event) => {
  const lang = event.target.closest("button")?.dataset.lang;
  if (!lang || lang === state.lang) return;
  state.lang = lang;
  rememberInUrl();
  render();
});
$("year").addEventListener("change", (event) => {
  state.year = Number(event.target.value);
  state.nation = null;
  load();
});
$("region").addEventListener("change", (event) => {
  state.region = event.target.value;
  load();
});
let resizing;
addEventListener("resize", () => {
  clearTimeout(resizing);
  resizing = setTimeout(renderCharts, 150);
});

renderText();
load();
