// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

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

    /// The worked-example parameters of docs/margin.md: S = 2000, σ = 80%, 30 days, r = 0, IM 15%/10%, MM 10%/5%.
    function _params() internal pure returns (MarginLib.GroupParams memory) {
        return MarginLib.GroupParams({
            price: S,
            vol: 0.8e18,
            tau: 30 days,
            rate: 0,
            imBase: 0.15e18,
            imFloor: 0.1e18,
            mmBase: 0.1e18,
            mmFloor: 0.05e18,
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

    function _call(uint256 strike) internal pure returns (uint256 c) {
        (c,) = BlackScholes.price(S, strike, 30 days, 0.8e18, 0);
    }

    function _put(uint256 strike) internal pure returns (uint256 p) {
        (, p) = BlackScholes.price(S, strike, 30 days, 0.8e18, 0);
    }

    /// Margin held for the group: what the account sets aside beyond its cash, −value + req.
    function _held(int256 value, uint256 req) internal pure returns (int256) {
        return -value + int256(req);
    }

    // ---------------------------------------------------------------- worked examples (docs/margin.md)

    function test_evaluateGroup_NakedShortCall() public pure {
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(2_200e18, -1e18, true), _params());
        assertEq(value, -int256(_call(2_200e18)), "value = -mark");
        assertEq(im, 200e18, "IM = max(0.15*2000 - 200, 0.10*2000)");
        assertEq(mm, 100e18, "MM = max(0.10*2000 - 200, 0.05*2000)");
    }

    function test_evaluateGroup_NakedShortItmCall() public pure {
        (, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(1_800e18, -1e18, true), _params());
        assertEq(im, 300e18, "IM = 0.15*2000");
        assertEq(mm, 200e18, "MM = 0.10*2000");
    }

    function test_evaluateGroup_NakedShortPut() public pure {
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(1_800e18, -1e18, false), _params());
        assertEq(value, -int256(_put(1_800e18)));
        assertEq(im, 200e18, "IM = max(300 - 200, 200)");
        assertEq(mm, 100e18, "MM = max(200 - 200, 100)");
    }

    function test_evaluateGroup_ShortPutCappedAtStrike() public pure {
        // b·S = 200 > K = 100: the base is capped at K; the max-loss cap then holds K in total.
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(100e18, -1e18, false), _params());
        assertLe(im, 100e18, "base capped at K");
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
        MarginLib.Leg[] memory legs = _two(MarginLib.Leg(2_000e18, 1e18, true), MarginLib.Leg(2_200e18, -2e18, true));
        (, uint256 im, uint256 mm) = MarginLib.evaluateGroup(legs, _params());
        assertEq(im, 400e18, "2 x max(100, 200)");
        assertEq(mm, 200e18, "2 x max(0, 100)");
        (, bool bounded) = MarginLib.maxLoss(legs);
        assertFalse(bounded);
    }

    function test_evaluateGroup_StraddleSharesOneEvaluation() public pure {
        MarginLib.Leg[] memory legs = _two(MarginLib.Leg(2_000e18, -1e18, false), MarginLib.Leg(2_000e18, -1e18, true));
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(legs, _params());
        assertEq(value, -int256(_call(2_000e18) + _put(2_000e18)));
        assertEq(im, 600e18);
        assertEq(mm, 400e18);
    }

    function test_evaluateGroup_ExpiredAwaitingSettlementKeepsBase() public pure {
        MarginLib.GroupParams memory p = _params();
        p.tau = 0;
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(_one(1_900e18, -1e18, true), p);
        assertEq(value, -100e18, "intrinsic");
        assertEq(im, 300e18);
        assertEq(mm, 200e18);
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
        uint256 mark = _call(2_100e18);
        (int256 longValue,,) = MarginLib.evaluateGroup(_one(2_100e18, 1, true), _params());
        (int256 shortValue, uint256 im,) = MarginLib.evaluateGroup(_one(2_100e18, -1, true), _params());
        assertEq(longValue, int256(mark / WAD), "long rounds down");
        assertEq(shortValue, -int256(mark / WAD + 1), "short rounds up");
        assertEq(im, 200, "requirement: 1 wei x 200 per contract");
        assertLe(longValue + shortValue, 0);
    }

    /// Under these rules a long leg CAN raise the requirement (a long call spread's cap is its value), but it never
    /// lowers value − req: see testFuzz_evaluateGroup_AddingLongNeverLowersMargin.
    function test_evaluateGroup_AddingLongCanRaiseRequirementButNotMargin() public pure {
        MarginLib.Leg[] memory spread =
            _two(MarginLib.Leg(2_000e18, 1e18, true), MarginLib.Leg(2_200e18, -1e18, true));
        (int256 v1, uint256 im1,) = MarginLib.evaluateGroup(spread, _params());
        spread[0].size = 2e18;
        (int256 v2, uint256 im2,) = MarginLib.evaluateGroup(spread, _params());
        assertGt(im2, im1, "req grew");
        assertGe(v2 - int256(im2), v1 - int256(im1), "margin did not shrink");
    }

    function test_evaluateGroup_IgnoresZeroSizes() public pure {
        MarginLib.Leg[] memory legs = _two(MarginLib.Leg(1_000e18, 0, true), MarginLib.Leg(2_200e18, -1e18, true));
        (int256 value, uint256 im,) = MarginLib.evaluateGroup(legs, _params());
        assertEq(value, -int256(_call(2_200e18)));
        assertEq(im, 200e18);
    }

    function test_evaluateGroup_RevertWhen_UnsortedLegs() public {
        MarginLib.Leg[] memory legs = _two(MarginLib.Leg(2_200e18, -1e18, true), MarginLib.Leg(2_000e18, 1e18, true));
        vm.expectRevert(abi.encodeWithSelector(MarginLib.MarginLib_UnsortedLegs.selector, 1, 2_000e18, 2_200e18));
        harness.evaluateGroup(legs, _params());
    }

    function test_evaluateGroup_RevertWhen_SizeOutOfRange() public {
        int256 size = -type(int128).max - 1;
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
        vm.expectRevert(
            abi.encodeWithSelector(
                BlackScholes.BlackScholes_OutOfDomain.selector, 1, 2_200e18, p.tau, p.vol, p.rate
            )
        );
        harness.evaluateGroup(_one(2_200e18, -1e18, true), p);
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
            (int256 value, uint256 im, uint256 mm) =
                MarginLib.evaluateGroup(_vectorLegs(json, at), _vectorParams(json, string.concat(at, ".params")));
            string memory name = vm.parseJsonString(json, string.concat(at, ".name"));
            assertEq(value, vm.parseJsonInt(json, string.concat(at, ".expected.value")), name);
            assertEq(im, vm.parseJsonUint(json, string.concat(at, ".expected.imReq")), name);
            assertEq(mm, vm.parseJsonUint(json, string.concat(at, ".expected.mmReq")), name);
        }
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

    function _vectorParams(string memory json, string memory pp)
        internal
        pure
        returns (MarginLib.GroupParams memory p)
    {
        p.price = vm.parseJsonUint(json, string.concat(pp, ".price"));
        p.vol = vm.parseJsonUint(json, string.concat(pp, ".vol"));
        p.tau = vm.parseJsonUint(json, string.concat(pp, ".tau"));
        p.rate = vm.parseJsonInt(json, string.concat(pp, ".rate"));
        p.imBase = vm.parseJsonUint(json, string.concat(pp, ".imBase"));
        p.imFloor = vm.parseJsonUint(json, string.concat(pp, ".imFloor"));
        p.mmBase = vm.parseJsonUint(json, string.concat(pp, ".mmBase"));
        p.mmFloor = vm.parseJsonUint(json, string.concat(pp, ".mmFloor"));
        p.settled = vm.parseJsonBool(json, string.concat(pp, ".settled"));
    }

    // ---------------------------------------------------------------- fuzz

    /// Random group of 1..8 legs on a 100-wide strike grid, sizes in (−5, 5) contracts with odd wei, sorted.
    function _randomGroup(uint256 seed) internal pure returns (MarginLib.Leg[] memory legs, MarginLib.GroupParams memory p) {
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
        p.price = (500 + (q % 3_000)) * WAD + (q >> 12) % 1e12;
        p.vol = 0.05e18 + (q >> 64) % 2e18;
        p.tau = (q >> 96) % 4 == 0 ? 0 : 1 + (q >> 100) % 365 days;
        p.rate = (q >> 140) % 2 == 0 ? int256(0) : int256((q >> 141) % 0.2e18) - 0.1e18;
        p.mmBase = (q >> 160) % 0.2e18;
        p.mmFloor = (q >> 180) % 0.1e18;
        p.imBase = p.mmBase + (q >> 200) % 0.1e18;
        p.imFloor = p.mmFloor + (q >> 220) % 0.05e18;
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

    /// The defined-risk rule: when the payoff is bounded, a positive requirement never makes the margin held for the
    /// group exceed its maximum loss at expiry.
    function testFuzz_evaluateGroup_HeldMarginAtMostMaxLoss(uint256 seed) public pure {
        (MarginLib.Leg[] memory legs, MarginLib.GroupParams memory p) = _randomGroup(seed);
        (int256 value, uint256 im, uint256 mm) = MarginLib.evaluateGroup(legs, p);
        (uint256 loss, bool bounded) = MarginLib.maxLoss(legs);
        if (!bounded) return;
        if (im != 0) assertLe(_held(value, im), int256(loss), "IM");
        if (mm != 0) assertLe(_held(value, mm), int256(loss), "MM");
    }

    /// Adding a long leg (valued at its mark) never lowers value − req: the account is never penalized for buying
    /// protection. (req itself may grow: a long call spread's requirement is its value.)
    function testFuzz_evaluateGroup_AddingLongNeverLowersMargin(uint256 seed, uint256 strikeSeed, uint256 sizeSeed, bool isCall)
        public
        pure
    {
        (MarginLib.Leg[] memory legs, MarginLib.GroupParams memory p) = _randomGroup(seed);
        (int256 v1, uint256 im1, uint256 mm1) = MarginLib.evaluateGroup(legs, p);
        MarginLib.Leg[] memory more = new MarginLib.Leg[](legs.length + 1);
        for (uint256 i; i < legs.length; ++i) {
            more[i] = legs[i];
        }
        more[legs.length] = MarginLib.Leg((500 + 100 * (strikeSeed % 36)) * WAD, int256(bound(sizeSeed, 1, 5e18)), isCall);
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
        (MarginLib.Leg[] memory legs,) = _randomGroup(seed);
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
            int256 v = _payoffAt(legs, legs[i].strike);
            if (v < minPayoff) minPayoff = v;
        }
        uint256 expected = minPayoff >= 0 ? 0 : (uint256(-minPayoff) + WAD - 1) / WAD;
        assertEq(loss, expected);
        // And the payoff is never below −loss anywhere in between or beyond.
        for (uint256 i; i < 8; ++i) {
            uint256 st = uint256(keccak256(abi.encode(seed, "st", i))) % 5_000e18;
            assertGe(_payoffAt(legs, st), -int256(loss * WAD));
        }
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
