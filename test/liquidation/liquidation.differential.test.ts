/**
 * Differential test of the liquidation model (sdk/model/liquidation.ts) against the deployed LiquidationModule and the
 * clearing house's transfer hook, on the production deployment (`deploySystem` with localConfig at zero fees: real
 * oracles on mock feeds, positions opened by signed orders on the real OptionExchange, parameter changes through the
 * timelock with `governance.execute`).
 *
 * Alice holds short ETH calls, long ETH puts, short BTC calls and WETH + WBTC collateral, just above initial margin at
 * ETH 2000; the price then rises until she is below maintenance (or insolvent) and an auction starts. Carol bids with
 * a well-funded account that already holds some of the same series and collateral (so balances merge). At each step,
 * at one block B (timestamp T):
 * - the model's evaluation of Alice equals `accountHealth` / `accountMargin`;
 * - `auctionTerms` equals `quote(account)` and `bidCashFlows` equals `costOf(account, f)` for several fractions;
 * then a bid is sent in the next block (timestamp fixed to T + 1) with `maxCost` = the predicted cost, and
 * - the `Bid` event's cost and flows equal the model's;
 * - `predictBid` equals `cashOf` / `positionsOf` / `collateralOf` of both accounts and the fund's cash;
 * - `predictBidMargins` equals `accountHealth` / `accountMargin` of Alice, the strict evaluation (and `accountMargin`)
 *   of Carol, and `endAuction` succeeds exactly when the model says the account is endable.
 * All comparisons are exact (to the wei). Cases: solvent at t = 0; a partial bid after the fast leg then f_max in the
 * slow leg; late in the slow leg at price 0 (a free partial bid, then the whole account); an account topped up between
 * MM and the buffer, bid a day later; insolvent (no payment at first, the fund paying about half way, then at the cap);
 * an auction started solvent that turns insolvent (the bid starts the clock at price 0); an empty fund driven into
 * deficit by an insolvent bid, then paid its share by a solvent bid while negative; the dust rule with `dustSize`
 * raised through the timelock (f_max = 1, and a partial bid reverts with the model's `Liquidation_DustResidue`).
 */
import { expect } from "chai";
import { network } from "hardhat";

import {
  MarketMode,
  accountMargin,
  evaluateAccount,
  type EngineParams,
  type OracleView,
} from "../../sdk/model/account.js";
import {
  LiquidationDustResidue,
  auctionTerms,
  bidCashFlows,
  checkDust,
  isEndable,
  isRestored,
  predictBid,
  predictBidMargins,
  type AuctionParams,
  type AuctionState,
  type LiquidationHoldings,
  type TokenCollateralHolding,
} from "../../sdk/model/liquidation.js";
import { decodeBulwarkError, describeError } from "../../sdk/errors.js";
import { buildOrder, signOrder } from "../../sdk/orders.js";
import { BTC, DAY, ETH, WAD, deployTestSystem, seriesId, testConfig } from "../core/fixture.js";

const USDC = 10n ** 12n; // native cash units (6 decimals) -> WAD

type System = Awaited<ReturnType<typeof deployTestSystem>>;

