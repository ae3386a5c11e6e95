/**
 * The writing side of the deployment manifest (`deployments/<chainId>.json`): the manifest is also the deployment's
 * journal. `deploySystem` hands it to `DeployOptions.onRecord` after every transaction, and records the address a
 * contract will get (from the deployer's nonce) before sending its creation, so a run killed at any point resumes
 * with every contract it created — including one whose creation was mined but not yet recorded.
 *
 * The format, reading it and the checks that tie it to one chain instance belong to the SDK (sdk/deployment.ts:
 * `DeploymentManifest`, `readManifestFile`, `checkDeployment`), which integrators, the operator scripts and the keeper
 * read manifests with; this module re-exports them under the names the deploy code uses.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { Provider } from "ethers";

import {
  type DeploymentManifest,
  type JournalStep,
  type Json,
  DeploymentError,
  checkDeployment,
  readManifestFile,
} from "../sdk/deployment.js";

export {
  type DeploymentEntry as ManifestEntry,
  type Json,
  type PendingDeployment,
  codeHashAt,
  deploymentPath as manifestPath,
  genesisHash,
} from "../sdk/deployment.js";

/** A manifest as the deploy keeps it: the SDK's format with the journal always present. */
export type Manifest = DeploymentManifest & { journal: JournalStep[] };

/** A refused manifest; deploy/deploy.ts names the manifest file for this error. */
export class ManifestError extends DeploymentError {
  constructor(message: string) {
    super(message);
    this.name = "ManifestError";
  }
}

/**
 * The SDK's `checkDeployment` without the all-modules requirement (a manifest written halfway is resumed), its
 * refusal raised as a `ManifestError`.
 */
export async function checkManifest(provider: Provider, manifest: Manifest): Promise<void> {
  try {
    await checkDeployment(provider, manifest, { modules: false });
  } catch (err) {
    throw err instanceof DeploymentError ? new ManifestError(err.message) : err;
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

export function emptyManifest(chainId: number, genesis: string): Manifest {
  return { chainId, genesisHash: genesis, contracts: {}, entries: {}, journal: [] };
}

/** The manifest at `file`, or `undefined` when there is none (a `DeploymentError` when it is not a manifest). */
export function readManifest(file: string): Manifest | undefined {
  const manifest = readManifestFile(file);
  if (manifest === undefined) return undefined;
  return { ...manifest, journal: manifest.journal ?? [] };
}

/** Writes through a temporary file and a rename, so a run killed mid-write never leaves half a manifest. */
export function writeManifest(file: string, manifest: Manifest): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(manifest, null, 2) + "\n");
  renameSync(tmp, file);
}
