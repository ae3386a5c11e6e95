/**
 * sdk/errors.ts: decoding and formatting reverts, from real Hardhat reverts (send, staticCall, estimateGas) and from
 * the error shapes ethers v6 and JSON-RPC nodes produce; and the generated sdk/abi/errors.ts must match the artifacts.
 */
import { spawnSync } from "node:child_process";

import { expect } from "chai";
import { AbiCoder, makeError } from "ethers";
import { network } from "hardhat";

import {
  bulwarkErrorInterface,
  decodeBulwarkError,
  describeError,
  findRevertData,
  formatBulwarkError,
} from "../../sdk/errors.js";
import { WAD, toWad } from "../../sdk/units.js";
import type { VolatilityOracle } from "../../typechain-types/index.js";

const coder = AbiCoder.defaultAbiCoder();
const panicData = (code: number) => "0x4e487b71" + coder.encode(["uint256"], [code]).slice(2);
const errorData = (reason: string) => "0x08c379a0" + coder.encode(["string"], [reason]).slice(2);

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a revert");
}

describe("sdk/errors: the generated error ABI", () => {
  it("sdk/abi/errors.ts matches the artifacts (regenerate with scripts/gen-error-abi.ts)", () => {
    const r = spawnSync(process.execPath, ["scripts/gen-error-abi.ts", "--check"], { encoding: "utf8" });
    expect(r.status, r.stderr + r.stdout).to.equal(0);
  });

  it("holds the Bulwark errors and the OpenZeppelin errors they can bubble", () => {
    for (const name of [
      "ClearingHouse_BelowInitialMargin",
      "Exchange_BadSignature",
      "Oracle_Stale",
      "Vol_OutOfBounds",
      "AccessControlUnauthorizedAccount",
      "ReentrancyGuardReentrantCall",
      "SafeERC20FailedOperation",
      "ERC20InsufficientBalance",
      "TimelockUnexpectedOperationState",
    ]) {
      expect(bulwarkErrorInterface.getError(name), name).to.not.equal(null);
    }
  });
});

describe("sdk/errors: reverts from the chain", function () {
  let ethers: Awaited<ReturnType<typeof network.create>>["ethers"];
  let vol: VolatilityOracle;
  let admin: string;
  let stranger: Awaited<ReturnType<typeof ethers.getSigners>>[number];

  before(async () => {
    ({ ethers } = await network.create());
    const [a, b] = await ethers.getSigners();
    admin = a!.address;
    stranger = b!;
    vol = await ethers.deployContract("VolatilityOracle", [admin]);
    await (await vol.grantRole(await vol.RISK_ADMIN_ROLE(), admin)).wait();
    await (await vol.grantRole(await vol.VOL_UPDATER_ROLE(), admin)).wait();
    await (
      await vol.listUnderlying(1, { maxAgeSec: 3600, staleVolWad: toWad("0.8"), maxMoveWad: toWad("0.5") })
    ).wait();
    await (await vol.setVol(1, toWad("0.6"))).wait();
  });

  it("decodes a custom error with WAD args from a send, a staticCall and an estimateGas", async () => {
    const expected = "Vol_MoveTooLarge(previousVolWad 0.6, volWad 1.2, maxMoveWad 0.5)";
    const calls = [
      () => vol.setVol(1, toWad("1.2")),
      () => vol.setVol.staticCall(1, toWad("1.2")),
      () => vol.setVol.estimateGas(1, toWad("1.2")),
    ];
    for (const call of calls) {
      const err = await thrown(call());
      expect(formatBulwarkError(err)).to.equal(expected);
      expect(describeError(err)).to.equal(expected);
    }
    const decoded = decodeBulwarkError(await thrown(vol.setVol.staticCall(1, toWad("1.2"))))!;
    expect(decoded.kind).to.equal("custom");
    expect(decoded.name).to.equal("Vol_MoveTooLarge");
    expect(decoded.signature).to.equal("Vol_MoveTooLarge(uint256 previousVolWad, uint256 volWad, uint256 maxMoveWad)");
    expect(decoded.args.map((a) => [a.name, a.value])).to.deep.equal([
      ["previousVolWad", toWad("0.6")],
      ["volWad", toWad("1.2")],
      ["maxMoveWad", toWad("0.5")],
    ]);
  });

  it("shows WAD values at any size, small non-WAD values and narrow ints as plain integers", async () => {
    expect(formatBulwarkError(await thrown(vol.setVol(1, 7n * WAD)))).to.equal("Vol_OutOfBounds(volWad 7.0)");
    expect(formatBulwarkError(await thrown(vol.setVol.staticCall(2, WAD)))).to.equal(
      "Vol_UnknownUnderlying(underlying 2)",
    );
    const bad = { maxAgeSec: 10, staleVolWad: toWad("0.8"), maxMoveWad: 0n };
    expect(formatBulwarkError(await thrown(vol.listUnderlying(3, bad)))).to.equal(
      "Vol_MaxAgeOutOfBounds(maxAgeSec 10)",
    );
  });

  it("decodes OpenZeppelin errors: AccessControl (address, bytes32) and ERC-20 balances in native units", async () => {
    const role = await vol.VOL_UPDATER_ROLE();
    expect(formatBulwarkError(await thrown(vol.connect(stranger).setVol(1, WAD)))).to.equal(
      `AccessControlUnauthorizedAccount(account ${stranger.address}, neededRole ${role})`,
    );
    const token = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", 6]);
    await (await token.mint(admin, 1_000_000n * 10n ** 6n)).wait();
    const err = await thrown(token.transfer(stranger.address, 2_000_000n * 10n ** 6n));
    expect(formatBulwarkError(err)).to.equal(
      `ERC20InsufficientBalance(sender ${admin}, balance 1000000000000, needed 2000000000000)`,
    );
  });
});

