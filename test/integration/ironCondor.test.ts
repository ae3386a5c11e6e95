/**
 * End to end through the production deployment (deploy/system.ts with the local config): two makers sign EIP-712
 * orders, one taker fills a 4-leg iron condor atomically, the series expire, a keeper proves the settlement price
 * from Chainlink round history, every account is settled, and each final cash balance equals deposits + premiums −
 * fees + the payoff formula, to the wei (INV-3: settlement is zero-sum; INV-1: the token balance backs every credit).
 */
import { expect } from "chai";
import { network } from "hardhat";

import { localConfig, ETH } from "../../deploy/networks/local.js";
import { deploySystem, toFeedUnits } from "../../deploy/system.js";
import { buildOrder, orderDomain, quoteFill, signOrder, type FeeParams } from "../../sdk/orders.js";
import { encodeSeries } from "../../sdk/series.js";
import { WAD, toWadDown, wad } from "../../sdk/units.js";

const DAY = 86_400n;

async function lifecycleFixture() {
  const { ethers, networkHelpers } = await network.create();
  const sys = await deploySystem(ethers, localConfig);
  const [, alice, bob, carol, keeper] = await ethers.getSigners();
  const ch = sys.clearingHouse;
  const usdc = sys.cash;
  const open = async (who: typeof alice, usd: bigint) => {
    const receipt = await (await ch.connect(who).createAccount()).wait();
    const event = receipt!.logs.map((l) => ch.interface.parseLog(l)).find((e) => e?.name === "AccountCreated");
    const id = event!.args.account as bigint;
    await usdc.mint(who.address, usd * 10n ** 6n);
    await usdc.connect(who).approve(await ch.getAddress(), usd * 10n ** 6n);
    await ch.connect(who).deposit(id, await usdc.getAddress(), usd * 10n ** 6n);
    return id;
  };
  return {
    ethers,
    time: networkHelpers.time,
    sys,
    signers: { alice, bob, carol, keeper },
    accounts: { alice: await open(alice, 50_000n), bob: await open(bob, 30_000n), carol: await open(carol, 5_000n) },
  };
}

