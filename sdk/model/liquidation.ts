/**
 * Bigint mirror of the Dutch-auction liquidation (contracts/liquidation/LiquidationModule.sol, docs/liquidation.md)
 * and of the clearing house's transfer hook behind a bid (`ClearingHouse.liquidationTransfer`), to the wei, with the
 * contracts' rounding: a keeper predicts the terms of an auction (`auctionTerms`, as `quote`), the cash flows of a bid
 * (`bidCashFlows`, as `costOf`), the holdings of both accounts and the fund's cash after it (`predictBid`) and both
 * accounts' margins after it (`predictBidMargins`, with the account model of ./account.ts).
 *
 * Rules (all WAD; E = equity, MM = maintenance requirement of the non-strict evaluation, as `accountHealth`):
 * - solvent (E >= 0): price per unit P = max(0, E − d(t)·MM) (d·MM rounded down); the largest fraction brings the
 *   account to a hair above (1 + buffer)·MM; a residue below `dustSize` lets the whole account be taken;
 * - insolvent (E < 0): the fund pays Q = k(t)·(MM + |E|) per unit (down), k rising to `insolventCap`;
 * - a bid of fraction f moves f of every position (toward zero), collateral balance (down) and the cash balance
 *   (toward zero) to the bidder, who pays f·P (up) to the account and `fundFeeShare` of its discount (up) to the fund.
 */
import { WAD, mulWad, mulWadUp } from "./fixedPoint.js";
import { mulDivUp } from "./blackScholes.js";
import {
  evaluateAccount,
  type AccountMargin,
  type AccountState,
  type CollateralHolding,
  type EngineParams,
  type OracleView,
  type Position,
} from "./account.js";

/** Mirror of the `AuctionParams` struct (`LiquidationModule.auctionParams()`). Durations in seconds, the rest WAD. */
export interface AuctionParams {
  fastDuration: bigint;
  slowDuration: bigint;
  insolventDuration: bigint;
  /** Discount d reached at the end of the fast leg, fraction of MM. */
  fastDiscount: bigint;
  /** The auction stops at (1 + buffer)·MM. */
  buffer: bigint;
  /** The fund pays at most insolventCap·(MM + |E|) per unit. */
  insolventCap: bigint;
  /** Fraction of a solvent bid's discount paid to the fund. */
  fundFeeShare: bigint;
  /** While the sequencer is down, only accounts with E < deepRatio·MM are started. */
  deepRatio: bigint;
  /** Smallest residue size MM + |E| a partial bid may leave, cash units (WAD). */
  dustSize: bigint;
}

/** The part of the `Auction` struct (`LiquidationModule.auctionOf`) the terms depend on. Timestamps in seconds. */
export interface AuctionState {
  /** 0: no live auction. */
  startedAt: bigint;
  /** 0: the insolvent clock has not started. */
  insolventSince: bigint;
}

/** Mirror of the price fields of `Quote`. */
export interface AuctionTerms {
  /** E < 0: the fund pays the bidder. */
  insolvent: boolean;
  /**
   * Price of the whole portfolio (a fraction of 1e18): positive, the bidder pays the account; negative, the fund pays
   * the bidder. 0 when restored.
   */
  pricePerUnit: bigint;
  /** Largest fraction a bid may take (WAD); 0 when restored (no bid: `endAuction`). */
  maxFraction: bigint;
  /** Solvent and at or above (1 + buffer)·MM: a bid reverts with `Liquidation_AccountHealthy`. */
  restored: boolean;
}

/** Mirror of `costOf`'s cash flows (all >= 0 but `cost`). */
export interface BidCashFlows {
  /** Paid by the bidder to the auctioned account (f·P, rounded up). */
  toAccount: bigint;
  /** Paid by the bidder to the fund (fundFeeShare of the discount, rounded up). */
  toFund: bigint;
  /** Paid by the fund to the bidder (insolvent phase, f·|Q| rounded down). */
  fromFund: bigint;
  /** toAccount + toFund − fromFund: what the bidder's cash pays (negative: it is paid), before the moved cash. */
  cost: bigint;
}

