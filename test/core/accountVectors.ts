/**
 * Account-level margin vectors: test/vectors/account-examples.json (hand-picked cases) and
 * test/vectors/account-random.json (seeded random portfolios). Each vector is an oracle setup plus holdings; the
 * expected equity/IM/MM come from sdk/model/account.ts. The Solidity test (test/core/AccountVectors.t.sol) replays
 * the setup on the real contracts (ChainlinkOracle + MockAggregator feeds, VolatilityOracle, SettlementOracle) and
 * must get the same numbers; test/core/accountVectors.test.ts checks the model and that the files are up to date.
 *
 * Setup replayed by Solidity (constants mirror test/core/utils/CoreBase.sol):
 * - at T0: ETH spot 2000, BTC spot 60000, default vols `vols` and `expiryVols` pushed, rates set;
 * - the account deposits `cash` and `weth`/`wbtc` and takes `positions` in one batch from a rich counterparty;
 * - for each `settled` expiry (ascending): warp to the expiry, publish the price there and record it;
 * - warp to `now`, publish the final `spot` (twice), push the vols again unless `staleVol`, set guardian `modes`.
 *
 * Regenerate: `npx tsx`-free: `node --experimental-strip-types test/core/accountVectors.ts` is not needed; the mocha
 * test prints the JSON to write when the committed file differs (set WRITE_VECTORS=1 to write it).
 */
import {
  MarketMode,
  accountMargin,
  encodeSeries,
  type AccountMargin,
  type CollateralHolding,
  type MarginParams,
  type OracleView,
  type Position,
} from "../../sdk/model/account.js";
import { ClearingHouseMarketHalted } from "../../sdk/model/account.js";

export const WAD = 10n ** 18n;
export const T0 = 1_767_225_600n;
export const DAY = 86_400n;
export const OFFSET = 8n * 3600n;
export const ETH = 1;
export const BTC = 2;
export const INITIAL_SPOT: Record<number, bigint> = {
  [ETH]: 2000n * WAD,
  [BTC]: 60_000n * WAD,
};
export const STRIKE_STEP: Record<number, bigint> = {
  [ETH]: WAD,
  [BTC]: 1000n * WAD,
};
export const HAIRCUT = WAD / 10n;
export const STALE_VOL = 2n * WAD;
export const VOL_MAX_AGE = 7n * DAY;

export interface PositionSpec {
  underlying: number;
  expiry: bigint;
  strike: bigint;
  isCall: boolean;
  size: bigint;
}

export interface AccountVector {
  name: string;
  now: bigint;
  cash: bigint;
  weth: bigint;
  wbtc: bigint;
  positions: PositionSpec[];
  settled: { underlying: number; expiry: bigint; price: bigint }[];
  spot: Record<number, bigint>;
  modes: Record<number, MarketMode>;
  vols: Record<number, bigint>;
  expiryVols: { underlying: number; expiry: bigint; vol: bigint }[];
  staleVol: Record<number, boolean>;
  rates: Record<number, bigint>;
}

export function marginParams(rate: bigint): MarginParams {
  return {
    imBase: (15n * WAD) / 100n,
    imFloor: WAD / 10n,
    mmBase: WAD / 10n,
    mmFloor: (75n * WAD) / 1000n,
    rate,
  };
}

/** `k`-th daily expiry (08:00 UTC) after T0, k >= 0. */
export function expiryAt(k: number): bigint {
  return T0 + OFFSET + BigInt(k) * DAY;
}

/** What the real oracles answer at `v.now` after the setup above (mirrors their documented rules). */
export function oracleView(v: AccountVector): OracleView {
  return {
    marketState(u) {
      const mode = v.modes[u] ?? MarketMode.Active;
      return { mode, price: mode === MarketMode.Halted ? 0n : v.spot[u] };
    },
    vol(u, e) {
      const d = v.vols[u];
      const ev = v.expiryVols.find((x) => x.underlying === u && x.expiry === e)?.vol;
      if (!v.staleVol[u]) return { vol: ev ?? d, mode: MarketMode.Active };
      let stale = d > STALE_VOL ? d : STALE_VOL;
      if (ev !== undefined && ev > stale) stale = ev;
      return { vol: stale, mode: MarketMode.ReduceOnly };
    },
    settlementPrice(u, e) {
      const s = v.settled.find((x) => x.underlying === u && x.expiry === e);
      return s === undefined ? { price: 0n, recorded: false } : { price: s.price, recorded: true };
    },
  };
}

