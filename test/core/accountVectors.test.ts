/**
 * Account vectors vs the TypeScript model: the committed JSON equals what the generator builds from
 * sdk/model/account.ts (regenerate with WRITE_VECTORS=1), and each vector's expected result is reproduced from its
 * parsed fields. The same files drive test/core/AccountVectors.t.sol against the contracts.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import {
  EXAMPLES_DESCRIPTION,
  RANDOM_COUNT,
  RANDOM_DESCRIPTION,
  examples,
  expected,
  fromJson,
  randomVectors,
  serialize,
} from "./accountVectors.js";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "vectors");
const files = [
  {
    file: "account-examples.json",
    build: () => serialize(EXAMPLES_DESCRIPTION, examples()),
  },
  {
    file: "account-random.json",
    build: () => serialize(RANDOM_DESCRIPTION, randomVectors(RANDOM_COUNT)),
  },
];

describe("account vectors (model)", () => {
  for (const { file, build } of files) {
    it(`${file} is up to date with the generator`, () => {
      const fresh = build();
      const target = path.join(dir, file);
      if (process.env.WRITE_VECTORS === "1") writeFileSync(target, fresh);
      expect(readFileSync(target, "utf8")).to.equal(fresh);
    });

    it(`${file}: every expected result follows from the vector's own fields`, () => {
      const json = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
      expect(json.count).to.equal(json.vectors.length);
      for (const j of json.vectors) {
        const e = expected(fromJson(j));
        expect(
          {
            halted: e.halted,
            equity: e.equity.toString(),
            im: e.im.toString(),
            mm: e.mm.toString(),
          },
          j.name,
        ).to.deep.equal(j.expected);
      }
    });
  }

  it("examples cover every mode and the settled/unsettled expiry paths", () => {
    const names = examples().map((v) => expected(v));
    expect(names.some((e) => e.halted !== 0)).to.equal(true);
    expect(names.some((e) => e.halted === 0 && e.im > 0n)).to.equal(true);
    expect(names.some((e) => e.equity < e.mm)).to.equal(true, "one example is below maintenance");
  });
});
