/**
 * The keeper as it runs in production: a separate `hardhat run keeper/main.ts` process against a separate
 * `hardhat node` process on 127.0.0.1 (a free port, never 8545), both started and stopped here. The system is
 * deployed by the real deploy script into a temporary manifest folder (`BULWARK_DEPLOYMENTS_DIR`), and the keeper is
 * pointed at that node through the `localhost` network's `BULWARK_LOCAL_RPC_URL`. This test drives the chain with the
 * rehearsal steps (keeper/rehearsal.ts) over its own JSON-RPC connection and reads the keeper's log lines
 * (`<time> <task> <action> <status> key=value...`) from its stdout, checking every outcome on chain as well:
 *
 * - a thin writer below MM: the keeper starts the auction, bids once the Dutch price pays, and ends it;
 * - the node frozen with SIGSTOP for 6 s: the keeper's requests time out, it logs the retries and failed polls, does
 *   not exit, and carries on after SIGCONT;
 * - SIGTERM: `stopping`, `stopped`, exit code 0;
 * - restarted: nothing done before is done again; after the expiry it records the price and settles; killed with
 *   SIGKILL right after recording and restarted: no second record, no second settlement, one auction start in all
 *   (log lines and event counts agree);
 * - a dropped transaction (automine off, the keeper's record-price left pending, then `hardhat_dropTransaction`): the
 *   receipt wait times out, passes held back while it is pending send nothing, and once it is gone the keeper sends
 *   again with the same nonce; one record on chain.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";

import { expect } from "chai";
import { JsonRpcProvider, type JsonRpcSigner } from "ethers";

import {
  ETH,
  type RehearsalAccounts,
  nextExpiry,
  rehearsalFeeds,
  rehearsalSetup,
  rehearsalWarp,
  rehearsalWarpTo,
} from "../../keeper/rehearsal.js";
import { type Deployment, loadDeployment } from "../../sdk/deployment.js";
import { decodeSeries } from "../../sdk/series.js";

const run = promisify(execFile);
const hardhat = path.resolve("node_modules/.bin/hardhat");
const nodeConfig = path.resolve("test/keeper/node.config.ts");
const WAD = 10n ** 18n;
/** `hardhat run` takes ~2 s to start the keeper here; much longer on a machine busy with other test jobs. */
const STARTUP_MS = 90_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port the OS just handed out on 127.0.0.1 (closed again, so the node can take it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.listen(0, "127.0.0.1", resolve).once("error", reject));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Waits until `node` answers `eth_chainId` at `url` (true), exits (false) or `timeoutMs` passes (false). */
async function nodeUp(node: ChildProcess, url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (node.exitCode === null && node.signalCode === null && Date.now() < deadline) {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok && ((await res.json()) as { result?: string }).result === "0x7a69") return true;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return false;
}

/** One parsed keeper log line: `<iso time> <task> <action> <status> key=value...`. */
interface LogLine {
  index: number;
  task: string;
  action: string;
  status: string;
  fields: Record<string, string>;
  raw: string;
}

function parseLine(raw: string, index: number): LogLine | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\S+Z) (\S+) (\S+) (ok|failed|info|skipped)(?: (.*))?$/.exec(raw);
  if (m === null) return undefined;
  const fields: Record<string, string> = {};
  for (const f of (m[5] ?? "").matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    fields[f[1]!] = f[2]!.startsWith('"') ? (JSON.parse(f[2]!) as string) : f[2]!;
  }
  return { index, task: m[2]!, action: m[3]!, status: m[4]!, fields, raw };
}

