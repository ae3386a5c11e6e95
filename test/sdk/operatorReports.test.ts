/**
 * The operator commands' output (scripts/lib/reports.ts: what `npm run account|market|oracle` print) on a live
 * system, read the way an operator reads it: the printed tables, compared with the chain. The deployment is the
 * production one (the core fixture's `deploySystem`), loaded back through the SDK's `loadDeployment` as the scripts
 * load it. On it: an account long ETH calls, a writer of those calls squeezed below maintenance and in a liquidation
 * auction, a writer of a BTC put, a buyer holding WETH collateral, BTC reduce-only then halted by the guardian, and
 * the sequencer going down and back up. The bad-input paths of the scripts themselves are in operatorScripts.test.ts.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { Contract } from "ethers";
import { network } from "hardhat";

import { MODES, type OperatorView, accountReport, marketReport, oracleReport } from "../../scripts/lib/reports.js";
import { loadDeployment } from "../../sdk/deployment.js";
import { blackScholes } from "../../sdk/model/index.js";
import { buildOrder, signOrder } from "../../sdk/orders.js";
import { seriesLabel } from "../../sdk/series.js";
import { formatUnits, formatWad } from "../../sdk/units.js";
import { BTC, DAY, ETH, WAD, deployTestSystem, seriesId, testConfig } from "../core/fixture.js";

const USDC = 10n ** 6n;
type TestSystem = Awaited<ReturnType<typeof deployTestSystem>>;
type Ethers = Awaited<ReturnType<typeof network.create>>["ethers"];
type Helpers = Awaited<ReturnType<typeof network.create>>["networkHelpers"];

/** The rows of the table under the section titled `title…` (cells trimmed, keyed by header); [] when none. */
function tableAfter(lines: string[], title: string): Record<string, string>[] {
  const at = lines.findIndex((l) => l.startsWith(`== ${title}`));
  expect(at, `section "${title}" in\n${lines.join("\n")}`).to.be.greaterThan(-1);
  const cells = (l: string) =>
    l
      .slice(2, -2)
      .split(" | ")
      .map((c) => c.trim());
  if (!lines[at + 1]?.startsWith("| ")) return [];
  const headers = cells(lines[at + 1]!);
  const rows: Record<string, string>[] = [];
  for (let i = at + 3; i < lines.length && lines[i]!.startsWith("| "); i++) {
    const values = cells(lines[i]!);
    rows.push(Object.fromEntries(headers.map((h, j) => [h, values[j]!])));
  }
  return rows;
}

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => "",
    (e: Error) => `${e.name}: ${e.message}`,
  );

