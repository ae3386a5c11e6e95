/**
 * Bigint mirror of `contracts/libraries/MarginLib.sol` v2 (value and IM/MM requirements of one (underlying, expiry)
 * group, its maximum loss, and the loss up to a price bound). Same operations, rounding and revert order as the
 * contract: results are equal to the wei. Rules: docs/margin.md §2.
 *
 * Per short leg of |size| q (a, b, w the IM or the MM parameters):
 *   unit = max(a·S − OTM, b·S) + w·vegaStd, OTM against the discounted strike K·e^{−rτ},
 *   w = min(vegaCap, vegaSlope·σ√τ), vegaStd = S·φ(d1)·σ√τ; short puts add carry K·r·min(τ, 1 day)/year and are
 *   capped at K. Defined-risk cap when Σ call sizes ≥ 0: req = min(base, max(0, L + value)). rate ≥ 0.
 */
import { prepare, priceAt, type Prepared } from "./blackScholes.js";
import { WAD, divUp, mulWadUp, sqrt } from "./fixedPoint.js";

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
  /** Annual rate, WAD, >= 0 (negative throws MarginLibNegativeRate). */
  rate: bigint;
  /** a_IM, b_IM, a_MM, b_MM: WAD fractions of spot. */
  imBase: bigint;
  imFloor: bigint;
  mmBase: bigint;
  mmFloor: bigint;
  /** Vega add-on: the relative vol shock covered is min(cap, slope·√(σ√τ)), WAD. */
  imVegaSlope: bigint;
  imVegaCap: bigint;
  mmVegaSlope: bigint;
  mmVegaCap: bigint;
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

export class MarginLibNegativeRate extends Error {
  constructor(readonly rate: bigint) {
    super(`MarginLib_NegativeRate(${rate})`);
  }
}

/** Largest strike (96-bit SeriesId field), largest |size| (the position word's int96: 2^95 − 1), largest price. */
export const MAX_STRIKE = (1n << 96n) - 1n;
export const MAX_SIZE = (1n << 95n) - 1n;
export const MAX_GROUP_PRICE = (1n << 112n) - 1n;

const DAY = 86_400n;
const YEAR = 31_536_000n;
/** Position word: `SeriesId << 96 | uint96(int96 size)`; strike at bit 104, kind (1 = call) at bit 96. */
const STRIKE_SHIFT = 104n;
const KIND_SHIFT = 96n;
const MASK_96 = (1n << 96n) - 1n;
const MAX_INT256 = (1n << 255n) - 1n;
const MIN_INT256 = -(1n << 255n);

const MAX_UINT256 = (1n << 256n) - 1n;

/** Checked uint256 addition (Solidity reverts where this throws). */
function add256(a: bigint, b: bigint): bigint {
  const z = a + b;
  if (z > MAX_UINT256) throw new RangeError("uint256 overflow");
  return z;
}

/** Checked int256 (Solidity reverts where this throws). */
function int256(x: bigint): bigint {
  if (x > MAX_INT256 || x < MIN_INT256) throw new RangeError("int256 overflow");
  return x;
}

/** Decoded fields of a position word. */
export function wordStrike(word: bigint): bigint {
  return (word >> STRIKE_SHIFT) & MASK_96;
}
export function wordSize(word: bigint): bigint {
  const raw = word & MASK_96;
  return raw >= 1n << 95n ? raw - (1n << 96n) : raw;
}
export function wordIsCall(word: bigint): boolean {
  return ((word >> KIND_SHIFT) & 0xffn) === 1n;
}

/** Mirror of `MarginLib.toWords`: checks order and ranges, packs (series fields other than strike and kind are 0). */
export function toWords(legs: readonly Leg[]): bigint[] {
  let previousStrike = 0n;
  return legs.map((leg, i) => {
    if (leg.strike < previousStrike) throw new MarginLibUnsortedLegs(BigInt(i), leg.strike, previousStrike);
    if (leg.strike > MAX_STRIKE || leg.size > MAX_SIZE || leg.size < -MAX_SIZE) {
      throw new MarginLibLegOutOfRange(BigInt(i), leg.strike, leg.size);
    }
    previousStrike = leg.strike;
    return (leg.strike << STRIKE_SHIFT) | ((leg.isCall ? 1n : 0n) << KIND_SHIFT) | (leg.size & MASK_96);
  });
}

/** The checks of `toWords` alone (sorted by strike, strike and size in range). */
export function checkLegs(legs: readonly Leg[]): void {
  toWords(legs);
}

function base(a: bigint, b: bigint, otm: bigint): bigint {
  return a > otm && a - otm > b ? a - otm : b;
}

