/**
 * Task 3: liquidations (docs/liquidation.md). Per account, from chain state only:
 *
 * - no auction and `equity < MM` (not halted): `startAuction`;
 * - live auction, account back above the buffer: `endAuction`;
 * - live auction, insolvent with the fund's clock not started: `markInsolvency` (the fund's offer starts rising);
 * - live auction and a keeper account configured: bid the largest fraction the keeper's account can carry (simulated
 *   with `staticCall`: the bid reverts when the bidder would end below initial margin) when the bid's mark gain minus
 *   its gas cost reaches `minProfitWad`; then `endAuction` once the account is restored;
 * - insolvent past `insolventDuration` and not bought: `realiseLoss`.
 *
 * Mark gain of a bid of fraction f at total cost c (c < 0: the fund pays): f·E − c. Solvent, that is the discount
 * f·E − cost; insolvent, f·E = −f·|E| and −c is the fund's payment, so it is fromFund − f·|E|. One formula.
 */
import type { Snapshot } from "../accounts.js";
import { type KeeperAction, type KeeperContext, isRevert, read, report, sendAction } from "../context.js";
import { describeError } from "../../sdk/errors.js";

const WAD = 10n ** 18n;
const MIN_FRACTION = 10n ** 6n; // 1e-12 of an account: the smallest follow-up that can still close a gap
const SEARCH_STEPS = 14;
const MAX_BIDS_PER_PASS = 4;
const PENDING = { blockTag: "pending" } as const;

/** Mark value a bid of `fraction` (WAD) gains at total cost `cost` (WAD cash; negative: the fund pays), WAD. */
export function bidMarkGain(equity: bigint, fraction: bigint, cost: bigint): bigint {
  const share = equity >= 0n ? (equity * fraction) / WAD : -((-equity * fraction + WAD - 1n) / WAD); // down
  return share - cost;
}

/** Gas cost in cash (WAD) of `gasUnits` at `gasPriceWei`, with the gas token priced at `nativePriceWad`. */
export function gasCostWad(gasUnits: bigint, gasPriceWei: bigint, nativePriceWad: bigint): bigint {
  return (gasUnits * gasPriceWei * nativePriceWad + WAD - 1n) / WAD; // up: never overstate the profit
}

export interface BidPlan {
  fraction: bigint;
  cost: bigint;
  markGainWad: bigint;
  gasUnits: bigint;
  gasCostWad: bigint;
  profitWad: bigint;
}

async function nativePrice(ctx: KeeperContext): Promise<bigint> {
  if (ctx.config.nativePriceWad !== undefined) return ctx.config.nativePriceWad;
  const [, price] = await read(ctx, () => ctx.contracts.oracle.marketState(ctx.config.nativeMarket));
  if (price > 0n) return price;
  const [last] = await read(ctx, () => ctx.contracts.oracle.lastPrice(ctx.config.nativeMarket));
  return last;
}

/**
 * The largest fraction <= `maxFraction` whose bid simulates successfully from the keeper's account (so the keeper
 * stays at or above its initial margin), found by bisection; 0 when none does. `reason` is the revert of `maxFraction`.
 */
export async function carryableFraction(
  ctx: KeeperContext,
  account: bigint,
  bidder: bigint,
  maxFraction: bigint,
): Promise<{ fraction: bigint; reason?: string }> {
  const liq = ctx.contracts.liquidation;
  const MAX_COST = (1n << 255n) - 1n; // the cost is checked against the real quote when sending
  const ok = async (f: bigint) =>
    liq.bid.staticCall(account, bidder, f, MAX_COST, PENDING).then(
      () => undefined,
      (err: unknown) => {
        if (!isRevert(err)) throw err; // an RPC failure says nothing about the fraction
        return describeError(err);
      },
    );
  const first = await ok(maxFraction);
  if (first === undefined) return { fraction: maxFraction };
  let lo = 0n;
  let hi = maxFraction;
  for (let i = 0; i < SEARCH_STEPS && hi - lo > MIN_FRACTION; i++) {
    const mid = (lo + hi) / 2n;
    if ((await ok(mid)) === undefined) lo = mid;
    else hi = mid;
  }
  return { fraction: lo >= MIN_FRACTION ? lo : 0n, reason: first };
}

