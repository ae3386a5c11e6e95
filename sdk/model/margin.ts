/**
 * Bigint mirror of `contracts/libraries/MarginLib.sol` (value and IM/MM requirements of one (underlying, expiry)
 * group). Same operations and rounding as the contract: results are equal to the wei. Rules: docs/margin.md.
 */
import { blackScholes } from "./blackScholes.js";
import { WAD, divUp, mulWad, mulWadUp } from "./fixedPoint.js";

/** One position of a group. */
export interface Leg {
  /** Strike, WAD quote per underlying. */
  strike: bigint;
  /** Signed size, WAD contracts: positive long, negative short. */
  size: bigint;
  isCall: boolean;
}

/** Market inputs and risk parameters of a group (mirror of `MarginLib.GroupParams`). */
export interface GroupParams {
  /** Spot WAD, or the settlement price once settled. */
  price: bigint;
  /** Annualized volatility, WAD. */
  vol: bigint;
  /** Seconds to expiry, 0 once expired. */
  tau: bigint;
  /** Annual rate, WAD. */
  rate: bigint;
  /** a_IM, b_IM, a_MM, b_MM: WAD fractions of spot. */
  imBase: bigint;
  imFloor: bigint;
  mmBase: bigint;
  mmFloor: bigint;
  /** The price is final: value at intrinsic, no requirement. */
  settled: boolean;
}

export interface GroupResult {
  /** Σ size × mark, WAD, rounded against the account. */
  value: bigint;
  /** Initial requirement, WAD, rounded up. */
  imReq: bigint;
  /** Maintenance requirement, WAD, rounded up. */
  mmReq: bigint;
}

export class MarginLibUnsortedLegs extends Error {
  constructor(
    readonly index: bigint,
    readonly strike: bigint,
    readonly previousStrike: bigint,
  ) {
    super(`MarginLib_UnsortedLegs(${index}, ${strike}, ${previousStrike})`);
  }
}

export class MarginLibLegOutOfRange extends Error {
  constructor(
    readonly index: bigint,
    readonly strike: bigint,
    readonly size: bigint,
  ) {
    super(`MarginLib_LegOutOfRange(${index}, ${strike}, ${size})`);
  }
}

export class MarginLibPriceOutOfRange extends Error {
  constructor(readonly price: bigint) {
    super(`MarginLib_PriceOutOfRange(${price})`);
  }
}

/** Largest strike (96-bit SeriesId field), largest |size| (2^127 − 1), largest group price (2^112 − 1). */
export const MAX_STRIKE = (1n << 96n) - 1n;
export const MAX_SIZE = (1n << 127n) - 1n;
export const MAX_GROUP_PRICE = (1n << 112n) - 1n;

function checkLeg(leg: Leg, previousStrike: bigint, i: number): void {
  if (leg.strike < previousStrike)
    throw new MarginLibUnsortedLegs(BigInt(i), leg.strike, previousStrike);
  if (leg.strike > MAX_STRIKE || leg.size > MAX_SIZE || leg.size < -MAX_SIZE) {
    throw new MarginLibLegOutOfRange(BigInt(i), leg.strike, leg.size);
  }
}

const MAX_INT256 = (1n << 255n) - 1n;
const MIN_INT256 = -(1n << 255n);

function int256(x: bigint): bigint {
  if (x > MAX_INT256 || x < MIN_INT256) throw new RangeError("int256 overflow");
  return x;
}

function base(a: bigint, b: bigint, otm: bigint): bigint {
  return a > otm && a - otm > b ? a - otm : b;
}

/** Marks (call, put) at `strike`: Black-Scholes while tau > 0 and not settled, else intrinsic at `price`. */
export function marks(
  strike: bigint,
  p: GroupParams,
): { call: bigint; put: bigint } {
  if (!p.settled && p.tau !== 0n)
    return blackScholes(p.price, strike, p.tau, p.vol, p.rate);
  return {
    call: p.price > strike ? p.price - strike : 0n,
    put: strike > p.price ? strike - p.price : 0n,
  };
}

/** Exact payoff at expiry of the group for a terminal price `st` (1e36 scale, i.e. WAD·WAD). */
export function payoffAt(legs: readonly Leg[], st: bigint): bigint {
  let total = 0n;
  for (const leg of legs) {
    const intrinsic = leg.isCall
      ? st > leg.strike
        ? st - leg.strike
        : 0n
      : leg.strike > st
        ? leg.strike - st
        : 0n;
    total += leg.size * intrinsic;
  }
  return total;
}

