/**
 * EIP-712 orders for Bulwark's OptionExchange: types, hashing, signing, verification, and the exchange's price and
 * fee arithmetic (bigint, WAD = 1e18), so dApps, keepers and the demo predict on-chain amounts exactly.
 *
 * Mirrors contracts/interfaces/IOptionExchange.sol and contracts/trading/OptionExchange.sol.
 */
import {
  type Signer,
  type TypedDataDomain,
  type TypedDataField,
  TypedDataEncoder,
  getAddress,
  hexlify,
  keccak256,
  randomBytes,
  toUtf8Bytes,
  verifyTypedData,
} from "ethers";

import { WAD } from "./units.js";

/** `OptionExchange.MAX_FEE_RATE`: the default `maxFeeRate` accepts any fee the exchange may charge. */
export const MAX_FEE_RATE = 5n * 10n ** 15n;
/** `OptionExchange.CAP_FEE_FLOOR_RATE`: fee floor per side on the open interest a leg adds to a capped series. */
export const CAP_FEE_FLOOR_RATE = 10n ** 14n;

/** EIP-712 domain name and version of the exchange. */
export const ORDER_DOMAIN_NAME = "Bulwark OptionExchange";
export const ORDER_DOMAIN_VERSION = "1";

/** The EIP-712 type string; its keccak256 is `OptionExchange.ORDER_TYPEHASH`. */
export const ORDER_TYPE_STRING =
  "Order(uint256 account,uint256 series,bool isBuy,uint256 size,uint256 limitPrice,uint256 deadline,uint256 nonce,uint256 salt,bool reduceOnly,uint256 minFillSize,uint256 maxFeeRate,uint256 operatorEpoch)";
export const ORDER_TYPEHASH = keccak256(toUtf8Bytes(ORDER_TYPE_STRING));

/** EIP-712 types for ethers' `signTypedData` / `TypedDataEncoder`. */
export const ORDER_TYPES: Record<string, TypedDataField[]> = {
  Order: [
    { name: "account", type: "uint256" },
    { name: "series", type: "uint256" },
    { name: "isBuy", type: "bool" },
    { name: "size", type: "uint256" },
    { name: "limitPrice", type: "uint256" },
    { name: "deadline", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "salt", type: "uint256" },
    { name: "reduceOnly", type: "bool" },
    { name: "minFillSize", type: "uint256" },
    { name: "maxFeeRate", type: "uint256" },
    { name: "operatorEpoch", type: "uint256" },
  ],
};

/** A maker order. Sizes and prices are WAD bigints; `deadline` is unix seconds (inclusive). */
export interface Order {
  /** Account id that trades; the signer must be its owner or an approved operator at fill time. */
  account: bigint;
  /** Packed series id (underlying | expiry | strike | isCall). */
  series: bigint;
  /** true: go long and pay premium; false: go short and receive premium. */
  isBuy: boolean;
  /** Maximum contracts over all fills, WAD. */
  size: bigint;
  /** Premium per contract, WAD: the most a buyer pays / the least a seller receives. */
  limitPrice: bigint;
  /** Last valid unix second. */
  deadline: bigint;
  /** Dead once the account's `minNonce` exceeds it. */
  nonce: bigint;
  /** Entropy distinguishing otherwise identical orders. */
  salt: bigint;
  /** Fills must shrink |position| without flipping it. */
  reduceOnly: boolean;
  /** Smallest fill, WAD; the fill that completes the order is exempt. */
  minFillSize: bigint;
  /** Largest fee rate on strike notional the signer accepts, WAD; a higher fee makes fills revert. */
  maxFeeRate: bigint;
  /**
   * For operator-signed orders: the operator's approval epoch at signing (`OptionExchange.operatorEpoch(account,
   * operator)`, i.e. `ClearingHouse.operatorApproval`; every approval increments it). Ignored for the owner.
   */
  operatorEpoch: bigint;
}

