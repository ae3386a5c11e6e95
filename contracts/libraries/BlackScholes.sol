// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";

/// @title BlackScholes
/// @notice European call and put prices in WAD, accurate to |error| <= 1e-8 · spot over the whole accepted domain
/// (measured ~2e-9 · spot at the worst corner, ~1e-15 · spot typically, against a 60-digit reference).
/// @dev Forward form. With F = S·e^{rτ}, v = σ√τ, d1 = ln(F/K)/v + v/2, d2 = d1 − v:
///   call = S·N(d1) − K·e^{−rτ}·N(d2),  put = K·e^{−rτ}·N(−d2) − S·N(−d1).
/// Both normal tails come from ONE exponential: with R(x) = N(−x)·e^{x²/2} (the scaled tail) and the identity
/// K·e^{−rτ}·φ(d2) = S·φ(d1),  S·N(−|d1|) = S·e^{−d1²/2}·R(|d1|) and K·e^{−rτ}·N(−|d2|) = S·e^{−d1²/2}·R(|d2|).
/// R has relative error ~1e-16 (Hart 5666 near 0, Cody's erfc rationals elsewhere), so results keep ~1e-16 relative
/// precision in both tails. Cost: one `lnWad`, one `sqrt`, one `expWad` (+1 `expWad` when rate != 0).
/// Results are the nearest-ish estimate (approximation error dominates wei rounding); callers round size × price
/// against the account. The mirror in sdk/model/blackScholes.ts reproduces every result to the wei.
library BlackScholes {
    /// @notice An input is outside the documented domain (see the constants below).
    error BlackScholes_OutOfDomain(uint256 spot, uint256 strike, uint256 tau, uint256 vol, int256 rate);

    uint256 internal constant WAD = 1e18;
    int256 internal constant IWAD = 1e18;
    /// @notice Seconds per year used to turn `tau` into years (365 days, as crypto option venues do).
    uint256 internal constant YEAR = 365 days;
    /// @notice Smallest accepted spot and strike: 1e-6 quote per underlying (WAD).
    uint256 internal constant MIN_PRICE = 1e12;
    /// @notice Largest accepted spot and strike: 1e15 quote per underlying (WAD).
    uint256 internal constant MAX_PRICE = 1e33;
    /// @notice Largest accepted S/K and K/S: beyond it WAD rounding of K·e^{−rτ} alone nears the 1e-8·S target.
    uint256 internal constant MAX_MONEYNESS = 1e9;
    /// @notice Longest accepted time to expiry: 5 years.
    uint256 internal constant MAX_TAU = 157_680_000; // 5 * 365 days
    /// @notice Largest accepted volatility: 1000% a year (0 is accepted: the price is then the forward intrinsic).
    uint256 internal constant MAX_VOL = 10e18;
    /// @notice Largest accepted |rate|: 100% a year, continuously compounded.
    int256 internal constant MAX_RATE = 1e18;
    /// @notice Below this σ√τ (1e-9) the price is the discounted forward intrinsic: time value < 4e-10 · S.
    uint256 internal constant MIN_STDDEV = 1e9;

    /// @dev ln(1e9) in WAD, and expWad(LN_1E9) (≈ 1e27): expWad(LN_1E9 − rτ)/EXP_LN_1E9 = e^{−rτ} with ~3e-20
    /// relative precision even when e^{−rτ} is small, and exactly 1 at rτ = 0.
    int256 private constant LN_1E9 = 20723265836946411156;
    uint256 private constant EXP_LN_1E9 = 999999999999999999851248658;

    // Scaled-tail range boundaries in x: 0.46875·√2 and 4·√2 (Cody's breakpoints in y = x/√2).
    uint256 private constant CODY_LOW = 662912607362388304;
    uint256 private constant CODY_HIGH = 5656854249492380195;
    uint256 private constant ONE_OVER_SQRT_PI = 564189583547756287;
    uint256 private constant SQRT_2 = 1414213562373095049;
    /// @dev 1/√(2π) in WAD, rounded up (0.398942280401432677939...).
    uint256 private constant INV_SQRT_2PI_UP = 398942280401432678;

    /// @notice Inputs shared by every strike of one (spot, expiry) group, computed once by `prepare`.
    /// spot: WAD. stddev: σ√τ, WAD. rt: r·τ in WAD (truncated toward zero).
    /// discount: e^{−rτ} scaled by EXP_LN_1E9 (≈1e27), 0 when rate or tau is 0 (then K·e^{−rτ} = K).
    struct Prepared {
        uint256 spot;
        uint256 stddev;
        int256 rt;
        uint256 discount;
    }

    /// @notice Call and put prices.
    /// @param spot Spot price, WAD quote per underlying, in [MIN_PRICE, MAX_PRICE].
    /// @param strike Strike, WAD, in [MIN_PRICE, MAX_PRICE], with S/K and K/S at most MAX_MONEYNESS.
    /// @param tau Seconds to expiry, at most MAX_TAU. 0 gives the intrinsic value.
    /// @param vol Annualized volatility, WAD (1e18 = 100%), at most MAX_VOL.
    /// @param rate Annual continuously compounded rate, WAD, |rate| <= MAX_RATE.
    /// @return call Call price, WAD; max(S − K·e^{−rτ}, 0) <= call <= S.
    /// @return put Put price, WAD; max(K·e^{−rτ} − S, 0) <= put <= K·e^{−rτ}.
    function price(
        uint256 spot,
        uint256 strike,
        uint256 tau,
        uint256 vol,
        int256 rate
    ) internal pure returns (uint256 call, uint256 put) {
        _checkDomain(spot, strike, tau, vol, rate);
        (call, put, , ) = _priceAt(_prepare(spot, tau, vol, rate), strike);
    }

    /// @notice The per-group part of a price (σ√τ and e^{−rτ}): `priceAt(prepare(S, τ, σ, r), K)` equals
    /// `price(S, K, τ, σ, r)` to the wei for every strike, and costs one `sqrt` and one `expWad` less per strike.
    /// @dev Checks spot, tau, vol and rate against the domain; `priceAt` checks the strike.
    function prepare(uint256 spot, uint256 tau, uint256 vol, int256 rate) internal pure returns (Prepared memory g) {
        _checkDomain(spot, spot, tau, vol, rate);
        return _prepare(spot, tau, vol, rate);
    }

    /// @notice Call and put prices at `strike` from prepared group inputs, plus the discounted strike and the
    /// vega-times-σ term used by the margin add-on.
    /// @return call Call price, WAD (as `price`).
    /// @return put Put price, WAD (as `price`).
    /// @return kd K·e^{−rτ}, WAD, rounded down.
    /// @return vegaStd S·φ(d1)·σ√τ = vega·σ (the price change per unit relative vol move), WAD, rounded up; 0 when
    /// σ√τ is below MIN_STDDEV.
    function priceAt(
        Prepared memory g,
        uint256 strike
    ) internal pure returns (uint256 call, uint256 put, uint256 kd, uint256 vegaStd) {
        _checkDomain(g.spot, strike, 0, 0, 0);
        return _priceAt(g, strike);
    }

    function _prepare(uint256 spot, uint256 tau, uint256 vol, int256 rate) private pure returns (Prepared memory g) {
        g.spot = spot;
        // vol² · tau < 1e38 · 1.6e8: no overflow.
        unchecked {
            g.stddev = FixedPointMathLib.sqrt((vol * vol * tau) / YEAR); // σ√τ, WAD
        }
        (g.rt, g.discount) = _discount(tau, rate);
    }

    function _priceAt(
        Prepared memory g,
        uint256 strike
    ) private pure returns (uint256 call, uint256 put, uint256 kd, uint256 vegaStd) {
        uint256 spot = g.spot;
        // strike < 1e33 and discount < 1.5e29 inside the domain.
        unchecked {
            kd = g.discount == 0 ? strike : (strike * g.discount) / EXP_LN_1E9;
        }
        uint256 stddev = g.stddev;
        if (stddev >= MIN_STDDEV) {
            int256 d1 = _d1(spot, strike, g.rt, stddev);
            uint256 se;
            (call, put, se) = _combine(spot, kd, d1, d1 - int256(stddev));
            // S·e^{−d1²/2}·σ√τ/√(2π): se < 1e51 and stddev < 2.3e19, so the product fits; rounded up (requirement).
            vegaStd = FixedPointMathLib.mulWadUp(FixedPointMathLib.mulDivUp(se, stddev, 1e36), INV_SQRT_2PI_UP);
        }
        // No-arbitrage bounds (also the whole answer when σ√τ is below MIN_STDDEV).
        unchecked {
            // Each subtraction is guarded by its comparison.
            if (spot > kd) {
                if (call < spot - kd) call = spot - kd;
            } else if (put < kd - spot) {
                put = kd - spot;
            }
        }
        if (call > spot) call = spot;
        if (put > kd) put = kd;
    }

    /// @dev rτ in WAD truncated toward zero, and e^{−rτ} scaled by EXP_LN_1E9 (0 when rτ is exactly 0 by input).
    function _discount(uint256 tau, int256 rate) private pure returns (int256 rt, uint256 discount) {
        if (rate == 0 || tau == 0) return (0, 0);
        // Inside the domain every product below is bounded as noted.
        unchecked {
            int256 n = rate * int256(tau); // |n| <= 1e18 · 1.6e8
            rt = n / int256(YEAR);
            int256 rem = n - rt * int256(YEAR); // sub-wei part of rτ, |rem| < YEAR
            int256 e = FixedPointMathLib.expWad(LN_1E9 - rt); // in (1.5e24, 1.5e29) for |rt| <= 5e18
            // First-order correction for the sub-wei remainder: e^{−rem/(YEAR·1e18)} ≈ 1 − rem/(YEAR·1e18).
            e -= (e * rem) / int256(YEAR * WAD); // |e·rem| < 1.5e29 · 3.2e7
            discount = uint256(e);
        }
    }

    /// @dev d1 = (ln(S/K) + rτ)/(σ√τ) + σ√τ/2 in WAD.
    function _d1(uint256 spot, uint256 strike, int256 rt, uint256 stddev) private pure returns (int256) {
        // Inside the domain: S·1e18 < 1e51, |ln(S/K) + rτ| < 26e18, stddev in [1e9, 2.3e19].
        unchecked {
            // ln(S/K) from a ratio >= 1 so the WAD quotient keeps full relative precision.
            int256 lnSK =
                spot >= strike
                    ? FixedPointMathLib.lnWad(int256((spot * WAD) / strike))
                    : -FixedPointMathLib.lnWad(int256((strike * WAD) / spot));
            return ((lnSK + rt) * IWAD) / int256(stddev) + int256(stddev / 2);
        }
    }

    /// @dev Prices from d1, d2 (d1 >= d2) and K·e^{−rτ}; may be outside the no-arbitrage bounds by rounding only.
    /// Also returns `se` = S·e^{−d1²/2} in 1e36 scale (0 once e^{−d1²/2} underflows).
    function _combine(
        uint256 spot,
        uint256 kd,
        int256 d1,
        int256 d2
    ) private pure returns (uint256 call, uint256 put, uint256 se) {
        // |d1| < 2.6e28 so d1² < 6.8e56; the tail terms are below spot <= 1e33.
        unchecked {
            // e^{−d1²/2}; expWad returns 0 once it is below 1e-18, i.e. |d1| > 9.11.
            uint256 e1 = uint256(FixedPointMathLib.expWad(-((d1 * d1) / (2 * IWAD))));
            int256 a1; // S·N(−|d1|)
            int256 a2; // K·e^{−rτ}·N(−|d2|) = S·e^{−d1²/2}·R(|d2|)
            if (e1 != 0) {
                // e1 != 0 ⇒ |d1| < 9.2 and |d2| <= |d1| + σ√τ < 32: inside _scaledTail's range. spot·e1 < 1e51.
                se = spot * e1;
                a1 = int256((se * _scaledTail(_abs(d1))) / 1e36); // R <= 0.5e18
                a2 = int256((se * _scaledTail(_abs(d2))) / 1e36);
            }
            int256 c;
            int256 p;
            if (d2 >= 0) {
                c = int256(spot) - int256(kd) + a2 - a1;
                p = a2 - a1;
            } else if (d1 >= 0) {
                c = int256(spot) - a1 - a2;
                p = int256(kd) - a1 - a2;
            } else {
                c = a1 - a2;
                p = int256(kd) - int256(spot) + a1 - a2;
            }
            call = c > 0 ? uint256(c) : 0;
            put = p > 0 ? uint256(p) : 0;
        }
    }

    /// @notice Standard normal CDF N(x), x and result in WAD, |error| <= ~1e-16 (relative in the lower tail).
    function normCdf(int256 x) internal pure returns (uint256) {
        uint256 ax = _abs(x);
        if (ax > 40e18) return x < 0 ? 0 : WAD;
        // ax² < 1.6e39: no overflow; e·R < 1e36.
        unchecked {
            uint256 tail = (uint256(FixedPointMathLib.expWad(-int256((ax * ax) / (2 * WAD)))) * _scaledTail(ax)) / WAD;
            return x < 0 ? tail : WAD - tail;
        }
    }

    /// @notice Reverts with BlackScholes_OutOfDomain unless every input is inside the documented domain.
    function _checkDomain(uint256 spot, uint256 strike, uint256 tau, uint256 vol, int256 rate) private pure {
        bool outside;
        // Branch-free: the moneyness products may wrap only when spot or strike is already above MAX_PRICE, which
        // flags the input anyway.
        /// @solidity memory-safe-assembly
        assembly {
            outside := or(
                or(or(lt(spot, MIN_PRICE), gt(spot, MAX_PRICE)), or(lt(strike, MIN_PRICE), gt(strike, MAX_PRICE))),
                or(
                    or(gt(spot, mul(strike, MAX_MONEYNESS)), gt(strike, mul(spot, MAX_MONEYNESS))),
                    or(or(gt(tau, MAX_TAU), gt(vol, MAX_VOL)), or(sgt(rate, MAX_RATE), slt(rate, sub(0, MAX_RATE))))
                )
            )
        }
        if (outside) revert BlackScholes_OutOfDomain(spot, strike, tau, vol, rate);
    }

    /// @dev R(x) = N(−x)·e^{x²/2} in WAD for 0 <= x <= 40e18, relative error ~1.3e-16.
    /// x < 0.663: Hart (1968) algorithm 5666 rational (as in West 2005); 0.663..5.657: Cody (1969) erfc rational
    /// R_{8,8} rewritten in x = y·√2; above: Cody's asymptotic rational in z = 1/y² = 2/x².
    /// Horner steps in assembly: Solidity keeps a division-by-zero check on every `/`, even by a constant.
    function _scaledTail(uint256 x) private pure returns (uint256 r) {
        // All coefficients are positive and x <= 40e18, so every Horner step stays below 1e50: no overflow; every
        // divisor is a non-zero constant or a positive polynomial value.
        /// @solidity memory-safe-assembly
        assembly {
            let w := 1000000000000000000
            switch lt(x, CODY_LOW)
            case 1 {
                let num := 35262496599891100
                num := add(div(mul(num, x), w), 700383064443688000)
                num := add(div(mul(num, x), w), 6373962203531650000)
                num := add(div(mul(num, x), w), 33912866078383000000)
                num := add(div(mul(num, x), w), 112079291497871000000)
                num := add(div(mul(num, x), w), 221213596169931000000)
                num := add(div(mul(num, x), w), 220206867912376000000)
                let den := 88388347648318400
                den := add(div(mul(den, x), w), 1755667163182640000)
                den := add(div(mul(den, x), w), 16064177579207000000)
                den := add(div(mul(den, x), w), 86780732202946100000)
                den := add(div(mul(den, x), w), 296564248779674000000)
                den := add(div(mul(den, x), w), 637333633378831000000)
                den := add(div(mul(den, x), w), 793826512519948000000)
                den := add(div(mul(den, x), w), 440413735824752000000)
                r := div(mul(num, w), den)
            }
            default {
                switch gt(x, CODY_HIGH)
                case 0 {
                    let num := 10765576774
                    num := add(div(mul(num, x), w), 398941512088134668)
                    num := add(div(mul(num, x), w), 8883149794388375941)
                    num := add(div(mul(num, x), w), 93506656132177855979)
                    num := add(div(mul(num, x), w), 597270276394800262264)
                    num := add(div(mul(num, x), w), 2494537585290372671113)
                    num := add(div(mul(num, x), w), 6848190450536282332560)
                    num := add(div(mul(num, x), w), 11602651437647350123631)
                    num := add(div(mul(num, x), w), 9842714838383978021760)
                    let den := add(x, 22266688044328115691) // x^8 is monic: first step is x·1 + c
                    den := add(div(mul(den, x), w), 235387901782624998610)
                    den := add(div(mul(den, x), w), 1519377599407554804963)
                    den := add(div(mul(den, x), w), 6485558298266760754960)
                    den := add(div(mul(den, x), w), 18615571640885098091297)
                    den := add(div(mul(den, x), w), 34900952721145977265600)
                    den := add(div(mul(den, x), w), 38912003286093271410986)
                    den := add(div(mul(den, x), w), 19685429676859990726880)
                    r := div(mul(num, w), den)
                }
                default {
                    let z := div(2000000000000000000000000000000000000000000000000000000, mul(x, x)) // 2/x², WAD
                    // 1e27 scale; numerator coefficients are the magnitudes of Cody's negative p_k.
                    let n := 16315387137302097849800000
                    n := add(div(mul(n, z), w), 305326634961232344035000000)
                    n := add(div(mul(n, z), w), 360344899949804439429000000)
                    n := add(div(mul(n, z), w), 125781726111229246204000000)
                    n := add(div(mul(n, z), w), 16083785148742276627800000)
                    n := add(div(mul(n, z), w), 658749161529837803157000)
                    let d := add(mul(z, 1000000000), 2568520192289822420720000000) // monic z^5: 1e27·z/1e18
                    d := add(div(mul(d, z), w), 1872952849923460472090000000)
                    d := add(div(mul(d, z), w), 527905102951428412248000000)
                    d := add(div(mul(d, z), w), 60518341312441319117800000)
                    d := add(div(mul(d, z), w), 2335204976268691854430000)
                    // (1/√π − z·|top|/bot) / (√2·x); the bracket is > 0.5e18.
                    r := div(
                        mul(sub(ONE_OVER_SQRT_PI, div(mul(z, n), d)), 1000000000000000000000000000000000000),
                        mul(SQRT_2, x)
                    )
                }
            }
        }
    }

    function _abs(int256 x) private pure returns (uint256) {
        unchecked {
            // Casting after negation is safe: |type(int256).min| fits in uint256 when done on the uint side.
            return x < 0 ? uint256(-(x + 1)) + 1 : uint256(x);
        }
    }
}
