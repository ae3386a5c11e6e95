/**
 * Differential fuzz, risk engine v2: random portfolios (cash, collateral, positions in both underlyings and many
 * expiries) go through the production deployment (`deploySystem` with localConfig at zero fees: real oracles on
 * MockAggregator feeds, positions opened by signed orders filled on the real OptionExchange), then the market moves
 * (time, spots, vols, settlement prices, guardian modes, a broken feed). Then, at one block:
 * - `ClearingHouse.accountMargin` must equal `accountMargin` of sdk/model/account.ts to the wei, and the strict
 *   evaluation behind every initial-margin check (`marginEvaluator.evaluate(..., strict = true)`) must equal
 *   `evaluateAccount(..., strict = true)` with the same group count;
 * - further batches (partial closes at premiums from 0 to 3x the mark, new legs) are simulated on the exchange
 *   (`fill.staticCall` at that block, each on its own): each must succeed exactly when `predictTrades` (the
 *   whole-account risk-reduction check) accepts every touched account, and a `ClearingHouse_BelowInitialMargin` /
 *   `ClearingHouse_GroupCapReached` revert must name the first account the model refuses, with the same margin.
 *   Batches refused for other reasons (a leg in a Halted or ReduceOnly market, an expired series, the minimum trade
 *   size) are counted, not compared.
 * The model is fed by what the chain holds (positionsOf, cashOf, collateralOf, collateralConfig, engineParams) and
 * what the oracles answer (marketState, lastPrice, vol, settlementPrice) at the same block.
 * Runs: 80 by default; more with FUZZ_RUNS (divided by 50: each run sends ~20 transactions). Seed pinned.
 */
import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import {
  MarketMode,
  accountMargin,
  evaluateAccount,
  predictTrades,
  type AccountState,
  type EngineParams,
  type OracleView,
  type Trade,
} from "../../sdk/model/account.js";
import { buildOrder, quoteFill, signOrder, type FillRequest } from "../../sdk/orders.js";
import { BTC, DAY, ETH, WAD, deployTestSystem, seriesId, testConfig } from "./fixture.js";

const RUNS = Math.max(80, Math.floor(Number(process.env.FUZZ_RUNS ?? 0) / 50));
const SEED = Number(process.env.FUZZ_SEED ?? 0x6275);
const NO_FEES = { makerFeeRate: 0n, takerFeeRate: 0n, premiumFeeCap: 0n };

const legArb = fc.record({
  btc: fc.boolean(),
  days: fc.integer({ min: 1, max: 20 }),
  strikeStep: fc.integer({ min: -12, max: 12 }),
  isCall: fc.boolean(),
  milli: fc.integer({ min: -5000, max: 5000 }).filter((x) => x !== 0),
});

type LegSpec = { btc: boolean; days: number; strikeStep: number; isCall: boolean; milli: number };

const closeArb = fc.record({
  pick: fc.nat(),
  pct: fc.integer({ min: 1, max: 100 }),
  /** Limit price as a percentage of the series' mark. */
  priceFactor: fc.constantFrom(0, 50, 100, 100, 100, 150, 300),
  /** Mostly partial closes of held positions; sometimes a new leg. */
  newLeg: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: legArb, weight: 1 }),
});

