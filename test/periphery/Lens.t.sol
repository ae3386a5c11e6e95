// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";

import {AccountId, SeriesId, MarketMode} from "../../contracts/types/Types.sol";
import {RiskParams} from "../../contracts/interfaces/IRiskConfig.sol";
import {IClearingHouse} from "../../contracts/interfaces/IClearingHouse.sol";
import {ILens} from "../../contracts/interfaces/ILens.sol";
import {Lens} from "../../contracts/periphery/Lens.sol";
import {CoreBase} from "../core/utils/CoreBase.sol";

/// @notice Lens: health figures equal the core's, marks add up to the equity, liquidation prices sit where the
/// maintenance margin crosses zero.
contract LensTest is CoreBase {
    Lens internal lens;
    uint40 internal expiry;

    function setUp() public override {
        super.setUp();
        lens = new Lens(ch);
        expiry = _expiry(14);
        _depositCash(bobAcc, 1_000_000e6);
    }

    function test_constructor_RevertWhen_ZeroAddress() public {
        vm.expectRevert(ILens.Lens_ZeroAddress.selector);
        new Lens(IClearingHouse(address(0)));
        assertEq(address(lens.clearingHouse()), address(ch));
    }

    function test_health_MatchesCoreAndRatio() public {
        _depositCash(aliceAcc, 2_000e6);
        _applyOne(_trade(bobAcc, aliceAcc, _series(ETH, expiry, 2200e18, true), 2e18, 0));
        (int256 equity, uint256 im, uint256 mm) = ch.accountMargin(aliceAcc);
        ILens.Health memory h = lens.health(aliceAcc);
        assertEq(h.equity, equity);
        assertEq(h.initialRequirement, im);
        assertEq(h.maintenanceRequirement, mm);
        assertEq(h.initialMargin, equity - int256(im));
        assertEq(h.maintenanceMargin, equity - int256(mm));
        assertEq(h.marginRatio, (uint256(equity) * 1e18) / mm);
        assertEq(lens.marginRatio(aliceAcc), h.marginRatio);
        assertFalse(h.liquidatable);

        _setPrice(ETH, 3500e18);
        h = lens.health(aliceAcc);
        assertTrue(h.liquidatable);
        assertLt(h.marginRatio, 1e18);
    }

    function test_marginRatio_EdgeCases() public {
        assertEq(lens.marginRatio(aliceAcc), type(uint256).max, "no requirement, zero equity");
        _depositCash(aliceAcc, 1_000e6);
        assertEq(lens.marginRatio(aliceAcc), type(uint256).max);
        _applyOne(_trade(bobAcc, aliceAcc, _series(ETH, expiry, 2000e18, true), 1e18, 0));
        _setPrice(ETH, 5000e18);
        (int256 equity, , ) = ch.accountMargin(aliceAcc);
        assertLt(equity, 0);
        assertEq(lens.marginRatio(aliceAcc), 0, "negative equity");
    }

    function test_positionMarks_SumToEquity() public {
        _depositCash(aliceAcc, 50_000e6);
        SeriesId[4] memory s = [
            _series(ETH, expiry, 1900e18, true),
            _series(ETH, expiry, 2100e18, true),
            _series(ETH, _expiry(3), 1800e18, false),
            _series(BTC, expiry, 60_000e18, false)
        ];
        _applyOne(_trade(aliceAcc, bobAcc, s[0], 2e18, 0));
        _applyOne(_trade(bobAcc, aliceAcc, s[1], 2e18, 0));
        _applyOne(_trade(bobAcc, aliceAcc, s[2], 3e18, 0));
        _applyOne(_trade(aliceAcc, bobAcc, s[3], 0.1e18, 0));
        ILens.PositionMark[] memory marks = lens.positionMarks(aliceAcc);
        assertEq(marks.length, 4);
        int256 sum = ch.cashOf(aliceAcc);
        for (uint256 i; i < marks.length; ++i) {
            sum += marks[i].valueWad;
            assertEq(marks[i].size, ch.positionOf(aliceAcc, marks[i].series));
            assertGt(marks[i].markWad, 0);
            assertEq(uint8(marks[i].mode), uint8(MarketMode.Active));
            assertFalse(marks[i].expired);
        }
        (int256 equity, , ) = ch.accountMargin(aliceAcc);
        assertEq(sum, equity, "per-leg values add up to the group values");
    }

    function test_positionMarks_HaltedAndSettled() public {
        _depositCash(aliceAcc, 50_000e6);
        SeriesId put = _series(ETH, _expiry(1), 1800e18, false);
        SeriesId btcCall = _series(BTC, expiry, 60_000e18, true);
        _applyOne(_trade(bobAcc, aliceAcc, put, 1e18, 0));
        _applyOne(_trade(aliceAcc, bobAcc, btcCall, 0.1e18, 0));
        _settleAt(ETH, _expiry(1), 1700e18);
        _setPrice(BTC, 60_000e18);
        _halt(BTC);
        ILens.PositionMark[] memory marks = lens.positionMarks(aliceAcc);
        assertEq(marks[0].valueWad, -100e18, "settled put: intrinsic 100");
        assertTrue(marks[0].expired);
        assertEq(marks[0].markWad, 100e18);
        assertEq(uint8(marks[1].mode), uint8(MarketMode.Halted));
        assertEq(marks[1].markWad, 0);
        assertEq(marks[1].valueWad, 0, "halted long counts 0");
    }

    /// A halted leg is shown at the core's degraded value: a short put (bounded) at minus its maximum loss, a short
    /// call at minus its payoff at 60k x 1.5 plus the IM floor; health is still reported (the core never reverts).
    function test_positionMarks_HaltedShortsAtDegradedValue() public {
        _depositCash(aliceAcc, 50_000e6);
        SeriesId btcCall = _series(BTC, expiry, 60_000e18, true);
        SeriesId btcPut = _series(BTC, expiry, 50_000e18, false);
        _applyOne(_trade(bobAcc, aliceAcc, btcCall, 0.1e18, 0));
        _applyOne(_trade(bobAcc, aliceAcc, btcPut, 0.1e18, 0));
        _halt(BTC);
        ILens.PositionMark[] memory marks = lens.positionMarks(aliceAcc);
        assertEq(marks.length, 2);
        for (uint256 i; i < 2; ++i) {
            assertEq(uint8(marks[i].mode), uint8(MarketMode.Halted));
            assertEq(marks[i].markWad, 0);
            if (SeriesId.unwrap(marks[i].series) == SeriesId.unwrap(btcCall)) {
                assertEq(marks[i].valueWad, -3_600e18, "0.1 x (90k - 60k) + IM floor 0.1 x 10% x 60k");
            } else {
                assertEq(marks[i].valueWad, -5_000e18, "0.1 x 50k");
            }
        }
        (int256 equity, uint256 im, uint256 mm) = ch.accountMargin(aliceAcc);
        // the group (a short strangle, unbounded) is worst at 0 or at 90k: max(5000, 3000), plus the IM floor on the
        // last price per short contract: 0.2 x 10% x 60k = 1200
        assertEq(equity, 50_000e18 - 6_200e18);
        ILens.Health memory h = lens.health(aliceAcc);
        assertEq(h.equity, equity);
        assertEq(h.initialRequirement, im);
        assertEq(h.maintenanceRequirement, mm);
        assertFalse(h.liquidatable);
    }

    function test_liquidationPrices_ShortCallHasOnlyUpper() public {
        _depositCash(aliceAcc, 1_000e6);
        _applyOne(_trade(bobAcc, aliceAcc, _series(ETH, expiry, 2200e18, true), 2e18, 0));
        (uint256 lower, uint256 upper) = lens.liquidationPrices(aliceAcc);
        assertEq(lower, 0, "a short call gains when spot falls");
        assertGt(upper, 2000e18);
        _assertCrossing(aliceAcc, upper, true);
    }

    function test_liquidationPrices_ShortStraddleHasBoth() public {
        _depositCash(aliceAcc, 1_500e6);
        _applyOne(_trade(bobAcc, aliceAcc, _series(ETH, expiry, 2000e18, true), 1e18, 0));
        _applyOne(_trade(bobAcc, aliceAcc, _series(ETH, expiry, 2000e18, false), 1e18, 0));
        (uint256 lower, uint256 upper) = lens.liquidationPrices(aliceAcc);
        assertGt(lower, 100e18);
        assertLt(lower, 2000e18);
        assertGt(upper, 2000e18);
        _assertCrossing(aliceAcc, lower, false);
        _assertCrossing(aliceAcc, upper, true);
        // moving spot to the returned price makes the account liquidatable
        _setPrice(ETH, (upper / 1e10) * 1e10 + 1e10);
        assertTrue(lens.health(aliceAcc).liquidatable);
    }

    function test_liquidationPrices_NotApplicable() public {
        _assertNone(aliceAcc, "no positions");
        _depositCash(aliceAcc, 100_000e6);
        _applyOne(_trade(bobAcc, aliceAcc, _series(ETH, expiry, 2000e18, true), 1e18, 0));
        _applyOne(_trade(bobAcc, aliceAcc, _series(BTC, expiry, 60_000e18, true), 0.1e18, 0));
        _assertNone(aliceAcc, "two underlyings");

        _depositCash(carolAcc, 100_000e6);
        _applyOne(_trade(carolAcc, bobAcc, _series(ETH, expiry, 2000e18, true), 1e18, 0));
        _assertNone(carolAcc, "a long call is never liquidated");
        _halt(ETH);
        _assertNone(carolAcc, "halted market");
    }

    function test_liquidationPrices_AlreadyLiquidatableReturnsSpot() public {
        _depositCash(aliceAcc, 1_000e6);
        _applyOne(_trade(bobAcc, aliceAcc, _series(ETH, expiry, 2200e18, true), 2e18, 0));
        _setPrice(ETH, 4000e18);
        (uint256 lower, uint256 upper) = lens.liquidationPrices(aliceAcc);
        assertEq(lower, 4000e18);
        assertEq(upper, 4000e18);
    }

    /// Issue 8: a liquidatable region narrower than a geometric scan step. Long 1-day puts at 2300 (MM credits half
    /// their value) against WETH and a cash debt: the margin falls with spot down to the strike, then WETH carries it
    /// back up, so the account is healthy at 2000, liquidatable only in about (2230, 2375), healthy above. Every
    /// geometric probe (2000 x 50^(i/16): 2554, 3262, ...; 1658, ... downwards) is healthy; probing the strike finds it.
    function test_liquidationPrices_FindsRegionNarrowerThanScanStep() public {
        RiskParams memory r = risk.riskParams(ETH);
        r.mmLongHaircut = 0.5e18;
        vm.prank(admin);
        risk.setRiskParams(ETH, r);
        _setPrice(ETH, 2600e18); // opened where its IM holds, then spot falls
        _depositToken(aliceAcc, weth, 10e18);
        _applyOne(_trade(aliceAcc, bobAcc, _series(ETH, _expiry(1), 2300e18, false), 40e18, 22_610e18));
        uint256 spot = 2000e18;
        _setPrice(ETH, spot);

        (uint256 minPrice, uint256 maxPrice) = oracle.priceBand(ETH);
        _assertScanHealthy(aliceAcc, spot, maxPrice);
        _assertScanHealthy(aliceAcc, spot, minPrice);
        assertLt(_mmMargin(aliceAcc, 2300e18), 0, "liquidatable at the strike");
        assertGe(_mmMargin(aliceAcc, 2400e18), 0, "healthy again above the region");

        (uint256 lower, uint256 upper) = lens.liquidationPrices(aliceAcc);
        assertEq(lower, 0, "nothing below spot");
        assertGt(upper, 2200e18, "the region's lower edge");
        assertLt(upper, 2300e18);
        _assertCrossing(aliceAcc, upper, true);
    }

    /// @dev The pre-fix scan's probes from `spot` towards `edge` (the same geometric steps as the lens) are all healthy.
    function _assertScanHealthy(AccountId account, uint256 spot, uint256 edge) internal view {
        uint256 steps = lens.SCAN_STEPS();
        int256 logStep = FixedPointMathLib.lnWad(int256(FixedPointMathLib.divWad(edge, spot))) / int256(steps);
        for (uint256 i = 1; i <= steps; ++i) {
            uint256 probe =
                i == steps
                    ? edge
                    : FixedPointMathLib.mulWad(spot, uint256(FixedPointMathLib.expWad(logStep * int256(i))));
            assertGe(_mmMargin(account, probe), 0, "geometric probe healthy");
        }
    }

    function _mmMargin(AccountId account, uint256 price) internal view returns (int256) {
        (int256 e, , uint256 mm) = ch.accountMarginAtPrice(account, ETH, price);
        return e - int256(mm);
    }

    /// @dev At `price` the MM margin is negative, and a hair towards spot it is not.
    function _assertCrossing(AccountId account, uint256 price, bool above) internal view {
        (int256 e, , uint256 mm) = ch.accountMarginAtPrice(account, ETH, price);
        assertLt(e - int256(mm), 0, "liquidatable at the returned price");
        uint256 nearer = above ? price - price / 1e8 : price + price / 1e8;
        (e, , mm) = ch.accountMarginAtPrice(account, ETH, nearer);
        assertGe(e - int256(mm), 0, "healthy just before it");
    }

    function _assertNone(AccountId account, string memory why) internal view {
        (uint256 lower, uint256 upper) = lens.liquidationPrices(account);
        assertEq(lower, 0, why);
        assertEq(upper, 0, why);
    }
}
