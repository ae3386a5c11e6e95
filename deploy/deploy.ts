/**
 * Deploys (or completes) Bulwark on the network Hardhat is pointed at:
 *   npx hardhat run deploy/deploy.ts --network localhost      (npm run deploy:local, against `npm run node`)
 * Reads the typed config for the chain id, reuses what `deployments/<chainId>.json` already lists, writes it back.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { network } from "hardhat";

import { configFor } from "./networks/index.js";
import { type Manifest, deploySystem } from "./system.js";

const { ethers, networkName } = await network.getOrCreate();
const chainId = Number((await ethers.provider.getNetwork()).chainId);
const dir = path.resolve("deployments");
const file = path.join(dir, `${chainId}.json`);
const previous: Manifest | undefined = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;

console.log(`Deploying Bulwark to ${networkName} (chain ${chainId})${previous ? `, resuming ${file}` : ""}`);
const system = await deploySystem(ethers, configFor(chainId), { manifest: previous, log: (l) => console.log(l) });
mkdirSync(dir, { recursive: true });
writeFileSync(file, JSON.stringify(system.manifest, null, 2) + "\n");
console.log(`Manifest written to ${path.relative(process.cwd(), file)}`);
