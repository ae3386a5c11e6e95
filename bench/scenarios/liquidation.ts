/**
 * Liquidation gas: starting an auction and bidding on it (docs/liquidation.md).
 * Accounts are all-short strangles kept just above initial margin, then the market moves against them: up 1% at a
 * time until the account is below maintenance (solvent cases) or has negative equity (insolvent case). Each case
 * starts from the same snapshot. The bidder is a fresh account holding none of the series, so every position it takes
 * is a new storage slot (with two evaluations, the dominant cost; see docs/liquidation.md §6).
 * - `auction.start.16`: 16 short positions in 2 expiry groups of 8 legs on 4 strikes (the pricing structure of
 *   `marginCheck.16`); `auction.bid.16`:
 *   the largest fraction the auction allows then; `.8groups`: the same 16 positions over 8 groups of 2 legs;
 * - `auction.bid.insolvent.16`: the whole insolvent account, 45 minutes into the fund's payment curve;
 * - `auction.bid.128`: the position cap in its worst shape (32 groups over both underlyings), largest fraction.
 */
import type { Scenario } from "../lib.js";
import { BTC, DAY, ETH, OFFSET, WAD, deployCore, seriesId } from "../system.js";

const scenario: Scenario = async ({ ethers, tx }) => {
  const { admin, user, other, usdc, ethFeed, btcFeed, risk, ch, chAddr, exchange, now } = await deployCore(ethers);
  const bidder = (await ethers.getSigners())[3]!;
  const liq = await ethers.deployContract("LiquidationModule", [
    chAddr,
    await admin.getAddress(),
    {
      fastDuration: 600,
      slowDuration: 7200,
      insolventDuration: 3600,
      fastDiscount: WAD / 10n,
      buffer: WAD / 10n,
      insolventCap: WAD,
      fundFeeShare: WAD / 10n,
      deepRatio: WAD / 2n,
      dustSize: 100n * WAD,
    },
  ]);
  await (await ch.setLiquidationModule(await liq.getAddress())).wait();
  await (await risk.setGroupCap(32)).wait();
  for (const s of [user, other, bidder, admin]) {
    await (await usdc.mint(await s.getAddress(), 10n ** 30n)).wait();
    await (await usdc.connect(s).approve(chAddr, 10n ** 30n)).wait();
  }
  const cash = await usdc.getAddress();
  const newAccount = async (signer: typeof user, deposit: bigint): Promise<bigint> => {
    const id = (await ch.accountCount()) + 1n;
    await (await ch.connect(signer).createAccount()).wait();
    if (deposit > 0n) await (await ch.connect(signer).deposit(id, cash, deposit)).wait();
    return id;
  };

  const t0 = await now();
  const day0 = Math.floor(t0 / DAY) * DAY + OFFSET;
  const firstExpiry = day0 <= t0 ? day0 + DAY : day0;
  /**
   * All-short books: `groups` weekly expiries per underlying listed, `legs` each (see the ladder below).
   */
  const shortBook = async (groupsPerUnderlying: number, underlyings: number[], legs: 2 | 4 | 8): Promise<bigint> => {
    const account = await newAccount(user, 100_000_000n * 10n ** 6n);
    const counterparty = await newAccount(other, 100_000_000n * 10n ** 6n);
    const trades = [];
    for (const u of underlyings) {
      const spot = u === ETH ? 2000n : 60_000n;
      for (let g = 0; g < groupsPerUnderlying; g++) {
        const expiry = firstExpiry + 7 * DAY * (g + 1);
        // 2 and 4 legs: strangles (calls above spot, puts below); 8 legs: a call and a put at each of 4 strikes, the
        // pricing structure of marginCheck.16 (one Black-Scholes evaluation per strike)
        const ladder: [bigint, boolean][] =
          legs === 8
            ? [105n, 95n, 110n, 90n].flatMap((pct): [bigint, boolean][] => [
                [pct, true],
                [pct, false],
              ])
            : [
                [110n, true],
                [90n, false],
                [120n, true],
                [80n, false],
              ];
        const strikes = ladder.slice(0, legs).map(([pct, isCall]) => [(spot * pct) / 100n, isCall] as const);
        for (const [k, isCall] of strikes) {
          trades.push({
            buyer: counterparty,
            seller: account,
            series: seriesId(u, expiry, k * WAD, isCall),
            size: WAD,
            premium: 0n,
            buyerFee: 0n,
            sellerFee: 0n,
          });
        }
      }
    }
    for (let i = 0; i < trades.length; i += 32) await (await exchange.applyTrades(trades.slice(i, i + 32))).wait();
    // keep 10 above initial margin
    const [equity, im] = await ch.accountMargin(account);
    const excess = (equity - im - 10n * WAD) / 10n ** 12n;
    await (await ch.connect(user).withdraw(account, cash, excess, await user.getAddress())).wait();
    return account;
  };
  // 16 positions as in marginCheck.16 (2 expiry groups of 8 legs), and spread over 8 groups (2 legs each)
  const acc16 = await shortBook(2, [ETH], 8);
  const acc16g8 = await shortBook(8, [ETH], 2);
  const acc128 = await shortBook(16, [ETH, BTC], 4);
  const bidderAcc = await newAccount(bidder, 1_000_000_000n * 10n ** 6n);
  await (await ch.connect(admin).deposit(await ch.insuranceAccount(), cash, 10_000_000n * 10n ** 6n)).wait();

  const prices: Record<number, bigint> = { [ETH]: 2000n, [BTC]: 60_000n };
  const push = async (u: number, price: bigint) => {
    const feed = u === ETH ? ethFeed : btcFeed;
    const t = await now();
    await (await feed.pushRound(price * 10n ** 8n, t)).wait();
    await (await feed.pushRound(price * 10n ** 8n, t)).wait();
  };
  /** Moves the listed markets up 1% at a time until `done(equity, mm)` holds for `account`. */
  const moveUntil = async (account: bigint, underlyings: number[], done: (e: bigint, mm: bigint) => boolean) => {
    for (let step = 0; step < 200; step++) {
      const [equity, mm] = await ch.accountHealth(account);
      if (done(equity, mm)) return;
      for (const u of underlyings) {
        prices[u] = (prices[u]! * 101n) / 100n;
        await push(u, prices[u]!);
      }
    }
    throw new Error(`liquidation bench: account ${account} never reached its state`);
  };
  const largestBid = async (account: bigint) => {
    const q = await liq.quote(account);
    return tx(liq.connect(bidder).bid(account, bidderAcc, q.maxFraction, 2n ** 255n - 1n));
  };

  const results: Record<string, Awaited<ReturnType<typeof tx>>> = {};
  const base = await ethers.provider.send("evm_snapshot", []);

  // solvent, below maintenance
  await moveUntil(acc16, [ETH], (e, mm) => e < mm);
  if ((await ch.accountHealth(acc16))[0] <= 0n) throw new Error("liquidation bench: acc16 went insolvent");
  results["auction.start.16"] = await tx(liq.startAuction(acc16));
  results["auction.bid.16"] = await largestBid(acc16);
  await ethers.provider.send("evm_revert", [base]);

  // the same 16 positions over 8 expiry groups: each group costs its own vol read and pricing, in both evaluations
  const baseGroups = await ethers.provider.send("evm_snapshot", []);
  await moveUntil(acc16g8, [ETH], (e, mm) => e < mm);
  if ((await ch.accountHealth(acc16g8))[0] <= 0n) throw new Error("liquidation bench: acc16g8 went insolvent");
  results["auction.start.16.8groups"] = await tx(liq.startAuction(acc16g8));
  results["auction.bid.16.8groups"] = await largestBid(acc16g8);
  await ethers.provider.send("evm_revert", [baseGroups]);

  // insolvent: the fund pays
  const base2 = await ethers.provider.send("evm_snapshot", []);
  await moveUntil(acc16, [ETH], (e) => e < 0n);
  await (await liq.startAuction(acc16)).wait();
  await ethers.provider.send("evm_increaseTime", [45 * 60]);
  await ethers.provider.send("evm_mine", []);
  results["auction.bid.insolvent.16"] = await tx(liq.connect(bidder).bid(acc16, bidderAcc, WAD, 2n ** 255n - 1n));
  await ethers.provider.send("evm_revert", [base2]);

  // the position cap, worst shape
  await moveUntil(acc128, [ETH, BTC], (e, mm) => e < mm);
  if ((await ch.accountHealth(acc128))[0] <= 0n) throw new Error("liquidation bench: acc128 went insolvent");
  await (await liq.startAuction(acc128)).wait();
  results["auction.bid.128"] = await largestBid(acc128);
  return results;
};
export default scenario;
