import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractTransactionResponse } from "ethers";

/** How a figure was measured: `tx` = receipt gasUsed of a transaction; `exec` = execution gas of one call. */
export type GasKind = "tx" | "exec";

export interface GasEntry {
  gas: number;
  kind: GasKind;
}

export interface BenchContext {
  ethers: HardhatEthers;
  /** Receipt `gasUsed` of a sent transaction. */
  tx(response: Promise<ContractTransactionResponse> | ContractTransactionResponse): Promise<GasEntry>;
  /**
   * Execution gas of `target.call(data)` alone: measured inside the EVM with `gasleft()` around the call, minus the
   * cost of the same call shape to a no-op contract (so call overhead and calldata copying are excluded).
   */
  exec(target: string, data: string): Promise<GasEntry>;
}

/** A scenario deploys what it needs on a fresh network and returns named measurements. */
export type Scenario = (ctx: BenchContext) => Promise<Record<string, GasEntry>>;

export async function makeContext(ethers: HardhatEthers): Promise<BenchContext> {
  const probe = await ethers.deployContract("GasProbe");
  const noop = await ethers.deployContract("GasProbeNoop");
  const noopAddress = await noop.getAddress();
  const measure = async (target: string, data: string): Promise<bigint> =>
    (await probe.measure.staticCall(target, data)) as bigint;
  return {
    ethers,
    async tx(response) {
      const receipt = await (await response).wait();
      if (receipt === null) throw new Error("transaction was not mined");
      return { gas: Number(receipt.gasUsed), kind: "tx" };
    },
    async exec(target, data) {
      // Warm the baseline the same way: first call to each address in the probe's frame is cold in both cases.
      const [used, base] = await Promise.all([measure(target, data), measure(noopAddress, data)]);
      return { gas: Number(used - base), kind: "exec" };
    },
  };
}