describe("sdk/errors: data and error shapes", () => {
  const margin = bulwarkErrorInterface.encodeErrorResult("ClearingHouse_BelowInitialMargin", [5n, -300_351n * WAD]);
  const marginText = "ClearingHouse_BelowInitialMargin(account 5, marginWad -300,351.0)";

  it("formats ids as integers and signed WAD amounts with thousands separators", () => {
    expect(formatBulwarkError(margin)).to.equal(marginText);
    const tiny = bulwarkErrorInterface.encodeErrorResult("ClearingHouse_BelowInitialMargin", [5n, -5n]);
    expect(formatBulwarkError(tiny)).to.equal(
      "ClearingHouse_BelowInitialMargin(account 5, marginWad -0.000000000000000005)",
    );
    // SeriesId (uint256 series) is an id however large; size is a WAD amount by the >= 1e15 rule
    const series = (1n << 144n) | (1_900_000_000n << 104n) | ((3000n * WAD) << 8n) | 1n;
    const small = bulwarkErrorInterface.encodeErrorResult("ClearingHouse_BelowMinTradeSize", [
      series,
      toWad("0.001"),
      toWad("0.01"),
    ]);
    expect(formatBulwarkError(small)).to.equal(
      `ClearingHouse_BelowMinTradeSize(series ${series}, size 0.001, minTradeSize 0.01)`,
    );
    const nonce = bulwarkErrorInterface.encodeErrorResult("Exchange_NonceTooLow", [
      "0x" + "ab".repeat(32),
      10n ** 20n,
      10n ** 21n,
    ]);
    expect(formatBulwarkError(nonce)).to.equal(
      `Exchange_NonceTooLow(orderHash 0x${"ab".repeat(32)}, nonce 100000000000000000000, minNonce 1000000000000000000000)`,
    );
  });

  it("digs the data out of ethers v6, JSON-RPC and nested errors", () => {
    const shapes: unknown[] = [
      margin,
      margin.toUpperCase().replace("0X", "0x"),
      makeError("execution reverted", "CALL_EXCEPTION", {
        action: "call",
        data: margin,
        reason: null,
        transaction: { to: null, data: "0x12345678" },
        invocation: null,
        revert: null,
      }),
      { code: "CALL_EXCEPTION", data: "0x", info: { error: { code: 3, message: "execution reverted", data: margin } } },
      { error: { error: { code: -32603, data: { message: "reverted", data: margin } } } },
      { message: "outer", cause: { data: margin } },
      { message: `VM Exception while processing transaction: reverted, return data: ${margin}` },
    ];
    for (const shape of shapes) expect(formatBulwarkError(shape)).to.equal(marginText);
    // calldata of the transaction is never mistaken for revert data
    expect(findRevertData({ transaction: { data: margin } })).to.equal(undefined);
  });

  it("decodes Panic and Error(string)", () => {
    expect(formatBulwarkError(panicData(0x11))).to.equal("Panic(0x11: arithmetic underflow or overflow)");
    expect(formatBulwarkError(panicData(0x12))).to.equal("Panic(0x12: division or modulo by zero)");
    expect(formatBulwarkError(panicData(0x99))).to.equal("Panic(0x99: unknown panic code)");
    expect(decodeBulwarkError(panicData(1))).to.include({ kind: "panic", name: "Panic", panicCode: 1n });
    expect(formatBulwarkError(errorData('bad "thing"'))).to.equal('Error("bad \\"thing\\"")');
    expect(decodeBulwarkError({ data: errorData("nope") })).to.include({ kind: "revert", reason: "nope" });
  });

  it("renders an unknown selector with its data, and undecodable data of a known selector the same way", () => {
    const data = "0x12345678" + "00".repeat(31) + "2a";
    expect(formatBulwarkError(data)).to.equal(`unknown error 0x12345678, data ${data}`);
    expect(decodeBulwarkError(data)).to.include({ kind: "unknown", selector: "0x12345678" });
    const truncated = margin.slice(0, 10 + 64); // ClearingHouse_BelowInitialMargin without its second word
    expect(formatBulwarkError(truncated)).to.equal(`unknown error ${margin.slice(0, 10)}, data ${truncated}`);
  });

  it("without revert data: formatBulwarkError says so, describeError falls back to the message minus Hardhat's banner", () => {
    expect(decodeBulwarkError("0x")).to.equal(undefined);
    expect(decodeBulwarkError(new Error("network down"))).to.equal(undefined);
    expect(formatBulwarkError({ data: "0x" })).to.equal("revert without data");
    expect(describeError(new Error("network down"))).to.equal("network down");
    const banner = new Error(
      "An unexpected error occurred: boom\n\nIf you think this is a bug in Hardhat, please report it here: https://hardhat.org/report-bug",
    );
    expect(describeError(banner)).to.equal("An unexpected error occurred: boom");
    expect(
      describeError(
        makeError("missing revert data", "CALL_EXCEPTION", {
          action: "call",
          data: null,
          reason: null,
          transaction: { to: null, data: "0x" },
          invocation: null,
          revert: null,
        }),
      ),
    ).to.equal("missing revert data");
    expect(describeError("plain string")).to.equal("plain string");
  });
});