async function liquidationFixture() {
  const { ethers } = await network.create();
  const [, alice, bob, carol, dave] = await ethers.getSigners();
  const config = testConfig({ fees: null });
  for (const m of config.markets) m.openInterestCap = 0n;
  const f = await deployTestSystem(ethers, config);
  const weth = f.collaterals.WETH!;
  const wbtc = f.collaterals.WBTC!;
  const evaluator = await ethers.getContractAt("MarginEvaluator", await f.ch.marginEvaluator());
  const fundAccount = await f.ch.insuranceAccount();
  const t0 = await f.now();
  const exp30 = f.expiryAfter(t0, 30);
  const exp14 = f.expiryAfter(t0, 14, BTC);
  const series = {
    call2200: seriesId(ETH, exp30, 2200n * WAD, true),
    put1800: seriesId(ETH, exp30, 1800n * WAD, false),
    btcCall: seriesId(BTC, exp14, 65_000n * WAD, true),
  };
  const bobAccount = await f.openAccount(bob!, 10_000_000n * 10n ** 6n);
  const carolAccount = await f.openAccount(carol!, 10_000_000n * 10n ** 6n);
  // after openAccount, which approves exactly its deposit
  const fundAll = async () => {
    for (const s of [alice!, bob!, carol!, dave!]) for (const t of [f.cash, weth, wbtc]) await f.fund(s, t, 10n ** 36n);
  };
  await fundAll();
  let salt = 0n;

  /** `taker` fills Bob's orders: size > 0 buys from Bob, size < 0 sells to him (at `price` per unit). */
  const trade = async (
    taker: typeof alice,
    account: bigint,
    legs: { series: bigint; size: bigint; price: bigint }[],
  ) => {
    const fills = [];
    for (const l of legs) {
      const size = l.size < 0n ? -l.size : l.size;
      const order = buildOrder({
        account: bobAccount,
        series: l.series,
        isBuy: l.size < 0n,
        size,
        limitPrice: l.price,
        deadline: BigInt(t0 + 365 * DAY),
        salt: ++salt,
      });
      fills.push({ maker: await signOrder(bob!, f.domain, order), fillSize: size });
    }
    await (await f.exchange.connect(taker!).fill(account, fills)).wait();
  };

  /**
   * Opens an account for `owner` with collateral and the short-call portfolio, then withdraws cash down to
   * `cushion` (WAD) above initial margin at the current prices.
   */
  const openShort = async (owner: typeof alice, scale: bigint, cushion: bigint): Promise<bigint> => {
    const id = await f.openAccount(owner!, 1_000_000n * 10n ** 6n);
    await f.fund(owner!, f.cash, 10n ** 36n);
    const ch = f.ch.connect(owner!);
    await (await ch.deposit(id, await weth.getAddress(), 15n * 10n ** 17n)).wait(); // 1.5 WETH
    await (await ch.deposit(id, await wbtc.getAddress(), 5n * 10n ** 6n)).wait(); // 0.05 WBTC
    await trade(owner, id, [
      { series: series.call2200, size: -1037n * 10n ** 16n * scale, price: 100n * WAD },
      { series: series.put1800, size: 470n * 10n ** 16n * scale, price: 20n * WAD },
      { series: series.btcCall, size: -373n * 10n ** 15n * scale, price: 1500n * WAD },
    ]);
    const [equity, im] = await f.ch.accountMargin(id);
    const excess = equity - im - cushion;
    await (await ch.withdraw(id, await f.cash.getAddress(), excess / USDC, owner!.address)).wait();
    return id;
  };

  // Carol already holds some of Alice's series (long calls, short puts) and WETH: the transfer merges into them.
  await trade(carol, carolAccount, [
    { series: series.call2200, size: 2n * WAD, price: 100n * WAD },
    { series: series.put1800, size: -1n * WAD, price: 20n * WAD },
  ]);
  await (await f.ch.connect(carol!).deposit(carolAccount, await weth.getAddress(), 3n * WAD)).wait();
  const aliceAccount = await openShort(alice, 1n, 10n * WAD);

  return {
    ethers,
    f,
    weth,
    wbtc,
    evaluator,
    fundAccount,
    series,
    signers: { alice: alice!, bob: bob!, carol: carol!, dave: dave! },
    accounts: { alice: aliceAccount, bob: bobAccount, carol: carolAccount },
    openShort,
  };
}

type Fixture = Awaited<ReturnType<typeof liquidationFixture>>;

/** Holdings of `account` at `blockTag`, collateral with its token and the chain's haircuts. */
async function readHoldings(x: Fixture, account: bigint, blockTag: number): Promise<LiquidationHoldings> {
  const { f } = x;
  const [ids, sizes] = await f.ch.positionsOf(account, { blockTag });
  const cash = await f.ch.cashOf(account, { blockTag });
  const collaterals: TokenCollateralHolding[] = [];
  for (const token of [x.weth, x.wbtc]) {
    const address = await token.getAddress();
    const amount = await f.ch.collateralOf(account, address, { blockTag });
    if (amount === 0n) continue;
    const c = await f.riskConfig.collateralConfig(address, { blockTag });
    collaterals.push({
      token: address,
      priceUnderlying: Number(c.priceUnderlying),
      imHaircut: c.haircut,
      mmHaircut: c.mmHaircut,
      amount,
    });
  }
  return {
    cash,
    collaterals,
    positions: (ids as bigint[]).map((id, i) => ({ series: id, size: (sizes as bigint[])[i]! })),
  };
}

