/**
 * Account-level margin vectors (risk engine v2): test/vectors/account-examples.json (hand-picked cases) and
 * test/vectors/account-random.json (seeded random portfolios). Each vector is a market setup plus holdings; the
 * expected equity/IM/MM (non-strict, `ClearingHouse.accountMargin`), the strict evaluation (what the initial-margin
 * checks use) and the group count come from sdk/model/account.ts. The Solidity test (test/core/AccountVectors.t.sol)
 * replays the setup on the real contracts (ChainlinkOracle + MockAggregator feeds, VolatilityOracle,
 * SettlementOracle, ClearingHouse and its MarginEvaluator) and must get the same numbers to the wei;
 * test/core/accountVectors.test.ts checks the model and that the files are up to date.
 *
 * Setup replayed by Solidity (constants mirror test/core/utils/CoreBase.sol and test/utils/TestConfig.sol):
 * - at T0: ETH spot 2000, BTC spot 60000; per underlying the rate (`rates`) and the risk parameters (`risk`, via
 *   `setRiskParams`); collateral haircuts (`haircuts`, via `setCollateralParams`); default vols `vols` and
 *   `expiryVols` pushed;
 * - the account deposits `cash` and `weth`/`wbtc` and takes `positions` in one zero-premium batch from a rich
 *   counterparty (the batch must pass the whole-account IM check at T0: `passesBuildCheck`);
 * - for each `settled` expiry (ascending): warp to the expiry, publish the price there and record it;
 * - warp to `now`, publish the final `spot` twice (a spot of 0 publishes answer 0: the feed is broken, the market
 *   Halted and `lastPrice` 0), push the vols again unless `staleVol`, set guardian `modes`.
 *
 * Regenerate: `WRITE_VECTORS=1 npm run test:ts -- test/core/accountVectors.test.ts`.
 */
import {
  MarketMode,
  accountMargin,
  encodeSeries,
  evaluateAccount,
  predictTrades,
  type AccountMargin,
  type AccountState,
  type CollateralHolding,
  type EngineParams,
  type OracleView,
  type Position,
  type Trade,
} from "../../sdk/model/account.js";

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
/** Oracle price bands (CoreBase `listUnderlying`): `lastPrice` clamps into them, a broken feed gives the max. */
export const BAND: Record<number, { min: bigint; max: bigint }> = {
  [ETH]: { min: 100n * WAD, max: 100_000n * WAD },
  [BTC]: { min: 1000n * WAD, max: 1_000_000n * WAD },
};
export const STRIKE_STEP: Record<number, bigint> = {
  [ETH]: WAD,
  [BTC]: 1000n * WAD,
};
export const STALE_VOL = 2n * WAD;
export const VOL_MAX_AGE = 7n * DAY;
/** Group cap of a fresh deployment (`RiskConfig` constructor). */
export const GROUP_CAP = 16;
/** Account ids in the replay: the counterparty is created first (after CoreBase's three), then the account. */
export const COUNTERPARTY_ID = 6n;
export const ACCOUNT_ID = 7n;

/** `RiskParams` without `minTradeSize` (the default 1e15 is kept; every vector size is a multiple of it). */
export interface Risk {
  imVegaSlope: bigint;
  imVegaCap: bigint;
  mmVegaSlope: bigint;
  mmVegaCap: bigint;
  mmLongHaircut: bigint;
  haltShock: bigint;
}

/** The defaults `setUnderlyingParams` gives at first listing (the minima of the stress bounds). */
export const DEFAULT_RISK: Risk = {
  imVegaSlope: (87n * WAD) / 100n,
  imVegaCap: (55n * WAD) / 100n,
  mmVegaSlope: (44n * WAD) / 100n,
  mmVegaCap: (3n * WAD) / 10n,
  mmLongHaircut: WAD,
  haltShock: WAD / 2n,
};

export interface Haircuts {
  im: bigint;
  mm: bigint;
}

export const DEFAULT_HAIRCUTS: Haircuts = { im: WAD / 10n, mm: WAD / 20n };

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
  haircuts: { weth: Haircuts; wbtc: Haircuts };
  positions: PositionSpec[];
  settled: { underlying: number; expiry: bigint; price: bigint }[];
  /** Final spot per underlying; 0 = the feed answers 0 (Halted, lastPrice 0). */
  spot: Record<number, bigint>;
  modes: Record<number, MarketMode>;
  vols: Record<number, bigint>;
  expiryVols: { underlying: number; expiry: bigint; vol: bigint }[];
  staleVol: Record<number, boolean>;
  rates: Record<number, bigint>;
  risk: Record<number, Risk>;
}

