/**
 * Reference model of Bulwark's pure math: Black-Scholes and the per-group margin rules, mirroring
 * contracts/libraries/{BlackScholes,MarginLib}.sol to the wei, plus a decimal.js high-precision Black-Scholes.
 */
export {
  BlackScholesOutOfDomain,
  MAX_MONEYNESS,
  MAX_PRICE,
  MAX_RATE,
  MAX_TAU,
  MAX_VOL,
  MIN_PRICE,
  MIN_STDDEV,
  YEAR,
  blackScholes,
  checkDomain,
  mulDivUp,
  normCdf,
  prepare,
  priceAt,
  scaledTail,
  type OptionPrices,
  type PriceAt,
  type Prepared,
} from "./blackScholes.js";
export { WAD, divUp, expWad, lnWad, mulWad, mulWadUp, sqrt } from "./fixedPoint.js";
export {
  MAX_GROUP_PRICE,
  MAX_SIZE,
  MAX_STRIKE,
  MarginLibLegOutOfRange,
  MarginLibNegativeRate,
  MarginLibPriceOutOfRange,
  MarginLibUnsortedLegs,
  checkLegs,
  evaluateGroup,
  evaluateWords,
  lossUpTo,
  lossUpToWords,
  marks,
  maxLoss,
  payoffAt,
  toWords,
  wordIsCall,
  wordSize,
  wordStrike,
  type GroupParams,
  type GroupResult,
  type Leg,
} from "./margin.js";
export { Dec, blackScholesReference, normCdfRef, type ReferencePrices } from "./reference.js";
