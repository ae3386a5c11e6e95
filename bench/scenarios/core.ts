/**
 * Clearing-house gas: account creation, custody, and the margin check at 1/16/32/64/128 positions.
 * Real oracle contracts (ChainlinkOracle, VolatilityOracle, SettlementOracle, SequencerGuard) read MockAggregator
 * feeds; positions come through TestExchangeModule. Portfolio shape: see `trade` below (half short, 8 legs per
 * (underlying, expiry) group, one underlying up to 64 positions, two at 128).
 */
import type { Scenario } from "../lib.js";

const ETH = 1;
const BTC = 2;
const WAD = 10n ** 18n;
const DAY = 86_400;
const OFFSET = 8 * 3600;

function seriesId(underlying: number, expiry: number, strikeWad: bigint, isCall: boolean): bigint {
  return (BigInt(underlying) << 144n) | (BigInt(expiry) << 104n) | (strikeWad << 8n) | (isCall ? 1n : 0n);
}

const scenario: Scenario = async ({ ethers, tx, exec }) => {
  const [admin, user, other] = await ethers.getSigners();
  const adminAddr = await admin.getAddress();

  const usdc = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", 6]);
  const weth = await ethers.deployContract("MockERC20", ["Wrapped Ether", "WETH", 18]);
  const ethFeed = await ethers.deployContract("MockAggregator", [8, "ETH / USD"]);
  const btcFeed = await ethers.deployContract("MockAggregator", [8, "BTC / USD"]);
  const guard = await ethers.deployContract("SequencerGuard", [ethers.ZeroAddress, 3600]);
  const oracle = await ethers.deployContract("ChainlinkOracle", [adminAddr, await guard.getAddress()]);
  const vol = await ethers.deployContract("VolatilityOracle", [adminAddr]);
  const settlement = await ethers.deployContract("SettlementOracle", [
    await oracle.getAddress(),
    adminAddr,
    3600,
    2 * DAY,
  ]);
  const ch = await ethers.deployContract("ClearingHouse", [
    adminAddr,
    await usdc.getAddress(),
    await oracle.getAddress(),
    await vol.getAddress(),
    await settlement.getAddress(),
    adminAddr,
    adminAddr,
  ]);
  const chAddr = await ch.getAddress();
  const exchange = await ethers.deployContract("TestExchangeModule", [chAddr]);

  const now = async (): Promise<number> => (await ethers.provider.getBlock("latest"))!.timestamp;
  for (const [feed, price] of [
    [ethFeed, 2000n],
    [btcFeed, 60_000n],
  ] as const) {
    const t = await now();
    await (await feed.pushRound(price * 10n ** 8n, t)).wait();
    await (await feed.pushRound(price * 10n ** 8n, t)).wait();
  }
  await (await oracle.grantRole(await oracle.RISK_ADMIN_ROLE(), adminAddr)).wait();
  await (await vol.grantRole(await vol.RISK_ADMIN_ROLE(), adminAddr)).wait();
  await (await vol.grantRole(await vol.VOL_UPDATER_ROLE(), adminAddr)).wait();
  const feedParams = (feed: string, min: bigint, max: bigint) => ({
    feed,
    heartbeat: DAY,
    fallbackFeed: ethers.ZeroAddress,
    fallbackHeartbeat: 0,
    minPriceWad: min * WAD,
    maxPriceWad: max * WAD,
    maxDeviationWad: WAD / 2n,
    confirmations: 1,
  });
  await (await oracle.listUnderlying(ETH, feedParams(await ethFeed.getAddress(), 100n, 100_000n))).wait();
  await (await oracle.listUnderlying(BTC, feedParams(await btcFeed.getAddress(), 1000n, 1_000_000n))).wait();
  for (const u of [ETH, BTC]) {
    await (
      await vol.listUnderlying(u, {
        maxAgeSec: 7 * DAY,
        staleVolWad: 2n * WAD,
        maxMoveWad: 0,
      })
    ).wait();
  }
  await (await vol.setVol(ETH, (8n * WAD) / 10n)).wait();
  await (await vol.setVol(BTC, (6n * WAD) / 10n)).wait();

  const grid = (step: bigint) => ({
    imBase: (15n * WAD) / 100n,
    imFloor: WAD / 10n,
    mmBase: WAD / 10n,
    mmFloor: (75n * WAD) / 1000n,
    rate: 0,
    expiryPeriod: DAY,
    expiryOffset: OFFSET,
    maxHorizon: 365 * DAY,
    strikeStep: step,
    minStrike: step,
    maxStrike: step * 1_000_000n,
  });
  await (await ch.setUnderlyingParams(ETH, grid(WAD))).wait();
  await (await ch.setUnderlyingParams(BTC, grid(1000n * WAD))).wait();
  await (await ch.listCollateral(await weth.getAddress(), ETH, WAD / 10n, WAD / 20n, 1_000_000n * WAD)).wait();
  await (await ch.setExchange(await exchange.getAddress())).wait();
  await (await ch.setPositionCap(128)).wait();

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

  for (const n of [1, 16, 32, 64, 128]) {
    const account = n === 16 ? acc16 : await portfolio(n);
    results[`marginCheck.${n}`] = await exec(chAddr, ch.interface.encodeFunctionData("accountMargin", [account]));
  }
  // INV-8's worst shape: 128 positions in MAX_GROUP_CAP (32) expiry groups over both underlyings, 4 legs each.
  await (await ch.setGroupCap(await ch.MAX_GROUP_CAP())).wait();
  const worst = await portfolio(128, 4);
  results["marginCheck.worst"] = await exec(chAddr, ch.interface.encodeFunctionData("accountMargin", [worst]));
  return results;
};
export default scenario;
