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

    uint256 private constant WAD = 1e18;

    /// @dev Running sums of one evaluation (kept in memory to stay clear of stack limits).
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
    }

    /// @notice Value and requirements of one group.
    /// @param legs The group's positions sorted by strike ascending; zero sizes are ignored.
    /// @param p Market inputs and risk parameters.
    /// @return value Σ size × mark, WAD quote; rounded against the account.
    /// @return imReq Initial requirement on top of the value already in equity, WAD quote; rounded up.
    /// @return mmReq Maintenance requirement, WAD quote; rounded up; <= imReq when mm params <= im params.
    function evaluateGroup(Leg[] memory legs, GroupParams memory p)
        internal
        pure
        returns (int256 value, uint256 imReq, uint256 mmReq)
    {
        Sums memory sums = Sums({
            // Per-unit base terms, rounded up (requirement side).
            imA: FixedPointMathLib.mulWadUp(p.imBase, p.price),
            imB: FixedPointMathLib.mulWadUp(p.imFloor, p.price),
            mmA: FixedPointMathLib.mulWadUp(p.mmBase, p.price),
            mmB: FixedPointMathLib.mulWadUp(p.mmFloor, p.price),
            callSizes: 0,
            putSizes: 0,
            putNotional: 0,
            imReq: 0,
            mmReq: 0
        });
        bool cached;
        uint256 markStrike; // strike whose marks are cached: a put and a call at one strike share one evaluation
        uint256 callMark;
        uint256 putMark;
        for (uint256 i; i < legs.length; ++i) {
            Leg memory leg = legs[i];
            if (i != 0 && leg.strike < legs[i - 1].strike) {
                revert MarginLib_UnsortedLegs(i, leg.strike, legs[i - 1].strike);
            }
            int256 size = leg.size;
            if (size == 0) continue;
            if (!cached || leg.strike != markStrike) {
                cached = true;
                markStrike = leg.strike;
                (callMark, putMark) = _marks(leg.strike, p);
            }
            if (leg.isCall) {
                sums.callSizes += size;
            } else {
                sums.putSizes += size;
                sums.putNotional += size * SafeCast.toInt256(leg.strike);
            }
            if (size > 0) {
                // Long: value rounds down. size > 0 so the cast is exact.
                value += SafeCast.toInt256(FixedPointMathLib.mulWad(uint256(size), leg.isCall ? callMark : putMark));
            } else {
                uint256 qty = uint256(-size); // checked negation: reverts on type(int256).min
                // Short: liability rounds up.
                value -= SafeCast.toInt256(FixedPointMathLib.mulWadUp(qty, leg.isCall ? callMark : putMark));
                if (!p.settled) _addShortBase(sums, leg, p.price, qty);
            }
        }
        if (p.settled) return (value, 0, 0);
        imReq = sums.imReq;
        mmReq = sums.mmReq;
        if ((imReq != 0 || mmReq != 0) && sums.callSizes >= 0) {
            // Bounded payoff: cap each requirement so that the margin held, −value + req, is at most the max loss.
            int256 capSigned = SafeCast.toInt256(_maxLoss(legs, sums.putSizes, sums.putNotional)) + value;
            uint256 cap = capSigned > 0 ? uint256(capSigned) : 0;
            if (imReq > cap) imReq = cap;
            if (mmReq > cap) mmReq = cap;
        }
    }

    /// @notice Maximum loss at expiry of the group's payoff Σ size·payoff_i(S_T), rounded up, when Σ call sizes >= 0.
    /// @dev The payoff is piecewise linear with kinks at the strikes, so its minimum over S_T >= 0 is at 0 or at a
    /// strike. One sweep over the sorted legs, exact in 1e36 scale.
    function maxLoss(Leg[] memory legs) internal pure returns (uint256 loss, bool bounded) {
        int256 putSizes;
        int256 putNotional;
        int256 callSizes;
        for (uint256 i; i < legs.length; ++i) {
            if (legs[i].isCall) {
                callSizes += legs[i].size;
            } else {
                putSizes += legs[i].size;
                putNotional += legs[i].size * SafeCast.toInt256(legs[i].strike);
            }
        }
        if (callSizes < 0) return (0, false);
        return (_maxLoss(legs, putSizes, putNotional), true);
    }

    function _maxLoss(Leg[] memory legs, int256 putSizes, int256 putNotional) private pure returns (uint256) {
        int256 payoff = putNotional; // at S_T = 0, 1e36 scale
        int256 minPayoff = payoff;
        int256 slope = -putSizes; // WAD: Σ calls with K <= S_T minus Σ puts with K > S_T
        uint256 x;
        uint256 n = legs.length;
        for (uint256 i; i < n; ++i) {
            Leg memory leg = legs[i];
            uint256 strike = leg.strike;
            payoff += slope * SafeCast.toInt256(strike - x);
            x = strike;
            if (payoff < minPayoff) minPayoff = payoff;
            slope += leg.size;
        }
        if (minPayoff >= 0) return 0;
        // Loss rounds up.
        return FixedPointMathLib.divUp(uint256(-minPayoff), WAD);
    }

    /// @dev Marks of the call and the put at `strike`: Black-Scholes while tau > 0 and not settled, else intrinsic.
    function _marks(uint256 strike, GroupParams memory p) private pure returns (uint256 callMark, uint256 putMark) {
        uint256 spot = p.price;
        if (!p.settled && p.tau != 0) return BlackScholes.price(spot, strike, p.tau, p.vol, p.rate);
        unchecked {
            // Each subtraction is guarded by its comparison.
            return (spot > strike ? spot - strike : 0, strike > spot ? strike - spot : 0);
        }
    }

    /// @dev Adds the IM and MM base terms of a short leg of `qty` contracts, rounded up.
    function _addShortBase(Sums memory sums, Leg memory leg, uint256 spot, uint256 qty) private pure {
        uint256 strike = leg.strike;
        uint256 otm;
        unchecked {
            // Each subtraction is guarded by its comparison.
            if (leg.isCall) otm = strike > spot ? strike - spot : 0;
            else otm = spot > strike ? spot - strike : 0;
        }
        uint256 imUnit = _base(sums.imA, sums.imB, otm);
        uint256 mmUnit = _base(sums.mmA, sums.mmB, otm);
        if (!leg.isCall) {
            // A short put never loses more than its strike.
            if (imUnit > strike) imUnit = strike;
            if (mmUnit > strike) mmUnit = strike;
        }
        // Requirements round up.
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
