/**
 * The deployment manifest (`deployments/<chainId>.json`) and the checks that tie it to one chain instance.
 *
 * The manifest is also the deployment's journal: `deploySystem` hands it to `DeployOptions.onRecord` after every
 * transaction, and records the address a contract will get (from the deployer's nonce) before sending its creation,
 * so a run killed at any point resumes with every contract it created — including one whose creation was mined but
 * not yet recorded.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

import { type Provider, keccak256 } from "ethers";

/** A JSON value: constructor arguments are stored with bigints as decimal strings. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface ManifestEntry {
  /** Artifact name (`ethers.deployContract` name), or `external` for an address the config names. */
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

export interface Manifest {
  chainId: number;
  /** `getBlock(0).hash`: tells two instances of one chain id apart (a restarted `hardhat node`). */
  genesisHash: string;
  /** Address per key (what the SDK, the status script and the keeper read). */
  contracts: Record<string, string>;
  /** Provenance per key: contract name, constructor arguments, code hash. */
  entries: Record<string, ManifestEntry>;
  pending?: PendingDeployment;
  /** Every transaction the deployment sent, in order: the step label and the transaction hash. */
  journal: { step: string; tx: string }[];
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ManifestError";
  }
}

/** Bigints → decimal strings, recursively (ethers `Result`s are plain arrays and objects here). */
export function jsonSafe(value: unknown): Json {
  if (typeof value === "bigint") return value.toString();
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, jsonSafe(v)]));
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  throw new Error(`cannot store a ${typeof value} in the manifest`);
}

export async function codeHashAt(provider: Provider, address: string): Promise<string | undefined> {
  const code = await provider.getCode(address);
  return code === "0x" ? undefined : keccak256(code);
}

export async function genesisHash(provider: Provider): Promise<string> {
  const block = await provider.getBlock(0);
  if (block?.hash == null) throw new Error("the node returned no genesis block");
  return block.hash;
}

export function emptyManifest(chainId: number, genesis: string): Manifest {
  return { chainId, genesisHash: genesis, contracts: {}, entries: {}, journal: [] };
}

/**
 * Refuses a manifest that does not describe this chain: another chain id, another chain instance (genesis hash), an
 * entry without provenance, or an entry whose code is gone or differs from the recorded code hash. Every problem is
 * listed with the entry it concerns. Nothing in a refused manifest is reused.
 */
export async function checkManifest(provider: Provider, manifest: Manifest): Promise<void> {
  const chainId = Number((await provider.getNetwork()).chainId);
  if (manifest.chainId !== chainId) {
    throw new ManifestError(`manifest is for chain ${manifest.chainId}, this network is chain ${chainId}`);
  }
  const genesis = await genesisHash(provider);
  if (manifest.genesisHash === undefined) {
    throw new ManifestError(
      `manifest for chain ${chainId} records no genesis block hash (written by an older deployment), so it cannot ` +
        `be matched to this chain instance: move it away to deploy afresh`,
    );
  }
  if (manifest.genesisHash !== genesis) {
    throw new ManifestError(
      `manifest belongs to another instance of chain ${chainId}: its genesis block is ${manifest.genesisHash}, this ` +
        `chain's is ${genesis} (a restarted node?). Its addresses are not reused: move it away to deploy afresh`,
    );
  }
  const problems: string[] = [];
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
        `entry ${key} (${entry.contract} at ${address}): code hash on chain ${hash} differs from the recorded ${entry.codeHash}`,
      );
    }
  }
  if (problems.length > 0) {
    throw new ManifestError(`manifest refused, nothing reused:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** `deployments/<chainId>.json` under `dir`. */
export function manifestPath(chainId: number, dir = "deployments"): string {
  return path.resolve(dir, `${chainId}.json`);
}

export function readManifest(file: string): Manifest | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Manifest) : undefined;
}

/** Writes through a temporary file and a rename, so a run killed mid-write never leaves half a manifest. */
export function writeManifest(file: string, manifest: Manifest): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(manifest, null, 2) + "\n");
  renameSync(tmp, file);
}
