// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {AccountId, SeriesId} from "../../contracts/types/Types.sol";
import {Order, SignedOrder, FillRequest} from "../../contracts/interfaces/IOptionExchange.sol";
import {OptionExchange} from "../../contracts/trading/OptionExchange.sol";
import {ISettlementOracle} from "../../contracts/interfaces/ISettlementOracle.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {SeriesIdLib} from "../../contracts/libraries/SeriesIdLib.sol";
import {TradingBase, IClearingHouseAdmin} from "./utils/TradingBase.sol";

/// @notice Drives the exchange with random fills, matches, cancellations, price moves and, once, the expiry of the
/// near series followed by proven settlement, on the real system.
contract ExchangeHandler is Test {
    uint16 internal constant ETH = 1;

    OptionExchange internal exchange;
    IClearingHouseAdmin internal core;
    MockAggregator internal feed;
    ISettlementOracle internal settlementOracle;
    uint40 public immutable nearExpiry;

    uint256[] internal keys;
    AccountId[] public accounts;
    SeriesId[] public seriesList;

    uint256 public salt;
    uint256 public fills;
    uint256 public matches;
    uint256 public cancels;
    /// INV-4 breaches seen right after a successful trade (must stay 0).
    uint256 public riskIncreasedBelowIm;
    uint256 public reducedBelowMm;

    /// INV-3 ghosts: settleAccounts calls that went through, positions they closed, and the sum over all accounts of
    /// the cash each call moved (settlement flows only: the handler reads cash right before and after the call).
    uint256 public settles;
    uint256 public settledPositions;
    int256 public settlementFlowSum;
    /// Settlement calls skipped because too little had traded yet (the expiry waits for some open interest).
    uint256 public settleSkips;

    constructor(
        OptionExchange exchange_,
        IClearingHouseAdmin core_,
        MockAggregator feed_,
        ISettlementOracle settlementOracle_,
        uint40 nearExpiry_,
        uint256[] memory keys_,
        AccountId[] memory accounts_,
        SeriesId[] memory series_
    ) {
        exchange = exchange_;
        core = core_;
        feed = feed_;
        settlementOracle = settlementOracle_;
        nearExpiry = nearExpiry_;
        keys = keys_;
        accounts = accounts_;
        seriesList = series_;
    }

    bytes32[] internal _hashes;
    uint256[] internal _sizes;
    Order[] internal _signedOrders;
    uint256[] internal _signerOf;

    function orderCount() external view returns (uint256) {
        return _hashes.length;
    }

    function orderAt(uint256 i) external view returns (bytes32, uint256) {
        return (_hashes[i], _sizes[i]);
    }

    function _order(
        uint256 who,
        SeriesId series,
        bool isBuy,
        uint256 size,
        uint256 price,
        bool reduceOnly
    ) internal returns (Order memory o) {
        o = Order({
            account: accounts[who],
            series: series,
            isBuy: isBuy,
            size: size,
            limitPrice: price,
            deadline: block.timestamp + 1 hours,
            nonce: exchange.minNonce(accounts[who]),
            salt: ++salt,
            reduceOnly: reduceOnly,
            minFillSize: 0,
            maxFeeRate: exchange.MAX_FEE_RATE(),
            operatorEpoch: 0
        });
        _hashes.push(exchange.hashOrder(o));
        _sizes.push(size);
        _signedOrders.push(o);
        _signerOf.push(who);
    }

    function _sign(uint256 who, Order memory o) internal view returns (SignedOrder memory so) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[who], exchange.hashOrder(o));
        so = SignedOrder(o, vm.addr(keys[who]), abi.encodePacked(r, s, v));
    }

    function _positions(AccountId a, AccountId b, SeriesId s) internal view returns (int256, int256) {
        return (core.positionOf(a, s), core.positionOf(b, s));
    }

    /// @dev INV-4 right after the trade: an account whose |position| grew needs IM >= 0, else MM >= 0.
    function _checkAfter(AccountId account, int256 before, SeriesId series) internal {
        int256 afterPos = core.positionOf(account, series);
        (int256 equity, uint256 im, uint256 mm) = core.accountMargin(account);
        if (_abs(afterPos) > _abs(before)) {
            if (equity < int256(im)) ++riskIncreasedBelowIm;
        } else if (equity < int256(mm)) {
            ++reducedBelowMm;
        }
    }

    function fill(
        uint256 makerSeed,
        uint256 takerSeed,
        uint256 seriesSeed,
        bool makerBuys,
        uint256 size,
        uint256 price,
        bool reduceOnly
    ) external {
        uint256 m = makerSeed % accounts.length;
        uint256 t = takerSeed % accounts.length;
        if (m == t) t = (t + 1) % accounts.length;
        SeriesId series = seriesList[seriesSeed % seriesList.length];
        size = bound(size, 0.01e18, 20e18);
        price = bound(price, 0, 600e18);
        Order memory o = _order(m, series, makerBuys, size, price, reduceOnly);
        FillRequest[] memory rs = new FillRequest[](1);
        // fill part of it (pseudo-random share), leaving the rest for `refill`
        rs[0] = FillRequest(_sign(m, o), bound(uint256(keccak256(abi.encode(size, price))), size / 10 + 1, size));
        (int256 mBefore, int256 tBefore) = _positions(accounts[m], accounts[t], series);
        vm.prank(vm.addr(keys[t]));
        try exchange.fill(accounts[t], rs) {
            ++fills;
            _checkAfter(accounts[m], mBefore, series);
            _checkAfter(accounts[t], tBefore, series);
        } catch {}
    }

    /// @dev Fills an earlier order again (partial fills, overfill attempts, cancelled or stale-nonce orders).
    function refill(uint256 orderSeed, uint256 takerSeed, uint256 fillSize) external {
        if (_signedOrders.length == 0) return;
        uint256 i = orderSeed % _signedOrders.length;
        Order memory o = _signedOrders[i];
        uint256 m = _signerOf[i];
        uint256 t = takerSeed % accounts.length;
        if (m == t) t = (t + 1) % accounts.length;
        FillRequest[] memory rs = new FillRequest[](1);
        rs[0] = FillRequest(_sign(m, o), bound(fillSize, 1, o.size));
        (int256 mBefore, int256 tBefore) = _positions(accounts[m], accounts[t], o.series);
        vm.prank(vm.addr(keys[t]));
        try exchange.fill(accounts[t], rs) {
            ++fills;
            _checkAfter(accounts[m], mBefore, o.series);
            _checkAfter(accounts[t], tBefore, o.series);
        } catch {}
    }

    function matchOrders(
        uint256 buyerSeed,
        uint256 sellerSeed,
        uint256 seriesSeed,
        uint256 size,
        uint256 sellPrice,
        uint256 spread
    ) external {
        uint256 b = buyerSeed % accounts.length;
        uint256 s = sellerSeed % accounts.length;
        if (b == s) s = (s + 1) % accounts.length;
        SeriesId series = seriesList[seriesSeed % seriesList.length];
        size = bound(size, 0.01e18, 20e18);
        sellPrice = bound(sellPrice, 0, 600e18);
        Order memory buy = _order(b, series, true, size, sellPrice + bound(spread, 0, 50e18), false);
        Order memory sell = _order(s, series, false, size, sellPrice, false);
        (int256 bBefore, int256 sBefore) = _positions(accounts[b], accounts[s], series);
        try exchange.matchOrders(_sign(b, buy), _sign(s, sell), size) {
            ++matches;
            _checkAfter(accounts[b], bBefore, series);
            _checkAfter(accounts[s], sBefore, series);
        } catch {}
    }

    function cancel(uint256 who, bool bulk) external {
        who = who % accounts.length;
        vm.prank(vm.addr(keys[who]));
        if (bulk) {
            exchange.incrementMinNonce(accounts[who]);
        } else {
            exchange.cancelOrder(_order(who, seriesList[0], true, 1e18, 1e18, false));
        }
        ++cancels;
    }

    /// @dev Moves spot within +-15% of its current value, bounded to [1000, 4000].
    function movePrice(uint256 seed) external {
        uint256 spot = core.chainlinkOracle().spot(1);
        uint256 next = bound(seed, (spot * 85) / 100, (spot * 115) / 100);
        next = bound(next, 1000e18, 4000e18);
        // two rounds at the same time: the oracle's one-confirmation deviation check accepts the jump
        feed.pushRound(int256(next / 1e10), block.timestamp);
        feed.pushRound(int256(next / 1e10), block.timestamp);
    }

    /// @dev INV-3. The first call after a few trades lets the near series expire: a round just before expiry (the
    /// predecessor), a warp to within the feed heartbeat after it, the first round at or after expiry (within +-15%),
    /// the settlement price recorded from that round through the real SettlementOracle, then every account settled
    /// by `settleAccounts`. Later calls settle again (nothing left: zero flow). Ghosts: flows and closed positions.
    function settle(uint256 delaySeed, uint256 priceSeed) external {
        (, bool recorded) = settlementOracle.settlementPrice(ETH, nearExpiry);
        if (!recorded) {
            if (fills + matches < 3) {
                ++settleSkips;
                return;
            }
            uint256 spot = core.chainlinkOracle().spot(ETH);
            if (block.timestamp < nearExpiry) {
                vm.warp(nearExpiry - 60);
                feed.pushRound(int256(spot / 1e10), block.timestamp); // predecessor: before expiry
            }
            vm.warp(uint256(nearExpiry) + bound(delaySeed, 0, 1 hours));
            uint256 price = bound(priceSeed, (spot * 85) / 100, (spot * 115) / 100);
            feed.pushRound(int256(price / 1e10), block.timestamp); // first round at or after expiry
            settlementOracle.recordSettlementPrice(ETH, nearExpiry, feed.latestRoundId());
        }

        uint256 n = accounts.length;
        int256[] memory cashBefore = new int256[](n);
        uint256 positionsBefore;
        for (uint256 i; i < n; ++i) {
            cashBefore[i] = core.cashOf(accounts[i]);
            (SeriesId[] memory ids, ) = core.positionsOf(accounts[i]);
            positionsBefore += ids.length;
        }
        core.settleAccounts(accounts);
        ++settles;
        uint256 positionsAfter;
        for (uint256 i; i < n; ++i) {
            settlementFlowSum += core.cashOf(accounts[i]) - cashBefore[i];
            (SeriesId[] memory ids, ) = core.positionsOf(accounts[i]);
            positionsAfter += ids.length;
        }
        settledPositions += positionsBefore - positionsAfter;
    }

    function accountList() external view returns (AccountId[] memory) {
        return accounts;
    }

    function _abs(int256 x) internal pure returns (uint256) {
        return uint256(x >= 0 ? x : -x);
    }
}

