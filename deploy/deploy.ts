/**
 * Deploys (or completes, or updates) Bulwark on the network Hardhat is pointed at:
 *   npx hardhat run deploy/deploy.ts --network localhost      (npm run deploy:local, against `npm run node`)
 *   npx hardhat run deploy/deploy.ts --network testnet        (BULWARK_RPC_URL / BULWARK_DEPLOYER_KEY, docs/runbook.md)
 *   npx hardhat run deploy/deploy.ts                          (the embedded network: a dry deployment, no manifest)
 *
 * Reads the typed config for the chain id and `deployments/<chainId>.json`; refuses a manifest of another chain
 * instance or with a changed code hash; prints the configuration differences; validates the config against the
 * contracts' bounds; then deploys and applies, writing the manifest after every transaction (the journal), so a run
 * stopped anywhere resumes where it stopped.
 */
import path from "node:path";

import { network } from "hardhat";

import { describeError } from "../sdk/errors.js";
import { manifestPath, readManifest, writeManifest } from "./manifest.js";
import { configFor } from "./networks/index.js";
import { deploySystem } from "./system.js";

const connection = await network.getOrCreate();
const { ethers, networkName } = connection;
const chainId = Number((await ethers.provider.getNetwork()).chainId);
// The embedded network lives only as long as this process: a manifest for it would describe nothing.
const embedded = connection.networkConfig.type === "edr-simulated";
// BULWARK_DEPLOYMENTS_DIR moves the manifests elsewhere (the rehearsal test writes to a temporary folder).
const file = manifestPath(chainId, process.env.BULWARK_DEPLOYMENTS_DIR ?? "deployments");
const relative = path.relative(process.cwd(), file);
const previous = embedded ? undefined : readManifest(file);
const fastForward = process.env.BULWARK_FAST_FORWARD === "1";

console.log(
  `Deploying Bulwark to ${networkName} (chain ${chainId})` +
    (embedded ? ": embedded network, no manifest is read or written" : previous ? `, resuming ${relative}` : ""),
);
try {
  const system = await deploySystem(ethers, configFor(chainId), {
    manifest: previous,
    log: (l) => console.log(l),
    onRecord: embedded ? undefined : (m) => writeManifest(file, m),
    fastForward,
  });
  if (system.differences.length === 0) console.log("No configuration differences.");
  if (!embedded) console.log(`Manifest written to ${relative}`);
} catch (err) {
  const where = previous !== undefined && (err as Error).name === "ManifestError" ? ` (${relative})` : "";
  console.error(`Deployment stopped${where}: ${describeError(err)}`);
  if (!embedded && previous === undefined) console.error(`What was deployed before the stop is in ${relative}.`);
  process.exitCode = 1;
}
