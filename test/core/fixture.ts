/**
 * TypeScript test fixture on the production deployment path: `deploySystem` (deploy/system.ts) with a copy of
 * `localConfig` (deploy/networks/local.ts), so every test exercises the contracts, roles and wiring exactly as they
 * are deployed. `testConfig()` only changes what a test needs to state (ETH spot at 2000, fees), and the helpers
 * below add what tests do on top of a deployment: funded accounts, series ids on the listing grid, spot moves.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { NetworkConfig } from "../../deploy/config.js";
import { BTC, ETH, localConfig } from "../../deploy/networks/local.js";
import { deploySystem, toFeedUnits } from "../../deploy/system.js";
import { orderDomain } from "../../sdk/orders.js";
import { encodeSeries } from "../../sdk/series.js";

export { BTC, ETH };
export const WAD = 10n ** 18n;
export const DAY = 86_400;

export interface TestConfigOptions {
  /** Initial ETH spot, WAD (default 2000; localConfig has 3000). */
  ethSpot?: bigint;
  /** Initial BTC spot, WAD (default 60,000 as in localConfig). */
  btcSpot?: bigint;
  /** Exchange fees (default: localConfig's); `null` for zero fees. */
  fees?: NetworkConfig["fees"] | null;
}

/** A deep copy of `localConfig` with the test's spots and fees. */
export function testConfig(options: TestConfigOptions = {}): NetworkConfig {
  const config = structuredClone(localConfig);
  const spot: Record<number, bigint | undefined> = {
    [ETH]: options.ethSpot ?? 2000n * WAD,
    [BTC]: options.btcSpot,
  };
  for (const m of config.markets) {
    const s = spot[m.id];
    if (s !== undefined) m.feed.initialAnswer = s;
  }
  if (options.fees === null) config.fees = { makerFeeRate: 0n, takerFeeRate: 0n, premiumFeeCap: 0n };
  else if (options.fees !== undefined) config.fees = options.fees;
  return config;
}

/** `deploySystem(ethers, config)` plus test helpers. */
export async function deployTestSystem(ethers: HardhatEthers, config: NetworkConfig = testConfig()) {
  const sys = await deploySystem(ethers, config);
  const { clearingHouse: ch, cash, feeds, exchange } = sys;
  const chAddress = await ch.getAddress();
  const grids = new Map(config.markets.map((m) => [m.id, m.grid]));

  const now = async (): Promise<number> => (await ethers.provider.getBlock("latest"))!.timestamp;

  /** Two rounds at the current time, so the deviation breaker accepts any jump. Price WAD. */
  const setPrice = async (underlying: number, priceWad: bigint): Promise<void> => {
    const market = config.markets.find((m) => m.id === underlying)!;
    const feed = feeds[market.symbol]!;
    const t = await now();
    const answer = toFeedUnits(priceWad, market.feed.decimals);
    await (await feed.pushRound(answer, t)).wait();
    await (await feed.pushRound(answer, t)).wait();
  };

  /** Creates an account owned by `signer` and returns its id. */
  const newAccount = async (signer: HardhatEthersSigner): Promise<bigint> => {
    const id = (await ch.accountCount()) + 1n;
    await (await ch.connect(signer).createAccount()).wait();
    return id;
  };

  /** Mints `amount` of `token` to `signer` and approves the clearing house for it. */
  const fund = async (signer: HardhatEthersSigner, token: typeof cash, amount: bigint): Promise<void> => {
    await (await token.mint(signer.address, amount)).wait();
    await (await token.connect(signer).approve(chAddress, amount)).wait();
  };

  /** Creates an account owned by `owner` and deposits `cashNative` (cash-token units). Returns its id. */
  const openAccount = async (owner: HardhatEthersSigner, cashNative: bigint): Promise<bigint> => {
    const id = await newAccount(owner);
    if (cashNative > 0n) {
      await fund(owner, cash, cashNative);
      await (await ch.connect(owner).deposit(id, await cash.getAddress(), cashNative)).wait();
    }
    return id;
  };

  /** The first listed expiry strictly after `t`, plus `days - 1` expiry periods. */
  const expiryAfter = (t: number, days: number, underlying: number = ETH): number => {
    const g = grids.get(underlying)!;
    let e = Math.floor(t / g.expiryPeriod) * g.expiryPeriod + g.expiryOffset;
    if (e <= t) e += g.expiryPeriod;
    return e + (days - 1) * g.expiryPeriod;
  };

  const domain = orderDomain((await ethers.provider.getNetwork()).chainId, await exchange.getAddress());
  return { ...sys, ch, domain, now, setPrice, newAccount, fund, openAccount, expiryAfter };
}

export function seriesId(underlying: number, expiry: number | bigint, strikeWad: bigint, isCall: boolean): bigint {
  return encodeSeries({ underlying, expiry: BigInt(expiry), strike: strikeWad, isCall });
}
