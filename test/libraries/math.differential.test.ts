/**
 * Differential tests: contracts vs the TypeScript reference model (sdk/model).
 * - BlackScholes.price equals the bigint mirror to the wei and is within spot/1e8 of the 60-digit decimal.js reference;
 * - MarginLib.evaluateGroup / maxLoss equal the model to the wei on random groups;
 * - the committed JSON vectors equal what the generator builds from the model.
 * Runs: 300 by default, FUZZ_RUNS under `npm run test:fuzz`. Seed pinned (FUZZ_SEED to override).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import {
  Dec,
  MAX_TAU,
  MAX_VOL,
  WAD,
  blackScholes,
  blackScholesReference,
  evaluateGroup,
  maxLoss,
  normCdf,
  normCdfRef,
  type GroupParams,
  type Leg,
} from "../../sdk/model/index.js";
import { buildAll, serialize } from "../vectors/generate.js";

const { ethers } = await network.create();

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 0x62756c77);
const here = path.dirname(fileURLToPath(import.meta.url));

/** Log-uniform bigint in [lo, hi] from a unit double. */
function logUniform(lo: bigint, hi: bigint, u: number): bigint {
  const a = Dec.ln(lo.toString());
  const b = Dec.ln(hi.toString());
  const x = BigInt(Dec.exp(a.add(b.sub(a).mul(u))).toFixed(0));
  return x < lo ? lo : x > hi ? hi : x;
}

const unit = fc.double({ min: 0, max: 1, noNaN: true });

/** A point anywhere in the documented Black-Scholes domain, with extra weight on edges. */
const bsInput = fc
  .record({
    spotU: unit,
    strikeU: unit,
    nearMoney: fc.boolean(),
    tau: fc.oneof(
      fc.constant(0n),
      fc.bigInt({ min: 1n, max: 86_400n }),
      fc.bigInt({ min: 0n, max: MAX_TAU }),
      fc.constant(MAX_TAU),
    ),
    vol: fc.oneof(
      fc.constant(0n),
      fc.bigInt({ min: 0n, max: 10n ** 15n }),
      unit.map((u) => logUniform(10n ** 15n, MAX_VOL, u)),
      fc.constant(MAX_VOL),
    ),
    rate: fc.oneof(fc.constant(0n), fc.bigInt({ min: -WAD, max: WAD })),
  })
  .map(({ spotU, strikeU, nearMoney, tau, vol, rate }) => {
    const spot = logUniform(10n ** 12n, 10n ** 33n, spotU);
    let lo = (spot + 10n ** 9n - 1n) / 10n ** 9n;
    let hi = spot * 10n ** 9n;
    if (nearMoney) {
      lo = lo > spot / 2n ? lo : spot / 2n;
      hi = hi < spot * 2n ? hi : spot * 2n;
    }
    if (lo < 10n ** 12n) lo = 10n ** 12n;
    if (hi > 10n ** 33n) hi = 10n ** 33n;
    return { spot, strike: logUniform(lo, hi, strikeU), tau, vol, rate };
  });

