/**
 * The keeper's pass and its wiring: contracts from a deployment manifest (through the SDK's `loadDeployment`) or a
 * `System` deployed in-process, start-up validation, and `runPass`, which runs every enabled task once on the latest
 * block and returns what each did. At most one completed pass per block (idempotent per block; a pass that lost RPC
 * calls is run again); a task that throws is logged and the pass carries on with the next task.
 */
import path from "node:path";

import type { Provider, Signer } from "ethers";

import type { System } from "../deploy/system.js";
import {
  type Deployment,
  DeploymentError,
  deploymentPath,
  loadDeployment,
  readDeploymentManifest,
} from "../sdk/deployment.js";
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
  isRevert,
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

/** The keeper's contracts of a deployment loaded through the SDK (`loadDeployment`), as connected there. */
export function contractsFromDeployment(d: Deployment): KeeperContracts {
  return {
    clearingHouse: d.clearingHouse,
    liquidation: d.liquidation,
    oracle: d.oracle,
    settlementOracle: d.settlementOracle,
    sequencerGuard: d.sequencerGuard,
  };
}

/** Where manifests are read: `BULWARK_DEPLOYMENTS_DIR` (as deploy/deploy.ts writes them), else `deployments`. */
export function deploymentsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BULWARK_DEPLOYMENTS_DIR || "deployments";
}

/**
 * Reads `<dir>/<chainId>.json` (written by deploy/deploy.ts) and connects its contracts to `signer`, through the SDK's
 * `loadDeployment`: one implementation of the manifest checks (chain id, genesis hash, every module present, code
 * hash per entry), so a restarted `hardhat node` (same chain id, none of the old contracts) is refused. Errors are
 * `DeploymentError`s that name the file.
 */
export async function loadKeeperDeployment(
  signer: Signer,
  chainId: number,
  dir = "deployments",
): Promise<{ contracts: KeeperContracts; deployment: Deployment; file: string }> {
  const file = deploymentPath(chainId, dir);
  const manifest = readDeploymentManifest(chainId, dir); // a missing or malformed file: the error names it
  let deployment: Deployment;
  try {
    deployment = await loadDeployment(signer, manifest);
  } catch (err) {
    if (err instanceof DeploymentError)
      throw new DeploymentError(`${path.relative(process.cwd(), file)}: ${err.message}`);
    throw err;
  }
  return { contracts: contractsFromDeployment(deployment), deployment, file };
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

/**
 * One pass over the latest block: monitor, record prices, settle, liquidate. The block counts as done (the next pass
 * on it is skipped) only when no RPC call failed during the pass: after a timeout or a dropped transaction the next
 * poll runs the same block again, from chain state, so nothing is lost and nothing done is repeated.
 */
export async function runPass(ctx: KeeperContext, options: { force?: boolean } = {}): Promise<PassResult> {
  const blockNumber = await read(ctx, () => ctx.provider.getBlockNumber());
  if (!options.force && blockNumber === ctx.state.lastBlock) return { blockNumber, ran: false, actions: [] };
  const rpcFailuresBefore = ctx.state.rpcFailures;
  const actions: KeeperAction[] = [];
  let snap: Snapshot;
  try {
    snap = await takeSnapshot(ctx);
  } catch (err) {
    if (!isRevert(err)) ctx.state.rpcFailures++;
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
      if (!isRevert(err)) ctx.state.rpcFailures++;
      actions.push(report(ctx, "keeper", `task-${name}`, { block: snap.blockNumber }, "failed", describeError(err)));
    }
  }
  if (ctx.state.rpcFailures === rpcFailuresBefore) ctx.state.lastBlock = snap.blockNumber;
  return { blockNumber: snap.blockNumber, ran: true, actions };
}
