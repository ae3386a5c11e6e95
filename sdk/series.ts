/** Option series ids, mirroring contracts/libraries/SeriesIdLib.sol bit for bit. */

export interface Series {
  /** Market id of the underlying (uint16). */
  underlying: number;
  /** Expiry, unix seconds (uint40). */
  expiry: bigint;
  /** Strike, WAD quote per underlying (uint96). */
  strike: bigint;
  isCall: boolean;
}

const U16 = (1n << 16n) - 1n;
const U40 = (1n << 40n) - 1n;
const U96 = (1n << 96n) - 1n;

export function encodeSeries({ underlying, expiry, strike, isCall }: Series): bigint {
  const u = BigInt(underlying);
  if (u < 0n || u > U16) throw new RangeError(`underlying ${underlying} out of uint16`);
  if (expiry <= 0n || expiry > U40) throw new RangeError(`expiry ${expiry} out of uint40`);
  if (strike <= 0n || strike > U96) throw new RangeError(`strike ${strike} out of uint96`);
  return (u << 144n) | (expiry << 104n) | (strike << 8n) | (isCall ? 1n : 0n);
}

export function decodeSeries(id: bigint): Series {
  if (id >> 160n !== 0n || (id & 0xffn) > 1n) throw new RangeError(`not a canonical series id: ${id}`);
  return {
    underlying: Number((id >> 144n) & U16),
    expiry: (id >> 104n) & U40,
    strike: (id >> 8n) & U96,
    isCall: (id & 0xffn) === 1n,
  };
}

/** Human label with the expiry's UTC date and whole-unit strike, e.g. `ETH-2026-12-01-2600C`. */
export function seriesLabel(s: Series, symbol = `U${s.underlying}`): string {
  const date = new Date(Number(s.expiry) * 1000).toISOString().slice(0, 10);
  const strike = s.strike / 10n ** 18n;
  return `${symbol}-${date}-${strike}${s.isCall ? "C" : "P"}`;
}
