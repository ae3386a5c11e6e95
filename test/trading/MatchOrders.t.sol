// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId} from "../../contracts/types/Types.sol";
import {IClearingHouse} from "../../contracts/interfaces/IClearingHouse.sol";
import {IOptionExchange, Order, SignedOrder} from "../../contracts/interfaces/IOptionExchange.sol";
import {TradingBase as Base} from "./utils/TradingBase.sol";

/// @notice `OptionExchange.matchOrders`: permissionless relayer matching at the sell order's price.
contract MatchOrdersTest is Base {
    function _match(SignedOrder memory buy, SignedOrder memory sell, uint256 size) internal {
        vm.prank(relayer);
        exchange.matchOrders(buy, sell, size);
    }

    function test_matchOrders_TradesAtSellPrice_ImprovementToBuyer() public {
        Order memory buy = _order(takerAccount, call3000, true, 2e18, 160e18);
        Order memory sell = _order(makerAccount, call3000, false, 3e18, 150e18);
        int256 buyerCash = ch.cashOf(takerAccount);
        int256 sellerCash = ch.cashOf(makerAccount);
        vm.expectEmit(address(exchange));
        emit IOptionExchange.OrdersMatched(
            exchange.hashOrder(buy),
            exchange.hashOrder(sell),
            relayer,
            2e18,
            300e18,
            0,
            0
        );
        _match(_signed(takerKey, buy), _signed(makerKey, sell), 2e18);
        assertEq(buyerCash - ch.cashOf(takerAccount), 300e18, "buyer pays the sell limit");
        assertEq(ch.cashOf(makerAccount) - sellerCash, 300e18);
        assertEq(ch.positionOf(takerAccount, call3000), 2e18);
        assertEq(ch.positionOf(makerAccount, call3000), -2e18);
        assertEq(_filled(buy), 2e18);
        assertEq(_filled(sell), 2e18);
    }

    function test_matchOrders_RelayerNeedsNoAccountAndEarnsNothing() public {
        Order memory buy = _order(takerAccount, call3000, true, 1e18, 200e18);
        Order memory sell = _order(makerAccount, call3000, false, 1e18, 100e18);
        int256 total = ch.cashOf(takerAccount) + ch.cashOf(makerAccount);
        uint256 relayerEth = relayer.balance;
        _match(_signed(takerKey, buy), _signed(makerKey, sell), 1e18);
        assertEq(ch.cashOf(takerAccount) + ch.cashOf(makerAccount), total, "spread stayed with the traders");
        assertEq(relayer.balance, relayerEth);
    }

    function test_matchOrders_PartialThenRest() public {
        Order memory buy = _order(takerAccount, call3000, true, 2e18, 150e18);
        Order memory sell = _order(makerAccount, call3000, false, 2e18, 150e18);
        _match(_signed(takerKey, buy), _signed(makerKey, sell), 0.5e18);
        _match(_signed(takerKey, buy), _signed(makerKey, sell), 1.5e18);
        assertEq(_filled(buy), 2e18);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_Overfill.selector, exchange.hashOrder(buy), 2e18, 1, 2e18)
        );
        _match(_signed(takerKey, buy), _signed(makerKey, sell), 1);
    }

    function test_matchOrders_RevertWhen_NotCrossing() public {
        Order memory buy = _order(takerAccount, call3000, true, 1e18, 149e18);
        Order memory sell = _order(makerAccount, call3000, false, 1e18, 150e18);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_NotCrossing.selector, 149e18, 150e18));
        _match(_signed(takerKey, buy), _signed(makerKey, sell), 1e18);
    }

    function test_matchOrders_RevertWhen_SeriesMismatch() public {
        Order memory buy = _order(takerAccount, call3000, true, 1e18, 150e18);
        Order memory sell = _order(makerAccount, put2500, false, 1e18, 150e18);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_SeriesMismatch.selector, call3000, put2500));
        _match(_signed(takerKey, buy), _signed(makerKey, sell), 1e18);
    }

    function test_matchOrders_RevertWhen_SidesSwapped() public {
        Order memory buy = _order(takerAccount, call3000, true, 1e18, 150e18);
        Order memory sell = _order(makerAccount, call3000, false, 1e18, 150e18);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_WrongSide.selector, exchange.hashOrder(sell)));
        _match(_signed(makerKey, sell), _signed(takerKey, buy), 1e18);
        Order memory buy2 = _order(makerAccount, call3000, true, 1e18, 150e18);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_WrongSide.selector, exchange.hashOrder(buy2)));
        _match(_signed(takerKey, buy), _signed(makerKey, buy2), 1e18);
    }

    function test_matchOrders_RevertWhen_SameAccount() public {
        Order memory buy = _order(makerAccount, call3000, true, 1e18, 150e18);
        Order memory sell = _order(makerAccount, call3000, false, 1e18, 150e18);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_SelfTrade.selector, makerAccount));
        _match(_signed(makerKey, buy), _signed(makerKey, sell), 1e18);
    }

    function test_matchOrders_RevertWhen_ZeroSize() public {
        Order memory buy = _order(takerAccount, call3000, true, 1e18, 150e18);
        Order memory sell = _order(makerAccount, call3000, false, 1e18, 150e18);
        vm.expectRevert(IOptionExchange.Exchange_ZeroSize.selector);
        _match(_signed(takerKey, buy), _signed(makerKey, sell), 0);
    }

    function test_matchOrders_RevertWhen_OneSignatureBad() public {
        Order memory buy = _order(takerAccount, call3000, true, 1e18, 150e18);
        Order memory sell = _order(makerAccount, call3000, false, 1e18, 150e18);
        SignedOrder memory badSell = _signed(makerKey, sell);
        badSell.signature = _signDigest(strangerKey, exchange.hashOrder(sell));
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_BadSignature.selector, exchange.hashOrder(sell), makerOwner)
        );
        _match(_signed(takerKey, buy), badSell, 1e18);
        assertEq(_filled(buy), 0, "buy fill rolled back");
    }

    function test_matchOrders_RevertWhen_ReduceOnlyBuyWouldOpen() public {
        Order memory buy = _order(takerAccount, call3000, true, 1e18, 150e18);
        buy.reduceOnly = true;
        Order memory sell = _order(makerAccount, call3000, false, 1e18, 150e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_ReduceOnlyViolation.selector,
                exchange.hashOrder(buy),
                0,
                true,
                1e18
            )
        );
        _match(_signed(takerKey, buy), _signed(makerKey, sell), 1e18);
    }

    function test_matchOrders_ReduceOnlyBothSidesClose() public {
        _match(
            _signed(makerKey, _order(makerAccount, call3000, true, 1e18, 150e18)),
            _signed(takerKey, _order(takerAccount, call3000, false, 1e18, 150e18)),
            1e18
        );
        Order memory buy = _order(takerAccount, call3000, true, 1e18, 150e18);
        buy.reduceOnly = true;
        Order memory sell = _order(makerAccount, call3000, false, 1e18, 140e18);
        sell.reduceOnly = true;
        _match(_signed(takerKey, buy), _signed(makerKey, sell), 1e18);
        assertEq(ch.positionOf(takerAccount, call3000), 0);
        assertEq(ch.positionOf(makerAccount, call3000), 0);
        assertEq(ch.openInterest(call3000), 0);
    }

    function test_matchOrders_RevertWhen_BuyExpired() public {
        Order memory buy = _order(takerAccount, call3000, true, 1e18, 150e18);
        buy.deadline = block.timestamp - 1;
        Order memory sell = _order(makerAccount, call3000, false, 1e18, 150e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_OrderExpired.selector,
                exchange.hashOrder(buy),
                buy.deadline,
                block.timestamp
            )
        );
        _match(_signed(takerKey, buy), _signed(makerKey, sell), 1e18);
    }

    function test_matchOrders_RevertWhen_SellerUnhealthyAfter() public {
        AccountId poor = _openUnderfundedAccount(stranger);
        Order memory buy = _order(takerAccount, call3000, true, 1e18, 150e18);
        Order memory sell = _order(poor, call3000, false, 1e18, 150e18);
        vm.expectPartialRevert(IClearingHouse.ClearingHouse_BelowInitialMargin.selector);
        _match(_signed(takerKey, buy), _signed(strangerKey, sell), 1e18);
        assertEq(_filled(buy), 0);
        assertEq(_filled(sell), 0);
    }
}
