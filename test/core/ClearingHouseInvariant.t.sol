// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {AccountId, SeriesId, MarketMode} from "../../contracts/types/Types.sol";
import {IClearingHouseAdmin, IChainlinkOracleAdmin} from "../utils/SystemInterfaces.sol";
import {Trade} from "../../contracts/interfaces/IClearingHouse.sol";
import {CollateralConfig} from "../../contracts/interfaces/IRiskConfig.sol";
import {IMarginEvaluator} from "../../contracts/interfaces/IMarginEvaluator.sol";
import {OracleCache} from "../../contracts/core/OracleCache.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {TestExchangeModule} from "../../contracts/mocks/TestExchangeModule.sol";
import {CoreBase} from "./utils/CoreBase.sol";

/// @notice Drives the clearing house with random deposits, withdrawals (authorized and not), operator changes,
/// trades through the test exchange module (some paying more premium than the buyer owns), price moves and halts of an
/// unrelated market. Ghost variables record any violation seen right after an action; the invariant functions assert
/// there were none and check balances.
/// @dev "Own funds" of an account (INV-12): cash + Σ collateral value × (1 − IM haircut), rounded as the evaluator
/// does (0 for collateral a degraded market prices) — what it put in plus its realised gains, net of what it took out.
/// Margin and IM below are the strict evaluation behind every initial-margin check, on the account's raw holdings.
contract CoreHandler is Test {
    uint16 internal constant ETH = 1;
    uint16 internal constant BTC = 2;

    IClearingHouseAdmin internal immutable ch;
    TestExchangeModule internal immutable exchange;
    MockERC20 internal immutable usdc;
    MockERC20 internal immutable weth;
    MockAggregator internal immutable ethFeed;
    IChainlinkOracleAdmin internal immutable oracle;
    address internal immutable guardian;

    address[] public actors;
    AccountId[] public accounts; // accounts[i] owned by actors[i]
    AccountId public bystander; // ETH cash/collateral only: INV-10 witness while BTC is halted
    address public bystanderOwner;
    SeriesId[] public series;

    uint256 public ghost_imViolations; // INV-4
    uint256 public ghost_creditExtractions; // INV-12: value taken on credit (own funds pushed below 0)
    uint256 public ghost_insolventDrains; // INV-12: a trade paid above the positions' worth into insolvency
    uint256 public calls_drainProbe; // closeAllAtRuleLimit attempts on an account below IM
    int256 internal constant EQUITY_SLACK = 1e6; // wei
    uint256 public calls_creditRefused; // buyOnCredit attempts the clearing house refused
    uint256 public ghost_unauthorizedSuccesses; // INV-6
    uint256 public ghost_unrelatedFailures; // INV-10
    uint256 public ghost_overpaid; // INV-7: a withdrawal paid more than it debited
    uint256 public calls_trade;
    uint256 public calls_withdraw;
    bool public btcHalted;

    constructor(
        IClearingHouseAdmin ch_,
        TestExchangeModule exchange_,
        MockERC20 usdc_,
        MockERC20 weth_,
        MockAggregator ethFeed_,
        IChainlinkOracleAdmin oracle_,
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
        size = bound(size, 1e15, 5e18);
        premium = bound(premium, 0, 500e18);
        _tryTrade(accounts[b], accounts[s], series[seriesIndex % series.length], size, premium, premium / 100);
    }

    /// @dev INV-12 probe: the buyer offers more premium than its own funds (cash + haircut collateral) for one long:
    /// the premium would be paid on credit and the seller could withdraw it. Must be refused unless the buyer's risk
    /// falls on the whole account (buying back a short at no more than it is worth).
    function buyOnCredit(uint256 buyer, uint256 seller, uint256 seriesIndex, uint256 extra) external {
        uint256 b = buyer % actors.length;
        uint256 s = seller % actors.length;
        if (b == s) return;
        int256 own = _ownFunds(accounts[b]);
        uint256 premium = (own > 0 ? uint256(own) : 0) + bound(extra, 1e18, 2_000e18);
        if (!_tryTrade(accounts[b], accounts[s], series[seriesIndex % series.length], 1e18, premium, 0)) {
            ++calls_creditRefused;
        }
    }

    /// @dev Withdraws the account's whole cash surplus over IM (at most its cash): accounts at exactly IM, which price
    /// moves then take below IM, are where the whole-account rule decides.
    function withdrawSurplus(uint256 who) external {
        uint256 i = who % actors.length;
        (int256 margin, ) = _strict(accounts[i]);
        int256 cash = ch.cashOf(accounts[i]);
        int256 surplus = margin < cash ? margin : cash;
        if (surplus < 1e12) return;
        _withdraw(actors[i], accounts[i], true, uint256(surplus) / 1e12);
    }

    /// @dev INV-12 probe on the whole-account rule: an account below IM closes every position with another account
    /// in one batch (longs sold for nothing, shorts bought back) and pays `pct`% (90..100) of the most a margin-only
    /// rule would accept, P_max = margin with no positions − margin now (the positions' worth plus the IM they
    /// release). At P_max its equity ends at its margin before (< 0, less the haircut part of collateral): insolvent,
    /// the counterparty paid on the pool's credit. The contract must refuse that (solvency on the fallback path).
    function closeAllAtRuleLimit(uint256 who, uint256 other, uint256 pct) external {
        uint256 b = who % actors.length;
        uint256 s = other % actors.length;
        if (b == s) return;
        AccountId account = accounts[b];
        (int256 marginNow, ) = _strict(account);
        if (marginNow >= 0) return;
        IMarginEvaluator.Evaluation memory flat = _evaluate(account, ch.cashOf(account), new uint256[](0));
        int256 pMax = flat.equity - int256(flat.im) - marginNow;
        (SeriesId[] memory ids, int256[] memory sizes) = ch.positionsOf(account);
        if (pMax <= 0 || ids.length == 0) return;
        Trade[] memory trades = new Trade[](ids.length);
        uint256 premium = (uint256(pMax) * bound(pct, 90, 100)) / 100;
        bool paid;
        for (uint256 i; i < ids.length; ++i) {
            bool buysBack = sizes[i] < 0;
            trades[i] = Trade({
                buyer: buysBack ? account : accounts[s],
                seller: buysBack ? accounts[s] : account,
                series: ids[i],
                size: uint256(buysBack ? -sizes[i] : sizes[i]),
                premium: buysBack && !paid ? premium : 0,
                buyerFee: 0,
                sellerFee: 0
            });
            if (buysBack) paid = true;
        }
        if (!paid) return; // no short to carry the premium
        ++calls_drainProbe;
        Snapshot memory x = _snapshot(account);
        Snapshot memory y = _snapshot(accounts[s]);
        try exchange.applyTrades(trades) {
            ++calls_trade;
            _checkAfterTrade(account, x, 0);
            _checkAfterTrade(accounts[s], y, 0);
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
            (int256 margin, ) = _strict(account);
            if (margin < 0) ++ghost_imViolations; // INV-4: a withdrawal leaves the account at or above IM
            if (_ownFunds(account) < 0) ++ghost_creditExtractions; // INV-12: nothing withdrawn on credit
            uint256 paidWad = (token.balanceOf(caller) - before) * (cash ? 1e12 : 1);
            uint256 debitedWad =
                cash ? uint256(cashBefore - ch.cashOf(account)) : collBefore - ch.collateralOf(account, address(weth));
            if (paidWad > debitedWad) ++ghost_overpaid; // INV-7
        } catch {}
    }

    /// @dev One leg through the exchange module. Checks, for both sides, with the strict evaluation before and after
    /// at the same prices: INV-4 (at or above IM, or its risk reduced: IM need not up, initial margin not down) and
    /// INV-12 (own funds that fell below 0 only on such a reduction). Returns whether the leg was accepted.
    function _tryTrade(
        AccountId buyer,
        AccountId seller,
        SeriesId id,
        uint256 size,
        uint256 premium,
        uint256 fee
    ) internal returns (bool) {
        Trade[] memory trades = new Trade[](1);
        trades[0] = Trade({
            buyer: buyer,
            seller: seller,
            series: id,
            size: size,
            premium: premium,
            buyerFee: fee,
            sellerFee: fee / 2
        });
        Snapshot memory b = _snapshot(buyer);
        Snapshot memory s = _snapshot(seller);
        try exchange.applyTrades(trades) {
            ++calls_trade;
            _checkAfterTrade(buyer, b, fee);
            _checkAfterTrade(seller, s, fee / 2);
            return true;
        } catch {
            return false;
        }
    }

    struct Snapshot {
        int256 equity;
        int256 margin;
        uint256 im;
        int256 own;
    }

    function _snapshot(AccountId account) internal view returns (Snapshot memory x) {
        IMarginEvaluator.Evaluation memory e = _evaluate(account, ch.cashOf(account), _words(account, 0));
        x.equity = e.equity;
        x.im = e.im;
        x.margin = e.equity - int256(e.im);
        x.own = _ownFunds(account);
    }

    /// @dev `fee`: what the account paid in fees in the trade (exempt from the equity rule, see INV-12 below).
    function _checkAfterTrade(AccountId account, Snapshot memory before, uint256 fee) internal {
        Snapshot memory a = _snapshot(account);
        bool reduced = a.im <= before.im && a.margin >= before.margin;
        if (a.margin < 0 && !reduced) ++ghost_imViolations; // INV-4 (whole-account rule)
        // INV-12 (premium on credit): own funds pushed below 0 only by a whole-account risk reduction...
        if (a.own < 0 && a.own < before.own && !reduced) ++ghost_creditExtractions;
        // ...and never by paying more than the positions are worth while the account ends insolvent: the excess
        // would be the counterparty's gain on the pool's credit. Slack: per-leg rounding of the marks.
        int256 equityAfter = a.equity + int256(fee);
        if (equityAfter < 0 && equityAfter + EQUITY_SLACK < before.equity) ++ghost_insolventDrains;
    }

    /// @dev Strict initial margin (equity − im) and im of the account's raw holdings, as `_initialMargin` evaluates.
    function _strict(AccountId account) internal view returns (int256 margin, uint256 im) {
        IMarginEvaluator.Evaluation memory e = _evaluate(account, ch.cashOf(account), _words(account, 0));
        return (e.equity - int256(e.im), e.im);
    }

    /// @dev Strict evaluation of the account's collateral with the given cash and position words.
    function _evaluate(
        AccountId account,
        int256 cash,
        uint256[] memory words
    ) internal view returns (IMarginEvaluator.Evaluation memory e) {
        address[] memory tokens = ch.riskConfig().collateralTokens();
        uint256 n;
        uint256[] memory collaterals = new uint256[](tokens.length);
        for (uint256 i; i < tokens.length; ++i) {
            uint256 amount = ch.collateralOf(account, tokens[i]);
            if (amount == 0) continue;
            CollateralConfig memory c = ch.riskConfig().collateralConfig(tokens[i]);
            collaterals[n++] =
                (uint256(c.priceUnderlying) << 240) |
                (uint256(c.haircut) << 176) |
                (uint256(c.mmHaircut) << 112) |
                amount;
        }
        assembly ("memory-safe") {
            mstore(collaterals, n)
        }
        OracleCache.Cache memory cache;
        (e, ) = ch.marginEvaluator().evaluate(cash, collaterals, words, true, cache);
    }

    /// @dev Position words `SeriesId << 96 | uint96(int96 size)` of the account, without `skip` (0: none).
    function _words(AccountId account, uint256 skip) internal view returns (uint256[] memory words) {
        (SeriesId[] memory ids, int256[] memory sizes) = ch.positionsOf(account);
        words = new uint256[](ids.length);
        uint256 n;
        for (uint256 i; i < ids.length; ++i) {
            if (SeriesId.unwrap(ids[i]) == skip) continue;
            words[n++] = (SeriesId.unwrap(ids[i]) << 96) | uint256(uint96(int96(sizes[i])));
        }
        assembly ("memory-safe") {
            mstore(words, n)
        }
    }

    /// @dev Cash + Σ collateral × price × (1 − IM haircut): value down, haircut up (the evaluator's rounding); 0 for
    /// collateral whose market is not Active (the strict evaluation counts it 0 for IM).
    function _ownFunds(AccountId account) internal view returns (int256 own) {
        own = ch.cashOf(account);
        address[] memory tokens = ch.riskConfig().collateralTokens();
        for (uint256 i; i < tokens.length; ++i) {
            uint256 amount = ch.collateralOf(account, tokens[i]);
            if (amount == 0) continue;
            CollateralConfig memory c = ch.riskConfig().collateralConfig(tokens[i]);
            (MarketMode mode, uint256 price) = oracle.marketState(c.priceUnderlying);
            if (mode != MarketMode.Active) continue;
            uint256 value = (amount * price) / 1e18;
            own += int256(value - _mulWadUp(value, c.haircut));
        }
    }

    function _mulWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return (x * y + 1e18 - 1) / 1e18;
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

/// @notice INV-1, INV-2, INV-4, INV-6, INV-7, INV-10, INV-12 under random action sequences.
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

        bytes4[] memory selectors = new bytes4[](12);
        selectors[0] = CoreHandler.deposit.selector;
        selectors[1] = CoreHandler.withdraw.selector;
        selectors[2] = CoreHandler.withdrawUnauthorized.selector;
        selectors[3] = CoreHandler.setOperator.selector;
        selectors[4] = CoreHandler.withdrawAsOperator.selector;
        selectors[5] = CoreHandler.trade.selector;
        selectors[6] = CoreHandler.movePrice.selector;
        selectors[7] = CoreHandler.toggleBtcHalt.selector;
        selectors[8] = CoreHandler.bystanderRoundTrip.selector;
        selectors[9] = CoreHandler.buyOnCredit.selector;
        selectors[10] = CoreHandler.withdrawSurplus.selector;
        selectors[11] = CoreHandler.closeAllAtRuleLimit.selector;
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

    // INV-4: no withdrawal left its account below IM; no trade left an account below IM unless it reduced that
    // account's risk on the whole account (IM need not up, initial margin not down, at the same prices).
    function invariant_noActionLeavesAccountBelowInitialMargin() public view {
        assertEq(handler.ghost_imViolations(), 0);
    }

    // INV-12: no account holds more value out of the system than it put in plus its realised gains: no withdrawal
    // leaves its own funds (cash + haircut collateral) below 0, and no trade pushes them further below 0 (premium or
    // fees paid on credit, which the counterparty could withdraw) unless it reduced the account's risk.
    function invariant_noValueExtractedOnCredit() public view {
        assertEq(handler.ghost_creditExtractions(), 0);
    }

    // INV-12: no trade leaves an account insolvent (strict equity < 0) by paying more than what it closes is worth
    // (fees aside): the counterparty's gain would be paid by the pool.
    function invariant_noTradeDrainsIntoInsolvency() public view {
        assertEq(handler.ghost_insolventDrains(), 0);
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