const scenarioArb = fc.record({
  cashUsd: fc.integer({ min: 300, max: 40_000 }),
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
  mode: fc.constantFrom(
    "none",
    "none",
    "none",
    "ethReduceOnly",
    "btcReduceOnly",
    "ethHalted",
    "btcHalted",
    "btcBrokenFeed",
  ),
  batches: fc.array(fc.array(closeArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
});

/** Leg size on the local config's minimum trade sizes (ETH 0.01, BTC 0.001). */
function legSize(btc: boolean, milli: number): bigint {
  const units = BigInt(Math.floor(Math.abs(milli) / 10) + 1);
  return btc ? units * 10n ** 15n : units * 10n ** 16n;
}

describe("accountMargin and the trade check: contracts vs sdk/model/account.ts (differential)", function () {
  it("match the model to the wei on random portfolios, market moves and further batches", async function () {
    this.timeout(Math.max(600_000, RUNS * 5_000)); // ~0.3 s per run alone; slower on a loaded machine
    const { ethers } = await network.create();
    const [, trader, other] = await ethers.getSigners();
    // no fees, and no open-interest caps (the exchange's fee floor on capped open interest would charge opening trades)
    const config = testConfig({ fees: null });
    for (const m of config.markets) m.openInterestCap = 0n;
    const f = await deployTestSystem(ethers, config);
    const weth = f.collaterals.WETH!;
    const wbtc = f.collaterals.WBTC!;
    const evaluator = await ethers.getContractAt("MarginEvaluator", await f.ch.marginEvaluator());
    for (const signer of [trader, other])
      for (const token of [f.cash, weth, wbtc]) await f.fund(signer, token, 10n ** 36n);
    const belowIm = f.ch.interface.getError("ClearingHouse_BelowInitialMargin")!.selector;
    const provider = ethers.provider;
    const groupCap = Number(await f.riskConfig.groupCap());
    let salt = 0n;
    const otherErrors = new Map<string, number>();
    const stats = {
      compared: 0,
      belowIm: 0,
      degraded: 0,
      rejectedAtBuild: 0,
      batchAccepted: 0,
      acceptedByReduction: 0,
      refusedMargin: 0,
      refusedCap: 0,
      refusedOther: 0,
    };

    /** Holdings of `account` at `blockTag`, with the collateral haircuts the chain has. */
    const readState = async (account: bigint, blockTag: number): Promise<AccountState> => {
      const [ids, sizes] = await f.ch.positionsOf(account, { blockTag });
      const cash = await f.ch.cashOf(account, { blockTag });
      const collaterals = [];
      for (const token of [weth, wbtc]) {
        const address = await token.getAddress();
        const amount = await f.ch.collateralOf(account, address, { blockTag });
        if (amount === 0n) continue;
        const c = await f.riskConfig.collateralConfig(address, { blockTag });
        collaterals.push({
          priceUnderlying: Number(c.priceUnderlying),
          imHaircut: c.haircut,
          mmHaircut: c.mmHaircut,
          amount,
        });
      }
      return {
        cash,
        collaterals,
        positions: (ids as bigint[]).map((id, i) => ({ series: id, size: (sizes as bigint[])[i]! })),
      };
    };

    /** Oracle answers and engine parameters at `blockTag` for the groups of `ids`. */
    const readView = async (ids: bigint[], blockTag: number) => {
      const markets = new Map<number, { mode: MarketMode; price: bigint }>();
      const lasts = new Map<number, { price: bigint; maxPrice: bigint }>();
      const params = new Map<number, EngineParams>();
      for (const u of [ETH, BTC]) {
        const [mode, price] = await f.oracle.marketState(u, { blockTag });
        markets.set(u, { mode: Number(mode) as MarketMode, price });
        const [last, maxPrice] = await f.oracle.lastPrice(u, { blockTag });
        lasts.set(u, { price: last, maxPrice });
        const e = await f.riskConfig.engineParams(u, { blockTag });
        params.set(u, {
          imBase: e.imBase,
          imFloor: e.imFloor,
          mmBase: e.mmBase,
          mmFloor: e.mmFloor,
          rate: e.rate,
          imVegaSlope: e.imVegaSlope,
          imVegaCap: e.imVegaCap,
          mmVegaSlope: e.mmVegaSlope,
          mmVegaCap: e.mmVegaCap,
          mmLongHaircut: e.mmLongHaircut,
          haltShock: e.haltShock,
        });
      }
      const vols = new Map<string, { vol: bigint; mode: MarketMode }>();
      const settlements = new Map<string, { price: bigint; recorded: boolean }>();
      for (const id of ids) {
        const u = Number(id >> 144n);
        const e = (id >> 104n) & ((1n << 40n) - 1n);
        const k = `${u}:${e}`;
        if (vols.has(k)) continue;
        const [v, vm] = await f.volOracle.vol(u, e, { blockTag });
        vols.set(k, { vol: v, mode: Number(vm) as MarketMode });
        const [p, recorded] = await f.settlementOracle.settlementPrice(u, e, { blockTag });
        settlements.set(k, { price: p, recorded });
      }
      const view: OracleView = {
        marketState: (u) => markets.get(u)!,
        lastPrice: (u) => lasts.get(u)!,
        vol: (u, e) => vols.get(`${u}:${e}`)!,
        settlementPrice: (u, e) => settlements.get(`${u}:${e}`)!,
      };
      return { view, params: (u: number) => params.get(u)! };
    };

    /** A zero-fee counterparty order for the account to take: the account buys `size` when `accountBuys`. */
    const counterOrder = async (
      counterparty: bigint,
      id: bigint,
      accountBuys: boolean,
      size: bigint,
      limitPrice: bigint,
      deadline: bigint,
    ) => {
      const order = buildOrder({
        account: counterparty,
        series: id,
        isBuy: !accountBuys,
        size,
        limitPrice,
        deadline,
        salt: ++salt,
      });
      return { order, fill: { maker: await signOrder(other, f.domain, order), fillSize: size } as FillRequest };
    };

    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const snapshot = await provider.send("evm_snapshot", []);
        try {
          const t0 = await f.now();
          const deadline = BigInt(t0 + 365 * DAY);
          const account = await f.newAccount(trader);
          const counterparty = await f.newAccount(other);
          const chT = f.ch.connect(trader);
          await (await f.ch.connect(other).deposit(counterparty, await f.cash.getAddress(), 10n ** 15n)).wait();
          await (await chT.deposit(account, await f.cash.getAddress(), BigInt(s.cashUsd) * 10n ** 6n)).wait();
          if (s.wethMilli > 0)
            await (await chT.deposit(account, await weth.getAddress(), BigInt(s.wethMilli) * 10n ** 15n)).wait();
          if (s.wbtcMilli > 0)
            await (await chT.deposit(account, await wbtc.getAddress(), BigInt(s.wbtcMilli) * 10n ** 5n)).wait();

          const seriesOf = (l: LegSpec, t: number) => {
            const u = l.btc ? BTC : ETH;
            const strike =
              u === ETH
                ? 2000n * WAD + BigInt(l.strikeStep) * 50n * WAD
                : 60_000n * WAD + BigInt(l.strikeStep) * 1000n * WAD;
            return seriesId(u, f.expiryAfter(t, l.days), strike, l.isCall);
          };
          const seen = new Set<bigint>();
          const fills: FillRequest[] = [];
          const built: bigint[] = [];
          for (const l of s.legs) {
            const id = seriesOf(l, t0);
            if (seen.has(id)) continue;
            seen.add(id);
            // the counterparty signs the opposite side at zero premium; the account takes it
            const o = await counterOrder(counterparty, id, l.milli > 0, legSize(l.btc, l.milli), 0n, deadline);
            fills.push(o.fill);
            built.push(id);
          }
          if (fills.length > 0) {
            try {
              await (await f.exchange.connect(trader).fill(account, fills)).wait();
            } catch (e) {
              const text = `${String(e)} ${String((e as { data?: unknown }).data)}`;
              if (!text.includes("ClearingHouse_BelowInitialMargin") && !text.includes(belowIm)) throw e;
              stats.rejectedAtBuild++;
              return; // the portfolio does not pass the initial margin check: nothing to compare
            }
          }

          // Market moves: time, settlement of some expired groups, spots, vols, modes.
          const tFinal = Math.max((await f.now()) + 1, t0 + 1 + s.jumpSeconds);
          await provider.send("evm_setNextBlockTimestamp", [tFinal]);
          await provider.send("evm_mine", []);
          const expiredGroups = [...new Set(built.map((id) => id >> 104n))]
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
            const volUpdater = await ethers.getSigner(f.roles.volUpdater); // the deployed vol updater
            await (await f.volOracle.connect(volUpdater).setVol(ETH, (BigInt(s.ethVolPct) * WAD) / 100n)).wait();
            await (await f.volOracle.connect(volUpdater).setVol(BTC, (BigInt(s.btcVolPct) * WAD) / 100n)).wait();
          }
          if (s.mode === "btcBrokenFeed") {
            const t = await f.now();
            await (await f.feeds.BTC!.pushRound(0n, t)).wait(); // answer 0: Halted, lastPrice 0
          } else if (s.mode !== "none") {
            const u = s.mode.startsWith("eth") ? ETH : BTC;
            const m = s.mode.endsWith("Halted") ? MarketMode.Halted : MarketMode.ReduceOnly;
            const guardian = await ethers.getSigner(f.roles.guardian); // the deployed guardian, not the deployer
            await (await f.oracle.connect(guardian).setModeOverride(u, m)).wait();
          }

          // ---------------------------------------------------------------- evaluation at one block
          const blockTag = await provider.getBlockNumber();
          const now = BigInt((await provider.getBlock(blockTag))!.timestamp);
          const state = await readState(account, blockTag);
          const cpState = await readState(counterparty, blockTag);

          // Further batches (each simulated on its own at this block): partial closes of the account's live
          // positions at premiums around the mark, and new legs.
          type Leg2 = { id: bigint; accountBuys: boolean; size: bigint; priceFactor: number };
          const live = state.positions.filter((p) => ((p.series >> 104n) & ((1n << 40n) - 1n)) > now);
          const batches: Leg2[][] = s.batches.map((batch) => {
            const legs: Leg2[] = [];
            for (const c of batch) {
              if (c.newLeg !== null || live.length === 0) {
                const l = c.newLeg ?? { btc: false, days: 3, strikeStep: 0, isCall: true, milli: 100 };
                const size = legSize(l.btc, l.milli);
                legs.push({ id: seriesOf(l, Number(now)), accountBuys: l.milli > 0, size, priceFactor: c.priceFactor });
              } else {
                const p = live[c.pick % live.length]!;
                const abs = p.size < 0n ? -p.size : p.size;
                const size = (abs * BigInt(c.pct)) / 100n;
                if (size > 0n) legs.push({ id: p.series, accountBuys: p.size < 0n, size, priceFactor: c.priceFactor });
              }
            }
            return legs;
          });
          const ids = [
            ...new Set(
              [...state.positions, ...cpState.positions].map((p) => p.series).concat(batches.flat().map((x) => x.id)),
            ),
          ];
          const { view, params } = await readView(ids, blockTag);

          // accountMargin (non-strict) and the strict evaluation, to the wei
          const model = accountMargin(state, view, params, now);
          const [equity, im, mm] = await f.ch.accountMargin(account, { blockTag });
          expect({ equity, im, mm }).to.deep.equal({ equity: model.equity, im: model.im, mm: model.mm });
          const strict = evaluateAccount(state, view, params, now, true);
          const collateralWords = state.collaterals.map(
            (c) => (BigInt(c.priceUnderlying) << 240n) | (c.imHaircut << 176n) | (c.mmHaircut << 112n) | c.amount,
          );
          const words = state.positions.map((p) => (p.series << 96n) | BigInt.asUintN(96, p.size));
          const [e] = await evaluator.evaluate(state.cash, collateralWords, words, true, { entries: [] }, { blockTag });
          expect({ equity: e.equity, im: e.im, mm: e.mm, groups: Number(e.groups) }).to.deep.equal(strict);
          stats.compared++;
          if (strict.equity < strict.im) stats.belowIm++;
          if (strict.equity !== model.equity) stats.degraded++;

          // ---------------------------------------------------------------- further batches: simulate vs predict
          const states = new Map([
            [account, state],
            [counterparty, cpState],
          ]);
          for (const legs of batches) {
            if (legs.length === 0) continue;
            const fills2: FillRequest[] = [];
            const trades: Trade[] = [];
            for (const x of legs) {
              const unit = evaluateAccount(
                { cash: 0n, collaterals: [], positions: [{ series: x.id, size: WAD }] },
                view,
                params,
                now,
              ).equity;
              const limitPrice = ((unit > 0n ? unit : 0n) * BigInt(x.priceFactor)) / 100n;
              const o = await counterOrder(counterparty, x.id, x.accountBuys, x.size, limitPrice, deadline);
              fills2.push(o.fill);
              trades.push({
                buyer: x.accountBuys ? account : counterparty,
                seller: x.accountBuys ? counterparty : account,
                series: x.id,
                size: x.size,
                premium: quoteFill(o.order, x.size, NO_FEES).premium,
                buyerFee: 0n,
                sellerFee: 0n,
              });
            }
            // Accounts are checked in the order they are first touched: each leg's buyer, then its seller.
            const touched = [...new Set(trades.flatMap((t) => [t.buyer, t.seller]))];
            const predictions = touched.map((a) => ({
              a,
              r: predictTrades(states.get(a)!, a, trades, view, params, now, groupCap),
            }));
            const refused = predictions.find((p) => !p.r.accepted);
            let chainError: { name: string; args: readonly unknown[] } | undefined;
            try {
              await f.exchange.connect(trader).fill.staticCall(account, fills2, { blockTag });
            } catch (err) {
              const data = (err as { data?: string }).data;
              const parsed = data ? f.ch.interface.parseError(data) : null;
              chainError = parsed ? { name: parsed.name, args: [...parsed.args] } : { name: String(err), args: [] };
            }
            if (chainError === undefined) {
              expect(refused, "the chain accepted the batch").to.equal(undefined);
              stats.batchAccepted++;
              if (predictions.some((p) => p.a === account && p.r.accepted && p.r.before !== undefined))
                stats.acceptedByReduction++;
            } else if (chainError.name === "ClearingHouse_BelowInitialMargin") {
              expect(refused, `chain: ${chainError.name}(${chainError.args})`).to.not.equal(undefined);
              expect(refused!.r.accepted).to.equal(false);
              if (!refused!.r.accepted) expect([refused!.a, refused!.r.margin]).to.deep.equal(chainError.args);
              stats.refusedMargin++;
            } else if (chainError.name === "ClearingHouse_GroupCapReached") {
              expect(refused, `chain: ${chainError.name}`).to.not.equal(undefined);
              if (refused !== undefined && !refused.r.accepted) {
                const err = refused.r.error as { account: bigint; groups: number; cap: number };
                expect([err.account, BigInt(err.groups), BigInt(err.cap)]).to.deep.equal(chainError.args);
              }
              stats.refusedCap++;
            } else {
              // a leg check (market mode, expiry, minimum size): not the margin model's business
              stats.refusedOther++;
              otherErrors.set(chainError.name, (otherErrors.get(chainError.name) ?? 0) + 1);
            }
          }
        } finally {
          await provider.send("evm_revert", [snapshot]);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    console.log(`      ${JSON.stringify(stats)}`);
    console.log(`      other refusals: ${JSON.stringify(Object.fromEntries(otherErrors))}`);
    expect(stats.compared).to.be.greaterThan(RUNS / 2);
    expect(stats.belowIm).to.be.greaterThan(0);
    expect(stats.acceptedByReduction).to.be.greaterThan(0);
    expect(stats.refusedMargin).to.be.greaterThan(0);
  });
});
