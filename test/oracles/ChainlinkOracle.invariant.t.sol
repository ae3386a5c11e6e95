// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {MarketMode} from "../../contracts/types/Types.sol";
import {FeedParams} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {ChainlinkOracle} from "../../contracts/oracles/ChainlinkOracle.sol";
import {SequencerGuard} from "../../contracts/oracles/SequencerGuard.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";

/// @notice Random price pushes (good and bad), staleness, feed reverts, phase changes, overrides and sequencer
/// outages across two underlyings. `mirror` lists only underlying B with identical feeds and overrides, so any
/// difference between `oracle.marketState(B)` and `mirror.marketState(B)` is a leak from A (INV-10).
contract OracleHandler is Test {
    uint16 public constant A = 1;
    uint16 public constant B = 2;

    ChainlinkOracle public oracle;
    ChainlinkOracle public mirror;
    MockAggregator public feedA;
    MockAggregator public fallbackA;
    MockAggregator public feedB;
    MockAggregator public seqFeed;

    constructor(
        ChainlinkOracle oracle_,
        ChainlinkOracle mirror_,
        MockAggregator feedA_,
        MockAggregator fallbackA_,
        MockAggregator feedB_,
        MockAggregator seqFeed_
    ) {
        (oracle, mirror, feedA, fallbackA, feedB, seqFeed) = (oracle_, mirror_, feedA_, fallbackA_, feedB_, seqFeed_);
    }

    function _feed(uint256 which) internal view returns (MockAggregator) {
        which %= 3;
        return which == 0 ? feedA : which == 1 ? fallbackA : feedB;
    }

    /// @dev Mostly moves of up to +-30% around the last answer; sometimes garbage (0, negative, far out of band).
    function pushRound(uint256 which, uint256 moveSeed, uint256 ageSec, uint256 kind) external {
        MockAggregator f = _feed(which);
        (, int256 last,,,) = f.latestRoundData();
        if (last <= 0 || last > 1e30) last = f.decimals() == 8 ? int256(2000e8) : int256(2000e18);
        int256 answer = last * int256(7000 + moveSeed % 6001) / 10_000;
        kind %= 10;
        if (kind == 0) answer = 0;
        else if (kind == 1) answer = -answer;
        else if (kind == 2) answer = answer * 1000;
        uint256 updatedAt = block.timestamp - bound(ageSec, 0, 3 hours);
        if (kind == 3) updatedAt = 0; // incomplete round
        f.pushRoundFull(answer, updatedAt, updatedAt, 0);
    }

    function warp(uint256 dt) external {
        vm.warp(block.timestamp + bound(dt, 1, 2 hours));
    }

    function setReverts(uint256 which, bool on) external {
        _feed(which).setLatestReverts(on);
    }

    function setRoundDataReverts(uint256 which, bool on) external {
        _feed(which).setGetRoundDataReverts(on);
    }

    function newPhase(uint256 which) external {
        _feed(which).startNewPhase();
    }

    /// @dev Overrides on B are applied to both oracles so the mirror stays comparable.
    function override_(bool onB, uint256 modeSeed) external {
        uint16 u = onB ? B : A;
        MarketMode mode = MarketMode(modeSeed % 3);
        _override(oracle, u, mode);
        if (onB) _override(mirror, u, mode);
    }

    function _override(ChainlinkOracle o, uint16 u, MarketMode mode) internal {
        if (mode == MarketMode.Active) o.clearModeOverride(u);
        else if (mode > o.modeOverride(u)) o.setModeOverride(u, mode);
    }

    function sequencer(bool down) external {
        seqFeed.setSequencerStatus(down, block.timestamp);
    }
}

