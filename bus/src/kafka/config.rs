use rdkafka::ClientConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How to reach the brokers and how clients behave. The defaults are the
/// ones the delivery guarantees need; `extra` passes any other librdkafka
/// property through (and wins over the defaults, so use it with care).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KafkaConfig {
    /// `host:port[,host:port…]`.
    pub bootstrap_servers: String,
    /// Shows up in broker logs.
    pub client_id: String,
    /// A consumer that misses heartbeats this long (ms) is dropped from its
    /// group and its partitions move. Short, so a crashed role's partitions
    /// are picked up quickly; a group join takes about half of it.
    pub session_timeout_ms: u32,
    /// Heartbeat period (ms), well under the session timeout.
    pub heartbeat_interval_ms: u32,
    /// How long the producer waits to batch (ms): latency against
    /// throughput; 1 keeps tick-to-order latency low.
    pub linger_ms: u32,
    /// Admin request timeout (ms).
    pub admin_timeout_ms: u32,
    /// Further librdkafka properties, for every client.
    pub extra: BTreeMap<String, String>,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            bootstrap_servers: "127.0.0.1:9092".into(),
            client_id: "hft-host".into(),
            session_timeout_ms: 3000,
            heartbeat_interval_ms: 500,
            linger_ms: 1,
            admin_timeout_ms: 10_000,
            extra: BTreeMap::new(),
        }
    }
}

impl KafkaConfig {
    /// Defaults with these brokers.
    pub fn new(bootstrap_servers: &str) -> KafkaConfig {
        KafkaConfig { bootstrap_servers: bootstrap_servers.to_string(), ..KafkaConfig::default() }
    }

    fn base(&self) -> ClientConfig {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", &self.bootstrap_servers).set("client.id", &self.client_id);
        c
    }

    fn with_extra(&self, mut c: ClientConfig) -> ClientConfig {
        for (k, v) in &self.extra {
            c.set(k, v);
        }
        c
    }

    /// The producer's properties: idempotent (`enable.idempotence=true`,
    /// which implies `acks=all` and in-order retries), so a retried send is
    /// written once.
    pub fn producer_config(&self) -> ClientConfig {
        let mut c = self.base();
        c.set("enable.idempotence", "true").set("acks", "all").set("linger.ms", self.linger_ms.to_string());
        self.with_extra(c)
    }

    /// A group consumer's properties: manual commits only
    /// (`enable.auto.commit=false`), start from the earliest offset when the
    /// group has none (`auto.offset.reset=earliest`: with tansu, `latest`
    /// misbehaves, and a new group must not skip data anyway).
    pub fn consumer_config(&self, group: &str) -> ClientConfig {
        let mut c = self.base();
        c.set("group.id", group)
            .set("session.timeout.ms", self.session_timeout_ms.to_string())
            .set("heartbeat.interval.ms", self.heartbeat_interval_ms.to_string())
            .set("auto.offset.reset", "earliest")
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("enable.partition.eof", "false");
        self.with_extra(c)
    }

    /// The admin client's properties.
    pub fn admin_config(&self) -> ClientConfig {
        self.with_extra(self.base())
    }
}