/** An order with its signer and signature: the `SignedOrder` struct of the exchange. */
export interface SignedOrder {
  order: Order;
  /** EOA or ERC-1271 contract that signed; must be authorized for `order.account` when filled. */
  signer: string;
  /** 65-byte r‖s‖v for EOAs, or the wallet's ERC-1271 payload. */
  signature: string;
}

/** One maker order a taker fills: the `FillRequest` struct of the exchange. */
export interface FillRequest {
  maker: SignedOrder;
  /** Contracts to take, WAD. */
  fillSize: bigint;
}

/** Fee parameters as returned by `OptionExchange.feeParams()`, WAD. */
export interface FeeParams {
  makerFeeRate: bigint;
  takerFeeRate: bigint;
  premiumFeeCap: bigint;
}

/** The exchange's EIP-712 domain: binds the chain id and the exchange address (no cross-chain/contract replay). */
export function orderDomain(chainId: bigint | number, exchange: string): TypedDataDomain {
  return {
    name: ORDER_DOMAIN_NAME,
    version: ORDER_DOMAIN_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: getAddress(exchange),
  };
}

/** Random 256-bit salt. */
export function randomSalt(): bigint {
  return BigInt(hexlify(randomBytes(32)));
}

export interface OrderParams {
  account: bigint;
  series: bigint;
  isBuy: boolean;
  size: bigint;
  limitPrice: bigint;
  /** Unix seconds. */
  deadline: bigint;
  nonce?: bigint;
  salt?: bigint;
  reduceOnly?: boolean;
  minFillSize?: bigint;
  maxFeeRate?: bigint;
  operatorEpoch?: bigint;
}

/**
 * Builds an order with defaults: nonce 0, a random salt, not reduce-only, minFillSize 0, maxFeeRate MAX_FEE_RATE (any
 * fee the exchange may charge), operatorEpoch 0 (pass `operatorEpoch(account, operator)` for operator-signed orders).
 * Validates ranges.
 */
export function buildOrder(p: OrderParams): Order {
  const order: Order = {
    account: p.account,
    series: p.series,
    isBuy: p.isBuy,
    size: p.size,
    limitPrice: p.limitPrice,
    deadline: p.deadline,
    nonce: p.nonce ?? 0n,
    salt: p.salt ?? randomSalt(),
    reduceOnly: p.reduceOnly ?? false,
    minFillSize: p.minFillSize ?? 0n,
    maxFeeRate: p.maxFeeRate ?? MAX_FEE_RATE,
    operatorEpoch: p.operatorEpoch ?? 0n,
  };
  if (order.account <= 0n) throw new Error("order.account must be a valid account id (>= 1)");
  if (order.size <= 0n) throw new Error("order.size must be > 0");
  for (const [k, v] of Object.entries(order)) {
    if (typeof v === "bigint" && (v < 0n || v >= 1n << 256n)) throw new Error(`order.${k} out of uint256 range`);
  }
  return order;
}

/** EIP-712 struct hash of the order (without domain). */
export function orderStructHash(order: Order): string {
  return TypedDataEncoder.hashStruct("Order", ORDER_TYPES, order);
}

/** EIP-712 digest: equals `OptionExchange.hashOrder(order)` and is the key of the order's fill state. */
export function hashOrder(order: Order, domain: TypedDataDomain): string {
  return TypedDataEncoder.hash(domain, ORDER_TYPES, order);
}

/** Signs `order` with an ethers signer (EOA). For ERC-1271 wallets, build the payload the wallet expects instead. */
export async function signOrder(signer: Signer, domain: TypedDataDomain, order: Order): Promise<SignedOrder> {
  const signature = await signer.signTypedData(domain, ORDER_TYPES, order);
  return { order, signer: getAddress(await signer.getAddress()), signature };
}

/** Address that produced an EOA signature over `order` (throws on malformed signatures). */
export function recoverOrderSigner(domain: TypedDataDomain, order: Order, signature: string): string {
  return verifyTypedData(domain, ORDER_TYPES, order, signature);
}

