/**
 * The margin-check scaling chart: renders from the committed snapshot into a well-formed SVG, and the committed
 * bench/margin-scaling.svg is exactly that render (so it cannot go stale: `npm run gas` rewrites both).
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";

import { MARGIN_SIZES, commas, marginPoints, renderMarginScaling } from "../../bench/chart.js";
import type { GasEntry } from "../../bench/lib.js";

const root = path.resolve(import.meta.dirname, "..", "..");
const snapshot = JSON.parse(readFileSync(path.join(root, "bench", "gas.json"), "utf8")) as Record<string, GasEntry>;
const textOf = (svg: string): string[] => [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

describe("bench: margin-scaling chart", () => {
  const svg = renderMarginScaling(snapshot);

  it("the snapshot holds every charted figure", () => {
    for (const n of MARGIN_SIZES) expect(snapshot, `marginCheck.${n}`).to.have.property(`marginCheck.${n}`);
    expect(snapshot).to.have.property("marginCheck.worst");
    expect(marginPoints(snapshot)).to.have.length(MARGIN_SIZES.length + 1);
  });

  it("is a well-formed standalone SVG document", () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true);
    expect(svg.trimEnd().endsWith("</svg>")).to.equal(true);
    expect(svg.match(/<svg\b/g)).to.have.length(1);
    // every element is closed: count open tags (not self-closing) against closing tags, per name, and check nesting
    const stack: string[] = [];
    for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)\b[^>]*?(\/?)>/g)) {
      const [, closing, name, selfClosing] = m;
      if (selfClosing === "/") continue;
      if (closing === "/") expect(stack.pop(), `closing </${name}>`).to.equal(name);
      else stack.push(name!);
    }
    expect(stack, "unclosed elements").to.deep.equal([]);
    // no stray markup characters in text or attributes, and no NaN/undefined leaking into coordinates
    expect(svg).not.to.match(/NaN|undefined|Infinity/);
    for (const t of textOf(svg)) expect(t).not.to.match(/[<>&]/);
  });

  it("has one circle per point, the worst case marked, and a line through the N points", () => {
    const circles = svg.match(/<circle\b/g) ?? [];
    expect(circles).to.have.length(MARGIN_SIZES.length + 1);
    expect(svg.match(/<circle class="worst"/g)).to.have.length(1);
    expect(svg).to.include('data-key="marginCheck.worst"');
    expect(textOf(svg).some((t) => t.startsWith("worst case"))).to.equal(true);
    const polyline = /<polyline class="series"[^>]*points="([^"]+)"/.exec(svg);
    expect(polyline, "series line").to.not.equal(null);
    expect(polyline![1]!.split(" ")).to.have.length(MARGIN_SIZES.length);
  });

  it("labels every N and quotes every figure exactly", () => {
    const texts = textOf(svg);
    for (const n of MARGIN_SIZES) expect(texts, `x label ${n}`).to.include(String(n));
    for (const p of marginPoints(snapshot)) {
      expect(texts, p.key).to.include(p.key);
      expect(texts, `${p.key} figure`).to.include(commas(p.gas));
    }
  });

  it("points rise with N (more positions never cost less in the chart's data)", () => {
    const gas = MARGIN_SIZES.map((n) => snapshot[`marginCheck.${n}`]!.gas);
    for (let i = 1; i < gas.length; i++) expect(gas[i]!).to.be.greaterThan(gas[i - 1]!);
  });

  it("the committed bench/margin-scaling.svg is the render of the committed bench/gas.json", () => {
    const committed = readFileSync(path.join(root, "bench", "margin-scaling.svg"), "utf8");
    expect(committed === svg, "bench/margin-scaling.svg is stale: run `npm run gas`").to.equal(true);
  });
});
