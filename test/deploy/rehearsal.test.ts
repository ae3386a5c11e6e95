/**
 * The deploy script end to end, as an operator runs it: against a second `hardhat node` (chain 31338) reached through
 * the `testnet` network and its configuration variables, with the rehearsal config's real (non-local) path — the
 * tokens and feeds exist before Bulwark, nothing is mocked — and on the embedded network, where no manifest is
 * touched. Manifests go to a temporary folder (BULWARK_DEPLOYMENTS_DIR).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";

import type { Manifest } from "../../deploy/manifest.js";
import { REHEARSAL_THIRD_PARTY } from "../../deploy/networks/rehearsal.js";

const run = promisify(execFile);
const hardhat = path.resolve("node_modules/.bin/hardhat");
/** Hardhat's well-known development account #0: public, test chains only. */
const DEV_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

async function rpcUp(url: string) {
  for (let i = 0; i < 1500; i++) {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) return ((await res.json()) as { result: string }).result;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no node at ${url} after 5 minutes`);
}

describe("deploy/deploy.ts end to end", function () {
  this.timeout(600_000);
  let node: ChildProcess | undefined;
  let dir = "";
  const port = 18_546 + Math.floor(Math.random() * 1000);
  const url = `http://127.0.0.1:${port}`;
  const script = (file: string, env: Record<string, string>, ...args: string[]) =>
    run(process.execPath, [hardhat, "run", "--no-compile", file, ...args], {
      env: { ...process.env, ...env },
      maxBuffer: 16 << 20,
    });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "bulwark-deployments-"));
    node = spawn(
      process.execPath,
      [hardhat, "node", "--hostname", "127.0.0.1", "--port", `${port}`, "--chain-id", "31338"],
      {
        stdio: "ignore",
      },
    );
    expect(await rpcUp(url)).to.equal("0x7a6a"); // 31338
  });
  after(() => {
    if (node?.pid !== undefined) process.kill(node.pid);
    rmSync(dir, { recursive: true, force: true });
  });

  it("deploys to a second node configured as a test network, then finds nothing to do", async () => {
    const env = { BULWARK_RPC_URL: url, BULWARK_DEPLOYER_KEY: DEV_KEY_0, BULWARK_DEPLOYMENTS_DIR: dir };
    await script("deploy/rehearsal/third-party.ts", env, "--network", "testnet");
    const first = await script("deploy/deploy.ts", env, "--network", "testnet");
    expect(first.stdout).to.match(/Deploying Bulwark to testnet \(chain 31338\)/);
    const manifest = JSON.parse(readFileSync(path.join(dir, "31338.json"), "utf8")) as Manifest;
    expect(manifest.chainId).to.equal(31338);
    // the config's tokens and feeds are used as they are: recorded as external, never deployed
    expect(manifest.contracts.cash).to.equal(REHEARSAL_THIRD_PARTY.USDC);
    expect(manifest.entries["feed.ETH"]!.contract).to.equal("external");
    expect(manifest.contracts["feed.sequencer"]).to.equal(undefined);
    expect(manifest.entries.ClearingHouse!.contract).to.equal("ClearingHouse");
    expect(manifest.pending).to.equal(undefined);

    const second = await script("deploy/deploy.ts", env, "--network", "testnet");
    expect(second.stdout).to.include("resuming");
    expect(second.stdout).to.include("No configuration differences.");
    expect(second.stdout).to.not.match(/^\+ /m);
  });

  it("on the embedded network deploys without reading or writing any manifest", async () => {
    const before = readdirSync(dir);
    const out = await script("deploy/deploy.ts", { BULWARK_DEPLOYMENTS_DIR: dir });
    expect(out.stdout).to.include("embedded network, no manifest is read or written");
    expect(out.stdout).to.match(/^\+ ClearingHouse/m);
    expect(readdirSync(dir)).to.deep.equal(before);
    expect(existsSync(path.join(dir, "31337.json"))).to.equal(false);
  });
});
