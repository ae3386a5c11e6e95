// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";

import {BlackScholes} from "../../contracts/libraries/BlackScholes.sol";
import {MathHarness} from "../../contracts/mocks/MathHarness.sol";

contract BlackScholesTest is Test {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant S = 2_000e18;
    string internal constant VECTORS = "test/vectors/bs-vectors.json";

    MathHarness internal harness;

    function setUp() public {
        harness = new MathHarness();
    }

    // ---------------------------------------------------------------- pinned vectors

    /// Every vector: exact equality with the pinned contract output, and |error| <= spot/1e8 against the 60-digit
    /// reference.
    function test_price_MatchesPinnedVectors() public view {
        string memory json = vm.readFile(VECTORS);
        uint256 count = vm.parseJsonUint(json, ".count");
        assertGt(count, 50, "vector count");
        for (uint256 i; i < count; ++i) {
            string memory at = string.concat(".vectors[", vm.toString(i), "]");
            uint256 spot = vm.parseJsonUint(json, string.concat(at, ".spot"));
            (uint256 call, uint256 put) = BlackScholes.price(
                spot,
                vm.parseJsonUint(json, string.concat(at, ".strike")),
                vm.parseJsonUint(json, string.concat(at, ".tau")),
                vm.parseJsonUint(json, string.concat(at, ".vol")),
                vm.parseJsonInt(json, string.concat(at, ".rate"))
            );
            string memory name = vm.parseJsonString(json, string.concat(at, ".name"));
            assertEq(call, vm.parseJsonUint(json, string.concat(at, ".call")), string.concat(name, ": call pinned"));
            assertEq(put, vm.parseJsonUint(json, string.concat(at, ".put")), string.concat(name, ": put pinned"));
            uint256 tolerance = spot / 1e8;
            assertApproxEqAbs(call, vm.parseJsonUint(json, string.concat(at, ".callRef")), tolerance, name);
            assertApproxEqAbs(put, vm.parseJsonUint(json, string.concat(at, ".putRef")), tolerance, name);
        }
    }

    /// `priceAt(prepare(..))` reproduces the pinned prices, kd and vegaStd to the wei; vegaStd is within spot/1e12 of
    /// the 60-digit S·φ(d1)·σ√τ.
    function test_priceAt_MatchesPinnedVectors() public view {
        string memory json = vm.readFile(VECTORS);
        uint256 count = vm.parseJsonUint(json, ".count");
        for (uint256 i; i < count; ++i) {
            string memory at = string.concat(".vectors[", vm.toString(i), "]");
            _checkPriceAtVector(json, at);
        }
    }

    function _checkPriceAtVector(string memory json, string memory at) internal pure {
        uint256 spot = vm.parseJsonUint(json, string.concat(at, ".spot"));
        BlackScholes.Prepared memory g = BlackScholes.prepare(
            spot,
            vm.parseJsonUint(json, string.concat(at, ".tau")),
            vm.parseJsonUint(json, string.concat(at, ".vol")),
            vm.parseJsonInt(json, string.concat(at, ".rate"))
        );
        (uint256 call, uint256 put, uint256 kd, uint256 vegaStd) = BlackScholes.priceAt(
            g,
            vm.parseJsonUint(json, string.concat(at, ".strike"))
        );
        string memory name = vm.parseJsonString(json, string.concat(at, ".name"));
        assertEq(call, vm.parseJsonUint(json, string.concat(at, ".call")), string.concat(name, ": call"));
        assertEq(put, vm.parseJsonUint(json, string.concat(at, ".put")), string.concat(name, ": put"));
        assertEq(kd, vm.parseJsonUint(json, string.concat(at, ".kd")), string.concat(name, ": kd"));
        assertEq(vegaStd, vm.parseJsonUint(json, string.concat(at, ".vegaStd")), string.concat(name, ": vegaStd"));
        uint256 ref = vm.parseJsonUint(json, string.concat(at, ".vegaStdRef"));
        assertApproxEqAbs(vegaStd, ref, spot / 1e12 + 2, string.concat(name, ": vegaStd vs reference"));
    }

    function test_price_HarnessMatchesLibrary() public view {
        (uint256 c1, uint256 p1) = harness.price(S, 2_100e18, 30 days, 0.8e18, 0.03e18);
        (uint256 c2, uint256 p2) = BlackScholes.price(S, 2_100e18, 30 days, 0.8e18, 0.03e18);
        assertEq(c1, c2);
        assertEq(p1, p2);
    }

    // ---------------------------------------------------------------- special cases

    function test_price_ZeroTauIsIntrinsic() public pure {
        (uint256 call, uint256 put) = BlackScholes.price(S, 1_500e18, 0, 0.8e18, 0.05e18);
        assertEq(call, 500e18);
        assertEq(put, 0);
        (call, put) = BlackScholes.price(S, 2_500e18, 0, 0.8e18, -0.05e18);
        assertEq(call, 0);
        assertEq(put, 500e18);
    }

    function test_price_ZeroVolIsDiscountedForwardIntrinsic() public pure {
        // r = 10%, 1 year: S − K·e^{−0.1} = 2000 − 2100 · 0.904837418... = 99.8414221244848963...
        (uint256 call, uint256 put) = BlackScholes.price(S, 2_100e18, 365 days, 0, 0.1e18);
        assertApproxEqAbs(call, 99_841_422_124_484_896_355, 1e6);
        assertEq(put, 0);
    }

    function test_price_AtTheMoneyMatchesClosedForm() public pure {
        // r = 0, S = K: call = put = S·(2N(v/2) − 1) with v = 0.8·sqrt(30/365); 60-digit value 182.5968156369258709...
        (uint256 call, uint256 put) = BlackScholes.price(S, S, 30 days, 0.8e18, 0);
        assertEq(call, put, "parity at the money");
        assertApproxEqAbs(call, 182_596_815_636_925_870_921, S / 1e8);
    }

    function test_normCdf_KnownValues() public pure {
        assertEq(BlackScholes.normCdf(0), 0.5e18, "N(0)");
        assertApproxEqAbs(BlackScholes.normCdf(1e18), 841_344_746_068_542_948, 2, "N(1)");
        assertApproxEqAbs(BlackScholes.normCdf(-1.96e18), 24_997_895_148_220_434, 2, "N(-1.96)");
        assertApproxEqAbs(BlackScholes.normCdf(-5e18), 286_651_571_879, 1, "N(-5)");
        assertEq(BlackScholes.normCdf(-41e18), 0, "far lower tail");
        assertEq(BlackScholes.normCdf(41e18), WAD, "far upper tail");
    }

    function testFuzz_normCdf_MonotoneAndSymmetric(int256 x, int256 y) public pure {
        x = bound(x, -12e18, 12e18);
        y = bound(y, x, 12e18);
        uint256 nx = BlackScholes.normCdf(x);
        assertLe(nx, BlackScholes.normCdf(y) + 2, "monotone up to rounding");
        assertApproxEqAbs(nx + BlackScholes.normCdf(-x), WAD, 2, "N(x) + N(-x) = 1");
    }

    // ---------------------------------------------------------------- properties

    struct Input {
        uint256 spot;
        uint256 strike;
        uint256 tau;
        uint256 vol;
        int256 rate;
    }

    /// Maps raw fuzz words onto the whole domain (log-uniform prices, moneyness up to 1e9, any tau, vol and rate).
    function _input(
        uint256 spotSeed,
        uint256 moneySeed,
        uint256 tau,
        uint256 vol,
        int256 rate
    ) internal pure returns (Input memory in_) {
        in_.spot = bound(spotSeed, 1e12, 1e33);
        uint256 lo = (in_.spot + 1e9 - 1) / 1e9; // ceil: strike·1e9 >= spot
        if (lo < 1e12) lo = 1e12;
        uint256 hi = in_.spot > 1e24 ? 1e33 : in_.spot * 1e9;
        // Half the runs near the money, half anywhere in the moneyness range.
        if (moneySeed % 2 == 0) {
            uint256 near = in_.spot / 2;
            lo = lo > near ? lo : near;
            hi = hi < in_.spot * 2 ? hi : in_.spot * 2;
        }
        in_.strike = bound(moneySeed, lo, hi);
        in_.tau = bound(tau, 0, BlackScholes.MAX_TAU);
        in_.vol = bound(vol, 0, BlackScholes.MAX_VOL);
        in_.rate = bound(rate, -1e18, 1e18);
    }

    /// Approximation noise allowed in monotonicity checks: the scaled tail has relative error ~1.3e-16 on terms
    /// below spot, so 1e-14 · spot (plus a few wei) is a generous envelope.
    function _noise(uint256 spot) internal pure returns (uint256) {
        return spot / 1e14 + 10;
    }

    function testFuzz_price_CallNonDecreasingInSpot(
        uint256 spotSeed,
        uint256 moneySeed,
        uint256 tau,
        uint256 vol,
        int256 rate,
        uint256 bump
    ) public pure {
        Input memory a = _input(spotSeed, moneySeed, tau, vol, rate);
        uint256 spot2 = bound(bump, a.spot, a.spot * 2 < 1e33 ? a.spot * 2 : 1e33);
        if (spot2 > a.strike * 1e9) spot2 = a.strike * 1e9;
        (uint256 c1, uint256 p1) = BlackScholes.price(a.spot, a.strike, a.tau, a.vol, a.rate);
        (uint256 c2, uint256 p2) = BlackScholes.price(spot2, a.strike, a.tau, a.vol, a.rate);
        assertGe(c2 + _noise(spot2), c1, "call non-decreasing in spot");
        assertLe(p2, p1 + _noise(spot2), "put non-increasing in spot");
    }

    function testFuzz_price_NonDecreasingInVol(
        uint256 spotSeed,
        uint256 moneySeed,
        uint256 tau,
        uint256 vol,
        int256 rate,
        uint256 bump
    ) public pure {
        Input memory a = _input(spotSeed, moneySeed, tau, vol, rate);
        uint256 vol2 = bound(bump, a.vol, BlackScholes.MAX_VOL);
        (uint256 c1, uint256 p1) = BlackScholes.price(a.spot, a.strike, a.tau, a.vol, a.rate);
        (uint256 c2, uint256 p2) = BlackScholes.price(a.spot, a.strike, a.tau, vol2, a.rate);
        assertGe(c2 + _noise(a.spot), c1, "call non-decreasing in vol");
        assertGe(p2 + _noise(a.spot), p1, "put non-decreasing in vol");
    }

    /// call − put = S − K·e^{−rτ}, and no-arbitrage bounds 0 <= max(S − KD, 0) <= call <= S, put <= K·e^{−rτ}.
    function testFuzz_price_ParityAndBounds(
        uint256 spotSeed,
        uint256 moneySeed,
        uint256 tau,
        uint256 vol,
        int256 rate
    ) public pure {
        Input memory a = _input(spotSeed, moneySeed, tau, vol, rate);
        (uint256 call, uint256 put) = BlackScholes.price(a.spot, a.strike, a.tau, a.vol, a.rate);
        // Independent K·e^{−rτ}: e^{−rτ} from expWad; WAD rounding of it is ~1e-18 relative to 1/D <= e^5.
        int256 rt = (a.rate * int256(a.tau)) / int256(365 days);
        uint256 kd = FixedPointMathLib.fullMulDiv(a.strike, uint256(FixedPointMathLib.expWad(-rt)), WAD);
        uint256 tolerance = a.spot / 1e8 + a.strike / 1e15;
        assertApproxEqAbs(int256(call) - int256(put), int256(a.spot) - int256(kd), tolerance, "put-call parity");
        assertLe(call, a.spot, "call <= S");
        assertLe(put, kd + tolerance, "put <= K e^{-r tau}");
        if (a.spot > kd) assertGe(call + tolerance, a.spot - kd, "call >= S - K e^{-r tau}");
        else assertGe(put + tolerance, kd - a.spot, "put >= K e^{-r tau} - S");
    }

    function testFuzz_price_RateZeroParityIsExact(
        uint256 spotSeed,
        uint256 moneySeed,
        uint256 tau,
        uint256 vol
    ) public pure {
        Input memory a = _input(spotSeed, moneySeed, tau, vol, 0);
        (uint256 call, uint256 put) = BlackScholes.price(a.spot, a.strike, a.tau, a.vol, 0);
        // With r = 0 the discounted strike is exact and the integer formulas satisfy parity to the wei unless a
        // no-arbitrage clamp fired (approximation noise at the bounds).
        assertApproxEqAbs(int256(call) - int256(put), int256(a.spot) - int256(a.strike), _noise(a.spot));
    }

    // ---------------------------------------------------------------- prepare / priceAt

    /// The per-group split changes nothing: priceAt(prepare(S, τ, σ, r), K) == price(S, K, τ, σ, r) to the wei.
    function testFuzz_priceAt_EqualsPrice(
        uint256 spotSeed,
        uint256 moneySeed,
        uint256 tau,
        uint256 vol,
        int256 rate
    ) public pure {
        Input memory a = _input(spotSeed, moneySeed, tau, vol, rate);
        (uint256 call, uint256 put) = BlackScholes.price(a.spot, a.strike, a.tau, a.vol, a.rate);
        (uint256 c2, uint256 p2, uint256 kd, ) = BlackScholes.priceAt(
            BlackScholes.prepare(a.spot, a.tau, a.vol, a.rate),
            a.strike
        );
        assertEq(c2, call, "call");
        assertEq(p2, put, "put");
        if (a.rate == 0 || a.tau == 0) assertEq(kd, a.strike, "kd = K without discounting");
        if (a.rate >= 0) assertLe(kd, a.strike, "kd <= K for r >= 0");
        else assertGe(kd, a.strike, "kd >= K for r < 0");
    }

    /// One prepared group serves several strikes, each equal to its own `price`.
    function testFuzz_priceAt_OnePreparedManyStrikes(
        uint256 spotSeed,
        uint256 tau,
        uint256 vol,
        int256 rate
    ) public pure {
        Input memory a = _input(spotSeed, 0, tau, vol, rate);
        BlackScholes.Prepared memory g = BlackScholes.prepare(a.spot, a.tau, a.vol, a.rate);
        for (uint256 i; i < 5; ++i) {
            uint256 strike = (a.spot * (60 + 20 * i)) / 100; // 0.6 S .. 1.4 S
            if (strike < 1e12) strike = 1e12;
            if (strike > 1e33) strike = 1e33;
            (uint256 c1, uint256 p1, , ) = BlackScholes.priceAt(g, strike);
            (uint256 c2, uint256 p2) = BlackScholes.price(a.spot, strike, a.tau, a.vol, a.rate);
            assertEq(c1, c2);
            assertEq(p1, p2);
        }
    }

    /// vegaStd = S·φ(d1)·σ√τ <= S·σ√τ/√(2π) (φ <= 1/√(2π)), and matches a central finite difference
    /// σ·∂C/∂σ ≈ (C(σ(1+h)) − C(σ(1−h)))/(2h) near the money.
    function testFuzz_priceAt_VegaStdMatchesFiniteDifference(
        uint256 spotSeed,
        uint256 moneySeed,
        uint256 tau,
        uint256 vol,
        uint256 rate
    ) public pure {
        uint256 spot = bound(spotSeed, 1e15, 1e30);
        uint256 strike = bound(moneySeed, (spot * 7) / 10, (spot * 13) / 10);
        tau = bound(tau, 1 hours, 2 * 365 days);
        vol = bound(vol, 0.1e18, 2e18);
        int256 r = int256(bound(rate, 0, 0.1e18));
        BlackScholes.Prepared memory g = BlackScholes.prepare(spot, tau, vol, r);
        (, , , uint256 vegaStd) = BlackScholes.priceAt(g, strike);
        assertLe(
            vegaStd,
            FixedPointMathLib.mulWadUp(FixedPointMathLib.mulWadUp(spot, g.stddev), 398942280401432678) + 1
        );
        // h = 1e-4: truncation error ~h²·σ²·∂³C/∂σ³ / 6, far below 1e-6·S for these inputs.
        (uint256 up, ) = BlackScholes.price(spot, strike, tau, vol + vol / 1e4, r);
        (uint256 down, ) = BlackScholes.price(spot, strike, tau, vol - vol / 1e4, r);
        int256 fd = ((int256(up) - int256(down)) * 1e4) / 2;
        assertApproxEqAbs(int256(vegaStd), fd, spot / 1e6, "vegaStd ~ sigma dC/dsigma");
    }

    function test_priceAt_VegaStdAtTheMoney() public pure {
        // r = 0, S = K: d1 = v/2, vegaStd = S·φ(v/2)·v with v = 0.8·√(30/365); 60-digit value 181.797793843825045...
        (, , uint256 kd, uint256 vegaStd) = BlackScholes.priceAt(BlackScholes.prepare(S, 30 days, 0.8e18, 0), S);
        assertEq(kd, S);
        assertApproxEqAbs(vegaStd, 181_797_793_843_825_045_000, 1e6);
    }

    function test_priceAt_VegaStdZeroWithoutTimeValue() public pure {
        (, , , uint256 v1) = BlackScholes.priceAt(BlackScholes.prepare(S, 0, 0.8e18, 0.05e18), 2_100e18);
        (, , , uint256 v2) = BlackScholes.priceAt(BlackScholes.prepare(S, 30 days, 0, 0.05e18), 2_100e18);
        (, , , uint256 v3) = BlackScholes.priceAt(BlackScholes.prepare(S, 30 days, 0.8e18, 0), 20_000e18);
        assertEq(v1, 0, "tau 0");
        assertEq(v2, 0, "vol 0");
        assertEq(v3, 0, "e^{-d1^2/2} underflows: |d1| > 9.1");
    }

    function test_prepare_RevertWhen_OutsideDomain() public {
        // prepare checks spot, tau, vol and rate, with the spot in the strike slot.
        vm.expectRevert(
            abi.encodeWithSelector(
                BlackScholes.BlackScholes_OutOfDomain.selector,
                S,
                S,
                BlackScholes.MAX_TAU + 1,
                1e18,
                0
            )
        );
        harness.prepare(S, BlackScholes.MAX_TAU + 1, 1e18, 0);
        vm.expectRevert(abi.encodeWithSelector(BlackScholes.BlackScholes_OutOfDomain.selector, 1, 1, 1 days, 1e18, 0));
        harness.prepare(1, 1 days, 1e18, 0);
    }

    function test_priceAt_RevertWhen_StrikeOutsideDomain() public {
        BlackScholes.Prepared memory g = harness.prepare(S, 30 days, 0.8e18, 0);
        // priceAt checks the strike against the prepared spot (tau, vol, rate reported as 0).
        vm.expectRevert(abi.encodeWithSelector(BlackScholes.BlackScholes_OutOfDomain.selector, S, 1e12 - 1, 0, 0, 0));
        harness.priceAt(g, 1e12 - 1);
        vm.expectRevert(
            abi.encodeWithSelector(BlackScholes.BlackScholes_OutOfDomain.selector, S, S * 1e9 + 1, 0, 0, 0)
        );
        harness.priceAt(g, S * 1e9 + 1);
    }

    // ---------------------------------------------------------------- domain

    function test_price_AcceptsDomainBoundaries() public pure {
        BlackScholes.price(1e12, 1e12, BlackScholes.MAX_TAU, BlackScholes.MAX_VOL, 1e18);
        BlackScholes.price(1e33, 1e33, BlackScholes.MAX_TAU, 0, -1e18);
        BlackScholes.price(1e12, 1e21, 1, 1e15, 0);
        BlackScholes.price(1e30, 1e21, 1, 1e15, 0);
    }

    function _expectOutOfDomain(uint256 spot, uint256 strike, uint256 tau, uint256 vol, int256 rate) internal {
        vm.expectRevert(
            abi.encodeWithSelector(BlackScholes.BlackScholes_OutOfDomain.selector, spot, strike, tau, vol, rate)
        );
        harness.price(spot, strike, tau, vol, rate);
    }

    function test_price_RevertWhen_SpotBelowMin() public {
        _expectOutOfDomain(1e12 - 1, 1e12, 1 days, 1e18, 0);
    }

    function test_price_RevertWhen_SpotAboveMax() public {
        _expectOutOfDomain(1e33 + 1, 1e33, 1 days, 1e18, 0);
    }

    function test_price_RevertWhen_StrikeBelowMin() public {
        _expectOutOfDomain(1e12, 1e12 - 1, 1 days, 1e18, 0);
    }

    function test_price_RevertWhen_StrikeAboveMax() public {
        _expectOutOfDomain(1e33, type(uint256).max, 1 days, 1e18, 0);
    }

    function test_price_RevertWhen_StrikeAboveMoneyness() public {
        _expectOutOfDomain(1e13, 1e22 + 1, 1 days, 1e18, 0);
    }

    function test_price_RevertWhen_SpotAboveMoneyness() public {
        _expectOutOfDomain(1e22 + 1, 1e13, 1 days, 1e18, 0);
    }

    function test_price_RevertWhen_TauAboveMax() public {
        _expectOutOfDomain(S, S, BlackScholes.MAX_TAU + 1, 1e18, 0);
    }

    function test_price_RevertWhen_VolAboveMax() public {
        _expectOutOfDomain(S, S, 1 days, BlackScholes.MAX_VOL + 1, 0);
    }

    function test_price_RevertWhen_RateAboveMax() public {
        _expectOutOfDomain(S, S, 1 days, 1e18, 1e18 + 1);
    }

    function test_price_RevertWhen_RateBelowMin() public {
        _expectOutOfDomain(S, S, 1 days, 1e18, -1e18 - 1);
    }

    function testFuzz_price_RevertWhen_OutsideDomain(
        uint256 spot,
        uint256 strike,
        uint256 tau,
        uint256 vol,
        int256 rate
    ) public {
        bool inside =
            spot >= 1e12 &&
                spot <= 1e33 &&
                strike >= 1e12 &&
                strike <= 1e33 &&
                spot <= strike * 1e9 &&
                strike <= spot * 1e9 &&
                tau <= BlackScholes.MAX_TAU &&
                vol <= BlackScholes.MAX_VOL &&
                rate <= 1e18 &&
                rate >= -1e18;
        vm.assume(!inside);
        _expectOutOfDomain(spot, strike, tau, vol, rate);
    }
}
