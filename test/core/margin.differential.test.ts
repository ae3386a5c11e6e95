/**
 * Differential fuzz: random portfolios (cash, collateral, positions in both underlyings and many expiries) go
 * through the production deployment (`deploySystem` with localConfig at zero fees: real oracles on MockAggregator
 * feeds, positions opened by zero-premium signed orders filled on the real OptionExchange), then the market moves (time, spots, vols,
 * settlement prices, guardian modes). `ClearingHouse.accountMargin` must equal `sdk/model/account.ts` to the wei,
 * with the model fed by what the chain holds (positionsOf, cashOf, collateralOf) and what the oracles answer at the
 * same block. A halted group with a short call must revert in both.
 * Runs: 80 by default; more with FUZZ_RUNS (divided by 50: each run sends ~20 transactions). Seed pinned.
 */
import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import {
  ClearingHouseMarketHalted,
  MarketMode,
  accountMargin,
  type MarginParams,
  type OracleView,
} from "../../sdk/model/account.js";
import { buildOrder, signOrder, type FillRequest } from "../../sdk/orders.js";
import { BTC, DAY, ETH, WAD, deployTestSystem, seriesId, testConfig } from "./fixture.js";

const RUNS = Math.max(80, Math.floor(Number(process.env.FUZZ_RUNS ?? 0) / 50));
const SEED = Number(process.env.FUZZ_SEED ?? 0x6275);

const legArb = fc.record({
  btc: fc.boolean(),
  days: fc.integer({ min: 1, max: 20 }),
  strikeStep: fc.integer({ min: -12, max: 12 }),
  isCall: fc.boolean(),
  milli: fc.integer({ min: -5000, max: 5000 }).filter((x) => x !== 0),
});

const scenarioArb = fc.record({
  cashUsd: fc.integer({ min: 50_000, max: 500_000 }),
  wethMilli: fc.integer({ min: 0, max: 20_000 }),
  wbtcMilli: fc.integer({ min: 0, max: 2_000 }),
  legs: fc.array(legArb, { minLength: 0, maxLength: 12 }),
  jumpSeconds: fc.integer({ min: 0, max: 25 * DAY }),
  settleMask: fc.integer({ min: 0, max: 0xffff }),
  settlePct: fc.integer({ min: 60, max: 140 }),
  ethPct: fc.integer({ min: 60, max: 150 }),
  btcPct: fc.integer({ min: 60, max: 150 }),
  ethVolPct: fc.integer({ min: 10, max: 200 }),
  btcVolPct: fc.integer({ min: 10, max: 200 }),
  freshVols: fc.boolean(),
  mode: fc.constantFrom("none", "none", "none", "ethReduceOnly", "btcReduceOnly", "ethHalted", "btcHalted"),
});

