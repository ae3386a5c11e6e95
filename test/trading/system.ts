/**
 * Deploys the real trading stack on a Hardhat network for TypeScript tests and the gas benchmark: MockERC20 cash
 * (6 decimals), a MockAggregator ETH/USD feed (8 decimals) at 2000, SequencerGuard (no uptime feed), ChainlinkOracle,
 * VolatilityOracle (80%), SettlementOracle, ClearingHouse (ETH listed: daily expiries at 08:00 UTC, strike step 1)
 * and OptionExchange wired as the clearing house's exchange.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import { orderDomain } from "../../sdk/orders.js";

export const WAD = 10n ** 18n;
export const ETH = 1n;
export const DAY = 86_400n;
export const EXPIRY_OFFSET = 8n * 3600n;

export async function deployTradingSystem(ethers: HardhatEthers) {
  const [admin, feeCollector, insuranceFund] = await ethers.getSigners();
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);

  const usdc = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", 6]);
  const feed = await ethers.deployContract("MockAggregator", [8, "ETH / USD"]);
  const setSpot = async (priceWad: bigint): Promise<void> => {
    const ts = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    await (await feed.pushRound(priceWad / 10n ** 10n, ts)).wait();
    await (await feed.pushRound(priceWad / 10n ** 10n, ts)).wait();
  };
  await setSpot(2000n * WAD);
  const guard = await ethers.deployContract("SequencerGuard", [ethers.ZeroAddress, 3600]);
  const oracle = await ethers.deployContract("ChainlinkOracle", [admin.address, await guard.getAddress()]);
  const vol = await ethers.deployContract("VolatilityOracle", [admin.address]);
  const settlement = await ethers.deployContract("SettlementOracle", [
    await oracle.getAddress(),
    admin.address,
    3600,
    2 * 86_400,
  ]);
  await (await oracle.grantRole(await oracle.RISK_ADMIN_ROLE(), admin.address)).wait();
  await (await oracle.grantRole(await oracle.GUARDIAN_ROLE(), admin.address)).wait();
  await (await vol.grantRole(await vol.RISK_ADMIN_ROLE(), admin.address)).wait();
  await (await vol.grantRole(await vol.VOL_UPDATER_ROLE(), admin.address)).wait();
  await (
    await oracle.listUnderlying(ETH, {
      feed: await feed.getAddress(),
      heartbeat: 86_400,
      fallbackFeed: ethers.ZeroAddress,
      fallbackHeartbeat: 0,
      minPriceWad: 100n * WAD,
      maxPriceWad: 100_000n * WAD,
      maxDeviationWad: WAD / 2n,
      confirmations: 1,
    })
  ).wait();
  await (
    await vol.listUnderlying(ETH, {
      maxAgeSec: 7 * 86_400,
      staleVolWad: 2n * WAD,
      maxMoveWad: 0,
    })
  ).wait();
  await (await vol.setVol(ETH, (8n * WAD) / 10n)).wait();

  const ch = await ethers.deployContract("ClearingHouse", [
    admin.address,
    await usdc.getAddress(),
    await oracle.getAddress(),
    await vol.getAddress(),
    await settlement.getAddress(),
    feeCollector.address,
    insuranceFund.address,
  ]);
  const exchange = await ethers.deployContract("OptionExchange", [await ch.getAddress(), admin.address, admin.address]);
  await (
    await ch.setUnderlyingParams(ETH, {
      imBase: (15n * WAD) / 100n,
      imFloor: WAD / 10n,
      mmBase: WAD / 10n,
      mmFloor: (75n * WAD) / 1000n,
      rate: 0,
      expiryPeriod: DAY,
      expiryOffset: EXPIRY_OFFSET,
      maxHorizon: 365n * DAY,
      strikeStep: WAD,
      minStrike: WAD,
      maxStrike: 1_000_000n * WAD,
    })
  ).wait();
  await (await ch.setExchange(await exchange.getAddress())).wait();
  await (await ch.setPositionCap(128)).wait();

  /** Creates an account owned by `owner` and deposits `cashNative` (6-decimal units). Returns its id. */
  const openAccount = async (owner: HardhatEthersSigner, cashNative: bigint): Promise<bigint> => {
    const id = (await ch.accountCount()) + 1n;
    await (await ch.connect(owner).createAccount()).wait();
    if (cashNative > 0n) {
      await (await usdc.mint(owner.address, cashNative)).wait();
      await (await usdc.connect(owner).approve(await ch.getAddress(), cashNative)).wait();
      await (await ch.connect(owner).deposit(id, await usdc.getAddress(), cashNative)).wait();
    }
    return id;
  };

  // the 30th daily expiry (08:00 UTC) from now
  let expiry = (now / DAY) * DAY + EXPIRY_OFFSET;
  if (expiry <= now) expiry += DAY;
  expiry += 29n * DAY;
  const seriesOf = (strikeWhole: bigint, isCall: boolean): bigint =>
    (ETH << 144n) | (expiry << 104n) | ((strikeWhole * WAD) << 8n) | (isCall ? 1n : 0n);

  const domain = orderDomain((await ethers.provider.getNetwork()).chainId, await exchange.getAddress());
  return {
    admin,
    usdc,
    feed,
    oracle,
    vol,
    settlement,
    ch,
    exchange,
    domain,
    now,
    expiry,
    setSpot,
    openAccount,
    seriesOf,
  };
}
