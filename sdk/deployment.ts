/**
 * A deployment as typed contracts: `loadDeployment(runner, chainId | manifest)` reads the manifest that
 * deploy/deploy.ts writes (`deployments/<chainId>.json`), checks that it describes the chain the runner is connected
 * to, and connects a typechain contract to every module.
 *
 * The SDK owns the manifest format (`DeploymentManifest`), reading it and the checks that tie it to one chain instance
 * (`checkDeployment`: chain id, genesis block hash, code hash per entry); deploy/manifest.ts adds only the writing
 * side (the journal) on top of these. Nothing from a refused manifest is returned.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { type ContractRunner, type Provider, keccak256 } from "ethers";

import type { TimelockController } from "../typechain-types/@openzeppelin/contracts/governance/TimelockController.js";
import type { ClearingHouse } from "../typechain-types/contracts/core/ClearingHouse.js";
import type { RiskConfig } from "../typechain-types/contracts/core/RiskConfig.js";
import type { LiquidationModule } from "../typechain-types/contracts/liquidation/LiquidationModule.js";
import type { MockERC20 } from "../typechain-types/contracts/mocks/MockERC20.js";
import type { ChainlinkOracle } from "../typechain-types/contracts/oracles/ChainlinkOracle.js";
import type { SequencerGuard } from "../typechain-types/contracts/oracles/SequencerGuard.js";
import type { SettlementOracle } from "../typechain-types/contracts/oracles/SettlementOracle.js";
import type { VolatilityOracle } from "../typechain-types/contracts/oracles/VolatilityOracle.js";
import type { Lens } from "../typechain-types/contracts/periphery/Lens.js";
import type { OptionExchange } from "../typechain-types/contracts/trading/OptionExchange.js";
import { TimelockController__factory } from "../typechain-types/factories/@openzeppelin/contracts/governance/TimelockController__factory.js";
import { ClearingHouse__factory } from "../typechain-types/factories/contracts/core/ClearingHouse__factory.js";
import { RiskConfig__factory } from "../typechain-types/factories/contracts/core/RiskConfig__factory.js";
import { LiquidationModule__factory } from "../typechain-types/factories/contracts/liquidation/LiquidationModule__factory.js";
import { MockERC20__factory } from "../typechain-types/factories/contracts/mocks/MockERC20__factory.js";
import { ChainlinkOracle__factory } from "../typechain-types/factories/contracts/oracles/ChainlinkOracle__factory.js";
import { SequencerGuard__factory } from "../typechain-types/factories/contracts/oracles/SequencerGuard__factory.js";
import { SettlementOracle__factory } from "../typechain-types/factories/contracts/oracles/SettlementOracle__factory.js";
import { VolatilityOracle__factory } from "../typechain-types/factories/contracts/oracles/VolatilityOracle__factory.js";
import { Lens__factory } from "../typechain-types/factories/contracts/periphery/Lens__factory.js";
import { OptionExchange__factory } from "../typechain-types/factories/contracts/trading/OptionExchange__factory.js";

/** A JSON value: constructor arguments are stored with bigints as decimal strings. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** One manifest entry's provenance. */
export interface DeploymentEntry {
  /** Artifact name, or `external` for an address the network configuration names (a real token, a real feed). */
  contract: string;
  address: string;
  /** Constructor arguments, JSON-safe (bigints as decimal strings); `[]` for external addresses. */
  args: Json[];
  /** keccak256 of the runtime code when recorded: a different value on chain means a different contract. */
  codeHash: string;
  /** Hash of the creating transaction (absent for external addresses). */
  tx?: string;
}

/** A creation sent (or about to be sent) but not yet recorded: `address` is where it lands (deployer, nonce). */
export interface PendingDeployment {
  key: string;
  contract: string;
  args: Json[];
  address: string;
  nonce: number;
}

/** One transaction the deployment sent: the step label and the transaction hash. */
export interface JournalStep {
  step: string;
  tx: string;
}

/**
 * The manifest format, `deployments/<chainId>.json`: what deploy/deploy.ts writes after every transaction (it is
 * also the deployment's journal) and what `loadDeployment` reads.
 */
