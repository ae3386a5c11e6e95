/**
 * Bigint mirror of `contracts/libraries/BlackScholes.sol`: same constants, same operations, same rounding, so the
 * results equal the contract's to the wei (the differential test asserts it).
 *
 * Method (see docs/margin.md, "Black-Scholes"): forward form with one `lnWad`, one `sqrt`, one `expWad` for
 * e^{-d1²/2} (plus one `expWad` for the discount factor when the rate is non-zero). Both normal tails come from the
 * same exponential through the identity K·e^{-rτ}·φ(d2) = S·φ(d1), with the Hart (1968) / West (2005) double-precision
 * and Cody (1969) rational approximations of the scaled tail R(x) = N(-x)·e^{x²/2}.
 */
import { WAD, expWad, lnWad, mulWadUp, sqrt } from "./fixedPoint.js";

/** Seconds per year used to turn `tau` into years (365 days, as crypto option venues do). */
export const YEAR = 31_536_000n;
/** Smallest / largest accepted spot and strike (WAD): 1e-6 to 1e15 units of quote per underlying. */
export const MIN_PRICE = 10n ** 12n;
export const MAX_PRICE = 10n ** 33n;
/** Largest accepted S/K and K/S: beyond it WAD rounding of K·e^{-rτ} alone exceeds the 1e-8·S accuracy target. */
export const MAX_MONEYNESS = 10n ** 9n;
/** Longest accepted time to expiry: 5 years. */
export const MAX_TAU = 5n * YEAR;
/** Largest accepted volatility: 1000%. */
export const MAX_VOL = 10n * WAD;
/** Largest accepted |rate|: 100% a year. */
export const MAX_RATE = WAD;
/** Below this σ√τ (1e-9) the option is priced at its discounted forward intrinsic (time value < 4e-10·S). */
export const MIN_STDDEV = 10n ** 9n;

/** Hart 5666 numerator coefficients (WAD), constant term first: R(x) = HART_P(x)/HART_Q(x) for x < CODY_LOW. */
const HART_P = [
  220206867912376000000n,
  221213596169931000000n,
  112079291497871000000n,
  33912866078383000000n,
  6373962203531650000n,
  700383064443688000n,
  35262496599891100n,
] as const;
/** Hart 5666 denominator coefficients (WAD), constant term first. */
const HART_Q = [
  440413735824752000000n,
  793826512519948000000n,
  637333633378831000000n,
  296564248779674000000n,
  86780732202946100000n,
  16064177579207000000n,
  1755667163182640000n,
  88388347648318400n,
] as const;
/**
 * Cody (1969) erfc on 0.46875 <= y <= 4, rewritten in x = y·√2 (WAD, constant term first):
 * R(x) = CODY_TOP(x) / (x^8 + CODY_BOT(x)), CODY_TOP_k = 8·a_k·2^{-k/2}, CODY_BOT_k = 16·b_k·2^{-k/2}.
 */
const CODY_TOP = [
  9842714838383978021760n,
  11602651437647350123631n,
  6848190450536282332560n,
  2494537585290372671113n,
  597270276394800262264n,
  93506656132177855979n,
  8883149794388375941n,
  398941512088134668n,
  10765576774n,
] as const;
const CODY_BOT = [
  19685429676859990726880n,
  38912003286093271410986n,
  34900952721145977265600n,
  18615571640885098091297n,
  6485558298266760754960n,
  1519377599407554804963n,
  235387901782624998610n,
  22266688044328115691n,
] as const;
/** Cody erfc asymptotic range y > 4 (1e27 scale, magnitudes of the negative p_k; q_k, constant first). */
const CODY_P = [
  658749161529837803157000n,
  16083785148742276627800000n,
  125781726111229246204000000n,
  360344899949804439429000000n,
  305326634961232344035000000n,
  16315387137302097849800000n,
] as const;
const CODY_Q = [
  2335204976268691854430000n,
  60518341312441319117800000n,
  527905102951428412248000000n,
  1872952849923460472090000000n,
  2568520192289822420720000000n,
] as const;
/** 0.46875·√2 and 4·√2 (WAD): range boundaries in x. */
const CODY_LOW = 662912607362388304n;
const CODY_HIGH = 5656854249492380195n;
/** ln(1e9) in WAD, and expWad(LN_1E9) ≈ 1e27: expWad(LN_1E9 - rτ) / EXP_LN_1E9 = e^{-rτ}, exactly 1 at rτ = 0. */
const LN_1E9 = 20723265836946411156n;
const EXP_LN_1E9 = 999999999999999999851248658n;
/** 1/√π and √2 in WAD. */
const ONE_OVER_SQRT_PI = 564189583547756287n;
const SQRT_2 = 1414213562373095049n;
const RAY = 10n ** 27n;

