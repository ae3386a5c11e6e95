/**
 * Docs stay true: every gas figure a doc quotes in a table row for a benchmark operation — a row whose first cell
 * names a key of bench/gas.json in backticks and whose next cell is a number — must equal the committed snapshot.
 * `npm run gas` rewrites the snapshot; this test then names every doc row to update.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";

const root = path.resolve(import.meta.dirname, "..", "..");
const snapshot = JSON.parse(readFileSync(path.join(root, "bench", "gas.json"), "utf8")) as Record<
  string,
  { gas: number }
>;
const docs = [
  "README.md",
  ...readdirSync(path.join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => path.join("docs", f)),
];
const ROW = /^\|\s*`([A-Za-z0-9_.]+)`[^|]*\|\s*([0-9][0-9,]*)\s*\|/gm;

describe("docs: gas figures match bench/gas.json", () => {
  it("finds quoted figures to check", () => {
    let rows = 0;
    for (const doc of docs) {
      for (const m of readFileSync(path.join(root, doc), "utf8").matchAll(ROW)) if (m[1]! in snapshot) rows++;
    }
    expect(rows, "gas rows in docs").to.be.greaterThan(10);
  });

  for (const doc of docs) {
    it(doc, () => {
      const stale: string[] = [];
      for (const m of readFileSync(path.join(root, doc), "utf8").matchAll(ROW)) {
        const [, key, figure] = m;
        const entry = snapshot[key!];
        if (entry === undefined) continue; // not a benchmark key (e.g. a parameter table)
        const quoted = Number(figure!.replaceAll(",", ""));
        if (quoted !== entry.gas) stale.push(`${key}: doc says ${figure}, bench/gas.json has ${entry.gas}`);
      }
      expect(stale, stale.join("\n")).to.deep.equal([]);
    });
  }
});
