/**
 * Clearing-house gas: account creation, custody, and the margin check at 1/8/16/32/64/128 positions.
 * Real oracle contracts (ChainlinkOracle, VolatilityOracle, SettlementOracle, SequencerGuard) read MockAggregator
 * feeds; positions come through TestExchangeModule. Portfolio shape: see `trade` below (half short, 8 legs per
 * (underlying, expiry) group, one underlying up to 64 positions, two at 128).
 */
import type { Scenario } from "../lib.js";
import { BTC, DAY, ETH, OFFSET, WAD, deployCore, seriesId } from "../system.js";

const scenario: Scenario = async ({ ethers, tx, exec }) => {
  const { user, other, usdc, weth, risk, ch, chAddr, exchange, now } = await deployCore(ethers);

  const chUser = ch.connect(user);
  const usdcUser = usdc.connect(user);
  await (await usdc.mint(await user.getAddress(), 10n ** 30n)).wait();
  await (await usdc.mint(await other.getAddress(), 10n ** 30n)).wait();
  await (await usdcUser.approve(chAddr, 10n ** 30n)).wait();
  await (await usdc.connect(other).approve(chAddr, 10n ** 30n)).wait();

  const created: bigint[] = [];
  const newAccount = async (signer: typeof user): Promise<bigint> => {
    const id = (await ch.accountCount()) + 1n;
    await (await ch.connect(signer).createAccount()).wait();
    created.push(id);
    return id;
  };

  const results: Record<string, Awaited<ReturnType<typeof tx>>> = {};
  results["account.create"] = await tx(chUser.createAccount());

  // deposit.cash: the account (and the clearing house) already hold cash
  const cashAcc = await newAccount(user);
  await (await chUser.deposit(cashAcc, await usdc.getAddress(), 1_000n * 10n ** 6n)).wait();
  results["deposit.cash"] = await tx(chUser.deposit(cashAcc, await usdc.getAddress(), 1_000n * 10n ** 6n));

  // deposit.collateral: the account already holds WETH
  await (await weth.mint(await user.getAddress(), 100n * WAD)).wait();
  await (await weth.connect(user).approve(chAddr, 100n * WAD)).wait();
  await (await chUser.deposit(cashAcc, await weth.getAddress(), WAD)).wait();
  results["deposit.collateral"] = await tx(chUser.deposit(cashAcc, await weth.getAddress(), WAD));

  // portfolios
  const t0 = await now();
  const firstExpiry = Math.floor(t0 / DAY) * DAY + OFFSET + (Math.floor(t0 / DAY) * DAY + OFFSET <= t0 ? DAY : 0);
  // Position i: group g = i / 8 holds 8 legs (4 strikes x call/put, strikes alternately long and short); groups fill
  // ETH's 8 weekly expiries first, then BTC's. So N positions span N/8 groups and one underlying up to N = 64.
  // Worst case (`perGroup` = 4, 32 groups): the cap's positions spread over MAX_GROUP_CAP groups on both underlyings.
  const trade = (account: bigint, counterparty: bigint, i: number, perGroup = 8) => {
    const groupsPerUnderlying = 64 / perGroup;
    const g = Math.floor(i / perGroup);
    const j = i % perGroup;
    const underlying = g < groupsPerUnderlying ? ETH : BTC;
    const expiry = firstExpiry + 7 * DAY * ((g % groupsPerUnderlying) + 1);
    const k = BigInt(Math.floor(j / 2));
    const strike = underlying === ETH ? 1800n * WAD + k * 100n * WAD : 54_000n * WAD + k * 3000n * WAD;
    const series = seriesId(underlying, expiry, strike, j % 2 === 0);
    const short = Math.floor(j / 2) % 2 === 1;
    return {
      buyer: short ? counterparty : account,
      seller: short ? account : counterparty,
      series,
      size: WAD,
      premium: 0n,
      buyerFee: 0n,
      sellerFee: 0n,
    };
  };
  const portfolio = async (n: number, perGroup = 8): Promise<bigint> => {
    const account = await newAccount(user);
    const counterparty = await newAccount(other);
    await (await chUser.deposit(account, await usdc.getAddress(), 10_000_000n * 10n ** 6n)).wait();
    await (await ch.connect(other).deposit(counterparty, await usdc.getAddress(), 10_000_000n * 10n ** 6n)).wait();
    for (let start = 0; start < n; start += 32) {
      const legs = [];
      for (let i = start; i < Math.min(n, start + 32); i++) legs.push(trade(account, counterparty, i, perGroup));
      await (await exchange.applyTrades(legs)).wait();
    }
    return account;
  };

  const acc16 = await portfolio(16);
  results["withdraw.cash"] = await tx(
    chUser.withdraw(acc16, await usdc.getAddress(), 100n * 10n ** 6n, await user.getAddress()),
  );

  for (const n of [1, 8, 16, 32, 64, 128]) {
    const account = n === 16 ? acc16 : await portfolio(n);
    results[`marginCheck.${n}`] = await exec(chAddr, ch.interface.encodeFunctionData("accountMargin", [account]));
  }
  // INV-8's worst shape: 128 positions in MAX_GROUP_CAP (32) expiry groups over both underlyings, 4 legs each.
  await (await risk.setGroupCap(await risk.MAX_GROUP_CAP())).wait();
  const worst = await portfolio(128, 4);
  results["marginCheck.worst"] = await exec(chAddr, ch.interface.encodeFunctionData("accountMargin", [worst]));
  return results;
};
export default scenario;
