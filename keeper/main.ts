/**
 * `npm run keeper -- --network localhost`: the Bulwark keeper (docs/keeper.md). Loads the deployment from
 * `deployments/<chainId>.json` (or `$BULWARK_DEPLOYMENTS_DIR/<chainId>.json`; on the embedded network it deploys a
 * fresh local system instead), validates its configuration (environment variables, keeper/config.ts), then polls for
 * new blocks and runs one pass per new block: report oracle and market modes, record settlement prices, settle
 * expired accounts, start, bid on, end and realise liquidation auctions. One log line per action; a failed action is logged with its decoded revert and the keeper
 * carries on. `KEEPER_ONCE=1` runs one pass and exits. SIGINT / SIGTERM stop it after the current pass.
 */
import hre, { network } from "hardhat";

import { localConfig } from "../deploy/networks/local.js";
import { deploySystem } from "../deploy/system.js";
import { describeError } from "../sdk/errors.js";
import { KeeperConfigError, loadKeeperConfig } from "./config.js";
import { type KeeperAction, formatAction, report } from "./context.js";
import { contractsFromSystem, createKeeperContext, deploymentsDir, loadKeeperDeployment, runPass } from "./keeper.js";

const line = (a: KeeperAction) => console.log(formatAction(a));
const fatal = (message: string): never => {
  console.error(`${new Date().toISOString()} keeper start failed error=${JSON.stringify(message)}`);
  process.exit(1);
};

let config;
try {
  config = loadKeeperConfig();
} catch (err) {
  fatal(err instanceof KeeperConfigError ? err.message : describeError(err));
}
const cfg = config!;

// An HTTP network gets the keeper's request timeout (Hardhat's default is 5 minutes): a node that stops answering
// fails the poll within KEEPER_RPC_TIMEOUT_MS and the keeper retries, instead of hanging on one request.
const networkName = hre.globalOptions.network;
let connection;
let chainId = 0;
let signers;
try {
  connection =
    networkName !== undefined && hre.config.networks[networkName]?.type === "http"
      ? await network.create({ network: networkName, override: { timeout: cfg.rpcTimeoutMs } })
      : await network.getOrCreate();
  chainId = Number((await connection.ethers.provider.getNetwork()).chainId);
  signers = await connection.ethers.getSigners();
} catch (err) {
  fatal(describeError(err)); // no node there: one line, not a stack
}
const { ethers } = connection!;
const signer =
  signers![cfg.signerIndex] ?? fatal(`KEEPER_SIGNER ${cfg.signerIndex}: the network has ${signers!.length} accounts`);

let contracts;
let source: string;
try {
  if (connection!.networkConfig.type === "edr-simulated") {
    // Nothing outlives an embedded network: deploy a fresh local system so a dry run has something to watch.
    const sys = await deploySystem(ethers, localConfig);
    contracts = contractsFromSystem(sys, signer);
    source = "embedded network, fresh local deployment";
  } else {
    const loaded = await loadKeeperDeployment(signer, chainId, deploymentsDir());
    contracts = loaded.contracts;
    source = loaded.file;
  }
} catch (err) {
  fatal(describeError(err));
}

let ctx;
try {
  ctx = await createKeeperContext({ provider: ethers.provider, signer, contracts: contracts!, config: cfg, log: line });
} catch (err) {
  fatal(describeError(err));
}
const keeper = ctx!;

report(keeper, "keeper", "start", {
  network: connection!.networkName,
  chainId,
  deployment: source!,
  signer: keeper.signerAddress,
  account: cfg.account ?? "none (no bids)",
  tasks: Object.entries(cfg.tasks)
    .filter(([, on]) => on)
    .map(([t]) => t)
    .join(","),
  pollMs: cfg.pollMs,
  rpcTimeoutMs: cfg.rpcTimeoutMs,
  minProfitWad: cfg.minProfitWad,
  once: cfg.once,
});

let stopping = false;
let wake: (() => void) | undefined;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (stopping) process.exit(130); // a second signal: stop now
    stopping = true;
    report(keeper, "keeper", "stopping", { signal: sig });
    wake?.();
  });
}
const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(t);
      resolve();
    };
  });

let passes = 0;
let actionsTotal = 0;
let failedTotal = 0;
while (!stopping) {
  try {
    const pass = await runPass(keeper, { force: cfg.once });
    if (pass.ran) {
      passes++;
      actionsTotal += pass.actions.filter((a) => a.status === "ok").length;
      failedTotal += pass.actions.filter((a) => a.status === "failed").length;
      if (cfg.once || passes % cfg.heartbeatEvery === 0) {
        report(keeper, "keeper", "heartbeat", {
          block: pass.blockNumber,
          passes,
          sent: actionsTotal,
          failed: failedTotal,
        });
      }
    }
  } catch (err) {
    // RPC down past the retries: log, back off one poll interval, carry on.
    report(keeper, "keeper", "poll", {}, "failed", describeError(err));
  }
  if (cfg.once) break;
  await sleep(cfg.pollMs);
}
report(keeper, "keeper", "stopped", { passes, sent: actionsTotal, failed: failedTotal });
await connection!.close().catch(() => undefined); // no open sockets keep the process alive