/** min(cap, slope·√(σ√τ)), the root and the product rounded up (MarginLib._shock). */
function shock(slope: bigint, cap: bigint, stddev: bigint): bigint {
  const x = stddev * WAD;
  let root = sqrt(x);
  if (root * root < x) root += 1n;
  const w = mulWadUp(slope, root);
  return w > cap ? cap : w;
}

/** Marks at `strike`: Black-Scholes (with kd, vegaStd) while tau > 0 and not settled, else intrinsic at `price`. */
export function marks(strike: bigint, p: GroupParams): { call: bigint; put: bigint; kd: bigint; vegaStd: bigint } {
  if (!p.settled && p.tau !== 0n) return priceAt(prepare(p.price, p.tau, p.vol, p.rate), strike);
  return {
    call: p.price > strike ? p.price - strike : 0n,
    put: strike > p.price ? strike - p.price : 0n,
    kd: strike,
    vegaStd: 0n,
  };
}

/** Exact payoff at expiry of the group for a terminal price `st` (1e36 scale, i.e. WAD·WAD). */
export function payoffAt(legs: readonly Leg[], st: bigint): bigint {
  let total = 0n;
  for (const leg of legs) {
    const intrinsic = leg.isCall ? (st > leg.strike ? st - leg.strike : 0n) : leg.strike > st ? leg.strike - st : 0n;
    total += leg.size * intrinsic;
  }
  return total;
}

/** Minimum of the payoff over {0} ∪ strikes, as a loss rounded up (mirror of `_sweepMaxLoss`). */
function sweepMaxLoss(words: readonly bigint[], start: number, end: number, putSizes: bigint, putNotional: bigint) {
  let payoff = putNotional;
  let minPayoff = payoff;
  let slope = -putSizes;
  let x = 0n;
  for (let i = start; i < end; i++) {
    const strike = wordStrike(words[i]!);
    payoff += slope * (strike - x);
    x = strike;
    if (payoff < minPayoff) minPayoff = payoff;
    slope += wordSize(words[i]!);
  }
  return minPayoff >= 0n ? 0n : divUp(-minPayoff, WAD);
}

/** Mirror of `MarginLib.evaluateWords`: value and requirements of the group `words[start:end]`. */
export function evaluateWords(words: readonly bigint[], start: number, end: number, p: GroupParams): GroupResult {
  if (p.price > MAX_GROUP_PRICE) throw new MarginLibPriceOutOfRange(p.price);
  if (p.rate < 0n) throw new MarginLibNegativeRate(p.rate);
  const live = !p.settled && p.tau !== 0n;
  let g: Prepared | undefined;
  let imW = 0n;
  let mmW = 0n;
  let carry = 0n;
  if (live) {
    g = prepare(p.price, p.tau, p.vol, p.rate);
    imW = shock(p.imVegaSlope, p.imVegaCap, g.stddev);
    mmW = shock(p.mmVegaSlope, p.mmVegaCap, g.stddev);
    carry = divUp(p.rate * (p.tau < DAY ? p.tau : DAY), YEAR);
  }
  let imA = 0n;
  let imB = 0n;
  let mmA = 0n;
  let mmB = 0n;
  if (!p.settled) {
    imA = mulWadUp(p.imBase, p.price);
    imB = mulWadUp(p.imFloor, p.price);
    mmA = mulWadUp(p.mmBase, p.price);
    mmB = mulWadUp(p.mmFloor, p.price);
  }
  let callSizes = 0n;
  let putSizes = 0n;
  let putNotional = 0n;
  let imReq = 0n;
  let mmReq = 0n;
  let value = 0n;
  let longValue = 0n;
  let cached: { strike: bigint; call: bigint; put: bigint; kd: bigint; vegaStd: bigint } | undefined;
  for (let i = start; i < end; i++) {
    const word = words[i]!;
    const size = wordSize(word);
    if (size === 0n) continue;
    const strike = wordStrike(word);
    if (cached === undefined || cached.strike !== strike) {
      cached =
        g !== undefined
          ? { strike, ...priceAt(g, strike) }
          : {
              strike,
              call: p.price > strike ? p.price - strike : 0n,
              put: strike > p.price ? strike - p.price : 0n,
              kd: strike,
              vegaStd: 0n,
            };
    }
    const isCall = wordIsCall(word);
    let mark: bigint;
    if (isCall) {
      mark = cached.call;
      callSizes += size;
    } else {
      mark = cached.put;
      putSizes += size;
      putNotional += size * strike;
    }
    if (size > 0n) {
      const v = (size * mark) / WAD; // long: rounds down
      value += v;
      longValue += v;
      continue;
    }
    const qty = -size;
    value -= (qty * mark + (WAD - 1n)) / WAD; // short liability: rounds up
    if (p.settled) continue;
    const kd = cached.kd;
    const otm = isCall ? (kd > p.price ? kd - p.price : 0n) : p.price > kd ? p.price - kd : 0n;
    let imUnit = add256(base(imA, imB, otm), mulWadUp(imW, cached.vegaStd));
    let mmUnit = add256(base(mmA, mmB, otm), mulWadUp(mmW, cached.vegaStd));
    if (!isCall) {
      const c = mulWadUp(strike, carry);
      imUnit = add256(imUnit, c);
      mmUnit = add256(mmUnit, c);
      if (imUnit > strike) imUnit = strike;
      if (mmUnit > strike) mmUnit = strike;
    }
    imReq = add256(imReq, mulWadUp(qty, imUnit));
    mmReq = add256(mmReq, mulWadUp(qty, mmUnit));
  }
  if (p.settled) return { value, imReq: 0n, mmReq: 0n };
  // Longs never offset shorts for IM: a group with a short leg needs its shorts' base plus its longs' value.
  if (imReq !== 0n) imReq = add256(imReq, longValue);
  if ((imReq !== 0n || mmReq !== 0n) && callSizes >= 0n) {
    const capSigned = int256(int256(sweepMaxLoss(words, start, end, putSizes, putNotional)) + value);
    const cap = capSigned > 0n ? capSigned : 0n;
    if (imReq > cap) imReq = cap;
    if (mmReq > cap) mmReq = cap;
  }
  return { value, imReq, mmReq };
}

