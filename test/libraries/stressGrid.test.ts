/**
 * Stress evidence for the group rules (issue 7, docs/margin.md "Stress evidence"): pure TypeScript, no chain.
 *
 * Requirements come from the bigint model (sdk/model/margin.ts, equal to MarginLib to the wei) with the local deploy's
 * parameters; stressed values from a double-precision Black-Scholes (West 2005 normal CDF, |error| ~1e-15).
 *
 * Portfolio grid, each at S = 2000 and every tenor (1 hour, 1, 7, 30, 90, 365 days) × vol (20% … 150% by 10%) × rate
 * (0, 5%, 10%): naked short calls and puts at K/S 0.70 … 1.30 by 0.025, call and put verticals (credit and debit), strangles,
 * straddles, iron condors, butterflies (long and short, calls and puts), 1×2 ratios (calls and puts, both ways).
 *
 * (a) IM: an account holding the group at exactly IM holds cash max(0, imReq − value) (a group contributes
 *     min(0, value − imReq): longs are not credited), so its equity is max(value, imReq). One day later (τ − 1 day,
 *     intrinsic value once expired) after the worst of spot ×[0.85, 1.15] and vol ×[0.7, 1.5], equity stays ≥ 0.
 * (b) MM: at exactly MM (equity = mmReq + h·max(0, value − mmReq), h = mmLongHaircut = 1) equity stays ≥ 0 under
 *     spot ×[0.92, 1.08] and vol ×[0.8, 1.25] immediately.
 * (c) 30-day single short legs within 10% of the money: (imReq + mark) / Deribit's standard IM
 *     (max(0.15·S − OTM, 0.10·S) + mark) ≤ 1.25 at vol ≤ 80%; printed for every vol up to 150%.
 * Also prints IM/MM of the standard portfolios next to Deribit's and Derive's standard margin (docs/margin.md §5).
 *
 * Reproduce the printed figures: `npm run test:ts -- test/libraries/stressGrid.test.ts`.
 */
import { expect } from "chai";

import { WAD, evaluateGroup, marks, type GroupParams, type Leg } from "../../sdk/model/index.js";

const DAY = 86_400;
const YEAR_S = 31_536_000;
const S = 2000;
/** Equity may fall below 0 by float noise only: 1e-9·S. */
const TOL = 1e-9 * S;

/** The local deploy's risk parameters (deploy/networks/local.ts). */
const LOCAL = {
  imBase: 15n * 10n ** 16n,
  imFloor: 10n * 10n ** 16n,
  mmBase: 10n * 10n ** 16n,
  mmFloor: 75n * 10n ** 15n,
  imVegaSlope: 87n * 10n ** 16n,
  imVegaCap: 55n * 10n ** 16n,
  mmVegaSlope: 44n * 10n ** 16n,
  mmVegaCap: 3n * 10n ** 17n,
  /** mmLongHaircut: MM need = mmReq + h·max(0, value − mmReq). */
  mmLongHaircut: 1,
};

const TENORS: [string, number][] = [
  ["1h", 3_600],
  ["1d", DAY],
  ["7d", 7 * DAY],
  ["30d", 30 * DAY],
  ["90d", 90 * DAY],
  ["365d", 365 * DAY],
];
const VOLS = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5];
const RATES = [0, 0.05, 0.1];

/** Evenly spaced points from a to b inclusive. */
function linspace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}
/** IM scenarios one day later: 49 spot × 9 vol points, edges and the unmoved point included. */
const IM_SPOT = linspace(0.85, 1.15, 49);
const IM_VOL = linspace(0.7, 1.5, 9);
/** MM scenarios, immediate: 33 spot × 10 vol points. */
const MM_SPOT = linspace(0.92, 1.08, 33);
const MM_VOL = linspace(0.8, 1.25, 10);

// ------------------------------------------------------------------------------------------- float Black-Scholes

/** Standard normal CDF, West (2005) "Better approximations to cumulative normal functions": |error| ~1e-15. */
function normCdf(x: number): number {
  const ax = Math.abs(x);
  let c: number;
  if (ax > 37) c = 0;
  else {
    const e = Math.exp((-ax * ax) / 2);
    if (ax < 7.07106781186547) {
      let b = 3.52624965998911e-2 * ax + 0.700383064443688;
      b = b * ax + 6.37396220353165;
      b = b * ax + 33.912866078383;
      b = b * ax + 112.079291497871;
      b = b * ax + 221.213596169931;
      b = b * ax + 220.206867912376;
      c = e * b;
      b = 8.83883476483184e-2 * ax + 1.75566716318264;
      b = b * ax + 16.064177579207;
      b = b * ax + 86.7807322029461;
      b = b * ax + 296.564248779674;
      b = b * ax + 637.333633378831;
      b = b * ax + 793.826512519948;
      b = b * ax + 440.413735824752;
      c = c / b;
    } else {
      let b = ax + 0.65;
      b = ax + 4 / b;
      b = ax + 3 / b;
      b = ax + 2 / b;
      b = ax + 1 / b;
      c = e / b / 2.506628274631;
    }
  }
  return x > 0 ? 1 - c : c;
}

