/**
 * Operator view of the oracles: per market the primary and fallback feeds with their last round's answer and age
 * against the heartbeat, the price band, the deviation rule, the mode (and a guardian override), whether `spot()`
 * gives a price (its revert decoded when not), then the sequencer guard. Read-only.
 *   npm run oracle -- --network localhost
 * A revert prints decoded (`describeError`), and the command exits 1 on any failure.
 */
import { Contract, ZeroAddress } from "ethers";
import { network } from "hardhat";

import { configFor } from "../deploy/networks/index.js";
import { loadDeployment } from "../sdk/deployment.js";
import { describeError } from "../sdk/errors.js";
import { formatUnits, formatWad } from "../sdk/units.js";
import { printTable, section } from "./lib/table.js";

const MODES = ["Active", "ReduceOnly", "Halted"];
const SEQUENCER = ["Up", "Down", "GracePeriod"];
const AGGREGATOR_ABI = [
  "function decimals() view returns (uint8)",
  "function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)",
];
const fail = (message: string): never => {
  console.error(`oracle: ${message.replace(/\s*\n\s*/g, " ")}`); // one line, whatever the error
  process.exit(1);
};

try {
  const { ethers, networkName } = await network.getOrCreate();
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const d = await loadDeployment(ethers.provider, chainId, { dir: process.env.DEPLOYMENTS_DIR || "deployments" });
  const block = (await ethers.provider.getBlock("latest"))!;
  const now = BigInt(block.timestamp);

  /** "answer, age s (heartbeat h s)" of a feed's latest round, or its decoded revert. */
  const feedState = async (address: string, heartbeat: bigint): Promise<string> => {
    if (address === ZeroAddress) return "-";
    const feed = new Contract(address, AGGREGATOR_ABI, ethers.provider);
    try {
      const decimals = Number(await feed.decimals());
      const [, answer, , updatedAt] = (await feed.latestRoundData()) as [bigint, bigint, bigint, bigint, bigint];
      const age = now - updatedAt;
      const stale = age > heartbeat ? " STALE" : "";
      return `${formatUnits(answer, decimals)}, age ${age} s / heartbeat ${heartbeat} s${stale}`;
    } catch (err) {
      return `error: ${describeError(err)}`;
    }
  };

  section(
    `Oracles on ${networkName} (chain ${chainId}), block ${block.number} at ${new Date(block.timestamp * 1000).toISOString()}`,
  );
  const rows = [];
  for (const m of configFor(chainId).markets) {
    if (!(await d.oracle.isListed(m.id))) {
      rows.push({ market: `${m.symbol} (#${m.id})`, mode: "not listed" });
      continue;
    }
    const p = await d.oracle.feedParams(m.id);
    const [mode, price] = await d.oracle.marketState(m.id);
    const override = await d.oracle.modeOverride(m.id);
    const [minBand, maxBand] = await d.oracle.priceBand(m.id);
    const spot = await d.oracle.spot(m.id).then(
      (s) => `ok ${formatWad(s, 2)}`,
      (e: unknown) => describeError(e),
    );
    rows.push({
      market: `${m.symbol} (#${m.id})`,
      mode: `${MODES[Number(mode)]}${override > 0n ? ` (override ${MODES[Number(override)]})` : ""}`,
      price: price > 0n ? formatWad(price, 2) : "-",
      "spot()": spot,
      primary: `${p.feed}: ${await feedState(p.feed, p.heartbeat)}`,
      fallback:
        p.fallbackFeed === ZeroAddress
          ? "-"
          : `${p.fallbackFeed}: ${await feedState(p.fallbackFeed, p.fallbackHeartbeat)}`,
      band: `${formatWad(minBand, 2)}..${formatWad(maxBand, 2)}`,
      deviation: `${formatWad(p.maxDeviationWad * 100n, 1)}% x${p.confirmations}`,
    });
  }
  printTable(rows);

  section("Sequencer");
  const [status, graceEndsAt] = await d.sequencerGuard.state();
  const uptimeFeed = await d.sequencerGuard.uptimeFeed();
  printTable([
    {
      status: SEQUENCER[Number(status)] ?? String(status),
      "grace ends": graceEndsAt > 0n ? new Date(Number(graceEndsAt) * 1000).toISOString() : "-",
      "grace period": `${await d.sequencerGuard.gracePeriod()} s`,
      "uptime feed": uptimeFeed === ZeroAddress ? "none (L1)" : uptimeFeed,
    },
  ]);
} catch (err) {
  fail(describeError(err));
}