/** Plans a bid on `account`'s live auction: fraction, cost, mark gain, gas and profit. Undefined when none fits. */
export async function planBid(
  ctx: KeeperContext,
  account: bigint,
  bidder: bigint,
  q: { equity: bigint; maxFraction: bigint },
): Promise<{ plan?: BidPlan; reason?: string }> {
  const liq = ctx.contracts.liquidation;
  const { fraction, reason } = await carryableFraction(ctx, account, bidder, q.maxFraction);
  if (fraction === 0n) return { reason: `no fraction the keeper can carry: ${reason}` };
  const [cost] = await read(ctx, () => liq.costOf(account, fraction, PENDING));
  const gasUnits = await read(ctx, () => liq.bid.estimateGas(account, bidder, fraction, cost));
  const fee = await read(ctx, () => ctx.provider.getFeeData());
  const gasPrice = fee.gasPrice ?? fee.maxFeePerGas ?? 0n;
  const gasCost = gasCostWad(gasUnits, gasPrice, await nativePrice(ctx));
  const markGain = bidMarkGain(q.equity, fraction, cost);
  return {
    plan: { fraction, cost, markGainWad: markGain, gasUnits, gasCostWad: gasCost, profitWad: markGain - gasCost },
  };
}

async function endIfRestored(ctx: KeeperContext, account: bigint, done: KeeperAction[]) {
  const q = await read(ctx, () => ctx.contracts.liquidation.quote(account, PENDING));
  if (!q.insolvent && q.maxFraction === 0n) {
    done.push(
      await sendAction(ctx, "liquidation", "end-auction", ctx.contracts.liquidation, "endAuction", [account], {
        account,
        equityWad: q.equity,
        mmWad: q.mm,
      }),
    );
    return true;
  }
  return false;
}

