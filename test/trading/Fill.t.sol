// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId, MarketMode} from "../../contracts/types/Types.sol";
import {IClearingHouse} from "../../contracts/interfaces/IClearingHouse.sol";
import {IOptionExchange, Order, SignedOrder, FillRequest} from "../../contracts/interfaces/IOptionExchange.sol";
import {TradingBase as Base} from "./utils/TradingBase.sol";

/// @notice `OptionExchange.fill`: taker fills of signed maker orders.
contract FillTest is Base {
    uint256 internal constant PRICE = 150e18;

    function test_fill_MakerSellsTakerBuys_TradesAtMakerLimit() public {
        Order memory o = _order(makerAccount, call3000, false, 2e18, PRICE);
        int256 makerCash = ch.cashOf(makerAccount);
        int256 takerCash = ch.cashOf(takerAccount);
        bytes32 h = exchange.hashOrder(o);

        vm.expectEmit(address(exchange));
        emit IOptionExchange.OrderFilled(h, makerAccount, takerAccount, 1e18, PRICE, 0, 0);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));

        assertEq(ch.positionOf(makerAccount, call3000), -1e18, "maker short");
        assertEq(ch.positionOf(takerAccount, call3000), 1e18, "taker long");
        assertEq(ch.cashOf(makerAccount) - makerCash, int256(PRICE), "maker received premium");
        assertEq(takerCash - ch.cashOf(takerAccount), int256(PRICE), "taker paid premium");
        assertEq(_filled(o), 1e18, "filled tracked");
        assertEq(ch.openInterest(call3000), 1e18, "open interest");
    }

    function test_fill_MakerBuysTakerSells() public {
        Order memory o = _order(makerAccount, call3000, true, 1e18, PRICE);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));
        assertEq(ch.positionOf(makerAccount, call3000), 1e18);
        assertEq(ch.positionOf(takerAccount, call3000), -1e18);
    }

    function test_fill_PartialFillsAccumulate() public {
        Order memory o = _order(makerAccount, call3000, false, 3e18, PRICE);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 0.5e18)));
        assertEq(_filled(o), 1.5e18);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1.5e18)));
        assertEq(_filled(o), 3e18);
        assertEq(ch.positionOf(takerAccount, call3000), 3e18);
    }

    function test_fill_RevertWhen_Overfill() public {
        Order memory o = _order(makerAccount, call3000, false, 2e18, PRICE);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1.5e18)));
        bytes32 h = exchange.hashOrder(o);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_Overfill.selector, h, 1.5e18, 1e18, 2e18));
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));
    }

    function test_fill_RevertWhen_OverfillWithinOneCall() public {
        Order memory o = _order(makerAccount, call3000, false, 2e18, PRICE);
        FillRequest[] memory rs = new FillRequest[](2);
        rs[0] = _request(makerKey, o, 1.5e18);
        rs[1] = _request(makerKey, o, 1e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_Overfill.selector,
                exchange.hashOrder(o),
                1.5e18,
                1e18,
                2e18
            )
        );
        _fillAs(takerOwner, takerAccount, rs);
    }

    function test_fill_RevertWhen_HugeFillSizeDoesNotOverflow() public {
        Order memory o = _order(makerAccount, call3000, false, 2e18, PRICE);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_Overfill.selector,
                exchange.hashOrder(o),
                1e18,
                type(uint256).max,
                2e18
            )
        );
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, type(uint256).max)));
    }

    function test_fill_RevertWhen_ZeroSize() public {
        Order memory o = _order(makerAccount, call3000, false, 2e18, PRICE);
        vm.expectRevert(IOptionExchange.Exchange_ZeroSize.selector);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 0)));
    }

    function test_fill_RevertWhen_EmptyFills() public {
        vm.expectRevert(IOptionExchange.Exchange_EmptyFills.selector);
        _fillAs(takerOwner, takerAccount, new FillRequest[](0));
    }

    function test_fill_RevertWhen_CallerNotAuthorizedForTaker() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_Unauthorized.selector, takerAccount, stranger));
        _fillAs(stranger, takerAccount, _one(_request(makerKey, o, 1e18)));
    }

    function test_fill_OperatorOfTakerMayFill() public {
        _approveOperator(takerAccount, takerOwner, operator, true);
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        _fillAs(operator, takerAccount, _one(_request(makerKey, o, 1e18)));
        assertEq(ch.positionOf(takerAccount, call3000), 1e18);
    }

    function test_fill_RevertWhen_SelfTrade() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_SelfTrade.selector, makerAccount));
        _fillAs(makerOwner, makerAccount, _one(_request(makerKey, o, 1e18)));
    }

    function test_fill_RevertWhen_Expired() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        FillRequest memory r = _request(makerKey, o, 1e18);
        vm.warp(o.deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_OrderExpired.selector,
                exchange.hashOrder(o),
                o.deadline,
                o.deadline + 1
            )
        );
        _fillAs(takerOwner, takerAccount, _one(r));
    }

    function test_fill_AtDeadlineIsValid() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        FillRequest memory r = _request(makerKey, o, 1e18);
        vm.warp(o.deadline);
        _fillAs(takerOwner, takerAccount, _one(r));
        assertEq(_filled(o), 1e18);
    }

    function test_fill_RevertWhen_Cancelled() public {
        Order memory o = _order(makerAccount, call3000, false, 2e18, PRICE);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));
        vm.prank(makerOwner);
        exchange.cancelOrder(o);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_OrderCancelled.selector, exchange.hashOrder(o))
        );
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));
    }

    function test_fill_RevertWhen_NonceTooLow() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        vm.prank(makerOwner);
        exchange.incrementMinNonce(makerAccount);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_NonceTooLow.selector, exchange.hashOrder(o), 0, 1)
        );
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));
    }

    /// Unhealthy after fill: the clearing house's health check reverts the whole call; nothing is recorded.
    function test_fill_RevertWhen_TakerUnhealthyAfterFill_Atomic() public {
        AccountId poor = _openUnderfundedAccount(stranger);
        Order memory o = _order(makerAccount, call3000, true, 1e18, PRICE);
        vm.expectPartialRevert(IClearingHouse.ClearingHouse_BelowInitialMargin.selector);
        _fillAs(stranger, poor, _one(_request(makerKey, o, 1e18)));
        assertEq(_filled(o), 0, "fill not recorded");
        assertEq(ch.positionOf(poor, call3000), 0, "no position");
        assertEq(ch.openInterest(call3000), 0, "no open interest");
    }

    function test_fill_RevertWhen_MarketReduceOnlyAndFillIncreases() public {
        _setMarketMode(ETH, MarketMode.ReduceOnly);
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_ReduceOnly.selector, ETH));
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));
        assertEq(_filled(o), 0);
    }

    function test_fill_MarketReduceOnlyAcceptsClosingFill() public {
        Order memory open = _order(makerAccount, call3000, false, 1e18, PRICE);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, open, 1e18)));
        _setMarketMode(ETH, MarketMode.ReduceOnly);
        Order memory close = _order(makerAccount, call3000, true, 1e18, PRICE);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, close, 1e18)));
        assertEq(ch.positionOf(makerAccount, call3000), 0);
        assertEq(ch.positionOf(takerAccount, call3000), 0);
    }

    function test_fill_RevertWhen_MarketHalted() public {
        Order memory open = _order(makerAccount, call3000, false, 1e18, PRICE);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, open, 1e18)));
        _setMarketMode(ETH, MarketMode.Halted);
        // even a closing trade is refused in a halted market
        Order memory close = _order(makerAccount, call3000, true, 1e18, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_MarketHalted.selector, ETH));
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, close, 1e18)));
        assertEq(_filled(close), 0);
    }

    function test_fill_MultiLeg_AllLegsApplyInOneCall() public {
        Order memory a = _order(makerAccount, call3000, false, 1e18, PRICE);
        Order memory b = _order(makerAccount, put2500, false, 2e18, 80e18);
        AccountId maker2 = _openAccount(operator, 100_000e18);
        Order memory c = _order(maker2, call3000, true, 1e18, 140e18);
        FillRequest[] memory rs = new FillRequest[](3);
        rs[0] = _request(makerKey, a, 1e18);
        rs[1] = _request(makerKey, b, 2e18);
        rs[2] = _request(operatorKey, c, 0.5e18);
        _fillAs(takerOwner, takerAccount, rs);
        assertEq(ch.positionOf(takerAccount, call3000), 0.5e18, "bought 1, sold 0.5");
        assertEq(ch.positionOf(takerAccount, put2500), 2e18);
        assertEq(ch.positionOf(maker2, call3000), 0.5e18);
        assertEq(_filled(a) + _filled(b) + _filled(c), 3.5e18);
    }

    function test_fill_MultiLeg_RevertWhen_OneLegBad_NothingApplies() public {
        Order memory a = _order(makerAccount, call3000, false, 1e18, PRICE);
        Order memory b = _order(makerAccount, put2500, false, 2e18, 80e18);
        FillRequest[] memory rs = new FillRequest[](2);
        rs[0] = _request(makerKey, a, 1e18);
        rs[1] = _request(strangerKey, b, 1e18); // not signed by an authorized actor
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_Unauthorized.selector, makerAccount, stranger));
        _fillAs(takerOwner, takerAccount, rs);
        assertEq(_filled(a), 0);
        assertEq(ch.positionOf(takerAccount, call3000), 0);
    }

    /// The taker is healthy after the first leg alone but not after the second: the whole call reverts.
    function test_fill_MultiLeg_RevertWhen_TakerUnhealthyAfterLastLeg_NothingApplies() public {
        AccountId poor = _openAccount(stranger, 10e18);
        // leg a alone is fine: the account buys a cheap out-of-the-money call for 1, paid from its 10 of cash (a long
        // earns no IM credit, so with no cash at all even this leg would fail)
        Order memory a = _order(makerAccount, call3000, false, 1e18, 1e18);
        // leg b sells an in-the-money put with no collateral: below initial margin
        Order memory b = _order(makerAccount, put2500, true, 1e18, PRICE);
        FillRequest[] memory rs = new FillRequest[](2);
        rs[0] = _request(makerKey, a, 1e18);
        _fillAs(stranger, poor, _one(rs[0]));
        assertEq(ch.positionOf(poor, call3000), 1e18, "leg a alone passes the health check");
        a.salt = 1;
        rs[0] = _request(makerKey, a, 1e18);
        rs[1] = _request(makerKey, b, 1e18);
        vm.expectPartialRevert(IClearingHouse.ClearingHouse_BelowInitialMargin.selector);
        _fillAs(stranger, poor, rs);
        assertEq(_filled(a), 0);
        assertEq(_filled(b), 0);
        assertEq(ch.positionOf(poor, put2500), 0);
        assertEq(ch.positionOf(poor, call3000), 1e18, "only the earlier single fill remains");
    }

    // -------------------------------------------------------------------------------------- reduce-only orders

    function test_fill_ReduceOnlyOrder_ClosesPosition() public {
        _fillAs(
            takerOwner,
            takerAccount,
            _one(_request(makerKey, _order(makerAccount, call3000, false, 2e18, PRICE), 2e18))
        );
        Order memory close = _order(makerAccount, call3000, true, 2e18, PRICE);
        close.reduceOnly = true;
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, close, 1.5e18)));
        assertEq(ch.positionOf(makerAccount, call3000), -0.5e18);
    }

    function test_fill_RevertWhen_ReduceOnlyOrderWouldIncrease() public {
        _fillAs(
            takerOwner,
            takerAccount,
            _one(_request(makerKey, _order(makerAccount, call3000, false, 1e18, PRICE), 1e18))
        );
        Order memory more = _order(makerAccount, call3000, false, 1e18, PRICE);
        more.reduceOnly = true;
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_ReduceOnlyViolation.selector,
                exchange.hashOrder(more),
                -1e18,
                false,
                1e18
            )
        );
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, more, 1e18)));
    }

    function test_fill_RevertWhen_ReduceOnlyOrderWouldFlip() public {
        _fillAs(
            takerOwner,
            takerAccount,
            _one(_request(makerKey, _order(makerAccount, call3000, false, 1e18, PRICE), 1e18))
        );
        Order memory close = _order(makerAccount, call3000, true, 2e18, PRICE);
        close.reduceOnly = true;
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_ReduceOnlyViolation.selector,
                exchange.hashOrder(close),
                -1e18,
                true,
                2e18
            )
        );
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, close, 2e18)));
    }

    function test_fill_RevertWhen_ReduceOnlyOrderWithNoPosition() public {
        Order memory close = _order(makerAccount, call3000, true, 1e18, PRICE);
        close.reduceOnly = true;
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_ReduceOnlyViolation.selector,
                exchange.hashOrder(close),
                0,
                true,
                1e18
            )
        );
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, close, 1e18)));
    }

    /// Two reduce-only fills in one call are checked cumulatively: together they must not flip the position.
    function test_fill_RevertWhen_TwoReduceOnlyLegsTogetherFlip() public {
        _fillAs(
            takerOwner,
            takerAccount,
            _one(_request(makerKey, _order(makerAccount, call3000, false, 1e18, PRICE), 1e18))
        );
        Order memory a = _order(makerAccount, call3000, true, 0.75e18, PRICE);
        a.reduceOnly = true;
        Order memory b = _order(makerAccount, call3000, true, 0.75e18, PRICE - 1);
        b.reduceOnly = true;
        FillRequest[] memory rs = new FillRequest[](2);
        rs[0] = _request(makerKey, a, 0.75e18);
        rs[1] = _request(makerKey, b, 0.75e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_ReduceOnlyViolation.selector,
                exchange.hashOrder(b),
                -0.25e18,
                true,
                0.75e18
            )
        );
        _fillAs(takerOwner, takerAccount, rs);
    }

    // -------------------------------------------------------------------------------------- minimum trade size

    /// Issue 7 case 8: a taker cannot use up a maker's position slots with 1-wei fills of its quotes. The exchange
    /// refuses the dust fill itself (issue 9), before the clearing house is called.
    function test_fill_RevertWhen_DustFillWouldOpenPosition() public {
        Order memory o = _order(makerAccount, call3000, false, 2e18, PRICE);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_BelowMinTradeSize.selector, exchange.hashOrder(o), 1, 1e15)
        );
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1)));
        assertEq(_filled(o), 0);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e15))); // at the minimum: fine
        assertEq(ch.positionOf(makerAccount, call3000), -1e15);
    }

    /// Dust that opens nothing (both sides already hold the series) is accepted when it completes its order (a dust
    /// order, or an order's dust remainder): closing dust is never stuck.
    function test_fill_DustFillOfHeldSeriesAccepted() public {
        _fillAs(
            takerOwner,
            takerAccount,
            _one(_request(makerKey, _order(makerAccount, call3000, false, 1e18, PRICE), 1e18))
        );
        Order memory close = _order(makerAccount, call3000, true, 1, PRICE);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, close, 1)));
        assertEq(ch.positionOf(makerAccount, call3000), -1e18 + 1);
        assertEq(ch.positionOf(takerAccount, call3000), 1e18 - 1);
    }

    // -------------------------------------------------------------------------------------- premium rounding

    function test_fill_PremiumRoundsAgainstTaker() public {
        _setMinTradeSize(1); // 1-wei fills that open positions, for the rounding only (the guard is tested above)
        // 1 wei of size at a price of 1.5 wei per contract-unit: exact premium 1.5e-18 wei
        Order memory sell = _order(makerAccount, call3000, false, 10, 1.5e18);
        int256 takerCashBefore = ch.cashOf(takerAccount);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, sell, 1)));
        // maker sells: premium rounds up to 2 wei (fees are zero here)
        assertEq(takerCashBefore - ch.cashOf(takerAccount), 2, "maker sell premium rounded up");
        Order memory buy = _order(makerAccount, put2500, true, 10, 1.5e18);
        int256 makerCashBefore = ch.cashOf(makerAccount);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, buy, 1)));
        // maker buys: premium rounds down to 1 wei
        assertEq(makerCashBefore - ch.cashOf(makerAccount), 1, "maker buy premium rounded down");
    }
}
