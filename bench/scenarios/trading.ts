/**
 * Trading gas: taker fills, relayer match and cancel on the real system (ClearingHouse, ChainlinkOracle fed by a
 * MockAggregator, VolatilityOracle, SettlementOracle, OptionExchange). Before measuring, the maker and the taker each
 * hold 16 positions (the maker short, the taker long), so every measured trade runs two 16-position health checks.
 * Orders use fixed salts so calldata, and therefore gas, is deterministic.
 */
import type { Scenario } from "../lib.js";
import { type FeeParams, type FillRequest, type Order, buildOrder, signOrder } from "../../sdk/orders.js";
import { DAY, WAD, deployTradingSystem } from "../../test/trading/system.js";

const scenario: Scenario = async ({ ethers, tx }) => {
  const [, , , maker, taker, relayer] = await ethers.getSigners();
  const { exchange, ch, domain, now, openAccount, seriesOf } = await deployTradingSystem(ethers);
  // realistic fees: 0.03% maker, 0.05% taker of strike notional, capped at 12.5% of premium
  const fees: FeeParams = {
    makerFeeRate: 3n * 10n ** 14n,
    takerFeeRate: 5n * 10n ** 14n,
    premiumFeeCap: WAD / 8n,
  };
  await (await exchange.setFees(fees.makerFeeRate, fees.takerFeeRate, fees.premiumFeeCap)).wait();
  const makerAccount = await openAccount(maker, 10_000_000n * 10n ** 6n);
  const takerAccount = await openAccount(taker, 10_000_000n * 10n ** 6n);

  // 16 series around spot 2000, calls and puts, one expiry 30 days out
  const series = Array.from({ length: 16 }, (_, i) => seriesOf(1600n + 50n * BigInt(i), i % 2 === 0));

  const deadline = now + 30n * DAY;
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

  return {
    "fill.1leg": await tx(fill1),
    "fill.4leg": await tx(fill4),
    "match.2orders": await tx(match),
    cancel: await tx(cancel),
  };
};
export default scenario;