/** Oracle answers and engine parameters at `blockTag` for every group of the fixture. */
async function readView(x: Fixture, blockTag: number) {
  const { f } = x;
  const markets = new Map<number, { mode: MarketMode; price: bigint }>();
  const lasts = new Map<number, { price: bigint; maxPrice: bigint }>();
  const params = new Map<number, EngineParams>();
  for (const u of [ETH, BTC]) {
    const [mode, price] = await f.oracle.marketState(u, { blockTag });
    markets.set(u, { mode: Number(mode) as MarketMode, price });
    const [last, maxPrice] = await f.oracle.lastPrice(u, { blockTag });
    lasts.set(u, { price: last, maxPrice });
    const e = await f.riskConfig.engineParams(u, { blockTag });
    params.set(u, {
      imBase: e.imBase,
      imFloor: e.imFloor,
      mmBase: e.mmBase,
      mmFloor: e.mmFloor,
      rate: e.rate,
      imVegaSlope: e.imVegaSlope,
      imVegaCap: e.imVegaCap,
      mmVegaSlope: e.mmVegaSlope,
      mmVegaCap: e.mmVegaCap,
      mmLongHaircut: e.mmLongHaircut,
      haltShock: e.haltShock,
    });
  }
  const vols = new Map<string, { vol: bigint; mode: MarketMode }>();
  const settlements = new Map<string, { price: bigint; recorded: boolean }>();
  for (const id of Object.values(x.series)) {
    const u = Number(id >> 144n);
    const e = (id >> 104n) & ((1n << 40n) - 1n);
    const [v, vm] = await f.volOracle.vol(u, e, { blockTag });
    vols.set(`${u}:${e}`, { vol: v, mode: Number(vm) as MarketMode });
    const [p, recorded] = await f.settlementOracle.settlementPrice(u, e, { blockTag });
    settlements.set(`${u}:${e}`, { price: p, recorded });
  }
  const view: OracleView = {
    marketState: (u) => markets.get(u)!,
    lastPrice: (u) => lasts.get(u)!,
    vol: (u, e) => vols.get(`${u}:${e}`)!,
    settlementPrice: (u, e) => settlements.get(`${u}:${e}`)!,
  };
  return { view, engine: (u: number) => params.get(u)! };
}

async function readParams(f: System, blockTag: number): Promise<AuctionParams> {
  const p = await f.liquidation.auctionParams({ blockTag });
  return {
    fastDuration: p.fastDuration,
    slowDuration: p.slowDuration,
    insolventDuration: p.insolventDuration,
    fastDiscount: p.fastDiscount,
    buffer: p.buffer,
    insolventCap: p.insolventCap,
    fundFeeShare: p.fundFeeShare,
    deepRatio: p.deepRatio,
    dustSize: p.dustSize,
  };
}

/** Holdings in a canonical order (positions by series, collateral by token) for deep equality. */
function canonical(h: LiquidationHoldings) {
  return {
    cash: h.cash,
    positions: [...h.positions]
      .sort((a, b) => (a.series < b.series ? -1 : a.series > b.series ? 1 : 0))
      .map((p) => ({ series: p.series, size: p.size })),
    collaterals: [...h.collaterals]
      .sort((a, b) => (a.token.toLowerCase() < b.token.toLowerCase() ? -1 : 1))
      .map((c) => ({ token: c.token.toLowerCase(), amount: c.amount })),
  };
}

