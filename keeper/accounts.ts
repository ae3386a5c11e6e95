/**
 * One read of every account's positions per pass, shared by the tasks. Account ids are dense (1..accountCount, as
 * `createAccount` assigns them and `AccountCreated` reports them), so the count is the whole index; a keeper for a
 * very large book would follow `AccountCreated` / `TradeApplied` events instead of re-reading every account.
 */
import { decodeSeries } from "../sdk/series.js";
import { type KeeperContext, read } from "./context.js";

export interface AccountPositions {
  id: bigint;
  series: bigint[];
  sizes: bigint[];
}

export interface Snapshot {
  blockNumber: number;
  /** Timestamp of that block (seconds): what "expired" means for this pass. */
  timestamp: number;
  accounts: AccountPositions[];
  feeAccount: bigint;
  insuranceAccount: bigint;
}

export async function takeSnapshot(ctx: KeeperContext): Promise<Snapshot> {
  const ch = ctx.contracts.clearingHouse;
  const block = await read(ctx, () => ctx.provider.getBlock("latest"));
  if (block === null) throw new Error("no latest block");
  const count = await read(ctx, () => ch.accountCount());
  const [feeAccount, insuranceAccount] = await Promise.all([
    read(ctx, () => ch.feeAccount()),
    read(ctx, () => ch.insuranceAccount()),
  ]);
  const accounts: AccountPositions[] = [];
  for (let id = 1n; id <= count; id++) {
    const [series, sizes] = await read(ctx, () => ch.positionsOf(id, { blockTag: block.number }));
    accounts.push({ id, series: [...series], sizes: [...sizes] });
  }
  return { blockNumber: block.number, timestamp: block.timestamp, accounts, feeAccount, insuranceAccount };
}

/** `(underlying, expiry)` groups with expired positions, keyed `underlying:expiry`. */
export function expiredGroups(snap: Snapshot): Map<string, { underlying: number; expiry: bigint; accounts: bigint[] }> {
  const groups = new Map<string, { underlying: number; expiry: bigint; accounts: bigint[] }>();
  for (const a of snap.accounts) {
    for (const s of a.series) {
      const { underlying, expiry } = decodeSeries(s);
      if (expiry > BigInt(snap.timestamp)) continue;
      const key = `${underlying}:${expiry}`;
      let g = groups.get(key);
      if (g === undefined) groups.set(key, (g = { underlying, expiry, accounts: [] }));
      if (!g.accounts.includes(a.id)) g.accounts.push(a.id);
    }
  }
  return groups;
}
