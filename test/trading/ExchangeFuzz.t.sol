// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {AccountId, SeriesId} from "../../contracts/types/Types.sol";
import {SeriesIdLib} from "../../contracts/libraries/SeriesIdLib.sol";
import {Order, FillRequest} from "../../contracts/interfaces/IOptionExchange.sol";
import {TradingBase as Base} from "./utils/TradingBase.sol";

/// @notice Fuzz: fill accounting, premium and fee rounding direction, cash conservation (INV-1, INV-7).
contract ExchangeFuzzTest is Base {
    uint256 internal constant MAX_SIZE = 50e18;
    uint256 internal constant MAX_PRICE = 400e18;

    function setUp() public override {
        super.setUp();
        // These properties are about rounding, down to 1-wei fills that open positions: lift the dust guard (the
        // minimum trade size itself is tested in Fill.t.sol).
        _setMinTradeSize(1);
    }

    function _setFees(uint256 makerRate, uint256 takerRate, uint256 cap) internal {
        uint256 maxRate = exchange.MAX_FEE_RATE();
        uint256 maxCap = exchange.MAX_PREMIUM_FEE_CAP();
        makerRate = bound(makerRate, 0, maxRate);
        takerRate = bound(takerRate, 0, maxRate);
        cap = bound(cap, 0, maxCap);
        vm.prank(riskAdmin);
        exchange.setFees(makerRate, takerRate, cap);
    }

    /// Filled never exceeds size; it equals the sum of the fills that went through.
    function testFuzz_fill_FilledNeverExceedsSize(uint256 size, uint256[4] memory fills) public {
        size = bound(size, 1, MAX_SIZE);
        Order memory o = _order(makerAccount, call3000, false, size, 100e18);
        uint256 sum;
        for (uint256 i; i < fills.length; ++i) {
            uint256 f = bound(fills[i], 1, size);
            FillRequest[] memory rs = _one(_request(makerKey, o, f));
            vm.prank(takerOwner);
            try exchange.fill(takerAccount, rs) {
                sum += f;
            } catch {
                assertGt(sum + f, size, "only overfills may revert here");
            }
            assertLe(_filled(o), size);
            assertEq(_filled(o), sum);
        }
        assertEq(ch.positionOf(takerAccount, call3000), int256(sum));
    }

    /// INV-1 / INV-7: premium rounds against the taker (never past the maker's limit, off by < 1 wei), fees round
    /// up (never below the exact formula, at most 1 wei above per term), and cash is conserved:
    /// maker + taker + fee sinks change by zero in sum.
    function testFuzz_fill_RoundingFavoursProtocolAndCashConserved(
        uint256 size,
        uint256 price,
        bool makerBuys,
        uint256 feeSeed
    ) public {
        size = bound(size, 1, MAX_SIZE);
        price = bound(price, 0, MAX_PRICE);
        _setFees(uint64(feeSeed), uint64(feeSeed >> 64), uint64(feeSeed >> 128));
        (int256 makerDelta, int256 takerDelta, int256 sinkDelta) = _fillAndMeasure(
            _order(makerAccount, call3000, makerBuys, size, price)
        );
        assertEq(makerDelta + takerDelta + sinkDelta, 0, "cash conserved");

        uint256 premium =
            makerBuys
                ? Math.mulDiv(size, price, 1e18, Math.Rounding.Floor)
                : Math.mulDiv(size, price, 1e18, Math.Rounding.Ceil);
        uint256 makerFee = _checkFees(size, premium, sinkDelta);
        if (makerBuys) {
            // maker never pays above its limit
            assertLe(premium * 1e18, size * price);
            assertEq(makerDelta, -int256(premium + makerFee));
        } else {
            // maker never receives below its limit
            assertGe(premium * 1e18, size * price);
            assertEq(makerDelta, int256(premium) - int256(makerFee));
        }
    }

    /// @dev Fees reaching the sinks equal the rounded-up formula, never below the exact real-valued one.
    function _checkFees(uint256 size, uint256 premium, int256 sinkDelta) internal view returns (uint256 makerFee) {
        (uint256 mRate, uint256 tRate, uint256 pCap) = exchange.feeParams();
        makerFee = _exactFeeUp(mRate, pCap, size, premium);
        uint256 takerFee = _exactFeeUp(tRate, pCap, size, premium);
        assertEq(uint256(sinkDelta), makerFee + takerFee, "fees reach the sinks");
        assertGe(makerFee * 1e36, _exactFeeScaled(mRate, pCap, size, premium), "maker fee >= exact");
        assertGe(takerFee * 1e36, _exactFeeScaled(tRate, pCap, size, premium), "taker fee >= exact");
        assertEq(makerFee, exchange.feeFor(call3000, size, premium, true));
    }

    function _fillAndMeasure(Order memory o) internal returns (int256 makerDelta, int256 takerDelta, int256 sinkDelta) {
        makerDelta = -ch.cashOf(makerAccount);
        takerDelta = -ch.cashOf(takerAccount);
        sinkDelta = -_protocolFeeCash();
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, o.size)));
        makerDelta += ch.cashOf(makerAccount);
        takerDelta += ch.cashOf(takerAccount);
        sinkDelta += _protocolFeeCash();
    }

    /// INV-7: splitting a fill into pieces never leaves the taker better off than one fill of the same total.
    function testFuzz_fill_SplittingNeverFavoursTaker(
        uint256 size,
        uint256 price,
        bool makerBuys,
        uint8 pieces
    ) public {
        size = bound(size, 2, MAX_SIZE);
        price = bound(price, 0, MAX_PRICE);
        pieces = uint8(bound(pieces, 2, 6));
        vm.prank(riskAdmin);
        exchange.setFees(0.0003e18, 0.0005e18, 0.125e18);
        AccountId splitter = _openAccount(stranger, 100_000e18);

        Order memory whole = _order(makerAccount, call3000, makerBuys, size, price);
        Order memory split = _order(makerAccount, call3000, makerBuys, size, price);
        split.salt = 1;

        int256 before = ch.cashOf(takerAccount);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, whole, size)));
        int256 wholeDelta = ch.cashOf(takerAccount) - before;

        before = ch.cashOf(splitter);
        uint256 left = size;
        for (uint256 i; i < pieces && left > 0; ++i) {
            uint256 piece = i + 1 == pieces ? left : Math.max(1, size / pieces);
            if (piece > left) piece = left;
            _fillAs(stranger, splitter, _one(_request(makerKey, split, piece)));
            left -= piece;
        }
        int256 splitDelta = ch.cashOf(splitter) - before;
        assertEq(_filled(split), size);
        assertLe(splitDelta, wholeDelta, "splitting never pays the taker more");
    }

    /// Relayer matches: seller receives its limit, buyer pays at most its limit (within 1 wei of rounding), and
    /// cash is conserved.
    function testFuzz_matchOrders_PriceWithinLimitsAndCashConserved(
        uint256 size,
        uint256 sellPrice,
        uint256 improvement
    ) public {
        size = bound(size, 1, MAX_SIZE);
        sellPrice = bound(sellPrice, 0, MAX_PRICE);
        uint256 buyPrice = sellPrice + bound(improvement, 0, MAX_PRICE);
        vm.prank(riskAdmin);
        exchange.setFees(0.0003e18, 0.0005e18, 0.125e18);
        Order memory buy = _order(takerAccount, call3000, true, size, buyPrice);
        Order memory sell = _order(makerAccount, call3000, false, size, sellPrice);
        int256 total = ch.cashOf(takerAccount) + ch.cashOf(makerAccount) + _protocolFeeCash();
        int256 buyerBefore = ch.cashOf(takerAccount);
        vm.prank(relayer);
        exchange.matchOrders(_signed(takerKey, buy), _signed(makerKey, sell), size);
        assertEq(ch.cashOf(takerAccount) + ch.cashOf(makerAccount) + _protocolFeeCash(), total, "cash conserved");
        uint256 premium = Math.mulDiv(size, sellPrice, 1e18, Math.Rounding.Ceil);
        uint256 buyerFee = exchange.feeFor(call3000, size, premium, false);
        assertEq(buyerBefore - ch.cashOf(takerAccount), int256(premium + buyerFee));
        assertLe(premium, Math.mulDiv(size, buyPrice, 1e18, Math.Rounding.Ceil), "buyer within its limit");
    }

    function _exactFeeUp(uint256 rate, uint256 cap, uint256 size, uint256 premium) internal pure returns (uint256) {
        if (rate == 0 || cap == 0) return 0;
        uint256 notional = Math.mulDiv(size, SeriesIdLib.strike(_call3000Pure()), 1e18, Math.Rounding.Ceil);
        uint256 byNotional = Math.mulDiv(notional, rate, 1e18, Math.Rounding.Ceil);
        uint256 byPremium = Math.mulDiv(premium, cap, 1e18, Math.Rounding.Ceil);
        return Math.min(byNotional, byPremium);
    }

    /// @dev min(rate x size x strike, cap x premium) scaled by 1e36 (exact, no rounding).
    function _exactFeeScaled(uint256 rate, uint256 cap, uint256 size, uint256 premium) internal pure returns (uint256) {
        if (rate == 0 || cap == 0) return 0;
        uint256 byNotional = size * 3000 * rate * 1e18; // strike 3000e18 = 3000 x 1e18
        uint256 byPremium = premium * cap * 1e18;
        return Math.min(byNotional, byPremium);
    }

    function _call3000Pure() internal pure returns (SeriesId) {
        return SeriesIdLib.encode(ETH, 1, 3000e18, true);
    }
}
