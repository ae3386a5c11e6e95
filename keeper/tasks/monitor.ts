/**
 * Task 4: reports oracle faults and market modes when they change. Per listed market (from `UnderlyingListed`
 * events of the ChainlinkOracle): `marketState` (mode and price), the fault `spot` reverts with (stale, out of band,
 * unconfirmed jump, sequencer...), and the guardian/governance override; plus the sequencer guard's state. A line is
 * logged only when the mode, the kind of fault (the error name, not its changing arguments such as the age) or the
 * override changes, so a halt is reported once, not every block.
 */
import { decodeBulwarkError, describeError } from "../../sdk/errors.js";
import type { Snapshot } from "../accounts.js";
import { type KeeperAction, type KeeperContext, isRevert, read, report } from "../context.js";

export const MARKET_MODES = ["Active", "ReduceOnly", "Halted"] as const;
export const SEQUENCER_STATES = ["Up", "Down", "GracePeriod"] as const;

const name = <T extends readonly string[]>(names: T, i: bigint | number) => names[Number(i)] ?? `unknown(${i})`;

/** Adds markets listed since the last scan (the scan starts at block 0 or `KEEPER_FROM_BLOCK`). */
export async function refreshMarkets(ctx: KeeperContext, toBlock: number): Promise<number[]> {
  const oracle = ctx.contracts.oracle;
  if (toBlock >= ctx.state.marketsScannedTo) {
    const events = await read(ctx, () =>
      oracle.queryFilter(oracle.filters.UnderlyingListed(), ctx.state.marketsScannedTo, toBlock),
    );
    for (const e of events) {
      const id = Number(e.args.underlying);
      if (!ctx.state.markets.includes(id)) ctx.state.markets.push(id);
    }
    ctx.state.marketsScannedTo = toBlock + 1;
  }
  return ctx.state.markets;
}

export async function monitorOracles(ctx: KeeperContext, snap: Snapshot): Promise<KeeperAction[]> {
  const { oracle, sequencerGuard } = ctx.contracts;
  const done: KeeperAction[] = [];
  for (const id of await refreshMarkets(ctx, snap.blockNumber)) {
    const [mode, price] = await read(ctx, () => oracle.marketState(id));
    const override = await read(ctx, () => oracle.modeOverride(id));
    let fault = "none";
    let faultText: string | undefined;
    try {
      await oracle.spot(id);
    } catch (err) {
      if (!isRevert(err)) throw err; // the node did not answer: no news about the market
      fault = decodeBulwarkError(err)?.name ?? "error";
      faultText = describeError(err);
    }
    const key = `${mode}|${fault}|${override}`;
    const previous = ctx.state.reported.get(`market:${id}`);
    if (previous === key) continue;
    ctx.state.reported.set(`market:${id}`, key);
    done.push(
      report(ctx, "monitor", "market-mode", {
        market: id,
        mode: name(MARKET_MODES, mode),
        priceWad: price,
        override: name(MARKET_MODES, override),
        fault: faultText ?? "none",
        previous: previous === undefined ? "(start)" : name(MARKET_MODES, BigInt(previous.split("|")[0]!)),
      }),
    );
  }
  const [status, graceEndsAt] = await read(ctx, () => sequencerGuard.state());
  const key = `${status}`;
  const previous = ctx.state.reported.get("sequencer");
  if (previous !== key) {
    ctx.state.reported.set("sequencer", key);
    done.push(
      report(ctx, "monitor", "sequencer", {
        status: name(SEQUENCER_STATES, status),
        graceEndsAt: status === 2n ? graceEndsAt : undefined,
        previous: previous === undefined ? "(start)" : name(SEQUENCER_STATES, BigInt(previous)),
      }),
    );
  }
  return done;
}
