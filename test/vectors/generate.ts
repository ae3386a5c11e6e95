/**
 * Builds the pinned JSON vectors shared by the Solidity tests and the SDK model:
 * - bs-vectors.json: Black-Scholes inputs, the exact contract output (from the bigint mirror: call, put, and the
 *   `priceAt` extras kd = K·e^{−rτ} and vegaStd = S·φ(d1)·σ√τ) and the 60-digit reference rounded to the wei;
 * - group-examples.json: the worked examples of docs/margin.md (value, IM, MM, max loss, loss up to 1.5·S);
 * - group-random.json: seeded random groups (rate >= 0, random vega add-on parameters with MM <= IM).
 *
 * Regenerate with `WRITE_VECTORS=1 npx hardhat run test/vectors/generate.ts`. The differential test checks that the
 * committed files equal what this module builds, so they cannot drift from the model. Imported by mocha as a test
 * file too (everything under test/ is), which is harmless: nothing runs unless WRITE_VECTORS=1.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import {
  Dec,
  MAX_TAU,
  YEAR,
  blackScholes,
  blackScholesReference,
  evaluateGroup,
  lossUpTo,
  maxLoss,
  prepare,
  priceAt,
  type GroupParams,
  type Leg,
} from "../../sdk/model/index.js";

export const WAD = 10n ** 18n;
const DAY = 86_400n;
const here = path.dirname(fileURLToPath(import.meta.url));

/** Decimal string → WAD bigint (exact for up to 18 decimals). */
export function wad(x: string): bigint {
  return BigInt(new Dec(x).mul(WAD.toString()).toFixed(0));
}

/** Small deterministic PRNG (mulberry32) so the vectors are reproducible without fast-check. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BsVector {
  name: string;
  spot: string;
  strike: string;
  tau: string;
  vol: string;
  rate: string;
  /** Exact contract output (bigint mirror). */
  call: string;
  put: string;
  /** `priceAt` extras (bigint mirror): K·e^{−rτ} rounded down, S·φ(d1)·σ√τ rounded up. */
  kd: string;
  vegaStd: string;
  /** 60-digit reference rounded half-even to the wei. */
  callRef: string;
  putRef: string;
  vegaStdRef: string;
}

function bsVector(
  name: string,
  spot: bigint,
  strike: bigint,
  tau: bigint,
  vol: bigint,
  rate: bigint,
): BsVector {
  const got = blackScholes(spot, strike, tau, vol, rate);
  const at = priceAt(prepare(spot, tau, vol, rate), strike);
  if (at.call !== got.call || at.put !== got.put) throw new Error(`${name}: priceAt(prepare) != price`);
  const ref = blackScholesReference(spot, strike, tau, vol, rate);
  return {
    name,
    spot: spot.toString(),
    strike: strike.toString(),
    tau: tau.toString(),
    vol: vol.toString(),
    rate: rate.toString(),
    call: got.call.toString(),
    put: got.put.toString(),
    kd: at.kd.toString(),
    vegaStd: at.vegaStd.toString(),
    callRef: ref.call.toFixed(0),
    putRef: ref.put.toFixed(0),
    vegaStdRef: ref.vegaStd.toFixed(0),
  };
}