describe("operator reports on a live system with positions and an auction", function () {
  this.timeout(600_000); // the first network of a process can take minutes to start on a loaded machine
  let ethers: Ethers;
  let helpers: Helpers;
  let t: TestSystem;
  let view: OperatorView;
  let alice: HardhatEthersSigner, carol: HardhatEthersSigner, bob: HardhatEthersSigner, dave: HardhatEthersSigner;
  let alices: bigint, carols: bigint, bobs: bigint, daves: bigint;
  let ethExpiry: number, btcExpiry: number;
  const ethCall = () => seriesId(ETH, ethExpiry, 2000n * WAD, true);
  const btcPut = () => seriesId(BTC, btcExpiry, 60_000n * WAD, false);

  /** `taker` fills `maker`'s order for `size` of `series` at the model price (vol as listed), rounded to 0.01. */
  async function trade(
    maker: [HardhatEthersSigner, bigint],
    taker: [HardhatEthersSigner, bigint],
    series: { id: bigint; spot: bigint; strike: bigint; expiry: number; vol: bigint; isCall: boolean },
    makerBuys: boolean,
    size: bigint,
  ) {
    const now = await t.now();
    const bs = blackScholes(series.spot, series.strike, BigInt(series.expiry - now), series.vol, 0n);
    const premium = series.isCall ? bs.call : bs.put;
    const limitPrice = (premium / 10n ** 16n) * 10n ** 16n;
    const order = buildOrder({
      account: maker[1],
      series: series.id,
      isBuy: makerBuys,
      size,
      limitPrice,
      deadline: BigInt(now + DAY),
    });
    const signed = await signOrder(maker[0], t.domain, order);
    await (await t.exchange.connect(taker[0]).fill(taker[1], [{ maker: signed, fillSize: size }])).wait();
  }

  before(async () => {
    const connection = await network.create();
    ({ ethers, networkHelpers: helpers } = connection);
    const config = testConfig({ fees: null });
    t = await deployTestSystem(ethers, config);
    // What the scripts do: the manifest back through the SDK, checked against the chain.
    view = {
      deployment: await loadDeployment(ethers.provider, structuredClone(t.manifest)),
      provider: ethers.provider,
      networkName: connection.networkName,
      markets: config.markets.map((m) => ({ id: m.id, symbol: m.symbol })),
    };
    const signers = await ethers.getSigners();
    [alice, carol, bob, dave] = signers.slice(1, 5) as [typeof alice, typeof carol, typeof bob, typeof dave];
    const keeper = signers[5]!;
    alices = await t.openAccount(alice, 100_000n * USDC);
    carols = await t.openAccount(carol, 8_000n * USDC);
    bobs = await t.openAccount(bob, 20_000n * USDC);
    // Dave holds WETH collateral beside a little cash.
    daves = await t.openAccount(dave, 5_000n * USDC);
    const weth = t.collaterals["WETH"]!;
    await t.fund(dave, weth, 20n * WAD);
    await (await t.ch.connect(dave).deposit(daves, await weth.getAddress(), 20n * WAD)).wait();

    const now = await t.now();
    ethExpiry = t.expiryAfter(now, 7, ETH);
    btcExpiry = t.expiryAfter(now, 7, BTC);
    // Alice buys 10 ETH calls from Carol; Dave buys a BTC put from Bob.
    const eth = { id: ethCall(), spot: 2000n * WAD, strike: 2000n * WAD, expiry: ethExpiry, vol: (WAD * 6n) / 10n };
    await trade([alice, alices], [carol, carols], { ...eth, isCall: true }, true, 10n * WAD);
    const btc = { id: btcPut(), spot: 60_000n * WAD, strike: 60_000n * WAD, expiry: btcExpiry, vol: WAD / 2n };
    await trade([bob, bobs], [dave, daves], { ...btc, isCall: false }, false, WAD);

    // ETH rallies until Carol is below maintenance; anyone starts the auction.
    let price = 2000n * WAD;
    for (;;) {
      const [equity, mm] = await t.ch.accountHealth(carols);
      if (equity < BigInt(mm)) break;
      price = (price * 102n) / 100n;
      await t.setPrice(ETH, price);
    }
    await (await t.liquidation.connect(keeper).startAuction(carols)).wait();
    // The guardian puts BTC in reduce-only.
    const guardian = await ethers.getSigner(t.roles.guardian);
    await (await t.oracle.connect(guardian).setModeOverride(BTC, 1)).wait();
  });

  it("account: the figures equal the chain's accountMargin, the positions and sizes; a long call has no liquidation price", async () => {
    const lines = await accountReport(view, alices);
    const [summary] = tableAfter(lines, `Account ${alices} on ${view.networkName} (chain 31337)`);
    const [equity, im, mm] = await t.ch.accountMargin(alices);
    expect(summary).to.include({
      owner: alice.address,
      cash: formatWad(await t.ch.cashOf(alices), 2),
      equity: formatWad(equity, 2),
      IM: formatWad(im, 2),
      MM: formatWad(mm, 2),
      "equity-IM": formatWad(equity - BigInt(im), 2),
      "equity-MM": formatWad(equity - BigInt(mm), 2),
      state: "healthy",
    });
    const positions = tableAfter(lines, "Positions");
    const label = seriesLabel({ underlying: ETH, expiry: BigInt(ethExpiry), strike: 2000n * WAD, isCall: true }, "ETH");
    expect(positions).to.have.length(1);
    expect(positions[0]).to.include({ series: label, size: "10", mode: "Active", expired: "" });
    // A long call alone never falls below maintenance: the lens finds no price within the band.
    expect(await t.lens.liquidationPrices(alices)).to.deep.equal([0n, 0n]);
    expect(lines).to.include("Liquidation prices: none within the oracle's price band");
    expect(lines).to.include("Auction: none");
  });

  it("account: a BTC put writer in a reduce-only market gets liquidation prices around spot that are ones", async () => {
    const lines = await accountReport(view, bobs);
    const [summary] = tableAfter(lines, `Account ${bobs} `);
    const [equity, im, mm] = await t.ch.accountMargin(bobs);
    expect(summary).to.include({ equity: formatWad(equity, 2), IM: formatWad(im, 2), MM: formatWad(mm, 2) });
    const positions = tableAfter(lines, "Positions");
    expect(positions).to.have.length(1);
    expect(positions[0]).to.include({ size: "-1", mode: "ReduceOnly" });
    expect(positions[0]!.series).to.match(/^BTC-\d{4}-\d\d-\d\d-60000P$/);

    const [lower, upper] = await t.lens.liquidationPrices(bobs);
    const [, spot] = await t.oracle.marketState(BTC);
    expect(lower > 0n && lower < spot, `${lower} < ${spot}`).to.equal(true);
    expect(lines).to.include(
      `Liquidation prices: below ${formatWad(lower, 2)}, above ${upper === 0n ? "none" : formatWad(upper, 2)}`,
    );
    // Each is one: at that price the account is below maintenance, 1 % nearer the spot it is not.
    for (const [at, nearer] of [
      [lower, (lower * 101n) / 100n],
      [upper, (upper * 99n) / 100n],
    ]) {
      if (at === 0n) continue;
      const [eAt, , mmAt] = await t.ch.accountMarginAtPrice(bobs, BTC, at!);
      expect(eAt < BigInt(mmAt), `below MM at ${at}`).to.equal(true);
      const [eNear, , mmNear] = await t.ch.accountMarginAtPrice(bobs, BTC, nearer!);
      expect(eNear >= BigInt(mmNear), `above MM at ${nearer}`).to.equal(true);
    }
  });

  it("account: collateral counts in equity as on chain", async () => {
    const lines = await accountReport(view, daves);
    const [summary] = tableAfter(lines, `Account ${daves} `);
    const [equity, im, mm] = await t.ch.accountMargin(daves);
    const cash = await t.ch.cashOf(daves);
    expect(equity > cash + 30_000n * WAD, "20 WETH at > 2000 after haircut").to.equal(true);
    expect(summary).to.include({
      cash: formatWad(cash, 2),
      equity: formatWad(equity, 2),
      IM: formatWad(im, 2),
      MM: formatWad(mm, 2),
    });
    expect(tableAfter(lines, "Positions")[0]).to.include({ size: "1" });
  });

  it("account: the writer in a liquidation auction shows liquidatable and the auction line", async () => {
    const lines = await accountReport(view, carols);
    const [summary] = tableAfter(lines, `Account ${carols} `);
    const [equity, im, mm] = await t.ch.accountMargin(carols);
    expect(summary).to.include({
      equity: formatWad(equity, 2),
      IM: formatWad(im, 2),
      MM: formatWad(mm, 2),
      state: "liquidatable",
    });
    expect(tableAfter(lines, "Positions")[0]).to.include({ size: "-10", mode: "Active" });
    // Already below maintenance: both liquidation prices are the spot.
    const [, spot] = await t.oracle.marketState(ETH);
    expect(lines).to.include(`Liquidation prices: below ${formatWad(spot, 2)}, above ${formatWad(spot, 2)}`);

    const [auction] = tableAfter(lines, "Liquidation auction");
    const onChain = await t.liquidation.auctionOf(carols);
    const a = await t.lens.auctionView(carols);
    expect(onChain.startedAt).to.be.greaterThan(0n);
    expect(auction).to.deep.equal({
      startedAt: new Date(Number(onChain.startedAt) * 1000).toISOString(),
      insolvent: "no",
      pricePerUnit: formatWad(a.pricePerUnit, 4),
      maxFraction: formatWad(a.maxFraction, 4),
      equity: formatWad(equity, 2),
      MM: formatWad(mm, 2),
    });
    expect(lines).to.not.include("Auction: none");
  });

  it("account: an unknown account is one line of bad input", async () => {
    const count = await t.ch.accountCount();
    expect(await rejection(accountReport(view, count + 1n))).to.equal(
      `OperatorInputError: unknown account ${count + 1n}: accounts are 1..${count} on ${view.networkName}`,
    );
    expect(await rejection(accountReport(view, 0n))).to.match(/^OperatorInputError: unknown account 0:/);
  });

  it("market: modes, and the open interest of every traded series equal to the chain's", async () => {
    const lines = await marketReport(view);
    const markets = tableAfter(lines, "Markets on");
    const [, ethPrice] = await t.oracle.marketState(ETH);
    expect(markets.map((m) => [m.market, m.mode])).to.deep.equal([
      ["ETH (#1)", "Active"],
      ["BTC (#2)", "ReduceOnly"],
    ]);
    expect(markets[0]!.price).to.equal(formatWad(ethPrice, 2));

    const series = tableAfter(lines, "Series that have traded");
    expect(series).to.have.length(2);
    for (const [id, label] of [
      [ethCall(), `ETH-${new Date(ethExpiry * 1000).toISOString().slice(0, 10)}-2000C`],
      [btcPut(), `BTC-${new Date(btcExpiry * 1000).toISOString().slice(0, 10)}-60000P`],
    ] as const) {
      const row = series.find((r) => r.series === label);
      expect(row, label).to.not.equal(undefined);
      expect(row!["open interest"]).to.equal(formatWad(await t.ch.openInterest(id), 4));
      expect(row!.state).to.equal((await t.ch.isTradable(id)) ? "tradable" : "not tradable");
    }
    expect(series.find((r) => r.series.startsWith("ETH"))!["open interest"]).to.equal("10");
    expect(series.find((r) => r.series.startsWith("BTC"))!["open interest"]).to.equal("1");

    // One market, by symbol or id; an unknown one is bad input.
    const btcOnly = await marketReport(view, "btc");
    expect(tableAfter(btcOnly, "Markets on").map((m) => m.market)).to.deep.equal(["BTC (#2)"]);
    expect(tableAfter(btcOnly, "Series that have traded").map((r) => r.series)).to.deep.equal([
      series.find((r) => r.series.startsWith("BTC"))!.series,
    ]);
    expect(await rejection(marketReport(view, "DOGE"))).to.equal(
      'OperatorInputError: unknown market "DOGE": one of ETH (#1), BTC (#2)',
    );
  });

  it("market and account after the guardian halts BTC", async () => {
    const guardian = await ethers.getSigner(t.roles.guardian);
    await (await t.oracle.connect(guardian).setModeOverride(BTC, 2)).wait();
    const markets = tableAfter(await marketReport(view, "BTC"), "Markets on");
    expect(markets[0]).to.include({ market: "BTC (#2)", mode: MODES[2] });
    // Bob's only position is in the halted market: the core values it degraded (docs/margin.md §4), the lens
    // marks it Halted, and there is no liquidation price.
    const lines = await accountReport(view, bobs);
    expect(tableAfter(lines, "Positions")[0]).to.include({ size: "-1", mode: "Halted", mark: "0" });
    expect(lines).to.include("Liquidation prices: n/a (no positions, several underlyings, or the market halted)");
    const [equity, im, mm] = await t.ch.accountMargin(bobs);
    expect(tableAfter(lines, `Account ${bobs} `)[0]).to.include({
      equity: formatWad(equity, 2),
      IM: formatWad(im, 2),
      MM: formatWad(mm, 2),
    });
  });

  it("oracle: feed ages against the heartbeat, modes with the override, and the sequencer's state", async () => {
    await helpers.time.increase(120);
    await helpers.mine();
    const lines = await oracleReport(view);
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const rows = tableAfter(lines, "Oracles on");
    expect(rows.map((r) => [r.market, r.mode])).to.deep.equal([
      ["ETH (#1)", "Active"],
      ["BTC (#2)", "Halted (override Halted)"],
    ]);
    for (const [i, market] of [ETH, BTC].entries()) {
      const p = await t.oracle.feedParams(market);
      const feed = new Contract(
        p.feed,
        ["function latestRoundData() view returns (uint80, int256, uint256, uint256, uint80)"],
        ethers.provider,
      );
      const [, answer, , updatedAt] = (await feed.latestRoundData()) as bigint[];
      const age = now - updatedAt!;
      expect(age >= 120n, `age ${age}`).to.equal(true);
      expect(rows[i]!.primary).to.equal(`${p.feed}: ${formatUnits(answer!, 8)}, age ${age} s / heartbeat 3600 s`);
    }
    const [, ethPrice] = await t.oracle.marketState(ETH);
    expect(rows[0]!["spot()"]).to.equal(`ok ${formatWad(ethPrice, 2)}`);
    const sequencerFeed = await t.sequencerFeed!.getAddress();
    expect(tableAfter(lines, "Sequencer")).to.deep.equal([
      { status: "Up", "grace ends": "-", "grace period": "3600 s", "uptime feed": sequencerFeed },
    ]);

    // Past the heartbeat the feed shows STALE.
    await helpers.time.increase(3600);
    await helpers.mine();
    expect(tableAfter(await oracleReport(view), "Oracles on")[0]!.primary).to.match(/ s \/ heartbeat 3600 s STALE$/);
  });

  it("oracle: the sequencer down, then back up in its grace period", async () => {
    const feed = t.sequencerFeed!;
    await (await feed.setSequencerStatus(true, await t.now())).wait();
    const down = tableAfter(await oracleReport(view), "Sequencer")[0]!;
    expect(down.status).to.equal("Down");
    expect(down.status).to.equal(["Up", "Down", "GracePeriod"][Number((await t.sequencerGuard.state())[0])]);

    await (await feed.setSequencerStatus(false, await t.now())).wait();
    const [status, graceEndsAt] = await t.sequencerGuard.state();
    expect(status).to.equal(2n);
    const grace = tableAfter(await oracleReport(view), "Sequencer")[0]!;
    expect(grace).to.include({
      status: "GracePeriod",
      "grace ends": new Date(Number(graceEndsAt) * 1000).toISOString(),
    });
  });
});