export interface DeploymentManifest {
  chainId: number;
  /** Hash of block 0: tells two instances of one chain id apart (a restarted `hardhat node`). */
  genesisHash: string;
  /** Address per key: `cash`, `ChainlinkOracle`, ..., `feed.<SYMBOL>`, `collateral.<SYMBOL>`. */
  contracts: Record<string, string>;
  /** Provenance per key: contract name, constructor arguments, code hash. */
  entries: Record<string, DeploymentEntry>;
  /** Present only while a deployment run is in flight or after it was stopped. */
  pending?: PendingDeployment;
  /** Every transaction the deployment sent, in order (always written by the deploy; optional for readers). */
  journal?: JournalStep[];
}

/** The manifest keys of the modules `loadDeployment` connects. */
export const DEPLOYMENT_KEYS = {
  cash: "cash",
  oracle: "ChainlinkOracle",
  volOracle: "VolatilityOracle",
  settlementOracle: "SettlementOracle",
  sequencerGuard: "SequencerGuard",
  riskConfig: "RiskConfig",
  clearingHouse: "ClearingHouse",
  liquidation: "LiquidationModule",
  exchange: "OptionExchange",
  lens: "Lens",
  timelock: "TimelockController",
} as const;

export interface Deployment {
  chainId: number;
  manifest: DeploymentManifest;
  /**
   * The cash token. Typed as the local mock (a plain ERC-20 with `mint`): on a network whose configuration names a
   * real token, only the ERC-20 functions exist.
   */
  cash: MockERC20;
  oracle: ChainlinkOracle;
  volOracle: VolatilityOracle;
  settlementOracle: SettlementOracle;
  sequencerGuard: SequencerGuard;
  riskConfig: RiskConfig;
  clearingHouse: ClearingHouse;
  liquidation: LiquidationModule;
  exchange: OptionExchange;
  lens: Lens;
  timelock: TimelockController;
}

export class DeploymentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeploymentError";
  }
}

/** `deployments/<chainId>.json` under `dir` (relative to the working directory). */
export function deploymentPath(chainId: bigint | number, dir = "deployments"): string {
  return path.resolve(dir, `${chainId}.json`);
}

/**
 * Reads a manifest file: `undefined` when there is none, a `DeploymentError` naming the file when it is not valid
 * JSON or has no `contracts`. Nothing is checked against a chain here (`checkDeployment` does that).
 */
export function readManifestFile(file: string): DeploymentManifest | undefined {
  if (!existsSync(file)) return undefined;
  const shown = path.relative(process.cwd(), file);
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new DeploymentError(`${shown} is not valid JSON: ${(err as Error).message}`);
  }
  const m = manifest as Partial<DeploymentManifest> | null;
  if (m === null || typeof m !== "object" || typeof m.contracts !== "object" || m.contracts === null) {
    throw new DeploymentError(`${shown} is not a deployment manifest (no "contracts")`);
  }
  return m as DeploymentManifest;
}

/** Reads `deployments/<chainId>.json`; a `DeploymentError` naming the file when it is missing or not a manifest. */
export function readDeploymentManifest(chainId: bigint | number, dir = "deployments"): DeploymentManifest {
  const file = deploymentPath(chainId, dir);
  const manifest = readManifestFile(file);
  if (manifest === undefined) {
    throw new DeploymentError(
      `no deployment manifest ${path.relative(process.cwd(), file)}: deploy first (npm run deploy:local)`,
    );
  }
  return manifest;
}

function providerOf(runner: ContractRunner): Provider {
  const provider = runner.provider ?? (runner as Partial<Provider>);
  if (typeof (provider as Partial<Provider>).getNetwork !== "function") {
    throw new DeploymentError("the runner has no provider: pass a provider or a signer connected to one");
  }
  return provider as Provider;
}

/** keccak256 of the runtime code at `address`, or `undefined` when there is none. */
export async function codeHashAt(provider: Provider, address: string): Promise<string | undefined> {
  const code = await provider.getCode(address);
  return code === "0x" ? undefined : keccak256(code);
}

/** `getBlock(0).hash`: what tells two instances of one chain id apart. */
export async function genesisHash(provider: Provider): Promise<string> {
  const block = await provider.getBlock(0);
  if (block?.hash == null) throw new DeploymentError("the node returned no genesis block");
  return block.hash;
}

/**
 * Refuses a manifest that does not describe the chain behind `provider`: another chain id, another chain instance
 * (genesis hash), a module `loadDeployment` connects missing (unless `options.modules` is false: the deploy resumes
 * a manifest it wrote halfway), an entry without provenance, or an entry whose code is gone or differs from its
 * recorded hash. Every entry problem is listed with its entry. Nothing in a refused manifest is to be used.
 */
