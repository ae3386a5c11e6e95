/**
 * Bigint mirror of the account-level evaluation of the clearing house, risk engine v2, to the wei:
 * `MarginEvaluator.evaluate` (collateral, expiry groups, degraded markets, strict and non-strict), the
 * `ClearingHouse` wrappers around it (`accountMargin`, `accountMarginAtPrice`, `_initialMargin` with its long-only
 * shortcut and the group cap) and the whole-account risk-reduction test of a trade batch (`_requireInitialAfter`,
 * `MarginEvaluator.evaluateBefore`), so that dApps and keepers can predict whether a batch will be accepted.
 * Group values and requirements come from sdk/model/margin.ts (mirror of MarginLib); this file mirrors the
 * orchestration around them. Rules: docs/margin.md §4.
 *
 * Account rules (all WAD):
 * - equity = cash + Σ collateral value + Σ group values;
 * - im = Σ collateral value × IM haircut (up) + Σ per group max(value, imReq): a long's value is held, never credited;
 * - mm = Σ collateral value × MM haircut (up) + Σ per group (value > mmReq ? mmReq + (value − mmReq)·h (up) : mmReq),
 *   h = mmLongHaircut while the group's effective mode (max of market and vol mode) is Active, else 1;
 * - degraded group (market Halted, or ReduceOnly in a strict evaluation): equity −= `degradedLoss` (a defined-risk
 *   group its maximum loss; an unbounded one lossUpTo(legs, upTo) plus the IM floor on the last price per short
 *   contract, upTo = lastPrice == 0 ? band max : lastPrice·(1 + haltShock) (up), at most MAX_GROUP_PRICE); nothing added to
 *   im or mm;
 * - degraded collateral: value = amount·lastPrice·(1 − haltShock) (down, twice); im += value (counts 0 for IM),
 *   mm += value × MM haircut (up);
 * - settled group (recorded settlement price): intrinsic at that price in equity, nothing added to im or mm (a
 *   final cash claim or debt);
 * - groups = number of distinct (underlying, expiry) groups, degraded and settled ones included.
 */
import { WAD, mulWad, mulWadUp } from "./fixedPoint.js";
import { MAX_GROUP_PRICE, evaluateGroup, lossUpTo, type GroupParams, type Leg } from "./margin.js";
import { decodeSeries, encodeSeries, type Series } from "../series.js";

export { decodeSeries, encodeSeries, type Series };

/** Mirror of `MarketMode` (ordered by severity). */
export enum MarketMode {
  Active = 0,
  ReduceOnly = 1,
  Halted = 2,
}

/**
 * Everything the evaluator reads of one underlying (`IRiskConfig.engineParams`, which replaced `marginParams`).
 * WAD fractions; `rate` WAD per year in [0, 10%]. All zero for an underlying that is not listed (its `haltShock`
 * is then 0, which matters for collateral priced by such a market).
 */
export interface EngineParams {
  imBase: bigint;
  imFloor: bigint;
  mmBase: bigint;
  mmFloor: bigint;
  rate: bigint;
  imVegaSlope: bigint;
  imVegaCap: bigint;
  mmVegaSlope: bigint;
  mmVegaCap: bigint;
  /** Fraction of a group's value above its MM requirement NOT credited for MM (1e18: no credit). */
  mmLongHaircut: bigint;
  /** Relative shock on the last price of a degraded market. */
  haltShock: bigint;
}

/** What the oracles answer, as the evaluator reads them. */
export interface OracleView {
  /** `ChainlinkOracle.marketState`: price 0 when Halted. */
  marketState(underlying: number): { mode: MarketMode; price: bigint };
  /** `ChainlinkOracle.lastPrice`: last primary answer clamped into the band (0 if unreadable), band max. */
  lastPrice(underlying: number): { price: bigint; maxPrice: bigint };
  /** `VolatilityOracle.vol`. */
  vol(underlying: number, expiry: bigint): { vol: bigint; mode: MarketMode };
  /** `SettlementOracle.settlementPrice`. */
  settlementPrice(underlying: number, expiry: bigint): { price: bigint; recorded: boolean };
}