/** Call or put, tau in seconds (<= 0: intrinsic at expiry). */
function bs(spot: number, strike: number, tau: number, vol: number, rate: number, isCall: boolean): number {
  if (tau <= 0) return isCall ? Math.max(spot - strike, 0) : Math.max(strike - spot, 0);
  const t = tau / YEAR_S;
  const kd = strike * Math.exp(-rate * t);
  const v = vol * Math.sqrt(t);
  if (v < 1e-12) return isCall ? Math.max(spot - kd, 0) : Math.max(kd - spot, 0);
  const d1 = (Math.log(spot / strike) + rate * t) / v + v / 2;
  const d2 = d1 - v;
  return isCall ? spot * normCdf(d1) - kd * normCdf(d2) : kd * normCdf(-d2) - spot * normCdf(-d1);
}

// ------------------------------------------------------------------------------------------- portfolios

/** A leg in float terms: strike in quote, size in contracts. */
interface FLeg {
  k: number;
  q: number;
  call: boolean;
}
interface Portfolio {
  name: string;
  legs: FLeg[];
}

const C = (k: number, q: number): FLeg => ({ k, q, call: true });
const P = (k: number, q: number): FLeg => ({ k, q, call: false });
const pct = (m: number) => Math.round(m * S);

function portfolios(): Portfolio[] {
  const out: Portfolio[] = [];
  const naked = linspace(0.7, 1.3, 25).map(pct);
  for (const k of naked) {
    out.push({ name: `short call ${k}`, legs: [C(k, -1)] });
    out.push({ name: `short put ${k}`, legs: [P(k, -1)] });
  }
  const coarse = linspace(0.7, 1.3, 7).map(pct);
  const nearPairs: [number, number][] = [
    [0.95, 1.0],
    [1.0, 1.05],
    [0.9, 0.95],
    [1.05, 1.1],
  ];
  const pairs: [number, number][] = [];
  for (let i = 0; i < coarse.length; i++)
    for (let j = i + 1; j < coarse.length; j++) pairs.push([coarse[i]!, coarse[j]!]);
  for (const [a, b] of nearPairs) pairs.push([pct(a), pct(b)]);
  for (const [lo, hi] of pairs) {
    out.push({ name: `call credit spread ${lo}/${hi}`, legs: [C(lo, -1), C(hi, 1)] });
    out.push({ name: `call debit spread ${lo}/${hi}`, legs: [C(lo, 1), C(hi, -1)] });
    out.push({ name: `put credit spread ${lo}/${hi}`, legs: [P(lo, 1), P(hi, -1)] });
    out.push({ name: `put debit spread ${lo}/${hi}`, legs: [P(lo, -1), P(hi, 1)] });
  }
  const strangles: [number, number][] = [
    [0.95, 1.05],
    [0.9, 1.1],
    [0.85, 1.15],
    [0.8, 1.2],
    [0.7, 1.3],
  ];
  for (const [a, b] of strangles)
    out.push({ name: `short strangle ${pct(a)}/${pct(b)}`, legs: [P(pct(a), -1), C(pct(b), -1)] });
  for (const m of [0.9, 0.95, 1.0, 1.05, 1.1])
    out.push({ name: `short straddle ${pct(m)}`, legs: [P(pct(m), -1), C(pct(m), -1)] });
  const condors: [number, number, number, number][] = [
    [0.8, 0.9, 1.1, 1.2],
    [0.7, 0.9, 1.1, 1.3],
    [0.9, 0.95, 1.05, 1.1],
    [0.85, 0.95, 1.05, 1.15],
    [0.75, 0.85, 1.15, 1.25],
    [0.9, 1.0, 1.0, 1.1],
  ];
  for (const [a, b, c, d] of condors) {
    const [k1, k2, k3, k4] = [pct(a), pct(b), pct(c), pct(d)];
    out.push({ name: `iron condor ${k1}/${k2}/${k3}/${k4}`, legs: [P(k1, 1), P(k2, -1), C(k3, -1), C(k4, 1)] });
    out.push({ name: `reverse iron condor ${k1}/${k2}/${k3}/${k4}`, legs: [P(k1, -1), P(k2, 1), C(k3, 1), C(k4, -1)] });
  }
  for (const center of [0.9, 1.0, 1.1]) {
    for (const wing of [0.05, 0.1, 0.2]) {
      const [k1, k2, k3] = [pct(center - wing), pct(center), pct(center + wing)];
      for (const call of [true, false]) {
        const kind = call ? "call" : "put";
        const leg = (k: number, q: number) => (call ? C(k, q) : P(k, q));
        out.push({ name: `long ${kind} butterfly ${k1}/${k2}/${k3}`, legs: [leg(k1, 1), leg(k2, -2), leg(k3, 1)] });
        out.push({ name: `short ${kind} butterfly ${k1}/${k2}/${k3}`, legs: [leg(k1, -1), leg(k2, 2), leg(k3, -1)] });
      }
    }
  }
  const ratios: [number, number][] = [
    [1.0, 1.05],
    [1.0, 1.1],
    [0.95, 1.05],
    [1.0, 1.2],
    [0.9, 1.0],
    [0.8, 1.0],
  ];
  for (const [a, b] of ratios) {
    const [lo, hi] = [pct(a), pct(b)];
    out.push({ name: `1x2 call ratio ${lo}/${hi}`, legs: [C(lo, 1), C(hi, -2)] });
    out.push({ name: `1x2 call backspread ${lo}/${hi}`, legs: [C(lo, -1), C(hi, 2)] });
    out.push({ name: `1x2 put ratio ${lo}/${hi}`, legs: [P(lo, -2), P(hi, 1)] });
    out.push({ name: `1x2 put backspread ${lo}/${hi}`, legs: [P(lo, 2), P(hi, -1)] });
  }
  return out;
}

