// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";

import {BlackScholes} from "./BlackScholes.sol";

/// @title MarginLib
/// @notice Value and initial/maintenance requirements of ONE (underlying, expiry) group of option positions, and the
/// conservative value of a group whose market is halted. The rules, with worked examples and the stress evidence, are
/// in docs/margin.md; sdk/model/margin.ts mirrors this library to the wei.
/// @dev Summary (per short leg of |size| q; a, b, w are the IM or the MM parameters):
/// - value = Σ size × mark; mark = Black-Scholes (tau > 0) or intrinsic at `price` (tau == 0 or settled).
///   Long legs round down, short legs' liability rounds up.
/// - unit = max(a·S − OTM, b·S) + w·vegaStd, OTM measured against the discounted strike K·e^{−rτ};
///   w = min(vegaCap, vegaSlope·√(σ√τ)) is the relative vol shock the add-on covers; vegaStd = S·φ(d1)·σ√τ.
/// - IM: a group with a short leg needs Σ unit_IM + Σ long values (longs never offset shorts); MM: Σ unit_MM.
///   Short puts add one day of carry K·r·min(τ, 1 day)/year and are capped at K (a put never loses more).
/// - defined-risk cap: when Σ call sizes >= 0 the expiry payoff is bounded below by −L (exact sweep over the strikes)
///   and req = min(base, max(0, L + value)): the margin held for the group, −value + req, never exceeds L. This holds
///   because a bounded payoff's value is >= −L·e^{−rτ} >= −L, which needs rate >= 0 (enforced here).
/// - settled: value at intrinsic of the final price and no requirement.
library MarginLib {
    /// @notice One position of the group. `strike` WAD; `size` WAD contracts, positive long, negative short.
    struct Leg {
        uint256 strike;
        int256 size;
        bool isCall;
    }

    /// @notice Market inputs and risk parameters of the group.
    /// @dev price: spot WAD, or the settlement price once settled. vol: WAD annualized. tau: seconds to expiry, 0
    /// once expired. rate: WAD annual, >= 0. imBase, imFloor, mmBase, mmFloor: WAD fractions of spot (a_IM, b_IM,
    /// a_MM, b_MM). imVegaSlope, imVegaCap, mmVegaSlope, mmVegaCap: WAD; the vol shock covered is
    /// min(cap, slope·√(σ√τ)). The caller keeps every MM parameter <= its IM counterpart so that mmReq <= imReq.
    /// settled: price is final.
    struct GroupParams {
        uint256 price;
        uint256 vol;
        uint256 tau;
        int256 rate;
        uint256 imBase;
        uint256 imFloor;
        uint256 mmBase;
        uint256 mmFloor;
        uint256 imVegaSlope;
        uint256 imVegaCap;
        uint256 mmVegaSlope;
        uint256 mmVegaCap;
        bool settled;
    }

    /// @notice Legs must be sorted by strike ascending (equal strikes allowed).
    error MarginLib_UnsortedLegs(uint256 index, uint256 strike, uint256 previousStrike);
    /// @notice A leg's strike is above MAX_STRIKE or its |size| above MAX_SIZE.
    error MarginLib_LegOutOfRange(uint256 index, uint256 strike, int256 size);
    /// @notice The group price is above MAX_PRICE.
    error MarginLib_PriceOutOfRange(uint256 price);
    /// @notice A negative rate would let a bounded group's mark fall below −L (the defined-risk cap's premise).
    error MarginLib_NegativeRate(int256 rate);

    /// @notice Largest strike: the SeriesId strike field is 96 bits.
    uint256 internal constant MAX_STRIKE = type(uint96).max;
    /// @notice Largest |size|: the position word's 96-bit size field (~7.9e10 contracts).
    int256 internal constant MAX_SIZE = type(int96).max;
    /// @notice Largest group price (WAD): 2^112 − 1 (~5.2e15 units; Black-Scholes stops at 1e15 anyway).
    uint256 internal constant MAX_PRICE = type(uint112).max;

    uint256 private constant WAD = 1e18;
    uint256 private constant YEAR = 365 days;
    /// @dev Position word: `SeriesId << 96 | uint96(int96 size)`, SeriesId = `u << 144 | expiry << 104 | strike << 8 |
    /// kind`; so the strike sits at bit 104 of the word and the kind (1 = call) at bit 96.
    uint256 private constant STRIKE_SHIFT = 104;
    uint256 private constant KIND_SHIFT = 96;

    /// @dev Running state of one evaluation, in memory to stay clear of stack limits.
    struct Sums {
        uint256 imA; // imBase · S, rounded up
        uint256 imB; // imFloor · S, rounded up
        uint256 mmA; // mmBase · S, rounded up
        uint256 mmB; // mmFloor · S, rounded up
        uint256 imW; // IM vol shock min(imVegaCap, imVegaSlope · σ√τ), rounded up
        uint256 mmW; // MM vol shock
        uint256 carry; // r · min(τ, 1 day) / year, WAD, rounded up
        int256 callSizes; // Σ call sizes: the payoff's slope above the highest strike
        int256 putSizes; // Σ put sizes
        int256 putNotional; // Σ put size × strike, 1e36 scale: the payoff at S_T = 0
        uint256 imReq; // Σ IM base terms, rounded up
        uint256 longValue; // Σ long leg values (rounded down, as in value)
        uint256 mmReq; // Σ MM base terms, rounded up
        bool cached; // the marks below are valid for markStrike
        uint256 markStrike; // a put and a call at one strike share one evaluation
        uint256 callMark;
        uint256 putMark;
        uint256 kd; // K·e^{−rτ} at markStrike
        uint256 vegaStd; // S·φ(d1)·σ√τ at markStrike
    }

    // =================================================================================================================
    // Packed words (the clearing house's storage format)
    // =================================================================================================================

    /// @notice Value and requirements of the group `words[start:end]`.
    /// @param words Packed position words `SeriesId << 96 | uint96(int96 size)`; `[start, end)` is one (underlying,
    /// expiry) group sorted by id (so by strike ascending). The word format bounds strike and size.
    /// @param p Market inputs and risk parameters; price <= MAX_PRICE, rate >= 0.
    /// @return value Σ size × mark, WAD quote; rounded against the account.
    /// @return imReq Initial requirement on top of the value already in equity, WAD quote; rounded up.
    /// @return mmReq Maintenance requirement, WAD quote; rounded up; <= imReq when mm params <= im params.
    function evaluateWords(
        uint256[] memory words,
        uint256 start,
        uint256 end,
        GroupParams memory p
    ) internal pure returns (int256 value, uint256 imReq, uint256 mmReq) {
        if (p.price > MAX_PRICE) revert MarginLib_PriceOutOfRange(p.price);
        if (p.rate < 0) revert MarginLib_NegativeRate(p.rate);
        Sums memory sums;
        BlackScholes.Prepared memory g;
        bool live = !p.settled && p.tau != 0;
        if (live) {
            // σ√τ and e^{−rτ} once per group.
            g = BlackScholes.prepare(p.price, p.tau, p.vol, p.rate);
            // √(σ√τ) once for both shocks; stddev <= 2.3e19 (BlackScholes domain), so stddev · 1e18 fits. Rounded up.
            uint256 x = g.stddev * WAD;
            uint256 root = FixedPointMathLib.sqrt(x);
            if (root * root < x) ++root;
            sums.imW = _shock(p.imVegaSlope, p.imVegaCap, root);
            sums.mmW = _shock(p.mmVegaSlope, p.mmVegaCap, root);
            // rate <= 1e18 (BlackScholes domain) and min(τ, 1 day) <= 86400: no overflow.
            sums.carry = FixedPointMathLib.divUp(uint256(p.rate) * (p.tau < 1 days ? p.tau : 1 days), YEAR);
        }
        if (!p.settled) {
            // Per-unit base terms, rounded up (requirement side).
            sums.imA = FixedPointMathLib.mulWadUp(p.imBase, p.price);
            sums.imB = FixedPointMathLib.mulWadUp(p.imFloor, p.price);
            sums.mmA = FixedPointMathLib.mulWadUp(p.mmBase, p.price);
            sums.mmB = FixedPointMathLib.mulWadUp(p.mmFloor, p.price);
        }
        for (uint256 i = start; i < end; ++i) {
            // Each term is below 2^210 in magnitude (see _leg), so no memory-sized array can overflow the sum.
            unchecked {
                value += _leg(sums, words[i], p, g, live);
            }
        }
        if (p.settled) return (value, 0, 0);
        // Longs never offset shorts for IM (premium is not credit): a group with a short leg needs its shorts' base plus
        // the value of its longs, capped below at the defined-risk bound. Long-only groups need nothing (their value
        // is held by the account rule max(value, imReq)).
        imReq = sums.imReq == 0 ? 0 : sums.imReq + sums.longValue;
        mmReq = sums.mmReq;
        if ((imReq != 0 || mmReq != 0) && sums.callSizes >= 0) {
            // Bounded payoff: cap each requirement so that the margin held, −value + req, is at most the max loss.
            int256 capSigned =
                SafeCast.toInt256(_sweepMaxLoss(words, start, end, sums.putSizes, sums.putNotional)) + value;
            uint256 cap = capSigned > 0 ? uint256(capSigned) : 0;
            if (imReq > cap) imReq = cap;
            if (mmReq > cap) mmReq = cap;
        }
    }

    /// @notice Worst loss at expiry of the group `words[start:end]` for any final price in [0, upTo], rounded up: the
    /// conservative value (as −loss) of a group whose market has no trustworthy price.
    /// @dev The payoff is piecewise linear with kinks at the strikes, so its minimum over [0, upTo] is at 0, a strike
    /// <= upTo, or upTo. With Σ call sizes >= 0 the payoff never falls past the last strike and the answer is the
    /// group's maximum loss L for any upTo at or above it.
    /// @param upTo Highest final price considered, WAD, <= MAX_PRICE.
    function lossUpTo(
        uint256[] memory words,
        uint256 start,
        uint256 end,
        uint256 upTo
    ) internal pure returns (uint256) {
        if (upTo > MAX_PRICE) revert MarginLib_PriceOutOfRange(upTo);
        int256 slope;
        int256 payoff;
        // int96 sizes and uint96 strikes: Σ size·strike < n·2^191.
        unchecked {
            for (uint256 i = start; i < end; ++i) {
                uint256 word = words[i];
                if ((word >> KIND_SHIFT) & 0xff != 1) {
                    int256 size = int96(uint96(word));
                    slope -= size;
                    payoff += size * int256(uint256(uint96(word >> STRIKE_SHIFT)));
                }
            }
        }
        int256 minPayoff = payoff;
        uint256 x;
        // |slope| < n·2^96, every step below 2^112: each product < n·2^208, sums far below 2^255.
        unchecked {
            for (uint256 i = start; i < end; ++i) {
                uint256 word = words[i];
                uint256 strike = uint96(word >> STRIKE_SHIFT);
                if (strike > upTo) break;
                payoff += slope * int256(strike - x);
                x = strike;
                if (payoff < minPayoff) minPayoff = payoff;
                slope += int96(uint96(word));
            }
            if (slope < 0 && upTo > x) {
                payoff += slope * int256(upTo - x);
                if (payoff < minPayoff) minPayoff = payoff;
            }
        }
        if (minPayoff >= 0) return 0;
        return FixedPointMathLib.divUp(uint256(-minPayoff), WAD); // loss rounds up
    }

    // =================================================================================================================
    // Legs (tests, harnesses, views)
    // =================================================================================================================

    /// @notice Value and requirements of one group given as legs sorted by strike ascending (equal strikes allowed;
    /// at one strike the put precedes the call in the clearing house's order, either order gives the same result).
    /// @param legs The group's positions; zero sizes are ignored. strike <= MAX_STRIKE, |size| <= MAX_SIZE.
    function evaluateGroup(
        Leg[] memory legs,
        GroupParams memory p
    ) internal pure returns (int256 value, uint256 imReq, uint256 mmReq) {
        uint256[] memory words = toWords(legs);
        return evaluateWords(words, 0, words.length, p);
    }

    /// @notice Maximum loss at expiry of the group's payoff Σ size·payoff_i(S_T), rounded up, when Σ call sizes >= 0.
    /// @return loss Maximum loss, WAD quote, rounded up (0 when unbounded).
    /// @return bounded False when Σ call sizes < 0: the payoff falls without bound as S_T grows.
    function maxLoss(Leg[] memory legs) internal pure returns (uint256 loss, bool bounded) {
        uint256[] memory words = toWords(legs);
        int256 callSizes;
        int256 putSizes;
        int256 putNotional;
        for (uint256 i; i < legs.length; ++i) {
            if (legs[i].isCall) {
                callSizes += legs[i].size;
            } else {
                putSizes += legs[i].size;
                putNotional += legs[i].size * int256(legs[i].strike);
            }
        }
        if (callSizes < 0) return (0, false);
        return (_sweepMaxLoss(words, 0, words.length, putSizes, putNotional), true);
    }

    /// @notice Packs sorted legs into position words (series fields other than strike and kind are 0).
    function toWords(Leg[] memory legs) internal pure returns (uint256[] memory words) {
        uint256 n = legs.length;
        words = new uint256[](n);
        uint256 previousStrike;
        for (uint256 i; i < n; ++i) {
            Leg memory leg = legs[i];
            uint256 strike = leg.strike;
            int256 size = leg.size;
            if (strike < previousStrike) revert MarginLib_UnsortedLegs(i, strike, previousStrike);
            if (strike > MAX_STRIKE || size > MAX_SIZE || size < -MAX_SIZE) {
                revert MarginLib_LegOutOfRange(i, strike, size);
            }
            previousStrike = strike;
            // In range: strike < 2^96, |size| < 2^95.
            words[i] =
                (strike << STRIKE_SHIFT) |
                ((leg.isCall ? uint256(1) : 0) << KIND_SHIFT) |
                uint256(uint96(int96(size)));
        }
    }

    // =================================================================================================================
    // Internal
    // =================================================================================================================

    /// @dev min(cap, slope · root), root = √(σ√τ) rounded up: concave in the total vol, so low-vol medium tenors get a larger
    /// share of the shock than a linear rule would give them (docs/margin.md §2, stress evidence).
    function _shock(uint256 slope, uint256 cap, uint256 root) private pure returns (uint256 w) {
        w = FixedPointMathLib.mulWadUp(slope, root);
        if (w > cap) w = cap;
    }

    /// @dev Value of one leg (rounded against the account); accumulates slopes, put notional and base terms.
    /// Written as one function (marks and base terms inlined): internal calls dominate the per-leg overhead.
    function _leg(
        Sums memory sums,
        uint256 word,
        GroupParams memory p,
        BlackScholes.Prepared memory g,
        bool live
    ) private pure returns (int256) {
        int256 size = int96(uint96(word));
        if (size == 0) return 0;
        uint256 strike = uint96(word >> STRIKE_SHIFT);
        if (!sums.cached || strike != sums.markStrike) {
            sums.cached = true;
            sums.markStrike = strike;
            if (live) {
                (sums.callMark, sums.putMark, sums.kd, sums.vegaStd) = BlackScholes.priceAt(g, strike);
            } else {
                // Expired or settled: intrinsic at `price`.
                uint256 spot = p.price;
                unchecked {
                    // Each subtraction is guarded by its comparison.
                    sums.callMark = spot > strike ? spot - strike : 0;
                    sums.putMark = strike > spot ? strike - spot : 0;
                }
                sums.kd = strike;
            }
        }
        bool isCall = (word >> KIND_SHIFT) & 0xff == 1;
        uint256 mark;
        // Bounds: |size| < 2^95, strike < 2^96, mark < 2^118 (Black-Scholes: <= max(S, K·e^{−rτ}) < 1.5e35) or
        // < 2^112 (intrinsic). So |size|·strike < 2^191 and |size|·mark < 2^213; sums of memory-sized arrays of such
        // terms stay far below 2^255.
        unchecked {
            if (isCall) {
                mark = sums.callMark;
                sums.callSizes += size;
            } else {
                mark = sums.putMark;
                sums.putSizes += size;
                sums.putNotional += size * int256(strike);
            }
            // Long: value rounds down.
            if (size > 0) {
                uint256 longValue = (uint256(size) * mark) / WAD;
                sums.longValue += longValue;
                return int256(longValue);
            }
        }
        uint256 qty;
        int256 liability;
        unchecked {
            qty = uint256(-size); // |size| <= MAX_SIZE: the negation is exact
            // Short: liability rounds up.
            liability = int256((qty * mark + (WAD - 1)) / WAD);
        }
        if (!p.settled) _addShortBase(sums, strike, isCall, p.price, qty);
        return -liability;
    }

    /// @dev Minimum of the payoff over {0} ∪ strikes, as a loss rounded up (Σ call sizes >= 0 assumed).
    function _sweepMaxLoss(
        uint256[] memory words,
        uint256 start,
        uint256 end,
        int256 putSizes,
        int256 putNotional
    ) private pure returns (uint256) {
        int256 payoff = putNotional; // at S_T = 0, 1e36 scale
        int256 minPayoff = payoff;
        int256 slope = -putSizes; // WAD: Σ calls with K <= S_T minus Σ puts with K > S_T
        uint256 x;
        // |slope| <= n·2^95 and 0 <= strike − x < 2^96: each step is below n·2^191 and the payoff below n²·2^191,
        // under 2^255 for any n < 2^32 (a memory array that long alone would cost far more than a block of gas).
        unchecked {
            for (uint256 i = start; i < end; ++i) {
                uint256 word = words[i];
                uint256 strike = uint96(word >> STRIKE_SHIFT);
                payoff += slope * int256(strike - x);
                x = strike;
                if (payoff < minPayoff) minPayoff = payoff;
                slope += int96(uint96(word));
            }
        }
        if (minPayoff >= 0) return 0;
        // Loss rounds up.
        return FixedPointMathLib.divUp(uint256(-minPayoff), WAD);
    }

    /// @dev Adds the IM and MM terms of a short leg of `qty` contracts, rounded up: base on the OTM amount measured
    /// against the discounted strike, the vega add-on, and for puts one day of carry and the cap at the strike.
    function _addShortBase(Sums memory sums, uint256 strike, bool isCall, uint256 spot, uint256 qty) private pure {
        uint256 kd = sums.kd;
        uint256 otm;
        unchecked {
            // Each subtraction is guarded by its comparison.
            if (isCall) otm = kd > spot ? kd - spot : 0;
            else otm = spot > kd ? spot - kd : 0;
        }
        uint256 vegaStd = sums.vegaStd;
        uint256 imUnit = _base(sums.imA, sums.imB, otm) + FixedPointMathLib.mulWadUp(sums.imW, vegaStd);
        uint256 mmUnit = _base(sums.mmA, sums.mmB, otm) + FixedPointMathLib.mulWadUp(sums.mmW, vegaStd);
        if (!isCall) {
            uint256 carry = FixedPointMathLib.mulWadUp(strike, sums.carry);
            imUnit += carry;
            mmUnit += carry;
            // A short put never loses more than its strike.
            if (imUnit > strike) imUnit = strike;
            if (mmUnit > strike) mmUnit = strike;
        }
        // Requirements round up; checked: the risk parameters are not bounded here.
        sums.imReq += FixedPointMathLib.mulWadUp(qty, imUnit);
        sums.mmReq += FixedPointMathLib.mulWadUp(qty, mmUnit);
    }

    /// @dev Per-unit base requirement max(a − otm, b); a and b are already multiplied by spot.
    function _base(uint256 a, uint256 b, uint256 otm) private pure returns (uint256) {
        unchecked {
            // a > otm checked before subtracting.
            return a > otm && a - otm > b ? a - otm : b;
        }
    }
}