export interface CollateralHolding {
  /** Market id whose price values the asset. */
  priceUnderlying: number;
  /** WAD fraction not counted for initial margin (`CollateralConfig.haircut`). */
  imHaircut: bigint;
  /** WAD fraction not counted for maintenance margin (`CollateralConfig.mmHaircut`). */
  mmHaircut: bigint;
  /** Credited amount, WAD token units (> 0: only held assets). */
  amount: bigint;
}

export interface Position {
  series: bigint;
  /** Signed WAD, positive = long, never 0. */
  size: bigint;
}

export interface AccountState {
  /** Signed WAD. */
  cash: bigint;
  collaterals: readonly CollateralHolding[];
  positions: readonly Position[];
}

/** Mirror of `IMarginEvaluator.Evaluation`. Initial margin = equity − im, maintenance margin = equity − mm. */
export interface AccountMargin {
  equity: bigint;
  im: bigint;
  mm: bigint;
  /** Distinct (underlying, expiry) groups. */
  groups: number;
}

/** Mirror of `ClearingHouse_MarketHalted(underlying)` (only `accountMarginAtPrice` still reverts with it). */
export class ClearingHouseMarketHalted extends Error {
  constructor(readonly underlying: number) {
    super(`ClearingHouse_MarketHalted(${underlying})`);
  }
}

const INT256_MAX = (1n << 255n) - 1n;
const INT256_MIN = -(1n << 255n);

function toInt256(x: bigint): bigint {
  if (x > INT256_MAX) throw new RangeError("SafeCast: value does not fit in int256");
  return x;
}

function checked(x: bigint): bigint {
  if (x > INT256_MAX || x < INT256_MIN) throw new RangeError("int256 overflow");
  return x;
}

/** Whether a market in `mode` gives no price the evaluation may rely on (`strict`: an initial-margin check). */
export function isDegraded(mode: MarketMode, strict: boolean): boolean {
  return mode === MarketMode.Halted || (strict && mode === MarketMode.ReduceOnly);
}

/**
 * Mirror of `MarginEvaluator.evaluate`: equity, im, mm and group count of raw holdings.
 * @param now Block timestamp (seconds).
 * @param strict An initial-margin check (trade, withdrawal): ReduceOnly markets count as degraded (INV-9).
 *   `ClearingHouse.accountMargin` (the view) is not strict.
 */
export function evaluateAccount(
  state: AccountState,
  oracles: OracleView,
  params: (underlying: number) => EngineParams,
  now: bigint,
  strict = false,
): AccountMargin {
  const memo = memoize(oracles);
  let equity = state.cash;
  let im = 0n;
  let mm = 0n;
  for (const c of state.collaterals) {
    const { mode, price } = memo.marketState(c.priceUnderlying);
    let value: bigint;
    if (isDegraded(mode, strict)) {
      const last = memo.lastPrice(c.priceUnderlying).price;
      let shock = params(c.priceUnderlying).haltShock;
      if (shock === 0n) shock = WAD; // a price market RiskConfig never listed: count nothing
      value = mulWad(mulWad(c.amount, last), WAD - shock);
      im += value; // counts 0 for IM
    } else {
      value = mulWad(c.amount, price);
      im += mulWadUp(value, c.imHaircut);
    }
    mm += mulWadUp(value, c.mmHaircut);
    equity = checked(equity + toInt256(value));
  }
  // Words sort by series id (ids are unique per account): underlying, expiry, strike, put before call.
  const sorted = [...state.positions].sort((a, b) => (a.series < b.series ? -1 : a.series > b.series ? 1 : 0));
  let groups = 0;
  let start = 0;
  while (start < sorted.length) {
    const key = groupKey(sorted[start]!.series);
    let end = start + 1;
    while (end < sorted.length && groupKey(sorted[end]!.series) === key) end++;
    groups++;
    const g = evaluateAccountGroup(sorted.slice(start, end), key, memo, params, now, strict);
    equity = checked(equity + g.value);
    im += g.im;
    mm += g.mm;
    start = end;
  }
  return { equity, im, mm, groups };
}

