/**
 * Checks a `NetworkConfig` against the contracts' own bounds before the first transaction. The bounds are read from
 * the Solidity sources (`uint256 public constant MIN_IM_BASE = 0.15e18;`), not copied, so a bound changed in a
 * contract is the bound checked here; test/deploy/journal.test.ts compares every parsed constant with the deployed
 * contract's getter. Each failure names the config field, the bound and the deployment step that would revert.
 */
import { readFileSync } from "node:fs";

import { formatEther, isAddress } from "ethers";

import type { NetworkConfig } from "./config.js";

/** Source files whose `constant` declarations bound the config, by contract name. */
const SOURCES: Record<string, string> = {
  ChainlinkOracle: "contracts/oracles/ChainlinkOracle.sol",
  VolatilityOracle: "contracts/oracles/VolatilityOracle.sol",
  SettlementOracle: "contracts/oracles/SettlementOracle.sol",
  SequencerGuard: "contracts/oracles/SequencerGuard.sol",
  RiskConfig: "contracts/core/RiskConfig.sol",
  OptionExchange: "contracts/trading/OptionExchange.sol",
  LiquidationModule: "contracts/liquidation/LiquidationModule.sol",
};

const UNITS: Record<string, bigint> = { seconds: 1n, minutes: 60n, hours: 3600n, days: 86_400n, weeks: 604_800n };

/** Evaluates the constant expressions the contracts use: `0.15e18`, `1 minutes`, `2 ** 64`, `type(uint128).max`. */
export function evalSolidityConstant(expr: string): bigint | undefined {
  const e = expr.trim().replaceAll("_", "");
  let m = /^(\d+)(?:\.(\d+))?(?:e(\d+))?(?:\s+(seconds|minutes|hours|days|weeks))?$/.exec(e);
  if (m) {
    const [, int, frac = "", exp = "0", unit = "seconds"] = m;
    const scale = BigInt(exp) - BigInt(frac.length);
    const digits = BigInt(int + frac);
    if (scale < 0n) {
      const d = 10n ** -scale;
      if (digits % d !== 0n) return undefined; // not an integer: Solidity would not compile it either
      return (digits / d) * UNITS[unit]!;
    }
    return digits * 10n ** scale * UNITS[unit]!;
  }
  m = /^(\d+)\s*\*\*\s*(\d+)$/.exec(e);
  if (m) return BigInt(m[1]!) ** BigInt(m[2]!);
  m = /^type\((u?)int(\d+)\)\.max$/.exec(e);
  if (m) return m[1] === "u" ? 2n ** BigInt(m[2]!) - 1n : 2n ** (BigInt(m[2]!) - 1n) - 1n;
  return undefined;
}

/** Every numeric constant of the bounding contracts, keyed `Contract.NAME`. */
export function readContractBounds(root = new URL("../", import.meta.url)): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const [contract, file] of Object.entries(SOURCES)) {
    const source = readFileSync(new URL(file, root), "utf8");
    for (const m of source.matchAll(
      /\b(?:u?int\d*)\s+(?:public|internal|private)\s+constant\s+(\w+)\s*=\s*([^;]+);/g,
    )) {
      const value = evalSolidityConstant(m[2]!);
      if (value !== undefined) out[`${contract}.${m[1]}`] = value;
    }
  }
  return out;
}

