// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";

import {BlackScholes} from "../../contracts/libraries/BlackScholes.sol";
import {MarginLib} from "../../contracts/libraries/MarginLib.sol";
import {MathHarness} from "../../contracts/mocks/MathHarness.sol";

contract MarginLibTest is Test {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant S = 2_000e18;

    MathHarness internal harness;

    function setUp() public {
        harness = new MathHarness();
    }

    // ---------------------------------------------------------------- helpers

    /// The worked-example parameters of docs/margin.md: S = 2000, σ = 80%, 30 days, r = 0, and the local deploy's
    /// risk parameters: IM 15%/10%, MM 10%/7.5%, vega add-on IM slope 1.8 cap 55%, MM slope 0.9 cap 30%.
    function _params() internal pure returns (MarginLib.GroupParams memory) {
        return
            MarginLib.GroupParams({
                price: S,
                vol: 0.8e18,
                tau: 30 days,
                rate: 0,
                imBase: 0.15e18,
                imFloor: 0.1e18,
                mmBase: 0.1e18,
                mmFloor: 0.075e18,
                imVegaSlope: 0.87e18,
                imVegaCap: 0.55e18,
                mmVegaSlope: 0.44e18,
                mmVegaCap: 0.3e18,
                settled: false
            });
    }

    function _one(uint256 strike, int256 size, bool isCall) internal pure returns (MarginLib.Leg[] memory legs) {
        legs = new MarginLib.Leg[](1);
        legs[0] = MarginLib.Leg(strike, size, isCall);
    }

    function _two(MarginLib.Leg memory a, MarginLib.Leg memory b) internal pure returns (MarginLib.Leg[] memory legs) {
        legs = new MarginLib.Leg[](2);
        (legs[0], legs[1]) = (a, b);
    }

    /// Black-Scholes outputs at `strike` under `p` (live group).
    function _at(
        MarginLib.GroupParams memory p,
        uint256 strike
    ) internal pure returns (uint256 call, uint256 put, uint256 kd, uint256 vegaStd) {
        return BlackScholes.priceAt(BlackScholes.prepare(p.price, p.tau, p.vol, p.rate), strike);
    }

    function _call(uint256 strike) internal pure returns (uint256 c) {
        (c, , , ) = _at(_params(), strike);
    }

    function _put(uint256 strike) internal pure returns (uint256 p) {
        (, p, , ) = _at(_params(), strike);
    }

    /// σ√τ of a live group.
    function _stddev(MarginLib.GroupParams memory p) internal pure returns (uint256) {
        return BlackScholes.prepare(p.price, p.tau, p.vol, p.rate).stddev;
    }

    /// The vol shock min(cap, slope·√(σ√τ)), the root and the product rounded up.
    function _w(uint256 slope, uint256 cap, uint256 sd) internal pure returns (uint256) {
        uint256 x = sd * 1e18;
        uint256 root = FixedPointMathLib.sqrt(x);
        if (root * root < x) ++root;
        return FixedPointMathLib.min(cap, FixedPointMathLib.mulWadUp(slope, root));
    }

    /// IM and MM vega add-ons per contract at `strike`: w·vegaStd, each rounded up.
    function _vegaAddOns(
        MarginLib.GroupParams memory p,
        uint256 strike
    ) internal pure returns (uint256 im, uint256 mm) {
        (, , , uint256 vegaStd) = _at(p, strike);
        uint256 sd = _stddev(p);
        uint256 imW = _w(p.imVegaSlope, p.imVegaCap, sd);
        uint256 mmW = _w(p.mmVegaSlope, p.mmVegaCap, sd);
        return (FixedPointMathLib.mulWadUp(imW, vegaStd), FixedPointMathLib.mulWadUp(mmW, vegaStd));
    }

    /// Margin held for the group: what the account sets aside beyond its cash, −value + req.
    function _held(int256 value, uint256 req) internal pure returns (int256) {
        return -value + int256(req);
    }

    // ---------------------------------------------------------------- worked examples (docs/margin.md)

    function test_evaluateGroup_NakedShortCall() public pure {
        MarginLib.GroupParams memory p = _params();
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(2_200e18, -1e18, true), p);
        (uint256 imVega, uint256 mmVega) = _vegaAddOns(p, 2_200e18);
        assertEq(value, -int256(_call(2_200e18)), "value = -mark");
        assertEq(im, 200e18 + imVega, "IM = max(0.15*2000 - 200, 0.10*2000) + vega add-on");
        assertEq(mm, 150e18 + mmVega, "MM = max(0.10*2000 - 200, 0.075*2000) + vega add-on");
        // σ√τ = 0.229: the IM shock is 0.87·√0.229 = 41.6% (below the 55% cap), the MM shock 0.44·√0.229 = 21.1%.
        assertApproxEqRel(imVega * 44, mmVega * 87, 1e9, "IM shock / MM shock = 0.87 / 0.44 below the caps");
    }

    function test_evaluateGroup_NakedShortItmCall() public pure {
        MarginLib.GroupParams memory p = _params();
        (, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(1_800e18, -1e18, true), p);
        (uint256 imVega, uint256 mmVega) = _vegaAddOns(p, 1_800e18);
        assertEq(im, 300e18 + imVega, "IM = 0.15*2000 + add-on");
        assertEq(mm, 200e18 + mmVega, "MM = 0.10*2000 + add-on");
    }

    function test_evaluateGroup_NakedShortPut() public pure {
        MarginLib.GroupParams memory p = _params();
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(1_800e18, -1e18, false), p);
        (uint256 imVega, uint256 mmVega) = _vegaAddOns(p, 1_800e18);
        assertEq(value, -int256(_put(1_800e18)));
        assertEq(im, 200e18 + imVega, "IM = max(300 - 200, 200) + add-on");
        assertEq(mm, 150e18 + mmVega, "MM = max(200 - 200, 150) + add-on");
    }

    function test_evaluateGroup_ShortPutCappedAtStrike() public pure {
        // b·S = 200 > K = 100: the unit is capped at K; the max-loss cap then holds K in total.
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(100e18, -1e18, false), _params());
        assertLe(im, 100e18, "unit capped at K");
        assertEq(_held(value, im), 100e18, "IM: margin held = K");
        assertEq(_held(value, mm), 100e18, "MM: margin held = K");
    }

    function test_evaluateGroup_CallSpreadNeedsAtMostWidth() public pure {
        MarginLib.Leg[] memory legs = _two(MarginLib.Leg(2_000e18, -1e18, true), MarginLib.Leg(2_200e18, 1e18, true));
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(legs, _params());
        assertEq(value, int256(_call(2_200e18)) - int256(_call(2_000e18)));
        assertEq(_held(value, im), 200e18, "IM: margin held = width");
        assertEq(_held(value, mm), 200e18, "MM: margin held = width");
        assertLt(im, 300e18, "below the naked base");
    }

    function test_evaluateGroup_LongCallSpreadHoldsItsValue() public pure {
        MarginLib.Leg[] memory legs = _two(MarginLib.Leg(2_000e18, 1e18, true), MarginLib.Leg(2_200e18, -1e18, true));
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(legs, _params());
        assertGt(value, 0);
        assertEq(im, uint256(value), "max loss 0: req = value, contribution 0");
        assertEq(mm, uint256(value));
    }

    function test_evaluateGroup_LongOnlyNeedsNothing() public pure {
        MarginLib.Leg[] memory legs = _two(MarginLib.Leg(1_800e18, 2e18, false), MarginLib.Leg(2_200e18, 1e18, true));
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(legs, _params());
        assertEq(value, int256(2 * _put(1_800e18) + _call(2_200e18)));
        assertEq(im, 0);
        assertEq(mm, 0);
    }

    function test_evaluateGroup_IronCondorMaxLossIsOneWing() public pure {
        MarginLib.Leg[] memory legs = new MarginLib.Leg[](4);
        legs[0] = MarginLib.Leg(1_600e18, 1e18, false);
        legs[1] = MarginLib.Leg(1_800e18, -1e18, false);
        legs[2] = MarginLib.Leg(2_200e18, -1e18, true);
        legs[3] = MarginLib.Leg(2_400e18, 1e18, true);
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(legs, _params());
        assertEq(_held(value, im), 200e18, "held = one wing, not both");
        assertEq(_held(value, mm), 200e18);
        (uint256 loss, bool bounded) = MarginLib.maxLoss(legs);
        assertTrue(bounded);
        assertEq(loss, 200e18);
    }

    function test_evaluateGroup_UnboundedShortCallHasNoCap() public pure {
        MarginLib.GroupParams memory p = _params();
        MarginLib.Leg[] memory legs = _two(MarginLib.Leg(2_000e18, 1e18, true), MarginLib.Leg(2_200e18, -2e18, true));
        (, uint256 im, uint256 mm) = MarginLib.evaluateGroup(legs, p);
        (uint256 imVega, uint256 mmVega) = _vegaAddOns(p, 2_200e18);
        // the long's value is added to IM: inside a group longs never offset shorts
        assertEq(im, 2 * (200e18 + imVega) + _call(2_000e18), "2 x (max(100, 200) + add-on) + the long's value");
        assertEq(mm, 2 * (150e18 + mmVega), "2 x (max(0, 150) + add-on)");
        (, bool bounded) = MarginLib.maxLoss(legs);
        assertFalse(bounded);
    }

    function test_evaluateGroup_StraddleSharesOneEvaluation() public pure {
        MarginLib.GroupParams memory p = _params();
        MarginLib.Leg[] memory legs = _two(MarginLib.Leg(2_000e18, -1e18, false), MarginLib.Leg(2_000e18, -1e18, true));
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(legs, p);
        (uint256 imVega, uint256 mmVega) = _vegaAddOns(p, 2_000e18);
        assertEq(value, -int256(_call(2_000e18) + _put(2_000e18)));
        assertEq(im, 2 * (300e18 + imVega));
        assertEq(mm, 2 * (200e18 + mmVega));
    }

    /// The vol shock grows with σ√τ and stops at the cap: at 1 year σ√τ = 0.8, 0.87·√0.8 = 0.78 > 0.55.
    function test_evaluateGroup_VolShockCappedAtLongTenor() public pure {
        MarginLib.GroupParams memory p = _params();
        p.tau = 365 days;
        (, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(2_000e18, -1e18, true), p);
        (, , , uint256 vegaStd) = _at(p, 2_000e18);
        assertEq(im, 300e18 + FixedPointMathLib.mulWadUp(0.55e18, vegaStd), "IM shock = cap 55%");
        assertEq(mm, 200e18 + FixedPointMathLib.mulWadUp(0.3e18, vegaStd), "MM shock = cap 30%");
    }

    /// One hour: σ√τ = 0.8·√(1/8760) = 0.00855, the shock is 1.8 × that, the add-on tiny next to a·S.
    function test_evaluateGroup_VolShockGrowsWithStddev() public pure {
        MarginLib.GroupParams memory p = _params();
        p.tau = 1 hours;
        (, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(2_000e18, -1e18, true), p);
        (, , , uint256 vegaStd) = _at(p, 2_000e18);
        uint256 sd = _stddev(p);
        assertApproxEqAbs(sd, 8_547_476_863_413_764, 1, "sigma sqrt(tau) = 0.8 sqrt(1/8760)");
        assertEq(im, 300e18 + FixedPointMathLib.mulWadUp(_w(0.87e18, 0.55e18, sd), vegaStd));
        assertEq(mm, 200e18 + FixedPointMathLib.mulWadUp(_w(0.44e18, 0.3e18, sd), vegaStd));
        assertLt(im, 301e18, "add-on below 1");
    }

    /// With r > 0 the put's OTM amount is measured against K·e^{−rτ} (smaller), and one day of carry is added.
    function test_evaluateGroup_ShortPutDiscountedStrikeAndCarry() public pure {
        MarginLib.GroupParams memory p = _params();
        (p.tau, p.rate) = (90 days, 0.1e18);
        (, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(1_800e18, -1e18, false), p);
        (, , uint256 kd, ) = _at(p, 1_800e18);
        (uint256 imVega, uint256 mmVega) = _vegaAddOns(p, 1_800e18);
        assertApproxEqAbs(kd, 1_756_159_163_050_036_309_953, 1e3, "1800 e^{-0.1*90/365} = 1756.1592");
        assertGt(S - kd, 100e18, "OTM 243.8 against kd (200 against K)");
        uint256 carry = FixedPointMathLib.mulWadUp(1_800e18, FixedPointMathLib.divUp(0.1e18 * 1 days, 365 days));
        assertEq(im, 200e18 + imVega + carry, "IM floor b*S binds (300 - 243.8 < 200)");
        assertEq(mm, 150e18 + mmVega + carry, "MM floor binds");
        assertApproxEqAbs(carry, 493_150_684_931_506_849, 2e3, "1800 x 10% / 365, rounded up twice");
    }

    /// A call's OTM amount is max(K·e^{−rτ} − S, 0): with r > 0 a call looks less out of the money.
    function test_evaluateGroup_ShortCallDiscountedStrike() public pure {
        MarginLib.GroupParams memory p = _params();
        (p.tau, p.rate) = (365 days, 0.1e18);
        (, uint256 im, ) = MarginLib.evaluateGroup(_one(2_100e18, -1e18, true), p);
        (, , uint256 kd, ) = _at(p, 2_100e18);
        (uint256 imVega, ) = _vegaAddOns(p, 2_100e18);
        assertLt(kd, S, "2100 e^{-0.1} = 1900.2 < S: in the money forward");
        assertEq(im, 300e18 + imVega, "no OTM credit: a*S binds");
    }

    /// Carry covers min(τ, 1 day): 2 hours to expiry at 10% on K = 1800.
    function test_evaluateGroup_PutCarryUsesTauBelowOneDay() public pure {
        MarginLib.GroupParams memory p = _params();
        (p.tau, p.rate) = (2 hours, 0.1e18);
        (, uint256 im, ) = MarginLib.evaluateGroup(_one(2_100e18, -1e18, false), p);
        (, , uint256 kd, ) = _at(p, 2_100e18);
        (uint256 imVega, ) = _vegaAddOns(p, 2_100e18);
        uint256 carry = FixedPointMathLib.mulWadUp(2_100e18, FixedPointMathLib.divUp(0.1e18 * 2 hours, 365 days));
        uint256 otm = S > kd ? S - kd : 0;
        uint256 base = 300e18 > otm + 200e18 ? 300e18 - otm : 200e18;
        assertEq(im, base + imVega + carry);
    }

    function test_evaluateGroup_ExpiredAwaitingSettlementKeepsBase() public pure {
        MarginLib.GroupParams memory p = _params();
        p.tau = 0;
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(1_900e18, -1e18, true), p);
        assertEq(value, -100e18, "intrinsic");
        assertEq(im, 300e18, "no vega add-on once expired");
        assertEq(mm, 200e18);
    }

    function test_evaluateGroup_ExpiredPutHasNoCarryAndUndiscountedStrike() public pure {
        MarginLib.GroupParams memory p = _params();
        (p.tau, p.rate) = (0, 0.1e18);
        (, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(1_800e18, -1e18, false), p);
        assertEq(im, 200e18, "max(300 - (2000 - 1800), 200)");
        assertEq(mm, 150e18);
    }

    function test_evaluateGroup_ExpiredSpreadIsCappedAtWidth() public pure {
        MarginLib.GroupParams memory p = _params();
        (p.tau, p.price) = (0, 2_050e18);
        MarginLib.Leg[] memory legs = _two(MarginLib.Leg(1_900e18, -1e18, true), MarginLib.Leg(2_000e18, 1e18, true));
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(legs, p);
        assertEq(value, -100e18);
        assertEq(im, 0, "already at max loss");
        assertEq(mm, 0);
    }

    function test_evaluateGroup_SettledHasNoRequirement() public pure {
        MarginLib.GroupParams memory p = _params();
        (p.tau, p.settled) = (0, true);
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(1_900e18, -3e18, true), p);
        assertEq(value, -300e18);
        assertEq(im, 0);
        assertEq(mm, 0);
    }

    /// INV-7: long value rounds down and short liability rounds up, so a long and a short of the same series (two
    /// accounts) never sum to a positive value.
    function test_evaluateGroup_RoundsAgainstTheAccount() public pure {
        MarginLib.GroupParams memory p = _params();
        uint256 mark = _call(2_100e18);
        (int256 longValue, , ) = MarginLib.evaluateGroup(_one(2_100e18, 1, true), p);
        (int256 shortValue, uint256 im, ) = MarginLib.evaluateGroup(_one(2_100e18, -1, true), p);
        (uint256 imVega, ) = _vegaAddOns(p, 2_100e18);
        assertEq(longValue, int256(mark / WAD), "long rounds down");
        assertEq(shortValue, -int256(mark / WAD + 1), "short rounds up");
        assertEq(im, (200e18 + imVega + WAD - 1) / WAD, "requirement: 1 wei x unit, rounded up");
        assertLe(longValue + shortValue, 0);
    }

    /// Under these rules a long leg CAN raise the requirement (a long call spread's cap is its value), but it never
    /// lowers value − req: see testFuzz_evaluateGroup_AddingLongNeverLowersMargin.
    function test_evaluateGroup_AddingLongCanRaiseRequirementButNotMargin() public pure {
        MarginLib.Leg[] memory spread = _two(MarginLib.Leg(2_000e18, 1e18, true), MarginLib.Leg(2_200e18, -1e18, true));
        (int256 v1, uint256 im1, ) = MarginLib.evaluateGroup(spread, _params());
        spread[0].size = 2e18;
        (int256 v2, uint256 im2, ) = MarginLib.evaluateGroup(spread, _params());
        assertGt(im2, im1, "req grew");
        assertGe(v2 - int256(im2), v1 - int256(im1), "margin did not shrink");
    }

    function test_evaluateGroup_IgnoresZeroSizes() public pure {
        MarginLib.GroupParams memory p = _params();
        MarginLib.Leg[] memory legs = _two(MarginLib.Leg(1_000e18, 0, true), MarginLib.Leg(2_200e18, -1e18, true));
        (int256 value, uint256 im, ) = MarginLib.evaluateGroup(legs, p);
        (uint256 imVega, ) = _vegaAddOns(p, 2_200e18);
        assertEq(value, -int256(_call(2_200e18)));
        assertEq(im, 200e18 + imVega);
    }

    /// Zero vega parameters and r = 0 give back the v1 rule (max(a·S − OTM, b·S), OTM against K).
    function test_evaluateGroup_ZeroVegaParamsIsBaseOnly() public pure {
        MarginLib.GroupParams memory p = _params();
        (p.imVegaSlope, p.mmVegaSlope) = (0, 0);
        (, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(2_200e18, -1e18, true), p);
        assertEq(im, 200e18);
        assertEq(mm, 150e18);
    }

    function test_evaluateGroup_MaxSizeAccepted() public pure {
        int256 size = -type(int96).max;
        (int256 value, uint256 im, ) = MarginLib.evaluateGroup(_one(2_200e18, size, true), _params());
        assertLt(value, 0);
        assertGt(im, 0);
    }

    function test_evaluateGroup_RevertWhen_UnsortedLegs() public {
        MarginLib.Leg[] memory legs = _two(MarginLib.Leg(2_200e18, -1e18, true), MarginLib.Leg(2_000e18, 1e18, true));
        vm.expectRevert(abi.encodeWithSelector(MarginLib.MarginLib_UnsortedLegs.selector, 1, 2_000e18, 2_200e18));
        harness.evaluateGroup(legs, _params());
    }

    function test_evaluateGroup_RevertWhen_SizeOutOfRange() public {
        // The position word's size field is int96: |size| <= 2^95 − 1 (−2^95 is refused too).
        int256 size = -type(int96).max - 1;
        vm.expectRevert(abi.encodeWithSelector(MarginLib.MarginLib_LegOutOfRange.selector, 0, 2_200e18, size));
        harness.evaluateGroup(_one(2_200e18, size, true), _params());
        size = int256(type(int96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(MarginLib.MarginLib_LegOutOfRange.selector, 0, 2_200e18, size));
        harness.evaluateGroup(_one(2_200e18, size, true), _params());
    }

    function test_evaluateGroup_RevertWhen_StrikeOutOfRange() public {
        uint256 strike = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(MarginLib.MarginLib_LegOutOfRange.selector, 0, strike, -1e18));
        harness.evaluateGroup(_one(strike, -1e18, true), _params());
    }

    function test_evaluateGroup_RevertWhen_PriceOutOfRange() public {
        MarginLib.GroupParams memory p = _params();
        (p.price, p.tau) = (uint256(type(uint112).max) + 1, 0);
        vm.expectRevert(abi.encodeWithSelector(MarginLib.MarginLib_PriceOutOfRange.selector, p.price));
        harness.evaluateGroup(_one(2_200e18, -1e18, true), p);
    }

    function test_evaluateGroup_RevertWhen_SpotOutsideDomain() public {
        MarginLib.GroupParams memory p = _params();
        p.price = 1;
        // `prepare` checks the group inputs (spot in both slots); `priceAt` then checks each strike.
        vm.expectRevert(abi.encodeWithSelector(BlackScholes.BlackScholes_OutOfDomain.selector, 1, 1, p.tau, p.vol, 0));
        harness.evaluateGroup(_one(2_200e18, -1e18, true), p);
    }

    function test_evaluateGroup_RevertWhen_StrikeOutsideDomain() public {
        // S/K > 1e9: prepare passes, priceAt refuses the strike.
        vm.expectRevert(abi.encodeWithSelector(BlackScholes.BlackScholes_OutOfDomain.selector, S, 1e12, 0, 0, 0));
        harness.evaluateGroup(_one(1e12, -1e18, true), _params());
    }

    function test_evaluateGroup_RevertWhen_NegativeRate() public {
        MarginLib.GroupParams memory p = _params();
        p.rate = -1;
        vm.expectRevert(abi.encodeWithSelector(MarginLib.MarginLib_NegativeRate.selector, int256(-1)));
        harness.evaluateGroup(_one(2_200e18, -1e18, true), p);
        // Also once expired or settled: the rate is a parameter, refused whatever the group's state.
        (p.tau, p.settled) = (0, true);
        vm.expectRevert(abi.encodeWithSelector(MarginLib.MarginLib_NegativeRate.selector, int256(-1)));
        harness.evaluateGroup(_one(2_200e18, -1e18, true), p);
    }

    function testFuzz_evaluateGroup_RevertWhen_NegativeRate(uint256 seed, int256 rate) public {
        (MarginLib.Leg[] memory legs, MarginLib.GroupParams memory p) = _randomGroup(seed);
        p.rate = bound(rate, type(int256).min, -1);
        vm.expectRevert(abi.encodeWithSelector(MarginLib.MarginLib_NegativeRate.selector, p.rate));
        harness.evaluateGroup(legs, p);
    }

    // ---------------------------------------------------------------- lossUpTo

    function test_lossUpTo_NakedShortCallGrowsWithUpTo() public view {
        MarginLib.Leg[] memory legs = _one(2_200e18, -2e18, true);
        assertEq(harness.lossUpTo(legs, 2_000e18), 0, "below the strike: no loss");
        assertEq(harness.lossUpTo(legs, 3_000e18), 1_600e18, "2 x (3000 - 2200)");
    }

    function test_lossUpTo_ShortPutIsStrikeAtZero() public view {
        assertEq(harness.lossUpTo(_one(1_800e18, -1e18, false), 0), 1_800e18);
        assertEq(harness.lossUpTo(_one(1_800e18, -1e18, false), 5_000e18), 1_800e18);
    }

    function test_lossUpTo_BoundedGroupIsMaxLossAboveLastStrike() public view {
        MarginLib.Leg[] memory legs = new MarginLib.Leg[](4);
        legs[0] = MarginLib.Leg(1_600e18, 1e18, false);
        legs[1] = MarginLib.Leg(1_800e18, -1e18, false);
        legs[2] = MarginLib.Leg(2_200e18, -1e18, true);
        legs[3] = MarginLib.Leg(2_500e18, 1e18, true);
        assertEq(harness.lossUpTo(legs, 2_100e18), 200e18, "put wing only");
        assertEq(harness.lossUpTo(legs, 2_300e18), 200e18);
        assertEq(harness.lossUpTo(legs, 2_400e18), 200e18, "call wing reaches 200 at 2400");
        assertEq(harness.lossUpTo(legs, 2_450e18), 250e18);
        assertEq(harness.lossUpTo(legs, 10_000e18), 300e18, "the call wing's width");
        (uint256 loss, ) = MarginLib.maxLoss(legs);
        assertEq(loss, 300e18);
    }

    function test_lossUpTo_RoundsUp() public view {
        assertEq(harness.lossUpTo(_one(2_000e18, -1, true), 2_000e18 + 1), 1, "1 wei x 1 wei = 1e-36: rounds up to 1");
    }

    function test_lossUpTo_RevertWhen_UpToOutOfRange() public {
        uint256 upTo = uint256(type(uint112).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(MarginLib.MarginLib_PriceOutOfRange.selector, upTo));
        harness.lossUpTo(_one(2_000e18, -1e18, true), upTo);
    }

    function test_lossUpTo_RevertWhen_UnsortedLegs() public {
        MarginLib.Leg[] memory legs = _two(MarginLib.Leg(2_200e18, -1e18, true), MarginLib.Leg(2_000e18, 1e18, true));
        vm.expectRevert(abi.encodeWithSelector(MarginLib.MarginLib_UnsortedLegs.selector, 1, 2_000e18, 2_200e18));
        harness.lossUpTo(legs, S);
    }

    /// lossUpTo equals a brute-force minimum of the payoff over {0} ∪ {strikes <= upTo} ∪ {upTo}, and no sampled
    /// price in [0, upTo] does worse.
    function testFuzz_lossUpTo_MatchesBruteForce(uint256 seed, uint256 upToSeed) public pure {
        (MarginLib.Leg[] memory legs, ) = _randomGroup(seed);
        uint256 upTo = upToSeed % 3 == 0 ? legs[upToSeed % legs.length].strike : bound(upToSeed, 0, 6_000e18);
        uint256[] memory words = MarginLib.toWords(legs);
        uint256 loss = MarginLib.lossUpTo(words, 0, words.length, upTo);
        int256 minPayoff = _payoffAt(legs, 0);
        for (uint256 i; i < legs.length; ++i) {
            if (legs[i].strike <= upTo) minPayoff = _min(minPayoff, _payoffAt(legs, legs[i].strike));
        }
        minPayoff = _min(minPayoff, _payoffAt(legs, upTo));
        uint256 expected = minPayoff >= 0 ? 0 : (uint256(-minPayoff) + WAD - 1) / WAD;
        assertEq(loss, expected);
        for (uint256 i; i < 8; ++i) {
            uint256 st = upTo == 0 ? 0 : uint256(keccak256(abi.encode(seed, "st", i))) % (upTo + 1);
            assertGe(_payoffAt(legs, st), -int256(loss * WAD));
        }
        // Bounded groups: at or above the last strike, lossUpTo is the maximum loss.
        (uint256 maxLoss_, bool bounded) = MarginLib.maxLoss(legs);
        if (bounded && upTo >= legs[legs.length - 1].strike) assertEq(loss, maxLoss_, "= maxLoss");
        if (bounded) assertLe(loss, maxLoss_, "<= maxLoss");
    }

    /// lossUpTo is non-decreasing in upTo.
    function testFuzz_lossUpTo_MonotoneInUpTo(uint256 seed, uint256 a, uint256 b) public pure {
        (MarginLib.Leg[] memory legs, ) = _randomGroup(seed);
        a = bound(a, 0, 6_000e18);
        b = bound(b, a, 6_000e18);
        uint256[] memory words = MarginLib.toWords(legs);
        assertLe(MarginLib.lossUpTo(words, 0, words.length, a), MarginLib.lossUpTo(words, 0, words.length, b));
    }

    // ---------------------------------------------------------------- packed words

    /// evaluateWords on a sub-range [start, end) of a larger array equals evaluateGroup on those legs alone.
    function testFuzz_evaluateWords_SubRangeEqualsGroup(
        uint256 seed,
        uint256 seedBefore,
        uint256 seedAfter
    ) public pure {
        (MarginLib.Leg[] memory legs, MarginLib.GroupParams memory p) = _randomGroup(seed);
        (MarginLib.Leg[] memory before_, ) = _randomGroup(seedBefore);
        (MarginLib.Leg[] memory after_, ) = _randomGroup(seedAfter);
        (uint256[] memory all, uint256 start, uint256 end) = _embed(before_, legs, after_);
        _checkSubRange(all, start, end, legs, p);
    }

    function _checkSubRange(
        uint256[] memory all,
        uint256 start,
        uint256 end,
        MarginLib.Leg[] memory legs,
        MarginLib.GroupParams memory p
    ) internal pure {
        (int256 v1, uint256 im1, uint256 mm1) = MarginLib.evaluateGroup(legs, p);
        (int256 v2, uint256 im2, uint256 mm2) = MarginLib.evaluateWords(all, start, end, p);
        assertEq(v1, v2);
        assertEq(im1, im2);
        assertEq(mm1, mm2);
        uint256[] memory inner = MarginLib.toWords(legs);
        assertEq(MarginLib.lossUpTo(all, start, end, p.price), MarginLib.lossUpTo(inner, 0, inner.length, p.price));
    }

    /// Words of `a ++ legs ++ c` and the range of `legs` in it.
    function _embed(
        MarginLib.Leg[] memory a,
        MarginLib.Leg[] memory legs,
        MarginLib.Leg[] memory c
    ) internal pure returns (uint256[] memory all, uint256 start, uint256 end) {
        uint256[] memory wa = MarginLib.toWords(a);
        uint256[] memory wl = MarginLib.toWords(legs);
        uint256[] memory wc = MarginLib.toWords(c);
        all = new uint256[](wa.length + wl.length + wc.length);
        (start, end) = (wa.length, wa.length + wl.length);
        for (uint256 i; i < wa.length; ++i) all[i] = wa[i];
        for (uint256 i; i < wl.length; ++i) all[start + i] = wl[i];
        for (uint256 i; i < wc.length; ++i) all[end + i] = wc[i];
    }

    /// Words carry the SeriesId's other fields (underlying, expiry) above the strike: they are ignored.
    function testFuzz_evaluateWords_IgnoresSeriesHighBits(uint256 seed, uint56 high) public pure {
        (MarginLib.Leg[] memory legs, MarginLib.GroupParams memory p) = _randomGroup(seed);
        uint256[] memory words = MarginLib.toWords(legs);
        uint256[] memory tagged = new uint256[](words.length);
        for (uint256 i; i < words.length; ++i) tagged[i] = words[i] | (uint256(high) << 200);
        (int256 v1, uint256 im1, uint256 mm1) = MarginLib.evaluateWords(words, 0, words.length, p);
        (int256 v2, uint256 im2, uint256 mm2) = MarginLib.evaluateWords(tagged, 0, tagged.length, p);
        assertEq(v1, v2);
        assertEq(im1, im2);
        assertEq(mm1, mm2);
    }

    // ---------------------------------------------------------------- JSON vectors shared with sdk/model

    function test_evaluateGroup_MatchesExampleVectors() public view {
        _checkVectors("test/vectors/group-examples.json");
    }

    function test_evaluateGroup_MatchesRandomVectors() public view {
        _checkVectors("test/vectors/group-random.json");
    }

    function _checkVectors(string memory file) internal view {
        string memory json = vm.readFile(file);
        uint256 count = vm.parseJsonUint(json, ".count");
        assertGt(count, 0);
        for (uint256 i; i < count; ++i) {
            string memory at = string.concat(".groups[", vm.toString(i), "]");
            _checkGroupVector(json, at);
            _checkLossVector(json, at);
        }
    }

    function _checkGroupVector(string memory json, string memory at) internal pure {
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(
            _vectorLegs(json, at),
            _vectorParams(json, string.concat(at, ".params"))
        );
        string memory name = vm.parseJsonString(json, string.concat(at, ".name"));
        assertEq(value, vm.parseJsonInt(json, string.concat(at, ".expected.value")), name);
        assertEq(im, vm.parseJsonUint(json, string.concat(at, ".expected.imReq")), name);
        assertEq(mm, vm.parseJsonUint(json, string.concat(at, ".expected.mmReq")), name);
    }

    function _checkLossVector(string memory json, string memory at) internal pure {
        MarginLib.Leg[] memory legs = _vectorLegs(json, at);
        string memory name = vm.parseJsonString(json, string.concat(at, ".name"));
        (uint256 loss, bool bounded) = MarginLib.maxLoss(legs);
        assertEq(loss, vm.parseJsonUint(json, string.concat(at, ".expected.maxLoss")), name);
        assertEq(bounded, vm.parseJsonBool(json, string.concat(at, ".expected.bounded")), name);
        uint256[] memory words = MarginLib.toWords(legs);
        uint256 upTo = vm.parseJsonUint(json, string.concat(at, ".upTo"));
        uint256 expected = vm.parseJsonUint(json, string.concat(at, ".expected.lossUpTo"));
        assertEq(MarginLib.lossUpTo(words, 0, words.length, upTo), expected, name);
    }

    function _vectorLegs(string memory json, string memory at) internal pure returns (MarginLib.Leg[] memory legs) {
        uint256[] memory strikes = vm.parseJsonUintArray(json, string.concat(at, ".strikes"));
        int256[] memory sizes = vm.parseJsonIntArray(json, string.concat(at, ".sizes"));
        bool[] memory isCall = vm.parseJsonBoolArray(json, string.concat(at, ".isCall"));
        legs = new MarginLib.Leg[](strikes.length);
        for (uint256 j; j < strikes.length; ++j) {
            legs[j] = MarginLib.Leg(strikes[j], sizes[j], isCall[j]);
        }
    }

    function _vectorParams(
        string memory json,
        string memory pp
    ) internal pure returns (MarginLib.GroupParams memory p) {
        p.price = vm.parseJsonUint(json, string.concat(pp, ".price"));
        p.vol = vm.parseJsonUint(json, string.concat(pp, ".vol"));
        p.tau = vm.parseJsonUint(json, string.concat(pp, ".tau"));
        p.rate = vm.parseJsonInt(json, string.concat(pp, ".rate"));
        p.imBase = vm.parseJsonUint(json, string.concat(pp, ".imBase"));
        p.imFloor = vm.parseJsonUint(json, string.concat(pp, ".imFloor"));
        p.mmBase = vm.parseJsonUint(json, string.concat(pp, ".mmBase"));
        p.mmFloor = vm.parseJsonUint(json, string.concat(pp, ".mmFloor"));
        p.imVegaSlope = vm.parseJsonUint(json, string.concat(pp, ".imVegaSlope"));
        p.imVegaCap = vm.parseJsonUint(json, string.concat(pp, ".imVegaCap"));
        p.mmVegaSlope = vm.parseJsonUint(json, string.concat(pp, ".mmVegaSlope"));
        p.mmVegaCap = vm.parseJsonUint(json, string.concat(pp, ".mmVegaCap"));
        p.settled = vm.parseJsonBool(json, string.concat(pp, ".settled"));
    }

    // ---------------------------------------------------------------- fuzz

    /// Random group of 1..8 legs on a 100-wide strike grid, sizes in (−5, 5) contracts with odd wei, sorted; random
    /// parameters with every MM parameter <= its IM counterpart and rate in [0, 10%].
    function _randomGroup(
        uint256 seed
    ) internal pure returns (MarginLib.Leg[] memory legs, MarginLib.GroupParams memory p) {
        uint256 n = 1 + (seed % 8);
        legs = new MarginLib.Leg[](n);
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint256 strike = (500 + 100 * (r % 36)) * WAD;
            int256 size = (int256((r >> 8) % 11) - 5) * 1e18 + (int256((r >> 16) % 1e9) - 5e8);
            legs[i] = MarginLib.Leg(strike, size, (r >> 64) % 2 == 1);
        }
        _sort(legs);
        uint256 q = uint256(keccak256(abi.encode(seed, "params")));
        p.price = (500 + (q % 3_000)) * WAD + ((q >> 12) % 1e12);
        p.vol = 0.05e18 + ((q >> 64) % 2e18);
        p.tau = (q >> 96) % 4 == 0 ? 0 : 1 + ((q >> 100) % 365 days);
        p.rate = (q >> 140) % 2 == 0 ? int256(0) : int256((q >> 141) % 0.1e18);
        p.mmBase = (q >> 160) % 0.2e18;
        p.mmFloor = (q >> 180) % 0.1e18;
        p.imBase = p.mmBase + ((q >> 200) % 0.1e18);
        p.imFloor = p.mmFloor + ((q >> 220) % 0.05e18);
        uint256 w = uint256(keccak256(abi.encode(seed, "vega")));
        p.mmVegaSlope = w % 1.5e18;
        p.mmVegaCap = (w >> 64) % 0.5e18;
        p.imVegaSlope = p.mmVegaSlope + ((w >> 128) % 1e18);
        p.imVegaCap = p.mmVegaCap + ((w >> 192) % 0.3e18);
    }

    function _sort(MarginLib.Leg[] memory legs) internal pure {
        for (uint256 i = 1; i < legs.length; ++i) {
            MarginLib.Leg memory x = legs[i];
            uint256 j = i;
            while (j > 0 && legs[j - 1].strike > x.strike) {
                legs[j] = legs[j - 1];
                --j;
            }
            legs[j] = x;
        }
    }

    function testFuzz_evaluateGroup_MmNotAboveIm(uint256 seed) public pure {
        (MarginLib.Leg[] memory legs, MarginLib.GroupParams memory p) = _randomGroup(seed);
        (, uint256 im, uint256 mm) = MarginLib.evaluateGroup(legs, p);
        assertLe(mm, im);
    }

    /// The requirement never falls as the vega add-on grows (slope or cap), all else equal.
    function testFuzz_evaluateGroup_MonotoneInVegaParams(
        uint256 seed,
        uint256 extraSlope,
        uint256 extraCap
    ) public pure {
        (MarginLib.Leg[] memory legs, MarginLib.GroupParams memory p) = _randomGroup(seed);
        (, uint256 im1, uint256 mm1) = MarginLib.evaluateGroup(legs, p);
        p.imVegaSlope += bound(extraSlope, 0, 2e18);
        p.imVegaCap += bound(extraCap, 0, 1e18);
        p.mmVegaSlope += bound(extraSlope, 0, 2e18) / 2;
        p.mmVegaCap += bound(extraCap, 0, 1e18) / 2;
        (, uint256 im2, uint256 mm2) = MarginLib.evaluateGroup(legs, p);
        assertGe(im2, im1, "IM");
        assertGe(mm2, mm1, "MM");
    }

    /// The defined-risk rule: when the payoff is bounded, a positive requirement never makes the margin held for the
    /// group exceed its maximum loss at expiry (rate >= 0: a bounded group's value is >= −L·e^{−rτ} >= −L).
    function testFuzz_evaluateGroup_HeldMarginAtMostMaxLoss(uint256 seed) public pure {
        (MarginLib.Leg[] memory legs, MarginLib.GroupParams memory p) = _randomGroup(seed);
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(legs, p);
        (uint256 loss, bool bounded) = MarginLib.maxLoss(legs);
        if (!bounded) return;
        if (im != 0) assertLe(_held(value, im), int256(loss), "IM");
        if (mm != 0) assertLe(_held(value, mm), int256(loss), "MM");
        // And the value itself is never below −L beyond the legs' rounding (the cap's premise, rate >= 0).
        assertGe(value + int256(legs.length) + 1, -int256(loss), "value >= -L");
    }

    /// A single short put never needs more than its strike per contract (unit capped at K).
    function testFuzz_evaluateGroup_ShortPutUnitAtMostStrike(uint256 seed, uint256 strikeSeed) public pure {
        (, MarginLib.GroupParams memory p) = _randomGroup(seed);
        uint256 strike = (100 + 100 * (strikeSeed % 60)) * WAD;
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(strike, -1e18, false), p);
        assertLe(im, strike);
        assertLe(mm, strike);
        if (im != 0) assertLe(_held(value, im), int256(strike), "held <= K");
    }

    /// Adding a long leg (valued at its mark) never lowers value − req: the account is never penalized for buying
    /// protection. (req itself may grow: a long call spread's requirement is its value.)
    function testFuzz_evaluateGroup_AddingLongNeverLowersMargin(
        uint256 seed,
        uint256 strikeSeed,
        uint256 sizeSeed,
        bool isCall
    ) public pure {
        (MarginLib.Leg[] memory legs, MarginLib.GroupParams memory p) = _randomGroup(seed);
        (int256 v1, uint256 im1, uint256 mm1) = MarginLib.evaluateGroup(legs, p);
        MarginLib.Leg[] memory more = new MarginLib.Leg[](legs.length + 1);
        for (uint256 i; i < legs.length; ++i) {
            more[i] = legs[i];
        }
        more[legs.length] = MarginLib.Leg(
            (500 + 100 * (strikeSeed % 36)) * WAD,
            int256(bound(sizeSeed, 1, 5e18)),
            isCall
        );
        _sort(more);
        (int256 v2, uint256 im2, uint256 mm2) = MarginLib.evaluateGroup(more, p);
        assertGe(v2 - int256(im2), v1 - int256(im1), "IM margin");
        assertGe(v2 - int256(mm2), v1 - int256(mm1), "MM margin");
    }

    function testFuzz_evaluateGroup_LongOnlyNeedsNothing(uint256 seed) public pure {
        (MarginLib.Leg[] memory legs, MarginLib.GroupParams memory p) = _randomGroup(seed);
        for (uint256 i; i < legs.length; ++i) {
            if (legs[i].size < 0) legs[i].size = -legs[i].size;
        }
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(legs, p);
        assertGe(value, 0);
        assertEq(im, 0);
        assertEq(mm, 0);
    }

    function testFuzz_evaluateGroup_SettledNeedsNothing(uint256 seed) public pure {
        (MarginLib.Leg[] memory legs, MarginLib.GroupParams memory p) = _randomGroup(seed);
        p.settled = true;
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(legs, p);
        assertEq(im, 0);
        assertEq(mm, 0);
        // Settled value is the exact payoff at the settlement price, rounded against the account per leg.
        int256 payoff;
        for (uint256 i; i < legs.length; ++i) {
            payoff += legs[i].size * _intrinsic(legs[i], p.price);
        }
        assertLe(value, payoff / 1e18 + 1);
        assertGe(value, payoff / 1e18 - int256(legs.length) - 1);
    }

    function testFuzz_maxLoss_MatchesBruteForce(uint256 seed) public pure {
        (MarginLib.Leg[] memory legs, ) = _randomGroup(seed);
        (uint256 loss, bool bounded) = MarginLib.maxLoss(legs);
        int256 callSizes;
        for (uint256 i; i < legs.length; ++i) {
            if (legs[i].isCall) callSizes += legs[i].size;
        }
        assertEq(bounded, callSizes >= 0, "bounded iff sum of call sizes >= 0");
        if (!bounded) return;
        // O(k²): the payoff at 0 and at every strike, each computed from scratch.
        int256 minPayoff = _payoffAt(legs, 0);
        for (uint256 i; i < legs.length; ++i) {
            minPayoff = _min(minPayoff, _payoffAt(legs, legs[i].strike));
        }
        uint256 expected = minPayoff >= 0 ? 0 : (uint256(-minPayoff) + WAD - 1) / WAD;
        assertEq(loss, expected);
        // And the payoff is never below −loss anywhere in between or beyond.
        for (uint256 i; i < 8; ++i) {
            uint256 st = uint256(keccak256(abi.encode(seed, "st", i))) % 5_000e18;
            assertGe(_payoffAt(legs, st), -int256(loss * WAD));
        }
    }

    function _min(int256 a, int256 b) internal pure returns (int256) {
        return a < b ? a : b;
    }

    function _intrinsic(MarginLib.Leg memory leg, uint256 st) internal pure returns (int256) {
        if (leg.isCall) return st > leg.strike ? int256(st - leg.strike) : int256(0);
        return leg.strike > st ? int256(leg.strike - st) : int256(0);
    }

    function _payoffAt(MarginLib.Leg[] memory legs, uint256 st) internal pure returns (int256 total) {
        for (uint256 i; i < legs.length; ++i) {
            total += legs[i].size * _intrinsic(legs[i], st);
        }
    }
}
