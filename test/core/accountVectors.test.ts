/**
 * Account vectors vs the TypeScript model (risk engine v2): the committed JSON equals what the generator builds from
 * sdk/model/account.ts (regenerate with WRITE_VECTORS=1), each vector's expected result is reproduced from its
 * parsed fields, and the examples show the account rules they are named after. The same files drive
 * test/core/AccountVectors.t.sol against the contracts. Also unit tests of the whole-account risk-reduction decision
 * (`acceptsAfterTrades`, `checkAfterTrades`, `predictTrades`).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import {
  ClearingHouseBelowInitialMargin,
  ClearingHouseGroupCapReached,
  INITIAL_MARGIN_SKIPPED,
  MarketMode,
  acceptsAfterTrades,
  accountMargin,
  applyTrades,
  encodeSeries,
  evaluateAccount,
  initialMargin,
  predictTrades,
  stateBeforeTrades,
  type AccountState,
  type Trade,
} from "../../sdk/model/account.js";
import { mulWad, mulWadUp } from "../../sdk/model/fixedPoint.js";
import { evaluateGroup, maxLoss } from "../../sdk/model/margin.js";
import {
  ACCOUNT_ID,
  BTC,
  COUNTERPARTY_ID,
  DEFAULT_RISK,
  ETH,
  EX,
  EXAMPLES_DESCRIPTION,
  RANDOM_COUNT,
  RANDOM_DESCRIPTION,
  T0,
  WAD,
  engineParams,
  examples,
  expected,
  expectedJson,
  expiryAt,
  fromJson,
  holdings,
  oracleView,
  randomVectors,
  serialize,
  type AccountVector,
} from "./accountVectors.js";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "vectors");
const files = [
  { file: "account-examples.json", build: () => serialize(EXAMPLES_DESCRIPTION, examples()) },
  { file: "account-random.json", build: () => serialize(RANDOM_DESCRIPTION, randomVectors(RANDOM_COUNT)) },
];

function example(name: string): AccountVector {
  const v = examples().find((x) => x.name === name);
  if (v === undefined) throw new Error(`no example "${name}"`);
  return v;
}

const margin = (e: { equity: bigint; im: bigint }) => e.equity - e.im;

describe("account vectors (model)", () => {
  for (const { file, build } of files) {
    it(`${file} is up to date with the generator`, () => {
      const fresh = build();
      const target = path.join(dir, file);
      if (process.env.WRITE_VECTORS === "1") writeFileSync(target, fresh);
      expect(readFileSync(target, "utf8")).to.equal(fresh);
    });

    it(`${file}: every expected result follows from the vector's own fields`, () => {
      const json = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
      expect(json.count).to.equal(json.vectors.length);
      for (const j of json.vectors) expect(expectedJson(fromJson(j)), j.name).to.deep.equal(j.expected);
    });
  }

  it("random vectors reach below IM, below MM, degraded markets and strict/non-strict differences", () => {
    const all = randomVectors(RANDOM_COUNT).map((v) => ({ v, e: expected(v) }));
    expect(all.filter(({ e }) => e.equity < e.im).length).to.be.greaterThan(3);
    expect(all.filter(({ e }) => e.equity < e.mm).length).to.be.greaterThan(1);
    expect(all.filter(({ e }) => e.strict.equity !== e.equity).length).to.be.greaterThan(1);
    expect(all.filter(({ v }) => v.spot[BTC] === 0n).length).to.be.greaterThan(0);
    expect(all.filter(({ v }) => (v.rates[ETH] ?? 0n) > 0n).length).to.be.greaterThan(3);
  });

  describe("examples show their rules", () => {
    it(EX.collateralOnly, () => {
      const v = example(EX.collateralOnly);
      const e = expected(v);
      const weth = mulWad(v.weth, v.spot[ETH]!);
      const wbtc = mulWad(v.wbtc, v.spot[BTC]!);
      expect(e.equity).to.equal(v.cash + weth + wbtc);
      expect(e.im).to.equal(mulWadUp(weth, v.haircuts.weth.im) + mulWadUp(wbtc, v.haircuts.wbtc.im));
      expect(e.mm).to.equal(mulWadUp(weth, v.haircuts.weth.mm) + mulWadUp(wbtc, v.haircuts.wbtc.mm));
      expect(e.mm < e.im).to.equal(true);
      expect(e.groups).to.equal(0);
    });

    it(EX.longOnly, () => {
      const v = example(EX.longOnly);
      const e = expected(v);
      expect(e.equity > v.cash).to.equal(true);
      expect(margin(e)).to.equal(v.cash); // no IM credit for the long value
      expect(e.equity - e.mm).to.equal(v.cash); // default mmLongHaircut 1: no MM credit either
      expect(e.groups).to.equal(2);
    });

    it(EX.debitSpread, () => {
      const v = example(EX.debitSpread);
      const e = expected(v);
      expect(e.equity > v.cash).to.equal(true);
      expect(margin(e)).to.equal(v.cash);
    });

    it(EX.creditSpread, () => {
      const v = example(EX.creditSpread);
      const e = expected(v);
      const legs = [...v.positions]
        .sort((a, b) => (a.strike < b.strike ? -1 : 1))
        .map((p) => ({ strike: p.strike, size: p.size, isCall: p.isCall }));
      const { loss, bounded } = maxLoss(legs);
      expect(bounded).to.equal(true);
      expect(loss).to.equal(250n * WAD);
      // The margin held is exactly the max loss: the cap binds.
      expect(margin(e)).to.equal(v.cash - loss);
    });

    it(EX.haltedDefined, () => {
      const v = example(EX.haltedDefined);
      const e = expected(v);
      expect(e).to.include({ equity: v.cash - 200n * WAD, im: 0n, mm: 0n, groups: 1 });
    });

    it(EX.haltedUnbounded, () => {
      const v = example(EX.haltedUnbounded);
      const e = expected(v);
      const withoutBtc = expected({ ...v, positions: v.positions.filter((p) => p.underlying !== BTC) });
      // upTo = 66,000 x 1.3 = 85,800: the 0.1 short 70,000 call loses 1,580 there (the long put pays 0), plus the
      // IM floor on the last price per short contract: 0.1 x 10% x 66,000 = 660.
      expect(e.equity).to.equal(withoutBtc.equity - 1580n * WAD - 660n * WAD);
      expect(e.im).to.equal(withoutBtc.im);
      expect(e.mm).to.equal(withoutBtc.mm);
      expect(e.groups).to.equal(2);
    });

    it(EX.haltedBroken, () => {
      const v = example(EX.haltedBroken);
      const e = expected(v);
      // lastPrice 0: upTo = band max 100,000. Short 0.1 call 2,500: 9,750; short put 1,800: 1,800 at 0.
      expect(e).to.include({ equity: v.cash - 11_550n * WAD, im: 0n, mm: 0n, groups: 2 });
    });

    it(EX.haltedCollateral, () => {
      const v = example(EX.haltedCollateral);
      const e = expected(v);
      const withoutWeth = expected({ ...v, weth: 0n });
      // 4 WETH at 1,900 x (1 − 40%) = 4,560: counts 0 for IM, 7% MM haircut.
      const value = 4560n * WAD;
      expect(e.equity).to.equal(withoutWeth.equity + value);
      expect(margin(e)).to.equal(margin(withoutWeth));
      expect(e.mm).to.equal(withoutWeth.mm + mulWadUp(value, v.haircuts.weth.mm));
    });

    it(EX.haltedFarCallSpread, () => {
      const v = example(EX.haltedFarCallSpread);
      const e = expected(v);
      // defined risk: minus its maximum loss 3 x 200 = 600, whatever the last price (a halt never needs less)
      expect(e).to.include({ equity: v.cash - 600n * WAD, im: 0n, mm: 0n });
    });

    it(EX.reduceOnly, () => {
      const v = example(EX.reduceOnly);
      const e = expected(v);
      const active = expected({ ...v, modes: {} });
      expect(e.equity).to.equal(active.equity); // non-strict: ReduceOnly prices are used
      expect(e.im).to.equal(active.im);
      expect(e.mm > active.mm).to.equal(true); // h = 1 instead of 0.5
      // Strict: collateral at 2 x 2,000 x 0.5 (IM 0), the call spread at its worst payoff (>= 0).
      expect(e.strict).to.include({ equity: v.cash + 2000n * WAD, im: 2000n * WAD, mm: 100n * WAD });
    });

    it(EX.staleVol, () => {
      const v = example(EX.staleVol);
      const e = expected(v);
      const noCredit = expected({ ...v, risk: { [ETH]: { ...DEFAULT_RISK, mmLongHaircut: WAD } } });
      expect(e.mm).to.equal(noCredit.mm); // the stale vol forces h = 1
    });

    it(EX.longCredit, () => {
      const v = example(EX.longCredit);
      const e = expected(v);
      const noCredit = expected({ ...v, risk: { [ETH]: { ...DEFAULT_RISK, mmLongHaircut: WAD } } });
      expect(e.mm < noCredit.mm).to.equal(true);
      expect(e.im).to.equal(noCredit.im);
      // mm = mmReq + ceil((value − mmReq) / 2): the credit is half of value − mmReq.
      const expiry = v.positions[0]!.expiry;
      const legs = [...v.positions]
        .sort((a, b) => (a.strike < b.strike ? -1 : 1))
        .map((p) => ({ strike: p.strike, size: p.size, isCall: p.isCall }));
      const g = evaluateGroup(legs, {
        ...engineParams(v, ETH),
        price: v.spot[ETH]!,
        vol: v.vols[ETH]!,
        tau: expiry - v.now,
        settled: false,
      });
      expect(g.value > g.mmReq).to.equal(true);
      expect(e.mm).to.equal(g.mmReq + mulWadUp(g.value - g.mmReq, WAD / 2n));
    });

    it(EX.rate, () => {
      const v = example(EX.rate);
      const e = expected(v);
      const zero = expected({ ...v, rates: {} });
      expect(e.equity).to.not.equal(zero.equity);
      expect(e.im).to.not.equal(zero.im);
      expect(e.groups).to.equal(3);
    });

    it(EX.belowMm, () => {
      const e = expected(example(EX.belowMm));
      expect(e.equity < e.mm).to.equal(true);
    });

    it("accountMargin is the non-strict evaluation; the strict one differs only with a ReduceOnly market", () => {
      let differ = 0;
      for (const v of [...examples(), ...randomVectors(RANDOM_COUNT)]) {
        const { strict, ...e } = expected(v);
        const reduceOnly = Object.values(v.modes).includes(MarketMode.ReduceOnly);
        if (!reduceOnly) expect(strict, v.name).to.deep.equal(e);
        else if (strict.equity !== e.equity) differ++;
      }
      expect(differ).to.be.greaterThan(2);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("whole-account risk reduction (model)", () => {
  const A = ACCOUNT_ID;
  const B = COUNTERPARTY_ID;
  const deep = example(EX.belowMm); // 5 short 2,400 calls, spot 2,900: equity < 0
  const v0 = { ...deep, cash: deep.cash + 1_000n * WAD }; // the same, below MM but solvent
  const view = oracleView(v0);
  const params = (u: number) => engineParams(v0, u);
  const series = v0.positions[0]!;
  const id = encodeSeries(series);
  const trade = (size: bigint, premium: bigint, buyer = A, seller = B): Trade => ({
    buyer,
    seller,
    series: id,
    size,
    premium,
    buyerFee: 0n,
    sellerFee: 0n,
  });
  const strictEval = (s: AccountState) => evaluateAccount(s, view, params, v0.now, true);
  const state = holdings(v0);

  it("acceptsAfterTrades: at or above IM, or IM not up and margin not down", () => {
    const before = { equity: 100n, im: 150n };
    expect(acceptsAfterTrades(before, { equity: 200n, im: 150n })).to.equal(true); // at/above IM
    expect(acceptsAfterTrades(before, { equity: 99n, im: 140n })).to.equal(true); // margin −41 >= −50, im down
    expect(acceptsAfterTrades(before, { equity: 100n, im: 150n })).to.equal(true); // unchanged
    expect(acceptsAfterTrades(before, { equity: 80n, im: 140n })).to.equal(false); // margin fell
    expect(acceptsAfterTrades(before, { equity: 120n, im: 160n })).to.equal(false); // im rose
    expect(acceptsAfterTrades(before, { margin: INITIAL_MARGIN_SKIPPED, im: 0n })).to.equal(true);
    // reduced, but left insolvent (equity < 0): refused
    expect(acceptsAfterTrades({ equity: -10n, im: 100n }, { equity: -5n, im: 50n })).to.equal(false);
    expect(acceptsAfterTrades({ equity: -10n, im: 100n }, { equity: 0n, im: 50n })).to.equal(true);
  });

  it("a partial buyback at the mark below MM passes", () => {
    const e = strictEval(state);
    expect(e.equity < e.mm).to.equal(true);
    expect(e.equity > 0n).to.equal(true);
    // premium: the mark of the 2.5 calls bought back (what the group's value gains without them)
    const half = -series.size / 2n;
    const after = { ...state, positions: [{ series: id, size: series.size + half }] };
    const premium = strictEval({ ...after, cash: 0n }).equity - strictEval({ ...state, cash: 0n }).equity;
    const r = predictTrades(state, A, [trade(half, premium)], view, params, v0.now, 16);
    expect(r.accepted).to.equal(true);
    expect(r.before).to.not.equal(undefined); // below IM after: decided by the fallback
  });

  it("an insolvent account pays nobody, even at the mark; a buyback for nothing that restores solvency passes", () => {
    const s = holdings(deep);
    const p = (u: number) => engineParams(deep, u);
    const strictAt = (x: AccountState) => evaluateAccount(x, oracleView(deep), p, deep.now, true);
    expect(strictAt(s).equity < 0n).to.equal(true);
    const half = -series.size / 2n;
    const after = { ...s, positions: [{ series: id, size: series.size + half }] };
    const premium = strictAt({ ...after, cash: 0n }).equity - strictAt({ ...s, cash: 0n }).equity;
    expect(predictTrades(s, A, [trade(half, premium)], oracleView(deep), p, deep.now, 16).accepted).to.equal(false);
    // the counterparty gives the 2.5 calls back for nothing: equity rises by their worth (~1,300 > the deficit)
    const free = predictTrades(s, A, [trade(half, 0n)], oracleView(deep), p, deep.now, 16);
    expect(strictAt(free.after).equity >= 0n).to.equal(true);
    expect(free.accepted).to.equal(true);
  });

  it("an off-market buyback that drains equity is refused", () => {
    const half = -series.size / 2n;
    const r = predictTrades(state, A, [trade(half, 3000n * WAD)], view, params, v0.now, 16);
    expect(r.accepted).to.equal(false);
    if (!r.accepted) expect(r.error).to.be.instanceOf(ClearingHouseBelowInitialMargin);
  });

  it("selling the long wing of a spread below IM is refused even at its mark (IM rises)", () => {
    const v = { ...example(EX.creditSpread), cash: 200n * WAD }; // margin = cash − L = −50
    const s = holdings(v);
    const p = (u: number) => engineParams(v, u);
    const wing = v.positions.find((x) => x.size > 0n)!;
    const wingOnly = { cash: 0n, collaterals: [], positions: [{ series: encodeSeries(wing), size: wing.size }] };
    const premium = evaluateAccount(wingOnly, oracleView(v), p, v.now, true).equity;
    const t: Trade = { ...trade(wing.size, premium, B, A), series: encodeSeries(wing) };
    const before = evaluateAccount(s, oracleView(v), p, v.now, true);
    expect(margin(before)).to.equal(-50n * WAD);
    const r = predictTrades(s, A, [t], oracleView(v), p, v.now, 16);
    expect(r.accepted).to.equal(false);
    expect(r.im! > before.im).to.equal(true);
  });

  it("the group cap applies when a position is opened", () => {
    const many: AccountState = {
      cash: 10n ** 9n * WAD,
      collaterals: [],
      positions: Array.from({ length: 16 }, (_, k) => ({
        series: encodeSeries({ underlying: ETH, expiry: expiryAt(k + 1), strike: 2000n * WAD, isCall: true }),
        size: -WAD,
      })),
    };
    const t: Trade = {
      ...trade(WAD, 0n, B, A),
      series: encodeSeries({ underlying: ETH, expiry: expiryAt(30), strike: 2000n * WAD, isCall: true }),
    };
    const r = predictTrades(many, A, [t], view, params, T0 + 3600n, 16);
    expect(r.accepted).to.equal(false);
    if (!r.accepted) expect(r.error).to.be.instanceOf(ClearingHouseGroupCapReached);
    // A reduction in an existing group opens nothing: no cap.
    const reduce: Trade = { ...trade(WAD / 2n, 0n), series: many.positions[0]!.series };
    expect(predictTrades(many, A, [reduce], view, params, T0 + 3600n, 16).accepted).to.equal(true);
  });

  it("long-only accounts with cash >= 0 skip the evaluation unless they open a position", () => {
    const s = holdings(example(EX.longOnly));
    expect(initialMargin(s, view, params, v0.now).margin).to.equal(INITIAL_MARGIN_SKIPPED);
    const opened = initialMargin(s, view, params, v0.now, { opened: true, groupCap: 16 });
    expect(opened.margin).to.equal(s.cash);
  });

  it("stateBeforeTrades undoes applyTrades (positions, premium, fees)", () => {
    const trades: Trade[] = [
      { ...trade(WAD, 123n * WAD), buyerFee: 7n, sellerFee: 3n },
      { ...trade(2n * WAD, 50n * WAD, B, A), buyerFee: 1n, sellerFee: 2n },
      {
        ...trade(WAD, 10n * WAD, B, A),
        series: encodeSeries({ underlying: BTC, expiry: expiryAt(5), strike: 60_000n * WAD, isCall: false }),
      },
      { ...trade(6n * WAD, 0n), buyer: A }, // closes the series: −5 + 1 − 2 + 6 = 0
    ];
    const { after, opened } = applyTrades(state, A, trades);
    expect(opened).to.equal(true);
    const back = stateBeforeTrades(after, A, trades);
    expect(back.cash).to.equal(state.cash);
    const sort = (p: readonly { series: bigint; size: bigint }[]) =>
      [...p].sort((a, b) => (a.series < b.series ? -1 : 1));
    expect(sort(back.positions)).to.deep.equal(sort(state.positions));
    // the closed series is gone after and restored before
    expect(after.positions.find((p) => p.series === id)).to.equal(undefined);
    expect(back.positions.find((p) => p.series === id)?.size).to.equal(series.size);
  });

  it("accountMargin of an empty account is its cash", () => {
    expect(accountMargin({ cash: -5n, collaterals: [], positions: [] }, view, params, v0.now)).to.deep.equal({
      equity: -5n,
      im: 0n,
      mm: 0n,
      groups: 0,
    });
  });
});
