//! Optional ed25519 signatures over a component's sha256.
//!
//! The signed message is the 32-byte sha256 digest of the component's bytes
//! (the raw digest, not its hex), so a publisher signs what the registry
//! calls the component's id, and a signature can be checked without the
//! bytes at hand. Verification is strict (`verify_strict`: no small-order
//! keys, no malleable signatures).

use base64::Engine as _;
use ed25519_dalek::{Signature, VerifyingKey};

/// The trusted public keys, parsed once from configuration.
#[derive(Debug, Clone, Default)]
pub(crate) struct TrustedKeys {
    keys: Vec<(String, VerifyingKey)>,
}

impl TrustedKeys {
    /// Parse 64-hex-digit public keys; each bad one is reported.
    pub(crate) fn parse(hex_keys: &[String]) -> Result<TrustedKeys, Vec<String>> {
        let mut keys = Vec::new();
        let mut problems = Vec::new();
        for (i, text) in hex_keys.iter().enumerate() {
            let text = text.trim().to_ascii_lowercase();
            let parsed = hex::decode(&text)
                .map_err(|e| format!("not hex ({e})"))
                .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).map_err(|_| format!("{} bytes, not 32", b.len())))
                .and_then(|b| VerifyingKey::from_bytes(&b).map_err(|e| format!("not an ed25519 public key ({e})")));
            match parsed {
                Ok(k) => keys.push((text, k)),
                Err(why) => problems.push(format!("trusted_keys[{i}]: {why}")),
            }
        }
        if problems.is_empty() { Ok(TrustedKeys { keys }) } else { Err(problems) }
    }

    /// Whether any key is configured.
    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// How many keys are configured.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// The id (hex public key) of the trusted key whose signature over
    /// `digest` `signature` is, or why there is none.
    pub(crate) fn verify(&self, digest: &[u8; 32], signature: &[u8]) -> Result<String, String> {
        let sig = decode_signature(signature)?;
        self.keys
            .iter()
            .find(|(_, key)| key.verify_strict(digest, &sig).is_ok())
            .map(|(id, _)| id.clone())
            .ok_or_else(|| format!("the signature does not verify against any of the {} trusted keys", self.keys.len()))
    }
}

/// A signature as a client may send it: 64 raw bytes, 128 hex digits, or
/// base64 (standard alphabet, padded or not). The lengths do not overlap,
/// so the form is never ambiguous. Surrounding whitespace is ignored.
pub(crate) fn decode_signature(given: &[u8]) -> Result<Signature, String> {
    let raw: Vec<u8> = if given.len() == 64 {
        given.to_vec()
    } else {
        let text = std::str::from_utf8(given).map_err(|_| {
            format!("a signature is 64 raw bytes, 128 hex digits or base64; got {} bytes of neither", given.len())
        })?;
        let text = text.trim();
        if text.len() == 128 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).map_err(|e| format!("signature hex: {e}"))?
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(text))
                .map_err(|e| format!("a signature is 64 raw bytes, 128 hex digits or base64 ({e})"))?
        }
    };
    let bytes: [u8; 64] = raw
        .as_slice()
        .try_into()
        .map_err(|_| format!("an ed25519 signature is 64 bytes, this one decodes to {}", raw.len()))?;
    Ok(Signature::from_bytes(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn every_encoding_of_a_good_signature_verifies() {
        let sk = key(7);
        let digest = [3u8; 32];
        let sig = sk.sign(&digest).to_bytes();
        let keys = TrustedKeys::parse(&[
            hex::encode(key(1).verifying_key().to_bytes()),
            hex::encode(sk.verifying_key().to_bytes()),
        ])
        .unwrap();
        let id = hex::encode(sk.verifying_key().to_bytes());
        let b64 = base64::engine::general_purpose::STANDARD.encode(sig);
        let b64_no_pad = base64::engine::general_purpose::STANDARD_NO_PAD.encode(sig);
        for form in [sig.to_vec(), hex::encode(sig).into_bytes(), b64.into_bytes(), b64_no_pad.into_bytes()] {
            assert_eq!(keys.verify(&digest, &form), Ok(id.clone()));
        }
        let mut other = digest;
        other[0] ^= 1;
        assert!(keys.verify(&other, &sig).unwrap_err().contains("2 trusted keys"));
    }

    #[test]
    fn bad_keys_and_bad_signatures_say_why() {
        let errs = TrustedKeys::parse(&["zz".into(), "00".into()]).unwrap_err();
        assert_eq!(errs.len(), 2);
        assert!(errs[0].contains("not hex") && errs[1].contains("not 32"), "{errs:?}");
        assert!(decode_signature(b"abc").unwrap_err().contains("decodes to 2"));
        assert!(decode_signature(&[0xff; 10]).unwrap_err().contains("64 raw bytes"));
    }
}