/**
 * Maximum loss at expiry (WAD, rounded up) by the O(k) sweep over sorted legs, or `bounded: false` when Σ call sizes
 * < 0 (the payoff falls without bound as S_T grows).
 */
export function maxLoss(legs: readonly Leg[]): {
  loss: bigint;
  bounded: boolean;
} {
  let putSizes = 0n;
  let putNotional = 0n;
  let callSizes = 0n;
  let previousStrike = 0n;
  for (const [i, leg] of legs.entries()) {
    checkLeg(leg, previousStrike, i);
    previousStrike = leg.strike;
    if (leg.isCall) callSizes += leg.size;
    else {
      putSizes += leg.size;
      putNotional += leg.size * leg.strike;
    }
  }
  if (callSizes < 0n) return { loss: 0n, bounded: false };
  return { loss: sweepMaxLoss(legs, putSizes, putNotional), bounded: true };
}

function sweepMaxLoss(
  legs: readonly Leg[],
  putSizes: bigint,
  putNotional: bigint,
): bigint {
  let payoff = putNotional;
  let minPayoff = payoff;
  let slope = -putSizes;
  let x = 0n;
  for (const leg of legs) {
    payoff = int256(payoff + slope * (leg.strike - x));
    x = leg.strike;
    if (payoff < minPayoff) minPayoff = payoff;
    slope += leg.size;
  }
  return minPayoff >= 0n ? 0n : divUp(-minPayoff, WAD);
}

/** Value and requirements of one group — mirror of `MarginLib.evaluateGroup`. Legs sorted by strike ascending. */
export function evaluateGroup(
  legs: readonly Leg[],
  p: GroupParams,
): GroupResult {
  if (p.price > MAX_GROUP_PRICE) throw new MarginLibPriceOutOfRange(p.price);
  const imA = mulWadUp(p.imBase, p.price);
  const imB = mulWadUp(p.imFloor, p.price);
  const mmA = mulWadUp(p.mmBase, p.price);
  const mmB = mulWadUp(p.mmFloor, p.price);
  let callSizes = 0n;
  let putSizes = 0n;
  let putNotional = 0n;
  let imReq = 0n;
  let mmReq = 0n;
  let value = 0n;
  let cached: { strike: bigint; call: bigint; put: bigint } | undefined;
  let previousStrike = 0n;
  legs.forEach((leg, i) => {
    checkLeg(leg, previousStrike, i);
    previousStrike = leg.strike;
    const size = leg.size;
    if (size === 0n) return;
    if (cached === undefined || cached.strike !== leg.strike)
      cached = { strike: leg.strike, ...marks(leg.strike, p) };
    const mark = leg.isCall ? cached.call : cached.put;
    if (leg.isCall) callSizes += size;
    else {
      putSizes += size;
      putNotional = int256(putNotional + size * leg.strike);
    }
    if (size > 0n) {
      value = int256(value + mulWad(size, mark));
    } else {
      const qty = -size;
      value = int256(value - mulWadUp(qty, mark));
      if (!p.settled) {
        const otm = leg.isCall
          ? leg.strike > p.price
            ? leg.strike - p.price
            : 0n
          : p.price > leg.strike
            ? p.price - leg.strike
            : 0n;
        let imUnit = base(imA, imB, otm);
        let mmUnit = base(mmA, mmB, otm);
        if (!leg.isCall) {
          if (imUnit > leg.strike) imUnit = leg.strike;
          if (mmUnit > leg.strike) mmUnit = leg.strike;
        }
        imReq += mulWadUp(qty, imUnit);
        mmReq += mulWadUp(qty, mmUnit);
      }
    }
  });
  if (p.settled) return { value, imReq: 0n, mmReq: 0n };
  if ((imReq !== 0n || mmReq !== 0n) && callSizes >= 0n) {
    const capSigned = sweepMaxLoss(legs, putSizes, putNotional) + value;
    const cap = capSigned > 0n ? capSigned : 0n;
    if (imReq > cap) imReq = cap;
    if (mmReq > cap) mmReq = cap;
  }
  return { value, imReq, mmReq };
}
