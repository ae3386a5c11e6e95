// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {MarketMode} from "../types/Types.sol";
import {IChainlinkOracle} from "../interfaces/IChainlinkOracle.sol";
import {ISettlementOracle} from "../interfaces/ISettlementOracle.sol";

/// @title SettlementOracle
/// @notice Final expiry prices: proven from Chainlink round history by anyone, with a two-stage fallback so that no
/// expiry stays without a price forever. See docs/oracles.md.
contract SettlementOracle is ISettlementOracle, AccessControl {
    using SafeCast for uint256;

    bytes32 public constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");

    // Keepers and counterparties need time to find and record the proven round before spot can be used instead.
    uint256 public constant MIN_FALLBACK_DELAY = 1 hours;
    // Longer than a week leaves expired positions unsettled for too long.
    uint256 public constant MAX_FALLBACK_DELAY = 7 days;
    // The manual price is the last resort: at most 30 days after expiry, always after the spot fallback.
    uint256 public constant MAX_MANUAL_DELAY = 30 days;
    // The manual price stays within 10% of the feed's last round at or before expiry (`settlementReference`): a
    // feed that published up to expiry moved by far less (deviation thresholds 0.5%..2% within a heartbeat), so the
    // admin can correct a missing or broken round but cannot pick a price. The reference comes from the feed that
    // was primary at expiry, which the admin can no longer change.
    uint256 public constant MAX_MANUAL_DEVIATION = 0.1e18;
    uint256 internal constant WAD = 1e18;

    /// @dev One slot: price < 2^128 (the oracle band is uint128), round id 80 bits, timestamp 40 bits, source 8.
    struct Record {
        uint128 priceWad;
        uint80 roundId;
        uint40 updatedAt;
        SettlementSource source;
    }

    IChainlinkOracle internal immutable _ORACLE;
    uint32 internal _fallbackDelay;
    uint32 internal _manualDelay;
    mapping(uint16 underlying => mapping(uint40 expiry => Record)) internal _records;

    /// @param oracle_ Source of round proofs, spot and price bands.
    /// @param admin Receives DEFAULT_ADMIN_ROLE (meant to sit behind a timelock).
    /// @param fallbackDelay_ Seconds after expiry at which the spot fallback opens.
    /// @param manualDelay_ Seconds after expiry at which the risk admin may record a price.
    constructor(IChainlinkOracle oracle_, address admin, uint32 fallbackDelay_, uint32 manualDelay_) {
        if (address(oracle_) == address(0) || admin == address(0)) revert Settlement_ZeroAddress();
        _ORACLE = oracle_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setDelays(fallbackDelay_, manualDelay_);
    }

    /// @inheritdoc ISettlementOracle
    function settlementPrice(uint16 underlying, uint40 expiry) external view returns (uint256, bool) {
        Record memory r = _records[underlying][expiry];
        return (r.priceWad, r.source != SettlementSource.None);
    }

    /// @inheritdoc ISettlementOracle
    function settlement(
        uint16 underlying,
        uint40 expiry
    ) external view returns (uint256 priceWad, uint80 roundId, uint256 updatedAt, SettlementSource source) {
        Record memory r = _records[underlying][expiry];
        return (r.priceWad, r.roundId, r.updatedAt, r.source);
    }

    /// @inheritdoc ISettlementOracle
    function recordSettlementPrice(uint16 underlying, uint40 expiry, uint80 roundId) external returns (uint256) {
        _checkOpen(underlying, expiry, 0);
        (uint256 priceWad, uint256 updatedAt) = _ORACLE.verifySettlementRound(underlying, expiry, roundId);
        _recordRound(underlying, expiry, roundId, priceWad, updatedAt);
        return priceWad;
    }

    /// @inheritdoc ISettlementOracle
    function recordSettlementPriceWithHint(
        uint16 underlying,
        uint40 expiry,
        uint80 roundId,
        uint80 predecessorHint
    ) external returns (uint256) {
        _checkOpen(underlying, expiry, 0);
        (uint256 priceWad, uint256 updatedAt) = _ORACLE.verifySettlementRoundWithHint(
            underlying,
            expiry,
            roundId,
            predecessorHint
        );
        _recordRound(underlying, expiry, roundId, priceWad, updatedAt);
        return priceWad;
    }

    /// @inheritdoc ISettlementOracle
    function recordFallbackPrice(uint16 underlying, uint40 expiry) external returns (uint256) {
        _checkOpen(underlying, expiry, _fallbackDelay);
        (MarketMode mode, uint256 priceWad) = _ORACLE.marketState(underlying);
        // Only a price every module would accept right now: fresh, in band, confirmed, sequencer up, no override.
        if (mode != MarketMode.Active) revert Settlement_MarketNotActive(underlying, mode);
        _recordFallback(underlying, expiry, SettlementSource.Spot, priceWad);
        return priceWad;
    }

    /// @inheritdoc ISettlementOracle
    function recordManualPrice(uint16 underlying, uint40 expiry, uint256 priceWad) external onlyRole(RISK_ADMIN_ROLE) {
        _checkOpen(underlying, expiry, _manualDelay);
        (uint256 minPriceWad, uint256 maxPriceWad) = _ORACLE.priceBand(underlying);
        // The admin can only pick a price the oracle itself could have reported...
        if (priceWad < minPriceWad || priceWad > maxPriceWad) {
            revert Settlement_ManualPriceOutOfBand(priceWad, minPriceWad, maxPriceWad);
        }
        // ...close to what the feed last said before expiry (see MAX_MANUAL_DEVIATION). The allowance rounds down.
        (uint256 refWad, uint80 refRound, ) = _ORACLE.settlementReference(underlying, expiry);
        uint256 diff = priceWad > refWad ? priceWad - refWad : refWad - priceWad;
        if (diff > Math.mulDiv(refWad, MAX_MANUAL_DEVIATION, WAD)) {
            revert Settlement_ManualPriceFarFromReference(priceWad, refWad, refRound, MAX_MANUAL_DEVIATION);
        }
        _recordFallback(underlying, expiry, SettlementSource.Manual, priceWad);
    }

    /// @inheritdoc ISettlementOracle
    function setFallbackDelays(uint32 fallbackDelay_, uint32 manualDelay_) external onlyRole(RISK_ADMIN_ROLE) {
        _setDelays(fallbackDelay_, manualDelay_);
    }

    /// @inheritdoc ISettlementOracle
    function oracle() external view returns (IChainlinkOracle) {
        return _ORACLE;
    }

    /// @inheritdoc ISettlementOracle
    function fallbackDelay() external view returns (uint256) {
        return _fallbackDelay;
    }

    /// @inheritdoc ISettlementOracle
    function manualDelay() external view returns (uint256) {
        return _manualDelay;
    }

    /// @dev Not yet recorded, and `block.timestamp >= expiry + delay` (delay 0 for the proven path).
    function _checkOpen(uint16 underlying, uint40 expiry, uint256 delay) internal view {
        if (_records[underlying][expiry].source != SettlementSource.None) {
            revert Settlement_AlreadyRecorded(underlying, expiry);
        }
        if (block.timestamp < expiry) revert Settlement_NotExpired(expiry, block.timestamp);
        uint256 opensAt = uint256(expiry) + delay;
        if (block.timestamp < opensAt) revert Settlement_FallbackNotOpen(expiry, opensAt);
    }

    function _recordRound(
        uint16 underlying,
        uint40 expiry,
        uint80 roundId,
        uint256 priceWad,
        uint256 updatedAt
    ) internal {
        _records[underlying][expiry] = Record(
            priceWad.toUint128(),
            roundId,
            updatedAt.toUint40(),
            SettlementSource.Round
        );
        emit SettlementPriceRecorded(underlying, expiry, roundId, priceWad, updatedAt, msg.sender);
    }

    function _recordFallback(uint16 underlying, uint40 expiry, SettlementSource source, uint256 priceWad) internal {
        _records[underlying][expiry] = Record(priceWad.toUint128(), 0, block.timestamp.toUint40(), source);
        emit SettlementFallbackUsed(underlying, expiry, source, priceWad, msg.sender);
    }

    function _setDelays(uint32 fallbackDelay_, uint32 manualDelay_) internal {
        // See MIN_FALLBACK_DELAY / MAX_FALLBACK_DELAY.
        if (fallbackDelay_ < MIN_FALLBACK_DELAY || fallbackDelay_ > MAX_FALLBACK_DELAY) {
            revert Settlement_FallbackDelayOutOfBounds(fallbackDelay_);
        }
        // Manual strictly after the permissionless fallback, and bounded: see MAX_MANUAL_DELAY.
        if (manualDelay_ <= fallbackDelay_ || manualDelay_ > MAX_MANUAL_DELAY) {
            revert Settlement_ManualDelayOutOfBounds(manualDelay_, fallbackDelay_);
        }
        _fallbackDelay = fallbackDelay_;
        _manualDelay = manualDelay_;
        emit FallbackDelaysSet(fallbackDelay_, manualDelay_);
    }
}
