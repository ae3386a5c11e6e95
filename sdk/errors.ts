/**
 * One revert decoder for every Bulwark contract: finds the revert data in whatever an ethers v6 call, a Hardhat
 * network or a JSON-RPC node threw, decodes it against the errors of all Bulwark contracts (sdk/abi/errors.ts,
 * generated from the artifacts by scripts/gen-error-abi.ts) plus `Error(string)` and `Panic(uint256)`, and renders
 * it for humans:
 *
 *   ClearingHouse_BelowInitialMargin(account 5, marginWad -300,351.0)
 *   Vol_MoveTooLarge(previousVolWad 0.6, volWad 1.2, maxMoveWad 0.5)
 *   Panic(0x11: arithmetic underflow or overflow)
 *   Error("not allowed")
 *   unknown error 0x12345678, data 0x12345678000…
 *
 * Formatting rule for an argument (names are the Solidity parameter names, as in the ABI):
 * - int256 / uint256 are shown as 18-decimal fixed point (`formatWadGrouped` of sdk/units.ts: ethers
 *   `formatUnits(x, 18)` with thousands separators) when the name ends in `Wad`, or when |x| >= 1e15 and the name
 *   does not end in an id-like word (id, account, series, index, count, nonce, epoch, raw, expiry, deadline,
 *   timestamp, at; case-insensitive: `effectiveAt`, `heartbeat` and `nowTimestamp` are plain). Everything else, and every
 *   argument of the ERC-6093 `ERC20*` errors (they carry native token units), is a plain integer. Narrower integers
 *   (uint8 ... uint128: decimals, underlying ids, round ids, expiries, enums) are always plain integers.
 *   So 5 wei of margin in `marginWad` prints as 0.000000000000000005, and a 0.5e18 `maxMoveWad` as 0.5.
 * - addresses as ethers returns them (checksummed), bytes as hex, bools as true/false, strings JSON-quoted, arrays
 *   as [a, b], structs as (name value, ...).
 */
import { AbiCoder, ErrorFragment, Interface, type ParamType, dataSlice } from "ethers";

import { BULWARK_ERROR_ABI } from "./abi/errors.js";
import { formatWadGrouped } from "./units.js";

/** The interface holding every Bulwark custom error (not `Error(string)` / `Panic(uint256)`, which ethers knows). */
export const bulwarkErrorInterface = new Interface(BULWARK_ERROR_ABI as string[]);

/** Solidity panic codes (docs.soliditylang.org, "Panic via assert and Error via require"). */
export const PANIC_CODES: Readonly<Record<number, string>> = {
  0x00: "generic compiler panic",
  0x01: "assert(false)",
  0x11: "arithmetic underflow or overflow",
  0x12: "division or modulo by zero",
  0x21: "invalid enum value",
  0x22: "invalid storage byte array encoding",
  0x31: "pop() on an empty array",
  0x32: "array index out of bounds",
  0x41: "out of memory or array too large",
  0x51: "call to a zero-initialized function variable",
};

const ERROR_SELECTOR = "0x08c379a0"; // Error(string)
const PANIC_SELECTOR = "0x4e487b71"; // Panic(uint256)

/** One decoded argument. `value` is what ethers decoded (bigint, string, boolean, arrays / Result for tuples). */
export interface DecodedArg {
  name: string;
  type: string;
  value: unknown;
  /** The argument as `formatBulwarkError` prints it (without the name). */
  formatted: string;
}

export interface DecodedError {
  /** `custom`: a Bulwark/OpenZeppelin custom error; `revert`: Error(string); `panic`: Panic(uint256);
   *  `unknown`: a selector not in the ABI (or data that does not decode against it). */
  kind: "custom" | "revert" | "panic" | "unknown";
  /** Error name (`Error` / `Panic` for the built-ins); undefined for unknown errors. */
  name?: string;
  /** Full signature with parameter names, e.g. `Vol_OutOfBounds(uint256 volWad)`; undefined for unknown errors. */
  signature?: string;
  /** 4-byte selector, 0x-prefixed lowercase hex. */
  selector: string;
  args: DecodedArg[];
  /** The revert data decoded. */
  data: string;
  /** Error(string) only. */
  reason?: string;
  /** Panic(uint256) only. */
  panicCode?: bigint;
}