describe("integration: iron condor lifecycle (two makers, one taker, expiry, settlement)", () => {
  for (const settle of [wad("2650"), wad("2100"), wad("2400"), wad("3100")]) {
    it(`final balances equal deposits + premiums - fees + payoff to the wei (settles at ${settle / WAD})`, async () => {
      const { ethers, time, sys, signers, accounts } = await lifecycleFixture();
      const { clearingHouse: ch, exchange, settlementOracle } = sys;
      const ethFeed = sys.feeds.ETH!;
      const t0 = BigInt(await time.latest());
      const expiry = ((t0 + 7n * DAY) / DAY) * DAY + 8n * 3600n;
      const size = wad("10");
      // Carol sells the 2200P/2600C body to Alice and buys the 2000P/2800C wings from Bob.
      const legs = [
        { strike: wad("2000"), isCall: false, maker: "bob", makerBuys: false, price: wad("1.5") },
        { strike: wad("2200"), isCall: false, maker: "alice", makerBuys: true, price: wad("14.25") },
        { strike: wad("2600"), isCall: true, maker: "alice", makerBuys: true, price: wad("18.2") },
        { strike: wad("2800"), isCall: true, maker: "bob", makerBuys: false, price: wad("3.05") },
      ] as const;
      const domain = orderDomain((await ethers.provider.getNetwork()).chainId, await exchange.getAddress());
      const [makerFeeRate, takerFeeRate, premiumFeeCap] = await exchange.feeParams();
      const fees: FeeParams = { makerFeeRate, takerFeeRate, premiumFeeCap };
      expect(makerFeeRate).to.be.greaterThan(0n); // fees are on: the reconciliation below must account for them

      const expected = { alice: 50_000n * WAD, bob: 30_000n * WAD, carol: 5_000n * WAD };
      let feesTotal = 0n;
      const fills = [];
      for (const leg of legs) {
        const order = buildOrder({
          account: accounts[leg.maker],
          series: encodeSeries({ underlying: ETH, expiry, strike: leg.strike, isCall: leg.isCall }),
          isBuy: leg.makerBuys,
          size,
          limitPrice: leg.price,
          deadline: t0 + DAY,
        });
        fills.push({ maker: await signOrder(signers[leg.maker], domain, order), fillSize: size });
        // every leg opens a new position on both sides of a capped series (the local config caps ETH), so each side
        // pays at least the exchange's fee floor on the whole size
        const q = quoteFill(order, size, fees, size);
        const [buyer, seller] = leg.makerBuys ? [leg.maker, "carol" as const] : ["carol" as const, leg.maker];
        expected[buyer] -= q.buyerPays;
        expected[seller] += q.sellerReceives;
        feesTotal += q.makerFee + q.takerFee;
        // Payoff at expiry: the buyer receives size × intrinsic from the seller.
        const intrinsic = leg.isCall
          ? settle > leg.strike
            ? settle - leg.strike
            : 0n
          : leg.strike > settle
            ? leg.strike - settle
            : 0n;
        const payoff = (size * intrinsic) / WAD;
        expected[buyer] += payoff;
        expected[seller] -= payoff;
      }

      // Atomic 4-leg fill: one transaction, one check per touched account.
      await expect(exchange.connect(signers.carol).fill(accounts.carol, fills)).to.emit(ch, "TradeApplied");
      for (const leg of legs) {
        const series = encodeSeries({ underlying: ETH, expiry, strike: leg.strike, isCall: leg.isCall });
        const carolSide = leg.makerBuys ? -size : size;
        expect(await ch.positionOf(accounts.carol, series)).to.equal(carolSide);
        expect(await ch.positionOf(accounts[leg.maker], series)).to.equal(-carolSide);
        expect(await ch.openInterest(series)).to.equal(size); // INV-2
      }
      // Defined risk: Carol's requirement never exceeds the 200-wide wings' maximum loss.
      const [, carolIm] = await ch.accountMargin(accounts.carol);
      expect(carolIm).to.be.lessThanOrEqual(200n * size);

      // Expiry: one round before expiry, the first round at/after it carries the settlement price.
      await time.increaseTo(expiry - 600n);
      await (await ethFeed.updateAnswer(toFeedUnits((settle * 99n) / 100n, 8))).wait();
      await time.increaseTo(expiry + 30n);
      await (await ethFeed.updateAnswer(toFeedUnits(settle, 8))).wait();
      const round = await ethFeed.latestRoundId();
      await expect(settlementOracle.connect(signers.keeper).recordSettlementPrice(ETH, expiry, round)).to.emit(
        settlementOracle,
        "SettlementPriceRecorded",
      );
      const [recorded, isRecorded] = await settlementOracle.settlementPrice(ETH, expiry);
      expect(isRecorded).to.equal(true);
      expect(recorded).to.equal(settle);
      // Final: a second record attempt cannot change it.
      await expect(
        settlementOracle.connect(signers.keeper).recordSettlementPrice(ETH, expiry, round),
      ).to.be.revertedWithCustomError(settlementOracle, "Settlement_AlreadyRecorded");

      await ch.connect(signers.keeper).settleAccounts([accounts.alice, accounts.bob, accounts.carol]);

      for (const name of ["alice", "bob", "carol"] as const) {
        expect(await ch.cashOf(accounts[name]), `${name}'s cash`).to.equal(expected[name]);
        expect((await ch.positionsOf(accounts[name]))[0]).to.have.length(0); // settled positions freed the cap
      }
      const feeCash = (await ch.cashOf(await ch.feeAccount())) + (await ch.cashOf(await ch.insuranceAccount()));
      expect(feeCash).to.equal(feesTotal);
      // INV-3: payoffs cancel exactly across the three accounts (whole-cent strikes and prices: no rounding dust).
      expect(expected.alice + expected.bob + expected.carol + feesTotal).to.equal(85_000n * WAD);
      // INV-1: the clearing house holds exactly what it owes.
      const held = toWadDown(await sys.cash.balanceOf(await ch.getAddress()), 6);
      expect(held).to.equal(expected.alice + expected.bob + expected.carol + feeCash);
    });
  }
});