describe("LiquidationModule vs sdk/model/liquidation.ts (differential, to the wei)", function () {
  this.timeout(600_000);
  let x: Fixture;
  let snapshot: string;
  const stats = { quotes: 0, costs: 0, bids: 0 };

  before(async function () {
    x = await liquidationFixture();
  });
  beforeEach(async function () {
    spot.set(ETH, 2000n * WAD);
    spot.set(BTC, 60_000n * WAD);
    snapshot = await x.ethers.provider.send("evm_snapshot", []);
  });
  afterEach(async function () {
    await x.ethers.provider.send("evm_revert", [snapshot]);
  });
  after(function () {
    console.log(`      ${JSON.stringify(stats)}`);
  });

  const provider = () => x.ethers.provider;
  const spot = new Map<number, bigint>([
    [ETH, 2000n * WAD],
    [BTC, 60_000n * WAD],
  ]);

  /** Mines a block `seconds` later, then refreshes both feeds (at their current spots) and both vols. */
  const advance = async (seconds: number) => {
    const t = await x.f.now();
    await provider().send("evm_setNextBlockTimestamp", [t + seconds]);
    await provider().send("evm_mine", []);
    await refresh();
  };
  const refresh = async () => {
    for (const u of [ETH, BTC]) await x.f.setPrice(u, spot.get(u)!);
    const volUpdater = await x.ethers.getSigner(x.f.roles.volUpdater);
    await (await x.f.volOracle.connect(volUpdater).setVol(ETH, (WAD * 6n) / 10n)).wait();
    await (await x.f.volOracle.connect(volUpdater).setVol(BTC, WAD / 2n)).wait();
  };
  const setSpot = async (u: number, price: bigint) => {
    spot.set(u, price);
    await x.f.setPrice(u, price);
  };

  /** The chain's evaluation of `account` at `blockTag` vs the model's (non-strict), returned. */
  const health = async (account: bigint, blockTag: number) => {
    const now = BigInt((await provider().getBlock(blockTag))!.timestamp);
    const { view, engine } = await readView(x, blockTag);
    const holdings = await readHoldings(x, account, blockTag);
    const model = accountMargin(holdings, view, engine, now);
    const [equity, mm, halted] = await x.f.ch.accountHealth(account, { blockTag });
    expect({ equity, mm, halted }, "accountHealth").to.deep.equal({ equity: model.equity, mm: model.mm, halted: 0n });
    const [e2, im2, mm2] = await x.f.ch.accountMargin(account, { blockTag });
    expect({ equity: e2, im: im2, mm: mm2 }, "accountMargin").to.deep.equal({
      equity: model.equity,
      im: model.im,
      mm: model.mm,
    });
    return { model, holdings, view, engine, now };
  };

  /**
   * At the latest block: model terms vs `quote`, flows vs `costOf` for `fractions` (and the chosen one). Then the bid
   * of `choose(terms)` in the next block (timestamp + 1): flows vs the `Bid` event, holdings vs the chain, margins vs
   * the chain. Returns the model's terms at the bid and the margins after it.
   */
  const checkAndBid = async (
    account: bigint,
    choose: (terms: ReturnType<typeof auctionTerms>) => bigint,
    label: string,
    extraFractions: bigint[] = [],
  ) => {
    const { f } = x;
    const blockTag = await provider().getBlockNumber();
    const { model, holdings, view, engine, now } = await health(account, blockTag);
    const params = await readParams(f, blockTag);
    const a = await f.liquidation.auctionOf(account, { blockTag });
    const auction: AuctionState = { startedAt: a.startedAt, insolventSince: a.insolventSince };

    // ---- quote and costOf at B
    const terms = auctionTerms(params, auction, model.equity, model.mm, now);
    const q = await f.liquidation.quote(account, { blockTag });
    expect(
      { insolvent: q.insolvent, equity: q.equity, mm: q.mm, price: q.pricePerUnit, maxFraction: q.maxFraction },
      `${label}: quote`,
    ).to.deep.equal({
      insolvent: terms.insolvent,
      equity: model.equity,
      mm: model.mm,
      price: terms.pricePerUnit,
      maxFraction: terms.maxFraction,
    });
    stats.quotes++;
    for (const fraction of [terms.maxFraction, terms.maxFraction / 2n, WAD / 3n, WAD, ...extraFractions]) {
      if (fraction === 0n) continue;
      const flows = bidCashFlows(params, model.equity, terms.pricePerUnit, fraction);
      const [cost, toAccount, toFund, fromFund] = await f.liquidation.costOf(account, fraction, { blockTag });
      expect({ cost, toAccount, toFund, fromFund }, `${label}: costOf(${fraction})`).to.deep.equal(flows);
      stats.costs++;
    }

    // ---- the bid, at T + 1, predicted from the holdings at B
    const tBid = now + 1n;
    const atBid = evaluateAccount(holdings, view, engine, tBid, false); // same holdings, one second later
    const termsBid = auctionTerms(params, auction, atBid.equity, atBid.mm, tBid);
    const fraction = choose(termsBid);
    checkDust(params, fraction, atBid.equity, atBid.mm);
    const flows = bidCashFlows(params, atBid.equity, termsBid.pricePerUnit, fraction);
    const bidderBefore = await readHoldings(x, x.accounts.carol, blockTag);
    const fundBefore = await f.ch.cashOf(x.fundAccount, { blockTag });
    const prediction = predictBid(holdings, bidderBefore, fundBefore, fraction, flows);
    const margins = predictBidMargins(prediction, params, view, engine, tBid);
    expect(margins.bidderInitialMargin, `${label}: bidder above IM`).to.be.greaterThanOrEqual(0n);

    await provider().send("evm_setNextBlockTimestamp", [Number(tBid)]);
    let receipt;
    try {
      receipt = await (
        await f.liquidation.connect(x.signers.carol).bid(account, x.accounts.carol, fraction, flows.cost)
      ).wait();
    } catch (e) {
      throw new Error(`${label}: bid(${fraction}) reverted: ${describeError(e)}`);
    }
    const after = receipt!.blockNumber;
    expect(BigInt((await provider().getBlock(after))!.timestamp)).to.equal(tBid);
    const event = receipt!.logs
      .map((l) => {
        try {
          return f.liquidation.interface.parseLog(l);
        } catch {
          return null;
        }
      })
      .find((e) => e?.name === "Bid")!;
    expect(
      {
        fraction: event.args.fraction,
        cost: event.args.cost,
        toAccount: event.args.paidToAccount,
        toFund: event.args.paidToFund,
        fromFund: event.args.paidByFund,
      },
      `${label}: Bid event`,
    ).to.deep.equal({ fraction, ...flows });

    // ---- holdings after
    expect(canonical(await readHoldings(x, account, after)), `${label}: account holdings`).to.deep.equal(
      canonical(prediction.account),
    );
    expect(canonical(await readHoldings(x, x.accounts.carol, after)), `${label}: bidder holdings`).to.deep.equal(
      canonical(prediction.bidder),
    );
    expect(await f.ch.cashOf(x.fundAccount, { blockTag: after }), `${label}: fund cash`).to.equal(prediction.fundCash);

    // ---- margins after
    const [equity, mm, halted] = await f.ch.accountHealth(account, { blockTag: after });
    expect({ equity, mm, halted }, `${label}: accountHealth after`).to.deep.equal({
      equity: margins.account.equity,
      mm: margins.account.mm,
      halted: 0n,
    });
    const [ae, aim, amm] = await f.ch.accountMargin(account, { blockTag: after });
    expect({ equity: ae, im: aim, mm: amm }, `${label}: accountMargin after`).to.deep.equal({
      equity: margins.account.equity,
      im: margins.account.im,
      mm: margins.account.mm,
    });
    const b = prediction.bidder;
    const collateralWords = b.collaterals.map(
      (c) => (BigInt(c.priceUnderlying) << 240n) | (c.imHaircut << 176n) | (c.mmHaircut << 112n) | c.amount,
    );
    const words = b.positions.map((p) => (p.series << 96n) | BigInt.asUintN(96, p.size));
    const [strict] = await x.evaluator.evaluate(
      b.cash,
      collateralWords,
      words,
      true,
      { entries: [] },
      {
        blockTag: after,
      },
    );
    expect(
      { equity: strict.equity, im: strict.im, mm: strict.mm, groups: Number(strict.groups) },
      `${label}: bidder strict evaluation`,
    ).to.deep.equal(margins.bidder);
    const [be, bim, bmm] = await f.ch.accountMargin(x.accounts.carol, { blockTag: after });
    const bidderLoose = evaluateAccount(b, view, engine, tBid, false);
    expect({ equity: be, im: bim, mm: bmm }, `${label}: bidder accountMargin`).to.deep.equal({
      equity: bidderLoose.equity,
      im: bidderLoose.im,
      mm: bidderLoose.mm,
    });

    // ---- the auction after: closed by a whole bid; else endAuction succeeds exactly when restored
    const live = (await f.liquidation.auctionOf(account, { blockTag: after })).startedAt !== 0n;
    expect(live, `${label}: auction live after`).to.equal(fraction !== WAD);
    if (live) {
      let ended = true;
      try {
        await f.liquidation.endAuction.staticCall(account, { blockTag: after });
      } catch (e) {
        expect(decodeBulwarkError(e)?.name, describeError(e)).to.equal("Liquidation_NotRestored");
        ended = false;
      }
      expect(ended, `${label}: endAuction after the bid`).to.equal(margins.endable);
    }
    expect(margins.restored).to.equal(isRestored(params, margins.account.equity, margins.account.mm));
    expect(margins.endable).to.equal(isEndable(params, margins.account.equity, margins.account.mm));
    stats.bids++;
    console.log(
      `      ${label}: E ${fmt(atBid.equity)} MM ${fmt(atBid.mm)} price ${fmt(termsBid.pricePerUnit)} ` +
        `f ${fmt(fraction)} cost ${fmt(flows.cost)} -> E ${fmt(margins.account.equity)} MM ${fmt(margins.account.mm)}` +
        ` restored ${margins.restored} endable ${margins.endable}`,
    );
    return { termsBid, margins, fraction, flows, atBid };
  };

  const fmt = (v: bigint) => (Number(v) / 1e18).toFixed(4);

  const start = async (account: bigint) => {
    await (await x.f.liquidation.connect(x.signers.carol).startAuction(account)).wait();
  };

  const depositFund = async (amountNative: bigint) => {
    await (
      await x.f.ch.connect(x.signers.bob).deposit(x.fundAccount, await x.f.cash.getAddress(), amountNative)
    ).wait();
  };

  it("solvent at t = 0: the price is the mark, a bid of f_max restores the buffer", async function () {
    await depositFund(50_000n * 10n ** 6n);
    await setSpot(ETH, 2300n * WAD);
    await start(x.accounts.alice);
    const r = await checkAndBid(x.accounts.alice, (t) => t.maxFraction, "t=0 f_max");
    expect(r.termsBid.insolvent).to.equal(false);
    expect(r.margins.restored).to.equal(true);
  });

  it("after the fast leg: a partial bid, then f_max of the rest", async function () {
    await depositFund(50_000n * 10n ** 6n);
    await setSpot(ETH, 2500n * WAD);
    await start(x.accounts.alice);
    await advance(700);
    const first = await checkAndBid(x.accounts.alice, (t) => t.maxFraction / 2n, "after the fast leg, f_max/2");
    expect(first.margins.restored).to.equal(false);
    expect(first.flows.toFund).to.be.greaterThan(0n); // the fund's share of the discount
    await advance(300);
    const second = await checkAndBid(x.accounts.alice, (t) => t.maxFraction, "slow leg f_max");
    expect(second.margins.restored).to.equal(true);
  });

  it("late in the slow leg at price 0: a free partial bid, then the whole account", async function () {
    await depositFund(50_000n * 10n ** 6n);
    await setSpot(ETH, 2500n * WAD);
    await start(x.accounts.alice);
    await advance(600 + 100 * 60);
    const first = await checkAndBid(x.accounts.alice, () => (WAD * 3n) / 10n, "price 0, f 0.3");
    expect(first.termsBid.pricePerUnit).to.equal(0n);
    expect(first.termsBid.maxFraction).to.equal(WAD);
    expect(first.flows.toAccount).to.equal(0n);
    await advance(60);
    const second = await checkAndBid(x.accounts.alice, (t) => t.maxFraction, "price 0, whole");
    expect(second.fraction).to.equal(WAD);
    expect(second.margins.account.mm).to.equal(0n);
  });

  it("between MM and the buffer after the curve: bought at the mark less one MM", async function () {
    await depositFund(50_000n * 10n ** 6n);
    await setSpot(ETH, 2300n * WAD);
    await start(x.accounts.alice);
    const [equity, mm] = await x.f.ch.accountHealth(x.accounts.alice);
    const topUp = (mm - equity + mm / 50n) / USDC + 1n; // just above MM, below MM + buffer / 2
    await (await x.f.ch.connect(x.signers.alice).deposit(x.accounts.alice, await x.f.cash.getAddress(), topUp)).wait();
    await advance(DAY);
    // two thirds of f_max: lands between (1 + buffer / 2)·MM (endable) and (1 + buffer)·MM
    const r = await checkAndBid(x.accounts.alice, (t) => (t.maxFraction * 2n) / 3n, "between MM and buffer, 2/3 f_max");
    expect(r.termsBid.maxFraction).to.be.lessThan(WAD);
    expect(r.termsBid.pricePerUnit).to.equal(r.atBid.equity - r.atBid.mm); // d = 1: the mark less one MM
    expect(r.margins.restored).to.equal(false);
    expect(r.margins.endable).to.equal(true);
    const last = await checkAndBid(x.accounts.alice, (t) => t.maxFraction, "between MM and buffer, f_max");
    expect(last.margins.restored).to.equal(true);
  });

  it("insolvent: nothing at first, the fund pays half way and at the cap", async function () {
    await depositFund(50_000n * 10n ** 6n);
    await setSpot(ETH, 3300n * WAD);
    await start(x.accounts.alice);
    const q = await x.f.liquidation.quote(x.accounts.alice);
    expect(q.insolvent).to.equal(true);
    await advance(30 * 60 - 1); // the bid lands at 30 minutes, past the refresh
    const half = await checkAndBid(x.accounts.alice, () => (WAD * 4n) / 10n, "insolvent half way, f 0.4");
    expect(half.termsBid.pricePerUnit).to.be.lessThan(0n);
    expect(half.flows.fromFund).to.be.greaterThan(0n);
    await advance(40 * 60);
    const cap = await checkAndBid(x.accounts.alice, () => WAD, "insolvent at the cap, whole");
    expect(cap.termsBid.pricePerUnit, "capped at MM + |E|").to.equal(-(cap.atBid.mm - cap.atBid.equity));
  });

  it("started solvent, then insolvent: the first bid starts the clock at price 0", async function () {
    await depositFund(50_000n * 10n ** 6n);
    await setSpot(ETH, 2500n * WAD);
    await start(x.accounts.alice);
    await setSpot(ETH, 3300n * WAD);
    expect((await x.f.liquidation.auctionOf(x.accounts.alice)).insolventSince).to.equal(0n);
    const first = await checkAndBid(x.accounts.alice, () => WAD / 2n, "insolvent, clock not started, f 0.5");
    expect(first.termsBid.pricePerUnit).to.equal(0n);
    expect((await x.f.liquidation.auctionOf(x.accounts.alice)).insolventSince).to.not.equal(0n);
    await advance(20 * 60);
    await checkAndBid(x.accounts.alice, () => WAD, "insolvent after 20 minutes, whole");
  });

  it("a fund in deficit: an insolvent bid at the cap drives it negative, a solvent bid pays into it", async function () {
    const dave = await x.openShort(x.signers.dave, 1n, 3000n * WAD);
    expect(await x.f.ch.cashOf(x.fundAccount)).to.equal(0n); // no fees: the fund starts empty
    await setSpot(ETH, 3100n * WAD);
    await start(x.accounts.alice);
    await advance(2 * 3600);
    const cap = await checkAndBid(x.accounts.alice, () => WAD, "empty fund pays the cap");
    expect(cap.termsBid.insolvent).to.equal(true);
    expect(await x.f.ch.cashOf(x.fundAccount)).to.be.lessThan(0n);
    await start(dave);
    await advance(700);
    const solvent = await checkAndBid(dave, (t) => t.maxFraction, "fund in deficit, solvent f_max");
    expect(solvent.termsBid.insolvent).to.equal(false);
    expect(solvent.flows.toFund).to.be.greaterThan(0n);
    expect(await x.f.ch.cashOf(x.fundAccount)).to.be.lessThan(0n);
  });

  it("the dust rule (dustSize raised through the timelock): f_max is the whole account, a partial bid reverts", async function () {
    await depositFund(50_000n * 10n ** 6n);
    const p = await readParams(x.f, await provider().getBlockNumber());
    const params = { ...p, dustSize: 10n ** 24n };
    await x.f.governance.execute(
      x.f.liquidation,
      x.f.liquidation.interface.encodeFunctionData("setAuctionParams", [params]),
    );
    await refresh();
    await setSpot(ETH, 2500n * WAD);
    await start(x.accounts.alice);
    await advance(700);
    const blockTag = await provider().getBlockNumber();
    const [equity, mm] = await x.f.ch.accountHealth(x.accounts.alice, { blockTag });
    const fraction = WAD / 4n;
    let modelError: LiquidationDustResidue | undefined;
    try {
      checkDust(params, fraction, equity, mm);
    } catch (e) {
      modelError = e as LiquidationDustResidue;
    }
    expect(modelError).to.be.instanceOf(LiquidationDustResidue);
    try {
      await x.f.liquidation
        .connect(x.signers.carol)
        .bid.staticCall(x.accounts.alice, x.accounts.carol, fraction, 10n ** 30n, { blockTag });
      expect.fail("a partial bid below the dust size must revert");
    } catch (e) {
      const decoded = decodeBulwarkError(e);
      expect(decoded?.name, describeError(e)).to.equal("Liquidation_DustResidue");
      expect(decoded!.args.map((a) => a.value)).to.deep.equal([
        modelError!.fraction,
        modelError!.residueSize,
        modelError!.dustSize,
      ]);
    }
    const whole = await checkAndBid(x.accounts.alice, (t) => t.maxFraction, "dust: f_max is whole");
    expect(whole.fraction).to.equal(WAD);
  });
});
