/**
 * Operator view of the markets: per underlying the mode, price, vol and listing grid, then every series that has
 * traded (from the clearing house's `TradeApplied` events) with its open interest (`ClearingHouse.openInterest`).
 * Read-only.
 *   npm run market -- --network localhost              # every market
 *   MARKET=ETH npm run market -- --network localhost   # one market, by symbol or id
 * Bad input (an unknown market, a non-number) prints one line and exits 1; a revert prints decoded.
 */
import { network } from "hardhat";

import { configFor } from "../deploy/networks/index.js";
import { loadDeployment } from "../sdk/deployment.js";
import { describeError } from "../sdk/errors.js";
import { listingGrid } from "../sdk/helpers.js";
import { decodeSeries, seriesLabel } from "../sdk/series.js";
import { formatWad } from "../sdk/units.js";
import { printTable, section } from "./lib/table.js";

const MODES = ["Active", "ReduceOnly", "Halted"];
const fail = (message: string): never => {
  console.error(`market: ${message.replace(/\s*\n\s*/g, " ")}`); // one line, whatever the error
  process.exit(1);
};

try {
  const { ethers, networkName } = await network.getOrCreate();
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const d = await loadDeployment(ethers.provider, chainId, { dir: process.env.DEPLOYMENTS_DIR || "deployments" });
  const markets = configFor(chainId).markets.map((m) => ({ id: m.id, symbol: m.symbol }));
  const symbolOf = (id: number) => markets.find((m) => m.id === id)?.symbol ?? `U${id}`;

  const wanted = process.env.MARKET?.trim();
  let selected = markets;
  if (wanted !== undefined && wanted !== "") {
    const m = markets.find((x) => x.symbol.toLowerCase() === wanted.toLowerCase() || String(x.id) === wanted);
    if (m === undefined) {
      fail(
        `unknown market ${JSON.stringify(wanted)}: one of ${markets.map((x) => `${x.symbol} (#${x.id})`).join(", ")}`,
      );
    }
    selected = [m!];
  }

  const block = (await ethers.provider.getBlock("latest"))!;
  section(`Markets on ${networkName} (chain ${chainId}), block ${block.number}`);
  const rows = [];
  for (const m of selected) {
    const [mode, price] = await d.oracle.marketState(m.id);
    const [vol, volMode] = await d.volOracle.vol(m.id, 0);
    const g = await listingGrid(d.riskConfig, m.id);
    rows.push({
      market: `${m.symbol} (#${m.id})`,
      mode: MODES[Number(mode)] ?? String(mode),
      price: price > 0n ? formatWad(price, 2) : "-",
      vol: `${formatWad(vol * 100n, 1)}%${volMode > 0n ? ` (${MODES[Number(volMode)]})` : ""}`,
      expiries: `every ${Number(g.expiryPeriod) / 3600} h +${Number(g.expiryOffset) / 3600} h, ${Number(g.maxHorizon) / 86_400} d ahead`,
      strikes: `${formatWad(g.minStrike, 0)}..${formatWad(g.maxStrike, 0)} step ${formatWad(g.strikeStep, 0)}`,
      "OI cap": formatWad(await d.exchange.underlyingOpenInterestCap(m.id), 0),
    });
  }
  printTable(rows);

  // Every series that ever traded, from the events; open interest from the clearing house.
  const traded = new Set<bigint>();
  for (const e of await d.clearingHouse.queryFilter(d.clearingHouse.filters.TradeApplied(), 0, block.number)) {
    traded.add(e.args.series);
  }
  const ids = new Set(selected.map((m) => m.id));
  const series = [...traded]
    .map((id) => ({ id, s: decodeSeries(id) }))
    .filter(({ s }) => ids.has(s.underlying))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  section("Series that have traded");
  if (series.length === 0) console.log("none");
  const seriesRows = [];
  for (const { id, s } of series) {
    seriesRows.push({
      series: seriesLabel(s, symbolOf(s.underlying)),
      expiry: new Date(Number(s.expiry) * 1000).toISOString().replace(".000Z", "Z"),
      state:
        BigInt(block.timestamp) >= s.expiry
          ? "expired"
          : (await d.clearingHouse.isTradable(id))
            ? "tradable"
            : "not tradable",
      "open interest": formatWad(await d.clearingHouse.openInterest(id), 4),
      "OI cap": formatWad(await d.exchange.openInterestCap(id), 0),
    });
  }
  printTable(seriesRows);
} catch (err) {
  fail(describeError(err));
}
