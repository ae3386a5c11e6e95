/**
 * Deploys the clearing house with the real oracle contracts (ChainlinkOracle + SequencerGuard on MockAggregator
 * feeds, VolatilityOracle, SettlementOracle), the test exchange module, USDC (6), WETH (18), WBTC (8), and lists
 * ETH (1) and BTC (2) like test/core/utils/CoreBase.sol. For TypeScript tests of the core.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

export const WAD = 10n ** 18n;
export const DAY = 86_400;
export const OFFSET = 8 * 3600;
export const ETH = 1;
export const BTC = 2;

export async function deployCore(ethers: HardhatEthers) {
  const [admin, trader, other] = await ethers.getSigners();
  const adminAddr = await admin.getAddress();
  const usdc = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", 6]);
  const weth = await ethers.deployContract("MockERC20", ["Wrapped Ether", "WETH", 18]);
  const wbtc = await ethers.deployContract("MockERC20", ["Wrapped Bitcoin", "WBTC", 8]);
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
  const exchange = await ethers.deployContract("TestExchangeModule", [await ch.getAddress()]);

  const now = async (): Promise<number> => (await ethers.provider.getBlock("latest"))!.timestamp;
  const feeds: Record<number, typeof ethFeed> = { [ETH]: ethFeed, [BTC]: btcFeed };
  /** Two rounds at the current time (the deviation window accepts any jump). Price WAD, multiple of 1e10. */
  const setPrice = async (underlying: number, priceWad: bigint) => {
    const t = await now();
    await (await feeds[underlying].pushRound(priceWad / 10n ** 10n, t)).wait();
    await (await feeds[underlying].pushRound(priceWad / 10n ** 10n, t)).wait();
  };
  await setPrice(ETH, 2000n * WAD);
  await setPrice(BTC, 60_000n * WAD);

  await (await oracle.grantRole(await oracle.RISK_ADMIN_ROLE(), adminAddr)).wait();
  await (await oracle.grantRole(await oracle.GUARDIAN_ROLE(), adminAddr)).wait();
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
  await (await ch.listCollateral(await weth.getAddress(), ETH, WAD / 10n, 1_000_000n * WAD)).wait();
  await (await ch.listCollateral(await wbtc.getAddress(), BTC, WAD / 10n, 100_000n * WAD)).wait();
  await (await ch.setExchange(await exchange.getAddress())).wait();
  await (await ch.setPositionCap(128)).wait();

  for (const signer of [trader, other]) {
    const addr = await signer.getAddress();
    for (const token of [usdc, weth, wbtc]) {
      await (await token.mint(addr, 10n ** 36n)).wait();
      await (await token.connect(signer).approve(await ch.getAddress(), 10n ** 36n)).wait();
    }
  }

  /** Creates an account owned by `signer` and returns its id. */
  const newAccount = async (signer: typeof trader): Promise<bigint> => {
    const id = (await ch.accountCount()) + 1n;
    await (await ch.connect(signer).createAccount()).wait();
    return id;
  };

  /** First daily expiry (08:00 UTC) strictly after `t`, plus `days - 1` days. */
  const expiryAfter = (t: number, days: number): number => {
    let e = Math.floor(t / DAY) * DAY + OFFSET;
    if (e <= t) e += DAY;
    return e + (days - 1) * DAY;
  };

  return {
    admin,
    trader,
    other,
    usdc,
    weth,
    wbtc,
    ethFeed,
    btcFeed,
    feeds,
    oracle,
    vol,
    settlement,
    ch,
    exchange,
    now,
    setPrice,
    newAccount,
    expiryAfter,
  };
}

export function seriesId(underlying: number, expiry: number | bigint, strikeWad: bigint, isCall: boolean): bigint {
  return (BigInt(underlying) << 144n) | (BigInt(expiry) << 104n) | (strikeWad << 8n) | (isCall ? 1n : 0n);
}
