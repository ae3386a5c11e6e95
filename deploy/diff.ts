/**
 * Configuration differences between a `NetworkConfig` and the chain, computed before the deployment sends anything:
 * both sides are flattened to `Contract.path -> value` with the same formatting (WAD values in units, counts and
 * durations as integers), and every key whose value differs is one line:
 *
 *   ~ RiskConfig.positionCap 128 -> 100
 *   + RiskConfig.ETH.imBase 0.15            (not on chain yet: a listing or a contract still to deploy)
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { formatEther } from "ethers";

import type {
  ChainlinkOracle,
  LiquidationModule,
  OptionExchange,
  RiskConfig,
  VolatilityOracle,
} from "../typechain-types/index.js";
import type { MarketConfig, NetworkConfig } from "./config.js";
import type { Manifest } from "./manifest.js";

export interface Difference {
  key: string;
  /** On-chain value; undefined when the chain has none yet. */
  from?: string;
  to: string;
}

export const formatDifference = (d: Difference) =>
  d.from === undefined ? `+ ${d.key} ${d.to}` : `~ ${d.key} ${d.from} -> ${d.to}`;

type Params = Record<string, string>;
const w = (v: bigint) => formatEther(v).replace(/\.0$/, "");
const n = (v: bigint | number) => BigInt(v).toString();

function feedParams(out: Params, m: MarketConfig, p: ParamsOf<"feed">) {
  const k = `ChainlinkOracle.${m.symbol}`;
  if (m.feed.address !== undefined) out[`${k}.feed`] = p.feed.toLowerCase();
  out[`${k}.heartbeat`] = n(p.heartbeat);
  if (m.fallbackFeed?.address !== undefined) out[`${k}.fallbackFeed`] = p.fallbackFeed.toLowerCase();
  if (m.fallbackFeed !== undefined) out[`${k}.fallbackHeartbeat`] = n(p.fallbackHeartbeat);
  out[`${k}.minPrice`] = w(p.minPrice);
  out[`${k}.maxPrice`] = w(p.maxPrice);
  out[`${k}.maxDeviation`] = w(p.maxDeviation);
  out[`${k}.confirmations`] = n(p.confirmations);
}

/** The shapes both sides are read into before flattening. */
interface Shapes {
  feed: {
    feed: string;
    heartbeat: bigint | number;
    fallbackFeed: string;
    fallbackHeartbeat: bigint | number;
    minPrice: bigint;
    maxPrice: bigint;
    maxDeviation: bigint;
    confirmations: bigint | number;
  };
  vol: { maxAge: bigint | number; staleVol: bigint; maxMove: bigint };
  underlying: MarketConfig["margin"] & { [K in keyof MarketConfig["grid"]]: bigint | number };
  risk: MarketConfig["risk"];
  collateral: { priceMarket: bigint | number; haircut: bigint; mmHaircut: bigint; depositCap: bigint };
}
type ParamsOf<K extends keyof Shapes> = Shapes[K];

function volParams(out: Params, m: MarketConfig, v: ParamsOf<"vol">) {
  const k = `VolatilityOracle.${m.symbol}`;
  out[`${k}.maxAge`] = n(v.maxAge);
  out[`${k}.staleVol`] = w(v.staleVol);
  out[`${k}.maxMove`] = w(v.maxMove);
}

function underlyingParams(out: Params, m: MarketConfig, u: ParamsOf<"underlying">) {
  const k = `RiskConfig.${m.symbol}`;
  for (const f of ["imBase", "imFloor", "mmBase", "mmFloor", "rate", "strikeStep", "minStrike", "maxStrike"] as const) {
    out[`${k}.${f}`] = w(BigInt(u[f]));
  }
  for (const f of ["expiryPeriod", "expiryOffset", "maxHorizon"] as const) out[`${k}.${f}`] = n(u[f]);
}

function riskParams(out: Params, m: MarketConfig, r: ParamsOf<"risk">) {
  const k = `RiskConfig.${m.symbol}`;
  for (const f of Object.keys(r) as (keyof typeof r)[]) out[`${k}.${f}`] = w(r[f]);
}

