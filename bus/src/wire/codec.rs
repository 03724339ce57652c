use super::{
    AnyMessage, BINARY_MAGIC, DecodeError, Envelope, Format, Message, MessageId, MessageKind, SCHEMA_VERSION,
    SUPPORTED_VERSIONS,
};
use serde::Serialize;
use serde_json::Value;

/// Writes `env` in `format` with the current [`SCHEMA_VERSION`].
///
/// Binary: `[0xB5, version, kind, postcard(id, body)]`. JSON:
/// `{"v":1,"kind":"order","id":"<32 hex>","body":{...}}`.
pub fn encode<M: Message>(env: &Envelope<M>, format: Format) -> Vec<u8> {
    let result = match format {
        Format::Binary => {
            let out = vec![BINARY_MAGIC, SCHEMA_VERSION, M::KIND.code()];
            postcard::to_extend(&(&env.id, &env.body), out).map_err(|e| e.to_string())
        }
        Format::Json => {
            let doc = JsonOut { v: SCHEMA_VERSION, kind: M::KIND.name(), id: &env.id, body: &env.body };
            serde_json::to_vec(&doc).map_err(|e| e.to_string())
        }
    };
    // Both serializers only fail on types they cannot represent (maps with
    // non-string keys, `deserialize_any`-only shapes); the v1 bodies have none,
    // and the round-trip tests cover every kind.
    result.unwrap_or_else(|e| unreachable!("v1 bodies always serialize: {e}"))
}

#[derive(Serialize)]
struct JsonOut<'a, M> {
    v: u8,
    kind: &'static str,
    id: &'a MessageId,
    body: &'a M,
}

/// Reads a message of kind `M` in either format. Never panics: anything
/// else is a [`DecodeError`] with the reason.
pub fn decode<M: Message>(bytes: &[u8]) -> Result<Envelope<M>, DecodeError> {
    let parsed = parse(bytes)?;
    if parsed.kind() != M::KIND {
        return Err(DecodeError::WrongKind { expected: M::KIND, found: parsed.kind() });
    }
    parsed.body()
}

/// Reads a message of any kind, for consumers of several topics and for
/// tools.
pub fn decode_any(bytes: &[u8]) -> Result<Envelope<AnyMessage>, DecodeError> {
    let parsed = parse(bytes)?;
    Ok(match parsed.kind() {
        MessageKind::MarketData => parsed.body().map(|e| e.map(AnyMessage::MarketData))?,
        MessageKind::Signals => parsed.body().map(|e| e.map(AnyMessage::Signals))?,
        MessageKind::Order => parsed.body().map(|e| e.map(AnyMessage::Order))?,
        MessageKind::Fill => parsed.body().map(|e| e.map(AnyMessage::Fill))?,
        MessageKind::Control => parsed.body().map(|e| e.map(AnyMessage::Control))?,
        MessageKind::DeadLetter => parsed.body().map(|e| e.map(AnyMessage::DeadLetter))?,
        MessageKind::Venue => parsed.body().map(|e| e.map(AnyMessage::Venue))?,
    })
}

/// What a publisher can encode: one message kind, or [`AnyMessage`] (which
/// is written as the kind it holds).
pub trait Encode: Sized {
    /// Writes one envelope.
    fn encode(env: &Envelope<Self>, format: Format) -> Vec<u8>;
}

impl<M: Message> Encode for M {
    fn encode(env: &Envelope<M>, format: Format) -> Vec<u8> {
        encode(env, format)
    }
}

impl Encode for AnyMessage {
    fn encode(env: &Envelope<AnyMessage>, format: Format) -> Vec<u8> {
        fn one<M: Message + Clone>(id: MessageId, body: &M, format: Format) -> Vec<u8> {
            encode(&Envelope::new(id, body.clone()), format)
        }
        match &env.body {
            AnyMessage::MarketData(m) => one(env.id, m, format),
            AnyMessage::Signals(m) => one(env.id, m, format),
            AnyMessage::Order(m) => one(env.id, m, format),
            AnyMessage::Fill(m) => one(env.id, m, format),
            AnyMessage::Control(m) => one(env.id, m, format),
            AnyMessage::DeadLetter(m) => one(env.id, m, format),
            AnyMessage::Venue(m) => one(env.id, m, format),
        }
    }
}