/** Model legs sorted by strike, put before call at one strike (the clearing house's order). */
function modelLegs(legs: FLeg[]): Leg[] {
  return legs
    .map((l) => ({ strike: BigInt(l.k) * WAD, size: BigInt(l.q) * WAD, isCall: l.call }))
    .sort((a, b) => (a.strike < b.strike ? -1 : a.strike > b.strike ? 1 : Number(a.isCall) - Number(b.isCall)));
}

function groupParams(tau: number, vol: number, rate: number): GroupParams {
  return {
    price: BigInt(S) * WAD,
    vol: BigInt(Math.round(vol * 1e6)) * 10n ** 12n,
    tau: BigInt(tau),
    rate: BigInt(Math.round(rate * 1e6)) * 10n ** 12n,
    imBase: LOCAL.imBase,
    imFloor: LOCAL.imFloor,
    mmBase: LOCAL.mmBase,
    mmFloor: LOCAL.mmFloor,
    imVegaSlope: LOCAL.imVegaSlope,
    imVegaCap: LOCAL.imVegaCap,
    mmVegaSlope: LOCAL.mmVegaSlope,
    mmVegaCap: LOCAL.mmVegaCap,
    settled: false,
  };
}

const toNum = (x: bigint) => Number(x) / 1e18;

/** Value of the legs on a scenario grid: values[i] for scenario i, from per-strike price tables. */
function scenarioValues(legs: FLeg[], table: (k: number, call: boolean) => Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (const l of legs) {
    const t = table(l.k, l.call);
    for (let i = 0; i < n; i++) out[i]! += l.q * t[i]!;
  }
  return out;
}

interface Worst {
  ratio: number;
  minEquity: number;
  where: string;
}

