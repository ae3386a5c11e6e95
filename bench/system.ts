/**
 * The clearing-house system the gas scenarios measure: real oracle contracts (ChainlinkOracle, VolatilityOracle,
 * SettlementOracle, SequencerGuard) on MockAggregator feeds (ETH 2000, BTC 60,000, vols 80% / 60%), RiskConfig with
 * the stress-tested minima, ClearingHouse, and TestExchangeModule so scenarios apply trades directly. Deployment order
 * is fixed: addresses end up in calldata, and calldata moves gas.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

export const ETH = 1;
export const BTC = 2;
export const WAD = 10n ** 18n;
export const DAY = 86_400;
export const OFFSET = 8 * 3600;

export function seriesId(underlying: number, expiry: number, strikeWad: bigint, isCall: boolean): bigint {
  return (BigInt(underlying) << 144n) | (BigInt(expiry) << 104n) | (strikeWad << 8n) | (isCall ? 1n : 0n);
}

export async function deployCore(ethers: HardhatEthers) {
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
  const risk = await ethers.deployContract("RiskConfig", [
    adminAddr,
    await oracle.getAddress(),
    await usdc.getAddress(),
  ]);
  const ch = await ethers.deployContract("ClearingHouse", [
    adminAddr,
    await usdc.getAddress(),
    await oracle.getAddress(),
    await vol.getAddress(),
    await settlement.getAddress(),
    await risk.getAddress(),
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
  await (await risk.setUnderlyingParams(ETH, grid(WAD))).wait();
  await (await risk.setUnderlyingParams(BTC, grid(1000n * WAD))).wait();
  await (await risk.listCollateral(await weth.getAddress(), ETH, WAD / 10n, WAD / 20n, 1_000_000n * WAD)).wait();
  await (await ch.setExchange(await exchange.getAddress())).wait();
  await (await risk.setPositionCap(128)).wait();

  return {
    admin,
    user,
    other,
    usdc,
    weth,
    ethFeed,
    btcFeed,
    guard,
    oracle,
    vol,
    settlement,
    risk,
    ch,
    chAddr,
    exchange,
    now,
  };
}
