import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import { decodeSeries, encodeSeries } from "../../sdk/series.js";

const runs = Number(process.env.FUZZ_RUNS ?? 200);

describe("SeriesIdLib vs sdk/series", () => {
  it("encodes identically to the contract and decodes back (property, pinned seed)", async () => {
    const { ethers } = await network.create();
    const harness = await ethers.deployContract("SeriesIdHarness");
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 65535 }),
        fc.bigInt({ min: 1n, max: (1n << 40n) - 1n }),
        fc.bigInt({ min: 1n, max: (1n << 96n) - 1n }),
        fc.boolean(),
        async (underlying, expiry, strike, isCall) => {
          const series = { underlying, expiry, strike, isCall };
          const id = encodeSeries(series);
          expect(await harness.encode(underlying, expiry, strike, isCall)).to.equal(id);
          expect(decodeSeries(id)).to.deep.equal(series);
          const [u, e, k, c] = await harness.decode(id);
          expect([Number(u), e, k, c]).to.deep.equal([underlying, expiry, strike, isCall]);
        },
      ),
      { numRuns: runs, seed: 20261124 },
    );
  });

  it("rejects non-canonical ids like the contract does", async () => {
    const { ethers } = await network.create();
    const harness = await ethers.deployContract("SeriesIdHarness");
    const bad = encodeSeries({ underlying: 1, expiry: 1n, strike: 1n, isCall: true }) + 1n;
    expect(() => decodeSeries(bad)).to.throw(RangeError);
    await expect(harness.decode(bad)).to.be.revertedWithCustomError(harness, "SeriesIdLib_InvalidSeries");
  });
});