export function buildBsVectors(): {
  description: string;
  count: number;
  vectors: BsVector[];
} {
  const S = 2_000n * WAD;
  const fixed: BsVector[] = [
    bsVector("atm 30d 80%", S, S, 30n * DAY, wad("0.8"), 0n),
    bsVector("otm call 30d", S, 2_200n * WAD, 30n * DAY, wad("0.8"), 0n),
    bsVector("itm call 30d", S, 1_800n * WAD, 30n * DAY, wad("0.8"), 0n),
    bsVector("atm 1y 5% rate", S, S, YEAR, wad("0.6"), wad("0.05")),
    bsVector("atm 1y -2% rate", S, S, YEAR, wad("0.6"), wad("-0.02")),
    bsVector("1 second to expiry", S, 2_001n * WAD, 1n, wad("0.8"), 0n),
    bsVector("tau 0 itm call", S, 1_500n * WAD, 0n, wad("0.8"), 0n),
    bsVector("tau 0 itm put", S, 2_500n * WAD, 0n, wad("0.8"), wad("0.05")),
    bsVector("vol 0 discounted forward", S, 2_100n * WAD, YEAR, 0n, wad("0.1")),
    bsVector("min vol 0.1%", S, S, 7n * DAY, wad("0.001"), 0n),
    bsVector("max vol 1000% max tau", S, S, MAX_TAU, 10n * WAD, 0n),
    bsVector("max tau max rate", S, 3_000n * WAD, MAX_TAU, wad("0.5"), WAD),
    bsVector("max tau min rate", S, 3_000n * WAD, MAX_TAU, wad("0.5"), -WAD),
    bsVector(
      "deep otm call K = 1e9 S",
      10n ** 12n,
      10n ** 21n,
      MAX_TAU,
      10n * WAD,
      -WAD,
    ),
    bsVector(
      "deep itm call K = S / 1e9",
      10n ** 33n,
      10n ** 24n,
      YEAR,
      wad("2"),
      wad("0.3"),
    ),
    bsVector(
      "tiny prices",
      10n ** 12n,
      2n * 10n ** 12n,
      90n * DAY,
      wad("1.2"),
      0n,
    ),
    bsVector(
      "huge prices",
      10n ** 33n,
      9n * 10n ** 32n,
      90n * DAY,
      wad("1.2"),
      0n,
    ),
    bsVector(
      "d1 in far tail (call ~ 0)",
      S,
      20_000n * WAD,
      7n * DAY,
      wad("0.3"),
      0n,
    ),
    bsVector(
      "d2 in far tail (put ~ 0)",
      S,
      200n * WAD,
      7n * DAY,
      wad("0.3"),
      0n,
    ),
    bsVector(
      "Hart/Cody boundary (|d| ~ 0.663)",
      S,
      1_880n * WAD,
      30n * DAY,
      wad("0.9"),
      0n,
    ),
    bsVector(
      "Cody asymptotic range (|d| ~ 6)",
      S,
      3_100n * WAD,
      30n * DAY,
      wad("0.9"),
      0n,
    ),
  ];
  const rnd = prng(0xb5);
  const random: BsVector[] = [];
  for (let i = 0; random.length < 40; i++) {
    const spot = BigInt(new Dec(10).pow(12 + rnd() * 21).toFixed(0));
    const m = (rnd() * 2 - 1) * (rnd() < 0.5 ? 20.7 : 1);
    const strike = BigInt(new Dec(spot.toString()).mul(Dec.exp(m)).toFixed(0));
    if (strike < 10n ** 12n || strike > 10n ** 33n) continue;
    if (spot > strike * 10n ** 9n || strike > spot * 10n ** 9n) continue;
    const tau = BigInt(Math.floor(rnd() * Number(MAX_TAU)));
    const vol = BigInt(new Dec(10).pow(15 + rnd() * 4).toFixed(0));
    const rate =
      rnd() < 0.4 ? 0n : BigInt(Math.floor((rnd() * 2 - 1) * 1e6)) * 10n ** 12n;
    random.push(bsVector(`random ${i}`, spot, strike, tau, vol, rate));
  }
  const vectors = [...fixed, ...random];
  return {
    description:
      "Black-Scholes vectors: call/put (price and priceAt) and kd/vegaStd (priceAt) are the exact contract outputs " +
      "(sdk/model mirror); callRef/putRef/vegaStdRef the 60-digit reference rounded to the wei. Contract must equal " +
      "call/put/kd/vegaStd, be within spot/1e8 of callRef/putRef and within spot/1e12 of vegaStdRef.",
    count: vectors.length,
    vectors,
  };
}

export interface GroupVector {
  name: string;
  note: string;
  params: Record<keyof GroupParams, string | boolean>;
  strikes: string[];
  sizes: string[];
  isCall: boolean[];
  /** Highest final price for `expected.lossUpTo`. */
  upTo: string;
  expected: {
    value: string;
    imReq: string;
    mmReq: string;
    /** maxLoss(legs): loss (0 when unbounded) and bounded. */
    maxLoss: string;
    bounded: boolean;
    /** lossUpTo(legs, upTo). */
    lossUpTo: string;
  };
}

/**
 * Parameters of the worked examples: S = 2000, σ = 80%, 30 days, r = 0 and the local deploy's risk parameters:
 * IM a/b = 15%/10%, MM a/b = 10%/7.5%, vega add-on IM slope 0.87 cap 55%, MM slope 0.44 cap 30%.
 */
export const EXAMPLE_PARAMS: GroupParams = {
  price: 2_000n * WAD,
  vol: wad("0.8"),
  tau: 30n * DAY,
  rate: 0n,
  imBase: wad("0.15"),
  imFloor: wad("0.10"),
  mmBase: wad("0.10"),
  mmFloor: wad("0.075"),
  imVegaSlope: wad("0.87"),
  imVegaCap: wad("0.55"),
  mmVegaSlope: wad("0.44"),
  mmVegaCap: wad("0.3"),
  settled: false,
};