/** Value and requirements of one group — mirror of `MarginLib.evaluateGroup`. Legs sorted by strike ascending. */
export function evaluateGroup(legs: readonly Leg[], p: GroupParams): GroupResult {
  const words = toWords(legs);
  return evaluateWords(words, 0, words.length, p);
}

/**
 * Maximum loss at expiry (WAD, rounded up) by the O(k) sweep over sorted legs, or `bounded: false` when Σ call sizes
 * < 0 (the payoff falls without bound as S_T grows) — mirror of `MarginLib.maxLoss`.
 */
export function maxLoss(legs: readonly Leg[]): {
  loss: bigint;
  bounded: boolean;
} {
  const words = toWords(legs);
  let putSizes = 0n;
  let putNotional = 0n;
  let callSizes = 0n;
  for (const leg of legs) {
    if (leg.isCall) callSizes += leg.size;
    else {
      putSizes += leg.size;
      putNotional += leg.size * leg.strike;
    }
  }
  if (callSizes < 0n) return { loss: 0n, bounded: false };
  return { loss: sweepMaxLoss(words, 0, words.length, putSizes, putNotional), bounded: true };
}

/**
 * Mirror of `MarginLib.lossUpTo(words, start, end, upTo)`: worst loss at expiry of the group for any final price in
 * [0, upTo], WAD, rounded up (0 when the payoff is non-negative there).
 */
export function lossUpToWords(words: readonly bigint[], start: number, end: number, upTo: bigint): bigint {
  if (upTo > MAX_GROUP_PRICE) throw new MarginLibPriceOutOfRange(upTo);
  let slope = 0n;
  let payoff = 0n;
  for (let i = start; i < end; i++) {
    const word = words[i]!;
    if (!wordIsCall(word)) {
      const size = wordSize(word);
      slope -= size;
      payoff += size * wordStrike(word);
    }
  }
  let minPayoff = payoff;
  let x = 0n;
  for (let i = start; i < end; i++) {
    const word = words[i]!;
    const strike = wordStrike(word);
    if (strike > upTo) break;
    payoff += slope * (strike - x);
    x = strike;
    if (payoff < minPayoff) minPayoff = payoff;
    slope += wordSize(word);
  }
  if (slope < 0n && upTo > x) {
    payoff += slope * (upTo - x);
    if (payoff < minPayoff) minPayoff = payoff;
  }
  return minPayoff >= 0n ? 0n : divUp(-minPayoff, WAD);
}

/**
 * Worst loss at expiry of the group for any final price in [0, upTo], WAD, rounded up: the conservative value (as
 * −loss) of a group whose market has no trustworthy price. Legs sorted by strike (checked as `toWords`), then
 * `upTo <= MAX_GROUP_PRICE` — the order of the harness `lossUpTo(legs, upTo)`.
 */
export function lossUpTo(legs: readonly Leg[], upTo: bigint): bigint {
  const words = toWords(legs);
  return lossUpToWords(words, 0, words.length, upTo);
}