/** (underlying << 40 | expiry) of a series id: the group it belongs to. */
export function groupKey(series: bigint): bigint {
  return series >> 104n;
}

/** One group's contribution to equity, im and mm (mirror of `MarginEvaluator._addGroup`). */
export interface GroupContribution {
  value: bigint;
  im: bigint;
  mm: bigint;
  /** Valued as degraded (Halted, or ReduceOnly when strict): `value` = −lossUpTo, no requirement. */
  degraded: boolean;
}

/** Legs of one group sorted by series id (so by strike ascending, put before call at one strike). */
export function groupLegs(group: readonly Position[]): Leg[] {
  return group.map((pos) => {
    const s = decodeSeries(pos.series);
    return { strike: s.strike, size: pos.size, isCall: s.isCall };
  });
}

/**
 * Mirror of `MarginEvaluator._degradedLoss`: a defined-risk group (Σ call sizes ≥ 0) its maximum loss; an unbounded
 * one its worst payoff up to `degradedUpTo` plus, per short contract, the IM floor on the last price (rounded up).
 */
export function degradedLoss(
  legs: readonly Leg[],
  oracles: OracleView,
  underlying: number,
  engine: EngineParams,
): bigint {
  let callSizes = 0n;
  let shortSizes = 0n;
  for (const l of legs) {
    if (l.isCall) callSizes += l.size;
    if (l.size < 0n) shortSizes += -l.size;
  }
  if (callSizes >= 0n) return lossUpTo(legs, MAX_GROUP_PRICE);
  const last = oracles.lastPrice(underlying);
  const upTo = degradedUpTo(last, engine.haltShock);
  return lossUpTo(legs, upTo) + mulWadUp(shortSizes, mulWadUp(engine.imFloor, last.price));
}

/** Highest final price a degraded market is assumed to reach: lastPrice·(1 + haltShock), or the band max. */
export function degradedUpTo(last: { price: bigint; maxPrice: bigint }, haltShock: bigint): bigint {
  const upTo = last.price === 0n ? last.maxPrice : mulWadUp(last.price, WAD + haltShock);
  return upTo > MAX_GROUP_PRICE ? MAX_GROUP_PRICE : upTo;
}

export function evaluateAccountGroup(
  group: readonly Position[],
  key: bigint,
  oracles: OracleView,
  params: (underlying: number) => EngineParams,
  now: bigint,
  strict: boolean,
): GroupContribution {
  const underlying = Number(key >> 40n);
  const engine = params(underlying);
  const { params: p, marketMode, mode } = groupInputs(key, oracles, engine, now);
  const legs = groupLegs(group);
  if (isDegraded(marketMode, strict)) {
    return { value: -toInt256(degradedLoss(legs, oracles, underlying, engine)), im: 0n, mm: 0n, degraded: true };
  }
  const { value, imReq, mmReq } = evaluateGroup(legs, p);
  // A settled group is a final cash claim or debt: it counts in equity, nothing is held.
  if (p.settled) return { value, im: 0n, mm: 0n, degraded: false };
  // IM: max(value, imReq): a positive value is held, never credited.
  const im = value > imReq ? value : imReq;
  // MM: mmReq + h·(value − mmReq) above the requirement; h = 1 while the group's inputs are degraded.
  let mm = mmReq;
  if (value > mmReq) {
    const h = mode === MarketMode.Active ? engine.mmLongHaircut : WAD;
    mm = mmReq + mulWadUp(value - mmReq, h);
  }
  return { value, im, mm, degraded: false };
}

/**
 * Inputs of the group `key` (underlying << 40 | expiry), its market mode and effective mode (the more restrictive
 * of market and vol modes for a live group) — mirror of `MarginEvaluator._marketInputs`.
 */
