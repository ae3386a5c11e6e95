// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";

import {AccountId, SeriesId, MarketMode} from "../types/Types.sol";
import {SeriesIdLib} from "../libraries/SeriesIdLib.sol";
import {MarginLib} from "../libraries/MarginLib.sol";
import {ILens} from "../interfaces/ILens.sol";
import {IClearingHouse} from "../interfaces/IClearingHouse.sol";
import {IRiskConfig, EngineParams, RiskParams} from "../interfaces/IRiskConfig.sol";
import {IChainlinkOracle} from "../interfaces/IChainlinkOracle.sol";

/// @title Lens
/// @notice Read-only views over the clearing house: health, margin ratio, marks, liquidation prices. Never called by
/// the core; holds no state besides the clearing house address.
contract Lens is ILens {
    using FixedPointMathLib for uint256;

    uint256 private constant WAD = 1e18;
    /// @notice Geometric steps from spot to each band edge before bisection (brackets the nearest crossing).
    uint256 public constant SCAN_STEPS = 16;
    /// @notice Upper bound on bisection steps per side (stops earlier at 1e-9 relative width).
    uint256 public constant BISECTION_STEPS = 48;

    /// @inheritdoc ILens
    IClearingHouse public immutable clearingHouse;

    constructor(IClearingHouse clearingHouse_) {
        if (address(clearingHouse_) == address(0)) revert Lens_ZeroAddress();
        clearingHouse = clearingHouse_;
    }

    // ------------------------------------------------------------------------------------------------ health

    /// @inheritdoc ILens
    function health(AccountId account) public view returns (Health memory h) {
        (int256 equity, uint256 im, uint256 mm) = clearingHouse.accountMargin(account);
        h.equity = equity;
        h.initialRequirement = im;
        h.maintenanceRequirement = mm;
        h.initialMargin = equity - int256(im);
        h.maintenanceMargin = equity - int256(mm);
        h.marginRatio = _ratio(equity, mm);
        h.liquidatable = h.maintenanceMargin < 0;
    }

    /// @inheritdoc ILens
    function marginRatio(AccountId account) external view returns (uint256) {
        (int256 equity, , uint256 mm) = clearingHouse.accountMargin(account);
        return _ratio(equity, mm);
    }

    function _ratio(int256 equity, uint256 mm) internal pure returns (uint256) {
        if (mm == 0) return equity >= 0 ? type(uint256).max : 0;
        if (equity <= 0) return 0;
        return uint256(equity).divWad(mm); // rounded down: never flatters the account
    }

    // ------------------------------------------------------------------------------------------------ marks

    /// @inheritdoc ILens
    function positionMarks(AccountId account) external view returns (PositionMark[] memory marks) {
        (SeriesId[] memory ids, int256[] memory sizes) = clearingHouse.positionsOf(account);
        marks = new PositionMark[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            marks[i] = _mark(ids[i], sizes[i]);
        }
    }

    /// @dev Same inputs as the core's evaluator (`MarginEvaluator._marketInputs`), one leg at a time.
    function _mark(SeriesId series, int256 size) internal view returns (PositionMark memory m) {
        m.series = series;
        m.size = size;
        uint16 underlying = SeriesIdLib.underlying(series);
        uint40 expiry = SeriesIdLib.expiry(series);
        m.expired = expiry <= block.timestamp;
        MarginLib.GroupParams memory p;
        (m.mode, p) = _inputs(underlying, expiry);
        uint256 strike = SeriesIdLib.strike(series);
        bool isCall = SeriesIdLib.isCall(series);
        MarginLib.Leg[] memory leg = new MarginLib.Leg[](1);
        leg[0] = MarginLib.Leg({strike: strike, size: size, isCall: isCall});
        if (m.mode == MarketMode.Halted) {
            // the core's degraded value (no mark): a bounded leg at minus its maximum loss; a short call at minus its
            // payoff at the shocked last price plus the IM floor on the last price
            uint256[] memory words = MarginLib.toWords(leg);
            if (!isCall || size >= 0) {
                m.valueWad = -int256(MarginLib.lossUpTo(words, 0, 1, MarginLib.MAX_PRICE));
                return m;
            }
            (uint256 last, uint256 maxPrice) = clearingHouse.chainlinkOracle().lastPrice(underlying);
            uint256 upTo = last == 0 ? maxPrice : last.mulWadUp(WAD + _riskParams(underlying).haltShock);
            if (upTo > MarginLib.MAX_PRICE) upTo = MarginLib.MAX_PRICE;
            uint256 floor = uint256(-size).mulWadUp(p.imFloor.mulWadUp(last));
            m.valueWad = -int256(MarginLib.lossUpTo(words, 0, 1, upTo) + floor);
            return m;
        }
        (m.valueWad, , ) = MarginLib.evaluateGroup(leg, p);
        leg[0].size = int256(WAD);
        (int256 unit, , ) = MarginLib.evaluateGroup(leg, p);
        m.markWad = uint256(unit);
    }

    function _riskParams(uint16 underlying) internal view returns (RiskParams memory) {
        return clearingHouse.riskConfig().riskParams(underlying);
    }

    function _inputs(
        uint16 underlying,
        uint40 expiry
    ) internal view returns (MarketMode mode, MarginLib.GroupParams memory p) {
        EngineParams memory e = clearingHouse.riskConfig().engineParams(underlying);
        (p.imBase, p.imFloor, p.mmBase, p.mmFloor, p.rate) = (e.imBase, e.imFloor, e.mmBase, e.mmFloor, e.rate);
        (p.imVegaSlope, p.imVegaCap, p.mmVegaSlope, p.mmVegaCap) = (
            e.imVegaSlope,
            e.imVegaCap,
            e.mmVegaSlope,
            e.mmVegaCap
        );
        if (expiry > block.timestamp) {
            (mode, p.price) = clearingHouse.chainlinkOracle().marketState(underlying);
            if (mode == MarketMode.Halted) return (mode, p);
            MarketMode volMode;
            (p.vol, volMode) = clearingHouse.volatilityOracle().vol(underlying, expiry);
            if (volMode > mode) mode = volMode;
            p.tau = expiry - block.timestamp;
        } else {
            bool recorded;
            (p.price, recorded) = clearingHouse.settlementOracle().settlementPrice(underlying, expiry);
            if (recorded) {
                p.settled = true;
                return (MarketMode.Active, p);
            }
            (mode, p.price) = clearingHouse.chainlinkOracle().marketState(underlying);
        }
    }

    // ------------------------------------------------------------------------------------------------ liquidation

    /// @inheritdoc ILens
    function liquidationPrices(AccountId account) external view returns (uint256 lowerWad, uint256 upperWad) {
        (SeriesId[] memory ids, ) = clearingHouse.positionsOf(account);
        if (ids.length == 0) return (0, 0);
        uint16 underlying = SeriesIdLib.underlying(ids[0]);
        for (uint256 i = 1; i < ids.length; ++i) {
            if (SeriesIdLib.underlying(ids[i]) != underlying) return (0, 0);
        }
        IChainlinkOracle oracle = clearingHouse.chainlinkOracle();
        (MarketMode mode, uint256 spot) = oracle.marketState(underlying);
        if (mode == MarketMode.Halted) return (0, 0);
        if (_margin(account, underlying, spot) < 0) return (spot, spot);
        (uint256 minPrice, uint256 maxPrice) = oracle.priceBand(underlying);
        lowerWad = _search(account, underlying, spot, minPrice);
        upperWad = _search(account, underlying, spot, maxPrice);
    }

    /// @dev MM margin (equity - MM) at a hypothetical price of `underlying`.
    function _margin(AccountId account, uint16 underlying, uint256 price) internal view returns (int256) {
        (int256 equity, , uint256 mm) = clearingHouse.accountMarginAtPrice(account, underlying, price);
        return equity - int256(mm);
    }

    /// @dev Nearest price from `spot` towards `edge` where the MM margin is <= 0, or 0. `_margin(spot) >= 0`.
    function _search(AccountId account, uint16 underlying, uint256 spot, uint256 edge) internal view returns (uint256) {
        if (edge == spot) return 0;
        // step ratio r = (edge / spot)^(1 / SCAN_STEPS), as a WAD multiplier (< 1 when scanning down)
        int256 logStep = FixedPointMathLib.lnWad(int256(edge.divWad(spot))) / int256(SCAN_STEPS);
        uint256 safe = spot; // margin >= 0 here
        for (uint256 i = 1; i <= SCAN_STEPS; ++i) {
            uint256 probe =
                i == SCAN_STEPS ? edge : spot.mulWad(uint256(FixedPointMathLib.expWad(logStep * int256(i))));
            if (_margin(account, underlying, probe) < 0) return _bisect(account, underlying, safe, probe);
            safe = probe;
        }
        return 0;
    }

    /// @dev Bisection between `safe` (margin >= 0) and `unsafe` (margin < 0); returns a price on the unsafe side.
    function _bisect(
        AccountId account,
        uint16 underlying,
        uint256 safe,
        uint256 unsafe
    ) internal view returns (uint256) {
        for (uint256 i; i < BISECTION_STEPS; ++i) {
            uint256 gap = safe > unsafe ? safe - unsafe : unsafe - safe;
            uint256 tolerance = unsafe / 1e9;
            if (gap <= (tolerance == 0 ? 1 : tolerance)) break;
            uint256 mid = (safe + unsafe) / 2;
            if (_margin(account, underlying, mid) < 0) unsafe = mid;
            else safe = mid;
        }
        return unsafe;
    }
}