function collateralParams(out: Params, symbol: string, c: ParamsOf<"collateral">) {
  const k = `RiskConfig.collateral.${symbol}`;
  out[`${k}.priceMarket`] = n(c.priceMarket);
  out[`${k}.haircut`] = w(c.haircut);
  out[`${k}.mmHaircut`] = w(c.mmHaircut);
  out[`${k}.depositCap`] = w(c.depositCap);
}

const LIQUIDATION_INTS = new Set(["fastDuration", "slowDuration", "insolventDuration"]);

function globals(
  out: Params,
  g: {
    positionCap: bigint | number;
    groupCap: bigint | number;
    insuranceFloor: bigint;
    insuranceFeeShare: bigint;
  },
) {
  out["RiskConfig.positionCap"] = n(g.positionCap);
  out["RiskConfig.groupCap"] = n(g.groupCap);
  out["RiskConfig.insuranceFloor"] = w(g.insuranceFloor);
  out["RiskConfig.insuranceFeeShare"] = w(g.insuranceFeeShare);
}

function liquidationParams(out: Params, l: NetworkConfig["liquidation"]) {
  for (const [f, v] of Object.entries(l)) {
    out[`LiquidationModule.${f}`] = LIQUIDATION_INTS.has(f) ? n(v) : w(BigInt(v));
  }
}

function feeParams(out: Params, f: NetworkConfig["fees"]) {
  out["OptionExchange.makerFeeRate"] = w(f.makerFeeRate);
  out["OptionExchange.takerFeeRate"] = w(f.takerFeeRate);
  out["OptionExchange.premiumFeeCap"] = w(f.premiumFeeCap);
}

/** What the config asks for, flattened. */
export function configParams(config: NetworkConfig): Params {
  const out: Params = {};
  for (const m of config.markets) {
    feedParams(out, m, {
      feed: m.feed.address ?? "",
      heartbeat: m.feed.heartbeat,
      fallbackFeed: m.fallbackFeed?.address ?? "",
      fallbackHeartbeat: m.fallbackFeed?.heartbeat ?? 0,
      minPrice: m.minPrice,
      maxPrice: m.maxPrice,
      maxDeviation: m.maxDeviation,
      confirmations: m.confirmations,
    });
    volParams(out, m, { maxAge: m.vol.maxAge, staleVol: m.vol.staleVol, maxMove: m.vol.maxMove });
    underlyingParams(out, m, { ...m.margin, ...m.grid });
    riskParams(out, m, m.risk);
    out[`OptionExchange.${m.symbol}.openInterestCap`] = w(m.openInterestCap);
  }
  for (const c of config.collaterals) {
    collateralParams(out, c.token.symbol, {
      priceMarket: c.priceMarket,
      haircut: c.haircut,
      mmHaircut: c.mmHaircut,
      depositCap: c.depositCap,
    });
  }
  globals(out, config);
  liquidationParams(out, config.liquidation);
  feeParams(out, config.fees);
  return out;
}

