// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId} from "../../contracts/types/Types.sol";
import {IOptionExchange, Order, SignedOrder, FillRequest} from "../../contracts/interfaces/IOptionExchange.sol";
import {OptionExchange} from "../../contracts/trading/OptionExchange.sol";
import {ERC1271WalletMock} from "../../contracts/mocks/ERC1271WalletMock.sol";
import {TradingBase as Base} from "./utils/TradingBase.sol";

/// @notice Order signatures: EIP-712 digest, ECDSA and ERC-1271 signers, operators, replay protection.
contract SignaturesTest is Base {
    uint256 internal constant PRICE = 150e18;

    function test_hashOrder_MatchesHandComputedEip712Digest() public view {
        Order memory o = _order(makerAccount, call3000, false, 2e18, PRICE);
        o.reduceOnly = true;
        o.nonce = 7;
        assertEq(exchange.hashOrder(o), _digest(o, block.chainid, address(exchange)));
        (, string memory name, string memory version, uint256 chainId, address verifyingContract, , ) = exchange
            .eip712Domain();
        assertEq(name, "Bulwark OptionExchange");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifyingContract, address(exchange));
    }

    function test_fill_RevertWhen_SignedByWrongKey() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        FillRequest memory r = _request(makerKey, o, 1e18);
        r.maker.signature = _signDigest(strangerKey, exchange.hashOrder(o)); // claims makerOwner, signed by stranger
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_BadSignature.selector, exchange.hashOrder(o), makerOwner)
        );
        _fillAs(takerOwner, takerAccount, _one(r));
    }

    function test_fill_RevertWhen_OrderTamperedAfterSigning() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        FillRequest memory r = _request(makerKey, o, 1e18);
        r.maker.order.limitPrice = PRICE - 1; // taker tries a better price
        bytes32 tampered = exchange.hashOrder(r.maker.order);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_BadSignature.selector, tampered, makerOwner));
        _fillAs(takerOwner, takerAccount, _one(r));
    }

    function test_fill_RevertWhen_SignatureMalleated_HighS() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        bytes32 h = exchange.hashOrder(o);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(makerKey, h);
        // (r, n - s, v ^ 1) recovers the same key but is the malleable twin; OpenZeppelin ECDSA rejects it
        bytes memory twin = abi.encodePacked(r, bytes32(SECP256K1_N - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        FillRequest memory req = _request(makerKey, o, 1e18);
        req.maker.signature = twin;
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_BadSignature.selector, h, makerOwner));
        _fillAs(takerOwner, takerAccount, _one(req));
    }

    function test_fill_RevertWhen_SignatureWrongLength() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        FillRequest memory r = _request(makerKey, o, 1e18);
        r.maker.signature = new bytes(64);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_BadSignature.selector, exchange.hashOrder(o), makerOwner)
        );
        _fillAs(takerOwner, takerAccount, _one(r));
    }

    function test_fill_RevertWhen_ValidSignatureFromUnauthorizedSigner() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_Unauthorized.selector, makerAccount, stranger));
        _fillAs(takerOwner, takerAccount, _one(_request(strangerKey, o, 1e18)));
    }

    function test_fill_OperatorSignedOrder() public {
        _approveOperator(makerAccount, makerOwner, operator, true);
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        o.operatorEpoch = 1; // the first approval
        _fillAs(takerOwner, takerAccount, _one(_request(operatorKey, o, 1e18)));
        assertEq(ch.positionOf(makerAccount, call3000), -1e18);
    }

    function test_fill_RevertWhen_OperatorRevokedBeforeFill() public {
        _approveOperator(makerAccount, makerOwner, operator, true);
        Order memory o = _order(makerAccount, call3000, false, 2e18, PRICE);
        o.operatorEpoch = 1;
        _fillAs(takerOwner, takerAccount, _one(_request(operatorKey, o, 1e18)));
        _approveOperator(makerAccount, makerOwner, operator, false);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_Unauthorized.selector, makerAccount, operator));
        _fillAs(takerOwner, takerAccount, _one(_request(operatorKey, o, 1e18)));
    }

    function test_fill_Erc1271WalletMaker() public {
        ERC1271WalletMock wallet = new ERC1271WalletMock(stranger);
        AccountId walletAccount = _openAccount(address(wallet), 100_000e18);
        Order memory o = _order(walletAccount, call3000, false, 1e18, PRICE);
        FillRequest memory r;
        r.maker = SignedOrder(o, address(wallet), _signDigest(strangerKey, exchange.hashOrder(o)));
        r.fillSize = 1e18;
        _fillAs(takerOwner, takerAccount, _one(r));
        assertEq(ch.positionOf(walletAccount, call3000), -1e18);
    }

    function test_fill_RevertWhen_Erc1271WalletRefuses() public {
        ERC1271WalletMock wallet = new ERC1271WalletMock(stranger);
        AccountId walletAccount = _openAccount(address(wallet), 100_000e18);
        Order memory o = _order(walletAccount, call3000, false, 1e18, PRICE);
        bytes32 h = exchange.hashOrder(o);
        FillRequest memory r;
        r.maker = SignedOrder(o, address(wallet), _signDigest(strangerKey, h));
        r.fillSize = 1e18;
        vm.prank(stranger);
        wallet.setRevoked(true);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_BadSignature.selector, h, address(wallet)));
        _fillAs(takerOwner, takerAccount, _one(r));
    }

    /// A signature for the wallet's owner key does not count as the wallet's: the wallet (a contract) is asked.
    function test_fill_RevertWhen_Erc1271WalletSignedByOtherKey() public {
        ERC1271WalletMock wallet = new ERC1271WalletMock(stranger);
        AccountId walletAccount = _openAccount(address(wallet), 100_000e18);
        Order memory o = _order(walletAccount, call3000, false, 1e18, PRICE);
        bytes32 h = exchange.hashOrder(o);
        FillRequest memory r;
        r.maker = SignedOrder(o, address(wallet), _signDigest(makerKey, h));
        r.fillSize = 1e18;
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_BadSignature.selector, h, address(wallet)));
        _fillAs(takerOwner, takerAccount, _one(r));
    }

    function test_fill_RevertWhen_SignedForOtherChainId() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        FillRequest memory r = _request(makerKey, o, 1e18);
        r.maker.signature = _signDigest(makerKey, _digest(o, block.chainid + 1, address(exchange)));
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_BadSignature.selector, exchange.hashOrder(o), makerOwner)
        );
        _fillAs(takerOwner, takerAccount, _one(r));
    }

    function test_fill_RevertWhen_SignedForOtherExchangeAddress() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        FillRequest memory r = _request(makerKey, o, 1e18);
        r.maker.signature = _signDigest(makerKey, _digest(o, block.chainid, address(0xBEEF)));
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_BadSignature.selector, exchange.hashOrder(o), makerOwner)
        );
        _fillAs(takerOwner, takerAccount, _one(r));
    }

    /// An order signed for this exchange cannot be replayed on a second deployment (different verifying contract).
    function test_fill_RevertWhen_ReplayedOnSecondExchange() public {
        OptionExchange other = _deployExchange(ch);
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        FillRequest memory r = _request(makerKey, o, 1e18); // signed for `exchange`
        assertTrue(other.hashOrder(o) != exchange.hashOrder(o), "digests differ per contract");
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_BadSignature.selector, other.hashOrder(o), makerOwner)
        );
        vm.prank(takerOwner);
        other.fill(takerAccount, _one(r));
    }

    /// After a fork the chain id changes: the cached domain separator is rebuilt and old-chain signatures fail.
    function test_fill_RevertWhen_ChainForkedAfterSigning() public {
        Order memory o = _order(makerAccount, call3000, false, 1e18, PRICE);
        FillRequest memory r = _request(makerKey, o, 1e18);
        vm.chainId(block.chainid + 100);
        bytes32 h = exchange.hashOrder(o);
        assertEq(h, _digest(o, block.chainid, address(exchange)));
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_BadSignature.selector, h, makerOwner));
        _fillAs(takerOwner, takerAccount, _one(r));
    }
}