export function groupInputs(
  key: bigint,
  oracles: OracleView,
  engine: EngineParams,
  now: bigint,
): { params: GroupParams; marketMode: MarketMode; mode: MarketMode } {
  const underlying = Number(key >> 40n);
  const expiry = key & ((1n << 40n) - 1n);
  const params: GroupParams = {
    price: 0n,
    vol: 0n,
    tau: 0n,
    rate: engine.rate,
    imBase: engine.imBase,
    imFloor: engine.imFloor,
    mmBase: engine.mmBase,
    mmFloor: engine.mmFloor,
    imVegaSlope: engine.imVegaSlope,
    imVegaCap: engine.imVegaCap,
    mmVegaSlope: engine.mmVegaSlope,
    mmVegaCap: engine.mmVegaCap,
    settled: false,
  };
  if (expiry > now) {
    const m = oracles.marketState(underlying);
    params.price = m.price;
    if (m.mode === MarketMode.Halted) return { params, marketMode: m.mode, mode: m.mode };
    const v = oracles.vol(underlying, expiry);
    params.vol = v.vol;
    params.tau = expiry - now;
    return { params, marketMode: m.mode, mode: v.mode > m.mode ? v.mode : m.mode };
  }
  const s = oracles.settlementPrice(underlying, expiry);
  if (s.recorded) {
    params.price = s.price;
    params.settled = true; // final price: no live input, nothing to degrade
    return { params, marketMode: MarketMode.Active, mode: MarketMode.Active };
  }
  // expired, price not proven yet: intrinsic at spot (tau = 0), still margined
  const m = oracles.marketState(underlying);
  params.price = m.price;
  return { params, marketMode: m.mode, mode: m.mode };
}

/**
 * `ClearingHouse.accountMargin`: the non-strict evaluation; an account with neither positions nor collateral is
 * just its cash (0 groups).
 */
export function accountMargin(
  state: AccountState,
  oracles: OracleView,
  params: (underlying: number) => EngineParams,
  now: bigint,
): AccountMargin {
  if (state.positions.length === 0 && state.collaterals.length === 0) {
    return { equity: state.cash, im: 0n, mm: 0n, groups: 0 };
  }
  return evaluateAccount(state, oracles, params, now, false);
}

/** `accountMarginAtPrice`: the same evaluation with `underlying`'s price replaced (its mode kept). */
export function accountMarginAtPrice(
  state: AccountState,
  oracles: OracleView,
  params: (underlying: number) => EngineParams,
  now: bigint,
  underlying: number,
  price: bigint,
): AccountMargin {
  const real = oracles.marketState(underlying);
  if (real.mode === MarketMode.Halted) throw new ClearingHouseMarketHalted(underlying);
  const overridden: OracleView = {
    marketState: (u) => (u === underlying ? { mode: real.mode, price } : oracles.marketState(u)),
    lastPrice: (u) => oracles.lastPrice(u),
    vol: (u, e) => oracles.vol(u, e),
    settlementPrice: (u, e) => oracles.settlementPrice(u, e),
  };
  return accountMargin(state, overridden, params, now);
}

// =====================================================================================================================
// Trades: the whole-account risk-reduction test
// =====================================================================================================================

/** Mirror of the `Trade` struct the exchange hands to `ClearingHouse.applyTrades` (all WAD, account ids). */
export interface Trade {
  buyer: bigint;
  seller: bigint;
  series: bigint;
  size: bigint;
  premium: bigint;
  buyerFee: bigint;
  sellerFee: bigint;
}

/** Mirror of `ClearingHouse_BelowInitialMargin(account, margin)`. */
export class ClearingHouseBelowInitialMargin extends Error {
  constructor(
    readonly account: bigint,
    readonly margin: bigint,
  ) {
    super(`ClearingHouse_BelowInitialMargin(${account}, ${margin})`);
  }
}

/** Mirror of `ClearingHouse_GroupCapReached(account, groups, cap)`. */
export class ClearingHouseGroupCapReached extends Error {
  constructor(
    readonly account: bigint,
    readonly groups: number,
    readonly cap: number,
  ) {
    super(`ClearingHouse_GroupCapReached(${account}, ${groups}, ${cap})`);
  }
}

/**
 * The account's holdings after `trades` (positions, premium and fees; legs in order) and whether it opened a
 * position it did not hold (then the group cap applies) — what `_applyLeg` does to one account. Market checks of the
 * legs (Halted, ReduceOnly, minimum size, position cap, series listing) are not modelled here.
 */