/** Strike of a packed series id, WAD. */
export function seriesStrike(series: bigint): bigint {
  return (series >> 8n) & ((1n << 96n) - 1n);
}

const mulDivDown = (a: bigint, b: bigint, d: bigint): bigint => (a * b) / d;
const mulDivUp = (a: bigint, b: bigint, d: bigint): bigint => (a * b + d - 1n) / d;

/**
 * Premium (WAD cash) of a leg of `size` at the resting order's `limitPrice`, rounded against the taker: down when the
 * maker buys, up when the maker sells. In `matchOrders` the sell order is the maker (`makerIsBuy = false`).
 */
export function premiumFor(size: bigint, limitPrice: bigint, makerIsBuy: boolean): bigint {
  return makerIsBuy ? mulDivDown(size, limitPrice, WAD) : mulDivUp(size, limitPrice, WAD);
}

/** fee = min(ceil(ceil(size x strike) x rate), ceil(premium x premiumFeeCap)); 0 when the rate or the cap is 0. */
export function feeFor(fees: FeeParams, series: bigint, size: bigint, premium: bigint, isMaker: boolean): bigint {
  const rate = isMaker ? fees.makerFeeRate : fees.takerFeeRate;
  if (rate === 0n || fees.premiumFeeCap === 0n) return 0n;
  const notional = mulDivUp(size, seriesStrike(series), WAD);
  const byNotional = mulDivUp(notional, rate, WAD);
  const byPremium = mulDivUp(premium, fees.premiumFeeCap, WAD);
  return byNotional < byPremium ? byNotional : byPremium;
}

/** Cash moves of one taker fill, all WAD: what the buyer pays and the seller receives, fees included. */
export interface FillQuote {
  premium: bigint;
  makerFee: bigint;
  takerFee: bigint;
  buyerPays: bigint;
  sellerReceives: bigint;
}

/**
 * Fee floor (WAD cash, rounded up) each side pays on a capped series for the open interest a leg adds:
 * ceil(ceil(addedOpenInterest x strike) x CAP_FEE_FLOOR_RATE). A side pays max(its rate fee, this floor).
 */
export function capFeeFloor(series: bigint, addedOpenInterest: bigint): bigint {
  if (addedOpenInterest <= 0n) return 0n;
  return mulDivUp(mulDivUp(addedOpenInterest, seriesStrike(series), WAD), CAP_FEE_FLOOR_RATE, WAD);
}

/** The most an order accepts to pay on a leg of `size` (fills charging more revert): the fee formula at `maxFeeRate`. */
export function maxFeeFor(order: Order, size: bigint): bigint {
  return mulDivUp(mulDivUp(size, seriesStrike(order.series), WAD), order.maxFeeRate, WAD);
}

/**
 * Predicts the cash moves of filling `fillSize` of `order` as taker (or of a match where `order` is the sell). On a
 * series with an open-interest cap, pass the open interest the leg adds (0 to `fillSize`: the size when both sides
 * open) so each fee is raised to `capFeeFloor`; leave it out for an uncapped series.
 */
export function quoteFill(order: Order, fillSize: bigint, fees: FeeParams, addedOpenInterest = 0n): FillQuote {
  const premium = premiumFor(fillSize, order.limitPrice, order.isBuy);
  const floor = capFeeFloor(order.series, addedOpenInterest);
  const atLeastFloor = (fee: bigint): bigint => (fee < floor ? floor : fee);
  const makerFee = atLeastFloor(feeFor(fees, order.series, fillSize, premium, true));
  const takerFee = atLeastFloor(feeFor(fees, order.series, fillSize, premium, false));
  const [buyerFee, sellerFee] = order.isBuy ? [makerFee, takerFee] : [takerFee, makerFee];
  return {
    premium,
    makerFee,
    takerFee,
    buyerPays: premium + buyerFee,
    sellerReceives: premium - sellerFee,
  };
}
