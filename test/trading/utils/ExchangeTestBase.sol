// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {AccountId, SeriesId, MarketMode} from "../../../contracts/types/Types.sol";
import {SeriesIdLib} from "../../../contracts/libraries/SeriesIdLib.sol";
import {IClearingHouse} from "../../../contracts/interfaces/IClearingHouse.sol";
import {Order, SignedOrder, FillRequest} from "../../../contracts/interfaces/IOptionExchange.sol";
import {OptionExchange} from "../../../contracts/trading/OptionExchange.sol";

/// @notice Shared actors, order building and signing for exchange tests. The clearing-house backend is supplied by
/// the concrete base through the hooks below.
abstract contract ExchangeTestBase is Test {
    bytes32 internal constant ORDER_TYPEHASH = keccak256(
        "Order(uint256 account,uint256 series,bool isBuy,uint256 size,uint256 limitPrice,uint256 deadline,uint256 nonce,uint256 salt,bool reduceOnly,uint256 minFillSize,uint256 maxFeeRate,uint256 operatorEpoch)"
    );
    bytes32 internal constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    /// @dev OptionExchange.MAX_FEE_RATE: orders accept any fee the exchange may charge unless a test says otherwise.
    uint256 internal constant MAX_FEE_RATE = 0.005e18;
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    OptionExchange internal exchange;
    IClearingHouse internal ch;

    address internal admin = makeAddr("admin");
    address internal riskAdmin = makeAddr("riskAdmin");
    address internal relayer = makeAddr("relayer");

    uint256 internal makerKey = 0xA11CE;
    uint256 internal takerKey = 0xB0B;
    uint256 internal operatorKey = 0x0DE7;
    uint256 internal strangerKey = 0x5EED;
    address internal makerOwner;
    address internal takerOwner;
    address internal operator;
    address internal stranger;

    AccountId internal makerAccount;
    AccountId internal takerAccount;

    uint16 internal constant ETH = 1;
    uint40 internal expiry;
    SeriesId internal call3000;
    SeriesId internal put2500;

    function _setUpActors() internal {
        makerOwner = vm.addr(makerKey);
        takerOwner = vm.addr(takerKey);
        operator = vm.addr(operatorKey);
        stranger = vm.addr(strangerKey);
    }

    // ---------------------------------------------------------------------------------------------- backend hooks

    function _openAccount(address owner, uint256 cashWad) internal virtual returns (AccountId);

    function _approveOperator(AccountId account, address owner, address op, bool approved) internal virtual;

    function _setMarketMode(uint16 underlying, MarketMode mode) internal virtual;

    /// @dev Cash held by the protocol's fee sinks (fee collector and insurance fund), WAD.
    function _protocolFeeCash() internal view virtual returns (int256);

    /// @dev An account that fails the clearing house's health check if it sells one call3000 contract.
    function _openUnderfundedAccount(address owner) internal virtual returns (AccountId);

    /// @dev Deploys an exchange from its artifact (see TradingBase on why not `new`).
    function _deployExchange(IClearingHouse clearingHouse) internal returns (OptionExchange) {
        return
            OptionExchange(
                deployCode("OptionExchange.sol:OptionExchange", abi.encode(clearingHouse, admin, riskAdmin))
            );
    }

    // ---------------------------------------------------------------------------------------------- orders

    function _order(
        AccountId account,
        SeriesId series,
        bool isBuy,
        uint256 size,
        uint256 price
    ) internal view returns (Order memory o) {
        o.account = account;
        o.series = series;
        o.isBuy = isBuy;
        o.size = size;
        o.limitPrice = price;
        o.deadline = block.timestamp + 1 hours;
        o.nonce = 0;
        o.salt = uint256(keccak256(abi.encode(account, series, isBuy, size, price)));
        o.reduceOnly = false;
        o.minFillSize = 0;
        o.maxFeeRate = MAX_FEE_RATE;
        o.operatorEpoch = 0;
    }

    /// @dev Digest computed independently of the exchange (EIP-712 by hand) for any chain id and verifying contract.
    function _digest(Order memory o, uint256 chainId, address verifyingContract) internal pure returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("Bulwark OptionExchange"), keccak256("1"), chainId, verifyingContract)
        );
        // two halves: one abi.encode of all 13 words is too deep for the legacy code generator
        bytes32 structHash = keccak256(
            bytes.concat(
                abi.encode(
                    ORDER_TYPEHASH,
                    AccountId.unwrap(o.account),
                    SeriesId.unwrap(o.series),
                    o.isBuy,
                    o.size,
                    o.limitPrice,
                    o.deadline
                ),
                abi.encode(o.nonce, o.salt, o.reduceOnly, o.minFillSize, o.maxFeeRate, o.operatorEpoch)
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    function _signDigest(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _signed(uint256 key, Order memory o) internal view returns (SignedOrder memory so) {
        so.order = o;
        so.signer = vm.addr(key);
        so.signature = _signDigest(key, _digest(o, block.chainid, address(exchange)));
    }

    function _request(uint256 key, Order memory o, uint256 fillSize) internal view returns (FillRequest memory r) {
        r.maker = _signed(key, o);
        r.fillSize = fillSize;
    }

    function _one(FillRequest memory r) internal pure returns (FillRequest[] memory rs) {
        rs = new FillRequest[](1);
        rs[0] = r;
    }

    function _fillAs(address caller, AccountId taker, FillRequest[] memory rs) internal {
        vm.prank(caller);
        exchange.fill(taker, rs);
    }

    function _series(uint256 strikeWad, bool isCall) internal view returns (SeriesId) {
        return SeriesIdLib.encode(ETH, expiry, uint96(strikeWad), isCall);
    }

    function _filled(Order memory o) internal view returns (uint256 filledSize) {
        (filledSize, ) = exchange.orderStatus(_digest(o, block.chainid, address(exchange)));
    }
}
