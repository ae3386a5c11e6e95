/**
 * docs/invariants.md is what the tests cite: every INV id has at least one test, every test file a row lists still
 * cites that id, and no test cites an id the table does not list.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";

const root = path.resolve(import.meta.dirname, "..", "..");
const table = readFileSync(path.join(root, "docs", "invariants.md"), "utf8");
const rows = new Map<string, string[]>();
for (const m of table.matchAll(/^\|[ \t]*(INV-\d+)[ \t]*\|[^\n]*\|[ \t]*([^|\n]*?)[ \t]*\|[ \t]*$/gm)) {
  rows.set(
    m[1]!,
    [...m[2]!.matchAll(/`([^`]+)`/g)].map((f) => f[1]!),
  );
}
const testFiles = (readdirSync(path.join(root, "test"), { recursive: true }) as string[])
  .filter((f) => /\.(sol|ts)$/.test(f) && !f.startsWith("docs"))
  .map((f) => path.join("test", f));
const cites = (file: string, id: string) =>
  new RegExp(`${id}(?![0-9])`).test(readFileSync(path.join(root, file), "utf8"));

describe("docs/invariants.md: the invariant table the tests cite", () => {
  it("lists INV-1 to INV-12, each with at least one test", () => {
    expect([...rows.keys()]).to.deep.equal(Array.from({ length: 12 }, (_, i) => `INV-${i + 1}`));
    for (const [id, files] of rows) expect(files.length, id).to.be.greaterThan(0);
  });

  it("every listed test file exists and cites its invariant", () => {
    for (const [id, files] of rows) {
      for (const f of files) expect(cites(f, id), `${f} cites ${id}`).to.equal(true);
    }
  });

  it("every test citing an invariant is listed for it", () => {
    const missing: string[] = [];
    for (const f of testFiles) {
      for (const id of rows.keys()) if (cites(f, id) && !rows.get(id)!.includes(f)) missing.push(`${id}: ${f}`);
    }
    for (const m of readFileSync(path.join(root, "docs", "invariants.md"), "utf8").matchAll(/INV-(\d+)/g)) {
      expect(Number(m[1])).to.be.within(1, 12);
    }
    expect(missing, missing.join("\n")).to.deep.equal([]);
  });
});
