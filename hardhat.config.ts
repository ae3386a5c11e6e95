import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

// The compilers are solc-js from npm, handed to Hardhat by path so nothing is ever downloaded. 0.8.28 builds everything
// whose pragma allows it (Hardhat picks the newest matching compiler); 0.8.26 exists only for Chainlink's
// DataFeedsLegacyAggregatorProxy (pinned `pragma solidity 0.8.26`), which the settlement proof is tested against.
function npmSolc(pkg: string) {
  return {
    version: JSON.parse(readFileSync(fileURLToPath(import.meta.resolve(`${pkg}/package.json`)), "utf8"))
      .version as string,
    path: fileURLToPath(import.meta.resolve(`${pkg}/soljson.js`)),
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
    },
  };
}

const compilers = [npmSolc("solc"), npmSolc("solc-0.8.26")];

// Pinned seed by default so every run is reproducible; more runs under FUZZ_RUNS / INV_RUNS.
const fuzzRuns = Number(process.env.FUZZ_RUNS ?? 256);
const invariantRuns = Number(process.env.INV_RUNS ?? 32);
const invariantDepth = Number(process.env.INV_DEPTH ?? 40);

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    profiles: {
      default: { compilers },
      production: { compilers, isolated: false },
    },
    // `npm run coverage` only (scripts/run-tests.mjs): build all of contracts/ (instrumented) before each test job, so
    // the contracts tests deploy from artifacts are instrumented too.
    splitTestsCompilation: process.env.BULWARK_SPLIT_TESTS === "1",
    npmFilesToBuild: [
      "@chainlink/contracts/src/v0.8/shared/mocks/MockV3Aggregator.sol",
      // pragma 0.8.26 (built by solc-0.8.26): the real proxy the settlement proof is tested against
      "@chainlink/contracts/src/v0.8/data-feeds/test/helpers/DataFeedsLegacyAggregatorProxy.sol",
      // deploy/system.ts puts every admin role behind this timelock (docs/trust-model.md)
      "@openzeppelin/contracts/governance/TimelockController.sol",
      // the 2-of-3 Safe maker of test/trading/safeMaker.test.ts (ERC-1271 through the compatibility fallback handler)
      "@safe-global/safe-contracts/contracts/Safe.sol",
      "@safe-global/safe-contracts/contracts/proxies/SafeProxyFactory.sol",
      "@safe-global/safe-contracts/contracts/handler/CompatibilityFallbackHandler.sol",
    ],
  },
  paths: {
    tests: {
      solidity: "./test",
      mocha: "./test",
    },
  },
  test: {
    solidity: {
      fuzz: { runs: fuzzRuns, seed: process.env.FUZZ_SEED ?? "0x6275_6c77_6172_6b".replaceAll("_", "") },
      invariant: { runs: invariantRuns, depth: invariantDepth, failOnRevert: false },
      fsPermissions: { readDirectory: ["./test/vectors"], readFile: ["./test/vectors"] },
    },
    mocha: { timeout: 120_000 },
  },
  typechain: { outDir: "typechain-types" },
  networks: {
    // `npm run node` by default; BULWARK_LOCAL_RPC_URL points it at another local node (the keeper's process test
    // starts one on a free port, so a node a user runs on 8545 is never touched).
    localhost: { type: "http", chainType: "l1", url: process.env.BULWARK_LOCAL_RPC_URL ?? "http://127.0.0.1:8545" },
    // Any JSON-RPC network (a public testnet, or the rehearsal node of docs/runbook.md). Both values are Hardhat
    // configuration variables, read only when this network is used: from the encrypted keystore
    // (`npx hardhat keystore set BULWARK_RPC_URL`) or from the environment. The chain id picks the deploy config
    // (deploy/networks/index.ts).
    testnet: {
      type: "http",
      chainType: "l1",
      url: configVariable("BULWARK_RPC_URL"),
      accounts: [configVariable("BULWARK_DEPLOYER_KEY")],
    },
  },
  // hardhat-verify (in the toolbox): `npx hardhat run deploy/verify.ts --network testnet` verifies every manifest entry.
  verify: {
    etherscan: { apiKey: configVariable("ETHERSCAN_API_KEY") },
  },
});
