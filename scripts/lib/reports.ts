/**
 * What the operator commands print (`npm run account|market|oracle`), as functions of a checked deployment
 * (`loadDeployment`) that return the lines: the scripts print them, the tests read them (test/sdk/operatorReports).
 * Read-only: nothing here sends a transaction. Bad input throws an `OperatorInputError` with a one-line message; a
 * revert propagates and the scripts print it through `describeError`.
 */
import { Contract, MaxUint256, type Provider, ZeroAddress } from "ethers";

import type { Deployment } from "../../sdk/deployment.js";
import { describeError } from "../../sdk/errors.js";
import { listingGrid } from "../../sdk/helpers.js";
import { decodeSeries, seriesLabel } from "../../sdk/series.js";
import { formatUnits, formatWad } from "../../sdk/units.js";
import { type Row, sectionLines, tableLines } from "./table.js";

export const MODES = ["Active", "ReduceOnly", "Halted"];
export const SEQUENCER = ["Up", "Down", "GracePeriod"];
const AGGREGATOR_ABI = [
  "function decimals() view returns (uint8)",
  "function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)",
];

/** What the reports read from: the deployment, its provider, and the names to show. */
export interface OperatorView {
  deployment: Deployment;
  provider: Provider;
  /** Shown in the titles (Hardhat's network name). */
  networkName: string;
  /** The markets of the deploy config for this chain; a market not in it shows as `U<id>`. */
  markets: { id: number; symbol: string }[];
}

/** Bad input (an unknown account or market): the scripts print its message as their one line. */
export class OperatorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OperatorInputError";
  }
}

/** Lines with sections and tables, in print order. */
class Lines {
  readonly lines: string[] = [];
  section(title: string): void {
    this.lines.push(...sectionLines(title));
  }
  table(rows: Row[]): void {
    this.lines.push(...tableLines(rows));
  }
  line(text: string): void {
    this.lines.push(text);
  }
}

const modeName = (mode: bigint | number) => MODES[Number(mode)] ?? String(mode);
const isoSeconds = (seconds: bigint | number) => new Date(Number(seconds) * 1000).toISOString();
const symbolOf = (view: OperatorView, id: number | bigint) =>
  view.markets.find((m) => m.id === Number(id))?.symbol ?? `U${id}`;

/**
 * `npm run account`: owner, cash, equity, IM, MM, margin ratio and state (from `Lens.health`), the positions with
 * their marks, the liquidation prices, and the liquidation auction when one is live.
 */
export async function accountReport(view: OperatorView, id: bigint): Promise<string[]> {
  const d = view.deployment;
  const count = await d.clearingHouse.accountCount();
  if (id === 0n || id > count) {
    throw new OperatorInputError(`unknown account ${id}: accounts are 1..${count} on ${view.networkName}`);
  }
  const out = new Lines();
  const h = await d.lens.health(id);
  out.section(`Account ${id} on ${view.networkName} (chain ${d.chainId})`);
  out.table([
    {
      owner: await d.clearingHouse.ownerOf(id),
      cash: formatWad(await d.clearingHouse.cashOf(id), 2),
      equity: formatWad(h.equity, 2),
      IM: formatWad(h.initialRequirement, 2),
      MM: formatWad(h.maintenanceRequirement, 2),
      "equity-IM": formatWad(h.initialMargin, 2),
      "equity-MM": formatWad(h.maintenanceMargin, 2),
      ratio: h.marginRatio === MaxUint256 ? "inf" : formatWad(h.marginRatio, 3),
      state: h.liquidatable ? "liquidatable" : h.initialMargin < 0n ? "below IM" : "healthy",
    },
  ]);

  const marks = await d.lens.positionMarks(id);
  out.section("Positions");
  if (marks.length === 0) out.line("none");
  out.table(
    marks.map((p) => {
      const s = decodeSeries(p.series);
      return {
        series: seriesLabel(s, symbolOf(view, s.underlying)),
        size: formatWad(p.size, 4),
        mark: formatWad(p.markWad, 4),
        value: formatWad(p.valueWad, 2),
        mode: modeName(p.mode),
        expired: p.expired ? "yes" : "",
      };
    }),
  );

  const [lower, upper] = await d.lens.liquidationPrices(id);
  const underlyings = new Set(marks.map((p) => decodeSeries(p.series).underlying));
  const applicable = underlyings.size === 1 && !marks.some((p) => Number(p.mode) === MODES.indexOf("Halted"));
  if (lower !== 0n || upper !== 0n) {
    const price = (p: bigint) => (p === 0n ? "none" : formatWad(p, 2));
    out.line(`Liquidation prices: below ${price(lower)}, above ${price(upper)}`);
  } else if (applicable) {
    out.line("Liquidation prices: none within the oracle's price band");
  } else {
    out.line("Liquidation prices: n/a (no positions, several underlyings, or the market halted)");
  }

  if (await d.clearingHouse.inAuction(id)) {
    const a = await d.lens.auctionView(id);
    out.section("Liquidation auction");
    out.table([
      {
        startedAt: isoSeconds(a.startedAt),
        insolvent: a.insolvent ? `since ${isoSeconds(a.insolventSince)}` : "no",
        pricePerUnit: formatWad(a.pricePerUnit, 4),
        maxFraction: formatWad(a.maxFraction, 4),
        equity: formatWad(a.equity, 2),
        MM: formatWad(a.mm, 2),
      },
    ]);
  } else {
    out.line("Auction: none");
  }
  return out.lines;
}

