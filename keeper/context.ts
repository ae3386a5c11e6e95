/**
 * What every keeper task receives: the provider and signer, the system contracts (connected to the signer), the
 * validated configuration, a logger, and the little state the keeper keeps between passes (last reported market
 * modes). Also the two primitives every task uses: `retry` for reads and `sendAction` for transactions (simulate
 * with `staticCall`, send, wait with a timeout, decode any revert with `describeError`, never throw).
 */
import type { BaseContract, ContractTransactionReceipt, Provider, Signer } from "ethers";

import { decodeBulwarkError, describeError } from "../sdk/errors.js";
import type {
  ChainlinkOracle,
  ClearingHouse,
  LiquidationModule,
  SequencerGuard,
  SettlementOracle,
} from "../typechain-types/index.js";
import type { KeeperConfig } from "./config.js";

export interface KeeperContracts {
  clearingHouse: ClearingHouse;
  liquidation: LiquidationModule;
  oracle: ChainlinkOracle;
  settlementOracle: SettlementOracle;
  sequencerGuard: SequencerGuard;
}

/** One thing the keeper did or tried: one log line. */
export interface KeeperAction {
  task: "settlement" | "settle" | "liquidation" | "monitor" | "keeper";
  /** What, e.g. `record-price`, `settle-accounts`, `start-auction`, `bid`, `market-mode`. */
  action: string;
  /** `ok`: sent and mined; `failed`: simulation or transaction reverted / RPC failed; `info`: a report. */
  status: "ok" | "failed" | "info" | "skipped";
  /** Parameters and results (ids, prices, tx hash, gas), printed as key=value. */
  fields: Record<string, string | number | bigint | boolean | undefined>;
  /** Decoded revert or error message for `failed`. */
  error?: string;
}

export interface KeeperState {
  /** Last reported `mode|fault` per market id, and `sequencer` for the sequencer guard. */
  reported: Map<string, string>;
  /** Listed market ids (from `UnderlyingListed` events) and the next block to scan for more. */
  markets: number[];
  marketsScannedTo: number;
  /** Last block a pass completed on (a pass runs at most once per block: idempotent per block). */
  lastBlock: number;
  /**
   * RPC failures so far (reads that failed past their retries, sends and receipts that failed without a revert): a
   * pass during which this grows does not mark its block done, so the next poll runs it again.
   */
  rpcFailures: number;
  /**
   * Profit (WAD) of this keeper's bids per account id, for the auction that started at `startedAt`: follow-up bids
   * that close a sliver are sent as long as the auction's bids together clear `minProfitWad`.
   */
  bidProfit: Map<string, { startedAt: bigint; profitWad: bigint }>;
}

export interface KeeperContext {
  provider: Provider;
  signer: Signer;
  signerAddress: string;
  contracts: KeeperContracts;
  config: KeeperConfig;
  log: (action: KeeperAction) => void;
  state: KeeperState;
}

export function newKeeperState(): KeeperState {
  return { reported: new Map(), markets: [], marketsScannedTo: 0, lastBlock: -1, rpcFailures: 0, bidProfit: new Map() };
}

/** `key=value` pairs; values with spaces are JSON-quoted. */
export function formatAction(a: KeeperAction, now = new Date()): string {
  const parts = [now.toISOString(), a.task, a.action, a.status];
  for (const [k, v] of Object.entries(a.fields)) {
    if (v === undefined) continue;
    const s = String(v);
    parts.push(`${k}=${/\s|"/.test(s) ? JSON.stringify(s) : s}`);
  }
  if (a.error !== undefined) parts.push(`error=${JSON.stringify(a.error)}`);
  return parts.join(" ");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A revert is final (retrying changes nothing); anything else (timeouts, refused connections, 5xx) is retried. */
export function isRevert(err: unknown): boolean {
  if (decodeBulwarkError(err) !== undefined) return true;
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e?.code === "CALL_EXCEPTION") return true;
  // a bare `revert()` through Hardhat's provider: no data, no ethers code
  return typeof e?.message === "string" && /\b(execution )?reverted\b/.test(e.message);
}