contract ChainlinkOracleInvariantTest is Test {
    uint256 internal constant HEARTBEAT = 1 hours;
    uint256 internal constant FALLBACK_HEARTBEAT = 2 hours;
    uint256 internal constant MIN_PRICE = 100e18;
    uint256 internal constant MAX_PRICE = 100_000e18;

    OracleHandler internal handler;
    ChainlinkOracle internal oracle;
    ChainlinkOracle internal mirror;
    MockAggregator internal feedA;
    MockAggregator internal fallbackA;
    MockAggregator internal feedB;

    function setUp() public {
        vm.warp(1_700_000_000);
        MockAggregator seqFeed = new MockAggregator(0, "uptime");
        seqFeed.setSequencerStatus(false, block.timestamp - 1 days);
        SequencerGuard guard = new SequencerGuard(AggregatorV3Interface(address(seqFeed)), 5 minutes);
        oracle = new ChainlinkOracle(address(this), guard);
        mirror = new ChainlinkOracle(address(this), guard);
        feedA = new MockAggregator(8, "A");
        fallbackA = new MockAggregator(18, "A fallback");
        feedB = new MockAggregator(8, "B");
        for (uint256 i; i < 2; ++i) {
            feedA.pushRound(2000e8, block.timestamp);
            fallbackA.pushRound(2000e18, block.timestamp);
            feedB.pushRound(2000e8, block.timestamp);
        }
        handler = new OracleHandler(oracle, mirror, feedA, fallbackA, feedB, seqFeed);
        ChainlinkOracle[2] memory both = [oracle, mirror];
        for (uint256 i; i < 2; ++i) {
            ChainlinkOracle o = both[i];
            o.grantRole(o.RISK_ADMIN_ROLE(), address(this));
            o.grantRole(o.RISK_ADMIN_ROLE(), address(handler));
            o.grantRole(o.GUARDIAN_ROLE(), address(handler));
            o.listUnderlying(2, _params(feedB, MockAggregator(address(0))));
        }
        oracle.listUnderlying(1, _params(feedA, fallbackA));
        oracle.setDeviationParams(1, 0.2e18, 2);

        bytes4[] memory selectors = new bytes4[](8);
        selectors[0] = OracleHandler.pushRound.selector;
        selectors[1] = OracleHandler.warp.selector;
        selectors[2] = OracleHandler.setReverts.selector;
        selectors[3] = OracleHandler.setRoundDataReverts.selector;
        selectors[4] = OracleHandler.newPhase.selector;
        selectors[5] = OracleHandler.override_.selector;
        selectors[6] = OracleHandler.sequencer.selector;
        selectors[7] = OracleHandler.pushRound.selector; // pushes twice as likely
        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function _params(MockAggregator feed, MockAggregator fb) internal pure returns (FeedParams memory) {
        return FeedParams({
            feed: AggregatorV3Interface(address(feed)),
            heartbeat: uint32(HEARTBEAT),
            fallbackFeed: AggregatorV3Interface(address(fb)),
            fallbackHeartbeat: address(fb) == address(0) ? 0 : uint32(FALLBACK_HEARTBEAT),
            minPriceWad: MIN_PRICE,
            maxPriceWad: MAX_PRICE,
            maxDeviationWad: 0.1e18,
            confirmations: 1
        });
    }

    // INV-10: whatever happens to A, B's mode and price equal those of an oracle that never heard of A.
    function invariant_INV10_faultInAMarketNeverChangesTheOther() public view {
        (MarketMode m1, uint256 p1) = oracle.marketState(2);
        (MarketMode m2, uint256 p2) = mirror.marketState(2);
        assertEq(uint256(m1), uint256(m2), "mode leaked across markets");
        assertEq(p1, p2, "price leaked across markets");
    }

    function invariant_marketStateNeverReverts() public view {
        for (uint16 u = 1; u <= 2; ++u) {
            try oracle.marketState(u) returns (MarketMode m, uint256 p) {
                if (m == MarketMode.Halted) assertEq(p, 0, "halted price must be 0");
                else assertGt(p, 0, "non-halted price must be set");
            } catch {
                assertTrue(false, "marketState reverted");
            }
        }
    }

    function invariant_activeImpliesSpotEqualsPrice() public view {
        for (uint16 u = 1; u <= 2; ++u) {
            (MarketMode m, uint256 p) = oracle.marketState(u);
            if (m != MarketMode.Active) continue;
            try oracle.spot(u) returns (uint256 s) {
                assertEq(s, p, "spot != marketState price");
            } catch {
                assertTrue(false, "spot reverted while Active");
            }
        }
    }

    // INV-9: an Active (or ReduceOnly) price is in band and is the fresh, complete answer of the primary or the fallback.
    function invariant_INV9_usablePriceIsFreshAndInBand() public view {
        for (uint16 u = 1; u <= 2; ++u) {
            (MarketMode m, uint256 p) = oracle.marketState(u);
            if (m == MarketMode.Halted) continue;
            assertGe(p, MIN_PRICE, "below band");
            assertLe(p, MAX_PRICE, "above band");
            MockAggregator primary = u == 1 ? feedA : feedB;
            bool fromPrimary = _freshAnswerEquals(primary, HEARTBEAT, p);
            bool fromFallback = u == 1 && _freshAnswerEquals(fallbackA, FALLBACK_HEARTBEAT, p);
            assertTrue(fromPrimary || fromFallback, "price is not a fresh feed answer");
        }
    }

    function _freshAnswerEquals(MockAggregator f, uint256 heartbeat, uint256 priceWad) internal view returns (bool) {
        if (f.latestReverts()) return false;
        (uint80 id, int256 answer,, uint256 updatedAt, uint80 answeredIn) = f.latestRoundData();
        if (answer <= 0 || updatedAt == 0 || answeredIn < id || updatedAt > block.timestamp) return false;
        if (block.timestamp - updatedAt > heartbeat) return false;
        return uint256(answer) * 10 ** (18 - f.decimals()) == priceWad;
    }
}