describe("math differential (contracts vs sdk/model)", function () {
  this.timeout(0);
  let harness: Awaited<ReturnType<typeof deploy>>;
  async function deploy() {
    return ethers.deployContract("MathHarness");
  }

  before(async () => {
    harness = await deploy();
  });

  it("BlackScholes.price equals the bigint mirror and is within spot/1e8 of the 60-digit reference", async () => {
    let worst = new Dec(0);
    await fc.assert(
      fc.asyncProperty(bsInput, async ({ spot, strike, tau, vol, rate }) => {
        const [call, put] = (await harness.price(
          spot,
          strike,
          tau,
          vol,
          rate,
        )) as [bigint, bigint];
        const model = blackScholes(spot, strike, tau, vol, rate);
        expect(call, "call == model").to.equal(model.call);
        expect(put, "put == model").to.equal(model.put);
        const ref = blackScholesReference(spot, strike, tau, vol, rate);
        const err = Dec.max(
          new Dec(call.toString()).sub(ref.call).abs(),
          new Dec(put.toString()).sub(ref.put).abs(),
        ).div(spot.toString());
        if (err.gt(worst)) worst = err;
        expect(
          err.lte("1e-8"),
          `|error|/spot = ${err.toExponential(3)}`,
        ).to.equal(true);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    console.log(
      `      worst |error|/spot over ${RUNS} runs: ${worst.toExponential(3)}`,
    );
  });

  it("BlackScholes.normCdf equals the mirror and is within 1e-16 (100 wei) of the reference", async () => {
    const x = fc.oneof(
      fc.bigInt({ min: -10n * WAD, max: 10n * WAD }),
      fc.bigInt({ min: -45n * WAD, max: 45n * WAD }),
    );
    await fc.assert(
      fc.asyncProperty(x, async (x) => {
        const got = (await harness.normCdf(x)) as bigint;
        expect(got).to.equal(normCdf(x));
        const ref = normCdfRef(new Dec(x.toString()).div(WAD.toString())).mul(
          WAD.toString(),
        );
        expect(
          new Dec(got.toString()).sub(ref).abs().lte(100),
          `N(${x}) = ${got} vs ${ref.toFixed(2)}`,
        ).to.equal(true);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  const legArb = fc.record({
    strikeStep: fc.integer({ min: 0, max: 60 }),
    whole: fc.integer({ min: -6, max: 6 }),
    dust: fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
    isCall: fc.boolean(),
  });
  const groupArb = fc
    .record({
      legs: fc.array(legArb, { minLength: 1, maxLength: 16 }),
      spotU: unit,
      vol: fc.bigInt({ min: 0n, max: 3n * WAD }),
      tau: fc.oneof(
        fc.constant(0n),
        fc.bigInt({ min: 1n, max: 2n * 31_536_000n }),
      ),
      rate: fc.oneof(
        fc.constant(0n),
        fc.bigInt({ min: -WAD / 5n, max: WAD / 5n }),
      ),
      mmBase: fc.bigInt({ min: 0n, max: WAD / 4n }),
      mmFloor: fc.bigInt({ min: 0n, max: WAD / 8n }),
      imExtraBase: fc.bigInt({ min: 0n, max: WAD / 8n }),
      imExtraFloor: fc.bigInt({ min: 0n, max: WAD / 16n }),
      settled: fc.boolean(),
    })
    .map((g) => {
      const price = logUniform(200n * WAD, 5_000n * WAD, g.spotU);
      const legs: Leg[] = g.legs
        .map((l) => ({
          strike: BigInt(100 + 100 * l.strikeStep) * WAD,
          size: BigInt(l.whole) * WAD + l.dust,
          isCall: l.isCall,
        }))
        .sort((a, b) =>
          a.strike < b.strike
            ? -1
            : a.strike > b.strike
              ? 1
              : Number(a.isCall) - Number(b.isCall),
        );
      const params: GroupParams = {
        price,
        vol: g.vol,
        tau: g.settled ? 0n : g.tau,
        rate: g.rate,
        imBase: g.mmBase + g.imExtraBase,
        imFloor: g.mmFloor + g.imExtraFloor,
        mmBase: g.mmBase,
        mmFloor: g.mmFloor,
        settled: g.settled && g.tau === 0n,
      };
      return { legs, params };
    });

  it("MarginLib.evaluateGroup equals the model to the wei on random groups", async () => {
    await fc.assert(
      fc.asyncProperty(groupArb, async ({ legs, params }) => {
        const [value, imReq, mmReq] = (await harness.evaluateGroup(
          legs,
          params,
        )) as [bigint, bigint, bigint];
        const model = evaluateGroup(legs, params);
        expect({ value, imReq, mmReq }).to.deep.equal(model);
        expect(mmReq <= imReq).to.equal(true);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("MarginLib.maxLoss equals the model sweep and a brute-force minimum", async () => {
    await fc.assert(
      fc.asyncProperty(groupArb, async ({ legs }) => {
        const [loss, bounded] = (await harness.maxLoss(legs)) as [
          bigint,
          boolean,
        ];
        const model = maxLoss(legs);
        expect({ loss, bounded }).to.deep.equal(model);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("committed JSON vectors equal what test/vectors/generate.ts builds from the model", () => {
    for (const [file, content] of Object.entries(buildAll())) {
      const committed = readFileSync(
        path.join(here, "..", "vectors", file),
        "utf8",
      );
      expect(
        committed,
        `${file} is stale: WRITE_VECTORS=1 npx hardhat run test/vectors/generate.ts`,
      ).to.equal(serialize(content));
    }
  });
});
