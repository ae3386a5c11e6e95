// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";
import {LibSort} from "solady/src/utils/LibSort.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {AccountId, SeriesId, MarketMode} from "../types/Types.sol";
import {Trade} from "../interfaces/IClearingHouse.sol";
import {MarginLib} from "../libraries/MarginLib.sol";
import {IRiskConfig, PricingParams} from "../interfaces/IRiskConfig.sol";
import {IMarginEvaluator} from "../interfaces/IMarginEvaluator.sol";
import {IChainlinkOracle} from "../interfaces/IChainlinkOracle.sol";
import {IVolatilityOracle} from "../interfaces/IVolatilityOracle.sol";
import {ISettlementOracle} from "../interfaces/ISettlementOracle.sol";
import {OracleCache} from "./OracleCache.sol";

/// @title MarginEvaluator
/// @notice The account evaluation of the clearing house that creates it. See `IMarginEvaluator.evaluate` and
/// docs/margin.md §4 (account rules).
/// @dev Group rules:
/// - live group (expiry in the future): spot and mode from `marketState`, vol and vol mode from `vol`.
/// - expired group with a recorded settlement price: intrinsic at that price, no requirement (`settled`).
/// - expired group without one: intrinsic at spot (tau = 0) with requirements.
/// - degraded group (market Halted, or ReduceOnly in a strict evaluation, INV-9): no price is relied upon; a
///   defined-risk group counts at minus its maximum loss, an unbounded one at minus its worst expiry payoff for any
///   price up to lastPrice·(1 + haltShock) and the IM floor per short contract, with no further requirement. Never a
///   revert: accounts are never frozen.
/// - settled group: its value (a final cash claim or debt) counts in equity, nothing is required or held.
/// - a group whose vol or market is ReduceOnly (non-strict evaluation) gets no maintenance credit for positive value.
/// Group contributions: IM needs max(value, imReq) (longs earn no IM credit), MM needs mmReq + h·max(0, value − mmReq)
/// with h = mmLongHaircut. Collateral: equity counts amount × price; IM and MM need its IM and MM haircuts; collateral
/// priced by a degraded market counts at lastPrice·(1 − haltShock), fully required for IM (counts 0) and haircut for MM.
contract MarginEvaluator is IMarginEvaluator {
    using OracleCache for OracleCache.Cache;
    using FixedPointMathLib for uint256;
    using SafeCast for uint256;

    uint256 private constant WAD = 1e18;
    uint256 private constant SIZE_BITS = 96;
    /// @dev `word >> GROUP_SHIFT` is the series' expiry key (underlying << 40 | expiry).
    uint256 private constant GROUP_SHIFT = 96 + 104;

    /// @inheritdoc IMarginEvaluator
    address public immutable clearingHouse;
    /// @inheritdoc IMarginEvaluator
    IChainlinkOracle public immutable chainlinkOracle;
    /// @inheritdoc IMarginEvaluator
    IVolatilityOracle public immutable volatilityOracle;
    /// @inheritdoc IMarginEvaluator
    ISettlementOracle public immutable settlementOracle;
    /// @inheritdoc IMarginEvaluator
    IRiskConfig public immutable riskConfig;

    constructor(
        IChainlinkOracle chainlinkOracle_,
        IVolatilityOracle volatilityOracle_,
        ISettlementOracle settlementOracle_,
        IRiskConfig riskConfig_
    ) {
        clearingHouse = msg.sender;
        chainlinkOracle = chainlinkOracle_;
        volatilityOracle = volatilityOracle_;
        settlementOracle = settlementOracle_;
        riskConfig = riskConfig_;
    }

    /// @dev Running totals of one evaluation (memory keeps the group loop clear of stack limits).
    struct Totals {
        int256 equity;
        uint256 im;
        uint256 mm;
        uint256 groups;
        uint256 halted;
        uint256 paramsFor; // underlying + 1 whose pricing parameters are loaded
        uint256 haircutFor; // underlying + 1 whose mmLongHaircut is loaded
        uint256 mmLongHaircut;
        bool strict; // see the contract notes
    }

    /// @inheritdoc IMarginEvaluator
    function evaluate(
        int256 cashWad,
        uint256[] calldata collaterals,
        uint256[] memory positions,
        bool strict,
        OracleCache.Cache memory cache
    ) external view returns (Evaluation memory e, OracleCache.Cache memory) {
        return (_evaluate(cashWad, collaterals, positions, strict, cache), cache);
    }

    /// @inheritdoc IMarginEvaluator
    function evaluateBefore(
        AccountId account,
        int256 cashWad,
        uint256[] calldata collaterals,
        uint256[] memory positions,
        Trade[] calldata trades,
        OracleCache.Cache memory cache
    ) external view returns (Evaluation memory e, OracleCache.Cache memory) {
        (int256 cashDelta, uint256[] memory deltas) = _batchDeltas(account, trades);
        uint256[] memory before = _undo(positions, deltas);
        return (_evaluate(cashWad - cashDelta, collaterals, before, true, cache), cache);
    }

    /// @dev Net cash and position deltas (`SeriesId << 96 | uint96(int96 sizeDelta)`) of `account` in the batch.
    function _batchDeltas(
        AccountId account,
        Trade[] calldata trades
    ) internal pure returns (int256 cashDelta, uint256[] memory deltas) {
        uint256 id = AccountId.unwrap(account);
        deltas = new uint256[](2 * trades.length);
        uint256 count;
        for (uint256 i; i < trades.length; ++i) {
            Trade calldata t = trades[i];
            // Sizes fit int96: the batch stored them in position words (the clearing house's _pack checks).
            uint256 series = SeriesId.unwrap(t.series) << SIZE_BITS;
            if (AccountId.unwrap(t.buyer) == id) {
                cashDelta -= (t.premium + t.buyerFee).toInt256();
                deltas[count++] = series | uint96(int96(t.size.toInt256()));
            }
            if (AccountId.unwrap(t.seller) == id) {
                cashDelta += t.premium.toInt256() - t.sellerFee.toInt256();
                deltas[count++] = series | uint96(-int96(t.size.toInt256()));
            }
        }
        assembly ("memory-safe") {
            mstore(deltas, count) // shrink in place: count <= allocated length
        }
    }

    function _evaluate(
        int256 cashWad,
        uint256[] calldata collaterals,
        uint256[] memory positions,
        bool strict,
        OracleCache.Cache memory cache
    ) internal view returns (Evaluation memory e) {
        Totals memory t;
        t.equity = cashWad;
        t.strict = strict;
        for (uint256 i; i < collaterals.length; ++i) {
            _addCollateral(collaterals[i], t, cache);
        }
        if (positions.length != 0) _addPositions(positions, t, cache);
        e.equity = t.equity;
        e.im = t.im;
        e.mm = t.mm;
        e.groups = t.groups;
        e.halted = t.halted;
    }

    /// @dev Positions before a batch of trades: each delta word `SeriesId << 96 | uint96(int96 sizeDelta)` is undone
    /// (subtracted); series that reach 0 are dropped, series the trades closed are restored.
    function _undo(uint256[] memory positions, uint256[] memory deltas) internal pure returns (uint256[] memory out) {
        uint256 n = positions.length;
        out = new uint256[](n + deltas.length);
        for (uint256 i; i < n; ++i) {
            out[i] = positions[i];
        }
        for (uint256 d; d < deltas.length; ++d) {
            uint256 series = deltas[d] >> SIZE_BITS;
            int256 delta = int96(uint96(deltas[d]));
            uint256 i;
            while (i < n && out[i] >> SIZE_BITS != series) ++i;
            int256 size = (i < n ? int256(int96(uint96(out[i]))) : int256(0)) - delta;
            if (i == n) ++n;
            // |size| stays within int96: it was a stored position before the trades.
            out[i] = (series << SIZE_BITS) | uint96(int96(size));
        }
        // Drop zero sizes (positions the trades opened).
        uint256 m;
        for (uint256 i; i < n; ++i) {
            if (uint96(out[i]) != 0) out[m++] = out[i];
        }
        assembly ("memory-safe") {
            mstore(out, m) // shrink in place: m <= allocated length
        }
    }

    /// @dev Collateral word `priceUnderlying << 240 | imHaircut << 176 | mmHaircut << 112 | amountWad`.
    /// Live market: equity += amount × price (down); IM/MM need value × haircut (up). Degraded market (Halted, or
    /// ReduceOnly when strict): value at lastPrice·(1 − haltShock) (down), IM needs all of it, MM its MM haircut.
    function _addCollateral(uint256 word, Totals memory t, OracleCache.Cache memory cache) internal view {
        uint16 underlying = uint16(word >> 240);
        (MarketMode mode, uint256 price) = cache.market(chainlinkOracle, underlying);
        uint256 amount = uint112(word);
        uint256 value;
        if (mode == MarketMode.Halted || (t.strict && mode == MarketMode.ReduceOnly)) {
            if (mode == MarketMode.Halted) ++t.halted;
            (uint256 last, ) = chainlinkOracle.lastPrice(underlying);
            uint256 shock = riskConfig.riskParams(underlying).haltShock;
            if (shock == 0) shock = WAD; // a price market RiskConfig never listed: no parameter, count nothing
            value = amount.mulWad(last).mulWad(WAD - shock);
            t.im += value; // counts 0 for IM
        } else {
            value = amount.mulWad(price);
            t.im += value.mulWadUp(uint64(word >> 176));
        }
        t.mm += value.mulWadUp(uint64(word >> 112));
        t.equity += value.toInt256();
    }

    /// @dev Sorts the words and adds the (underlying, expiry) groups' values and needs.
    function _addPositions(uint256[] memory positions, Totals memory t, OracleCache.Cache memory cache) internal view {
        // Ids are unique per account, so sorting packed words sorts by id: underlying, expiry, strike, kind.
        // Insertion sort is cheaper on short arrays; intro-quicksort keeps long ones at n log n. Same order.
        if (positions.length <= 24) LibSort.insertionSort(positions);
        else LibSort.sort(positions);
        MarginLib.GroupParams memory params;
        uint256 start;
        while (start < positions.length) {
            start = _addGroup(positions, start, params, cache, t);
        }
    }

    /// @dev Pricing parameters of `underlying`, read from RiskConfig once per underlying run.
    function _loadParams(MarginLib.GroupParams memory p, uint16 underlying) internal view {
        PricingParams memory q = riskConfig.pricingParams(underlying);
        p.imBase = q.imBase;
        p.imFloor = q.imFloor;
        p.mmBase = q.mmBase;
        p.mmFloor = q.mmFloor;
        p.rate = q.rate;
        p.imVegaSlope = q.imVegaSlope;
        p.imVegaCap = q.imVegaCap;
        p.mmVegaSlope = q.mmVegaSlope;
        p.mmVegaCap = q.mmVegaCap;
    }

    /// @dev `RiskParams.mmLongHaircut` of `underlying`, read on first use in the evaluation: only a group worth more
    /// than its MM requirement needs it, so accounts without one skip the storage slot it lives in.
    function _mmLongHaircut(Totals memory t, uint16 underlying) internal view returns (uint256) {
        if (t.haircutFor != uint256(underlying) + 1) {
            t.haircutFor = uint256(underlying) + 1;
            t.mmLongHaircut = riskConfig.mmLongHaircut(underlying);
        }
        return t.mmLongHaircut;
    }

    /// @dev Adds the group starting at `positions[start]` to `t` and returns one past its last index.
    function _addGroup(
        uint256[] memory positions,
        uint256 start,
        MarginLib.GroupParams memory p,
        OracleCache.Cache memory cache,
        Totals memory t
    ) internal view returns (uint256 end) {
        uint256 key = positions[start] >> GROUP_SHIFT;
        end = start + 1;
        while (end < positions.length && positions[end] >> GROUP_SHIFT == key) ++end;
        ++t.groups;
        uint16 underlying = uint16(key >> 40);
        if (t.paramsFor != uint256(underlying) + 1) {
            t.paramsFor = uint256(underlying) + 1;
            _loadParams(p, underlying);
        }
        (MarketMode marketMode, MarketMode mode) = _marketInputs(p, key, cache);
        if (mode == MarketMode.Halted) ++t.halted;
        if (marketMode == MarketMode.Halted || (t.strict && marketMode == MarketMode.ReduceOnly)) {
            t.equity -= _degradedLoss(positions, start, end, underlying, p.imFloor).toInt256();
            return end;
        }
        (int256 value, uint256 imReq, uint256 mmReq) = MarginLib.evaluateWords(positions, start, end, p);
        t.equity += value;
        // A settled group is a final cash claim or debt (it becomes cash at settleAccounts): nothing to hold.
        if (p.settled) return end;
        // IM: max(value, imReq) — a positive value is held, never credited.
        t.im += value > int256(imReq) ? uint256(value) : imReq;
        // MM: mmReq + h·max(0, value − mmReq), h = 1 while the group's inputs are degraded (e.g. a fallback vol).
        if (value > int256(mmReq)) {
            uint256 h = mode == MarketMode.Active ? _mmLongHaircut(t, underlying) : WAD;
            t.mm += mmReq + (uint256(value) - mmReq).mulWadUp(h);
        } else {
            t.mm += mmReq;
        }
    }

    /// @dev Conservative loss of a group whose market gives no trustworthy price, nothing further required: a
    /// defined-risk group (Σ call sizes >= 0) its maximum loss L; an unbounded one its worst expiry payoff up to
    /// lastPrice·(1 + haltShock) plus, per short contract, the IM floor on the last price (so a halt never needs less
    /// than the floor a working market asks of a far out-of-the-money short). Rounded up.
    function _degradedLoss(
        uint256[] memory positions,
        uint256 start,
        uint256 end,
        uint16 underlying,
        uint256 imFloor
    ) internal view returns (uint256) {
        int256 callSizes;
        uint256 shortSizes;
        for (uint256 i = start; i < end; ++i) {
            int256 size = int96(uint96(positions[i]));
            if ((positions[i] >> SIZE_BITS) & 0xff == 1) callSizes += size;
            if (size < 0) shortSizes += uint256(-size);
        }
        if (callSizes >= 0) return MarginLib.lossUpTo(positions, start, end, MarginLib.MAX_PRICE);
        (uint256 last, uint256 maxPrice) = chainlinkOracle.lastPrice(underlying);
        uint256 upTo = last == 0 ? maxPrice : last.mulWadUp(WAD + riskConfig.riskParams(underlying).haltShock);
        if (upTo > MarginLib.MAX_PRICE) upTo = MarginLib.MAX_PRICE;
        return MarginLib.lossUpTo(positions, start, end, upTo) + shortSizes.mulWadUp(imFloor.mulWadUp(last));
    }

    /// @dev Writes price, vol, tau and settled of the group `key` into `p`; returns the market mode and the effective
    /// mode (the more restrictive of market and vol modes for a live group). Both Active once a settlement price is
    /// recorded (no live input).
    function _marketInputs(
        MarginLib.GroupParams memory p,
        uint256 key,
        OracleCache.Cache memory cache
    ) internal view returns (MarketMode marketMode, MarketMode mode) {
        uint16 underlying = uint16(key >> 40);
        uint256 expiry = uint40(key);
        p.vol = 0;
        p.tau = 0;
        p.settled = false;
        if (expiry > block.timestamp) {
            (marketMode, p.price) = cache.market(chainlinkOracle, underlying);
            if (marketMode == MarketMode.Halted) return (marketMode, marketMode);
            MarketMode volMode;
            (p.vol, volMode) = cache.vol(volatilityOracle, key);
            mode = volMode > marketMode ? volMode : marketMode;
            p.tau = expiry - block.timestamp; // seconds
        } else {
            bool recorded;
            (p.price, recorded) = cache.settlement(settlementOracle, key);
            if (recorded) {
                p.settled = true; // final price: no live input, nothing to degrade
                return (MarketMode.Active, MarketMode.Active);
            }
            // expired, price not proven yet: intrinsic at spot (tau = 0), still margined
            (marketMode, p.price) = cache.market(chainlinkOracle, underlying);
            mode = marketMode;
        }
    }
}
