/**
 * Small line charts for benchmark reports: an SVG drawn here, rendered to PNG by resvg (no browser,
 * no canvas build). Log scale on x for sizes and connection counts, linear y from zero.
 */
import { writeFileSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";

export interface Series {
  name: string;
  points: [x: number, y: number][];
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  logX?: boolean;
}

const width = 720;
const height = 400;
const margin = { left: 70, right: 170, top: 40, bottom: 55 };
const colors = ["#1f5fbf", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0e7490", "#854d0e"];

/** About five round tick values from 0 to at least max. */
function ticks(max: number): number[] {
  const raw = max / 5;
  const step =
    [1, 2, 5, 10].map((m) => m * 10 ** Math.floor(Math.log10(raw || 1))).find((s) => s >= raw) ?? raw;
  return Array.from({ length: Math.ceil(max / step) + 1 }, (_, i) => Math.round(i * step * 1000) / 1000);
}

const xmlText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

export function chartSvg(chart: Chart): string {
  const xs = [...new Set(chart.series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
  const yTicks = ticks(Math.max(1e-9, ...chart.series.flatMap((s) => s.points.map(([, y]) => y))));
  const yMax = yTicks.at(-1) ?? 1;
  const f = (x: number) => (chart.logX ? Math.log10(x) : x);
  const [x0, x1] = [f(xs[0] ?? 0), f(xs.at(-1) ?? 1)];
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const px = (x: number) => margin.left + (x1 === x0 ? plotW / 2 : ((f(x) - x0) / (x1 - x0)) * plotW);
  const py = (y: number) => margin.top + plotH - (y / yMax) * plotH;
  const parts = [
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2 - margin.right / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${xmlText(chart.title)}</text>`,
    ...yTicks.map(
      (t) =>
        `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${py(t)}" y2="${py(t)}" stroke="#ddd"/><text x="${margin.left - 8}" y="${py(t) + 4}" text-anchor="end" font-size="12">${t}</text>`,
    ),
    ...xs.map(
      (x) =>
        `<text x="${px(x)}" y="${margin.top + plotH + 18}" text-anchor="middle" font-size="12">${x.toLocaleString("en-US")}</text>`,
    ),
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#333"/>`,
    `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${margin.top + plotH}" y2="${margin.top + plotH}" stroke="#333"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 12}" text-anchor="middle" font-size="13">${xmlText(chart.xLabel)}</text>`,
    `<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="13">${xmlText(chart.yLabel)}</text>`,
  ];
  chart.series.forEach((s, i) => {
    const color = colors[i % colors.length];
    const points = s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(" ");
    parts.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2.5"/>`);
    for (const [x, y] of s.points)
      parts.push(`<circle cx="${px(x)}" cy="${py(y)}" r="3.5" fill="${color}"/>`);
    const ly = margin.top + 10 + i * 20;
    parts.push(
      `<line x1="${width - margin.right + 15}" x2="${width - margin.right + 35}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"/><text x="${width - margin.right + 42}" y="${ly + 4}" font-size="12">${xmlText(s.name)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">${parts.join("")}</svg>`;
}

/** Writes the chart as a PNG file. */
export function writeChartPng(chart: Chart, path: string) {
  const png = new Resvg(chartSvg(chart), { font: { loadSystemFonts: true } }).render().asPng();
  writeFileSync(path, png);
}
