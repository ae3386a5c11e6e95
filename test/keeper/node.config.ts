/**
 * Hardhat configuration for the `hardhat node` that test/keeper/keeperProcess.test.ts starts (`hardhat --config
 * test/keeper/node.config.ts node ...`). The node is the same as `npm run node` (the default simulated network: chain
 * 31337, the default accounts), but reads its artifacts from an empty folder of the test's own: a node loads every
 * build-info file under `artifacts/` to decode stack traces, and a working tree that has run the test suite holds
 * gigabytes of them (start-up went from ~2 s to minutes). Contracts come from the deploy script, not from these paths.
 *
 * Under `npm run coverage` (BULWARK_COVERAGE=1, scripts/run-tests.mjs) the artifacts the deploy script reads are
 * instrumented: the node then takes Hardhat's own coverage overrides (no contract size limit, no block or transaction
 * gas cap), as the embedded network does in that run.
 *
 * Not a test file: mocha loads it (every .ts under test/) and it does nothing.
 */
import { tmpdir } from "node:os";
import path from "node:path";

import { defineConfig } from "hardhat/config";

const state = process.env.BULWARK_NODE_STATE_DIR ?? path.join(tmpdir(), "bulwark-keeper-node");
const coverage = process.env.BULWARK_COVERAGE === "1";

export default defineConfig({
  paths: { artifacts: path.join(state, "artifacts"), cache: path.join(state, "cache") },
  ...(coverage
    ? {
        networks: {
          node: {
            type: "edr-simulated",
            allowUnlimitedContractSize: true,
            blockGasLimit: 1_000_000_000n,
            transactionGasCap: false,
          },
        },
      }
    : {}),
});