export class BlackScholesOutOfDomain extends Error {
  constructor(
    readonly spot: bigint,
    readonly strike: bigint,
    readonly tau: bigint,
    readonly vol: bigint,
    readonly rate: bigint,
  ) {
    super(`BlackScholes_OutOfDomain(${spot}, ${strike}, ${tau}, ${vol}, ${rate})`);
  }
}

export interface OptionPrices {
  /** Call price, WAD quote per unit of underlying. */
  call: bigint;
  /** Put price, WAD quote per unit of underlying. */
  put: bigint;
}

/**
 * R(x) = N(-x)·e^{x²/2} in WAD for 0 <= x <= 32e18, relative error ~1e-16: Hart 5666 below 0.663, Cody's erfc
 * rational on [0.663, 5.657], Cody's asymptotic rational above.
 */
export function scaledTail(x: bigint): bigint {
  if (x < CODY_LOW) {
    let num = HART_P[6];
    for (let i = 5; i >= 0; i--) num = (num * x) / WAD + HART_P[i]!;
    let den = HART_Q[7];
    for (let i = 6; i >= 0; i--) den = (den * x) / WAD + HART_Q[i]!;
    return (num * WAD) / den;
  }
  if (x <= CODY_HIGH) {
    let num = CODY_TOP[8];
    for (let i = 7; i >= 0; i--) num = (num * x) / WAD + CODY_TOP[i]!;
    let den = WAD;
    for (let i = 7; i >= 0; i--) den = (den * x) / WAD + CODY_BOT[i]!;
    return (num * WAD) / den;
  }
  const z = (2n * 10n ** 54n) / (x * x); // 2/x² = 1/y², WAD
  let num = CODY_P[5];
  for (let i = 4; i >= 0; i--) num = (num * z) / WAD + CODY_P[i]!;
  let den = RAY;
  for (let i = 4; i >= 0; i--) den = (den * z) / WAD + CODY_Q[i]!;
  const bracket = ONE_OVER_SQRT_PI - (z * num) / den; // 1/√π + z·top/bot with top < 0
  return (bracket * 10n ** 36n) / (SQRT_2 * x);
}

/** Standard normal CDF N(x), x and result in WAD. */
export function normCdf(x: bigint): bigint {
  const ax = x < 0n ? -x : x;
  if (ax > 40n * WAD) return x < 0n ? 0n : WAD;
  const tail = (expWad(-((ax * ax) / (2n * WAD))) * scaledTail(ax)) / WAD;
  return x < 0n ? tail : WAD - tail;
}

export function checkDomain(spot: bigint, strike: bigint, tau: bigint, vol: bigint, rate: bigint): void {
  if (
    spot < MIN_PRICE ||
    spot > MAX_PRICE ||
    strike < MIN_PRICE ||
    strike > MAX_PRICE ||
    spot > strike * MAX_MONEYNESS ||
    strike > spot * MAX_MONEYNESS ||
    tau > MAX_TAU ||
    vol > MAX_VOL ||
    rate > MAX_RATE ||
    rate < -MAX_RATE
  ) {
    throw new BlackScholesOutOfDomain(spot, strike, tau, vol, rate);
  }
}

/** 1/√(2π) in WAD, rounded up (0.398942280401432677939...). */
const INV_SQRT_2PI_UP = 398942280401432678n;

/**
 * Inputs shared by every strike of one (spot, expiry) group (mirror of `BlackScholes.Prepared`).
 * spot: WAD. stddev: σ√τ, WAD. rt: r·τ in WAD (truncated toward zero). discount: e^{-rτ} scaled by EXP_LN_1E9 (≈1e27),
 * 0 when rate or tau is 0 (then K·e^{-rτ} = K).
 */
export interface Prepared {
  spot: bigint;
  stddev: bigint;
  rt: bigint;
  discount: bigint;
}

/** Prices at one strike plus the margin terms (mirror of the return values of `BlackScholes.priceAt`). */
export interface PriceAt extends OptionPrices {
  /** K·e^{-rτ}, WAD, rounded down (K itself when rate or tau is 0). */
  kd: bigint;
  /** S·φ(d1)·σ√τ = vega·σ, WAD, rounded up; 0 when σ√τ < MIN_STDDEV. */
  vegaStd: bigint;
}

const MAX_UINT256 = (1n << 256n) - 1n;

/** Solady `mulDivUp(x, y, d)`: ceil(x·y/d), throwing where Solady reverts (x·y overflows, d = 0). */
export function mulDivUp(x: bigint, y: bigint, d: bigint): bigint {
  const p = x * y;
  if (p > MAX_UINT256 || d === 0n) throw new RangeError("MulDivFailed");
  return p === 0n ? 0n : (p - 1n) / d + 1n;
}