export function applyTrades(
  before: AccountState,
  account: bigint,
  trades: readonly Trade[],
): { after: AccountState; opened: boolean } {
  const sizes = new Map<bigint, bigint>(before.positions.map((p) => [p.series, p.size]));
  let cash = before.cash;
  let opened = false;
  const move = (series: bigint, delta: bigint) => {
    const old = sizes.get(series) ?? 0n;
    if (old === 0n) opened = true;
    const next = old + delta;
    if (next === 0n) sizes.delete(series);
    else sizes.set(series, next);
  };
  for (const t of trades) {
    if (t.buyer === account) {
      cash -= t.premium + t.buyerFee;
      move(t.series, t.size);
    }
    if (t.seller === account) {
      cash += t.premium - t.sellerFee;
      move(t.series, -t.size);
    }
  }
  return {
    after: { cash, collaterals: before.collaterals, positions: positionsOf(sizes) },
    opened,
  };
}

/**
 * The account as it was before `trades`, from its holdings after them: every leg of the account undone (positions,
 * premium and fees); positions the batch opened are dropped, positions it closed restored — mirror of
 * `MarginEvaluator._batchDeltas` + `_undo`.
 */
export function stateBeforeTrades(after: AccountState, account: bigint, trades: readonly Trade[]): AccountState {
  const sizes = new Map<bigint, bigint>(after.positions.map((p) => [p.series, p.size]));
  let cash = after.cash;
  const undo = (series: bigint, delta: bigint) => {
    const next = (sizes.get(series) ?? 0n) - delta;
    if (next === 0n) sizes.delete(series);
    else sizes.set(series, next);
  };
  for (const t of trades) {
    if (t.buyer === account) {
      cash += t.premium + t.buyerFee;
      undo(t.series, t.size);
    }
    if (t.seller === account) {
      cash -= t.premium - t.sellerFee;
      undo(t.series, -t.size);
    }
  }
  return { cash, collaterals: after.collaterals, positions: positionsOf(sizes) };
}

function positionsOf(sizes: Map<bigint, bigint>): Position[] {
  return [...sizes].filter(([, size]) => size !== 0n).map(([series, size]) => ({ series, size }));
}

/** Result of `initialMargin`: strict equity − im and im, or `evaluated: false` for the long-only shortcut. */
export interface InitialMargin {
  /** Strict initial margin; INT256_MAX when known to be >= 0 without an evaluation. */
  margin: bigint;
  im: bigint;
  /** The evaluation behind it (absent for the shortcuts). */
  evaluation?: AccountMargin;
}

export const INITIAL_MARGIN_SKIPPED = INT256_MAX;

/**
 * Mirror of `ClearingHouse._initialMargin`: the strict initial margin of an account, as a withdrawal or the trade
 * check computes it. Long-only accounts with cash >= 0 skip the evaluation (IM margin >= cash >= 0 by construction)
 * unless `opened`; an account with nothing but cash is its cash.
 * @param opened The call opened a position for the account: then the group cap is enforced.
 * @throws ClearingHouseGroupCapReached when `opened` and the account holds more than `groupCap` groups.
 */
export function initialMargin(
  state: AccountState,
  oracles: OracleView,
  params: (underlying: number) => EngineParams,
  now: bigint,
  options: { opened?: boolean; groupCap?: number; account?: bigint } = {},
): InitialMargin {
  const opened = options.opened ?? false;
  if (!opened && state.cash >= 0n && state.positions.every((p) => p.size > 0n)) {
    return { margin: INITIAL_MARGIN_SKIPPED, im: 0n };
  }
  if (state.positions.length === 0 && state.collaterals.length === 0) return { margin: state.cash, im: 0n };
  const e = evaluateAccount(state, oracles, params, now, true);
  if (opened && options.groupCap !== undefined && e.groups > options.groupCap) {
    throw new ClearingHouseGroupCapReached(options.account ?? 0n, e.groups, options.groupCap);
  }
  return { margin: e.equity - e.im, im: e.im, evaluation: e };
}