describe("accountMargin: contracts vs sdk/model/account.ts (differential)", function () {
  it("matches the model to the wei on random portfolios and market moves", async function () {
    const { ethers } = await network.create();
    const [, trader, other] = await ethers.getSigners();
    const f = await deployTestSystem(ethers, testConfig({ fees: null }));
    const weth = f.collaterals.WETH!;
    const wbtc = f.collaterals.WBTC!;
    for (const signer of [trader, other])
      for (const token of [f.cash, weth, wbtc]) await f.fund(signer, token, 10n ** 36n);
    const belowIm = f.ch.interface.getError("ClearingHouse_BelowInitialMargin")!.selector;
    const provider = ethers.provider;
    let salt = 0n;
    let compared = 0;
    let halted = 0;
    let skipped = 0;

    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const snapshot = await provider.send("evm_snapshot", []);
        try {
          const t0 = await f.now();
          const account = await f.newAccount(trader);
          const counterparty = await f.newAccount(other);
          const chT = f.ch.connect(trader);
          await (await f.ch.connect(other).deposit(counterparty, await f.cash.getAddress(), 10n ** 15n)).wait();
          await (await chT.deposit(account, await f.cash.getAddress(), BigInt(s.cashUsd) * 10n ** 6n)).wait();
          if (s.wethMilli > 0)
            await (await chT.deposit(account, await weth.getAddress(), BigInt(s.wethMilli) * 10n ** 15n)).wait();
          if (s.wbtcMilli > 0)
            await (await chT.deposit(account, await wbtc.getAddress(), BigInt(s.wbtcMilli) * 10n ** 5n)).wait();

          const seen = new Set<bigint>();
          const trades = [];
          for (const l of s.legs) {
            const u = l.btc ? BTC : ETH;
            const strike =
              u === ETH
                ? 2000n * WAD + BigInt(l.strikeStep) * 50n * WAD
                : 60_000n * WAD + BigInt(l.strikeStep) * 1000n * WAD;
            const id = seriesId(u, f.expiryAfter(t0, l.days), strike, l.isCall);
            if (seen.has(id)) continue;
            seen.add(id);
            const size = (BigInt(Math.abs(l.milli)) * 10n ** 15n) / (u === BTC ? 10n : 1n); // BTC legs in 0.1 units
            // the counterparty signs the opposite side at zero premium; the account takes it
            const order = buildOrder({
              account: counterparty,
              series: id,
              isBuy: l.milli < 0,
              size,
              limitPrice: 0n,
              deadline: BigInt(t0 + 365 * DAY),
              salt: ++salt,
            });
            trades.push({ series: id, fill: { maker: await signOrder(other, f.domain, order), fillSize: size } });
          }
          if (trades.length > 0) {
            try {
              const fills: FillRequest[] = trades.map((t) => t.fill);
              await (await f.exchange.connect(trader).fill(account, fills)).wait();
            } catch (e) {
              const text = `${String(e)} ${String((e as { data?: unknown }).data)}`;
              if (!text.includes("ClearingHouse_BelowInitialMargin") && !text.includes(belowIm)) throw e;
              skipped++;
              return; // the portfolio does not pass the initial margin check: nothing to compare
            }
          }

          // Market moves: time, settlement of some expired groups, spots, vols, modes.
          const tFinal = Math.max((await f.now()) + 1, t0 + 1 + s.jumpSeconds);
          await provider.send("evm_setNextBlockTimestamp", [tFinal]);
          await provider.send("evm_mine", []);
          const expiredGroups = [...new Set(trades.map((t) => (t.series as bigint) >> 104n))]
            .filter((k) => Number(k & ((1n << 40n) - 1n)) <= tFinal)
            .sort((a, b) => Number((a & ((1n << 40n) - 1n)) - (b & ((1n << 40n) - 1n))));
          for (const [i, key] of expiredGroups.entries()) {
            if (((s.settleMask >> i) & 1) === 0) continue;
            const u = Number(key >> 40n);
            const expiry = Number(key & ((1n << 40n) - 1n));
            const base = u === ETH ? 2000n * WAD : 60_000n * WAD;
            const price = (base * BigInt(s.settlePct)) / 100n;
            const feed = f.feeds[u === ETH ? "ETH" : "BTC"]!;
            await (await feed.pushRound(price / 10n ** 10n, expiry)).wait();
            const roundId = await feed.latestRoundId();
            await (await f.settlementOracle.recordSettlementPrice(u, expiry, roundId)).wait();
          }
          await f.setPrice(ETH, ((2000n * WAD * BigInt(s.ethPct)) / 100n / 10n ** 10n) * 10n ** 10n);
          await f.setPrice(BTC, ((60_000n * WAD * BigInt(s.btcPct)) / 100n / 10n ** 10n) * 10n ** 10n);
          if (s.freshVols) {
            await (await f.volOracle.setVol(ETH, (BigInt(s.ethVolPct) * WAD) / 100n)).wait();
            await (await f.volOracle.setVol(BTC, (BigInt(s.btcVolPct) * WAD) / 100n)).wait();
          }
          if (s.mode !== "none") {
            const u = s.mode.startsWith("eth") ? ETH : BTC;
            const m = s.mode.endsWith("Halted") ? MarketMode.Halted : MarketMode.ReduceOnly;
            await (await f.oracle.setModeOverride(u, m)).wait();
          }

          // Read what the chain holds and what the oracles answer, at one block.
          const blockTag = await provider.getBlockNumber();
          const now = BigInt((await provider.getBlock(blockTag))!.timestamp);
          const [ids, sizes] = await f.ch.positionsOf(account, { blockTag });
          const cash = await f.ch.cashOf(account, { blockTag });
          const collaterals = [];
          for (const [token, u] of [
            [weth, ETH],
            [wbtc, BTC],
          ] as const) {
            const amount = await f.ch.collateralOf(account, await token.getAddress(), { blockTag });
            if (amount > 0n)
              collaterals.push({
                priceUnderlying: u,
                haircut: WAD / 10n,
                amount,
              });
          }
          const markets = new Map<number, { mode: MarketMode; price: bigint }>();
          const params = new Map<number, MarginParams>();
          for (const u of [ETH, BTC]) {
            const [mode, price] = await f.oracle.marketState(u, { blockTag });
            markets.set(u, { mode: Number(mode) as MarketMode, price });
            const [imBase, imFloor, mmBase, mmFloor, rate] = await f.ch.marginParams(u, { blockTag });
            params.set(u, { imBase, imFloor, mmBase, mmFloor, rate });
          }
          const vols = new Map<string, { vol: bigint; mode: MarketMode }>();
          const settlements = new Map<string, { price: bigint; recorded: boolean }>();
          for (const id of ids as bigint[]) {
            const u = Number(id >> 144n);
            const e = (id >> 104n) & ((1n << 40n) - 1n);
            const k = `${u}:${e}`;
            if (vols.has(k)) continue;
            const [v, vm] = await f.volOracle.vol(u, e, { blockTag });
            vols.set(k, { vol: v, mode: Number(vm) as MarketMode });
            const [p, recorded] = await f.settlementOracle.settlementPrice(u, e, {
              blockTag,
            });
            settlements.set(k, { price: p, recorded });
          }
          const view: OracleView = {
            marketState: (u) => markets.get(u)!,
            vol: (u, e) => vols.get(`${u}:${e}`)!,
            settlementPrice: (u, e) => settlements.get(`${u}:${e}`)!,
          };
          const state = {
            cash,
            collaterals,
            positions: (ids as bigint[]).map((id, i) => ({
              series: id,
              size: (sizes as bigint[])[i],
            })),
          };

          let model: { equity: bigint; im: bigint; mm: bigint } | ClearingHouseMarketHalted;
          try {
            model = accountMargin(state, view, (u) => params.get(u)!, now);
          } catch (e) {
            if (!(e instanceof ClearingHouseMarketHalted)) throw e;
            model = e;
          }
          if (model instanceof ClearingHouseMarketHalted) {
            halted++;
            await expect(f.ch.accountMargin(account, { blockTag }))
              .to.be.revertedWithCustomError(f.ch, "ClearingHouse_MarketHalted")
              .withArgs(model.underlying);
            return;
          }
          const [equity, im, mm] = await f.ch.accountMargin(account, {
            blockTag,
          });
          expect({ equity, im, mm }).to.deep.equal(model);
          compared++;
        } finally {
          await provider.send("evm_revert", [snapshot]);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    console.log(`      compared ${compared} portfolios, ${halted} halted (both revert), ${skipped} rejected at build`);
    expect(compared).to.be.greaterThan(RUNS / 2);
  });
});