/** A collateral balance with the token that identifies it (balances of one token merge in the bidder's account). */
export interface TokenCollateralHolding extends CollateralHolding {
  /** Token address (compared case-insensitively). */
  token: string;
}

/** An account's balances as the transfer hook moves them: cash, positions and token-identified collateral. */
export interface LiquidationHoldings extends AccountState {
  collaterals: readonly TokenCollateralHolding[];
}

/** Outcome of `predictBid`: both accounts' holdings after the transfer and the insurance fund's cash. */
export interface BidPrediction {
  account: LiquidationHoldings;
  bidder: LiquidationHoldings;
  fundCash: bigint;
  /** Cash moved from the account with the fraction (toward zero), before the bid's payments. */
  movedCash: bigint;
  /** The bidder did not hold one of the series it receives (the clearing house then enforces the group cap). */
  opened: boolean;
}

/** Mirror of `Liquidation_NoAuction(account)`. */
export class LiquidationNoAuction extends Error {
  constructor() {
    super("Liquidation_NoAuction");
  }
}

/** Mirror of `Liquidation_DustResidue(fraction, residueSize, dustSize)`. */
export class LiquidationDustResidue extends Error {
  constructor(
    readonly fraction: bigint,
    readonly residueSize: bigint,
    readonly dustSize: bigint,
  ) {
    super(`Liquidation_DustResidue(${fraction}, ${residueSize}, ${dustSize})`);
  }
}

/** Solady `mulDiv(x, y, d)`: floor(x·y/d), throwing where Solady reverts (d = 0). */
function mulDiv(x: bigint, y: bigint, d: bigint): bigint {
  if (d === 0n) throw new RangeError("MulDivFailed");
  return (x * y) / d;
}

/**
 * d(t) of the solvent phase (`_discount`): 0 → fastDiscount over the fast leg, then → 1 over the slow leg, 1
 * afterwards; each leg rounded down.
 * @param elapsed Seconds since the auction started.
 */
export function auctionDiscount(params: AuctionParams, elapsed: bigint): bigint {
  if (elapsed < params.fastDuration) return mulDiv(params.fastDiscount, elapsed, params.fastDuration);
  const slow = elapsed - params.fastDuration;
  if (slow >= params.slowDuration) return WAD;
  return params.fastDiscount + mulDiv(WAD - params.fastDiscount, slow, params.slowDuration);
}

/**
 * `_restored`: non-negative equity at or above (1 + buffer)·MM (the buffer rounded up): the largest bid's target; a
 * bid on a solvent restored account reverts (`Liquidation_AccountHealthy`) and `quote` reports no terms.
 */
export function isRestored(params: AuctionParams, equity: bigint, mm: bigint): boolean {
  return equity >= 0n && equity >= mm + mulWadUp(mm, params.buffer);
}

/**
 * `_endable`: non-negative equity at or above (1 + buffer / 2)·MM (the half buffer rounded up): `endAuction`
 * succeeds. Half a buffer below the largest bid's target, so a bid sized from a slightly stale quote still ends it.
 */
export function isEndable(params: AuctionParams, equity: bigint, mm: bigint): boolean {
  return equity >= 0n && equity >= mm + mulWadUp(mm, params.buffer / 2n);
}

/**
 * Terms of a live auction at `now`, as `LiquidationModule.quote` reports them (and `bid` uses them): the price per
 * whole portfolio and the largest fraction. An insolvent account whose clock has not started is priced as if it
 * started at `now` (what the bid itself records).
 * @param equity Live equity of the account (`accountHealth`, the non-strict evaluation), WAD.
 * @param mm Live maintenance requirement, WAD.
 * @param now Block timestamp, seconds.
 * @throws LiquidationNoAuction when `auction.startedAt` is 0.
 */