/** `engineParams(u)` of the replay: TestConfig's margin terms, the vector's rate and risk parameters. */
export function engineParams(v: AccountVector, u: number): EngineParams {
  return {
    imBase: (15n * WAD) / 100n,
    imFloor: WAD / 10n,
    mmBase: WAD / 10n,
    mmFloor: (75n * WAD) / 1000n,
    rate: v.rates[u] ?? 0n,
    ...(v.risk[u] ?? DEFAULT_RISK),
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
      let mode = v.spot[u] === 0n ? MarketMode.Halted : MarketMode.Active; // answer 0: NonPositive fault
      const override = v.modes[u] ?? MarketMode.Active;
      if (override > mode) mode = override;
      return { mode, price: mode === MarketMode.Halted ? 0n : v.spot[u]! };
    },
    lastPrice(u) {
      const { min, max } = BAND[u]!;
      const s = v.spot[u]!;
      return { price: s === 0n ? 0n : s < min ? min : s > max ? max : s, maxPrice: max };
    },
    vol(u, e) {
      const d = v.vols[u]!;
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

export function holdings(v: AccountVector): AccountState {
  const collaterals: CollateralHolding[] = [];
  if (v.weth > 0n)
    collaterals.push({
      priceUnderlying: ETH,
      imHaircut: v.haircuts.weth.im,
      mmHaircut: v.haircuts.weth.mm,
      amount: v.weth,
    });
  if (v.wbtc > 0n)
    collaterals.push({
      priceUnderlying: BTC,
      imHaircut: v.haircuts.wbtc.im,
      mmHaircut: v.haircuts.wbtc.mm,
      amount: v.wbtc,
    });
  const positions: Position[] = v.positions.map((p) => ({ series: encodeSeries(p), size: p.size }));
  return { cash: v.cash, collaterals, positions };
}

export interface Expected extends AccountMargin {
  /** The strict evaluation (ReduceOnly markets degraded): what trades and withdrawals are checked against. */
  strict: AccountMargin;
}

export function expected(v: AccountVector): Expected {
  const state = holdings(v);
  const params = (u: number) => engineParams(v, u);
  return {
    ...accountMargin(state, oracleView(v), params, v.now),
    strict: evaluateAccount(state, oracleView(v), params, v.now, true),
  };
}

/** The build batch of the replay: one zero-premium leg per position against the counterparty. */
export function buildTrades(v: AccountVector): Trade[] {
  return v.positions.map((p) => ({
    buyer: p.size > 0n ? ACCOUNT_ID : COUNTERPARTY_ID,
    seller: p.size > 0n ? COUNTERPARTY_ID : ACCOUNT_ID,
    series: encodeSeries(p),
    size: p.size > 0n ? p.size : -p.size,
    premium: 0n,
    buyerFee: 0n,
    sellerFee: 0n,
  }));
}

/** The vector as the build batch sees it: at T0, all Active, initial spots, fresh vols. */
function atBuild(v: AccountVector): AccountVector {
  return { ...v, now: T0, settled: [], spot: INITIAL_SPOT, modes: {}, staleVol: {} };
}

/** Strict initial margin (equity − im) of the vector's holdings at build time. */
export function buildMargin(v: AccountVector): bigint {
  const b = atBuild(v);
  const e = evaluateAccount(holdings(b), oracleView(b), (u) => engineParams(v, u), T0, true);
  return e.equity - e.im;
}

/** The setup's trade batch passes the account's health check at T0 (all Active, initial spots, fresh vols). */
export function passesBuildCheck(v: AccountVector): boolean {
  if (v.positions.length === 0) return true;
  const build = atBuild(v);
  const before: AccountState = { ...holdings(build), positions: [] };
  const r = predictTrades(
    before,
    ACCOUNT_ID,
    buildTrades(build),
    oracleView(build),
    (u) => engineParams(v, u),
    T0,
    GROUP_CAP,
  );
  return r.accepted;
}

// ------------------------------------------------------------------------------------------------ examples

function base(name: string): AccountVector {
  return {
    name,
    now: T0 + 3600n,
    cash: 10_000n * WAD,
    weth: 0n,
    wbtc: 0n,
    haircuts: { weth: { ...DEFAULT_HAIRCUTS }, wbtc: { ...DEFAULT_HAIRCUTS } },
    positions: [],
    settled: [],
    spot: { ...INITIAL_SPOT },
    modes: {},
    vols: { [ETH]: (8n * WAD) / 10n, [BTC]: (6n * WAD) / 10n },
    expiryVols: [],
    staleVol: {},
    rates: {},
    risk: {},
  };
}

function pos(underlying: number, k: number, strike: bigint, isCall: boolean, size: bigint): PositionSpec {
  return { underlying, expiry: expiryAt(k), strike, isCall, size };
}

const pct = (x: bigint) => (x * WAD) / 100n;

/** Example names the model test checks a property of (test/core/accountVectors.test.ts). */
export const EX = {
  collateralOnly: "cash and collateral only: IM and MM haircuts differ",
  longOnly: "long-only: the longs' value is held for IM (no credit)",
  debitSpread: "debit call spread: no IM credit",
  creditSpread: "credit put spread: IM capped at the max loss",
  haltedDefined: "Halted market: defined-risk put spread at minus its max loss",
  haltedUnbounded: "Halted market: short call at its worst payoff up to the shocked last price",
  haltedBroken: "Halted by a broken feed (answer 0): short call up to the band max",
  haltedCollateral: "Halted market prices the collateral: 0 for IM, shocked last price and MM haircut for MM",
  haltedFarCallSpread: "Halted market: far-OTM call spread, strikes above the shocked last price, counts at -L",
  reduceOnly: "ReduceOnly market: prices used, no MM long credit (h = 1); strict evaluation degrades",
  staleVol: "stale vol: ReduceOnly vol mode, h = 1 although mmLongHaircut is 0.5",
  longCredit: "Active with mmLongHaircut 0.5: half the long value above MM is credited for MM",
  rate: "two underlyings with collateral and rates 5% and 10%",
  belowMm: "deep loss: equity below maintenance",
} as const;

export function examples(): AccountVector[] {
  const list: AccountVector[] = [];
  let v = base(EX.collateralOnly);
  v.weth = (3n * WAD) / 2n;
  v.wbtc = WAD / 10n;
  v.haircuts.weth = { im: pct(20n), mm: pct(8n) };
  list.push(v);

  v = base(EX.longOnly);
  v.cash = 1_000n * WAD;
  v.positions = [pos(ETH, 7, 2000n * WAD, true, 8n * WAD), pos(ETH, 30, 1800n * WAD, false, 3n * WAD)];
  list.push(v);

  v = base(EX.debitSpread);
  v.cash = 2_000n * WAD;
  v.positions = [pos(ETH, 14, 2000n * WAD, true, 2n * WAD), pos(ETH, 14, 2200n * WAD, true, -2n * WAD)];
  list.push(v);

  v = base(EX.creditSpread);
  v.cash = 1_000n * WAD;
  v.positions = [pos(ETH, 7, 1950n * WAD, false, 5n * WAD), pos(ETH, 7, 2000n * WAD, false, -5n * WAD)];
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

  v = base(EX.rate);
  v.weth = 5n * WAD;
  v.positions = [
    pos(ETH, 3, 2100n * WAD, true, -WAD),
    pos(BTC, 10, 55_000n * WAD, false, -WAD / 2n),
    pos(BTC, 200, 60_000n * WAD, false, -WAD / 4n),
  ];
  v.rates = { [ETH]: pct(5n), [BTC]: pct(10n) };
  v.spot = { [ETH]: 2050n * WAD, [BTC]: 58_500n * WAD };
  v.cash = 40_000n * WAD;
  list.push(v);

  v = base("per-expiry vol overrides the default; custom vega add-on");
  v.positions = [pos(ETH, 7, 2000n * WAD, true, -WAD), pos(ETH, 14, 2000n * WAD, true, -WAD)];
  v.expiryVols = [{ underlying: ETH, expiry: expiryAt(14), vol: (12n * WAD) / 10n }];
  v.risk[ETH] = { ...DEFAULT_RISK, imVegaSlope: 3n * WAD, imVegaCap: WAD, mmVegaSlope: 2n * WAD, mmVegaCap: pct(60n) };
  list.push(v);

  v = base("expired group settled (long ITM held for IM), another live");
  v.positions = [pos(ETH, 1, 1900n * WAD, true, 2n * WAD), pos(ETH, 10, 2100n * WAD, false, -WAD)];
  v.now = expiryAt(2) + 600n;
  v.settled = [{ underlying: ETH, expiry: expiryAt(1), price: 2050n * WAD }];
  v.spot[ETH] = 2075n * WAD;
  list.push(v);

  v = base("expired short settled, another live");
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

  v = base("expired group not yet settled in a Halted market: degraded");
  v.positions = [pos(ETH, 1, 1900n * WAD, true, -2n * WAD), pos(ETH, 1, 2000n * WAD, true, WAD)];
  v.now = expiryAt(1) + 60n;
  v.spot[ETH] = 2010n * WAD;
  v.modes = { [ETH]: MarketMode.Halted };
  list.push(v);

  v = base(EX.reduceOnly);
  v.weth = 2n * WAD;
  v.positions = [pos(ETH, 7, 1900n * WAD, true, 2n * WAD), pos(ETH, 7, 2100n * WAD, true, -WAD)];
  v.modes = { [ETH]: MarketMode.ReduceOnly };
  v.risk[ETH] = { ...DEFAULT_RISK, mmLongHaircut: WAD / 2n };
  list.push(v);

  v = base(EX.staleVol);
  v.positions = [pos(ETH, 30, 2000n * WAD, true, WAD), pos(ETH, 30, 1800n * WAD, false, -WAD)];
  v.now = T0 + VOL_MAX_AGE + 3600n;
  v.staleVol = { [ETH]: true };
  v.risk[ETH] = { ...DEFAULT_RISK, mmLongHaircut: WAD / 2n };
  list.push(v);

  v = base(EX.longCredit);
  v.positions = [pos(ETH, 30, 2000n * WAD, true, 3n * WAD), pos(ETH, 30, 1800n * WAD, false, -WAD)];
  v.now = T0 + VOL_MAX_AGE + 3600n;
  v.risk[ETH] = { ...DEFAULT_RISK, mmLongHaircut: WAD / 2n };
  list.push(v);

  v = base(EX.haltedDefined);
  v.positions = [pos(ETH, 7, 1800n * WAD, false, -2n * WAD), pos(ETH, 7, 1700n * WAD, false, 2n * WAD)];
  v.modes = { [ETH]: MarketMode.Halted };
  list.push(v);

  v = base(EX.haltedUnbounded);
  v.cash = 20_000n * WAD;
  v.positions = [
    pos(BTC, 7, 70_000n * WAD, true, -WAD / 10n),
    pos(BTC, 7, 50_000n * WAD, false, WAD / 10n),
    pos(ETH, 7, 2000n * WAD, true, WAD),
  ];
  v.modes = { [BTC]: MarketMode.Halted };
  v.spot[BTC] = 66_000n * WAD;
  v.risk[BTC] = { ...DEFAULT_RISK, haltShock: pct(30n) };
  list.push(v);

  v = base(EX.haltedBroken);
  v.cash = 20_000n * WAD;
  v.positions = [pos(ETH, 7, 2500n * WAD, true, -WAD / 10n), pos(ETH, 14, 1800n * WAD, false, -WAD)];
  v.spot[ETH] = 0n;
  list.push(v);

  v = base(EX.haltedCollateral);
  v.weth = 4n * WAD;
  v.wbtc = WAD / 5n;
  v.haircuts.weth = { im: pct(15n), mm: pct(7n) };
  v.positions = [pos(BTC, 7, 55_000n * WAD, false, -WAD / 10n)];
  v.modes = { [ETH]: MarketMode.Halted };
  v.spot[ETH] = 1900n * WAD;
  v.risk[ETH] = { ...DEFAULT_RISK, haltShock: pct(40n) };
  list.push(v);

  v = base(EX.haltedFarCallSpread);
  v.positions = [pos(ETH, 30, 3200n * WAD, true, -3n * WAD), pos(ETH, 30, 3400n * WAD, true, 3n * WAD)];
  v.modes = { [ETH]: MarketMode.Halted };
  v.spot[ETH] = 1900n * WAD;
  v.risk[ETH] = { ...DEFAULT_RISK, haltShock: pct(25n) };
  list.push(v);

  v = base("halt elsewhere does not touch this account");
  v.positions = [pos(ETH, 7, 2000n * WAD, true, -WAD)];
  v.modes = { [BTC]: MarketMode.Halted };
  list.push(v);

  v = base("ReduceOnly market with collateral and a short: strict degrades both");
  v.weth = 3n * WAD;
  v.positions = [pos(ETH, 7, 2300n * WAD, true, -WAD), pos(BTC, 7, 60_000n * WAD, true, -WAD / 10n)];
  v.modes = { [ETH]: MarketMode.ReduceOnly };
  list.push(v);

  v = base(EX.belowMm);
  v.cash = 2_500n * WAD;
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

export function randomVectors(count: number, seed = 0xb02a): AccountVector[] {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const wadIn = (loPct: number, hiPct: number) => BigInt(int(loPct * 10, hiPct * 10)) * 10n ** 15n;
  const randomRisk = (): Risk => {
    const imVegaSlope = wadIn(87, 300);
    const imVegaCap = wadIn(55, 100);
    const mmVegaSlope = wadIn(44, 180);
    const mmVegaCap = wadIn(30, 55);
    return {
      imVegaSlope,
      imVegaCap,
      mmVegaSlope: mmVegaSlope > imVegaSlope ? imVegaSlope : mmVegaSlope,
      mmVegaCap: mmVegaCap > imVegaCap ? imVegaCap : mmVegaCap,
      mmLongHaircut: r() < 0.3 ? WAD : wadIn(50, 100),
      haltShock: wadIn(25, 100),
    };
  };
  const randomHaircuts = (): Haircuts => {
    const im = wadIn(1, 50);
    let mm = wadIn(0.5, 50);
    if (mm >= im) mm = im / 2n < 5n * 10n ** 15n ? 5n * 10n ** 15n : im / 2n;
    return { im, mm };
  };
  const out: AccountVector[] = [];
  while (out.length < count) {
    const v = base(`random ${out.length}`);
    v.cash = BigInt(int(1, 60)) * 500n * WAD;
    if (r() < 0.4) v.weth = BigInt(int(1, 5000)) * 10n ** 15n;
    if (r() < 0.3) v.wbtc = BigInt(int(1, 5000)) * 10n ** 14n;
    if (r() < 0.5) v.haircuts = { weth: randomHaircuts(), wbtc: randomHaircuts() };
    const n = int(1, 12);
    const seen = new Set<bigint>();
    for (let i = 0; i < n; i++) {
      const u = r() < 0.7 ? ETH : BTC;
      const k = r() < 0.85 ? int(0, 30) : int(31, 360);
      const spot = INITIAL_SPOT[u]!;
      const strike = ((spot * BigInt(int(70, 130))) / 100n / STRIKE_STEP[u]!) * STRIKE_STEP[u]!;
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
        const price = (INITIAL_SPOT[Number(u)]! * BigInt(int(60, 140))) / 100n;
        v.settled.push({ underlying: Number(u), expiry: BigInt(e!), price });
      }
    }
    v.settled.sort((a, b) => (a.expiry < b.expiry ? -1 : a.expiry > b.expiry ? 1 : a.underlying - b.underlying));
    v.spot = {
      [ETH]: (INITIAL_SPOT[ETH]! * BigInt(int(60, 150))) / 100n,
      [BTC]: (INITIAL_SPOT[BTC]! * BigInt(int(60, 150))) / 100n,
    };
    v.vols = {
      [ETH]: BigInt(int(20, 150)) * 10n ** 16n,
      [BTC]: BigInt(int(20, 150)) * 10n ** 16n,
    };
    if (r() < 0.3) {
      const p = v.positions[0]!;
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
    else if (m < 0.3) v.spot[BTC] = 0n; // broken feed
    if (r() < 0.4) v.rates = { [ETH]: BigInt(int(0, 10)) * 10n ** 16n, [BTC]: BigInt(int(0, 10)) * 10n ** 16n };
    if (r() < 0.5) v.risk = { [ETH]: randomRisk(), [BTC]: randomRisk() };
    // Cash: often just above what the build needs (1x..1.6x its IM shortfall), so that the market moves take some
    // accounts below IM, below MM and to negative equity.
    if (r() < 0.7) {
      const shortfall = -buildMargin({ ...v, cash: 0n });
      if (shortfall > 0n) v.cash = ((shortfall * BigInt(int(100, 160))) / 100n / WAD + 1n) * WAD;
    }
    if (!passesBuildCheck(v)) continue;
    out.push(v);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ JSON

const str = (x: bigint) => x.toString();

const riskJson = (x: Risk) => ({
  imVegaSlope: str(x.imVegaSlope),
  imVegaCap: str(x.imVegaCap),
  mmVegaSlope: str(x.mmVegaSlope),
  mmVegaCap: str(x.mmVegaCap),
  mmLongHaircut: str(x.mmLongHaircut),
  haltShock: str(x.haltShock),
});

const marginJson = (x: AccountMargin) => ({ equity: str(x.equity), im: str(x.im), mm: str(x.mm) });

/** Parallel arrays (easy for `vm.parseJson*Array`), all integers as decimal strings. */
export function toJson(v: AccountVector): unknown {
  const e = expected(v);
  return {
    name: v.name,
    now: str(v.now),
    cash: str(v.cash),
    weth: str(v.weth),
    wbtc: str(v.wbtc),
    haircuts: {
      weth: { im: str(v.haircuts.weth.im), mm: str(v.haircuts.weth.mm) },
      wbtc: { im: str(v.haircuts.wbtc.im), mm: str(v.haircuts.wbtc.mm) },
    },
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
    spot: { eth: str(v.spot[ETH]!), btc: str(v.spot[BTC]!) },
    modes: { eth: v.modes[ETH] ?? 0, btc: v.modes[BTC] ?? 0 },
    vols: { eth: str(v.vols[ETH]!), btc: str(v.vols[BTC]!) },
    expiryVols: {
      underlyings: v.expiryVols.map((x) => x.underlying),
      expiries: v.expiryVols.map((x) => str(x.expiry)),
      vols: v.expiryVols.map((x) => str(x.vol)),
    },
    staleVol: { eth: v.staleVol[ETH] ?? false, btc: v.staleVol[BTC] ?? false },
    rates: { eth: str(v.rates[ETH] ?? 0n), btc: str(v.rates[BTC] ?? 0n) },
    risk: { eth: riskJson(v.risk[ETH] ?? DEFAULT_RISK), btc: riskJson(v.risk[BTC] ?? DEFAULT_RISK) },
    expected: { ...marginJson(e), groups: e.groups, strict: marginJson(e.strict) },
  };
}

export function expectedJson(v: AccountVector): unknown {
  return (toJson(v) as { expected: unknown }).expected;
}

export function fromJson(j: any): AccountVector {
  const big = (x: string) => BigInt(x);
  const risk = (x: any): Risk => ({
    imVegaSlope: big(x.imVegaSlope),
    imVegaCap: big(x.imVegaCap),
    mmVegaSlope: big(x.mmVegaSlope),
    mmVegaCap: big(x.mmVegaCap),
    mmLongHaircut: big(x.mmLongHaircut),
    haltShock: big(x.haltShock),
  });
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
    haircuts: {
      weth: { im: big(j.haircuts.weth.im), mm: big(j.haircuts.weth.mm) },
      wbtc: { im: big(j.haircuts.wbtc.im), mm: big(j.haircuts.wbtc.mm) },
    },
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
    risk: { [ETH]: risk(j.risk.eth), [BTC]: risk(j.risk.btc) },
  };
}

export function serialize(description: string, vectors: AccountVector[]): string {
  return JSON.stringify({ description, count: vectors.length, vectors: vectors.map(toJson) }, null, 2) + "\n";
}

export const EXAMPLES_DESCRIPTION =
  "Account-level margin examples, risk engine v2 (docs/margin.md §4): market setup + holdings; expected " +
  "(non-strict accountMargin, strict evaluation, group count) from sdk/model/account.ts.";
export const RANDOM_DESCRIPTION =
  "Seeded random portfolios, risk engine v2 (test/core/accountVectors.ts); expected from sdk/model/account.ts.";
export const RANDOM_COUNT = 48;
