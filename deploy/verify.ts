/**
 * Verifies every contract of `deployments/<chainId>.json` on the block explorers hardhat-verify is configured for
 * (Etherscan with ETHERSCAN_API_KEY, Blockscout, Sourcify; `verify` in hardhat.config.ts), with the constructor
 * arguments the manifest recorded. External addresses (tokens and feeds the config names) are skipped.
 *
 *   npx hardhat run deploy/verify.ts --network testnet
 */
import hre from "hardhat";
import { verifyContract } from "@nomicfoundation/hardhat-verify/verify";

import { describeError } from "../sdk/errors.js";
import { checkManifest, manifestPath, readManifest } from "./manifest.js";

const { ethers } = await hre.network.getOrCreate();
const chainId = Number((await ethers.provider.getNetwork()).chainId);
// BULWARK_DEPLOYMENTS_DIR moves the manifests elsewhere (the rehearsal test writes to a temporary folder).
const file = manifestPath(chainId, process.env.BULWARK_DEPLOYMENTS_DIR ?? "deployments");
const manifest = readManifest(file);
if (manifest === undefined) throw new Error(`no manifest at ${file}: deploy first`);
await checkManifest(ethers.provider, manifest);

let failed = 0;
for (const [key, entry] of Object.entries(manifest.entries)) {
  if (entry.contract === "external") continue;
  const artifact = await hre.artifacts.readArtifact(entry.contract);
  try {
    await verifyContract(
      {
        address: entry.address,
        constructorArgs: entry.args,
        contract: `${artifact.sourceName}:${artifact.contractName}`,
      },
      hre,
    );
    console.log(`✓ ${key} (${entry.contract}) at ${entry.address}`);
  } catch (err) {
    failed++;
    console.error(`✗ ${key} (${entry.contract}) at ${entry.address}: ${describeError(err)}`);
  }
}
if (failed > 0) process.exitCode = 1;