const ID_LIKE = /(id|account|series|index|count|nonce|epoch|raw|expiry|deadline|timestamp|at)$/i;
const WAD_THRESHOLD = 10n ** 15n;

function formatInteger(name: string, type: string, value: bigint, wadAllowed: boolean): string {
  if (!wadAllowed || (type !== "uint256" && type !== "int256")) return value.toString();
  const abs = value < 0n ? -value : value;
  if (/Wad$/.test(name) || (abs >= WAD_THRESHOLD && !ID_LIKE.test(name))) return formatWadGrouped(value);
  return value.toString();
}

function formatValue(param: ParamType, value: unknown, wadAllowed: boolean): string {
  if (param.isArray()) {
    const items = value as unknown[];
    return `[${items.map((v) => formatValue(param.arrayChildren, v, wadAllowed)).join(", ")}]`;
  }
  if (param.isTuple()) {
    const items = value as unknown[];
    const parts = param.components.map((c, i) => {
      const v = formatValue(c, items[i], wadAllowed);
      return c.name ? `${c.name} ${v}` : v;
    });
    return `(${parts.join(", ")})`;
  }
  if (typeof value === "bigint") return formatInteger(param.name, param.type, value, wadAllowed);
  if (typeof value === "string") return param.type === "string" ? JSON.stringify(value) : value;
  return String(value);
}

function decodeData(data: string): DecodedError | undefined {
  if (data.length < 10) return undefined; // "0x" (bare revert) or shorter than a selector: nothing to decode
  const lower = data.toLowerCase();
  const selector = dataSlice(lower, 0, 4);
  const coder = AbiCoder.defaultAbiCoder();
  const unknown: DecodedError = { kind: "unknown", selector, args: [], data: lower };
  try {
    if (selector === ERROR_SELECTOR) {
      const [reason] = coder.decode(["string"], dataSlice(lower, 4)) as unknown as [string];
      const arg = { name: "", type: "string", value: reason, formatted: JSON.stringify(reason) };
      return { kind: "revert", name: "Error", signature: "Error(string)", selector, args: [arg], data: lower, reason };
    }
    if (selector === PANIC_SELECTOR) {
      const [code] = coder.decode(["uint256"], dataSlice(lower, 4)) as unknown as [bigint];
      const formatted = `0x${code.toString(16).padStart(2, "0")}`;
      const arg = { name: "code", type: "uint256", value: code, formatted };
      return {
        kind: "panic",
        name: "Panic",
        signature: "Panic(uint256 code)",
        selector,
        args: [arg],
        data: lower,
        panicCode: code,
      };
    }
    const fragment = bulwarkErrorInterface.getError(selector);
    if (fragment === null) return unknown;
    const values = bulwarkErrorInterface.decodeErrorResult(fragment, lower);
    const wadAllowed = !fragment.name.startsWith("ERC20");
    const args = fragment.inputs.map((p, i) => ({
      name: p.name,
      type: p.format("sighash"),
      value: values[i] as unknown,
      formatted: formatValue(p, values[i], wadAllowed),
    }));
    return { kind: "custom", name: fragment.name, signature: signatureOf(fragment), selector, args, data: lower };
  } catch {
    return unknown; // a known selector with data that does not decode: show the raw data
  }
}

function signatureOf(fragment: ErrorFragment): string {
  return fragment.format("full").replace(/^error /, "");
}

const HEX_DATA = /^0x(?:[0-9a-fA-F]{2})*$/;
// Only these properties are searched, so a transaction's calldata (`.transaction.data`) is never taken for revert data.
const NESTED = ["error", "info", "cause", "originalError", "data"] as const;

