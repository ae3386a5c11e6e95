// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId, MarketMode} from "../../contracts/types/Types.sol";
import {IClearingHouse} from "../../contracts/interfaces/IClearingHouse.sol";
import {RiskParams} from "../../contracts/interfaces/IRiskConfig.sol";
import {CoreBase} from "./utils/CoreBase.sol";
import {GasBudget} from "../utils/GasBudget.sol";

/// @notice accountMargin: composition of equity, groups, modes (degraded values of Halted and ReduceOnly markets), the
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
        // equity: 1000 + 1.5 x 2000 + 0.1 x 60000; IM covers the IM haircuts (10%), MM the MM haircuts (5%)
        assertEq(equity, 1_000e18 + 3_000e18 + 6_000e18);
        assertEq(im, 300e18 + 600e18);
        assertEq(mm, 150e18 + 300e18);
    }

    /// Longs earn no IM credit (IM need = max(value, imReq) holds the value) and, with the default MM long haircut
    /// of 100%, no MM credit either; the short has a requirement on top of its liability.
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
        assertEq(imLong, uint256(eqLong - 10_000e18), "IM holds the long's value");
        assertEq(mmLong, uint256(eqLong - 10_000e18), "no MM credit at mmLongHaircut = 100%");
        assertGt(imShort, mmShort);
        assertGt(mmShort, 0);
    }

    /// With a 50% MM long haircut, half of a long's value counts for MM; IM still credits none of it.
    function test_accountMargin_LongMaintenanceCreditFollowsHaircut() public {
        _setMmLongHaircut(ETH, 0.5e18);
        _depositCash(aliceAcc, 10_000e6);
        _depositCash(bobAcc, 10_000e6);
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1e18, 0));
        (int256 equity, uint256 im, uint256 mm) = ch.accountMargin(aliceAcc);
        uint256 value = uint256(equity - 10_000e18);
        assertEq(im, value);
        assertEq(mm, (value + 1) / 2, "h x value, rounded up");
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

    // INV-10: a halted market does not affect an account without exposure to it; an account with a short call
    // there is valued (never a revert) and keeps its surplus withdrawable.
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
        vm.prank(bob);
        ch.withdraw(bobAcc, address(usdc), 1_000e6, bob);
        // carol (short 0.01 BTC call 60k): worst payoff up to 60k x (1 + 50%) = 0.01 x 30k = 300, plus the IM floor on
        // the last price per short contract (0.01 x 10% x 60k = 60), nothing more needed
        (int256 carolEquity, uint256 carolIm, uint256 carolMm) = ch.accountMargin(carolAcc);
        assertEq(carolEquity, 10_000e18 - 360e18);
        assertEq(carolIm, 0);
        assertEq(carolMm, 0);
        vm.prank(carol);
        vm.expectPartialRevert(IClearingHouse.ClearingHouse_BelowInitialMargin.selector);
        ch.withdraw(carolAcc, address(usdc), 9_640e6 + 1, carol);
        vm.prank(carol);
        ch.withdraw(carolAcc, address(usdc), 9_640e6, carol);
    }

    /// A halted defined-risk group counts at minus its maximum loss (not at -strike per short put).
    function test_accountMargin_HaltedGroupAtMaxLoss() public {
        _depositCash(aliceAcc, 10_000e6);
        _depositCash(bobAcc, 10_000e6);
        _applyOne(_trade(aliceAcc, bobAcc, put1800, 2e18, 0)); // bob short 2 puts at 1800
        _applyOne(_trade(bobAcc, aliceAcc, call2000, 1e18, 0)); // bob long 1 call at 2000
        _halt(ETH);
        (int256 equityBob, uint256 imBob, uint256 mmBob) = ch.accountMargin(bobAcc);
        // bob's payoff is worst at S = 0 (-3600): its maximum loss, whatever the shock
        assertEq(equityBob, 10_000e18 - 3_600e18, "short puts' max loss, long call 0");
        assertEq(imBob, 0);
        assertEq(mmBob, 0);
        // alice (short call 2000, long 2 puts 1800; unbounded): worst payoff up to 2000 x 1.5 = 3000 is -1000, plus
        // the IM floor on the last price for the short call (10% x 2000 = 200)
        (int256 equityAlice, , ) = ch.accountMargin(aliceAcc);
        assertEq(equityAlice, 10_000e18 - 1_200e18);
        // bob may still withdraw what the degraded value leaves, not a wei more
        vm.prank(bob);
        ch.withdraw(bobAcc, address(usdc), 6_400e6, bob);
        vm.prank(bob);
        vm.expectPartialRevert(IClearingHouse.ClearingHouse_BelowInitialMargin.selector);
        ch.withdraw(bobAcc, address(usdc), 1e6, bob);
    }

    /// The shock applies to the last price the feed reported, even a stale one, and is bounded by the band.
    function test_accountMargin_HaltedShockUsesLastPrice() public {
        _depositCash(aliceAcc, 10_000e6);
        _depositCash(bobAcc, 10_000e6);
        _applyOne(_trade(bobAcc, aliceAcc, call2000, 1e18, 0)); // alice short 1 call at 2000
        _setPrice(ETH, 2400e18);
        _halt(ETH);
        (int256 equity, , ) = ch.accountMargin(aliceAcc);
        assertEq(equity, 10_000e18 - (3600e18 - 2000e18) - 240e18, "loss up to 2400 x 1.5, plus 10% x 2400");
        vm.warp(block.timestamp + 2 days); // feed stale: the oracle halts on its own, the last answer still counts
        (equity, , ) = ch.accountMargin(aliceAcc);
        assertEq(equity, 10_000e18 - 1840e18);
    }

    /// Collateral priced by a halted market counts at its last price less the halt shock: in full for equity, all of
    /// it needed for IM (so it counts 0 for IM), its MM haircut for MM.
    function test_accountMargin_HaltedCollateralShockedForMaintenanceZeroForInitial() public {
        _depositCash(aliceAcc, 100e6);
        _depositToken(aliceAcc, weth, 1e18);
        _halt(ETH);
        (int256 equity, uint256 im, uint256 mm) = ch.accountMargin(aliceAcc);
        assertEq(equity, 100e18 + 1000e18, "2000 x (1 - 50%)");
        assertEq(equity - int256(im), 100e18, "IM: the WETH counts 0");
        assertEq(mm, 50e18, "MM haircut 5% of the shocked value");
        // INV-10: the cash withdrawal does not rely on the halted market, and the collateral can leave
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(usdc), 100e6, alice);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(weth), 1e18, alice);
        assertEq(weth.balanceOf(alice), 1e18);
    }

    /// A group whose market is ReduceOnly keeps its mark in the (non-strict) view but gets no MM credit for value.
    function test_accountMargin_ReduceOnlyLongGetsNoMaintenanceCredit() public {
        _setMmLongHaircut(ETH, 0.5e18);
        _depositCash(aliceAcc, 10_000e6);
        _depositCash(bobAcc, 10_000e6);
        SeriesId itmCall = _series(ETH, expiry, 1900e18, true);
        _applyOne(_trade(aliceAcc, bobAcc, itmCall, 1e18, 0));
        (int256 activeEquity, , uint256 activeMm) = ch.accountMargin(aliceAcc);
        uint256 value = uint256(activeEquity - 10_000e18);
        assertGt(value, 100e18, "time value on top of intrinsic 100");
        assertEq(activeMm, (value + 1) / 2);
        _reduceOnly(ETH);
        (int256 degraded, , uint256 degradedMm) = ch.accountMargin(aliceAcc);
        assertEq(degraded, activeEquity, "the view still marks the long");
        assertEq(degradedMm, value, "no MM credit while degraded");
    }

    // INV-9: a ReduceOnly price serves risk-reducing paths only. Initial-margin checks (withdrawals, risk-adding
    // trades) value that market like a halted one: its collateral counts 0 for IM, its groups at their degraded value.
    function test_withdraw_StrictCheckIgnoresReduceOnlyPrices() public {
        _depositCash(aliceAcc, 1_000e6);
        _depositToken(aliceAcc, weth, 1e18);
        _depositCash(bobAcc, 10_000e6);
        _applyOne(_trade(bobAcc, aliceAcc, _series(BTC, expiry, 60_000e18, false), 0.01e18, 0)); // alice short BTC put
        _reduceOnly(ETH);
        (int256 equity, uint256 im, ) = ch.accountMargin(aliceAcc);
        assertGt(equity - int256(im), 1_000e18, "the view still counts the WETH at the ReduceOnly price");
        // withdrawing all the cash would rely on the WETH: refused
        vm.prank(alice);
        vm.expectPartialRevert(IClearingHouse.ClearingHouse_BelowInitialMargin.selector);
        ch.withdraw(aliceAcc, address(usdc), 1_000e6, alice);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(usdc), 500e6, alice);
    }

    /// Issue 7 case 5: a short call in a ReduceOnly market counts at its degraded value and blocks no surplus
    /// withdrawal; reducing trades go through for both sides.
    function test_withdraw_ShortCallInReduceOnlyMarketLeavesSurplusWithdrawable() public {
        _depositCash(aliceAcc, 10_000e6);
        _depositCash(bobAcc, 10_000e6);
        _applyOne(_trade(bobAcc, aliceAcc, call2000, 1e18, 0));
        _reduceOnly(ETH);
        // strict: worst payoff up to 2000 x 1.5 = -1000, plus the IM floor 10% x 2000 = 200
        vm.prank(alice);
        vm.expectPartialRevert(IClearingHouse.ClearingHouse_BelowInitialMargin.selector);
        ch.withdraw(aliceAcc, address(usdc), 8_800e6 + 1, alice);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(usdc), 8_800e6, alice);
        // the long side (bob) may withdraw all its cash (a long never needs anything)
        vm.prank(bob);
        ch.withdraw(bobAcc, address(usdc), 10_000e6, bob);
        // and a reducing trade still goes through for both
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

    function _setMmLongHaircut(uint16 underlying, uint64 h) internal {
        RiskParams memory r = risk.riskParams(underlying);
        r.mmLongHaircut = h;
        vm.prank(admin);
        risk.setRiskParams(underlying, r);
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
        if (GasBudget.measured()) assertLt(used, 2_400_000, "INV-8 budget");
    }
}
