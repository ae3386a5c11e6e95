/**
 * Operator view of a deployment: market modes, prices, vols and the sequencer; optionally accounts.
 *   npx hardhat run --no-compile scripts/status.ts --network localhost
 *   ACCOUNTS=3,4,5 npx hardhat run --no-compile scripts/status.ts --network localhost
 * Reads addresses from deployments/<chainId>.json (written by deploy/deploy.ts). Read-only: sends no transaction.
 */
import { existsSync, readFileSync } from "node:fs";

import { network } from "hardhat";

import { configFor } from "../deploy/networks/index.js";
import type { Manifest } from "../deploy/system.js";
import { formatWad } from "../sdk/units.js";
import { printTable, section } from "./lib/table.js";

const MODES = ["Active", "ReduceOnly", "Halted"];
const SEQUENCER = ["Up", "Down", "GracePeriod"];

const { ethers, networkName } = await network.getOrCreate();
const chainId = Number((await ethers.provider.getNetwork()).chainId);
const file = `deployments/${chainId}.json`;
if (!existsSync(file)) throw new Error(`no ${file}: deploy first (npm run deploy:local)`);
const manifest = JSON.parse(readFileSync(file, "utf8")) as Manifest;
const at = (name: string) => {
  const address = manifest.contracts[name];
  if (address === undefined) throw new Error(`${file} has no ${name}`);
  return address;
};
const oracle = await ethers.getContractAt("ChainlinkOracle", at("ChainlinkOracle"));
const vols = await ethers.getContractAt("VolatilityOracle", at("VolatilityOracle"));
const guard = await ethers.getContractAt("SequencerGuard", at("SequencerGuard"));
const ch = await ethers.getContractAt("ClearingHouse", at("ClearingHouse"));
const block = await ethers.provider.getBlock("latest");

section(
  `Bulwark on ${networkName} (chain ${chainId}), block ${block!.number} at ${new Date(block!.timestamp * 1000).toISOString()}`,
);
if (manifest.contracts.TimelockController !== undefined) {
  // Governance as deployed (docs/trust-model.md): who may change parameters, and how fast.
  const timelock = await ethers.getContractAt("TimelockController", at("TimelockController"));
  const admin = await oracle.DEFAULT_ADMIN_ROLE();
  const holdsAdmin = await ch.hasRole(admin, await timelock.getAddress());
  console.log(
    `Governance: timelock ${await timelock.getAddress()}, delay ${await timelock.getMinDelay()} s, ${holdsAdmin ? "holds" : "does NOT hold"} the admin roles`,
  );
}
const [seqStatus, graceEndsAt] = await guard.state();
console.log(`Sequencer: ${SEQUENCER[Number(seqStatus)]}${graceEndsAt > 0n ? ` (grace ends ${graceEndsAt})` : ""}`);
const rows = [];
for (const m of configFor(chainId).markets) {
  const [mode, price] = await oracle.marketState(m.id);
  const [vol, volMode] = await vols.vol(m.id, 0);
  const spot = await oracle.spot(m.id).then(
    () => "ok",
    (e: Error) => (e.message.match(/custom error '([^']+)'/)?.[1] ?? e.message).slice(0, 60),
  );
  rows.push({
    market: `${m.symbol} (#${m.id})`,
    mode: MODES[Number(mode)]!,
    price: price > 0n ? formatWad(price, 2) : "-",
    "spot()": spot,
    vol: `${formatWad(vol * 100n, 1)}%${volMode > 0n ? " (stale fallback)" : ""}`,
  });
}
printTable(rows);

const ids = (process.env.ACCOUNTS ?? "").split(",").filter(Boolean).map(BigInt);
if (ids.length > 0) {
  section("Accounts");
  const accountRows = [];
  for (const id of ids) {
    const [equity, im, mm] = await ch.accountMargin(id);
    accountRows.push({
      account: String(id),
      owner: await ch.ownerOf(id),
      cash: formatWad(await ch.cashOf(id), 2),
      positions: (await ch.positionsOf(id))[0].length,
      equity: formatWad(equity, 2),
      IM: formatWad(im, 2),
      MM: formatWad(mm, 2),
      state: equity >= im ? "healthy" : equity >= mm ? "below IM" : "liquidatable",
    });
  }
  printTable(accountRows);
}