/** Finds revert data in an ethers v6 error (`.data`, `.info.error.data`, `.error.data`, `.cause`), a Hardhat
 *  error (`.data`), a JSON-RPC error object (`{ code: 3, data }`, `{ data: { data } }`) or a raw hex string. */
export function findRevertData(errOrData: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (x: unknown, depth: number): string | undefined => {
    if (typeof x === "string") return HEX_DATA.test(x) ? x : undefined;
    if (x === null || typeof x !== "object" || depth > 6 || seen.has(x)) return undefined;
    seen.add(x);
    const obj = x as Record<string, unknown>;
    // Prefer data that has at least a selector: ethers sets `data: "0x"` on some wrappers of a richer inner error.
    let bare: string | undefined;
    for (const key of NESTED) {
      const found = visit(obj[key], depth + 1);
      if (found === undefined) continue;
      if (found.length >= 10) return found;
      bare ??= found;
    }
    return bare ?? fromMessage(obj.message);
  };
  return visit(errOrData, 0);
}

// Last resort: some errors carry the data only in their message: "return data: 0x…", or ethers' `data="0x…"` (not
// the transaction's `"data": "0x…"`, which is calldata).
function fromMessage(message: unknown): string | undefined {
  if (typeof message !== "string") return undefined;
  const m = /(?:(?:return|revert) data:\s*|\bdata=")(0x(?:[0-9a-fA-F]{2}){4,})/.exec(message);
  return m?.[1];
}

/** Decodes the revert in `errOrData` (any thrown error, or the revert data as hex). Undefined when there is no
 *  revert data with at least a selector (bare `revert()`, network errors, ...). */
export function decodeBulwarkError(errOrData: unknown): DecodedError | undefined {
  const data = findRevertData(errOrData);
  return data === undefined ? undefined : decodeData(data);
}

/** Renders a decoded error: `Name(param value, ...)`. */
export function formatDecodedError(decoded: DecodedError): string {
  switch (decoded.kind) {
    case "unknown":
      return `unknown error ${decoded.selector}, data ${decoded.data}`;
    case "revert":
      return `Error(${JSON.stringify(decoded.reason)})`;
    case "panic": {
      const description = PANIC_CODES[Number(decoded.panicCode)] ?? "unknown panic code";
      return `Panic(${decoded.args[0]!.formatted}: ${description})`;
    }
    case "custom":
      return `${decoded.name}(${decoded.args.map((a) => (a.name ? `${a.name} ${a.formatted}` : a.formatted)).join(", ")})`;
  }
}

/** `formatDecodedError(decodeBulwarkError(err))`; `revert without data` when `err` holds no revert data with a
 *  selector (bare `revert()`, `require` without message, or not a revert at all: see `describeError`). */
export function formatBulwarkError(err: unknown): string {
  const decoded = decodeBulwarkError(err);
  return decoded === undefined ? "revert without data" : formatDecodedError(decoded);
}

// Hardhat's CLI appends this to unexpected errors; it is noise in a message shown to users.
const HARDHAT_BANNER = /\s*If you think this is a bug in Hardhat,[^\n]*/g;

/** One line for humans: the decoded revert when there is one, else the error's own message (ethers' `shortMessage`
 *  when set), without Hardhat's "bug in Hardhat" banner. */
export function describeError(err: unknown): string {
  const decoded = decodeBulwarkError(err);
  if (decoded !== undefined) return formatDecodedError(decoded);
  if (err !== null && typeof err === "object") {
    const e = err as { shortMessage?: unknown; message?: unknown };
    const message = typeof e.shortMessage === "string" ? e.shortMessage : e.message;
    if (typeof message === "string") return message.replace(HARDHAT_BANNER, "").trim();
  }
  return String(err).replace(HARDHAT_BANNER, "").trim();
}