/// What a subscriber can decode: one message kind, or [`AnyMessage`].
pub trait Decode: Sized {
    /// Reads one payload.
    fn decode(bytes: &[u8]) -> Result<Envelope<Self>, DecodeError>;
}

impl<M: Message> Decode for M {
    fn decode(bytes: &[u8]) -> Result<Envelope<M>, DecodeError> {
        decode(bytes)
    }
}

impl Decode for AnyMessage {
    fn decode(bytes: &[u8]) -> Result<Envelope<AnyMessage>, DecodeError> {
        decode_any(bytes)
    }
}

impl<M> Envelope<M> {
    fn map<N>(self, f: impl FnOnce(M) -> N) -> Envelope<N> {
        Envelope { id: self.id, body: f(self.body) }
    }
}

/// A payload whose header (format, version, kind) has been checked.
enum Parsed<'a> {
    Binary { kind: MessageKind, rest: &'a [u8] },
    Json { kind: MessageKind, doc: serde_json::Map<String, Value> },
}

fn check_version(found: u64) -> Result<(), DecodeError> {
    if SUPPORTED_VERSIONS.iter().any(|v| u64::from(*v) == found) {
        Ok(())
    } else {
        Err(DecodeError::UnsupportedVersion { found, supported: SUPPORTED_VERSIONS })
    }
}

fn parse(bytes: &[u8]) -> Result<Parsed<'_>, DecodeError> {
    match bytes.first() {
        None => Err(DecodeError::Empty),
        Some(&BINARY_MAGIC) => {
            if bytes.len() < 3 {
                return Err(DecodeError::TruncatedHeader(bytes.len()));
            }
            check_version(u64::from(bytes[1]))?;
            let kind =
                MessageKind::from_code(bytes[2]).ok_or_else(|| DecodeError::UnknownKind(bytes[2].to_string()))?;
            Ok(Parsed::Binary { kind, rest: &bytes[3..] })
        }
        Some(b'{') => {
            let mut doc = match serde_json::from_slice::<Value>(bytes) {
                Ok(Value::Object(doc)) => doc,
                Ok(_) => return Err(DecodeError::Json("not an object".into())),
                Err(e) => return Err(DecodeError::Json(e.to_string())),
            };
            let v = doc.get("v").and_then(Value::as_u64).ok_or_else(|| DecodeError::Json("missing \"v\"".into()))?;
            check_version(v)?;
            let kind = match doc.remove("kind") {
                Some(Value::String(k)) => MessageKind::from_name(&k).ok_or(DecodeError::UnknownKind(k))?,
                _ => return Err(DecodeError::Json("missing \"kind\"".into())),
            };
            Ok(Parsed::Json { kind, doc })
        }
        Some(&other) => Err(DecodeError::UnknownFormat(other)),
    }
}

impl Parsed<'_> {
    fn kind(&self) -> MessageKind {
        match self {
            Parsed::Binary { kind, .. } | Parsed::Json { kind, .. } => *kind,
        }
    }

    fn body<M: Message>(self) -> Result<Envelope<M>, DecodeError> {
        let kind = self.kind();
        let body_err = |reason: String| DecodeError::Body { kind, reason };
        match self {
            Parsed::Binary { rest, .. } => {
                let ((id, body), left) =
                    postcard::take_from_bytes::<(MessageId, M)>(rest).map_err(|e| body_err(e.to_string()))?;
                if !left.is_empty() {
                    return Err(DecodeError::TrailingBytes(left.len(), kind));
                }
                Ok(Envelope { id, body })
            }
            Parsed::Json { mut doc, .. } => {
                let id = doc.remove("id").ok_or_else(|| DecodeError::Json("missing \"id\"".into()))?;
                let id: MessageId = serde_json::from_value(id).map_err(|e| DecodeError::Json(format!("id: {e}")))?;
                let body = doc.remove("body").ok_or_else(|| DecodeError::Json("missing \"body\"".into()))?;
                let body = serde_json::from_value(body).map_err(|e| body_err(e.to_string()))?;
                Ok(Envelope { id, body })
            }
        }
    }
}
