// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId} from "../../contracts/types/Types.sol";
import {Trade} from "../../contracts/interfaces/IClearingHouse.sol";
import {IClearingHouse} from "../../contracts/interfaces/IClearingHouse.sol";
import {CoreBase} from "./utils/CoreBase.sol";
import {GasBudget} from "../utils/GasBudget.sol";

/// @notice INV-8: a margin check on an account at the position cap, in its worst shape (the most expiry groups the
/// group cap allows, on both underlyings), stays under the gas budget; and the group cap that bounds that shape holds.
contract WorstCaseGasTest is CoreBase {
    /// @dev INV-8's budget for one check (DESIGN.md gas budgets: marginCheck.128 <= 2.4M).
    uint256 internal constant CHECK_BUDGET = 2_400_000;

    /// @dev Position i sits in group i / perGroup; groups fill ETH's weekly expiries, then BTC's. Strikes alternate
    /// long and short, a put and a call at each.
    function _spreadTrade(
        AccountId account,
        AccountId other,
        uint256 i,
        uint256 perGroup,
        uint256 groupsPerUnderlying
    ) internal view returns (Trade memory) {
        uint256 g = i / perGroup;
        uint256 j = i % perGroup;
        uint16 underlying = g < groupsPerUnderlying ? ETH : BTC;
        uint256 expiry = _expiry(7 * ((g % groupsPerUnderlying) + 1));
        uint256 k = j / 2;
        uint256 strike = underlying == ETH ? 1800e18 + k * 100e18 : 54_000e18 + k * 3000e18;
        SeriesId series = _series(underlying, uint40(expiry), strike, j % 2 == 0);
        return k % 2 == 1 ? _trade(other, aliceAcc, series, 1e18, 0) : _trade(aliceAcc, other, series, 1e18, 0);
    }

    function _buildSpread(uint256 n, uint256 perGroup) internal {
        _depositCash(aliceAcc, 10_000_000e6);
        _depositCash(bobAcc, 10_000_000e6);
        Trade[] memory trades = new Trade[](n);
        uint256 groupsPerUnderlying = (n / perGroup + 1) / 2;
        for (uint256 i; i < n; ++i) {
            trades[i] = _spreadTrade(aliceAcc, bobAcc, i, perGroup, groupsPerUnderlying);
        }
        exchange.applyTrades(trades);
    }

    function test_INV8_marginCheck_WorstShapeUnderBudget() public {
        uint256 maxGroups = risk.MAX_GROUP_CAP();
        vm.prank(admin);
        risk.setGroupCap(maxGroups);
        // 128 positions (the MAX_POSITION_CAP) over 32 groups (the MAX_GROUP_CAP), 16 per underlying.
        _buildSpread(128, 4);
        (SeriesId[] memory held, ) = ch.positionsOf(aliceAcc);
        assertEq(held.length, 128, "at the position cap");
        uint256 before = gasleft();
        ch.accountMargin(aliceAcc);
        uint256 used = before - gasleft();
        emit log_named_uint("INV-8 worst-shape margin check gas", used);
        if (GasBudget.measured()) assertLt(used, CHECK_BUDGET, "INV-8: worst-case check within budget");
    }

    function test_INV8_groupCap_RevertWhen_OpeningOneGroupTooMany() public {
        uint256 cap = risk.groupCap();
        _depositCash(aliceAcc, 10_000_000e6);
        _depositCash(bobAcc, 10_000_000e6);
        // One long call per weekly ETH expiry fills the cap exactly.
        Trade[] memory trades = new Trade[](cap);
        for (uint256 g; g < cap; ++g) {
            trades[g] = _trade(aliceAcc, bobAcc, _series(ETH, _expiry(7 * (g + 1)), 2000e18, true), 1e18, 0);
        }
        exchange.applyTrades(trades);
        Trade memory extra = _trade(aliceAcc, bobAcc, _series(ETH, _expiry(2), 2000e18, true), 1e18, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_GroupCapReached.selector, aliceAcc, cap + 1, cap)
        );
        _applyOne(extra);
        // More of a series the account already holds is not a new group.
        _applyOne(_trade(aliceAcc, bobAcc, _series(ETH, _expiry(7), 2000e18, true), 1e18, 0));
        assertEq(ch.positionOf(aliceAcc, _series(ETH, _expiry(7), 2000e18, true)), 2e18);
    }
}
