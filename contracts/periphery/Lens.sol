// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";
import {LibSort} from "solady/src/utils/LibSort.sol";

import {AccountId, SeriesId, MarketMode} from "../types/Types.sol";
import {SeriesIdLib} from "../libraries/SeriesIdLib.sol";
import {MarginLib} from "../libraries/MarginLib.sol";
import {ILens} from "../interfaces/ILens.sol";
import {IClearingHouse} from "../interfaces/IClearingHouse.sol";
import {IRiskConfig, EngineParams, RiskParams} from "../interfaces/IRiskConfig.sol";
import {IChainlinkOracle} from "../interfaces/IChainlinkOracle.sol";
import {IMarginEvaluator} from "../interfaces/IMarginEvaluator.sol";
import {ILiquidationModule, Auction, Quote} from "../interfaces/ILiquidationModule.sol";
import {OracleCache} from "../core/OracleCache.sol";

/// @title Lens
/// @notice Read-only views over the clearing house: health, margin ratio, marks, liquidation prices, auction and bid
/// previews for keepers. Never called by the core; holds no state besides the clearing house address.
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
        uint256[] memory strikes = new uint256[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            if (SeriesIdLib.underlying(ids[i]) != underlying) return (0, 0);
            strikes[i] = SeriesIdLib.strike(ids[i]);
        }
        IChainlinkOracle oracle = clearingHouse.chainlinkOracle();
        (MarketMode mode, uint256 spot) = oracle.marketState(underlying);
        if (mode == MarketMode.Halted) return (0, 0);
        if (_margin(account, underlying, spot) < 0) return (spot, spot);
        (uint256 minPrice, uint256 maxPrice) = oracle.priceBand(underlying);
        lowerWad = _search(account, underlying, spot, minPrice, strikes);
        upperWad = _search(account, underlying, spot, maxPrice, strikes);
    }

    /// @dev MM margin (equity - MM) at a hypothetical price of `underlying`.
    function _margin(AccountId account, uint16 underlying, uint256 price) internal view returns (int256) {
        (int256 equity, , uint256 mm) = clearingHouse.accountMarginAtPrice(account, underlying, price);
        return equity - int256(mm);
    }

    /// @dev Nearest price from `spot` towards `edge` where the MM margin is < 0, or 0. `_margin(spot) >= 0`.
    /// Probes: SCAN_STEPS geometric steps up to the edge, plus every strike strictly between spot and edge, visited in
    /// order of distance from spot. The margin bends at strikes (sharply near expiry), so a liquidatable region
    /// narrower than a geometric step usually contains one: probing strikes finds it.
    function _search(
        AccountId account,
        uint16 underlying,
        uint256 spot,
        uint256 edge,
        uint256[] memory strikes
    ) internal view returns (uint256) {
        if (edge == spot) return 0;
        bool up = edge > spot;
        uint256[] memory probes = new uint256[](SCAN_STEPS + strikes.length);
        // step ratio r = (edge / spot)^(1 / SCAN_STEPS), as a WAD multiplier (< 1 when scanning down)
        int256 logStep = FixedPointMathLib.lnWad(int256(edge.divWad(spot))) / int256(SCAN_STEPS);
        for (uint256 i = 1; i < SCAN_STEPS; ++i) {
            probes[i - 1] = spot.mulWad(uint256(FixedPointMathLib.expWad(logStep * int256(i))));
        }
        probes[SCAN_STEPS - 1] = edge;
        uint256 n = SCAN_STEPS;
        for (uint256 i; i < strikes.length; ++i) {
            uint256 k = strikes[i];
            if (up ? (k > spot && k < edge) : (k < spot && k > edge)) probes[n++] = k;
        }
        assembly ("memory-safe") {
            mstore(probes, n) // shrink to the probes in use (n <= allocated length)
        }
        LibSort.sort(probes);
        LibSort.uniquifySorted(probes);
        n = probes.length;
        uint256 safe = spot; // margin >= 0 here
        for (uint256 i; i < n; ++i) {
            uint256 probe = probes[up ? i : n - 1 - i];
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

    // ------------------------------------------------------------------------------------------------ keepers

    /// @inheritdoc ILens
    function auctionView(AccountId account) external view returns (AuctionView memory v) {
        ILiquidationModule liq = _module();
        Auction memory a = liq.auctionOf(account);
        if (a.startedAt == 0) {
            (v.equity, v.mm, v.halted) = clearingHouse.accountHealth(account);
            v.insolvent = v.equity < 0;
            return v;
        }
        Quote memory q = liq.quote(account);
        (v.startedAt, v.insolventSince) = (a.startedAt, a.insolventSince);
        (v.insolvent, v.pricePerUnit, v.maxFraction, v.halted, v.equity, v.mm) = (
            q.insolvent,
            q.pricePerUnit,
            q.maxFraction,
            q.halted,
            q.equity,
            q.mm
        );
    }

    /// @inheritdoc ILens
    function bidPreview(
        AccountId account,
        AccountId bidderAccount,
        uint256 fraction
    ) external view returns (BidPreview memory b) {
        if (fraction == 0 || fraction > WAD) revert Lens_InvalidFraction(fraction);
        (b.cost, b.toAccount, b.toFund, b.fromFund) = _module().costOf(account, fraction);
        (Holdings memory rest, Holdings memory bidder) = _split(account, bidderAccount, fraction, b);
        IMarginEvaluator.Evaluation memory e = _evaluate(rest, false);
        (b.accountEquityAfter, b.accountMMAfter) = (e.equity, e.mm);
        e = _evaluate(bidder, true);
        (b.bidderEquityAfter, b.bidderIMAfter) = (e.equity, e.im);
        b.bidderMeetsIM = e.equity >= int256(e.im);
    }

    /// @dev Hypothetical raw holdings of one account, as the evaluator takes them.
    struct Holdings {
        int256 cash;
        uint256[] collateral;
        uint256[] positions;
    }

    /// @dev Holdings of the auctioned account and of the bidder after `ClearingHouse.liquidationTransfer`.
    function _split(
        AccountId account,
        AccountId bidderAccount,
        uint256 fraction,
        BidPreview memory b
    ) internal view returns (Holdings memory rest, Holdings memory bidder) {
        (rest.positions, bidder.positions) = _splitPositions(account, bidderAccount, fraction);
        (rest.collateral, bidder.collateral) = _splitCollateral(account, bidderAccount, fraction);
        // cash: the fraction toward zero, then the bidder pays the account and the fund, and the fund pays the bidder
        int256 cash = clearingHouse.cashOf(account);
        int256 moved = (cash * int256(fraction)) / int256(WAD);
        rest.cash = cash - moved + int256(b.toAccount);
        bidder.cash =
            clearingHouse.cashOf(bidderAccount) +
            moved -
            int256(b.toAccount) -
            int256(b.toFund) +
            int256(b.fromFund);
    }

    function _module() internal view returns (ILiquidationModule liq) {
        liq = ILiquidationModule(clearingHouse.liquidationModule());
        if (address(liq) == address(0)) revert Lens_NoLiquidationModule();
    }

    /// @dev The evaluator on hypothetical holdings, with an empty oracle cache; just the cash without any holding
    /// (as the clearing house does).
    function _evaluate(Holdings memory h, bool strict) internal view returns (IMarginEvaluator.Evaluation memory e) {
        if (h.collateral.length == 0 && h.positions.length == 0) {
            e.equity = h.cash;
            return e;
        }
        OracleCache.Cache memory cache;
        (e, ) = clearingHouse.marginEvaluator().evaluate(h.cash, h.collateral, h.positions, strict, cache);
    }

    /// @dev Position words after moving `fraction` of every position of `account` into `bidderAccount` (toward zero,
    /// all at WAD), without the positions that end at zero.
    function _splitPositions(
        AccountId account,
        AccountId bidderAccount,
        uint256 fraction
    ) internal view returns (uint256[] memory rest, uint256[] memory merged) {
        (SeriesId[] memory ids, int256[] memory sizes) = clearingHouse.positionsOf(account);
        (SeriesId[] memory bidderIds, int256[] memory bidderSizes) = clearingHouse.positionsOf(bidderAccount);
        rest = new uint256[](ids.length);
        merged = new uint256[](ids.length + bidderIds.length);
        uint256 restCount;
        uint256 mergedCount = bidderIds.length;
        for (uint256 i; i < mergedCount; ++i) {
            merged[i] = _word(bidderIds[i], bidderSizes[i]);
        }
        for (uint256 i; i < ids.length; ++i) {
            int256 part = fraction == WAD ? sizes[i] : (sizes[i] * int256(fraction)) / int256(WAD);
            if (sizes[i] != part) rest[restCount++] = _word(ids[i], sizes[i] - part);
            if (part == 0) continue;
            uint256 j;
            while (j < bidderIds.length && SeriesId.unwrap(bidderIds[j]) != SeriesId.unwrap(ids[i])) ++j;
            if (j < bidderIds.length) {
                bidderSizes[j] += part;
                merged[j] = _word(bidderIds[j], bidderSizes[j]);
            } else {
                merged[mergedCount++] = _word(ids[i], part);
            }
        }
        // drop the bidder's positions closed by the transfer (a zero word)
        uint256 kept;
        for (uint256 i; i < mergedCount; ++i) {
            if (uint96(merged[i]) != 0) merged[kept++] = merged[i];
        }
        assembly ("memory-safe") {
            mstore(rest, restCount)
            mstore(merged, kept)
        }
    }

    /// @dev `SeriesId << 96 | uint96(int96 size)`, as the clearing house stores positions (a size beyond int96 would
    /// make the real transfer revert).
    function _word(SeriesId series, int256 size) internal pure returns (uint256) {
        return (SeriesId.unwrap(series) << 96) | uint96(int96(size));
    }

    /// @dev Collateral words after moving `fraction` (mulWad, down) of every collateral balance of `account` into
    /// `bidderAccount`; only non-zero balances.
    function _splitCollateral(
        AccountId account,
        AccountId bidderAccount,
        uint256 fraction
    ) internal view returns (uint256[] memory rest, uint256[] memory merged) {
        (address[] memory tokens, uint256[] memory params) = _collateralSlots();
        rest = new uint256[](tokens.length);
        merged = new uint256[](tokens.length);
        uint256 restCount;
        uint256 mergedCount;
        for (uint256 i; i < tokens.length; ++i) {
            uint256 balance = clearingHouse.collateralOf(account, tokens[i]);
            uint256 part = balance.mulWad(fraction);
            if (balance != part) rest[restCount++] = params[i] | (balance - part);
            part += clearingHouse.collateralOf(bidderAccount, tokens[i]); // the bidder's balance after
            if (part != 0) merged[mergedCount++] = params[i] | part;
        }
        assembly ("memory-safe") {
            mstore(rest, restCount)
            mstore(merged, mergedCount)
        }
    }

    /// @dev Every listed collateral with its packed parameters (the clearing house's words without the amount).
    function _collateralSlots() internal view returns (address[] memory, uint256[] memory) {
        IRiskConfig risk = clearingHouse.riskConfig();
        return risk.collateralSlots((1 << risk.collateralTokens().length) - 1);
    }
}