export function holdings(v: AccountVector): {
  cash: bigint;
  collaterals: CollateralHolding[];
  positions: Position[];
} {
  const collaterals: CollateralHolding[] = [];
  if (v.weth > 0n)
    collaterals.push({
      priceUnderlying: ETH,
      haircut: HAIRCUT,
      amount: v.weth,
    });
  if (v.wbtc > 0n)
    collaterals.push({
      priceUnderlying: BTC,
      haircut: HAIRCUT,
      amount: v.wbtc,
    });
  return {
    cash: v.cash,
    collaterals,
    positions: v.positions.map((p) => ({
      series: encodeSeries(p),
      size: p.size,
    })),
  };
}

export type Expected = { halted: number } & AccountMargin;

export function expected(v: AccountVector): Expected {
  try {
    const r = accountMargin(holdings(v), oracleView(v), (u) => marginParams(v.rates[u] ?? 0n), v.now);
    return { halted: 0, ...r };
  } catch (e) {
    if (e instanceof ClearingHouseMarketHalted) return { halted: e.underlying, equity: 0n, im: 0n, mm: 0n };
    throw e;
  }
}

/** IM check the setup's trade batch must pass at T0 (all Active, initial spots, fresh vols). */
export function passesBuildCheck(v: AccountVector): boolean {
  const atBuild: AccountVector = {
    ...v,
    now: T0,
    settled: [],
    spot: INITIAL_SPOT,
    modes: {},
    staleVol: {},
  };
  const r = accountMargin(holdings(atBuild), oracleView(atBuild), (u) => marginParams(v.rates[u] ?? 0n), T0);
  return r.equity >= r.im;
}

// ------------------------------------------------------------------------------------------------ examples

function base(name: string): AccountVector {
  return {
    name,
    now: T0 + 3600n,
    cash: 10_000n * WAD,
    weth: 0n,
    wbtc: 0n,
    positions: [],
    settled: [],
    spot: { ...INITIAL_SPOT },
    modes: {},
    vols: { [ETH]: (8n * WAD) / 10n, [BTC]: (6n * WAD) / 10n },
    expiryVols: [],
    staleVol: {},
    rates: {},
  };
}

function pos(underlying: number, k: number, strike: bigint, isCall: boolean, size: bigint): PositionSpec {
  return { underlying, expiry: expiryAt(k), strike, isCall, size };
}

export function examples(): AccountVector[] {
  const list: AccountVector[] = [];
  let v = base("cash and collateral only");
  v.weth = (3n * WAD) / 2n;
  v.wbtc = WAD / 10n;
  list.push(v);

  v = base("naked short call, spot up 10%");
  v.positions = [pos(ETH, 7, 2200n * WAD, true, -2n * WAD)];
  v.spot[ETH] = 2200n * WAD;
  list.push(v);

  v = base("call spread and put spread, two expiries");
  v.positions = [
    pos(ETH, 7, 2000n * WAD, true, WAD),
    pos(ETH, 7, 2200n * WAD, true, -WAD),
    pos(ETH, 14, 1800n * WAD, false, -3n * WAD),
    pos(ETH, 14, 1700n * WAD, false, 3n * WAD),
  ];
  v.spot[ETH] = 1900n * WAD;
  list.push(v);

  v = base("two underlyings with collateral and a rate");
  v.weth = 5n * WAD;
  v.positions = [pos(ETH, 3, 2100n * WAD, true, -WAD), pos(BTC, 10, 55_000n * WAD, false, -WAD / 2n)];
  v.rates = { [ETH]: WAD / 20n, [BTC]: -WAD / 100n };
  v.spot = { [ETH]: 2050n * WAD, [BTC]: 58_500n * WAD };
  list.push(v);

  v = base("per-expiry vol overrides the default");
  v.positions = [pos(ETH, 7, 2000n * WAD, true, -WAD), pos(ETH, 14, 2000n * WAD, true, -WAD)];
  v.expiryVols = [{ underlying: ETH, expiry: expiryAt(14), vol: (12n * WAD) / 10n }];
  list.push(v);

  v = base("expired group settled, another live");
  v.positions = [pos(ETH, 1, 1900n * WAD, true, -2n * WAD), pos(ETH, 10, 2100n * WAD, false, WAD)];
  v.now = expiryAt(2) + 600n;
  v.settled = [{ underlying: ETH, expiry: expiryAt(1), price: 2050n * WAD }];
  v.spot[ETH] = 2075n * WAD;
  list.push(v);

  v = base("expired group not yet settled: intrinsic at spot, still margined");
  v.positions = [pos(ETH, 1, 1900n * WAD, true, -2n * WAD)];
  v.now = expiryAt(1) + 60n;
  v.spot[ETH] = 2010n * WAD;
  list.push(v);

  v = base("ReduceOnly market: longs at most intrinsic");
  v.positions = [pos(ETH, 7, 1900n * WAD, true, 2n * WAD), pos(ETH, 7, 2100n * WAD, true, -WAD)];
  v.modes = { [ETH]: MarketMode.ReduceOnly };
  list.push(v);

  v = base("stale vol: fallback vol, ReduceOnly valuation");
  v.positions = [pos(ETH, 30, 2000n * WAD, true, WAD), pos(ETH, 30, 1800n * WAD, false, -WAD)];
  v.now = T0 + VOL_MAX_AGE + 3600n;
  v.staleVol = { [ETH]: true };
  list.push(v);

  v = base("Halted market: longs 0, short puts at -K");
  v.weth = 2n * WAD;
  v.positions = [pos(ETH, 7, 1800n * WAD, false, -WAD), pos(ETH, 7, 2000n * WAD, true, WAD)];
  v.modes = { [ETH]: MarketMode.Halted };
  list.push(v);

  v = base("Halted market with a short call: no value");
  v.positions = [pos(BTC, 7, 70_000n * WAD, true, -WAD / 10n), pos(ETH, 7, 2000n * WAD, true, WAD)];
  v.modes = { [BTC]: MarketMode.Halted };
  list.push(v);

  v = base("halt elsewhere does not touch this account");
  v.positions = [pos(ETH, 7, 2000n * WAD, true, -WAD)];
  v.modes = { [BTC]: MarketMode.Halted };
  list.push(v);

  v = base("deep loss: equity below maintenance");
  v.cash = 1_500n * WAD;
  v.positions = [pos(ETH, 14, 2400n * WAD, true, -5n * WAD)];
  v.spot[ETH] = 2900n * WAD;
  list.push(v);

  for (const x of list) if (!passesBuildCheck(x)) throw new Error(`example "${x.name}" fails the build-time IM check`);
  return list;
}