/** What the chain holds for the config's keys, flattened; keys of contracts or listings not there yet are absent. */
export async function chainParams(ethers: HardhatEthers, config: NetworkConfig, manifest: Manifest): Promise<Params> {
  const out: Params = {};
  const at = async <T>(key: string, name: string): Promise<T | undefined> => {
    const address = manifest.contracts[key];
    return address === undefined ? undefined : ((await ethers.getContractAt(name, address)) as unknown as T);
  };
  const oracle = await at<ChainlinkOracle>("ChainlinkOracle", "ChainlinkOracle");
  const volOracle = await at<VolatilityOracle>("VolatilityOracle", "VolatilityOracle");
  const riskConfig = await at<RiskConfig>("RiskConfig", "RiskConfig");
  const exchange = await at<OptionExchange>("OptionExchange", "OptionExchange");
  const liquidation = await at<LiquidationModule>("LiquidationModule", "LiquidationModule");

  for (const m of config.markets) {
    if (oracle !== undefined && (await oracle.isListed(m.id))) {
      const p = await oracle.feedParams(m.id);
      feedParams(out, m, {
        feed: p.feed,
        heartbeat: p.heartbeat,
        fallbackFeed: p.fallbackFeed,
        fallbackHeartbeat: p.fallbackHeartbeat,
        minPrice: p.minPriceWad,
        maxPrice: p.maxPriceWad,
        maxDeviation: p.maxDeviationWad,
        confirmations: p.confirmations,
      });
    }
    const vol = await volOracle?.volParams(m.id).catch(() => undefined);
    if (vol !== undefined)
      volParams(out, m, { maxAge: vol.maxAgeSec, staleVol: vol.staleVolWad, maxMove: vol.maxMoveWad });
    if (riskConfig !== undefined && (await riskConfig.isUnderlyingListed(m.id))) {
      const u = await riskConfig.underlyingParams(m.id);
      underlyingParams(out, m, {
        imBase: u.imBase,
        imFloor: u.imFloor,
        mmBase: u.mmBase,
        mmFloor: u.mmFloor,
        rate: u.rate,
        expiryPeriod: u.expiryPeriod,
        expiryOffset: u.expiryOffset,
        maxHorizon: u.maxHorizon,
        strikeStep: u.strikeStep,
        minStrike: u.minStrike,
        maxStrike: u.maxStrike,
      });
      const r = await riskConfig.riskParams(m.id);
      riskParams(out, m, {
        imVegaSlope: r.imVegaSlope,
        imVegaCap: r.imVegaCap,
        mmVegaSlope: r.mmVegaSlope,
        mmVegaCap: r.mmVegaCap,
        mmLongHaircut: r.mmLongHaircut,
        haltShock: r.haltShock,
        minTradeSize: r.minTradeSize,
      });
    }
    if (exchange !== undefined) {
      out[`OptionExchange.${m.symbol}.openInterestCap`] = w(await exchange.underlyingOpenInterestCap(m.id));
    }
  }
  if (riskConfig !== undefined) {
    for (const c of config.collaterals) {
      const token = c.token.address ?? manifest.contracts[`collateral.${c.token.symbol}`];
      if (token === undefined) continue;
      const cc = await riskConfig.collateralConfig(token);
      if (!cc.listed) continue;
      collateralParams(out, c.token.symbol, {
        priceMarket: cc.priceUnderlying,
        haircut: cc.haircut,
        mmHaircut: cc.mmHaircut,
        depositCap: cc.depositCapWad,
      });
    }
    globals(out, {
      positionCap: await riskConfig.positionCap(),
      groupCap: await riskConfig.groupCap(),
      insuranceFloor: await riskConfig.insuranceFloor(),
      insuranceFeeShare: await riskConfig.insuranceFeeShare(),
    });
  }
  if (liquidation !== undefined) {
    const p = await liquidation.auctionParams();
    const keys = Object.keys(config.liquidation) as (keyof NetworkConfig["liquidation"])[];
    const l = Object.fromEntries(keys.map((k) => [k, BigInt(p[k])]));
    liquidationParams(out, l as unknown as NetworkConfig["liquidation"]);
  }
  if (exchange !== undefined) {
    const [makerFeeRate, takerFeeRate, premiumFeeCap] = await exchange.feeParams();
    feeParams(out, { makerFeeRate, takerFeeRate, premiumFeeCap });
  }
  return out;
}

/**
 * Lines to print: one `~ key from -> to` per changed value; values the chain does not hold yet (new contracts or
 * listings) grouped per contract and market, `+ RiskConfig.ETH: imBase 0.15, imFloor 0.1, ...`.
 */
export function formatDifferences(diffs: Difference[]): string[] {
  const lines: string[] = [];
  const added = new Map<string, string[]>();
  for (const d of diffs) {
    if (d.from !== undefined) {
      lines.push(formatDifference(d));
      continue;
    }
    const parts = d.key.split(".");
    const group = parts.slice(0, parts.length > 2 ? -1 : 1).join(".");
    const field = parts.slice(parts.length > 2 ? -1 : 1).join(".");
    added.set(group, [...(added.get(group) ?? []), `${field} ${d.to}`]);
  }
  for (const [group, fields] of added) lines.push(`+ ${group}: ${fields.join(", ")}`);
  return lines;
}

/** Every config value the chain does not hold yet, in config order. Contracts not deployed yet show as `+`. */
export async function diffConfig(
  ethers: HardhatEthers,
  config: NetworkConfig,
  manifest: Manifest,
): Promise<Difference[]> {
  const want = configParams(config);
  const have = await chainParams(ethers, config, manifest);
  return Object.entries(want)
    .filter(([key, to]) => have[key] !== to)
    .map(([key, to]) => ({ key, from: have[key], to }));
}
