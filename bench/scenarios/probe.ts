import type { Scenario } from "../lib.js";
const scenario: Scenario = async ({ ethers, exec }) => {
  const noop = await ethers.deployContract("GasProbeNoop");
  return { "probe.noop": await exec(await noop.getAddress(), "0x") };
};
export default scenario;