/**
 * The whole-account risk-reduction decision on two strict evaluations at the same prices: the account after the
 * batch passes when it is at or above initial margin, or when the batch reduced its risk — its IM need did not rise,
 * its initial margin (equity − im) did not fall, and its equity is not negative (an insolvent account pays nobody).
 * `after` may be an `InitialMargin` (the long-only shortcut passes).
 */
export function acceptsAfterTrades(
  before: Pick<AccountMargin, "equity" | "im">,
  after: Pick<AccountMargin, "equity" | "im"> | InitialMargin,
): boolean {
  const margin = "margin" in after ? after.margin : after.equity - after.im;
  if (margin >= 0n) return true;
  // risk reduced on the whole account, and not left insolvent (equity = margin + im >= 0)
  return after.im <= before.im && margin >= before.equity - before.im && margin + after.im >= 0n;
}

/** Outcome of the trade health check of one account (`checkAfterTrades`). */
export type TradeCheck =
  | { accepted: true; margin: bigint; im: bigint; before?: AccountMargin }
  | {
      accepted: false;
      error: ClearingHouseBelowInitialMargin | ClearingHouseGroupCapReached;
      margin?: bigint;
      im?: bigint;
      before?: AccountMargin;
    };

/**
 * Mirror of `ClearingHouse._requireInitialAfter` for one touched account: `after` is its holdings after the whole
 * batch, `trades` the batch (every leg, the account's own found by id). The second (before) evaluation runs only
 * when the account ends below initial margin, as on chain.
 */
export function checkAfterTrades(
  after: AccountState,
  account: bigint,
  trades: readonly Trade[],
  oracles: OracleView,
  params: (underlying: number) => EngineParams,
  now: bigint,
  options: { opened: boolean; groupCap: number },
): TradeCheck {
  const memo = memoize(oracles); // same prices for both evaluations, as the shared OracleCache
  let a: InitialMargin;
  try {
    a = initialMargin(after, memo, params, now, { ...options, account });
  } catch (e) {
    if (e instanceof ClearingHouseGroupCapReached) return { accepted: false, error: e };
    throw e;
  }
  if (a.margin >= 0n) return { accepted: true, margin: a.margin, im: a.im };
  const before = evaluateAccount(stateBeforeTrades(after, account, trades), memo, params, now, true);
  if (acceptsAfterTrades(before, a)) return { accepted: true, margin: a.margin, im: a.im, before };
  return {
    accepted: false,
    error: new ClearingHouseBelowInitialMargin(account, a.margin),
    margin: a.margin,
    im: a.im,
    before,
  };
}

/**
 * Predicts the health check of `account` for a batch: applies the account's legs to its holdings `before` and runs
 * `checkAfterTrades`. Only the margin side of `applyTrades` (not the per-leg market, size and cap checks).
 */
export function predictTrades(
  before: AccountState,
  account: bigint,
  trades: readonly Trade[],
  oracles: OracleView,
  params: (underlying: number) => EngineParams,
  now: bigint,
  groupCap: number,
): TradeCheck & { after: AccountState } {
  const { after, opened } = applyTrades(before, account, trades);
  return { ...checkAfterTrades(after, account, trades, oracles, params, now, { opened, groupCap }), after };
}

/** Per-call memo, like `OracleCache` (answers cannot change within one call anyway). */
function memoize(o: OracleView): OracleView {
  const markets = new Map<number, ReturnType<OracleView["marketState"]>>();
  const lasts = new Map<number, ReturnType<OracleView["lastPrice"]>>();
  const vols = new Map<string, ReturnType<OracleView["vol"]>>();
  const settlements = new Map<string, ReturnType<OracleView["settlementPrice"]>>();
  return {
    marketState(u) {
      let r = markets.get(u);
      if (r === undefined) markets.set(u, (r = o.marketState(u)));
      return r;
    },
    lastPrice(u) {
      let r = lasts.get(u);
      if (r === undefined) lasts.set(u, (r = o.lastPrice(u)));
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
