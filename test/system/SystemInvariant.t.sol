// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId, MarketMode} from "../../contracts/types/Types.sol";
import {SeriesIdLib} from "../../contracts/libraries/SeriesIdLib.sol";
import {SequencerStatus} from "../../contracts/interfaces/ISequencerGuard.sol";
import {Auction, Quote, AuctionParams} from "../../contracts/interfaces/ILiquidationModule.sol";
import {SystemBase} from "./utils/SystemBase.sol";
import {SystemHandler} from "./utils/SystemHandler.sol";
import {GasBudget} from "../utils/GasBudget.sol";

/// @dev The handler as a contract of this test file: Hardhat hands the invariant runner only the artifacts of the test
/// files it compiles as roots, and a target whose code matches no known artifact fails the setup.
contract SystemInvariantHandler is SystemHandler {
    constructor(
        Deps memory deps,
        SeriesId[] memory series_,
        uint40[] memory expiries_
    ) SystemHandler(deps, series_, expiries_) {}
}

/// @notice Issue 11: whole-system invariant fuzzing. The system deployed and handed over to a timelock as
/// deploy/system.ts does it (test/system/utils/SystemBase.sol); two markets (ETH, BTC), cash plus WETH and WBTC
/// collateral, five accounts (two with operators), driven through every entry point a user, relayer, keeper, guardian,
/// the timelock or a feed can touch (test/system/utils/SystemHandler.sol). Each of INV-1..INV-12 has its own invariant
/// below; per-call properties are ghost counters the handler keeps, balances are checked against ghost accounting.
contract SystemInvariantTest is SystemBase {
    /// @dev INV-8's budget for one check (DESIGN.md gas budgets, marginCheck.128 <= 2.4M; test/core/WorstCaseGas.t.sol).
    uint256 internal constant CHECK_BUDGET = 2_400_000;

    SystemHandler internal handler;
    uint40[] internal exps;
    bytes4[] internal selectors;

    function setUp() public override {
        super.setUp();
        exps.push(_expiry(1));
        exps.push(_expiry(2));
        exps.push(_expiry(4));
        exps.push(_expiry(8));
        SeriesId[] memory list = new SeriesId[](32);
        uint256 k;
        for (uint256 e; e < 4; ++e) {
            for (uint256 j; j < 2; ++j) {
                list[k++] = _series(ETH, exps[e], j == 0 ? 2800e18 : 3200e18, true);
                list[k++] = _series(ETH, exps[e], j == 0 ? 2800e18 : 3200e18, false);
                list[k++] = _series(BTC, exps[e], j == 0 ? 56_000e18 : 64_000e18, true);
                list[k++] = _series(BTC, exps[e], j == 0 ? 56_000e18 : 64_000e18, false);
            }
        }
        handler = new SystemInvariantHandler(
            SystemHandler.Deps({
                ch: ch,
                exchange: exchange,
                liq: liq,
                oracle: oracle,
                volOracle: volOracle,
                settlement: settlement,
                risk: risk,
                timelock: timelock,
                guard: guard,
                usdc: usdc,
                weth: weth,
                wbtc: wbtc,
                ethFeed: ethFeed,
                btcFeed: btcFeed,
                seqFeed: seqFeed,
                governor: governor,
                guardian: guardian,
                volUpdater: volUpdater
            }),
            list,
            exps
        );

        bytes4[] memory s = new bytes4[](46);
        uint256 i;
        s[i++] = SystemHandler.deposit.selector;
        s[i++] = SystemHandler.deposit.selector;
        s[i++] = SystemHandler.fundDeposit.selector;
        s[i++] = SystemHandler.withdraw.selector;
        s[i++] = SystemHandler.withdraw.selector;
        s[i++] = SystemHandler.fill.selector;
        s[i++] = SystemHandler.fill.selector;
        s[i++] = SystemHandler.fill.selector;
        s[i++] = SystemHandler.fill.selector;
        s[i++] = SystemHandler.fillMany.selector;
        s[i++] = SystemHandler.refill.selector;
        s[i++] = SystemHandler.refill.selector;
        s[i++] = SystemHandler.matchOrders.selector;
        s[i++] = SystemHandler.matchOrders.selector;
        s[i++] = SystemHandler.cancel.selector;
        s[i++] = SystemHandler.bumpNonce.selector;
        s[i++] = SystemHandler.setOperator.selector;
        s[i++] = SystemHandler.unauthorized.selector;
        s[i++] = SystemHandler.movePrice.selector;
        s[i++] = SystemHandler.movePrice.selector;
        s[i++] = SystemHandler.movePrice.selector;
        s[i++] = SystemHandler.jumpPrice.selector;
        s[i++] = SystemHandler.sequencer.selector;
        s[i++] = SystemHandler.moveVol.selector;
        s[i++] = SystemHandler.warp.selector;
        s[i++] = SystemHandler.warp.selector;
        s[i++] = SystemHandler.recordSettlement.selector;
        s[i++] = SystemHandler.recordSettlement.selector;
        s[i++] = SystemHandler.warp.selector;
        s[i++] = SystemHandler.settle.selector;
        s[i++] = SystemHandler.settle.selector;
        s[i++] = SystemHandler.startAuction.selector;
        s[i++] = SystemHandler.squeeze.selector;
        s[i++] = SystemHandler.bid.selector;
        s[i++] = SystemHandler.bid.selector;
        s[i++] = SystemHandler.bid.selector;
        s[i++] = SystemHandler.withdraw.selector;
        s[i++] = SystemHandler.endAuction.selector;
        s[i++] = SystemHandler.markInsolvency.selector;
        s[i++] = SystemHandler.realiseLoss.selector;
        s[i++] = SystemHandler.guardianMode.selector;
        s[i++] = SystemHandler.timelockClearOverride.selector;
        s[i++] = SystemHandler.timelockParams.selector;
        s[i++] = SystemHandler.timelockFundWithdraw.selector;
        s[i++] = SystemHandler.probeConfined.selector;
        s[i++] = SystemHandler.probeConfined.selector;
        selectors = s;
        targetSelector(FuzzSelector({addr: address(handler), selectors: s}));
        targetContract(address(handler));
    }

    // ============================================================================================== invariants

    /// @notice INV-1: per token, the clearing house holds exactly what the ghosts say was deposited minus withdrawn;
    /// cash claims (the fund's included) never exceed the cash tokens held, and the gap is only settlement rounding
    /// (< 1 wei per settled position, in the protocol's favour); collateral is held exactly.
    function invariant_INV1_tokenBalancesBackClaims() public {
        uint256 n = ch.accountCount();
        int256 cashSum;
        uint256 wethSum;
        uint256 wbtcSum;
        for (uint256 id = 1; id <= n; ++id) {
            cashSum += ch.cashOf(AccountId.wrap(id));
            wethSum += ch.collateralOf(AccountId.wrap(id), address(weth));
            wbtcSum += ch.collateralOf(AccountId.wrap(id), address(wbtc));
        }
        uint256 held = usdc.balanceOf(address(ch)) * 1e12;
        assertEq(held, handler.ghost_tokensIn() - handler.ghost_tokensOut(), "INV-1 cash tokens == ghost in - out");
        // positions whose settlement price is recorded are claims already: one side may be cashed out before the other
        (int256 pending, uint256 pendingCount) = handler.pendingSettlement();
        cashSum += pending;
        assertLe(cashSum, int256(held), "INV-1 cash claims <= tokens held");
        assertLe(
            int256(held) - cashSum,
            int256(handler.ghost_settledPositions() + pendingCount),
            "INV-1 gap only settlement rounding"
        );
        assertEq(wethSum, weth.balanceOf(address(ch)), "INV-1 WETH held");
        assertEq(wethSum, ch.totalCollateral(address(weth)), "INV-1 WETH total");
        assertEq(wbtcSum, wbtc.balanceOf(address(ch)) * 1e10, "INV-1 WBTC held");
        assertEq(wbtcSum, ch.totalCollateral(address(wbtc)), "INV-1 WBTC total");
        assertEq(handler.ghost_tokenTransferMismatch(), 0, "INV-1 a withdrawal sent another amount");
    }

    /// @notice INV-2: per series, until its settlement price is recorded, Σ long == Σ short over every account (fee,
    /// fund, probes included) and open interest is Σ long; after it, open interest is 0.
    function invariant_INV2_openInterestBalanced() public view {
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
            // once the settlement price is recorded every position is economically closed and `settleAccounts` cashes
            // them out account by account (open interest then reports 0)
            (, bool recorded) = settlement.settlementPrice(SeriesIdLib.underlying(id), SeriesIdLib.expiry(id));
            if (recorded) {
                assertEq(ch.openInterest(id), 0, "INV-2 settled series has no open interest");
                continue;
            }
            assertEq(longs, shorts, "INV-2 longs == shorts");
            assertEq(longs, ch.openInterest(id), "INV-2 open interest == longs");
        }
    }

    /// @notice INV-3: per series, once every holder is settled, the settlement flows (Σ over all settle calls) are
    /// zero-sum up to their rounding (< 1 wei per position, against the holder); and every account received exactly its
    /// modelled payoff (no cash mismatch in any settle call).
    function invariant_INV3_settlementZeroSum() public view {
        uint256 n = ch.accountCount();
        for (uint256 s; s < handler.seriesCount(); ++s) {
            SeriesId id = handler.series(s);
            uint256 open;
            for (uint256 a = 1; a <= n && open == 0; ++a) {
                if (ch.positionOf(AccountId.wrap(a), id) != 0) open = 1;
            }
            if (open != 0) continue; // not (yet) settled for every holder
            int256 flow = handler.ghost_seriesFlow(id);
            assertLe(flow, 0, "INV-3 settlement paid out more than it took in");
            assertGe(flow, -int256(handler.ghost_seriesSettled(id)), "INV-3 settlement kept more than its rounding");
        }
        assertEq(handler.ghost_cashMismatch(), 0, handler.lastMismatch());
    }

    /// @notice INV-4: no trade (unless it reduced the account's risk) and no withdrawal left its account below IM.
    function invariant_INV4_noActionBelowInitialMargin() public view {
        assertEq(handler.ghost_inv4(), 0, "INV-4");
        assertEq(handler.ghost_bidderBelowIM(), 0, "INV-4 a bid left its bidder below IM");
    }

    /// @notice INV-5: no auction started on an account with E >= MM; no bid lowered the account's E / MM.
    function invariant_INV5_noLiquidationAboveMaintenance() public view {
        assertEq(handler.ghost_startAboveMM(), 0, "INV-5 start at E >= MM");
        assertEq(handler.ghost_ratioDecreased(), 0, "INV-5 bid lowered E/MM");
    }

    /// @notice INV-6: nobody but the owner or an approved operator moved an account's positions or cash out: strangers,
    /// other accounts' operators, revoked or re-approved operators' orders, cancelled, expired and nonce-dead orders,
    /// overfills, the guardian or vol updater on the fund, and admin calls around the timelock all failed.
    function invariant_INV6_onlyOwnerOrOperator() public view {
        assertEq(handler.ghost_inv6(), 0, handler.lastInv6());
    }

    /// @notice INV-7: no value from rounding: every call moved exactly the modelled cash (premium rounded against the
    /// taker, fees up, payoffs against the holder, liquidation cash toward zero), realised gains over all accounts
    /// sum to at most 0, and the claims never exceed the tokens.
    function invariant_INV7_noValueFromRounding() public {
        assertEq(handler.ghost_cashMismatch(), 0, handler.lastMismatch());
        (int256 pending, uint256 pendingCount) = handler.pendingSettlement();
        int256 sum = handler.ghost_realisedSum() + pending;
        assertLe(sum, 0, "INV-7 realised gains (with recorded payoffs) sum <= 0");
        assertGe(
            sum,
            -int256(handler.ghost_settledPositions() + pendingCount),
            "INV-7 only settlement rounding is kept"
        );
    }

    /// @notice INV-8: the margin check on the heaviest account the handlers built (most positions seen) stays under the
    /// gas budget.
    function invariant_INV8_marginCheckGasOnHeaviestAccount() public view {
        uint256 id = handler.heaviestId();
        if (id == 0) return;
        uint256 before = gasleft();
        ch.accountMargin(AccountId.wrap(id));
        uint256 used = before - gasleft();
        if (GasBudget.measured()) assertLt(used, CHECK_BUDGET, "INV-8 margin check within budget");
        (SeriesId[] memory held, ) = ch.positionsOf(AccountId.wrap(id));
        assertLe(held.length, 128, "INV-8 positions bounded by MAX_POSITION_CAP");
    }

    /// @notice INV-9: no state change used a stale, out-of-band, unconfirmed or sequencer-grace price except the
    /// documented risk-reducing paths: no new exposure in a degraded market or vol, no auction start or bid on a halted
    /// market's value, no start of a topping-up account during an outage, no fallback settlement from a degraded
    /// market, and every proven settlement price is the proven round's answer.
    function invariant_INV9_noDegradedPriceUsed() public view {
        assertEq(handler.ghost_inv9(), 0, handler.lastInv9());
    }

    /// @notice INV-10: while one market was faulted, every action confined to the other (deposit, signed fill, surplus
    /// withdrawal by fresh accounts) went through.
    function invariant_INV10_faultIsLocal() public view {
        assertEq(handler.ghost_inv10(), 0, string(handler.lastInv10()));
    }

    /// @notice INV-11: the fund paid only in bids on insolvent accounts and took a loss only from an insolvent one; the
    /// admin (the timelock) never took it below its floor; the
    /// clearing house's auction flag mirrors the module; and (all markets Active, sequencer up) every live auction can
    /// reach a terminal state now: ended when restored, loss realised when its insolvent window ran out, else a maximal
    /// bid by a deep-pocketed probe bidder takes it whole or restores it so it ends. Each probe runs on a snapshot.
    function invariant_INV11_auctionsTerminate() public {
        assertEq(handler.ghost_fundPaidSolvent(), 0, "INV-11 fund paid a solvent account");
        assertEq(handler.ghost_lossOnSolvent(), 0, "INV-11 loss realised on a solvent account");
        assertEq(handler.ghost_fundBelowFloor(), 0, "INV-11 the admin took the fund below its floor");
        bool quiet = guard.status() == SequencerStatus.Up && _marketsActive();
        AuctionParams memory p = liq.auctionParams();
        for (uint256 i; i < handler.userCount(); ++i) {
            AccountId a = handler.users(i);
            Auction memory x = liq.auctionOf(a);
            assertEq(ch.inAuction(a), x.startedAt != 0, "INV-11 inAuction flag == module state");
            if (x.startedAt == 0 || !quiet) continue;
            (int256 equity, uint256 mm, uint256 halted) = ch.accountHealth(a);
            if (halted != 0) continue;
            uint256 snap = vm.snapshotState();
            if (equity >= 0 && uint256(equity) >= mm + _mulWadUp(mm, p.buffer)) {
                liq.endAuction(a);
            } else if (
                equity < 0 && x.insolventSince != 0 && block.timestamp >= x.insolventSince + p.insolventDuration
            ) {
                liq.realiseLoss(a);
            } else {
                Quote memory q = liq.quote(a);
                assertGt(q.maxFraction, 0, "INV-11 a bid is possible");
                AccountId bidder = handler.probeBidder();
                vm.prank(handler.probeBidderOwner());
                liq.bid(a, bidder, q.maxFraction, type(int256).max);
                if (q.maxFraction < WAD) liq.endAuction(a);
            }
            assertFalse(ch.inAuction(a), "INV-11 terminal");
            assertEq(liq.auctionOf(a).startedAt, 0, "INV-11 terminal (module)");
            vm.revertToState(snap);
        }
    }

    /// @notice INV-12: every account's cash is exactly its deposits minus withdrawals plus its realised flows (premiums,
    /// fees, payoffs, liquidation transfers, deficit conversions) as the ghost model computed them; its collateral is
    /// exactly what it deposited, withdrew and moved in liquidations; no withdrawal took cash below 0 (value out never
    /// exceeded value in plus realised gains); and the realised flows are zero-sum (no account's gain that another
    /// account's credit did not pay, beyond settlement rounding kept by the protocol).
    function invariant_INV12_noValueOutBeyondInPlusGains() public {
        uint256 n = ch.accountCount();
        for (uint256 id = 1; id <= n; ++id) {
            AccountId a = AccountId.wrap(id);
            assertEq(
                ch.cashOf(a),
                handler.ghost_in(id) - handler.ghost_out(id) + handler.ghost_realised(id),
                "INV-12 cash == in - out + realised"
            );
            assertEq(ch.collateralOf(a, address(weth)), handler.ghost_coll(id, address(weth)), "INV-12 WETH ghost");
            assertEq(ch.collateralOf(a, address(wbtc)), handler.ghost_coll(id, address(wbtc)), "INV-12 WBTC ghost");
        }
        assertEq(handler.ghost_withdrawNegativeCash(), 0, "INV-12 a withdrawal took cash below 0");
        (int256 pending, ) = handler.pendingSettlement();
        assertLe(handler.ghost_realisedSum() + pending, 0, "INV-12 realised flows are zero-sum (no gain from nowhere)");
    }

    // ============================================================================================== coverage

    /// @notice Coverage record: a fixed pseudo-random walk of 160 calls with the campaign's selector weights (four
    /// depths' worth, from the same start), every invariant checked every 40 calls; logs the call summary (ok / reverted
    /// per handler) and requires the main outcomes to have been reached, so the invariants above do not pass on an idle
    /// handler.
    function test_handler_RandomWalkReachesEveryOutcome() public {
        for (uint256 k; k < 160; ++k) {
            _randomCall(uint256(keccak256(abi.encode("walk", k))));
            if (k % 40 == 39) _checkAll();
        }
        handler.callSummary();
        // trading, custody, settlement, governance and the guardian all did something
        string[7] memory reached = [
            "deposit",
            "withdraw",
            "fill",
            "settle",
            "guardianMode",
            "timelockMargin",
            "cancel"
        ];
        for (uint256 i; i < reached.length; ++i) {
            (uint256 ok, ) = handler.calls(reached[i]);
            assertGt(ok, 0, string.concat("never succeeded: ", reached[i]));
        }
        assertGt(handler.ghost_settledPositions(), 0, "no position settled");
    }

    function _checkAll() internal {
        invariant_INV1_tokenBalancesBackClaims();
        invariant_INV2_openInterestBalanced();
        invariant_INV3_settlementZeroSum();
        invariant_INV4_noActionBelowInitialMargin();
        invariant_INV5_noLiquidationAboveMaintenance();
        invariant_INV6_onlyOwnerOrOperator();
        invariant_INV7_noValueFromRounding();
        invariant_INV8_marginCheckGasOnHeaviestAccount();
        invariant_INV9_noDegradedPriceUsed();
        invariant_INV10_faultIsLocal();
        invariant_INV11_auctionsTerminate();
        invariant_INV12_noValueOutBeyondInPlusGains();
    }

    /// @dev One handler call picked with the campaign's weights (the selector list of setUp).
    function _randomCall(uint256 x) internal {
        bytes4 sel = selectors[x % selectors.length];
        uint256 a = uint256(keccak256(abi.encode(x, 1)));
        uint256 b = uint256(keccak256(abi.encode(x, 2)));
        uint256 c = uint256(keccak256(abi.encode(x, 3)));
        uint256 e = uint256(keccak256(abi.encode(x, 4)));
        uint256 f = uint256(keccak256(abi.encode(x, 5)));
        SystemHandler h = handler;
        if (sel == h.deposit.selector) h.deposit(a, b, c);
        else if (sel == h.fundDeposit.selector) h.fundDeposit(a);
        else if (sel == h.withdraw.selector) h.withdraw(a, b, c, e % 2 == 0);
        else if (sel == h.fill.selector) h.fill(a, b, c, e % 2 == 0, f, a >> 8, b >> 8);
        else if (sel == h.fillMany.selector) h.fillMany(a, b, c);
        else if (sel == h.timelockFundWithdraw.selector) h.timelockFundWithdraw(a);
        else if (sel == h.refill.selector) h.refill(a, b, c);
        else if (sel == h.matchOrders.selector) h.matchOrders(a, b, c, e, f, a >> 8);
        else if (sel == h.cancel.selector) h.cancel(a, b % 2 == 0);
        else if (sel == h.bumpNonce.selector) h.bumpNonce(a, b);
        else if (sel == h.setOperator.selector) h.setOperator(a, b % 2 == 0);
        else if (sel == h.unauthorized.selector) h.unauthorized(a, b);
        else if (sel == h.movePrice.selector) h.movePrice(a, b);
        else if (sel == h.jumpPrice.selector) h.jumpPrice(a, b, c % 2 == 0);
        else if (sel == h.sequencer.selector) h.sequencer(a % 2 == 0);
        else if (sel == h.moveVol.selector) h.moveVol(a, b);
        else if (sel == h.warp.selector) h.warp(a, b);
        else if (sel == h.recordSettlement.selector) h.recordSettlement(a);
        else if (sel == h.settle.selector) h.settle(a);
        else if (sel == h.startAuction.selector) h.startAuction(a);
        else if (sel == h.squeeze.selector) h.squeeze(a, b);
        else if (sel == h.bid.selector) h.bid(a, b, c, e);
        else if (sel == h.endAuction.selector) h.endAuction(a);
        else if (sel == h.markInsolvency.selector) h.markInsolvency(a);
        else if (sel == h.realiseLoss.selector) h.realiseLoss(a);
        else if (sel == h.guardianMode.selector) h.guardianMode(a, b % 2 == 0);
        else if (sel == h.timelockClearOverride.selector) h.timelockClearOverride(a);
        else if (sel == h.timelockParams.selector) h.timelockParams(a, b);
        else if (sel == h.probeConfined.selector) h.probeConfined(a);
        else revert("selector not dispatched");
    }

    function _marketsActive() internal view returns (bool) {
        for (uint16 u = 1; u <= 2; ++u) {
            (MarketMode m, ) = oracle.marketState(u);
            if (m != MarketMode.Active) return false;
            for (uint256 i; i < exps.length; ++i) {
                (, MarketMode v) = volOracle.vol(u, exps[i]);
                if (v != MarketMode.Active) return false;
            }
        }
        return true;
    }

    function _mulWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return (x * y + WAD - 1) / WAD;
    }
}
