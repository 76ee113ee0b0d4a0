// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

/// @title ChronosToken
/// @notice ERC-20 whose supply is minted only against receipts signed by signers the owner authorizes.
/// Only the recipient may submit its signed mint (in Chronos: the user's smart account, gas paid by a
/// paymaster): the signature authorizes the mint, and the sender check stops anyone who saw the
/// signature from front-running it, which would make the recipient's own submission revert.
contract ChronosToken is ERC20, Ownable {
    /// @notice Addresses whose signatures authorize mints.
    mapping(address signer => bool authorized) public signers;

    /// @notice Next nonce expected for a mint to `user`; makes a signed mint single-use and ordered per recipient.
    mapping(address user => uint256 nonce) public nonces;

    /// @notice Receipts already minted, keyed by keccak256(bytes(receiptId)) so lookups cost the same for any id length.
    mapping(bytes32 receiptHash => bool isMinted) public mintedHash;

    event SignerUpdated(address indexed signer, bool authorized);
    event MintedWithSignature(
        address indexed to,
        string receiptId,
        bytes32 indexed receiptHash,
        uint256 amount,
        uint256 nonce,
        address indexed signer
    );

    error MintCallerNotRecipient(address caller, address to);
    error MintExpired(uint256 expiryBlock, uint256 currentBlock);
    error InvalidNonce(uint256 expected, uint256 provided);
    error ReceiptAlreadyMinted(string receiptId);
    error UnauthorizedSigner(address recovered);
    error ZeroAmount();

    constructor(address initialOwner) ERC20("Chronos Token", "CHR") Ownable(initialOwner) {}

    function setSigner(address signer, bool authorized) external onlyOwner {
        signers[signer] = authorized;
        emit SignerUpdated(signer, authorized);
    }

    function minted(string calldata receiptId) external view returns (bool) {
        return mintedHash[keccak256(bytes(receiptId))];
    }

    /// @notice The hash a signer signs (EIP-191, "\x19Ethereum Signed Message:\n32" ‖ hash) to authorize a mint.
    /// Binding the contract address and chain id stops a signature being replayed on another deployment or chain.
    function mintMessageHash(
        address to,
        string calldata receiptId,
        uint256 amount,
        uint256 expiryBlock,
        uint256 nonce
    ) public view returns (bytes32) {
        return keccak256(abi.encode(address(this), block.chainid, to, receiptId, amount, expiryBlock, nonce));
    }

    function mintWithSignature(
        address to,
        string calldata receiptId,
        uint256 amount,
        uint256 expiryBlock,
        uint256 nonce,
        bytes calldata signature
    ) external {
        // Cheap argument checks first so a bad request fails with the most specific error. msg.sender is
        // never the zero address, so the recipient check also refuses minting to it.
        if (msg.sender != to) revert MintCallerNotRecipient(msg.sender, to);
        if (amount == 0) revert ZeroAmount();
        if (block.number > expiryBlock) revert MintExpired(expiryBlock, block.number);
        if (nonce != nonces[to]) revert InvalidNonce(nonces[to], nonce);
        bytes32 receiptHash = keccak256(bytes(receiptId));
        if (mintedHash[receiptHash]) revert ReceiptAlreadyMinted(receiptId);

        address signer = _recoverSigner(mintMessageHash(to, receiptId, amount, expiryBlock, nonce), signature);
        if (!signers[signer]) revert UnauthorizedSigner(signer);

        mintedHash[receiptHash] = true;
        nonces[to] = nonce + 1;
        _mint(to, amount);
        emit MintedWithSignature(to, receiptId, receiptHash, amount, nonce, signer);
    }

    /// @dev Reverts with OpenZeppelin's ECDSA errors for malformed or malleable signatures.
    function _recoverSigner(bytes32 messageHash, bytes calldata signature) private pure returns (address) {
        return ECDSA.recoverCalldata(MessageHashUtils.toEthSignedMessageHash(messageHash), signature);
    }
}
