/**
 * Trading gas: taker fills, relayer match and cancel on the production deployment (`deploySystem` with a copy of
 * `localConfig`: ClearingHouse, ChainlinkOracle fed by MockAggregators, VolatilityOracle, SettlementOracle,
 * OptionExchange, localConfig fees). Before measuring, the maker and the taker each hold 16 positions (the maker
 * short, the taker long), so every measured trade runs two 16-position health checks. Orders use fixed salts so
 * calldata, and therefore gas, is deterministic.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { Scenario } from "../lib.js";
import type { NetworkConfig } from "../../deploy/config.js";
import { ETH, localConfig } from "../../deploy/networks/local.js";
import { deploySystem, toFeedUnits } from "../../deploy/system.js";
import { type FillRequest, type Order, buildOrder, orderDomain, signOrder } from "../../sdk/orders.js";

export const WAD = 10n ** 18n;
export const DAY = 86_400n;
const BENCH_START = 1_893_456_000;

/**
 * The benchmark network: localConfig with ETH at 2000 and no L2 sequencer uptime feed (an L1 deployment; the
 * sequencer read is measured on its own as `sequencer.check`).
 */
export function benchConfig(l2 = false): NetworkConfig {
  const config = structuredClone(localConfig);
  config.markets.find((m) => m.id === ETH)!.feed.initialAnswer = 2000n * WAD;
  config.sequencer = { feed: l2 ? "mock" : null, gracePeriod: localConfig.sequencer.gracePeriod };
  return config;
}

/** `deploySystem` on `benchConfig()` with every market Active, plus account and series helpers for scenarios. */
export async function deployBenchSystem(ethers: HardhatEthers, l2 = false) {
  const config = benchConfig(l2);
  // Pinned clock (2030-01-01 00:00 UTC) so expiries, deadlines and therefore calldata and gas do not depend on the
  // wall clock.
  await ethers.provider.send("evm_setNextBlockTimestamp", [BENCH_START]);
  const sys = await deploySystem(ethers, config);
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  // One round per fresh feed cannot be confirmed by the deviation breaker: repeat it so markets start Active.
  for (const m of config.markets) {
    const answer = toFeedUnits(m.feed.initialAnswer!, m.feed.decimals);
    await (await sys.feeds[m.symbol]!.pushRound(answer, now)).wait();
  }
  const ch = sys.clearingHouse;

  /** Creates an account owned by `owner` and deposits `cashNative` (6-decimal units). Returns its id. */
  const openAccount = async (owner: HardhatEthersSigner, cashNative: bigint): Promise<bigint> => {
    const id = (await ch.accountCount()) + 1n;
    await (await ch.connect(owner).createAccount()).wait();
    await (await sys.cash.mint(owner.address, cashNative)).wait();
    await (await sys.cash.connect(owner).approve(await ch.getAddress(), cashNative)).wait();
    await (await ch.connect(owner).deposit(id, await sys.cash.getAddress(), cashNative)).wait();
    return id;
  };

  // the 30th daily ETH expiry from now
  const grid = config.markets.find((m) => m.id === ETH)!.grid;
  const period = BigInt(grid.expiryPeriod);
  let expiry = (now / period) * period + BigInt(grid.expiryOffset);
  if (expiry <= now) expiry += period;
  expiry += 29n * period;
  /** An ETH series at `expiry`, strike in whole dollars (a multiple of the 50 USD strike step). */
  const seriesOf = (strikeWhole: bigint, isCall: boolean, at: bigint = expiry): bigint =>
    (BigInt(ETH) << 144n) | (at << 104n) | ((strikeWhole * WAD) << 8n) | (isCall ? 1n : 0n);

  const domain = orderDomain((await ethers.provider.getNetwork()).chainId, await sys.exchange.getAddress());
  return { ...sys, ch, domain, now, expiry, openAccount, seriesOf };
}

/**
 * The trading measurements on an L1 (`l2 = false`) or an L2 deployment (`l2 = true`: every price read also reads the
 * sequencer uptime feed). Keys get a `.l2` suffix on L2.
 */
export async function tradingScenario({ ethers, tx }: Parameters<Scenario>[0], l2: boolean) {
  const [, , , maker, taker, relayer] = await ethers.getSigners();
  // localConfig fees: 0.03% maker, 0.05% taker of strike notional, capped at 12.5% of premium
  const { exchange, ch, domain, expiry, openAccount, seriesOf } = await deployBenchSystem(ethers, l2);
  const makerAccount = await openAccount(maker, 10_000_000n * 10n ** 6n);
  const takerAccount = await openAccount(taker, 10_000_000n * 10n ** 6n);

  // 16 series around spot 2000, calls and puts, one expiry 30 days out
  const series = Array.from({ length: 16 }, (_, i) => seriesOf(1600n + 50n * BigInt(i), i % 2 === 0));

  const deadline = expiry - DAY;
  let salt = 0n;
  const makerSell = (s: bigint, size: bigint, price: bigint): Order =>
    buildOrder({
      account: makerAccount,
      series: s,
      isBuy: false,
      size,
      limitPrice: price,
      deadline,
      salt: ++salt,
    });
  const request = async (order: Order, fillSize: bigint): Promise<FillRequest> => ({
    maker: await signOrder(maker, domain, order),
    fillSize,
  });

  // setup: one 16-leg fill leaves the maker short and the taker long in all 16 series
  const setup = await Promise.all(series.map(async (s) => request(makerSell(s, 10n * WAD, 100n * WAD), WAD)));
  await (await exchange.connect(taker).fill(takerAccount, setup)).wait();
  const [held] = await ch.positionsOf(takerAccount);
  if (held.length !== 16) throw new Error(`taker holds ${held.length} positions, expected 16`);

  const fill1 = await exchange
    .connect(taker)
    .fill(takerAccount, [await request(makerSell(series[0], 10n * WAD, 100n * WAD), WAD)]);
  const fill4 = await exchange
    .connect(taker)
    .fill(
      takerAccount,
      await Promise.all(series.slice(1, 5).map(async (s) => request(makerSell(s, 10n * WAD, 100n * WAD), WAD))),
    );

  const buy = buildOrder({
    account: takerAccount,
    series: series[5],
    isBuy: true,
    size: WAD,
    limitPrice: 110n * WAD,
    deadline,
    salt: ++salt,
  });
  const sell = makerSell(series[5], WAD, 100n * WAD);
  const match = await exchange
    .connect(relayer)
    .matchOrders(await signOrder(taker, domain, buy), await signOrder(maker, domain, sell), WAD);

  const cancel = await exchange.connect(maker).cancelOrder(makerSell(series[6], WAD, 100n * WAD));

  const suffix = l2 ? ".l2" : "";
  return {
    [`fill.1leg${suffix}`]: await tx(fill1),
    [`fill.4leg${suffix}`]: await tx(fill4),
    [`match.2orders${suffix}`]: await tx(match),
    [`cancel${suffix}`]: await tx(cancel),
  };
}

const scenario: Scenario = async (ctx) => tradingScenario(ctx, false);
export default scenario;
