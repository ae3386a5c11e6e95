// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOptionExchange, Order} from "../../contracts/interfaces/IOptionExchange.sol";
import {TradingBase as Base} from "./utils/TradingBase.sol";

/// @notice `cancelOrder`, `setMinNonce`, `incrementMinNonce`.
contract CancelTest is Base {
    function test_cancelOrder_ByOwner_MarksCancelledAndEmits() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, 100e18);
        bytes32 h = exchange.hashOrder(o);
        vm.expectEmit(address(exchange));
        emit IOptionExchange.OrderCancelled(h, makerAccount, makerOwner);
        vm.prank(makerOwner);
        exchange.cancelOrder(o);
        (uint256 filledSize, bool cancelled) = exchange.orderStatus(h);
        assertTrue(cancelled);
        assertEq(filledSize, 0);
    }

    function test_cancelOrder_ByOperator() public {
        _approveOperator(makerAccount, makerOwner, operator, true);
        Order memory o = _order(makerAccount, call3000, false, 1e18, 100e18);
        vm.prank(operator);
        exchange.cancelOrder(o);
        (, bool cancelled) = exchange.orderStatus(exchange.hashOrder(o));
        assertTrue(cancelled);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_OrderCancelled.selector, exchange.hashOrder(o))
        );
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));
    }

    function test_cancelOrder_RevertWhen_CallerNotAuthorized() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, 100e18);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_Unauthorized.selector, makerAccount, takerOwner)
        );
        vm.prank(takerOwner);
        exchange.cancelOrder(o);
    }

    function test_cancelOrder_KeepsFilledAmount() public {
        Order memory o = _order(makerAccount, call3000, false, 2e18, 100e18);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 0.5e18)));
        vm.prank(makerOwner);
        exchange.cancelOrder(o);
        (uint256 filledSize, bool cancelled) = exchange.orderStatus(exchange.hashOrder(o));
        assertEq(filledSize, 0.5e18);
        assertTrue(cancelled);
    }

    function test_incrementMinNonce_CancelsCurrentNonceOnly() public {
        Order memory old = _order(makerAccount, call3000, false, 1e18, 100e18);
        Order memory next = _order(makerAccount, call3000, false, 1e18, 101e18);
        next.nonce = 1;
        vm.expectEmit(address(exchange));
        emit IOptionExchange.MinNonceSet(makerAccount, 1, makerOwner);
        vm.prank(makerOwner);
        assertEq(exchange.incrementMinNonce(makerAccount), 1);
        assertEq(exchange.minNonce(makerAccount), 1);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_NonceTooLow.selector, exchange.hashOrder(old), 0, 1)
        );
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, old, 1e18)));
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, next, 1e18)));
        assertEq(_filled(next), 1e18);
    }

    function test_setMinNonce_CancelsAllBelow() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, 100e18);
        o.nonce = 41;
        vm.prank(makerOwner);
        exchange.setMinNonce(makerAccount, 42);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_NonceTooLow.selector, exchange.hashOrder(o), 41, 42)
        );
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));
    }

    function test_setMinNonce_RevertWhen_NotIncreasing() public {
        vm.startPrank(makerOwner);
        exchange.setMinNonce(makerAccount, 5);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_NonceNotIncreasing.selector, makerAccount, 5, 5)
        );
        exchange.setMinNonce(makerAccount, 5);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_NonceNotIncreasing.selector, makerAccount, 5, 3)
        );
        exchange.setMinNonce(makerAccount, 3);
        vm.stopPrank();
        assertEq(exchange.minNonce(makerAccount), 5);
    }

    function test_setMinNonce_RevertWhen_CallerNotAuthorized() public {
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_Unauthorized.selector, makerAccount, stranger));
        vm.prank(stranger);
        exchange.setMinNonce(makerAccount, 1);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_Unauthorized.selector, makerAccount, stranger));
        vm.prank(stranger);
        exchange.incrementMinNonce(makerAccount);
    }
}
