// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IOptionExchange, Order, SignedOrder} from "../../contracts/interfaces/IOptionExchange.sol";
import {TradingBase as Base} from "./utils/TradingBase.sol";

/// @notice Fee setters, bounds and fee math: fee = min(ceil(rate x size x strike), ceil(cap x premium)).
contract FeesTest is Base {
    uint256 internal constant MAKER_RATE = 0.0002e18; // 0.02% of strike notional
    uint256 internal constant TAKER_RATE = 0.0005e18; // 0.05%
    uint256 internal constant PREMIUM_CAP = 0.125e18; // 12.5% of premium

    function setUp() public override {
        super.setUp();
        vm.prank(riskAdmin);
        exchange.setFees(MAKER_RATE, TAKER_RATE, PREMIUM_CAP);
    }

    function test_setFees_EmitsAndStores() public {
        vm.expectEmit(address(exchange));
        emit IOptionExchange.FeesSet(0.001e18, 0.002e18, 0.1e18);
        vm.prank(riskAdmin);
        exchange.setFees(0.001e18, 0.002e18, 0.1e18);
        (uint256 m, uint256 t, uint256 c) = exchange.feeParams();
        assertEq(m, 0.001e18);
        assertEq(t, 0.002e18);
        assertEq(c, 0.1e18);
    }

    function test_setFees_RevertWhen_AboveBounds() public {
        uint256 maxRate = exchange.MAX_FEE_RATE();
        uint256 maxCap = exchange.MAX_PREMIUM_FEE_CAP();
        vm.startPrank(riskAdmin);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_FeeOutOfBounds.selector, maxRate + 1, maxRate));
        exchange.setFees(maxRate + 1, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_FeeOutOfBounds.selector, maxRate + 1, maxRate));
        exchange.setFees(0, maxRate + 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_FeeOutOfBounds.selector, maxCap + 1, maxCap));
        exchange.setFees(0, 0, maxCap + 1);
        exchange.setFees(maxRate, maxRate, maxCap); // bounds are inclusive
        vm.stopPrank();
        assertEq(maxRate, 0.005e18);
        assertEq(maxCap, 0.125e18);
    }

    function test_setFees_RevertWhen_NotRiskAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                exchange.RISK_ADMIN_ROLE()
            )
        );
        vm.prank(stranger);
        exchange.setFees(0, 0, 0);
    }

    function test_fill_FeesByNotional_MakerAndTakerRates() public {
        // 2 contracts, strike 3000: notional 6000; maker 0.02% = 1.2, taker 0.05% = 3; premium 300, cap 37.5
        Order memory o = _order(makerAccount, call3000, false, 2e18, 150e18);
        int256 makerCash = ch.cashOf(makerAccount);
        int256 takerCash = ch.cashOf(takerAccount);
        vm.expectEmit(address(exchange));
        emit IOptionExchange.OrderFilled(exchange.hashOrder(o), makerAccount, takerAccount, 2e18, 300e18, 1.2e18, 3e18);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 2e18)));
        assertEq(ch.cashOf(makerAccount) - makerCash, 300e18 - 1.2e18, "maker: premium minus maker fee");
        assertEq(takerCash - ch.cashOf(takerAccount), 300e18 + 3e18, "taker: premium plus taker fee");
    }

    function test_fill_FeeCappedByPremium() public {
        // cheap option: premium 1 per contract; taker notional fee 1.5 > 12.5% x 1 = 0.125
        Order memory o = _order(makerAccount, call3000, false, 1e18, 1e18);
        assertEq(exchange.feeFor(call3000, 1e18, 1e18, false), 0.125e18);
        assertEq(exchange.feeFor(call3000, 1e18, 1e18, true), 0.125e18);
        int256 takerCash = ch.cashOf(takerAccount);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));
        assertEq(takerCash - ch.cashOf(takerAccount), 1.125e18);
    }

    function test_fill_FeeRoundsUp() public view {
        // 1 wei of size: notional 3000 wei, x 0.05% = 1.5 wei -> 2; premium 150 wei x 12.5% = 18.75 -> 19; min = 2
        assertEq(exchange.feeFor(call3000, 1, 150, false), 2);
        // maker: 3000 x 0.02% = 0.6 -> 1
        assertEq(exchange.feeFor(call3000, 1, 150, true), 1);
    }

    function test_fill_ZeroPremiumPaysNoFee() public view {
        assertEq(exchange.feeFor(call3000, 1e18, 0, false), 0);
    }

    function test_matchOrders_SellIsMakerBuyIsTaker() public {
        Order memory buy = _order(takerAccount, call3000, true, 1e18, 160e18);
        Order memory sell = _order(makerAccount, call3000, false, 1e18, 150e18);
        SignedOrder memory b = _signed(takerKey, buy);
        SignedOrder memory s = _signed(makerKey, sell);
        vm.expectEmit(address(exchange));
        // notional 3000: buyer (taker) 1.5, seller (maker) 0.6
        emit IOptionExchange.OrdersMatched(
            exchange.hashOrder(buy),
            exchange.hashOrder(sell),
            relayer,
            1e18,
            150e18,
            1.5e18,
            0.6e18
        );
        vm.prank(relayer);
        exchange.matchOrders(b, s, 1e18);
    }
}
