/**
 * Bit-exact bigint ports of the Solady 0.1.26 `FixedPointMathLib` routines the math libraries use (`lnWad`, `expWad`,
 * `sqrt`, `mulWad`, `mulWadUp`). Solidity `sdiv` / `/` truncate toward zero and `sar` / signed `>>` floor, exactly like
 * bigint `/` and `>>`, so the ports below reproduce the contracts to the wei.
 */

import { WAD } from "../units.js";

export { WAD };
const MAX_UINT256 = (1n << 256n) - 1n;
const MAX_INT256 = (1n << 255n) - 1n;

export class FixedPointError extends Error {}

function assertUint(x: bigint, what: string): void {
  if (x < 0n || x > MAX_UINT256) throw new FixedPointError(`${what}: uint256 overflow`);
}

/** floor(x * y / WAD), reverting (throwing) like Solady on overflow of x * y. */
export function mulWad(x: bigint, y: bigint): bigint {
  const p = x * y;
  assertUint(p, "mulWad");
  return p / WAD;
}

/** ceil(x * y / WAD). */
export function mulWadUp(x: bigint, y: bigint): bigint {
  const p = x * y;
  assertUint(p, "mulWadUp");
  return p === 0n ? 0n : (p - 1n) / WAD + 1n;
}

/** ceil(x / d) for non-negative x and positive d. */
export function divUp(x: bigint, d: bigint): bigint {
  return x === 0n ? 0n : (x - 1n) / d + 1n;
}

/** floor(sqrt(x)) — Solady's Babylonian `sqrt` returns exactly the integer square root. */
export function sqrt(x: bigint): bigint {
  assertUint(x, "sqrt");
  if (x < 2n) return x;
  let z = 1n << BigInt((x.toString(2).length + 1) >> 1); // >= sqrt(x)
  for (;;) {
    const y = (z + x / z) >> 1n;
    if (y >= z) return z;
    z = y;
  }
}

/** Solady `expWad(x)`: exp(x) in WAD, 0 below ~-41.45e18, throws above ~135.3e18. */
export function expWad(x: bigint): bigint {
  if (x <= -41446531673892822313n) return 0n;
  if (x >= 135305999368893231589n) throw new FixedPointError("ExpOverflow");
  x = (x << 78n) / 5n ** 18n;
  const k = ((x << 96n) / 54916777467707473351141471128n + 2n ** 95n) >> 96n;
  x = x - k * 54916777467707473351141471128n;
  let y = x + 1346386616545796478920950773328n;
  y = ((y * x) >> 96n) + 57155421227552351082224309758442n;
  let p = y + x - 94201549194550492254356042504812n;
  p = ((p * y) >> 96n) + 28719021644029726153956944680412240n;
  p = p * x + (4385272521454847904659076985693276n << 96n);
  let q = x - 2855989394907223263936484059900n;
  q = ((q * x) >> 96n) + 50020603652535783019961831881945n;
  q = ((q * x) >> 96n) - 533845033583426703283633433725380n;
  q = ((q * x) >> 96n) + 3604857256930695427073651918091429n;
  q = ((q * x) >> 96n) - 14423608567350463180887372962807573n;
  q = ((q * x) >> 96n) + 26449188498355588339934803723976023n;
  const r = p / q;
  return (r * 3822833074963236453042738258902158003155416615667n) >> (195n - k);
}

/** Solady `lnWad(x)`: ln(x) in WAD for x > 0 (WAD), throws for x <= 0. */
export function lnWad(x: bigint): bigint {
  if (x <= 0n) throw new FixedPointError("LnWadUndefined");
  if (x > MAX_INT256) throw new FixedPointError("lnWad: int256 overflow");
  const log2 = BigInt(x.toString(2).length - 1);
  const r = 255n - log2;
  x = (x << r) >> 159n; // x in [1, 2) * 2**96
  let t = ((3273285459638523848632254066296n + x) * x) >> 96n;
  t = ((24828157081833163892658089445524n + t) * x) >> 96n;
  t = ((43456485725739037958740375743393n + t) * x) >> 96n;
  let p = t - 11111509109440967052023855526967n;
  p = ((p * x) >> 96n) - 45023709667254063763336534515857n;
  p = ((p * x) >> 96n) - 14706773417378608786704636184526n;
  p = p * x - (795164235651350426258249787498n << 96n);
  let q = 5573035233440673466300451813936n + x;
  q = 71694874799317883764090561454958n + ((x * q) >> 96n);
  q = 283447036172924575727196451306956n + ((x * q) >> 96n);
  q = 401686690394027663651624208769553n + ((x * q) >> 96n);
  q = 204048457590392012362485061816622n + ((x * q) >> 96n);
  q = 31853899698501571402653359427138n + ((x * q) >> 96n);
  q = 909429971244387300277376558375n + ((x * q) >> 96n);
  p = p / q;
  p = 1677202110996718588342820967067443963516166n * p;
  p = 16597577552685614221487285958193947469193820559219878177908093499208371n * (159n - r) + p;
  p = 600920179829731861736702779321621459595472258049074101567377883020018308n + p;
  return p >> 174n;
}