/**
 * `npm run market`: per market (all, or the one `wanted` names by symbol or id) the mode, price, vol, listing grid
 * and OI cap, then every series that has traded (the clearing house's `TradeApplied` events) with its state and
 * open interest (`ClearingHouse.openInterest`).
 */
export async function marketReport(view: OperatorView, wanted?: string): Promise<string[]> {
  const d = view.deployment;
  let selected = view.markets;
  if (wanted !== undefined && wanted.trim() !== "") {
    const w = wanted.trim();
    const m = view.markets.find((x) => x.symbol.toLowerCase() === w.toLowerCase() || String(x.id) === w);
    if (m === undefined) {
      throw new OperatorInputError(
        `unknown market ${JSON.stringify(w)}: one of ${view.markets.map((x) => `${x.symbol} (#${x.id})`).join(", ")}`,
      );
    }
    selected = [m];
  }

  const out = new Lines();
  const block = (await view.provider.getBlock("latest"))!;
  out.section(`Markets on ${view.networkName} (chain ${d.chainId}), block ${block.number}`);
  const rows = [];
  for (const m of selected) {
    const [mode, price] = await d.oracle.marketState(m.id);
    const [vol, volMode] = await d.volOracle.vol(m.id, 0);
    const g = await listingGrid(d.riskConfig, m.id);
    rows.push({
      market: `${m.symbol} (#${m.id})`,
      mode: modeName(mode),
      price: price > 0n ? formatWad(price, 2) : "-",
      vol: `${formatWad(vol * 100n, 1)}%${volMode > 0n ? ` (${MODES[Number(volMode)]})` : ""}`,
      expiries: `every ${Number(g.expiryPeriod) / 3600} h +${Number(g.expiryOffset) / 3600} h, ${Number(g.maxHorizon) / 86_400} d ahead`,
      strikes: `${formatWad(g.minStrike, 0)}..${formatWad(g.maxStrike, 0)} step ${formatWad(g.strikeStep, 0)}`,
      "OI cap": formatWad(await d.exchange.underlyingOpenInterestCap(m.id), 0),
    });
  }
  out.table(rows);

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
  out.section("Series that have traded");
  if (series.length === 0) out.line("none");
  const seriesRows = [];
  for (const { id, s } of series) {
    seriesRows.push({
      series: seriesLabel(s, symbolOf(view, s.underlying)),
      expiry: isoSeconds(s.expiry).replace(".000Z", "Z"),
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
  out.table(seriesRows);
  return out.lines;
}

/**
 * `npm run oracle`: per market the primary and fallback feeds with their last round's answer and age against the
 * heartbeat, the price band, the deviation rule, the mode (and a guardian override), whether `spot()` gives a price
 * (its revert decoded when not), then the sequencer guard.
 */
export async function oracleReport(view: OperatorView): Promise<string[]> {
  const d = view.deployment;
  const block = (await view.provider.getBlock("latest"))!;
  const now = BigInt(block.timestamp);

  /** "answer, age s / heartbeat h s" of a feed's latest round, or its decoded revert. */
  const feedState = async (address: string, heartbeat: bigint): Promise<string> => {
    if (address === ZeroAddress) return "-";
    const feed = new Contract(address, AGGREGATOR_ABI, view.provider);
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

  const out = new Lines();
  out.section(`Oracles on ${view.networkName} (chain ${d.chainId}), block ${block.number} at ${isoSeconds(now)}`);
  const rows: Row[] = [];
  for (const m of view.markets) {
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
  out.table(rows);

  out.section("Sequencer");
  const [status, graceEndsAt] = await d.sequencerGuard.state();
  const uptimeFeed = await d.sequencerGuard.uptimeFeed();
  out.table([
    {
      status: SEQUENCER[Number(status)] ?? String(status),
      "grace ends": graceEndsAt > 0n ? isoSeconds(graceEndsAt) : "-",
      "grace period": `${await d.sequencerGuard.gracePeriod()} s`,
      "uptime feed": uptimeFeed === ZeroAddress ? "none (L1)" : uptimeFeed,
    },
  ]);
  return out.lines;
}