// ------------------------------------------------------------------------------------------------ random

/** mulberry32: tiny seeded PRNG so the file is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomVectors(count: number, seed = 0xb01a): AccountVector[] {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const out: AccountVector[] = [];
  while (out.length < count) {
    const v = base(`random ${out.length}`);
    v.cash = BigInt(int(1, 200)) * 1000n * WAD;
    if (r() < 0.4) v.weth = BigInt(int(1, 5000)) * 10n ** 15n;
    if (r() < 0.3) v.wbtc = BigInt(int(1, 5000)) * 10n ** 14n;
    const n = int(1, 12);
    const seen = new Set<bigint>();
    for (let i = 0; i < n; i++) {
      const u = r() < 0.7 ? ETH : BTC;
      const k = int(0, 30);
      const spot = INITIAL_SPOT[u];
      const strike = ((spot * BigInt(int(70, 130))) / 100n / STRIKE_STEP[u]) * STRIKE_STEP[u];
      const p = pos(u, k, strike, r() < 0.5, BigInt(int(-4000, 4000)) * 10n ** 15n || WAD);
      const id = encodeSeries(p);
      if (seen.has(id)) continue;
      seen.add(id);
      v.positions.push(p);
    }
    v.now = T0 + BigInt(int(60, 32 * 86_400));
    const expired = [
      ...new Set(v.positions.filter((p) => p.expiry <= v.now).map((p) => `${p.underlying}:${p.expiry}`)),
    ];
    for (const key of expired) {
      if (r() < 0.6) {
        const [u, e] = key.split(":");
        const price = (INITIAL_SPOT[Number(u)] * BigInt(int(60, 140))) / 100n;
        v.settled.push({ underlying: Number(u), expiry: BigInt(e), price });
      }
    }
    v.settled.sort((a, b) => (a.expiry < b.expiry ? -1 : a.expiry > b.expiry ? 1 : a.underlying - b.underlying));
    v.spot = {
      [ETH]: (INITIAL_SPOT[ETH] * BigInt(int(60, 150))) / 100n,
      [BTC]: (INITIAL_SPOT[BTC] * BigInt(int(60, 150))) / 100n,
    };
    v.vols = {
      [ETH]: BigInt(int(20, 150)) * 10n ** 16n,
      [BTC]: BigInt(int(20, 150)) * 10n ** 16n,
    };
    if (r() < 0.3) {
      const p = v.positions[0];
      v.expiryVols.push({
        underlying: p.underlying,
        expiry: p.expiry,
        vol: BigInt(int(20, 200)) * 10n ** 16n,
      });
    }
    if (v.now - T0 > VOL_MAX_AGE && r() < 0.3) v.staleVol = { [ETH]: true };
    const m = r();
    if (m < 0.1) v.modes = { [BTC]: MarketMode.Halted };
    else if (m < 0.2) v.modes = { [ETH]: MarketMode.ReduceOnly };
    else if (m < 0.25) v.modes = { [ETH]: MarketMode.Halted };
    if (r() < 0.3) v.rates = { [ETH]: BigInt(int(-20, 20)) * 10n ** 16n };
    if (!passesBuildCheck(v)) continue;
    out.push(v);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ JSON

const str = (x: bigint) => x.toString();

/** Parallel arrays (easy for `vm.parseJson*Array`), all integers as decimal strings. */
export function toJson(v: AccountVector): unknown {
  const e = expected(v);
  return {
    name: v.name,
    now: str(v.now),
    cash: str(v.cash),
    weth: str(v.weth),
    wbtc: str(v.wbtc),
    positions: {
      underlyings: v.positions.map((p) => p.underlying),
      expiries: v.positions.map((p) => str(p.expiry)),
      strikes: v.positions.map((p) => str(p.strike)),
      isCall: v.positions.map((p) => p.isCall),
      sizes: v.positions.map((p) => str(p.size)),
    },
    settled: {
      underlyings: v.settled.map((s) => s.underlying),
      expiries: v.settled.map((s) => str(s.expiry)),
      prices: v.settled.map((s) => str(s.price)),
    },
    spot: { eth: str(v.spot[ETH]), btc: str(v.spot[BTC]) },
    modes: { eth: v.modes[ETH] ?? 0, btc: v.modes[BTC] ?? 0 },
    vols: { eth: str(v.vols[ETH]), btc: str(v.vols[BTC]) },
    expiryVols: {
      underlyings: v.expiryVols.map((x) => x.underlying),
      expiries: v.expiryVols.map((x) => str(x.expiry)),
      vols: v.expiryVols.map((x) => str(x.vol)),
    },
    staleVol: { eth: v.staleVol[ETH] ?? false, btc: v.staleVol[BTC] ?? false },
    rates: { eth: str(v.rates[ETH] ?? 0n), btc: str(v.rates[BTC] ?? 0n) },
    expected: {
      halted: e.halted,
      equity: str(e.equity),
      im: str(e.im),
      mm: str(e.mm),
    },
  };
}