export class ConfigError extends Error {
  constructor(
    readonly configName: string,
    readonly problems: string[],
  ) {
    super(
      `${configName}: the config fails the contracts' bounds; nothing was sent:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/**
 * Returns every bound the config breaks (empty when it is deployable), each as
 * `markets[ETH].margin.imBase = 0.1 below RiskConfig.MIN_IM_BASE = 0.15 (step: RiskConfig: list ETH grid and margin)`.
 */
export function checkConfig(config: NetworkConfig, bounds = readContractBounds()): string[] {
  const problems: string[] = [];
  const bound = (name: string) => {
    const v = bounds[name];
    if (v === undefined) throw new Error(`deploy/bounds.ts: constant ${name} not found in the contract sources`);
    return v;
  };
  type Fmt = "wad" | "int";
  const show = (v: bigint, fmt: Fmt) => (fmt === "wad" ? formatEther(v).replace(/\.0$/, "") : v.toString());
  /** `value` within [min, max]; either side is a constant name, a literal, or undefined (no bound). */
  const within = (
    step: string,
    field: string,
    raw: bigint | number,
    fmt: Fmt,
    min?: string | bigint,
    max?: string | bigint,
  ) => {
    const value = BigInt(raw);
    const lo = typeof min === "string" ? bound(min) : min;
    const hi = typeof max === "string" ? bound(max) : max;
    const named = (b: string | bigint, v: bigint) => (typeof b === "string" ? `${b} = ${show(v, fmt)}` : show(v, fmt));
    if (lo !== undefined && value < lo) {
      problems.push(`${field} = ${show(value, fmt)} is below ${named(min!, lo)} (step: ${step})`);
    } else if (hi !== undefined && value > hi) {
      problems.push(`${field} = ${show(value, fmt)} is above ${named(max!, hi)} (step: ${step})`);
    }
  };
  const rule = (ok: boolean, step: string, what: string) => {
    if (!ok) problems.push(`${what} (step: ${step})`);
  };
  const WAD = 10n ** 18n;

  // Addresses first: a placeholder left in a network config is named before anything else.
  const address = (field: string, value: string | undefined) => {
    if (value !== undefined && !isAddress(value)) {
      problems.push(`${field} = "${value}" is not an address: fill it in the network config (step: config)`);
    }
  };
  address("cash.address", config.cash.address);
  if (config.sequencer.feed !== null && config.sequencer.feed !== "mock")
    address("sequencer.feed", config.sequencer.feed);
  for (const m of config.markets) {
    address(`markets[${m.symbol}].feed.address`, m.feed.address);
    address(`markets[${m.symbol}].fallbackFeed.address`, m.fallbackFeed?.address);
  }
  for (const c of config.collaterals) address(`collaterals[${c.token.symbol}].token.address`, c.token.address);
  config.governance.proposers?.forEach((a, i) => address(`governance.proposers[${i}]`, a));
  config.governance.executors?.forEach((a, i) => address(`governance.executors[${i}]`, a));
  address("roles.guardian", config.roles.guardian);
  address("roles.volUpdater", config.roles.volUpdater);
  address("roles.feeCollector", config.roles.feeCollector);

  {
    within(
      "SequencerGuard: deploy",
      "sequencer.gracePeriod",
      config.sequencer.gracePeriod,
      "int",
      "SequencerGuard.MIN_GRACE_PERIOD",
      "SequencerGuard.MAX_GRACE_PERIOD",
    );
  }
  {
    const step = "SettlementOracle: deploy";
    const s = config.settlement;
    within(
      step,
      "settlement.fallbackDelay",
      s.fallbackDelay,
      "int",
      "SettlementOracle.MIN_FALLBACK_DELAY",
      "SettlementOracle.MAX_FALLBACK_DELAY",
    );
    within(step, "settlement.manualDelay", s.manualDelay, "int", undefined, "SettlementOracle.MAX_MANUAL_DELAY");
    rule(s.manualDelay > s.fallbackDelay, step, "settlement.manualDelay must be above settlement.fallbackDelay");
  }

  const ids = new Set<number>();
  for (const m of config.markets) {
    const at = `markets[${m.symbol}]`;
    rule(
      Number.isInteger(m.id) && m.id >= 0 && m.id < 2 ** 16 && !ids.has(m.id),
      `ChainlinkOracle: list ${m.symbol}`,
      `${at}.id = ${m.id} must be a distinct uint16`,
    );
    ids.add(m.id);
    const listing = `ChainlinkOracle: list ${m.symbol} (#${m.id})`;
    for (const [name, f] of [
      ["feed", m.feed],
      ["fallbackFeed", m.fallbackFeed],
    ] as const) {
      if (f === undefined) continue;
      within(
        listing,
        `${at}.${name}.heartbeat`,
        f.heartbeat,
        "int",
        "ChainlinkOracle.MIN_HEARTBEAT",
        "ChainlinkOracle.MAX_HEARTBEAT",
      );
      within(listing, `${at}.${name}.decimals`, f.decimals, "int", 0n, "ChainlinkOracle.MAX_FEED_DECIMALS");
    }
    rule(m.minPrice > 0n && m.minPrice < m.maxPrice, listing, `${at}.minPrice must be above 0 and below maxPrice`);
    within(listing, `${at}.maxPrice`, m.maxPrice, "wad", undefined, 2n ** 128n - 1n);
    within(
      listing,
      `${at}.maxDeviation`,
      m.maxDeviation,
      "wad",
      "ChainlinkOracle.MIN_MAX_DEVIATION",
      "ChainlinkOracle.MAX_MAX_DEVIATION",
    );
    within(
      listing,
      `${at}.confirmations`,
      m.confirmations,
      "int",
      "ChainlinkOracle.MIN_CONFIRMATIONS",
      "ChainlinkOracle.MAX_CONFIRMATIONS",
    );

    const vol = `VolatilityOracle: list ${m.symbol}`;
    within(
      vol,
      `${at}.vol.maxAge`,
      m.vol.maxAge,
      "int",
      "VolatilityOracle.MIN_MAX_AGE",
      "VolatilityOracle.MAX_MAX_AGE",
    );
    within(vol, `${at}.vol.staleVol`, m.vol.staleVol, "wad", "VolatilityOracle.MIN_VOL", "VolatilityOracle.MAX_VOL");
    if (m.vol.maxMove !== 0n) {
      within(
        vol,
        `${at}.vol.maxMove`,
        m.vol.maxMove,
        "wad",
        "VolatilityOracle.MIN_MAX_MOVE",
        "VolatilityOracle.MAX_MAX_MOVE",
      );
    }
    within(
      `VolatilityOracle: ${m.symbol} vol`,
      `${at}.vol.initial`,
      m.vol.initial,
      "wad",
      "VolatilityOracle.MIN_VOL",
      "VolatilityOracle.MAX_VOL",
    );

    const grid = `RiskConfig: list ${m.symbol} grid and margin`;
    const g = m.margin;
    within(grid, `${at}.margin.imBase`, g.imBase, "wad", "RiskConfig.MIN_IM_BASE", "RiskConfig.MAX_IM_BASE");
    within(grid, `${at}.margin.imFloor`, g.imFloor, "wad", "RiskConfig.MIN_IM_FLOOR", g.imBase);
    within(grid, `${at}.margin.mmBase`, g.mmBase, "wad", "RiskConfig.MIN_MM_BASE");
    within(grid, `${at}.margin.mmFloor`, g.mmFloor, "wad", "RiskConfig.MIN_MM_FLOOR", g.mmBase);
    rule(g.mmBase < g.imBase, grid, `${at}.margin.mmBase must be below imBase`);
    rule(g.mmFloor < g.imFloor, grid, `${at}.margin.mmFloor must be below imFloor`);
    within(grid, `${at}.margin.rate`, g.rate, "wad", 0n, "RiskConfig.MAX_RATE");
    const e = m.grid;
    within(grid, `${at}.grid.expiryPeriod`, e.expiryPeriod, "int", "RiskConfig.MIN_EXPIRY_PERIOD");
    rule(
      e.expiryOffset >= 0 && e.expiryOffset < e.expiryPeriod,
      grid,
      `${at}.grid.expiryOffset must be below expiryPeriod`,
    );
    within(grid, `${at}.grid.maxHorizon`, e.maxHorizon, "int", BigInt(e.expiryPeriod), "RiskConfig.MAX_HORIZON");
    rule(e.strikeStep > 0n, grid, `${at}.grid.strikeStep must be above 0`);
    within(grid, `${at}.grid.minStrike`, e.minStrike, "wad", "RiskConfig.MIN_STRIKE", e.maxStrike);

    const stress = `RiskConfig: ${m.symbol} stress parameters`;
    const r = m.risk;
    within(
      stress,
      `${at}.risk.imVegaSlope`,
      r.imVegaSlope,
      "wad",
      "RiskConfig.MIN_IM_VEGA_SLOPE",
      "RiskConfig.MAX_VEGA_SLOPE",
    );
    within(stress, `${at}.risk.imVegaCap`, r.imVegaCap, "wad", "RiskConfig.MIN_IM_VEGA_CAP", "RiskConfig.MAX_VEGA_CAP");
    within(stress, `${at}.risk.mmVegaSlope`, r.mmVegaSlope, "wad", "RiskConfig.MIN_MM_VEGA_SLOPE", r.imVegaSlope);
    within(stress, `${at}.risk.mmVegaCap`, r.mmVegaCap, "wad", "RiskConfig.MIN_MM_VEGA_CAP", r.imVegaCap);
    within(stress, `${at}.risk.mmLongHaircut`, r.mmLongHaircut, "wad", "RiskConfig.MIN_LONG_HAIRCUT", WAD);
    within(stress, `${at}.risk.haltShock`, r.haltShock, "wad", "RiskConfig.MIN_HALT_SHOCK", WAD);
    within(stress, `${at}.risk.minTradeSize`, r.minTradeSize, "wad", 1n, "RiskConfig.MAX_MIN_TRADE_SIZE");

    if (m.openInterestCap !== 0n) {
      within(
        `OptionExchange: ${m.symbol} OI cap`,
        `${at}.openInterestCap`,
        m.openInterestCap,
        "wad",
        "OptionExchange.MIN_OPEN_INTEREST_CAP",
        "OptionExchange.MAX_OPEN_INTEREST_CAP",
      );
    }
  }

  rule(
    BigInt(config.collaterals.length) <= bound("RiskConfig.MAX_COLLATERALS"),
    "RiskConfig: list collateral",
    `collaterals: ${config.collaterals.length} assets, above RiskConfig.MAX_COLLATERALS = ${bound("RiskConfig.MAX_COLLATERALS")}`,
  );
  within("RiskConfig: deploy", "cash.decimals", config.cash.decimals, "int", 0n, "RiskConfig.MAX_DECIMALS");
  for (const c of config.collaterals) {
    const step = `RiskConfig: list collateral ${c.token.symbol}`;
    const at = `collaterals[${c.token.symbol}]`;
    rule(ids.has(c.priceMarket), step, `${at}.priceMarket = ${c.priceMarket} is not a market of the config`);
    within(step, `${at}.token.decimals`, c.token.decimals, "int", 0n, "RiskConfig.MAX_DECIMALS");
    within(step, `${at}.haircut`, c.haircut, "wad", "RiskConfig.MIN_HAIRCUT", "RiskConfig.MAX_HAIRCUT");
    within(step, `${at}.mmHaircut`, c.mmHaircut, "wad", "RiskConfig.MIN_MM_HAIRCUT");
    rule(c.mmHaircut < c.haircut, step, `${at}.mmHaircut must be below haircut`);
    within(step, `${at}.depositCap`, c.depositCap, "wad", 0n, "RiskConfig.MAX_DEPOSIT_CAP");
  }

  within(
    `RiskConfig: position cap ${config.positionCap}`,
    "positionCap",
    config.positionCap,
    "int",
    1n,
    "RiskConfig.MAX_POSITION_CAP",
  );
  within(
    `RiskConfig: group cap ${config.groupCap}`,
    "groupCap",
    config.groupCap,
    "int",
    1n,
    "RiskConfig.MAX_GROUP_CAP",
  );
  within(
    "RiskConfig: insurance floor",
    "insuranceFloor",
    config.insuranceFloor,
    "wad",
    0n,
    "RiskConfig.MAX_DEPOSIT_CAP",
  );
  within("RiskConfig: insurance fee share", "insuranceFeeShare", config.insuranceFeeShare, "wad", 0n, WAD);

  {
    const step = "LiquidationModule: auction parameters";
    const l = config.liquidation;
    const L = "LiquidationModule.";
    within(step, "liquidation.fastDuration", l.fastDuration, "int", `${L}MIN_FAST_DURATION`, `${L}MAX_FAST_DURATION`);
    within(step, "liquidation.slowDuration", l.slowDuration, "int", `${L}MIN_SLOW_DURATION`, `${L}MAX_SLOW_DURATION`);
    within(
      step,
      "liquidation.insolventDuration",
      l.insolventDuration,
      "int",
      `${L}MIN_INSOLVENT_DURATION`,
      `${L}MAX_INSOLVENT_DURATION`,
    );
    within(step, "liquidation.fastDiscount", l.fastDiscount, "wad", `${L}MIN_FAST_DISCOUNT`, `${L}MAX_FAST_DISCOUNT`);
    within(step, "liquidation.buffer", l.buffer, "wad", `${L}MIN_BUFFER`, `${L}MAX_BUFFER`);
    within(step, "liquidation.insolventCap", l.insolventCap, "wad", 1n, `${L}MAX_INSOLVENT_CAP`);
    within(step, "liquidation.fundFeeShare", l.fundFeeShare, "wad", 0n, `${L}MAX_FUND_FEE_SHARE`);
    within(step, "liquidation.deepRatio", l.deepRatio, "wad", 0n, `${L}MAX_DEEP_RATIO`);
    within(step, "liquidation.dustSize", l.dustSize, "wad", 0n, `${L}MAX_DUST_SIZE`);
  }
  {
    const step = "OptionExchange: fees";
    within(step, "fees.makerFeeRate", config.fees.makerFeeRate, "wad", 0n, "OptionExchange.MAX_FEE_RATE");
    within(step, "fees.takerFeeRate", config.fees.takerFeeRate, "wad", 0n, "OptionExchange.MAX_FEE_RATE");
    within(step, "fees.premiumFeeCap", config.fees.premiumFeeCap, "wad", 0n, "OptionExchange.MAX_PREMIUM_FEE_CAP");
  }
  return problems;
}

/** Throws a `ConfigError` listing every broken bound. */
export function validateConfig(config: NetworkConfig, bounds?: Record<string, bigint>): void {
  const problems = checkConfig(config, bounds);
  if (problems.length > 0) throw new ConfigError(config.name, problems);
}
