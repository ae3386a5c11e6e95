import { bps, wad } from "../../sdk/units.js";
import type { MarketConfig, NetworkConfig } from "../config.js";

export const ETH = 1;
export const BTC = 2;

const DAY = 86_400;

/** Hardhat's default account #19 (mnemonic "test test ... junk"): the local guardian. */
export const LOCAL_GUARDIAN = "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199";
/** Hardhat's default account #18: the local vol updater. */
export const LOCAL_VOL_UPDATER = "0xdD2FD4581271e230360230F9337D5c0430Bf44C0";

/** Daily expiries at 08:00 UTC, up to a year out. */
const dailyGrid = (strikeStep: bigint, minStrike: bigint, maxStrike: bigint): MarketConfig["grid"] => ({
  expiryPeriod: DAY,
  expiryOffset: 8 * 3600,
  maxHorizon: 365 * DAY,
  strikeStep,
  minStrike,
  maxStrike,
});

const margin = { imBase: wad("0.15"), imFloor: wad("0.10"), mmBase: wad("0.10"), mmFloor: wad("0.075"), rate: 0n };
/** The stress-tested parameters of docs/margin.md (also the contract's minima and its first-listing defaults). */
const risk = (minTradeSize: bigint) => ({
  imVegaSlope: wad("0.87"),
  imVegaCap: wad("0.55"),
  mmVegaSlope: wad("0.44"),
  mmVegaCap: wad("0.3"),
  mmLongHaircut: wad("1"),
  haltShock: wad("0.5"),
  minTradeSize,
});

/**
 * Local networks (embedded Hardhat EVM and `hardhat node`): every token and feed is a mock, the sequencer uptime
 * feed is mocked so the L2 paths can be played. Governance as in production (a timelock holds every admin role,
 * a separate guardian), with a short delay.
 */
export const localConfig: NetworkConfig = {
  name: "local",
  local: true,
  cash: { symbol: "USDC", decimals: 6 },
  sequencer: { feed: "mock", gracePeriod: 3600 },
  markets: [
    {
      id: ETH,
      symbol: "ETH",
      feed: { decimals: 8, initialAnswer: wad("3000"), heartbeat: 3600 },
      minPrice: wad("100"),
      maxPrice: wad("100000"),
      maxDeviation: wad("0.15"),
      confirmations: 1,
      vol: { initial: wad("0.6"), maxAge: DAY, staleVol: wad("1.2"), maxMove: 0n },
      margin,
      risk: risk(wad("0.01")),
      grid: dailyGrid(wad("50"), wad("50"), wad("100000")),
      openInterestCap: wad("10000"),
    },
    {
      id: BTC,
      symbol: "BTC",
      feed: { decimals: 8, initialAnswer: wad("60000"), heartbeat: 3600 },
      minPrice: wad("1000"),
      maxPrice: wad("1000000"),
      maxDeviation: wad("0.15"),
      confirmations: 1,
      vol: { initial: wad("0.5"), maxAge: DAY, staleVol: wad("1.0"), maxMove: 0n },
      margin,
      risk: risk(wad("0.001")),
      grid: dailyGrid(wad("1000"), wad("1000"), wad("1000000")),
      openInterestCap: wad("500"),
    },
  ],
  collaterals: [
    {
      token: { symbol: "WETH", decimals: 18 },
      priceMarket: ETH,
      haircut: wad("0.1"),
      mmHaircut: wad("0.05"),
      depositCap: wad("100000"),
    },
    {
      token: { symbol: "WBTC", decimals: 8 },
      priceMarket: BTC,
      haircut: wad("0.1"),
      mmHaircut: wad("0.05"),
      depositCap: wad("5000"),
    },
  ],
  positionCap: 128,
  groupCap: 16,
  insuranceFeeShare: wad("0.5"),
  insuranceFloor: wad("1000"),
  liquidation: {
    fastDuration: 600,
    slowDuration: 2 * 3600,
    insolventDuration: 3600,
    fastDiscount: wad("0.1"),
    buffer: wad("0.1"),
    insolventCap: wad("1"),
    fundFeeShare: wad("0.1"),
    deepRatio: wad("0.5"),
    dustSize: wad("100"),
  },
  fees: { makerFeeRate: bps(3), takerFeeRate: bps(5), premiumFeeCap: wad("0.125") },
  settlement: { fallbackDelay: 6 * 3600, manualDelay: 3 * DAY },
  // The deployer is the timelock's proposer and executor with a one-minute delay, so the demo and the tests change
  // parameters through the timelock in one call (`Governance.execute`: schedule, advance the clock, execute).
  governance: { timelockDelay: 60 },
  // The guardian and the vol updater are the last two of the 20 default Hardhat accounts (`ethers.getSigners()[19]`
  // and `[18]`), apart from the deployer (account 0, left with no role) and the accounts tests and scripts trade with.
  roles: { guardian: LOCAL_GUARDIAN, volUpdater: LOCAL_VOL_UPDATER },
};
