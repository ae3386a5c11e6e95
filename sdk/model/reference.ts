/**
 * High-precision Black-Scholes reference (decimal.js, 60 significant digits) used to measure the accuracy of the
 * contract and of its bigint mirror. Not used for any on-chain prediction: use `blackScholes` for that.
 */
import DecimalModule from "decimal.js";

import { YEAR } from "./blackScholes.js";

// decimal.js ships CommonJS-style typings for its ESM build: under node16 resolution TypeScript types the default
// import as the module namespace, while at runtime it is the Decimal class itself.
const Decimal = DecimalModule as unknown as typeof DecimalModule.Decimal;

/** An independent Decimal constructor so the global decimal.js configuration is left alone. */
export const Dec = Decimal.clone({
  precision: 60,
  rounding: Decimal.ROUND_HALF_EVEN,
});
export type Dec = InstanceType<typeof DecimalModule.Decimal>;

const WAD_DEC = new Dec(10).pow(18);
const HALF = new Dec(0.5);
const SQRT_2PI = Dec.sqrt(Dec.acos(-1).mul(2));

/** Standard normal density. */
function pdf(x: Dec): Dec {
  return Dec.exp(x.mul(x).div(-2)).div(SQRT_2PI);
}

/** Standard normal CDF to ~50 significant digits absolute for |x| <= 8 and ~50 relative digits in the tails. */
export function normCdfRef(x: Dec): Dec {
  const ax = x.abs();
  let upperTail: Dec; // N(-|x|)
  if (ax.lte(8)) {
    // N(x) = 1/2 + φ(x)·Σ x^{2n+1}/(2n+1)!!  (alternating-free series, converges for all x)
    let term = ax;
    let sum = ax;
    const x2 = ax.mul(ax);
    for (let n = 1; n < 2000; n++) {
      term = term.mul(x2).div(2 * n + 1);
      sum = sum.add(term);
      if (term.lt(sum.mul("1e-62"))) break;
    }
    upperTail = HALF.sub(pdf(ax).mul(sum));
  } else {
    // Mills ratio continued fraction, evaluated backward: N(-x) = φ(x) / (x + 1/(x + 2/(x + 3/(x + ...)))).
    let cf = ax;
    for (let n = 400; n >= 1; n--) cf = ax.add(new Dec(n).div(cf));
    upperTail = pdf(ax).div(cf);
  }
  return x.isNegative() ? upperTail : new Dec(1).sub(upperTail);
}

export interface ReferencePrices {
  call: Dec;
  put: Dec;
  /** K·e^{-rτ}. */
  kd: Dec;
  /** S·φ(d1)·σ√τ (vega times σ: the price change per unit relative vol move); 0 when σ√τ = 0. */
  vegaStd: Dec;
}

/** Exact-math Black-Scholes on WAD-scaled bigint inputs; results in WAD units (not rounded). */
export function blackScholesReference(
  spot: bigint,
  strike: bigint,
  tau: bigint,
  vol: bigint,
  rate: bigint,
): ReferencePrices {
  const S = new Dec(spot.toString());
  const K = new Dec(strike.toString());
  const t = new Dec(tau.toString()).div(YEAR.toString());
  const sigma = new Dec(vol.toString()).div(WAD_DEC);
  const r = new Dec(rate.toString()).div(WAD_DEC);
  const discount = Dec.exp(r.mul(t).neg());
  const kd = K.mul(discount);
  const v = sigma.mul(t.sqrt());
  if (v.isZero()) {
    return { call: Dec.max(S.sub(kd), 0), put: Dec.max(kd.sub(S), 0), kd, vegaStd: new Dec(0) };
  }
  const d1 = Dec.ln(S.div(K)).add(r.mul(t)).div(v).add(v.div(2));
  const d2 = d1.sub(v);
  return {
    call: S.mul(normCdfRef(d1)).sub(kd.mul(normCdfRef(d2))),
    put: kd.mul(normCdfRef(d2.neg())).sub(S.mul(normCdfRef(d1.neg()))),
    kd,
    vegaStd: S.mul(pdf(d1)).mul(v),
  };
}
