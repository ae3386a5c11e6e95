/**
 * Operator view of one margin account: owner, cash, equity, IM, MM, margin ratio, positions with their marks,
 * liquidation prices and the liquidation auction when one is live. Read-only.
 *   ACCOUNT=3 npm run account -- --network localhost   (DEPLOYMENTS_DIR=... reads manifests from another folder)
 * Bad input (no ACCOUNT, not a number, an unknown account) prints one line and exits 1; a revert prints decoded.
 */
import { network } from "hardhat";

import { configFor } from "../deploy/networks/index.js";
import { loadDeployment } from "../sdk/deployment.js";
import { describeError } from "../sdk/errors.js";
import { decodeSeries, seriesLabel } from "../sdk/series.js";
import { formatWad } from "../sdk/units.js";
import { printTable, section } from "./lib/table.js";

const MODES = ["Active", "ReduceOnly", "Halted"];
const fail = (message: string): never => {
  console.error(`account: ${message.replace(/\s*\n\s*/g, " ")}`); // one line, whatever the error
  process.exit(1);
};

/** A positive integer from the environment, or a one-line failure naming the variable. */
function idFrom(name: string): bigint {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === "") fail(`set ${name}=<account id>, e.g. ${name}=3 npm run account`);
  if (!/^[0-9]+$/.test(raw!)) fail(`${name}=${JSON.stringify(raw)} is not an account id (a positive integer)`);
  return BigInt(raw!);
}

try {
  const id = idFrom("ACCOUNT");
  const { ethers, networkName } = await network.getOrCreate();
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const d = await loadDeployment(ethers.provider, chainId, { dir: process.env.DEPLOYMENTS_DIR || "deployments" });
  const count = await d.clearingHouse.accountCount();
  if (id === 0n || id > count) fail(`unknown account ${id}: accounts are 1..${count} on ${networkName}`);
  const symbols = new Map<number, string>();
  try {
    for (const m of configFor(chainId).markets) symbols.set(m.id, m.symbol);
  } catch {
    // no deploy config for this chain: markets show as U<id>
  }

  const h = await d.lens.health(id);
  section(`Account ${id} on ${networkName} (chain ${chainId})`);
  printTable([
    {
      owner: await d.clearingHouse.ownerOf(id),
      cash: formatWad(await d.clearingHouse.cashOf(id), 2),
      equity: formatWad(h.equity, 2),
      IM: formatWad(h.initialRequirement, 2),
      MM: formatWad(h.maintenanceRequirement, 2),
      "equity-IM": formatWad(h.initialMargin, 2),
      "equity-MM": formatWad(h.maintenanceMargin, 2),
      ratio: h.marginRatio === ethers.MaxUint256 ? "inf" : formatWad(h.marginRatio, 3),
      state: h.liquidatable ? "liquidatable" : h.initialMargin < 0n ? "below IM" : "healthy",
    },
  ]);

  const marks = await d.lens.positionMarks(id);
  section("Positions");
  if (marks.length === 0) console.log("none");
  printTable(
    marks.map((p) => {
      const s = decodeSeries(p.series);
      return {
        series: seriesLabel(s, symbols.get(s.underlying)),
        size: formatWad(p.size, 4),
        mark: formatWad(p.markWad, 4),
        value: formatWad(p.valueWad, 2),
        mode: MODES[Number(p.mode)] ?? String(p.mode),
        expired: p.expired ? "yes" : "",
      };
    }),
  );

  const [lower, upper] = await d.lens.liquidationPrices(id);
  console.log(
    lower === 0n && upper === 0n
      ? "Liquidation prices: n/a (no positions, several underlyings, or the market halted)"
      : `Liquidation prices: below ${lower === 0n ? "none" : formatWad(lower, 2)}, above ${upper === 0n ? "none" : formatWad(upper, 2)}`,
  );

  if (await d.clearingHouse.inAuction(id)) {
    const a = await d.lens.auctionView(id);
    section("Liquidation auction");
    printTable([
      {
        startedAt: new Date(Number(a.startedAt) * 1000).toISOString(),
        insolvent: a.insolvent ? `since ${new Date(Number(a.insolventSince) * 1000).toISOString()}` : "no",
        pricePerUnit: formatWad(a.pricePerUnit, 4),
        maxFraction: formatWad(a.maxFraction, 4),
        equity: formatWad(a.equity, 2),
        MM: formatWad(a.mm, 2),
      },
    ]);
  } else {
    console.log("Auction: none");
  }
} catch (err) {
  fail(describeError(err));
}
