/**
 * Helpers that return what the chain assigned or allows: `createAccount` (the id from the `AccountCreated` event),
 * and the listing grid of an underlying (`listedExpiries`, `listedStrikes`) computed from `RiskConfig.underlyingParams`
 * with the same rules as `RiskConfig`'s series check. Units: sdk/units.ts (ethers `parseUnits` / `formatUnits`).
 */
import type { ContractRunner, Signer } from "ethers";

import type { ClearingHouse } from "../typechain-types/contracts/core/ClearingHouse.js";
import type { RiskConfig } from "../typechain-types/contracts/core/RiskConfig.js";

/**
 * Creates an account owned by `signer` and returns the id the clearing house assigned, read from the receipt's
 * `AccountCreated` event (not guessed from `accountCount`, which another transaction in the block may have moved).
 */
export async function createAccount(clearingHouse: ClearingHouse, signer: Signer): Promise<bigint> {
  const ch = clearingHouse.connect(signer as ContractRunner) as ClearingHouse;
  const receipt = await (await ch.createAccount()).wait();
  if (receipt === null) throw new Error("createAccount: no receipt");
  const address = (await clearingHouse.getAddress()).toLowerCase();
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== address) continue;
    const parsed = ch.interface.parseLog(log);
    if (parsed?.name === "AccountCreated") return parsed.args.account as bigint;
  }
  throw new Error(`createAccount: no AccountCreated event in transaction ${receipt.hash}`);
}

/** The grid part of `RiskConfig.underlyingParams`: seconds and WAD strikes. */
export interface ListingGrid {
  expiryPeriod: bigint;
  expiryOffset: bigint;
  maxHorizon: bigint;
  strikeStep: bigint;
  minStrike: bigint;
  maxStrike: bigint;
}

/** Reads the listing grid of `underlying`; throws when the underlying is not listed (`imBase == 0`). */
export async function listingGrid(riskConfig: RiskConfig, underlying: number): Promise<ListingGrid> {
  const p = await riskConfig.underlyingParams(underlying);
  if (p.imBase === 0n) throw new Error(`underlying ${underlying} is not listed in RiskConfig`);
  return {
    expiryPeriod: p.expiryPeriod,
    expiryOffset: p.expiryOffset,
    maxHorizon: p.maxHorizon,
    strikeStep: p.strikeStep,
    minStrike: p.minStrike,
    maxStrike: p.maxStrike,
  };
}

/**
 * The first `count` listable expiries after `now` (unix seconds), ascending: `expiry > now`,
 * `expiry % expiryPeriod == expiryOffset` and `expiry <= now + maxHorizon` (fewer than `count` when the horizon
 * ends first). Pure: `grid` from `listingGrid`.
 */
export function expiriesOnGrid(grid: ListingGrid, now: bigint | number, count: number): bigint[] {
  const t = BigInt(now);
  const { expiryPeriod: period, expiryOffset: offset } = grid;
  let expiry = t - ((((t - offset) % period) + period) % period); // the grid point at or below now
  const out: bigint[] = [];
  while (out.length < count) {
    if (expiry > t) {
      if (expiry > t + grid.maxHorizon) break;
      out.push(expiry);
    }
    expiry += period;
  }
  return out;
}

/**
 * Up to `count` listable strikes (WAD) nearest to `around` (WAD), ascending: multiples of `strikeStep` within
 * [minStrike, maxStrike]. Ties in distance go to the lower strike. Pure: `grid` from `listingGrid`.
 */
export function strikesOnGrid(grid: ListingGrid, around: bigint, count: number): bigint[] {
  const { strikeStep: step } = grid;
  const lo = ((grid.minStrike + step - 1n) / step) * step;
  const hi = (grid.maxStrike / step) * step;
  if (count <= 0 || lo > hi) return [];
  const clamp = (x: bigint) => (x < lo ? lo : x > hi ? hi : x);
  let below = clamp((around / step) * step);
  if (below > around && below > lo) below -= step;
  let above = below + step;
  const out: bigint[] = [];
  while (out.length < count && (below >= lo || above <= hi)) {
    const takeBelow = below >= lo && (above > hi || around - below <= above - around);
    if (takeBelow) {
      out.push(below);
      below -= step;
    } else {
      out.push(above);
      above += step;
    }
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `expiriesOnGrid` with the grid read from `riskConfig`. */
export async function listedExpiries(
  riskConfig: RiskConfig,
  underlying: number,
  now: bigint | number,
  count: number,
): Promise<bigint[]> {
  return expiriesOnGrid(await listingGrid(riskConfig, underlying), now, count);
}

/** `strikesOnGrid` with the grid read from `riskConfig`. */
export async function listedStrikes(
  riskConfig: RiskConfig,
  underlying: number,
  around: bigint,
  count: number,
): Promise<bigint[]> {
  return strikesOnGrid(await listingGrid(riskConfig, underlying), around, count);
}
