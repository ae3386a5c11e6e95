import { expect } from "chai";
import { network } from "hardhat";

import {
  ORDER_TYPEHASH,
  quoteFill,
  buildOrder,
  feeFor,
  hashOrder,
  orderDomain,
  premiumFor,
  recoverOrderSigner,
  signOrder,
  type Order,
} from "../../sdk/orders.js";
import { ETH, deployTestSystem, testConfig } from "../core/fixture.js";

const { ethers } = await network.create();

const WAD = 10n ** 18n;
const series = (underlying: bigint, expiry: bigint, strike: bigint, isCall: boolean): bigint =>
  (underlying << 144n) | (expiry << 104n) | (strike << 8n) | (isCall ? 1n : 0n);

async function deployExchange() {
  const [admin, maker] = await ethers.getSigners();
  // hashing needs no clearing house calls; any non-zero address satisfies the constructor
  const exchange = await ethers.deployContract("OptionExchange", [admin.address, admin.address, admin.address]);
  const { chainId } = await ethers.provider.getNetwork();
  const domain = orderDomain(chainId, await exchange.getAddress());
  return { exchange, domain, maker, admin };
}

function sampleOrder(overrides: Partial<Order> = {}): Order {
  return buildOrder({
    account: 3n,
    series: series(1n, 1_800_000_000n, 3000n * WAD, true),
    isBuy: false,
    size: 2n * WAD,
    limitPrice: 150n * WAD + 1n,
    deadline: 1_799_999_999n,
    nonce: 7n,
    reduceOnly: true,
    ...overrides,
  });
}

