// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";

import {AccountId} from "../types/Types.sol";
import {IClearingHouse} from "../interfaces/IClearingHouse.sol";
import {IChainlinkOracle} from "../interfaces/IChainlinkOracle.sol";
import {SequencerStatus} from "../interfaces/ISequencerGuard.sol";
import {ILiquidationModule, AuctionParams, Auction, Quote} from "../interfaces/ILiquidationModule.sol";

/// @title LiquidationModule
/// @notice Dutch auctions of accounts below maintenance margin (docs/liquidation.md).
/// @dev Prices are recomputed from the account's live equity E and maintenance requirement MM at every call, so a
/// bid always trades at the current mark:
/// - solvent (E >= 0): per unit of portfolio the bidder pays `P = max(0, E − d(t)·MM)`, d rising linearly from 0 to
///   `fastDiscount` over `fastDuration`, then to 1 over `slowDuration` (and staying there);
/// - insolvent (E < 0): the fund pays the bidder `Q = k(t)·(MM − E)` per unit, k rising linearly from 0 to
///   `insolventCap` over `insolventDuration` from the moment insolvency was first seen.
/// A bid takes a fraction f of every balance (positions, collateral, cash), so the account's E and MM both scale by
/// (1 − f) and the payment adds f·P: its margin ratio never falls. f is capped where the account reaches
/// `(1 + buffer)·MM`. Rounding favours the auctioned account and the fund.
contract LiquidationModule is ILiquidationModule, AccessControl, ReentrancyGuardTransient {
    using FixedPointMathLib for uint256;

    /// @notice Tunes the auction parameters within the bounds below (the timelock after deployment).
    bytes32 public constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");

    uint256 private constant WAD = 1e18;

    // A fast leg shorter than a minute is one a keeper on a slow chain cannot act on; over an hour it is not fast.
    uint256 public constant MIN_FAST_DURATION = 1 minutes;
    uint256 public constant MAX_FAST_DURATION = 1 hours;
    // The whole curve takes at least 10 minutes and at most two days (a price must eventually clear).
    uint256 public constant MIN_SLOW_DURATION = 10 minutes;
    uint256 public constant MAX_SLOW_DURATION = 2 days;
    uint256 public constant MIN_INSOLVENT_DURATION = 10 minutes;
    uint256 public constant MAX_INSOLVENT_DURATION = 2 days;
    // The fast leg gives away at least 1% and at most half of MM per unit of portfolio.
    uint256 public constant MIN_FAST_DISCOUNT = 0.01e18;
    uint256 public constant MAX_FAST_DISCOUNT = 0.5e18;
    // The auction stops at a buffer of 1%..50% of MM above it: not at MM itself (the next tick would restart it).
    uint256 public constant MIN_BUFFER = 0.01e18;
    uint256 public constant MAX_BUFFER = 0.5e18;
    // The fund pays at most MM + |E| per unit: covering the hole plus one maintenance requirement as the bid's reward.
    uint256 public constant MAX_INSOLVENT_CAP = 1e18;
    // At most half of a bidder's discount goes to the fund, or keepers stop bidding.
    uint256 public constant MAX_FUND_FEE_SHARE = 0.5e18;
    // While the sequencer is down, only accounts below 90% of MM (at most) may be started.
    uint256 public constant MAX_DEEP_RATIO = 0.9e18;
    // A residue worth keeping a bid for is at most a million cash units.
    uint256 public constant MAX_DUST_SIZE = 1e24;

    /// @notice The clearing house whose accounts are auctioned (its transfer hook answers only to this module).
    IClearingHouse public immutable clearingHouse;
    /// @notice The oracle whose sequencer guard decides whether auctions may start.
    IChainlinkOracle public immutable chainlinkOracle;
    /// @dev The clearing house's insurance account (a constant of the clearing house, read once).
    AccountId internal immutable _fund;

    AuctionParams internal _params;
    mapping(AccountId account => Auction) internal _auctions;

    /// @param admin Receives DEFAULT_ADMIN_ROLE and RISK_ADMIN_ROLE (the timelock after deployment).
    constructor(IClearingHouse clearingHouse_, address admin, AuctionParams memory params) {
        if (address(clearingHouse_) == address(0) || admin == address(0)) revert Liquidation_ZeroAddress();
        clearingHouse = clearingHouse_;
        chainlinkOracle = clearingHouse_.chainlinkOracle();
        _fund = clearingHouse_.insuranceAccount();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(RISK_ADMIN_ROLE, admin);
        _setParams(params);
    }

    // =================================================================================================================
    // Auctions
    // =================================================================================================================

    /// @inheritdoc ILiquidationModule
    function startAuction(AccountId account) external nonReentrant {
        if (AccountId.unwrap(account) == AccountId.unwrap(_fund)) {
            revert Liquidation_SystemAccount(account);
        }
        if (_auctions[account].startedAt != 0) revert Liquidation_AuctionLive(account);
        (int256 equity, uint256 mm, uint256 halted) = clearingHouse.accountHealth(account);
        if (halted != 0) revert Liquidation_MarketHalted(account, halted);
        // INV-5: only below maintenance (equity − MM < 0); an empty or healthy account never qualifies
        if (equity >= int256(mm)) revert Liquidation_NotLiquidatable(account, equity, mm);
        if (chainlinkOracle.sequencerGuard().status() != SequencerStatus.Up) {
            // while prices may be stale, only accounts deep below maintenance are started
            if (equity >= int256(mm.mulWad(_params.deepRatio))) revert Liquidation_SequencerDown(account, equity, mm);
        }
        bool insolvent = equity < 0;
        _auctions[account] = Auction({
            startedAt: uint64(block.timestamp),
            insolventSince: insolvent ? uint64(block.timestamp) : 0,
            startEquity: equity,
            startMM: mm
        });
        clearingHouse.setInAuction(account, true);
        emit AuctionStarted(account, equity, mm, insolvent, msg.sender);
    }

    /// @inheritdoc ILiquidationModule
    function bid(
        AccountId account,
        AccountId bidderAccount,
        uint256 fraction,
        int256 maxCost
    ) external nonReentrant returns (int256 cost) {
        Auction storage a = _live(account);
        if (!clearingHouse.isAuthorized(bidderAccount, msg.sender)) {
            revert Liquidation_Unauthorized(bidderAccount, msg.sender);
        }
        if (AccountId.unwrap(bidderAccount) == AccountId.unwrap(_fund)) {
            revert Liquidation_SystemAccount(bidderAccount);
        }
        if (fraction == 0) revert Liquidation_ZeroFraction();
        (int256 equity, uint256 mm, uint256 halted) = clearingHouse.accountHealth(account);
        if (halted != 0) revert Liquidation_MarketHalted(account, halted);
        // The fund's clock runs over one insolvent stretch: a bid that sees the account solvent resets it (found by the
        // invariant suite: a recovered auction that turned insolvent again had its fund offer at the cap at once).
        if (equity < 0 && a.insolventSince == 0) {
            a.insolventSince = uint64(block.timestamp);
            emit InsolvencyMarked(account, uint64(block.timestamp));
        } else if (equity >= 0 && a.insolventSince != 0) {
            a.insolventSince = 0;
            emit InsolvencyMarked(account, 0);
        }
        if (equity >= 0 && _restored(equity, mm)) revert Liquidation_AccountHealthy(account, equity, mm);
        (int256 price, uint256 maxFraction) = _terms(a.startedAt, a.insolventSince, equity, mm);
        if (fraction > maxFraction) revert Liquidation_FractionTooLarge(fraction, maxFraction);
        _checkDust(fraction, equity, mm);
        (uint256 toAccount, uint256 toFund, uint256 fromFund) = _split(equity, price, fraction);
        cost = int256(toAccount + toFund) - int256(fromFund);
        if (cost > maxCost) revert Liquidation_CostAboveLimit(cost, maxCost);

        emit Bid(account, bidderAccount, fraction, cost, toAccount, toFund, fromFund);
        if (fraction == WAD) _close(account, 1, equity, mm); // effects before the hook call
        clearingHouse.liquidationTransfer(
            account,
            bidderAccount,
            fraction,
            int256(toAccount),
            int256(fromFund) - int256(toFund)
        );
        if (fraction == WAD) clearingHouse.setInAuction(account, false); // the hook needed the flag
    }

    /// @inheritdoc ILiquidationModule
    function endAuction(AccountId account) external nonReentrant {
        _live(account);
        (int256 equity, uint256 mm, ) = clearingHouse.accountHealth(account);
        if (!_endable(equity, mm)) revert Liquidation_NotRestored(account, equity, mm);
        _close(account, 0, equity, mm);
        clearingHouse.setInAuction(account, false);
    }

    /// @inheritdoc ILiquidationModule
    function markInsolvency(AccountId account) external nonReentrant {
        Auction storage a = _live(account);
        (int256 equity, , ) = clearingHouse.accountHealth(account);
        uint64 since = equity < 0 ? (a.insolventSince == 0 ? uint64(block.timestamp) : a.insolventSince) : 0;
        if (since != a.insolventSince) {
            a.insolventSince = since;
            emit InsolvencyMarked(account, since);
        }
    }

    /// @inheritdoc ILiquidationModule
    function realiseLoss(AccountId account) external nonReentrant {
        Auction storage a = _live(account);
        (int256 equity, uint256 mm, uint256 halted) = clearingHouse.accountHealth(account);
        if (halted != 0) revert Liquidation_MarketHalted(account, halted);
        if (equity >= 0) revert Liquidation_NotInsolvent(account, equity);
        uint256 realisableAt = a.insolventSince == 0 ? 0 : a.insolventSince + _params.insolventDuration;
        if (realisableAt == 0 || block.timestamp < realisableAt) {
            revert Liquidation_InsolventWindowOpen(account, realisableAt);
        }
        _close(account, 2, equity, mm);
        emit LossRealised(account, equity, mm);
        clearingHouse.liquidationTransfer(account, _fund, WAD, 0, 0);
        clearingHouse.setInAuction(account, false);
    }

    // =================================================================================================================
    // Parameters and views
    // =================================================================================================================

    /// @inheritdoc ILiquidationModule
    function setAuctionParams(AuctionParams calldata params) external onlyRole(RISK_ADMIN_ROLE) {
        _setParams(params);
    }

    /// @inheritdoc ILiquidationModule
    function auctionParams() external view returns (AuctionParams memory) {
        return _params;
    }

    /// @inheritdoc ILiquidationModule
    function auctionOf(AccountId account) external view returns (Auction memory) {
        return _auctions[account];
    }

    /// @inheritdoc ILiquidationModule
    function quote(AccountId account) public view returns (Quote memory q) {
        Auction memory a = _auctions[account];
        if (a.startedAt == 0) revert Liquidation_NoAuction(account);
        (q.equity, q.mm, q.halted) = clearingHouse.accountHealth(account);
        q.insolvent = q.equity < 0;
        // a bid would start the insolvent clock now
        if (q.insolvent && a.insolventSince == 0) a.insolventSince = uint64(block.timestamp);
        if (!q.insolvent && _restored(q.equity, q.mm)) return q; // healthy: no bid, end it
        (q.pricePerUnit, q.maxFraction) = _terms(a.startedAt, a.insolventSince, q.equity, q.mm);
    }

    /// @inheritdoc ILiquidationModule
    function costOf(
        AccountId account,
        uint256 fraction
    ) external view returns (int256 cost, uint256 toAccount, uint256 toFund, uint256 fromFund) {
        Quote memory q = quote(account);
        (toAccount, toFund, fromFund) = _split(q.equity, q.pricePerUnit, fraction);
        cost = int256(toAccount + toFund) - int256(fromFund);
    }

    // =================================================================================================================
    // Internal
    // =================================================================================================================

    function _live(AccountId account) internal view returns (Auction storage a) {
        a = _auctions[account];
        if (a.startedAt == 0) revert Liquidation_NoAuction(account);
    }

    /// @dev Ends the auction's state; the caller unflags the account in the clearing house after its last hook call.
    function _close(AccountId account, uint8 reason, int256 equity, uint256 mm) internal {
        delete _auctions[account];
        emit AuctionEnded(account, reason, equity, mm);
    }

    /// @dev At or above `(1 + buffer)·MM` (rounded up), with non-negative equity: the target of the largest bid, and
    /// where no bid is possible any more.
    function _restored(int256 equity, uint256 mm) internal view returns (bool) {
        return equity >= 0 && uint256(equity) >= mm + mm.mulWadUp(_params.buffer);
    }

    /// @dev At or above `(1 + buffer / 2)·MM` (rounded up): the auction may be ended. Half the buffer below the largest
    /// bid's target, so a bid sized from a quote a few blocks old (the price decayed meanwhile) still ends it.
    function _endable(int256 equity, uint256 mm) internal view returns (bool) {
        return equity >= 0 && uint256(equity) >= mm + mm.mulWadUp(_params.buffer / 2);
    }

    function _terms(
        uint256 startedAt,
        uint256 insolventSince,
        int256 equity,
        uint256 mm
    ) internal view returns (int256 price, uint256 maxFraction) {
        AuctionParams memory p = _params;
        if (equity < 0) {
            uint256 elapsed = block.timestamp - insolventSince;
            if (elapsed > p.insolventDuration) elapsed = p.insolventDuration;
            // k = cap · elapsed / duration (down); the fund pays k·(MM + |E|) (down)
            uint256 k = uint256(p.insolventCap).mulDiv(elapsed, p.insolventDuration);
            price = -int256((mm + uint256(-equity)).mulWad(k));
            return (price, WAD);
        }
        uint256 d = _discount(p, block.timestamp - startedAt);
        uint256 e = uint256(equity);
        uint256 off = mm.mulWad(d); // down: the account's price stays higher
        uint256 unitPrice = e > off ? e - off : 0;
        price = int256(unitPrice);
        // f·(P − E + T) >= T − E with T = (1 + buffer)·MM: the smallest f that restores the buffer (rounded up)
        // aim a hair above the buffer (1e-9 of MM) so that wei-level rounding in the evaluation cannot leave a
        // maximal bid just short of it
        uint256 target = mm + mm.mulWadUp(p.buffer) + mm / 1e9 + 1;
        uint256 need = target - e; // > 0: not restored
        maxFraction = unitPrice == 0 ? WAD : need.mulDivUp(WAD, need + unitPrice);
        // a residue below the dust size is not left behind: the whole account may be taken
        if (maxFraction < WAD && (mm + e).mulWad(WAD - maxFraction) < p.dustSize) maxFraction = WAD;
    }

    /// @dev d(t): 0 → fastDiscount over the fast leg, then → 1 over the slow leg, 1 afterwards (rounded down).
    function _discount(AuctionParams memory p, uint256 elapsed) internal pure returns (uint256) {
        if (elapsed < p.fastDuration) return uint256(p.fastDiscount).mulDiv(elapsed, p.fastDuration);
        elapsed -= p.fastDuration;
        if (elapsed >= p.slowDuration) return WAD;
        return p.fastDiscount + (WAD - p.fastDiscount).mulDiv(elapsed, p.slowDuration);
    }

    /// @dev A bid below the whole account must leave a residue of size `MM + |E|` at least `dustSize`.
    function _checkDust(uint256 fraction, int256 equity, uint256 mm) internal view {
        if (fraction == WAD) return;
        uint256 size = mm + (equity < 0 ? uint256(-equity) : uint256(equity));
        uint256 residue = size.mulWad(WAD - fraction);
        if (residue < _params.dustSize) revert Liquidation_DustResidue(fraction, residue, _params.dustSize);
    }

    /// @dev Cash flows of taking `fraction` at `price` per unit: to the account (up), to the fund (`fundFeeShare` of
    /// the discount f·E − paid, up), from the fund (down).
    function _split(
        int256 equity,
        int256 price,
        uint256 fraction
    ) internal view returns (uint256 toAccount, uint256 toFund, uint256 fromFund) {
        if (price < 0) return (0, 0, uint256(-price).mulWad(fraction));
        toAccount = uint256(price).mulWadUp(fraction);
        uint256 markValue = equity > 0 ? uint256(equity).mulWad(fraction) : 0;
        if (markValue > toAccount) toFund = (markValue - toAccount).mulWadUp(_params.fundFeeShare);
    }

    function _setParams(AuctionParams memory p) internal {
        if (
            p.fastDuration < MIN_FAST_DURATION ||
            p.fastDuration > MAX_FAST_DURATION ||
            p.slowDuration < MIN_SLOW_DURATION ||
            p.slowDuration > MAX_SLOW_DURATION ||
            p.insolventDuration < MIN_INSOLVENT_DURATION ||
            p.insolventDuration > MAX_INSOLVENT_DURATION ||
            p.fastDiscount < MIN_FAST_DISCOUNT ||
            p.fastDiscount > MAX_FAST_DISCOUNT ||
            p.buffer < MIN_BUFFER ||
            p.buffer > MAX_BUFFER ||
            p.insolventCap == 0 ||
            p.insolventCap > MAX_INSOLVENT_CAP ||
            p.fundFeeShare > MAX_FUND_FEE_SHARE ||
            p.deepRatio > MAX_DEEP_RATIO ||
            p.dustSize > MAX_DUST_SIZE
        ) revert Liquidation_InvalidParams();
        _params = p;
        emit AuctionParamsSet(p);
    }
}
