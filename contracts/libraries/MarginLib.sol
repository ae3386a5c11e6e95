// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";

import {BlackScholes} from "./BlackScholes.sol";

/// @title MarginLib
/// @notice Value and initial/maintenance requirements of ONE (underlying, expiry) group of option positions.
/// The rules, with worked examples, are in docs/margin.md; sdk/model/margin.ts mirrors this library to the wei.
/// @dev Summary:
/// - value = Σ size × mark; mark = Black-Scholes (tau > 0) or intrinsic at `price` (tau == 0 or settled).
///   Long legs round down, short legs' liability rounds up.
/// - base = Σ over short legs of |size| × max(a·S − OTM, b·S) (puts: capped at K), rounded up; (a, b) is
///   (imBase, imFloor) for IM and (mmBase, mmFloor) for MM.
/// - defined-risk cap: when Σ call sizes >= 0, the expiry payoff is bounded below by −L (L = max loss, exact sweep
///   over the sorted strikes, rounded up) and req = min(base, max(0, L + value)): the margin held for the group,
///   −value + req, never exceeds L.
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
    /// once expired. rate: WAD annual. imBase, imFloor, mmBase, mmFloor: WAD fractions of spot (a_IM, b_IM, a_MM,
    /// b_MM); the caller keeps mm* <= im* so that mmReq <= imReq. settled: price is final.
    struct GroupParams {
        uint256 price;
        uint256 vol;
        uint256 tau;
        int256 rate;
        uint256 imBase;
        uint256 imFloor;
        uint256 mmBase;
        uint256 mmFloor;
        bool settled;
    }

    /// @notice Legs must be sorted by strike ascending (equal strikes allowed).
    error MarginLib_UnsortedLegs(uint256 index, uint256 strike, uint256 previousStrike);
    /// @notice A leg's strike is above MAX_STRIKE or its |size| above MAX_SIZE.
    error MarginLib_LegOutOfRange(uint256 index, uint256 strike, int256 size);
    /// @notice The group price is above MAX_PRICE.
    error MarginLib_PriceOutOfRange(uint256 price);

    /// @notice Largest strike: the SeriesId strike field is 96 bits.
    uint256 internal constant MAX_STRIKE = type(uint96).max;
    /// @notice Largest |size|: 2^127 − 1 WAD (~1.7e20 contracts).
    int256 internal constant MAX_SIZE = type(int128).max;
    /// @notice Largest group price (WAD): 2^112 − 1 (~5.2e15 units; Black-Scholes stops at 1e15 anyway).
    uint256 internal constant MAX_PRICE = type(uint112).max;

    uint256 private constant WAD = 1e18;

    /// @dev Running state of one evaluation, in memory to stay clear of stack limits.
    struct Sums {
        uint256 imA; // imBase · S, rounded up
        uint256 imB; // imFloor · S, rounded up
        uint256 mmA; // mmBase · S, rounded up
        uint256 mmB; // mmFloor · S, rounded up
        int256 callSizes; // Σ call sizes: the payoff's slope above the highest strike
        int256 putSizes; // Σ put sizes
        int256 putNotional; // Σ put size × strike, 1e36 scale: the payoff at S_T = 0
        uint256 imReq; // Σ IM base terms, rounded up
        uint256 mmReq; // Σ MM base terms, rounded up
        uint256 previousStrike; // sort check
        bool cached; // the marks below are valid for markStrike
        uint256 markStrike; // a put and a call at one strike share one evaluation
        uint256 callMark;
        uint256 putMark;
    }

    /// @notice Value and requirements of one group.
    /// @param legs The group's positions sorted by strike ascending; zero sizes are ignored. strike <= MAX_STRIKE,
    /// |size| <= MAX_SIZE.
    /// @param p Market inputs and risk parameters; price <= MAX_PRICE.
    /// @return value Σ size × mark, WAD quote; rounded against the account.
    /// @return imReq Initial requirement on top of the value already in equity, WAD quote; rounded up.
    /// @return mmReq Maintenance requirement, WAD quote; rounded up; <= imReq when mm params <= im params.
    function evaluateGroup(Leg[] memory legs, GroupParams memory p)
        internal
        pure
        returns (int256 value, uint256 imReq, uint256 mmReq)
    {
        if (p.price > MAX_PRICE) revert MarginLib_PriceOutOfRange(p.price);
        Sums memory sums;
        // Per-unit base terms, rounded up (requirement side).
        sums.imA = FixedPointMathLib.mulWadUp(p.imBase, p.price);
        sums.imB = FixedPointMathLib.mulWadUp(p.imFloor, p.price);
        sums.mmA = FixedPointMathLib.mulWadUp(p.mmBase, p.price);
        sums.mmB = FixedPointMathLib.mulWadUp(p.mmFloor, p.price);
        uint256 n = legs.length;
        for (uint256 i; i < n; ++i) {
            // Each term is below 2^186 in magnitude (see _leg), so no memory-sized array can overflow the sum.
            unchecked {
                value += _leg(sums, legs[i], p, i);
            }
        }
        if (p.settled) return (value, 0, 0);
        imReq = sums.imReq;
        mmReq = sums.mmReq;
        if ((imReq != 0 || mmReq != 0) && sums.callSizes >= 0) {
            // Bounded payoff: cap each requirement so that the margin held, −value + req, is at most the max loss.
            int256 capSigned = SafeCast.toInt256(_sweepMaxLoss(legs, sums.putSizes, sums.putNotional)) + value;
            uint256 cap = capSigned > 0 ? uint256(capSigned) : 0;
            if (imReq > cap) imReq = cap;
            if (mmReq > cap) mmReq = cap;
        }
    }

    /// @notice Maximum loss at expiry of the group's payoff Σ size·payoff_i(S_T), rounded up, when Σ call sizes >= 0.
    /// @dev The payoff is piecewise linear with kinks at the strikes, so its minimum over S_T >= 0 is at 0 or at a
    /// strike. One sweep over the sorted legs, exact in 1e36 scale. Same input checks as evaluateGroup.
    /// @return loss Maximum loss, WAD quote, rounded up (0 when unbounded).
    /// @return bounded False when Σ call sizes < 0: the payoff falls without bound as S_T grows.
    function maxLoss(Leg[] memory legs) internal pure returns (uint256 loss, bool bounded) {
        int256 putSizes;
        int256 putNotional;
        int256 callSizes;
        uint256 previousStrike;
        for (uint256 i; i < legs.length; ++i) {
            Leg memory leg = legs[i];
            _checkLeg(leg, previousStrike, i);
            previousStrike = leg.strike;
            // Bounded by _checkLeg as in _leg.
            unchecked {
                if (leg.isCall) {
                    callSizes += leg.size;
                } else {
                    putSizes += leg.size;
                    putNotional += leg.size * int256(leg.strike);
                }
            }
        }
        if (callSizes < 0) return (0, false);
        return (_sweepMaxLoss(legs, putSizes, putNotional), true);
    }

    /// @dev Value of one leg (rounded against the account); accumulates slopes, put notional and base terms.
    /// Written as one function (checks, marks and base terms inlined): internal calls dominate the per-leg overhead.
    function _leg(Sums memory sums, Leg memory leg, GroupParams memory p, uint256 i) private pure returns (int256) {
        uint256 strike = leg.strike;
        int256 size = leg.size;
        if (strike < sums.previousStrike) revert MarginLib_UnsortedLegs(i, strike, sums.previousStrike);
        if (strike > MAX_STRIKE || size > MAX_SIZE || size < -MAX_SIZE) {
            revert MarginLib_LegOutOfRange(i, strike, size);
        }
        sums.previousStrike = strike;
        if (size == 0) return 0;
        if (!sums.cached || strike != sums.markStrike) {
            sums.cached = true;
            sums.markStrike = strike;
            // Black-Scholes while tau > 0 and not settled, else intrinsic at `price`.
            if (!p.settled && p.tau != 0) {
                (sums.callMark, sums.putMark) = BlackScholes.price(p.price, strike, p.tau, p.vol, p.rate);
            } else {
                uint256 spot = p.price;
                unchecked {
                    // Each subtraction is guarded by its comparison.
                    sums.callMark = spot > strike ? spot - strike : 0;
                    sums.putMark = strike > spot ? strike - spot : 0;
                }
            }
        }
        bool isCall = leg.isCall;
        uint256 mark;
        // Bounds: |size| < 2^127, strike < 2^96, mark < 2^118 (Black-Scholes: <= max(S, K·e^{−rτ}) < 1.5e35) or
        // < 2^112 (intrinsic: <= max(price, strike)). So |size|·strike < 2^223 and |size|·mark < 2^245; running sums
        // of memory-sized arrays of such terms stay far below 2^255.
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
            if (size > 0) return int256((uint256(size) * mark) / WAD);
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

    /// @dev Reverts unless the leg is in range and not below the previous strike.
    function _checkLeg(Leg memory leg, uint256 previousStrike, uint256 i) private pure {
        uint256 strike = leg.strike;
        int256 size = leg.size;
        if (strike < previousStrike) revert MarginLib_UnsortedLegs(i, strike, previousStrike);
        if (strike > MAX_STRIKE || size > MAX_SIZE || size < -MAX_SIZE) {
            revert MarginLib_LegOutOfRange(i, strike, size);
        }
    }

    /// @dev Minimum of the payoff over {0} ∪ strikes, as a loss rounded up. Legs already checked (sorted, in range).
    function _sweepMaxLoss(Leg[] memory legs, int256 putSizes, int256 putNotional) private pure returns (uint256) {
        int256 payoff = putNotional; // at S_T = 0, 1e36 scale
        int256 minPayoff = payoff;
        int256 slope = -putSizes; // WAD: Σ calls with K <= S_T minus Σ puts with K > S_T
        uint256 x;
        uint256 n = legs.length;
        // |slope| <= n·2^127 and 0 <= strike − x < 2^96: each step is below n·2^223 and the payoff below n²·2^223,
        // under 2^255 for any n < 2^16 (a 2^16-leg memory array alone would cost billions of gas).
        unchecked {
            for (uint256 i; i < n; ++i) {
                Leg memory leg = legs[i];
                uint256 strike = leg.strike;
                payoff += slope * int256(strike - x);
                x = strike;
                if (payoff < minPayoff) minPayoff = payoff;
                slope += leg.size;
            }
        }
        if (minPayoff >= 0) return 0;
        // Loss rounds up.
        return FixedPointMathLib.divUp(uint256(-minPayoff), WAD);
    }


    /// @dev Adds the IM and MM base terms of a short leg of `qty` contracts, rounded up.
    function _addShortBase(Sums memory sums, uint256 strike, bool isCall, uint256 spot, uint256 qty) private pure {
        uint256 otm;
        unchecked {
            // Each subtraction is guarded by its comparison.
            if (isCall) otm = strike > spot ? strike - spot : 0;
            else otm = spot > strike ? spot - strike : 0;
        }
        uint256 imUnit = _base(sums.imA, sums.imB, otm);
        uint256 mmUnit = _base(sums.mmA, sums.mmB, otm);
        if (!isCall) {
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
