// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MarketMode} from "../types/Types.sol";
import {IChainlinkOracle} from "../interfaces/IChainlinkOracle.sol";
import {IVolatilityOracle} from "../interfaces/IVolatilityOracle.sol";
import {ISettlementOracle} from "../interfaces/ISettlementOracle.sol";

/// @title OracleCache
/// @notice Memo of oracle answers for the duration of one external call, so that the accounts touched by one batch
/// share market, vol and settlement reads (oracle state cannot change within a call: every read is a view).
/// @dev One packed word per answer, only the entries in use (cheap to ABI-encode when the cache travels to the margin
/// evaluator and back): `kind (1) | key (56) | flags (7) | value (192)`, most significant first.
/// - market entry: kind 0, key = underlying, flags = mode, value = price (< 2**128: the oracle band is uint128);
/// - group entry: kind 1, key = expiryKey (underlying << 40 | expiry), flags = vol mode (live group) or
///   `recorded` (expired group), value = vol or settlement price. A key is live or expired for the whole call.
library OracleCache {
    struct Cache {
        uint256[] entries;
    }

    uint256 private constant VALUE_BITS = 192;
    uint256 private constant TAG_SHIFT = 199; // word >> TAG_SHIFT = kind << 56 | key
    uint256 private constant GROUP_KIND = 1 << 56;
    uint256 private constant VALUE_MASK = (1 << VALUE_BITS) - 1;

    /// @notice `IChainlinkOracle.marketState(underlying)`, memoized.
    function market(
        Cache memory cache,
        IChainlinkOracle oracle,
        uint16 underlying
    ) internal view returns (MarketMode mode, uint256 priceWad) {
        (bool found, uint256 word) = _find(cache, underlying);
        if (found) return (MarketMode((word >> VALUE_BITS) & 0x7f), word & VALUE_MASK);
        (mode, priceWad) = oracle.marketState(underlying);
        _append(cache, _word(underlying, uint256(mode), priceWad));
    }

    /// @notice Replaces (or inserts) the memoized state of `underlying`: used to evaluate at a hypothetical price.
    function seedMarket(Cache memory cache, uint16 underlying, MarketMode mode, uint256 priceWad) internal pure {
        uint256 word = _word(underlying, uint256(mode), priceWad);
        uint256[] memory entries = cache.entries;
        for (uint256 i; i < entries.length; ++i) {
            if (entries[i] >> TAG_SHIFT == underlying) {
                entries[i] = word;
                return;
            }
        }
        _append(cache, word);
    }

    /// @notice `IVolatilityOracle.vol(underlying, expiry)` of the live group `expiryKey`, memoized.
    function vol(
        Cache memory cache,
        IVolatilityOracle oracle,
        uint256 expiryKey
    ) internal view returns (uint256 volWad, MarketMode mode) {
        (bool found, uint256 word) = _find(cache, GROUP_KIND | expiryKey);
        if (found) return (word & VALUE_MASK, MarketMode((word >> VALUE_BITS) & 0x7f));
        (volWad, mode) = oracle.vol(uint16(expiryKey >> 40), uint40(expiryKey));
        _append(cache, _word(GROUP_KIND | expiryKey, uint256(mode), volWad));
    }

    /// @notice `ISettlementOracle.settlementPrice(underlying, expiry)` of the expired group `expiryKey`, memoized.
    function settlement(
        Cache memory cache,
        ISettlementOracle oracle,
        uint256 expiryKey
    ) internal view returns (uint256 priceWad, bool recorded) {
        (bool found, uint256 word) = _find(cache, GROUP_KIND | expiryKey);
        if (found) return (word & VALUE_MASK, (word >> VALUE_BITS) & 0x7f == 1);
        (priceWad, recorded) = oracle.settlementPrice(uint16(expiryKey >> 40), uint40(expiryKey));
        _append(cache, _word(GROUP_KIND | expiryKey, recorded ? 1 : 0, priceWad));
    }

    function _find(Cache memory cache, uint256 tag) private pure returns (bool, uint256) {
        uint256[] memory entries = cache.entries;
        for (uint256 i; i < entries.length; ++i) {
            if (entries[i] >> TAG_SHIFT == tag) return (true, entries[i]);
        }
        return (false, 0);
    }

    /// @dev Values never reach 2**192 (prices < 2**128 by the oracle band, vols <= 5e18), so masking loses nothing.
    function _word(uint256 tag, uint256 flags, uint256 value) private pure returns (uint256) {
        return (tag << TAG_SHIFT) | (flags << VALUE_BITS) | (value & VALUE_MASK);
    }

    /// @dev Copy-on-append: a call holds a handful of entries, so the quadratic copy stays negligible.
    function _append(Cache memory cache, uint256 word) private pure {
        uint256[] memory old = cache.entries;
        uint256[] memory grown = new uint256[](old.length + 1);
        for (uint256 i; i < old.length; ++i) {
            grown[i] = old[i];
        }
        grown[old.length] = word;
        cache.entries = grown;
    }
}
