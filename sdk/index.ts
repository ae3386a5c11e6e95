/**
 * Bulwark SDK: what dApps, keepers, deploy scripts, the demo and the tests share.
 * - units: WAD helpers and token-decimal conversion with named rounding;
 * - series: SeriesId packing (mirrors SeriesIdLib);
 * - orders: EIP-712 orders, signing, and the exchange's premium/fee arithmetic;
 * - governance: timelock operations (propose / executeReady; `execute` in one call on a local node);
 * - errors: one decoder and formatter for the reverts of every Bulwark contract (sdk/abi/errors.ts is generated);
 * - model: the reference model of the margin engine (Black-Scholes, per-group margin, account margin);
 * - deployment: `loadDeployment`, typed contracts for every module from a checked manifest;
 * - helpers: `createAccount` (the id the chain assigned) and the listing grid (`listedExpiries`, `listedStrikes`).
 */
export * from "./units.js";
export * from "./series.js";
export * from "./orders.js";
export * from "./governance.js";
export * from "./errors.js";
export * from "./deployment.js";
export * from "./helpers.js";
export { BULWARK_ERROR_ABI } from "./abi/errors.js";
export * as model from "./model/index.js";
export * as accountModel from "./model/account.js";
