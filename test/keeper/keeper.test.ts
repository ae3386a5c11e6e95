/**
 * The keeper's tasks on the embedded network, through the production deployment (deploy/system.ts via the core
 * fixture): expiry → one pass records the settlement price and settles; a price move → one pass starts the auction,
 * and once the Dutch price has decayed enough a pass bids the largest fraction the keeper's account carries and ends
 * the auction; a guardian halt is reported once.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { KeeperConfigError, defaultKeeperConfig, loadKeeperConfig } from "../../keeper/config.js";
import { type KeeperAction, formatAction } from "../../keeper/context.js";
import { contractsFromSystem, createKeeperContext, runPass } from "../../keeper/keeper.js";
import { bidMarkGain, gasCostWad } from "../../keeper/tasks/liquidation.js";
import { blackScholes } from "../../sdk/model/index.js";
import { buildOrder, signOrder } from "../../sdk/orders.js";
import { DAY, ETH, WAD, deployTestSystem, seriesId, testConfig } from "../core/fixture.js";

const USDC = 10n ** 6n;

async function setup() {
  const { ethers, networkHelpers } = await network.create();
  const t = await deployTestSystem(ethers, testConfig({ fees: null }));
  const [, alice, carol, keeperSigner] = await ethers.getSigners();
  const alices = await t.openAccount(alice!, 100_000n * USDC);
  const carols = await t.openAccount(carol!, 8_000n * USDC);

  /** Alice buys `size` ETH calls from Carol (the taker) at the model price. */
  const carolSellsCalls = async (expiry: number, strike: bigint, size: bigint) => {
    const now = await t.now();
    const { call } = blackScholes(2000n * WAD, strike, BigInt(expiry - now), 6n * 10n ** 17n, 0n);
    const limitPrice = (call / 10n ** 16n) * 10n ** 16n;
    const order = buildOrder({
      account: alices,
      series: seriesId(ETH, expiry, strike, true),
      isBuy: true,
      size,
      limitPrice,
      deadline: BigInt(now + DAY),
    });
    await (
      await t.exchange
        .connect(carol!)
        .fill(carols, [{ maker: await signOrder(alice!, t.domain, order), fillSize: size }])
    ).wait();
  };

  const actions: KeeperAction[] = [];
  const keeperFor = async (signer: HardhatEthersSigner, account?: bigint) =>
    createKeeperContext({
      provider: ethers.provider,
      signer,
      contracts: contractsFromSystem(t, signer),
      config: defaultKeeperConfig({ account, verbose: true }),
      log: (a) => {
        actions.push(a);
        if (process.env.KEEPER_TEST_LOG) console.log(formatAction(a));
      },
    });
  return {
    ethers,
    networkHelpers,
    t,
    alice: alice!,
    carol: carol!,
    keeperSigner: keeperSigner!,
    alices,
    carols,
    carolSellsCalls,
    actions,
    keeperFor,
  };
}

const ok = (actions: KeeperAction[], action: string) => actions.filter((a) => a.action === action && a.status === "ok");

