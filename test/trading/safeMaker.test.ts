/**
 * A maker that is a real Safe (@safe-global/safe-contracts 1.4.1, 2-of-3, CompatibilityFallbackHandler) signs an
 * order through ERC-1271 and it fills; below the threshold it does not.
 *
 * The exchange calls `safe.isValidSignature(orderHash, sig)`; the Safe forwards it to its fallback handler, which
 * checks `sig` as the owners' signatures over `getMessageHashForSafe(safe, abi.encode(orderHash))` (a SafeMessage
 * EIP-712 digest under the Safe's own domain). Owners sign that digest directly (v = 27/28) and their 65-byte
 * signatures are concatenated in ascending owner-address order.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { AbiCoder, Wallet, ZeroAddress, concat, getAddress, keccak256, toUtf8Bytes } from "ethers";

import { buildOrder, hashOrder, type Order, type SignedOrder } from "../../sdk/orders.js";
import { WAD, deployTestSystem, seriesId, testConfig, ETH } from "../core/fixture.js";

const { ethers, networkHelpers } = await network.create();

async function safeMakerFixture() {
  const [deployer, taker] = await ethers.getSigners();
  const sys = await deployTestSystem(ethers, testConfig());
  const { ch, exchange, cash, domain } = sys;

  const singleton = await ethers.deployContract("Safe");
  const factory = await ethers.deployContract("SafeProxyFactory");
  const handler = await ethers.deployContract("CompatibilityFallbackHandler");

  // three owners that only sign; sorted so signatures can be concatenated in owner order
  const owners = [0, 1, 2]
    .map((i) => new Wallet(keccak256(toUtf8Bytes(`bulwark safe owner ${i}`))))
    .sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  const initializer = singleton.interface.encodeFunctionData("setup", [
    owners.map((o) => o.address),
    2, // threshold
    ZeroAddress,
    "0x",
    await handler.getAddress(),
    ZeroAddress,
    0,
    ZeroAddress,
  ]);
  const saltNonce = 1n;
  const safeAddress = await factory.createProxyWithNonce.staticCall(
    await singleton.getAddress(),
    initializer,
    saltNonce,
  );
  await (await factory.createProxyWithNonce(await singleton.getAddress(), initializer, saltNonce)).wait();
  const safe = singleton.attach(safeAddress) as typeof singleton;
  expect(await safe.getThreshold()).to.equal(2n);

  // the Safe owns a funded account (created and funded by the deployer: both are open to anyone)
  const safeAccount = (await ch.accountCount()) + 1n;
  await (await ch.createAccountFor(safeAddress)).wait();
  const cashAmount = 1_000_000n * 10n ** 6n;
  await (await cash.mint(deployer.address, cashAmount)).wait();
  await (await cash.approve(await ch.getAddress(), cashAmount)).wait();
  await (await ch.deposit(safeAccount, await cash.getAddress(), cashAmount)).wait();
  expect(await ch.ownerOf(safeAccount)).to.equal(getAddress(safeAddress));

  const takerAccount = await sys.openAccount(taker, 1_000_000n * 10n ** 6n);
  const expiry = sys.expiryAfter(await sys.now(), 30);
  const call = seriesId(ETH, expiry, 2200n * WAD, true);
  return { ...sys, ch, exchange, domain, safe, safeAddress, handler, owners, safeAccount, taker, takerAccount, call };
}

/** The owners' signatures (in ascending address order) over the Safe message wrapping `orderHash`. */
async function safeSignature(
  handler: Awaited<ReturnType<typeof safeMakerFixture>>["handler"],
  safeAddress: string,
  owners: Wallet[],
  orderHash: string,
): Promise<string> {
  const message = AbiCoder.defaultAbiCoder().encode(["bytes32"], [orderHash]);
  const safeMessageHash = await handler.getMessageHashForSafe(safeAddress, message);
  return concat(owners.map((o) => o.signingKey.sign(safeMessageHash).serialized));
}

describe("OptionExchange: a 2-of-3 Safe maker signs through ERC-1271", () => {
  async function sellOrder(f: Awaited<ReturnType<typeof safeMakerFixture>>): Promise<Order> {
    return buildOrder({
      account: f.safeAccount,
      series: f.call,
      isBuy: false,
      size: 2n * WAD,
      limitPrice: 80n * WAD,
      deadline: BigInt(await f.now()) + 3600n,
    });
  }

  it("two of three owners sign: the order fills", async () => {
    const f = await networkHelpers.loadFixture(safeMakerFixture);
    const order = await sellOrder(f);
    const orderHash = hashOrder(order, f.domain);
    expect(await f.exchange.hashOrder(order)).to.equal(orderHash);
    const signature = await safeSignature(f.handler, f.safeAddress, [f.owners[0]!, f.owners[2]!], orderHash);
    // the Safe itself (through its fallback handler) answers the ERC-1271 magic value
    const asHandler = f.handler.attach(f.safeAddress) as typeof f.handler;
    expect(await asHandler["isValidSignature(bytes32,bytes)"](orderHash, signature)).to.equal("0x1626ba7e");
    const maker: SignedOrder = { order, signer: f.safeAddress, signature };
    await (await f.exchange.connect(f.taker).fill(f.takerAccount, [{ maker, fillSize: 2n * WAD }])).wait();
    expect(await f.ch.positionOf(f.safeAccount, f.call)).to.equal(-2n * WAD);
    expect(await f.ch.positionOf(f.takerAccount, f.call)).to.equal(2n * WAD);
  });

  it("one owner's signature (below the threshold) does not fill", async () => {
    const f = await networkHelpers.loadFixture(safeMakerFixture);
    const order = await sellOrder(f);
    const orderHash = hashOrder(order, f.domain);
    const signature = await safeSignature(f.handler, f.safeAddress, [f.owners[1]!], orderHash);
    const maker: SignedOrder = { order, signer: f.safeAddress, signature };
    await expect(f.exchange.connect(f.taker).fill(f.takerAccount, [{ maker, fillSize: 2n * WAD }]))
      .to.be.revertedWithCustomError(f.exchange, "Exchange_BadSignature")
      .withArgs(orderHash, getAddress(f.safeAddress));
    expect(await f.ch.positionOf(f.safeAccount, f.call)).to.equal(0n);
  });

  it("two signatures from the same owner do not fill", async () => {
    const f = await networkHelpers.loadFixture(safeMakerFixture);
    const order = await sellOrder(f);
    const orderHash = hashOrder(order, f.domain);
    const signature = await safeSignature(f.handler, f.safeAddress, [f.owners[0]!, f.owners[0]!], orderHash);
    const maker: SignedOrder = { order, signer: f.safeAddress, signature };
    await expect(
      f.exchange.connect(f.taker).fill(f.takerAccount, [{ maker, fillSize: 2n * WAD }]),
    ).to.be.revertedWithCustomError(f.exchange, "Exchange_BadSignature");
  });
});