function prepareUnchecked(spot: bigint, tau: bigint, vol: bigint, rate: bigint): Prepared {
  const stddev = sqrt((vol * vol * tau) / YEAR);
  let rt = 0n;
  let discount = 0n;
  if (rate !== 0n && tau !== 0n) {
    const n = rate * tau;
    rt = n / YEAR; // truncates toward zero like Solidity
    const rem = n - rt * YEAR; // |rem| < YEAR: the part of rτ below one wei
    // e^{-rτ}·1e27 through e^{ln(1e9) - rτ} in WAD (~1e-20 relative precision even when e^{-rτ} is small), then
    // first-order correction for the sub-wei remainder of rτ: e^{-rem/(YEAR·1e18)} ≈ 1 - rem/(YEAR·1e18).
    let e = expWad(LN_1E9 - rt);
    e -= (e * rem) / (YEAR * WAD);
    discount = e;
  }
  return { spot, stddev, rt, discount };
}

function priceAtUnchecked(g: Prepared, strike: bigint): PriceAt {
  const spot = g.spot;
  const kd = g.discount === 0n ? strike : (strike * g.discount) / EXP_LN_1E9;
  const stddev = g.stddev;
  let call = 0n;
  let put = 0n;
  let vegaStd = 0n;
  if (stddev >= MIN_STDDEV) {
    const lnSK = spot >= strike ? lnWad((spot * WAD) / strike) : -lnWad((strike * WAD) / spot);
    const d1 = ((lnSK + g.rt) * WAD) / stddev + stddev / 2n;
    const d2 = d1 - stddev;
    const e1 = expWad(-((d1 * d1) / (2n * WAD)));
    let a1 = 0n;
    let a2 = 0n;
    let se = 0n;
    if (e1 !== 0n) {
      se = spot * e1;
      a1 = (se * scaledTail(d1 < 0n ? -d1 : d1)) / 10n ** 36n;
      a2 = (se * scaledTail(d2 < 0n ? -d2 : d2)) / 10n ** 36n;
    }
    if (d2 >= 0n) {
      call = spot - kd + a2 - a1;
      put = a2 - a1;
    } else if (d1 >= 0n) {
      call = spot - a1 - a2;
      put = kd - a1 - a2;
    } else {
      call = a1 - a2;
      put = kd - spot + a1 - a2;
    }
    if (call < 0n) call = 0n;
    if (put < 0n) put = 0n;
    // S·e^{-d1²/2}·σ√τ/√(2π), rounded up (a requirement term).
    vegaStd = mulWadUp(mulDivUp(se, stddev, 10n ** 36n), INV_SQRT_2PI_UP);
  }
  // No-arbitrage bounds: max(S - K·D, 0) <= call <= S, max(K·D - S, 0) <= put <= K·D.
  if (spot > kd) {
    if (call < spot - kd) call = spot - kd;
  } else if (put < kd - spot) {
    put = kd - spot;
  }
  if (call > spot) call = spot;
  if (put > kd) put = kd;
  return { call, put, kd, vegaStd };
}

/**
 * The per-group part of a price (σ√τ and e^{-rτ}) — mirror of `BlackScholes.prepare`: `priceAt(prepare(S, τ, σ, r),
 * K)` equals `blackScholes(S, K, τ, σ, r)` to the wei. Checks spot, tau, vol and rate (as `checkDomain(S, S, τ, σ,
 * r)`); `priceAt` checks the strike.
 */
export function prepare(spot: bigint, tau: bigint, vol: bigint, rate: bigint): Prepared {
  checkDomain(spot, spot, tau, vol, rate);
  return prepareUnchecked(spot, tau, vol, rate);
}

/**
 * Call and put prices at `strike` from prepared group inputs, plus K·e^{-rτ} (rounded down) and vegaStd =
 * S·φ(d1)·σ√τ (rounded up) — mirror of `BlackScholes.priceAt` (checks the strike as `checkDomain(S, K, 0, 0, 0)`).
 */
export function priceAt(g: Prepared, strike: bigint): PriceAt {
  checkDomain(g.spot, strike, 0n, 0n, 0n);
  return priceAtUnchecked(g, strike);
}

/**
 * European call and put prices (WAD) — mirror of `BlackScholes.price`.
 * @param spot WAD quote per underlying
 * @param strike WAD
 * @param tau seconds to expiry
 * @param vol WAD annualized (1e18 = 100%)
 * @param rate WAD annual continuously compounded, may be negative
 */
export function blackScholes(spot: bigint, strike: bigint, tau: bigint, vol: bigint, rate: bigint): OptionPrices {
  checkDomain(spot, strike, tau, vol, rate);
  const { call, put } = priceAtUnchecked(prepareUnchecked(spot, tau, vol, rate), strike);
  return { call, put };
}
