/**
 * Differential tests: contracts vs the TypeScript reference model (sdk/model).
 * - BlackScholes.price equals the bigint mirror to the wei and is within spot/1e8 of the 60-digit decimal.js reference;
 * - BlackScholes.priceAt(prepare(..)) equals the mirror (call, put, kd, vegaStd) and `price` to the wei; vegaStd is
 *   within spot/1e15 + 2 wei of the 60-digit S·φ(d1)·σ√τ;
 * - MarginLib.evaluateGroup / evaluateWords / maxLoss / lossUpTo equal the model to the wei on random groups, and
 *   revert with the same custom error (and arguments) whenever the model throws (negative rates included);
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
  evaluateWords,
  lossUpTo,
  maxLoss,
  normCdf,
  normCdfRef,
  payoffAt,
  prepare,
  priceAt,
  toWords,
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

/** Result of a model call, or the custom error it throws rendered as `Name(arg, ...)`. */
function modelOutcome<T>(f: () => T): { ok: T } | { error: string } {
  try {
    return { ok: f() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe("math differential (contracts vs sdk/model)", function () {
  this.timeout(0);
  let harness: Awaited<ReturnType<typeof deploy>>;
  async function deploy() {
    return ethers.deployContract("MathHarness");
  }

  before(async () => {
    harness = await deploy();
  });

  /** Result of a harness call, or its custom error rendered like the model's error messages. */
  async function chainOutcome<T>(f: () => Promise<T>): Promise<{ ok: T } | { error: string }> {
    try {
      return { ok: await f() };
    } catch (e) {
      const data = (e as { data?: string }).data;
      const parsed = data === undefined ? null : harness.interface.parseError(data);
      if (parsed === null) throw e;
      return { error: `${parsed.name}(${parsed.args.map((a: unknown) => String(a)).join(", ")})` };
    }
  }

  it("BlackScholes.price equals the bigint mirror and is within spot/1e8 of the 60-digit reference", async () => {
    let worst = new Dec(0);
    await fc.assert(
      fc.asyncProperty(bsInput, async ({ spot, strike, tau, vol, rate }) => {
        const [call, put] = (await harness.price(spot, strike, tau, vol, rate)) as [bigint, bigint];
        const model = blackScholes(spot, strike, tau, vol, rate);
        expect(call, "call == model").to.equal(model.call);
        expect(put, "put == model").to.equal(model.put);
        const ref = blackScholesReference(spot, strike, tau, vol, rate);
        const err = Dec.max(
          new Dec(call.toString()).sub(ref.call).abs(),
          new Dec(put.toString()).sub(ref.put).abs(),
        ).div(spot.toString());
        if (err.gt(worst)) worst = err;
        expect(err.lte("1e-8"), `|error|/spot = ${err.toExponential(3)}`).to.equal(true);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    console.log(`      worst |error|/spot over ${RUNS} runs: ${worst.toExponential(3)}`);
  });

  it("BlackScholes.priceAt(prepare) equals the mirror and price; vegaStd within spot/1e15 + 2 wei of the reference", async () => {
    let worst = new Dec(0);
    await fc.assert(
      fc.asyncProperty(bsInput, async ({ spot, strike, tau, vol, rate }) => {
        const [call, put, kd, vegaStd] = (await harness.prepareAndPriceAt(spot, strike, tau, vol, rate)) as [
          bigint,
          bigint,
          bigint,
          bigint,
        ];
        const model = priceAt(prepare(spot, tau, vol, rate), strike);
        expect({ call, put, kd, vegaStd }, "== model").to.deep.equal(model);
        const [pc, pp] = (await harness.price(spot, strike, tau, vol, rate)) as [bigint, bigint];
        expect({ call, put }, "== price").to.deep.equal({ call: pc, put: pp });
        const ref = blackScholesReference(spot, strike, tau, vol, rate);
        const err = new Dec(vegaStd.toString()).sub(ref.vegaStd).abs();
        const rel = err.div(spot.toString());
        if (rel.gt(worst)) worst = rel;
        expect(
          err.lte(new Dec(spot.toString()).div("1e15").add(2)),
          `vegaStd ${vegaStd} vs ${ref.vegaStd.toFixed(2)}`,
        ).to.equal(true);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    console.log(`      worst |vegaStd error|/spot over ${RUNS} runs: ${worst.toExponential(3)}`);
  });

  it("BlackScholes.priceAt on one prepared group equals the mirror at several strikes", async () => {
    await fc.assert(
      fc.asyncProperty(
        bsInput,
        fc.array(unit, { minLength: 1, maxLength: 4 }),
        async ({ spot, tau, vol, rate }, us) => {
          const g = (await harness.prepare(spot, tau, vol, rate)) as unknown as bigint[];
          const model = prepare(spot, tau, vol, rate);
          expect([g[0], g[1], g[2], g[3]]).to.deep.equal([model.spot, model.stddev, model.rt, model.discount]);
          for (const u of us) {
            const lo = spot / 10n ** 9n > 10n ** 12n ? spot / 10n ** 9n + 1n : 10n ** 12n;
            const hi = spot * 10n ** 9n < 10n ** 33n ? spot * 10n ** 9n : 10n ** 33n;
            const strike = logUniform(lo, hi, u);
            const [call, put, kd, vegaStd] = (await harness.priceAt(model, strike)) as [bigint, bigint, bigint, bigint];
            expect({ call, put, kd, vegaStd }).to.deep.equal(priceAt(model, strike));
          }
        },
      ),
      { numRuns: Math.max(20, Math.floor(RUNS / 5)), seed: SEED },
    );
  });

  it("BlackScholes.normCdf equals the mirror and is within 1e-16 (100 wei) of the reference", async () => {
    const x = fc.oneof(fc.bigInt({ min: -10n * WAD, max: 10n * WAD }), fc.bigInt({ min: -45n * WAD, max: 45n * WAD }));
    await fc.assert(
      fc.asyncProperty(x, async (x) => {
        const got = (await harness.normCdf(x)) as bigint;
        expect(got).to.equal(normCdf(x));
        const ref = normCdfRef(new Dec(x.toString()).div(WAD.toString())).mul(WAD.toString());
        expect(new Dec(got.toString()).sub(ref).abs().lte(100), `N(${x}) = ${got} vs ${ref.toFixed(2)}`).to.equal(true);
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
  /** Random groups: rate mostly in [0, 20%] (5% of runs negative, which must revert), MM params <= IM params. */
  const groupArb = fc
    .record({
      legs: fc.array(legArb, { minLength: 1, maxLength: 16 }),
      spotU: unit,
      vol: fc.bigInt({ min: 0n, max: 3n * WAD }),
      tau: fc.oneof(
        fc.constant(0n),
        fc.bigInt({ min: 1n, max: 86_400n }),
        fc.bigInt({ min: 1n, max: 2n * 31_536_000n }),
      ),
      rate: fc.oneof(
        { weight: 6, arbitrary: fc.constant(0n) },
        { weight: 13, arbitrary: fc.bigInt({ min: 0n, max: WAD / 5n }) },
        { weight: 1, arbitrary: fc.bigInt({ min: -WAD / 5n, max: -1n }) },
      ),
      mmBase: fc.bigInt({ min: 0n, max: WAD / 4n }),
      mmFloor: fc.bigInt({ min: 0n, max: WAD / 8n }),
      imExtraBase: fc.bigInt({ min: 0n, max: WAD / 8n }),
      imExtraFloor: fc.bigInt({ min: 0n, max: WAD / 16n }),
      mmVegaSlope: fc.bigInt({ min: 0n, max: 2n * WAD }),
      mmVegaCap: fc.bigInt({ min: 0n, max: (6n * WAD) / 10n }),
      imExtraVegaSlope: fc.bigInt({ min: 0n, max: (3n * WAD) / 2n }),
      imExtraVegaCap: fc.bigInt({ min: 0n, max: (4n * WAD) / 10n }),
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
        .sort((a, b) => (a.strike < b.strike ? -1 : a.strike > b.strike ? 1 : Number(a.isCall) - Number(b.isCall)));
      const params: GroupParams = {
        price,
        vol: g.vol,
        tau: g.settled ? 0n : g.tau,
        rate: g.rate,
        imBase: g.mmBase + g.imExtraBase,
        imFloor: g.mmFloor + g.imExtraFloor,
        mmBase: g.mmBase,
        mmFloor: g.mmFloor,
        imVegaSlope: g.mmVegaSlope + g.imExtraVegaSlope,
        imVegaCap: g.mmVegaCap + g.imExtraVegaCap,
        mmVegaSlope: g.mmVegaSlope,
        mmVegaCap: g.mmVegaCap,
        settled: g.settled && g.tau === 0n,
      };
      return { legs, params };
    });

  it("MarginLib.evaluateGroup equals the model to the wei (same custom error when the model throws)", async () => {
    let reverted = 0;
    await fc.assert(
      fc.asyncProperty(groupArb, async ({ legs, params }) => {
        const chain = await chainOutcome(async () => {
          const [value, imReq, mmReq] = (await harness.evaluateGroup(legs, params)) as [bigint, bigint, bigint];
          return { value, imReq, mmReq };
        });
        const model = modelOutcome(() => evaluateGroup(legs, params));
        expect(chain).to.deep.equal(model);
        if ("ok" in model) expect(model.ok.mmReq <= model.ok.imReq).to.equal(true);
        else reverted++;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    console.log(`      ${reverted} of ${RUNS} random groups reverted identically (negative rates)`);
  });

  it("MarginLib.evaluateWords on a sub-range of tagged words equals the model", async () => {
    await fc.assert(
      fc.asyncProperty(
        groupArb,
        fc.array(legArb, { maxLength: 4 }),
        fc.array(legArb, { maxLength: 4 }),
        fc.bigInt({ min: 0n, max: (1n << 56n) - 1n }),
        async ({ legs, params }, before, after, high) => {
          const toLegs = (ls: typeof before): Leg[] =>
            ls
              .map((l) => ({
                strike: BigInt(100 + 100 * l.strikeStep) * WAD,
                size: BigInt(l.whole) * WAD,
                isCall: l.isCall,
              }))
              .sort((a, b) => (a.strike < b.strike ? -1 : a.strike > b.strike ? 1 : 0));
          // The clearing house's words carry underlying and expiry above the strike: tag them.
          const tag = (ws: bigint[]) => ws.map((w) => w | (high << 200n));
          const a = tag(toWords(toLegs(before)));
          const inner = tag(toWords(legs));
          const all = [...a, ...inner, ...tag(toWords(toLegs(after)))];
          const start = a.length;
          const end = a.length + inner.length;
          const chain = await chainOutcome(async () => {
            const [value, imReq, mmReq] = (await harness.evaluateWords(all, start, end, params)) as [
              bigint,
              bigint,
              bigint,
            ];
            return { value, imReq, mmReq };
          });
          expect(chain).to.deep.equal(modelOutcome(() => evaluateWords(all, start, end, params)));
          expect(chain).to.deep.equal(modelOutcome(() => evaluateGroup(legs, params)));
        },
      ),
      { numRuns: Math.max(20, Math.floor(RUNS / 3)), seed: SEED },
    );
  });

  it("MarginLib.maxLoss equals the model sweep", async () => {
    await fc.assert(
      fc.asyncProperty(groupArb, async ({ legs }) => {
        const [loss, bounded] = (await harness.maxLoss(legs)) as [bigint, boolean];
        const model = maxLoss(legs);
        expect({ loss, bounded }).to.deep.equal(model);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("MarginLib.lossUpTo equals the model and a brute-force minimum over 0, strikes <= upTo and upTo", async () => {
    const upToArb = fc.oneof(
      fc.constant(0n),
      fc.integer({ min: 0, max: 61 }).map((k) => BigInt(100 + 100 * k) * WAD),
      fc.bigInt({ min: 0n, max: 8_000n * WAD }),
      fc.constant((1n << 112n) - 1n),
      fc.constant(1n << 112n), // out of range: PriceOutOfRange
    );
    await fc.assert(
      fc.asyncProperty(groupArb, upToArb, async ({ legs }, upTo) => {
        const chain = await chainOutcome(async () => (await harness.lossUpTo(legs, upTo)) as bigint);
        const model = modelOutcome(() => lossUpTo(legs, upTo));
        expect(chain).to.deep.equal(model);
        if (!("ok" in model)) return;
        const points = [0n, upTo, ...legs.map((l) => l.strike).filter((k) => k <= upTo)];
        const minPayoff = points.map((x) => payoffAt(legs, x)).reduce((m, v) => (v < m ? v : m));
        const brute = minPayoff >= 0n ? 0n : (-minPayoff + WAD - 1n) / WAD;
        expect(model.ok).to.equal(brute);
        const ml = maxLoss(legs);
        if (ml.bounded) expect(model.ok <= ml.loss).to.equal(true);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("committed JSON vectors equal what test/vectors/generate.ts builds from the model", () => {
    for (const [file, content] of Object.entries(buildAll())) {
      const committed = readFileSync(path.join(here, "..", "vectors", file), "utf8");
      expect(committed, `${file} is stale: WRITE_VECTORS=1 npx hardhat run test/vectors/generate.ts`).to.equal(
        serialize(content),
      );
    }
  });
});