describe("sdk/orders: EIP-712 orders against OptionExchange", () => {
  it("type hash equals the contract's ORDER_TYPEHASH", async () => {
    const { exchange } = await deployExchange();
    expect(await exchange.ORDER_TYPEHASH()).to.equal(ORDER_TYPEHASH);
  });

  it("hashOrder in TypeScript equals OptionExchange.hashOrder for varied orders", async () => {
    const { exchange, domain } = await deployExchange();
    const orders = [
      sampleOrder(),
      sampleOrder({ isBuy: true, reduceOnly: false, nonce: 0n }),
      sampleOrder({ size: 1n, limitPrice: 0n, salt: 0n }),
      sampleOrder({ minFillSize: WAD / 2n, maxFeeRate: 3n * 10n ** 14n, operatorEpoch: 4n }),
      sampleOrder({ minFillSize: (1n << 256n) - 1n, maxFeeRate: 0n, operatorEpoch: (1n << 256n) - 1n }),
      sampleOrder({
        size: (1n << 256n) - 1n,
        salt: (1n << 256n) - 1n,
        account: (1n << 255n) + 1n,
      }),
    ];
    for (const order of orders) {
      expect(await exchange.hashOrder(order)).to.equal(hashOrder(order, domain));
    }
  });

  it("the domain matches ERC-5267 eip712Domain()", async () => {
    const { exchange, domain } = await deployExchange();
    const d = await exchange.eip712Domain();
    expect(d.name).to.equal(domain.name);
    expect(d.version).to.equal(domain.version);
    expect(d.chainId).to.equal(domain.chainId);
    expect(d.verifyingContract).to.equal(domain.verifyingContract);
  });

  it("a signature from signOrder verifies on-chain (ECDSA over the contract's digest)", async () => {
    const { exchange, domain, maker } = await deployExchange();
    const order = sampleOrder();
    const signed = await signOrder(maker, domain, order);
    expect(signed.signer).to.equal(maker.address);
    expect(recoverOrderSigner(domain, order, signed.signature)).to.equal(maker.address);
    // an ERC-1271 wallet whose key is `maker` checks the signature with OpenZeppelin ECDSA against the on-chain digest
    const wallet = await ethers.deployContract("ERC1271WalletMock", [maker.address]);
    const digest = await exchange.hashOrder(order);
    expect(await wallet.isValidSignature(digest, signed.signature)).to.equal("0x1626ba7e");
    // a different exchange address yields a different digest: the signature does not carry over
    const other = await ethers.deployContract("OptionExchange", [maker.address, maker.address, maker.address]);
    expect(await wallet.isValidSignature(await other.hashOrder(order), signed.signature)).to.equal("0xffffffff");
  });

  it("premium and fee helpers match the contract", async () => {
    const { exchange, admin } = await deployExchange();
    await (await exchange.connect(admin).setFees(2n * 10n ** 14n, 5n * 10n ** 14n, WAD / 8n)).wait();
    const [makerFeeRate, takerFeeRate, premiumFeeCap] = await exchange.feeParams();
    const fees = { makerFeeRate, takerFeeRate, premiumFeeCap };
    const s = series(1n, 1_800_000_000n, 3000n * WAD, true);
    for (const [size, price] of [
      [1n, 1n],
      [3n, WAD / 3n],
      [2n * WAD, 150n * WAD],
      [WAD + 7n, 1n * WAD + 3n],
    ] as const) {
      for (const makerIsBuy of [true, false]) {
        const premium = premiumFor(size, price, makerIsBuy);
        for (const isMaker of [true, false]) {
          expect(await exchange.feeFor(s, size, premium, isMaker)).to.equal(feeFor(fees, s, size, premium, isMaker));
        }
      }
    }
  });

  it("SDK-signed orders fill on the real clearing house, with cash moves predicted by quoteFill", async () => {
    const signers = await ethers.getSigners();
    const [maker, taker, relayer] = signers.slice(3, 6);
    // the production deployment (localConfig, ETH at 2000), with the fees stated here
    const { ch, exchange, domain, now, openAccount, expiryAfter } = await deployTestSystem(
      ethers,
      testConfig({ fees: { makerFeeRate: 3n * 10n ** 14n, takerFeeRate: 5n * 10n ** 14n, premiumFeeCap: WAD / 8n } }),
    );
    const makerAccount = await openAccount(maker, 1_000_000n * 10n ** 6n);
    const takerAccount = await openAccount(taker, 1_000_000n * 10n ** 6n);
    const call = series(BigInt(ETH), BigInt(expiryAfter(await now(), 30)), 2200n * WAD, true);
    const order = buildOrder({
      account: makerAccount,
      series: call,
      isBuy: false,
      size: 3n * WAD,
      limitPrice: 85n * WAD + 333n,
      deadline: BigInt(await now()) + 3600n,
    });
    const signed = await signOrder(maker, domain, order);
    const fillSize = WAD + WAD / 3n;
    const [mRate, tRate, cap] = await exchange.feeParams();
    const quote = quoteFill(order, fillSize, {
      makerFeeRate: mRate,
      takerFeeRate: tRate,
      premiumFeeCap: cap,
    });
    const makerCash = await ch.cashOf(makerAccount);
    const takerCash = await ch.cashOf(takerAccount);

    await (await exchange.connect(taker).fill(takerAccount, [{ maker: signed, fillSize }])).wait();

    expect(await ch.positionOf(takerAccount, call)).to.equal(fillSize);
    expect(await ch.positionOf(makerAccount, call)).to.equal(-fillSize);
    expect(takerCash - (await ch.cashOf(takerAccount))).to.equal(quote.buyerPays);
    expect((await ch.cashOf(makerAccount)) - makerCash).to.equal(quote.sellerReceives);
    const [filled, cancelled] = await exchange.orderStatus(hashOrder(order, domain));
    expect(filled).to.equal(fillSize);
    expect(cancelled).to.equal(false);

    // a relayer matches an SDK-signed buy against the rest of the same sell order, at the sell price
    const buy = buildOrder({
      account: takerAccount,
      series: call,
      isBuy: true,
      size: WAD,
      limitPrice: 90n * WAD,
      deadline: BigInt(await now()) + 3600n,
    });
    await (await exchange.connect(relayer).matchOrders(await signOrder(taker, domain, buy), signed, WAD)).wait();
    expect(await ch.positionOf(takerAccount, call)).to.equal(fillSize + WAD);
    expect((await exchange.orderStatus(hashOrder(buy, domain)))[0]).to.equal(WAD);
  });
});