export function auctionTerms(
  params: AuctionParams,
  auction: AuctionState,
  equity: bigint,
  mm: bigint,
  now: bigint,
): AuctionTerms {
  if (auction.startedAt === 0n) throw new LiquidationNoAuction();
  const insolvent = equity < 0n;
  if (insolvent) {
    const since = auction.insolventSince === 0n ? now : auction.insolventSince;
    let elapsed = now - since;
    if (elapsed > params.insolventDuration) elapsed = params.insolventDuration;
    // k = cap · elapsed / duration (down); the fund pays k·(MM + |E|) (down)
    const k = mulDiv(params.insolventCap, elapsed, params.insolventDuration);
    return { insolvent, pricePerUnit: -mulWad(mm - equity, k), maxFraction: WAD, restored: false };
  }
  if (isRestored(params, equity, mm)) return { insolvent, pricePerUnit: 0n, maxFraction: 0n, restored: true };
  const off = mulWad(mm, auctionDiscount(params, now - auction.startedAt)); // down: the account's price stays higher
  const unitPrice = equity > off ? equity - off : 0n;
  // the smallest f restoring a hair (1e-9 of MM, + 1 wei) above the buffer, rounded up
  const target = mm + mulWadUp(mm, params.buffer) + mm / 1_000_000_000n + 1n;
  const need = target - equity; // > 0: not restored
  let maxFraction = unitPrice === 0n ? WAD : mulDivUp(need, WAD, need + unitPrice);
  // a residue below the dust size is not left behind: the whole account may be taken
  if (maxFraction < WAD && mulWad(mm + equity, WAD - maxFraction) < params.dustSize) maxFraction = WAD;
  return { insolvent, pricePerUnit: unitPrice, maxFraction, restored: false };
}

/**
 * Cash flows of taking `fraction` at `price` per unit (`_split` and `costOf`): the bidder pays f·P (up) to the
 * account and `fundFeeShare` of its discount f·E − f·P (f·E down, the share up) to the fund; at a negative price the
 * fund pays f·|P| (down) to the bidder.
 */
export function bidCashFlows(params: AuctionParams, equity: bigint, price: bigint, fraction: bigint): BidCashFlows {
  if (price < 0n) {
    const fromFund = mulWad(-price, fraction);
    return { toAccount: 0n, toFund: 0n, fromFund, cost: -fromFund };
  }
  const toAccount = mulWadUp(price, fraction);
  const markValue = equity > 0n ? mulWad(equity, fraction) : 0n;
  const toFund = markValue > toAccount ? mulWadUp(markValue - toAccount, params.fundFeeShare) : 0n;
  return { toAccount, toFund, fromFund: 0n, cost: toAccount + toFund };
}

/**
 * Size MM + |E| a bid of `fraction` leaves behind, rounded down (`_checkDust`); 0 for the whole account.
 */
export function residueSize(fraction: bigint, equity: bigint, mm: bigint): bigint {
  if (fraction === WAD) return 0n;
  return mulWad(mm + (equity < 0n ? -equity : equity), WAD - fraction);
}

/**
 * `_checkDust`: a bid below the whole account must leave a residue of size MM + |E| at least `dustSize`.
 * @throws LiquidationDustResidue otherwise.
 */
export function checkDust(params: AuctionParams, fraction: bigint, equity: bigint, mm: bigint): void {
  if (fraction === WAD) return;
  const residue = residueSize(fraction, equity, mm);
  if (residue < params.dustSize) throw new LiquidationDustResidue(fraction, residue, params.dustSize);
}