/// @notice INV-1, INV-2, INV-3 and INV-4 under random trading, price moves, expiry and settlement on the real
/// clearing house.
contract ExchangeInvariantTest is TradingBase {
    ExchangeHandler internal handler;
    AccountId[] internal traders;
    SeriesId[] internal series;
    uint40 internal nearExpiry;
    SeriesId internal nearCall2000;
    SeriesId internal nearPut2100;

    function setUp() public override {
        super.setUp();
        uint256[] memory keys = new uint256[](3);
        keys[0] = makerKey;
        keys[1] = takerKey;
        keys[2] = strangerKey;
        traders.push(makerAccount);
        traders.push(takerAccount);
        traders.push(_openAccount(stranger, 300_000e18));
        series.push(call3000);
        series.push(put2500);
        series.push(_series(2000e18, true));
        series.push(_series(1800e18, false));
        // the near expiry (second daily expiry, ~32 h out): these series expire and settle during a run
        nearExpiry = _expiry(2);
        nearCall2000 = SeriesIdLib.encode(ETH, nearExpiry, 2000e18, true);
        nearPut2100 = SeriesIdLib.encode(ETH, nearExpiry, 2100e18, false);
        series.push(nearCall2000);
        series.push(nearPut2100);
        vm.prank(riskAdmin);
        exchange.setFees(0.0003e18, 0.0005e18, 0.125e18);
        handler = new ExchangeHandler(exchange, core, ethFeed, settlement, nearExpiry, keys, traders, series);

        bytes4[] memory selectors = new bytes4[](6);
        selectors[0] = ExchangeHandler.fill.selector;
        selectors[1] = ExchangeHandler.matchOrders.selector;
        selectors[2] = ExchangeHandler.cancel.selector;
        selectors[3] = ExchangeHandler.movePrice.selector;
        selectors[4] = ExchangeHandler.refill.selector;
        selectors[5] = ExchangeHandler.settle.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// The handler's actions are live: a plain fill, a match and a refill go through (so the invariants see trades).
    function test_handler_TradesGoThrough() public {
        handler.fill(0, 1, 0, false, 2e18, 100e18, false);
        handler.matchOrders(2, 0, 1, 1e18, 50e18, 5e18);
        (bytes32 firstHash, uint256 firstSize) = handler.orderAt(0);
        (uint256 firstFilled, ) = exchange.orderStatus(firstHash);
        handler.refill(0, 2, firstSize - firstFilled);
        (firstFilled, ) = exchange.orderStatus(firstHash);
        assertEq(firstFilled, firstSize, "refill completed the first order");
        handler.movePrice(type(uint256).max);
        assertEq(handler.fills(), 2, "fill + refill");
        assertEq(handler.matches(), 1);
        assertGt(core.openInterest(call3000), 0);
        assertEq(handler.riskIncreasedBelowIm(), 0);
    }

    /// INV-3: the settle action really runs: the near series expire, the price is proven from the feed's rounds and
    /// recorded, settleAccounts closes every near position (both sides), and the flows sum to zero up to 1 wei per
    /// closed position in the protocol's favour. INV-1/INV-2 still hold afterwards; the far series keep trading.
    function test_handler_SettleExecutesAfterExpiry_INV3() public {
        handler.settle(0, 0);
        assertEq(handler.settleSkips(), 1, "no settlement before anything traded");
        // maker (0) sells 3 near calls to the taker (1); stranger (2) sells 2.5 near puts to the maker (via a match)
        handler.fill(0, 1, 4, false, 3e18, 40e18, false);
        handler.matchOrders(0, 2, 5, 2.5e18, 60e18, 0);
        handler.fill(1, 2, 0, true, 1e18, 20e18, false);
        assertEq(handler.fills() + handler.matches(), 3, "setup trades went through");
        int256 takerCall = core.positionOf(takerAccount, nearCall2000);
        int256 makerPut = core.positionOf(makerAccount, nearPut2100);
        assertGt(takerCall, 0);
        assertEq(makerPut, 2.5e18);

        // settle at the top of the +-15% window around 2000: 2300 (call 2000 pays 300, put 2100 pays 0)
        handler.settle(7, type(uint256).max);
        (uint256 price, bool recorded) = settlement.settlementPrice(ETH, nearExpiry);
        assertTrue(recorded, "settlement price recorded");
        assertEq(price, 2300e18);
        assertGt(block.timestamp, nearExpiry);
        assertEq(handler.settles(), 1);
        assertEq(handler.settledPositions(), 4, "long and short of each near series");
        for (uint256 a; a < traders.length; ++a) {
            assertEq(core.positionOf(traders[a], nearCall2000), 0);
            assertEq(core.positionOf(traders[a], nearPut2100), 0);
        }
        assertEq(core.openInterest(nearCall2000), 0);
        assertEq(core.openInterest(nearPut2100), 0);
        assertLe(handler.settlementFlowSum(), 0, "INV-3: settlement created value");
        assertGe(
            handler.settlementFlowSum(),
            -int256(handler.settledPositions()),
            "INV-3: more than 1 wei per position"
        );
        invariant_INV1_cashBalanceMatchesCredits();
        invariant_INV2_longsEqualShorts();
        invariant_INV3_settlementZeroSum();

        // a second settle has nothing left to move; far-dated trading goes on after expiry
        handler.settle(0, 0);
        assertEq(handler.settles(), 2);
        assertEq(handler.settledPositions(), 4);
        handler.movePrice(0);
        handler.fill(2, 0, 0, false, 1e18, 150e18, false);
        assertEq(handler.fills(), 3, "far series still trade");
        assertEq(handler.riskIncreasedBelowIm(), 0);
    }

    /// INV-3: settlement is zero-sum across accounts: the flows of every settleAccounts call sum to <= 0 (nothing is
    /// created) and lose at most 1 wei per settled position (long credits round down, short debits round up).
    function invariant_INV3_settlementZeroSum() public view {
        int256 flows = handler.settlementFlowSum();
        assertLe(flows, 0, "INV-3: settlement created value");
        assertGe(flows, -int256(handler.settledPositions()), "INV-3: settlement lost more than rounding");
    }

    /// INV-1: the clearing house holds exactly the cash credited to all accounts (traders, fee collector, insurance),
    /// up to 1 wei per account and 1 wei per settled position (INV-3 rounding), always in the protocol's favour.
    function invariant_INV1_cashBalanceMatchesCredits() public view {
        int256 sum;
        uint256 n = core.accountCount();
        for (uint256 i = 1; i <= n; ++i) {
            sum += core.cashOf(AccountId.wrap(i));
        }
        uint256 balanceWad = usdc.balanceOf(address(core)) * 1e12;
        assertGe(int256(balanceWad), sum, "INV-1: credits exceed the token balance");
        assertLe(
            int256(balanceWad) - sum,
            int256(n + handler.settledPositions()),
            "INV-1: more dust than 1 wei per account and per settled position"
        );
    }

    /// INV-2: per series, sum of longs == sum of shorts == open interest.
    function invariant_INV2_longsEqualShorts() public view {
        for (uint256 s; s < series.length; ++s) {
            uint256 longs;
            uint256 shorts;
            for (uint256 a; a < traders.length; ++a) {
                int256 p = core.positionOf(traders[a], series[s]);
                if (p > 0) longs += uint256(p);
                else shorts += uint256(-p);
            }
            assertEq(longs, shorts, "INV-2: longs != shorts");
            assertEq(longs, core.openInterest(series[s]), "INV-2: open interest");
        }
    }

    /// INV-4: no successful trade left an account whose risk grew below IM (or a risk-reducing one below MM).
    function invariant_INV4_noTradeLeavesAccountBelowIm() public view {
        assertEq(handler.riskIncreasedBelowIm(), 0, "INV-4: risk-increasing trade below IM");
        assertEq(handler.reducedBelowMm(), 0, "risk-reducing trade below MM");
    }

    /// Every order the handler signed has filled <= size.
    function invariant_filledNeverExceedsSize() public view {
        uint256 n = handler.orderCount();
        for (uint256 i; i < n; ++i) {
            (bytes32 h, uint256 size) = handler.orderAt(i);
            (uint256 filledSize, ) = exchange.orderStatus(h);
            assertLe(filledSize, size, "filled > size");
        }
    }
}
