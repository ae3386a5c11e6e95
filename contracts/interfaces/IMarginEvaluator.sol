// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleCache} from "../core/OracleCache.sol";
import {IChainlinkOracle} from "./IChainlinkOracle.sol";
import {IVolatilityOracle} from "./IVolatilityOracle.sol";
import {ISettlementOracle} from "./ISettlementOracle.sol";

/// @title IMarginEvaluator
/// @notice Stateless account evaluation behind every health check of the clearing house (its creator). Kept in a
/// separate contract so that the clearing house stays under the code-size limit; it holds no funds and no state.
interface IMarginEvaluator {
    /// @notice Equity, IM and MM of one account from its raw holdings. All WAD.
    /// @param cashWad Cash balance (signed).
    /// @param collaterals One word per held collateral: `priceUnderlying << 240 | haircutWad << 176 | amountWad`.
    /// @param positions Packed position words `SeriesId << 96 | uint96(int96 sizeWad)`, any order.
    /// @param cache Oracle answers already read in this call (extended and returned).
    /// @dev Equity = cash + sum of amount x price x (1 - haircut) (each product rounded down; a Halted price source
    /// counts 0) + sum of group values; IM/MM = sum of group requirements. Groups are (underlying, expiry) runs of
    /// the sorted ids, evaluated by MarginLib with the clearing house's margin parameters. Reverts
    /// `ClearingHouse_MarketHalted(u)` when a halted group holds a short call.
    function evaluate(
        int256 cashWad,
        uint256[] calldata collaterals,
        uint256[] memory positions,
        OracleCache.Cache memory cache
    ) external view returns (int256 equity, uint256 im, uint256 mm, OracleCache.Cache memory);

    /// @notice The clearing house whose margin parameters are used (the creator).
    function clearingHouse() external view returns (address);

    function chainlinkOracle() external view returns (IChainlinkOracle);
    function volatilityOracle() external view returns (IVolatilityOracle);
    function settlementOracle() external view returns (ISettlementOracle);
}
