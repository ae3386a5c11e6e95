/**
 * Fixed-point helpers. Everything inside Bulwark is 18-decimal fixed point (WAD); money is bigint, never float.
 *
 * Two families: `toWad` / `fromWad` / `toUnits` / `fromUnits` are thin wrappers over ethers' `parseUnits` /
 * `formatUnits` (ethers' canonical strings: `fromWad(WAD) === "1.0"`); the older `wad` / `parseUnits` / `formatUnits`
 * / `formatWad` below are this module's own (`formatUnits(WAD) === "1"`, trailing zeros trimmed) and stay as they are
 * for their callers. Note that this module's `parseUnits` / `formatUnits` shadow ethers' functions of the same names.
 */
import { formatUnits as ethersFormatUnits, parseUnits as ethersParseUnits } from "ethers";

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

// A number is accepted only in plain decimal notation: String(1e21) is "1e+21", which is not a WAD the user meant.
function decimalString(value: string | number): string {
  if (typeof value === "number" && !Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const s = String(value).trim();
  if (!/^-?\d+(?:\.\d+)?$/.test(s)) throw new RangeError(`not a plain decimal number: ${s}`);
  return s;
}

/** Decimal string or number → integer with `decimals` places (ethers `parseUnits`); throws on excess precision. */
export function toUnits(value: string | number, decimals: number): bigint {
  return ethersParseUnits(decimalString(value), decimals);
}

/** Integer with `decimals` places → decimal string (ethers `formatUnits`: always a fraction, `"1.0"`). */
export function fromUnits(value: bigint, decimals: number): string {
  return ethersFormatUnits(value, decimals);
}

/** Decimal string or number → WAD: `toWad("1.5") === 1_500_000_000_000_000_000n`, `toWad(-2) === -2n * WAD`. */
export function toWad(value: string | number): bigint {
  return toUnits(value, 18);
}

/** WAD → decimal string, exact (ethers `formatUnits(x, 18)`): `fromWad(1_500_000_000_000_000_000n) === "1.5"`. */
export function fromWad(value: bigint): string {
  return fromUnits(value, 18);
}

/** WAD → exact decimal string with thousands separators: `formatWadGrouped(-300351n * WAD) === "-300,351.0"`. */
export function formatWadGrouped(value: bigint): string {
  const s = fromWad(value);
  const negative = s.startsWith("-");
  const [whole = "0", frac = "0"] = (negative ? s.slice(1) : s).split(".");
  return `${negative ? "-" : ""}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${frac}`;
}
