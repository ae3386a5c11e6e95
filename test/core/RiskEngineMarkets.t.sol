// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId} from "../../contracts/types/Types.sol";
import {IClearingHouse, Trade} from "../../contracts/interfaces/IClearingHouse.sol";
import {IRiskConfig, UnderlyingParams} from "../../contracts/interfaces/IRiskConfig.sol";
import {RiskEngineBase} from "./utils/RiskEngineBase.sol";

/// @notice Issue 7 ("Risk engine v2"), cases 5–8 of "What is wrong today" (degraded markets, collateral haircuts,
/// rates, bounded worst case); cases 1–4 are in RiskEngine.t.sol. Each test is written so that it fails on the rules
/// before the change (its comment says what the old code did).
contract RiskEngineMarketsTest is RiskEngineBase {
    // =================================================================================================================
    // Case 5: degraded markets never freeze an account
    // =================================================================================================================

    /// Old rules: in a halted market a short put counted at −strike and a long put at 0, so a fully funded put spread
    /// (10 × 2000/1800, max loss 2000) was valued at −20,000: an 18k swing. Now it counts at minus its maximum loss.
    function test_case5_HaltedPutSpreadValuedAtMaxLoss() public {
        uint40 expiry = _expiry(7);
        SeriesId shortPut = _series(ETH, expiry, 2000e18, false);
        SeriesId longPut = _series(ETH, expiry, 1800e18, false);
        _depositCash(aliceAcc, 2_000e6);
        Trade[] memory spread = new Trade[](2);
        spread[0] = _trade(bobAcc, aliceAcc, shortPut, 10e18, 0);
        spread[1] = _trade(aliceAcc, bobAcc, longPut, 10e18, 0);
        exchange.applyTrades(spread);
        _halt(ETH);
        (int256 equity, uint256 im, uint256 mm) = ch.accountMargin(aliceAcc);
        assertEq(equity, 0, "2000 of cash minus the 2000 maximum loss");
        assertEq(im, 0);
        assertEq(mm, 0);
        // fully funded: no liquidation, and a deposit then its withdrawal still work
        _depositCash(aliceAcc, 500e6);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(usdc), 500e6, alice);
    }

    /// Old rules: collateral priced by a halted market counted 0, even for maintenance (accounts became liquidatable
    /// on a feed outage). Now it counts at lastPrice × (1 − haltShock) with its MM haircut for MM, 0 for IM.
    function test_case5_HaltedCollateralCountsShockedForMaintenanceZeroForInitial() public {
        _depositToken(aliceAcc, weth, 2e18);
        _depositCash(aliceAcc, 300e6);
        _applyOne(_trade(bobAcc, aliceAcc, _series(BTC, _expiry(7), 60_000e18, false), 0.01e18, 0)); // short BTC put
        (int256 activeEquity, uint256 activeIm, uint256 activeMm) = ch.accountMargin(aliceAcc);
        _halt(ETH);
        (int256 equity, uint256 im, uint256 mm) = ch.accountMargin(aliceAcc);
        assertEq(activeEquity - equity, 2_000e18, "2 WETH at 2000 x (1 - 50%) instead of 2000");
        assertEq(mm, activeMm - 200e18 + 100e18, "MM haircut 5% of the shocked value instead of the live one");
        assertGt(equity, int256(mm), "still above MM: not liquidatable because of the outage");
        // IM: the WETH counts nothing, the 300 of cash carries the put alone
        int256 putIm = int256(activeIm) - 400e18;
        assertEq(equity - int256(im), activeEquity - 4_000e18 - putIm);
    }

    /// Old rules: one short call in a halted market made every evaluation revert `ClearingHouse_MarketHalted`:
    /// deposits still worked, but no withdrawal and no trade anywhere. Now the halted group counts at its degraded
    /// value and the account withdraws its surplus and reduces or adds risk in other markets.
    function test_case5_ShortCallInHaltedMarketBlocksNothingElsewhere() public {
        _depositCash(aliceAcc, 20_000e6);
        SeriesId btcCall = _series(BTC, _expiry(7), 60_000e18, true);
        SeriesId ethCall = _series(ETH, _expiry(7), 2000e18, true);
        _applyOne(_trade(bobAcc, aliceAcc, btcCall, 0.1e18, 0));
        _applyOne(_trade(bobAcc, aliceAcc, ethCall, 2e18, 0));
        _halt(BTC);
        (int256 equity, uint256 im, ) = ch.accountMargin(aliceAcc); // no revert
        int256 surplus = equity - int256(im);
        assertGt(surplus, 1_000e18);
        _depositCash(aliceAcc, 100e6);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(usdc), 1_100e6, alice);
        // risk reduction in ETH
        _applyOne(_trade(aliceAcc, bobAcc, ethCall, 1e18, _longValue(ethCall, 1e18)));
        assertEq(ch.positionOf(aliceAcc, ethCall), -1e18);
        // and new risk in ETH, margin permitting (INV-10)
        _applyOne(_trade(bobAcc, aliceAcc, _series(ETH, _expiry(7), 1800e18, false), 1e18, 0));
        // the halted market itself takes no trade
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_MarketHalted.selector, BTC));
        _applyOne(_trade(aliceAcc, bobAcc, btcCall, 0.1e18, 0));
    }

    /// Old rules: a strict evaluation that met a short call in a ReduceOnly market reverted `ClearingHouse_ReduceOnly`,
    /// so the account could not withdraw anything. Now the call counts at its degraded value and the surplus leaves.
    function test_case5_ShortCallInReduceOnlyMarketAllowsSurplusWithdrawal() public {
        _depositCash(aliceAcc, 5_000e6);
        _applyOne(_trade(bobAcc, aliceAcc, _series(ETH, _expiry(7), 2000e18, true), 1e18, 0));
        _reduceOnly(ETH);
        // strict value: worst payoff up to 2000 × 1.5 = −1000, plus the IM floor on the last price 10% × 2000 = 200
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(usdc), 3_800e6, alice);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_BelowInitialMargin.selector, aliceAcc, -1e12)
        );
        ch.withdraw(aliceAcc, address(usdc), 1, alice); // one native unit, 1e12 wei
    }

    // =================================================================================================================
    // Case 6: separate IM and MM collateral haircuts
    // =================================================================================================================

    /// Old rules: one haircut (10%) served both IM and MM. Now WETH needs 10% for IM and 5% for MM; the bounds of both
    /// (MIN_HAIRCUT <= IM, MIN_MM_HAIRCUT <= MM < IM) are tested one by one in RiskConfig.t.sol.
    function test_case6_CollateralHaircutsDifferForInitialAndMaintenance() public {
        _depositToken(aliceAcc, weth, 1e18);
        (int256 equity, uint256 im, uint256 mm) = ch.accountMargin(aliceAcc);
        assertEq(equity, 2_000e18);
        assertEq(im, 200e18);
        assertEq(mm, 100e18);
        vm.prank(admin);
        risk.setCollateralParams(address(weth), 0.3e18, 0.2e18, 1_000_000e18);
        (, im, mm) = ch.accountMargin(aliceAcc);
        assertEq(im, 600e18);
        assertEq(mm, 400e18);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_HaircutOutOfBounds.selector, 0.3e18, 0.3e18));
        risk.setCollateralParams(address(weth), 0.3e18, 0.3e18, 1_000_000e18);
    }

    // =================================================================================================================
    // Case 7: the defined-risk cap holds for any allowed rate
    // =================================================================================================================

    /// Old rules: rates in [−20%, 20%]; at r = −20% a deep ITM 2-year credit spread was marked above its maximum loss
    /// (its value −L·e^{−rτ} < −L), so the cap min(base, L + value) went to 0 and the margin held exceeded L. Now a
    /// negative rate is refused, and at the highest allowed rate (10%) the margin held for such a spread is at most L.
    function test_case7_NegativeRateRefusedAndCapHoldsAtMaxRate() public {
        UnderlyingParams memory p = _underlyingParams(1e18);
        p.rate = -0.2e18;
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_RateOutOfBounds.selector, p.rate));
        risk.setUnderlyingParams(ETH, p);
        p.rate = -1;
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRiskConfig.RiskConfig_RateOutOfBounds.selector, int256(-1)));
        risk.setUnderlyingParams(ETH, p);

        p.rate = 0.1e18;
        p.maxHorizon = 730 days;
        vm.prank(admin);
        risk.setUnderlyingParams(ETH, p);
        _setVol(ETH, 0.2e18);
        uint40 expiry = _expiry(729);
        // bear call spread 1000/1200 and bull put spread 4200/4000 at spot 2000: both deep ITM, max loss 200 each
        _assertCapHolds(aliceAcc, _series(ETH, expiry, 1000e18, true), _series(ETH, expiry, 1200e18, true));
        _assertCapHolds(aliceAcc2, _series(ETH, expiry, 4200e18, false), _series(ETH, expiry, 4000e18, false));
    }

    // =================================================================================================================
    // Case 8: bounded worst case (dust fills, expiry groups)
    // =================================================================================================================

    /// Old rules: any size was accepted, so a counterparty could fill a maker's quotes with 1-wei trades and use up
    /// its position slots. Now a trade below the underlying's minimum size may not open a position; dust that only
    /// closes is accepted (so no position is ever stuck).
    function test_case8_applyTrades_RevertWhen_DustOpensPosition() public {
        _depositCash(aliceAcc, 10_000e6);
        SeriesId call = _series(ETH, _expiry(7), 2000e18, true);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_BelowMinTradeSize.selector, call, 1, 1e15));
        _applyOne(_trade(bobAcc, aliceAcc, call, 1, 0));
        _applyOne(_trade(bobAcc, aliceAcc, call, 1e18 + 1, 0));
        _applyOne(_trade(aliceAcc, bobAcc, call, 1, 0)); // dust close
        assertEq(ch.positionOf(aliceAcc, call), -1e18);
        _applyOne(_trade(aliceAcc, bobAcc, call, 1e18, 0));
        assertEq(ch.positionOf(aliceAcc, call), 0);
    }

    /// Old rules: no limit on distinct expiry groups, so the worst-case check (every position in its own group) cost
    /// ~4.5M gas. Now opening a position in a (cap + 1)-th group reverts `ClearingHouse_GroupCapReached`.
    function test_case8_applyTrades_RevertWhen_GroupCapExceeded() public {
        _depositCash(aliceAcc, 1_000_000e6);
        uint256 cap = risk.groupCap();
        assertEq(cap, 16);
        Trade[] memory trades = new Trade[](cap);
        for (uint256 i; i < cap; ++i) {
            trades[i] = _trade(aliceAcc, bobAcc, _series(ETH, _expiry(i + 1), 2000e18, true), 1e15, 0);
        }
        exchange.applyTrades(trades);
        SeriesId next = _series(ETH, _expiry(cap + 1), 2000e18, true);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_GroupCapReached.selector, aliceAcc, cap + 1, cap)
        );
        _applyOne(_trade(aliceAcc, bobAcc, next, 1e15, 0));
        // a new position in a held group is fine
        _applyOne(_trade(aliceAcc, bobAcc, _series(ETH, _expiry(1), 2100e18, true), 1e15, 0));
    }

    // =================================================================================================================
    // Helpers
    // =================================================================================================================

    /// @dev `account` (no cash, no positions) sells a 1-contract vertical `shortLeg`/`longLeg` (max loss 200) at zero
    /// premium with exactly 200 of cash: accepted, i.e. the margin held (IM need − value) is at most the max loss.
    function _assertCapHolds(AccountId account, SeriesId shortLeg, SeriesId longLeg) internal {
        _depositCash(account, 200e6);
        Trade[] memory spread = new Trade[](2);
        spread[0] = _trade(bobAcc, account, shortLeg, 1e18, 0);
        spread[1] = _trade(account, bobAcc, longLeg, 1e18, 0);
        exchange.applyTrades(spread);
        (int256 equity, uint256 im, ) = ch.accountMargin(account);
        int256 value = equity - 200e18;
        assertLt(value, -140e18, "deep ITM: worth nearly -L e^{-r tau} = -163.7");
        assertLe(int256(im) - value, 200e18, "margin held <= max loss");
        assertGe(equity, int256(im));
    }
}
