// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {OracleCache} from "../core/OracleCache.sol";
import {AccountId} from "../types/Types.sol";
import {Trade} from "./IClearingHouse.sol";
import {IChainlinkOracle} from "./IChainlinkOracle.sol";
import {IVolatilityOracle} from "./IVolatilityOracle.sol";
import {ISettlementOracle} from "./ISettlementOracle.sol";
import {IRiskConfig} from "./IRiskConfig.sol";

/// @title IMarginEvaluator
/// @notice Stateless account evaluation behind every health check of the clearing house (its creator). Kept in a
/// separate contract so that the clearing house stays under the code-size limit; it holds no funds and no state.
interface IMarginEvaluator {
    /// @notice Result of one evaluation. All WAD. Initial margin = equity − im; maintenance margin = equity − mm.
    /// @param equity Cash + collateral at its (possibly degraded) price + Σ group values (marks, or conservative
    /// values of degraded groups), rounded against the account.
    /// @param im What equity must cover for initial margin: Σ collateral × IM haircut + Σ max(value, imReq) per live
    /// or unsettled group (so a long's value is held, never credited). Degraded collateral (market Halted, or
    /// ReduceOnly when strict) counts at lastPrice·(1 − haltShock) and entirely here; degraded and settled groups add
    /// nothing. Rounded up.
    /// @param mm Σ collateral × MM haircut + Σ (mmReq + h × max(0, value − mmReq)) per live or unsettled group, h =
    /// mmLongHaircut while the group's market and vol are Active, 1 otherwise. Rounded up.
    /// @param groups Number of distinct (underlying, expiry) groups.
    struct Evaluation {
        int256 equity;
        uint256 im;
        uint256 mm;
        uint256 groups;
        uint256 halted; // groups and collaterals valued without a live price or vol (market or vol Halted)
    }

    /// @notice Evaluates one account from its raw holdings.
    /// @param cashWad Cash balance (signed).
    /// @param collaterals One word per held collateral: `priceUnderlying << 240 | imHaircutWad << 176 |
    /// mmHaircutWad << 112 | amountWad`.
    /// @param positions Packed position words `SeriesId << 96 | uint96(int96 sizeWad)`, any order (sorted in place).
    /// @param strict Initial-margin check: prices of ReduceOnly markets are not relied upon (their groups and
    /// collateral at the degraded values), see INV-9.
    /// @param cache Oracle answers already read in this call (extended and returned).
    /// @dev Never reverts for a market state: degraded markets are valued conservatively (docs/margin.md §4).
    function evaluate(
        int256 cashWad,
        uint256[] calldata collaterals,
        uint256[] memory positions,
        bool strict,
        OracleCache.Cache memory cache
    ) external view returns (Evaluation memory e, OracleCache.Cache memory);

    /// @notice Strict evaluation of `account` as it was before the batch `trades`, at the same prices: every leg of
    /// the account undone (positions and premium and fees). The whole-account risk-reduction test compares it with
    /// the evaluation after the batch. `cashWad`, `collaterals`, `positions`: the holdings after the batch.
    function evaluateBefore(
        AccountId account,
        int256 cashWad,
        uint256[] calldata collaterals,
        uint256[] memory positions,
        Trade[] calldata trades,
        OracleCache.Cache memory cache
    ) external view returns (Evaluation memory e, OracleCache.Cache memory);

    /// @notice The clearing house that created this evaluator.
    function clearingHouse() external view returns (address);

    function chainlinkOracle() external view returns (IChainlinkOracle);
    function volatilityOracle() external view returns (IVolatilityOracle);
    function settlementOracle() external view returns (ISettlementOracle);
    /// @notice Where the margin and engine parameters are read.
    function riskConfig() external view returns (IRiskConfig);
}