/** Runs `fn` up to `attempts` times with doubling backoff (250 ms, 500 ms, ...) while it fails without a revert. */
export async function retry<T>(fn: () => Promise<T>, attempts: number, onRetry?: (err: unknown) => void): Promise<T> {
  let delay = 250;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (isRevert(err) || i >= attempts) throw err;
      onRetry?.(err);
      await sleep(delay);
      delay *= 2;
    }
  }
}

/** Reads through `retry` with the context's attempts; every retry is logged (`keeper rpc-retry failed ...`). */
export function read<T>(ctx: KeeperContext, fn: () => Promise<T>): Promise<T> {
  let attempt = 0;
  return retry(fn, ctx.config.rpcRetries, (err) => {
    attempt++;
    report(ctx, "keeper", "rpc-retry", { attempt, attempts: ctx.config.rpcRetries }, "failed", describeError(err));
  });
}

export interface SentAction extends KeeperAction {
  receipt?: ContractTransactionReceipt;
}

/**
 * Simulates `contract.method(...args)` from the keeper's signer, sends it when the simulation passes, waits for the
 * receipt (bounded by `txTimeoutS`) and logs one line. Never throws: a revert or RPC failure comes back as a
 * `failed` action with the decoded error.
 *
 * Nonces: nothing is cached. Before each send the signer's `latest` and `pending` transaction counts are read; while a
 * transaction of the signer is still pending (sent earlier, receipt not seen: the node is slow, or the transaction was
 * held back), nothing more is sent, because the new one would queue behind it and the pending one may already do this
 * very work. Otherwise the transaction goes out with `nonce = latest`: a reverted transaction has consumed its nonce
 * (the count moved on), a dropped one has not (its nonce is reused). A send is never retried blindly: a request that
 * timed out may still reach the node, so a failure without a revert marks the pass incomplete
 * (`state.rpcFailures`) and the next poll re-reads chain state before doing anything again.
 */
export async function sendAction(
  ctx: KeeperContext,
  task: KeeperAction["task"],
  action: string,
  contract: BaseContract,
  method: string,
  args: unknown[],
  fields: KeeperAction["fields"] = {},
  /** Block the simulation runs on: `pending` for calls whose outcome depends on the next block's timestamp. */
  simulateAt: "latest" | "pending" = "latest",
): Promise<SentAction> {
  const fn = contract.getFunction(method);
  const result: SentAction = { task, action, status: "failed", fields: { ...fields } };
  const fail = (err: unknown, prefix = "") => {
    if (!isRevert(err)) ctx.state.rpcFailures++;
    result.error = `${prefix}${describeError(err)}`;
    ctx.log(result);
    return result;
  };
  try {
    await read(ctx, () => fn.staticCall(...args, { blockTag: simulateAt }));
  } catch (err) {
    return fail(err, "simulation: ");
  }
  let nonce: number;
  try {
    const [latest, pending] = await Promise.all([
      read(ctx, () => ctx.provider.getTransactionCount(ctx.signerAddress, "latest")),
      read(ctx, () => ctx.provider.getTransactionCount(ctx.signerAddress, "pending")),
    ]);
    if (pending > latest) {
      return fail(
        new Error(
          `the signer has ${pending - latest} pending transaction(s) (nonces ${latest}..${pending - 1}): ` +
            `not sending behind them, the next pass re-evaluates`,
        ),
      );
    }
    nonce = latest;
  } catch (err) {
    return fail(err);
  }
  result.fields.nonce = nonce;
  try {
    const tx = await fn.send(...args, { nonce });
    result.fields.tx = tx.hash;
    const receipt = (await tx.wait(1, ctx.config.txTimeoutS * 1000)) as ContractTransactionReceipt | null;
    if (receipt === null) throw new Error("no receipt");
    result.receipt = receipt;
    result.status = "ok";
    result.fields.block = receipt.blockNumber;
    result.fields.gas = receipt.gasUsed;
  } catch (err) {
    return fail(err);
  }
  ctx.log(result);
  return result;
}

/** Logs and returns an `info` (or other non-transaction) action. */
export function report(
  ctx: KeeperContext,
  task: KeeperAction["task"],
  action: string,
  fields: KeeperAction["fields"],
  status: KeeperAction["status"] = "info",
  error?: string,
): KeeperAction {
  const a: KeeperAction = { task, action, status, fields, error };
  if (status !== "skipped" || ctx.config.verbose) ctx.log(a);
  return a;
}
