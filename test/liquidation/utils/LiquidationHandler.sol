// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {AccountId, SeriesId} from "../../../contracts/types/Types.sol";
import {SeriesIdLib} from "../../../contracts/libraries/SeriesIdLib.sol";
import {Trade} from "../../../contracts/interfaces/IClearingHouse.sol";
import {ILiquidationModule, Auction, Quote} from "../../../contracts/interfaces/ILiquidationModule.sol";
import {IClearingHouseAdmin, IVolatilityOracleAdmin, ISettlementOracleAdmin} from "../../utils/SystemInterfaces.sol";
import {MockAggregator} from "../../../contracts/mocks/MockAggregator.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {TestExchangeModule} from "../../../contracts/mocks/TestExchangeModule.sol";

/// @notice Drives the clearing house and the liquidation module with bounded random actions: option trades between
/// four thinly funded writers and two bidders, surplus withdrawals and top-ups, ETH price (±15% per call) and vol
/// moves, time (a minute to a day, recording the settlement price of every expiry it crosses), settlement, and the
/// auction life cycle (start, bids of random fractions up to f_max at random times, end, insolvency marks, realised
/// losses, fund deposits).
/// @dev Per-call properties are measured right around the call and recorded in `ghost_*` counters (a failed assertion
/// inside a handler would only make the call revert, which `failOnRevert = false` ignores); the invariant functions
/// assert the counters are 0. `calls_*` count outcomes so a run can be judged for coverage.
contract LiquidationHandler is Test {
    uint16 internal constant ETH = 1;
    uint256 internal constant WAD = 1e18;
    uint256 internal constant WRITERS = 4;
    /// @dev Ratio slack (wei of equity or MM): a bid moves each position rounded toward zero, so the auctioned
    /// account keeps < 1 wei of size per position (worth < spot / 1e18 ≈ 1e-14 of a unit of cash, i.e. a few
    /// thousand wei of value or requirement) and < 1 wei of cash and of each collateral. 1e6 wei bounds the error of
    /// E and of MM by orders of magnitude and is far below any economic effect (1e-12 of one cash unit).
    int256 public constant RATIO_SLACK = 1e6;

    struct Deps {
        IClearingHouseAdmin ch;
        ILiquidationModule liq;
        TestExchangeModule exchange;
        MockERC20 usdc;
        MockERC20 weth;
        MockAggregator ethFeed;
        IVolatilityOracleAdmin volOracle;
        ISettlementOracleAdmin settlement;
        address volUpdater;
    }

    IClearingHouseAdmin internal immutable ch;
    ILiquidationModule internal immutable liq;
    TestExchangeModule internal immutable exchange;
    MockERC20 internal immutable usdc;
    MockERC20 internal immutable weth;
    MockAggregator internal immutable ethFeed;
    IVolatilityOracleAdmin internal immutable volOracle;
    ISettlementOracleAdmin internal immutable settlement;
    address internal immutable volUpdater;
    AccountId public immutable fundAcc;

    address[] public owners;
    AccountId[] public accounts; // 0..3 writers, 4..5 bidders; accounts[i] owned by owners[i]
    SeriesId[] public series;
    uint40[] public expiries; // ascending, every expiry of `series`
    mapping(uint40 expiry => bool) public recorded;
    uint256 public volWad = 0.8e18;

    // ghosts: every per-call violation (must stay 0)
    uint256 public ghost_imViolations; // INV-4: a trade or withdrawal left its account below IM (risk not reduced)
    uint256 public ghost_startAboveMM; // INV-5: an auction started on an account with E >= MM
    uint256 public ghost_ratioDecreased; // INV-5: a bid lowered the auctioned account's E / MM
    uint256 public ghost_bidderBelowIM; // a bid left its bidder below IM
    uint256 public ghost_fundPaidSolvent; // INV-11: the fund's cash fell in a bid on an account with E >= 0
    uint256 public ghost_settleNotZeroSum; // INV-3: a settlement created cash, or lost more than its rounding
    uint256 public ghost_settleRounding; // INV-1/INV-3: wei that settlement may keep (1 per position settled)
    int256 public ghost_fundPaid; // Σ cash the fund paid bidders
    // the last ratio violation, for the report of a failing run
    int256 public last_e0;
    uint256 public last_mm0;
    int256 public last_e1;
    uint256 public last_mm1;
    uint256 public last_fraction;

    // outcomes
    uint256 public calls_trade;
    uint256 public calls_tradeReverted;
    uint256 public calls_withdraw;
    uint256 public calls_start;
    uint256 public calls_startReverted;
    uint256 public calls_bid;
    uint256 public calls_bidInsolvent;
    uint256 public calls_bidWhole;
    uint256 public calls_bidReverted;
    uint256 public calls_end;
    uint256 public calls_endReverted;
    uint256 public calls_markInsolvency;
    uint256 public calls_realise;
    uint256 public calls_realiseReverted;
    uint256 public calls_settle;
    uint256 public calls_recorded;

    constructor(Deps memory d, SeriesId[] memory series_, uint40[] memory expiries_) {
        ch = d.ch;
        liq = d.liq;
        exchange = d.exchange;
        usdc = d.usdc;
        weth = d.weth;
        ethFeed = d.ethFeed;
        volOracle = d.volOracle;
        settlement = d.settlement;
        volUpdater = d.volUpdater;
        fundAcc = d.ch.insuranceAccount();
        series = series_;
        expiries = expiries_;
        for (uint256 i; i < 6; ++i) {
            address owner = makeAddr(string.concat(i < WRITERS ? "writer" : "bidder", vm.toString(i)));
            owners.push(owner);
            vm.startPrank(owner);
            accounts.push(ch.createAccount());
            usdc.approve(address(ch), type(uint256).max);
            weth.approve(address(ch), type(uint256).max);
            vm.stopPrank();
            // writers start thin; bidder 4 is rich, bidder 5 can take only small pieces
            _deposit(accounts[i], i < WRITERS ? 5_000e6 : (i == 4 ? 2_000_000e6 : 30_000e6));
        }
        _seedBook();
    }

    /// @dev Every run starts with the four writers short to bidder 4 and withdrawn to exactly IM, so that a move of a
    /// few percent (or time) takes them below maintenance: writer 0 short calls (30 days), writer 1 short puts (2
    /// days), writer 2 a call spread (7 days), writer 3 a straddle expiring tomorrow. Needs `series` as the test lists
    /// it (0/1: 1d 2000 C/P, 2/3: 2d 2200 C / 1800 P, 4/5: 7d 2000/2400 C, 6/7: 30d 1600 P / 2200 C).
    function _seedBook() internal {
        AccountId rich = accounts[4];
        _tryTrade(accounts[0], rich, series[7], 8e18, 8 * 60e18);
        _tryTrade(accounts[1], rich, series[3], 10e18, 10 * 10e18);
        _tryTrade(accounts[2], rich, series[4], 10e18, 10 * 70e18);
        _tryTrade(rich, accounts[2], series[5], 10e18, 10 * 10e18);
        _tryTrade(accounts[3], rich, series[0], 4e18, 4 * 40e18);
        _tryTrade(accounts[3], rich, series[1], 4e18, 4 * 40e18);
        for (uint256 i; i < WRITERS; ++i) {
            _withdrawSurplus(i, 100);
        }
    }

    function accountCount() external view returns (uint256) {
        return accounts.length;
    }

    function seriesCount() external view returns (uint256) {
        return series.length;
    }

    // ============================================================================================ trading and custody

    /// @dev One leg between two handler accounts; INV-4 checked on both sides. A leg refused for margin is retried at
    /// half the size (up to three times), so writers end up near their capacity: the next move can take them below MM.
    function trade(uint256 sellerSeed, uint256 buyerSeed, uint256 seriesSeed, uint256 size, uint256 premium) external {
        // writers sell three times out of four
        AccountId seller = accounts[sellerSeed % 4 == 0 ? sellerSeed % accounts.length : sellerSeed % WRITERS];
        AccountId buyer = accounts[buyerSeed % accounts.length];
        if (AccountId.unwrap(seller) == AccountId.unwrap(buyer)) return;
        size = bound(size, 0.1e18, 40e18);
        premium = bound(premium, 0, 200e18);
        SeriesId id = series[seriesSeed % series.length];
        for (uint256 k; k < 4; ++k) {
            if (_tryTrade(seller, buyer, id, size, (premium * size) / WAD)) {
                // half of the writers then take their whole surplus out: they sit at IM
                if (sellerSeed % 4 != 0 && (sellerSeed >> 8) % 2 == 0) _withdrawSurplus(sellerSeed % WRITERS, 100);
                return;
            }
            size /= 2;
        }
    }

    function _tryTrade(
        AccountId seller,
        AccountId buyer,
        SeriesId id,
        uint256 size,
        uint256 premium
    ) internal returns (bool) {
        Trade[] memory trades = new Trade[](1);
        trades[0] = Trade({
            buyer: buyer,
            seller: seller,
            series: id,
            size: size,
            premium: premium,
            buyerFee: premium / 100,
            sellerFee: premium / 200
        });
        (int256 sm, uint256 sim) = _initial(seller);
        (int256 bm, uint256 bim) = _initial(buyer);
        try exchange.applyTrades(trades) {
            ++calls_trade;
            _checkAfterTrade(seller, sm, sim);
            _checkAfterTrade(buyer, bm, bim);
            return true;
        } catch {
            ++calls_tradeReverted;
            return false;
        }
    }

    /// @dev Withdraws `pct`% (50..100) of the account's cash surplus over IM: margins go thin, moves then take them
    /// below maintenance.
    function withdrawSurplus(uint256 who, uint256 pct) external {
        _withdrawSurplus(who % accounts.length, bound(pct, 50, 100));
    }

    function _withdrawSurplus(uint256 i, uint256 pct) internal {
        (int256 margin, ) = _initial(accounts[i]);
        int256 cash = ch.cashOf(accounts[i]);
        int256 surplus = margin < cash ? margin : cash;
        if (surplus < 1e12) return;
        uint256 amount = (uint256(surplus) * pct) / 100 / 1e12;
        if (amount == 0) return;
        vm.prank(owners[i]);
        try ch.withdraw(accounts[i], address(usdc), amount, owners[i]) {
            ++calls_withdraw;
            (int256 after_, ) = _initial(accounts[i]);
            if (after_ < 0) ++ghost_imViolations; // INV-4: a withdrawal leaves IM >= 0
        } catch {}
    }

    /// @dev Deposits work during an auction too (the owner's way back above the buffer).
    function topUp(uint256 who, uint256 amount) external {
        _deposit(accounts[who % accounts.length], bound(amount, 1e6, 50_000e6));
    }

    function depositWeth(uint256 who, uint256 amount) external {
        uint256 i = who % WRITERS;
        amount = bound(amount, 0.01e18, 5e18);
        weth.mint(owners[i], amount);
        vm.prank(owners[i]);
        ch.deposit(accounts[i], address(weth), amount);
    }

    function fundDeposit(uint256 amount) external {
        _deposit(fundAcc, bound(amount, 1e6, 20_000e6));
    }

    // ========================================================================================== market and time

    /// @dev ETH moves by at most ±15% per call, within [500, 8000] (the feed's band is [100, 100,000]).
    function movePrice(uint256 pct) external {
        (, int256 answer, , , ) = ethFeed.latestRoundData();
        int256 next = (answer * int256(bound(pct, 85, 115))) / 100;
        if (next < 500e8) next = 500e8;
        if (next > 8000e8) next = 8000e8;
        _push(next);
    }

    function moveVol(uint256 pct) external {
        uint256 next = (volWad * bound(pct, 70, 130)) / 100;
        if (next < 0.3e18) next = 0.3e18;
        if (next > 2.5e18) next = 2.5e18;
        volWad = next;
        vm.prank(volUpdater);
        volOracle.setVol(ETH, next);
    }

    /// @dev A minute to a day; half of the calls stay within the auction's time scale (at most 90 minutes).
    function warp(uint256 secs) external {
        _warp(secs % 2 == 0 ? bound(secs, 1 minutes, 90 minutes) : bound(secs, 1 minutes, 1 days));
    }

    /// @dev Settles every account at once (auctioned, bidders, the fund): INV-3 over the whole system.
    function settle() external {
        uint256 n = ch.accountCount();
        AccountId[] memory all = new AccountId[](n);
        int256 cashBefore;
        uint256 positionsBefore;
        for (uint256 id = 1; id <= n; ++id) {
            all[id - 1] = AccountId.wrap(id);
            cashBefore += ch.cashOf(AccountId.wrap(id));
            (SeriesId[] memory ids, ) = ch.positionsOf(AccountId.wrap(id));
            positionsBefore += ids.length;
        }
        ch.settleAccounts(all);
        ++calls_settle;
        int256 cashAfter;
        uint256 positionsAfter;
        for (uint256 id = 1; id <= n; ++id) {
            cashAfter += ch.cashOf(AccountId.wrap(id));
            (SeriesId[] memory ids, ) = ch.positionsOf(AccountId.wrap(id));
            positionsAfter += ids.length;
        }
        uint256 settled = positionsBefore - positionsAfter;
        // INV-3: payoffs are zero-sum, up to < 1 wei per position rounded against its holder
        if (cashAfter > cashBefore || cashBefore - cashAfter > int256(settled)) ++ghost_settleNotZeroSum;
        ghost_settleRounding += settled;
    }

    // ================================================================================================= auctions

    /// @dev One time in four on a random account (mostly refused: INV-5), else on the first account from `who` on
    /// that is below maintenance.
    function startAuction(uint256 who) external {
        AccountId account = accounts[who % accounts.length];
        if (who % 4 != 0) {
            for (uint256 k; k < accounts.length; ++k) {
                AccountId a = accounts[(who + k) % accounts.length];
                (int256 e, uint256 m, ) = ch.accountHealth(a);
                if (e < int256(m) && liq.auctionOf(a).startedAt == 0) {
                    account = a;
                    break;
                }
            }
        }
        (int256 equity, uint256 mm, ) = ch.accountHealth(account);
        try liq.startAuction(account) {
            ++calls_start;
            if (equity >= int256(mm)) ++ghost_startAboveMM; // INV-5
        } catch {
            ++calls_startReverted;
        }
    }

    /// @dev Waits 0..90 minutes, then one of the bidders takes a random fraction (f_max one time in eight, the whole
    /// account one time in eight, else uniform in [1, f_max]) of a live auction. Checks INV-5 (E/MM not lowered), the
    /// bidder's IM and that the fund pays only an insolvent account.
    function bid(uint256 who, uint256 bidderSeed, uint256 fractionSeed, uint256 wait) external {
        (bool found, AccountId account) = _liveAuction(who);
        if (!found) return;
        wait = bound(wait, 0, 90 minutes);
        if (wait >= 1 minutes) _warp(wait);
        uint256 b = WRITERS + (bidderSeed % 2);
        Quote memory q;
        try liq.quote(account) returns (Quote memory q_) {
            q = q_;
        } catch {
            ++calls_bidReverted;
            return;
        }
        if (q.maxFraction == 0) return; // restored: no bid, endAuction's turn
        uint256 mode = fractionSeed % 8;
        uint256 fraction =
            mode == 0
                ? q.maxFraction
                : mode == 1
                    ? WAD
                    : bound(fractionSeed >> 3, 1, q.maxFraction);

        (int256 e0, uint256 mm0, ) = ch.accountHealth(account);
        int256 fund0 = ch.cashOf(fundAcc);
        vm.prank(owners[b]);
        try liq.bid(account, accounts[b], fraction, type(int256).max) {
            ++calls_bid;
            if (e0 < 0) ++calls_bidInsolvent;
            if (fraction == WAD) ++calls_bidWhole;
            (int256 e1, uint256 mm1, ) = ch.accountHealth(account);
            // INV-5: E1 / MM1 >= E0 / MM0  <=>  E1·MM0 >= E0·MM1 (MM > 0); wei-level errors δE, δMM of the new
            // evaluation move the two sides apart by at most |δE|·MM0 + |E0|·|δMM|
            int256 slack = RATIO_SLACK * (int256(mm0) + _abs(e0));
            if (e1 * int256(mm0) + slack < e0 * int256(mm1)) {
                ++ghost_ratioDecreased;
                (last_e0, last_mm0, last_e1, last_mm1, last_fraction) = (e0, mm0, e1, mm1, fraction);
            }
            (int256 be, uint256 bim, ) = ch.accountMargin(accounts[b]);
            if (be < int256(bim)) ++ghost_bidderBelowIM;
            int256 fund1 = ch.cashOf(fundAcc);
            if (fund1 < fund0) {
                ghost_fundPaid += fund0 - fund1;
                if (e0 >= 0) ++ghost_fundPaidSolvent; // INV-11: the fund pays only an insolvent account
            }
        } catch {
            ++calls_bidReverted;
        }
    }

    function endAuction(uint256 who) external {
        (bool found, AccountId account) = _liveAuction(who);
        if (!found) return;
        try liq.endAuction(account) {
            ++calls_end;
        } catch {
            ++calls_endReverted;
        }
    }

    function markInsolvency(uint256 who) external {
        (bool found, AccountId account) = _liveAuction(who);
        if (!found) return;
        liq.markInsolvency(account); // never reverts on a live auction
        ++calls_markInsolvency;
    }

    /// @dev Half of the calls first mark insolvency and wait until the insolvent window has run out.
    function realiseLoss(uint256 who) external {
        (bool found, AccountId account) = _liveAuction(who);
        if (!found) return;
        if ((who >> 8) % 2 == 0) {
            liq.markInsolvency(account); // starts the clock of an account that went insolvent during its auction
            uint256 since = liq.auctionOf(account).insolventSince;
            uint256 at = since + liq.auctionParams().insolventDuration;
            if (since != 0 && block.timestamp < at) _warp(at - block.timestamp);
        }
        try liq.realiseLoss(account) {
            ++calls_realise;
        } catch {
            ++calls_realiseReverted;
        }
    }

    // ================================================================================================== helpers

    /// @dev The first account from `who` on (cyclically) with a live auction.
    function _liveAuction(uint256 who) internal view returns (bool, AccountId) {
        uint256 n = accounts.length;
        for (uint256 k; k < n; ++k) {
            AccountId a = accounts[(who + k) % n];
            if (liq.auctionOf(a).startedAt != 0) return (true, a);
        }
        return (false, AccountId.wrap(0));
    }

    /// @dev Moves time by `secs`, recording on the way the settlement price of every expiry crossed (the first round
    /// at or after it, at the last price), then refreshes the feed and the vol so neither goes stale.
    function _warp(uint256 secs) internal {
        uint256 target = block.timestamp + secs;
        for (uint256 i; i < expiries.length; ++i) {
            uint40 expiry = expiries[i];
            if (recorded[expiry] || expiry > target) continue;
            if (block.timestamp < expiry) vm.warp(expiry);
            (, int256 answer, , , ) = ethFeed.latestRoundData();
            ethFeed.pushRound(answer, block.timestamp);
            uint80 roundId = ethFeed.latestRoundId();
            ethFeed.pushRound(answer, block.timestamp);
            try settlement.recordSettlementPrice(ETH, expiry, roundId) {
                ++calls_recorded;
            } catch {}
            recorded[expiry] = true;
        }
        vm.warp(target);
        (, int256 last, , , ) = ethFeed.latestRoundData();
        _push(last);
        vm.prank(volUpdater);
        volOracle.setVol(ETH, volWad);
    }

    /// @dev Two rounds at the current time so that the deviation window (one confirmation) accepts the move.
    function _push(int256 answer) internal {
        ethFeed.pushRound(answer, block.timestamp);
        ethFeed.pushRound(answer, block.timestamp);
    }

    function _deposit(AccountId account, uint256 amountNative) internal {
        address owner = ch.ownerOf(account);
        usdc.mint(owner, amountNative);
        vm.startPrank(owner);
        usdc.approve(address(ch), amountNative);
        ch.deposit(account, address(usdc), amountNative);
        vm.stopPrank();
    }

    /// @dev Initial margin (equity − IM) and IM, as `accountMargin` reports them (all markets stay Active here, so
    /// the strict and the plain evaluation agree).
    function _initial(AccountId account) internal view returns (int256 margin, uint256 im) {
        int256 equity;
        (equity, im, ) = ch.accountMargin(account);
        margin = equity - int256(im);
    }

    /// @dev INV-4: after a trade an account is at or above IM, or the trade reduced its risk on the whole account
    /// (IM need not up, initial margin not down, at the same prices).
    function _checkAfterTrade(AccountId account, int256 marginBefore, uint256 imBefore) internal {
        (int256 margin, uint256 im) = _initial(account);
        if (margin < 0 && !(im <= imBefore && margin >= marginBefore)) ++ghost_imViolations;
    }

    function _abs(int256 x) internal pure returns (int256) {
        return x < 0 ? -x : x;
    }

    /// @dev The expiry of `series[i]` (the invariants skip the open-interest check once it is recorded).
    function expiryOf(uint256 i) external view returns (uint40) {
        return SeriesIdLib.expiry(series[i]);
    }
}