function leg(strike: number, size: string, isCall: boolean): Leg {
  return { strike: BigInt(strike) * WAD, size: wad(size), isCall };
}

function groupVector(name: string, note: string, legs: Leg[], params: GroupParams, upTo: bigint): GroupVector {
  const r = evaluateGroup(legs, params);
  const ml = maxLoss(legs);
  return {
    name,
    note,
    params: Object.fromEntries(
      Object.entries(params).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v]),
    ) as GroupVector["params"],
    strikes: legs.map((l) => l.strike.toString()),
    sizes: legs.map((l) => l.size.toString()),
    isCall: legs.map((l) => l.isCall),
    upTo: upTo.toString(),
    expected: {
      value: r.value.toString(),
      imReq: r.imReq.toString(),
      mmReq: r.mmReq.toString(),
      maxLoss: ml.loss.toString(),
      bounded: ml.bounded,
      lossUpTo: lossUpTo(legs, upTo).toString(),
    },
  };
}

/** The worked examples of docs/margin.md, in the same order. */
export function exampleGroups(): {
  name: string;
  note: string;
  legs: Leg[];
  params: GroupParams;
}[] {
  const P = EXAMPLE_PARAMS;
  const expired = { ...P, tau: 0n };
  return [
    {
      name: "naked short call",
      note: "10% OTM: base max(300 − 200, 150) + IM vega add-on; unbounded: no cap",
      legs: [leg(2200, "-1", true)],
      params: P,
    },
    {
      name: "naked short itm call",
      note: "base a·S, vega add-on on the ITM strike's smaller vega",
      legs: [leg(1800, "-1", true)],
      params: P,
    },
    {
      name: "naked short put",
      note: "bounded by K, base + vega binds",
      legs: [leg(1800, "-1", false)],
      params: P,
    },
    {
      name: "far otm short put: cap at K and max loss",
      note: "b·S = 200 > K = 100: unit capped at K, then max-loss cap K − premium",
      legs: [leg(100, "-1", false)],
      params: P,
    },
    {
      name: "short call spread",
      note: "margin held = width",
      legs: [leg(2000, "-1", true), leg(2200, "1", true)],
      params: P,
    },
    {
      name: "long call spread",
      note: "req = value: contribution 0",
      legs: [leg(2000, "1", true), leg(2200, "-1", true)],
      params: P,
    },
    {
      name: "long only",
      note: "no short leg: req 0",
      legs: [leg(1800, "2", false), leg(2200, "1", true)],
      params: P,
    },
    {
      name: "iron condor",
      note: "max loss = one wing width (200), not the sum",
      legs: [leg(1600, "1", false), leg(1800, "-1", false), leg(2200, "-1", true), leg(2400, "1", true)],
      params: P,
    },
    {
      name: "call ratio spread",
      note: "Σ call sizes < 0: unbounded, no cap",
      legs: [leg(2000, "1", true), leg(2200, "-2", true)],
      params: P,
    },
    {
      name: "short straddle",
      note: "put and call at one strike share one Black-Scholes evaluation (and one vegaStd)",
      legs: [leg(2000, "-1", false), leg(2000, "-1", true)],
      params: P,
    },
    {
      name: "short 1-year atm call",
      note: "σ√τ = 0.8: the IM vol shock is capped at 55% (slope 0.87 would give 78%), MM at 30% (0.44 would give 39%)",
      legs: [leg(2000, "-1", true)],
      params: { ...P, tau: 365n * DAY },
    },
    {
      name: "short 1-hour atm call",
      note: "σ√τ = 0.0085: small vega add-on, the base a·S dominates",
      legs: [leg(2000, "-1", true)],
      params: { ...P, tau: 3_600n },
    },
    {
      name: "short put at 10% rate, 90 days",
      note: "OTM against K·e^{−rτ} (1800·e^{−0.1·90/365} = 1756.2), plus one day of carry K·r/365",
      legs: [leg(1800, "-1", false)],
      params: { ...P, tau: 90n * DAY, rate: wad("0.1") },
    },
    {
      name: "expired short call awaiting settlement",
      note: "tau 0: intrinsic value, base terms kept, no vega add-on",
      legs: [leg(1900, "-1", true)],
      params: expired,
    },
    {
      name: "expired short call spread awaiting settlement",
      note: "tau 0: the cap still applies: −value + req = width",
      legs: [leg(1900, "-1", true), leg(2000, "1", true)],
      params: { ...expired, price: 2_050n * WAD },
    },
    {
      name: "settled short call",
      note: "settled: intrinsic value, no requirement",
      legs: [leg(1900, "-1", true)],
      params: { ...expired, settled: true },
    },
    {
      name: "fractional sizes round against the account",
      note: "1 wei long 2000 call (value floors) and 1 wei short 2100 call (liability ceils); debit spread: req = value",
      legs: [
        { strike: 2_000n * WAD, size: 1n, isCall: true },
        { strike: 2_100n * WAD, size: -1n, isCall: true },
      ],
      params: P,
    },
  ];
}

