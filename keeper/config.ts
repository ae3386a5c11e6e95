/**
 * Keeper configuration from the environment, validated once at start (fail fast: a keeper that runs with a typo in its
 * minimum profit bids at a loss). Every option is an environment variable because `hardhat run` passes only its own
 * flags (`--network`) to the script.
 */
import { parseUnits } from "ethers";

export interface KeeperConfig {
  /** Clearing-house account the keeper bids with (its signer must own or operate it); undefined: no bids. */
  account?: bigint;
  /** Index of the Hardhat signer that sends transactions (`KEEPER_SIGNER`, default 0). */
  signerIndex: number;
  /** One pass, then exit (`KEEPER_ONCE=1`). */
  once: boolean;
  /** Milliseconds between polls for a new block (`KEEPER_POLL_MS`, default 2000). */
  pollMs: number;
  /** Accounts per `settleAccounts` transaction (`KEEPER_SETTLE_BATCH`, default 20). */
  settleBatch: number;
  /** Minimum profit of a bid after gas, WAD cash (`KEEPER_MIN_PROFIT`, decimal cash units, default 1). */
  minProfitWad: bigint;
  /** Gas token price in cash, WAD (`KEEPER_NATIVE_PRICE`); when unset the oracle price of `nativeMarket` is used. */
  nativePriceWad?: bigint;
  /** Market whose oracle price prices the gas token (`KEEPER_NATIVE_MARKET`, default 1 = ETH in the shipped configs). */
  nativeMarket: number;
  /** Which tasks run (`KEEPER_TASKS`, comma list of settle,liquidate,monitor; default all). */
  tasks: { settle: boolean; liquidate: boolean; monitor: boolean };
  /** Seconds to wait for a receipt before giving the transaction up for this pass (`KEEPER_TX_TIMEOUT_S`, 120). */
  txTimeoutS: number;
  /** Attempts for an RPC call that fails without a revert (`KEEPER_RPC_RETRIES`, default 4; backoff doubles). */
  rpcRetries: number;
  /**
   * Milliseconds one JSON-RPC request may take before it fails (`KEEPER_RPC_TIMEOUT_MS`, default 15000), so a node
   * that stops answering (frozen, overloaded) fails the poll instead of hanging the keeper. Applied to the HTTP
   * connection `keeper/main.ts` opens; contexts built in-process use their provider as it is.
   */
  rpcTimeoutMs: number;
  /** Passes between heartbeat lines (`KEEPER_HEARTBEAT_EVERY`, default 30). */
  heartbeatEvery: number;
  /** Also log why nothing was done (`KEEPER_VERBOSE=1`). */
  verbose: boolean;
}

export class KeeperConfigError extends Error {}

const TASKS = ["settle", "liquidate", "monitor"] as const;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new KeeperConfigError(`${name}=${raw}: not a non-negative integer`);
  const n = Number(raw);
  if (n < min || n > max) throw new KeeperConfigError(`${name}=${raw}: must be in [${min}, ${max}]`);
  return n;
}

function decimalWad(env: NodeJS.ProcessEnv, name: string): bigint | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  try {
    return parseUnits(raw.trim(), 18);
  } catch {
    throw new KeeperConfigError(`${name}=${raw}: not a decimal number`);
  }
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? "").trim().toLowerCase();
  if (raw === "" || raw === "0" || raw === "false") return false;
  if (raw === "1" || raw === "true") return true;
  throw new KeeperConfigError(`${name}=${env[name]}: use 1 or 0`);
}

/** Reads and validates the keeper's configuration; throws `KeeperConfigError` naming the bad variable. */
export function loadKeeperConfig(env: NodeJS.ProcessEnv = process.env): KeeperConfig {
  const accountRaw = env.KEEPER_ACCOUNT?.trim();
  let account: bigint | undefined;
  if (accountRaw !== undefined && accountRaw !== "") {
    if (!/^\d+$/.test(accountRaw) || BigInt(accountRaw) === 0n) {
      throw new KeeperConfigError(`KEEPER_ACCOUNT=${accountRaw}: not an account id (a positive integer)`);
    }
    account = BigInt(accountRaw);
  }
  const minProfitWad = decimalWad(env, "KEEPER_MIN_PROFIT") ?? 10n ** 18n;
  if (minProfitWad < 0n) throw new KeeperConfigError("KEEPER_MIN_PROFIT must not be negative");
  const nativePriceWad = decimalWad(env, "KEEPER_NATIVE_PRICE");
  if (nativePriceWad !== undefined && nativePriceWad <= 0n) {
    throw new KeeperConfigError("KEEPER_NATIVE_PRICE must be positive");
  }
  const taskList = (env.KEEPER_TASKS ?? TASKS.join(","))
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  for (const t of taskList) {
    if (!(TASKS as readonly string[]).includes(t)) {
      throw new KeeperConfigError(`KEEPER_TASKS: unknown task "${t}" (known: ${TASKS.join(", ")})`);
    }
  }
  if (taskList.length === 0) throw new KeeperConfigError("KEEPER_TASKS is empty");
  return {
    account,
    signerIndex: integer(env, "KEEPER_SIGNER", 0, 0, 1000),
    once: flag(env, "KEEPER_ONCE"),
    pollMs: integer(env, "KEEPER_POLL_MS", 2000, 50, 3_600_000),
    settleBatch: integer(env, "KEEPER_SETTLE_BATCH", 20, 1, 500),
    minProfitWad,
    nativePriceWad,
    nativeMarket: integer(env, "KEEPER_NATIVE_MARKET", 1, 0, 65_535),
    tasks: {
      settle: taskList.includes("settle"),
      liquidate: taskList.includes("liquidate"),
      monitor: taskList.includes("monitor"),
    },
    txTimeoutS: integer(env, "KEEPER_TX_TIMEOUT_S", 120, 1, 3600),
    rpcRetries: integer(env, "KEEPER_RPC_RETRIES", 4, 1, 20),
    rpcTimeoutMs: integer(env, "KEEPER_RPC_TIMEOUT_MS", 15_000, 100, 600_000),
    heartbeatEvery: integer(env, "KEEPER_HEARTBEAT_EVERY", 30, 1, 1_000_000),
    verbose: flag(env, "KEEPER_VERBOSE"),
  };
}

/** Defaults for tests and embedded runs (no environment). */
export function defaultKeeperConfig(overrides: Partial<KeeperConfig> = {}): KeeperConfig {
  return { ...loadKeeperConfig({}), ...overrides };
}