/** Every child process this file starts, so `after` (and a dying mocha) can stop them all. */
const children = new Set<ChildProcess>();
const killAll = () => {
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) continue;
    try {
      process.kill(c.pid, "SIGCONT"); // a node left frozen by a failed test
      process.kill(c.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
};
process.once("exit", killAll);

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** A running keeper process and the lines it printed so far. */
class KeeperProcess {
  readonly lines: LogLine[] = [];
  readonly output: string[] = [];
  readonly child: ChildProcess;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` from the line handler itself, the moment a matching line arrives (no polling delay). */
  killOn?: { pred: (l: LogLine) => boolean; signal: NodeJS.Signals };

  constructor(
    readonly name: string,
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(process.execPath, [hardhat, "run", "--no-compile", "keeper/main.ts", "--network", "localhost"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(this.child);
    this.exit = exited(this.child);
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream }).on("line", (raw) => {
        this.output.push(raw);
        const line = parseLine(raw, this.lines.length);
        if (line !== undefined) this.lines.push(line);
        if (line !== undefined && this.killOn?.pred(line) && this.running) this.child.kill(this.killOn.signal);
        if (process.env.KEEPER_TEST_LOG) console.log(`    [${this.name}] ${raw}`);
      });
    }
  }

  get running() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first line at or after `from` matching `pred`, waiting at most `timeoutMs`. */
  async waitFor(what: string, pred: (l: LogLine) => boolean, timeoutMs = 30_000, from = 0): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.slice(from).find(pred);
      if (hit !== undefined) return hit;
      if (!this.running) throw new Error(`${this.name} exited before ${what}:\n${this.output.join("\n")}`);
      if (Date.now() > deadline)
        throw new Error(`${this.name}: no ${what} in ${timeoutMs} ms:\n${this.output.join("\n")}`);
      await sleep(50);
    }
  }

  select(action: string, status?: string) {
    return this.lines.filter((l) => l.action === action && (status === undefined || l.status === status));
  }
}

describe("keeper process against a hardhat node process", function () {
  this.timeout(240_000); // upper bounds for a loaded machine: the waits inside have their own deadlines

  let dir = "";
  let url = "";
  let node: ChildProcess | undefined;
  let provider: JsonRpcProvider;
  let deployer: JsonRpcSigner;
  let d: Deployment;
  let acc: RehearsalAccounts;
  const keepers: KeeperProcess[] = [];
  const env = () => ({ ...process.env, BULWARK_LOCAL_RPC_URL: url, BULWARK_DEPLOYMENTS_DIR: dir });

  const startKeeper = (name: string, extra: Record<string, string> = {}) => {
    const k = new KeeperProcess(name, {
      ...env(),
      KEEPER_SIGNER: "4", // the rehearsal's keeper signer, owner of acc.keeper
      KEEPER_ACCOUNT: String(acc.keeper),
      KEEPER_POLL_MS: "200",
      KEEPER_HEARTBEAT_EVERY: "1",
      KEEPER_RPC_TIMEOUT_MS: "1000",
      KEEPER_RPC_RETRIES: "2",
      KEEPER_TX_TIMEOUT_S: "30",
      KEEPER_VERBOSE: "0",
      ...extra,
    });
    keepers.push(k);
    return k;
  };
  const of = (account: bigint) => (l: LogLine) => l.fields.account === String(account);
  const allLines = () => keepers.flatMap((k) => k.lines);

  before(async function () {
    this.timeout(180_000);
    dir = mkdtempSync(path.join(tmpdir(), "bulwark-keeper-process-"));
    // Up when it answers JSON-RPC. A node that exits instead (another process took the port between freePort and
    // the node's listen) is started again on another port.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      let nodeOutput = "";
      node = spawn(
        process.execPath,
        [hardhat, "--config", nodeConfig, "node", "--hostname", "127.0.0.1", "--port", String(port)],
        { env: { ...process.env, BULWARK_NODE_STATE_DIR: path.join(dir, "node") }, stdio: ["ignore", "pipe", "pipe"] },
      );
      children.add(node);
      // the node logs every request: keep the tail for error messages only
      for (const s of [node.stdout!, node.stderr!])
        s.on("data", (b: Buffer) => (nodeOutput = (nodeOutput + b).slice(-20_000)));
      if (await nodeUp(node, url, 90_000)) break;
      if ((node.exitCode === null && node.signalCode === null) || attempt === 3) {
        throw new Error(`no hardhat node at ${url} (exit code ${node.exitCode}):\n${nodeOutput}`);
      }
    }

    const deployed = await run(
      process.execPath,
      [hardhat, "run", "--no-compile", "deploy/deploy.ts", "--network", "localhost"],
      { env: env(), maxBuffer: 16 << 20 },
    );
    expect(deployed.stdout).to.include(`Deploying Bulwark to localhost (chain 31337)`);

    provider = new JsonRpcProvider(url, 31337, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    deployer = await provider.getSigner(0);
    d = await loadDeployment(deployer, 31337, { dir });
    // Keep the first expiry hours away, so the 10-minute warp below never crosses it.
    const t = (await provider.getBlock("latest"))!.timestamp;
    if (nextExpiry(t) - t < 3 * 3600) await rehearsalWarpTo(d, provider, deployer, nextExpiry(t) + 60);
    const [alice, bob, carol, keeper] = await Promise.all([1, 2, 3, 4].map((i) => provider.getSigner(i)));
    acc = await rehearsalSetup(d, provider, deployer, { alice: alice!, bob: bob!, carol: carol!, keeper: keeper! });
    expect(acc.carolEquityWad).to.be.lessThan(acc.carolMmWad);
    expect(acc.carolEquityWad).to.be.greaterThan(0n);
  });

  after(async function () {
    this.timeout(30_000);
    for (const c of children) {
      if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) continue;
      try {
        process.kill(c.pid, "SIGCONT");
        process.kill(c.pid, c === node ? "SIGTERM" : "SIGKILL");
      } catch {
        // gone
      }
    }
    await Promise.race([Promise.all([...children].map(exited)), sleep(10_000)]);
    killAll(); // anything that ignored SIGTERM
    await Promise.race([Promise.all([...children].map(exited)), sleep(5_000)]);
    for (const c of children)
      expect(c.exitCode !== null || c.signalCode !== null, `pid ${c.pid} still running`).to.equal(true);
    provider?.destroy();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("starts the auction of the account below MM, then bids once the Dutch price pays, and ends it", async () => {
    const k = startKeeper("keeper#1");
    const start = await k.waitFor("start line", (l) => l.action === "start", STARTUP_MS);
    expect(start.fields).to.include({ network: "localhost", chainId: "31337", account: String(acc.keeper) });
    expect(start.fields.deployment).to.equal(path.join(dir, "31337.json"));

    const started = await k.waitFor("start-auction ok", (l) => l.action === "start-auction" && l.status === "ok");
    expect(started.fields.account).to.equal(String(acc.carol));
    expect((await d.liquidation.auctionOf(acc.carol)).startedAt).to.be.greaterThan(0n);
    // at the start the price is the mark value: nothing to gain, no bid
    await k.waitFor("heartbeat after the start", (l) => l.action === "heartbeat", 30_000, started.index);
    expect(k.select("bid", "ok")).to.have.length(0);

    await rehearsalWarp(d, provider, deployer, 600); // end of the fast leg: a 10 % discount of MM
    const bid = await k.waitFor("bid ok", (l) => l.action === "bid" && l.status === "ok" && of(acc.carol)(l));
    expect(bid.fields.bidder).to.equal(String(acc.keeper));
    expect(BigInt(bid.fields.profitWad!)).to.be.greaterThanOrEqual(WAD); // KEEPER_MIN_PROFIT's default, 1
    await k.waitFor("end-auction ok", (l) => l.action === "end-auction" && l.status === "ok" && of(acc.carol)(l));

    expect((await d.liquidation.auctionOf(acc.carol)).startedAt).to.equal(0n);
    expect(await d.clearingHouse.inAuction(acc.carol)).to.equal(false);
    const [equity, mm] = await d.clearingHouse.accountHealth(acc.carol);
    expect(equity).to.be.greaterThanOrEqual(BigInt(mm));
    expect((await d.clearingHouse.positionsOf(acc.keeper))[0]).to.have.length(1); // the keeper took part of it
    const bids = await d.liquidation.queryFilter(d.liquidation.filters.Bid(acc.carol));
    expect(bids).to.have.length(k.select("bid", "ok").filter(of(acc.carol)).length);
  });

  it("rides out a node frozen with SIGSTOP for 6 s: requests time out, it retries, then carries on", async () => {
    const k = keepers[0]!;
    await k.waitFor("idle heartbeat", (l) => l.action === "heartbeat", 10_000, k.lines.length - 1);
    const mark = k.lines.length;
    process.kill(node!.pid!, "SIGSTOP");
    try {
      await sleep(6_000);
    } finally {
      process.kill(node!.pid!, "SIGCONT");
    }
    const during = k.lines.slice(mark);
    const failures = during.filter(
      (l) =>
        l.status === "failed" &&
        (l.action === "rpc-retry" || l.action === "poll") &&
        /timed out/.test(l.fields.error ?? ""),
    );
    expect(failures.length, during.map((l) => l.raw).join("\n")).to.be.greaterThan(0);
    expect(during.filter((l) => l.action === "rpc-retry").length).to.be.greaterThan(0);
    expect(k.running).to.equal(true);

    // resumed: a new block, and the keeper processes it (a heartbeat comes only after a completed pass)
    await provider.send("evm_mine", []);
    const block = await provider.getBlockNumber();
    const beat = await k.waitFor(
      "heartbeat after SIGCONT",
      (l) => l.action === "heartbeat" && Number(l.fields.block) >= block,
      30_000,
      mark,
    );
    expect(beat.status).to.equal("info");
    expect(k.running).to.equal(true);
  });

  it("stops cleanly on SIGTERM: stopping, stopped, exit code 0", async () => {
    const k = keepers[0]!;
    k.child.kill("SIGTERM");
    const { code, signal } = await Promise.race([k.exit, sleep(30_000).then(() => ({ code: -1, signal: null }))]);
    expect({ code, signal }, k.output.join("\n")).to.deep.equal({ code: 0, signal: null });
    const stopping = k.select("stopping");
    expect(stopping).to.have.length(1);
    expect(stopping[0]!.fields.signal).to.equal("SIGTERM");
    const stopped = k.select("stopped");
    expect(stopped).to.have.length(1);
    expect(stopped[0]!.index).to.be.greaterThan(stopping[0]!.index);
  });

  it("after a restart redoes nothing; records and settles the expiry; killed mid-run and restarted, no double work", async () => {
    // restarted after the clean stop: carol's auction is over, nothing is left to do. One account per settlement
    // transaction, so the expiry takes three transactions (record, settle Alice, settle Bob) to kill in the middle of.
    const k2 = startKeeper("keeper#2", { KEEPER_SETTLE_BATCH: "1" });
    await k2.waitFor("first heartbeat", (l) => l.action === "heartbeat", STARTUP_MS);
    for (const action of ["start-auction", "bid", "end-auction", "mark-insolvency", "realise-loss"]) {
      expect(k2.select(action), action).to.have.length(0);
    }

    // the expiry: the keeper records the settlement price; SIGKILL it right then (how much of the settlement it sent
    // first is up to timing: none, one account, both; a transaction may be in flight)
    const recordedOk = (l: LogLine) => l.action === "record-price" && l.status === "ok";
    k2.killOn = { pred: recordedOk, signal: "SIGKILL" };
    await rehearsalWarpTo(d, provider, deployer, acc.firstExpiry + 30);
    const exit2 = await Promise.race([k2.exit, sleep(30_000).then(() => undefined)]);
    expect(exit2?.signal, k2.output.join("\n")).to.equal("SIGKILL");
    expect(k2.lines.filter(recordedOk)).to.have.length(1);

    // (a 2 s receipt timeout for the dropped-transaction test below; the node mines at once until then)
    const k3 = startKeeper("keeper#3", { KEEPER_SETTLE_BATCH: "1", KEEPER_TX_TIMEOUT_S: "2" });
    await k3.waitFor("first heartbeat", (l) => l.action === "heartbeat", STARTUP_MS);
    // every account settled at most once in the logs of #2 and #3 together
    const settledIn = allLines()
      .filter((l) => l.action === "settle-accounts" && l.status === "ok")
      .flatMap((l) => l.fields.accounts!.split(","));
    expect(new Set(settledIn).size, settledIn.join(" ")).to.equal(settledIn.length);

    // on chain: the price once, every position of that expiry settled once, carol's auction started once
    const [price, recorded] = await d.settlementOracle.settlementPrice(ETH, acc.firstExpiry);
    expect(recorded).to.equal(true);
    expect(price).to.be.greaterThan(0n);
    const records = await d.settlementOracle.queryFilter(d.settlementOracle.filters.SettlementPriceRecorded());
    expect(records.filter((e) => e.args.expiry === BigInt(acc.firstExpiry))).to.have.length(1);
    expect(allLines().filter((l) => l.action === "record-price" && l.status === "ok")).to.have.length(1);
    const settledEvents = await d.clearingHouse.queryFilter(d.clearingHouse.filters.PositionSettled());
    const settledKeys = settledEvents.map((e) => `${e.args.account}:${e.args.series}`);
    expect(new Set(settledKeys).size, "no position settled twice").to.equal(settledKeys.length);
    expect(settledKeys).to.have.length(2); // Alice's long and Bob's short
    const settledAccounts = settledEvents.map((e) => e.args.account.toString());
    expect(settledAccounts).to.have.members([String(acc.alice), String(acc.bob)]);
    expect(settledAccounts).to.include.members(settledIn); // what the logs claim happened on chain
    expect((await d.clearingHouse.positionsOf(acc.bob))[0]).to.have.length(0);
    const aliceLeft = (await d.clearingHouse.positionsOf(acc.alice))[0].map((id) => decodeSeries(id).expiry);
    expect(aliceLeft).to.deep.equal([BigInt(acc.laterExpiry)]); // only the 7-day calls bought from Carol
    const auctions = await d.liquidation.queryFilter(d.liquidation.filters.AuctionStarted(acc.carol));
    expect(auctions).to.have.length(1);
    expect(allLines().filter((l) => l.action === "start-auction" && l.status === "ok")).to.have.length(
      (await d.liquidation.queryFilter(d.liquidation.filters.AuctionStarted())).length,
    );

    // the restarted keeper neither redid nor tried (a failing simulation) what was already done
    for (const action of ["record-price", "record-fallback-price", "start-auction"]) {
      expect(k3.select(action), `${action} after restart`).to.have.length(0);
    }
    expect(k3.select("settle-accounts", "failed")).to.have.length(0);
    expect(k3.lines.filter((l) => l.status === "failed")).to.have.length(0);
  });

  it("survives a dropped transaction: sends nothing behind it while pending, then reuses its nonce", async () => {
    const k = keepers[2]!;
    expect(k.running).to.equal(true);
    const mark = k.lines.length;
    // The second expiry (Carol's calls) with the node no longer mining on its own: the clock block, then the fresh
    // feed rounds in one block mined by hand. The keeper's record-price then stays pending.
    await provider.send("evm_setAutomine", [false]);
    let automine = false;
    try {
      await provider.send("evm_setNextBlockTimestamp", [acc.laterExpiry + 30]);
      await provider.send("evm_mine", []);
      const pushes = [];
      for (const feed of Object.values(rehearsalFeeds(d, deployer))) {
        const answer = (await feed.latestRoundData())[1];
        for (let i = 0; i < 2; i++) pushes.push(await feed.pushRound(answer, acc.laterExpiry + 31));
      }
      await provider.send("evm_mine", []);
      for (const tx of pushes) expect((await tx.wait())?.status).to.equal(1);

      const recordedExpiry = (l: LogLine) => l.action === "record-price" && l.fields.expiry === String(acc.laterExpiry);
      const stuck = await k.waitFor(
        "record-price timing out",
        (l) => recordedExpiry(l) && l.status === "failed",
        30_000,
        mark,
      );
      expect(stuck.fields.tx).to.match(/^0x[0-9a-f]{64}$/);
      expect(stuck.fields.error).to.match(/timeout/i);
      // the same block is run again, and nothing is sent behind the pending transaction
      const held = await k.waitFor(
        "a pass held back by the pending transaction",
        (l) => recordedExpiry(l) && l.status === "failed" && /pending transaction/.test(l.fields.error ?? ""),
        30_000,
        stuck.index + 1,
      );
      expect(held.fields.tx).to.equal(undefined);
      expect(await provider.getTransactionCount(await (await provider.getSigner(4)).getAddress(), "pending")).to.equal(
        Number(stuck.fields.nonce) + 1,
      );

      // the transaction leaves the mempool (evicted, replaced elsewhere...): the keeper sends again with its nonce
      expect(await provider.send("hardhat_dropTransaction", [stuck.fields.tx])).to.equal(true);
      await provider.send("evm_setAutomine", [true]);
      automine = true;
      const sent = await k.waitFor(
        "record-price ok",
        (l) => recordedExpiry(l) && l.status === "ok",
        30_000,
        held.index,
      );
      expect(sent.fields.nonce).to.equal(stuck.fields.nonce);
    } finally {
      if (!automine) await provider.send("evm_setAutomine", [true]);
    }
    await k.waitFor("settle-accounts ok", (l) => l.action === "settle-accounts" && l.status === "ok", 30_000, mark);
    const records = await d.settlementOracle.queryFilter(d.settlementOracle.filters.SettlementPriceRecorded());
    expect(records.filter((e) => e.args.expiry === BigInt(acc.laterExpiry))).to.have.length(1);
    const [, recorded] = await d.settlementOracle.settlementPrice(ETH, acc.laterExpiry);
    expect(recorded).to.equal(true);

    k.child.kill("SIGTERM");
    expect((await k.exit).code).to.equal(0);
    expect(k.select("stopped")).to.have.length(1);
  });
});
