// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";
import {LibSort} from "solady/src/utils/LibSort.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {MarketMode} from "../types/Types.sol";
import {MarginLib} from "../libraries/MarginLib.sol";
import {IClearingHouse} from "../interfaces/IClearingHouse.sol";
import {IRiskConfig} from "../interfaces/IRiskConfig.sol";
import {IMarginEvaluator} from "../interfaces/IMarginEvaluator.sol";
import {IChainlinkOracle} from "../interfaces/IChainlinkOracle.sol";
import {IVolatilityOracle} from "../interfaces/IVolatilityOracle.sol";
import {ISettlementOracle} from "../interfaces/ISettlementOracle.sol";
import {OracleCache} from "./OracleCache.sol";

/// @title MarginEvaluator
/// @notice The account evaluation of the clearing house that creates it. See `IMarginEvaluator.evaluate`.
/// @dev Group rules:
/// - live group (expiry in the future): spot and mode from `marketState`, vol and vol mode from `vol`; effective mode
///   is the more restrictive of the two. Halted: worst case (below). ReduceOnly: requirements as usual, but long legs
///   are credited the lesser of their mark and their intrinsic value (the vol is then a deliberately high fallback).
/// - expired group with a recorded settlement price: intrinsic at that price, no requirement (`settled`).
/// - expired group without one: intrinsic at spot (tau = 0) with requirements; Halted market: worst case.
/// - worst case (no trustworthy price): longs 0, short puts -strike x size (rounded up), a short call reverts
///   `ClearingHouse_MarketHalted(underlying)`: no conservative value exists.
/// - strict evaluation (initial-margin checks of withdrawals and risk-adding trades): a price from a ReduceOnly
///   market serves risk-reducing paths only (INV-9), so such a market is treated like a Halted one: its groups at
///   worst case (a short call reverts `ClearingHouse_ReduceOnly(underlying)`), collateral it prices counts 0. A vol
///   fallback alone (market Active) keeps the ReduceOnly valuation above.
contract MarginEvaluator is IMarginEvaluator {
    using OracleCache for OracleCache.Cache;
    using FixedPointMathLib for uint256;
    using SafeCast for uint256;

    uint256 private constant WAD = 1e18;
    uint256 private constant SIZE_BITS = 96;
    /// @dev `word >> GROUP_SHIFT` is the series' expiry key (underlying << 40 | expiry).
    uint256 private constant GROUP_SHIFT = 96 + 104;

    /// @inheritdoc IMarginEvaluator
    address public immutable clearingHouse;
    /// @inheritdoc IMarginEvaluator
    IChainlinkOracle public immutable chainlinkOracle;
    /// @inheritdoc IMarginEvaluator
    IVolatilityOracle public immutable volatilityOracle;
    /// @inheritdoc IMarginEvaluator
    ISettlementOracle public immutable settlementOracle;

    constructor(
        IChainlinkOracle chainlinkOracle_,
        IVolatilityOracle volatilityOracle_,
        ISettlementOracle settlementOracle_
    ) {
        clearingHouse = msg.sender;
        chainlinkOracle = chainlinkOracle_;
        volatilityOracle = volatilityOracle_;
        settlementOracle = settlementOracle_;
    }

    /// @inheritdoc IMarginEvaluator
    function evaluate(
        int256 cashWad,
        uint256[] calldata collaterals,
        uint256[] memory positions,
        bool strict,
        OracleCache.Cache memory cache
    ) external view returns (int256 equity, uint256 im, uint256 mm, OracleCache.Cache memory) {
        equity = cashWad;
        for (uint256 i; i < collaterals.length; ++i) {
            equity += _collateralValue(collaterals[i], strict, cache).toInt256();
        }
        if (positions.length != 0) {
            int256 value;
            (value, im, mm) = _positionsMargin(positions, strict, cache);
            equity += value;
        }
        return (equity, im, mm, cache);
    }

    /// @dev Running totals of one evaluation (memory keeps the group loop clear of stack limits).
    struct Totals {
        int256 value;
        uint256 im;
        uint256 mm;
        uint256 paramsFor; // underlying + 1 whose risk parameters are loaded
        bool strict; // see the contract notes
    }

    /// @dev Sorts the words and sums the (underlying, expiry) groups' values and requirements.
    function _positionsMargin(
        uint256[] memory positions,
        bool strict,
        OracleCache.Cache memory cache
    ) internal view returns (int256 value, uint256 im, uint256 mm) {
        // Ids are unique per account, so sorting packed words sorts by id: underlying, expiry, strike, kind.
        // Insertion sort is cheaper on short arrays; intro-quicksort keeps long ones at n log n. Same order.
        if (positions.length <= 24) LibSort.insertionSort(positions);
        else LibSort.sort(positions);
        Totals memory totals;
        totals.strict = strict;
        MarginLib.GroupParams memory params;
        uint256 start;
        while (start < positions.length) {
            start = _evaluateGroup(positions, start, params, cache, totals);
        }
        return (totals.value, totals.im, totals.mm);
    }

    /// @dev amount x price x (1 - haircut), each product rounded down (collateral is credited); Halted counts 0,
    /// and so does ReduceOnly in a strict evaluation.
    function _collateralValue(
        uint256 word,
        bool strict,
        OracleCache.Cache memory cache
    ) internal view returns (uint256) {
        (MarketMode mode, uint256 price) = cache.market(chainlinkOracle, uint16(word >> 240));
        if (mode == MarketMode.Halted || (strict && mode == MarketMode.ReduceOnly)) return 0;
        uint256 haircut = uint64(word >> 176);
        uint256 amount = uint176(word);
        return amount.mulWad(price).mulWad(WAD - haircut);
    }

    /// @dev Risk parameters of `underlying`, read once per underlying run from the clearing house.
    function _loadParams(MarginLib.GroupParams memory p, uint16 underlying) internal view {
        (p.imBase, p.imFloor, p.mmBase, p.mmFloor, p.rate) = IRiskConfig(clearingHouse).marginParams(underlying);
    }

    /// @dev Adds the value and requirements of the group starting at `positions[start]` (legs sorted by strike) to
    /// `totals` and returns one past its last index. `shared` holds the underlying's risk parameters (loaded once per
    /// underlying run) and receives the group's market inputs.
    function _evaluateGroup(
        uint256[] memory positions,
        uint256 start,
        MarginLib.GroupParams memory shared,
        OracleCache.Cache memory cache,
        Totals memory totals
    ) internal view returns (uint256 end) {
        uint256 key = positions[start] >> GROUP_SHIFT;
        end = start + 1;
        while (end < positions.length && positions[end] >> GROUP_SHIFT == key) ++end;
        if (totals.paramsFor != (key >> 40) + 1) {
            totals.paramsFor = (key >> 40) + 1;
            _loadParams(shared, uint16(key >> 40));
        }
        (MarketMode marketMode, MarketMode mode) = _marketInputs(shared, key, cache);
        if (mode == MarketMode.Halted || (totals.strict && marketMode == MarketMode.ReduceOnly)) {
            totals.value += _worstCase(positions, start, end, uint16(key >> 40), mode == MarketMode.Halted);
            return end;
        }
        MarginLib.Leg[] memory legs = _legs(positions, start, end);
        (int256 value, uint256 imReq, uint256 mmReq) = MarginLib.evaluateGroup(legs, shared);
        if (mode == MarketMode.ReduceOnly && shared.tau != 0) value = _degradedValue(legs, shared);
        totals.value += value;
        totals.im += imReq;
        totals.mm += mmReq;
    }

    /// @dev Writes price, vol, tau and settled of the group `key` into `p`; returns the market mode and the
    /// effective mode (the more restrictive of market and vol modes for a live group). Both Active once a settlement
    /// price is recorded (no live input).
    function _marketInputs(
        MarginLib.GroupParams memory p,
        uint256 key,
        OracleCache.Cache memory cache
    ) internal view returns (MarketMode marketMode, MarketMode mode) {
        uint16 underlying = uint16(key >> 40);
        uint256 expiry = uint40(key);
        p.vol = 0;
        p.tau = 0;
        p.settled = false;
        if (expiry > block.timestamp) {
            (marketMode, p.price) = cache.market(chainlinkOracle, underlying);
            if (marketMode == MarketMode.Halted) return (marketMode, marketMode);
            MarketMode volMode;
            (p.vol, volMode) = cache.vol(volatilityOracle, key);
            mode = volMode > marketMode ? volMode : marketMode;
            p.tau = expiry - block.timestamp; // seconds
        } else {
            bool recorded;
            (p.price, recorded) = cache.settlement(settlementOracle, key);
            if (recorded) {
                p.settled = true; // final price: no live input, nothing to degrade
                return (MarketMode.Active, MarketMode.Active);
            }
            // expired, price not proven yet: intrinsic at spot (tau = 0), still margined
            (marketMode, p.price) = cache.market(chainlinkOracle, underlying);
            mode = marketMode;
        }
    }

    /// @dev Long legs credited min(mark, intrinsic) in a ReduceOnly group; short legs and requirements unchanged.
    function _degradedValue(
        MarginLib.Leg[] memory legs,
        MarginLib.GroupParams memory p
    ) internal pure returns (int256 value) {
        uint256 n = legs.length;
        uint256 longs;
        for (uint256 i; i < n; ++i) {
            if (legs[i].size > 0) ++longs;
        }
        MarginLib.Leg[] memory longLegs = new MarginLib.Leg[](longs);
        MarginLib.Leg[] memory shortLegs = new MarginLib.Leg[](n - longs);
        uint256 l;
        for (uint256 i; i < n; ++i) {
            if (legs[i].size > 0) longLegs[l++] = legs[i];
            else shortLegs[i - l] = legs[i];
        }
        (int256 shortValue, , ) = MarginLib.evaluateGroup(shortLegs, p);
        (int256 longMark, , ) = MarginLib.evaluateGroup(longLegs, p);
        uint256 tau = p.tau;
        p.tau = 0;
        (int256 longIntrinsic, , ) = MarginLib.evaluateGroup(longLegs, p);
        p.tau = tau;
        value = shortValue + (longIntrinsic < longMark ? longIntrinsic : longMark);
    }

    /// @dev Worst case of a group without a usable price: longs 0, short puts -strike x size (their maximum loss,
    /// rounded up), short calls unbounded: revert `MarketHalted` (`halted`) or `ReduceOnly` (strict evaluation).
    function _worstCase(
        uint256[] memory positions,
        uint256 start,
        uint256 end,
        uint16 underlying,
        bool halted
    ) internal pure returns (int256 value) {
        for (uint256 i = start; i < end; ++i) {
            uint256 word = positions[i];
            int256 size = int96(uint96(word));
            if (size >= 0) continue;
            if ((word >> SIZE_BITS) & 0xff == 1) {
                if (halted) revert IClearingHouse.ClearingHouse_MarketHalted(underlying);
                revert IClearingHouse.ClearingHouse_ReduceOnly(underlying);
            }
            value -= uint256(-size).mulWadUp(uint96(word >> (SIZE_BITS + 8))).toInt256();
        }
    }

    /// @dev Decodes `positions[start:end]` into MarginLib legs (strike WAD, signed size WAD, kind).
    function _legs(
        uint256[] memory positions,
        uint256 start,
        uint256 end
    ) internal pure returns (MarginLib.Leg[] memory legs) {
        legs = new MarginLib.Leg[](end - start);
        for (uint256 i = start; i < end; ++i) {
            uint256 word = positions[i];
            legs[i - start] = MarginLib.Leg({
                strike: uint96(word >> (SIZE_BITS + 8)),
                size: int96(uint96(word)),
                isCall: (word >> SIZE_BITS) & 0xff == 1
            });
        }
    }
}
