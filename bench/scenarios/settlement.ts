/**
 * Settlement gas on the production deployment (`deploySystem`, see `deployBenchSystem` in ./trading.ts): an account
 * holding 16 long ETH options (8 calls, 8 puts, strikes 1600..2350, one expiry) after that expiry, with the
 * settlement price proven from the feed's round history (a round before expiry, the first round after it) and
 * recorded in the SettlementOracle. `settle.account.16` is the receipt gas of `settleAccounts([account])`, which
 * moves all 16 positions to cash (half of them in the money). `settlement.record` is measured in ./oracles.ts.
 */
import type { Scenario } from "../lib.js";
import { ETH } from "../../deploy/networks/local.js";
import { toFeedUnits } from "../../deploy/system.js";
import { buildOrder, signOrder } from "../../sdk/orders.js";
import { WAD, deployBenchSystem } from "./trading.js";

const scenario: Scenario = async ({ ethers, tx }) => {
  const [, , , maker, taker, keeper] = await ethers.getSigners();
  const { ch, exchange, domain, now, feeds, settlementOracle, openAccount, seriesOf } = await deployBenchSystem(ethers);
  const feed = feeds.ETH!;
  const makerAccount = await openAccount(maker, 10_000_000n * 10n ** 6n);
  const takerAccount = await openAccount(taker, 10_000_000n * 10n ** 6n);

  // the first daily expiry at least one day out
  const day = 86_400n;
  let expiry = ((now + day) / day) * day + 8n * 3600n;
  if (expiry <= now + day) expiry += day;
  const series = Array.from({ length: 16 }, (_, i) => seriesOf(1600n + 50n * BigInt(i), i % 2 === 0, expiry));
  const fills = await Promise.all(
    series.map(async (s, i) => ({
      maker: await signOrder(
        maker,
        domain,
        buildOrder({
          account: makerAccount,
          series: s,
          isBuy: false,
          size: WAD,
          limitPrice: 100n * WAD,
          deadline: expiry - 1n,
          salt: BigInt(i + 1),
        }),
      ),
      fillSize: WAD,
    })),
  );
  await (await exchange.connect(taker).fill(takerAccount, fills)).wait();
  const [held] = await ch.positionsOf(takerAccount);
  if (held.length !== 16) throw new Error(`taker holds ${held.length} positions, expected 16`);

  // round history around expiry: one round before it, the first round after it (within the heartbeat)
  const setTime = async (t: bigint) => ethers.provider.send("evm_setNextBlockTimestamp", [Number(t)]);
  await setTime(expiry - 60n);
  await (await feed.updateAnswer(toFeedUnits(1990n * WAD, 8))).wait();
  await setTime(expiry + 30n);
  await (await feed.updateAnswer(toFeedUnits(2010n * WAD, 8))).wait();
  await (await settlementOracle.connect(keeper).recordSettlementPrice(ETH, expiry, await feed.latestRoundId())).wait();
  const [price, recorded] = await settlementOracle.settlementPrice(ETH, expiry);
  if (!recorded || price !== 2010n * WAD) throw new Error(`settlement price not recorded (${price}, ${recorded})`);

  const settle = await ch.connect(keeper).settleAccounts([takerAccount]);
  const entry = await tx(settle);
  const [left] = await ch.positionsOf(takerAccount);
  if (left.length !== 0) throw new Error(`${left.length} positions left after settlement`);

  return { "settle.account.16": entry };
};
export default scenario;