export async function checkDeployment(
  provider: Provider,
  manifest: DeploymentManifest,
  options: { modules?: boolean } = {},
): Promise<void> {
  const chainId = Number((await provider.getNetwork()).chainId);
  if (Number(manifest.chainId) !== chainId) {
    throw new DeploymentError(`manifest is for chain ${manifest.chainId}, this network is chain ${chainId}`);
  }
  if (typeof manifest.genesisHash !== "string") {
    throw new DeploymentError(
      `manifest for chain ${chainId} records no genesis block hash (written by an older deployment), so it cannot ` +
        `be matched to this chain instance: move it away to deploy afresh`,
    );
  }
  const genesis = await genesisHash(provider);
  if (manifest.genesisHash.toLowerCase() !== genesis.toLowerCase()) {
    throw new DeploymentError(
      `manifest belongs to another instance of chain ${chainId}: its genesis block is ${manifest.genesisHash}, this ` +
        `chain's is ${genesis} (a restarted node?). Its addresses are not reused: move it away to deploy afresh`,
    );
  }
  const problems: string[] = [];
  if (options.modules !== false) {
    for (const [name, key] of Object.entries(DEPLOYMENT_KEYS)) {
      if (manifest.contracts[key] === undefined) problems.push(`no ${key} (${name})`);
    }
  }
  for (const [key, address] of Object.entries(manifest.contracts)) {
    const entry = manifest.entries?.[key];
    if (entry === undefined) {
      problems.push(`entry ${key} (${address}): no contract name or code hash recorded`);
      continue;
    }
    if (entry.address.toLowerCase() !== address.toLowerCase()) {
      problems.push(`entry ${key}: address ${address} differs from its record's ${entry.address}`);
      continue;
    }
    const hash = await codeHashAt(provider, address);
    if (hash === undefined) {
      problems.push(`entry ${key} (${entry.contract} at ${address}): no code at that address on this chain`);
    } else if (hash !== entry.codeHash) {
      problems.push(
        `entry ${key} (${entry.contract} at ${address}): code differs from the recorded code hash ` +
          `(on chain ${hash}, recorded ${entry.codeHash})`,
      );
    }
  }
  if (problems.length > 0) {
    throw new DeploymentError(`manifest refused, nothing reused:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/**
 * Typed contracts for every module of a deployment, connected to `runner` (a provider for reads, a signer to send).
 * `source` is a chain id (reads `deployments/<chainId>.json` under `options.dir`) or a manifest object. The manifest
 * is checked against the runner's chain first (`checkDeployment`); `options.check: false` skips that (no RPC calls).
 */
export async function loadDeployment(
  runner: ContractRunner,
  source: bigint | number | DeploymentManifest,
  options: { dir?: string; check?: boolean } = {},
): Promise<Deployment> {
  const manifest = typeof source === "object" ? source : readDeploymentManifest(source, options.dir);
  if (options.check !== false) await checkDeployment(providerOf(runner), manifest);
  const at = (key: string): string => {
    const address = manifest.contracts[key];
    if (address === undefined) throw new DeploymentError(`manifest has no ${key}`);
    return address;
  };
  const k = DEPLOYMENT_KEYS;
  return {
    chainId: Number(manifest.chainId),
    manifest,
    cash: MockERC20__factory.connect(at(k.cash), runner),
    oracle: ChainlinkOracle__factory.connect(at(k.oracle), runner),
    volOracle: VolatilityOracle__factory.connect(at(k.volOracle), runner),
    settlementOracle: SettlementOracle__factory.connect(at(k.settlementOracle), runner),
    sequencerGuard: SequencerGuard__factory.connect(at(k.sequencerGuard), runner),
    riskConfig: RiskConfig__factory.connect(at(k.riskConfig), runner),
    clearingHouse: ClearingHouse__factory.connect(at(k.clearingHouse), runner),
    liquidation: LiquidationModule__factory.connect(at(k.liquidation), runner),
    exchange: OptionExchange__factory.connect(at(k.exchange), runner),
    lens: Lens__factory.connect(at(k.lens), runner),
    timelock: TimelockController__factory.connect(at(k.timelock), runner),
  };
}
