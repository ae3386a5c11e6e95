/**
 * Governance through the OpenZeppelin `TimelockController` that holds `DEFAULT_ADMIN_ROLE` and `RISK_ADMIN_ROLE` of
 * every Bulwark contract (deploy/system.ts, docs/trust-model.md).
 *
 * Every parameter change after deployment is a timelock operation: a proposer schedules it, and after the timelock's
 * minimum delay an executor executes it. On a real network that is two transactions at least `delay` seconds apart
 * (`propose`, then `executeReady`). On a local network (Hardhat EVM / `hardhat node`), `execute` does both in one
 * call by advancing the chain clock with `evm_increaseTime`: that is how the demo and the tests change parameters
 * quickly while still going through the timelock. The signer must hold the timelock's PROPOSER_ROLE and
 * EXECUTOR_ROLE (the local config makes the deployer both).
 */
import { Contract, type ContractRunner, type Signer, ZeroHash, getAddress } from "ethers";

/** One call the timelock makes: `target.call{value}(data)`. */
export interface TimelockCall {
  target: string;
  data: string;
  value?: bigint;
}

/** `TimelockController.OperationState`. */
export enum OperationState {
  Unset = 0,
  Waiting = 1,
  Ready = 2,
  Done = 3,
}

/** The part of the OpenZeppelin 5.x `TimelockController` ABI the helper uses. */
export const TIMELOCK_ABI = [
  "function getMinDelay() view returns (uint256)",
  "function getTimestamp(bytes32 id) view returns (uint256)",
  "function getOperationState(bytes32 id) view returns (uint8)",
  "function hashOperationBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt) pure returns (bytes32)",
  "function scheduleBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt, uint256 delay)",
  "function executeBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt) payable",
  "function hasRole(bytes32 role, address account) view returns (bool)",
  "function PROPOSER_ROLE() view returns (bytes32)",
  "function EXECUTOR_ROLE() view returns (bytes32)",
] as const;

/** Provider methods `execute` needs: a JSON-RPC `send` that knows `evm_increaseTime` (Hardhat, Anvil). */
interface DevProvider {
  send(method: string, params: unknown[]): Promise<unknown>;
}

type Batch = [string[], bigint[], string[], string, string];

export class Governance {
  readonly timelock: Contract;

  constructor(
    timelockAddress: string,
    readonly signer: Signer,
  ) {
    this.timelock = new Contract(timelockAddress, TIMELOCK_ABI, signer as ContractRunner);
  }

  /** The timelock's minimum delay, seconds. */
  async delay(): Promise<bigint> {
    return (await this.timelock.getFunction("getMinDelay")()) as bigint;
  }

  /** Operation id of `calls` with `salt` (no predecessor). */
  async operationId(calls: TimelockCall[], salt: string = ZeroHash): Promise<string> {
    return (await this.timelock.getFunction("hashOperationBatch")(...batch(calls, salt))) as string;
  }

  async state(id: string): Promise<OperationState> {
    return Number(await this.timelock.getFunction("getOperationState")(id)) as OperationState;
  }

  /** Schedules `calls` with the minimum delay. Returns the operation id and the earliest execution time (seconds). */
  async propose(calls: TimelockCall[], salt: string = ZeroHash): Promise<{ id: string; readyAt: bigint }> {
    const delay = await this.delay();
    await (await this.timelock.getFunction("scheduleBatch")(...batch(calls, salt), delay)).wait();
    const id = await this.operationId(calls, salt);
    return { id, readyAt: (await this.timelock.getFunction("getTimestamp")(id)) as bigint };
  }

  /** Executes a scheduled operation whose delay has passed. Reverts with the target's error if a call fails. */
  async executeReady(calls: TimelockCall[], salt: string = ZeroHash) {
    const value = calls.reduce((sum, c) => sum + (c.value ?? 0n), 0n);
    const tx = await this.timelock.getFunction("executeBatch")(...batch(calls, salt), { value });
    return tx.wait();
  }

  /**
   * Local networks only: schedules `target.call(data)`, advances the chain clock past the delay and executes it.
   * The salt is the latest block hash, so the same call can be governed again later.
   */
  async execute(target: string | { getAddress(): Promise<string> }, data: string) {
    const address = typeof target === "string" ? target : await target.getAddress();
    return this.executeBatch([{ target: address, data }]);
  }

  /** `execute` for several calls that the timelock applies atomically, in order. */
  async executeBatch(calls: TimelockCall[]) {
    const provider = this.signer.provider as unknown as DevProvider | null;
    if (provider === null || typeof provider.send !== "function") throw new Error("execute needs a JSON-RPC provider");
    const latest = (await this.signer.provider!.getBlock("latest"))!;
    const salt = latest.hash ?? ZeroHash;
    await this.propose(calls, salt);
    await provider.send("evm_increaseTime", [Number(await this.delay())]);
    return this.executeReady(calls, salt);
  }
}

function batch(calls: TimelockCall[], salt: string): Batch {
  return [
    calls.map((c) => getAddress(c.target)),
    calls.map((c) => c.value ?? 0n),
    calls.map((c) => c.data),
    ZeroHash,
    salt,
  ];
}
