// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {MarketMode} from "../types/Types.sol";
import {IVolatilityOracle} from "../interfaces/IVolatilityOracle.sol";

/// @title VolatilityOracle
/// @notice Pushed implied vols with bounds, staleness and a conservative fallback. See docs/oracles.md.
contract VolatilityOracle is IVolatilityOracle, AccessControl {
    bytes32 public constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");
    bytes32 public constant VOL_UPDATER_ROLE = keccak256("VOL_UPDATER_ROLE");

    uint256 internal constant WAD = 1e18;
    // Below 1% Black-Scholes marks degenerate to intrinsic and short options look riskless.
    uint256 public constant MIN_VOL = 0.01e18;
    // Above 500% no listed underlying trades; such a value is a fat finger.
    uint256 public constant MAX_VOL = 5e18;
    // Shorter than a minute would make every block-time hiccup a fallback.
    uint256 public constant MIN_MAX_AGE = 1 minutes;
    // Longer than a week would call week-old vols fresh.
    uint256 public constant MAX_MAX_AGE = 7 days;
    // Tighter than 5% per update would stop the updater from following an ordinary repricing.
    uint256 public constant MIN_MAX_MOVE = 0.05e18;
    // Beyond 1000% the check protects nothing inside [MIN_VOL, MAX_VOL].
    uint256 public constant MAX_MAX_MOVE = 10e18;

    /// @dev One slot: vol <= 5e18 fits 64 bits, timestamps fit 40 bits.
    struct VolPoint {
        uint64 volWad;
        uint40 updatedAt;
    }

    mapping(uint16 underlying => VolParams) internal _params;
    /// @dev expiry 0 holds the underlying's default vol.
    mapping(uint16 underlying => mapping(uint40 expiry => VolPoint)) internal _points;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (meant to sit behind a timelock); grants the other roles.
    constructor(address admin) {
        if (admin == address(0)) revert Vol_ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IVolatilityOracle
    function vol(uint16 underlying, uint40 expiry) external view returns (uint256, MarketMode) {
        return _served(underlying, _listed(underlying), expiry);
    }

    /// @inheritdoc IVolatilityOracle
    function listUnderlying(uint16 underlying, VolParams calldata params) external onlyRole(RISK_ADMIN_ROLE) {
        if (_params[underlying].maxAgeSec != 0) revert Vol_AlreadyListed(underlying);
        _checkParams(params);
        _params[underlying] = params;
        emit VolUnderlyingListed(underlying, params);
    }

    /// @inheritdoc IVolatilityOracle
    function setVolParams(uint16 underlying, VolParams calldata params) external onlyRole(RISK_ADMIN_ROLE) {
        _listed(underlying);
        _checkParams(params);
        _params[underlying] = params;
        emit VolParamsSet(underlying, params);
    }

    /// @inheritdoc IVolatilityOracle
    function setVol(uint16 underlying, uint256 volWad) external onlyRole(VOL_UPDATER_ROLE) {
        _push(underlying, _listed(underlying), 0, volWad);
    }

    /// @inheritdoc IVolatilityOracle
    function setExpiryVols(
        uint16 underlying,
        uint40[] calldata expiries,
        uint256[] calldata volsWad
    ) external onlyRole(VOL_UPDATER_ROLE) {
        if (expiries.length != volsWad.length) revert Vol_LengthMismatch(expiries.length, volsWad.length);
        VolParams memory p = _listed(underlying);
        for (uint256 i; i < expiries.length; ++i) {
            _push(underlying, p, expiries[i], volsWad[i]);
        }
    }

    /// @inheritdoc IVolatilityOracle
    function clearExpiryVol(uint16 underlying, uint40 expiry) external onlyRole(VOL_UPDATER_ROLE) {
        VolParams memory p = _listed(underlying);
        (uint256 before, MarketMode beforeMode) = _served(underlying, p, expiry);
        delete _points[underlying][expiry];
        // Clearing switches `vol()` to the default: the same move limit as a push, unless the result is the
        // conservative stale fallback (ReduceOnly), which is never a fat-finger risk.
        (uint256 next, MarketMode nextMode) = _served(underlying, p, expiry);
        if (beforeMode == MarketMode.Active && nextMode == MarketMode.Active) _checkMove(p, before, next);
        emit ExpiryVolCleared(underlying, expiry, msg.sender);
    }

    /// @inheritdoc IVolatilityOracle
    function volParams(uint16 underlying) external view returns (VolParams memory) {
        return _listed(underlying);
    }

    /// @inheritdoc IVolatilityOracle
    function rawVol(uint16 underlying, uint40 expiry) external view returns (uint256, uint256) {
        VolPoint memory pt = _points[underlying][expiry];
        return (pt.volWad, pt.updatedAt);
    }

    function _push(uint16 underlying, VolParams memory p, uint40 expiry, uint256 volWad) internal {
        // See MIN_VOL / MAX_VOL.
        if (volWad < MIN_VOL || volWad > MAX_VOL) revert Vol_OutOfBounds(volWad);
        // Fat-finger guard against what `vol()` serves now for this expiry (the per-expiry value, or the default a
        // first per-expiry value replaces). A stale fallback (ReduceOnly) may be replaced freely, otherwise a long
        // outage could never be recovered from.
        (uint256 served, MarketMode mode) = _served(underlying, p, expiry);
        if (mode == MarketMode.Active) _checkMove(p, served, volWad);
        // volWad <= MAX_VOL < 2^64; block.timestamp < 2^40 for the next ~34,000 years.
        _points[underlying][expiry] = VolPoint(SafeCast.toUint64(volWad), SafeCast.toUint40(block.timestamp));
        emit VolUpdated(underlying, expiry, volWad, msg.sender);
    }

    /// @dev What `vol()` returns: the per-expiry value when one exists, else the default; a stale one is replaced by
    /// the highest of everything known, never below `staleVolWad`, in ReduceOnly.
    function _served(uint16 underlying, VolParams memory p, uint40 expiry) internal view returns (uint256, MarketMode) {
        VolPoint memory d = _points[underlying][0];
        VolPoint memory e = expiry == 0 ? d : _points[underlying][expiry];
        if (e.updatedAt != 0) {
            if (_fresh(e, p)) return (e.volWad, MarketMode.Active);
            return (Math.max(Math.max(e.volWad, d.volWad), p.staleVolWad), MarketMode.ReduceOnly);
        }
        if (_fresh(d, p)) return (d.volWad, MarketMode.Active);
        return (Math.max(d.volWad, p.staleVolWad), MarketMode.ReduceOnly);
    }

    function _checkMove(VolParams memory p, uint256 fromWad, uint256 toWad) internal pure {
        if (p.maxMoveWad == 0) return;
        uint256 diff = toWad > fromWad ? toWad - fromWad : fromWad - toWad;
        // Allowance rounds down: the stricter side.
        if (diff > Math.mulDiv(fromWad, p.maxMoveWad, WAD)) revert Vol_MoveTooLarge(fromWad, toWad, p.maxMoveWad);
    }

    function _fresh(VolPoint memory pt, VolParams memory p) internal view returns (bool) {
        // updatedAt is always a past block timestamp, so no underflow.
        return block.timestamp - pt.updatedAt <= p.maxAgeSec;
    }

    function _listed(uint16 underlying) internal view returns (VolParams memory p) {
        p = _params[underlying];
        if (p.maxAgeSec == 0) revert Vol_UnknownUnderlying(underlying);
    }

    function _checkParams(VolParams calldata params) internal pure {
        // See MIN_MAX_AGE / MAX_MAX_AGE.
        if (params.maxAgeSec < MIN_MAX_AGE || params.maxAgeSec > MAX_MAX_AGE) {
            revert Vol_MaxAgeOutOfBounds(params.maxAgeSec);
        }
        // The fallback must itself be a plausible vol: see MIN_VOL / MAX_VOL.
        if (params.staleVolWad < MIN_VOL || params.staleVolWad > MAX_VOL) {
            revert Vol_StaleVolOutOfBounds(params.staleVolWad);
        }
        // 0 disables the check; otherwise see MIN_MAX_MOVE / MAX_MAX_MOVE.
        if (params.maxMoveWad != 0 && (params.maxMoveWad < MIN_MAX_MOVE || params.maxMoveWad > MAX_MAX_MOVE)) {
            revert Vol_MaxMoveOutOfBounds(params.maxMoveWad);
        }
    }
}
