import type { Scenario } from "../lib.js";

const WAD = 10n ** 18n;
const DAY = 86_400n;

/** Pure-math costs: one Black-Scholes call+put evaluation, and one 16-leg group (8 strikes × put and call). */
const scenario: Scenario = async ({ ethers, exec }) => {
  const harness = await ethers.deployContract("MathHarness");
  const target = await harness.getAddress();
  const iface = harness.interface;

  // ATM-ish 30-day option, rate 0 (the default): one lnWad, one sqrt, one expWad.
  const price = iface.encodeFunctionData("price", [2_000n * WAD, 2_100n * WAD, 30n * DAY, (8n * WAD) / 10n, 0n]);
  // Same with a non-zero rate: one more expWad for the discount factor.
  const priceRate = iface.encodeFunctionData("price", [
    2_000n * WAD,
    2_100n * WAD,
    30n * DAY,
    (8n * WAD) / 10n,
    (5n * WAD) / 100n,
  ]);

  // 16 legs on 8 strikes (a put and a call at each, mixed long/short, bounded payoff): one BS evaluation per strike.
  const legs = Array.from({ length: 16 }, (_, i) => {
    const strike = (1_600n + 100n * BigInt(i >> 1)) * WAD;
    const isCall = (i & 1) === 1;
    const size = (i % 3 === 0 ? -1n : 1n) * WAD;
    return { strike, size, isCall };
  });
  // 16 legs on 16 distinct strikes: one BS evaluation per leg (worst case per position).
  const legsDistinct = Array.from({ length: 16 }, (_, i) => ({
    strike: (1_250n + 50n * BigInt(i)) * WAD,
    size: (i % 3 === 0 ? -2n : 1n) * WAD,
    isCall: i >= 8,
  }));
  const params = {
    price: 2_000n * WAD,
    vol: (8n * WAD) / 10n,
    tau: 30n * DAY,
    rate: 0n,
    imBase: (15n * WAD) / 100n,
    imFloor: WAD / 10n,
    mmBase: WAD / 10n,
    mmFloor: (75n * WAD) / 1000n,
    imVegaSlope: (18n * WAD) / 10n,
    imVegaCap: (55n * WAD) / 100n,
    mmVegaSlope: (9n * WAD) / 10n,
    mmVegaCap: (3n * WAD) / 10n,
    settled: false,
  };
  return {
    "blackScholes.price": await exec(target, price),
    "blackScholes.price.rate": await exec(target, priceRate),
    "marginLib.group.16": await exec(target, iface.encodeFunctionData("evaluateGroup", [legs, params])),
    "marginLib.group.16distinct": await exec(target, iface.encodeFunctionData("evaluateGroup", [legsDistinct, params])),
  };
};

export default scenario;
