/**
 * The keeper's pass and its wiring: contracts from a deployment manifest (or a `System` deployed in-process),
 * start-up validation, and `runPass`, which runs every enabled task once on the latest block and returns what each
 * did. A pass runs at most once per block (idempotent per block); a task that throws is logged and the pass carries
 * on with the next task.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { Provider, Signer } from "ethers";

import type { System } from "../deploy/system.js";
import { describeError } from "../sdk/errors.js";
import type {
  ChainlinkOracle,
  ClearingHouse,
  LiquidationModule,
  SequencerGuard,
  SettlementOracle,
} from "../typechain-types/index.js";
import { type Snapshot, takeSnapshot } from "./accounts.js";
import type { KeeperConfig } from "./config.js";
import {
  type KeeperAction,
  type KeeperContext,
  type KeeperContracts,
  formatAction,
  newKeeperState,
  read,
  report,
} from "./context.js";
import { runLiquidations } from "./tasks/liquidation.js";
import { monitorOracles } from "./tasks/monitor.js";
import { recordSettlementPrices, settleExpiredAccounts } from "./tasks/settlement.js";

/** The system contracts of a deployment, connected to `signer`. */
export function contractsFromSystem(sys: System, signer: Signer): KeeperContracts {
  return {
    clearingHouse: sys.clearingHouse.connect(signer) as ClearingHouse,
    liquidation: sys.liquidation.connect(signer) as LiquidationModule,
    oracle: sys.oracle.connect(signer) as ChainlinkOracle,
    settlementOracle: sys.settlementOracle.connect(signer) as SettlementOracle,
    sequencerGuard: sys.sequencerGuard.connect(signer) as SequencerGuard,
  };
}

const MANIFEST_KEYS = {
  clearingHouse: "ClearingHouse",
  liquidation: "LiquidationModule",
  oracle: "ChainlinkOracle",
  settlementOracle: "SettlementOracle",
  sequencerGuard: "SequencerGuard",
} as const;

/** Address of a manifest entry: a plain address, or an object with `address` (richer manifest formats). */
function entryAddress(entry: unknown): string | undefined {
  if (typeof entry === "string") return entry;
  if (entry !== null && typeof entry === "object" && typeof (entry as { address?: unknown }).address === "string") {
    return (entry as { address: string }).address;
  }
  return undefined;
}

/**
 * Reads `deployments/<chainId>.json` (written by deploy/deploy.ts) and returns the contracts the keeper uses.
 * Refuses a manifest for another chain id, or one whose recorded genesis hash (when present) or addresses (no code)
 * do not match the chain: a restarted `hardhat node` keeps the chain id but has none of the old contracts.
 */
export async function contractsFromManifest(
  ethers: HardhatEthers,
  signer: Signer,
  chainId: number,
  dir = "deployments",
): Promise<{ contracts: KeeperContracts; file: string }> {
  const file = path.resolve(dir, `${chainId}.json`);
  if (!existsSync(file)) {
    throw new Error(
      `no deployment manifest ${path.relative(process.cwd(), file)}: deploy first (npm run deploy:local)`,
    );
  }
  const manifest = JSON.parse(readFileSync(file, "utf8")) as {
    chainId?: number;
    genesisHash?: string;
    contracts?: Record<string, unknown>;
  };
  if (manifest.chainId !== undefined && Number(manifest.chainId) !== chainId) {
    throw new Error(`${file} is for chain ${manifest.chainId}, not ${chainId}`);
  }
  if (typeof manifest.genesisHash === "string") {
    const genesis = await ethers.provider.getBlock(0);
    if (genesis?.hash?.toLowerCase() !== manifest.genesisHash.toLowerCase()) {
      throw new Error(`${file} was written on another instance of chain ${chainId} (genesis hash differs): redeploy`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(MANIFEST_KEYS)) {
    const address = entryAddress(manifest.contracts?.[name]);
    if (address === undefined) throw new Error(`${file} has no ${name}`);
    if ((await ethers.provider.getCode(address)) === "0x") {
      throw new Error(`${file}: ${name} at ${address} has no code on this chain (stale manifest?): redeploy`);
    }
    out[key] = await ethers.getContractAt(name, address, signer as never);
  }
  return { contracts: out as unknown as KeeperContracts, file };
}

/** Builds a context and validates it against the chain: the bidding account exists and the signer may use it. */
export async function createKeeperContext(opts: {
  provider: Provider;
  signer: Signer;
  contracts: KeeperContracts;
  config: KeeperConfig;
  log?: (action: KeeperAction) => void;
}): Promise<KeeperContext> {
  const signerAddress = await opts.signer.getAddress();
  const ctx: KeeperContext = {
    provider: opts.provider,
    signer: opts.signer,
    signerAddress,
    contracts: opts.contracts,
    config: opts.config,
    log: opts.log ?? ((a) => console.log(formatAction(a))),
    state: newKeeperState(),
  };
  const account = opts.config.account;
  if (account !== undefined) {
    const ch = opts.contracts.clearingHouse;
    if (account > (await read(ctx, () => ch.accountCount()))) {
      throw new Error(`KEEPER_ACCOUNT ${account} does not exist`);
    }
    if (!(await read(ctx, () => ch.isAuthorized(account, signerAddress)))) {
      throw new Error(`KEEPER_ACCOUNT ${account} is not owned or operated by the keeper's signer ${signerAddress}`);
    }
    if (account === (await read(ctx, () => ch.insuranceAccount()))) {
      throw new Error(`KEEPER_ACCOUNT ${account} is the insurance account`);
    }
  }
  return ctx;
}

export interface PassResult {
  blockNumber: number;
  /** False when the block was already processed. */
  ran: boolean;
  actions: KeeperAction[];
}

/** One pass over the latest block: monitor, record prices, settle, liquidate. */
export async function runPass(ctx: KeeperContext, options: { force?: boolean } = {}): Promise<PassResult> {
  const blockNumber = await read(ctx, () => ctx.provider.getBlockNumber());
  if (!options.force && blockNumber === ctx.state.lastBlock) return { blockNumber, ran: false, actions: [] };
  const actions: KeeperAction[] = [];
  let snap: Snapshot;
  try {
    snap = await takeSnapshot(ctx);
  } catch (err) {
    actions.push(report(ctx, "keeper", "snapshot", { block: blockNumber }, "failed", describeError(err)));
    return { blockNumber, ran: true, actions };
  }
  const tasks: [string, boolean, (c: KeeperContext, s: Snapshot) => Promise<KeeperAction[]>][] = [
    ["monitor", ctx.config.tasks.monitor, monitorOracles],
    ["record-prices", ctx.config.tasks.settle, recordSettlementPrices],
    ["settle", ctx.config.tasks.settle, settleExpiredAccounts],
    ["liquidate", ctx.config.tasks.liquidate, runLiquidations],
  ];
  for (const [name, enabled, task] of tasks) {
    if (!enabled) continue;
    try {
      actions.push(...(await task(ctx, snap)));
    } catch (err) {
      actions.push(report(ctx, "keeper", `task-${name}`, { block: snap.blockNumber }, "failed", describeError(err)));
    }
  }
  ctx.state.lastBlock = snap.blockNumber;
  return { blockNumber: snap.blockNumber, ran: true, actions };
}
