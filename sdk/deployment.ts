/**
 * A deployment as typed contracts: `loadDeployment(runner, chainId | manifest)` reads the manifest that
 * deploy/deploy.ts writes (`deployments/<chainId>.json`), checks that it describes the chain the runner is connected
 * to, and connects a typechain contract to every module.
 *
 * The checks are those of deploy/manifest.ts `checkManifest` (chain id, genesis block hash, code hash per entry),
 * repeated here because the SDK must not import deploy/ (which pulls in Hardhat). Nothing from a refused manifest is
 * returned.
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

/** One manifest entry's provenance (deploy/manifest.ts `ManifestEntry`). */
export interface DeploymentEntry {
  /** Artifact name, or `external` for an address the network configuration names (a real token, a real feed). */
  contract: string;
  address: string;
  /** Constructor arguments, bigints as decimal strings. */
  args: unknown[];
  /** keccak256 of the runtime code when recorded. */
  codeHash: string;
  tx?: string;
}

/** The manifest format (deploy/manifest.ts `Manifest`), as far as the SDK reads it. */
export interface DeploymentManifest {
  chainId: number;
  /** Hash of block 0: tells two instances of one chain id apart (a restarted `hardhat node`). */
  genesisHash: string;
  /** Address per key: `cash`, `ChainlinkOracle`, ..., `feed.<SYMBOL>`, `collateral.<SYMBOL>`. */
  contracts: Record<string, string>;
  entries: Record<string, DeploymentEntry>;
  journal?: { step: string; tx: string }[];
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

/** Reads `deployments/<chainId>.json`; a `DeploymentError` naming the file when it is missing or not a manifest. */
export function readDeploymentManifest(chainId: bigint | number, dir = "deployments"): DeploymentManifest {
  const file = deploymentPath(chainId, dir);
  const shown = path.relative(process.cwd(), file);
  if (!existsSync(file)) {
    throw new DeploymentError(`no deployment manifest ${shown}: deploy first (npm run deploy:local)`);
  }
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

function providerOf(runner: ContractRunner): Provider {
  const provider = runner.provider ?? (runner as Partial<Provider>);
  if (typeof (provider as Partial<Provider>).getNetwork !== "function") {
    throw new DeploymentError("the runner has no provider: pass a provider or a signer connected to one");
  }
  return provider as Provider;
}

/**
 * Refuses a manifest that does not describe the chain behind `provider`: another chain id, another chain instance
 * (genesis hash), an entry without provenance, or an entry whose code is gone or differs from its recorded hash.
 * Every problem is listed with its entry.
 */
export async function checkDeployment(provider: Provider, manifest: DeploymentManifest): Promise<void> {
  const chainId = Number((await provider.getNetwork()).chainId);
  if (Number(manifest.chainId) !== chainId) {
    throw new DeploymentError(`manifest is for chain ${manifest.chainId}, this network is chain ${chainId}`);
  }
  if (typeof manifest.genesisHash !== "string") {
    throw new DeploymentError(
      `manifest for chain ${chainId} records no genesis block hash, so it cannot be matched to this chain instance`,
    );
  }
  const genesis = (await provider.getBlock(0))?.hash;
  if (genesis == null) throw new DeploymentError("the node returned no genesis block");
  if (manifest.genesisHash.toLowerCase() !== genesis.toLowerCase()) {
    throw new DeploymentError(
      `manifest belongs to another instance of chain ${chainId}: its genesis block is ${manifest.genesisHash}, this ` +
        `chain's is ${genesis} (a restarted node?): redeploy`,
    );
  }
  const problems: string[] = [];
  for (const [name, key] of Object.entries(DEPLOYMENT_KEYS)) {
    if (manifest.contracts[key] === undefined) problems.push(`no ${key} (${name})`);
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
    const code = await provider.getCode(address);
    if (code === "0x") {
      problems.push(`entry ${key} (${entry.contract} at ${address}): no code at that address on this chain`);
    } else if (keccak256(code) !== entry.codeHash) {
      problems.push(`entry ${key} (${entry.contract} at ${address}): code differs from the recorded code hash`);
    }
  }
  if (problems.length > 0) {
    throw new DeploymentError(`manifest refused:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
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