/** One account's liquidation work. */
async function liquidateAccount(ctx: KeeperContext, snap: Snapshot, account: bigint, done: KeeperAction[]) {
  const { clearingHouse: ch, liquidation: liq } = ctx.contracts;
  let auction = await read(ctx, () => liq.auctionOf(account));
  if (auction.startedAt === 0n) {
    const [equity, mm, halted] = await read(ctx, () => ch.accountHealth(account));
    if (equity >= BigInt(mm)) return;
    if (halted !== 0n) {
      done.push(report(ctx, "liquidation", "start-auction", { account, halted, reason: "market halted" }, "skipped"));
      return;
    }
    const a = await sendAction(ctx, "liquidation", "start-auction", liq, "startAuction", [account], {
      account,
      equityWad: equity,
      mmWad: mm,
    });
    done.push(a);
    if (a.status !== "ok") return;
    auction = await read(ctx, () => liq.auctionOf(account));
  }

  const q = await read(ctx, () => liq.quote(account, PENDING));
  if (q.halted !== 0n) {
    done.push(report(ctx, "liquidation", "bid", { account, halted: q.halted, reason: "market halted" }, "skipped"));
    return;
  }
  if (await endIfRestored(ctx, account, done)) return;
  const params = await read(ctx, () => liq.auctionParams());
  if (q.insolvent && auction.insolventSince === 0n) {
    done.push(
      await sendAction(ctx, "liquidation", "mark-insolvency", liq, "markInsolvency", [account], {
        account,
        equityWad: q.equity,
      }),
    );
    auction = await read(ctx, () => liq.auctionOf(account));
  }

  const bidder = ctx.config.account;
  let bidSent = false;
  // What this keeper's bids on this auction earned so far (this process only: a restart forgets it).
  const key = account.toString();
  let earned = ctx.state.bidProfit.get(key);
  if (earned?.startedAt !== auction.startedAt) earned = { startedAt: auction.startedAt, profitWad: 0n };
  // A bid of the quoted largest fraction restores the account only if it is mined in the second it was quoted for:
  // the solvent price falls every second and f_max is exactly the restoring fraction (plus 1e-9 of MM), so a bid
  // mined a second later leaves a sliver short of the buffer, and a follow-up quoted in one second and simulated in the
  // next (or mined in the next) fails with Liquidation_FractionTooLarge. Quotes and simulations read the pending block;
  // a bid that lost that race is quoted again; and follow-ups are worth sending as long as this keeper's bids on the
  // auction as a whole clear the minimum profit, in this pass or a later one (a sliver alone never pays its gas).
  for (let round = 0; bidder !== undefined && bidder !== account && round < MAX_BIDS_PER_PASS; round++) {
    const live = round === 0 ? q : await read(ctx, () => liq.quote(account, PENDING));
    if (round > 0 && !live.insolvent && live.maxFraction === 0n) break;
    const { plan, reason } = await planBid(ctx, account, bidder, live);
    if (plan === undefined) {
      done.push(report(ctx, "liquidation", "bid", { account, reason }, "skipped"));
      break;
    }
    if (earned.profitWad + plan.profitWad < ctx.config.minProfitWad) {
      done.push(
        report(
          ctx,
          "liquidation",
          "bid",
          {
            account,
            fraction: plan.fraction,
            costWad: plan.cost,
            markGainWad: plan.markGainWad,
            gasCostWad: plan.gasCostWad,
            earnedWad: earned.profitWad,
            reason: "below minimum profit",
          },
          "skipped",
        ),
      );
      break;
    }
    const a = await sendAction(
      ctx,
      "liquidation",
      "bid",
      liq,
      "bid",
      [account, bidder, plan.fraction, plan.cost],
      {
        account,
        bidder,
        insolvent: live.insolvent,
        fraction: plan.fraction,
        maxCostWad: plan.cost,
        markGainWad: plan.markGainWad,
        gasCostWad: plan.gasCostWad,
        profitWad: plan.profitWad,
      },
      "pending",
    );
    done.push(a);
    if (a.status !== "ok") {
      // quoted a second too early (the simulation, or the transaction mined in the next second): quote again
      if (a.error?.includes("Liquidation_FractionTooLarge(")) continue;
      break;
    }
    bidSent = true;
    earned = { startedAt: auction.startedAt, profitWad: earned.profitWad + plan.profitWad };
    ctx.state.bidProfit.set(key, earned);
    const [equity, im] = await read(ctx, () => ch.accountMargin(bidder));
    a.fields.bidderEquityWad = equity;
    a.fields.bidderImWad = im;
    if ((await read(ctx, () => liq.auctionOf(account))).startedAt === 0n) break; // taken whole
    if (await endIfRestored(ctx, account, done)) break;
  }

  if (!bidSent && q.insolvent && auction.insolventSince !== 0n) {
    const realisableAt = auction.insolventSince + params.insolventDuration;
    if (BigInt(snap.timestamp) >= realisableAt) {
      done.push(
        await sendAction(ctx, "liquidation", "realise-loss", liq, "realiseLoss", [account], {
          account,
          equityWad: q.equity,
          mmWad: q.mm,
        }),
      );
    }
  }
}

/** Task 3 over every account of the snapshot (the insurance account is never auctioned). */
export async function runLiquidations(ctx: KeeperContext, snap: Snapshot): Promise<KeeperAction[]> {
  const done: KeeperAction[] = [];
  for (const a of snap.accounts) {
    if (a.id === snap.insuranceAccount) continue;
    try {
      await liquidateAccount(ctx, snap, a.id, done);
    } catch (err) {
      if (!isRevert(err)) throw err; // the node is not answering: fail the task (the pass is run again)
      done.push(report(ctx, "liquidation", "account", { account: a.id }, "failed", describeError(err)));
    }
  }
  return done;
}