describe("keeper", () => {
  before(async function () {
    this.timeout(600_000); // the first network of a process can take minutes to start on a loaded machine
    await network.create();
  });

  it("after an expiry, one pass records the settlement price and settles the accounts", async () => {
    const { t, networkHelpers, alices, carols, carolSellsCalls, keeperSigner, keeperFor } = await setup();
    const expiry = t.expiryAfter(await t.now(), 2);
    await carolSellsCalls(expiry, 2000n * WAD, WAD);
    expect((await t.ch.positionsOf(carols))[0].length).to.equal(1);

    await networkHelpers.time.increaseTo(expiry + 30);
    await t.setPrice(ETH, 2100n * WAD); // the first round at or after expiry
    const keeper = await keeperFor(keeperSigner);
    const pass = await runPass(keeper);

    const recorded = ok(pass.actions, "record-price");
    expect(recorded).to.have.length(1);
    expect(recorded[0]!.fields.priceWad).to.equal(2100n * WAD);
    expect(await t.settlementOracle.settlementPrice(ETH, expiry)).to.deep.equal([2100n * WAD, true]);
    const settled = ok(pass.actions, "settle-accounts");
    expect(settled).to.have.length(1);
    expect(settled[0]!.fields.accounts).to.equal(`${alices},${carols}`);
    expect((await t.ch.positionsOf(alices))[0]).to.have.length(0);
    expect((await t.ch.positionsOf(carols))[0]).to.have.length(0);

    // idempotent: the next pass finds nothing left to record or settle
    await networkHelpers.mine();
    const again = await runPass(keeper);
    expect(again.actions.filter((a) => a.task === "settlement" || a.task === "settle")).to.have.length(0);
  });

  it("starts an auction below MM, then bids the fraction its account carries when profitable and ends it", async () => {
    const { t, networkHelpers, carols, carolSellsCalls, keeperSigner, keeperFor, actions } = await setup();
    const expiry = t.expiryAfter(await t.now(), 7);
    await carolSellsCalls(expiry, 2000n * WAD, 10n * WAD);
    let price = 2000n * WAD;
    for (;;) {
      const [equity, mm] = await t.ch.accountHealth(carols);
      if (equity < BigInt(mm)) {
        expect(equity).to.be.greaterThan(0n); // the solvent phase
        break;
      }
      price = (price * 102n) / 100n;
      await t.setPrice(ETH, price);
    }

    const keeperAccount = await t.openAccount(keeperSigner, 50_000n * USDC);
    const keeper = await keeperFor(keeperSigner, keeperAccount);
    const first = await runPass(keeper);
    expect(ok(first.actions, "start-auction")).to.have.length(1);
    expect((await t.liquidation.auctionOf(carols)).startedAt).to.be.greaterThan(0n);
    // at the start the price is the mark value: nothing to gain, no bid
    expect(ok(first.actions, "bid")).to.have.length(0);

    await networkHelpers.time.increase(600); // end of the fast leg: a 10 % discount of MM
    await t.setPrice(ETH, price); // keep the feed fresh
    const second = await runPass(keeper);
    const bids = ok(second.actions, "bid");
    expect(bids, JSON.stringify(actions.map((a) => [a.action, a.status, a.error]))).to.have.length(1);
    const bid = bids[0]!;
    expect(bid.fields.profitWad as bigint).to.be.greaterThan(keeper.config.minProfitWad);
    expect(ok(second.actions, "end-auction")).to.have.length(1);

    expect((await t.liquidation.auctionOf(carols)).startedAt).to.equal(0n);
    expect(await t.ch.inAuction(carols)).to.equal(false);
    const [equity, mm] = await t.ch.accountHealth(carols);
    expect(equity).to.be.greaterThanOrEqual(BigInt(mm)); // restored
    const [keeperEquity, keeperIm] = await t.ch.accountMargin(keeperAccount);
    expect(keeperEquity).to.be.greaterThanOrEqual(BigInt(keeperIm)); // the keeper stays above IM
    expect((await t.ch.positionsOf(keeperAccount))[0]).to.have.length(1);
  });

  it("bids only the fraction a thinly funded keeper account can carry", async () => {
    const { t, networkHelpers, carols, carolSellsCalls, keeperSigner, keeperFor } = await setup();
    const expiry = t.expiryAfter(await t.now(), 7);
    await carolSellsCalls(expiry, 2000n * WAD, 10n * WAD);
    let price = 2000n * WAD;
    while (true) {
      const [equity, mm] = await t.ch.accountHealth(carols);
      if (equity < BigInt(mm)) break;
      price = (price * 102n) / 100n;
      await t.setPrice(ETH, price);
    }
    const keeperAccount = await t.openAccount(keeperSigner, 600n * USDC);
    const keeper = await keeperFor(keeperSigner, keeperAccount);
    await runPass(keeper);
    await networkHelpers.time.increase(600);
    await t.setPrice(ETH, price);
    const before = await t.liquidation.quote(carols);
    const pass = await runPass(keeper);
    const bids = ok(pass.actions, "bid");
    expect(bids.length).to.be.greaterThanOrEqual(1);
    const taken = bids.reduce((sum, b) => sum + (b.fields.fraction as bigint), 0n);
    expect(taken).to.be.lessThan(before.maxFraction);
    expect((await t.liquidation.auctionOf(carols)).startedAt).to.be.greaterThan(0n); // not restored: stays live
    const [keeperEquity, keeperIm] = await t.ch.accountMargin(keeperAccount);
    expect(keeperEquity).to.be.greaterThanOrEqual(BigInt(keeperIm));
  });

  it("reports a market halt once", async () => {
    const { ethers, t, networkHelpers, keeperSigner, keeperFor } = await setup();
    const keeper = await keeperFor(keeperSigner);
    const start = await runPass(keeper);
    expect(start.actions.filter((a) => a.action === "market-mode" && a.fields.market === ETH)[0]!.fields.mode).to.equal(
      "Active",
    );
    const guardian = await ethers.getSigner(t.roles.guardian);
    await (await t.oracle.connect(guardian).setModeOverride(ETH, 2)).wait();
    const halts: KeeperAction[] = [];
    for (let i = 0; i < 3; i++) {
      const pass = await runPass(keeper);
      halts.push(...pass.actions.filter((a) => a.action === "market-mode" && a.fields.market === ETH));
      await networkHelpers.mine();
    }
    expect(halts).to.have.length(1);
    expect(halts[0]!.fields.mode).to.equal("Halted");
    expect(halts[0]!.fields.override).to.equal("Halted");
    expect(halts[0]!.fields.previous).to.equal("Active");
  });

  it("validates its configuration and prices gas", () => {
    expect(() => loadKeeperConfig({ KEEPER_MIN_PROFIT: "lots" })).to.throw(KeeperConfigError, "KEEPER_MIN_PROFIT");
    expect(() => loadKeeperConfig({ KEEPER_ACCOUNT: "0" })).to.throw(KeeperConfigError, "KEEPER_ACCOUNT");
    expect(() => loadKeeperConfig({ KEEPER_TASKS: "settle,fly" })).to.throw(KeeperConfigError, "fly");
    expect(loadKeeperConfig({ KEEPER_ONCE: "1", KEEPER_ACCOUNT: "7" })).to.include({ once: true, account: 7n });
    // solvent: gain is the discount; insolvent (cost < 0: the fund pays 300) minus the hole taken (f·|E| = 100)
    expect(bidMarkGain(1000n * WAD, WAD / 2n, 400n * WAD)).to.equal(100n * WAD);
    expect(bidMarkGain(-200n * WAD, WAD / 2n, -300n * WAD)).to.equal(200n * WAD);
    expect(gasCostWad(500_000n, 10n ** 9n, 2000n * WAD)).to.equal(WAD); // 0.0005 ETH at $2,000
  });
});
