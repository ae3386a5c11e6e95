/**
 * Bigint mirror of the account-level evaluation of the clearing house (`ClearingHouse._accountMargin` +
 * `MarginEvaluator.evaluate`): equity, initial and maintenance requirement of one account, to the wei.
 * Group values and requirements come from `evaluateGroup` (sdk/model/margin.ts, mirror of MarginLib); this file
 * mirrors the orchestration: collateral valuation, sorting and grouping of positions, market inputs per group,
 * market modes (Halted worst case, ReduceOnly long valuation), settled groups. Rules: docs/core.md.
 */
import { WAD, mulWad, mulWadUp } from "./fixedPoint.js";
import { evaluateGroup, type GroupParams, type Leg } from "./margin.js";

/** Mirror of `MarketMode` (ordered by severity). */
export enum MarketMode {
  Active = 0,
  ReduceOnly = 1,
  Halted = 2,
}

/** Decoded option series id (layout of `SeriesIdLib`). */
export interface Series {
  underlying: number;
  /** Unix seconds. */
  expiry: bigint;
  /** WAD. */
  strike: bigint;
  isCall: boolean;
}

/** `underlying (16) | expiry (40) | strike (96) | isCall (8)`, most significant first. */
export function encodeSeries(s: Series): bigint {
  return (BigInt(s.underlying) << 144n) | (s.expiry << 104n) | (s.strike << 8n) | (s.isCall ? 1n : 0n);
}

export function decodeSeries(id: bigint): Series {
  return {
    underlying: Number((id >> 144n) & 0xffffn),
    expiry: (id >> 104n) & ((1n << 40n) - 1n),
    strike: (id >> 8n) & ((1n << 96n) - 1n),
    isCall: (id & 0xffn) === 1n,
  };
}

/** Margin parameters of one underlying (`IRiskConfig.marginParams`). WAD fractions; rate WAD per year. */
export interface MarginParams {
  imBase: bigint;
  imFloor: bigint;
  mmBase: bigint;
  mmFloor: bigint;
  rate: bigint;
}

/** What the oracles answer, as the contract reads them (`marketState`, `vol`, `settlementPrice`). */
export interface OracleView {
  marketState(underlying: number): { mode: MarketMode; price: bigint };
  vol(underlying: number, expiry: bigint): { vol: bigint; mode: MarketMode };
  settlementPrice(underlying: number, expiry: bigint): { price: bigint; recorded: boolean };
}

export interface CollateralHolding {
  /** Market id whose price values the asset. */
  priceUnderlying: number;
  /** WAD fraction not counted. */
  haircut: bigint;
  /** Credited amount, WAD token units. */
  amount: bigint;
}

export interface Position {
  series: bigint;
  /** Signed WAD, positive = long. */
  size: bigint;
}

export interface AccountState {
  /** Signed WAD. */
  cash: bigint;
  collaterals: readonly CollateralHolding[];
  positions: readonly Position[];
}

export interface AccountMargin {
  equity: bigint;
  im: bigint;
  mm: bigint;
}

/** Mirror of `ClearingHouse_MarketHalted(underlying)`: a halted group holds a short call. */
export class ClearingHouseMarketHalted extends Error {
  constructor(readonly underlying: number) {
    super(`ClearingHouse_MarketHalted(${underlying})`);
  }
}

/** Mirror of `ClearingHouse_ReduceOnly(underlying)` from a strict evaluation: short call in a ReduceOnly market. */
export class ClearingHouseReduceOnly extends Error {
  constructor(readonly underlying: number) {
    super(`ClearingHouse_ReduceOnly(${underlying})`);
  }
}

const INT256_MAX = (1n << 255n) - 1n;

function toInt256(x: bigint): bigint {
  if (x > INT256_MAX) throw new Error("SafeCast: value does not fit in int256");
  return x;
}

/**
 * Equity, IM and MM of an account, exactly as `ClearingHouse.accountMargin` computes them.
 * @param now Block timestamp (seconds).
 * @param strict The evaluation of an initial-margin check (withdrawal, risk-adding trade): a ReduceOnly market's
 * price is not relied upon (groups at worst case, collateral 0). `accountMargin` (the view) is not strict.
 * @throws ClearingHouseMarketHalted when a halted group holds a short call; ClearingHouseReduceOnly when a strict
 * evaluation meets a short call in a ReduceOnly market.
 */
export function accountMargin(
  state: AccountState,
  oracles: OracleView,
  params: (underlying: number) => MarginParams,
  now: bigint,
  strict = false,
): AccountMargin {
  // ClearingHouse shortcut: nothing to value besides cash.
  if (state.positions.length === 0 && state.collaterals.length === 0) return { equity: state.cash, im: 0n, mm: 0n };
  const memo = memoize(oracles);
  let equity = state.cash;
  for (const c of state.collaterals) {
    const { mode, price } = memo.marketState(c.priceUnderlying);
    if (mode === MarketMode.Halted || (strict && mode === MarketMode.ReduceOnly)) continue;
    // both products round down: collateral is credited
    equity += toInt256(mulWad(mulWad(c.amount, price), WAD - c.haircut));
  }
  const sorted = [...state.positions].sort((a, b) => (a.series < b.series ? -1 : a.series > b.series ? 1 : 0));
  let im = 0n;
  let mm = 0n;
  let start = 0;
  while (start < sorted.length) {
    const key = sorted[start].series >> 104n;
    let end = start + 1;
    while (end < sorted.length && sorted[end].series >> 104n === key) end++;
    const group = sorted.slice(start, end);
    const r = evaluateAccountGroup(group, key, memo, params, now, strict);
    equity += r.value;
    im += r.imReq;
    mm += r.mmReq;
    start = end;
  }
  return { equity, im, mm };
}

