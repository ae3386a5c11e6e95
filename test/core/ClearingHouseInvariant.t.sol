// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {AccountId, SeriesId, MarketMode} from "../../contracts/types/Types.sol";
import {ClearingHouse} from "../../contracts/core/ClearingHouse.sol";
import {Trade} from "../../contracts/interfaces/IClearingHouse.sol";
import {ChainlinkOracle} from "../../contracts/oracles/ChainlinkOracle.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {TestExchangeModule} from "../../contracts/mocks/TestExchangeModule.sol";
import {CoreBase} from "./utils/CoreBase.sol";

/// @notice Drives the clearing house with random deposits, withdrawals (authorized and not), operator changes,
/// trades through the test exchange module, price moves and halts of an unrelated market. Ghost variables record
/// any violation seen right after an action; the invariant functions assert there were none and check balances.
contract CoreHandler is Test {
    uint16 internal constant ETH = 1;
    uint16 internal constant BTC = 2;

    ClearingHouse internal immutable ch;
    TestExchangeModule internal immutable exchange;
    MockERC20 internal immutable usdc;
    MockERC20 internal immutable weth;
    MockAggregator internal immutable ethFeed;
    ChainlinkOracle internal immutable oracle;
    address internal immutable guardian;

    address[] public actors;
    AccountId[] public accounts; // accounts[i] owned by actors[i]
    AccountId public bystander; // ETH cash/collateral only: INV-10 witness while BTC is halted
    address public bystanderOwner;
    SeriesId[] public series;

    uint256 public ghost_imViolations; // INV-4
    uint256 public ghost_unauthorizedSuccesses; // INV-6
    uint256 public ghost_unrelatedFailures; // INV-10
    uint256 public ghost_overpaid; // INV-7: a withdrawal paid more than it debited
    uint256 public calls_trade;
    uint256 public calls_withdraw;
    bool public btcHalted;

    constructor(
        ClearingHouse ch_,
        TestExchangeModule exchange_,
        MockERC20 usdc_,
        MockERC20 weth_,
        MockAggregator ethFeed_,
        ChainlinkOracle oracle_,
        address guardian_,
        SeriesId[] memory series_
    ) {
        ch = ch_;
        exchange = exchange_;
        usdc = usdc_;
        weth = weth_;
        ethFeed = ethFeed_;
        oracle = oracle_;
        guardian = guardian_;
        series = series_;
        for (uint256 i; i < 4; ++i) {
            address actor = makeAddr(string.concat("actor", vm.toString(i)));
            actors.push(actor);
            vm.prank(actor);
            accounts.push(ch.createAccount());
            _fund(actor);
            vm.prank(actor);
            ch.deposit(accounts[i], address(usdc), 200_000e6); // enough margin for trades to go through
        }
        bystanderOwner = makeAddr("bystander");
        vm.prank(bystanderOwner);
        bystander = ch.createAccount();
        _fund(bystanderOwner);
    }

    function accountCount() external view returns (uint256) {
        return accounts.length;
    }

    function seriesCount() external view returns (uint256) {
        return series.length;
    }

    // ------------------------------------------------------------------ actions

    function deposit(uint256 who, bool cash, uint256 amount) external {
        uint256 i = who % actors.length;
        address token = cash ? address(usdc) : address(weth);
        amount = cash ? bound(amount, 1, 1_000_000e6) : bound(amount, 1, 100e18);
        vm.prank(actors[i]);
        ch.deposit(accounts[i], token, amount);
    }

    function withdraw(uint256 who, bool cash, uint256 amount) external {
        uint256 i = who % actors.length;
        _withdraw(actors[i], accounts[i], cash, amount);
    }

    /// @dev An actor that is neither owner nor operator tries to withdraw from someone else's account.
    function withdrawUnauthorized(uint256 thief, uint256 victim, uint256 amount) external {
        uint256 t = thief % actors.length;
        uint256 v = victim % actors.length;
        if (t == v || ch.isAuthorized(accounts[v], actors[t])) return;
        amount = bound(amount, 1, 1_000e6);
        vm.prank(actors[t]);
        try ch.withdraw(accounts[v], address(usdc), amount, actors[t]) {
            ++ghost_unauthorizedSuccesses;
        } catch {}
    }

    function setOperator(uint256 owner, uint256 operator, bool approved) external {
        uint256 o = owner % actors.length;
        uint256 p = operator % actors.length;
        if (o == p) return;
        vm.prank(actors[o]);
        ch.setOperator(accounts[o], actors[p], approved);
    }

    /// @dev An operator (if approved) withdraws for the owner: allowed.
    function withdrawAsOperator(uint256 owner, uint256 operator, uint256 amount) external {
        uint256 o = owner % actors.length;
        uint256 p = operator % actors.length;
        if (!ch.isAuthorized(accounts[o], actors[p])) return;
        _withdraw(actors[p], accounts[o], true, amount);
    }

    function trade(uint256 buyer, uint256 seller, uint256 seriesIndex, uint256 size, uint256 premium) external {
        uint256 b = buyer % actors.length;
        uint256 s = seller % actors.length;
        if (b == s) return;
        SeriesId id = series[seriesIndex % series.length];
        size = bound(size, 1e15, 5e18);
        premium = bound(premium, 0, 500e18);
        Trade[] memory trades = new Trade[](1);
        trades[0] = Trade({
            buyer: accounts[b],
            seller: accounts[s],
            series: id,
            size: size,
            premium: premium,
            buyerFee: premium / 100,
            sellerFee: premium / 200
        });
        int256 buyerBefore = ch.positionOf(accounts[b], id);
        int256 sellerBefore = ch.positionOf(accounts[s], id);
        try exchange.applyTrades(trades) {
            ++calls_trade;
            // INV-4: an account whose risk grew must be at or above IM right after the call
            if (!_reduces(buyerBefore, ch.positionOf(accounts[b], id))) _checkIm(accounts[b]);
            if (!_reduces(sellerBefore, ch.positionOf(accounts[s], id))) _checkIm(accounts[s]);
        } catch {}
    }

    function movePrice(uint256 pct) external {
        pct = bound(pct, 70, 130);
        (, int256 answer, , , ) = ethFeed.latestRoundData();
        int256 next = (answer * int256(pct)) / 100;
        if (next < 500e8) next = 500e8;
        if (next > 8000e8) next = 8000e8;
        ethFeed.pushRound(next, block.timestamp);
        ethFeed.pushRound(next, block.timestamp);
    }

    function toggleBtcHalt() external {
        vm.startPrank(guardian);
        if (btcHalted) oracle.clearModeOverride(BTC);
        else oracle.setModeOverride(BTC, MarketMode.Halted);
        vm.stopPrank();
        btcHalted = !btcHalted;
    }

    /// @dev INV-10: the bystander holds only cash and WETH (priced by ETH): whatever BTC does, a deposit and a
    /// withdrawal of cash it owns always work.
    function bystanderRoundTrip(uint256 amount) external {
        amount = bound(amount, 1, 10_000e6);
        vm.startPrank(bystanderOwner);
        try ch.deposit(bystander, address(usdc), amount) {
            try ch.withdraw(bystander, address(usdc), amount, bystanderOwner) {} catch {
                ++ghost_unrelatedFailures;
            }
        } catch {
            ++ghost_unrelatedFailures;
        }
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ helpers

    function _withdraw(address caller, AccountId account, bool cash, uint256 amount) internal {
        MockERC20 token = cash ? usdc : weth;
        amount = cash ? bound(amount, 1, 1_000_000e6) : bound(amount, 1, 100e18);
        uint256 before = token.balanceOf(caller);
        int256 cashBefore = ch.cashOf(account);
        uint256 collBefore = ch.collateralOf(account, address(weth));
        vm.prank(caller);
        try ch.withdraw(account, address(token), amount, caller) {
            ++calls_withdraw;
            _checkIm(account); // INV-4
            uint256 paidWad = (token.balanceOf(caller) - before) * (cash ? 1e12 : 1);
            uint256 debitedWad =
                cash ? uint256(cashBefore - ch.cashOf(account)) : collBefore - ch.collateralOf(account, address(weth));
            if (paidWad > debitedWad) ++ghost_overpaid; // INV-7
        } catch {}
    }

    function _checkIm(AccountId account) internal {
        try ch.accountMargin(account) returns (int256 equity, uint256 im, uint256) {
            if (equity < int256(im)) ++ghost_imViolations;
        } catch {
            // no value (halted market with a short call): the action could not have passed its check either
        }
    }

    function _reduces(int256 oldSize, int256 newSize) internal pure returns (bool) {
        return oldSize > 0 ? (newSize >= 0 && newSize < oldSize) : (oldSize < 0 && newSize <= 0 && newSize > oldSize);
    }

    function _fund(address actor) internal {
        usdc.mint(actor, 1e18);
        weth.mint(actor, 1e24);
        vm.startPrank(actor);
        usdc.approve(address(ch), type(uint256).max);
        weth.approve(address(ch), type(uint256).max);
        vm.stopPrank();
    }
}

/// @notice INV-1, INV-2, INV-4, INV-6, INV-7, INV-10 under random action sequences.
contract ClearingHouseInvariantTest is CoreBase {
    CoreHandler internal handler;

    function setUp() public override {
        super.setUp();
        SeriesId[] memory list = new SeriesId[](6);
        list[0] = _series(ETH, _expiry(7), 2000e18, true);
        list[1] = _series(ETH, _expiry(7), 2200e18, true);
        list[2] = _series(ETH, _expiry(7), 1800e18, false);
        list[3] = _series(ETH, _expiry(14), 2000e18, false);
        list[4] = _series(ETH, _expiry(14), 2500e18, true);
        list[5] = _series(ETH, _expiry(30), 1500e18, false);
        handler = new CoreHandler(ch, exchange, usdc, weth, ethFeed, oracle, admin, list);
        // the handler's bystander starts with cash and WETH
        vm.startPrank(handler.bystanderOwner());
        ch.deposit(handler.bystander(), address(usdc), 50_000e6);
        ch.deposit(handler.bystander(), address(weth), 5e18);
        vm.stopPrank();

        bytes4[] memory selectors = new bytes4[](9);
        selectors[0] = CoreHandler.deposit.selector;
        selectors[1] = CoreHandler.withdraw.selector;
        selectors[2] = CoreHandler.withdrawUnauthorized.selector;
        selectors[3] = CoreHandler.setOperator.selector;
        selectors[4] = CoreHandler.withdrawAsOperator.selector;
        selectors[5] = CoreHandler.trade.selector;
        selectors[6] = CoreHandler.movePrice.selector;
        selectors[7] = CoreHandler.toggleBtcHalt.selector;
        selectors[8] = CoreHandler.bystanderRoundTrip.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    // INV-1 (and INV-7): token balances equal the sum of credits exactly (6 and 18 decimals convert exactly;
    // premium and fees move cash between accounts, the fee split is exact).
    function invariant_tokenBalancesBackCredits() public view {
        int256 cashSum;
        uint256 wethSum;
        uint256 n = ch.accountCount();
        for (uint256 id = 1; id <= n; ++id) {
            cashSum += ch.cashOf(AccountId.wrap(id));
            wethSum += ch.collateralOf(AccountId.wrap(id), address(weth));
        }
        assertEq(cashSum, int256(usdc.balanceOf(address(ch)) * 1e12), "INV-1 cash");
        assertEq(wethSum, weth.balanceOf(address(ch)), "INV-1 weth");
        assertEq(wethSum, ch.totalCollateral(address(weth)), "total collateral");
    }

    // INV-2: per series, sum of longs == sum of shorts == open interest.
    function invariant_openInterestBalanced() public view {
        uint256 n = ch.accountCount();
        for (uint256 s; s < handler.seriesCount(); ++s) {
            SeriesId id = handler.series(s);
            uint256 longs;
            uint256 shorts;
            for (uint256 a = 1; a <= n; ++a) {
                int256 size = ch.positionOf(AccountId.wrap(a), id);
                if (size > 0) longs += uint256(size);
                else shorts += uint256(-size);
            }
            assertEq(longs, shorts, "INV-2 longs == shorts");
            assertEq(longs, ch.openInterest(id), "INV-2 OI == longs");
        }
    }

    // INV-4: no risk-adding trade or withdrawal left its account below IM.
    function invariant_noActionLeavesAccountBelowInitialMargin() public view {
        assertEq(handler.ghost_imViolations(), 0);
    }

    // INV-6: unauthorized withdrawals never succeed.
    function invariant_onlyOwnerOrOperatorWithdraws() public view {
        assertEq(handler.ghost_unauthorizedSuccesses(), 0);
    }

    // INV-7: no withdrawal paid out more than it debited.
    function invariant_noValueExtractedByRounding() public view {
        assertEq(handler.ghost_overpaid(), 0);
    }

    // INV-10: halting BTC never blocked the ETH-only bystander.
    function invariant_unrelatedMarketFaultBlocksNothing() public view {
        assertEq(handler.ghost_unrelatedFailures(), 0);
    }

    /// Positions stay consistent with the index map (positionsOf and positionOf agree).
    function invariant_positionIndexConsistent() public view {
        for (uint256 i; i < handler.accountCount(); ++i) {
            AccountId account = handler.accounts(i);
            (SeriesId[] memory ids, int256[] memory sizes) = ch.positionsOf(account);
            for (uint256 j; j < ids.length; ++j) {
                assertTrue(sizes[j] != 0);
                assertEq(ch.positionOf(account, ids[j]), sizes[j]);
            }
        }
    }
}