export function buildGroupExamples(): {
  description: string;
  count: number;
  groups: GroupVector[];
} {
  const groups = exampleGroups().map((g) =>
    groupVector(g.name, g.note, g.legs, g.params, (g.params.price * 3n) / 2n),
  );
  return {
    description:
      "Worked examples of docs/margin.md; expected values from sdk/model/margin.ts (equal to the contract); " +
      "lossUpTo at upTo = 1.5 × price.",
    count: groups.length,
    groups,
  };
}

/** A seeded random group: up to 12 legs on a strike grid, random sizes (with odd wei), sorted by strike. */
export function randomGroup(rnd: () => number): {
  legs: Leg[];
  params: GroupParams;
  upTo: bigint;
} {
  const spot = BigInt(Math.floor(500 + rnd() * 3_000)) * WAD + BigInt(Math.floor(rnd() * 1e9));
  const n = 1 + Math.floor(rnd() * 12);
  const legs: Leg[] = [];
  for (let i = 0; i < n; i++) {
    const strike = BigInt(250 + 50 * Math.floor(rnd() * 80)) * WAD;
    const whole = BigInt(Math.floor(rnd() * 10) - 5);
    const size = whole * WAD + BigInt(Math.floor((rnd() * 2 - 1) * 1e12));
    legs.push({ strike, size, isCall: rnd() < 0.5 });
  }
  legs.sort((a, b) => (a.strike < b.strike ? -1 : a.strike > b.strike ? 1 : Number(a.isCall) - Number(b.isCall)));
  const mmBase = wad((rnd() * 0.2).toFixed(6));
  const mmFloor = wad((rnd() * 0.1).toFixed(6));
  const mmVegaSlope = wad((rnd() * 1.5).toFixed(6));
  const mmVegaCap = wad((rnd() * 0.5).toFixed(6));
  const settled = rnd() < 0.1;
  const tau = settled || rnd() < 0.1 ? 0n : BigInt(Math.floor(1 + rnd() * Number(YEAR)));
  const params: GroupParams = {
    price: spot,
    vol: wad((0.05 + rnd() * 2).toFixed(6)),
    tau,
    rate: rnd() < 0.5 ? 0n : wad((rnd() * 0.1).toFixed(6)),
    imBase: mmBase + wad((rnd() * 0.1).toFixed(6)),
    imFloor: mmFloor + wad((rnd() * 0.05).toFixed(6)),
    mmBase,
    mmFloor,
    imVegaSlope: mmVegaSlope + wad(rnd().toFixed(6)),
    imVegaCap: mmVegaCap + wad((rnd() * 0.3).toFixed(6)),
    mmVegaSlope,
    mmVegaCap,
    settled,
  };
  const upTo = BigInt(Math.floor(rnd() * 6_000)) * WAD + BigInt(Math.floor(rnd() * 1e9));
  return { legs, params, upTo };
}

export function buildGroupRandom(): {
  description: string;
  count: number;
  groups: GroupVector[];
} {
  const rnd = prng(0x6d62);
  const groups = Array.from({ length: 32 }, (_, i) => {
    const g = randomGroup(rnd);
    return groupVector(`random ${i}`, "seeded random group", g.legs, g.params, g.upTo);
  });
  return {
    description: "Seeded random groups; expected values from sdk/model/margin.ts (equal to the contract).",
    count: groups.length,
    groups,
  };
}

/** File name → content, as committed under test/vectors/. */
export function buildAll(): Record<string, unknown> {
  return {
    "bs-vectors.json": buildBsVectors(),
    "group-examples.json": buildGroupExamples(),
    "group-random.json": buildGroupRandom(),
  };
}

export function serialize(content: unknown): string {
  return JSON.stringify(content, null, 2) + "\n";
}

if (process.env.WRITE_VECTORS === "1") {
  for (const [file, content] of Object.entries(buildAll())) {
    writeFileSync(path.join(here, file), serialize(content));
    console.log(`wrote test/vectors/${file}`);
  }
}