function sameToken(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Holdings after a bid of `fraction` with `flows`, as `ClearingHouse.liquidationTransfer` leaves them:
 * - each position: part = size·f / 1e18 truncated toward zero (all of it at f = 1e18) moves to the bidder; a zero
 *   part moves nothing; positions at 0 disappear;
 * - each collateral balance: balance·f / 1e18 rounded down moves (merged by token in the bidder's account);
 * - cash: moved = cash·f / 1e18 toward zero; the account keeps cash − moved + toAccount, the bidder gets
 *   moved − toAccount + (fromFund − toFund), the fund loses fromFund − toFund.
 * The bidder's own checks (authorization, IM after the bid) are not applied here: see `predictBidMargins`.
 * @param fundCash The insurance account's cash before the bid (`cashOf(insuranceAccount())`).
 */
export function predictBid(
  account: LiquidationHoldings,
  bidder: LiquidationHoldings,
  fundCash: bigint,
  fraction: bigint,
  flows: Pick<BidCashFlows, "toAccount" | "toFund" | "fromFund">,
): BidPrediction {
  if (fraction <= 0n || fraction > WAD) throw new RangeError(`ClearingHouse_InvalidFraction(${fraction})`);
  const fromPositions: Position[] = [];
  const toSizes = new Map<bigint, bigint>(bidder.positions.map((p) => [p.series, p.size]));
  let opened = false;
  for (const p of account.positions) {
    const part = fraction === WAD ? p.size : (p.size * fraction) / WAD;
    if (part === 0n) {
      fromPositions.push(p);
      continue;
    }
    if (p.size !== part) fromPositions.push({ series: p.series, size: p.size - part });
    const old = toSizes.get(p.series) ?? 0n;
    if (old === 0n) opened = true;
    const next = old + part;
    if (next === 0n) toSizes.delete(p.series);
    else toSizes.set(p.series, next);
  }
  const fromCollaterals: TokenCollateralHolding[] = [];
  const toCollaterals: TokenCollateralHolding[] = bidder.collaterals.map((c) => ({ ...c }));
  for (const c of account.collaterals) {
    const part = mulWad(c.amount, fraction);
    if (c.amount !== part) fromCollaterals.push({ ...c, amount: c.amount - part });
    if (part === 0n) continue;
    const held = toCollaterals.find((t) => sameToken(t.token, c.token));
    if (held !== undefined) held.amount += part;
    else toCollaterals.push({ ...c, amount: part });
  }
  const movedCash = (account.cash * fraction) / WAD;
  const fundPays = flows.fromFund - flows.toFund;
  return {
    account: {
      cash: account.cash - movedCash + flows.toAccount,
      positions: fromPositions,
      collaterals: fromCollaterals,
    },
    bidder: {
      cash: bidder.cash + movedCash - flows.toAccount + fundPays,
      positions: [...toSizes].map(([series, size]) => ({ series, size })),
      collaterals: toCollaterals,
    },
    fundCash: fundCash - fundPays,
    movedCash,
    opened,
  };
}

/** Margins after a bid (`predictBidMargins`). */
export interface BidMargins {
  /** The auctioned account, non-strict (what `accountHealth` / `accountMargin` will report). */
  account: AccountMargin;
  /** At or above (1 + buffer)·MM after the bid: no further bid possible (`isRestored`). */
  restored: boolean;
  /** `endAuction` would succeed right after a partial bid (`isEndable`); a whole bid ends the auction itself. */
  endable: boolean;
  /** The bidder, strict (the evaluation behind the hook's initial-margin check). */
  bidder: AccountMargin;
  /** bidder.equity − bidder.im: the bid reverts with `ClearingHouse_BelowInitialMargin` when negative. */
  bidderInitialMargin: bigint;
  /** The bidder did not hold one of the received series (the group cap then applies). */
  opened: boolean;
}

/**
 * Evaluates both predicted holdings of a bid at `now` with the account model: the auctioned account non-strict
 * (equity and MM as `accountHealth` reports them; an empty account is its cash), the bidder strict (its initial-margin
 * check in the transfer hook: equity − im must be >= 0). The group cap on the bidder is not checked here.
 */
export function predictBidMargins(
  prediction: BidPrediction,
  params: AuctionParams,
  oracles: OracleView,
  engine: (underlying: number) => EngineParams,
  now: bigint,
): BidMargins {
  const a = prediction.account;
  const account =
    a.positions.length === 0 && a.collaterals.length === 0
      ? { equity: a.cash, im: 0n, mm: 0n, groups: 0 }
      : evaluateAccount(a, oracles, engine, now, false);
  const bidder = evaluateAccount(prediction.bidder, oracles, engine, now, true);
  return {
    account,
    restored: isRestored(params, account.equity, account.mm),
    endable: isEndable(params, account.equity, account.mm),
    bidder,
    bidderInitialMargin: bidder.equity - bidder.im,
    opened: prediction.opened,
  };
}
