/**
 * Expiry work: (1) record the settlement price of every expired (underlying, expiry) that still has positions, from
 * Chainlink round history (the first round at or after expiry of the feed that was primary at expiry), or through
 * the spot fallback once `fallbackDelay` has passed without a provable round; (2) settle every account holding
 * expired positions whose price is recorded, in batches of `settleBatch` accounts per `settleAccounts` call.
 *
 * Idempotent: both steps start from chain state (`settlementPrice(...).recorded`, `positionsOf`), so a restarted
 * keeper, or two keepers, never repeat work that is done.
 */
import { Contract } from "ethers";

import { type Snapshot, expiredGroups } from "../accounts.js";
import { type KeeperAction, type KeeperContext, read, report, sendAction } from "../context.js";

const AGGREGATOR_ABI = [
  "function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)",
  "function getRoundData(uint80 roundId) view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)",
];
const AGG_MASK = (1n << 64n) - 1n;

/**
 * The first round of `feed` with `updatedAt >= expiry`, searched by bisection inside the proxy's current phase.
 * When the whole current phase is after expiry its first round is returned: the oracle finds that round's
 * predecessor in earlier phases itself. Undefined while the feed has no round at or after expiry.
 */
export async function findSettlementRound(
  ctx: KeeperContext,
  feedAddress: string,
  expiry: bigint,
): Promise<bigint | undefined> {
  const feed = new Contract(feedAddress, AGGREGATOR_ABI, ctx.provider);
  const latest = await read(ctx, () => feed.getFunction("latestRoundData")());
  const latestId = latest[0] as bigint;
  if ((latest[3] as bigint) < expiry) return undefined;
  const phase = latestId >> 64n;
  let lo = 1n;
  let hi = latestId & AGG_MASK; // invariant: round hi is at or after expiry
  while (lo < hi) {
    const mid = (lo + hi) / 2n;
    const r = await read(ctx, () => feed.getFunction("getRoundData")((phase << 64n) | mid));
    if ((r[3] as bigint) >= expiry) hi = mid;
    else lo = mid + 1n;
  }
  return (phase << 64n) | hi;
}

/** Task 1: records the settlement price of every expired group with positions. */
export async function recordSettlementPrices(ctx: KeeperContext, snap: Snapshot): Promise<KeeperAction[]> {
  const { oracle, settlementOracle } = ctx.contracts;
  const done: KeeperAction[] = [];
  for (const g of expiredGroups(snap).values()) {
    const [, recorded] = await read(ctx, () => settlementOracle.settlementPrice(g.underlying, g.expiry));
    if (recorded) continue;
    const fields = { underlying: g.underlying, expiry: g.expiry };
    const [feed] = await read(ctx, () => oracle.primaryFeedAt(g.underlying, g.expiry));
    const roundId = await findSettlementRound(ctx, feed, g.expiry);
    let proved = false;
    if (roundId !== undefined) {
      // the price the proof will record, for the log line (a failing proof is reported by the simulation below)
      const proof = await oracle.verifySettlementRound(g.underlying, g.expiry, roundId).catch(() => undefined);
      const a = await sendAction(
        ctx,
        "settlement",
        "record-price",
        settlementOracle,
        "recordSettlementPrice",
        [g.underlying, g.expiry, roundId],
        { ...fields, round: roundId, priceWad: proof?.[0], updatedAt: proof?.[1] },
      );
      proved = a.status === "ok";
      done.push(a);
    } else {
      done.push(
        report(ctx, "settlement", "record-price", { ...fields, reason: "no round at or after expiry yet" }, "skipped"),
      );
    }
    if (proved) continue;
    const fallbackDelay = await read(ctx, () => settlementOracle.fallbackDelay());
    if (BigInt(snap.timestamp) >= g.expiry + fallbackDelay) {
      done.push(
        await sendAction(
          ctx,
          "settlement",
          "record-fallback-price",
          settlementOracle,
          "recordFallbackPrice",
          [g.underlying, g.expiry],
          fields,
        ),
      );
    }
  }
  return done;
}

/** Task 2: settles every account with expired positions whose settlement price is recorded, in batches. */
export async function settleExpiredAccounts(ctx: KeeperContext, snap: Snapshot): Promise<KeeperAction[]> {
  const { clearingHouse, settlementOracle } = ctx.contracts;
  const due = new Set<bigint>();
  for (const g of expiredGroups(snap).values()) {
    const [, recorded] = await read(ctx, () => settlementOracle.settlementPrice(g.underlying, g.expiry));
    if (recorded) for (const a of g.accounts) due.add(a);
  }
  const ids = [...due].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const done: KeeperAction[] = [];
  for (let i = 0; i < ids.length; i += ctx.config.settleBatch) {
    const batch = ids.slice(i, i + ctx.config.settleBatch);
    done.push(
      await sendAction(ctx, "settle", "settle-accounts", clearingHouse, "settleAccounts", [batch], {
        accounts: batch.join(","),
      }),
    );
  }
  return done;
}