/**
 * Inputs of the group `key` (underlying << 40 | expiry), its market mode and effective mode (mirror of
 * `_marketInputs`).
 */
export function groupInputs(
  key: bigint,
  oracles: OracleView,
  margin: MarginParams,
  now: bigint,
): { params: GroupParams; marketMode: MarketMode; mode: MarketMode } {
  const underlying = Number(key >> 40n);
  const expiry = key & ((1n << 40n) - 1n);
  const params: GroupParams = {
    price: 0n,
    vol: 0n,
    tau: 0n,
    rate: margin.rate,
    imBase: margin.imBase,
    imFloor: margin.imFloor,
    mmBase: margin.mmBase,
    mmFloor: margin.mmFloor,
    settled: false,
  };
  if (expiry > now) {
    const m = oracles.marketState(underlying);
    params.price = m.price;
    if (m.mode === MarketMode.Halted) return { params, marketMode: m.mode, mode: m.mode };
    const v = oracles.vol(underlying, expiry);
    params.vol = v.vol;
    params.tau = expiry - now;
    return {
      params,
      marketMode: m.mode,
      mode: v.mode > m.mode ? v.mode : m.mode,
    };
  }
  const s = oracles.settlementPrice(underlying, expiry);
  params.price = s.price;
  if (s.recorded) {
    params.settled = true;
    return { params, marketMode: MarketMode.Active, mode: MarketMode.Active };
  }
  const m = oracles.marketState(underlying);
  params.price = m.price;
  return { params, marketMode: m.mode, mode: m.mode };
}

function evaluateAccountGroup(
  group: readonly Position[],
  key: bigint,
  oracles: OracleView,
  params: (underlying: number) => MarginParams,
  now: bigint,
  strict: boolean,
): { value: bigint; imReq: bigint; mmReq: bigint } {
  const underlying = Number(key >> 40n);
  const { params: p, marketMode, mode } = groupInputs(key, oracles, params(underlying), now);
  if (mode === MarketMode.Halted || (strict && marketMode === MarketMode.ReduceOnly))
    return {
      value: worstCase(group, underlying, mode === MarketMode.Halted),
      imReq: 0n,
      mmReq: 0n,
    };
  const legs: Leg[] = group.map((pos) => {
    const s = decodeSeries(pos.series);
    return { strike: s.strike, size: pos.size, isCall: s.isCall };
  });
  const r = evaluateGroup(legs, p);
  if (mode === MarketMode.ReduceOnly && p.tau !== 0n) return { ...r, value: degradedValue(legs, p) };
  return r;
}

/** Longs at min(mark, intrinsic), shorts at their mark (mirror of `_degradedValue`). */
export function degradedValue(legs: readonly Leg[], p: GroupParams): bigint {
  const longs = legs.filter((l) => l.size > 0n);
  const shorts = legs.filter((l) => l.size <= 0n);
  const shortValue = evaluateGroup(shorts, p).value;
  const longMark = evaluateGroup(longs, p).value;
  const longIntrinsic = evaluateGroup(longs, { ...p, tau: 0n }).value;
  return shortValue + (longIntrinsic < longMark ? longIntrinsic : longMark);
}

/** Longs 0, short puts -strike x size rounded up, short calls throw (mirror of `_worstCase`). */
export function worstCase(group: readonly Position[], underlying: number, halted = true): bigint {
  let value = 0n;
  for (const pos of group) {
    if (pos.size >= 0n) continue;
    const s = decodeSeries(pos.series);
    if (s.isCall) throw halted ? new ClearingHouseMarketHalted(underlying) : new ClearingHouseReduceOnly(underlying);
    value -= mulWadUp(-pos.size, s.strike);
  }
  return value;
}

/** Per-call memo, like `OracleCache`: answers cannot change within one evaluation anyway. */
function memoize(o: OracleView): OracleView {
  const markets = new Map<number, ReturnType<OracleView["marketState"]>>();
  const vols = new Map<string, ReturnType<OracleView["vol"]>>();
  const settlements = new Map<string, ReturnType<OracleView["settlementPrice"]>>();
  return {
    marketState(u) {
      let r = markets.get(u);
      if (r === undefined) markets.set(u, (r = o.marketState(u)));
      return r;
    },
    vol(u, e) {
      const k = `${u}:${e}`;
      let r = vols.get(k);
      if (r === undefined) vols.set(k, (r = o.vol(u, e)));
      return r;
    },
    settlementPrice(u, e) {
      const k = `${u}:${e}`;
      let r = settlements.get(k);
      if (r === undefined) settlements.set(k, (r = o.settlementPrice(u, e)));
      return r;
    },
  };
}

/** `accountMarginAtPrice`: the same evaluation with `underlying`'s price replaced (its mode kept). */
export function accountMarginAtPrice(
  state: AccountState,
  oracles: OracleView,
  params: (underlying: number) => MarginParams,
  now: bigint,
  underlying: number,
  price: bigint,
): AccountMargin {
  const real = oracles.marketState(underlying);
  if (real.mode === MarketMode.Halted) throw new ClearingHouseMarketHalted(underlying);
  const overridden: OracleView = {
    marketState: (u) => (u === underlying ? { mode: real.mode, price } : oracles.marketState(u)),
    vol: (u, e) => oracles.vol(u, e),
    settlementPrice: (u, e) => oracles.settlementPrice(u, e),
  };
  return accountMargin(state, overridden, params, now);
}
