// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId, MarketMode} from "../../contracts/types/Types.sol";
import {IClearingHouse} from "../../contracts/interfaces/IClearingHouse.sol";
import {CoreBase} from "./utils/CoreBase.sol";

/// @notice accountMargin: composition of equity, groups, modes (Halted worst case, ReduceOnly valuation), the
/// price override for lenses, and the gas budget at the position cap (INV-8).
contract ClearingHouseMarginTest is CoreBase {
    uint40 internal expiry;
    SeriesId internal call2000;
    SeriesId internal put1800;

    function setUp() public override {
        super.setUp();
        expiry = _expiry(7);
        call2000 = _series(ETH, expiry, 2000e18, true);
        put1800 = _series(ETH, expiry, 1800e18, false);
    }

    function test_accountMargin_CashAndCollateralOnly() public {
        _depositCash(aliceAcc, 1_000e6);
        _depositToken(aliceAcc, weth, 1.5e18);
        _depositToken(aliceAcc, wbtc, 0.1e8);
        (int256 equity, uint256 im, uint256 mm) = ch.accountMargin(aliceAcc);
        // 1000 + 1.5 x 2000 x 0.9 + 0.1 x 60000 x 0.9
        assertEq(equity, 1_000e18 + 2_700e18 + 5_400e18);
        assertEq(im, 0);
        assertEq(mm, 0);
    }

    function test_accountMargin_ShortHasRequirementLongHasValue() public {
        _depositCash(aliceAcc, 10_000e6);
        _depositCash(bobAcc, 10_000e6);
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1e18, 0));
        (int256 eqLong, uint256 imLong, uint256 mmLong) = ch.accountMargin(aliceAcc);
        (int256 eqShort, uint256 imShort, uint256 mmShort) = ch.accountMargin(bobAcc);
        assertGt(eqLong, 10_000e18, "long adds its mark");
        assertLt(eqShort, 10_000e18, "short subtracts its mark");
        // marks are rounded against each side: the two values differ by at most 1 wei
        assertLe(uint256((eqLong - 10_000e18) + (eqShort - 10_000e18)), 1);
        assertEq(imLong, 0);
        assertEq(mmLong, 0);
        assertGt(imShort, mmShort);
        assertGt(mmShort, 0);
    }

    function test_accountMargin_RevertWhen_UnknownAccount() public {
        AccountId unknown = AccountId.wrap(500);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_UnknownAccount.selector, unknown));
        ch.accountMargin(unknown);
    }

    function test_accountMargin_RecordedSettlementHasNoRequirement() public {
        _depositCash(aliceAcc, 10_000e6);
        _depositCash(bobAcc, 10_000e6);
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 2e18, 0));
        _settleAt(ETH, expiry, 2100e18);
        (int256 equity, uint256 im, uint256 mm) = ch.accountMargin(bobAcc);
        assertEq(equity, 10_000e18 - 200e18);
        assertEq(im, 0);
        assertEq(mm, 0);
        // settling turns the value into the same cash
        AccountId[] memory list = new AccountId[](1);
        list[0] = bobAcc;
        ch.settleAccounts(list);
        (int256 equityAfter, , ) = ch.accountMargin(bobAcc);
        assertEq(equityAfter, equity);
    }

    function test_accountMargin_ExpiredUnrecordedIsIntrinsicAtSpotAndMargined() public {
        _depositCash(aliceAcc, 10_000e6);
        _depositCash(bobAcc, 10_000e6);
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1e18, 0));
        vm.warp(expiry + 10);
        _setPrice(ETH, 2050e18);
        (int256 equity, uint256 im, uint256 mm) = ch.accountMargin(bobAcc);
        assertEq(equity, 10_000e18 - 50e18);
        assertGt(im, 0);
        assertGt(mm, 0);
    }

    // ------------------------------------------------------------------ modes

    // INV-10: a halted market does not affect an account without exposure to it.
    function test_accountMargin_HaltedMarketLeavesUnrelatedAccountAlone() public {
        _depositCash(aliceAcc, 10_000e6);
        _depositCash(bobAcc, 10_000e6);
        _depositCash(carolAcc, 10_000e6);
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1e18, 0));
        SeriesId btcCall = _series(BTC, expiry, 60_000e18, true);
        _applyOne(_trade(aliceAcc, carolAcc, btcCall, 0.01e18, 0));
        (int256 before, uint256 imBefore, ) = ch.accountMargin(bobAcc);
        _halt(BTC);
        (int256 equity, uint256 im, ) = ch.accountMargin(bobAcc);
        assertEq(equity, before);
        assertEq(im, imBefore);
        // bob (ETH only) withdraws, carol (short BTC call) cannot be evaluated
        vm.prank(bob);
        ch.withdraw(bobAcc, address(usdc), 1_000e6, bob);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_MarketHalted.selector, BTC));
        ch.accountMargin(carolAcc);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_MarketHalted.selector, BTC));
        ch.withdraw(carolAcc, address(usdc), 1e6, carol);
    }

    function test_accountMargin_HaltedGroupWorstCase() public {
        _depositCash(aliceAcc, 10_000e6);
        _depositCash(bobAcc, 10_000e6);
        _applyOne(_trade(aliceAcc, bobAcc, put1800, 2e18, 0)); // bob short 2 puts at 1800
        _applyOne(_trade(bobAcc, aliceAcc, call2000, 1e18, 0)); // bob long 1 call
        _halt(ETH);
        (int256 equityBob, uint256 imBob, uint256 mmBob) = ch.accountMargin(bobAcc);
        assertEq(equityBob, 10_000e18 - 3_600e18, "short puts at -K x size, long call 0");
        assertEq(imBob, 0);
        assertEq(mmBob, 0);
        // alice is short the call: no conservative value exists
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_MarketHalted.selector, ETH));
        ch.accountMargin(aliceAcc);
        // bob may still withdraw what the worst case leaves
        vm.prank(bob);
        ch.withdraw(bobAcc, address(usdc), 6_400e6, bob);
        vm.prank(bob);
        vm.expectPartialRevert(IClearingHouse.ClearingHouse_BelowInitialMargin.selector);
        ch.withdraw(bobAcc, address(usdc), 1e6, bob);
    }

    function test_accountMargin_HaltedCollateralCountsZero() public {
        _depositCash(aliceAcc, 100e6);
        _depositToken(aliceAcc, weth, 1e18);
        _halt(ETH);
        (int256 equity, , ) = ch.accountMargin(aliceAcc);
        assertEq(equity, 100e18);
        // INV-10: the cash withdrawal does not rely on the halted market
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(usdc), 100e6, alice);
        // and collateral can leave: it never counted
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(weth), 1e18, alice);
        assertEq(weth.balanceOf(alice), 1e18);
    }

    function test_accountMargin_ReduceOnlyCreditsLongsAtMostIntrinsic() public {
        _depositCash(aliceAcc, 10_000e6);
        _depositCash(bobAcc, 10_000e6);
        SeriesId itmCall = _series(ETH, expiry, 1900e18, true);
        _applyOne(_trade(aliceAcc, bobAcc, itmCall, 1e18, 0));
        (int256 activeEquity, , ) = ch.accountMargin(aliceAcc);
        assertGt(activeEquity, 10_100e18, "time value on top of intrinsic 100");
        _reduceOnly(ETH);
        (int256 degraded, , ) = ch.accountMargin(aliceAcc);
        assertEq(degraded, 10_100e18, "long credited at intrinsic");
        // the short side keeps its full (conservative) mark
        (int256 shortActive, , ) = (activeEquity, 0, 0);
        (int256 shortDegraded, , ) = ch.accountMargin(bobAcc);
        assertLe(shortDegraded, 2 * 10_000e18 - shortActive);
    }

    // INV-9: a ReduceOnly price serves risk-reducing paths only. Initial-margin checks (withdrawals, risk-adding
    // trades) value that market like a halted one: collateral 0, longs 0, short puts at -K, short calls impossible.
    function test_withdraw_StrictCheckIgnoresReduceOnlyPrices() public {
        _depositCash(aliceAcc, 100e6);
        _depositToken(aliceAcc, weth, 1e18); // 1800 of value while ETH is Active
        _reduceOnly(ETH);
        (int256 equity, , ) = ch.accountMargin(aliceAcc);
        assertEq(equity, 100e18 + 1800e18, "the view still uses the ReduceOnly price");
        // the cash is withdrawable on its own, the WETH value is not relied upon
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(usdc), 100e6, alice);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(weth), 1e18, alice);
        assertEq(weth.balanceOf(alice), 1e18);
    }

    function test_withdraw_RevertWhen_ShortCallInReduceOnlyMarket() public {
        _depositCash(aliceAcc, 10_000e6);
        _depositCash(bobAcc, 10_000e6);
        _applyOne(_trade(bobAcc, aliceAcc, call2000, 1e18, 0));
        _reduceOnly(ETH);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_ReduceOnly.selector, ETH));
        ch.withdraw(aliceAcc, address(usdc), 1e6, alice);
        // the long side (bob) may withdraw what its worst case (long = 0) leaves
        vm.prank(bob);
        ch.withdraw(bobAcc, address(usdc), 10_000e6, bob);
        // and a reducing trade (MM check, not strict) still goes through for both
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1e18, 0));
        assertEq(ch.positionOf(aliceAcc, call2000), 0);
    }

    // INV-10: an account without exposure to the degraded market is unaffected.
    function test_withdraw_ReduceOnlyElsewhereDoesNotMatter() public {
        _depositCash(aliceAcc, 10_000e6);
        _depositCash(bobAcc, 10_000e6);
        _applyOne(_trade(bobAcc, aliceAcc, call2000, 1e18, 0));
        _reduceOnly(BTC);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(usdc), 1_000e6, alice);
        _applyOne(_trade(bobAcc, aliceAcc, put1800, 1e18, 0)); // risk-adding trade in ETH: fine
        assertEq(ch.positionOf(aliceAcc, put1800), -1e18);
    }

    // ------------------------------------------------------------------ price override

    function test_accountMarginAtPrice_MatchesAfterPriceMove() public {
        _depositCash(aliceAcc, 10_000e6);
        _depositCash(bobAcc, 10_000e6);
        _depositToken(bobAcc, weth, 1e18);
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1e18, 0));
        (int256 e1, uint256 i1, uint256 m1) = ch.accountMarginAtPrice(bobAcc, ETH, 2300e18);
        _setPrice(ETH, 2300e18);
        (int256 e2, uint256 i2, uint256 m2) = ch.accountMargin(bobAcc);
        assertEq(e1, e2);
        assertEq(i1, i2);
        assertEq(m1, m2);
    }

    function test_accountMarginAtPrice_RevertWhen_Halted() public {
        _halt(ETH);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_MarketHalted.selector, ETH));
        ch.accountMarginAtPrice(aliceAcc, ETH, 2000e18);
        AccountId unknown = AccountId.wrap(500);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_UnknownAccount.selector, unknown));
        ch.accountMarginAtPrice(unknown, BTC, 2000e18);
    }

    // ------------------------------------------------------------------ INV-8

    // INV-8: the margin check of an account at the position cap (128) stays under the gas budget.
    function test_accountMargin_GasAtPositionCapUnderBudget() public {
        _buildPortfolio(aliceAcc, bobAcc, 128);
        (SeriesId[] memory ids, ) = ch.positionsOf(aliceAcc);
        assertEq(ids.length, 128);
        uint256 before = gasleft();
        (int256 equity, , ) = ch.accountMargin(aliceAcc);
        uint256 used = before - gasleft();
        emit log_named_uint("accountMargin gas at 128 positions", used);
        assertGt(equity, 0);
        assertLt(used, 2_400_000, "INV-8 budget");
    }
}