describe("stress grid: requirements survive the issue-7 stress (local parameters)", function () {
  this.timeout(120_000);

  let imFailures: string[] = [];
  let mmFailures: string[] = [];

  /** Worst failures first: the lowest equity per failing group. */
  function summary(list: string[]): string[] {
    const perGroup = new Map<string, { equity: number; line: string }>();
    for (const f of list) {
      const [group, rest] = f.split(": spot ");
      const equity = Number(rest!.split(" equity ")[1]);
      const seen = perGroup.get(group!);
      if (seen === undefined || equity < seen.equity) perGroup.set(group!, { equity, line: f });
    }
    return [...perGroup.values()].sort((a, b) => a.equity - b.equity).map((x) => x.line);
  }

  before("runs the grid once for (a) and (b)", () => {
    const started = Date.now();
    const book = portfolios();
    const im: Worst = { ratio: -Infinity, minEquity: Infinity, where: "" };
    const mm: Worst = { ratio: -Infinity, minEquity: Infinity, where: "" };
    imFailures = [];
    mmFailures = [];
    /** Worst IM and MM ratios per portfolio family (first word(s) of the name). */
    const families = new Map<string, { im: number; mm: number }>();
    let groups = 0;
    for (const [tenorName, tau] of TENORS) {
      for (const vol of VOLS) {
        for (const rate of RATES) {
          const p = groupParams(tau, vol, rate);
          const cache = new Map<string, Float64Array>();
          const imTable = (k: number, call: boolean) => {
            const key = `i${k}${call}`;
            let t = cache.get(key);
            if (t === undefined) {
              t = new Float64Array(IM_SPOT.length * IM_VOL.length);
              let i = 0;
              for (const a of IM_SPOT) for (const b of IM_VOL) t[i++] = bs(S * a, k, tau - DAY, vol * b, rate, call);
              cache.set(key, t);
            }
            return t;
          };
          const mmTable = (k: number, call: boolean) => {
            const key = `m${k}${call}`;
            let t = cache.get(key);
            if (t === undefined) {
              t = new Float64Array(MM_SPOT.length * MM_VOL.length);
              let i = 0;
              for (const a of MM_SPOT) for (const b of MM_VOL) t[i++] = bs(S * a, k, tau, vol * b, rate, call);
              cache.set(key, t);
            }
            return t;
          };
          for (const pf of book) {
            groups++;
            const r = evaluateGroup(modelLegs(pf.legs), p);
            const value = toNum(r.value);
            const imReq = toNum(r.imReq);
            const mmReq = toNum(r.mmReq);
            const where = `${pf.name}, ${tenorName}, vol ${Math.round(vol * 100)}%, r ${Math.round(rate * 100)}%`;
            const family = pf.name.replace(/ [\d/]+$/, "");
            const fam = families.get(family) ?? { im: -Infinity, mm: -Infinity };
            // (a) IM, one day later.
            const imNeed = Math.max(value, imReq);
            const imCash = imNeed - value;
            const v1 = scenarioValues(pf.legs, imTable, IM_SPOT.length * IM_VOL.length);
            for (let i = 0; i < v1.length; i++) {
              const equity = imCash + v1[i]!;
              const a = IM_SPOT[Math.floor(i / IM_VOL.length)]!;
              const b = IM_VOL[i % IM_VOL.length]!;
              if (equity < im.minEquity) im.minEquity = equity;
              if (equity < -TOL)
                imFailures.push(`${where}: spot x${a.toFixed(4)} vol x${b.toFixed(2)} equity ${equity}`);
              if (imNeed > 1e-6 * S) {
                const ratio = (value - v1[i]!) / imNeed;
                if (ratio > fam.im) fam.im = ratio;
                if (ratio > im.ratio) {
                  im.ratio = ratio;
                  im.where = `${where}; spot x${a.toFixed(4)}, vol x${b.toFixed(2)}; value ${value.toFixed(4)}, imReq ${imReq.toFixed(4)}`;
                }
              }
            }
            // (b) MM, immediately.
            const mmNeed = mmReq + LOCAL.mmLongHaircut * Math.max(0, value - mmReq);
            const mmCash = mmNeed - value;
            const v2 = scenarioValues(pf.legs, mmTable, MM_SPOT.length * MM_VOL.length);
            for (let i = 0; i < v2.length; i++) {
              const equity = mmCash + v2[i]!;
              const a = MM_SPOT[Math.floor(i / MM_VOL.length)]!;
              const b = MM_VOL[i % MM_VOL.length]!;
              if (equity < mm.minEquity) mm.minEquity = equity;
              if (equity < -TOL)
                mmFailures.push(`${where}: spot x${a.toFixed(4)} vol x${b.toFixed(2)} equity ${equity}`);
              if (mmNeed > 1e-6 * S) {
                const ratio = (value - v2[i]!) / mmNeed;
                if (ratio > fam.mm) fam.mm = ratio;
                if (ratio > mm.ratio) {
                  mm.ratio = ratio;
                  mm.where = `${where}; spot x${a.toFixed(4)}, vol x${b.toFixed(2)}; value ${value.toFixed(4)}, mmReq ${mmReq.toFixed(4)}`;
                }
              }
            }
            families.set(family, fam);
          }
        }
      }
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `      ${groups} groups (${book.length} portfolios x ${TENORS.length} tenors x ${VOLS.length} vols x ${RATES.length} rates), ` +
        `IM grid ${IM_SPOT.length}x${IM_VOL.length}, MM grid ${MM_SPOT.length}x${MM_VOL.length}, ${seconds.toFixed(1)} s`,
    );
    console.log(`      worst loss/IM = ${im.ratio.toFixed(6)}  (${im.where})`);
    console.log(`      worst loss/MM = ${mm.ratio.toFixed(6)}  (${mm.where})`);
    console.log(
      `      lowest equity after stress: IM ${im.minEquity.toExponential(3)}, MM ${mm.minEquity.toExponential(3)}`,
    );
    console.log("      worst ratio per family (loss/IM, loss/MM):");
    for (const [family, f] of [...families.entries()].sort((a, b) => b[1].im - a[1].im))
      console.log(`        ${family.padEnd(26)} ${f.im.toFixed(4)}  ${f.mm.toFixed(4)}`);
    for (const [label, list] of [
      ["IM", imFailures],
      ["MM", mmFailures],
    ] as const) {
      if (list.length === 0) continue;
      const groups = summary(list);
      console.log(
        `      ${label} FAILURES: ${list.length} scenarios in ${groups.length} groups (worst scenario per group):`,
      );
      for (const line of groups) console.log(`        ${line}`);
    }
  });

  it("(a) at exactly IM, equity >= 0 one day later after spot x[0.85, 1.15], vol x[0.7, 1.5] (intrinsic once expired)", () => {
    expect(
      summary(imFailures).slice(0, 12),
      `${imFailures.length} IM scenarios end below 0 (worst first)`,
    ).to.deep.equal([]);
  });

  it("(b) at exactly MM (h = 1), equity >= 0 under spot x[0.92, 1.08], vol x[0.8, 1.25] immediately", () => {
    expect(
      summary(mmFailures).slice(0, 12),
      `${mmFailures.length} MM scenarios end below 0 (worst first)`,
    ).to.deep.equal([]);
  });

  it("(c) 30-day single short legs within 10% of the money: (imReq + mark) / Deribit IM <= 1.25 at vol <= 80%", () => {
    const tau = 30 * DAY;
    const strikes = linspace(0.9, 1.1, 21).map(pct);
    const rows: string[] = [];
    const failures: string[] = [];
    for (const vol of [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5]) {
      let worst = -Infinity;
      let where = "";
      let worstR0 = -Infinity;
      let worstSpot = -Infinity;
      for (const rate of RATES) {
        const p = groupParams(tau, vol, rate);
        for (const k of strikes) {
          for (const call of [true, false]) {
            const legs = modelLegs([call ? C(k, -1) : P(k, -1)]);
            const r = evaluateGroup(legs, p);
            const mark = -toNum(r.value);
            // Deribit margins an option on its expiry's forward (the futures price it quotes as "underlying").
            const fwd = S * Math.exp((rate * tau) / YEAR_S);
            const otm = call ? Math.max(k - fwd, 0) : Math.max(fwd - k, 0);
            const deribit = Math.max(0.15 * fwd - otm, 0.1 * fwd) + mark;
            const ratio = (toNum(r.imReq) + mark) / deribit;
            // The same rule on spot (identical at r = 0): shown for comparison only.
            const otmSpot = call ? Math.max(k - S, 0) : Math.max(S - k, 0);
            const onSpot = (toNum(r.imReq) + mark) / (Math.max(0.15 * S - otmSpot, 0.1 * S) + mark);
            if (onSpot > worstSpot) worstSpot = onSpot;
            if (rate === 0 && ratio > worstR0) worstR0 = ratio;
            if (ratio > worst) {
              worst = ratio;
              where = `${call ? "call" : "put"} ${k}, r ${rate * 100}%`;
            }
            if (vol <= 0.8 + 1e-9 && ratio > 1.25)
              failures.push(`vol ${vol}: ${call ? "call" : "put"} ${k} r ${rate}: ${ratio.toFixed(4)}`);
          }
        }
      }
      rows.push(
        `        vol ${String(Math.round(vol * 100)).padStart(3)}%: max ${worst.toFixed(4)} (${where}); r = 0: ${worstR0.toFixed(4)}; ` +
          `Deribit's rule on spot instead of the forward: ${worstSpot.toFixed(4)}`,
      );
    }
    console.log(
      "      (imReq + mark) / Deribit standard IM on the forward, 30-day single short legs, K/S 0.90-1.10 by 0.01, " +
        "r in {0, 5%, 10%}:",
    );
    for (const row of rows) console.log(row);
    expect(failures).to.deep.equal([]);
  });

  it("prints IM and MM of the standard portfolios next to Deribit's and Derive's standard margin", () => {
    // S = 2000, σ = 80%, 30 days, r = 0. Every figure is the cash the account must hold once the premiums are
    // exchanged at mark (long premium paid, short premium received): Bulwark max(0, req − value) (MM with h = 1);
    // Deribit Σ_short max(0.15 − OTM/S, 0.10)·S + mark (IM), 0.075·S + mark (MM), leg by leg, longs no credit;
    // Derive standard manager (derivexyz/v2-core StandardManager.sol with scripts/config-mainnet.sol parameters:
    // maxSpotReq 0.15, minSpotReq 0.13, mmCallSpotReq 0.09, mmPutSpotReq 0.09, MMPutMtMReq 0.09, unpairedIMScale 1.2,
    // unpairedMMScale 1.1, mmOffsetScale 1.05): min(Σ_short isolated margin, max loss + unpaired·F·|net short calls|).
    const tau = 30 * DAY;
    const p = groupParams(tau, 0.8, 0);
    const mark = (k: number, call: boolean) => {
      const m = marks(BigInt(k) * WAD, p);
      return toNum(call ? m.call : m.put);
    };
    const book: Portfolio[] = [
      { name: "short ATM call 2000", legs: [C(2000, -1)] },
      { name: "short 10% OTM call 2200", legs: [C(2200, -1)] },
      { name: "short ATM put 2000", legs: [P(2000, -1)] },
      { name: "short 10% OTM put 1800", legs: [P(1800, -1)] },
      { name: "short straddle 2000", legs: [P(2000, -1), C(2000, -1)] },
      { name: "short strangle 1800/2200", legs: [P(1800, -1), C(2200, -1)] },
      { name: "short call spread 2000/2200", legs: [C(2000, -1), C(2200, 1)] },
      { name: "iron condor 1600/1800/2200/2400", legs: [P(1600, 1), P(1800, -1), C(2200, -1), C(2400, 1)] },
    ];
    const payoff = (legs: FLeg[], st: number) =>
      legs.reduce((s, l) => s + l.q * (l.call ? Math.max(st - l.k, 0) : Math.max(l.k - st, 0)), 0);
    console.log("      | Portfolio | Bulwark IM | Bulwark MM | Deribit IM | Deribit MM | Derive IM | Derive MM |");
    for (const pf of book) {
      const r = evaluateGroup(modelLegs(pf.legs), p);
      const value = toNum(r.value);
      const bIm = Math.max(0, toNum(r.imReq) - value);
      const bMm = Math.max(0, toNum(r.mmReq) - value);
      let dIm = 0;
      let dMm = 0;
      let vIm = 0;
      let vMm = 0;
      let netCalls = 0;
      for (const l of pf.legs) {
        if (l.call) netCalls += l.q;
        if (l.q >= 0) continue;
        const q = -l.q;
        const m = mark(l.k, l.call);
        const otm = l.call ? Math.max(l.k - S, 0) : Math.max(S - l.k, 0);
        dIm += q * (Math.max(0.15 * S - otm, 0.1 * S) + m);
        dMm += q * (0.075 * S + m);
        const otmRatio = otm / S;
        const imMult = 0.15 - otmRatio > 0.13 ? 0.15 - otmRatio : 0.13;
        if (l.call) {
          vIm += q * (imMult * S + m);
          vMm += q * (0.09 * S + m);
        } else {
          const mmPut = q * (Math.max(0.09 * S, 0.09 * m) + m);
          vMm += mmPut;
          vIm += Math.max(q * (imMult * S + m), 1.05 * mmPut);
        }
      }
      const strikes = [0, ...pf.legs.map((l) => l.k)];
      const maxLossDerive = Math.max(0, ...strikes.map((x) => -payoff(pf.legs, x)));
      const unpaired = (scale: number) => (netCalls < 0 ? scale * S * -netCalls : 0);
      vIm = Math.min(vIm, maxLossDerive + unpaired(1.2));
      vMm = Math.min(vMm, maxLossDerive + unpaired(1.1));
      const f = (x: number) => x.toFixed(2);
      console.log(`      | ${pf.name} | ${f(bIm)} | ${f(bMm)} | ${f(dIm)} | ${f(dMm)} | ${f(vIm)} | ${f(vMm)} |`);
    }
  });
});
