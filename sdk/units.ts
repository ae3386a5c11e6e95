/** Fixed-point helpers. Everything inside Bulwark is 18-decimal fixed point (WAD); money is bigint, never float. */

export const WAD = 10n ** 18n;

/** Parses a decimal string into WAD: `wad("0.8") === 800000000000000000n`. Rejects more than 18 decimals. */
export function wad(value: string | number | bigint): bigint {
  return parseUnits(String(value), 18);
}

/** Basis points as a WAD fraction: `bps(50) === wad("0.005")`. */
export function bps(points: number | bigint): bigint {
  return (BigInt(points) * WAD) / 10_000n;
}

/** Parses a decimal string into an integer with `decimals` places, exactly; throws on excess precision. */
export function parseUnits(value: string, decimals: number): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (match === null) throw new Error(`not a decimal number: ${value}`);
  const [, sign, whole, frac = ""] = match;
  if (frac.length > decimals) throw new Error(`${value} has more than ${decimals} decimals`);
  const scaled = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, "0") || "0");
  return sign === "-" ? -scaled : scaled;
}

/** Formats an integer with `decimals` places as a decimal string, trimming trailing zeros. */
export function formatUnits(value: bigint, decimals = 18): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const base = 10n ** BigInt(decimals);
  const whole = abs / base;
  const frac = (abs % base).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}

/** WAD → human string with at most `places` decimals (rounded toward zero), for tables and logs. */
export function formatWad(value: bigint, places = 4): string {
  const s = formatUnits(value, 18);
  const [whole, frac = ""] = s.split(".");
  const cut = frac.slice(0, places).replace(/0+$/, "");
  return cut ? `${whole}.${cut}` : whole;
}

/** Native token amount → WAD, rounding down (credits). */
export function toWadDown(amountNative: bigint, decimals: number): bigint {
  return decimals <= 18 ? amountNative * 10n ** BigInt(18 - decimals) : amountNative / 10n ** BigInt(decimals - 18);
}

/** WAD → native token amount, rounding up (debits: the protocol never gives away a partial unit). */
export function toNativeUp(amountWad: bigint, decimals: number): bigint {
  if (decimals >= 18) return amountWad * 10n ** BigInt(decimals - 18);
  const base = 10n ** BigInt(18 - decimals);
  return (amountWad + base - 1n) / base;
}
