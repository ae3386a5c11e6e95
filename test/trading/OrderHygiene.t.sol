// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId} from "../../contracts/types/Types.sol";
import {IClearingHouse} from "../../contracts/interfaces/IClearingHouse.sol";
import {IOptionExchange, Order} from "../../contracts/interfaces/IOptionExchange.sol";
import {TradingBase as Base} from "./utils/TradingBase.sol";

/// @notice Issue 9, order hygiene: operator epochs, minimum fills, the fee rate an order accepts, the fee floor on
/// capped open interest, and the bound on `setMinNonce`.
contract OrderHygieneTest is Base {
    uint256 internal constant PRICE = 150e18;

    // -------------------------------------------------------------------------------------- operator epochs

    /// Revoking an operator and re-approving it does not bring its old orders back: the order is bound to the
    /// approval epoch it was signed under (`ClearingHouse.operatorApproval`), and every approval is a new epoch.
    function test_fill_RevertWhen_OperatorReapprovedAfterRevocation() public {
        _approveOperator(makerAccount, makerOwner, operator, true);
        Order memory o = _order(makerAccount, call3000, false, 2e18, PRICE);
        o.operatorEpoch = exchange.operatorEpoch(makerAccount, operator);
        assertEq(o.operatorEpoch, 1);
        _fillAs(takerOwner, takerAccount, _one(_request(operatorKey, o, 1e18)));

        _approveOperator(makerAccount, makerOwner, operator, false);
        _approveOperator(makerAccount, makerOwner, operator, true);

        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_OperatorEpochMismatch.selector,
                exchange.hashOrder(o),
                operator,
                1,
                2
            )
        );
        _fillAs(takerOwner, takerAccount, _one(_request(operatorKey, o, 1e18)));
        assertEq(ch.positionOf(makerAccount, call3000), -1e18, "the old order's remainder stays dead");

        // orders signed under the new approval work
        Order memory fresh = _order(makerAccount, call3000, false, 1e18, PRICE);
        fresh.operatorEpoch = exchange.operatorEpoch(makerAccount, operator);
        _fillAs(takerOwner, takerAccount, _one(_request(operatorKey, fresh, 1e18)));
        assertEq(ch.positionOf(makerAccount, call3000), -2e18);
    }

    /// Re-approving an approved operator is how an owner cancels all its resting orders without a revoke.
    function test_fill_RevertWhen_OperatorReapprovedWhileApproved() public {
        _approveOperator(makerAccount, makerOwner, operator, true);
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        o.operatorEpoch = 1;
        _approveOperator(makerAccount, makerOwner, operator, true);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_OperatorEpochMismatch.selector,
                exchange.hashOrder(o),
                operator,
                1,
                2
            )
        );
        _fillAs(takerOwner, takerAccount, _one(_request(operatorKey, o, 1e18)));
    }

    /// An operator order signed before any approval (epoch 0) never fills, not even after the approval.
    function test_fill_RevertWhen_OperatorOrderSignedBeforeApproval() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        _approveOperator(makerAccount, makerOwner, operator, true);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_OperatorEpochMismatch.selector,
                exchange.hashOrder(o),
                operator,
                0,
                1
            )
        );
        _fillAs(takerOwner, takerAccount, _one(_request(operatorKey, o, 1e18)));
    }

    /// The owner's own orders carry no epoch: `operatorEpoch` is ignored when the owner signs.
    function test_fill_OwnerSignedOrderIgnoresOperatorEpoch() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        o.operatorEpoch = 7;
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));
        assertEq(ch.positionOf(makerAccount, call3000), -1e18);
    }

    // -------------------------------------------------------------------------------------- minimum fill

    function test_fill_RevertWhen_BelowOrderMinFillSize() public {
        Order memory o = _order(makerAccount, call3000, false, 5e18, PRICE);
        o.minFillSize = 2e18;
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_BelowMinFill.selector, exchange.hashOrder(o), 1e18, 2e18)
        );
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 4e18)));
        // the remainder (1e18) completes the order: exempt, so no order is left unfillable
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));
        assertEq(_filled(o), 5e18);
    }

    function test_matchOrders_RevertWhen_BelowEitherMinFillSize() public {
        Order memory buy = _order(takerAccount, call3000, true, 3e18, PRICE);
        Order memory sell = _order(makerAccount, call3000, false, 3e18, PRICE);
        sell.minFillSize = 2e18;
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_BelowMinFill.selector, exchange.hashOrder(sell), 1e18, 2e18)
        );
        vm.prank(relayer);
        exchange.matchOrders(_signed(takerKey, buy), _signed(makerKey, sell), 1e18);
        vm.prank(relayer);
        exchange.matchOrders(_signed(takerKey, buy), _signed(makerKey, sell), 2e18);
        assertEq(ch.positionOf(takerAccount, call3000), 2e18);
    }

    /// The protocol minimum trade size is enforced by the exchange with its own error, before the clearing house.
    function test_fill_RevertWhen_BelowProtocolMinTradeSize() public {
        Order memory o = _order(makerAccount, call3000, false, 2e18, PRICE);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_BelowMinTradeSize.selector, exchange.hashOrder(o), 1, 1e15)
        );
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1)));
    }

    /// The exchange skips the risk-parameter read for fills of at least the core's largest admissible minimum trade
    /// size; that bound must be the core's.
    function test_fill_MinTradeSizeBoundMatchesCore() public {
        (bool ok, bytes memory ret) = address(risk).staticcall(abi.encodeWithSignature("MAX_MIN_TRADE_SIZE()"));
        assertTrue(ok);
        uint256 coreMax = abi.decode(ret, (uint256));
        assertEq(coreMax, 1e18, "OptionExchange._CORE_MAX_MIN_TRADE_SIZE");
        // at the largest admissible minimum, a fill just below it is refused and one at it passes
        _setMinTradeSize(uint128(coreMax));
        Order memory o = _order(makerAccount, call3000, false, 3e18, PRICE);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_BelowMinTradeSize.selector,
                exchange.hashOrder(o),
                coreMax - 1,
                coreMax
            )
        );
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, coreMax - 1)));
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, coreMax)));
    }

    /// A dust remainder is exempt at the exchange, but the clearing house still refuses it if it opens a position.
    function test_fill_DustRemainderThatOpensRefusedByCore() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18 + 1, PRICE);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));
        Order memory other = _order(makerAccount, put2500, false, 1, PRICE);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_BelowMinTradeSize.selector, put2500, 1, 1e15)
        );
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, other, 1)));
        // the 1-wei remainder of the call order opens nothing (both sides hold call3000): accepted
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1)));
        assertEq(ch.positionOf(makerAccount, call3000), -1e18 - 1);
    }

    // -------------------------------------------------------------------------------------- fees an order accepts

    function test_fill_RevertWhen_FeeRaisedAboveOrderMaxFeeRate() public {
        vm.prank(riskAdmin);
        exchange.setFees(0.0004e18, 0.0004e18, 0.125e18);
        Order memory o = _order(makerAccount, call3000, false, 2e18, PRICE);
        o.maxFeeRate = 0.0004e18;
        // at the rate it signed for: notional 3000 x 4 bp = 1.2 per contract
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));

        vm.prank(riskAdmin);
        exchange.setFees(0.0005e18, 0.0004e18, 0.125e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_FeeAboveOrderMax.selector,
                exchange.hashOrder(o),
                1.5e18,
                1.2e18
            )
        );
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 1e18)));
    }

    function test_matchOrders_RevertWhen_TakerFeeAboveBuyOrderMax() public {
        vm.prank(riskAdmin);
        exchange.setFees(0.0001e18, 0.0005e18, 0.125e18);
        Order memory buy = _order(takerAccount, call3000, true, 1e18, PRICE);
        buy.maxFeeRate = 0.0002e18;
        Order memory sell = _order(makerAccount, call3000, false, 1e18, PRICE);
        sell.maxFeeRate = 0.0001e18;
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_FeeAboveOrderMax.selector,
                exchange.hashOrder(buy),
                1.5e18,
                0.6e18
            )
        );
        exchange.matchOrders(_signed(takerKey, buy), _signed(makerKey, sell), 1e18);
        buy.maxFeeRate = 0.0005e18;
        exchange.matchOrders(_signed(takerKey, buy), _signed(makerKey, sell), 1e18);
        assertEq(ch.positionOf(takerAccount, call3000), 1e18);
    }

    // -------------------------------------------------------------------------------------- capped open interest

    /// A price-0 wash trade between two accounts of one owner, with protocol fees at zero, pays the fee floor on
    /// the open interest it adds to a capped series: 1 bp of strike notional per side.
    function test_fill_WashTradeOnCappedSeriesPaysFeeFloor() public {
        vm.prank(riskAdmin);
        exchange.setSeriesOpenInterestCap(call3000, 10e18);
        AccountId second = _openAccount(makerOwner, 10_000e18);
        int256 ownerCashBefore = ch.cashOf(makerAccount) + ch.cashOf(second);
        int256 feesBefore = _protocolFeeCash();

        Order memory o = _order(makerAccount, call3000, false, 10e18, 0);
        vm.expectEmit(address(exchange));
        emit IOptionExchange.OrderFilled(exchange.hashOrder(o), makerAccount, second, 10e18, 0, 3e18, 3e18);
        _fillAs(makerOwner, second, _one(_request(makerKey, o, 10e18)));

        // 10 contracts x 3000 strike x 1 bp = 3 per side
        assertEq(ch.openInterest(call3000), 10e18);
        assertEq(ownerCashBefore - ch.cashOf(makerAccount) - ch.cashOf(second), 6e18, "owner paid the floor twice");
        assertEq(_protocolFeeCash() - feesBefore, 6e18, "protocol received it");

        // unwinding lowers open interest: no floor
        Order memory back = _order(makerAccount, call3000, true, 10e18, 0);
        _fillAs(makerOwner, second, _one(_request(makerKey, back, 10e18)));
        assertEq(ch.openInterest(call3000), 0);
        assertEq(_protocolFeeCash() - feesBefore, 6e18, "closing paid nothing");
    }

    /// An order cannot dodge the floor by accepting no fees: it then cannot open interest on a capped series.
    function test_fill_RevertWhen_FeeFloorAboveOrderMaxFeeRate() public {
        vm.prank(riskAdmin);
        exchange.setUnderlyingOpenInterestCap(ETH, 10e18);
        AccountId second = _openAccount(makerOwner, 10_000e18);
        Order memory o = _order(makerAccount, call3000, false, 1e18, 0);
        o.maxFeeRate = 0;
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_FeeAboveOrderMax.selector, exchange.hashOrder(o), 0.3e18, 0)
        );
        _fillAs(makerOwner, second, _one(_request(makerKey, o, 1e18)));
    }

    /// Only capped series carry the floor.
    function test_fill_UncappedSeriesHasNoFeeFloor() public {
        AccountId second = _openAccount(makerOwner, 10_000e18);
        int256 feesBefore = _protocolFeeCash();
        _fillAs(makerOwner, second, _one(_request(makerKey, _order(makerAccount, call3000, false, 1e18, 0), 1e18)));
        assertEq(_protocolFeeCash(), feesBefore);
    }

    /// The floor is on the open interest a leg adds, not on its size: a long that sells more than it holds pays it
    /// only on the part that opens.
    function test_fill_FeeFloorOnAddedOpenInterestOnly() public {
        vm.prank(riskAdmin);
        exchange.setSeriesOpenInterestCap(call3000, 100e18);
        _fillAs(
            takerOwner,
            takerAccount,
            _one(_request(makerKey, _order(makerAccount, call3000, false, 2e18, 0), 2e18))
        );
        int256 feesBefore = _protocolFeeCash();
        // taker (long 2) sells 3 to a flat third account: OI 2 -> 3, floor on 1 contract = 0.3 per side
        AccountId third = _openAccount(stranger, 10_000e18);
        Order memory bid = _order(third, call3000, true, 3e18, 0);
        _fillAs(takerOwner, takerAccount, _one(_request(strangerKey, bid, 3e18)));
        assertEq(ch.openInterest(call3000), 3e18);
        assertEq(_protocolFeeCash() - feesBefore, 0.6e18);
    }

    // -------------------------------------------------------------------------------------- nonces

    /// Old code: `setMinNonce(type(uint256).max)` succeeded and every later "cancel all" overflowed.
    function test_setMinNonce_RevertWhen_StepAboveBound() public {
        uint256 maxStep = exchange.MAX_NONCE_STEP();
        assertEq(maxStep, 2 ** 64);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionExchange.Exchange_NonceStepTooLarge.selector,
                makerAccount,
                0,
                type(uint256).max,
                maxStep
            )
        );
        vm.prank(makerOwner);
        exchange.setMinNonce(makerAccount, type(uint256).max);

        vm.startPrank(makerOwner);
        exchange.setMinNonce(makerAccount, maxStep); // exactly the bound: fine
        assertEq(exchange.incrementMinNonce(makerAccount), maxStep + 1, "cancel all still works");
        vm.stopPrank();
    }

    function testFuzz_setMinNonce_CancelAllAlwaysUsable(uint256[8] memory steps) public {
        vm.startPrank(makerOwner);
        for (uint256 i; i < steps.length; ++i) {
            uint256 current = exchange.minNonce(makerAccount);
            exchange.setMinNonce(makerAccount, current + bound(steps[i], 1, exchange.MAX_NONCE_STEP()));
        }
        exchange.incrementMinNonce(makerAccount);
        vm.stopPrank();
    }
}
