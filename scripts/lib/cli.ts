/**
 * The operator commands' shell (`npm run account|market|oracle|status`): connect to the network Hardhat is pointed
 * at, load the deployment through the SDK (`loadDeployment`, which refuses a manifest of another chain instance) and
 * turn any failure into one line on stderr and exit code 1.
 */
import { network } from "hardhat";

import { configFor } from "../../deploy/networks/index.js";
import { loadDeployment } from "../../sdk/deployment.js";
import { describeError } from "../../sdk/errors.js";
import type { OperatorView } from "./reports.js";

/** Prints `<command>: <message>` as one line, whatever the message, and exits 1. */
export function failer(command: string): (message: string) => never {
  return (message: string): never => {
    console.error(`${command}: ${message.replace(/\s*\n\s*/g, " ")}`);
    process.exit(1);
  };
}

/**
 * The deployment on Hardhat's network, from `deployments/<chainId>.json` (`DEPLOYMENTS_DIR` reads another folder),
 * with the markets of the chain's deploy config (`configFor`; with `lenient`, none when there is no config).
 */
export async function connectOperatorView(options: { lenient?: boolean } = {}) {
  const { ethers, networkName } = await network.getOrCreate();
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const deployment = await loadDeployment(ethers.provider, chainId, {
    dir: process.env.DEPLOYMENTS_DIR || "deployments",
  });
  let markets: OperatorView["markets"] = [];
  try {
    markets = configFor(chainId).markets.map((m) => ({ id: m.id, symbol: m.symbol }));
  } catch (err) {
    if (options.lenient !== true) throw err;
  }
  const view: OperatorView = { deployment, provider: ethers.provider, networkName, markets };
  return { ethers, view };
}

/** Runs a command's body; any error becomes the command's one line (a revert decoded by `describeError`). */
export async function runCommand(command: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    failer(command)(describeError(err));
  }
}