export function fromJson(j: any): AccountVector {
  const big = (x: string) => BigInt(x);
  const positions: PositionSpec[] = j.positions.underlyings.map((u: number, i: number) => ({
    underlying: u,
    expiry: big(j.positions.expiries[i]),
    strike: big(j.positions.strikes[i]),
    isCall: j.positions.isCall[i],
    size: big(j.positions.sizes[i]),
  }));
  return {
    name: j.name,
    now: big(j.now),
    cash: big(j.cash),
    weth: big(j.weth),
    wbtc: big(j.wbtc),
    positions,
    settled: j.settled.underlyings.map((u: number, i: number) => ({
      underlying: u,
      expiry: big(j.settled.expiries[i]),
      price: big(j.settled.prices[i]),
    })),
    spot: { [ETH]: big(j.spot.eth), [BTC]: big(j.spot.btc) },
    modes: { [ETH]: j.modes.eth, [BTC]: j.modes.btc },
    vols: { [ETH]: big(j.vols.eth), [BTC]: big(j.vols.btc) },
    expiryVols: j.expiryVols.underlyings.map((u: number, i: number) => ({
      underlying: u,
      expiry: big(j.expiryVols.expiries[i]),
      vol: big(j.expiryVols.vols[i]),
    })),
    staleVol: { [ETH]: j.staleVol.eth, [BTC]: j.staleVol.btc },
    rates: { [ETH]: big(j.rates.eth), [BTC]: big(j.rates.btc) },
  };
}

export function serialize(description: string, vectors: AccountVector[]): string {
  return JSON.stringify({ description, count: vectors.length, vectors: vectors.map(toJson) }, null, 2) + "\n";
}

export const EXAMPLES_DESCRIPTION =
  "Account-level margin examples (docs/core.md): oracle setup + holdings; expected from sdk/model/account.ts.";
export const RANDOM_DESCRIPTION =
  "Seeded random portfolios (test/core/accountVectors.ts); expected from sdk/model/account.ts.";
export const RANDOM_COUNT = 40;
